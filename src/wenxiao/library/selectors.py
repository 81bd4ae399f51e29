"""Reads of the indicator library."""

from __future__ import annotations

from wenxiao.core.search import search
from wenxiao.library.models import IndicatorTemplate


def indicator_list(
    user, *, q: str = "", level1: str = "", level2: str = "", function: str = "", state: str = "", common: str = ""
):
    qs = IndicatorTemplate.objects.visible_to(user)
    if q:
        qs = search(qs, q)
    if level1:
        qs = qs.filter(level1=level1)
    if level2:
        qs = qs.filter(level2=level2)
    if function:
        qs = qs.filter(sectors__code__startswith=function).distinct()
    if state:
        qs = qs.filter(state=state)
    if common in ("1", "0"):
        qs = qs.filter(is_common=common == "1")
    return qs.order_by("-usage_count", "code")


def for_project_function(user, function_code: str, q: str = ""):
    """Indicators suited to a 功能分类 项: its own, its 款's, then the 共性 ones."""
    qs = indicator_list(user, q=q, state="published")
    from django.db.models import Case, IntegerField, Q, Value, When

    if function_code:
        qs = qs.filter(Q(sectors__code=function_code) | Q(sectors__code=function_code[:5]) | Q(is_common=True))
        qs = qs.annotate(
            rank=Case(
                When(sectors__code=function_code, then=Value(0)),
                When(sectors__code=function_code[:5], then=Value(1)),
                default=Value(2),
                output_field=IntegerField(),
            )
        ).order_by("rank", "level1", "level2", "-usage_count")
    return qs.distinct()
