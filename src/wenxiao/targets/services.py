"""Writes to performance targets: declare, edit rows, pick from the library, review, approve, adjust."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from wenxiao.core import audit, workflow
from wenxiao.core.config import setting
from wenxiao.core.errors import Conflict, NotFound, PermissionDenied, ValidationError
from wenxiao.core.scoping import can_write
from wenxiao.core.values import ValueParseError, parse
from wenxiao.library.frameworks import DEFAULT_SCHEME
from wenxiao.library.models import Framework, IndicatorTemplate, WeightScheme
from wenxiao.orgs.models import Organisation
from wenxiao.projects.models import Project, ProjectBudget
from wenxiao.targets import checks
from wenxiao.targets.models import (
    REVIEW_DIMENSIONS,
    Approval,
    Target,
    TargetComment,
    TargetIndicator,
    TargetReview,
    TargetTask,
    TargetVersion,
)

DECLARER_ROLES = ("unit", "department")
REVIEWER_ROLES = ("department", "business", "performance")
# Who may edit the rows in which state: the unit while drafting; the 绩效科 while it reviews (88号: 良 → finance
# fixes the target directly).
EDIT_ROLES = {"draft": DECLARER_ROLES, "returned": DECLARER_ROLES, "performance_review": ("performance",)}
ROW_FIELDS = ("level1", "level2", "name", "value", "mid_value", "unit", "weight", "source", "note")


# --- reading helpers ---------------------------------------------------------------------------------


def visible_target(actor, target_id: int, roles=None) -> Target:
    return Target.objects.visible_or_refuse(actor, target_id, roles, what="绩效目标")


def scheme_for(region, year: int) -> WeightScheme:
    key = setting("targets.framework", region, year)
    return WeightScheme.objects.select_related("framework").get(key=DEFAULT_SCHEME.get(key, "self_10"))


def target_data(target: Target, rows=None) -> checks.TargetData:
    """The plain-data form of a target the checks engine reads."""
    rows = list(target.indicators.all()) if rows is None else rows
    scheme = target.scheme
    return checks.TargetData(
        kind=target.kind,
        goal=target.goal,
        rows=[checks.Row(r.level1, r.level2, r.name, r.value, r.unit, r.weight) for r in rows],
        tree=Framework.objects.get(key=target.framework).tree(),
        scheme=scheme.weights,
        fallback=scheme.fallback,
        framework=target.framework,
        serves_public=target.serves_public,
        special_fund=target.special_fund,
        min_quantitative=setting("targets.special_fund_min_quantitative", target.region, target.year),
        year=target.year,
        amount=target.amount,
        budget_amount=budget_amount(target),
    )


def budget_amount(target: Target) -> Decimal | None:
    """The year's budget the target must match: the project's, or the sum of the unit's projects (部门整体)."""
    budgets = ProjectBudget.objects.filter(year=target.year)
    if target.project_id:
        budgets = budgets.filter(project_id=target.project_id)
    elif target.unit.kind == "department":
        budgets = budgets.filter(project__department_id=target.unit_id)
    else:
        budgets = budgets.filter(project__unit_id=target.unit_id)
    values = list(budgets.values_list("amount_initial", flat=True))
    return sum(values, Decimal("0")) if values else None


def problems_of(target: Target) -> list[checks.Problem]:
    return checks.check(target_data(target))


def snapshot(target: Target) -> dict:
    """Everything a version freezes: header, rows and tasks."""
    return snapshot_of(target, list(target.indicators.all()), list(target.tasks.all()))


def snapshot_of(target: Target, rows: list[TargetIndicator], tasks: list[TargetTask]) -> dict:
    return audit.to_jsonable(
        {
            "goal": target.goal,
            "goal_midterm": target.goal_midterm,
            "amount": f"{target.amount:.2f}",
            "amount_fiscal": f"{target.amount_fiscal:.2f}",
            "framework": target.framework,
            "rows": [{f: getattr(r, f) for f in ROW_FIELDS} | {"template": r.template_id} for r in rows],
            "tasks": [
                {
                    "name": t.name,
                    "content": t.content,
                    "amount": f"{t.amount:.2f}",
                    "amount_fiscal": f"{t.amount_fiscal:.2f}",
                }
                for t in tasks
            ],
        }
    )


