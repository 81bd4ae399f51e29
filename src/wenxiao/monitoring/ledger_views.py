"""Pages for the payments ingest (国库集中支付数据导入) and the negative list (负面清单)."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from wenxiao.core.errors import ServiceError, error_text
from wenxiao.core.feedback import attempt
from wenxiao.core.jobs import job_dir
from wenxiao.core.models import Job
from wenxiao.core.scoping import can_write
from wenxiao.core.years import year_of, years
from wenxiao.monitoring import services
from wenxiao.monitoring.models import FINANCE, NegativeListEntry
from wenxiao.projects import ingest, payments_file
from wenxiao.projects.models import PaymentImport

MAX_UPLOAD = 200 * 1024 * 1024
SHOWN_ERRORS = 200


def _error_report(request, result: ingest.IngestResult) -> Job:
    """The full row/column error report as a finished job the user downloads from 我的后台任务."""
    name = f"支付数据错误报告-{result.filename.rsplit('.', 1)[0]}.xlsx"
    path = job_dir() / f"payments-errors-{uuid.uuid4().hex}.xlsx"
    path.write_bytes(payments_file.error_report_xlsx(result.errors, result.filename))
    return Job.objects.create(
        kind="payments.errors",
        title=f"支付数据校验错误报告（{result.filename}）",
        user=request.user,
        status=Job.Status.DONE,
        progress=100,
        result_file=str(path),
        result_name=name,
        message=result.summary(),
        finished_at=timezone.now(),
    )


@login_required
def payments(request):
    context: dict = {"imports": PaymentImport.objects.visible_to(request.user).select_related("imported_by")[:30]}
    if request.method == "POST":
        upload = request.FILES.get("file")
        if upload is None:
            messages.error(request, "请选择要导入的支付数据文件（CSV、XLSX 或 JSON）。")
        elif upload.size > MAX_UPLOAD:
            messages.error(request, "文件超过 200MB，请分批导入或使用命令行 wenxiao import payments。")
        else:
            try:
                result = ingest.import_payments(
                    upload.read(), upload.name, actor=request.user, dry_run=bool(request.POST.get("dry_run"))
                )
            except ServiceError as e:
                messages.error(request, error_text(e))
            else:
                if result.errors:
                    messages.error(request, result.summary())
                    context["errors"] = result.errors[:SHOWN_ERRORS]
                    context["more_errors"] = max(0, len(result.errors) - SHOWN_ERRORS)
                    context["report_job"] = _error_report(request, result)
                elif result.duplicate_of is not None:
                    messages.warning(request, result.summary())
                else:
                    messages.success(request, result.summary())
                    if not result.dry_run:
                        return redirect("monitoring:payments")
    context["can_import"] = can_write(request.user) and (
        request.user.is_superuser or request.user.has_role(*ingest.IMPORT_ROLES)
    )
    context["headers"] = payments_file.HEADERS
    return render(request, "monitoring/payments.html", context)


@login_required
def negative_list(request):
    year = year_of(request)
    qs = (
        NegativeListEntry.objects.visible_to(request.user)
        .filter(year=year)
        .select_related("project", "unit", "added_by")
        .order_by("removed_at", "-added_at")
    )
    return render(
        request,
        "monitoring/negative.html",
        {
            "entries": qs,
            "year": year,
            "years": years(),
            "can_edit": can_write(request.user) and request.user.has_role(*FINANCE),
        },
    )


@login_required
@require_POST
def negative_remove(request, pk: int):
    attempt(
        request,
        lambda: services.do_remove_negative(pk, actor=request.user, reason=request.POST.get("reason", "")),
        "已移出负面清单。",
    )
    return redirect("monitoring:negative")
