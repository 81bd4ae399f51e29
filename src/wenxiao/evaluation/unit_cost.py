"""成本绩效评价 (R28): the project's unit cost for each quantity indicator against similar projects of the year.

A peer is another project of the year whose target has the same library indicator (or, without a library link,
the same indicator name and unit). Unit cost = the target's annual amount ÷ the indicator's planned quantity.
"""

from __future__ import annotations

from decimal import Decimal
from statistics import median, quantiles

from django.db.models import Q

from wenxiao.targets.models import TargetIndicator


def _cost(amount, number) -> Decimal | None:
    if not number or Decimal(number) <= 0 or not amount:
        return None
    return (Decimal(amount) / Decimal(number)).quantize(Decimal("0.01"))


def comparison(project, year: int, limit_peers: int = 5000) -> list[dict]:
    rows = list(
        TargetIndicator.objects.filter(
            target__project=project, target__year=year, level2__contains="数量", number__gt=0
        ).select_related("target")
    )
    out = []
    for row in rows:
        own = _cost(row.target.amount, row.number)
        if own is None:
            continue
        same = Q(template_id=row.template_id) if row.template_id else Q(name=row.name, unit=row.unit)
        peers = (
            TargetIndicator.objects.filter(same, target__year=year, target__kind="project", number__gt=0)
            .exclude(target__project=project)
            .values_list("target__amount", "number")[:limit_peers]
        )
        costs = sorted(c for a, n in peers if (c := _cost(a, n)) is not None)
        item = {"name": row.name, "unit": row.unit, "cost": own, "peers": len(costs)}
        if len(costs) >= 3:
            q1, _, q3 = quantiles(costs, n=4)
            mid = median(costs)
            item.update(
                median=Decimal(mid).quantize(Decimal("0.01")),
                p25=Decimal(q1).quantize(Decimal("0.01")),
                p75=Decimal(q3).quantize(Decimal("0.01")),
                position=round(sum(1 for c in costs if c < own) * 100 / len(costs)),
                ratio=(own / Decimal(mid)).quantize(Decimal("0.01")) if mid else None,
            )
            item["verdict"] = (
                "单位成本明显偏高"
                if own > item["p75"] * Decimal("1.2")
                else "单位成本偏低，需核实质量"
                if own < item["p25"] * Decimal("0.8")
                else "处于同类项目正常区间"
            )
        else:
            item["verdict"] = "同类项目不足3个，无法比较"
        out.append(item)
    return out
