"""Pages of 改革任务 (R46–R47): the list by lead division with deadlines, a task with its two forms."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from wenxiao.core import workflow
from wenxiao.core.feedback import attempt, attempt_step
from wenxiao.core.scoping import can_write
from wenxiao.core.years import posted_date, year_of, years
from wenxiao.orgs.models import Organisation
from wenxiao.orgs.selectors import home_region
from wenxiao.oversight import reform_services as services
from wenxiao.oversight.reform_models import ReformTask


@login_required
def reform_list(request):
    user = request.user
    year = year_of(request)
    if request.method == "POST":
        p = request.POST
        task = attempt(
            request,
            lambda: services.do_assign(
                actor=user,
                year=year_of(request, p),
                title=p.get("title", ""),
                content=p.get("content", ""),
                lead_section_id=int(p["lead_section"]) if p.get("lead_section", "").isdigit() else None,
                leader=p.get("leader", ""),
                partners=p.get("partners", ""),
                declare_by=posted_date(p.get("declare_by")),
                complete_by=posted_date(p.get("complete_by")),
            ),
            lambda t: f"已下达“{t.title}”，已进入{t.lead_section.name}待办。",
        )
        return redirect(task.get_absolute_url() if task else f"/oversight/reform/?year={year}")
    today = timezone.localdate()
    tasks = list(ReformTask.objects.visible_to(user).filter(year=year).select_related("lead_section"))
    for t in tasks:
        t.is_overdue = t.overdue(today)
    if request.GET.get("overdue"):
        tasks = [t for t in tasks if t.is_overdue]
    region = home_region(user, ("performance",))
    by_division: dict[str, list[ReformTask]] = {}
    for t in tasks:
        by_division.setdefault(t.lead_section.name, []).append(t)
    return render(
        request,
        "oversight/reform_list.html",
        {
            "year": year,
            "years": years(),
            "by_division": sorted(by_division.items()),
            "n": len(tasks),
            "overdue": sum(t.is_overdue for t in tasks),
            "done": sum(t.state == "done" for t in tasks),
            "can_assign": can_write(user) and region is not None,
            "sections": Organisation.objects.filter(kind="section", region=region).order_by("code") if region else [],
        },
    )


@login_required
def reform_detail(request, pk: int):
    task = ReformTask.objects.visible_to(request.user).select_related("lead_section").filter(pk=pk).first()
    if task is None:
        raise Http404("改革任务不存在或无权查看")
    user = request.user
    lead = can_write(user) and task.lead_section.assignments.filter(user=user).exists()
    return render(
        request,
        "oversight/reform.html",
        {
            "t": task,
            "overdue": task.overdue(timezone.localdate()),
            "fill_declaration": lead and task.state == "assigned",
            "fill_completion": lead and task.state in ("in_progress", "returned"),
            "steps": workflow.available_steps(task, user) if can_write(user) else [],
            "history": workflow.history(task),
        },
    )


@login_required
@require_POST
def reform_fill(request, pk: int):
    if not ReformTask.objects.visible_to(request.user).filter(pk=pk).exists():
        raise Http404
    p = request.POST
    data = {f: p[f] for f in (*services.DECLARATION, *services.COMPLETION) if f in p}
    saved = attempt(
        request,
        lambda: services.do_fill(pk, data, actor=request.user, expected_version=p.get("version")),
        "已保存。",
    )
    if saved and p.get("then") in ("declare", "report"):
        attempt(
            request,
            lambda: services.do_transition(pk, p["then"], actor=request.user, expected_version=saved.version),
            "已提交绩效科审核。",
        )
    return redirect("oversight:reform", pk=pk)


@login_required
@require_POST
def reform_action(request, pk: int):
    if not ReformTask.objects.visible_to(request.user).filter(pk=pk).exists():
        raise Http404
    attempt_step(request, pk, services.do_transition)
    return redirect("oversight:reform", pk=pk)
