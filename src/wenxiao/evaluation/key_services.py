"""Writes of 重点评价 / 部门评价 / 政策评价 / 部门整体评价 / 成本绩效评价 (R26–R32): from the candidate list to a
final report — work plan, team (a 第三方机构 engaged, experts drawn), indicator system and scores, the report in the
10号 附件3 outline, 内部点评 (R31), and the workflow steps."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.db.models import Sum

from wenxiao.core import audit, workflow
from wenxiao.core.config import setting
from wenxiao.core.errors import Conflict, PermissionDenied, ValidationError
from wenxiao.core.scoping import can_write, scope_for
from wenxiao.evaluation import dept_rates, frameworks, scoring
from wenxiao.evaluation.models import (
    OWNERS,
    EvalIndicator,
    EvalMember,
    Evaluation,
    InternalReview,
)
from wenxiao.orgs.models import Organisation, Region
from wenxiao.orgs.selectors import home_region
from wenxiao.projects.models import MonthlyExecution, Project, ProjectBudget

REPORT_SECTIONS = [  # 10号 附件3 绩效评价报告提纲
    ("basic", "一、基本情况"),
    ("work", "二、绩效评价工作开展情况"),
    ("conclusion", "三、综合评价情况及评价结论"),
    ("analysis", "四、绩效评价指标分析"),
    ("experience", "五、主要经验及做法、存在的问题及原因分析"),
    ("suggestions", "六、有关建议"),
    ("other", "七、其他需要说明的问题"),
]
REQUIRED_SECTIONS = ("basic", "work", "conclusion", "analysis", "experience", "suggestions")
METHODS = ["成本效益分析法", "比较法", "因素分析法", "最低成本法", "公众评判法", "标杆管理法"]
STANDARDS = ["计划标准", "行业标准", "历史标准", "其他标准"]
PLAN_FIELDS = ("title", "purpose", "scope_text", "methods", "standards", "schedule", "deadline", "joint_region")
PROJECT_KINDS = (Evaluation.Kind.PROJECT, Evaluation.Kind.POLICY, Evaluation.Kind.COST)
CENT = Decimal("0.01")


def visible_evaluation(actor, pk: int, roles=None) -> Evaluation:
    return Evaluation.objects.select_related("region", "subject_org", "department", "project").visible_or_refuse(
        actor, pk, roles, what="评价"
    )


def is_owner(actor, ev: Evaluation) -> bool:
    """Finance evaluations are run by the region's 绩效科; a department's own evaluations by that department."""
    if actor.is_superuser:
        return True
    if not can_write(actor):
        return False
    scope = scope_for(actor, ("performance",) if ev.level == Evaluation.Level.FINANCE else OWNERS)
    if ev.region_id in scope.region_ids:  # the organising region's 绩效科 (not a lower region joined in, R27)
        return True
    return ev.level == Evaluation.Level.DEPARTMENT and any(ev.department.path.startswith(p) for p in scope.org_paths)


def is_team(actor, ev: Evaluation) -> bool:
    if not can_write(actor):
        return False
    return is_owner(actor, ev) or Evaluation.objects.visible_to(actor, ("agency", "expert")).filter(pk=ev.pk).exists()


def _owned(actor, pk: int) -> Evaluation:
    ev = visible_evaluation(actor, pk)
    if not is_owner(actor, ev):
        raise PermissionDenied("只有组织该评价的财政绩效科（部门评价为主管部门）可以办理。")
    return ev


def _locked(ev: Evaluation, expected_version) -> Evaluation:
    current = (
        Evaluation.objects.select_for_update(of=("self",))
        .select_related("region", "subject_org", "project")
        .get(pk=ev.pk)
    )
    if expected_version not in (None, "") and str(expected_version) != str(current.version):
        raise Conflict("该评价已被他人修改，请刷新后重试。")
    return current


# --- creating an evaluation ------------------------------------------------------------------------------------


def do_create_evaluation(
    *,
    actor,
    year: int,
    kind: str,
    project_id: int | None = None,
    org_id: int | None = None,
    title: str = "",
    reasons: list[str] | None = None,
    joint_region_id: int | None = None,
) -> Evaluation:
    if not can_write(actor) or not (actor.is_superuser or actor.has_role(*OWNERS)):
        raise PermissionDenied("重点评价由财政绩效科或主管部门组织。")
    level = Evaluation.Level.FINANCE if (actor.is_superuser or actor.has_role("performance")) else "department"
    if kind not in Evaluation.Kind.values:
        raise ValidationError("未知的评价类型。")
    project = org = None
    if kind in PROJECT_KINDS:
        project = Project.objects.visible_to(actor, OWNERS).select_related("unit", "department").filter(pk=project_id)
        project = project.first()
        if project is None:
            raise ValidationError("请选择您有权评价的项目。")
        org, department = project.unit, project.department
        amount = ProjectBudget.objects.filter(project=project, year=year).aggregate(s=Sum("amount_adjusted"))["s"]
    else:
        org = Organisation.objects.visible_to(actor, OWNERS).filter(pk=org_id, kind__in=("department", "unit")).first()
        if org is None:
            raise ValidationError("请选择您有权评价的部门或单位。")
        department = org if org.kind == "department" else (org.parent or org)
        amount = ProjectBudget.objects.filter(project__unit__path__startswith=org.path, year=year).aggregate(
            s=Sum("amount_adjusted")
        )["s"]
    joint = None
    if joint_region_id:
        joint = Region.objects.filter(pk=joint_region_id, parent=home_region(actor, ("performance",))).first()
        if joint is None:
            raise ValidationError("联动评价只能选择本级的直接下级区划。")
    region = home_region(actor, ("performance",)) or org.region
    subject = project.name if project else org.name
    label = dict(Evaluation.Kind.choices)[kind]
    with transaction.atomic():
        ev = Evaluation.objects.create(
            region=region,
            year=year,
            kind=kind,
            level=level,
            title=(title.strip() or f"{year}年度{subject}{label}")[:200],
            project=project,
            subject_org=org,
            department=department,
            amount=amount or 0,
            joint_region=joint,
            reasons=list(reasons or []),
            state=Evaluation.workflow.initial,
            purpose=f"全面评价{subject}的决策、过程、产出和效益情况，查找问题、总结经验，为改进管理和预算安排提供依据。",
            scope_text=f"{year}年度{subject}相关资金的安排、使用、管理及绩效目标实现情况。",
            methods=["比较法", "因素分析法", "公众评判法"] + (["成本效益分析法"] if kind == "cost" else []),
            standards=["计划标准", "历史标准"] + (["行业标准"] if kind == "cost" else []),
            created_by=actor,
        )
        EvalMember.objects.create(
            evaluation=ev, role=EvalMember.Role.LEADER, user=actor, name=str(actor), affiliation=_affiliation(actor)
        )
        _seed_indicators(ev)
        ev.report = draft_sections(ev)
        ev.save(update_fields=["report"])
        workflow.open_work_item(ev)
        audit.record(
            actor,
            "evaluation.create",
            ev,
            after={"title": ev.title, "kind": kind, "level": level, "reasons": ev.reasons, "amount": str(ev.amount)},
        )
    return ev


def _affiliation(user) -> str:
    a = user.assignments.select_related("org").first()
    return a.org.name if a else ""


def _seed_indicators(ev: Evaluation) -> None:
    if ev.kind == Evaluation.Kind.WHOLE:
        rows = frameworks.rows_for("whole", frameworks.WHOLE_WEIGHTS)
        rates = dept_rates.rates(ev.subject_org, ev.year)
    else:
        rows = frameworks.rows_for("key", setting("evaluation.framework_weights", ev.region, ev.year))
        rates = dept_rates.rates(ev.subject_org, ev.year, project=ev.project)
    objs = []
    for i, r in enumerate(rows):
        rate = rates.get(r["metric"]) if r["metric"] else None
        value = ""
        if rate is not None and rate.value is not None:
            value = f"{rate.value}分" if r["metric"] == "selfeval_mean" else rate.text
        objs.append(
            EvalIndicator(
                evaluation=ev,
                order=i,
                level1=r["level1"],
                level2=r["level2"],
                name=r["name"],
                weight=r["weight"],
                standard=r["standard"],
                value=value,
                source=f"系统计算：{rate.source}" if rate is not None and rate.value is not None else "",
                score=frameworks.suggested_score(r["metric"], rate.value if rate else None, r["weight"]),
            )
        )
    EvalIndicator.objects.bulk_create(objs)


def draft_sections(ev: Evaluation) -> dict[str, str]:
    """A first draft of the report from the system's data; the team rewrites it."""
    where = {"project": ev.project} if ev.project_id else {"project__unit__path__startswith": ev.subject_org.path}
    paid = MonthlyExecution.objects.filter(year=ev.year, **where).aggregate(s=Sum("amount"))["s"] or 0
    rate = f"{Decimal(paid) / ev.amount * 100:.2f}%" if ev.amount else "—"
    subject = ev.project.name if ev.project_id else ev.subject_org.name
    basic = (
        f"{subject}由{ev.subject_org.name}实施，主管部门为{ev.department.name}。{ev.year}年度预算"
        f"{ev.amount / 10000:,.2f}万元，截至目前支付{Decimal(paid) / 10000:,.2f}万元，执行率{rate}。"
    )
    if ev.reasons:
        basic += "列入本次评价的原因：" + "；".join(ev.reasons) + "。"
    return {key: (basic if key == "basic" else "") for key, _ in REPORT_SECTIONS}


