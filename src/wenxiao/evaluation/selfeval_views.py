"""Pages of 单位自评 and 财政复评: tasks, a unit's form with the live rule score, review, distribution of grades."""

from __future__ import annotations

import copy
from datetime import date
from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from wenxiao.core import workflow
from wenxiao.core.attachments import attach, attachments_of
from wenxiao.core.errors import ServiceError, error_text
from wenxiao.core.feedback import attempt, attempt_step
from wenxiao.core.scoping import can_write
from wenxiao.core.years import posted_date, year_of, years
from wenxiao.evaluation import selectors, selfeval_xlsx
from wenxiao.evaluation import selfeval_services as services
from wenxiao.evaluation.credibility import CODES
from wenxiao.evaluation.models import SURVEY_NOTE, SelfEvalTask, SelfEvaluation
from wenxiao.evaluation.scoring import ANSWERS
from wenxiao.evaluation.selfeval_import import import_selfeval
from wenxiao.orgs.models import Organisation


def _is_finance(user) -> bool:
    return user.is_superuser or user.has_role("performance", "business")


@login_required
def home(request):
    year = year_of(request)
    user = request.user
    return render(
        request,
        "evaluation/home.html",
        {
            "year": year,
            "years": years(),
            "d": selectors.distribution(user, year),
            "tasks": selectors.tasks(user, year)[:10],
            "flagged": selectors.flagged(user, year, 15) if _is_finance(user) else [],
            "mine": selectors.forms(user, year).filter(state__in=("draft", "returned")).order_by("id")[:50]
            if user.has_role("unit", "department")
            else [],
            "evaluations": selectors.evaluations(user, year)[:10],
            "codes": CODES,
        },
    )


@login_required
def task_list(request):
    year = year_of(request)
    user = request.user
    if request.method == "POST":
        p = request.POST
        task = attempt(
            request,
            lambda: services.do_issue_task(
                actor=user,
                year=year_of(request, p),
                name=p.get("name", ""),
                deadline=posted_date(p.get("deadline", "")),
                department_id=int(p["department"]) if p.get("department", "").isdigit() else None,
                note=p.get("note", ""),
                with_final_accounts=p.get("with_final_accounts") == "on",
            ),
            lambda t: f"已下达“{t.name}”，{t.forms.count()}张自评表已进入各单位待办。",
        )
        return redirect(task.get_absolute_url() if task else f"/evaluation/tasks/?year={year}")
    can_issue = can_write(user) and user.has_role("performance")
    return render(
        request,
        "evaluation/tasks.html",
        {
            "tasks": selectors.tasks(user, year),
            "year": year,
            "years": years(),
            "can_issue": can_issue,
            "departments": Organisation.objects.visible_to(user, ("performance",))
            .filter(kind="department")
            .order_by("code")
            if can_issue
            else [],
            "default_deadline": date(year + 1, 3, 31),
        },
    )


def _task_or_404(request, pk: int) -> SelfEvalTask:
    task = SelfEvalTask.objects.visible_to(request.user).select_related("region", "department").filter(pk=pk).first()
    if task is None:
        raise Http404("自评任务不存在或无权查看")
    return task


@login_required
def task_detail(request, pk: int):
    task = _task_or_404(request, pk)
    g = request.GET
    forms = selectors.forms(request.user).filter(task=task)
    if g.get("state"):
        forms = forms.filter(state=g["state"])
    if g.get("grade"):
        forms = forms.filter(grade=g["grade"])
    if g.get("flagged") == "1":
        forms = forms.filter(flag_count__gt=0)
    if g.get("sampled") == "1":
        forms = forms.filter(sampled=True)
    if g.get("department", "").isdigit():
        forms = forms.filter(department_id=int(g["department"]))
    user = request.user
    return render(
        request,
        "evaluation/task.html",
        {
            "t": task,
            "completion": selectors.completion(user, task),
            "page": Paginator(forms.order_by("state", "department__code", "id"), 50).get_page(g.get("page")),
            "states": SelfEvaluation.workflow.states.items(),
            "can_sample": can_write(user) and user.has_role("performance"),
            "can_upload": can_write(user) and user.has_role("unit", "department"),
        },
    )


@login_required
@require_POST
def task_sample(request, pk: int):
    _task_or_404(request, pk)
    share = request.POST.get("share", "")
    attempt(
        request,
        lambda: services.do_sample(pk, actor=request.user, share=float(share) / 100 if share else None),
        lambda picked: f"已抽取{len(picked)}张自评表进行复评（有可信度提示的全部纳入）。",
    )
    return redirect(f"/evaluation/tasks/{pk}/?sampled=1")


