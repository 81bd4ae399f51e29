"""Rectification figures for 考核 and 财政运行综合绩效评价 (registered in oversight's metric registry)."""

from __future__ import annotations

from django.db.models import Count, Q
from django.utils import timezone

from wenxiao.oversight.metrics import metric, pct, within
from wenxiao.results.models import OPEN_STATES


def _agg(subject, year):
    from wenxiao.results.models import RectificationItem

    today = timezone.localdate()
    return (
        RectificationItem.objects.filter(within(subject), year=year)
        .counted()
        .exclude(state="draft")
        .aggregate(
            n=Count("id"),
            done=Count("id", filter=Q(state="verified")),
            late=Count("id", filter=Q(state__in=OPEN_STATES, deadline__lt=today)),
        )
    )


@metric("rectify_done_rate", "整改完成率")
def rectify_done_rate(subject, year):
    """已下发的整改事项（同一问题多渠道发现的只计一次）中，已核验销号的比例。"""
    a = _agg(subject, year)
    return pct(a["done"], a["n"])


@metric("rectify_overdue_rate", "整改逾期率")
def rectify_overdue_rate(subject, year):
    """已下发的整改事项中，超过整改期限仍未核验销号的比例（逆向指标）。"""
    a = _agg(subject, year)
    return pct(a["late"], a["n"])


def ledger_figures(region, year: int) -> dict:
    """整改 figures of a region and everything below it, for the annual work report (R53)."""
    a = _agg(region, year)
    return {"items": a["n"], "closed": a["done"], "overdue": a["late"]}
