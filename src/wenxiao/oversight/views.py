"""Pages of 考核与综合评价: schemes, rounds (ranking, chart, breakdown), import, manual scoring, subjects,
约谈 and 移送纪检监察."""

from __future__ import annotations

import contextlib
from urllib.parse import quote

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from wenxiao.core.attachments import attachments_of
from wenxiao.core.errors import ServiceError, error_text
from wenxiao.core.feedback import attempt
from wenxiao.core.models import Attachment
from wenxiao.oversight import metrics, report, selectors, services
from wenxiao.oversight.models import (
    AssessmentRound,
    AssessmentScheme,
    AssessmentScore,
    AssessmentSubject,
    Interview,
    Kind,
    Referral,
    Rule,
    Source,
)


def _year(request) -> int | None:
    y = request.GET.get("year", "")
    return int(y) if y.isdigit() else None


def _years():
    return range(settings.FISCAL_YEAR + 1, settings.FISCAL_YEAR - 4, -1)


@login_required
def home(request):
    """Rounds and schemes of the user's reach; the 绩效科 creates schemes and opens rounds here."""
    user = request.user
    year = _year(request)
    region = None
    with contextlib.suppress(ServiceError):
        region = services.writer_region(user)
    if request.method == "POST" and request.POST.get("op") == "scheme":
        p = request.POST
        scheme = attempt(
            request,
            lambda: services.do_create_scheme(
                actor=user,
                year=int(p["year"]) if p.get("year", "").isdigit() else 0,
                kind=p.get("kind", ""),
                name=p.get("name", ""),
            ),
            lambda s: f"已按默认模板建立“{s.name}”，可调整指标后发起考核。",
        )
        return redirect(scheme.get_absolute_url() if scheme else "oversight:home")
    if request.method == "POST" and request.POST.get("op") == "round":
        p = request.POST
        rnd = attempt(
            request,
            lambda: services.do_open_round(
                actor=user,
                scheme_id=int(p["scheme"]) if p.get("scheme", "").isdigit() else 0,
                name=p.get("name", ""),
                note=p.get("note", ""),
            ),
            lambda r: f"已发起“{r.name}”，共{r.subjects.count()}个考核对象。",
        )
        return redirect(rnd.get_absolute_url() if rnd else "oversight:home")
    own_schemes = selectors.schemes(user, year).filter(region=region) if region else []
    return render(
        request,
        "oversight/home.html",
        {
            "rounds": selectors.rounds(user, year),
            "schemes": selectors.schemes(user, year),
            "own_schemes": own_schemes,
            "can_write": region is not None,
            "region": region,
            "year": year,
            "years": _years(),
            "kinds": Kind.choices,
            "fiscal_year": settings.FISCAL_YEAR,
        },
    )


def _scheme_or_404(request, pk: int) -> AssessmentScheme:
    s = AssessmentScheme.objects.visible_to(request.user).select_related("region").filter(pk=pk).first()
    if s is None:
        raise Http404("考核方案不存在或无权查看")
    return s


SPEC_INPUTS = ("group", "name", "weight", "source", "metric", "rule", "full_mark", "zero_mark", "full_mark_high",
               "zero_mark_high", "unit", "standard")  # fmt: skip


@login_required
def scheme(request, pk: int):
    s = _scheme_or_404(request, pk)
    user = request.user
    if request.method == "POST":
        p = request.POST
        count = int(p.get("rows", "0")) if p.get("rows", "").isdigit() else 0
        rows = []
        for i in range(min(count, 60)):
            row = {f: p.get(f"{f}-{i}", "") for f in SPEC_INPUTS}
            if not row["name"].strip() and not row["weight"].strip():
                continue  # blank or cleared row: removed
            rows.append(row)
        attempt(
            request,
            lambda: services.do_save_scheme(
                s.pk, rows, actor=user, expected_version=p.get("version"), name=p.get("name"), note=p.get("note")
            ),
            "方案已保存。",
        )
        return redirect("oversight:scheme", pk=s.pk)
    indicators = list(s.indicators.all())
    editable = selectors.is_owner(user, s.region_id)
    return render(
        request,
        "oversight/scheme.html",
        {
            "s": s,
            "indicators": indicators,
            "blank": range(len(indicators), len(indicators) + 3) if editable else [],
            "rows": len(indicators) + 3,
            "editable": editable,
            "total": sum(i.weight for i in indicators),
            "sources": Source.choices,
            "rules": Rule.choices,
            "metrics": metrics.choices(),
            "rounds": s.rounds.all(),
        },
    )


