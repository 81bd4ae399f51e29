"""绩效评价 in the product: a unit's self-evaluation scored by the rules, review, 复评, distribution, import and
export, and a key evaluation from the candidate list to its report."""

import io
import json
from decimal import ROUND_HALF_UP, Decimal

import pytest

from wenxiao.core.errors import Conflict, PermissionDenied, ValidationError
from wenxiao.evaluation import key_services, selectors, selfeval_xlsx
from wenxiao.evaluation import selfeval_services as services
from wenxiao.evaluation.models import Evaluation, SelfEvalTask, SelfEvaluation
from wenxiao.evaluation.scoring import ACHIEVED
from wenxiao.evaluation.selfeval_import import import_selfeval

pytestmark = pytest.mark.django_db
YEAR = 2026


def _draft(users) -> SelfEvaluation:
    """One of dw's open forms with a quantitative ≥ row (the seed leaves dw's forms for dw to fill)."""
    unit = users["dw"].assignments.get().org
    for f in SelfEvaluation.objects.filter(unit=unit, state="draft").select_related("region", "task").order_by("id"):
        if any(ln.indicator and ln.indicator.comparator == "≥" and ln.indicator.number for ln in f.lines.all()):
            return f
    raise AssertionError("no open form with a ≥ row")


def _met(ln) -> str:
    """An actual that meets the row's target exactly."""
    ind = ln.indicator
    if ind is None or ind.value_kind == "qualitative" or ind.number is None:
        return ACHIEVED if ind is None or ind.value_kind != "date" else f"{YEAR}年10月31日"
    return f"{ind.number.normalize():f}"


def _fill(form, actor, **over):
    lines = [{"id": ln.pk, "actual": _met(ln), "deviation_reason": ""} for ln in form.lines.all()]
    changes = {"executed": str(form.budget_annual), "goal_actual": "全部完成", "with_final_accounts": True}
    changes.update(over)
    return services.do_save_form(form.pk, {**changes, "lines": lines}, actor=actor, expected_version=form.version)


def test_a_unit_meeting_every_target_with_full_execution_scores_100(users):
    form = _fill(_draft(users), users["dw"])
    assert form.score == Decimal("100.00")
    assert form.grade == "优"
    assert form.rate == Decimal("100.00") and form.budget_score == Decimal("10.00")


def test_the_score_follows_the_rules_when_a_target_is_missed(users):
    form = _draft(users)
    _fill(form, users["dw"], executed=str((form.budget_annual * Decimal("0.8")).quantize(Decimal("0.01"))))
    form.refresh_from_db()
    row = next(ln for ln in form.lines.all() if ln.indicator.comparator == "≥" and ln.indicator.number)
    half = row.indicator.number / 2
    services.do_save_form(
        form.pk,
        {"lines": [{"id": row.pk, "actual": f"{half.normalize():f}"}]},
        actor=users["dw"],
        expected_version=form.version,
    )
    form.refresh_from_db()
    row.refresh_from_db()
    assert row.score == (row.rule_weight / 2).quantize(Decimal("0.01"), ROUND_HALF_UP)  # actual ÷ target × 分值
    assert form.budget_score == Decimal("8.00")  # min(80%, 100%) × 10
    assert form.score == Decimal(100) - (row.rule_weight - row.score) - 2
    with pytest.raises(ValidationError) as e:  # a missed target needs its 偏差原因 before submitting (10号, S03)
        services.do_transition(form.pk, "submit", actor=users["dw"])
    assert "偏差原因" in str(e.value.errors)
    assert SelfEvaluation.objects.get(pk=form.pk).state == "draft"


def test_a_stale_save_is_refused_and_changes_nothing(users):
    form = _draft(users)
    _fill(form, users["dw"])
    with pytest.raises(Conflict):
        services.do_save_form(form.pk, {"goal_actual": "覆盖"}, actor=users["dw"], expected_version=form.version)
    assert SelfEvaluation.objects.get(pk=form.pk).goal_actual == "全部完成"


