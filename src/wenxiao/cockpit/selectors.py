"""Reads of the cockpit: which subjects (scopes) a user may open, and their snapshots.

- 绩效科, 监督查看 (人大/审计), 系统管理员: their region, with a selector for every region below it, and any
  主管部门 of those regions (opened from the department ranking);
- 主管部门: their department(s); 业务科室: the departments they manage (归口管理);
- 预算单位 and the other roles: no cockpit (the menu hides it; the page is 404).
"""

from __future__ import annotations

from django.db.models import Q

from wenxiao.cockpit.models import CockpitSnapshot
from wenxiao.orgs.models import Organisation, Region

REGION_ROLES = ("performance", "viewer", "sysadmin")
COCKPIT_ROLES = ("performance", "viewer", "sysadmin", "department", "business")


def regions_for(user) -> list[Region]:
    """Regions whose cockpit the user may open: the region-wide assignments' regions and everything below them."""
    if user.is_superuser:
        return list(Region.objects.order_by("path"))
    tops = {a.org.region for a in user.assignments.filter(role__in=REGION_ROLES).select_related("org__region")}
    if not tops:
        return []
    q = Q(pk__in=[])
    for r in tops:
        q |= Q(path__startswith=r.path)
    return list(Region.objects.filter(q).order_by("path"))


def departments_for(user) -> list[Organisation]:
    """主管部门 the user may open: their own, those they manage (业务科室), or all of their regions (region roles)."""
    qs = Organisation.objects.filter(kind=Organisation.Kind.DEPARTMENT)
    if user.is_superuser:
        return list(qs.order_by("region__path", "code"))
    regions = [r.pk for r in regions_for(user)]
    own = user.assignments.filter(role="department").values("org_id")
    sections = user.assignments.filter(role="business").values("org_id")
    return list(
        qs.filter(Q(region_id__in=regions) | Q(pk__in=own) | Q(managing_section_id__in=sections))
        .select_related("region")
        .order_by("region__path", "code")
    )


def has_cockpit(user) -> bool:
    return user.is_superuser or user.has_role(*COCKPIT_ROLES)


def scope_key(subject) -> str:
    return f"r{subject.pk}" if isinstance(subject, Region) else f"d{subject.pk}"


def subject_for(user, key: str = ""):
    """The subject named by `key` ("r<id>" region, "d<id>" department) if the user may open it, else their default
    one; None when the user has no cockpit or asks for a scope outside theirs."""
    if not has_cockpit(user):
        return None
    regions = regions_for(user)
    if key:
        if key[:1] == "r" and key[1:].isdigit():
            return next((r for r in regions if r.pk == int(key[1:])), None)
        if key[:1] == "d" and key[1:].isdigit():
            return next((d for d in departments_for(user) if d.pk == int(key[1:])), None)
        return None
    if regions:
        return min(regions, key=lambda r: (r.level, r.path))
    deps = departments_for(user)
    return deps[0] if deps else None


def snapshot(subject, year: int) -> CockpitSnapshot | None:
    if isinstance(subject, Region):
        return CockpitSnapshot.objects.filter(region=subject, org__isnull=True, year=year).first()
    return CockpitSnapshot.objects.filter(org=subject, year=year).first()