# --- plan, team, indicators, report --------------------------------------------------------------------------------


def do_save_plan(pk: int, changes: dict, *, actor, expected_version=None) -> Evaluation:
    ev = _owned(actor, pk)
    errors: dict[str, list[str]] = {}
    with transaction.atomic():
        current = _locked(ev, expected_version)
        if current.state not in ("plan", "fieldwork"):
            raise Conflict("评价实施后不能再修改工作方案。")
        before = audit.snapshot(current, list(PLAN_FIELDS))
        for f in ("title", "purpose", "scope_text", "schedule"):
            if f in changes:
                setattr(current, f, str(changes[f] or "").strip()[:5000])
        if not current.title:
            errors.setdefault("title", []).append("请填写评价名称")
        current.title = current.title[:200]
        if "methods" in changes:
            current.methods = [m for m in METHODS if m in (changes["methods"] or [])]
        if "standards" in changes:
            current.standards = [s for s in STANDARDS if s in (changes["standards"] or [])]
        if "deadline" in changes:
            current.deadline = changes["deadline"]
        if "joint_region_id" in changes:  # 联动评价 with a region directly below (R27)
            rid = changes["joint_region_id"]
            current.joint_region = Region.objects.filter(pk=rid, parent=current.region).first() if rid else None
            if rid and current.joint_region is None:
                errors.setdefault("joint_region", []).append("联动评价只能选择本级的直接下级区划")
        if errors:
            raise ValidationError("工作方案填写有误。", errors)
        current.version += 1
        current.save()
        b, a = audit.diff(before, audit.snapshot(current, list(PLAN_FIELDS)))
        if a:
            audit.record(actor, "evaluation.plan", current, before=b, after=a)
    return current


