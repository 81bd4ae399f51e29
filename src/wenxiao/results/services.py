"""Writes of 结果应用: rectification items and their workflow, feedback letters, budget suggestion sheets with the
actual budget recorded against them, and the negative-list rules (entry, and exit only after verified rectification).
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal, InvalidOperation

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from wenxiao.core import audit, workflow
from wenxiao.core.config import setting
from wenxiao.core.errors import NotFound, PermissionDenied, ValidationError
from wenxiao.core.models import WorkItem
from wenxiao.core.scoping import can_write
from wenxiao.results import linkage
from wenxiao.results.models import (
    FINANCE,
    OPEN_STATES,
    BudgetSuggestionSheet,
    FeedbackLetter,
    RectificationItem,
    Source,
    SuggestionLine,
)

CENT = Decimal("0.01")


def _writer(actor, what: str = "办理") -> None:
    if not can_write(actor):
        raise PermissionDenied(f"只读账号不能{what}。")


def _finance(actor, what: str) -> None:
    _writer(actor, what)
    if not (actor.is_superuser or actor.has_role(*FINANCE)):
        raise PermissionDenied(f"{what}由财政绩效科办理。")


def _unit_for_finance(actor, unit_id: int):
    from wenxiao.orgs.models import Organisation

    unit = (
        Organisation.objects.visible_to(actor, FINANCE)
        .filter(pk=unit_id, kind__in=("unit", "department"))
        .select_related("parent")
        .first()
    )
    if unit is None:
        raise NotFound("单位不存在或不在本区划。")
    return unit


def visible_item(actor, item_id: int, roles=None) -> RectificationItem:
    item = RectificationItem.objects.visible_to(actor, roles).filter(pk=item_id).first()
    if item is None:
        raise NotFound("整改事项不存在或无权查看。")
    return item


# --- rectification items ---------------------------------------------------------------------------------------


def do_create_item(
    *,
    actor,
    unit_id: int,
    source: str,
    problem: str,
    deadline: date | None,
    year: int,
    requirement: str = "",
    owner: str = "",
    project_id: int | None = None,
    source_ref: str = "",
    letter: FeedbackLetter | None = None,
) -> RectificationItem:
    """Register a problem as a 整改事项 (待下发), on the 绩效科's to-do list until it is issued."""
    _finance(actor, "登记整改事项")
    unit = _unit_for_finance(actor, unit_id)
    errors: dict[str, list[str]] = {}
    if source not in Source.values:
        errors.setdefault("source", []).append("请选择问题来源")
    if not problem.strip():
        errors.setdefault("problem", []).append("请填写问题")
    if deadline is None:
        errors.setdefault("deadline", []).append("请填写整改期限")
    project = None
    if project_id:
        from wenxiao.projects.models import Project

        project = Project.objects.filter(pk=project_id, unit=unit).first()
        if project is None:
            errors.setdefault("project", []).append("项目不属于该单位")
    if errors:
        raise ValidationError("整改事项信息有误。", errors)
    department = unit.department or unit
    with transaction.atomic():
        item = RectificationItem.objects.create(
            region_id=unit.region_id,
            year=year,
            source=source,
            source_ref=source_ref.strip()[:200],
            letter=letter,
            project=project,
            unit=unit,
            department=department,
            problem=problem.strip(),
            requirement=requirement.strip(),
            owner=owner.strip()[:60],
            deadline=deadline,
            state=RectificationItem.workflow.initial,
            created_by=actor,
        )
        workflow.open_work_item(item)
        audit.record(
            actor,
            "rectification.create",
            item,
            after={
                "source": item.get_source_display(),
                "unit": unit.name,
                "problem": item.problem,
                "deadline": deadline.isoformat(),
            },  # fmt: skip
        )
    return item


