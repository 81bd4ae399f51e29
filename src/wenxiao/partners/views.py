"""Pages of the agency, expert and supervision libraries (nav 机构专家).

Finance readers (绩效科, 业务科室 of the region) see the libraries; the 绩效科 edits them. An agency user sees its
own agency and engagements, an expert their own profile, a supervisor their invitations; anyone else gets 404.
"""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from wenxiao.core.errors import ServiceError, error_text
from wenxiao.core.feedback import attempt
from wenxiao.core.years import posted_date
from wenxiao.orgs.models import Organisation
from wenxiao.orgs.selectors import home_region
from wenxiao.partners import quality, selectors, services
from wenxiao.partners.models import (
    Agency,
    Engagement,
    Expert,
    ExpertDraw,
    ExpertNote,
    Supervisor,
    TemplateFlag,
    Violation,
)

BOOL_FIELDS = ("independent_liability", "facilities", "governance", "quality_control")


def _render(request, template: str, context: dict):
    """render() with what the tabs need: may the user read the libraries, does the user keep them."""
    user = request.user
    context.setdefault("reader", selectors.is_reader(user))
    context.setdefault("writer", _writer_region(request) is not None)
    context.setdefault("own_agency", selectors.own_agency(user))
    return render(request, template, context)


def _reader_or_404(request) -> None:
    if not selectors.is_reader(request.user):
        raise Http404("无权查看")


def _writer_region(request):
    """The region whose libraries the user keeps (绩效科), or None."""
    region = home_region(request.user, ("performance",))
    return region if region is not None and selectors.is_writer(request.user, region) else None


def _year(request) -> int:
    y = request.GET.get("year", "")
    return int(y) if y.isdigit() else date.today().year


def _get_or_404(qs, pk: int, what: str):
    obj = qs.filter(pk=pk).first()
    if obj is None:
        raise Http404(f"{what}不存在或无权查看")
    return obj


# --- agencies ----------------------------------------------------------------------------------------------------


@login_required
def home(request):
    """The agency library for finance readers; the agency's, expert's or supervisor's own page for them."""
    user = request.user
    if not selectors.is_reader(user):
        if (agency := selectors.own_agency(user)) is not None:
            return redirect("partners:agency", agency.pk)
        if (expert := selectors.own_expert(user)) is not None:
            return redirect("partners:expert", expert.pk)
        if selectors.own_supervisor(user) is not None:
            return redirect("partners:supervisors")
        raise Http404("无权查看")
    g = request.GET
    qs = selectors.agency_list(
        user, status=g.get("status", ""), q=g.get("q", "").strip(), agency_type=g.get("type", "")
    )
    counts = selectors.status_counts(user)
    return _render(
        request,
        "partners/agencies.html",
        {
            "page": Paginator(qs, 30).get_page(g.get("page")),
            "statuses": [(k, v, counts.get(k, 0)) for k, v in Agency.Status.choices],
            "types": quality.AGENCY_TYPES,
            "can_edit": _writer_region(request) is not None,
        },
    )


def _agency_data(post) -> dict:
    data = {
        k: post.get(k, "")
        for k in (
            "agency_type",
            "established",
            "qualifications",
            "staff",
            "qualified_staff",
            "contact_person",
            "contact_phone",
            "address",
        )
    }
    for k in BOOL_FIELDS:
        data[k] = post.get(k) == "on"
    data["rules"] = post.getlist("rules")
    return data


@login_required
def agency_new(request):
    region = _writer_region(request)
    if region is None:
        raise Http404("无权登记机构")
    form: dict = {
        "agency_type": "专业咨询机构",
        "rules": list(quality.REQUIRED_RULES),
        **dict.fromkeys(BOOL_FIELDS, True),
    }
    errors: list[str] = []
    if request.method == "POST":
        form = {
            **_agency_data(request.POST),
            "name": request.POST.get("name", ""),
            "credit_code": request.POST.get("credit_code", ""),
        }
        try:
            agency = services.do_register_agency(actor=request.user, region=region, **form)
        except ServiceError as e:
            errors = [m for msgs in e.errors.values() for m in msgs] or [e.message]
            messages.error(request, e.message)
        else:
            messages.success(request, f"“{agency.name}”已入库。")
            return redirect("partners:agency", agency.pk)
    return _render(
        request,
        "partners/agency_form.html",
        {
            "form": form,
            "errors": errors,
            "types": quality.AGENCY_TYPES,
            "rules": quality.REQUIRED_RULES,
            "region": region,
            "new": True,
        },
    )


