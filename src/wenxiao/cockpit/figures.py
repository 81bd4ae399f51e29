"""Every figure of the cockpit for one subject (a region with its subtree, or a 主管部门) and year.

`compute(subject, year)` returns a plain JSON-able dict; it is run by `services.refresh` (task, CLI, 刷新 button),
never on a page request. Rules that already exist elsewhere are imported, not repeated:

- coverage rates: `oversight.metrics` registry (目标申报率, 事前评估完成率, 监控覆盖率, 自评覆盖率 …);
- subject scoping: `oversight.metrics.within` (a region's subtree, or a department's rows);
- execution against 序时进度: the `ProjectStatus` rows of the latest warning run, grouped like the monitoring
  overview (`monitoring.selectors._grouped`);
- 整改完成率: `results.metrics.ledger_figures`; grades: the submitted-forms rule of `evaluation.metrics`.

Figures that existed nowhere are defined here once: 重点评价资金覆盖率, grade counts per subject, funds saved
by the budget suggestion sheets, rankings. The row sets behind the figures (`*_rows`) are shared with the drill
page, so a figure and the list it opens cannot disagree.
"""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Avg, Count, Q, Sum
from django.db.models.functions import Coalesce

from wenxiao.oversight.metrics import compute as metric
from wenxiao.oversight.metrics import is_region, pct, within

GRADE_ORDER = ("优", "良", "中", "差")
# (metric key in oversight's registry or this module, label) — the stage coverage bar of the cockpit.
COVERAGE = [
    ("appraisal_coverage", "事前评估"),
    ("target_rate", "目标申报"),
    ("monitoring_coverage", "监控（项目）"),
    ("monitoring_coverage_amount", "监控（金额）"),
    ("selfeval_coverage", "单位自评"),
    ("key_evaluation_amount", "重点评价（金额）"),
]
SUBMITTED_SELFEVAL_EXCLUDE = ("draft", "returned")  # as evaluation.selectors.distribution
FINISHED_EVALUATION = ("final", "archived")


def _num(v):
    if v is None:
        return None
    return float(v) if isinstance(v, Decimal) else v


# --- row sets (shared by the figures and the drill page) --------------------------------------------------------


def status_rows(subject, year: int):
    from wenxiao.monitoring.models import ProjectStatus

    return ProjectStatus.objects.filter(within(subject), year=year)


def warning_rows(subject, year: int):
    """Open and handled warnings of the year (cleared ones no longer count), as the monitoring warning list."""
    from wenxiao.monitoring.models import Warning

    return Warning.objects.filter(within(subject), year=year).exclude(status=Warning.Status.CLEARED)


def selfeval_rows(subject, year: int):
    """Submitted self-evaluations with a grade; the final grade is the 复评 grade when there is one."""
    from wenxiao.evaluation.models import SelfEvaluation

    return (
        SelfEvaluation.objects.filter(within(subject), year=year)
        .exclude(state__in=SUBMITTED_SELFEVAL_EXCLUDE)
        .exclude(grade="")
    )


def selfeval_by_grade(qs, grade: str):
    """Rows whose final grade (复评 first, else the rule grade) is `grade`."""
    return qs.filter(Q(review_grade=grade) | (Q(review_grade="") & Q(grade=grade)))


def evaluation_rows(subject, year: int):
    """Finished 部门/财政评价 with a grade."""
    from wenxiao.evaluation.models import Evaluation

    return Evaluation.objects.filter(within(subject), year=year, state__in=FINISHED_EVALUATION).exclude(grade="")


def rectify_rows(subject, year: int, state: str = ""):
    """The ledger as `results.metrics` counts it: issued items, a problem found twice counted once."""
    from django.utils import timezone

    from wenxiao.results.models import OPEN_STATES, RectificationItem

    qs = RectificationItem.objects.filter(within(subject), year=year).counted().exclude(state="draft")
    if state == "verified":
        qs = qs.filter(state="verified")
    elif state == "overdue":
        qs = qs.filter(state__in=OPEN_STATES, deadline__lt=timezone.localdate())
    elif state == "open":  # not closed and not (yet) late
        qs = qs.exclude(state="verified").exclude(state__in=OPEN_STATES, deadline__lt=timezone.localdate())
    return qs