def do_engage_agency(pk: int, *, agency_org_id: int, fee, actor) -> Evaluation:
    """委托第三方机构 (R30): only an agency the library lets be selected; its staff join the team."""
    from wenxiao.partners import selectors as partner_selectors
    from wenxiao.partners import services as partner_services

    ev = _owned(actor, pk)
    if ev.state not in ("plan", "fieldwork"):
        raise Conflict("评价实施后不能再更换第三方机构。")
    agency = partner_selectors.selectable_agencies(actor, ev.region, ev.year).filter(org_id=agency_org_id).first()
    if agency is None:
        raise ValidationError("该机构不在可选的第三方机构库中（暂停、清退或列入黑名单的机构不能委托）。")
    try:
        amount = Decimal(str(fee).replace(",", "").strip() or "0").quantize(CENT)
    except InvalidOperation:
        raise ValidationError(f"委托费用“{fee}”不是有效金额。")
    with transaction.atomic():
        engagement = partner_services.do_engage(
            agency=agency, subject=ev, region=ev.region, title=ev.title, fee=amount, actor=actor, scope_text=ev.purpose
        )
        Evaluation.objects.filter(pk=ev.pk).update(agency_id=agency.org_id, engagement_id=engagement.pk)
        EvalMember.objects.filter(evaluation=ev, role=EvalMember.Role.AGENCY).delete()
        staff = [a.user for a in agency.org.assignments.filter(role="agency").select_related("user")]
        EvalMember.objects.bulk_create(
            [
                EvalMember(
                    evaluation=ev,
                    role=EvalMember.Role.AGENCY,
                    user=u,
                    name=str(u),
                    affiliation=agency.org.name,
                    duty="评价实施、撰写报告",
                )
                for u in staff
            ]
        )
        audit.record(actor, "evaluation.engage", ev, after={"agency": agency.org.name, "fee": str(amount)})
    ev.refresh_from_db()
    return ev