def _agency_or_404(request, pk: int) -> Agency:
    return _get_or_404(Agency.objects.visible_to(request.user).select_related("org", "region"), pk, "机构")


@login_required
def agency(request, pk: int):
    a = _agency_or_404(request, pk)
    user = request.user
    engagements = selectors.engagements(user, agency=a)
    accepted = [e for e in engagements if e.status == Engagement.Status.ACCEPTED]
    can_edit = selectors.is_writer(user, a.region)
    return _render(
        request,
        "partners/agency.html",
        {
            "a": a,
            "can_edit": can_edit,
            "history": a.status_changes.select_related("by"),
            "engagements": engagements,
            "mean": (sum(e.quality_total for e in accepted) / len(accepted)) if accepted else None,
            "violations": a.violations.select_related("recorded_by"),
            "flags": selectors.flags(user, agency=a) if selectors.is_reader(user) else [],
            "statuses": [(k, v) for k, v in Agency.Status.choices if k != a.status or k == "blacklisted"],
            "kinds": Violation.Kind.choices,
            "penalties": Violation.Penalty.choices,
            "failed": quality.check_selection(
                services._facts(a.name, a.credit_code, {k: getattr(a, k) for k in services.AGENCY_FIELDS}),
                rules=services._selection_rules(a.region, date.today().year),
            ),
        },
    )


@login_required
def agency_edit(request, pk: int):
    a = _agency_or_404(request, pk)
    if not selectors.is_writer(request.user, a.region):
        raise Http404("无权修改")
    errors: list[str] = []
    form = {k: getattr(a, k) for k in services.AGENCY_FIELDS}
    form.update(
        name=a.name,
        credit_code=a.credit_code,
        version=a.version,
        established=a.established.isoformat() if a.established else "",
    )
    if request.method == "POST":
        data = _agency_data(request.POST)
        form.update(data, name=request.POST.get("name", ""))
        try:
            services.do_edit_agency(
                a,
                actor=request.user,
                version=request.POST.get("version") or None,
                name=request.POST.get("name"),
                **data,
            )
        except ServiceError as e:
            errors = [m for msgs in e.errors.values() for m in msgs] or [e.message]
            messages.error(request, e.message)
        else:
            messages.success(request, "机构信息已保存。")
            return redirect("partners:agency", a.pk)
    return _render(
        request,
        "partners/agency_form.html",
        {"form": form, "errors": errors, "types": quality.AGENCY_TYPES, "rules": quality.REQUIRED_RULES, "a": a},
    )


@login_required
@require_POST
def agency_status(request, pk: int):
    a = _agency_or_404(request, pk)
    p = request.POST
    years = p.get("years", "")
    attempt(
        request,
        lambda: services.do_change_status(
            a,
            status=p.get("status", ""),
            reason=p.get("reason", ""),
            actor=request.user,
            start=posted_date(p.get("start", "")),
            years=int(years) if years.isdigit() else None,
        ),
        lambda x: f"机构状态已变更为“{x.get_status_display()}”。",
    )
    return redirect("partners:agency", a.pk)


@login_required
@require_POST
def agency_violation(request, pk: int):
    a = _agency_or_404(request, pk)
    p = request.POST
    attempt(
        request,
        lambda: services.do_record_violation(
            a,
            on=posted_date(p.get("on", "")),
            kind=p.get("kind", ""),
            description=p.get("description", ""),
            penalty=p.get("penalty", ""),
            major=p.get("major") == "on",
            budget_evaluation=p.get("budget_evaluation", "on") == "on",
            actor=request.user,
        ),
        lambda v: f"已记录违规：{v.get_kind_display()}（{v.get_penalty_display()}）。",
    )
    return redirect("partners:agency", a.pk)


# --- engagements -------------------------------------------------------------------------------------------------