def can_edit(target: Target, actor) -> bool:
    roles = EDIT_ROLES.get(target.state)
    if not roles or not can_write(actor):
        return False
    return Target.objects.visible_to(actor, roles=roles).filter(pk=target.pk).exists()


# --- declaring ---------------------------------------------------------------------------------------


def _last_approved(**lookup) -> dict | None:
    version = TargetVersion.objects.filter(**lookup).order_by("-target__year", "-number").first()
    return version.snapshot if version else None


def _rows_from_snapshot(target: Target, snap: dict) -> None:
    for i, r in enumerate(snap.get("rows", [])):
        row = TargetIndicator(
            region_id=target.region_id,
            target=target,
            order=i,
            template_id=r.get("template"),
            **{f: r.get(f) or "" for f in ROW_FIELDS if f != "weight"},
        )
        row.weight = Decimal(str(r["weight"])) if r.get("weight") not in (None, "") else None
        parse_into(row, target.year)
        row.save()


def parse_into(row: TargetIndicator, year: int) -> None:
    try:
        v = parse(row.value, row.unit, year=year)
    except ValueParseError:
        row.comparator = row.value_kind = ""
        row.number = row.upper = None
        return
    row.comparator, row.value_kind = v.comparator.value, v.kind.value
    row.number, row.upper = v.number, v.upper
    if v.unit and not row.unit:
        row.unit = v.unit


def do_create_project_target(project_id: int, year: int, *, actor) -> Target:
    """Start the year's target of a project, prefilled from last year's approved target and the budget."""
    if not can_write(actor):
        raise PermissionDenied("只读账号不能申报绩效目标。")
    project = (
        Project.objects.visible_to(actor, roles=DECLARER_ROLES)
        .select_related("unit", "region")
        .filter(pk=project_id)
        .first()
    )
    if project is None:
        raise NotFound("项目不存在，或您不是该项目的申报单位。")
    budget = ProjectBudget.objects.filter(project=project, year=year).first()
    if budget is None:
        raise ValidationError(f"该项目没有 {year} 年度预算，不能申报该年度绩效目标。")
    existing = Target.objects.filter(project=project, year=year, kind="project").first()
    if existing:
        raise Conflict(f"该项目 {year} 年度绩效目标已存在。")
    scheme = scheme_for(project.region, year)
    with transaction.atomic():
        target = Target.objects.create(
            region=project.region,
            kind=Target.Kind.PROJECT,
            year=year,
            project=project,
            unit=project.unit,
            department=project.department,
            framework=scheme.framework.key,
            scheme=scheme,
            amount=budget.amount_initial,
            amount_fiscal=budget.amount_fiscal,
            state="draft",
            created_by=actor,
            special_fund=project.project_class == "3" and project.kind == "policy",
        )
        last = _last_approved(target__project=project, target__year__lt=year)
        if last:
            target.goal, target.goal_midterm = last.get("goal", ""), last.get("goal_midterm", "")
            target.save(update_fields=["goal", "goal_midterm"])
            _rows_from_snapshot(target, last)
        workflow.open_work_item(target)
        audit.record(
            actor,
            "target.create",
            target,
            after={"year": year, "project": project.code, "prefilled_from_last_year": bool(last)},
        )
    return target


