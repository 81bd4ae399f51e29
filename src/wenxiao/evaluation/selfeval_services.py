"""Writes of 单位自评 and 财政复评: issue a task with prefilled forms, save and score a form, review, re-evaluate."""

from __future__ import annotations

import random
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from wenxiao.core import audit, workflow
from wenxiao.core.config import setting
from wenxiao.core.errors import Conflict, NotFound, PermissionDenied, ValidationError
from wenxiao.core.models import Attachment, WorkItem
from wenxiao.core.scoping import can_write
from wenxiao.evaluation import scoring
from wenxiao.evaluation.models import SELFEVAL_FLOW, SURVEY_NOTE, SelfEvalLine, SelfEvalTask, SelfEvaluation
from wenxiao.monitoring.models import MonitoringLine
from wenxiao.orgs.models import Organisation
from wenxiao.orgs.selectors import home_region
from wenxiao.projects.models import MonthlyExecution, ProjectBudget
from wenxiao.targets.models import Target, TargetIndicator

UNIT_ROLES = ("unit", "department")
FINANCE = ("business", "performance")
TASK_ROLES = ("performance",)
FORM_FIELDS = (
    "executed",
    "goal_actual",
    "summary",
    "with_final_accounts",
    "declared_total",
    "declared_rate",
    "declared_budget_score",
)
LINE_FIELDS = ("actual", "declared_score", "deviation_reason", "explanation")
WAN = Decimal(10000)


def scoring_config(region, year: int) -> scoring.ScoringConfig:
    return scoring.ScoringConfig.from_mapping(setting("evaluation.scoring", region, year))


# --- tasks -------------------------------------------------------------------------------------------------------


def do_issue_task(
    *, actor, year: int, name: str, deadline, department_id: int | None = None, note: str = "", with_final_accounts=True
) -> SelfEvalTask:
    """下达自评任务: one prefilled form per approved target of the year in scope — every project and every unit's
    部门整体 (R24) — each on the unit's to-do list."""
    if not can_write(actor) or not (actor.is_superuser or actor.has_role(*TASK_ROLES)):
        raise PermissionDenied("自评任务由财政绩效科下达。")
    errors: dict[str, list[str]] = {}
    if not name.strip():
        errors.setdefault("name", []).append("请填写名称")
    if deadline is None or deadline.year < year:
        errors.setdefault("deadline", []).append(f"报送截止日期应在{year}年度结束之后（自评随决算报送）")
    region = home_region(actor, TASK_ROLES)
    department = None
    if department_id:
        department = Organisation.objects.visible_to(actor, TASK_ROLES).filter(pk=department_id).first()
        if department is None:
            errors.setdefault("department", []).append("无权对该部门下达任务")
    if region is None:
        errors.setdefault("name", []).append("您没有所属区划，不能下达自评任务")
    if errors:
        raise ValidationError("自评任务信息有误。", errors)
    targets = Target.objects.visible_to(actor, TASK_ROLES).filter(year=year, state="approved", region=region)
    if department is not None:
        targets = targets.filter(department__path__startswith=department.path)
    taken = SelfEvaluation.objects.filter(year=year, target__in=targets).values("target_id")
    targets = list(targets.exclude(pk__in=taken).select_related("project", "unit", "department"))
    if not targets:
        raise ValidationError(f"范围内没有尚未下达自评的{year}年度已批复绩效目标。")
    with transaction.atomic():
        task = SelfEvalTask.objects.create(
            region=region,
            year=year,
            name=name.strip(),
            deadline=deadline,
            department=department,
            note=note.strip(),
            with_final_accounts=bool(with_final_accounts),
            issued_by=actor,
        )
        forms = create_forms(task, targets)
        audit.record(
            actor,
            "selfeval.task_issue",
            task,
            after={"name": task.name, "year": year, "deadline": deadline.isoformat(), "forms": len(forms)},
        )
    return task


