"""绩效运行监控 through the database: payments ingest, rounds and forms, the warning run, actions, reports, CLI."""

import io
from datetime import date
from decimal import Decimal

import pytest
from django.db.models import Sum

from wenxiao.core.errors import Conflict, NotFound, PermissionDenied, ValidationError
from wenxiao.core.models import AuditEvent, WorkItem
from wenxiao.monitoring import services
from wenxiao.monitoring.models import (
    MonitoringForm,
    MonitoringRound,
    NegativeListEntry,
    ProjectStatus,
    Warning,
    WarningAction,
)
from wenxiao.orgs.models import Region
from wenxiao.projects import ingest
from wenxiao.projects.models import BudgetAdjustment, MonthlyExecution, Payment, PaymentImport, ProjectBudget

pytestmark = pytest.mark.django_db
YEAR = 2026
HEADER = "支付凭证号,支付日期,项目代码,单位代码,支付金额,经济分类代码,资金来源\n"


@pytest.fixture
def dw_unit(users):
    return users["dw"].assignments.get().org


@pytest.fixture
def dw_budget(dw_unit):
    """The demo unit's special-education project: red, far behind time progress."""
    return ProjectBudget.objects.select_related("project").get(
        project__unit=dw_unit, year=YEAR, project__name__contains="特殊教育"
    )


def _csv(rows: list[str]) -> bytes:
    return (HEADER + "\n".join(rows) + "\n").encode()


def _row(pid: str, project, day="2026-11-10", amount="1000.00", unit=None) -> str:
    return f"{pid},{day},{project.code},{unit or project.unit.code},{amount},30201,一般公共预算"


def _city(users) -> Region:
    return users["jxk"].assignments.get().org.region


# --- payments ingest -----------------------------------------------------------------------------------------


def test_a_corrupted_file_is_rejected_with_row_numbers_and_nothing_written(users, dw_budget):
    p = dw_budget.project
    before = (Payment.objects.count(), MonthlyExecution.objects.aggregate(s=Sum("amount"))["s"])
    data = _csv(
        [
            _row("T-1", p),
            _row("T-2", p, amount="-50"),
            _row("T-3", p, day="2026-13-01"),
            "T-4,2026-11-10,999999999999999999999,,10,30201,x",
            _row("T-1", p),
        ]
    )
    result = ingest.import_payments(data, "bad.csv", actor=users["jxk"])
    assert not result.ok and result.batch is None
    rows = {(e.row, e.column) for e in result.errors}
    assert {3, 4, 5, 6} <= {r for r, _ in rows}  # header is row 1: the second data row is row 3
    assert any("负数" in e.message for e in result.errors if e.row == 3)
    assert (Payment.objects.count(), MonthlyExecution.objects.aggregate(s=Sum("amount"))["s"]) == before
    assert not PaymentImport.objects.filter(filename="bad.csv").exists()
    assert "未写入任何数据" in result.summary()


def test_importing_the_same_file_twice_leaves_the_same_totals(users, dw_budget):
    p = dw_budget.project
    month = MonthlyExecution.objects.filter(project=p, year=YEAR, month=11)
    before = month.aggregate(s=Sum("amount"))["s"] or Decimal("0")
    data = _csv([_row("T-10", p, amount='"1,200.50"'), _row("T-11", p, day="2026-11-12", amount="799.50")])
    first = ingest.import_payments(data, "nov.csv", actor=users["jxk"])
    assert first.ok and first.added == 2 and first.amount == Decimal("2000.00")
    assert month.aggregate(s=Sum("amount"))["s"] == before + Decimal("2000.00")
    again = ingest.import_payments(data, "nov-copy.csv", actor=users["jxk"])
    assert again.duplicate_of == first.batch and "已于" in again.summary()
    overlapping = _csv([_row("T-11", p, day="2026-11-12", amount="799.50"), _row("T-12", p, amount="100")])
    third = ingest.import_payments(overlapping, "nov-2.csv", actor=users["jxk"])
    assert (third.added, third.skipped) == (1, 1)
    assert month.aggregate(s=Sum("amount"))["s"] == before + Decimal("2100.00")
    assert Payment.objects.filter(payment_id__in=["T-10", "T-11", "T-12"]).count() == 3
    assert AuditEvent.objects.filter(action="payments.import", after__added=2).exists()