def do_create_whole_target(unit_id: int, year: int, *, actor) -> Target:
    """Start a unit's (or department's) 部门整体 target; tasks are prefilled from its projects of the year."""
    if not can_write(actor):
        raise PermissionDenied("只读账号不能申报绩效目标。")
    org = (
        Organisation.objects.visible_to(actor, roles=DECLARER_ROLES)
        .filter(pk=unit_id, kind__in=["unit", "department"])
        .select_related("region", "parent")
        .first()
    )
    if org is None:
        raise NotFound("单位不存在或不在您的范围内。")
    if Target.objects.filter(unit=org, year=year, kind="whole").exists():
        raise Conflict(f"{org.name} {year} 年度整体绩效目标已存在。")
    scheme = scheme_for(org.region, year)
    department = org if org.kind == "department" else org.parent
    budgets = ProjectBudget.objects.filter(year=year).select_related("project")
    budgets = budgets.filter(project__department=org) if org.kind == "department" else budgets.filter(project__unit=org)
    with transaction.atomic():
        target = Target.objects.create(
            region=org.region,
            kind=Target.Kind.WHOLE,
            year=year,
            unit=org,
            department=department,
            framework=scheme.framework.key,
            scheme=scheme,
            state="draft",
            created_by=actor,
        )
        last = _last_approved(target__unit=org, target__kind="whole", target__year__lt=year)
        if last:
            target.goal = last.get("goal", "")
            _rows_from_snapshot(target, last)
        total = fiscal = Decimal("0")
        for i, b in enumerate(budgets.order_by("-amount_initial")):
            TargetTask.objects.create(
                region=org.region,
                target=target,
                order=i,
                name=b.project.name[:100],
                content=b.project.description[:500],
                amount=b.amount_initial,
                amount_fiscal=b.amount_fiscal,
            )
            total += b.amount_initial
            fiscal += b.amount_fiscal
        target.amount, target.amount_fiscal = total, fiscal
        target.save(update_fields=["goal", "amount", "amount_fiscal"])
        workflow.open_work_item(target)
        audit.record(actor, "target.create", target, after={"year": year, "unit": org.code, "kind": "whole"})
    return target


# --- editing -----------------------------------------------------------------------------------------


@dataclass
class RowInput:
    level1: str
    level2: str
    name: str
    value: str
    unit: str = ""
    weight: str | Decimal | None = None
    mid_value: str = ""
    source: str = "计划标准"
    note: str = ""
    id: int | None = None  # an existing row keeps its library link
    template_id: int | None = None


def _locked_editable(target_id: int, actor, expected_version) -> Target:
    target = visible_target(actor, target_id)
    target = Target.objects.select_for_update().get(pk=target.pk)
    if not can_edit(target, actor):
        raise PermissionDenied(f"绩效目标处于“{target.state_label}”状态，您无权修改。")
    if expected_version is None:
        raise ValidationError("请提供读取时的版本号（version），以免覆盖他人的修改。", {"version": ["必填"]})
    if int(expected_version) != target.version:
        raise Conflict(
            f"该绩效目标已被他人修改（当前版本 {target.version}，您的版本 {expected_version}），请刷新后再修改。"
        )
    return target


def _weight(value, errors: dict, index: int):
    if value in (None, ""):
        return None
    try:
        return Decimal(str(value)).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError):
        errors.setdefault(f"rows.{index}.weight", []).append("分值不是有效的数字")
        return None


def _money_input(value, key: str, errors: dict) -> Decimal:
    if value in (None, ""):
        return Decimal("0")
    try:
        d = Decimal(str(value)).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError):
        errors.setdefault(key, []).append("金额不是有效的数字")
        return Decimal("0")
    if d < 0:
        errors.setdefault(key, []).append("金额不能为负数")
    return d


SOURCE_CHOICES = ("计划标准", "行业标准", "历史标准", "其他标准")
ROW_LIMITS = {
    "name": (100, "三级指标名称"),
    "value": (60, "指标值"),
    "mid_value": (60, "中期指标值"),
    "unit": (20, "计量单位"),
    "note": (200, "备注"),
    "level1": (30, "一级指标"),
    "level2": (30, "二级指标"),
}