def do_transition(
    item_id: int,
    action: str,
    *,
    actor,
    comment: str = "",
    expected_version=None,
    measures: str | None = None,
    evidence: str | None = None,
    owner: str | None = None,
) -> RectificationItem:
    """下发 / 整改反馈 (with measures and evidence) / 核验销号 / 退回, through the shared workflow."""
    _writer(actor)
    item = visible_item(actor, item_id)
    if item.duplicate_of_id and action in ("issue", "feedback"):
        raise ValidationError(f"该事项与整改事项{item.duplicate_of_id}为同一问题，请在主条目办理。")
    if action == "feedback":
        measures = (measures if measures is not None else item.measures).strip()
        evidence = (evidence if evidence is not None else item.evidence).strip()
        errors: dict[str, list[str]] = {}
        if not measures:
            errors.setdefault("measures", []).append("请填写整改措施")
        if not evidence:
            errors.setdefault("evidence", []).append("请填写整改结果及佐证材料说明")
        if errors:
            raise ValidationError("整改反馈不完整。", errors)
    now = timezone.now()
    with transaction.atomic():
        if action == "feedback":
            fields = {"measures": measures, "evidence": evidence, "fed_back_at": now}
            if owner is not None and owner.strip():
                fields["owner"] = owner.strip()[:60]
            # Checked by the transition below (state, scope, version); rolled back with it if refused.
            RectificationItem.objects.filter(pk=item.pk).update(**fields)
        item = workflow.transition(item, action, actor=actor, comment=comment, expected_version=expected_version)
        if action == "verify":
            RectificationItem.objects.filter(pk=item.pk).update(verified_at=now)
            _follow_primary(item, actor)
        if action == "feedback":
            audit.record(actor, "rectification.feedback", item, after={"measures": measures, "evidence": evidence})
    item.refresh_from_db()
    return item


def _follow_primary(primary: RectificationItem, actor) -> None:
    """Linked duplicates are closed with their primary (销号 once, in every source's ledger)."""
    for dup in primary.duplicates.filter(state__in=OPEN_STATES):
        RectificationItem.objects.filter(pk=dup.pk).update(
            state="verified", version=dup.version + 1, verified_at=timezone.now()
        )
        _close_todos(dup)
        audit.record(actor, "rectification.verify_linked", dup, after={"primary": primary.pk})


def _close_todos(item: RectificationItem) -> int:
    ct = ContentType.objects.get_for_model(RectificationItem)
    return WorkItem.objects.filter(content_type=ct, object_id=item.pk, closed_at__isnull=True).update(
        closed_at=timezone.now()
    )


def do_link_duplicate(item_id: int, primary_id: int, *, actor) -> RectificationItem:
    """Mark `item` as the same problem as `primary` (raised by another source): it is not counted twice."""
    _finance(actor, "关联整改事项")
    item = visible_item(actor, item_id, FINANCE)
    primary = RectificationItem.objects.visible_to(actor, FINANCE).filter(pk=primary_id).first()
    if primary is None:
        raise NotFound("要关联的主条目不存在。")
    if primary.pk == item.pk:
        raise ValidationError("不能与自身关联。")
    if primary.unit_id != item.unit_id:
        raise ValidationError("只能关联同一责任单位的整改事项。")
    if primary.duplicate_of_id:
        raise ValidationError(f"整改事项{primary.pk}本身已关联到整改事项{primary.duplicate_of_id}，请关联主条目。")
    if item.duplicates.exists():
        raise ValidationError("该事项已是其他事项的主条目，不能再关联到别的事项。")
    with transaction.atomic():
        RectificationItem.objects.filter(pk=item.pk).update(duplicate_of=primary, version=item.version + 1)
        _close_todos(item)
        audit.record(
            actor, "rectification.link", item, before={"duplicate_of": item.duplicate_of_id},
            after={"duplicate_of": primary.pk},
        )  # fmt: skip
        if primary.state == "verified":
            item.duplicate_of = primary
            _follow_primary(primary, actor)
    item.refresh_from_db()
    return item


