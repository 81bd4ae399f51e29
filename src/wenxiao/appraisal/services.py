"""Writes of 事前绩效评估: flag, score, submit, review, assign assessors, conclude, record the adjustment; the gate."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone

from wenxiao.appraisal import scoring, triggers
from wenxiao.appraisal.models import ASSESSORS, FINANCE, Appraisal, AppraisalAssignment, AppraisalScore
from wenxiao.core import audit, workflow
from wenxiao.core.config import setting
from wenxiao.core.errors import Conflict, NotFound, PermissionDenied, ValidationError
from wenxiao.core.scoping import can_write
from wenxiao.orgs.models import User
from wenxiao.projects.models import Project, ProjectBudget

DECLARERS = ("unit", "department")
TEXT_FIELDS = ("background", "content", "goals", "funding", "method", "findings", "suggestions", "other_notes")


# --- configuration -----------------------------------------------------------------------------------


def template_for(appraisal: Appraisal) -> list[scoring.Item]:
    tpl = setting("appraisal.template", appraisal.region, appraisal.year) or None
    return scoring.template_items(tpl, policy=appraisal.policy)


def result_of(appraisal: Appraisal, stage: str) -> scoring.Result:
    given = {f"{s.dimension}/{s.item}": s.rating for s in appraisal.scores.filter(stage=stage)}
    return scoring.score(
        template_for(appraisal),
        given,
        ratings=setting("appraisal.ratings", appraisal.region, appraisal.year),
        cutoffs=setting("appraisal.cutoffs", appraisal.region, appraisal.year),
    )


# --- flagging ----------------------------------------------------------------------------------------


def flag_if_needed(project: Project, year: int, *, actor, major_change: bool = False, renewal: bool = False):
    """Open an appraisal if a trigger rule fires for the project's budget of `year`; returns it or None."""
    budget = ProjectBudget.objects.filter(project=project, year=year).first()
    if budget is None:
        return None
    facts = triggers.Facts(
        new=project.attribute == "new",
        fiscal_amount=budget.amount_fiscal,
        project_class=project.project_class,
        major_change=major_change,
        renewal=renewal,
    )
    reasons, finance = triggers.reasons(facts, setting("appraisal.triggers", project.region, year))
    if facts.new:  # R40: a unit on the 负面清单 has every new project assessed by finance
        from wenxiao.results.selectors import negative_listed

        if listed := negative_listed(project.unit_id):
            reasons = [*reasons, f"申报单位已列入负面清单（{listed[0].reason[:40]}），新增项目须经财政事前评估"]
            finance = True
    if not reasons:
        return None
    Project.objects.select_for_update().filter(pk=project.pk).first()  # one flag per project and year
    if Appraisal.objects.filter(project=project, year=year).exists():
        return None
    a = Appraisal.objects.create(
        region=project.region,
        project=project,
        unit=project.unit,
        department=project.department,
        year=year,
        policy=project.kind == "policy",
        triggers=reasons,
        finance_required=finance,
        state="required",
        amount_requested=budget.amount_fiscal,
        content=project.description,
    )
    workflow.open_work_item(a)
    audit.record(actor, "appraisal.flag", a, after={"triggers": reasons, "finance_required": finance})
    return a


def do_flag(project_id: int, year: int, *, actor, major_change: bool = False, renewal: bool = False) -> Appraisal:
    """A department or finance marks a project's major change or renewal: it then needs an assessment."""
    if not can_write(actor):
        raise PermissionDenied("只读账号不能发起评估。")
    project = Project.objects.visible_to(actor, roles=("department",) + FINANCE).filter(pk=project_id).first()
    if project is None:
        raise NotFound("项目不存在或不在您的范围内。")
    a = flag_if_needed(project, year, actor=actor, major_change=major_change, renewal=renewal)
    if a is None:
        raise ValidationError("该项目未达到事前评估的触发条件，或已有评估。")
    return a


def gate_reason(project: Project, year: int | None = None) -> str | None:
    """Why the project may not enter the library or the budget yet (R07: no passing assessment, no 入库)."""
    qs = Appraisal.objects.filter(project=project)
    if year:
        qs = qs.filter(year=year)
    for a in qs:
        if a.passes_gate:
            continue
        if a.conclusion == "reject":
            return "事前绩效评估结论为“不予支持”，不能入库或安排预算"
        if a.conclusion == "adjust":
            return "事前绩效评估结论为“调整完善后予以支持”，须先登记调整完善情况"
        return f"须完成事前绩效评估（当前：{a.state_label}）后才能入库或安排预算"
    return None