def suggestion_rows(subject, year: int):
    """Lines of the budget suggestion sheets built from this year's results (for next year's budget)."""
    from wenxiao.results.models import SuggestionLine

    return SuggestionLine.objects.filter(within(subject, "sheet__region", "sheet__department"), sheet__basis_year=year)


# --- figures that exist nowhere else ----------------------------------------------------------------------------


def key_evaluation_amount(subject, year: int):
    """重点评价资金覆盖率: money under a 财政/部门评价 of the year (any state but returned drafts) ÷ the year's
    adjusted budget of all projects, in %."""
    from wenxiao.evaluation.models import Evaluation
    from wenxiao.projects.models import ProjectBudget

    budget = ProjectBudget.objects.filter(
        within(subject, "project__region", "project__department"), year=year
    ).aggregate(s=Sum("amount_adjusted"))["s"]
    evaluated = Evaluation.objects.filter(within(subject), year=year).aggregate(s=Sum("amount"))["s"]
    return pct(evaluated, budget)


LOCAL_METRICS = {"key_evaluation_amount": key_evaluation_amount}


def _coverage(subject, year):
    out = []
    for key, label in COVERAGE:
        fn = LOCAL_METRICS.get(key)
        value = fn(subject, year) if fn else metric(key, subject, year)
        out.append({"key": key, "label": label, "value": _num(value)})
    return out


def _execution(subject, year):
    from wenxiao.monitoring.selectors import _grouped

    qs = status_rows(subject, year)
    agg = qs.aggregate(
        n=Count("id"),
        budget=Sum("budget"),
        spent=Sum("spent"),
        red=Count("id", filter=Q(light="red")),
        yellow=Count("id", filter=Q(light="yellow")),
        green=Count("id", filter=Q(light="green")),
    )
    first = qs.order_by("-as_of").values("as_of", "time_progress").first()
    rate = pct(agg["spent"], agg["budget"])
    key, label = ("department_id", "department__name") if is_region(subject) else ("unit_id", "unit__name")
    groups = _grouped(qs, key, label)
    return {
        "projects": agg["n"],
        "budget": _num(agg["budget"] or 0),
        "spent": _num(agg["spent"] or 0),
        "rate": _num(rate),
        "time_progress": first["time_progress"] if first else None,
        "as_of": first["as_of"].isoformat() if first else None,
        "lights": {"red": agg["red"], "yellow": agg["yellow"], "green": agg["green"]},
        "groups": [
            {
                "id": g["key"],
                "name": g["name"],
                "projects": g["n"],
                "budget": _num(g["budget"]),
                "spent": _num(g["spent"]),
                "rate": g["rate"],
                "red": g["red"],
                "yellow": g["yellow"],
            }
            for g in groups
        ],
        "group_kind": "department" if is_region(subject) else "unit",
    }


def _warnings(subject, year):
    from wenxiao.monitoring.warnings import RULE_TITLES

    qs = warning_rows(subject, year)
    levels = dict(qs.values_list("level").annotate(n=Count("id")).values_list("level", "n"))
    by_rule = list(qs.values("code").annotate(n=Count("id"), red=Count("id", filter=Q(level="red"))).order_by("code"))
    return {
        "red": levels.get("red", 0),
        "yellow": levels.get("yellow", 0),
        "by_rule": [{"code": r["code"], "title": RULE_TITLES.get(r["code"], r["code"]), **r} for r in by_rule],
    }


def _grades(subject, year):
    se = selfeval_rows(subject, year)
    se_counts = {g: selfeval_by_grade(se, g).count() for g in GRADE_ORDER}
    ev = dict(evaluation_rows(subject, year).values_list("grade").annotate(n=Count("id")).values_list("grade", "n"))
    se_n = sum(se_counts.values())
    return {
        "selfeval": se_counts,
        "selfeval_n": se_n,
        "selfeval_good_rate": _num(pct(se_counts["优"] + se_counts["良"], se_n)),
        "evaluation": {g: ev.get(g, 0) for g in GRADE_ORDER},
        "evaluation_n": sum(ev.get(g, 0) for g in GRADE_ORDER),
    }


