"""改革任务 (R46–R47): assigned to a lead division, declared and reported on two forms with deadlines."""

import pytest

from wenxiao.core.errors import PermissionDenied, ValidationError
from wenxiao.core.workflow import todos_for
from wenxiao.oversight import reform_services as services
from wenxiao.oversight.reform_models import ReformTask

pytestmark = pytest.mark.django_db


def _edu_task():
    return ReformTask.objects.get(lead_section__name__contains="教科文")


def test_the_demo_has_done_running_and_overdue_tasks(client_as):
    states = sorted(ReformTask.objects.values_list("state", flat=True))
    assert states == ["assigned", "done", "in_progress"]
    html = client_as("jxk").get("/oversight/reform/").content.decode()
    assert "逾期 1 项" in html and "已完成 1 项" in html  # the 教科文 task missed its 8月15日 declaration


def test_the_lead_division_gets_the_to_do_and_declares(users, client_as):
    task = _edu_task()
    assert task.pk in [w.object_id for w in todos_for(users["ywk"]) if w.workflow == "reform"]
    with pytest.raises(ValidationError):  # the declaration form must be filled first
        services.do_transition(task.pk, "declare", actor=users["ywk"])
    with pytest.raises(PermissionDenied):  # 绩效科 sees every task but fills none: the lead division does
        services.do_fill(task.pk, {"goal": "x"}, actor=users["jxk"])
    c = client_as("ywk")
    form = {"goal": "建立标准体系", "measures": "梳理指标", "milestones": "11月完成"}
    c.post(f"/oversight/reform/{task.pk}/fill/", {**form, "version": task.version, "then": "declare"})
    task.refresh_from_db()
    assert task.state == "declared" and task.goal == "建立标准体系"
    assert task.pk in [w.object_id for w in todos_for(users["jxk"]) if w.workflow == "reform"]
    services.do_transition(task.pk, "approve", actor=users["jxk"])
    assert ReformTask.objects.get(pk=task.pk).state == "in_progress"


def test_others_do_not_see_reform_tasks(users, client_as):
    task = _edu_task()
    for outsider in ("dw", "zgbm", "xian_jxk", "dsf"):
        assert client_as(outsider).get(f"/oversight/reform/{task.pk}/").status_code == 404
        assert task.title not in client_as(outsider).get("/oversight/reform/").content.decode()
