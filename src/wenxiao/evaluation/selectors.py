"""Reads of 绩效评价, always from `visible_to(user)`: tasks, forms, completion, grade distribution, 复评 changes."""

from __future__ import annotations

from collections import Counter, defaultdict
from decimal import Decimal

from django.db.models import Count, Q

from wenxiao.evaluation.models import Evaluation, SelfEvalTask, SelfEvaluation

GRADE_ORDER = ("优", "良", "中", "差")


def tasks(user, year: int):
    return SelfEvalTask.objects.visible_to(user).filter(year=year).select_related("department").order_by("-id")


def forms(user, year: int | None = None):
    qs = SelfEvaluation.objects.visible_to(user).select_related("project", "unit", "department", "task")
    return qs.filter(year=year) if year else qs


def completion(user, task: SelfEvalTask) -> list[dict]:
    """Per department: forms issued, submitted (past the unit), done, and with credibility flags."""
    rows = (
        SelfEvaluation.objects.visible_to(user)
        .filter(task=task)
        .values("department_id", "department__name", "department__code")
        .annotate(
            total=Count("id"),
            submitted=Count("id", filter=~Q(state__in=("draft", "returned"))),
            done=Count("id", filter=Q(state="done")),
            flagged=Count("id", filter=Q(flag_count__gt=0, state__in=("dept_review", "finance_review", "done"))),
        )
        .order_by("department__code")
    )
    out = []
    for r in rows:
        r["rate"] = round(r["submitted"] * 100 / r["total"], 1) if r["total"] else 0
        out.append(r)
    return out


def _grade_counts(values) -> dict[str, int]:
    c = Counter(values)
    return {g: c.get(g, 0) for g in GRADE_ORDER}


def distribution(user, year: int) -> dict:
    """Grade mix of the year's submitted self-evaluations (R25: "89 优, 163 良 of 289, 87%"), as declared by the rules
    and after 复评, overall and by department, and the change 复评 made."""
    rows = list(
        SelfEvaluation.objects.visible_to(user)
        .filter(year=year)
        .exclude(state__in=("draft", "returned"))
        .values("id", "kind", "grade", "review_grade", "score", "review_score", "department__name", "flag_count")
    )
    final = [r["review_grade"] or r["grade"] for r in rows if r["grade"]]
    counts = _grade_counts(final)
    n = len(final)
    good = counts["优"] + counts["良"]
    by_dept: dict[str, list[str]] = defaultdict(list)
    for r in rows:
        if r["grade"]:
            by_dept[r["department__name"]].append(r["review_grade"] or r["grade"])
    departments = []
    for name, grades in sorted(by_dept.items()):
        c = _grade_counts(grades)
        departments.append({"name": name, **c, "n": len(grades), "good_rate": _pct(c["优"] + c["良"], len(grades))})
    reviewed = [r for r in rows if r["review_score"] is not None and r["score"] is not None]
    deltas = [r["review_score"] - r["score"] for r in reviewed]
    lowered = sum(1 for d in deltas if d < 0)
    regraded = sum(1 for r in reviewed if r["review_grade"] != r["grade"])
    return {
        "n": n,
        "counts": counts,
        "declared": _grade_counts([r["grade"] for r in rows if r["grade"]]),
        "good": good,
        "good_rate": _pct(good, n),
        "units": len({r["department__name"] for r in rows}),
        "departments": departments,
        "reviewed": len(reviewed),
        "lowered": lowered,
        "regraded": regraded,
        "mean_change": (sum(deltas, Decimal(0)) / len(deltas)).quantize(Decimal("0.01")) if deltas else None,
        "pairs": [[float(r["score"]), float(r["review_score"])] for r in reviewed],
        "flagged": sum(1 for r in rows if r["flag_count"]),
        "sentence": _sentence(counts, n, good),
    }


def _pct(part: int, whole: int) -> float | None:
    return round(part * 100 / whole, 1) if whole else None


def _sentence(counts: dict[str, int], n: int, good: int) -> str:
    if not n:
        return "尚无已提交的自评结果。"
    parts = "，".join(f"{g} {counts[g]} 个" for g in GRADE_ORDER if counts[g])
    return f"共 {n} 个自评结果：{parts}；优良率 {_pct(good, n)}%。"


def flagged(user, year: int, limit: int = 50):
    """Submitted self-evaluations whose scores the evidence does not support, most flags first (R33)."""
    return (
        forms(user, year)
        .filter(flag_count__gt=0)
        .exclude(state__in=("draft", "returned"))
        .order_by("-flag_count", "-score", "id")[:limit]
    )


def evaluations(user, year: int | None = None):
    qs = Evaluation.objects.visible_to(user).select_related("subject_org", "department", "project", "agency")
    return qs.filter(year=year) if year else qs
