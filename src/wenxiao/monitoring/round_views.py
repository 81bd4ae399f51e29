"""Pages of monitoring rounds and forms: open a round, its completion status and report, fill and review a form."""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from wenxiao.core import workflow
from wenxiao.core.feedback import attempt, attempt_step
from wenxiao.core.scoping import can_write
from wenxiao.core.values import Kind, ValueParseError, parse
from wenxiao.core.years import posted_date, year_of, years
from wenxiao.monitoring import report, selectors, services
from wenxiao.monitoring.models import (
    DEVIATIONS,
    LIKELIHOOD,
    QUAL_ANSWERS,
    UNIT_ROLES,
    MonitoringForm,
    MonitoringRound,
)
from wenxiao.orgs.models import Organisation


@login_required
def round_list(request):
    year = year_of(request)
    user = request.user
    if request.method == "POST":
        p = request.POST
        rnd = attempt(
            request,
            lambda: services.do_open_round(
                actor=user,
                year=year_of(request, p),
                name=p.get("name", ""),
                kind=p.get("kind", "concentrated"),
                period_end=posted_date(p.get("period_end")) or date(1, 1, 1),
                deadline=posted_date(p.get("deadline")) or date(1, 1, 1),
                department_id=int(p["department"]) if p.get("department", "").isdigit() else None,
                note=p.get("note", ""),
            ),
            lambda r: f"已发起“{r.name}”，{r.forms.count()}张监控表已下发到单位待办。",
        )
        return redirect(rnd.get_absolute_url() if rnd else f"/monitoring/rounds/?year={year}")
    can_open = can_write(user) and user.has_role("performance", "department")
    return render(
        request,
        "monitoring/rounds.html",
        {
            "rounds": selectors.rounds(user, year),
            "year": year,
            "years": years(),
            "can_open": can_open,
            "kinds": MonitoringRound.Kind.choices,
            "departments": Organisation.objects.visible_to(user, ("performance", "department"))
            .filter(kind="department")
            .order_by("code")
            if can_open
            else [],
        },
    )


def _round_or_404(request, pk: int) -> MonitoringRound:
    rnd = MonitoringRound.objects.visible_to(request.user).select_related("department", "region").filter(pk=pk).first()
    if rnd is None:
        raise Http404("监控轮次不存在或无权查看")
    return rnd


@login_required
def round_detail(request, pk: int):
    rnd = _round_or_404(request, pk)
    g = request.GET
    forms = selectors.round_forms(request.user, rnd).select_related("project", "unit", "department")
    if g.get("state"):
        forms = forms.filter(state=g["state"])
    if g.get("department", "").isdigit():
        forms = forms.filter(department_id=int(g["department"]))
    return render(
        request,
        "monitoring/round.html",
        {
            "r": rnd,
            "completion": selectors.completion(request.user, rnd),
            "coverage": selectors.coverage(request.user, rnd),
            "page": Paginator(forms.order_by("state", "department__code", "project__code"), 50).get_page(g.get("page")),
            "states": MonitoringForm.workflow.states.items(),
        },
    )


@login_required
@require_POST
def round_close(request, pk: int):
    _round_or_404(request, pk)
    attempt(request, lambda: services.do_close_round(pk, actor=request.user), "本轮监控已结束。")
    return redirect("monitoring:round", pk=pk)


@login_required
def round_report(request, pk: int, fmt: str):
    rnd = _round_or_404(request, pk)
    if fmt == "xlsx":
        body, ctype = report.round_xlsx(request.user, rnd), report.XLSX
    elif fmt == "docx":
        body, ctype = report.round_docx(request.user, rnd), report.DOCX
    else:
        raise Http404("不支持的格式")
    response = HttpResponse(body, content_type=ctype)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{report.filename(rnd, fmt)}"
    return response


def _form_or_404(request, pk: int) -> MonitoringForm:
    form = (
        MonitoringForm.objects.visible_to(request.user)
        .select_related("round", "project", "unit", "department", "target")
        .filter(pk=pk)
        .first()
    )
    if form is None:
        raise Http404("监控表不存在或无权查看")
    return form


@login_required
def form_detail(request, pk: int):
    form = _form_or_404(request, pk)
    user = request.user
    editable = (
        can_write(user)
        and form.state in ("draft", "returned")
        and MonitoringForm.objects.visible_to(user, UNIT_ROLES).filter(pk=pk).exists()
    )
    lines = list(form.lines.all())
    for ln in lines:  # 定性 rows answer with one of the three §5.3 wordings; the others with a value
        try:
            ln.qualitative = parse(ln.value, ln.unit, year=form.round.year).kind == Kind.QUALITATIVE
        except ValueParseError:
            ln.qualitative = False
    return render(
        request,
        "monitoring/form.html",
        {
            "f": form,
            "lines": lines,
            "editable": editable,
            "problems": services.form_problems(form) if editable else [],
            "steps": workflow.available_steps(form, user) if can_write(user) else [],
            "history": workflow.history(form),
            "likelihood": LIKELIHOOD,
            "deviations": DEVIATIONS,
            "answers": QUAL_ANSWERS,
            "year": form.round.year,
            "fiscal_year": settings.FISCAL_YEAR,
        },
    )


@login_required
@require_POST
def form_save(request, pk: int):
    form = _form_or_404(request, pk)
    p = request.POST
    lines = [
        {
            "id": ln.pk,
            "to_date": p.get(f"to_date-{ln.pk}", ""),
            "forecast": p.get(f"forecast-{ln.pk}", ""),
            "likelihood": p.get(f"likelihood-{ln.pk}", ""),
            "deviation_kinds": p.getlist(f"kinds-{ln.pk}"),
            "deviation_text": p.get(f"deviation-{ln.pk}", ""),
            "measures": p.get(f"measures-{ln.pk}", ""),
        }
        for ln in form.lines.all()
    ]
    changes = {f: p.get(f, "") for f in services.FORM_FIELDS}
    saved = attempt(
        request,
        lambda: services.do_save_form(
            pk, {**changes, "lines": lines}, actor=request.user, expected_version=p.get("version")
        ),
        "已保存。",
    )
    if saved and p.get("then") == "submit":
        attempt(
            request,
            lambda: services.do_transition(pk, "submit", actor=request.user, expected_version=saved.version),
            "已提交主管部门审核。",
        )
    return redirect("monitoring:form", pk=pk)


@login_required
@require_POST
def form_action(request, pk: int):
    _form_or_404(request, pk)
    attempt_step(request, pk, services.do_transition)
    return redirect("monitoring:form", pk=pk)