def _paid_by_project(project_ids: list[int], year: int) -> dict[int, Decimal]:
    out: dict[int, Decimal] = {}
    for i in range(0, len(project_ids), 5000):
        qs = MonthlyExecution.objects.filter(project_id__in=project_ids[i : i + 5000], year=year)
        out.update(dict(qs.values("project_id").annotate(s=Sum("amount")).values_list("project_id", "s")))
    return out


def _last_forecasts(indicator_ids: list[int], year: int) -> dict[int, str]:
    """The latest monitoring value of each target indicator in the year: the forecast, else the value to date."""
    out: dict[int, str] = {}
    lines = (
        MonitoringLine.objects.filter(indicator_id__in=indicator_ids, form__round__year=year)
        .order_by("indicator_id", "-form__round__period_end", "-id")
        .values_list("indicator_id", "forecast", "to_date")
    )
    for ind, forecast, to_date in lines:
        if ind not in out and (forecast or to_date):
            out[ind] = forecast or to_date
    return out


def create_forms(task: SelfEvalTask, targets: list[Target]) -> list[SelfEvaluation]:
    year = task.year
    budgets = {
        b.project_id: b
        for b in ProjectBudget.objects.filter(project_id__in=[t.project_id for t in targets if t.project_id], year=year)
    }
    whole_units = [t.unit_id for t in targets if t.kind == Target.Kind.WHOLE]
    sums = (
        ProjectBudget.objects.filter(project__unit_id__in=whole_units, year=year)
        .values("project__unit_id")
        .annotate(i=Sum("amount_initial"), a=Sum("amount_adjusted"), f=Sum("amount_fiscal"), c=Sum("amount_carryover"))
    )
    unit_budgets = {r["project__unit_id"]: (r["i"], r["a"], r["f"], r["c"]) for r in sums}
    paid = _paid_by_project([t.project_id for t in targets if t.project_id], year)
    unit_paid = dict(
        MonthlyExecution.objects.filter(project__unit_id__in=whole_units, year=year)
        .values("project__unit_id")
        .annotate(s=Sum("amount"))
        .values_list("project__unit_id", "s")
    )
    zero = Decimal(0)
    forms = []
    for t in targets:
        if t.kind == Target.Kind.WHOLE:
            initial, annual, fiscal, carry = unit_budgets.get(t.unit_id, (t.amount, t.amount, t.amount_fiscal, zero))
            spent = unit_paid.get(t.unit_id) or zero
        else:
            b = budgets.get(t.project_id)
            initial, annual = (b.amount_initial, b.amount_adjusted) if b else (t.amount, t.amount)
            fiscal, carry = (b.amount_fiscal, b.amount_carryover) if b else (t.amount_fiscal, zero)
            spent = paid.get(t.project_id) or zero
        initial, annual, fiscal, carry = (x or zero for x in (initial, annual, fiscal, carry))
        forms.append(
            SelfEvaluation(
                region_id=t.region_id,
                task=task,
                year=year,
                kind=t.kind,
                target=t,
                project_id=t.project_id,
                unit_id=t.unit_id,
                department_id=t.department_id,
                state=SELFEVAL_FLOW.initial,
                budget_initial=initial,
                budget_annual=annual,
                budget_fiscal=fiscal,
                budget_carryover=carry,
                budget_other=max(annual - fiscal - carry, zero),
                executed=spent,
                paid=spent,
                goal=t.goal,
            )
        )
    SelfEvaluation.objects.bulk_create(forms, batch_size=1000)
    forms = list(SelfEvaluation.objects.filter(task=task).select_related("project", "unit", "department"))
    by_target = {f.target_id: f for f in forms}
    indicators = list(
        TargetIndicator.objects.filter(target_id__in=list(by_target)).order_by("target_id", "order", "id")
    )
    forecasts = _last_forecasts([i.pk for i in indicators], year)
    SelfEvalLine.objects.bulk_create(
        [
            SelfEvalLine(
                form=by_target[i.target_id],
                indicator=i,
                order=i.order,
                level1=i.level1,
                level2=i.level2,
                name=i.name,
                value=i.value,
                unit=i.unit,
                weight=i.weight,
                monitor_forecast=forecasts.get(i.pk, "")[:60],
            )
            for i in indicators
        ],
        batch_size=2000,
    )
    WorkItem.objects.bulk_create([item for f in forms if (item := workflow.pending_item(f))], batch_size=1000)
    return forms


