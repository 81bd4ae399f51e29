"""Writes of 绩效运行监控: open a round with prefilled forms, fill and review forms, run the warnings, act on them."""

from __future__ import annotations

import calendar
import json
import time
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

import polars as pl
from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.db.models import Sum
from django.utils import timezone

from wenxiao.core import audit, workflow
from wenxiao.core.config import setting
from wenxiao.core.errors import Conflict, NotFound, PermissionDenied, ValidationError
from wenxiao.core.models import WorkItem
from wenxiao.core.scoping import can_write
from wenxiao.core.values import ValueParseError, parse
from wenxiao.monitoring import data, warnings
from wenxiao.monitoring.models import (
    DEVIATIONS,
    FINANCE,
    MONITOR_FLOW,
    UNIT_ROLES,
    MonitoringForm,
    MonitoringLine,
    MonitoringRound,
    NegativeListEntry,
    ProjectStatus,
    Warning,
    WarningAction,
)
from wenxiao.orgs.models import Organisation, Region
from wenxiao.orgs.selectors import home_region
from wenxiao.projects.models import MonthlyExecution, Project, ProjectBudget
from wenxiao.targets.models import Target, TargetIndicator

ROUND_ROLES = ("performance", "department")
FORM_FIELDS = ("forecast_amount", "progress_text", "problems", "measures")
LINE_FIELDS = ("to_date", "forecast", "likelihood", "deviation_kinds", "deviation_text", "measures", "note")


def rules_for(region, year: int) -> warnings.Rules:
    return warnings.Rules.from_mapping(setting("monitoring.rules", region, year))


# --- rounds ------------------------------------------------------------------------------------------


def _month_end(d: date) -> bool:
    return d.day == calendar.monthrange(d.year, d.month)[1]


def do_open_round(
    *,
    actor,
    year: int,
    name: str,
    period_end: date,
    deadline: date,
    kind: str = MonitoringRound.Kind.CONCENTRATED,
    department_id: int | None = None,
    note: str = "",
) -> MonitoringRound:
    """Open a round: one prefilled form per approved project target in scope, each on the unit's to-do list.

    A 绩效科 opens rounds over its region (optionally one department); a 主管部门 over its own units (R22).
    """
    if not can_write(actor) or not (actor.is_superuser or actor.has_role(*ROUND_ROLES)):
        raise PermissionDenied("监控轮次由财政绩效科或主管部门发起。")
    errors: dict[str, list[str]] = {}
    if not name.strip():
        errors.setdefault("name", []).append("请填写名称")
    if period_end.year != year or not _month_end(period_end):
        errors.setdefault("period_end", []).append(f"数据截止日期应为{year}年某月的最后一天（如{year}-07-31）")
    if deadline < period_end:
        errors.setdefault("deadline", []).append("报送截止日期不能早于数据截止日期")
    if kind not in MonitoringRound.Kind.values:
        errors.setdefault("kind", []).append("未知的监控类型")
    region = home_region(actor, ("performance",))
    department = None
    if department_id:
        department = Organisation.objects.visible_to(actor, ROUND_ROLES).filter(pk=department_id).first()
        if department is None:
            errors.setdefault("department", []).append("无权对该部门发起监控")
    elif region is None:
        department = (
            Organisation.objects.filter(pk__in=actor.assignments.filter(role="department").values("org_id")).first()
            if actor.has_role("department")
            else None
        )
        if department is None:
            errors.setdefault("department", []).append("请选择部门")
    if errors:
        raise ValidationError("监控轮次信息有误。", errors)
    region = region or department.region
    targets = Target.objects.visible_to(actor, ROUND_ROLES).filter(kind="project", year=year, state="approved")
    if department is not None:
        targets = targets.filter(department__path__startswith=department.path)
    targets = list(targets.select_related("project", "unit", "department"))
    if not targets:
        raise ValidationError(f"范围内没有{year}年度已批复的项目绩效目标，无需监控。")
    with transaction.atomic():
        rnd = MonitoringRound.objects.create(
            region=region,
            year=year,
            name=name.strip(),
            kind=kind,
            period_end=period_end,
            deadline=deadline,
            department=department,
            note=note.strip(),
            opened_by=actor,
        )
        forms = _create_forms(rnd, targets)
        audit.record(
            actor,
            "monitoring.round_open",
            rnd,
            after={
                "name": rnd.name,
                "year": year,
                "period_end": period_end.isoformat(),
                "deadline": deadline.isoformat(),
                "department": department.name if department else "",
                "forms": len(forms),
            },
        )
    return rnd


