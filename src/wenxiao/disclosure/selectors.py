"""Reads of 信息公开. The public ones read only live `Publication` rows; the staff ones start from visible_to()."""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, Max, Q

from wenxiao.core.search import search
from wenxiao.disclosure.models import Publication

KIND = Publication.Kind
# URL slug of each kind in the open-data downloads: /public/data/<slug>.csv
KINDS = [k for k, _ in KIND.choices]
PUBLISHER_ROLES = ("performance",)


# --- public (anonymous) ----------------------------------------------------------------------------------------


def generation() -> str:
    """Changes whenever anything is published or withdrawn: the public pages' cache key prefix."""
    a = Publication.objects.aggregate(n=Count("id"), last=Max("id"), at=Max("changed_at"))
    return f"{a['n']}.{a['last']}.{a['at'].timestamp() if a['at'] else 0}"


def public_items(*, kind: str = "", year: int | None = None, department_id: int | None = None, region_id=None, q=""):
    qs = Publication.objects.live()
    if kind:
        qs = qs.filter(kind=kind)
    if year:
        qs = qs.filter(year=year)
    if department_id:
        qs = qs.filter(department_id=department_id)
    if region_id:
        qs = qs.filter(region_id=region_id)
    if q.strip():
        qs = search(qs, q)
    return qs.defer("snapshot", "search_text").order_by("-year", "kind", "department_name", "title", "id")


def public_item(pk: int) -> Publication | None:
    return Publication.objects.live().filter(pk=pk).first()


def public_counts() -> dict:
    """{year: {kind: n, "total": n}}, newest year first, and the kinds in display order."""
    out: dict[int, dict] = {}
    for r in Publication.objects.live().values("year", "kind").annotate(n=Count("id")).order_by("-year", "kind"):
        row = out.setdefault(r["year"], {"total": 0})
        row[r["kind"]] = r["n"]
        row["total"] += r["n"]
    return out


def public_filters() -> dict:
    """The choices of the filter form: only values that occur among published items."""
    live = Publication.objects.live()
    return {
        "years": sorted(set(live.values_list("year", flat=True)), reverse=True),
        "departments": list(
            live.exclude(department__isnull=True)
            .values_list("department_id", "department_name")
            .distinct()
            .order_by("department_name")
        ),
        "regions": list(live.values_list("region_id", "region_name").distinct().order_by("region_name")),
    }


def open_data(kind: str, year: int | None = None):
    qs = Publication.objects.live().filter(kind=kind)
    if year:
        qs = qs.filter(year=year)
    return qs.only(
        "id", "kind", "year", "region_name", "department_name", "title", "snapshot", "published_at", "pdf"
    ).order_by("-year", "department_name", "title", "id")


# --- staff -----------------------------------------------------------------------------------------------------


def publications(user, *, kind: str = "", year: int | None = None, state: str = ""):
    qs = Publication.objects.visible_to(user).select_related("published_by", "withdrawn_by")
    if kind:
        qs = qs.filter(kind=kind)
    if year:
        qs = qs.filter(year=year)
    if state == "live":
        qs = qs.filter(withdrawn_at__isnull=True)
    elif state == "withdrawn":
        qs = qs.filter(withdrawn_at__isnull=False)
    return qs.defer("snapshot", "search_text").order_by("-published_at", "-id")


def publisher_region_ids(user) -> set[int] | None:
    """Regions whose items the user may publish (a 绩效科 publishes its own region's); None means all (superuser)."""
    if user.is_superuser:
        return None
    return set(user.assignments.filter(role__in=PUBLISHER_ROLES).values_list("org__region_id", flat=True))


def _source_model(kind: str):
    from wenxiao.evaluation.models import Evaluation, SelfEvaluation
    from wenxiao.monitoring.models import MonitoringRound
    from wenxiao.targets.models import Target

    return {
        KIND.TARGET: Target,
        KIND.MONITORING: MonitoringRound,
        KIND.SELFEVAL: SelfEvaluation,
        KIND.EVALUATION: Evaluation,
    }[kind]


def candidates(user, kind: str, year: int, department_id: int | None = None):
    """Items of `kind` and `year` the user may publish and that are not published now (state rules per kind)."""
    if kind not in KINDS:
        return None
    model = _source_model(kind)
    qs = model.objects.visible_to(user, PUBLISHER_ROLES).filter(year=year)
    regions = publisher_region_ids(user)
    if regions is not None:
        qs = qs.filter(region_id__in=regions)
    if kind == KIND.TARGET:
        qs = qs.filter(state="approved").select_related("project", "unit", "department")
        order = ("department__code", "project__code", "id")
    elif kind == KIND.SELFEVAL:
        qs = qs.filter(state="done").select_related("project", "unit", "department")
        order = ("department__code", "project__code", "id")
    elif kind == KIND.EVALUATION:
        qs = qs.filter(state__in=("final", "archived")).select_related("project", "subject_org", "department")
        order = ("department__code", "id")
    else:  # a monitoring round: once it is closed or every form of it is reviewed
        from wenxiao.monitoring.models import MonitoringForm

        pending = MonitoringForm.objects.exclude(state="done").values("round_id")
        qs = qs.filter(Q(closed_at__isnull=False) | ~Q(pk__in=pending)).select_related("department")
        order = ("period_end", "id")
    if department_id and kind == KIND.MONITORING:
        qs = qs.filter(forms__department_id=department_id).distinct()
    elif department_id:
        qs = qs.filter(department_id=department_id)
    live = Publication.objects.live().filter(kind=kind, content_type=ContentType.objects.get_for_model(model))
    if kind == KIND.MONITORING:
        live = live.filter(department_id=department_id) if department_id else live.filter(department__isnull=True)
    return qs.exclude(pk__in=live.values("object_id")).order_by(*order)