def test_a_payment_id_reused_with_other_content_is_an_error(users, dw_budget):
    p = dw_budget.project
    ingest.import_payments(_csv([_row("T-20", p, amount="10")]), "a.csv", actor=users["jxk"])
    result = ingest.import_payments(_csv([_row("T-20", p, amount="11")]), "b.csv", actor=users["jxk"])
    assert not result.ok and "内容不一致" in result.errors[0].message


def test_dry_run_validates_without_writing(users, dw_budget):
    n = Payment.objects.count()
    result = ingest.import_payments(_csv([_row("T-30", dw_budget.project)]), "d.csv", actor=users["jxk"], dry_run=True)
    assert result.ok and result.added == 1 and Payment.objects.count() == n and result.batch is None


@pytest.mark.parametrize("who", ["dw", "zgbm", "rd"])
def test_only_finance_imports_payments(users, dw_budget, who):
    with pytest.raises(PermissionDenied):
        ingest.import_payments(_csv([_row("T-40", dw_budget.project)]), "x.csv", actor=users[who])


def test_a_county_cannot_write_payments_to_city_projects(users, dw_budget):
    result = ingest.import_payments(_csv([_row("T-41", dw_budget.project)]), "x.csv", actor=users["xian_jxk"])
    assert not result.ok and "不存在或无权导入" in result.errors[0].message


def test_payment_import_page_shows_the_error_table_and_a_report(client_as, dw_budget):
    from wenxiao.core.models import Job

    c = client_as("jxk")
    bad = io.BytesIO(_csv([_row("T-50", dw_budget.project, amount="abc")]))
    bad.name = "bad.csv"
    html = c.post("/monitoring/payments/", {"file": bad}).content.decode()
    assert 'id="error-table"' in html and "第2行" in html
    job = Job.objects.filter(kind="payments.errors").latest("created_at")
    assert c.get(f"/jobs/{job.pk}/download/").status_code == 200


# --- rounds and forms ------------------------------------------------------------------------------------------


def test_a_round_prefills_money_from_payments_and_lands_on_unit_todos(users, dw_unit):
    rnd = services.do_open_round(
        actor=users["jxk"], year=YEAR, name="9月监控", period_end=date(YEAR, 9, 30), deadline=date(YEAR, 10, 15)
    )
    form = rnd.forms.get(unit=dw_unit, project__name__contains="特殊教育")
    paid = Payment.objects.filter(project=form.project, date__lte=date(YEAR, 9, 30)).aggregate(s=Sum("amount"))["s"]
    assert form.executed == paid
    assert form.lines.count() == form.target.indicators.count()
    assert WorkItem.objects.filter(object_id=form.pk, role="unit", org=dw_unit, closed_at__isnull=True).exists()


@pytest.mark.parametrize(
    "period_end,deadline,message",
    [(date(YEAR, 9, 15), date(YEAR, 10, 1), "最后一天"), (date(YEAR, 9, 30), date(YEAR, 9, 1), "不能早于")],
)
def test_round_dates_are_checked(users, period_end, deadline, message):
    with pytest.raises(ValidationError) as e:
        services.do_open_round(actor=users["jxk"], year=YEAR, name="x", period_end=period_end, deadline=deadline)
    assert message in str(e.value.errors)


def test_a_department_round_covers_only_its_units(users):
    rnd = services.do_open_round(
        actor=users["zgbm"], year=YEAR, name="部门监控", period_end=date(YEAR, 9, 30), deadline=date(YEAR, 10, 9)
    )
    dept = users["zgbm"].assignments.get().org
    assert rnd.department == dept and rnd.forms.exists()
    assert not rnd.forms.exclude(department=dept).exists()
    with pytest.raises(PermissionDenied):
        services.do_open_round(
            actor=users["dw"], year=YEAR, name="x", period_end=date(YEAR, 9, 30), deadline=date(YEAR, 10, 9)
        )


def _dw_draft(dw_unit) -> MonitoringForm:
    return MonitoringForm.objects.filter(unit=dw_unit, state="draft").order_by("id").first()


def _fill(form, likelihood="1", **extra):
    lines = [
        {"id": ln.pk, "to_date": ln.value, "forecast": ln.value, "likelihood": likelihood, **extra}
        for ln in form.lines.all()
    ]
    return {"forecast_amount": str(form.budget_annual), "progress_text": "按计划推进", "lines": lines}


