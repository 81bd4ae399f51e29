"""The recommender over the database: published library indicators plus the rows of approved targets.

Scope: the recommender reads shared data only, so it applies no unit scope (ScopedQuerySet.visible_to).
Published library indicators are visible to every user (IndicatorQuerySet.visible_to: 共建共享), and approved
targets are published with the budget (随预算公开); what comes out is an indicator's name, levels, unit,
comparator, value spread and usage counts — never which unit or project wrote a row. Drafts, proposals and
targets still in review are not read.

One recommender is cached per process and per province (the root of the region path: history of one
jurisdiction); it is rebuilt when the fingerprint changes — count and max id of approved target versions,
of targets in the approved state and of published library indicators, and the sum of their versions.
"""

from __future__ import annotations

import threading

from django.db.models import Count, Max, Sum

from wenxiao.library.models import IndicatorTemplate
from wenxiao.library.recommend import Recommender, Suggestion, from_rows
from wenxiao.targets.models import Target, TargetIndicator, TargetVersion

_CACHE: dict[str, tuple[tuple, Recommender]] = {}
_LOCK = threading.Lock()


def _root(region) -> str:
    """The province code of a region ("430000/430400/" → "430000"); "" for everything."""
    if region is None:
        return ""
    path = getattr(region, "path", "") or ""
    return path.split("/", 1)[0] or getattr(region, "code", "")


def fingerprint() -> tuple:
    """Cheap: three aggregate queries over indexed columns."""
    versions = TargetVersion.objects.aggregate(n=Count("id"), m=Max("id"))
    approved = Target.objects.filter(state="approved").aggregate(n=Count("id"), m=Max("id"), v=Sum("version"))
    templates = IndicatorTemplate.objects.filter(state="published").aggregate(
        n=Count("id"), m=Max("id"), v=Sum("version")
    )
    return (
        versions["n"],
        versions["m"],
        approved["n"],
        approved["m"],
        approved["v"],
        templates["n"],
        templates["m"],
        templates["v"],
    )


def template_rows() -> list[dict]:
    """Published library indicators as plain dicts (two queries: the indicators and their 适用领域)."""
    sectors: dict[int, list[str]] = {}
    through = IndicatorTemplate.sectors.through.objects.filter(indicatortemplate__state="published")
    for tid, code in through.values_list("indicatortemplate_id", "functionclass_id").order_by("functionclass_id"):
        sectors.setdefault(tid, []).append(code)
    rows = []
    for t in IndicatorTemplate.objects.filter(state="published").values(
        "id",
        "code",
        "name",
        "level1",
        "level2",
        "unit",
        "comparator",
        "value_kind",
        "definition",
        "is_common",
        "ref_p10",
        "ref_p50",
        "ref_p90",
        "usage_count",
    ):
        rows.append(
            {
                "code": t["code"],
                "name": t["name"],
                "level1": t["level1"],
                "level2": t["level2"],
                "unit": t["unit"],
                "comparator": t["comparator"],
                "value_kind": t["value_kind"],
                "definition": t["definition"],
                "common": t["is_common"],
                "sectors": sectors.get(t["id"], []),
                "p10": t["ref_p10"],
                "p50": t["ref_p50"],
                "p90": t["ref_p90"],
                "usage": t["usage_count"],
            }
        )
    return rows


def history_rows(root: str = "") -> list[dict]:
    """Indicator rows of approved project targets, grouped in SQL by indicator, value, project name and function
    code (`count` rows each): one query, far fewer rows than the table."""
    qs = TargetIndicator.objects.filter(target__state="approved", target__kind="project")
    if root:
        qs = qs.filter(target__region__path__startswith=f"{root}/")
    grouped = (
        qs.values(
            "name",
            "level1",
            "level2",
            "unit",
            "comparator",
            "value",
            "value_kind",
            "number",
            "upper",
            "template__code",
            "target__project__name",
            "target__project__function_class_id",
        )
        .annotate(count=Count("id"))
        .order_by()
    )
    out = []
    for g in grouped.iterator(chunk_size=5000):
        number = g["number"] if g["upper"] is None and g["value_kind"] in ("number", "percent") else None
        out.append(
            {
                "name": g["name"],
                "level1": g["level1"],
                "level2": g["level2"],
                "unit": g["unit"],
                "comparator": g["comparator"],
                "value": g["value"],
                "value_kind": g["value_kind"],
                "number": number,
                "template_code": g["template__code"],
                "project": g["target__project__name"] or "",
                "function_code": g["target__project__function_class_id"] or "",
                "count": g["count"],
            }
        )
    return out


def recommender_for(region=None) -> Recommender:
    """The recommender for a region's jurisdiction (None: all), rebuilt only when the data changed."""
    key = _root(region)
    fp = fingerprint()
    hit = _CACHE.get(key)
    if hit is not None and hit[0] == fp:
        return hit[1]
    with _LOCK:
        hit = _CACHE.get(key)
        if hit is not None and hit[0] == fp:
            return hit[1]
        rec = from_rows(template_rows(), history_rows(key))
        _CACHE[key] = (fp, rec)
        return rec


def clear_cache() -> None:
    _CACHE.clear()


def query_for_target(target) -> dict:
    """The recommender query of a target: its project's name, description (+ the overall goal), function code
    and the target's amount; a 部门整体 target asks with its unit's name."""
    project = target.project if target.project_id else None
    if project is not None:
        name, description, code = project.name, f"{project.description} {target.goal}", project.function_class_id
    else:
        name, description, code = f"{target.unit.name}部门整体支出", target.goal, ""
    return {"name": name, "description": description, "function_code": code or "", "amount": target.amount}


def suggest_for_target(target, top: int = 10) -> list[Suggestion]:
    """Suggestions for a target's editor, leaving out the indicators it already has."""
    existing = set(target.indicators.values_list("name", flat=True)) if target.pk else set()
    q = query_for_target(target)
    return recommender_for(target.region).recommend(
        q["name"], q["description"], q["function_code"], amount=q["amount"], top=top, exclude=existing
    )
