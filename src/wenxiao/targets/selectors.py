"""Reads of targets, scoped; and the review statistics of R13."""

from __future__ import annotations

from collections import Counter, defaultdict

from django.db.models import Count, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce

from wenxiao.core.config import setting
from wenxiao.core.models import Transition
from wenxiao.orgs.models import Organisation
from wenxiao.projects.models import ProjectBudget
from wenxiao.targets.models import Target, TargetComment, TargetIndicator, TargetReview

REVIEWED_STATES = ("passed", "approved", "rejected")


def target_list(user, *, year: int | None = None, state: str = "", department: str = "", kind: str = "", q: str = ""):
    qs = Target.objects.visible_to(user).select_related("project", "unit", "department")
    if year:
        qs = qs.filter(year=year)
    if state:
        qs = qs.filter(state=state)
    if department:
        qs = qs.filter(department__code=department)
    if kind:
        qs = qs.filter(kind=kind)
    if q:
        qs = qs.filter(Q(project__name__contains=q) | Q(unit__name__contains=q) | Q(project__code=q))
    # A correlated count, not annotate(Count(...)): a GROUP BY over every selected column made the API list take
    # about a second on the city data; this way only the rows of the page are counted (and count() skips it).
    rows = TargetIndicator.objects.filter(target=OuterRef("pk")).order_by().values("target").annotate(n=Count("id"))
    return qs.annotate(rows=Coalesce(Subquery(rows.values("n")), 0)).order_by("department__code", "unit__code", "id")


def target_detail(user, pk: int) -> Target | None:
    return (
        Target.objects.visible_to(user)
        .select_related("project", "unit", "department", "region", "scheme", "approval")
        .filter(pk=pk)
        .first()
    )


def _count_by(qs, field: str) -> Counter:
    """Rows per value of `field` (the model's default ordering cleared, or it would split the groups)."""
    return Counter(dict(qs.order_by().values_list(field).annotate(n=Count("id"))))


def review_stats(user, year: int) -> dict:
    """Per department: 应申报, 已申报, 申报率, targets and rows reviewed, revision suggestions, returns, grades."""
    targets = Target.objects.visible_to(user).filter(year=year, kind="project")
    budgets = ProjectBudget.objects.visible_to(user).filter(year=year).select_related("project__region")
    required: Counter = Counter()
    classes_of: dict[int, list[str]] = {}  # region id -> classes that need a target (a setting per region)
    for b in budgets:
        region = b.project.region
        if region.pk not in classes_of:
            classes_of[region.pk] = setting("targets.required_classes", region, year)
        if b.project.project_class in classes_of[region.pk]:
            required[b.project.department_id] += 1
    declared = _count_by(targets.exclude(state="draft"), "department")
    reviewed_qs = Target.objects.filter(
        pk__in=targets.filter(Q(state__in=REVIEWED_STATES) | Q(reviews__isnull=False)).values("pk")
    )
    reviewed = _count_by(reviewed_qs, "department")
    rows = _count_by(TargetIndicator.objects.filter(target__in=reviewed_qs), "target__department")
    suggestions = _count_by(TargetComment.objects.filter(target__in=targets), "target__department")
    ids = list(targets.values_list("id", flat=True))
    returns: Counter = Counter()
    dept_of = dict(targets.values_list("id", "department"))
    for object_id in Transition.objects.filter(
        workflow="target", object_id__in=ids, action__in=["dept_return", "business_return", "final_return"]
    ).values_list("object_id", flat=True):
        returns[dept_of[object_id]] += 1
    grades: dict[int, Counter] = defaultdict(Counter)
    for dept, grade in targets.exclude(grade="").values_list("department", "grade"):
        grades[dept][grade] += 1
    dept_ids = set(required) | set(declared) | set(reviewed)
    names = dict(Organisation.objects.filter(pk__in=dept_ids).values_list("id", "name"))
    codes = dict(Organisation.objects.filter(pk__in=dept_ids).values_list("id", "code"))
    out = []
    for d in sorted(dept_ids, key=lambda i: codes[i]):
        req = required[d]
        out.append(
            {
                "department": names[d],
                "code": codes[d],
                "required": req,
                "declared": declared[d],
                "rate": round(100 * declared[d] / req, 1) if req else None,
                "reviewed": reviewed[d],
                "rows": rows[d],
                "suggestions": suggestions[d],
                "returns": returns[d],
                "grades": {g: grades[d][g] for g in ("优", "良", "中", "差")},
            }
        )
    total = {k: sum(r[k] for r in out) for k in ("required", "declared", "reviewed", "rows", "suggestions", "returns")}
    total["rate"] = round(100 * total["declared"] / total["required"], 1) if total["required"] else None
    total["grades"] = {g: sum(r["grades"][g] for r in out) for g in ("优", "良", "中", "差")}
    total["final_reviews"] = TargetReview.objects.filter(target__in=targets).count()
    return {"year": year, "departments": out, "total": total}