def test_a_unit_fills_and_submits_and_the_department_and_finance_review(users, dw_unit):
    form = _dw_draft(dw_unit)
    with pytest.raises(ValidationError) as e:
        services.do_transition(form.pk, "submit", actor=users["dw"])
    assert e.value.errors["problems"]
    form = services.do_save_form(form.pk, _fill(form), actor=users["dw"], expected_version=form.version)
    services.do_transition(form.pk, "submit", actor=users["dw"])
    services.do_transition(form.pk, "dept_approve", actor=users["zgbm"])
    done = services.do_transition(form.pk, "finance_approve", actor=users["ywk"])
    assert done.state == "done"
    assert AuditEvent.objects.filter(action="monitoring.form_save", object_id=str(form.pk)).exists()


def test_a_unit_that_will_miss_a_target_must_say_why(users, dw_unit):
    form = _dw_draft(dw_unit)
    form = services.do_save_form(form.pk, _fill(form, likelihood="2"), actor=users["dw"], expected_version=form.version)
    with pytest.raises(ValidationError) as e:
        services.do_transition(form.pk, "submit", actor=users["dw"])
    assert any("偏差原因" in p for p in e.value.errors["problems"])
    filled = _fill(form, likelihood="2", deviation_kinds=["经费保障"], deviation_text="配套资金未到位")
    form = services.do_save_form(form.pk, filled, actor=users["dw"], expected_version=form.version)
    assert services.do_transition(form.pk, "submit", actor=users["dw"]).state == "dept_review"


def test_a_stale_form_save_is_refused(users, dw_unit):
    form = _dw_draft(dw_unit)
    services.do_save_form(form.pk, {"progress_text": "第一次"}, actor=users["dw"], expected_version=form.version)
    with pytest.raises(Conflict):
        services.do_save_form(form.pk, {"progress_text": "覆盖"}, actor=users["dw"], expected_version=form.version)
    assert MonitoringForm.objects.get(pk=form.pk).progress_text == "第一次"


def test_unreadable_values_are_reported_per_line(users, dw_unit):
    form = _dw_draft(dw_unit)
    line = form.lines.exclude(value__startswith="定性").first()
    with pytest.raises(ValidationError) as e:
        services.do_save_form(
            form.pk, {"lines": [{"id": line.pk, "to_date": "≤95%以上"}]}, actor=users["dw"], expected_version=None
        )
    assert f"line-{line.pk}" in e.value.errors


def test_form_page_saves_and_submits(client_as, dw_unit):
    form = _dw_draft(dw_unit)
    post = {"version": form.version, "forecast_amount": str(form.budget_annual), "progress_text": "推进中"}
    for ln in form.lines.all():
        post |= {f"to_date-{ln.pk}": ln.value, f"forecast-{ln.pk}": ln.value, f"likelihood-{ln.pk}": "1"}
    client_as("dw").post(f"/monitoring/forms/{form.pk}/save/", {**post, "then": "submit"})
    assert MonitoringForm.objects.get(pk=form.pk).state == "dept_review"


# --- warning run and actions -----------------------------------------------------------------------------------


def test_the_demo_has_warnings_with_reasons(users, dw_budget):
    w = Warning.objects.get(project=dw_budget.project, year=YEAR, code="M01")
    assert w.level == "red" and "序时进度" in w.detail and w.numbers["behind"] > 20
    assert ProjectStatus.objects.get(project=dw_budget.project, year=YEAR).light == "red"


def test_a_rerun_keeps_first_seen_and_clears_what_no_longer_fires(users, dw_budget):
    city = _city(users)
    w = Warning.objects.get(project=dw_budget.project, year=YEAR, code="M01")
    services.do_action(dw_budget.project_id, actor=users["jxk"], year=YEAR, kind="urge", note="请加快", warning_id=w.pk)
    first_seen = w.first_seen
    services.run_warnings(city, YEAR, date(YEAR, 11, 21), actor=users["jxk"])
    w.refresh_from_db()
    assert (w.first_seen, w.last_seen, w.status) == (first_seen, date(YEAR, 11, 21), "handled")
    missing = (
        dw_budget.amount_adjusted * Decimal("0.9")
        - Payment.objects.filter(project=dw_budget.project).aggregate(s=Sum("amount"))["s"]
    )
    ingest.import_payments(
        _csv([_row("T-60", dw_budget.project, amount=f"{missing:.2f}")]), "catch-up.csv", actor=users["jxk"]
    )
    summary = services.run_warnings(city, YEAR, date(YEAR, 11, 21), actor=users["jxk"])
    w.refresh_from_db()
    assert w.status == "cleared" and summary.cleared >= 1
    assert ProjectStatus.objects.get(project=dw_budget.project, year=YEAR).rate >= 89.99