# --- the assessment ----------------------------------------------------------------------------------


def visible(actor, appraisal_id: int, roles=None) -> Appraisal:
    return Appraisal.objects.visible_or_refuse(actor, appraisal_id, roles, what="评估")


def _stage_roles(appraisal: Appraisal, stage: str) -> tuple[str, ...]:
    if stage == "self":
        return DECLARERS
    return ASSESSORS + FINANCE if appraisal.state == "expert_review" else FINANCE


STAGE_STATES = {"self": ("required", "returned"), "final": ("finance_review", "expert_review")}


def do_save(
    appraisal_id: int,
    *,
    actor,
    stage: str,
    ratings: dict[str, str],
    notes: dict[str, str] | None = None,
    texts: dict[str, str] | None = None,
    expected_version=None,
) -> Appraisal:
    """Save ratings of one stage (the department's self-assessment, or finance's/assessors') and report text."""
    if not can_write(actor):
        raise PermissionDenied("只读账号不能评估。")
    a = visible(actor, appraisal_id)
    if a.state not in STAGE_STATES.get(stage, ()):
        raise Conflict(f"评估处于“{a.state_label}”，不能填写该环节的评分。")
    visible(actor, appraisal_id, roles=_stage_roles(a, stage))
    items = {i.key: i for i in template_for(a)}
    allowed = setting("appraisal.ratings", a.region, a.year) or scoring.RATINGS
    errors: dict[str, list[str]] = {}
    for key, rating in ratings.items():
        if key not in items:
            errors.setdefault(key, []).append("不是评估模板中的要点")
        elif rating and rating not in allowed:
            errors.setdefault(key, []).append(f"等级应为{'、'.join(allowed)}之一")
    if errors:
        raise ValidationError("评分有误。", errors)
    with transaction.atomic():
        a = Appraisal.objects.select_for_update().get(pk=a.pk)
        if expected_version is not None and int(expected_version) != a.version:
            raise Conflict("该评估已被他人修改，请刷新后重试。")
        before = {s.dimension + "/" + s.item: s.rating for s in a.scores.filter(stage=stage)}
        for key, rating in ratings.items():
            item = items[key]
            if not rating:
                a.scores.filter(stage=stage, dimension=item.dimension, item=item.name).delete()
                continue
            AppraisalScore.objects.update_or_create(
                appraisal=a,
                stage=stage,
                dimension=item.dimension,
                item=item.name,
                defaults={
                    "region_id": a.region_id,
                    "points": item.points,
                    "rating": rating,
                    "score": scoring.item_score(item.points, rating, allowed),
                    "note": (notes or {}).get(key, "")[:300],
                },
            )
        for field in TEXT_FIELDS:
            if texts and field in texts:
                setattr(a, field, (texts[field] or "").strip())
        total = result_of(a, stage).total
        if stage == "self":
            a.self_total = total
        else:
            a.final_total = total
        a.version += 1
        a.save()
        audit.record(
            actor,
            f"appraisal.score_{stage}",
            a,
            before={"ratings": before},
            after={"ratings": ratings, "total": f"{total:.2f}"},
        )
    return a


def do_transition(appraisal_id: int, action: str, *, actor, comment: str = "", expected_version=None) -> Appraisal:
    if not can_write(actor):
        raise PermissionDenied("只读账号不能办理。")
    a = visible(actor, appraisal_id)
    if action in ("conclude", "to_experts"):
        raise ValidationError("作出结论和委托评估请使用对应的表单。")
    if action == "submit":
        missing = result_of(a, "self").missing
        if missing:
            raise ValidationError(f"还有 {len(missing)} 个评估要点未评分。", {"ratings": missing[:10]})
        if not a.background.strip() or not a.goals.strip():
            raise ValidationError("请填写立项背景和绩效目标。")
    if action == "experts_done" and not a.scores.filter(stage="final").exists():
        raise ValidationError("请先填写评估评分。")
    return workflow.transition(a, action, actor=actor, comment=comment, expected_version=expected_version)