def do_draw_experts(pk: int, *, count: int, fields: list[str], actor) -> list[EvalMember]:
    """随机抽取评审专家 from the library, excluding conflicts of interest with the evaluated unit (R42)."""
    from wenxiao.partners import services as partner_services

    ev = _owned(actor, pk)
    if not 1 <= int(count) <= 15:
        raise ValidationError("抽取人数应为1到15人。")
    with transaction.atomic():
        draw = partner_services.do_draw_experts(
            region=ev.region,
            subject_org=ev.subject_org,
            count=int(count),
            fields=[f for f in fields if f],
            purpose=ev.title,
            actor=actor,
            subject=ev,
        )
        members = [
            EvalMember(
                evaluation=ev,
                role=EvalMember.Role.EXPERT,
                user=getattr(x, "user", None),
                name=x.name,
                affiliation=getattr(x, "employer", ""),
                duty="评审、打分",
                expert_id=x.pk,
            )
            for x in draw.experts
        ]
        EvalMember.objects.bulk_create(members)
        audit.record(actor, "evaluation.experts", ev, after={"experts": [m.name for m in members], "draw": draw.pk})
    return members


def do_add_member(pk: int, *, role: str, name: str, affiliation: str = "", duty: str = "", actor) -> EvalMember:
    ev = _owned(actor, pk)
    if role not in (EvalMember.Role.FINANCE, EvalMember.Role.OBSERVER):
        raise ValidationError("这里只能添加财政（部门）人员或监督指导人员；第三方机构和专家请通过委托和抽取加入。")
    if not name.strip():
        raise ValidationError("请填写姓名。")
    with transaction.atomic():
        m = EvalMember.objects.create(
            evaluation=ev, role=role, name=name.strip()[:60], affiliation=affiliation.strip()[:120], duty=duty[:120]
        )
        audit.record(actor, "evaluation.member", ev, after={"role": role, "name": m.name})
    return m


def _decimal(raw, label: str, errors: list[str]) -> Decimal | None:
    text = str(raw if raw is not None else "").strip()
    if not text:
        return None
    try:
        d = Decimal(text)
        if not d.is_finite() or d < 0 or d > 100:
            raise InvalidOperation
        return d.quantize(CENT)
    except InvalidOperation:
        errors.append(f"{label}“{text}”应为0到100之间的数")
        return None


def do_save_indicators(pk: int, rows: list[dict], *, actor, expected_version=None) -> Evaluation:
    """Weights (checked against the rules) and scores of the indicator system; the total and grade follow."""
    ev = visible_evaluation(actor, pk)
    if not is_team(actor, ev):
        raise PermissionDenied("只有评价工作组可以评分。")
    problems: list[str] = []
    with transaction.atomic():
        current = _locked(ev, expected_version)
        if current.state not in ("plan", "fieldwork", "revising"):
            raise Conflict(f"评价当前状态为“{current.state_label}”，不能修改评分。")
        indicators = {i.pk: i for i in current.indicators.all()}
        weights_locked = current.state != "plan" or not is_owner(actor, current)
        for row in rows:
            ind = indicators.get(int(row.get("id") or 0))
            if ind is None:
                problems.append(f"指标 {row.get('id')} 不属于该评价")
                continue
            if "weight" in row and not weights_locked:
                w = _decimal(row["weight"], f"“{ind.name}”的分值", problems)
                if w is not None:
                    ind.weight = w
            if "score" in row:
                ind.score = _decimal(row["score"], f"“{ind.name}”的得分", problems)
            if "finding" in row:
                ind.finding = str(row["finding"] or "").strip()[:500]
            if "value" in row:
                ind.value = str(row["value"] or "").strip()[:200]
        ordered = sorted(indicators.values(), key=lambda i: (i.order, i.pk))
        for ind in ordered:
            if ind.score is not None and ind.score > ind.weight:
                problems.append(f"“{ind.name}”得分{ind.score}超过分值{ind.weight}")
        problems += frameworks.weight_problems(
            [{"level1": i.level1, "weight": i.weight, "name": i.name} for i in ordered],
            output_benefit_rule=current.kind != Evaluation.Kind.WHOLE,
        )
        if problems:
            raise ValidationError("评分表有误：" + "；".join(problems[:5]), {"indicators": problems})
        EvalIndicator.objects.bulk_update(ordered, ["weight", "score", "finding", "value"])
        scored = all(i.score is not None for i in ordered)
        total = scoring.round2(sum((i.score for i in ordered if i.score is not None), Decimal(0)))
        cfg = scoring.ScoringConfig.from_mapping(setting("evaluation.scoring", current.region, current.year))
        current.score = total if scored else None
        current.grade = scoring.grade(total, cfg.grade_cutoffs) if scored else ""
        current.version += 1
        current.save(update_fields=["score", "grade", "version", "updated_at"])
        audit.record(actor, "evaluation.scores", current, after={"score": str(current.score), "grade": current.grade})
    return current


