from django.db import migrations

from wenxiao.core.search import fts_migration


def frameworks(apps, schema_editor):
    from wenxiao.library.loader import load_frameworks

    load_frameworks(apps, schema_editor)


def indicators(apps, schema_editor):
    from wenxiao.library.loader import load_indicators

    load_indicators(apps, schema_editor)


class Migration(migrations.Migration):
    dependencies = [("library", "0001_initial"), ("catalog", "0002_load_codes")]
    operations = [
        fts_migration("library_indicatortemplate"),
        migrations.RunPython(frameworks, migrations.RunPython.noop),
        migrations.RunPython(indicators, migrations.RunPython.noop),
    ]
