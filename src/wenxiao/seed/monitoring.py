"""Seed 绩效运行监控: a year of payments (and last year's), the 1–7月 round completed, the October round under
way, a warning run as of the data date, and finance's first actions on the worst projects.

Payments go through the ingest's own writers (`projects.ingest`), so the monthly totals are built the same way
a real import builds them. Spending follows a back-loaded public-spending curve; a share of projects is slow,
stalled or early, so every warning rule has something to find.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal

import polars as pl
from django.utils import timezone

from wenxiao.core import workflow
from wenxiao.core.bulk import update_rows
from wenxiao.core.models import Transition, WorkItem
from wenxiao.core.values import ValueParseError, parse
from wenxiao.monitoring import services
from wenxiao.monitoring.models import QUAL_ANSWERS, MonitoringLine, MonitoringRound, WarningAction
from wenxiao.orgs.models import Region, User
from wenxiao.orgs.selectors import home_region
from wenxiao.projects import ingest
from wenxiao.projects.models import PaymentImport, Project, ProjectBudget

# Typical cumulative share of a year's spending at each month end (the back-loaded pattern of public spending).
CURVE = [0.04, 0.10, 0.18, 0.27, 0.36, 0.45, 0.54, 0.62, 0.71, 0.80, 0.88, 1.0]
# (share of projects, final execution rate range): on track, slow, stalled, early.
PROFILES = [("normal", 0.78, (0.93, 1.0)), ("slow", 0.12, (0.6, 0.85)), ("stalled", 0.05, (0.05, 0.3)),
            ("early", 0.05, (0.98, 1.0))]  # fmt: skip
ECONOMIC = ["30201", "30205", "30211", "30213", "30216", "30226", "30227", "30905", "31002", "31003", "31005"]


def data_date(year: int) -> date:
    """The demo's payments run to this day (an export from the 一体化 system taken in late November)."""
    return date(year, 11, 20)


def _profile(rng: random.Random) -> tuple[str, float]:
    r, acc = rng.random(), 0.0
    for name, share, (lo, hi) in PROFILES:
        acc += share
        if r <= acc:
            return name, rng.uniform(lo, hi)
    return "normal", 0.95


def _payments(rng, budget: ProjectBudget, year: int, until: date, rate: float, early: bool, ids) -> list[tuple]:
    """Payments of one project-year: monthly amounts along the curve (early projects pay most by June)."""
    total = int(budget.amount_adjusted * 100 * Decimal(str(rate)))  # fen
    rows, done = [], 0
    for m in range(1, 13):
        share = min(1.0, CURVE[m - 1] * 1.9) if early else CURVE[m - 1]
        target = int(total * share)
        amount, done = target - done, target
        last_day = (date(year, m % 12 + 1, 1) if m < 12 else date(year + 1, 1, 1)) - timedelta(days=1)
        if amount <= 0 or date(year, m, 1) > until:
            continue
        parts = rng.randint(1, 4)
        for k in range(parts):
            day = date(year, m, min(last_day.day, rng.randint(3, 28)))
            if day > until:
                day = until
            piece = amount // parts + (amount % parts if k == 0 else 0)
            if piece > 0:
                rows.append((next(ids), day, budget.project_id, piece, rng.choice(ECONOMIC)))
    return rows


def seed_payments(year: int, rng: random.Random, region: Region) -> dict:
    """Last year's payments in full and this year's to the data date, one import batch per year and region."""
    until = data_date(year)
    budgets = list(
        ProjectBudget.objects.filter(year__in=(year - 1, year), project__state="in_library")
        .select_related("project__unit")
        .order_by("project__code", "year")
    )
    profiles = {b.project_id: _profile(rng) for b in budgets}
    counter = iter(range(1, 10**9))
    ids = (f"ZF{n:012d}" for n in counter)
    rows = []
    for b in budgets:
        name, rate = profiles[b.project_id]
        if b.year == year - 1:
            rate = rng.uniform(0.4, 0.68) if name == "stalled" else rng.uniform(0.86, 1.0)
            rows += _payments(rng, b, b.year, date(b.year, 12, 31), rate, False, ids)
        else:
            rows += _payments(rng, b, year, until, rate, name == "early", ids)
    frame = pl.DataFrame(
        rows,
        schema={
            "payment_id": pl.Utf8,
            "date": pl.Date,
            "project_id": pl.Int64,
            "amount": pl.Int64,
            "economic_code": pl.Utf8,
        },
        orient="row",
    )
    meta = pl.DataFrame(
        [(b.project_id, b.project.unit_id, b.project.region_id) for b in budgets],
        schema={"project_id": pl.Int64, "unit_id": pl.Int64, "region_id": pl.Int64},
        orient="row",
    ).unique("project_id")
    frame = frame.join(meta, on="project_id").with_columns(pl.lit("一般公共预算").alias("fund_source"))
    batch = PaymentImport.objects.create(
        region=region,
        fingerprint=f"seed-{year}",
        filename=f"一体化支付数据_{year - 1}-{year}（演示）.csv",
        rows=frame.height,
        added=frame.height,
        amount=Decimal(int(frame["amount"].sum() or 0)) / 100,
    )
    ingest._write_payments(frame, batch.pk)
    ingest._add_monthly(frame)
    return {"payments": frame.height}


