"""The review engine (targets/rules.py, pure) applied to targets in the database.

`findings_for(target)` builds the engine's plain input from a target: its rows, the project's money and 功能分类,
last year's approved target of the same project, and the approved targets of other units' projects of the
same 功能分类 项 and year (for copied targets, Q09). Thresholds come from the `targets.review` setting of the
target's region and year.
"""

from __future__ import annotations

from wenxiao.core.config import setting
from wenxiao.targets import rules
from wenxiao.targets.models import Target, TargetVersion

PEERS = 20  # other units' targets compared for Q09


def input_for(target: Target) -> dict:
    project = target.project
    data = {
        "project_name": project.name if project else f"{target.unit.name}整体支出",
        "year": target.year,
        "function_code": project.function_class_id if project else "",
        "amount": float(target.amount),
        "project_class": project.get_project_class_display() if project else "",
        "special_fund": target.special_fund,
        "public_service": target.serves_public,
        "overall_goal": target.goal,
        "indicators": [
            {
                "level1": r.level1,
                "level2": r.level2,
                "name": r.name,
                "target": r.value,
                "unit": r.unit,
                "weight": float(r.weight) if r.weight is not None else None,
            }
            for r in target.indicators.all()
        ],
    }
    if project:
        last = (
            TargetVersion.objects.filter(target__project=project, target__year__lt=target.year)
            .order_by("-target__year", "-number")
            .first()
        )
        if last:
            data["last_year"] = {
                "indicators": [{"name": r["name"], "target": r["value"]} for r in last.snapshot.get("rows", [])]
            }
        peers = (
            TargetVersion.objects.filter(
                target__year=target.year,
                target__kind="project",
                target__project__function_class_id=project.function_class_id,
                target__region=target.region,
            )
            .exclude(target__unit=target.unit)
            .order_by("-id")[:PEERS]
        )
        data["others"] = [
            [{"name": r["name"], "target": r["value"], "unit": r.get("unit", "")} for r in v.snapshot.get("rows", [])]
            for v in peers
        ]
    return data


def config_for(target: Target) -> rules.ReviewConfig:
    """The review thresholds of the target's region and year; rules that have their own setting keep one source."""
    values = dict(setting("targets.review", target.region, target.year))
    values.update(
        framework=target.framework,
        scheme=target.scheme.weights,
        fallback=target.scheme.fallback,
        special_fund_min_quantitative=setting("targets.special_fund_min_quantitative", target.region, target.year),
    )
    return rules.ReviewConfig.from_dict(values)


def findings_for(target: Target) -> list[rules.Finding]:
    return rules.review(input_for(target), rules.load_library(), config_for(target))