def test_submitted_reviewed_and_re_evaluated_with_reasons(users):
    form = _fill(_draft(users), users["dw"])
    services.do_transition(form.pk, "submit", actor=users["dw"])
    services.do_transition(form.pk, "dept_approve", actor=users["zgbm"])
    with pytest.raises(PermissionDenied):
        services.do_review(form.pk, {"review_opinion": "x"}, actor=users["zgbm"])  # 复评 is finance's
    row = form.lines.order_by("order").first()
    lowered = {"id": row.pk, "review_score": str(row.score - 1), "review_reason": ""}
    with pytest.raises(ValidationError):  # a changed score needs a reason
        services.do_review(form.pk, {"lines": [lowered], "review_opinion": "核减"}, actor=users["jxk"])
    lowered["review_reason"] = "佐证不足"
    done = services.do_review(form.pk, {"lines": [lowered], "review_opinion": "核减"}, actor=users["jxk"])
    assert done.review_score == Decimal("99.00") and done.review_grade == "优"
    assert done.score == Decimal("100.00")  # the rule score is kept beside the re-evaluated one


def test_seeded_inflated_self_evaluations_are_flagged(users):
    inflated = SelfEvaluation.objects.filter(declared_total=100).exclude(state="draft")
    assert inflated.count() > 10
    for f in inflated:
        assert {"S05", "S06"} & set(f.flag_codes) or {"S01", "S07"} & set(f.flag_codes), f.flags
    honest = SelfEvaluation.objects.filter(declared_total__isnull=True).exclude(state="draft")
    assert honest.filter(flag_count=0).count() > honest.count() / 2  # the checks do not cry wolf
    flagged = selectors.flagged(users["jxk"], YEAR)
    assert flagged and all(f.flag_count for f in flagged)


def test_distribution_counts_match_the_forms(users, client_as):
    d = selectors.distribution(users["jxk"], YEAR)
    rows = SelfEvaluation.objects.filter(year=YEAR).exclude(state__in=("draft", "returned"))
    assert d["n"] == rows.count()
    assert d["counts"]["优"] == sum(1 for f in rows if (f.review_grade or f.grade) == "优")
    assert d["reviewed"] == rows.filter(review_score__isnull=False).count() > 0
    assert d["lowered"] == d["reviewed"]  # the seeded 复评 cut inflated scores
    html = client_as("jxk").get("/evaluation/distribution/").content.decode()
    assert f"共 {d['n']} 个自评结果" in html and f"优良率 {d['good_rate']}%" in html


def test_sampling_takes_every_flagged_form(users):
    task = SelfEvalTask.objects.get()
    picked = services.do_sample(task.pk, actor=users["jxk"], share=0.05, seed=1)
    reviewed = SelfEvaluation.objects.filter(task=task, state__in=("finance_review", "done"))
    assert set(reviewed.filter(flag_count__gt=0).values_list("id", flat=True)) <= {f.pk for f in picked}
    with pytest.raises(PermissionDenied):
        services.do_sample(task.pk, actor=users["zgbm"])