@login_required
def engagement(request, pk: int):
    e = _get_or_404(
        Engagement.objects.visible_to(request.user).select_related("agency__org", "unit", "engaged_by", "accepted_by"),
        pk,
        "委托",
    )
    can_edit = selectors.is_writer(request.user, e.region)
    marks = {item.label: e.scores.get(item.label, "") for item in quality.DEFAULT_CHECKLIST}
    return _render(
        request,
        "partners/engagement.html",
        {
            "e": e,
            "can_edit": can_edit,
            "checklist": [(item, marks[item.label]) for item in quality.DEFAULT_CHECKLIST],
            "flags": selectors.flags(request.user).filter(first=e) | selectors.flags(request.user).filter(second=e),
            "supervisors": selectors.supervisors(request.user).filter(active=True) if can_edit else [],
            "invitations": selectors.invitations(request.user).filter(
                content_type__model="engagement", content_type__app_label="partners", object_id=e.pk
            ),
        },
    )


@login_required
@require_POST
def engagement_accept(request, pk: int):
    e = _get_or_404(Engagement.objects.visible_to(request.user), pk, "委托")
    scores = {item.label: request.POST.get(f"score_{i}", "") for i, item in enumerate(quality.DEFAULT_CHECKLIST)}
    result = attempt(
        request,
        lambda: services.do_accept_report(
            e, scores=scores, report_text=request.POST.get("report_text", ""), actor=request.user
        ),
        lambda x: (
            f"报告已验收：质量得分{quality.fmt(x.quality_total)}分（{x.grade}），应付{x.payment:,.2f}元"
            f"（委托费用的{quality.fmt(x.payment_ratio * 100)}%）。"
        ),
    )
    if result is not None and result.new_flags:
        messages.warning(
            request, f"该报告与已有{len(result.new_flags)}份报告高度相似，疑似套用模板，请在“报告查重”中核实。"
        )
    return redirect("partners:engagement", e.pk)


# --- ranking -----------------------------------------------------------------------------------------------------


@login_required
def ranking(request):
    _reader_or_404(request)
    year = _year(request)
    region = home_region(request.user, ("performance", "business", "sysadmin"))
    if region is None:
        raise Http404("无权查看")
    rows = selectors.ranking(request.user, region, year)
    chart = [
        {"name": row["agency"].name, "mean": float(row["r"].mean), "eliminated": row["r"].eliminated}
        for row in rows
        if row["r"].rank is not None
    ]
    return _render(
        request,
        "partners/ranking.html",
        {
            "rows": rows,
            "year": year,
            "years": selectors.fiscal_years(),
            "chart": chart,
            "region": region,
            "can_edit": selectors.is_writer(request.user, region),
            "to_remove": [r for r in rows if r["r"].eliminated and r["agency"].status in ("normal", "suspended")],
        },
    )


@login_required
@require_POST
def ranking_eliminate(request):
    _reader_or_404(request)
    year = int(request.POST.get("year", "0") or 0) or date.today().year
    attempt(
        request,
        lambda: services.do_eliminate(actor=request.user, year=year),
        lambda r: (
            f"{year}年度末位淘汰：清退{len(r.removed)}家机构"
            + (f"（{'、'.join(a.name for a in r.removed)}）" if r.removed else "")
            + "。"
        ),
    )
    return redirect(f"/partners/ranking/?year={year}")


# --- template reports --------------------------------------------------------------------------------------------


@login_required
def template_reports(request):
    _reader_or_404(request)
    status = request.GET.get("status", "")
    return _render(
        request,
        "partners/templates.html",
        {
            "flags": selectors.flags(request.user, status=status),
            "status": status,
            "statuses": TemplateFlag.Status.choices,
            "can_edit": _writer_region(request) is not None,
        },
    )


@login_required
@require_POST
def template_scan(request):
    _reader_or_404(request)
    attempt(
        request,
        lambda: services.do_scan_reports(actor=request.user),
        lambda n: f"检测完成：新发现{n}对疑似套用模板的报告。",
    )
    return redirect("partners:templates")


@login_required
@require_POST
def template_flag(request, pk: int):
    flag = _get_or_404(selectors.flags(request.user), pk, "检测结果")
    attempt(
        request,
        lambda: services.do_set_flag(flag, status=request.POST.get("status", ""), actor=request.user),
        lambda f: f"已标记为“{f.get_status_display()}”。",
    )
    return redirect("partners:templates")


# --- experts -----------------------------------------------------------------------------------------------------