# --- scoring a form ------------------------------------------------------------------------------------------------


def _wan(yuan: Decimal | None) -> Decimal | None:
    return None if yuan is None else (Decimal(yuan) / WAN).normalize()


def has_survey(form: SelfEvaluation) -> bool:
    from django.contrib.contenttypes.models import ContentType

    ct = ContentType.objects.get_for_model(SelfEvaluation)
    return Attachment.objects.filter(content_type=ct, object_id=form.pk, note__startswith=SURVEY_NOTE).exists()


def engine_input(form: SelfEvaluation, lines: list[SelfEvalLine], survey: bool | None = None) -> scoring.SelfEvaluation:
    """The form as the pure engine's input (amounts in 万元, as on the official table)."""
    rows = [
        scoring.IndicatorRow(
            level1=ln.level1,
            level2=ln.level2,
            name=ln.name,
            target=ln.value,
            actual=ln.actual,
            weight=ln.weight,
            declared_score=ln.declared_score,
            deviation_reason=ln.deviation_reason or None,
            unit=ln.unit,
            explanation=ln.explanation or None,
            has_survey=survey,
        )
        for ln in lines
    ]
    system = scoring.SystemData(
        executed=_wan(form.paid),
        monitoring_forecasts={i: ln.monitor_forecast for i, ln in enumerate(lines) if ln.monitor_forecast},
    )
    return scoring.SelfEvaluation(
        project_name=form.subject_name,
        year=form.year,
        budget=scoring.Budget(
            initial=_wan(form.budget_initial),
            annual=_wan(form.budget_annual),
            executed=_wan(form.executed),
            declared_rate=form.declared_rate or None,
            declared_score=form.declared_budget_score,
            unit="万元",
        ),
        indicators=rows,
        declared_total=form.declared_total,
        region_code=form.region.code if form.region_id else "",
        system=system,
    )


def score_form(form: SelfEvaluation, lines: list[SelfEvalLine] | None = None, survey: bool | None = None):
    """Score the form by its region's and year's rules and store the results on it and its lines (no save).
    `survey`: whether a satisfaction survey is attached (looked up when not given)."""
    lines = list(form.lines.all()) if lines is None else lines
    survey = has_survey(form) if survey is None else survey
    scored = scoring.score(engine_input(form, lines, survey), scoring_config(form.region, form.year))
    form.score, form.grade = scored.total, scored.grade
    form.rate, form.budget_score = scored.budget.rate, scored.budget.score
    form.flags = [f.to_dict() for f in scored.flags]
    form.flag_count = len(scored.flags)
    form.notes = list(scored.notes)[:50]
    for ln, r in zip(lines, scored.rows, strict=True):
        ln.score, ln.rule_weight, ln.rule, ln.detail = r.score, r.weight, r.rule[:120], r.detail[:300]
        ln.flags = list(r.flags)
    return scored


def do_rescore(form: SelfEvaluation) -> SelfEvaluation:
    lines = list(form.lines.all())
    score_form(form, lines)
    SelfEvaluation.objects.filter(pk=form.pk).update(
        score=form.score,
        grade=form.grade,
        rate=form.rate,
        budget_score=form.budget_score,
        flags=form.flags,
        flag_count=form.flag_count,
        notes=form.notes,
    )
    SelfEvalLine.objects.bulk_update(lines, ["score", "rule_weight", "rule", "detail", "flags"], batch_size=500)
    return form