def test_the_exported_table_scores_the_same_with_the_command_line(users, tmp_path, capsys):
    from wenxiao.cli import main

    form = (
        SelfEvaluation.objects.exclude(state="draft")
        .filter(declared_total__isnull=True)
        .select_related("region", "unit", "department", "project")
        .order_by("-flag_count", "id")
        .first()
    )
    path = tmp_path / "table.xlsx"
    path.write_bytes(selfeval_xlsx.workbook([form]))
    assert main(["score", "selfeval", str(path), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    out = out[0] if isinstance(out, list) else out
    assert Decimal(str(out["total"])) == form.score
    assert out["grade"] == form.grade


def test_an_offline_table_imports_all_or_nothing(users):
    form = SelfEvaluation.objects.prefetch_related("lines").get(pk=_draft(users).pk)
    for ln in form.lines.all():
        ln.actual = _met(ln)
    body = selfeval_xlsx.workbook([form])
    saved = import_selfeval(users["dw"], body).forms[0]
    assert saved.pk == form.pk and saved.score is not None
    assert [ln.actual for ln in saved.lines.all()] == [_met(ln) for ln in form.lines.all()]
    # A renamed row: the whole file is refused and nothing changes.
    first = form.lines.all()[0]
    first.name, first.actual = "改过的指标", "1"
    with pytest.raises(ValidationError) as e:
        import_selfeval(users["dw"], selfeval_xlsx.workbook([form]))
    assert "三级指标" in str(e.value.errors)
    assert SelfEvaluation.objects.get(pk=form.pk).lines.get(pk=first.pk).actual == _met(first)
    with pytest.raises(ValidationError):  # another unit's table
        import_selfeval(users["dw2"], body)


def test_the_form_page_scores_live_and_shows_flags(users, client_as):
    form = _draft(users)
    c = client_as("dw")
    data = {f"actual-{ln.pk}": _met(ln) for ln in form.lines.all()}
    data["executed"] = str(form.budget_annual)
    html = c.post(f"/evaluation/forms/{form.pk}/preview/", data).content.decode()
    assert 'id="total-score">100.00<' in html
    assert SelfEvaluation.objects.get(pk=form.pk).score is None  # a preview saves nothing
    row = form.lines.order_by("order").first()
    data[f"actual-{row.pk}"] = "—"
    html = c.post(f"/evaluation/forms/{form.pk}/preview/", data).content.decode()
    assert 'id="total-score">100.00<' not in html


def test_a_key_evaluation_runs_from_candidate_to_final_report(users, client_as):
    from docx import Document

    ev = Evaluation.objects.filter(kind="project").get()
    assert ev.state == "final" and ev.reasons  # the seed took it from the candidate list
    roles = set(ev.members.values_list("role", flat=True))
    assert {"leader", "agency", "expert"} <= roles
    assert ev.agency.assignments.filter(user__username="dsf").exists()
    assert [r.passed for r in ev.reviews.all()] == [False, True]  # returned once, then final (R31)
    body = client_as("dsf").get(f"/evaluation/evaluations/{ev.pk}/report.docx").content
    text = "\n".join(p.text for p in Document(io.BytesIO(body)).paragraphs)
    for heading in ("一、基本情况", "三、综合评价情况及评价结论", "六、有关建议"):
        assert heading in text
    assert f"{ev.score}" in text
    pdf = client_as("jxk").get(f"/evaluation/evaluations/{ev.pk}/report.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")


def test_weights_must_keep_output_and_benefit_at_60(users):
    project = SelfEvaluation.objects.filter(state="done").first().project
    ev = key_services.do_create_evaluation(actor=users["jxk"], year=YEAR, kind="cost", project_id=project.pk)
    rows = [{"id": i.pk, "weight": "30" if i.level1 in ("决策", "过程") else "0"} for i in ev.indicators.all()]
    with pytest.raises(ValidationError) as e:
        key_services.do_save_indicators(ev.pk, rows, actor=users["jxk"])
    assert "不得低于60分" in str(e.value)
    with pytest.raises(ValidationError):  # no draft report, no scores: the draft cannot be submitted
        key_services.do_transition(ev.pk, "start", actor=users["jxk"])
        key_services.do_transition(ev.pk, "submit_draft", actor=users["jxk"])


def test_an_internal_review_below_the_line_returns_the_report(users):
    ev = Evaluation.objects.filter(kind="project").get()
    Evaluation.objects.filter(pk=ev.pk).update(state="internal_review")
    r = key_services.do_internal_review(
        ev.pk, scores={"completion": "15", "problems": "15", "suggestions": "15", "writing": "15"},
        comment="问题挖掘不深", actor=users["jxk"],
    )  # fmt: skip
    assert not r.passed and Evaluation.objects.get(pk=ev.pk).state == "revising"
    with pytest.raises(PermissionDenied):
        key_services.do_internal_review(ev.pk, scores={}, comment="x", actor=users["dsf"])


def test_a_department_evaluation_takes_its_rates_from_payments(users):
    from django.db.models import Sum

    from wenxiao.projects.models import MonthlyExecution, ProjectBudget

    ev = Evaluation.objects.filter(kind="whole").get()
    dept = ev.subject_org
    paid = MonthlyExecution.objects.filter(project__unit__path__startswith=dept.path, year=YEAR).aggregate(
        s=Sum("amount")
    )["s"]
    budget = ProjectBudget.objects.filter(project__unit__path__startswith=dept.path, year=YEAR).aggregate(
        s=Sum("amount_adjusted")
    )["s"]
    row = ev.indicators.get(name="预算完成率")
    assert row.value == f"{paid / budget * 100:.2f}%"
    assert row.source.startswith("系统计算")
    assert set(ev.indicators.values_list("level1", flat=True)) == {
        "运行成本", "管理效率", "履职效能", "社会效应", "可持续发展能力", "服务对象满意度"}  # fmt: skip


def test_candidates_say_why(users):
    from wenxiao.evaluation.candidates import candidate_list
    from wenxiao.monitoring.models import NegativeListEntry

    listed = NegativeListEntry.objects.filter(removed_at__isnull=True, project__isnull=False).first()
    rows = {c["project"].pk: c for c in candidate_list(users["jxk"], YEAR, limit=5000)}
    assert "已列入负面清单" in rows[listed.project_id]["reasons"]
    assert all(c["reasons"] for c in rows.values())


def test_a_joint_evaluation_is_shared_with_the_lower_bureau(users):
    from wenxiao.orgs.selectors import home_region

    ev = Evaluation.objects.filter(kind="whole").get()
    county = home_region(users["xian_jxk"], ("performance",))
    assert not Evaluation.objects.visible_to(users["xian_jxk"]).filter(pk=ev.pk).exists()
    key_services.do_save_plan(ev.pk, {"joint_region_id": county.pk}, actor=users["jxk"])
    assert Evaluation.objects.visible_to(users["xian_jxk"]).filter(pk=ev.pk).exists()  # R27
    assert not key_services.is_owner(users["xian_jxk"], Evaluation.objects.get(pk=ev.pk))  # it sees, the city runs it
    assert not Evaluation.objects.visible_to(users["dw2"]).filter(pk=ev.pk).exists()


def test_self_evaluation_figures_feed_the_assessments(users):
    from wenxiao.oversight.metrics import compute

    dept = users["zgbm"].assignments.get().org
    forms = SelfEvaluation.objects.filter(department=dept, year=YEAR)
    submitted = forms.filter(state__in=("dept_review", "finance_review", "done"))
    expected = (Decimal(submitted.count()) * 100 / forms.count()).quantize(Decimal("0.01"))
    assert compute("selfeval_coverage", dept, YEAR) == expected
    clean = (Decimal(submitted.filter(flag_count=0).count()) * 100 / submitted.count()).quantize(Decimal("0.01"))
    assert compute("selfeval_credibility", dept, YEAR) == clean


def test_command_line_import_checks_without_writing_and_writes_the_report(users, tmp_path, capsys):
    from docx import Document

    from wenxiao.cli import main

    form = SelfEvaluation.objects.prefetch_related("lines").get(pk=_draft(users).pk)
    for ln in form.lines.all():
        ln.actual = _met(ln)
    path = tmp_path / "filled.xlsx"
    path.write_bytes(selfeval_xlsx.workbook([form]))
    assert main(["import", "selfeval", str(path), "--user", "dw", "--dry-run"]) == 0
    assert "校验通过（未写入）" in capsys.readouterr().out
    assert not SelfEvaluation.objects.get(pk=form.pk).lines.exclude(actual="").exists()
    assert main(["import", "selfeval", str(path), "--user", "dw2"]) == 1  # not dw2's form: refused, with the reason
    assert "找不到项目" in capsys.readouterr().err
    ev = Evaluation.objects.filter(kind="project").get()
    out = tmp_path / "report.docx"
    assert main(["evaluation", "report", str(ev.pk), "-o", str(out), "--user", "jxk"]) == 0
    assert "六、有关建议" in "\n".join(p.text for p in Document(str(out)).paragraphs)
    assert main(["evaluation", "report", str(ev.pk), "-o", str(out), "--user", "xian_jxk"]) == 1


def test_an_invited_supervisor_reads_the_evaluation_and_cannot_act(users, client_as):
    from wenxiao.orgs.models import User
    from wenxiao.partners.services import do_invite_supervisor, do_register_supervisor

    User.objects.create_user("zx_wy", password="x-Pass-123456", display_name="政协委员")  # no role, no scope
    supervisor = do_register_supervisor(actor=users["jxk"], name="钱委员", kind="cppcc", username="zx_wy")
    ev = Evaluation.objects.filter(kind="whole").get()
    assert client_as("zx_wy").get(f"/evaluation/evaluations/{ev.pk}/").status_code == 404
    do_invite_supervisor(supervisor=supervisor, subject=ev, actor=users["jxk"], note="观察部门整体评价")
    assert client_as("zx_wy").get(f"/evaluation/evaluations/{ev.pk}/").status_code == 200  # R43
    client_as("zx_wy").post(f"/evaluation/evaluations/{ev.pk}/action/", {"action": "start", "version": ev.version})
    assert Evaluation.objects.get(pk=ev.pk).state == "plan"
    other = Evaluation.objects.filter(kind="project").get()
    assert client_as("zx_wy").get(f"/evaluation/evaluations/{other.pk}/").status_code == 404


def test_hostile_ids_in_forms_get_a_message_not_a_server_error(users, client_as):
    ev = Evaluation.objects.filter(kind="whole").get()
    r = client_as("jxk").post(f"/evaluation/evaluations/{ev.pk}/team/", {"what": "agency", "agency": "1 OR 1=1"})
    assert r.status_code == 302 and Evaluation.objects.get(pk=ev.pk).agency_id is None
    r = client_as("jxk").post("/targets/new/", {"year": "二〇二七", "unit": "x"})
    assert r.status_code in (302, 200)
