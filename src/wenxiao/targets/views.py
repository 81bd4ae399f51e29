"""Pages for performance targets: list, declare, edit with the library picker, review, approve, versions, stats."""

from __future__ import annotations

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from wenxiao.core import workflow
from wenxiao.core.errors import ServiceError, error_text
from wenxiao.core.feedback import attempt
from wenxiao.core.scoping import can_write
from wenxiao.core.years import posted_int
from wenxiao.library.models import Framework
from wenxiao.library.recommend_db import suggest_for_target
from wenxiao.orgs.models import Organisation
from wenxiao.projects.models import Project
from wenxiao.targets import selectors, services
from wenxiao.targets.diff import ROW_LABELS, diff
from wenxiao.targets.models import FORM_ONLY_STEPS, GRADES, REVIEW_DIMENSIONS, TARGET_FLOW, Target


def target_year() -> int:
    return settings.FISCAL_YEAR + 1


def _year(request) -> int | None:
    y = request.GET.get("year", str(target_year()))
    return int(y) if y.isdigit() else None


def _visible_or_404(request, pk: int) -> Target:
    target = selectors.target_detail(request.user, pk)
    if target is None:
        raise Http404("绩效目标不存在或无权查看")
    return target


@login_required
def target_list(request):
    year = _year(request)
    g = request.GET
    qs = selectors.target_list(
        request.user,
        year=year,
        state=g.get("state", ""),
        department=g.get("department", ""),
        kind=g.get("kind", ""),
        q=g.get("q", "").strip(),
    )
    page = Paginator(qs, 30).get_page(g.get("page"))
    pending = Project.objects.none()
    if year and request.user.has_role("unit", "department"):  # projects of the year still without a target
        pending = (
            Project.objects.visible_to(request.user, roles=services.DECLARER_ROLES)
            .filter(budgets__year=year, project_class="3")
            .exclude(targets__year=year)
            .select_related("unit")
            .order_by("code")[:50]
        )
    return render(
        request,
        "targets/list.html",
        {
            "page": page,
            "year": year,
            "years": range(target_year(), target_year() - 4, -1),
            "states": TARGET_FLOW.states.items(),
            "pending": pending,
            "departments": Organisation.objects.visible_to(request.user)
            .filter(kind="department")
            .order_by("path")
            .values_list("code", "name"),
            "units": Organisation.objects.visible_to(request.user, roles=services.DECLARER_ROLES)
            .filter(kind__in=["unit", "department"])
            .order_by("path")[:300],
        },
    )


@login_required
@require_POST
def target_create(request):
    year = posted_int(request.POST.get("year")) or target_year()
    try:
        if request.POST.get("project"):
            target = services.do_create_project_target(int(request.POST["project"]), year, actor=request.user)
        else:
            target = services.do_create_whole_target(int(request.POST.get("unit") or 0), year, actor=request.user)
    except (ServiceError, ValueError) as e:
        messages.error(request, error_text(e) if isinstance(e, ServiceError) else "参数有误")
        return redirect(f"/targets/?year={year}")
    messages.success(request, "已创建绩效目标" + ("，并按上年已批复目标预填。" if target.indicators.exists() else "。"))
    return redirect("targets:edit", pk=target.pk)


def _rows_with_problems(target: Target):
    """Rows with the blocking problems (checks) and the review engine's findings (智能审核) beside each."""
    from wenxiao.targets.review import findings_for

    rows = list(target.indicators.select_related("template").prefetch_related("comments__author"))
    problems = services.problems_of(target)
    findings = findings_for(target)
    for i, r in enumerate(rows):
        r.problems = [p for p in problems if p.row == i]
        r.findings = [f for f in findings if f.indicator == i]
    target.general_findings = [f for f in findings if f.indicator is None]
    target.findings_count = len(findings)
    return rows, [p for p in problems if p.row is None], problems


@login_required
def target_detail(request, pk: int):
    target = _visible_or_404(request, pk)
    rows, general, problems = _rows_with_problems(target)
    steps = (
        [s for s in workflow.available_steps(target, request.user) if s.action not in FORM_ONLY_STEPS]
        if can_write(request.user)
        else []
    )
    is_reviewer = (
        can_write(request.user)
        and Target.objects.visible_to(request.user, roles=services.REVIEWER_ROLES).filter(pk=pk).exists()
    )
    final_review = (
        target.state == "performance_review"
        and can_write(request.user)
        and Target.objects.visible_to(request.user, roles=("performance",)).filter(pk=pk).exists()
    )
    return render(
        request,
        "targets/detail.html",
        {
            "t": target,
            "rows": rows,
            "general": general,
            "problems": problems,
            "steps": steps,
            "can_edit": services.can_edit(target, request.user),
            "is_reviewer": is_reviewer,
            "final_review": final_review,
            "dimensions": REVIEW_DIMENSIONS,
            "grades": GRADES,
            "history": workflow.history(target),
            "versions": target.versions.all(),
            "comments": target.comments.filter(indicator__isnull=True).select_related("author"),
            "reviews": target.reviews.select_related("reviewer"),
            "tasks": target.tasks.all(),
        },
    )