def refresh_overdue_todos(today: date | None = None) -> int:
    """Mark the open to-dos of overdue items 【已逾期】 (the reminder on the 待办 list). Returns how many changed."""
    today = today or timezone.localdate()
    ct = ContentType.objects.get_for_model(RectificationItem)
    overdue = RectificationItem.objects.overdue(today).counted().values("pk")
    changed = 0
    for w in WorkItem.objects.filter(content_type=ct, object_id__in=overdue, closed_at__isnull=True).exclude(
        title__startswith="【已逾期】"
    ):
        WorkItem.objects.filter(pk=w.pk).update(title=("【已逾期】" + w.title)[:200])
        changed += 1
    return changed


# --- feedback letters --------------------------------------------------------------------------------------------


def _letter_number(region, year: int) -> str:
    n = FeedbackLetter.objects.filter(region=region, year=year).count() + 1
    return f"绩效反馈〔{year}〕{n}号"


def default_findings(evaluation) -> list[str]:
    """The problems of an evaluation: its report's 存在的问题 section, then low-scoring indicators' findings."""
    found = linkage.split_findings((evaluation.report or {}).get("experience", "").split("原因在于")[0])
    for i in evaluation.indicators.all():
        if i.score is not None and i.weight and i.score < i.weight * Decimal("0.8") and i.finding:
            found.append(f"{i.name}：{i.finding}")
    return found


def do_create_letter(
    *,
    actor,
    evaluation_id: int | None = None,
    round_id: int | None = None,
    unit_id: int | None = None,
    findings: list[str] | None = None,
    deadline: date | None = None,
    requirements: str = "",
    owner: str = "",
) -> FeedbackLetter:
    """反馈意见函 from a finished evaluation (or a monitoring round's warnings for a unit); one 整改事项 per finding."""
    _finance(actor, "出具反馈意见函")
    from wenxiao.evaluation.models import Evaluation
    from wenxiao.monitoring.models import MonitoringRound, Warning

    project, summary, ev, rnd = None, "", None, None
    if evaluation_id:
        ev = Evaluation.objects.visible_to(actor, FINANCE).filter(pk=evaluation_id).first()
        if ev is None:
            raise NotFound("评价不存在。")
        if ev.state not in ("final", "archived"):
            raise ValidationError("评价报告定稿后才能出具反馈意见函。")
        unit, project, year, source = ev.subject_org, ev.project, ev.year, Source.KEY_EVAL
        summary = f"经评价，{ev.title}综合得分{ev.score}分，评价等级为“{ev.grade}”。" if ev.grade else ""
        title = f"关于{ev.title}结果的反馈意见函"
        if findings is None:
            findings = default_findings(ev)
        if not requirements:
            requirements = (ev.report or {}).get("suggestions", "")
    elif round_id:
        rnd = MonitoringRound.objects.visible_to(actor, FINANCE).filter(pk=round_id).first()
        if rnd is None:
            raise NotFound("监控轮次不存在。")
        unit = _unit_for_finance(actor, unit_id or 0)
        year, source = rnd.year, Source.MONITORING
        title = f"关于{unit.name}{rnd.name}发现问题的反馈意见函"
        if findings is None:
            findings = [
                f"{w.project.name}：{w.title}（{w.detail}）"
                for w in Warning.objects.filter(year=rnd.year, unit=unit, status__in=("open", "handled"))
                .select_related("project")
                .order_by("-level", "project__code")[:20]
            ]
    else:
        raise ValidationError("请指定评价或监控轮次。")
    findings = [f.strip() for f in (findings or []) if f and f.strip()]
    if not findings:
        raise ValidationError("没有可反馈的问题，请至少填写一条。", {"findings": ["请至少填写一条问题"]})
    if deadline is None:
        deadline = timezone.localdate() + timedelta(days=int(setting("results.rectify_days", unit.region, year)))
    with transaction.atomic():
        letter = FeedbackLetter.objects.create(
            region_id=unit.region_id,
            year=year,
            number=_letter_number(unit.region, year),
            title=title[:200],
            source=source,
            evaluation=ev,
            monitoring_round=rnd,
            project=project,
            unit=unit,
            department=unit.department or unit,
            summary=summary,
            findings=findings,
            requirements=requirements.strip(),
            deadline=deadline,
            created_by=actor,
        )
        for f in findings:
            do_create_item(
                actor=actor,
                unit_id=unit.pk,
                source=source,
                problem=f,
                deadline=deadline,
                year=year,
                requirement=requirements.strip()[:2000],
                owner=owner,
                project_id=project.pk if project else None,
                source_ref=f"{letter.number} {letter.title}",
                letter=letter,
            )
        audit.record(actor, "results.letter", letter, after={"number": letter.number, "findings": findings})
    return letter


