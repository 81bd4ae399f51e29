"""Pages of 事前绩效评估: list with statistics, the assessment (scores, text, workflow), conclusion, report."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from wenxiao.appraisal import selectors, services
from wenxiao.appraisal.models import APPRAISAL_FLOW, ASSESSORS, CONCLUSIONS, FORM_ONLY, Appraisal
from wenxiao.appraisal.scoring import CONCLUSIONS as CONCLUSION_LABELS
from wenxiao.core import workflow
from wenxiao.core.attachments import attach, attachments_of
from wenxiao.core.config import setting
from wenxiao.core.feedback import attempt
from wenxiao.core.models import Attachment
from wenxiao.core.scoping import can_write
from wenxiao.orgs.models import User


def _year(request) -> int | None:
    y = request.GET.get("year", str(settings.FISCAL_YEAR + 1))
    return int(y) if y.isdigit() else None


def _visible_or_404(request, pk: int) -> Appraisal:
    a = Appraisal.objects.visible_to(request.user).select_related("project", "unit", "department").filter(pk=pk).first()
    if a is None:
        raise Http404("评估不存在或无权查看")
    return a


@login_required
def appraisal_list(request):
    year = _year(request)
    g = request.GET
    qs = selectors.appraisal_list(request.user, year=year, state=g.get("state", ""), conclusion=g.get("conclusion", ""))
    return render(
        request,
        "appraisal/list.html",
        {
            "page": Paginator(qs, 30).get_page(g.get("page")),
            "year": year,
            "stats": selectors.stats(request.user, year) if year else None,
            "states": APPRAISAL_FLOW.states.items(),
            "conclusions": CONCLUSIONS,
            "years": range(settings.FISCAL_YEAR + 1, settings.FISCAL_YEAR - 3, -1),
        },
    )


def _editable_stage(a: Appraisal, user) -> str | None:
    if not can_write(user):
        return None
    for stage in ("self", "final"):
        if (
            a.state in services.STAGE_STATES[stage]
            and Appraisal.objects.visible_to(user, roles=services._stage_roles(a, stage)).filter(pk=a.pk).exists()
        ):
            return stage
    return None


@login_required
def appraisal_detail(request, pk: int):
    a = _visible_or_404(request, pk)
    items = services.template_for(a)
    given = {s: {f"{x.dimension}/{x.item}": x for x in a.scores.filter(stage=s)} for s in ("self", "final")}
    rows = [
        {
            "key": i.key,
            "item": i,
            "self": given["self"].get(i.key),
            "final": given["final"].get(i.key),
        }
        for i in items
    ]
    is_finance = (
        can_write(request.user)
        and Appraisal.objects.visible_to(request.user, roles=("business", "performance")).filter(pk=pk).exists()
    )
    result = services.result_of(a, "final")
    return render(
        request,
        "appraisal/detail.html",
        {
            "a": a,
            "rows": rows,
            "stage": _editable_stage(a, request.user),
            "ratings": list(setting("appraisal.ratings", a.region, a.year)),
            "self_result": services.result_of(a, "self"),
            "final_result": result,
            "rule_conclusion": CONCLUSION_LABELS[result.conclusion],
            "conclusions": CONCLUSIONS,
            "steps": [s for s in workflow.available_steps(a, request.user) if s.action not in FORM_ONLY]
            if can_write(request.user)
            else [],
            "can_conclude": is_finance and a.state == "finance_review",
            "can_assign": a.state == "finance_review"
            and can_write(request.user)
            and Appraisal.objects.visible_to(request.user, roles=("performance",)).filter(pk=pk).exists(),
            "assessors": User.objects.filter(assignments__role__in=ASSESSORS, is_active=True).distinct(),
            "can_adjust": a.conclusion == "adjust"
            and not a.adjustment_done
            and can_write(request.user)
            and Appraisal.objects.visible_to(request.user, roles=services.DECLARERS).filter(pk=pk).exists(),
            "history": workflow.history(a),
            "attachments": attachments_of(a),
            "assignments": a.assignments.select_related("user"),
            "texts": [(f, Appraisal._meta.get_field(f).verbose_name) for f in services.TEXT_FIELDS],
        },
    )


@login_required
@require_POST
def appraisal_save(request, pk: int):
    a = _visible_or_404(request, pk)
    stage = request.POST.get("stage", "")
    ratings = {i_key: request.POST.get(f"r::{i_key}", "") for i_key in (i.key for i in services.template_for(a))}
    notes = {k: request.POST.get(f"n::{k}", "") for k in ratings}
    texts = {f: request.POST[f] for f in services.TEXT_FIELDS if f in request.POST}
    attempt(
        request,
        lambda: services.do_save(
            pk,
            actor=request.user,
            stage=stage,
            ratings=ratings,
            notes=notes,
            texts=texts,
            expected_version=request.POST.get("version"),
        ),
        "评分已保存。",
    )
    return redirect("appraisal:detail", pk=pk)


@login_required
@require_POST
def appraisal_action(request, pk: int):
    _visible_or_404(request, pk)
    attempt(
        request,
        lambda: services.do_transition(
            pk,
            request.POST.get("action", ""),
            actor=request.user,
            comment=request.POST.get("comment", ""),
            expected_version=request.POST.get("version") or None,
        ),
        lambda a: f"已办理，当前状态：{a.state_label}。",
    )
    return redirect("appraisal:detail", pk=pk)


@login_required
@require_POST
def appraisal_assign(request, pk: int):
    _visible_or_404(request, pk)
    attempt(
        request,
        lambda: services.do_assign(
            pk, request.POST.getlist("assessor"), actor=request.user, comment=request.POST.get("comment", "")
        ),
        "已委托评估。",
    )
    return redirect("appraisal:detail", pk=pk)


@login_required
@require_POST
def appraisal_conclude(request, pk: int):
    _visible_or_404(request, pk)
    p = request.POST
    attempt(
        request,
        lambda: services.do_conclude(
            pk,
            actor=request.user,
            amount_recommended=p.get("amount_recommended") or None,
            adjustment_required=p.get("adjustment_required", ""),
            override=p.get("override", ""),
            reason=p.get("reason", ""),
        ),
        lambda a: f"评估结论：{a.get_conclusion_display()}。",
    )
    return redirect("appraisal:detail", pk=pk)


@login_required
@require_POST
def appraisal_adjustment(request, pk: int):
    _visible_or_404(request, pk)
    attempt(
        request,
        lambda: services.do_record_adjustment(pk, request.POST.get("note", ""), actor=request.user),
        "已登记调整完善情况，项目可以入库。",
    )
    return redirect("appraisal:detail", pk=pk)


@login_required
@require_POST
def appraisal_attach(request, pk: int):
    a = _visible_or_404(request, pk)
    upload = request.FILES.get("file")
    if upload is None or not can_write(request.user):
        messages.error(request, "请选择要上传的文件。" if upload is None else "只读账号不能上传。")
        return redirect("appraisal:detail", pk=pk)
    attempt(request, lambda: attach(a, upload, actor=request.user, note=request.POST.get("note", "")), "附件已上传。")
    return redirect("appraisal:detail", pk=pk)


@login_required
def attachment_download(request, pk: int, attachment_id: int):
    a = _visible_or_404(request, pk)
    att = attachments_of(a).filter(pk=attachment_id).first()
    if not isinstance(att, Attachment):
        raise Http404
    return FileResponse(att.file.open("rb"), as_attachment=True, filename=att.name)


@login_required
def appraisal_report(request, pk: int, fmt: str):
    a = _visible_or_404(request, pk)
    from wenxiao.appraisal import report

    name = f"事前绩效评估报告-{a.project.name}"
    if fmt == "docx":
        data = report.render_docx(a)
        ctype = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    elif fmt == "pdf":
        try:
            data = report.render_pdf(a)
        except report.ReportUnavailable:  # WeasyPrint or its system libraries missing: the printable page instead
            return HttpResponse(report.render_html(a, pdf_unavailable=True, request=request), status=503)
        ctype = "application/pdf"
    elif fmt == "html":
        return HttpResponse(report.render_html(a, request=request))
    else:
        raise Http404
    response = HttpResponse(data, content_type=ctype)
    from urllib.parse import quote

    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}.{fmt}"
    return response
