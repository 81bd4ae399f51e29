"""Demo data of results: a feedback letter from the final key evaluation with its ledger items (one verified and
closed, one overdue), items from monitoring 督促整改 and from self-evaluation 复评 opinions, and a budget suggestion
sheet for 教育局 with the actual budget recorded for some lines."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from wenxiao.core.models import WorkItem
from wenxiao.evaluation.models import Evaluation, SelfEvaluation
from wenxiao.monitoring.models import WarningAction
from wenxiao.orgs.models import RoleAssignment, User
from wenxiao.results import linkage, services
from wenxiao.results.models import RectificationItem, Source


def _owner_user(unit):
    """Someone who feeds back for the unit: its own account, its 主管部门's, or the administrator."""
    a = (
        RoleAssignment.objects.filter(role="unit", org=unit).select_related("user").first()
        or RoleAssignment.objects.filter(role="department", org_id=unit.parent_id or unit.pk)
        .select_related("user")
        .first()
    )
    return a.user if a else User.objects.get(username="admin")


def seed_results(year, rng, system) -> dict:
    jxk = User.objects.get(username="jxk")
    today = timezone.localdate()
    counts = {"letters": 0, "rectification_items": 0, "suggestion_sheets": 0}
    city = jxk.assignments.get().org.region
    linked = 0

    ev = (
        Evaluation.objects.filter(kind="project", state="final", region=city)
        .select_related("subject_org")
        .order_by("id")
        .first()
    )
    if ev is not None:
        findings = linkage.split_findings(ev.report.get("experience", "").split("原因在于")[0])[:3]
        letter = services.do_create_letter(
            actor=jxk,
            evaluation_id=ev.pk,
            findings=findings or services.default_findings(ev)[:3],
            deadline=today + timedelta(days=45),
            owner="项目负责人",
        )
        services.do_issue_letter(letter.pk, actor=jxk)
        items = list(letter.items.order_by("id"))
        owner = _owner_user(ev.subject_org)
        if items:
            services.do_transition(
                items[0].pk,
                "feedback",
                actor=owner,
                measures="重新测算并调整绩效目标指标值，报主管部门审核后按程序调整。",
                evidence="已印发《关于调整项目绩效目标的通知》，附调整前后指标对照表。",
            )
            services.do_transition(items[0].pk, "verify", actor=jxk, comment="整改到位，同意销号。")
        if len(items) > 1:  # overdue: the deadline agreed for this one has passed
            RectificationItem.objects.filter(pk=items[1].pk).update(deadline=today - timedelta(days=10))
            late = RectificationItem.objects.get(pk=items[1].pk)
            WorkItem.objects.filter(
                content_type=ContentType.objects.get_for_model(RectificationItem), object_id=late.pk
            ).update(title=late.todo_title()[:200])  # the to-do names the deadline it now has
        if len(items) > 2:  # the audit office found the same problem: linked, counted once
            audit_item = services.do_create_item(
                actor=jxk,
                unit_id=ev.subject_org_id,
                source=Source.AUDIT,
                problem=items[2].problem,
                requirement="按审计意见完善项目验收和档案管理。",
                deadline=items[2].deadline,
                year=year,
                project_id=ev.project_id,
                source_ref=f"{year}年度预算执行审计",
            )
            services.do_link_duplicate(audit_item.pk, items[2].pk, actor=jxk)
            linked += 1
        counts["letters"] += 1

    # 督促整改 from monitoring become ledger items.
    urged = list(
        WarningAction.objects.filter(year=year, kind="urge", region__path__startswith=city.path)
        .select_related("project")
        .order_by("id")[:6]
    )
    monitoring_units: dict[int, RectificationItem] = {}
    for act in urged:
        item = services.do_create_item(
            actor=jxk,
            unit_id=act.project.unit_id,
            source=Source.MONITORING,
            problem=f"{act.project.name}：预算执行滞后于序时进度",
            requirement=act.note,
            deadline=act.due or (today + timedelta(days=30)),
            year=year,
            project_id=act.project_id,
            source_ref=f"绩效监控督促整改（{act.at:%Y-%m-%d}）",
        )
        services.do_transition(item.pk, "issue", actor=jxk)
        monitoring_units.setdefault(act.project.unit_id, item)

    # 复评 opinions on self-evaluations become ledger items; one repeats a monitoring finding and is linked.
    reviewed = list(
        SelfEvaluation.objects.filter(year=year, region=city)
        .exclude(review_opinion="")
        .select_related("project")
        .order_by("id")[:6]
    )
    for f in reviewed:
        item = services.do_create_item(
            actor=jxk,
            unit_id=f.unit_id,
            source=Source.SELFEVAL_REVIEW,
            problem=f"{f.project.name if f.project else f.unit.name}：{f.review_opinion}",
            requirement="补充佐证材料，规范自评打分，按复评结果完善绩效管理。",
            deadline=today + timedelta(days=rng.choice((20, 40, 60))),
            year=year,
            project_id=f.project_id,
            source_ref=f"{year}年度单位自评复评",
        )
        services.do_transition(item.pk, "issue", actor=jxk)
    dup = next(
        (i for i in RectificationItem.objects.filter(source=Source.SELFEVAL_REVIEW, year=year).order_by("id")
         if i.unit_id in monitoring_units),
        None,
    )  # fmt: skip
    if dup is not None:
        services.do_link_duplicate(dup.pk, monitoring_units[dup.unit_id].pk, actor=jxk)
        linked += 1
    services.refresh_overdue_todos()
    counts["rectification_items"] = RectificationItem.objects.count()
    counts["rectification_linked"] = linked

    # 下年度预算安排建议表 for 教育局, the actual budget entered for some lines.
    zgbm_dept = User.objects.get(username="zgbm").assignments.get().org
    sheet = services.do_create_sheet(zgbm_dept.pk, year + 1, actor=jxk, note="依据本年度自评、复评、重点评价和监控结果")
    for i, line in enumerate(sheet.lines.order_by("id")[:8]):
        if i % 3 == 2:
            actual = (line.suggested_amount * Decimal("1.05")).quantize(Decimal("0.01"))
            services.do_record_actual(
                line.pk, actor=jxk, amount=actual, gap_reason="政策性增支：市政府常务会议确定提高补助标准。"
            )
        else:
            services.do_record_actual(line.pk, actor=jxk, amount=line.suggested_amount)
    counts["suggestion_sheets"] = 1
    return counts
