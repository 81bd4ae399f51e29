"""事前绩效评估: flagged on entry, assessed, reviewed, concluded by the template's arithmetic, and a gate."""

from decimal import Decimal

import pytest
from django.conf import settings

from wenxiao.appraisal import scoring, services
from wenxiao.appraisal.models import Appraisal
from wenxiao.core.config import do_set_setting
from wenxiao.core.errors import PermissionDenied, ValidationError
from wenxiao.projects import services as project_services
from wenxiao.projects.models import Project

pytestmark = pytest.mark.django_db
YEAR = settings.FISCAL_YEAR + 1
SECTIONS = {
    "background": "落实教育现代化规划，校园网络设备老化。",
    "goals": "建成30间智慧教室，师生满意度≥90%。",
    "content": "网络改造、智慧教室、平台建设。",
    "funding": "财政资金300万元。",
}


def _new_project(users, amount="3000000", name="城区学校智慧校园建设项目"):
    unit = users["dw"].assignments.get().org
    return project_services.do_create_project(
        project_services.ProjectInput(
            name=name, unit_code=unit.code, year=YEAR, function_code="2050203", amount_initial=amount, attribute="new"
        ),
        actor=users["dw"],
    )


def _rate(a, users, stage, grade, actor=None):
    ratings = {i.key: grade for i in services.template_for(a)}
    return services.do_save(a.pk, actor=actor or users["dw"], stage=stage, ratings=ratings, texts=SECTIONS)


def _assessed(users, grade="良"):
    p = _new_project(users)
    a = Appraisal.objects.get(project=p)
    _rate(a, users, "self", "良")
    services.do_transition(a.pk, "submit", actor=users["dw"])
    _rate(Appraisal.objects.get(pk=a.pk), users, "final", grade, actor=users["ywk"])
    return p, Appraisal.objects.get(pk=a.pk)


def _intake_to_finance(p, users):
    project_services.do_transition(p.pk, "submit", actor=users["dw"])
    project_services.do_transition(p.pk, "dept_approve", actor=users["zgbm"])


def test_a_300_wan_new_project_is_flagged_with_the_rule(users):
    p = _new_project(users)
    a = Appraisal.objects.get(project=p)
    assert a.state == "required" and "300.00万元" in a.triggers[0] and "200万元" in a.triggers[0]
    assert a.amount_requested == Decimal("3000000") and not a.finance_required
    small = _new_project(users, amount="1500000", name="校园绿化提质")
    assert not Appraisal.objects.filter(project=small).exists()  # below the 200万 threshold


def test_assessed_reviewed_supported_and_only_then_in_the_library(users):
    p, a = _assessed(users, grade="优")
    _intake_to_finance(p, users)
    with pytest.raises(ValidationError) as e:  # finance review of the assessment not finished
        project_services.do_transition(p.pk, "finance_approve", actor=users["ywk"])
    assert "事前绩效评估" in e.value.message
    a = services.do_conclude(a.pk, actor=users["ywk"])
    assert a.conclusion == "support" and a.final_total == Decimal("100.00")
    assert a.amount_recommended == a.amount_requested
    project_services.do_transition(p.pk, "finance_approve", actor=users["ywk"])
    assert Project.objects.get(pk=p.pk).state == "in_library"


def test_conclusion_follows_the_arithmetic_and_the_configured_cutoffs(users):
    p, a = _assessed(users, grade="中")  # every item at 60% → 60 points
    result = services.result_of(a, "final")
    expected = sum(scoring.item_score(i.points, "中") for i in services.template_for(a))
    assert result.total == expected == Decimal("60.00") and result.conclusion == "adjust"
    do_set_setting(
        "appraisal.cutoffs", region=a.region, year=a.year, value={"support": 80, "adjust": 65}, actor=users["jxk"]
    )
    assert services.result_of(a, "final").conclusion == "reject"
    with pytest.raises(ValidationError):  # a conclusion against the score needs a reason
        services.do_conclude(a.pk, actor=users["jxk"], override="support")


