"""Reads of 事前绩效评估, scoped (assessors see what they were assigned), and its statistics."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from wenxiao.appraisal.models import Appraisal


def appraisal_list(user, *, year: int | None = None, state: str = "", conclusion: str = "", department: str = ""):
    qs = Appraisal.objects.visible_to(user).select_related("project", "unit", "department")
    if year:
        qs = qs.filter(year=year)
    if state:
        qs = qs.filter(state=state)
    if conclusion:
        qs = qs.filter(conclusion=conclusion)
    if department:
        qs = qs.filter(department__code=department)
    return qs.order_by("department__code", "id")


def stats(user, year: int) -> dict:
    """Per department: assessed, amount requested and recommended (funds saved), conclusions mix."""
    rows: dict[int, dict] = {}
    for a in appraisal_list(user, year=year).values(
        "department",
        "department__name",
        "department__code",
        "state",
        "conclusion",
        "amount_requested",
        "amount_recommended",
    ):
        d = rows.setdefault(
            a["department"],
            {
                "department": a["department__name"],
                "code": a["department__code"],
                "count": 0,
                "concluded": 0,
                "requested": Decimal("0"),
                "recommended": Decimal("0"),
                "saved": Decimal("0"),
                "mix": defaultdict(int),
            },
        )
        d["count"] += 1
        d["requested"] += a["amount_requested"]
        if a["state"] == "concluded":
            d["concluded"] += 1
            d["mix"][a["conclusion"]] += 1
            d["recommended"] += a["amount_recommended"] or 0
            d["saved"] += a["amount_requested"] - (a["amount_recommended"] or 0)
    out = sorted(rows.values(), key=lambda r: r["code"])
    for r in out:
        r["mix"] = dict(r["mix"])
    keys = ("count", "concluded", "requested", "recommended", "saved")
    total = {
        k: sum((r[k] for r in out), Decimal("0") if k in ("requested", "recommended", "saved") else 0) for k in keys
    }
    total["mix"] = {c: sum(r["mix"].get(c, 0) for r in out) for c in ("support", "adjust", "reject")}
    return {"year": year, "departments": out, "total": total}
