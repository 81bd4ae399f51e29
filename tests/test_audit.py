"""The audit log: every write leaves a row with before/after, and tampering breaks the SM3 chain."""

import pytest
from django.db import connection

from wenxiao.core.audit import verify_chain
from wenxiao.core.models import AuditEvent
from wenxiao.projects import services
from wenxiao.projects.models import Project

pytestmark = pytest.mark.django_db


def tamper(sql: str, params: list) -> None:
    """What someone with full database rights could do: drop the append-only guard, then change rows."""
    with connection.cursor() as c:
        if connection.vendor == "postgresql":
            c.execute("DROP TRIGGER IF EXISTS core_auditevent_append_only ON core_auditevent")
        else:
            c.execute("DROP TRIGGER IF EXISTS core_auditevent_no_update")
            c.execute("DROP TRIGGER IF EXISTS core_auditevent_no_delete")
        c.execute(sql, params)


def test_the_log_is_append_only_in_the_database(users):
    from django.db import DatabaseError, transaction

    from wenxiao.core import audit

    e = audit.record(users["jxk"], "test.event", object_type="test", object_repr="一条记录")
    for sql in (
        "UPDATE core_auditevent SET actor_name = 'x' WHERE id = %s",
        "DELETE FROM core_auditevent WHERE id = %s",
    ):
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as c:
            c.execute(sql, [e.id])
    assert AuditEvent.objects.get(pk=e.pk).actor_name == "jxk"


def _edit(project, user, **changes):
    return services.do_update_project(project.pk, changes, actor=user, expected_version=project.version)


def test_an_edit_is_recorded_with_who_what_before_and_after(users):
    p = (
        Project.objects.filter(unit=users["dw"].assignments.get().org, state="draft").first()
        or Project.objects.filter(unit=users["dw"].assignments.get().org).first()
    )
    Project.objects.filter(pk=p.pk).update(state="draft")
    p.refresh_from_db()
    old = p.name
    _edit(p, users["dw"], name="义务教育课后服务补助（修订）")
    e = AuditEvent.objects.filter(object_type="projects.project", object_id=str(p.pk)).latest("seq")
    assert e.action == "project.update"
    assert e.actor == users["dw"]
    assert e.before == {"name": old, "version": p.version}
    assert e.after == {"name": "义务教育课后服务补助（修订）", "version": p.version + 1}
    assert verify_chain().ok


def test_editing_a_row_by_hand_is_detected_and_named(users):
    p = Project.objects.filter(unit=users["dw"].assignments.get().org).first()
    Project.objects.filter(pk=p.pk).update(state="draft")
    p.refresh_from_db()
    _edit(p, users["dw"], name="第一次修改")
    p.refresh_from_db()
    _edit(p, users["dw"], name="第二次修改")
    assert verify_chain().ok
    target = AuditEvent.objects.filter(object_id=str(p.pk), action="project.update").order_by("seq").first()
    tamper("UPDATE core_auditevent SET actor_name = %s WHERE id = %s", ["someone_else", target.id])
    result = verify_chain()
    assert not result.ok
    assert result.broken_seq == target.seq and result.broken_id == target.id


def test_deleting_a_row_is_detected(users):
    p = Project.objects.filter(unit=users["dw"].assignments.get().org).first()
    Project.objects.filter(pk=p.pk).update(state="draft")
    p.refresh_from_db()
    _edit(p, users["dw"], name="改一")
    p.refresh_from_db()
    _edit(p, users["dw"], name="改二")
    first = AuditEvent.objects.filter(object_id=str(p.pk)).order_by("seq").first()
    tamper("DELETE FROM core_auditevent WHERE id = %s", [first.id])
    result = verify_chain()
    assert not result.ok and result.broken_seq == first.seq + 1


def test_deleting_the_last_row_is_detected(users):
    p = Project.objects.filter(unit=users["dw"].assignments.get().org).first()
    Project.objects.filter(pk=p.pk).update(state="draft")
    p.refresh_from_db()
    _edit(p, users["dw"], name="改一")
    last = AuditEvent.objects.order_by("-seq").first()
    tamper("DELETE FROM core_auditevent WHERE id = %s", [last.id])
    assert not verify_chain().ok


def test_audit_page_is_for_the_audit_administrator_only(client_as):
    html = client_as("auditadmin").get("/audit/", {"verify": "1"}).content.decode()
    assert "哈希链完整" in html
    assert client_as("admin").get("/audit/").status_code == 404


# --- retention and export --------------------------------------------------------------------------------------