def test_not_supported_cannot_enter_by_any_path(users, client_as, api_as):
    p, a = _assessed(users, grade="差")
    services.do_conclude(a.pk, actor=users["ywk"])
    assert Appraisal.objects.get(pk=a.pk).conclusion == "reject"
    _intake_to_finance(p, users)
    with pytest.raises(ValidationError):
        project_services.do_transition(p.pk, "finance_approve", actor=users["ywk"])
    client_as("ywk").post(f"/projects/{p.pk}/action/", {"action": "finance_approve"})
    r = api_as("jxk").post(
        f"/api/v1/projects/{p.pk}/actions", {"action": "finance_approve"}, content_type="application/json"
    )
    assert r.status_code == 400 and "不予支持" in r.json()["detail"]
    assert Project.objects.get(pk=p.pk).state == "finance_review"
    from wenxiao.targets.services import budget_gate, do_approve_budget

    assert "不予支持" in budget_gate(p, YEAR)
    with pytest.raises(ValidationError):
        do_approve_budget(p.pk, YEAR, actor=users["jxk"])


def test_adjust_then_record_the_adjustment(users):
    p, a = _assessed(users, grade="中")
    services.do_conclude(a.pk, actor=users["ywk"], adjustment_required="压减设备购置预算，细化产出指标")
    _intake_to_finance(p, users)
    with pytest.raises(ValidationError):
        project_services.do_transition(p.pk, "finance_approve", actor=users["ywk"])
    services.do_record_adjustment(a.pk, "已压减设备购置30万元，补充5项产出指标", actor=users["dw"])
    project_services.do_transition(p.pk, "finance_approve", actor=users["ywk"])
    assert Project.objects.get(pk=p.pk).state == "in_library"


def test_assessors_see_only_what_they_are_assigned(users):
    p = _new_project(users)
    a = Appraisal.objects.get(project=p)
    _rate(a, users, "self", "良")
    services.do_transition(a.pk, "submit", actor=users["dw"])
    assert not Appraisal.objects.visible_to(users["zj"]).exists()
    with pytest.raises(PermissionDenied):
        services.do_assign(a.pk, ["zj"], actor=users["ywk"])  # the 绩效科 commissions, not the 业务科室
    services.do_assign(a.pk, ["zj", "dsf"], actor=users["jxk"])
    assert list(Appraisal.objects.visible_to(users["zj"]).values_list("pk", flat=True)) == [a.pk]
    _rate(Appraisal.objects.get(pk=a.pk), users, "final", "良", actor=users["zj"])
    services.do_transition(a.pk, "experts_done", actor=users["zj"])
    a = services.do_conclude(a.pk, actor=users["jxk"])
    assert a.conclusion == "support" and a.final_total == Decimal("80.00")


def test_self_assessment_must_be_complete_before_submitting(users):
    p = _new_project(users)
    a = Appraisal.objects.get(project=p)
    with pytest.raises(ValidationError) as e:
        services.do_transition(a.pk, "submit", actor=users["dw"])
    assert "未评分" in e.value.message
    with pytest.raises(ValidationError):
        services.do_save(a.pk, actor=users["dw"], stage="self", ratings={"立项必要性/政策依据充分性": "极好"})


def test_statistics_count_money_requested_and_saved(users):
    from wenxiao.appraisal.selectors import stats

    p, a = _assessed(users, grade="差")
    services.do_conclude(a.pk, actor=users["ywk"])
    s = stats(users["jxk"], YEAR)
    row = next(d for d in s["departments"] if d["code"] == p.department.code)
    mine = Appraisal.objects.filter(year=YEAR, department=p.department)
    assert row["count"] == mine.count()
    assert row["requested"] == sum(x.amount_requested for x in mine)
    assert row["saved"] == sum(x.amount_requested - (x.amount_recommended or 0) for x in mine.filter(state="concluded"))
    assert row["mix"]["reject"] == mine.filter(conclusion="reject").count() >= 1