def do_save_target(
    target_id: int,
    *,
    actor,
    expected_version,
    rows: list[RowInput],
    goal: str | None = None,
    goal_midterm: str | None = None,
    serves_public: bool | None = None,
    special_fund: bool | None = None,
    tasks: list[dict] | None = None,
) -> Target:
    """Replace the target's header and indicator grid in one go (what the editor and the Excel import send).

    Every input is checked before anything is written; a save that changes nothing writes nothing (no new
    version, no audit event). Values that do not parse are kept as drafts and block only the submission.
    """
    errors: dict[str, list[str]] = {}
    with transaction.atomic():
        target = _locked_editable(target_id, actor, expected_version)
        before = snapshot(target)
        existing = {r.id: r for r in target.indicators.select_related("template")}
        new_rows: list[TargetIndicator] = []
        for i, data in enumerate(rows):
            for f, (limit, label) in ROW_LIMITS.items():
                if len((getattr(data, f) or "").strip()) > limit:
                    errors.setdefault(f"rows.{i}.{f}", []).append(f"{label}不能超过{limit}个字")
            if (data.source or "计划标准") not in SOURCE_CHOICES:
                errors.setdefault(f"rows.{i}.source", []).append("指标值来源应为计划标准、行业标准、历史标准或其他标准")
            old = existing.get(data.id) if data.id else None
            template = old.template if old else None
            if data.template_id and not old:
                template = IndicatorTemplate.objects.visible_to(actor).filter(pk=data.template_id).first()
            row = TargetIndicator(
                region_id=target.region_id,
                target=target,
                order=i,
                level1=data.level1.strip(),
                level2=data.level2.strip(),
                name=data.name.strip(),
                value=data.value.strip(),
                mid_value=(data.mid_value or "").strip(),
                unit=(data.unit or "").strip(),
                weight=_weight(data.weight, errors, i),
                source=data.source or "计划标准",
                note=(data.note or "").strip(),
                template=template,
            )
            if template is not None:
                row.template_changed = (old.template_changed if old else False) or (
                    row.name != template.name or row.level2 != template.level2 or (row.unit or "") != template.unit
                )
            parse_into(row, target.year)
            new_rows.append(row)
        new_tasks: list[TargetTask] | None = None
        if tasks is not None and target.kind == Target.Kind.WHOLE:
            new_tasks = []
            for i, t in enumerate(tasks):
                name = (t.get("name") or "").strip()
                if len(name) > 100:
                    errors.setdefault(f"tasks.{i}.name", []).append("任务名称不能超过100个字")
                new_tasks.append(
                    TargetTask(
                        region_id=target.region_id,
                        target=target,
                        order=i,
                        name=name,
                        content=(t.get("content") or "").strip(),
                        amount=_money_input(t.get("amount"), f"tasks.{i}.amount", errors),
                        amount_fiscal=_money_input(t.get("amount_fiscal"), f"tasks.{i}.amount_fiscal", errors),
                    )
                )
        if errors:
            raise ValidationError("填写有误，请按提示修改。", errors)
        header = {
            "goal": goal,
            "goal_midterm": goal_midterm,
            "serves_public": serves_public,
            "special_fund": special_fund,
        }
        header = {k: (v.strip() if isinstance(v, str) else v) for k, v in header.items() if v is not None}
        if new_tasks is not None:
            header["amount"] = sum((t.amount for t in new_tasks), Decimal("0"))
            header["amount_fiscal"] = sum((t.amount_fiscal for t in new_tasks), Decimal("0"))
        for key, value in header.items():
            setattr(target, key, value)
        tasks_now = new_tasks if new_tasks is not None else list(target.tasks.all())
        after = snapshot_of(target, new_rows, tasks_now)
        flags_before = Target.objects.filter(pk=target.pk).values("serves_public", "special_fund").get()
        if after == before and flags_before == {
            "serves_public": target.serves_public,
            "special_fund": target.special_fund,
        }:
            target.refresh_from_db()
            return target  # nothing changed: no new version, nothing recorded
        kept, added = [], []
        for row, data in zip(new_rows, rows, strict=True):
            if data.id and data.id in existing:
                row.id = data.id
                kept.append(row)
            else:
                added.append(row)
        target.indicators.exclude(pk__in=[r.id for r in kept]).delete()  # comments keep their row_label
        TargetIndicator.objects.bulk_update(
            kept, [*ROW_FIELDS, "order", "comparator", "value_kind", "number", "upper", "template", "template_changed"]
        )
        TargetIndicator.objects.bulk_create(added)
        if new_tasks is not None:
            target.tasks.all().delete()
            TargetTask.objects.bulk_create(new_tasks)
        target.version += 1
        target.save()
        b, a = audit.diff(before, after)
        audit.record(actor, "target.update", target, before=b, after=a)
    return target