def test_suspension_sets_the_appropriation_status_and_flags_later_payments(users, dw_budget):
    p = dw_budget.project
    services.do_action(p.pk, actor=users["jxk"], year=YEAR, kind="suspend", note="执行严重滞后，暂缓拨款")
    dw_budget.refresh_from_db()
    assert dw_budget.appropriation == "suspended" and dw_budget.appropriation_since
    day = dw_budget.appropriation_since.isoformat()
    result = ingest.import_payments(_csv([_row("T-70", p, day=day)]), "late.csv", actor=users["jxk"])
    assert result.after_stop == 1 and "暂缓/停止拨款之后" in result.summary()
    services.run_warnings(_city(users), YEAR, dw_budget.appropriation_since, actor=users["jxk"])
    assert Warning.objects.filter(project=p, year=YEAR, code="M09", level="red").exists()


def test_the_project_page_shows_the_appropriation_status(client_as, users, dw_budget):
    services.do_action(dw_budget.project_id, actor=users["jxk"], year=YEAR, kind="stop", note="停止拨款")
    html = client_as("jxk").get(f"/monitoring/projects/{dw_budget.project_id}/").content.decode()
    assert "停止拨款" in html.split('id="appropriation"', 1)[1][:200]


def test_a_budget_cut_records_an_adjustment(users, dw_budget):
    before = dw_budget.amount_adjusted
    services.do_action(
        dw_budget.project_id, actor=users["jxk"], year=YEAR, kind="cut", note="预计无法支出", amount="10000"
    )
    dw_budget.refresh_from_db()
    assert dw_budget.amount_adjusted == before - 10000
    assert BudgetAdjustment.objects.filter(budget=dw_budget, amount=-10000).exists()


def test_negative_list_entry_and_removal(users, dw_budget):
    services.do_action(dw_budget.project_id, actor=users["jxk"], year=YEAR, kind="negative", note="严重滞后")
    entry = NegativeListEntry.objects.get(project=dw_budget.project, removed_at__isnull=True)
    with pytest.raises(ValidationError):
        services.do_remove_negative(entry.pk, actor=users["jxk"], reason="")
    services.do_remove_negative(entry.pk, actor=users["jxk"], reason="已整改")
    entry.refresh_from_db()
    assert entry.removed_at and entry.removed_reason == "已整改"


def test_urging_opens_a_unit_todo_that_its_feedback_closes(users, dw_budget, dw_unit):
    act = services.do_action(dw_budget.project_id, actor=users["jxk"], year=YEAR, kind="urge", note="说明原因")
    todo = WorkItem.objects.get(object_id=act.pk, workflow="monitoring_action")
    assert todo.org == dw_unit and todo.closed_at is None
    services.do_action(dw_budget.project_id, actor=users["dw"], year=YEAR, kind="feedback", note="已签订合同")
    todo.refresh_from_db()
    assert todo.closed_at is not None


@pytest.mark.parametrize("who,error", [("dw", PermissionDenied), ("rd", PermissionDenied), ("dw2", NotFound)])
def test_only_finance_takes_actions(users, dw_budget, who, error):
    with pytest.raises(error):
        services.do_action(dw_budget.project_id, actor=users[who], year=YEAR, kind="suspend", note="x")
    dw_budget.refresh_from_db()
    assert dw_budget.appropriation == "normal"
    assert not WarningAction.objects.filter(project=dw_budget.project, kind="suspend").exists()


def test_a_county_run_leaves_the_city_alone(users):
    city_rows = ProjectStatus.objects.filter(region=_city(users)).count()
    county = users["xian_jxk"].assignments.get().org.region
    services.run_warnings(county, YEAR, date(YEAR, 11, 20), actor=users["xian_jxk"])
    assert ProjectStatus.objects.filter(region=_city(users)).count() == city_rows


# --- reports, pages and CLI ------------------------------------------------------------------------------------