def do_issue_letter(letter_id: int, *, actor) -> int:
    """下发: every 待下发 item of the letter moves to 整改中 and onto the unit's to-do list."""
    _finance(actor, "下发整改")
    letter = FeedbackLetter.objects.visible_to(actor, FINANCE).filter(pk=letter_id).first()
    if letter is None:
        raise NotFound("反馈意见函不存在。")
    n = 0
    with transaction.atomic():
        for item in letter.items.filter(state="draft", duplicate_of__isnull=True):
            workflow.transition(item, "issue", actor=actor, comment=f"随{letter.number}下发")
            n += 1
    return n


# --- budget linkage ----------------------------------------------------------------------------------------------


def project_results(project_ids: list[int], year: int) -> dict[int, dict]:
    """grade (key evaluation > 复评 > self-evaluation), execution rate and negative-list status per project."""
    from wenxiao.evaluation.models import Evaluation, SelfEvaluation
    from wenxiao.monitoring.models import NegativeListEntry, ProjectStatus

    out: dict[int, dict] = {pid: {"grade": "", "source": "", "rate": None, "negative": False} for pid in project_ids}
    for s in SelfEvaluation.objects.filter(project_id__in=project_ids, year=year, state="done").values(
        "project_id", "grade", "review_grade"
    ):
        if s["review_grade"]:
            out[s["project_id"]].update(grade=s["review_grade"], source="财政复评")
        elif s["grade"]:
            out[s["project_id"]].update(grade=s["grade"], source="单位自评")
    for e in (
        Evaluation.objects.filter(
            project_id__in=project_ids, year=year, state__in=("final", "archived"), level="finance"
        )
        .exclude(grade="")
        .values("project_id", "grade")
    ):
        out[e["project_id"]].update(grade=e["grade"], source="财政重点评价")
    for s in ProjectStatus.objects.filter(project_id__in=project_ids, year=year).values("project_id", "rate"):
        out[s["project_id"]]["rate"] = s["rate"]
    listed = NegativeListEntry.objects.filter(removed_at__isnull=True).filter(
        Q(project_id__in=project_ids) | Q(project__isnull=True, unit_id__in=_units_of(project_ids))
    )
    from wenxiao.projects.models import Project

    units = dict(Project.objects.filter(pk__in=project_ids).values_list("pk", "unit_id"))
    for e in listed.values("project_id", "unit_id"):
        for pid in [e["project_id"]] if e["project_id"] else [p for p, u in units.items() if u == e["unit_id"]]:
            if pid in out:
                out[pid]["negative"] = True
    return out


def _units_of(project_ids):
    from wenxiao.projects.models import Project

    return Project.objects.filter(pk__in=project_ids).values("unit_id")


