"""Who sees what: the one place that turns a user's role assignments into a queryset filter.

A role assignment (role, organisation) covers either
- a whole jurisdiction: the organisation's region and every region below it (绩效科, 监督查看, 系统管理员), or
- parts of the organisation tree: the organisation's subtree (主管部门, 预算单位), or the subtrees of the
  departments a 业务科室 handles (归口管理).
Rows carry a region and an owning organisation; a row is visible when either lies inside the scope.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import reduce
from operator import or_

from django.db import models
from django.db.models import Q

REGION_WIDE_ROLES = frozenset({"performance", "viewer", "sysadmin"})
SUBTREE_ROLES = frozenset({"department", "unit"})
READ_ONLY_ROLES = frozenset({"viewer"})


@dataclass(frozen=True)
class Scope:
    everything: bool = False
    region_ids: frozenset[int] = field(default_factory=frozenset)
    org_paths: tuple[str, ...] = ()

    @property
    def is_empty(self) -> bool:
        return not (self.everything or self.region_ids or self.org_paths)

    def org_filter(self, prefix: str = "") -> Q:
        """Q matching organisations (or rows through `prefix`) inside the organisation part of the scope."""
        if not self.org_paths:
            return Q(pk__in=[])
        return reduce(or_, (Q(**{f"{prefix}path__startswith": p}) for p in self.org_paths))


def scope_for(user, roles: tuple[str, ...] | None = None) -> Scope:
    """The scope of `user`, optionally restricted to assignments of the given roles. Cached per user object."""
    if user is None or not user.is_authenticated or not user.is_active:
        return Scope()
    if user.is_superuser:
        return Scope(everything=True)
    cache = user.__dict__.setdefault("_scope_cache", {})
    key = tuple(sorted(roles)) if roles else None
    if key not in cache:
        cache[key] = _compute_scope(user, key)
    return cache[key]


def _compute_scope(user, roles) -> Scope:
    from wenxiao.orgs.models import Organisation, Region

    assignments = [a for a in user.assignment_rows if not roles or a.role in roles]
    region_paths: set[str] = set()
    org_paths: set[str] = set()
    section_ids: list[int] = []
    for a in assignments:
        if a.role in REGION_WIDE_ROLES:
            region_paths.add(a.org.region.path)
        elif a.role in SUBTREE_ROLES:
            org_paths.add(a.org.path)
        elif a.role == "business":
            section_ids.append(a.org_id)
    if section_ids:
        org_paths.update(
            Organisation.objects.filter(managing_section_id__in=section_ids).values_list("path", flat=True)
        )
    region_ids: frozenset[int] = frozenset()
    if region_paths:
        region_ids = frozenset(
            Region.objects.filter(reduce(or_, (Q(path__startswith=p) for p in region_paths))).values_list(
                "id", flat=True
            )
        )
    # Drop org paths already inside a wider path: fewer OR terms in every query.
    paths = sorted(org_paths)
    kept = [p for i, p in enumerate(paths) if not any(p.startswith(q) for q in paths[:i])]
    return Scope(region_ids=region_ids, org_paths=tuple(kept))


def can_write(user) -> bool:
    """Read-only roles (人大, 审计) never write, whatever else the request asks."""
    return user.is_superuser or not (user.role_codes and user.role_codes <= READ_ONLY_ROLES)


class ScopedQuerySet(models.QuerySet):
    """Base queryset of every business table. Subclasses name the fields that carry region and owner."""

    scope_region_field = "region"  # FK to orgs.Region, "" if the row has none
    scope_org_field = "unit"  # FK to orgs.Organisation; "" means the row *is* an organisation

    def visible_to(self, user, roles: tuple[str, ...] | None = None):
        scope = scope_for(user, roles)
        if scope.everything:
            return self
        return self.filter(self.scope_q(scope))

    def visible_or_refuse(self, user, pk, roles: tuple[str, ...] | None = None, *, what: str, verb: str = "办理"):
        """The row `pk` for a service acting as `user` in `roles`: NotFound when the user cannot see it at all,
        PermissionDenied when they see it but not in those roles (a reader trying to act)."""
        from wenxiao.core.errors import NotFound, PermissionDenied

        row = self.visible_to(user, roles).filter(pk=pk).first()
        if row is None:
            if roles and self.visible_to(user).filter(pk=pk).exists():
                raise PermissionDenied(f"您无权{verb}该{what}。")
            raise NotFound(f"{what}不存在。")
        return row

    def scope_q(self, scope: Scope) -> Q:
        from wenxiao.orgs.models import Organisation

        q = Q(pk__in=[])
        if scope.region_ids and self.scope_region_field:
            q |= Q(**{f"{self.scope_region_field}_id__in": scope.region_ids})
        if scope.org_paths:
            if self.scope_org_field:
                orgs = Organisation.objects.filter(scope.org_filter()).values("id")
                q |= Q(**{f"{self.scope_org_field}_id__in": orgs})
            else:
                q |= scope.org_filter()
        return q
