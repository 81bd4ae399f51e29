"""Reads of the agency, expert and supervision libraries, always scoped (see models.LibraryQuerySet)."""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, Q
from django.utils import timezone

from wenxiao.core.config import setting
from wenxiao.partners import quality
from wenxiao.partners.models import (
    Agency,
    AgencyStatusChange,
    Engagement,
    Expert,
    ExpertDraw,
    SupervisionInvitation,
    Supervisor,
    TemplateFlag,
    reader_region_ids,
)


def on_date(year: int | None) -> date:
    """The day a selection for `year` is judged on: today in the current year, else the year's last day."""
    today = timezone.localdate()
    if year is None or year == today.year:
        return today
    return date(year, 12, 31) if year < today.year else date(year, 1, 1)


def ancestors_q(region, field: str = "region") -> Q:
    """Rows whose region is `region` or one above it (a library kept by a higher bureau serves the regions below)."""
    codes = [c for c in region.path.split("/") if c]
    return Q(**{f"{field}__code__in": codes})


def banned_ids(day: date):
    """Agencies under a blacklist period that covers `day` (whatever their current status says)."""
    return (
        AgencyStatusChange.objects.filter(status=Agency.Status.BLACKLISTED, start__lte=day)
        .filter(Q(until__isnull=True) | Q(until__gte=day))
        .values("agency_id")
    )


def selectable_agencies(user, region, year):
    """Agencies that may be chosen for work in `region` in `year`: in the library of the region (or one above
    it), status 正常 and not under a blacklist period on that date."""
    from wenxiao.orgs.selectors import home_region

    region = region or home_region(user, ("performance", "business", "sysadmin"))
    if region is None:
        return Agency.objects.none()
    day = on_date(year)
    return (
        Agency.objects.filter(ancestors_q(region), status=Agency.Status.NORMAL)
        .exclude(pk__in=banned_ids(day))
        .select_related("org")
        .order_by("org__name")
    )


def invited_object_ids(user, model) -> set[int]:
    """Ids of the objects of `model` that `user` is invited to observe as a supervisor (read-only access)."""
    if user is None or not user.is_authenticated:
        return set()
    ct = ContentType.objects.get_for_model(model)
    return set(
        SupervisionInvitation.objects.filter(
            supervisor__user=user, supervisor__active=True, content_type=ct
        ).values_list("object_id", flat=True)
    )


def is_writer(user, region) -> bool:
    """The 绩效科 of `region` (or of a region above it) keeps its libraries."""
    from wenxiao.core.scoping import can_write

    if user is None or not user.is_authenticated or not can_write(user):
        return False
    ids = reader_region_ids(user, ("performance",))
    return ids is None or (region is not None and region.pk in ids)


def is_reader(user) -> bool:
    ids = reader_region_ids(user)
    return ids is None or bool(ids)


def own_agency(user) -> Agency | None:
    if user is None or not user.is_authenticated:
        return None
    return Agency.objects.filter(org_id__in=user.assignments.filter(role="agency").values("org_id")).first()


def own_expert(user) -> Expert | None:
    if user is None or not user.is_authenticated:
        return None
    return Expert.objects.filter(user=user).first()


def own_supervisor(user) -> Supervisor | None:
    if user is None or not user.is_authenticated:
        return None
    return Supervisor.objects.filter(user=user).first()


# --- agencies ----------------------------------------------------------------------------------------------------


def agency_list(user, *, status: str = "", q: str = "", agency_type: str = ""):
    qs = Agency.objects.visible_to(user).select_related("org", "region")
    if status:
        qs = qs.filter(status=status)
    if agency_type:
        qs = qs.filter(agency_type=agency_type)
    if q:
        qs = qs.filter(Q(org__name__contains=q) | Q(credit_code__startswith=q.upper()))
    return qs.annotate(
        n_engagements=Count("engagements", distinct=True),
        n_violations=Count("violations", distinct=True),
    ).order_by("status", "org__name")