@login_required
def experts(request):
    user = request.user
    if not selectors.is_reader(user):
        if (own := selectors.own_expert(user)) is not None:
            return redirect("partners:expert", own.pk)
        raise Http404("无权查看")
    g = request.GET
    qs = selectors.expert_list(user, field=g.get("field", ""), status=g.get("status", ""), q=g.get("q", "").strip())
    return _render(
        request,
        "partners/experts.html",
        {
            "page": Paginator(qs, 40).get_page(g.get("page")),
            "fields": selectors.known_fields(user),
            "statuses": Expert.Status.choices,
            "can_edit": _writer_region(request) is not None,
        },
    )


def _expert_data(post) -> dict:
    data = {
        k: post.get(k, "") for k in ("name", "title", "employer", "position", "fields", "relations", "phone", "email")
    }
    if post.get("status"):
        data["status"] = post["status"]
    return data


@login_required
def expert_new(request):
    region = _writer_region(request)
    if region is None:
        raise Http404("无权登记专家")
    form: dict = {}
    errors: list[str] = []
    if request.method == "POST":
        form = {**_expert_data(request.POST), "username": request.POST.get("username", "")}
        try:
            e = services.do_register_expert(actor=request.user, region=region, **form)
        except ServiceError as err:
            errors = [m for msgs in err.errors.values() for m in msgs] or [err.message]
        else:
            messages.success(request, f"专家“{e.name}”已入库。")
            return redirect("partners:expert", e.pk)
    return _render(
        request,
        "partners/expert_form.html",
        {"form": form, "errors": errors, "new": True, "statuses": Expert.Status.choices},
    )


def _expert_or_404(request, pk: int) -> Expert:
    return _get_or_404(Expert.objects.visible_to(request.user).select_related("region", "user"), pk, "专家")


@login_required
def expert(request, pk: int):
    e = _expert_or_404(request, pk)
    user = request.user
    return _render(
        request,
        "partners/expert.html",
        {
            "e": e,
            "can_edit": selectors.is_writer(user, e.region),
            "show_contact": selectors.can_see_contact(user, e),
            "history": e.engagements.all(),
            "notes": e.notes.select_related("by"),
            "draws": ExpertDraw.objects.visible_to(user).filter(members__expert=e).select_related("subject_org")[:20],
            "ratings": ExpertNote.RATINGS,
        },
    )


@login_required
def expert_edit(request, pk: int):
    e = _expert_or_404(request, pk)
    if not selectors.is_writer(request.user, e.region):
        raise Http404("无权修改")
    errors: list[str] = []
    form = {
        "name": e.name,
        "title": e.title,
        "employer": e.employer,
        "position": e.position,
        "fields": "、".join(e.fields),
        "relations": "、".join(e.relations),
        "phone": e.phone,
        "email": e.email,
        "status": e.status,
        "version": e.version,
    }
    if request.method == "POST":
        form.update(_expert_data(request.POST))
        try:
            services.do_edit_expert(
                e, actor=request.user, version=request.POST.get("version") or None, **_expert_data(request.POST)
            )
        except ServiceError as err:
            errors = [m for msgs in err.errors.values() for m in msgs] or [err.message]
        else:
            messages.success(request, "专家信息已保存。")
            return redirect("partners:expert", e.pk)
    return _render(
        request,
        "partners/expert_form.html",
        {"form": form, "errors": errors, "e": e, "statuses": Expert.Status.choices},
    )


@login_required
@require_POST
def expert_note(request, pk: int):
    e = _expert_or_404(request, pk)
    p = request.POST
    attempt(
        request,
        lambda: services.do_add_expert_note(
            e, task=p.get("task", ""), rating=p.get("rating", ""), note=p.get("note", ""), actor=request.user
        ),
        "履职评价已记录。",
    )
    return redirect("partners:expert", e.pk)


@login_required
@require_POST
def expert_engagement(request, pk: int):
    e = _expert_or_404(request, pk)
    p = request.POST
    attempt(
        request,
        lambda: services.do_add_expert_engagement(
            e,
            unit_name=p.get("unit_name", ""),
            on=posted_date(p.get("on", "")),
            description=p.get("description", ""),
            actor=request.user,
        ),
        "业务往来已记录，抽取时将按回避规则排除。",
    )
    return redirect("partners:expert", e.pk)