def do_create_sheet(department_id: int, year: int, *, actor, note: str = "") -> BudgetSuggestionSheet:
    """下年度预算安排建议表 of a 主管部门 for `year`, from the results of `year - 1` and the linkage rules."""
    _finance(actor, "生成预算安排建议")
    from wenxiao.orgs.models import Organisation
    from wenxiao.projects.models import ProjectBudget

    dept = Organisation.objects.visible_to(actor, FINANCE).filter(pk=department_id, kind="department").first()
    if dept is None:
        raise NotFound("主管部门不存在或不在本区划。")
    if BudgetSuggestionSheet.objects.filter(department=dept, year=year).exists():
        raise ValidationError(f"{dept.name}{year}年度预算安排建议表已生成。")
    basis = year - 1
    budgets = list(
        ProjectBudget.objects.filter(project__department=dept, year=basis)
        .select_related("project")
        .order_by("project__code")
    )
    if not budgets:
        raise ValidationError(f"{dept.name}没有{basis}年度项目预算，无法生成建议。")
    rules = setting("results.budget_rules", dept.region, year)
    idle = float(setting("results.idle_rate", dept.region, year))
    results = project_results([b.project_id for b in budgets], basis)
    with transaction.atomic():
        sheet = BudgetSuggestionSheet.objects.create(
            region_id=dept.region_id, year=year, basis_year=basis, department=dept, note=note.strip(), created_by=actor
        )
        lines = []
        for b in budgets:
            r = results[b.project_id]
            s = linkage.suggest(
                linkage.ProjectResult(b.amount_adjusted, r["grade"], r["source"], r["rate"], r["negative"]),
                rules,
                idle,
            )
            basis_text = "；".join(
                x
                for x in (
                    f"{r['source']}：{r['grade']}" if r["grade"] else "",
                    f"执行率{r['rate']:.1f}%" if r["rate"] is not None else "",
                    "负面清单" if r["negative"] else "",
                )
                if x
            )
            lines.append(
                SuggestionLine(
                    sheet=sheet,
                    project=b.project,
                    basis=basis_text or "—",
                    grade=r["grade"],
                    action=s.action,
                    action_label=s.label,
                    current_amount=b.amount_adjusted,
                    suggested_amount=s.amount,
                    reason=s.reason[:500],
                )
            )
        SuggestionLine.objects.bulk_create(lines)
        audit.record(
            actor,
            "results.sheet",
            sheet,
            after={"department": dept.name, "year": year, "lines": len(lines),
                   "current": sum((x.current_amount for x in lines), Decimal(0)),
                   "suggested": sum((x.suggested_amount for x in lines), Decimal(0))},
        )  # fmt: skip
    return sheet


def _money(value) -> Decimal:
    try:
        d = Decimal(str(value).replace(",", "").strip()).quantize(CENT)
    except (InvalidOperation, ValueError):
        raise ValidationError("请填写有效的金额（元）。", {"actual_amount": ["金额格式不正确"]}) from None
    if d < 0:
        raise ValidationError("金额不能为负数。", {"actual_amount": ["金额不能为负数"]})
    return d


def do_record_actual(line_id: int, *, actor, amount, gap_reason: str = "") -> SuggestionLine:
    """Record the actual next-year budget of a line; a gap from the suggestion must be explained (闭环)."""
    _finance(actor, "登记实际预算安排")
    line = (
        SuggestionLine.objects.filter(sheet__in=BudgetSuggestionSheet.objects.visible_to(actor, FINANCE), pk=line_id)
        .select_related("sheet", "project")
        .first()
    )
    if line is None:
        raise NotFound("建议条目不存在。")
    value = _money(amount)
    if value != line.suggested_amount and not gap_reason.strip():
        raise ValidationError(
            "实际安排与建议不一致，请说明差异原因。", {"gap_reason": ["实际安排与建议不一致，请说明差异原因"]}
        )
    before = audit.snapshot(line, ["actual_amount", "gap_reason"])
    with transaction.atomic():
        SuggestionLine.objects.filter(pk=line.pk).update(
            actual_amount=value, gap_reason=gap_reason.strip()[:500], recorded_by=actor, recorded_at=timezone.now()
        )
        line.refresh_from_db()
        audit.record(
            actor,
            "results.actual",
            line.sheet,
            before=before,
            after={"project": line.project.name, **audit.snapshot(line, ["actual_amount", "gap_reason"])},
        )
    return line


# --- negative list (R40) -----------------------------------------------------------------------------------------