def do_assign(appraisal_id: int, usernames: list[str], *, actor, comment: str = "") -> Appraisal:
    """The 绩效科 commissions experts or a third party (财政评估); they see this appraisal and nothing else."""
    if not can_write(actor):
        raise PermissionDenied("只读账号不能委托评估。")
    a = visible(actor, appraisal_id, roles=("performance",))
    users = list(
        User.objects.filter(username__in=usernames, is_active=True, assignments__role__in=ASSESSORS).distinct()
    )
    if not users:
        raise ValidationError("请选择专家或第三方机构账号。")
    with transaction.atomic():
        for u in users:
            AppraisalAssignment.objects.get_or_create(appraisal=a, user=u, defaults={"assigned_by": actor})
        a = workflow.transition(
            a, "to_experts", actor=actor, comment=comment or f"委托：{'、'.join(str(u) for u in users)}"
        )
        audit.record(actor, "appraisal.assign", a, after={"assessors": [u.username for u in users]})
    return a


def do_conclude(
    appraisal_id: int,
    *,
    actor,
    amount_recommended=None,
    adjustment_required: str = "",
    override: str = "",
    reason: str = "",
) -> Appraisal:
    """Finance concludes from the final scores and the configured cut-offs; a different conclusion needs a reason."""
    if not can_write(actor):
        raise PermissionDenied("只读账号不能作出结论。")
    a = visible(actor, appraisal_id, roles=FINANCE)
    result = result_of(a, "final")
    if result.missing:
        raise ValidationError(f"财政评估还有 {len(result.missing)} 个要点未评分。", {"ratings": result.missing[:10]})
    conclusion = override or result.conclusion
    if conclusion not in scoring.CONCLUSIONS:
        raise ValidationError("评估结论无效。")
    if conclusion != result.conclusion and not reason.strip():
        raise ValidationError(f"按得分应为“{scoring.CONCLUSIONS[result.conclusion]}”，改变结论须写明理由。")
    if conclusion == "adjust" and not adjustment_required.strip():
        raise ValidationError("结论为调整完善后予以支持时，须写明需要调整完善的内容。")
    recommended = a.amount_requested  # support (and adjust, unless finance says less) keeps the request
    if amount_recommended not in (None, ""):
        try:
            recommended = Decimal(str(amount_recommended)).quantize(Decimal("0.01"))
        except InvalidOperation:
            raise ValidationError("建议安排金额不是有效的数字。")
        if not Decimal("0") <= recommended <= a.amount_requested:
            raise ValidationError("建议安排金额应在0与申请金额之间。")
    if conclusion == "reject":
        recommended = Decimal("0")
    with transaction.atomic():
        a = workflow.transition(
            a, "conclude", actor=actor, comment=f"{scoring.CONCLUSIONS[conclusion]}（{result.total}分）{reason.strip()}"
        )
        Appraisal.objects.filter(pk=a.pk).update(
            conclusion=conclusion,
            amount_recommended=recommended,
            adjustment_required=adjustment_required.strip(),
            concluded_by=actor,
            concluded_at=timezone.now(),
            final_total=result.total,
        )
        audit.record(
            actor,
            "appraisal.conclude",
            a,
            after={
                "conclusion": conclusion,
                "score": f"{result.total:.2f}",
                "recommended": f"{recommended:.2f}",
                "by_rule": result.conclusion,
                "reason": reason.strip(),
            },
        )
    a.refresh_from_db()
    return a


def do_record_adjustment(appraisal_id: int, note: str, *, actor) -> Appraisal:
    """The unit records how it adjusted the project (调整完善后予以支持): then the gate opens."""
    if not can_write(actor):
        raise PermissionDenied("只读账号不能登记。")
    visible(actor, appraisal_id, roles=DECLARERS)
    if not note.strip():
        raise ValidationError("请写明调整完善情况。")
    with transaction.atomic():
        a = Appraisal.objects.select_for_update().get(pk=appraisal_id)
        if a.conclusion != "adjust" or a.adjustment_done:
            raise Conflict("只有结论为“调整完善后予以支持”且尚未登记的评估需要登记调整完善情况。")
        a.adjustment_note, a.adjustment_done, a.version = note.strip(), True, a.version + 1
        a.save(update_fields=["adjustment_note", "adjustment_done", "version"])
        audit.record(actor, "appraisal.adjusted", a, after={"note": a.adjustment_note})
    return a