@login_required
def task_export(request, pk: int):
    task = _task_or_404(request, pk)
    forms = list(
        selectors.forms(request.user)
        .filter(task=task)
        .select_related("region")
        .prefetch_related("lines")
        .order_by("department__code", "id")[:500]
    )
    if not forms:
        raise Http404("没有可下载的自评表")
    body = selfeval_xlsx.workbook(forms, services.scoring_config(task.region, task.year).exec_points)
    return _xlsx(body, f"{task.name}-自评表.xlsx")


def _xlsx(body: bytes, name: str) -> HttpResponse:
    response = HttpResponse(body, content_type=selfeval_xlsx.XLSX)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
    return response


@login_required
@require_POST
def upload(request):
    """导入离线填写的自评表 (all sheets or none)."""
    f = request.FILES.get("file")
    if f is None:
        messages.error(request, "请选择要上传的自评表（xlsx）。")
    elif not can_write(request.user):
        messages.error(request, "只读账号不能导入。")
    else:
        try:
            result = import_selfeval(request.user, f.read(), f.name)
            messages.success(request, result.message)
        except ServiceError as e:
            messages.error(request, error_text(e, limit=30))
    return redirect(request.POST.get("next") or "evaluation:home")


# --- a form --------------------------------------------------------------------------------------------------------


def _form_or_404(request, pk: int) -> SelfEvaluation:
    form = (
        SelfEvaluation.objects.visible_to(request.user)
        .select_related("task", "region", "project", "unit", "department", "target", "reviewed_by")
        .filter(pk=pk)
        .first()
    )
    if form is None:
        raise Http404("自评表不存在或无权查看")
    return form


def _editable(user, form: SelfEvaluation) -> bool:
    return (
        can_write(user)
        and form.state in ("draft", "returned")
        and SelfEvaluation.objects.visible_to(user, services.UNIT_ROLES).filter(pk=form.pk).exists()
    )


def _reviewable(user, form: SelfEvaluation) -> bool:
    return (
        can_write(user)
        and form.state in ("finance_review", "done")
        and SelfEvaluation.objects.visible_to(user, services.FINANCE).filter(pk=form.pk).exists()
    )


def _posted_lines(request, form: SelfEvaluation) -> list[dict]:
    p = request.POST
    return [
        {
            "id": ln.pk,
            "actual": p.get(f"actual-{ln.pk}", ""),
            "declared_score": p.get(f"declared-{ln.pk}", ""),
            "deviation_reason": p.get(f"reason-{ln.pk}", ""),
            "explanation": p.get(f"explain-{ln.pk}", ""),
        }
        for ln in form.lines.all()
    ]


def _context(request, form: SelfEvaluation, lines=None) -> dict:
    user = request.user
    lines = list(form.lines.all()) if lines is None else lines
    editable = _editable(user, form)
    exec_points = services.scoring_config(form.region, form.year).exec_points
    flags_by_row: dict[int, list[dict]] = {}
    for f in form.flags or []:
        flags_by_row.setdefault(f.get("indicator") if f.get("indicator") is not None else -1, []).append(f)
    for i, ln in enumerate(lines):
        ln.row_flags = flags_by_row.get(i, [])
        ln.qualitative = ln.rule.startswith("定性") or (not ln.rule and "定性" in ln.value)
    return {
        "f": form,
        "lines": lines,
        "editable": editable,
        "reviewable": _reviewable(user, form),
        "form_flags": flags_by_row.get(-1, []),
        "codes": CODES,
        "answers": ANSWERS,
        "full_marks": sum((ln.rule_weight or 0) for ln in lines) + exec_points,
    }


@login_required
def form_detail(request, pk: int):
    form = _form_or_404(request, pk)
    user = request.user
    lines = list(form.lines.all())
    if form.score is None:  # never saved yet: show what the rules make of the prefilled form
        form = copy.copy(form)
        services.score_form(form, lines)
    ctx = _context(request, form, lines)
    ctx.update(
        problems=services.form_problems(form) if ctx["editable"] else [],
        steps=[s for s in workflow.available_steps(form, user) if s.action != "submit"] if can_write(user) else [],
        history=workflow.history(form),
        attachments=attachments_of(form),
        survey_note=SURVEY_NOTE,
    )
    return render(request, "evaluation/form.html", ctx)