def negative_candidates(region, year: int) -> list[dict]:
    """Projects and units the entry rules (setting `results.negative_rules`) put on the list, with the reason."""
    from wenxiao.evaluation.models import Evaluation
    from wenxiao.monitoring.models import NegativeListEntry, ProjectStatus
    from wenxiao.targets.models import TargetReview

    rules = setting("results.negative_rules", region, year)
    within = Q(region__path__startswith=region.path)
    found: dict[tuple, dict] = {}

    def add(project, unit_id, reason):
        key = (project.pk if project else None, unit_id)
        found.setdefault(key, {"project": project, "unit_id": unit_id, "reasons": []})["reasons"].append(reason)

    for s in ProjectStatus.objects.filter(within, year=year, rate__lt=rules["execution_rate"]).select_related(
        "project"
    ):
        add(s.project, s.unit_id, f"预算执行率{s.rate:.1f}%，低于{rules['execution_rate']}%（执行率低）")
    for r in TargetReview.objects.filter(
        target__region__path__startswith=region.path, target__year=year, grade=rules["target_grade"]
    ).select_related("target__project"):
        if r.target.project_id:
            add(r.target.project, r.target.project.unit_id, f"绩效目标审核为“{r.grade}”（目标不清晰）")
    overdue_units = set(
        RectificationItem.objects.overdue()
        .counted()
        .filter(region__path__startswith=region.path)
        .values_list("unit_id", flat=True)
    )
    for ev in Evaluation.objects.filter(within, year=year, grade=rules["eval_grade"]).select_related("project"):
        if ev.subject_org_id in overdue_units:
            add(ev.project, ev.subject_org_id, f"评价等级为“{ev.grade}”且逾期未整改")
    listed = set(
        NegativeListEntry.objects.filter(
            region__path__startswith=region.path, year=year, removed_at__isnull=True
        ).values_list("project_id", "unit_id")
    )
    return [v for k, v in found.items() if k not in listed]


def do_apply_negative_rules(*, actor, year: int, region=None) -> int:
    """List everything the entry rules find (not already listed), with source 结果应用. Returns how many."""
    _finance(actor, "列入负面清单")
    from wenxiao.monitoring.models import NegativeListEntry
    from wenxiao.orgs.selectors import home_region

    region = region or home_region(actor, ("performance", "sysadmin"))
    if region is None:
        raise PermissionDenied("负面清单由财政绩效科办理。")
    found = negative_candidates(region, year)
    with transaction.atomic():
        for c in found:
            unit_region = c["project"].region_id if c["project"] else region.pk
            NegativeListEntry.objects.create(
                region_id=unit_region,
                year=year,
                project=c["project"],
                unit_id=c["unit_id"],
                reason="；".join(c["reasons"])[:500],
                source="结果应用",
                added_by=actor,
            )
        audit.record(actor, "results.negative_rules", None, object_type="monitoring.negativelistentry",
                     region_id=region.pk, after={"year": year, "added": len(found)})  # fmt: skip
    return len(found)


def open_items_blocking_exit(entry) -> list[RectificationItem]:
    qs = RectificationItem.objects.counted().filter(unit_id=entry.unit_id).exclude(state="verified")
    if entry.project_id:
        qs = qs.filter(Q(project_id=entry.project_id) | Q(project__isnull=True))
    return list(qs)


def do_exit_negative(entry_id: int, *, actor, reason: str):
    """移出负面清单 only when every rectification item of the project or unit has been verified; history is kept."""
    from wenxiao.monitoring.models import FINANCE as MON_FINANCE
    from wenxiao.monitoring.models import NegativeListEntry

    _writer(actor)
    entry = (
        NegativeListEntry.objects.visible_to(actor, MON_FINANCE).filter(pk=entry_id, removed_at__isnull=True).first()
    )
    if entry is None:
        raise NotFound("负面清单记录不存在或已移出。")
    if not reason.strip():
        raise ValidationError("请填写移出原因。", {"reason": ["请填写移出原因"]})
    blocking = open_items_blocking_exit(entry)
    if blocking:
        ids = "、".join(str(i.pk) for i in blocking[:10])
        raise ValidationError(f"尚有{len(blocking)}项整改未核验销号（整改事项{ids}），不能移出负面清单。")
    with transaction.atomic():
        NegativeListEntry.objects.filter(pk=entry.pk).update(
            removed_at=timezone.now(), removed_reason=f"整改已核验：{reason.strip()}"[:200]
        )
        audit.record(actor, "results.negative_exit", entry, after={"reason": reason.strip()})
    entry.refresh_from_db()
    return entry