def _round_or_404(request, pk: int) -> AssessmentRound:
    rnd = AssessmentRound.objects.visible_to(request.user).select_related("region", "scheme").filter(pk=pk).first()
    if rnd is None:
        raise Http404("考核轮次不存在或无权查看")
    return rnd


@login_required
def round_detail(request, pk: int):
    rnd = _round_or_404(request, pk)
    user = request.user
    t = selectors.table(user, rnd)
    return render(
        request,
        "oversight/round.html",
        {
            "r": rnd,
            "t": t,
            "owner": selectors.is_owner(user, rnd.region_id),
            "sees_all": selectors.sees_all(user, rnd),
            "chart": selectors.chart_data(rnd, t["rows"]),
            "imports": rnd.indicators.filter(source="import").count(),
            "manuals": rnd.indicators.filter(source="manual").count(),
        },
    )


@login_required
@require_POST
def round_run(request, pk: int):
    _round_or_404(request, pk)
    attempt(
        request,
        lambda: services.do_run_metrics(pk, actor=request.user),
        lambda s: f"已计算{s.metrics}项系统指标：取得数值{s.computed}个，无相关业务{s.empty}个。",
    )
    return redirect("oversight:round", pk=pk)


@login_required
@require_POST
def round_publish(request, pk: int):
    _round_or_404(request, pk)
    attempt(
        request,
        lambda: services.do_publish_round(pk, actor=request.user, expected_version=request.POST.get("version")),
        "考核结果已公布，被考核单位可查看本单位结果。",
    )
    return redirect("oversight:round", pk=pk)


@login_required
def round_template(request, pk: int):
    rnd = _round_or_404(request, pk)
    if not selectors.is_owner(request.user, rnd.region_id):
        raise Http404("无权下载导入模板")
    response = HttpResponse(services.import_template(request.user, rnd), content_type=report.XLSX)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(rnd.name + '-导入模板.xlsx')}"
    return response


@login_required
def round_import(request, pk: int):
    rnd = _round_or_404(request, pk)
    user = request.user
    if not selectors.is_owner(user, rnd.region_id):
        raise Http404("无权导入")
    errors, done = [], None
    if request.method == "POST":
        upload = request.FILES.get("file")
        if upload is None:
            errors = ["请选择要导入的 .xlsx 文件"]
        else:
            try:
                parsed = services.do_import_values(
                    rnd.pk,
                    upload.read(),
                    upload.name or "import.xlsx",
                    actor=user,
                    dry_run=bool(request.POST.get("dry_run")),
                )
            except ServiceError as e:
                errors = [error_text(e)]
            else:
                if parsed.ok:
                    done = parsed
                    if not request.POST.get("dry_run"):
                        from django.contrib import messages

                        n = sum(len(v) for v in parsed.values.values())
                        messages.success(request, f"已导入{parsed.rows}个考核对象的{n}个数值，得分已重新计算。")
                        return redirect("oversight:round", pk=rnd.pk)
                else:
                    errors = [str(e) for e in parsed.errors]
    return render(
        request,
        "oversight/import.html",
        {"r": rnd, "columns": services.import_columns(rnd), "errors": errors, "checked": done},
    )


@login_required
def round_manual(request, pk: int):
    rnd = _round_or_404(request, pk)
    user = request.user
    owner = selectors.is_owner(user, rnd.region_id)
    if request.method == "POST":
        if not owner:
            raise Http404("无权评分")
        p = request.POST
        sid = int(p["score_id"]) if p.get("score_id", "").isdigit() else 0
        attempt(
            request,
            lambda: services.do_score_manual(
                sid,
                actor=user,
                score=p.get("score", ""),
                note=p.get("note", ""),
                evidence=request.FILES.get("evidence"),
                expected_version=p.get("version"),
            ),
            "评分已保存，总分和排名已更新。",
        )
        return redirect(f"{request.path}#score-{sid}")
    items = list(selectors.manual_items(user, rnd))
    files = {}
    for it in items:
        files[it.pk] = list(attachments_of(it))
    for it in items:
        it.files = files[it.pk]
    return render(request, "oversight/manual.html", {"r": rnd, "items": items, "owner": owner})


