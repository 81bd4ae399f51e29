"""Project intake (单位申报 → 主管部门审核 → 财政审核 → 入库) on the shared workflow mechanism."""

import pytest

from wenxiao.core.errors import Conflict, PermissionDenied, ValidationError
from wenxiao.core.models import Transition, WorkItem
from wenxiao.core.workflow import todos_for
from wenxiao.projects import services
from wenxiao.projects.models import Project

pytestmark = pytest.mark.django_db


def _new_project(users):
    unit = users["dw"].assignments.get().org
    return services.do_create_project(
        services.ProjectInput(
            name="城区学校智慧教室建设项目",
            unit_code=unit.code,
            year=2026,
            function_code="2050202",
            amount_initial="1800000",  # below the ex-ante assessment threshold
            responsible_name="陈明",
        ),
        actor=users["dw"],
    )


def test_full_intake_path_with_todos_at_each_step(users):
    p = _new_project(users)
    assert p.state == "draft"
    assert todos_for(users["dw"]).filter(object_id=p.pk).exists()
    services.do_transition(p.pk, "submit", actor=users["dw"])
    assert not todos_for(users["dw"]).filter(object_id=p.pk).exists()
    assert todos_for(users["zgbm"]).filter(object_id=p.pk).exists()
    assert not todos_for(users["ywk"]).filter(object_id=p.pk).exists()
    services.do_transition(p.pk, "dept_approve", actor=users["zgbm"], comment="同意")
    assert todos_for(users["ywk"]).filter(object_id=p.pk).exists()
    services.do_transition(p.pk, "finance_approve", actor=users["ywk"])
    p.refresh_from_db()
    assert p.state == "in_library"
    assert not WorkItem.objects.filter(object_id=p.pk, closed_at__isnull=True).exists()
    steps = list(
        Transition.objects.filter(object_id=p.pk, workflow="project_intake").values_list("action", "actor__username")
    )
    assert steps == [("submit", "dw"), ("dept_approve", "zgbm"), ("finance_approve", "ywk")]


def test_return_needs_a_reason_and_goes_back_to_the_unit(users):
    p = _new_project(users)
    services.do_transition(p.pk, "submit", actor=users["dw"])
    with pytest.raises(ValidationError):
        services.do_transition(p.pk, "dept_return", actor=users["zgbm"], comment="  ")
    services.do_transition(p.pk, "dept_return", actor=users["zgbm"], comment="绩效目标未量化")
    p.refresh_from_db()
    assert p.state == "returned"
    assert todos_for(users["dw"]).filter(object_id=p.pk).exists()
    services.do_transition(p.pk, "submit", actor=users["dw"])  # resubmit after fixing


def test_only_the_right_role_may_take_a_step(users):
    p = _new_project(users)
    services.do_transition(p.pk, "submit", actor=users["dw"])
    with pytest.raises(PermissionDenied):
        services.do_transition(p.pk, "dept_approve", actor=users["dw"])  # a unit cannot approve itself
    with pytest.raises(PermissionDenied):
        services.do_transition(p.pk, "finance_approve", actor=users["zgbm"])
    p.refresh_from_db()
    assert p.state == "dept_review"


def test_a_step_from_the_wrong_state_is_refused(users):
    p = _new_project(users)
    with pytest.raises(Conflict):
        services.do_transition(p.pk, "finance_approve", actor=users["jxk"])


def test_a_stale_approval_does_not_overwrite(users):
    p = _new_project(users)
    services.do_transition(p.pk, "submit", actor=users["dw"])
    p.refresh_from_db()
    loaded = p.version
    services.do_transition(p.pk, "dept_return", actor=users["zgbm"], comment="请补充材料", expected_version=loaded)
    with pytest.raises(Conflict):  # a second reviewer who loaded the same version
        services.do_transition(p.pk, "dept_approve", actor=users["zgbm"], expected_version=loaded)
    assert Project.objects.get(pk=p.pk).state == "returned"


def test_workflow_through_the_web_page(client_as, users):
    p = _new_project(users)
    r = client_as("dw").post(f"/projects/{p.pk}/action/", {"action": "submit", "version": p.version})
    assert r.status_code == 302
    page = client_as("zgbm").get(f"/projects/{p.pk}/").content.decode()
    assert "主管部门审核通过" in page and "退回单位" in page
    client_as("zgbm").post(f"/projects/{p.pk}/action/", {"action": "dept_return", "comment": ""})
    assert Project.objects.get(pk=p.pk).state == "dept_review"  # no reason given: nothing changes


def test_todos_name_the_stage_in_chinese_not_its_code(client_as, api_as):
    html = client_as("zgbm").get("/todos/").content.decode()
    rows = html.split("<tbody>", 1)[1]
    assert "dept_review" not in rows and "submitted" not in rows
    todos = api_as("zgbm").get("/api/v1/todos").json()["items"]
    assert todos and all(t["state_label"] and t["state_label"] != t["state"] for t in todos)
    assert all(f"<td>{t['state_label']}</td>" in rows for t in todos[:20])
