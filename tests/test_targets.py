"""绩效目标管理 on the demo: declare from the library, three-stage review, approval with the budget, versions."""

import pytest
from django.conf import settings

from wenxiao.core.errors import Conflict, NotFound, PermissionDenied, ValidationError
from wenxiao.library.models import IndicatorTemplate
from wenxiao.projects.models import Project, ProjectBudget
from wenxiao.targets import services
from wenxiao.targets.models import Target, TargetComment, TargetVersion

pytestmark = pytest.mark.django_db
NEXT = settings.FISCAL_YEAR + 1


def _dw_project_without_target(users):
    unit = users["dw"].assignments.get().org
    waiting = (
        Project.objects.filter(project_class="3", budgets__year=NEXT)
        .exclude(targets__year=NEXT)
        .exclude(appraisals__isnull=False)
    )  # not held back by an ex-ante assessment (tested elsewhere)
    project = (
        waiting.filter(unit=unit).order_by("code").first()
        or waiting.filter(unit__parent=unit.parent).order_by("code").first()
    )
    assert project is not None, "the demo should leave next year's projects to declare"
    return project


def _inputs(target) -> list[services.RowInput]:
    """The target's rows as the editor would send them back unchanged."""
    return [
        services.RowInput(
            level1=r.level1,
            level2=r.level2,
            name=r.name,
            value=r.value,
            unit=r.unit,
            weight=r.weight,
            source=r.source,
            id=r.pk,
        )
        for r in target.indicators.all()
    ]


def _declare(users, project=None):
    """What `dw` (or the department on its behalf) does: pick indicators from the library, fix values, points."""
    project = project or _dw_project_without_target(users)
    actor = users["dw"] if project.unit == users["dw"].assignments.get().org else users["zgbm"]
    target = services.do_create_project_target(project.pk, NEXT, actor=actor)
    if not target.indicators.exists():
        picks = IndicatorTemplate.objects.filter(state="published", is_common=True).order_by("code")
        wanted = [
            picks.filter(level2=l2).first()
            for l2 in ("数量指标", "质量指标", "时效指标", "社会效益指标", "服务对象满意度指标")
        ]
        target = services.do_add_from_library(
            target.pk, [t.pk for t in wanted if t], actor=actor, expected_version=target.version
        )
    target.refresh_from_db()
    rows = [
        services.RowInput(level1=r.level1, level2=r.level2, name=r.name, value=r.value or "≥1", unit=r.unit, id=r.pk)
        for r in target.indicators.all()
    ]
    target = services.do_save_target(
        target.pk,
        actor=actor,
        expected_version=target.version,
        rows=rows,
        goal="按期完成项目建设任务，资金使用规范，服务对象满意度达到90%以上。",
    )
    target = services.do_distribute_weights(target.pk, actor=actor, expected_version=target.version)
    return target, actor


def test_last_years_approved_target_prefills_the_new_one(users):
    project = (
        Project.objects.filter(
            targets__year=settings.FISCAL_YEAR,
            targets__state="approved",
            budgets__year=NEXT,
            unit=users["dw"].assignments.get().org,
        )
        .exclude(targets__year=NEXT)
        .first()
        or Project.objects.filter(
            targets__year=settings.FISCAL_YEAR,
            targets__state="approved",
            budgets__year=NEXT,
            department=users["zgbm"].assignments.get().org,
        )
        .exclude(targets__year=NEXT)
        .first()
    )
    last = project.targets.get(year=settings.FISCAL_YEAR)
    target = services.do_create_project_target(project.pk, NEXT, actor=users["zgbm"])
    assert [r.name for r in target.indicators.all()] == [r.name for r in last.indicators.all()]
    assert target.goal == last.goal
    assert all(r.template_id for r in target.indicators.all())  # library links survive the copy