@login_required
def round_report(request, pk: int, fmt: str):
    rnd = _round_or_404(request, pk)
    if fmt == "docx":
        body, ctype = report.round_docx(request.user, rnd), report.DOCX
    elif fmt == "xlsx":
        body, ctype = report.round_xlsx(request.user, rnd), report.XLSX
    else:
        raise Http404("不支持的格式")
    response = HttpResponse(body, content_type=ctype)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{report.filename(rnd, fmt)}"
    return response


def _subject_or_404(request, pk: int) -> AssessmentSubject:
    s = AssessmentSubject.objects.visible_to(request.user).select_related("round__region").filter(pk=pk).first()
    if s is None:
        raise Http404("考核对象不存在或无权查看")
    return s


@login_required
def subject(request, pk: int):
    s = _subject_or_404(request, pk)
    user = request.user
    rows = list(selectors.subject_scores(user, s))
    for row in rows:
        row.files = list(attachments_of(row)) if row.indicator.source == "manual" else []
    return render(
        request,
        "oversight/subject.html",
        {
            "s": s,
            "r": s.round,
            "rows": rows,
            "interviews": selectors.interviews(user, s),
            "referrals": selectors.referrals(user, s),
            "owner": selectors.is_owner(user, s.round.region_id),
            "interview_states": Interview.Status.choices,
            "referral_states": Referral.Status.choices,
        },
    )


@login_required
@require_POST
def interview_add(request, pk: int):
    s = _subject_or_404(request, pk)
    p = request.POST
    attempt(
        request,
        lambda: services.do_record_interview(
            s.pk,
            actor=request.user,
            date=p.get("date", ""),
            attendees=p.get("attendees", ""),
            problems=p.get("problems", ""),
            requirements=p.get("requirements", ""),
            deadline=p.get("deadline", ""),
        ),
        "约谈记录已登记。",
    )
    return redirect("oversight:subject", pk=s.pk)


@login_required
@require_POST
def interview_update(request, pk: int):
    iv = Interview.objects.visible_to(request.user).filter(pk=pk).first()
    if iv is None:
        raise Http404("约谈记录不存在或无权查看")
    p = request.POST
    attempt(
        request,
        lambda: services.do_update_interview(
            iv.pk,
            actor=request.user,
            status=p.get("status", ""),
            result=p.get("result", ""),
            expected_version=p.get("version"),
        ),
        "整改情况已更新。",
    )
    return redirect("oversight:subject", pk=iv.subject_id)


@login_required
@require_POST
def referral_add(request, pk: int):
    s = _subject_or_404(request, pk)
    p = request.POST
    attempt(
        request,
        lambda: services.do_refer(
            s.pk,
            actor=request.user,
            date=p.get("date", ""),
            matter=p.get("matter", ""),
            reason=p.get("reason", ""),
            recipient=p.get("recipient", ""),
        ),
        "已登记移送纪检监察。",
    )
    return redirect("oversight:subject", pk=s.pk)


@login_required
@require_POST
def referral_update(request, pk: int):
    ref = Referral.objects.visible_to(request.user).filter(pk=pk).first()
    if ref is None:
        raise Http404("移送记录不存在或无权查看")
    p = request.POST
    attempt(
        request,
        lambda: services.do_update_referral(
            ref.pk,
            actor=request.user,
            status=p.get("status", ""),
            result=p.get("result", ""),
            expected_version=p.get("version"),
        ),
        "处理结果已更新。",
    )
    return redirect("oversight:subject", pk=ref.subject_id)


@login_required
def evidence(request, pk: int, attachment_id: int):
    row = AssessmentScore.objects.visible_to(request.user).filter(pk=pk).first()
    if row is None:
        raise Http404
    att = attachments_of(row).filter(pk=attachment_id).first()
    if not isinstance(att, Attachment):
        raise Http404
    return FileResponse(att.file.open("rb"), as_attachment=True, filename=att.name)
