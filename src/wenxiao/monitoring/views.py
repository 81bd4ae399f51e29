"""Pages of 绩效运行监控: overview (execution vs time progress), warnings, a project's monitoring page, actions."""

from __future__ import annotations

from datetime import date

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from wenxiao.core.feedback import attempt
from wenxiao.core.scoping import can_write
from wenxiao.core.years import year_of, years
from wenxiao.monitoring import jobs, selectors, services, warnings
from wenxiao.monitoring.models import FINANCE, UNIT_ROLES, ProjectStatus, Warning, WarningAction
from wenxiao.orgs.models import Organisation
from wenxiao.orgs.selectors import home_region
from wenxiao.projects.models import Payment, Project, ProjectBudget

ACTION_KINDS = [(k, v) for k, v in WarningAction.Kind.choices if k != "feedback"]


@login_required
def overview(request):
    year = year_of(request)
    user = request.user
    figures, figures_key = selectors.execution_figures(user, year)
    return render(
        request,
        "monitoring/overview.html",
        {
            "year": year,
            "years": years(),
            **figures,
            "figures_key": figures_key,
            "counts": selectors.warning_counts(user, year),
            "can_run": can_write(user) and home_region(user, ("performance",)) is not None,
            "run_as_of": min(timezone.localdate(), date(year, 12, 31)),
        },
    )


@login_required
@require_POST
def run(request):
    region = home_region(request.user, ("performance",))
    if region is None or not can_write(request.user):
        raise Http404("无权运行监控预警")
    year = year_of(request, request.POST)
    try:
        as_of = date.fromisoformat(request.POST.get("as_of", ""))
    except ValueError:
        as_of = timezone.localdate()
    budgets = ProjectBudget.objects.filter(year=year, region__path__startswith=region.path).count()
    if budgets > jobs.INLINE_LIMIT:
        from django.contrib import messages

        from wenxiao.core.jobs import start_job

        start_job(
            "monitoring.run",
            f"{region.name}{year}年度监控预警（截至{as_of:%Y-%m-%d}）",
            user=request.user,
            params={"region_id": region.pk, "year": year, "as_of": as_of.isoformat()},
        )
        messages.info(request, f"共{budgets}个项目，预警已转入后台运行，完成后可在“我的后台任务”查看结果。")
        return redirect(f"{request.POST.get('next') or '/monitoring/'}?year={year}")
    from wenxiao.cockpit.services import queue_refresh

    ran = attempt(
        request,
        lambda: services.run_warnings(region, year, as_of, actor=request.user),
        lambda s: (
            f"预警已更新（截至{s.as_of:%Y-%m-%d}）：{s.projects}个项目，红灯{s.red}条、黄灯{s.yellow}条，"
            f"消除{s.cleared}条，用时{s.seconds:.1f}秒。"
        ),
    )
    if ran is not None:
        queue_refresh(region, year, user=request.user, after="运行预警")
    return redirect(f"{request.POST.get('next') or '/monitoring/'}?year={year}")


@login_required
def warning_list(request):
    year = year_of(request)
    g = request.GET
    qs = selectors.warning_list(
        request.user,
        year,
        level=g.get("level", ""),
        code=g.get("code", ""),
        status=g.get("status", ""),
        department=g.get("department", ""),
        q=g.get("q", "").strip(),
    )
    departments = Organisation.objects.visible_to(request.user).filter(kind="department")
    departments = departments.order_by("code").values_list("pk", "name")
    return render(
        request,
        "monitoring/warnings.html",
        {
            "page": Paginator(qs, 50).get_page(g.get("page")),
            "year": year,
            "years": years(),
            "rules": warnings.RULE_TITLES.items(),
            "statuses": Warning.Status.choices,
            "departments": departments,
            "counts": selectors.warning_counts(request.user, year),
        },
    )


def _project_or_404(request, pk: int) -> Project:
    p = Project.objects.visible_to(request.user).select_related("unit", "department", "region").filter(pk=pk).first()
    if p is None:
        raise Http404("项目不存在或无权查看")
    return p


@login_required
def project(request, pk: int):
    p = _project_or_404(request, pk)
    year = year_of(request)
    budget = ProjectBudget.objects.filter(project=p, year=year).first()
    status = ProjectStatus.objects.filter(project=p, year=year).first()
    user = request.user
    is_finance = can_write(user) and Project.objects.visible_to(user, FINANCE).filter(pk=pk).exists()
    is_unit = can_write(user) and Project.objects.visible_to(user, UNIT_ROLES).filter(pk=pk).exists()
    curve = selectors.monthly_curve(p.pk, year)
    last_budget = ProjectBudget.objects.filter(project=p, year=year - 1).first()
    return render(
        request,
        "monitoring/project.html",
        {
            "p": p,
            "year": year,
            "years": years(),
            "budget": budget,
            "status": status,
            "warnings": Warning.objects.filter(project=p, year=year)
            .select_related("indicator")
            .order_by("status", "level", "code"),
            "actions": WarningAction.objects.filter(project=p, year=year).select_related("by", "warning"),
            "forms": p.monitoring_forms.filter(round__year=year).select_related("round"),
            "payments": Payment.objects.filter(project=p, year=year).order_by("-date", "-payment_id")[:30],
            "payment_count": Payment.objects.filter(project=p, year=year).count(),
            "chart": {
                "year": year,
                "budget": float(budget.amount_adjusted) if budget else 0,
                "months": curve,
                "last": selectors.monthly_curve(p.pk, year - 1) if last_budget else [],
                "last_budget": float(last_budget.amount_adjusted) if last_budget else 0,
            },
            "is_finance": is_finance,
            "is_unit": is_unit,
            "action_kinds": ACTION_KINDS,
        },
    )


@login_required
@require_POST
def project_action(request, pk: int):
    _project_or_404(request, pk)
    p = request.POST
    due = None
    if p.get("due"):
        try:
            due = date.fromisoformat(p["due"])
        except ValueError:
            due = None
    year = year_of(request, p)
    attempt(
        request,
        lambda: services.do_action(
            pk,
            actor=request.user,
            year=year,
            kind=p.get("kind", ""),
            note=p.get("note", ""),
            warning_id=int(p["warning"]) if p.get("warning", "").isdigit() else None,
            amount=p.get("amount") or None,
            due=due,
        ),
        lambda a: f"已记录：{a.get_kind_display()}。",
    )
    return redirect(f"/monitoring/projects/{pk}/?year={year}")