def _rectify(subject, year):
    from wenxiao.results.metrics import ledger_figures

    f = ledger_figures(subject, year)
    return {**f, "rate": _num(pct(f["closed"], f["items"]))}


def _funds(subject, year):
    rows = list(
        suggestion_rows(subject, year)
        .values("action_label")
        .annotate(n=Count("id"), current=Sum("current_amount"), suggested=Sum("suggested_amount"))
        .order_by("action_label")
    )
    actions = [
        {
            "label": r["action_label"],
            "n": r["n"],
            "current": _num(r["current"]),
            "suggested": _num(r["suggested"]),
            "saved": _num(max(r["current"] - r["suggested"], Decimal(0))),
        }
        for r in rows
    ]
    return {
        "lines": sum(a["n"] for a in actions),
        "current": sum(a["current"] for a in actions),
        "suggested": sum(a["suggested"] for a in actions),
        "saved": sum(a["saved"] for a in actions),
        "actions": actions,
    }


def _selfeval_ranking(subject, year):
    """Departments (or, inside a department, units) by average final self-evaluation score."""
    key, label = ("department_id", "department__name") if is_region(subject) else ("unit_id", "unit__name")
    rows = (
        selfeval_rows(subject, year)
        .values(key, label)
        .annotate(n=Count("id"), avg=Avg(Coalesce("review_score", "score")))
        .order_by("-avg")
    )
    return [{"id": r[key], "name": r[label], "n": r["n"], "score": round(float(r["avg"] or 0), 2)} for r in rows]


def _region_ranking(subject, year):
    """Lower regions (each with its whole subtree) by execution rate, self-evaluation coverage and good rate."""
    if not is_region(subject):
        return []
    out = []
    for child in subject.children.order_by("code"):
        ex = status_rows(child, year).aggregate(budget=Sum("budget"), spent=Sum("spent"), n=Count("id"))
        se = selfeval_rows(child, year)
        n = se.count()
        good = selfeval_by_grade(se, "优").count() + selfeval_by_grade(se, "良").count()
        out.append(
            {
                "id": child.pk,
                "name": child.name,
                "projects": ex["n"],
                "rate": _num(pct(ex["spent"], ex["budget"])),
                "selfeval_coverage": _num(metric("selfeval_coverage", child, year)),
                "good_rate": _num(pct(good, n)),
            }
        )
    return sorted(out, key=lambda r: (r["rate"] is None, -(r["rate"] or 0)))


def _assessment(subject, year):
    """The latest published 考核 of the subject's region (department assessment, or of lower bureaus)."""
    from wenxiao.oversight.models import AssessmentRound

    region = subject if is_region(subject) else subject.region
    rounds = AssessmentRound.objects.filter(region=region, year__lte=year, state="published").order_by("-year", "-id")
    if not is_region(subject):  # a department: only the department assessment, and only its own row
        rounds = rounds.filter(kind="department", subjects__subject_org=subject).distinct()
    out = []
    for rnd in rounds[:2]:
        subjects = rnd.subjects.exclude(total__isnull=True).order_by("rank", "code")
        if not is_region(subject):
            subjects = subjects.filter(subject_org=subject)
        out.append(
            {
                "round_id": rnd.pk,
                "name": rnd.name,
                "year": rnd.year,
                "kind": rnd.kind,
                "rows": [
                    {"name": s.name, "total": _num(s.total), "rank": s.rank, "grade": s.grade} for s in subjects[:30]
                ],
            }
        )
    return out


def compute(subject, year: int) -> dict:
    """All figures of one subject and year (JSON-able)."""
    kind = "region" if is_region(subject) else "department"
    return {
        "subject": {"kind": kind, "id": subject.pk, "name": subject.name},
        "year": year,
        "coverage": _coverage(subject, year),
        "execution": _execution(subject, year),
        "warnings": _warnings(subject, year),
        "grades": _grades(subject, year),
        "rectify": _rectify(subject, year),
        "funds": _funds(subject, year),
        "rankings": {
            "selfeval": _selfeval_ranking(subject, year),
            "regions": _region_ranking(subject, year),
            "assessment": _assessment(subject, year),
        },
    }
