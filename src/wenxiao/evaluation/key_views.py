"""Pages of 重点评价: candidate list, evaluations, one evaluation (plan, team, scoring, report, 内部点评), reports."""

from __future__ import annotations

from collections import Counter

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from wenxiao.core import workflow
from wenxiao.core.feedback import attempt, attempt_step
from wenxiao.core.pdf import ReportUnavailable
from wenxiao.core.scoping import can_write
from wenxiao.core.years import posted_date, posted_int, year_of, years
from wenxiao.evaluation import key_services as services
from wenxiao.evaluation import report, selectors, unit_cost
from wenxiao.evaluation.candidates import candidate_list
from wenxiao.evaluation.models import FORM_ONLY_EVAL_STEPS, EvalMember, Evaluation, InternalReview
from wenxiao.orgs.models import Organisation, Region


@login_required
def candidates(request):
    year = year_of(request)
    user = request.user
    can_create = can_write(user) and user.has_role("performance", "department")
    rows = candidate_list(user, year, limit=2000)
    rule = request.GET.get("rule", "")
    tally = Counter(r.split("（")[0] for c in rows for r in c["reasons"])
    if rule:
        rows = [c for c in rows if any(r.startswith(rule) for r in c["reasons"])]
    return render(
        request,
        "evaluation/candidates.html",
        {
            "year": year,
            "years": years(),
            "page": Paginator(rows, 30).get_page(request.GET.get("page")),
            "n": len(rows),
            "tally": tally.most_common(),
            "rule": rule,
            "can_create": can_create,
        },
    )


@login_required
def evaluation_list(request):
    year = year_of(request)
    user = request.user
    if request.method == "POST":
        p = request.POST
        ev = attempt(
            request,
            lambda: services.do_create_evaluation(
                actor=user,
                year=year_of(request, p),
                kind=p.get("kind", ""),
                project_id=int(p["project"]) if p.get("project", "").isdigit() else None,
                org_id=int(p["org"]) if p.get("org", "").isdigit() else None,
                title=p.get("title", ""),
                reasons=p.getlist("reason"),
                joint_region_id=int(p["joint_region"]) if p.get("joint_region", "").isdigit() else None,
            ),
            lambda e: f"已立项“{e.title}”，请完善工作方案并组建评价工作组。",
        )
        return redirect(ev.get_absolute_url() if ev else f"/evaluation/evaluations/?year={year}")
    can_create = can_write(user) and user.has_role("performance", "department")
    return render(
        request,
        "evaluation/evaluations.html",
        {
            "year": year,
            "years": years(),
            "rows": selectors.evaluations(user, year).order_by("-id"),
            "can_create": can_create,
            "kinds": Evaluation.Kind.choices,
            "orgs": Organisation.objects.visible_to(user, ("performance", "department"))
            .filter(kind="department")
            .order_by("code")
            if can_create
            else [],
        },
    )


def _ev_or_404(request, pk: int) -> Evaluation:
    ev = (
        Evaluation.objects.visible_to(request.user)
        .select_related("region", "subject_org", "department", "project", "agency", "joint_region")
        .filter(pk=pk)
        .first()
    )
    if ev is None:
        raise Http404("评价不存在或无权查看")
    return ev


def _agencies(user, ev: Evaluation):
    from wenxiao.partners.selectors import selectable_agencies

    return selectable_agencies(user, ev.region, ev.year).select_related("org").order_by("org__name")


@login_required
def evaluation_detail(request, pk: int):
    ev = _ev_or_404(request, pk)
    user = request.user
    owner = services.is_owner(user, ev)
    team = services.is_team(user, ev)
    steps = [s for s in workflow.available_steps(ev, user) if s.action not in FORM_ONLY_EVAL_STEPS] if team else []
    indicators = list(ev.indicators.all())
    ob = sum((i.weight for i in indicators if i.level1 in ("产出", "效益")), 0)
    return render(
        request,
        "evaluation/evaluation.html",
        {
            "ev": ev,
            "owner": owner,
            "team": team,
            "steps": steps,
            "indicators": indicators,
            "output_benefit": ob,
            "members": list(ev.members.select_related("user")),
            "reviews": list(ev.reviews.select_related("reviewer")),
            "sections": [(k, label, (ev.report or {}).get(k, "")) for k, label in services.REPORT_SECTIONS],
            "methods": services.METHODS,
            "standards": services.STANDARDS,
            "history": workflow.history(ev),
            "agencies": _agencies(user, ev) if owner and ev.state in ("plan", "fieldwork") else [],
            "dimensions": InternalReview.DIMENSIONS,
            "costs": unit_cost.comparison(ev.project, ev.year) if ev.project_id and ev.kind == "cost" else [],
            "plan_editable": owner and ev.state in ("plan", "fieldwork"),
            "work_editable": team and ev.state in ("plan", "fieldwork", "revising"),
            "problems": services.submit_problems(ev) if team and ev.state in ("fieldwork", "revising") else [],
            "member_roles": [(EvalMember.Role.FINANCE, "财政（部门）人员"), (EvalMember.Role.OBSERVER, "监督指导人员")],
            "joint_regions": Region.objects.filter(parent=ev.region).order_by("code"),
        },
    )