def _line_values(ln: MonitoringLine, rng: random.Random, year: int, progress: float, risk: bool) -> None:
    """What a unit reports for one indicator: value to date, year-end forecast, likelihood and reasons."""
    try:
        v = parse(ln.value, ln.unit, year=year)
    except ValueParseError:
        v = None
    if v is not None and v.is_quantitative and v.number is not None:
        n = v.number
        reverse = v.comparator.direction == "reverse"
        to_date = n if reverse else (n * Decimal(str(progress))).quantize(Decimal("0.01"))
        forecast = n * Decimal("1.25") if (risk and reverse) else (n * Decimal("0.8") if risk else n)
        fmt = lambda x: f"{x.normalize():f}" + ("%" if v.unit == "%" else "")  # noqa: E731
        ln.to_date, ln.forecast = fmt(to_date), fmt(forecast.quantize(Decimal("0.01")))
        ln.to_date_number, ln.forecast_number = to_date, forecast
    elif v is not None and v.kind.value == "date":
        ln.to_date, ln.forecast = "按计划推进", "预计按期完成" if not risk else "预计延期1个月"
    else:
        ln.to_date = "正在推进"
        ln.forecast = QUAL_ANSWERS[1] if risk else QUAL_ANSWERS[0]
    ln.likelihood = rng.choice([2, 3]) if risk else 1
    if risk:
        ln.deviation_kinds = rng.sample(["经费保障", "制度保障", "人员保障", "硬件条件保障", "其他"], rng.randint(1, 2))
        ln.deviation_text = rng.choice(
            [
                "项目招标延期，合同签订晚于计划，部分工作顺延",
                "配套资金未及时到位，影响实施进度",
                "政策调整后实施方案重新报批",
                "受施工条件限制，工程进度滞后",
            ]
        )
        ln.measures = "加快采购和合同签订进度，按月调度"


