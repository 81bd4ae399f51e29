"""Writes to the project library. Every function checks permission, writes and audits in one transaction."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.utils import timezone

from wenxiao.catalog.choices import BudgetKind, FundType, ProjectAttribute, ProjectClass
from wenxiao.catalog.models import EconomicClass, FunctionClass
from wenxiao.core import audit, workflow
from wenxiao.core.errors import Conflict, NotFound, PermissionDenied, ValidationError
from wenxiao.core.scoping import can_write
from wenxiao.core.text import search_text
from wenxiao.orgs.models import Organisation
from wenxiao.projects.models import BudgetAdjustment, Project, ProjectBudget, ResponsiblePerson

EDITOR_ROLES = ("unit", "department", "business", "performance")
FINANCE_ROLES = ("business", "performance")
UNIT_EDITABLE_STATES = ("draft", "returned")

# Fields a user may set on a project; amounts belong to the year's budget.
PROJECT_FIELDS = (
    "name",
    "kind",
    "description",
    "start_year",
    "end_year",
    "budget_kind",
    "fund_type",
    "function_class_id",
    "economic_class_id",
    "project_class",
    "attribute",
)
AMOUNT_FIELDS = ("amount_initial", "amount_fiscal", "amount_carryover", "amount_other")


@dataclass
class ProjectInput:
    """Validated values for creating or editing a project (from a form, the API or an import)."""

    name: str
    unit_code: str
    year: int
    function_code: str
    amount_initial: Decimal
    kind: str = Project.Kind.PROJECT
    description: str = ""
    start_year: int | None = None
    end_year: int | None = None
    budget_kind: str = BudgetKind.GENERAL
    fund_type: str = ""
    economic_code: str = ""
    project_class: str = ProjectClass.SPECIAL
    attribute: str = ProjectAttribute.NEW
    amount_fiscal: Decimal | None = None
    amount_carryover: Decimal = Decimal("0")
    amount_other: Decimal = Decimal("0")
    responsible_name: str = ""
    responsible_position: str = ""
    responsible_phone: str = ""


def _money(value, label: str, errors: dict) -> Decimal:
    try:
        d = Decimal(str(value)).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError, TypeError):
        errors.setdefault(label, []).append("不是有效的金额")
        return Decimal("0")
    if d < 0:
        errors.setdefault(label, []).append("金额不能为负数")
    if d >= Decimal("1e14"):
        errors.setdefault(label, []).append("金额过大")
    return d


def validate_fields(data: dict, errors: dict) -> dict:
    """Check and normalise the project-level fields present in `data`; collect Chinese messages in `errors`."""
    out: dict = {}
    if "name" in data:
        name = (data["name"] or "").strip()
        if not name:
            errors.setdefault("name", []).append("项目名称不能为空")
        elif len(name) > 180:
            errors.setdefault("name", []).append("项目名称不能超过180个字")
        out["name"] = name
    choices = {
        "kind": Project.Kind,
        "budget_kind": BudgetKind,
        "fund_type": FundType,
        "project_class": ProjectClass,
        "attribute": ProjectAttribute,
    }
    labels = {
        "kind": "类型",
        "budget_kind": "预算类型",
        "fund_type": "资金类型",
        "project_class": "项目类别",
        "attribute": "项目属性",
    }
    for key, enum in choices.items():
        if key in data:
            value = data[key] if data[key] is not None else ""
            if value not in enum.values:
                errors.setdefault(key, []).append(f"{labels[key]}“{value}”不在可选范围内")
            out[key] = value
    if "description" in data:
        out["description"] = (data["description"] or "").strip()
    if "function_code" in data:
        code = (data["function_code"] or "").strip()
        fc = FunctionClass.objects.filter(code=code).first()
        if not fc:
            errors.setdefault("function_code", []).append(f"支出功能分类科目“{code}”不存在")
        out["function_class_id"] = code
    if "economic_code" in data:
        code = (data["economic_code"] or "").strip()
        if code and not EconomicClass.objects.filter(code=code, scheme="dept").exists():
            errors.setdefault("economic_code", []).append(f"部门预算经济分类科目“{code}”不存在")
        out["economic_class_id"] = code or None
    for key in ("start_year", "end_year"):
        if key in data and data[key] is not None:
            try:
                out[key] = int(data[key])
                if not 2000 <= out[key] <= 2100:
                    raise ValueError
            except (TypeError, ValueError):
                errors.setdefault(key, []).append("年度应为2000至2100之间的整数")
    return out


def _check_period(start: int, end: int, errors: dict) -> None:
    if start and end and end < start:
        errors.setdefault("end_year", []).append("结束年度不能早于起始年度")


def _unit_in_scope(actor, unit_code: str, errors: dict) -> Organisation | None:
    unit = (
        Organisation.objects.filter(code=unit_code, kind=Organisation.Kind.UNIT)
        .select_related("parent", "region")
        .first()
    )
    if unit is None:
        errors.setdefault("unit_code", []).append(f"预算单位代码“{unit_code}”不存在")
        return None
    if not Organisation.objects.visible_to(actor, roles=EDITOR_ROLES).filter(pk=unit.pk).exists():
        raise PermissionDenied("您无权为该预算单位登记项目。")
    return unit


def next_project_code(unit: Organisation, year: int) -> str:
    """21 characters: region code (6) + year (4) + unit code tail (6) + sequence within unit and year (5)."""
    prefix = f"{unit.region.code[:6]:0<6}{year:04d}{unit.code[-6:]:0>6}"
    last = Project.objects.filter(code__startswith=prefix).order_by("-code").values_list("code", flat=True).first()
    seq = int(last[-5:]) + 1 if last else 1
    return f"{prefix}{seq:05d}"


def _refresh_search(project: Project) -> None:
    project.search_text = search_text(project.name, project.code, project.unit.name, project.description)


def do_create_project(data: ProjectInput, *, actor) -> Project:
    if not can_write(actor):
        raise PermissionDenied("只读账号不能登记项目。")
    errors: dict[str, list[str]] = {}
    unit = _unit_in_scope(actor, data.unit_code, errors)
    fields = validate_fields(
        {
            k: getattr(data, k)
            for k in (
                "name",
                "kind",
                "description",
                "budget_kind",
                "fund_type",
                "function_code",
                "economic_code",
                "project_class",
                "attribute",
            )
        },
        errors,
    )
    year = int(data.year)
    start, end = data.start_year or year, data.end_year or year
    _check_period(start, end, errors)
    amounts = _budget_amounts(data, errors)
    if errors:
        raise ValidationError("项目信息有误，请按提示修改。", errors)
    for attempt in range(5):
        try:
            with transaction.atomic():
                project = Project(
                    region=unit.region,
                    department=unit.parent,
                    unit=unit,
                    start_year=start,
                    end_year=end,
                    state=Project.workflow.initial,
                    created_by=actor if actor.pk else None,
                    code=next_project_code(unit, year),
                    **fields,
                )
                _refresh_search(project)
                project.save()
                budget = ProjectBudget.objects.create(
                    region=unit.region,
                    project=project,
                    year=year,
                    amount_adjusted=amounts["amount_initial"],
                    **amounts,
                )
                if data.responsible_name.strip():
                    ResponsiblePerson.objects.create(
                        region=unit.region,
                        project=project,
                        name=data.responsible_name.strip(),
                        position=data.responsible_position.strip(),
                        phone=data.responsible_phone.strip(),
                        start_date=timezone.localdate(),
                        recorded_by=actor if actor.pk else None,
                    )
                workflow.open_work_item(project)
                from wenxiao.appraisal.services import flag_if_needed

                flag_if_needed(project, year, actor=actor)  # R05: new major projects need an ex-ante assessment
                audit.record(
                    actor,
                    "project.create",
                    project,
                    after={**audit.snapshot(project), "budget": audit.snapshot(budget)},
                )
                return project
        except IntegrityError:
            if attempt == 4:
                raise Conflict("生成项目代码时发生冲突，请重试。")
    raise AssertionError("unreachable")


def _budget_amounts(data: ProjectInput, errors: dict) -> dict:
    initial = _money(data.amount_initial, "amount_initial", errors)
    carry = _money(data.amount_carryover, "amount_carryover", errors)
    other = _money(data.amount_other, "amount_other", errors)
    fiscal = (
        _money(data.amount_fiscal, "amount_fiscal", errors)
        if data.amount_fiscal is not None
        else initial - carry - other
    )
    if fiscal + carry + other != initial:
        errors.setdefault("amount_initial", []).append(
            f"资金来源合计 {fiscal + carry + other:,.2f} 元与年初预算 {initial:,.2f} 元不一致"
        )
    return {
        "amount_initial": initial,
        "amount_fiscal": fiscal,
        "amount_carryover": carry,
        "amount_other": other,
    }


def editable_by(project: Project, actor) -> bool:
    if not can_write(actor):
        return False
    roles = ("unit", "department") if project.state in UNIT_EDITABLE_STATES else ()
    if project.state == "in_library":
        roles = FINANCE_ROLES
    if not roles and not actor.is_superuser:
        return False
    return Project.objects.visible_to(actor, roles=roles or None).filter(pk=project.pk).exists()


def do_update_project(project_id: int, changes: dict, *, actor, expected_version: int | None) -> Project:
    """Edit a project's fields and (optionally) one year's budget amounts.

    `expected_version` is the version the user loaded; if someone saved in between, nothing is written and
    Conflict is raised (no silent overwrite).
    """
    errors: dict[str, list[str]] = {}
    with transaction.atomic():
        project = Project.objects.select_for_update().filter(pk=project_id).first()
        if project is None or not Project.objects.visible_to(actor).filter(pk=project_id).exists():
            raise NotFound("项目不存在。")
        if not editable_by(project, actor):
            raise PermissionDenied(f"项目处于“{project.state_label}”状态，您无权修改。")
        if expected_version is None:
            raise ValidationError("请提供 version（您读取时的版本号），以免覆盖他人的修改。", {"version": ["必填"]})
        if int(expected_version) != project.version:
            raise Conflict(
                f"该项目已被他人修改（当前版本 {project.version}，您的版本 {expected_version}），请刷新后再修改。"
            )
        fields = validate_fields(changes, errors)
        start = fields.get("start_year", project.start_year)
        end = fields.get("end_year", project.end_year)
        _check_period(start, end, errors)
        year = int(changes.get("year") or 0)
        budget = None
        amount_changes = {k: changes[k] for k in AMOUNT_FIELDS if changes.get(k) is not None}
        if amount_changes:
            budget = ProjectBudget.objects.select_for_update().filter(project=project, year=year).first()
            if budget is None:
                errors.setdefault("year", []).append(f"该项目没有 {year} 年度预算")
            elif budget.adjustments.exists() and "amount_initial" in amount_changes:
                errors.setdefault("amount_initial", []).append("已有预算调整记录，年初预算不能再修改，请登记预算调整")
        if errors:
            raise ValidationError("项目信息有误，请按提示修改。", errors)
        before = audit.snapshot(project)
        for key, value in fields.items():
            setattr(project, key, value)
        project.version += 1
        _refresh_search(project)
        project.save()
        after = audit.snapshot(project)
        if budget is not None:
            b_before = audit.snapshot(budget)
            merged = ProjectInput(
                name="",
                unit_code="",
                year=year,
                function_code="",
                amount_initial=amount_changes.get("amount_initial", budget.amount_initial),
                amount_fiscal=amount_changes.get(
                    "amount_fiscal", None if "amount_initial" in amount_changes else budget.amount_fiscal
                ),
                amount_carryover=amount_changes.get("amount_carryover", budget.amount_carryover),
                amount_other=amount_changes.get("amount_other", budget.amount_other),
            )
            amounts = _budget_amounts(merged, errors)
            if errors:
                raise ValidationError("预算金额有误，请按提示修改。", errors)
            for key, value in amounts.items():
                setattr(budget, key, value)
            budget.amount_adjusted = budget.amount_initial + sum(
                (a.amount for a in budget.adjustments.all()), Decimal("0")
            )
            budget.save()
            before["budget"], after["budget"] = audit.diff(b_before, audit.snapshot(budget))
        before, after = audit.diff(before, after)
        audit.record(actor, "project.update", project, before=before, after=after)
    return project


def do_transition(project_id: int, action: str, *, actor, comment: str = "", expected_version=None) -> Project:
    project = Project.objects.visible_to(actor).filter(pk=project_id).first()
    if project is None:
        raise NotFound("项目不存在。")
    if not can_write(actor):
        raise PermissionDenied("只读账号不能办理审核。")
    if action == "finance_approve":
        from wenxiao.appraisal.services import gate_reason

        if reason := gate_reason(project):  # R07: no passing ex-ante assessment, no 入库
            raise ValidationError(reason)
    return workflow.transition(project, action, actor=actor, comment=comment, expected_version=expected_version)


def do_adjust_budget(
    project_id: int,
    *,
    year: int,
    amount,
    reason: str,
    adjust_date: date | None = None,
    document_no: str = "",
    actor,
) -> BudgetAdjustment:
    """Record a budget adjustment (预算调整) by finance; 调整后预算 moves by `amount`."""
    errors: dict[str, list[str]] = {}
    if not can_write(actor):
        raise PermissionDenied("只读账号不能登记预算调整。")
    if not Project.objects.visible_to(actor, roles=FINANCE_ROLES).filter(pk=project_id).exists():
        if Project.objects.visible_to(actor).filter(pk=project_id).exists():
            raise PermissionDenied("预算调整由财政部门登记。")
        raise NotFound("项目不存在。")
    delta = Decimal("0")
    try:
        delta = Decimal(str(amount)).quantize(Decimal("0.01"))
        if delta == 0:
            errors.setdefault("amount", []).append("调整金额不能为零")
    except (InvalidOperation, ValueError, TypeError):
        errors.setdefault("amount", []).append("不是有效的金额")
    if not (reason or "").strip():
        errors.setdefault("reason", []).append("请填写调整原因")
    with transaction.atomic():
        budget = ProjectBudget.objects.select_for_update().filter(project_id=project_id, year=year).first()
        if budget is None:
            errors.setdefault("year", []).append(f"该项目没有 {year} 年度预算")
        elif budget.amount_adjusted + delta < 0:
            errors.setdefault("amount", []).append("调减后预算不能为负数")
        if errors:
            raise ValidationError("预算调整信息有误。", errors)
        before = audit.snapshot(budget)
        adj = BudgetAdjustment.objects.create(
            region_id=budget.region_id,
            budget=budget,
            date=adjust_date or timezone.localdate(),
            amount=delta,
            reason=reason.strip(),
            document_no=document_no.strip(),
            created_by=actor,
        )
        budget.amount_adjusted += delta
        budget.save(update_fields=["amount_adjusted"])
        audit.record(
            actor,
            "project.budget_adjust",
            budget.project,
            before={"amount_adjusted": before["amount_adjusted"]},
            after={
                "amount_adjusted": f"{budget.amount_adjusted:.2f}",
                "year": year,
                "amount": f"{delta:.2f}",
                "reason": adj.reason,
                "document_no": adj.document_no,
            },
        )
    return adj


def do_change_responsible(
    project_id: int,
    *,
    name: str,
    position: str = "",
    phone: str = "",
    reason: str = "",
    start: date | None = None,
    actor,
) -> ResponsiblePerson:
    """Hand the project to a new 项目责任人: the current one's term ends, the new one starts, both are kept."""
    if not can_write(actor):
        raise PermissionDenied("只读账号不能变更责任人。")
    project = Project.objects.visible_to(actor, roles=EDITOR_ROLES).filter(pk=project_id).first()
    if project is None:
        raise NotFound("项目不存在。")
    if not (name or "").strip():
        raise ValidationError("请填写新责任人姓名。", {"name": ["必填"]})
    start = start or timezone.localdate()
    with transaction.atomic():
        current = project.responsible_persons.select_for_update().filter(end_date__isnull=True).first()
        if current and current.start_date > start:
            raise ValidationError("新责任人的起始日期不能早于现任责任人的起始日期。", {"start": ["日期有误"]})
        if current:
            current.end_date = start
            current.save(update_fields=["end_date"])
        person = ResponsiblePerson.objects.create(
            region_id=project.region_id,
            project=project,
            name=name.strip(),
            position=position.strip(),
            phone=phone.strip(),
            start_date=start,
            change_reason=reason.strip(),
            recorded_by=actor,
        )
        audit.record(
            actor,
            "project.responsible_change",
            project,
            before={"responsible": current.name if current else None},
            after={
                "responsible": person.name,
                "position": person.position,
                "reason": person.change_reason,
                "start_date": start.isoformat(),
            },
        )
    return person
