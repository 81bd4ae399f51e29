"""/exchange/: the 绩效科's (and system administrator's) page of 一体化 batches, their reports, and an upload form."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from wenxiao.core.errors import ServiceError, error_text
from wenxiao.core.scoping import can_write
from wenxiao.exchange import selectors, services
from wenxiao.exchange.fields import FIELDS
from wenxiao.exchange.models import ExchangeBatch

MAX_UPLOAD = 50 * 1024 * 1024


def _staff_or_404(request) -> None:
    if not selectors.is_staff(request.user):
        raise Http404("无权访问一体化数据交换")


@login_required
def home(request):
    _staff_or_404(request)
    g = request.GET
    kind = g.get("kind") if g.get("kind") in ExchangeBatch.Kind.values else ""
    status = g.get("status") if g.get("status") in ExchangeBatch.Status.values else ""
    qs = selectors.batches(request.user, kind=kind, status=status)
    return render(
        request,
        "exchange/home.html",
        {
            "page": Paginator(qs, 30).get_page(g.get("page")),
            "kinds": ExchangeBatch.Kind.choices,
            "statuses": ExchangeBatch.Status.choices,
            "kind": kind,
            "status": status,
            "can_push": can_write(request.user),
            "fields": FIELDS,
        },
    )


@login_required
@require_POST
def upload(request):
    _staff_or_404(request)
    kind = request.POST.get("kind", "")
    f = request.FILES.get("file")
    if f is None:
        messages.error(request, "请选择要上传的文件。")
        return redirect("exchange:home")
    if f.size > MAX_UPLOAD:
        messages.error(request, "文件超过50MB，请分批上传或放入文件交换目录。")
        return redirect("exchange:home")
    try:
        report, batch = services.do_push(
            kind,
            actor=request.user,
            source="upload",
            data=f.read(),
            file_name=f.name or "",
            dry_run=bool(request.POST.get("dry_run")),
        )
    except ServiceError as e:
        messages.error(request, error_text(e))
        return redirect("exchange:home")
    (messages.error if report.errors else messages.success)(request, report.summary())
    if batch is None:  # a dry run: nothing stored, show the report here
        return render(request, "exchange/batch.html", {"batch": None, "report": report.as_dict()})
    return redirect("exchange:batch", pk=batch.pk)


@login_required
def batch(request, pk: int):
    _staff_or_404(request)
    b = selectors.batches(request.user).filter(pk=pk).first()
    if b is None:
        raise Http404("批次不存在或无权查看")
    return render(request, "exchange/batch.html", {"batch": b, "report": b.report})
