"""Reads of regions, organisations and users, scoped."""

from django.db.models import Q

from wenxiao.core.scoping import scope_for
from wenxiao.orgs.models import Organisation, Region, User


def org_list(user, *, kind: str = "", region: str = "", q: str = ""):
    qs = Organisation.objects.visible_to(user)
    if kind:
        qs = qs.filter(kind=kind)
    if region:
        qs = qs.filter(region__path__contains=f"{region}/")
    if q:
        qs = qs.filter(Q(name__contains=q) | Q(code__startswith=q))
    return qs.order_by("path")


def region_list(user):
    """Regions of the user's jurisdiction, plus the regions of the organisations the user can see."""
    scope = scope_for(user)
    if scope.everything:
        return Region.objects.all()
    org_regions = Organisation.objects.visible_to(user).values("region_id")
    return Region.objects.filter(Q(id__in=scope.region_ids) | Q(id__in=org_regions)).order_by("path")


def user_list(user):
    """Users whose home organisation is visible to `user` (系统管理员 / 安全管理员 manage them)."""
    orgs = Organisation.objects.visible_to(user).values("id")
    return User.objects.filter(org_id__in=orgs).select_related("org").prefetch_related("assignments__org")


def home_region(user, roles: tuple[str, ...] = ("performance", "sysadmin")) -> Region | None:
    """The top region of the user's region-wide assignments with `roles` (a 绩效科 works for its region)."""
    a = (
        user.assignments.filter(role__in=roles)
        .select_related("org__region")
        .order_by("org__region__level", "org__region__code")
        .first()
    )
    if a is not None:
        return a.org.region
    if user.is_superuser:
        return Region.objects.order_by("level", "code").first()
    return None


def cli_user(username: str):
    """The active account a command-line call acts as, or None with a Chinese message on stderr."""
    import sys

    user = User.objects.filter(username=username, is_active=True).first()
    if user is None:
        print(f"用户 {username} 不存在或已停用。", file=sys.stderr)
    return user