def test_declare_review_and_approve_end_to_end(users):
    target, declarer = _declare(users)
    assert services.problems_of(target) == []
    assert all(r.template_id for r in target.indicators.all())
    services.do_transition(target.pk, "submit", actor=declarer)
    row = target.indicators.first()
    services.do_comment(target.pk, actor=users["zgbm"], text="数量指标请与预算金额对应", indicator_id=row.pk)
    services.do_transition(target.pk, "dept_approve", actor=users["zgbm"])
    services.do_transition(target.pk, "business_return", actor=users["ywk"], comment="成本指标缺失")
    target.refresh_from_db()
    assert target.state == "returned"
    services.do_transition(target.pk, "submit", actor=declarer)
    services.do_transition(target.pk, "dept_approve", actor=users["zgbm"])
    services.do_transition(target.pk, "business_approve", actor=users["ywk"])
    dims = dict.fromkeys(["内容相关性", "指标科学性", "规范完整性", "绩效合理性", "预算匹配性"], "符合")
    services.do_final_review(target.pk, actor=users["jxk"], grade="优", dimensions=dims)
    target.refresh_from_db()
    assert target.state == "passed" and target.grade == "优"
    approval = services.do_approve(
        target.department_id, NEXT, actor=users["jxk"], document_no="衡财预〔2027〕8号", target_ids=[target.pk]
    )
    target.refresh_from_db()
    assert target.state == "approved" and target.current_version == 1 and target.approval == approval
    assert ProjectBudget.objects.get(project=target.project, year=NEXT).approved_at is not None
    assert TargetComment.objects.filter(target=target, indicator=row).exists()
    assert TargetVersion.objects.get(target=target, number=1).snapshot["rows"][0]["name"] == row.name


@pytest.mark.parametrize(("grade", "state"), [("良", "passed"), ("中", "returned"), ("差", "rejected")])
def test_grade_decides_what_happens(users, grade, state):
    target, declarer = _declare(users)
    services.do_transition(target.pk, "submit", actor=declarer)
    services.do_transition(target.pk, "dept_approve", actor=users["zgbm"])
    services.do_transition(target.pk, "business_approve", actor=users["ywk"])
    dims = dict.fromkeys(["内容相关性", "指标科学性", "规范完整性", "绩效合理性", "预算匹配性"], "基本符合")
    services.do_final_review(target.pk, actor=users["jxk"], grade=grade, dimensions=dims, opinion="指标需细化")
    assert Target.objects.get(pk=target.pk).state == state


def test_performance_section_can_fix_rows_during_final_review(users):
    target, declarer = _declare(users)
    for action, actor in [("submit", declarer), ("dept_approve", users["zgbm"]), ("business_approve", users["ywk"])]:
        services.do_transition(target.pk, action, actor=actor)
    target.refresh_from_db()
    assert services.can_edit(target, users["jxk"]) and not services.can_edit(target, declarer)


def test_submission_is_blocked_with_the_reason_on_the_row(users):
    target, declarer = _declare(users)
    rows = _inputs(target)
    rows[0].value, rows[0].unit = "≥100", ""  # a quantity without a unit
    rows = [r for r in rows if r.level1 != "效益指标"]  # and no benefit block
    target = services.do_save_target(target.pk, actor=declarer, expected_version=target.version, rows=rows)
    problems = services.problems_of(target)
    assert any(p.row == 0 and p.field == "unit" for p in problems)
    assert any(p.row is None and "缺少效益指标" in p.message for p in problems)
    with pytest.raises(ValidationError) as e:
        services.do_transition(target.pk, "submit", actor=declarer)
    assert any(m.startswith("第1行") for m in e.value.errors["problems"])
    assert Target.objects.get(pk=target.pk).state == "draft"


def test_special_funds_need_ten_quantitative_indicators(users):
    target, declarer = _declare(users)
    rows = _inputs(target)[:6]
    target = services.do_save_target(
        target.pk, actor=declarer, expected_version=target.version, rows=rows, special_fund=True
    )
    assert any("专项资金至少设置10个量化指标" in p.message for p in services.problems_of(target))


def test_stale_edit_is_refused(users):
    target, declarer = _declare(users)
    rows = _inputs(target)
    services.do_save_target(
        target.pk, actor=declarer, expected_version=target.version, rows=rows, goal="甲改的目标内容"
    )
    with pytest.raises(Conflict):
        services.do_save_target(
            target.pk, actor=declarer, expected_version=target.version, rows=rows, goal="乙改的目标内容"
        )
    assert Target.objects.get(pk=target.pk).goal == "甲改的目标内容"