@login_required
def target_edit(request, pk: int):
    target = _visible_or_404(request, pk)
    if not services.can_edit(target, request.user):
        messages.error(request, f"绩效目标处于“{target.state_label}”状态，您无权修改。")
        return redirect(target)
    if request.method == "POST":
        rows = _rows_from_post(request.POST)
        tasks = _tasks_from_post(request.POST) if target.kind == Target.Kind.WHOLE else None
        try:
            target = services.do_save_target(
                pk,
                actor=request.user,
                expected_version=request.POST.get("version"),
                rows=rows,
                goal=request.POST.get("goal", ""),
                goal_midterm=request.POST.get("goal_midterm", ""),
                serves_public=request.POST.get("serves_public") == "on",
                special_fund=request.POST.get("special_fund") == "on",
                tasks=tasks,
            )
        except ServiceError as e:
            messages.error(request, error_text(e))
        else:
            messages.success(request, "已保存。" + ("" if services.problems_of(target) else "检查通过，可以提交审核。"))
            if request.POST.get("then") == "submit":
                return _submit(request, target)
            return redirect("targets:edit", pk=pk)
    rows, general, problems = _rows_with_problems(target)
    framework = Framework.objects.get(key=target.framework)
    return render(
        request,
        "targets/edit.html",
        {
            "t": target,
            "suggestions": suggest_for_target(target, top=10),
            "rows": rows,
            "general": general,
            "problems": problems,
            "tree": framework.tree(),
            "tasks": target.tasks.all(),
            "sources": ["计划标准", "行业标准", "历史标准", "其他标准"],
            "expected": target.scheme.expected({r.level1 for r in rows}) if rows else target.scheme.weights,
        },
    )


def _submit(request, target):
    try:
        services.do_transition(target.pk, "submit", actor=request.user, expected_version=target.version)
    except ServiceError as e:
        messages.error(request, error_text(e))
        return redirect("targets:edit", pk=target.pk)
    messages.success(request, "已提交主管部门审核。")
    return redirect(target)


def _rows_from_post(post) -> list[services.RowInput]:
    rows = []
    for i in sorted({int(k.split("-")[1]) for k in post if k.startswith("row-") and k.count("-") == 2}):
        p = f"row-{i}-"
        if post.get(p + "delete") == "on" or not any(post.get(p + f, "").strip() for f in ("name", "value")):
            continue
        rows.append(
            services.RowInput(
                level1=post.get(p + "level1", ""),
                level2=post.get(p + "level2", ""),
                name=post.get(p + "name", ""),
                value=post.get(p + "value", ""),
                unit=post.get(p + "unit", ""),
                weight=post.get(p + "weight") or None,
                mid_value=post.get(p + "mid_value", ""),
                source=post.get(p + "source", "计划标准"),
                note=post.get(p + "note", ""),
                id=int(post[p + "id"]) if post.get(p + "id", "").isdigit() else None,
            )
        )
    return rows


def _tasks_from_post(post) -> list[dict]:
    out = []
    for i in sorted({int(k.split("-")[1]) for k in post if k.startswith("task-") and k.count("-") == 2}):
        p = f"task-{i}-"
        if post.get(p + "delete") == "on" or not post.get(p + "name", "").strip():
            continue
        out.append({f: post.get(p + f, "") for f in ("name", "content", "amount", "amount_fiscal")})
    return out


@login_required
def blank_row(request, pk: int):
    target = _visible_or_404(request, pk)
    framework = Framework.objects.get(key=target.framework)
    return render(
        request,
        "targets/_row.html",
        {
            "r": None,
            # rows are read back in index order: a millisecond clock keeps new rows after the old ones, in order
            "i": int(time.time() * 1000),
            "tree": framework.tree(),
            "sources": ["计划标准", "行业标准", "历史标准", "其他标准"],
        },
    )


@login_required
@require_POST
def add_from_library(request, pk: int):
    _visible_or_404(request, pk)
    ids = [int(x) for x in request.POST.getlist("template") if x.isdigit()]
    version = request.POST.get("version")
    attempt(
        request,
        lambda: services.do_add_from_library(pk, ids, actor=request.user, expected_version=version),
        f"已从指标库加入 {len(ids)} 个指标，请核对指标值。",
    )
    return redirect("targets:edit", pk=pk)


@login_required
@require_POST
def add_suggestions(request, pk: int):
    _visible_or_404(request, pk)
    names = request.POST.getlist("suggestion")
    version = request.POST.get("version")
    attempt(
        request,
        lambda: services.do_add_suggestions(pk, names, actor=request.user, expected_version=version),
        f"已加入 {len(names)} 个推荐指标，请核对指标值。",
    )
    return redirect("targets:edit", pk=pk)


