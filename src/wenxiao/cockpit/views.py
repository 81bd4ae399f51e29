"""领导驾驶舱 pages: the cockpit, the 大屏 (wall screen), the drill lists, the refresh button and the PDF export."""

from __future__ import annotations

from urllib.parse import quote, urlencode

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from wenxiao.cockpit import drill as drills
from wenxiao.cockpit import selectors, services
from wenxiao.core.errors import ServiceError
from wenxiao.core.feedback import attempt
from wenxiao.core.scoping import can_write
from wenxiao.core.years import year_of, years
from wenxiao.orgs.models import Region

# A region with more budgets than this is not computed on a request when its snapshot is missing: the page says so
# and the 绩效科 refreshes (a background job). Departments are always small enough.
INLINE_BUDGETS = 5000


def _subject_or_404(request):
    subject = selectors.subject_for(request.user, request.GET.get("scope", "").strip())
    if subject is None:
        raise Http404("无权查看该范围的驾驶舱")
    return subject


def _snapshot(subject, year: int):
    """The stored snapshot; a missing one is computed now when the scope is small, else None."""
    snap = selectors.snapshot(subject, year)
    if snap is None and (not isinstance(subject, Region) or _budgets(subject, year) <= INLINE_BUDGETS):
        snap = services.refresh(subject, year)
    return snap


def _budgets(region: Region, year: int) -> int:
    from wenxiao.projects.models import ProjectBudget

    return ProjectBudget.objects.filter(year=year, region__path__startswith=region.path).count()


def _links(subject, year: int) -> dict:
    """Where each chart drills to: the cockpit's drill lists, and the existing list pages for the stage rates."""
    scope = selectors.scope_key(subject)
    return {
        "drill": reverse("cockpit:drill", args=["_KIND_"]),
        "home": reverse("cockpit:home"),
        "scope": scope,
        "year": year,
        "coverage": {
            "appraisal_coverage": f"{reverse('appraisal:list')}?year={year}",
            "target_rate": f"{reverse('targets:list')}?year={year}",
            "monitoring_coverage": f"{reverse('monitoring:rounds')}?year={year}",
            "monitoring_coverage_amount": f"{reverse('monitoring:rounds')}?year={year}",
            "selfeval_coverage": f"{reverse('evaluation:tasks')}?year={year}",
            "key_evaluation_amount": f"{reverse('evaluation:evaluations')}?year={year}",
        },
    }


def _page_context(request):
    user = request.user
    year = year_of(request)
    subject = _subject_or_404(request)
    snap = _snapshot(subject, year)
    region_roles = selectors.regions_for(user)
    return {
        "year": year,
        "years": years(),
        "subject": subject,
        "scope": selectors.scope_key(subject),
        "snap": snap,
        "p": snap.payload if snap else None,
        "options": [
            ("区划", [(f"r{r.pk}", r.name) for r in region_roles]),
            ("主管部门", [(f"d{d.pk}", d.name) for d in selectors.departments_for(user)]),
        ],
        "can_refresh": can_write(user) and (user.is_superuser or user.has_role("performance")) and bool(region_roles),
        "links": _links(subject, year),
    }


@login_required
def home(request):
    return render(request, "cockpit/home.html", _page_context(request))


@login_required
def screen(request):
    return render(request, "cockpit/screen.html", _page_context(request))


@login_required
def drill(request, kind: str):
    if kind not in drills.KINDS:
        raise Http404("没有这种明细")
    year = year_of(request)
    subject = _subject_or_404(request)
    spec = drills.KINDS[kind]
    params = {k: request.GET.get(k, "").strip() for k in spec.params}
    qs = spec.rows(request.user, subject, year, **params)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    keep = urlencode({"year": year, "scope": selectors.scope_key(subject), **{k: v for k, v in params.items() if v}})
    return render(
        request,
        "cockpit/drill.html",
        {
            "year": year,
            "subject": subject,
            "scope": selectors.scope_key(subject),
            "title": spec.title(params),
            "columns": [(c, drills.is_number_column(c)) for c in spec.columns],
            "rows": [
                (url, list(zip(cells, (drills.is_number_column(c) for c in spec.columns), strict=True)))
                for url, cells in (spec.row(x) for x in page.object_list)
            ],
            "page": page,
            "keep": keep,
            "source_url": spec.source_url(year, params),
        },
    )


@login_required
@require_POST
def refresh(request):
    year = year_of(request, request.POST)
    subject = selectors.subject_for(request.user, request.POST.get("scope", "").strip())
    if subject is None:
        raise Http404("无权刷新该范围的驾驶舱")
    region = subject if isinstance(subject, Region) else subject.region
    attempt(
        request,
        lambda: services.do_request_refresh(actor=request.user, year=year, region=region),
        lambda job: f"已提交后台刷新“{job.title}”，完成后刷新本页即可看到最新数据（可在“我的后台任务”查看进度）。",
    )
    return redirect(f"{reverse('cockpit:home')}?{urlencode({'year': year, 'scope': selectors.scope_key(subject)})}")


@login_required
def report_pdf(request):
    from wenxiao.cockpit.report import cockpit_pdf

    ctx = _page_context(request)
    if ctx["snap"] is None:
        raise Http404("该范围尚无驾驶舱数据，请先刷新")
    try:
        pdf = cockpit_pdf(ctx["snap"])
    except ServiceError as e:
        return HttpResponse(str(e), status=getattr(e, "status", 400), content_type="text/plain; charset=utf-8")
    name = quote(f"{ctx['subject'].name}{ctx['year']}年度领导驾驶舱.pdf")
    resp = HttpResponse(pdf, content_type="application/pdf")
    resp["Content-Disposition"] = f"attachment; filename*=UTF-8''{name}"
    return resp