@login_required
@require_POST
def evaluation_plan(request, pk: int):
    _ev_or_404(request, pk)
    p = request.POST
    changes = {f: p.get(f, "") for f in ("title", "purpose", "scope_text", "schedule")}
    changes.update(
        methods=p.getlist("methods"), standards=p.getlist("standards"), deadline=posted_date(p.get("deadline"))
    )
    changes["joint_region_id"] = int(p["joint_region"]) if p.get("joint_region", "").isdigit() else None
    attempt(
        request,
        lambda: services.do_save_plan(pk, changes, actor=request.user, expected_version=p.get("version")),
        "工作方案已保存。",
    )
    return redirect("evaluation:evaluation", pk=pk)


@login_required
@require_POST
def evaluation_team(request, pk: int):
    _ev_or_404(request, pk)
    p = request.POST
    what = p.get("what")
    if what == "agency":
        attempt(
            request,
            lambda: services.do_engage_agency(
                pk,
                agency_org_id=posted_int(p.get("agency")) or 0,
                fee=p.get("fee", "0"),
                actor=request.user,
            ),
            lambda e: f"已委托{e.agency.name}，其工作人员已加入评价工作组。",
        )
    elif what == "experts":
        attempt(
            request,
            lambda: services.do_draw_experts(
                pk,
                count=int(p.get("count") or 0) if p.get("count", "").isdigit() else 0,
                fields=[f.strip() for f in p.get("fields", "").replace("，", ",").split(",")],
                actor=request.user,
            ),
            lambda ms: "随机抽取专家：" + "、".join(m.name for m in ms) + "（抽取记录已存档）。",
        )
    else:
        attempt(
            request,
            lambda: services.do_add_member(
                pk,
                role=p.get("role", ""),
                name=p.get("name", ""),
                affiliation=p.get("affiliation", ""),
                duty=p.get("duty", ""),
                actor=request.user,
            ),
            "已加入评价工作组。",
        )
    return redirect("evaluation:evaluation", pk=pk)


@login_required
@require_POST
def evaluation_scores(request, pk: int):
    ev = _ev_or_404(request, pk)
    p = request.POST
    rows = []
    for i in ev.indicators.all():
        row = {"id": i.pk, "score": p.get(f"score-{i.pk}", ""), "finding": p.get(f"finding-{i.pk}", "")}
        if f"weight-{i.pk}" in p:
            row["weight"] = p[f"weight-{i.pk}"]
        rows.append(row)
    attempt(
        request,
        lambda: services.do_save_indicators(pk, rows, actor=request.user, expected_version=p.get("version")),
        lambda e: f"评分已保存{f'，综合得分 {e.score} 分（{e.grade}）' if e.grade else ''}。",
    )
    return redirect("evaluation:evaluation", pk=pk)


@login_required
@require_POST
def evaluation_report(request, pk: int):
    _ev_or_404(request, pk)
    p = request.POST
    sections = {k: p[k] for k, _ in services.REPORT_SECTIONS if k in p}
    attempt(
        request,
        lambda: services.do_save_report(pk, sections, actor=request.user, expected_version=p.get("version")),
        "报告已保存。",
    )
    return redirect("evaluation:evaluation", pk=pk)


@login_required
@require_POST
def evaluation_action(request, pk: int):
    _ev_or_404(request, pk)
    attempt_step(request, pk, services.do_transition)
    return redirect("evaluation:evaluation", pk=pk)


@login_required
@require_POST
def evaluation_review(request, pk: int):
    _ev_or_404(request, pk)
    p = request.POST
    attempt(
        request,
        lambda: services.do_internal_review(
            pk,
            scores={k: p.get(k, "") for k, _ in InternalReview.DIMENSIONS},
            comment=p.get("comment", ""),
            actor=request.user,
            expected_version=p.get("version"),
        ),
        lambda r: f"第{r.round}轮内部点评 {r.total} 分，{'通过，报告定稿' if r.passed else '退回修改'}。",
    )
    return redirect("evaluation:evaluation", pk=pk)


@login_required
def evaluation_download(request, pk: int, fmt: str):
    ev = _ev_or_404(request, pk)
    if fmt == "docx":
        body, ctype = report.render_docx(ev), report.DOCX
    elif fmt == "pdf":
        try:
            body, ctype = report.render_pdf(ev), report.PDF
        except ReportUnavailable as e:
            return HttpResponse(e.message, status=503, content_type="text/plain; charset=utf-8")
    else:
        raise Http404("不支持的格式")
    response = HttpResponse(body, content_type=ctype)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{report.filename(ev, fmt)}"
    return response
