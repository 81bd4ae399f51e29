"""Reads of 绩效运行监控, always scoped: overview by department/region/budget kind, laggards, warnings, rounds."""

from __future__ import annotations

from django.db.models import Count, F, FloatField, Q, Sum
from django.db.models.functions import Cast

from wenxiao.catalog.choices import BudgetKind
from wenxiao.monitoring.models import MONITOR_FLOW, MonitoringForm, MonitoringRound, ProjectStatus, Warning
from wenxiao.projects.models import MonthlyExecution


def _rate(spent, budget) -> float | None:
    return round(float(spent or 0) / float(budget) * 100, 2) if budget else None


def statuses(user, year: int):
    return ProjectStatus.objects.visible_to(user).filter(year=year)


def overview(user, year: int) -> dict:
    qs = statuses(user, year)
    agg = qs.aggregate(
        n=Count("id"),
        budget=Sum("budget"),
        spent=Sum("spent"),
        red=Count("id", filter=Q(light="red")),
        yellow=Count("id", filter=Q(light="yellow")),
        green=Count("id", filter=Q(light="green")),
    )
    first = qs.order_by("-as_of").values("as_of", "time_progress").first()
    return {
        **agg,
        "rate": _rate(agg["spent"], agg["budget"]),
        "as_of": first["as_of"] if first else None,
        "time_progress": first["time_progress"] if first else None,
    }


STATUS_STAMP = "monitoring.status"  # bumped by services._write_status, the only writer of ProjectStatus


def execution_figures(user, year: int) -> tuple[dict, str]:
    """The overview's totals and groupings from ProjectStatus, computed once per warning run and scope.

    Returns (figures, cache key); the key also names the cached rendering of the tables built from them.
    """
    from wenxiao.core.stamps import cached

    def compute() -> dict:
        return {
            "o": overview(user, year),
            "departments": by_department(user, year),
            "regions": by_region(user, year),
            "kinds": by_budget_kind(user, year),
            "laggards": [
                {
                    "project_id": s.project_id,
                    "project_name": s.project.name,
                    "department_name": s.department.name,
                    "rate": s.rate,
                    "gap": s.gap,
                    "light": s.light,
                }
                for s in laggards(user, year)
            ],
        }

    return cached(STATUS_STAMP, "execution", user, year, compute)


def _grouped(qs, key: str, label: str) -> list[dict]:
    rows = (
        qs.values(key, label)
        .annotate(
            n=Count("id"),
            budget=Sum("budget"),
            spent=Sum("spent"),
            red=Count("id", filter=Q(light="red")),
            yellow=Count("id", filter=Q(light="yellow")),
        )
        .order_by(label)
    )
    out = [{**r, "name": r[label], "key": r[key], "rate": _rate(r["spent"], r["budget"])} for r in rows]
    return sorted(out, key=lambda r: (r["rate"] is None, r["rate"] or 0))


def by_department(user, year: int) -> list[dict]:
    return _grouped(statuses(user, year), "department_id", "department__name")


def by_region(user, year: int) -> list[dict]:
    return _grouped(statuses(user, year), "region_id", "region__name")


def by_budget_kind(user, year: int) -> list[dict]:
    rows = _grouped(statuses(user, year), "project__budget_kind", "project__budget_kind")
    labels = dict(BudgetKind.choices)
    for r in rows:
        r["name"] = labels.get(r["key"], r["key"])
    return rows


def laggards(user, year: int, limit: int = 15):
    """Projects furthest behind time progress (the ones to chase first)."""
    return (
        statuses(user, year)
        .filter(rate__isnull=False)
        .annotate(gap=F("time_progress") - F("rate"))
        .filter(gap__gt=0)
        .select_related("project", "department")
        .order_by("-gap")[:limit]
    )


def warning_list(user, year: int, *, level: str = "", code: str = "", status: str = "", department: str = "", q=""):
    qs = Warning.objects.visible_to(user).filter(year=year).select_related("project", "department", "unit")
    qs = qs.filter(status=status) if status else qs.exclude(status=Warning.Status.CLEARED)
    if level:
        qs = qs.filter(level=level)
    if code:
        qs = qs.filter(code=code)
    if department.isdigit():
        qs = qs.filter(department_id=int(department))
    if q:
        qs = qs.filter(Q(project__name__contains=q) | Q(project__code__startswith=q))
    return qs.order_by("level", "-last_seen", "project__code", "code")  # "red" sorts before "yellow"


def warning_counts(user, year: int) -> list[dict]:
    return list(
        Warning.objects.visible_to(user)
        .filter(year=year)
        .exclude(status=Warning.Status.CLEARED)
        .values("code", "title")
        .annotate(n=Count("id"), red=Count("id", filter=Q(level="red")))
        .order_by("code")
    )


def monthly_curve(project_id: int, year: int) -> list[float]:
    """Spending per month (yuan) of one year, 12 values."""
    months = dict(
        MonthlyExecution.objects.filter(project_id=project_id, year=year)
        .annotate(a=Cast("amount", FloatField()))
        .values_list("month", "a")
    )
    return [round(months.get(m, 0.0), 2) for m in range(1, 13)]


def rounds(user, year: int | None = None):
    qs = MonitoringRound.objects.visible_to(user).select_related("department")
    if year:
        qs = qs.filter(year=year)
    return qs.annotate(
        forms_n=Count("forms"),
        done_n=Count("forms", filter=Q(forms__state="done")),
        submitted_n=Count("forms", filter=~Q(forms__state__in=("draft", "returned"))),
    )


def round_forms(user, rnd: MonitoringRound):
    return MonitoringForm.objects.visible_to(user).filter(round=rnd)


def completion(user, rnd: MonitoringRound) -> list[dict]:
    """A round's completion status per department: forms by state."""
    rows = (
        round_forms(user, rnd)
        .values("department_id", "department__name")
        .annotate(
            n=Count("id"),
            **{s: Count("id", filter=Q(state=s)) for s in MONITOR_FLOW.states},
        )
        .order_by("department__name")
    )
    out = []
    for r in rows:
        submitted = r["n"] - r["draft"] - r["returned"]
        out.append({**r, "submitted": submitted, "pct": round(submitted * 100 / r["n"], 1) if r["n"] else 0})
    return sorted(out, key=lambda r: r["pct"])


def coverage(user, rnd: MonitoringRound) -> dict:
    """R23 coverage figures: units, projects and amount monitored (forms submitted), against all in the round."""
    forms = round_forms(user, rnd)
    sub = forms.exclude(state__in=("draft", "returned"))

    def figures(qs):
        a = qs.aggregate(
            units=Count("unit", distinct=True),
            projects=Count("id"),
            amount=Sum("budget_annual"),
            executed=Sum("executed"),
        )
        a["rate"] = _rate(a["executed"], a["amount"])
        return a

    return {"all": figures(forms), "submitted": figures(sub)}