@login_required
@require_POST
def distribute(request, pk: int):
    _visible_or_404(request, pk)
    version = request.POST.get("version")
    attempt(
        request,
        lambda: services.do_distribute_weights(pk, actor=request.user, expected_version=version),
        "已按权重方案分配分值。",
    )
    return redirect("targets:edit", pk=pk)


@login_required
@require_POST
def target_action(request, pk: int):
    _visible_or_404(request, pk)
    action = request.POST.get("action", "")
    try:
        target = services.do_transition(
            pk,
            action,
            actor=request.user,
            comment=request.POST.get("comment", ""),
            expected_version=request.POST.get("version") or None,
        )
    except ServiceError as e:
        messages.error(request, error_text(e))
        return redirect("targets:detail", pk=pk)
    messages.success(request, f"已办理，当前状态：{target.state_label}。")
    if action == "adjust":
        return redirect("targets:edit", pk=pk)
    return redirect("targets:detail", pk=pk)


@login_required
@require_POST
def target_comment(request, pk: int):
    _visible_or_404(request, pk)
    row = request.POST.get("indicator")
    indicator_id = int(row) if row and row.isdigit() else None
    attempt(
        request,
        lambda: services.do_comment(
            pk, actor=request.user, text=request.POST.get("text", ""), indicator_id=indicator_id
        ),
        "审核意见已记录。",
    )
    return redirect("targets:detail", pk=pk)


@login_required
@require_POST
def final_review(request, pk: int):
    _visible_or_404(request, pk)
    dims = {d: request.POST.get(f"dim-{i}", "") for i, d in enumerate(REVIEW_DIMENSIONS)}
    attempt(
        request,
        lambda: services.do_final_review(
            pk,
            actor=request.user,
            grade=request.POST.get("grade", ""),
            dimensions=dims,
            opinion=request.POST.get("opinion", ""),
            expected_version=request.POST.get("version") or None,
        ),
        lambda t: f"终审完成（{t.grade}），当前状态：{t.state_label}。",
    )
    return redirect("targets:detail", pk=pk)


@login_required
def version_diff(request, pk: int, a: int, b: int):
    target = _visible_or_404(request, pk)
    versions = {v.number: v for v in target.versions.filter(number__in=[a, b])}
    if a not in versions:
        raise Http404("版本不存在")
    old = versions[a].snapshot
    new = versions[b].snapshot if b in versions else services.snapshot(target)
    label_b = f"第{b}版" if b in versions else "当前（调整中）"
    return render(
        request,
        "targets/diff.html",
        {
            "t": target,
            "d": diff(old, new),
            "a": a,
            "label_b": label_b,
            "labels": ROW_LABELS,
            "versions": target.versions.all(),
        },
    )


@login_required
def approve(request):
    if not request.user.has_role("performance"):
        raise Http404
    year = _year(request) or target_year()
    if request.method == "POST":
        try:
            approval = services.do_approve(
                posted_int(request.POST.get("department")) or 0,
                year,
                actor=request.user,
                document_no=request.POST.get("document_no", ""),
                title=request.POST.get("title", ""),
                publish=request.POST.get("publish") == "on",
            )
        except ServiceError as e:
            messages.error(request, error_text(e))
        else:
            messages.success(
                request,
                f"已批复 {approval.targets.count()} 个绩效目标（{approval.document_no}），相应项目预算同时批复。",
            )
        return redirect(f"/targets/approve/?year={year}")
    waiting = (
        Target.objects.visible_to(request.user, roles=("performance",))
        .filter(year=year, state="passed")
        .values("department", "department__name", "department__code")
        .order_by("department__code")
    )
    groups: dict = {}
    for w in waiting:
        g = groups.setdefault(w["department"], {"id": w["department"], "name": w["department__name"], "n": 0})
        g["n"] += 1
    from wenxiao.targets.models import Approval

    return render(
        request,
        "targets/approve.html",
        {
            "year": year,
            "groups": groups.values(),
            "approvals": Approval.objects.visible_to(request.user).filter(year=year).select_related("department")[:50],
        },
    )


@login_required
def stats(request):
    year = _year(request) or target_year()
    return render(
        request,
        "targets/stats.html",
        {
            "s": selectors.review_stats(request.user, year),
            "year": year,
            "years": range(target_year(), target_year() - 4, -1),
        },
    )


@login_required
@require_POST
def review_report(request):
    """Queue the 智能审核 report of a year's targets (one department or all in scope) as an xlsx job."""
    from wenxiao.core.jobs import start_job

    if not request.user.has_role("performance", "business", "department"):
        raise Http404
    year = _year(request) or target_year()
    department = request.POST.get("department", "") or request.GET.get("department", "")
    job = start_job(
        "targets.review_report",
        f"绩效目标智能审核报告（{year}年度{'，' + department if department else ''}）",
        user=request.user,
        params={"year": year, "department": department},
    )
    messages.info(request, f"已提交“{job.title}”，完成后可在“我的后台任务”中下载。")
    return redirect("core:jobs")