def executed_by_project(project_ids: list[int], year: int, month: int) -> dict[int, Decimal]:
    """Payments from January to the end of `month`, per project."""
    totals: dict[int, Decimal] = {}
    for i in range(0, len(project_ids), 5000):
        chunk = project_ids[i : i + 5000]
        qs = MonthlyExecution.objects.filter(project_id__in=chunk, year=year, month__lte=month)
        totals.update(dict(qs.values("project_id").annotate(s=Sum("amount")).values_list("project_id", "s")))
    return totals


def suggested_forecast(executed: Decimal, budget: Decimal, month: int) -> Decimal:
    """全年预计执行数 suggested on the form: spending so far scaled by the typical share spent by that month."""
    share = Decimal(str(warnings.DEFAULT_CURVE.get(month, 1.0)))
    guess = executed / share if share else executed
    return min(guess, budget).quantize(Decimal("0.01")) if budget else guess.quantize(Decimal("0.01"))


def _create_forms(rnd: MonitoringRound, targets: list[Target]) -> list[MonitoringForm]:
    month = rnd.period_end.month
    budgets = {
        b.project_id: b
        for b in ProjectBudget.objects.filter(project_id__in=[t.project_id for t in targets], year=rnd.year)
    }
    executed = executed_by_project([t.project_id for t in targets], rnd.year, month)
    forms = []
    for t in targets:
        b = budgets.get(t.project_id)
        spent = executed.get(t.project_id) or Decimal("0")
        annual = b.amount_adjusted if b else t.amount
        forms.append(
            MonitoringForm(
                region_id=t.region_id,
                round=rnd,
                target=t,
                project_id=t.project_id,
                unit_id=t.unit_id,
                department_id=t.department_id,
                state=MONITOR_FLOW.initial,
                budget_initial=b.amount_initial if b else t.amount,
                budget_annual=annual,
                budget_fiscal=b.amount_fiscal if b else t.amount_fiscal,
                executed=spent,
                forecast_amount=suggested_forecast(spent, annual, month),
            )
        )
    MonitoringForm.objects.bulk_create(forms, batch_size=1000)
    forms = list(MonitoringForm.objects.filter(round=rnd).select_related("project", "unit", "department"))
    by_target = {f.target_id: f for f in forms}
    lines = [
        MonitoringLine(
            form=by_target[i.target_id],
            indicator=i,
            order=i.order,
            level1=i.level1,
            level2=i.level2,
            name=i.name,
            value=i.value,
            unit=i.unit,
        )
        for i in TargetIndicator.objects.filter(target_id__in=list(by_target)).order_by("target_id", "order", "id")
    ]
    MonitoringLine.objects.bulk_create(lines, batch_size=2000)
    items = [item for f in forms if (item := workflow.pending_item(f))]
    WorkItem.objects.bulk_create(items, batch_size=1000)
    return forms


def do_close_round(round_id: int, *, actor) -> MonitoringRound:
    rnd = _round_for_owner(round_id, actor)
    with transaction.atomic():
        MonitoringRound.objects.filter(pk=rnd.pk).update(closed_at=timezone.now())
        audit.record(actor, "monitoring.round_close", rnd, after={"closed": True})
    rnd.refresh_from_db()
    return rnd


def _round_for_owner(round_id: int, actor) -> MonitoringRound:
    rnd = MonitoringRound.objects.visible_to(actor).filter(pk=round_id).first()
    if rnd is None:
        raise NotFound("监控轮次不存在。")
    owner = MonitoringRound.objects.visible_to(actor, ROUND_ROLES).filter(pk=round_id)
    refused = not can_write(actor) or not owner.exists()
    if (refused or (rnd.department_id is None and not actor.has_role("performance"))) and not actor.is_superuser:
        raise PermissionDenied("只有发起该轮次的部门可以办理。")
    return rnd