def test_adjustment_creates_version_two_with_a_diff(users, client_as):
    target = Target.objects.filter(
        state="approved", year=settings.FISCAL_YEAR, department=users["zgbm"].assignments.get().org
    ).first()
    with pytest.raises(ValidationError):
        services.do_transition(target.pk, "adjust", actor=users["zgbm"], comment="")
    services.do_transition(target.pk, "adjust", actor=users["zgbm"], comment="上级追加任务，调整数量指标")
    target.refresh_from_db()
    assert target.state == "draft" and target.adjusting and target.current_version == 1
    rows = _inputs(target)
    changed = rows[0].name
    rows[0].value = "≥999" if "%" not in rows[0].value else "≥99%"
    target = services.do_save_target(target.pk, actor=users["zgbm"], expected_version=target.version, rows=rows)
    for action, actor in [
        ("submit", users["zgbm"]),
        ("dept_approve", users["zgbm"]),
        ("business_approve", users["ywk"]),
    ]:
        services.do_transition(target.pk, action, actor=actor)
    dims = dict.fromkeys(["内容相关性", "指标科学性", "规范完整性", "绩效合理性", "预算匹配性"], "符合")
    services.do_final_review(target.pk, actor=users["jxk"], grade="优", dimensions=dims)
    services.do_approve(
        target.department_id,
        settings.FISCAL_YEAR,
        actor=users["jxk"],
        document_no="调整批复1号",
        target_ids=[target.pk],
    )
    target.refresh_from_db()
    assert target.current_version == 2 and not target.adjusting
    v1, v2 = TargetVersion.objects.filter(target=target).order_by("number")
    assert v1.snapshot["rows"][0]["value"] != v2.snapshot["rows"][0]["value"]
    assert v2.reason == "上级追加任务，调整数量指标"
    html = client_as("zgbm").get(f"/targets/{target.pk}/versions/1/2/").content.decode()
    assert changed in html and "修改 1 行" in html and rows[0].value in html


def test_gate_no_approved_target_no_budget(users):
    project = _dw_project_without_target(users)
    with pytest.raises(ValidationError) as e:
        services.do_approve_budget(project.pk, NEXT, actor=users["jxk"])
    assert "绩效目标" in e.value.message
    assert ProjectBudget.objects.get(project=project, year=NEXT).approved_at is None
    personnel = Project.objects.filter(
        department=users["zgbm"].assignments.get().org,
        project_class="1",
        budgets__year=settings.FISCAL_YEAR,
        budgets__approved_at=None,
    ).first()
    if personnel:  # staff costs need no target
        services.do_approve_budget(personnel.pk, settings.FISCAL_YEAR, actor=users["jxk"])


def test_only_the_chain_may_review_and_only_in_scope(users):
    target, declarer = _declare(users)
    services.do_transition(target.pk, "submit", actor=declarer)
    own_unit = target.unit == users["dw"].assignments.get().org
    with pytest.raises(PermissionDenied if own_unit else NotFound):  # a unit never approves at the department
        services.do_transition(target.pk, "dept_approve", actor=users["dw"])
    with pytest.raises(PermissionDenied):  # nor does the department skip to the finance stage
        services.do_transition(target.pk, "business_approve", actor=users["zgbm"])
    with pytest.raises(NotFound):  # another department's unit does not even see it
        services.do_transition(target.pk, "dept_approve", actor=users["dw2"])
    with pytest.raises(NotFound):  # a county's 绩效科 does not see the city's targets at all
        services.do_final_review(target.pk, actor=users["xian_jxk"], grade="优", dimensions={})


def test_review_statistics_match_a_hand_count(users):
    from wenxiao.targets.selectors import review_stats

    target, declarer = _declare(users)
    services.do_transition(target.pk, "submit", actor=declarer)
    services.do_comment(target.pk, actor=users["zgbm"], text="补充成本指标")
    services.do_transition(target.pk, "dept_return", actor=users["zgbm"], comment="请修改")
    stats = review_stats(users["jxk"], NEXT)
    dept = target.department
    row = next(r for r in stats["departments"] if r["code"] == dept.code)
    # By hand: next year's budgets of special-purpose projects in the department …
    assert (
        row["required"]
        == ProjectBudget.objects.filter(year=NEXT, project__department=dept, project__project_class="3").count()
    )
    # … targets that left the draft state, comments written, returns taken.
    mine = Target.objects.filter(year=NEXT, department=dept, kind="project")
    assert row["declared"] == mine.exclude(state="draft").count()
    assert row["suggestions"] == TargetComment.objects.filter(target__in=mine).count()
    assert row["returns"] >= 1
    assert stats["total"]["required"] == sum(r["required"] for r in stats["departments"])
