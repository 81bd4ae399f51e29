"""Pages of 结果应用: overview, the rectification ledger, feedback letters, budget suggestion sheets, reports and the
negative-list rules."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from wenxiao.core import workflow
from wenxiao.core.feedback import attempt
from wenxiao.core.scoping import can_write
from wenxiao.core.years import posted_date, posted_int, year_of, years
from wenxiao.results import report, selectors, services
from wenxiao.results.models import FINANCE, RECTIFY_FLOW, FeedbackLetter, RectificationItem, Source

REPORT_ROLES = ("performance", "viewer", "sysadmin")


def _is_finance(user) -> bool:
    return can_write(user) and (user.is_superuser or user.has_role(*FINANCE))


@login_required
def home(request):
    year = year_of(request)
    user = request.user
    return render(
        request,
        "results/home.html",
        {
            "year": year,
            "years": years(),
            "fig": selectors.figures(user, year),
            "overdue": selectors.items(user, year, overdue=True).counted()[:10],
            "k": report.key_results(user, year) if user.has_role(*REPORT_ROLES) else None,
        },
    )


@login_required
def item_list(request):
    user, g = request.user, request.GET
    year = year_of(request)
    if request.method == "POST":
        p = request.POST
        item = attempt(
            request,
            lambda: services.do_create_item(
                actor=user,
                unit_id=posted_int(p.get("unit")) or 0,
                source=p.get("source", ""),
                problem=p.get("problem", ""),
                deadline=posted_date(p.get("deadline")),
                year=year_of(request, p),
                requirement=p.get("requirement", ""),
                owner=p.get("owner", ""),
                source_ref=p.get("source_ref", ""),
            ),
            lambda i: f"已登记整改事项{i.pk}（待下发）。",
        )
        return redirect(item.get_absolute_url() if item else f"/results/items/?year={year}")
    qs = selectors.items(
        user, year, state=g.get("state", ""), source=g.get("source", ""), overdue=bool(g.get("overdue")),
        q=g.get("q", "").strip(),
    )  # fmt: skip
    from wenxiao.orgs.models import Organisation

    can_create = _is_finance(user)
    return render(
        request,
        "results/items.html",
        {
            "page": Paginator(qs.order_by("deadline", "id"), 50).get_page(g.get("page")),
            "year": year,
            "years": years(),
            "states": RECTIFY_FLOW.states.items(),
            "sources": Source.choices,
            "can_create": can_create,
            "units": Organisation.objects.visible_to(user, FINANCE)
            .filter(kind__in=("unit", "department"))
            .order_by("path")[:2000]
            if can_create
            else [],
        },
    )


def _item_or_404(request, pk: int) -> RectificationItem:
    item = (
        RectificationItem.objects.visible_to(request.user)
        .select_related("unit", "department", "project", "letter", "duplicate_of", "created_by")
        .filter(pk=pk)
        .first()
    )
    if item is None:
        raise Http404("整改事项不存在或无权查看")
    return item


@login_required
def item_detail(request, pk: int):
    item = _item_or_404(request, pk)
    steps = workflow.available_steps(item, request.user) if can_write(request.user) else []
    return render(
        request,
        "results/item.html",
        {
            "it": item,
            "steps": steps,
            "history": workflow.history(item),
            "duplicates": item.duplicates.visible_to(request.user).select_related("unit"),
            "can_link": _is_finance(request.user) and not item.duplicates.exists(),
            "can_feedback": any(s.action == "feedback" for s in steps),
        },
    )


@login_required
@require_POST
def item_action(request, pk: int):
    _item_or_404(request, pk)
    p = request.POST
    attempt(
        request,
        lambda: services.do_transition(
            pk,
            p.get("action", ""),
            actor=request.user,
            comment=p.get("comment", ""),
            expected_version=p.get("version") or None,
            measures=p.get("measures") if "measures" in p else None,
            evidence=p.get("evidence") if "evidence" in p else None,
            owner=p.get("owner") if "owner" in p else None,
        ),
        lambda i: f"已办理，当前状态：{i.state_label}。",
    )
    return redirect("results:item", pk=pk)


@login_required
@require_POST
def item_link(request, pk: int):
    _item_or_404(request, pk)
    attempt(
        request,
        lambda: services.do_link_duplicate(pk, posted_int(request.POST.get("primary")) or 0, actor=request.user),
        "已关联为同一问题，统计时只计一次。",
    )
    return redirect("results:item", pk=pk)


# --- letters ---------------------------------------------------------------------------------------------------


@login_required
def letter_list(request):
    user = request.user
    year = year_of(request)
    if request.method == "POST":
        p = request.POST
        findings = [x for x in p.get("findings", "").splitlines() if x.strip()] or None
        letter = attempt(
            request,
            lambda: services.do_create_letter(
                actor=user,
                evaluation_id=posted_int(p.get("evaluation")),
                round_id=posted_int(p.get("round")),
                unit_id=posted_int(p.get("unit")),
                findings=findings,
                deadline=posted_date(p.get("deadline")),
                requirements=p.get("requirements", ""),
                owner=p.get("owner", ""),
            ),
            lambda x: f"已出具{x.number}，登记整改事项{x.items.count()}项（待下发）。",
        )
        return redirect(letter.get_absolute_url() if letter else f"/results/letters/?year={year}")
    can_create = _is_finance(user)
    return render(
        request,
        "results/letters.html",
        {
            "letters": selectors.letters(user, year),
            "year": year,
            "years": years(),
            "can_create": can_create,
            "evaluations": selectors.finished_evaluations(user, year).select_related("subject_org")
            if can_create
            else [],
        },
    )


def _letter_or_404(request, pk: int) -> FeedbackLetter:
    letter = (
        FeedbackLetter.objects.visible_to(request.user)
        .select_related("unit", "department", "evaluation", "monitoring_round", "created_by")
        .filter(pk=pk)
        .first()
    )
    if letter is None:
        raise Http404("反馈意见函不存在或无权查看")
    return letter


@login_required
def letter_detail(request, pk: int):
    letter = _letter_or_404(request, pk)
    items = letter.items.select_related("unit")
    return render(
        request,
        "results/letter.html",
        {
            "l": letter,
            "items": items,
            "can_issue": _is_finance(request.user) and items.filter(state="draft").exists(),
        },
    )


@login_required
def letter_docx(request, pk: int):
    letter = _letter_or_404(request, pk)
    resp = HttpResponse(report.letter_docx(letter), content_type=report.DOCX)
    resp["Content-Disposition"] = report.disposition(f"{letter.number}-反馈意见函.docx")
    return resp


@login_required
@require_POST
def letter_issue(request, pk: int):
    _letter_or_404(request, pk)
    attempt(request, lambda: services.do_issue_letter(pk, actor=request.user), lambda n: f"已下发{n}项整改事项。")
    return redirect("results:letter", pk=pk)


# --- budget linkage ----------------------------------------------------------------------------------------------


@login_required
def sheet_list(request):
    user = request.user
    year = year_of(request) + 1  # suggestions are for next year's budget
    if request.method == "POST":
        p = request.POST
        sheet = attempt(
            request,
            lambda: services.do_create_sheet(
                posted_int(p.get("department")) or 0, posted_int(p.get("year")) or 0, actor=user, note=p.get("note", "")
            ),
            lambda s: f"已生成{s}，{s.lines.count()}个项目。",
        )
        return redirect(sheet.get_absolute_url() if sheet else "results:sheets")
    from wenxiao.orgs.models import Organisation

    can_create = _is_finance(user)
    return render(
        request,
        "results/sheets.html",
        {
            "sheets": selectors.sheets(user),
            "year": year,
            "can_create": can_create,
            "departments": Organisation.objects.visible_to(user, FINANCE).filter(kind="department").order_by("code")
            if can_create
            else [],
        },
    )


def _sheet_or_404(request, pk: int):
    sheet = selectors.sheet_or_none(request.user, pk)
    if sheet is None:
        raise Http404("预算安排建议表不存在或无权查看")
    return sheet


@login_required
def sheet_detail(request, pk: int):
    sheet = _sheet_or_404(request, pk)
    return render(
        request,
        "results/sheet.html",
        {"s": sheet, "t": selectors.sheet_totals(sheet), "can_record": _is_finance(request.user)},
    )


@login_required
def sheet_xlsx(request, pk: int):
    sheet = _sheet_or_404(request, pk)
    resp = HttpResponse(report.sheet_xlsx(sheet), content_type=report.XLSX)
    resp["Content-Disposition"] = report.disposition(f"{sheet}.xlsx")
    return resp


@login_required
@require_POST
def sheet_actual(request, pk: int, line: int):
    sheet = _sheet_or_404(request, pk)
    if not sheet.lines.filter(pk=line).exists():
        raise Http404("建议条目不存在")
    attempt(
        request,
        lambda: services.do_record_actual(
            line,
            actor=request.user,
            amount=request.POST.get("actual_amount", ""),
            gap_reason=request.POST.get("gap_reason", ""),
        ),  # fmt: skip
        "已登记实际安排。",
    )
    return redirect(f"{sheet.get_absolute_url()}#line-{line}")


# --- reports and negative list -----------------------------------------------------------------------------------


def _region_name(user) -> str:
    from wenxiao.orgs.selectors import home_region

    region = home_region(user, REPORT_ROLES)
    return region.name if region else ""


def _reporter(request) -> None:
    if not request.user.has_role(*REPORT_ROLES):
        raise Http404("无权查看")


@login_required
def reports(request):
    _reporter(request)
    year = year_of(request)
    return render(
        request,
        "results/reports.html",
        {"year": year, "years": years(), "k": report.key_results(request.user, year)},
    )


@login_required
def report_docx(request, kind: str):
    _reporter(request)
    year = year_of(request)
    if kind == "government":
        body, name = report.government_docx(request.user, year, _region_name(request.user)), "年度预算绩效管理工作报告"
    elif kind == "npc":
        body, name = report.npc_docx(request.user, year, _region_name(request.user)), "预算绩效管理专题报告（人大）"
    else:
        raise Http404("未知的报告")
    resp = HttpResponse(body, content_type=report.DOCX)
    resp["Content-Disposition"] = report.disposition(f"{year}年度{name}.docx")
    return resp


@login_required
def negative(request):
    from wenxiao.monitoring.models import NegativeListEntry
    from wenxiao.orgs.selectors import home_region

    user = request.user
    year = year_of(request)
    if request.method == "POST":
        attempt(
            request,
            lambda: services.do_apply_negative_rules(actor=user, year=year_of(request, request.POST)),
            lambda n: f"按列入规则新列入负面清单{n}项。",
        )
        return redirect(f"/results/negative/?year={year}")
    finance = _is_finance(user)
    region = home_region(user, ("performance", "sysadmin")) if finance else None
    entries = list(
        NegativeListEntry.objects.visible_to(user)
        .filter(year=year)
        .select_related("project", "unit", "added_by")
        .order_by("removed_at", "-added_at")
    )
    for e in entries:
        e.blocking = len(services.open_items_blocking_exit(e)) if not e.removed_at else 0
    return render(
        request,
        "results/negative.html",
        {
            "entries": entries,
            "year": year,
            "years": years(),
            "can_edit": finance,
            "candidates": services.negative_candidates(region, year) if region else [],
        },
    )


@login_required
@require_POST
def negative_exit(request, pk: int):
    from wenxiao.monitoring.models import NegativeListEntry

    if not NegativeListEntry.objects.visible_to(request.user).filter(pk=pk).exists():
        raise Http404("负面清单记录不存在")
    attempt(
        request,
        lambda: services.do_exit_negative(pk, actor=request.user, reason=request.POST.get("reason", "")),
        "整改已核验，已移出负面清单（历史记录保留）。",
    )
    return redirect("results:negative")