# --- forms -------------------------------------------------------------------------------------------


def visible_form(actor, form_id: int, roles=None) -> MonitoringForm:
    return MonitoringForm.objects.select_related("round").visible_or_refuse(
        actor, form_id, roles, what="监控表", verb="填报"
    )


def _parse_number(text: str, unit: str, year: int, label: str, errors: dict, key: str):
    if not text.strip():
        return None
    try:
        v = parse(text, unit, year=year)
    except ValueParseError as e:
        errors.setdefault(key, []).append(f"{label}：{e}")
        return None
    return v.number if v.is_quantitative else None


def do_save_form(form_id: int, changes: dict, *, actor, expected_version) -> MonitoringForm:
    """Save what the unit filled in: the form's text and forecast, and each line's values (partial saves allowed)."""
    if not can_write(actor):
        raise PermissionDenied("只读账号不能填报。")
    form = visible_form(actor, form_id, UNIT_ROLES)
    errors: dict[str, list[str]] = {}
    with transaction.atomic():
        current = MonitoringForm.objects.select_for_update().get(pk=form.pk)
        if expected_version is not None and int(expected_version) != current.version:
            raise Conflict("该监控表已被他人修改或办理，请刷新后重试。")
        if current.state not in ("draft", "returned"):
            raise Conflict(f"监控表当前状态为“{current.state_label}”，不能修改。")
        before = audit.snapshot(current, list(FORM_FIELDS))
        lines = {ln.pk: ln for ln in current.lines.all()}
        line_before = {pk: audit.snapshot(ln, list(LINE_FIELDS)) for pk, ln in lines.items()}
        if "forecast_amount" in changes:
            raw = str(changes["forecast_amount"] or "").replace(",", "").strip()
            try:
                current.forecast_amount = Decimal(raw).quantize(Decimal("0.01")) if raw else None
                if current.forecast_amount is not None and current.forecast_amount < 0:
                    errors.setdefault("forecast_amount", []).append("全年预计执行数不能为负数")
            except InvalidOperation:
                errors.setdefault("forecast_amount", []).append(f"全年预计执行数“{raw}”不是有效金额")
        for f in ("progress_text", "problems", "measures"):
            if f in changes:
                setattr(current, f, str(changes[f] or "").strip())
        year = current.round.year
        for row in changes.get("lines", []):
            line = lines.get(int(row.get("id", 0) or 0))
            if line is None:
                errors.setdefault("lines", []).append(f"指标行 {row.get('id')} 不属于该监控表")
                continue
            n = line.order + 1
            for f in ("to_date", "forecast", "deviation_text", "measures", "note"):
                if f in row:
                    setattr(line, f, str(row[f] or "").strip()[: MonitoringLine._meta.get_field(f).max_length])
            if "likelihood" in row:
                raw = str(row["likelihood"] or "").strip()
                if raw and raw not in ("1", "2", "3"):
                    errors.setdefault(f"line-{line.pk}", []).append(f"第{n}行：完成目标可能性应为1、2或3")
                line.likelihood = int(raw) if raw in ("1", "2", "3") else None
            if "deviation_kinds" in row:
                kinds = [k for k in row["deviation_kinds"] or [] if k]
                bad = [k for k in kinds if k not in DEVIATIONS]
                if bad:
                    errors.setdefault(f"line-{line.pk}", []).append(f"第{n}行：未知的偏差原因类别“{'、'.join(bad)}”")
                line.deviation_kinds = [k for k in DEVIATIONS if k in kinds]
            key = f"line-{line.pk}"
            line.to_date_number = _parse_number(line.to_date, line.unit, year, f"第{n}行截至目前执行情况", errors, key)
            line.forecast_number = _parse_number(
                line.forecast, line.unit, year, f"第{n}行全年预计完成情况", errors, key
            )
        if errors:
            raise ValidationError("监控表填写有误。", errors)
        current.version += 1
        current.save()
        MonitoringLine.objects.bulk_update(
            list(lines.values()), [*LINE_FIELDS, "to_date_number", "forecast_number"], batch_size=200
        )
        changed_lines = {}
        for pk, ln in lines.items():
            b, a = audit.diff(line_before[pk], audit.snapshot(ln, list(LINE_FIELDS)))
            if a:
                changed_lines[ln.name] = {"before": b, "after": a}
        b, a = audit.diff(before, audit.snapshot(current, list(FORM_FIELDS)))
        if a or changed_lines:
            audit.record(actor, "monitoring.form_save", current, before=b, after={**(a or {}), "lines": changed_lines})
    return current