def do_add_from_library(target_id: int, template_ids: list[int], *, actor, expected_version) -> Target:
    """Append library indicators as rows ("选择题"): suggested value = comparator + the library's typical value."""
    with transaction.atomic():
        target = _locked_editable(target_id, actor, expected_version)
        templates = list(IndicatorTemplate.objects.visible_to(actor).filter(pk__in=template_ids, state="published"))
        if not templates:
            raise ValidationError("请选择要加入的库内指标。")
        start = target.indicators.count()
        for i, t in enumerate(templates):
            row = TargetIndicator(
                region_id=target.region_id,
                target=target,
                order=start + i,
                level1=t.level1,
                level2=t.level2,
                name=t.name,
                unit=t.unit,
                source=t.source,
                template=t,
                value=suggested_value(t),
            )
            parse_into(row, target.year)
            row.save()
        IndicatorTemplate.objects.filter(pk__in=[t.pk for t in templates]).update(usage_count=F("usage_count") + 1)
        _sort_by_framework(target)
        target.version += 1
        target.save(update_fields=["version", "updated_at"])
        audit.record(actor, "target.add_from_library", target, after={"templates": [t.code for t in templates]})
    return target


def do_add_suggestions(target_id: int, names: list[str], *, actor, expected_version) -> Target:
    """Add recommended indicators (one click each): library ones keep their link, history-only ones become rows."""
    from wenxiao.library.recommend_db import suggest_for_target

    target = visible_target(actor, target_id)
    chosen = [s for s in suggest_for_target(target, top=20) if s.name in set(names)]
    if not chosen:
        raise ValidationError("请选择要加入的推荐指标。")
    codes = [s.template_code for s in chosen if s.template_code]
    if codes:
        ids = list(IndicatorTemplate.objects.visible_to(actor).filter(code__in=codes).values_list("pk", flat=True))
        target = do_add_from_library(target_id, ids, actor=actor, expected_version=expected_version)
        expected_version = target.version
    others = [s for s in chosen if not s.template_code]
    if others:
        current = [
            RowInput(
                level1=r.level1,
                level2=r.level2,
                name=r.name,
                value=r.value,
                unit=r.unit,
                weight=r.weight,
                mid_value=r.mid_value,
                source=r.source,
                note=r.note,
                id=r.pk,
            )
            for r in target.indicators.all()
        ]
        added = [
            RowInput(level1=s.level1, level2=s.level2, name=s.name, value=s.suggested_value, unit=s.unit)
            for s in others
        ]
        target = do_save_target(target_id, actor=actor, expected_version=expected_version, rows=current + added)
    return target


def _sort_by_framework(target: Target) -> None:
    """Keep the grid in the framework's order (产出 → 效益 → 满意度, 二级 within), rows of a block in place."""
    tree = Framework.objects.get(key=target.framework).tree()
    rank = {(l1, l2): (i, j) for i, (l1, l2s) in enumerate(tree.items()) for j, l2 in enumerate(l2s)}
    rows = list(target.indicators.all())
    rows.sort(key=lambda r: (rank.get((r.level1, r.level2), (99, 99)), r.order, r.pk))
    for i, r in enumerate(rows):
        r.order = i
    TargetIndicator.objects.bulk_update(rows, ["order"])


def suggested_value(t: IndicatorTemplate) -> str:
    if t.comparator == "定性" or t.p50 is None:
        return "达到预期" if t.comparator == "定性" else ""
    number = f"{t.p50.normalize():f}"
    return f"{t.comparator}{number}{'%' if t.unit == '%' else ''}"


def do_distribute_weights(target_id: int, *, actor, expected_version) -> Target:
    """Share each 一级 block's points equally among its rows, per the target's weight scheme."""
    with transaction.atomic():
        target = _locked_editable(target_id, actor, expected_version)
        rows = list(target.indicators.all())
        if not rows:
            raise ValidationError("尚未设置绩效指标。")
        for row, w in zip(
            rows, checks.distribute(target_data(target, rows).rows, target_data(target, rows)), strict=True
        ):
            row.weight = w
        TargetIndicator.objects.bulk_update(rows, ["weight"])
        target.version += 1
        target.save(update_fields=["version", "updated_at"])
        audit.record(actor, "target.distribute_weights", target, after={"weights": [str(r.weight) for r in rows]})
    return target


# --- review ------------------------------------------------------------------------------------------