# --- filling a form ------------------------------------------------------------------------------------------------


def visible_form(actor, form_id: int, roles=None) -> SelfEvaluation:
    return SelfEvaluation.objects.select_related("task", "region").visible_or_refuse(
        actor, form_id, roles, what="自评表", verb="填报"
    )


def _money(raw, label: str, key: str, errors: dict) -> Decimal | None:
    text = str(raw if raw is not None else "").replace(",", "").strip()
    if not text:
        return None
    try:
        d = Decimal(text)
        if not d.is_finite():
            raise InvalidOperation
    except InvalidOperation:
        errors.setdefault(key, []).append(f"{label}“{text}”不是有效金额")
        return None
    if d < 0 or d >= Decimal(10) ** 14:
        errors.setdefault(key, []).append(f"{label}应为不小于0的金额")
        return None
    return d.quantize(Decimal("0.01"))


def _points(raw, label: str, key: str, errors: dict, limit: Decimal | None = None) -> Decimal | None:
    text = str(raw if raw is not None else "").strip()
    if not text:
        return None
    try:
        d = Decimal(text)
        if not d.is_finite():
            raise InvalidOperation
    except InvalidOperation:
        errors.setdefault(key, []).append(f"{label}“{text}”不是数字")
        return None
    if d < 0 or (limit is not None and d > limit) or d > 1000:
        errors.setdefault(key, []).append(f"{label}应在0到{limit if limit is not None else 100}分之间")
        return None
    return d.quantize(Decimal("0.01"))


def do_save_form(form_id: int, changes: dict, *, actor, expected_version) -> SelfEvaluation:
    """Save what the unit entered (partial saves allowed), then score the form by the rules."""
    if not can_write(actor):
        raise PermissionDenied("只读账号不能填报。")
    form = visible_form(actor, form_id, UNIT_ROLES)
    errors: dict[str, list[str]] = {}
    with transaction.atomic():
        current = (
            SelfEvaluation.objects.select_for_update(of=("self",))
            .select_related("region", "project", "unit")
            .get(pk=form.pk)
        )
        if expected_version is not None and str(expected_version) != str(current.version):
            raise Conflict("该自评表已被他人修改或办理，请刷新后重试。")
        if current.state not in ("draft", "returned"):
            raise Conflict(f"自评表当前状态为“{current.state_label}”，不能修改。")
        before = audit.snapshot(current, list(FORM_FIELDS))
        lines = {ln.pk: ln for ln in current.lines.all()}
        line_before = {pk: audit.snapshot(ln, list(LINE_FIELDS)) for pk, ln in lines.items()}
        if "executed" in changes:
            amount = _money(changes["executed"], "全年执行数", "executed", errors)
            if amount is not None:
                current.executed = amount
        for f in ("goal_actual", "summary"):
            if f in changes:
                setattr(current, f, str(changes[f] or "").strip()[:5000])
        if "declared_total" in changes:  # from an uploaded table: what the unit scored itself (S06)
            current.declared_total = _points(changes["declared_total"], "自评总分", "declared_total", errors, None)
        if "declared_budget_score" in changes:
            current.declared_budget_score = _points(
                changes["declared_budget_score"], "执行率得分", "declared_budget_score", errors, None
            )
        if "declared_rate" in changes:
            current.declared_rate = str(changes["declared_rate"] or "").strip()[:20]
        if "with_final_accounts" in changes:
            current.with_final_accounts = bool(changes["with_final_accounts"])
        for row in changes.get("lines", []):
            try:
                line = lines.get(int(row.get("id", 0) or 0))
            except (TypeError, ValueError):
                line = None
            if line is None:
                errors.setdefault("lines", []).append(f"指标行 {row.get('id')} 不属于该自评表")
                continue
            n, key = line.order + 1, f"line-{line.pk}"
            for f in ("actual", "deviation_reason", "explanation"):
                if f in row:
                    setattr(line, f, str(row[f] or "").strip()[: SelfEvalLine._meta.get_field(f).max_length])
            if "declared_score" in row:
                line.declared_score = _points(row["declared_score"], f"第{n}行自评得分", key, errors, line.weight)
        if errors:
            raise ValidationError("自评表填写有误。", errors)
        current.version += 1
        ordered = sorted(lines.values(), key=lambda ln: (ln.order, ln.pk))
        score_form(current, ordered)
        current.save()
        SelfEvalLine.objects.bulk_update(
            ordered, [*LINE_FIELDS, "score", "rule_weight", "rule", "detail", "flags"], batch_size=200
        )
        changed = {}
        for pk, ln in lines.items():
            b, a = audit.diff(line_before[pk], audit.snapshot(ln, list(LINE_FIELDS)))
            if a:
                changed[ln.name] = {"before": b, "after": a}
        b, a = audit.diff(before, audit.snapshot(current, list(FORM_FIELDS)))
        if a or changed:
            audit.record(
                actor, "selfeval.save", current, before=b, after={**(a or {}), "lines": changed, "score": current.score}
            )
    return current