def form_problems(form: MonitoringForm) -> list[str]:
    """What must be filled before submitting (R22: a unit that will miss a target must say why)."""
    problems = []
    if form.forecast_amount is None:
        problems.append("请填写全年预计执行数")
    if not form.progress_text.strip():
        problems.append("请填写执行情况说明")
    rate = form.forecast_rate
    for ln in form.lines.all():
        n = f"第{ln.order + 1}行“{ln.name}”"
        if not ln.to_date.strip():
            problems.append(f"{n}：请填写截至目前执行情况")
        if not ln.forecast.strip():
            problems.append(f"{n}：请填写全年预计完成情况")
        if ln.likelihood is None:
            problems.append(f"{n}：请选择完成目标可能性")
        elif ln.likelihood != 1 and not (ln.deviation_kinds and ln.deviation_text.strip()):
            problems.append(f"{n}：预计不能确定完成，须勾选偏差原因类别并说明原因")
    if rate is not None and rate < 85 and not form.problems.strip():
        problems.append(f"全年预计执行率{rate:.2f}%，低于85%，请在“存在问题”中说明原因")
    return problems


def do_transition(form_id: int, action: str, *, actor, comment: str = "", expected_version=None) -> MonitoringForm:
    if not can_write(actor):
        raise PermissionDenied("只读账号不能办理。")
    form = visible_form(actor, form_id)
    if action == "submit":
        problems = form_problems(form)
        if problems:
            raise ValidationError(f"还有 {len(problems)} 项需要填写后才能提交。", {"problems": problems})
    with transaction.atomic():
        result = workflow.transition(form, action, actor=actor, comment=comment, expected_version=expected_version)
        if action == "submit":
            MonitoringForm.objects.filter(pk=form.pk).update(submitted_at=timezone.now())
    return result


# --- warning run -------------------------------------------------------------------------------------


@dataclass
class RunSummary:
    region: Region
    year: int
    as_of: date
    projects: int
    warnings: int
    red: int
    yellow: int
    cleared: int
    seconds: float


def run_warnings(region: Region, year: int, as_of: date, *, actor=None) -> RunSummary:
    """Recompute every project's light and warnings for the year as of `as_of`; clear warnings that no longer fire."""
    started = time.perf_counter()
    frames = data.load(region, year, as_of)
    result = warnings.run(
        as_of,
        frames["projects"],
        frames["monthly"],
        curves=frames["curves"],
        indicators=frames["indicators"],
        history=frames["history"],
        rules=rules_for(region, year),
    )
    meta = frames["meta"].select("project_id", "unit_id", "department_id", "region_id")
    statuses = result.projects.join(meta, on="project_id", how="left")
    found = result.warnings.join(meta, on="project_id", how="left")
    with transaction.atomic():
        _write_status(region, year, as_of, statuses)
        cleared = _write_warnings(region, year, as_of, found)
        counts = found.group_by("level").len()
        by_level = dict(zip(counts["level"].to_list(), counts["len"].to_list(), strict=True))
        summary = RunSummary(
            region=region,
            year=year,
            as_of=as_of,
            projects=statuses.height,
            warnings=found.height,
            red=by_level.get("red", 0),
            yellow=by_level.get("yellow", 0),
            cleared=cleared,
            seconds=0.0,
        )
        audit.record(
            actor,
            "monitoring.run",
            object_type="monitoring.run",
            object_id=f"{region.code}/{year}",
            object_repr=f"{region.name}{year}年度监控预警",
            region_id=region.pk,
            after={
                "as_of": as_of.isoformat(),
                "projects": summary.projects,
                "warnings": summary.warnings,
                "red": summary.red,
                "yellow": summary.yellow,
                "cleared": cleared,
            },
        )
    summary.seconds = time.perf_counter() - started
    return summary