def status_counts(user) -> dict[str, int]:
    rows = Agency.objects.visible_to(user).values("status").annotate(n=Count("id"))
    return {r["status"]: r["n"] for r in rows}


def engagements(user, *, agency=None, status: str = "", year: int | None = None):
    qs = Engagement.objects.visible_to(user).select_related("agency__org", "unit")
    if agency is not None:
        qs = qs.filter(agency=agency)
    if status:
        qs = qs.filter(status=status)
    if year:
        qs = qs.filter(Q(accepted_on__year=year) | Q(accepted_on__isnull=True, engaged_on__year=year))
    return qs


def flags(user, *, agency=None, status: str = ""):
    """Template-report flags the user can see: both reports must be visible."""
    visible = Engagement.objects.visible_to(user).values("pk")
    qs = TemplateFlag.objects.filter(first__in=visible, second__in=visible).select_related(
        "first__agency__org", "second__agency__org"
    )
    if agency is not None:
        qs = qs.filter(Q(first__agency=agency) | Q(second__agency=agency))
    if status:
        qs = qs.filter(status=status)
    return qs


def ranking(user, region, year: int) -> list[dict]:
    """The year's ranking of the agencies of `region`'s library by the mean quality score of their accepted reports."""
    rule = setting("partners.ranking", region, year)
    agencies = {
        a.pk: a
        for a in Agency.objects.visible_to(user).filter(region__path__startswith=region.path).select_related("org")
    }
    active = (Agency.Status.NORMAL, Agency.Status.SUSPENDED)
    scores: dict[int, list] = {pk: [] for pk, a in agencies.items() if a.status in active}
    rows = Engagement.objects.filter(
        agency_id__in=list(agencies), status=Engagement.Status.ACCEPTED, accepted_on__year=year
    ).values_list("agency_id", "quality_total")
    for agency_id, total in rows:
        scores.setdefault(agency_id, []).append(total)
    ranked = quality.annual_ranking(
        scores,
        eliminate_share=rule.get("eliminate_share", 0.1),
        min_reports=int(rule.get("min_reports", 1)),
        pass_mark=rule.get("pass_mark", 60),
    )
    return [{"r": r, "agency": agencies[r.agency_id]} for r in ranked]


# --- experts -----------------------------------------------------------------------------------------------------


def expert_list(user, *, field: str = "", status: str = "", q: str = ""):
    qs = Expert.objects.visible_to(user).select_related("region", "user")
    if status:
        qs = qs.filter(status=status)
    if q:
        qs = qs.filter(Q(name__contains=q) | Q(employer__contains=q) | Q(title__contains=q))
    if field:
        # JSON containment is not portable across SQLite and PostgreSQL: filter the (small) library in Python.
        ids = [e.pk for e in qs.only("id", "fields") if field in (e.fields or [])]
        qs = qs.filter(pk__in=ids)
    return qs.order_by("name", "id")


def known_fields(user) -> list[str]:
    seen: set[str] = set()
    for fields in Expert.objects.visible_to(user).values_list("fields", flat=True):
        seen.update(fields or [])
    return sorted(seen)


def draws(user):
    return (
        ExpertDraw.objects.visible_to(user)
        .select_related("subject_org", "drawn_by")
        .prefetch_related("members__expert")
    )


def can_see_contact(user, expert: Expert) -> bool:
    """Contact details: the 绩效科 of the library's region and the expert themself."""
    return (expert.user_id is not None and expert.user_id == user.pk) or (
        reader_region_ids(user, ("performance",)) is None
        or expert.region_id in reader_region_ids(user, ("performance",))
    )


# --- supervision -------------------------------------------------------------------------------------------------


def supervisors(user, *, kind: str = ""):
    qs = Supervisor.objects.visible_to(user).annotate(n=Count("invitations"))
    return qs.filter(kind=kind) if kind else qs


def invitations(user):
    return SupervisionInvitation.objects.visible_to(user).select_related("supervisor", "invited_by", "content_type")


def fiscal_years() -> range:
    return range(settings.FISCAL_YEAR, settings.FISCAL_YEAR - 4, -1)
