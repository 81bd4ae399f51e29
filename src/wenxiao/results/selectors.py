"""Reads of 结果应用, always from `visible_to(user)`: the ledger, its 清零销号 figures, letters, suggestion sheets."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from django.db.models import Count, Q, Sum
from django.utils import timezone

from wenxiao.results.models import (
    OPEN_STATES,
    BudgetSuggestionSheet,
    FeedbackLetter,
    RectificationItem,
    Source,
)


def items(user, year: int | None = None, *, state: str = "", source: str = "", overdue: bool = False, q: str = ""):
    qs = RectificationItem.objects.visible_to(user).select_related("unit", "department", "project")
    if year:
        qs = qs.filter(year=year)
    if state:
        qs = qs.filter(state=state)
    if source:
        qs = qs.filter(source=source)
    if overdue:
        qs = qs.overdue()
    if q:
        qs = qs.filter(Q(problem__icontains=q) | Q(unit__name__icontains=q) | Q(project__name__icontains=q))
    return qs


def _rate(n, d):
    return None if not d else (Decimal(n) * 100 / Decimal(d)).quantize(Decimal("0.1"))


def figures(user, year: int) -> dict:
    """清零销号: totals and, by department and by source, items, verified, overdue, closed rate (duplicates once)."""
    today = timezone.localdate()
    qs = RectificationItem.objects.visible_to(user).filter(year=year).counted()
    agg = dict(
        total=Count("id"),
        verified=Count("id", filter=Q(state="verified")),
        overdue=Count("id", filter=Q(state__in=OPEN_STATES, deadline__lt=today)),
        fed_back=Count("id", filter=Q(state="fed_back")),
    )
    total = qs.aggregate(**agg)
    total["rate"] = _rate(total["verified"], total["total"])
    total["overdue_rate"] = _rate(total["overdue"], total["total"])
    total["linked"] = RectificationItem.objects.visible_to(user).filter(year=year, duplicate_of__isnull=False).count()
    by_dept = list(qs.values("department_id", "department__name").annotate(**agg).order_by("department__name"))
    labels = dict(Source.choices)
    by_source = list(qs.values("source").annotate(**agg).order_by("source"))
    for row in by_dept + by_source:
        row["rate"] = _rate(row["verified"], row["total"])
        row["overdue_rate"] = _rate(row["overdue"], row["total"])
        if "source" in row:
            row["label"] = labels.get(row["source"], row["source"])
    return {"total": total, "by_department": by_dept, "by_source": by_source}


def letters(user, year: int | None = None):
    qs = FeedbackLetter.objects.visible_to(user).select_related("unit", "department")
    return qs.filter(year=year) if year else qs


def sheets(user, year: int | None = None):
    qs = BudgetSuggestionSheet.objects.visible_to(user).select_related("department")
    return qs.filter(year=year) if year else qs


def sheet_totals(sheet: BudgetSuggestionSheet) -> dict:
    lines = list(sheet.lines.select_related("project"))
    recorded = [x for x in lines if x.actual_amount is not None]
    by_action: dict[str, dict] = defaultdict(lambda: {"n": 0, "current": Decimal(0), "suggested": Decimal(0)})
    for x in lines:
        a = by_action[x.action_label]
        a["n"] += 1
        a["current"] += x.current_amount
        a["suggested"] += x.suggested_amount
    return {
        "lines": lines,
        "current": sum((x.current_amount for x in lines), Decimal(0)),
        "suggested": sum((x.suggested_amount for x in lines), Decimal(0)),
        "recorded": len(recorded),
        "recorded_suggested": sum((x.suggested_amount for x in recorded), Decimal(0)),
        "actual": sum((x.actual_amount for x in recorded), Decimal(0)),
        "followed": sum(1 for x in recorded if x.actual_amount == x.suggested_amount),
        "by_action": dict(by_action),
    }


def sheet_or_none(user, pk: int):
    qs = BudgetSuggestionSheet.objects.visible_to(user).select_related("department", "created_by")
    return qs.filter(pk=pk).first()


def finished_evaluations(user, year: int | None = None):
    """Final evaluations a letter can be written from (the 绩效科's own region)."""
    from wenxiao.evaluation.models import Evaluation

    qs = Evaluation.objects.visible_to(user, ("performance",)).filter(state__in=("final", "archived"))
    return qs.filter(year=year) if year else qs


def amount_sum(qs, field: str) -> Decimal:
    return qs.aggregate(s=Sum(field))["s"] or Decimal(0)


def negative_listed(unit_id: int, project_id: int | None = None) -> list:
    """Active 负面清单 entries of a unit (the whole unit) or of the project: for other apps to show a badge and for
    事前评估 to flag a listed unit's new projects (R40)."""
    from wenxiao.monitoring.models import NegativeListEntry

    q = Q(unit_id=unit_id, project__isnull=True)
    if project_id:
        q |= Q(project_id=project_id)
    return list(NegativeListEntry.objects.filter(q, removed_at__isnull=True).order_by("-added_at"))