@login_required
@require_POST
def form_preview(request, pk: int):
    """The live score (htmx): the rules applied to what is on the screen, nothing saved."""
    form = _form_or_404(request, pk)
    if not _editable(request.user, form):
        raise Http404
    draft = copy.copy(form)
    lines = [copy.copy(ln) for ln in form.lines.all()]
    posted = {row["id"]: row for row in _posted_lines(request, form)}
    for ln in lines:
        row = posted[ln.pk]
        ln.actual, ln.deviation_reason, ln.explanation = row["actual"], row["deviation_reason"], row["explanation"]
        ln.declared_score = services._points(row["declared_score"], ln.name, "x", {}, ln.weight)
    amount = services._money(request.POST.get("executed"), "全年执行数", "executed", {})
    if amount is not None:
        draft.executed = amount
    services.score_form(draft, lines)
    ctx = _context(request, draft, lines)
    ctx["oob"] = True
    return render(request, "evaluation/_score.html", ctx)


@login_required
@require_POST
def form_save(request, pk: int):
    form = _form_or_404(request, pk)
    p = request.POST
    changes = {
        "executed": p.get("executed", ""),
        "goal_actual": p.get("goal_actual", ""),
        "summary": p.get("summary", ""),
        "with_final_accounts": p.get("with_final_accounts") == "on",
        "lines": _posted_lines(request, form),
    }
    saved = attempt(
        request,
        lambda: services.do_save_form(pk, changes, actor=request.user, expected_version=p.get("version")),
        lambda f: f"已保存，规则得分 {f.score} 分（{f.grade}）。",
    )
    if saved and p.get("then") == "submit":
        attempt(
            request,
            lambda: services.do_transition(pk, "submit", actor=request.user, expected_version=saved.version),
            "已提交主管部门审核。",
        )
    return redirect("evaluation:form", pk=pk)


@login_required
@require_POST
def form_action(request, pk: int):
    _form_or_404(request, pk)
    attempt_step(request, pk, services.do_transition)
    return redirect("evaluation:form", pk=pk)


@login_required
@require_POST
def form_review(request, pk: int):
    form = _form_or_404(request, pk)
    p = request.POST
    rows = [
        {"id": ln.pk, "review_score": p.get(f"review-{ln.pk}", ""), "review_reason": p.get(f"why-{ln.pk}", "")}
        for ln in form.lines.all()
    ]
    attempt(
        request,
        lambda: services.do_review(
            pk,
            dict(lines=rows, review_budget_score=p.get("review_budget_score", ""), review_opinion=p.get("opinion")),
            actor=request.user,
        ),
        lambda f: f"复评完成：{f.review_score} 分（{f.review_grade}），自评规则得分 {f.score} 分。",
    )
    return redirect("evaluation:form", pk=pk)


@login_required
def form_export(request, pk: int):
    form = _form_or_404(request, pk)
    body = selfeval_xlsx.workbook([form], services.scoring_config(form.region, form.year).exec_points)
    return _xlsx(body, f"{form.year}年{form.subject_name}-绩效自评表.xlsx")


@login_required
@require_POST
def form_attach(request, pk: int):
    form = _form_or_404(request, pk)
    upload_ = request.FILES.get("file")
    if upload_ is None or not _editable(request.user, form):
        messages.error(request, "请选择要上传的文件。" if upload_ is None else "自评表已提交或无权上传。")
        return redirect("evaluation:form", pk=pk)
    note = request.POST.get("note", "").strip()
    if request.POST.get("survey") == "on":
        note = f"{SURVEY_NOTE}：{note}" if note else SURVEY_NOTE

    def run():
        a = attach(form, upload_, actor=request.user, note=note)
        services.do_rescore(SelfEvaluation.objects.select_related("region", "project", "unit").get(pk=pk))
        return a

    attempt(request, run, "佐证材料已上传。")
    return redirect("evaluation:form", pk=pk)


@login_required
def attachment_download(request, pk: int, attachment_id: int):
    form = _form_or_404(request, pk)
    att = attachments_of(form).filter(pk=attachment_id).first()
    if att is None:
        raise Http404
    return FileResponse(att.file.open("rb"), as_attachment=True, filename=att.name)


@login_required
def distribution(request):
    year = year_of(request)
    return render(
        request,
        "evaluation/distribution.html",
        {"year": year, "years": years(), "d": selectors.distribution(request.user, year)},
    )
