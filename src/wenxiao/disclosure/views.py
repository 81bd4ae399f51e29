"""The public disclosure site (/public/, no login) and the 绩效科's publishing page (/public/manage/, login).

Public pages read only live `Publication` rows; anything that is not a published item is 404. They are cached
(Django's cache_page) under a key prefix that changes whenever something is published or withdrawn, and sent with
`Cache-Control: public`.
"""

from __future__ import annotations

from functools import wraps
from urllib.parse import quote

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.cache import patch_cache_control
from django.views.decorators.cache import cache_page
from django.views.decorators.http import require_POST

from wenxiao.core.feedback import attempt
from wenxiao.core.scoping import can_write
from wenxiao.core.years import year_of, years
from wenxiao.disclosure import opendata, selectors, services
from wenxiao.disclosure.models import Publication

CACHE_SECONDS = 600  # server-side; the generation prefix makes a publish or withdrawal visible at once
BROWSER_SECONDS = 60
PAGE_SIZE = 30
KIND_LABELS = dict(Publication.Kind.choices)


def public_page(view):
    """Anonymous-safe GET page: cached per publication generation, Cache-Control public."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if request.method not in ("GET", "HEAD"):
            raise Http404("不支持的请求")
        cached = cache_page(CACHE_SECONDS, key_prefix=f"disclosure.{selectors.generation()}")(view)
        response = cached(request, *args, **kwargs)
        if response.status_code == 200:
            patch_cache_control(response, public=True, max_age=BROWSER_SECONDS)
        return response

    return wrapped


def _int(value: str | None) -> int | None:
    """An optional positive number from the query string; anything else is not a page of this site (404)."""
    if value in (None, ""):
        return None
    if not value.isdigit() or len(value) > 9:
        raise Http404("参数有误")
    return int(value)


def _kind(value: str | None) -> str:
    if value in (None, ""):
        return ""
    if value not in KIND_LABELS:
        raise Http404("不存在的公开类型")
    return value


@public_page
def home(request):
    counts = selectors.public_counts()
    return render(
        request,
        "disclosure/home.html",
        {
            "counts": counts,
            "kinds": Publication.Kind.choices,
            "latest": selectors.public_items().order_by("-published_at", "-id")[:10],
            "total": sum(r["total"] for r in counts.values()),
        },
    )


@public_page
def items(request):
    g = request.GET
    kind, year = _kind(g.get("kind")), _int(g.get("year"))
    department, region = _int(g.get("department")), _int(g.get("region"))
    q = g.get("q", "")[:100]
    qs = selectors.public_items(kind=kind, year=year, department_id=department, region_id=region, q=q)
    page = Paginator(qs, PAGE_SIZE).get_page(_int(g.get("page")) or 1)
    query = {k: v for k, v in (("kind", kind), ("year", year), ("department", department), ("region", region))}
    query = "&".join(f"{k}={v}" for k, v in query.items() if v) + (f"&q={quote(q)}" if q else "")
    return render(
        request,
        "disclosure/items.html",
        {
            "page": page,
            "kind": kind,
            "year": year,
            "department": department,
            "region": region,
            "q": q,
            "query": query.lstrip("&"),
            "kinds": Publication.Kind.choices,
            "filters": selectors.public_filters(),
            "kind_label": KIND_LABELS.get(kind, "全部公开事项"),
        },
    )


@public_page
def item(request, pk: int):
    pub = selectors.public_item(pk)
    if pub is None:
        raise Http404("该事项未公开")
    return render(request, "disclosure/item.html", {"p": pub, "s": pub.snapshot, "kind_label": KIND_LABELS[pub.kind]})


def item_pdf(request, pk: int):
    pub = selectors.public_item(pk)
    if pub is None or not pub.pdf:
        raise Http404("该报告未公开")
    response = FileResponse(pub.pdf.open("rb"), content_type="application/pdf")
    response["Content-Disposition"] = f"inline; filename*=UTF-8''{quote(pub.title + '-绩效评价报告.pdf')}"
    patch_cache_control(response, public=True, max_age=BROWSER_SECONDS)
    return response


@public_page
def data(request, kind: str, fmt: str):
    if kind not in KIND_LABELS or fmt not in ("csv", "json"):
        raise Http404("不存在的数据集")
    year = _int(request.GET.get("year"))
    pubs = list(selectors.open_data(kind, year))
    if fmt == "csv":
        response = HttpResponse(opendata.to_csv(kind, pubs), content_type="text/csv; charset=utf-8")
    else:
        response = HttpResponse(opendata.to_json(kind, pubs), content_type="application/json; charset=utf-8")
    name = f"{KIND_LABELS[kind]}{'-' + str(year) if year else ''}.{fmt}"
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
    return response


# --- staff: 发布管理 ----------------------------------------------------------------------------------------------

STAFF_ROLES = ("performance", "viewer", "sysadmin")


def _staff_or_404(request) -> None:
    user = request.user
    if not (user.is_superuser or user.has_role(*STAFF_ROLES)):
        raise Http404("无权访问信息公开管理")


@login_required
def manage(request):
    _staff_or_404(request)
    user = request.user
    g = request.GET
    year = year_of(request)
    kind = g.get("kind") if g.get("kind") in KIND_LABELS else Publication.Kind.TARGET
    department = int(g["department"]) if g.get("department", "").isdigit() else None
    can_publish = can_write(user) and (user.is_superuser or user.has_role(*selectors.PUBLISHER_ROLES))
    candidates = None
    if can_publish and g.get("preview"):
        candidates = list(selectors.candidates(user, kind, year, department)[:500])
    from wenxiao.orgs.models import Organisation

    departments = (
        Organisation.objects.visible_to(user, selectors.PUBLISHER_ROLES).filter(kind="department").order_by("code")
        if can_publish
        else []
    )
    state = g.get("state", "")
    pubs = selectors.publications(user, kind=g.get("list_kind", ""), year=_int(g.get("list_year")), state=state)
    return render(
        request,
        "disclosure/manage.html",
        {
            "year": year,
            "years": years(),
            "kind": kind,
            "kinds": Publication.Kind.choices,
            "department": department,
            "departments": departments,
            "can_publish": can_publish,
            "candidates": candidates,
            "page": Paginator(pubs, 50).get_page(g.get("page")),
            "state": state,
        },
    )


@login_required
@require_POST
def publish(request):
    _staff_or_404(request)
    p = request.POST
    kind = p.get("kind", "")
    year = year_of(request, p)
    department = int(p["department"]) if p.get("department", "").isdigit() else None
    ids = [int(i) for i in p.getlist("ids") if i.isdigit()]
    attempt(
        request,
        lambda: services.do_publish(
            actor=request.user,
            kind=kind,
            year=year,
            department_id=department,
            object_ids=ids if p.get("selected") else None,
        ),
        lambda r: r.summary(),
    )
    return redirect(f"/public/manage/?year={year}&kind={kind}")


@login_required
@require_POST
def withdraw(request, pk: int):
    _staff_or_404(request)
    if not selectors.publications(request.user).filter(pk=pk).exists():
        raise Http404("公开事项不存在或无权查看")
    attempt(
        request,
        lambda: services.do_withdraw(pk, actor=request.user, reason=request.POST.get("reason", "")),
        "已撤回，公开网站不再显示该事项。",
    )
    return redirect("disclosure:manage")
