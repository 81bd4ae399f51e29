"""Writes to the indicator library: units and departments propose (共建), the 绩效科 publishes or disables."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.db import transaction

from wenxiao.catalog.models import FunctionClass
from wenxiao.core import audit, workflow
from wenxiao.core.errors import NotFound, PermissionDenied, ValidationError
from wenxiao.core.scoping import can_write
from wenxiao.core.text import search_text
from wenxiao.library.frameworks import FRAMEWORKS
from wenxiao.library.models import COMPARATORS, SOURCES, VALUE_KINDS, IndicatorTemplate

PROPOSER_ROLES = ("unit", "department", "business", "performance")
EDITABLE = (
    "name",
    "level1",
    "level2",
    "unit",
    "comparator",
    "value_kind",
    "definition",
    "formula",
    "scoring",
    "source",
)


def _validate(data: dict) -> tuple[dict, list[str], dict]:
    errors: dict[str, list[str]] = {}
    out = {
        k: (data.get(k) or "").strip()
        for k in (
            "name",
            "level1",
            "level2",
            "unit",
            "comparator",
            "value_kind",
            "definition",
            "formula",
            "scoring",
            "source",
        )
    }
    if not out["name"]:
        errors.setdefault("name", []).append("请填写指标名称")
    trees = [spec["tree"] for spec in FRAMEWORKS.values()]
    if not any(out["level1"] in t and out["level2"] in t[out["level1"]] for t in trees):
        errors.setdefault("level2", []).append(f"“{out['level1']}/{out['level2']}”不是有效的一级/二级指标组合")
    if out["comparator"] not in dict(COMPARATORS):
        errors.setdefault("comparator", []).append("请选择计算符号")
    if out["value_kind"] not in dict(VALUE_KINDS):
        errors.setdefault("value_kind", []).append("请选择值类型")
    if (out["value_kind"] == "qualitative") != (out["comparator"] == "定性"):
        errors.setdefault("value_kind", []).append("定性指标的计算符号应为“定性”")
    if out["value_kind"] in ("number", "percent") and not out["unit"]:
        errors.setdefault("unit", []).append("量化指标须填写计量单位")
    if out["source"] not in dict(SOURCES):
        out["source"] = "计划标准"
    codes = [c.strip() for c in (data.get("sectors") or []) if c.strip()]
    known = set(FunctionClass.objects.filter(code__in=codes).values_list("code", flat=True))
    if unknown := [c for c in codes if c not in known]:
        errors.setdefault("sectors", []).append(f"功能分类科目不存在：{'、'.join(unknown)}")
    for key in ("ref_p10", "ref_p50", "ref_p90"):
        if data.get(key) not in (None, ""):
            try:
                out[key] = Decimal(str(data[key]))
            except InvalidOperation:
                errors.setdefault(key, []).append("不是有效的数字")
    return out, codes, errors


def do_propose(data: dict, *, actor) -> IndicatorTemplate:
    """A new library indicator, proposed by the actor's organisation; the 绩效科 of its region publishes it."""
    if not can_write(actor) or not actor.has_role(*PROPOSER_ROLES):
        raise PermissionDenied("您无权提议入库指标。")
    fields, codes, errors = _validate(data)
    if errors:
        raise ValidationError("指标信息有误，请按提示修改。", errors)
    org = actor.assignments.filter(role__in=PROPOSER_ROLES).select_related("org__region").first().org
    with transaction.atomic():
        seq = IndicatorTemplate.objects.filter(code__startswith=f"R{org.region.code}").count() + 1
        t = IndicatorTemplate(
            region=org.region, proposed_by=org, code=f"R{org.region.code}{seq:05d}", state="draft", **fields
        )
        t.search_text = search_text(t.name, t.definition, t.level2)
        t.save()
        t.sectors.set(codes)
        workflow.transition(t, "propose", actor=actor, comment=data.get("reason", ""))
        audit.record(actor, "library.propose", t, after=audit.snapshot(t) | {"sectors": codes})
    return t


def do_transition(template_id: int, action: str, *, actor, comment: str = "") -> IndicatorTemplate:
    if not can_write(actor):
        raise PermissionDenied("只读账号不能办理。")
    t = IndicatorTemplate.objects.visible_to(actor).filter(pk=template_id).first()
    if t is None:
        raise NotFound("指标不存在。")
    # National templates (no region) are shared by every region: only a superuser may change their state.
    return workflow.transition(t, action, actor=actor, comment=comment)


def do_revise(template_id: int, data: dict, *, actor) -> IndicatorTemplate:
    """The 绩效科 edits one of its region's indicators: a new revision; targets keep the rows they copied."""
    if not can_write(actor):
        raise PermissionDenied("只读账号不能修改指标。")
    t = IndicatorTemplate.objects.visible_to(actor, roles=("performance",)).filter(pk=template_id).first()
    if t is None:
        raise PermissionDenied("只有指标所属辖区的绩效科可以修改指标（全国通用指标不可修改，可停用后另行提议）。")
    current = {f: getattr(t, f) for f in EDITABLE} | {"sectors": [s.code for s in t.sectors.all()]}
    fields, codes, errors = _validate(current | data)
    if errors:
        raise ValidationError("指标信息有误，请按提示修改。", errors)
    with transaction.atomic():
        before = audit.snapshot(t)
        for key, value in fields.items():
            setattr(t, key, value)
        t.revision += 1
        t.search_text = search_text(t.name, t.definition, t.level2)
        t.save()
        t.sectors.set(codes)
        b, a = audit.diff(before, audit.snapshot(t))
        audit.record(actor, "library.revise", t, before=b, after=a)
    return t
