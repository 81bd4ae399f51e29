"""Pages for organisations and users (系统管理)."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render

from wenxiao.orgs import selectors
from wenxiao.orgs.models import Organisation

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
    page = Paginator(selectors.user_list(request.user).order_by("username"), 100).get_page(request.GET.get("page"))
    return render(request, "orgs/users.html", {"page": page})