def form_problems(form: SelfEvaluation) -> list[str]:
    """What must be filled before submitting: every actual, a reason for every row that missed (10号), and the
    决算 box when the task asks for it (R24)."""
    problems = []
    if not form.goal_actual.strip():
        problems.append("请填写年度总体目标的实际完成情况")
    if form.task.with_final_accounts and not form.with_final_accounts:
        problems.append("请确认本自评表随部门决算一并报送")
    for ln in form.lines.all():
        label = f"第{ln.order + 1}行“{ln.name}”"
        if not ln.actual.strip():
            problems.append(f"{label}：请填写实际完成值")
        elif "S03" in (ln.flags or []):
            problems.append(f"{label}：未完成目标，请填写偏差原因分析及改进措施")
    return problems


def do_transition(form_id: int, action: str, *, actor, comment: str = "", expected_version=None) -> SelfEvaluation:
    form = visible_form(actor, form_id)
    if not can_write(actor):
        raise PermissionDenied("只读账号不能办理。")
    if action == "submit":
        form = SelfEvaluation.objects.select_related("task", "region", "project", "unit").get(pk=form.pk)
        do_rescore(form)
        if problems := form_problems(form):
            raise ValidationError("自评表还不能提交：" + "；".join(problems[:5]), {"form": problems})
    with transaction.atomic():
        done = workflow.transition(form, action, actor=actor, comment=comment, expected_version=expected_version)
        if action == "submit":
            SelfEvaluation.objects.filter(pk=done.pk).update(submitted_at=timezone.now())
    return done


# --- 财政复评 (R25) ----------------------------------------------------------------------------------------------


def _finance_form(actor, form_id: int) -> SelfEvaluation:
    if not can_write(actor):
        raise PermissionDenied("只读账号不能复评。")
    form = visible_form(actor, form_id)
    if not SelfEvaluation.objects.visible_to(actor, FINANCE).filter(pk=form.pk).exists():
        raise PermissionDenied("复评由财政部门进行。")
    return form


