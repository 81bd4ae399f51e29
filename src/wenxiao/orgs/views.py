"""Pages for organisations and users (系统管理)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from wenxiao.core.errors import ServiceError, error_text
from wenxiao.core.years import posted_int
from wenxiao.orgs import selectors, services
from wenxiao.orgs.models import Organisation, Role, User

MANAGER_ROLES = ("sysadmin", "secadmin", "performance")


@login_required
def org_list(request):
    if not request.user.has_role(*MANAGER_ROLES):
        raise Http404
    kind = request.GET.get("kind", "")
    qs = selectors.org_list(request.user, kind=kind, q=request.GET.get("q", "").strip()).select_related(
        "region", "managing_section", "parent"
    )
    page = Paginator(qs, 100).get_page(request.GET.get("page"))
    return render(
        request,
        "orgs/list.html",
        {
            "page": page,
            "kinds": Organisation.Kind.choices,
            "kind": kind,
            "regions": selectors.region_list(request.user)[:200],
        },
    )


@login_required
def user_list(request):
    if not request.user.has_role(*MANAGER_ROLES):
        raise Http404
    if request.method == "POST":
        p = request.POST
        try:
            user = services.do_create_user(
                actor=request.user,
                username=p.get("username", ""),
                display_name=p.get("display_name", ""),
                org_code=p.get("org", "").strip(),
                password=p.get("password", ""),
                roles=[(p.get("role", ""), p.get("org", "").strip())],
            )
        except ServiceError as e:
            messages.error(request, error_text(e))
        else:
            messages.success(request, f"已创建账号 {user.username}。")
            return redirect("orgs:user", pk=user.pk)
    page = Paginator(selectors.user_list(request.user).order_by("username"), 100).get_page(request.GET.get("page"))
    can_manage = request.user.is_superuser or request.user.has_role(*services.MANAGERS)
    return render(request, "orgs/users.html", {"page": page, "can_manage": can_manage, "roles": Role.choices})


@login_required
def user_detail(request, pk: int):
    if not (request.user.is_superuser or request.user.has_role(*services.MANAGERS)):
        raise Http404
    user = User.objects.filter(pk=pk, org__in=services._manager_scope(request.user)).first()
    if user is None:
        raise Http404
    return render(
        request,
        "orgs/user.html",
        {"u": user, "roles": Role.choices, "assignments": user.assignments.select_related("org")},
    )


@login_required
@require_POST
def user_change(request, pk: int):
    if not (request.user.is_superuser or request.user.has_role(*services.MANAGERS)):
        raise Http404
    p = request.POST
    try:
        if p.get("op") == "grant":
            services.do_grant(actor=request.user, user_id=pk, role=p.get("role", ""), org_code=p.get("org", ""))
        elif p.get("op") == "revoke":
            services.do_revoke(actor=request.user, assignment_id=posted_int(p.get("assignment")) or 0)
        elif p.get("op") in ("activate", "deactivate"):
            services.do_set_active(actor=request.user, user_id=pk, active=p["op"] == "activate")
    except ServiceError as e:
        if e.status == 404:
            raise Http404 from e
        messages.error(request, e.message)
    else:
        messages.success(request, "已保存。")
    return redirect("orgs:user", pk=pk)