def _regions_q(region: Region):
    return Region.objects.filter(path__startswith=region.path).values("id")


def _write_status(region: Region, year: int, as_of: date, statuses) -> None:
    from wenxiao.core.stamps import bump
    from wenxiao.monitoring.selectors import STATUS_STAMP

    bump(STATUS_STAMP)  # cached overview figures of every scope are now out of date
    ProjectStatus.objects.filter(year=year, region_id__in=_regions_q(region)).delete()
    table = ProjectStatus._meta.db_table
    cols = (
        "region_id, year, project_id, unit_id, department_id, as_of, budget, spent, rate, time_progress,"
        " forecast_rate, completion, light, warnings"
    )
    rows = statuses.select(
        "region_id",
        "project_id",
        "unit_id",
        "department_id",
        "budget",
        "spent",
        "rate",
        "time_progress",
        "forecast_rate",
        "completion",
        "light",
        "warnings",
    ).iter_rows()
    day = as_of.isoformat()
    params = ((r[0], year, r[1], r[2], r[3], day, _money(r[4]), _money(r[5]), *r[6:10], r[10], r[11]) for r in rows)
    marks = ", ".join(["%s"] * 14)
    with connection.cursor() as cursor:
        cursor.executemany(f"INSERT INTO {table} ({cols}) VALUES ({marks})", params)


def _money(v) -> str:
    return f"{(v or 0):.2f}"


def _write_warnings(region: Region, year: int, as_of: date, found) -> int:
    """Upsert by (project, rule, indicator): keep first_seen and status; warnings no longer raised are cleared.

    Warnings nobody acted on are replaced wholesale (one DELETE, one `executemany` straight from the frame); the few
    with recorded actions stay in place and are updated, or cleared when they no longer fire. Returns how many of
    the warnings live before the run no longer fire.
    """
    table, actions = Warning._meta.db_table, WarningAction._meta.db_table
    live_where = f"w.year = %s AND w.status <> 'cleared' AND w.region_id IN ({data.REGIONS})"
    params = [year, region.path + "%"]
    key = ["project_id", "code", "indicator_key"]
    existing = data.frame(
        f"SELECT w.id, w.project_id, w.code, COALESCE(w.indicator_id, 0), w.status,"
        f" CAST(w.first_seen AS VARCHAR(10)), EXISTS (SELECT 1 FROM {actions} a WHERE a.warning_id = w.id)"
        f" FROM {table} w WHERE {live_where}",
        params,
        {
            "id": pl.Int64,
            "project_id": pl.Int64,
            "code": pl.Utf8,
            "indicator_key": pl.Int64,
            "status": pl.Utf8,
            "first_seen": pl.Utf8,
            "acted": pl.Boolean,
        },
    )
    rows = found.with_columns(pl.col("indicator_id").fill_null(0).alias("indicator_key")).join(
        existing, on=key, how="left"
    )
    acted = rows.filter(pl.col("acted").fill_null(False))
    fresh = rows.filter(~pl.col("acted").fill_null(False)).select(
        "region_id",
        pl.lit(year).alias("year"),
        "project_id",
        "unit_id",
        "department_id",
        "indicator_id",
        "code",
        "level",
        pl.col("title").str.slice(0, 60),
        pl.col("detail").str.slice(0, 500),
        "numbers",
        "action",
        pl.col("action_text").str.slice(0, 30),
        pl.col("status").fill_null(Warning.Status.OPEN),
        pl.col("first_seen").fill_null(as_of.isoformat()),
        pl.lit(as_of.isoformat()).alias("last_seen"),
    )
    cols = ", ".join(fresh.columns)
    with connection.cursor() as cursor:
        cursor.execute(
            f"DELETE FROM {table} WHERE id IN (SELECT w.id FROM {table} w WHERE {live_where}"
            f" AND NOT EXISTS (SELECT 1 FROM {actions} a WHERE a.warning_id = w.id))",
            params,
        )
        marks = ", ".join(["%s"] * len(fresh.columns))
        cursor.executemany(f"INSERT INTO {table} ({cols}) VALUES ({marks})", fresh.iter_rows())
    for r in acted.iter_rows(named=True):
        Warning.objects.filter(pk=r["id"]).update(
            last_seen=as_of,
            level=r["level"],
            title=r["title"][:60],
            detail=r["detail"][:500],
            numbers=json.loads(r["numbers"] or "{}"),
            action=r["action"],
            action_text=r["action_text"][:30],
        )
    gone = existing.filter(pl.col("acted")).join(acted.select(key), on=key, how="anti")["id"].to_list()
    Warning.objects.filter(pk__in=gone).update(status=Warning.Status.CLEARED)
    return existing.join(found.with_columns(pl.col("indicator_id").fill_null(0).alias("indicator_key")), on=key,
                         how="anti").height  # fmt: skip