def do_review(form_id: int, changes: dict, *, actor) -> SelfEvaluation:
    """复评: finance adjusts row scores, each with a reason; the re-evaluated total and grade follow the same rules
    of aggregation (2 decimals per row, sum, grade bands)."""
    form = _finance_form(actor, form_id)
    if form.state not in ("finance_review", "done"):
        raise Conflict("自评表提交并经主管部门审核后才能复评。")
    errors: dict[str, list[str]] = {}
    with transaction.atomic():
        current = SelfEvaluation.objects.select_for_update(of=("self",)).select_related("region").get(pk=form.pk)
        lines = {ln.pk: ln for ln in current.lines.all()}
        before = {"review_score": current.review_score, "review_grade": current.review_grade}
        for row in changes.get("lines", []):
            try:
                line = lines.get(int(row.get("id", 0) or 0))
            except (TypeError, ValueError):
                line = None
            if line is None:
                errors.setdefault("lines", []).append(f"指标行 {row.get('id')} 不属于该自评表")
                continue
            limit = line.rule_weight if line.rule_weight is not None else line.weight
            key = f"line-{line.pk}"
            value = _points(row.get("review_score"), f"第{line.order + 1}行复评得分", key, errors, limit)
            reason = str(row.get("review_reason") or "").strip()[:300]
            if value is not None and value != line.score and not reason:
                errors.setdefault(key, []).append(f"第{line.order + 1}行调整了得分，请填写调整理由")
            line.review_score = value if value is not None and value != line.score else None
            line.review_reason = reason if line.review_score is not None else ""
        cfg = scoring_config(current.region, current.year)
        budget = _points(changes.get("review_budget_score"), "执行率复评得分", "budget", errors, cfg.exec_points)
        opinion = str(changes.get("review_opinion") or "").strip()
        if not opinion:
            errors.setdefault("review_opinion", []).append("请填写复评意见")
        if errors:
            raise ValidationError("复评内容有误。", errors)
        ordered = sorted(lines.values(), key=lambda ln: (ln.order, ln.pk))
        rows = sum(
            ((ln.review_score if ln.review_score is not None else (ln.score or Decimal(0))) for ln in ordered),
            Decimal(0),
        )
        budget_score = budget if budget is not None else (current.budget_score or Decimal(0))
        total = scoring.round2(rows + budget_score)
        current.review_score = total
        current.review_grade = scoring.grade(total, cfg.grade_cutoffs)
        current.review_opinion = opinion
        current.reviewed_by, current.reviewed_at = actor, timezone.now()
        current.version += 1
        current.save()
        SelfEvalLine.objects.bulk_update(ordered, ["review_score", "review_reason"], batch_size=200)
        audit.record(
            actor,
            "selfeval.review",
            current,
            before=audit.to_jsonable(before),
            after={
                "review_score": str(total),
                "review_grade": current.review_grade,
                "declared": str(current.score),
                "opinion": opinion,
                "rows": {ln.name: str(ln.review_score) for ln in ordered if ln.review_score is not None},
            },
        )
    return current


def do_sample(task_id: int, *, actor, share: float | None = None, seed: int | None = None) -> list[SelfEvaluation]:
    """抽取复评对象: a random share of the task's submitted forms, forms with credibility flags always included."""
    if not can_write(actor) or not actor.has_role("performance"):
        raise PermissionDenied("复评抽样由财政绩效科进行。")
    task = SelfEvalTask.objects.visible_to(actor, ("performance",)).filter(pk=task_id).first()
    if task is None:
        raise NotFound("自评任务不存在。")
    if share is None:
        share = float(setting("evaluation.review_sample", task.region, task.year).get("share", 0.2))
    if not 0 < share <= 1:
        raise ValidationError("抽样比例应在0到1之间。")
    forms = list(
        SelfEvaluation.objects.filter(task=task, state__in=("finance_review", "done"))
        .order_by("id")
        .values_list("id", "flag_count")
    )
    if not forms:
        raise ValidationError("还没有经主管部门审核的自评表可供抽样。")
    flagged = [i for i, n in forms if n]
    rest = [i for i, n in forms if not n]
    rng = random.Random(seed)
    want = max(1, round(len(forms) * share))
    picked = flagged + rng.sample(rest, max(0, min(len(rest), want - len(flagged))))
    with transaction.atomic():
        SelfEvaluation.objects.filter(task=task).update(sampled=False)
        SelfEvaluation.objects.filter(pk__in=picked).update(sampled=True)
        audit.record(
            actor,
            "selfeval.sample",
            task,
            after={"share": share, "picked": len(picked), "flagged": len(flagged), "of": len(forms)},
        )
    return list(SelfEvaluation.objects.filter(pk__in=picked))