def test_purge_refuses_anything_inside_the_retention_period(users):
    from datetime import date, timedelta

    from wenxiao.cli import main
    from wenxiao.core import audit
    from wenxiao.core.errors import ValidationError
    from wenxiao.core.models import Setting

    Setting.objects.create(key="security.audit_retention_days", value=30)  # below 180 is not honoured
    today = date(2026, 12, 31)
    with pytest.raises(ValidationError, match="至少 180 天"):
        audit.purge(today - timedelta(days=179), today=today)
    n = AuditEvent.objects.count()
    assert main(["audit", "purge", "--before", date.today().isoformat()]) == 2
    assert AuditEvent.objects.count() == n and verify_chain().ok


def test_purge_removes_the_oldest_rows_and_the_chain_still_verifies(users):
    from datetime import timedelta

    from django.utils import timezone

    from wenxiao.core import audit

    audit.record(users["jxk"], "test.after", object_type="test", object_repr="清理后的第一条")
    boundary = AuditEvent.objects.latest("seq")
    # a year from now, everything recorded before the boundary's day + 1 is old enough
    later = timezone.localdate() + timedelta(days=400)
    result = audit.purge(timezone.localdate() + timedelta(days=1), today=later)
    assert result.deleted == boundary.seq and result.through_seq == boundary.seq
    assert not AuditEvent.objects.filter(seq__lte=boundary.seq).exists()
    purge = AuditEvent.objects.get(action="audit.purge")
    assert purge.after["anchor_hash"] == boundary.hash == purge.prev_hash
    result = verify_chain()
    assert result.ok and result.checked == 1
    audit.record(users["jxk"], "test.later", object_type="test", object_repr="又一条")
    assert verify_chain().ok
    # removing the oldest remaining rows by hand (not by purge) is still caught
    tamper("DELETE FROM core_auditevent WHERE id = %s", [purge.id])
    broken = verify_chain()
    assert not broken.ok and "链首记录缺失" in broken.reason


def test_export_for_auditors_carries_the_chain_hashes(client_as, users):
    import csv
    import io

    import python_calamine

    from wenxiao.core import audit
    from wenxiao.core.crypto import sm3_hex

    audit.record(users["dw"], "test.export", object_type="test", object_repr="导出的记录", after={"x": "<b>1</b>"})
    audit.record(users["jxk"], "test.export", object_type="test", object_repr="别人的记录")
    for u in ("admin", "jxk", "dw"):
        assert client_as(u).get("/audit/export/").status_code == 404
    r = client_as("auditadmin").get("/audit/export/", {"format": "csv", "actor": "dw", "action": "test."})
    assert r.status_code == 200 and "attachment" in r["Content-Disposition"]
    text = r.content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][0] == "序号" and rows[0][-2] == "本条哈希"
    assert len(rows) == 2 and rows[1][2] == "dw" and rows[1][6] == "导出的记录"
    seq, prev_hash, row_hash, payload = rows[1][0], rows[1][-3], rows[1][-2], rows[1][-1]
    assert sm3_hex(prev_hash + payload) == row_hash  # the auditor re-computes the link from the file alone
    assert AuditEvent.objects.get(seq=int(seq)).hash == row_hash
    exported = AuditEvent.objects.filter(action="audit.export").latest("seq")
    assert exported.actor == users["auditadmin"] and exported.after["rows"] == 1

    today = __import__("django.utils.timezone", fromlist=["x"]).localdate().isoformat()
    r = client_as("auditadmin").get("/audit/export/", {"format": "xlsx", "from": today, "to": today, "action": "test."})
    sheet = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(r.content)).get_sheet_by_index(0).to_python()
    assert [row[2] for row in sheet[1:]] == ["dw", "jxk"]
    r = client_as("auditadmin").get("/audit/export/", {"format": "csv", "to": "2000-01-01"})
    assert len(list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"))))) == 1  # header only


def test_export_from_the_command_line(tmp_path, users, capsys):
    import csv

    from django.utils import timezone

    from wenxiao.cli import main
    from wenxiao.core import audit

    audit.record(users["dw"], "test.cli", object_type="test", object_repr="命令行导出")
    day = timezone.localdate().isoformat()
    out = tmp_path / "audit.csv"
    assert main(["audit", "export", "--from", day, "--to", day, "--action", "test.cli", "-o", str(out)]) == 0
    rows = list(csv.reader(out.open(encoding="utf-8-sig")))
    assert len(rows) == 2 and rows[1][3] == "test.cli"
    assert "已导出 1 条" in capsys.readouterr().out
    assert main(["audit", "export", "-o", str(tmp_path / "all.xlsx")]) == 0
    assert (tmp_path / "all.xlsx").read_bytes()[:2] == b"PK"