# --- actions -----------------------------------------------------------------------------------------


def do_action(
    project_id: int,
    *,
    actor,
    year: int,
    kind: str,
    note: str,
    warning_id: int | None = None,
    amount=None,
    due: date | None = None,
) -> WarningAction:
    """Record finance's action on a project and apply it (拨款状态, 调减预算, 负面清单, a to-do for the unit)."""
    if kind == WarningAction.Kind.FEEDBACK:
        return _do_feedback(project_id, actor=actor, year=year, note=note, warning_id=warning_id)
    if not can_write(actor):
        raise PermissionDenied("只读账号不能处置预警。")
    project = Project.objects.visible_to(actor, FINANCE).filter(pk=project_id).select_related("unit").first()
    if project is None:
        if Project.objects.visible_to(actor).filter(pk=project_id).exists():
            raise PermissionDenied("预警处置由财政部门办理。")
        raise NotFound("项目不存在。")
    errors: dict[str, list[str]] = {}
    if kind not in WarningAction.Kind.values:
        errors.setdefault("kind", []).append("未知的处置措施")
    if not note.strip():
        errors.setdefault("note", []).append("请填写处置说明")
    warning = None
    if warning_id:
        warning = Warning.objects.filter(pk=warning_id, project=project).first()
        if warning is None:
            errors.setdefault("warning", []).append("预警不属于该项目")
    budget = ProjectBudget.objects.filter(project=project, year=year).first()
    if budget is None:
        errors.setdefault("year", []).append(f"该项目没有{year}年度预算")
    cut = None
    if kind == WarningAction.Kind.CUT:
        try:
            cut = Decimal(str(amount).replace(",", "")).quantize(Decimal("0.01"))
            if cut <= 0:
                errors.setdefault("amount", []).append("调减金额应大于0")
        except (InvalidOperation, ValueError):
            errors.setdefault("amount", []).append("请填写有效的调减金额")
    if errors:
        raise ValidationError("处置信息有误。", errors)
    with transaction.atomic():
        act = WarningAction.objects.create(
            region_id=project.region_id,
            year=year,
            project=project,
            warning=warning,
            kind=kind,
            note=note.strip(),
            amount=cut,
            due=due,
            by=actor,
        )
        _apply(act, project, budget, actor)
        if warning is not None and warning.status == Warning.Status.OPEN:
            Warning.objects.filter(pk=warning.pk).update(status=Warning.Status.HANDLED)
        audit.record(
            actor,
            f"monitoring.action.{kind}",
            project,
            after={
                "year": year,
                "kind": act.get_kind_display(),
                "note": act.note,
                "warning": warning.title if warning else "",
                "amount": f"{cut:.2f}" if cut else "",
                "due": due.isoformat() if due else "",
            },
        )
    return act


