"""Reads of 考核与综合评价, always scoped (`visible_to`): a county or a department sees only its own published rows."""

from __future__ import annotations

from collections import Counter
from decimal import Decimal

from django.db.models import Count

from wenxiao.core.scoping import can_write
from wenxiao.oversight import scoring
from wenxiao.oversight.models import (
    AssessmentRound,
    AssessmentScheme,
    AssessmentScore,
    AssessmentSubject,
    Interview,
    Referral,
)

GRADES = ["优", "良", "中", "差"]


def is_owner(user, region_id: int) -> bool:
    """The 绩效科 of the region that owns a scheme or round (the only one who writes)."""
    if not can_write(user):
        return False
    return user.is_superuser or user.assignments.filter(role="performance", org__region_id=region_id).exists()


def sees_all(user, rnd: AssessmentRound) -> bool:
    """Owner side readers (finance of the round's region, 人大 viewers above it) see every subject."""
    return AssessmentRound.objects.filter(pk=rnd.pk).filter(AssessmentRound.objects.all().owner_q(user)).exists() or (
        user.is_superuser
    )


def schemes(user, year: int | None = None):
    qs = AssessmentScheme.objects.visible_to(user).select_related("region").annotate(n=Count("indicators"))
    return qs.filter(year=year) if year else qs


def rounds(user, year: int | None = None):
    qs = AssessmentRound.objects.visible_to(user).select_related("region", "scheme")
    if year:
        qs = qs.filter(year=year)
    return qs.order_by("-year", "-id")


def subjects(user, rnd: AssessmentRound):
    return (
        AssessmentSubject.objects.visible_to(user)
        .filter(round=rnd)
        .select_related("subject_region", "subject_org")
        .order_by("rank", "code")
    )


def scores(user, subject_ids) -> dict[tuple[int, int], AssessmentScore]:
    rows = AssessmentScore.objects.visible_to(user).filter(subject_id__in=list(subject_ids)).select_related("indicator")
    return {(s.subject_id, s.indicator_id): s for s in rows}


def table(user, rnd: AssessmentRound) -> dict:
    """The ranking table with one column per indicator, the grade mix and the per-indicator breakdown."""
    subs = list(subjects(user, rnd))
    inds = list(rnd.indicators.all())
    cells = scores(user, [s.pk for s in subs])
    rows = [{"s": s, "cells": [cells.get((s.pk, i.pk)) for i in inds]} for s in subs]
    mix = Counter(s.grade for s in subs if s.grade)
    breakdown = []
    for k, ind in enumerate(inds):
        vals = [r["cells"][k].score for r in rows if r["cells"][k] is not None and r["cells"][k].score is not None]
        raw = [r["cells"][k].value for r in rows if r["cells"][k] is not None and r["cells"][k].value is not None]
        avg = (sum(vals, Decimal(0)) / len(vals)).quantize(Decimal("0.01")) if vals else None
        breakdown.append(
            {
                "ind": ind,
                "avg": avg,
                "rate": (avg / ind.weight * 100).quantize(Decimal("0.1")) if avg is not None and ind.weight else None,
                "min": min(vals) if vals else None,
                "max": max(vals) if vals else None,
                "lost": sum(1 for v in vals if v < ind.weight),
                "n": len(vals),
                "avg_value": (sum(raw, Decimal(0)) / len(raw)).quantize(Decimal("0.01")) if raw else None,
            }
        )
    weak = scoring.weak_points(
        [
            (b["ind"].name, b["ind"].weight, [r["cells"][k].score for r in rows if r["cells"][k]])
            for k, b in enumerate(breakdown)
        ]
    )
    return {
        "subjects": subs,
        "indicators": inds,
        "rows": rows,
        "mix": [(g, mix.get(g, 0)) for g in GRADES],
        "breakdown": breakdown,
        "weak": weak,
        "missing": sum(s.missing for s in subs),
    }


def chart_data(rnd: AssessmentRound, rows: list[dict]) -> dict:
    from wenxiao.core.config import setting

    return {
        "rows": [
            {"name": r["s"].name, "total": float(r["s"].total or 0), "grade": r["s"].grade, "rank": r["s"].rank}
            for r in rows
        ],
        "bands": setting("oversight.grade_bands", rnd.region, rnd.year),
    }


def subject_scores(user, subject: AssessmentSubject):
    return AssessmentScore.objects.visible_to(user).filter(subject=subject).select_related("indicator", "updated_by")


def interviews(user, subject: AssessmentSubject):
    return Interview.objects.visible_to(user).filter(subject=subject)


def referrals(user, subject: AssessmentSubject):
    return Referral.objects.visible_to(user).filter(subject=subject)


def manual_items(user, rnd: AssessmentRound):
    return (
        AssessmentScore.objects.visible_to(user)
        .filter(subject__round=rnd, indicator__source="manual")
        .select_related("subject", "indicator")
        .order_by("indicator__order", "subject__code")
    )