def seed_rounds(year: int, rng: random.Random, jxk: User, system: User) -> dict:
    """The 1–7月 concentrated round, reviewed; and the October checkpoint round with forms still being filled."""
    july = services.do_open_round(
        actor=jxk,
        year=year,
        name=f"{year}年1—7月预算绩效运行监控",
        period_end=date(year, 7, 31),
        deadline=date(year, 8, 20),
        note="各单位对照绩效目标逐项填报1—7月执行情况及全年预计完成情况，8月20日前报送。",
    )
    forms = list(july.forms.select_related("project"))
    lines = list(MonitoringLine.objects.filter(form__round=july).order_by("form_id", "order"))
    by_form: dict[int, list[MonitoringLine]] = {}
    for ln in lines:
        by_form.setdefault(ln.form_id, []).append(ln)
    transitions, states = [], {}
    for f in forms:
        rate = f.rate or 0
        risk_share = 0.3 if rate < 30 else 0.02
        divergent = rng.random() < 0.03
        for ln in by_form.get(f.pk, []):
            progress = min(1.0, rate / 100 * rng.uniform(0.9, 1.15))  # outputs mostly keep pace with spending
            if rate > 55:  # paid early, little delivered yet: money spent without output (M06)
                progress = rate / 100 * 0.5
            elif divergent:  # delivered ahead of payments (M07)
                progress = min(1.0, rate / 100 + 0.3)
            _line_values(ln, rng, year, progress, rng.random() < risk_share)
        f.forecast_amount = services.suggested_forecast(f.executed, f.budget_annual, 7)
        f.progress_text = f"截至7月底，{f.project.name}按计划推进，已支付{f.executed / 10000:.2f}万元。"
        if rate < 30:
            f.problems = "前期手续办理时间较长，资金支付进度滞后于序时进度。"
            f.measures = "加快项目实施和资金支付，确保年底前完成全年目标。"
        r = rng.random()
        path = (
            ["submit", "dept_approve", "finance_approve"]
            if r < 0.86
            else ["submit", "dept_approve"]
            if r < 0.93
            else ["submit"]
            if r < 0.97
            else []
        )
        states[f.pk] = path
        if path:
            transitions += workflow.replayed(f, path, actor=system)
    update_rows(
        lines,
        [
            "to_date",
            "forecast",
            "likelihood",
            "deviation_kinds",
            "deviation_text",
            "measures",
            "to_date_number",
            "forecast_number",
        ],
    )
    now = timezone.now()
    for f in forms:
        path = states[f.pk]
        if path:
            f.state = {"finance_approve": "done", "dept_approve": "finance_review", "submit": "dept_review"}[path[-1]]
            f.version += len(path)
            f.submitted_at = now
    update_rows(forms, ["forecast_amount", "progress_text", "problems", "measures", "state", "version", "submitted_at"])
    Transition.objects.bulk_create(transitions, batch_size=2000)
    ct_forms = [f.pk for f in forms]
    WorkItem.objects.filter(object_id__in=ct_forms, workflow="monitoring").delete()
    WorkItem.objects.bulk_create([item for f in forms if (item := workflow.pending_item(f))], batch_size=1000)
    MonitoringRound.objects.filter(pk=july.pk).update(closed_at=now)
    # R22: a 主管部门 runs its own checkpoint round over its units.
    zgbm = User.objects.filter(username="zgbm").first() or jxk
    october = services.do_open_round(
        actor=zgbm,
        year=year,
        name=f"{year}年10月节点绩效监控（部门组织）",
        kind=MonitoringRound.Kind.CHECKPOINT,
        period_end=date(year, 10, 31),
        deadline=date(year, 11, 30),
        note="对照10月底60%执行进度要求，逐项说明执行偏差原因及全年预计完成情况。",
    )
    return {"monitoring_forms": len(forms) + october.forms.count(), "monitoring_lines": len(lines)}


def seed_actions(year: int, jxk: User) -> dict:
    """Run the warnings as of the data date, then finance acts on the worst projects (R20)."""
    top = home_region(jxk, ("performance",))
    summary = services.run_warnings(top, year, data_date(year), actor=jxk)
    from wenxiao.monitoring.models import ProjectStatus, Warning

    worst = list(
        ProjectStatus.objects.filter(year=year, light="red", rate__isnull=False).order_by("rate", "project__code")[:4]
    )
    acts = 0
    for i, st in enumerate(worst):
        w = Warning.objects.filter(project_id=st.project_id, year=year, level="red").order_by("code").first()
        kind, note = [
            ("suspend", "执行率严重滞后，暂缓拨付后续资金，待单位说明原因并提出整改措施后恢复"),
            ("urge", "请于12月10日前说明执行滞后原因，加快支付进度"),
            ("negative", "连续执行进度严重滞后，列入负面清单"),
            ("key_eval", "列入下年度财政重点评价"),
        ][i % 4]
        services.do_action(st.project_id, actor=jxk, year=year, kind=kind, note=note, warning_id=w.pk if w else None)
        acts += 1
        if kind == "suspend":  # decided in October: payments made since then are flagged (M09)
            ProjectBudget.objects.filter(project_id=st.project_id, year=year).update(
                appropriation_since=date(year, 10, 12)
            )
    if acts:
        services.run_warnings(top, year, data_date(year), actor=jxk)
    return {"warnings": summary.warnings, "monitor_actions": WarningAction.objects.count()}


def seed_monitoring(year: int, rng: random.Random, system: User) -> dict:
    jxk = (
        User.objects.filter(username="jxk").first()
        or User.objects.filter(assignments__role="performance").order_by("id").first()
    )
    if jxk is None:
        return {}
    counts = seed_payments(year, rng, home_region(jxk, ("performance",)))
    if not Project.objects.filter(targets__year=year, targets__state="approved").exists():
        return counts
    counts.update(seed_rounds(year, rng, jxk, system))
    counts.update(seed_actions(year, jxk))
    return counts
