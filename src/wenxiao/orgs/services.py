"""Accounts and role assignments: created by the 系统管理员 or 安全管理员 within their jurisdiction."""

from __future__ import annotations

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction

from wenxiao.core import audit
from wenxiao.core.errors import NotFound, PermissionDenied, ValidationError
from wenxiao.orgs.models import Organisation, Role, RoleAssignment, User

MANAGERS = ("sysadmin", "secadmin")
ADMIN_ROLES = ("sysadmin", "secadmin", "auditadmin")  # 三员: system, security, audit administrators


def separation_problem(roles: set[str]) -> str | None:
    """三员分立: one account holds at most one of the three administrator roles, and then no business role."""
    admins = roles & set(ADMIN_ROLES)
    if len(admins) > 1:
        return "三员分立：系统管理员、安全管理员、审计管理员不能由同一账号兼任"
    if admins and roles - set(ADMIN_ROLES):
        return "三员分立：管理员账号不能同时持有业务角色"
    return None


def _manager_scope(actor):
    if not (actor.is_superuser or actor.has_role(*MANAGERS)):
        raise PermissionDenied("只有系统管理员或安全管理员可以管理账号。")
    # 系统管理员 reaches its region and below; 安全管理员 the same jurisdiction (its role is region-wide here)
    orgs = (
        Organisation.objects.visible_to(actor, roles=("sysadmin",))
        if not actor.is_superuser
        else Organisation.objects.all()
    )
    if actor.has_role("secadmin") and not actor.is_superuser:
        regions = [a.org.region.path for a in actor.assignments.filter(role="secadmin").select_related("org__region")]
        from functools import reduce
        from operator import or_

        from django.db.models import Q

        orgs = orgs | Organisation.objects.filter(reduce(or_, (Q(region__path__startswith=p) for p in regions)))
    return orgs


def _org(actor, code: str) -> Organisation:
    org = _manager_scope(actor).filter(code=code).first()
    if org is None:
        raise ValidationError(f"机构代码“{code}”不存在或不在您的管理范围内。", {"org": ["机构不存在"]})
    return org


def do_create_user(
    *, actor, username: str, display_name: str, org_code: str, password: str, roles: list[tuple[str, str]]
) -> User:
    """A new account in an organisation of the actor's jurisdiction, with its role assignments."""
    errors: dict[str, list[str]] = {}
    username = (username or "").strip()
    if not username or len(username) > 150:
        errors.setdefault("username", []).append("请填写用户名（150个字符以内）")
    elif User.objects.filter(username=username).exists():
        errors.setdefault("username", []).append("用户名已存在")
    if len(password or "") < 8:
        errors.setdefault("password", []).append("密码至少8位")
    else:
        try:
            validate_password(password)
        except DjangoValidationError as e:
            errors.setdefault("password", []).extend(e.messages)
    if not roles:
        errors.setdefault("roles", []).append("请至少授予一个角色")
    for role, _ in roles:
        if role not in Role.values:
            errors.setdefault("roles", []).append(f"未知的角色：{role}")
    if problem := separation_problem({r for r, _ in roles}):
        errors.setdefault("roles", []).append(problem)
    if errors:
        raise ValidationError("账号信息有误。", errors)
    org = _org(actor, org_code)
    with transaction.atomic():
        user = User(username=username, display_name=(display_name or "").strip()[:40], org=org)
        user.set_password(password)
        user.save()
        for role, code in roles:
            RoleAssignment.objects.create(user=user, role=role, org=_org(actor, code or org_code))
        audit.record(
            actor,
            "user.create",
            user,
            region_id=org.region_id,
            after={"username": username, "org": org.code, "roles": [list(r) for r in roles]},
        )
    return user


def _managed_user(actor, user_id: int) -> User:
    user = User.objects.filter(pk=user_id, org__in=_manager_scope(actor)).first()
    if user is None:
        raise NotFound("账号不存在或不在您的管理范围内。")
    return user


def do_grant(*, actor, user_id: int, role: str, org_code: str) -> RoleAssignment:
    if role not in Role.values:
        raise ValidationError(f"未知的角色：{role}")
    user = _managed_user(actor, user_id)
    org = _org(actor, org_code)
    if problem := separation_problem(set(user.assignments.values_list("role", flat=True)) | {role}):
        raise ValidationError(problem)
    with transaction.atomic():
        a, created = RoleAssignment.objects.get_or_create(user=user, role=role, org=org)
        if created:
            audit.record(actor, "user.grant", user, after={"role": role, "org": org.code})
    return a


def do_revoke(*, actor, assignment_id: int) -> None:
    a = RoleAssignment.objects.filter(pk=assignment_id).select_related("user", "org").first()
    if a is None:
        raise NotFound("授权不存在。")
    _managed_user(actor, a.user_id)
    with transaction.atomic():
        audit.record(actor, "user.revoke", a.user, before={"role": a.role, "org": a.org.code})
        a.delete()


def do_set_active(*, actor, user_id: int, active: bool) -> User:
    user = _managed_user(actor, user_id)
    if user.pk == actor.pk:
        raise ValidationError("不能停用自己的账号。")
    with transaction.atomic():
        before = user.is_active
        user.is_active = active
        user.save(update_fields=["is_active"])
        audit.record(
            actor,
            "user.activate" if active else "user.deactivate",
            user,
            before={"is_active": before},
            after={"is_active": active},
        )
    return user