def test_round_reports_carry_the_coverage_figures(client_as, users):
    import python_calamine
    from docx import Document

    rnd = MonitoringRound.objects.get(name__contains="1—7月")
    r = client_as("jxk").get(f"/monitoring/rounds/{rnd.pk}/report.xlsx")
    sheet = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(r.content)).get_sheet_by_name("概况").to_python()
    projects_row = next(row for row in sheet if row and row[0] == "项目（个）")
    assert projects_row[1] == rnd.forms.count()
    assert projects_row[2] == rnd.forms.exclude(state__in=("draft", "returned")).count()
    doc = Document(io.BytesIO(client_as("jxk").get(f"/monitoring/rounds/{rnd.pk}/report.docx").content))
    text = "\n".join(p.text for p in doc.paragraphs)
    assert f"{rnd.forms.values('unit').distinct().count()}个预算单位、{rnd.forms.count()}个项目" in text


def test_overview_compares_execution_with_time_progress(client_as, users):
    html = client_as("jxk").get("/monitoring/").content.decode()
    assert "执行率与序时进度" in html and 'id="departments-data"' in html
    n = ProjectStatus.objects.visible_to(users["jxk"]).filter(year=YEAR).count()
    assert f'<div class="stat">{n}</div>' in html


def test_cli_imports_payments_and_runs_warnings(users, dw_budget, tmp_path, capsys):
    from wenxiao.cli import main

    bad = tmp_path / "bad.csv"
    bad.write_bytes(_csv([_row("T-80", dw_budget.project, amount="-1")]))
    assert main(["import", "payments", str(bad), "--user", "jxk", "--errors", str(tmp_path / "e.xlsx")]) == 1
    assert "第2行" in capsys.readouterr().err and (tmp_path / "e.xlsx").exists()
    good = tmp_path / "good.csv"
    good.write_bytes(_csv([_row("T-81", dw_budget.project)]))
    assert main(["import", "payments", str(good), "--user", "jxk"]) == 0
    assert Payment.objects.filter(payment_id="T-81").exists()
    assert main(["monitor", "run", "--year", str(YEAR), "--as-of", f"{YEAR}-11-22", "--user", "jxk"]) == 0
    assert "红灯" in capsys.readouterr().out


# --- each rule through the database (SQLite and PostgreSQL) --------------------------------------------------

AS_OF = date(YEAR, 11, 20)  # 序时进度 88.89%


def _spend(budget, shares: dict[int, float], year=YEAR):
    """Replace a project's monthly execution with these shares of its budget."""
    MonthlyExecution.objects.filter(project=budget.project, year=year).delete()
    for month, share in shares.items():
        MonthlyExecution.objects.create(
            region_id=budget.region_id,
            project=budget.project,
            year=year,
            month=month,
            amount=(budget.amount_adjusted * Decimal(str(share))).quantize(Decimal("0.01")),
            payments=1,
        )


def _report(budget, **values):
    """Set what the project's reviewed July form reported on its first quantitative and qualitative lines."""
    form = MonitoringForm.objects.get(project=budget.project, round__name__contains="1—7月")
    form.lines.update(likelihood=1, forecast_number=None, to_date_number=None, forecast="达成年度指标")
    quant = form.lines.exclude(indicator__number=None).filter(indicator__comparator="≥").first()
    qual = form.lines.filter(indicator__value_kind="qualitative").first()
    target = quant.indicator.number
    if "to_date" in values:
        form.lines.filter(indicator__comparator="≥").exclude(indicator__number=None).update(to_date_number=None)
        quant.to_date_number = target * Decimal(str(values["to_date"]))
    if "forecast" in values:
        quant.forecast_number, quant.likelihood = target * Decimal(str(values["forecast"])), values["likelihood"]
    quant.save()
    if "answer" in values and qual is not None:
        qual.forecast = values["answer"]
        qual.save()
    return quant, qual


ON_TRACK = {m: 0.08 for m in range(1, 12)}  # 88% by November


def case_m01(b):
    _spend(b, {m: 0.05 for m in range(1, 12)})  # 55% → 33.9 points behind


def case_m02(b):
    _spend(b, {**{m: 0.05 for m in range(1, 11)}, 11: 0.4})  # 50% at the end of October, 90% now


def case_m03(b):
    _spend(b, {m: 0.04 for m in range(1, 12)})


def case_m04(b):
    _spend(b, ON_TRACK)
    _report(b, forecast=0.7, likelihood=2)


def case_m05(b):
    _spend(b, ON_TRACK)
    _report(b, answer="未达成年度指标且效果较差")


