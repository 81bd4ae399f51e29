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