def do_transition(target_id: int, action: str, *, actor, comment: str = "", expected_version=None) -> Target:
    if not can_write(actor):
        raise PermissionDenied("只读账号不能办理审核。")
    target = visible_target(actor, target_id)
    if action in ("final_pass", "final_return", "final_reject", "approve"):
        raise ValidationError("终审和批复请使用终审表单和批复功能。")
    if action == "submit":
        problems = problems_of(target)
        if problems:
            raise ValidationError(
                f"还有 {len(problems)} 处问题需要修改后才能提交。",
                {"problems": [p.message if p.row is None else f"第{p.row + 1}行：{p.message}" for p in problems]},
            )
    with transaction.atomic():
        if action == "adjust":
            if not comment.strip():
                raise ValidationError("请填写调整原因。")
            Target.objects.filter(pk=target.pk).update(adjusting=True, adjust_reason=comment.strip())
            target.adjusting = True
        result = workflow.transition(target, action, actor=actor, comment=comment, expected_version=expected_version)
        if action in ("dept_return", "business_return") or (action == "dept_approve" and comment.strip()):
            stage = target.workflow.state_label(target.state if action.endswith("return") else "dept_review")
            TargetComment.objects.create(
                region_id=target.region_id, target=target, stage=stage, text=comment.strip(), author=actor
            )
    return result


def do_comment(target_id: int, *, actor, text: str, indicator_id: int | None = None) -> TargetComment:
    """A reviewer's comment on the target or on one row; it goes back to the unit with the target."""
    if not can_write(actor):
        raise PermissionDenied("只读账号不能填写审核意见。")
    target = visible_target(actor, target_id, roles=REVIEWER_ROLES)
    if not text.strip():
        raise ValidationError("意见不能为空。", {"text": ["必填"]})
    row = None
    if indicator_id:
        row = target.indicators.filter(pk=indicator_id).first()
        if row is None:
            raise ValidationError("该指标不属于这个绩效目标。")
    with transaction.atomic():
        c = TargetComment.objects.create(
            region_id=target.region_id,
            target=target,
            indicator=row,
            row_label=row.name if row else "",
            stage=target.state_label,
            text=text.strip(),
            author=actor,
        )
        audit.record(actor, "target.comment", target, after={"row": c.row_label, "text": c.text})
    return c


def do_final_review(
    target_id: int, *, actor, grade: str, dimensions: dict[str, str], opinion: str = "", expected_version=None
) -> Target:
    """绩效科终审: five dimensions and a grade; the grade decides the step (88号, configurable per region)."""
    if not can_write(actor):
        raise PermissionDenied("只读账号不能终审。")
    target = visible_target(actor, target_id, roles=("performance",))
    errors: dict[str, list[str]] = {}
    if grade not in ("优", "良", "中", "差"):
        errors.setdefault("grade", []).append("请选择审核等级（优/良/中/差）")
    for d in REVIEW_DIMENSIONS:
        if not (dimensions.get(d) or "").strip():
            errors.setdefault("dimensions", []).append(f"请填写“{d}”的审核结论")
    effect = setting("targets.grade_effects", target.region, target.year).get(grade)
    if effect in ("return", "reject") and not opinion.strip():
        errors.setdefault("opinion", []).append("等级为中或差时须写明审核意见")
    if errors:
        raise ValidationError("终审信息不完整。", errors)
    action = {"pass": "final_pass", "return": "final_return", "reject": "final_reject"}[effect]
    with transaction.atomic():
        result = workflow.transition(
            target, action, actor=actor, comment=f"等级：{grade}。{opinion.strip()}", expected_version=expected_version
        )
        TargetReview.objects.create(
            region_id=target.region_id,
            target=target,
            grade=grade,
            dimensions={d: dimensions[d].strip() for d in REVIEW_DIMENSIONS},
            opinion=opinion.strip(),
            reviewer=actor,
        )
        Target.objects.filter(pk=target.pk).update(grade=grade)
        if opinion.strip():
            TargetComment.objects.create(
                region_id=target.region_id, target=target, stage="绩效科终审", text=opinion.strip(), author=actor
            )
        audit.record(actor, "target.final_review", target, after={"grade": grade, "dimensions": dimensions})
    result.grade = grade
    return result


# --- approval with the budget ------------------------------------------------------------------------