def _apply(act: WarningAction, project: Project, budget: ProjectBudget, actor) -> None:
    K = WarningAction.Kind
    if act.kind in (K.SUSPEND, K.STOP, K.RESUME):
        state = {K.SUSPEND: "suspended", K.STOP: "stopped", K.RESUME: "normal"}[act.kind]
        before = audit.snapshot(budget, ["appropriation", "appropriation_since", "appropriation_reason"])
        ProjectBudget.objects.filter(pk=budget.pk).update(
            appropriation=state,
            appropriation_since=timezone.localdate() if state != "normal" else None,
            appropriation_reason=act.note[:200] if state != "normal" else "",
        )
        budget.refresh_from_db()
        audit.record(
            actor,
            "project.appropriation",
            budget,
            before=before,
            after=audit.snapshot(budget, ["appropriation", "appropriation_since", "appropriation_reason"]),
        )
    elif act.kind == K.CUT:
        from wenxiao.projects.services import do_adjust_budget

        do_adjust_budget(
            project.pk, year=act.year, amount=-act.amount, reason=f"绩效监控调减：{act.note}"[:200], actor=actor
        )
    elif act.kind == K.NEGATIVE:
        NegativeListEntry.objects.create(
            region_id=project.region_id,
            year=act.year,
            project=project,
            unit_id=project.unit_id,
            reason=act.note,
            source="绩效监控",
            added_by=actor,
        )
    elif act.kind in (K.URGE, K.ADJUST_TARGET):
        title = ("督促整改：" if act.kind == K.URGE else "按监控意见调整绩效目标：") + project.name
        target = Target.objects.filter(project=project, year=act.year, kind="project").first()
        url = target.get_absolute_url() if act.kind == K.ADJUST_TARGET and target else _project_url(project)
        WorkItem.objects.create(
            content_type=ContentType.objects.get_for_model(WarningAction),
            object_id=act.pk,
            workflow="monitoring_action",
            state=act.kind,
            role="unit",
            org_id=project.unit_id,
            region_id=project.region_id,
            title=title[:200],
            url=url,
        )


def _project_url(project: Project) -> str:
    from django.urls import reverse

    return reverse("monitoring:project", args=[project.pk])


def _do_feedback(project_id: int, *, actor, year: int, note: str, warning_id: int | None) -> WarningAction:
    """The unit's 整改反馈 on finance's 督促整改 or 调整目标 request: closes the to-do."""
    if not can_write(actor):
        raise PermissionDenied("只读账号不能反馈。")
    project = Project.objects.visible_to(actor, UNIT_ROLES).filter(pk=project_id).first()
    if project is None:
        raise NotFound("项目不存在。")
    if not note.strip():
        raise ValidationError("请填写整改情况。", {"note": ["请填写整改情况"]})
    ct = ContentType.objects.get_for_model(WarningAction)
    open_requests = WarningAction.objects.filter(project=project, year=year, kind__in=("urge", "adjust_target"))
    with transaction.atomic():
        act = WarningAction.objects.create(
            region_id=project.region_id,
            year=year,
            project=project,
            warning_id=warning_id if Warning.objects.filter(pk=warning_id or 0, project=project).exists() else None,
            kind=WarningAction.Kind.FEEDBACK,
            note=note.strip(),
            by=actor,
        )
        closed = WorkItem.objects.filter(
            content_type=ct, object_id__in=open_requests.values("pk"), closed_at__isnull=True
        ).update(closed_at=timezone.now())
        audit.record(actor, "monitoring.feedback", project, after={"year": year, "note": act.note, "closed": closed})
    return act


def do_remove_negative(entry_id: int, *, actor, reason: str) -> NegativeListEntry:
    if not can_write(actor):
        raise PermissionDenied("只读账号不能办理。")
    entry = NegativeListEntry.objects.visible_to(actor, FINANCE).filter(pk=entry_id, removed_at__isnull=True).first()
    if entry is None:
        raise NotFound("负面清单记录不存在或已移出。")
    if not reason.strip():
        raise ValidationError("请填写移出原因。", {"reason": ["请填写移出原因"]})
    with transaction.atomic():
        NegativeListEntry.objects.filter(pk=entry.pk).update(removed_at=timezone.now(), removed_reason=reason.strip())
        audit.record(actor, "monitoring.negative_remove", entry, after={"reason": reason.strip()})
    entry.refresh_from_db()
    return entry
