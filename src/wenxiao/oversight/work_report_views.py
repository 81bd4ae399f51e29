"""The annual work report page (R53): the year's figures of the user's region and the Word download."""

from __future__ import annotations

from urllib.parse import quote

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import render

from wenxiao.core.years import year_of, years
from wenxiao.orgs.selectors import home_region
from wenxiao.oversight import work_report as report

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
READERS = ("performance", "viewer", "sysadmin")


@login_required
def work_report(request):
    """绩效科 (and 人大 viewers) of a region: the report covers the region and every region below it."""
    region = home_region(request.user, READERS)
    if region is None:
        raise Http404("只有财政绩效科和监督查看人员可以查看年度工作报告")
    year = year_of(request)
    if request.GET.get("download"):
        response = HttpResponse(report.render_docx(region, year), content_type=DOCX)
        name = quote(f"{region.name}{year}年度预算绩效管理工作情况报告.docx")
        response["Content-Disposition"] = f"attachment; filename*=UTF-8''{name}"
        return response
    return render(
        request,
        "oversight/work_report.html",
        {"f": report.figures(region, year), "year": year, "years": years(), "region": region},
    )