def do_approve(
    department_id: int,
    year: int,
    *,
    actor,
    document_no: str,
    title: str = "",
    target_ids: list[int] | None = None,
    publish: bool = True,
) -> Approval:
    """批复 a department's passed targets for a year, with their budgets; each approved target gets a version."""
    if not can_write(actor):
        raise PermissionDenied("只读账号不能批复。")
    department = (
        Organisation.objects.visible_to(actor, roles=("performance",))
        .filter(pk=department_id, kind="department")
        .first()
    )
    if department is None:
        raise PermissionDenied("只有该部门所在辖区的绩效科可以批复。")
    if not (document_no or "").strip():
        raise ValidationError("请填写批复文号。", {"document_no": ["必填"]})
    targets = Target.objects.filter(department=department, year=year, state="passed")
    if target_ids is not None:
        targets = targets.filter(pk__in=target_ids)
    targets = list(targets.select_related("project"))
    if not targets:
        raise ValidationError("没有终审通过、待批复的绩效目标。")
    from wenxiao.appraisal.services import gate_reason

    blocked = [f"{t.project.name}：{r}" for t in targets if t.project_id and (r := gate_reason(t.project, year))]
    if blocked:  # the budget goes with the target: an ex-ante assessment that has not passed stops both
        raise ValidationError("以下项目的预算暂不能批复。", {"projects": blocked})
    with transaction.atomic():
        approval = Approval.objects.create(
            region=department.region,
            department=department,
            year=year,
            document_no=document_no.strip(),
            title=title.strip() or f"关于批复{department.name}{year}年度部门预算及绩效目标的通知",
            approved_by=actor,
            publish=publish,
        )
        for target in targets:
            workflow.transition(target, "approve", actor=actor, comment=f"批复文号：{approval.document_no}")
            number = target.current_version + 1
            reason = target.adjust_reason if target.adjusting else ""
            TargetVersion.objects.create(
                region_id=target.region_id,
                target=target,
                number=number,
                snapshot=snapshot(target),
                reason=reason,
                approval=approval,
            )
            Target.objects.filter(pk=target.pk).update(
                current_version=number, approval=approval, published=publish, adjusting=False
            )
            if target.project_id:
                ProjectBudget.objects.filter(project_id=target.project_id, year=year, approved_at__isnull=True).update(
                    approved_at=timezone.now()
                )
        from wenxiao.library.tasks import refresh_reference_ranges

        transaction.on_commit(refresh_reference_ranges.enqueue)  # approved numbers are new evidence
        audit.record(
            actor,
            "target.approve",
            approval,
            object_repr=approval.title,
            after={"document_no": approval.document_no, "targets": [t.pk for t in targets]},
        )
    return approval


def budget_gate(project: Project, year: int) -> str | None:
    """Why the project's budget for `year` cannot be approved yet, or None (“无目标不安排预算”)."""
    from wenxiao.appraisal.services import gate_reason

    if reason := gate_reason(project, year):
        return reason
    required = setting("targets.required_classes", project.region, year)
    if (
        project.project_class in required
        and not TargetVersion.objects.filter(target__project=project, target__year=year).exists()
    ):
        return f"{project.get_project_class_display()}须有已批复的 {year} 年度绩效目标，才能批复预算"
    return None


def do_approve_budget(project_id: int, year: int, *, actor) -> ProjectBudget:
    """批复 one project's budget (e.g. 人员类/运转类 without a target); the target gate applies."""
    if not can_write(actor):
        raise PermissionDenied("只读账号不能批复预算。")
    project = Project.objects.visible_to(actor, roles=("performance", "business")).filter(pk=project_id).first()
    if project is None:
        raise PermissionDenied("只有财政部门可以批复预算。")
    budget = ProjectBudget.objects.filter(project=project, year=year).first()
    if budget is None:
        raise NotFound(f"该项目没有 {year} 年度预算。")
    if budget.approved_at:
        raise Conflict("该年度预算已批复。")
    if reason := budget_gate(project, year):
        raise ValidationError(reason)
    with transaction.atomic():
        budget.approved_at = timezone.now()
        budget.save(update_fields=["approved_at"])
        audit.record(actor, "project.budget_approve", project, after={"year": year})
    return budget