# --- draws -------------------------------------------------------------------------------------------------------


@login_required
def draw(request):
    region = _writer_region(request)
    if region is None:
        raise Http404("无权抽取专家")
    form = {"count": "3", "fields": "", "purpose": "", "unit": ""}
    if request.method == "POST":
        p = request.POST
        form = {k: p.get(k, "") for k in form}
        unit = (
            Organisation.objects.visible_to(request.user)
            .filter(code=form["unit"].split(" ")[0].strip(), kind__in=["unit", "department"])
            .first()
        )
        try:
            d = services.do_draw_experts(
                region=region,
                subject_org=unit,
                count=form["count"] or 0,
                fields=form["fields"],
                purpose=form["purpose"],
                actor=request.user,
            )
        except ServiceError as e:
            messages.error(request, error_text(e))
        else:
            return redirect("partners:draw_detail", d.pk)
    units = (
        Organisation.objects.visible_to(request.user)
        .filter(kind__in=["unit", "department"], region__path__startswith=region.path)
        .order_by("code")
        .values_list("code", "name")
    )
    return _render(
        request,
        "partners/draw.html",
        {"form": form, "units": units, "fields": selectors.known_fields(request.user), "region": region},
    )


@login_required
def draws(request):
    user = request.user
    qs = selectors.draws(user)
    if not selectors.is_reader(user) and selectors.own_expert(user) is None:
        raise Http404("无权查看")
    return _render(request, "partners/draws.html", {"page": Paginator(qs, 30).get_page(request.GET.get("page"))})


@login_required
def draw_detail(request, pk: int):
    d = _get_or_404(selectors.draws(request.user), pk, "抽取记录")
    user = request.user
    can_edit = selectors.is_writer(user, d.region)
    return _render(
        request,
        "partners/draw_detail.html",
        {
            "d": d,
            "members": d.members.select_related("expert").order_by("order"),
            "show_excluded": selectors.is_reader(user),
            "can_edit": can_edit,
            "supervisors": selectors.supervisors(user).filter(active=True) if can_edit else [],
            "invitations": selectors.invitations(user).filter(
                content_type__model="expertdraw", content_type__app_label="partners", object_id=d.pk
            ),
        },
    )


# --- supervision -------------------------------------------------------------------------------------------------


@login_required
def supervisors(request):
    user = request.user
    own = selectors.own_supervisor(user)
    if not selectors.is_reader(user) and own is None:
        raise Http404("无权查看")
    kind = request.GET.get("kind", "")
    return _render(
        request,
        "partners/supervision.html",
        {
            "supervisors": selectors.supervisors(user, kind=kind) if selectors.is_reader(user) else [],
            "invitations": selectors.invitations(user)[:100],
            "kinds": Supervisor.Kind.choices,
            "kind": kind,
            "own": own,
            "can_edit": _writer_region(request) is not None,
        },
    )


@login_required
@require_POST
def supervisor_new(request):
    if _writer_region(request) is None:
        raise Http404("无权登记")
    p = request.POST
    attempt(
        request,
        lambda: services.do_register_supervisor(
            actor=request.user,
            name=p.get("name", ""),
            kind=p.get("kind", ""),
            employer=p.get("employer", ""),
            phone=p.get("phone", ""),
            username=p.get("username", "").strip() or None,
        ),
        lambda s: f"{s}已入库。",
    )
    return redirect("partners:supervisors")


INVITABLE = {"engagement": Engagement, "draw": ExpertDraw}


@login_required
@require_POST
def invite(request):
    p = request.POST
    model = INVITABLE.get(p.get("subject_type", ""))
    if model is None or not p.get("subject_id", "").isdigit():
        raise Http404("监督事项不存在")
    subject = _get_or_404(model.objects.visible_to(request.user), int(p["subject_id"]), "监督事项")
    sup = _get_or_404(
        Supervisor.objects.visible_to(request.user),
        int(p.get("supervisor") or 0) if p.get("supervisor", "").isdigit() else 0,
        "监督指导人员",
    )
    attempt(
        request,
        lambda: services.do_invite_supervisor(
            supervisor=sup, subject=subject, actor=request.user, note=p.get("note", "")
        ),
        lambda i: f"已邀请{sup.name}监督“{i.subject_repr}”。",
    )
    return redirect(subject.get_absolute_url())