def do_save_report(pk: int, sections: dict, *, actor, expected_version=None) -> Evaluation:
    ev = visible_evaluation(actor, pk)
    if not is_team(actor, ev):
        raise PermissionDenied("只有评价工作组可以撰写报告。")
    with transaction.atomic():
        current = _locked(ev, expected_version)
        if current.state not in ("plan", "fieldwork", "revising"):
            raise Conflict(f"评价当前状态为“{current.state_label}”，报告不能修改。")
        before = dict(current.report or {})
        report = dict(before)
        for key, _ in REPORT_SECTIONS:
            if key in sections:
                report[key] = str(sections[key] or "").strip()[:20000]
        current.report = report
        current.version += 1
        current.save(update_fields=["report", "version", "updated_at"])
        changed = [k for k, _ in REPORT_SECTIONS if before.get(k, "") != report.get(k, "")]
        if changed:
            audit.record(
                actor,
                "evaluation.report",
                current,
                before={k: before.get(k, "") for k in changed},
                after={k: report[k] for k in changed},
            )
    return current


def submit_problems(ev: Evaluation) -> list[str]:
    problems = [
        f"请撰写报告“{label}”部分"
        for key, label in REPORT_SECTIONS
        if key in REQUIRED_SECTIONS and not (ev.report or {}).get(key, "").strip()
    ]
    unscored = [i.name for i in ev.indicators.all() if i.score is None]
    if unscored:
        problems.append(f"还有{len(unscored)}项指标未评分（如“{unscored[0]}”）")
    return problems


def do_transition(pk: int, action: str, *, actor, comment: str = "", expected_version=None) -> Evaluation:
    ev = visible_evaluation(actor, pk)
    step = ev.workflow.step(action)
    if set(step.roles) <= set(OWNERS) and not is_owner(actor, ev):
        raise PermissionDenied("只有组织该评价的财政绩效科（部门评价为主管部门）可以办理。")
    if action in ("review_pass", "review_return"):
        raise ValidationError("请通过“内部点评”表单给出点评得分和意见。")
    if action == "start" and not ev.purpose.strip():
        raise ValidationError("请先完善工作方案（评价目的）。")
    if action == "submit_draft" and (problems := submit_problems(ev)):
        raise ValidationError("报告初稿还不能提交：" + "；".join(problems[:5]), {"report": problems})
    return workflow.transition(ev, action, actor=actor, comment=comment, expected_version=expected_version)


def do_internal_review(pk: int, *, scores: dict, comment: str, actor, expected_version=None) -> InternalReview:
    """内部点评 (R31): four dimensions of 25 points; at or above the pass line the report is final, else returned."""
    ev = _owned(actor, pk)
    if ev.state != "internal_review":
        raise Conflict("报告初稿提交后才能点评。")
    errors: list[str] = []
    values = {}
    for key, label in InternalReview.DIMENSIONS:
        v = _decimal(scores.get(key), f"“{label}”", errors)
        if v is None and not any(label in e for e in errors):
            errors.append(f"请给“{label}”打分（0—25分）")
        elif v is not None and v > 25:
            errors.append(f"“{label}”最高25分")
        values[key] = v
    if not comment.strip():
        errors.append("请填写点评意见")
    if errors:
        raise ValidationError("内部点评填写有误：" + "；".join(errors), {"review": errors})
    total = scoring.round2(sum(values.values(), Decimal(0)))
    passed = total >= Decimal(str(setting("evaluation.internal_review_pass", ev.region, ev.year)))
    with transaction.atomic():
        n = ev.reviews.count() + 1
        review = InternalReview.objects.create(
            evaluation=ev,
            round=n,
            scores={k: str(v) for k, v in values.items()},
            total=total,
            passed=passed,
            comment=comment.strip(),
            reviewer=actor,
        )
        workflow.transition(
            ev,
            "review_pass" if passed else "review_return",
            actor=actor,
            comment=f"第{n}轮内部点评 {total} 分：{comment.strip()}",
            expected_version=expected_version,
        )
        audit.record(actor, "evaluation.internal_review", ev, after={"round": n, "total": str(total), "passed": passed})
    return review
