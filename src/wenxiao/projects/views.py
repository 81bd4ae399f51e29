"""Pages of the project library: list with filters and search, detail, create, edit, workflow, export."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from wenxiao.catalog.choices import BudgetKind, FundType, ProjectClass
from wenxiao.catalog.models import FunctionClass
from wenxiao.core import workflow
from wenxiao.core.errors import ServiceError, error_text
from wenxiao.core.jobs import start_job
from wenxiao.core.models import AuditEvent
from wenxiao.core.paging import IdsFirstPaginator
from wenxiao.core.scoping import can_write
from wenxiao.orgs.models import Organisation
from wenxiao.projects import selectors, services
from wenxiao.projects.forms import AdjustmentForm, ProjectCreateForm, ProjectEditForm, ResponsibleForm
from wenxiao.projects.models import INTAKE, Project
from wenxiao.targets.services import budget_gate


def _filter_from(request) -> selectors.ProjectFilter:
    g = request.GET
    year = g.get("year", str(settings.FISCAL_YEAR))
    return selectors.ProjectFilter(
        q=g.get("q", "").strip(),
        year=int(year) if year.isdigit() else None,
        budget_kind=g.get("budget_kind", ""),
        function=g.get("function", ""),
        department=g.get("department", ""),
        unit=g.get("unit", ""),
        region=g.get("region", ""),
        state=g.get("state", ""),
        project_class=g.get("project_class", ""),
        fund_type=g.get("fund_type", ""),
        kind=g.get("kind", ""),
        order=g.get("order", "code"),
    )


@login_required
def project_list(request):
    f = _filter_from(request)
    qs = selectors.project_list(request.user, f)
    page = IdsFirstPaginator(qs, 30).get_page(request.GET.get("page"))
    departments = Organisation.objects.visible_to(request.user).filter(kind="department")
    departments = departments.order_by("path").values_list("code", "name")
    context = {
        "page": page,
        "f": f,
        "departments": departments,
        "functions": FunctionClass.objects.filter(level=1),
        "budget_kinds": BudgetKind.choices,
        "fund_types": FundType.choices[1:],
        "classes": ProjectClass.choices,
        "states": INTAKE.states.items(),
        "years": range(settings.FISCAL_YEAR + 1, settings.FISCAL_YEAR - 5, -1),
        "can_create": can_write(request.user)
        and request.user.has_role("unit", "department", "business", "performance"),
    }
    template = (
        "projects/_table.html" if request.htmx and request.htmx.target == "project-table" else "projects/list.html"
    )
    return render(request, template, context)


@login_required
@require_POST
def project_export(request):
    f = _filter_from(request)
    params = {k: v for k, v in vars(f).items() if v not in ("", None)}
    job = start_job(
        "projects.export",
        f"项目库导出（{f.year or '全部年度'}）",
        user=request.user,
        params={"filter": params},
    )
    messages.info(request, f"已提交导出任务“{job.title}”，完成后可在“我的后台任务”中下载。")
    return redirect("core:jobs")


@login_required
def project_detail(request, pk: int):
    project = _visible_or_404(request, pk)
    budgets = list(selectors.budgets_of(project))
    latest = budgets[0] if budgets else None
    is_finance = Project.objects.visible_to(request.user, roles=services.FINANCE_ROLES).filter(pk=pk).exists()
    context = {
        "p": project,
        "budgets": budgets,
        "responsible": project.responsible_persons.select_related("recorded_by"),
        "history": workflow.history(project),
        "steps": workflow.available_steps(project, request.user) if can_write(request.user) else [],
        "can_edit": services.editable_by(project, request.user),
        "can_adjust": is_finance and can_write(request.user),
        "can_change_responsible": can_write(request.user)
        and Project.objects.visible_to(request.user, roles=services.EDITOR_ROLES).filter(pk=pk).exists(),
        "adjust_form": AdjustmentForm(initial={"year": latest.year if latest else settings.FISCAL_YEAR}),
        "responsible_form": ResponsibleForm(),
        "audit": AuditEvent.objects.filter(object_type="projects.project", object_id=str(pk))[:20],
        "targets": project.targets.order_by("-year"),
        "gates": {b.year: budget_gate(project, b.year) for b in budgets if not b.approved_at},
    }
    return render(request, "projects/detail.html", context)


@login_required
def project_create(request):
    form = ProjectCreateForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            project = services.do_create_project(
                services.ProjectInput(
                    name=d["name"],
                    unit_code=d["unit_code"],
                    year=d["year"],
                    function_code=d["function_code"],
                    amount_initial=d["amount_initial"],
                    kind=d["kind"],
                    description=d["description"],
                    start_year=d["start_year"],
                    end_year=d["end_year"],
                    budget_kind=d["budget_kind"],
                    fund_type=d["fund_type"],
                    economic_code=d["economic_code"],
                    project_class=d["project_class"],
                    attribute=d["attribute"],
                    amount_carryover=d["amount_carryover"],
                    amount_other=d["amount_other"],
                    responsible_name=d["responsible_name"],
                    responsible_position=d["responsible_position"],
                    responsible_phone=d["responsible_phone"],
                ),
                actor=request.user,
            )
        except ServiceError as e:
            _form_errors(form, e)
        else:
            messages.success(request, f"项目“{project.name}”已登记，项目代码 {project.code}。")
            return redirect(project)
    return render(request, "projects/form.html", {"form": form, "title": "登记项目"})


@login_required
def project_edit(request, pk: int):
    project = _visible_or_404(request, pk)
    if not services.editable_by(project, request.user):
        messages.error(request, f"项目处于“{project.state_label}”状态，您无权修改。")
        return redirect(project)
    budget = project.budgets.order_by("-year").first()
    initial = {
        "name": project.name,
        "kind": project.kind,
        "start_year": project.start_year,
        "end_year": project.end_year,
        "budget_kind": project.budget_kind,
        "fund_type": project.fund_type,
        "function_code": project.function_class_id,
        "economic_code": project.economic_class_id or "",
        "project_class": project.project_class,
        "attribute": project.attribute,
        "description": project.description,
        "version": project.version,
        "year": budget.year if budget else None,
        "amount_initial": budget.amount_initial if budget else 0,
        "amount_carryover": budget.amount_carryover if budget else 0,
        "amount_other": budget.amount_other if budget else 0,
    }
    form = ProjectEditForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        d = dict(form.cleaned_data)
        version = d.pop("version")
        changed = {k: v for k, v in d.items() if k in form.changed_data or k == "year"}
        try:
            services.do_update_project(pk, changed, actor=request.user, expected_version=version)
        except ServiceError as e:
            _form_errors(form, e)
        else:
            messages.success(request, "修改已保存。")
            return redirect(project)
    return render(request, "projects/form.html", {"form": form, "title": f"修改项目 · {project.name}", "p": project})


def _visible_or_404(request, pk: int) -> Project:
    project = selectors.project_detail(request.user, pk)
    if project is None:
        raise Http404("项目不存在或无权查看")
    return project


@login_required
@require_POST
def project_action(request, pk: int):
    _visible_or_404(request, pk)
    try:
        project = services.do_transition(
            pk,
            request.POST.get("action", ""),
            actor=request.user,
            comment=request.POST.get("comment", ""),
            expected_version=request.POST.get("version") or None,
        )
    except ServiceError as e:
        messages.error(request, e.message)
    else:
        messages.success(request, f"已办理，项目当前状态：{project.state_label}。")
    return redirect("projects:detail", pk=pk)


@login_required
@require_POST
def project_adjust(request, pk: int):
    _visible_or_404(request, pk)
    form = AdjustmentForm(request.POST)
    if not form.is_valid():
        messages.error(
            request,
            "预算调整信息不完整：" + "；".join(f"{form.fields[k].label}{v[0]}" for k, v in form.errors.items()),
        )
        return redirect("projects:detail", pk=pk)
    try:
        services.do_adjust_budget(
            pk,
            year=form.cleaned_data["year"],
            amount=form.cleaned_data["amount"],
            reason=form.cleaned_data["reason"],
            document_no=form.cleaned_data["document_no"],
            actor=request.user,
        )
    except ServiceError as e:
        messages.error(request, error_text(e))
    else:
        messages.success(request, "预算调整已登记。")
    return redirect("projects:detail", pk=pk)


@login_required
@require_POST
def project_responsible(request, pk: int):
    _visible_or_404(request, pk)
    form = ResponsibleForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请填写新责任人姓名和变更原因。")
        return redirect("projects:detail", pk=pk)
    try:
        services.do_change_responsible(pk, actor=request.user, **form.cleaned_data)
    except ServiceError as e:
        messages.error(request, error_text(e))
    else:
        messages.success(request, "项目责任人已变更，原责任人记录已保留。")
    return redirect("projects:detail", pk=pk)


def _form_errors(form, e: ServiceError) -> None:
    form.add_error(None, e.message)
    for field, msgs in e.errors.items():
        for m in msgs:
            form.add_error(field if field in form.fields else None, m)
