from django.db import migrations

SQLITE = [
    "CREATE TRIGGER IF NOT EXISTS core_auditevent_no_update BEFORE UPDATE ON core_auditevent "
    "BEGIN SELECT RAISE(ABORT, '审计日志只能追加，不能修改'); END",
    "CREATE TRIGGER IF NOT EXISTS core_auditevent_no_delete BEFORE DELETE ON core_auditevent "
    "BEGIN SELECT RAISE(ABORT, '审计日志只能追加，不能删除'); END",
]
POSTGRES = [
    "CREATE OR REPLACE FUNCTION core_auditevent_append_only() RETURNS trigger AS $$ "
    "BEGIN RAISE EXCEPTION '审计日志只能追加，不能修改或删除'; END; $$ LANGUAGE plpgsql",
    "DROP TRIGGER IF EXISTS core_auditevent_append_only ON core_auditevent",
    "CREATE TRIGGER core_auditevent_append_only BEFORE UPDATE OR DELETE ON core_auditevent "
    "FOR EACH ROW EXECUTE FUNCTION core_auditevent_append_only()",
]


def forwards(apps, schema_editor):
    statements = {"sqlite": SQLITE, "postgresql": POSTGRES}.get(schema_editor.connection.vendor, [])
    with schema_editor.connection.cursor() as c:
        for sql in statements:
            c.execute(sql)


def backwards(apps, schema_editor):
    with schema_editor.connection.cursor() as c:
        if schema_editor.connection.vendor == "sqlite":
            c.execute("DROP TRIGGER IF EXISTS core_auditevent_no_update")
            c.execute("DROP TRIGGER IF EXISTS core_auditevent_no_delete")
        elif schema_editor.connection.vendor == "postgresql":
            c.execute("DROP TRIGGER IF EXISTS core_auditevent_append_only ON core_auditevent")


class Migration(migrations.Migration):
    """The audit log is append-only in the database itself: updates and deletes are refused (等保)."""

    dependencies = [("core", "0005_attachment")]
    operations = [migrations.RunPython(forwards, backwards)]