def case_m06(b):
    _spend(b, ON_TRACK)  # 56% spent by July …
    _report(b, to_date=0.2)  # … but a fifth of the output


def case_m07(b):
    _spend(b, {m: 0.02 if m <= 7 else 0.18 for m in range(1, 12)})  # 14% spent by July …
    _report(b, to_date=0.9)  # … with 90% of the output delivered


def case_m08(b):
    _spend(b, {m: 0.04 for m in range(1, 12)})
    last = ProjectBudget.objects.filter(project=b.project, year=YEAR - 1).first()
    if last is None:
        last = ProjectBudget.objects.create(
            region_id=b.region_id, project=b.project, year=YEAR - 1, amount_initial=b.amount_initial,
            amount_adjusted=b.amount_adjusted,
        )  # fmt: skip
    _spend(last, {12: 0.5}, year=YEAR - 1)


def case_m09(b):
    _spend(b, ON_TRACK)
    ProjectBudget.objects.filter(pk=b.pk).update(appropriation="stopped", appropriation_since=date(YEAR, 10, 1))
    Payment.objects.create(
        region_id=b.region_id, payment_id="T-M09", date=date(YEAR, 10, 20), year=YEAR, project=b.project,
        unit=b.project.unit, amount=Decimal("1000"), batch=PaymentImport.objects.first(),
    )  # fmt: skip


@pytest.mark.parametrize(
    "prepare,code,level",
    [
        (case_m01, "M01", "red"),
        (case_m02, "M02", "red"),
        (case_m03, "M03", "red"),
        (case_m04, "M04", "yellow"),
        (case_m05, "M05", "red"),
        (case_m06, "M06", "yellow"),
        (case_m07, "M07", "yellow"),
        (case_m08, "M08", "yellow"),
        (case_m09, "M09", "red"),
    ],
    ids=lambda x: x if isinstance(x, str) else "",
)
def test_each_rule_fires_through_the_database(users, prepare, code, level):
    """Rule by rule: shape one project's payments and reports, run the warnings, find that warning on it."""
    budget = (
        ProjectBudget.objects.select_related("project__unit")
        .filter(year=YEAR, project__monitoring_forms__round__name__contains="1—7月", project__state="in_library")
        .order_by("project__code")
        .first()
    )
    prepare(budget)
    services.run_warnings(_city(users), YEAR, AS_OF, actor=users["jxk"])
    found = {(w.code, w.level) for w in Warning.objects.filter(project=budget.project, year=YEAR)}
    assert (code, level) in found, found


def test_an_on_track_project_is_green(users):
    budget = (
        ProjectBudget.objects.filter(year=YEAR, project__monitoring_forms__round__name__contains="1—7月")
        .order_by("project__code")
        .first()
    )
    _spend(budget, ON_TRACK)
    _report(budget, to_date=0.6)
    services.run_warnings(_city(users), YEAR, AS_OF, actor=users["jxk"])
    assert ProjectStatus.objects.get(project=budget.project, year=YEAR).light == "green"


def test_a_large_jurisdiction_runs_its_warnings_in_the_background(client_as, users, monkeypatch):
    from wenxiao.core.jobs import execute
    from wenxiao.core.models import Job
    from wenxiao.monitoring import jobs

    monkeypatch.setattr(jobs, "INLINE_LIMIT", 10)
    client_as("jxk").post("/monitoring/run/", {"year": YEAR, "as_of": "2026-11-22"})
    job = Job.objects.get(kind="monitoring.run", user=users["jxk"])
    assert not ProjectStatus.objects.filter(as_of=date(YEAR, 11, 22)).exists()
    execute(job.pk)
    job.refresh_from_db()
    assert job.status == "done" and "红灯" in job.message
    assert ProjectStatus.objects.filter(as_of=date(YEAR, 11, 22), region=_city(users)).exists()


def test_bad_action_input_is_refused_in_chinese_and_changes_nothing(client_as, dw_budget):
    before = dw_budget.amount_adjusted
    r = client_as("jxk").post(
        f"/monitoring/projects/{dw_budget.project_id}/action/",
        {"year": "二〇二六", "kind": "cut", "note": "调减", "amount": "一万"},
        follow=True,
    )
    assert r.status_code == 200 and "请填写有效的调减金额" in r.content.decode()
    dw_budget.refresh_from_db()
    assert dw_budget.amount_adjusted == before
    assert not WarningAction.objects.filter(project=dw_budget.project, kind="cut").exists()
