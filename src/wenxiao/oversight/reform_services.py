"""Writes of 改革任务: 绩效科 assigns a task to a lead division; the division declares and reports; 绩效科 checks."""

from __future__ import annotations

from datetime import date

from django.db import transaction

from wenxiao.core import audit, workflow
from wenxiao.core.errors import Conflict, NotFound, PermissionDenied, ValidationError
from wenxiao.core.scoping import can_write
from wenxiao.orgs.models import Organisation
from wenxiao.orgs.selectors import home_region
from wenxiao.oversight.reform_models import ReformTask

DECLARATION = ("goal", "measures", "milestones", "contact")
COMPLETION = ("progress", "results", "issues")


def do_assign(
    *,
    actor,
    year: int,
    title: str,
    content: str,
    lead_section_id: int | None,
    leader: str,
    declare_by: date | None,
    complete_by: date | None,
    partners: str = "",
) -> ReformTask:
    region = home_region(actor, ("performance",))
    if not can_write(actor) or region is None:
        raise PermissionDenied("改革任务由财政绩效科下达。")
    errors: dict[str, list[str]] = {}
    for key, value, label in (
        ("title", title, "改革任务"),
        ("content", content, "任务内容"),
        ("leader", leader, "责任领导"),
    ):
        if not (value or "").strip():
            errors.setdefault(key, []).append(f"请填写{label}")
    section = Organisation.objects.filter(pk=lead_section_id, kind="section", region=region).first()
    if section is None:
        errors.setdefault("lead_section", []).append("请选择本级财政的牵头科室")
    if declare_by is None or complete_by is None:
        errors.setdefault("dates", []).append("请填写申报截止日期和完成时限")
    elif complete_by < declare_by:
        errors.setdefault("dates", []).append("完成时限不能早于申报截止日期")
    if errors:
        raise ValidationError("改革任务信息有误。", errors)
    with transaction.atomic():
        task = ReformTask.objects.create(
            region=region,
            year=year,
            title=title.strip()[:200],
            content=content.strip(),
            lead_section=section,
            partners=partners.strip()[:200],
            leader=leader.strip()[:40],
            declare_by=declare_by,
            complete_by=complete_by,
            state=ReformTask.workflow.initial,
            created_by=actor,
        )
        workflow.open_work_item(task)
        audit.record(
            actor, "reform.assign", task, after=audit.snapshot(task, ["title", "leader", "declare_by", "complete_by"])
        )
    return task


def visible(actor, pk: int) -> ReformTask:
    task = ReformTask.objects.visible_to(actor).select_related("lead_section").filter(pk=pk).first()
    if task is None:
        raise NotFound("改革任务不存在。")
    return task


def do_fill(pk: int, data: dict, *, actor, expected_version=None) -> ReformTask:
    """The lead division fills the declaration form (待申报) or the completion form (实施中 / 已退回)."""
    task = visible(actor, pk)
    if (
        not can_write(actor)
        or not ReformTask.objects.visible_to(actor, ("business", "performance"))
        .filter(pk=pk, lead_section__in=actor.assignments.values("org_id"))
        .exists()
    ):
        raise PermissionDenied("只有牵头科室可以填报。")
    fields = DECLARATION if task.state in ("assigned", "declared") else COMPLETION
    if task.state in ("reported", "done"):
        raise Conflict(f"任务当前状态为“{task.state_label}”，不能修改。")
    with transaction.atomic():
        current = ReformTask.objects.select_for_update().get(pk=pk)
        if expected_version not in (None, "") and str(expected_version) != str(current.version):
            raise Conflict("该任务已被他人修改，请刷新后重试。")
        before = audit.snapshot(current, list(fields))
        for f in fields:
            if f in data:
                setattr(current, f, str(data[f] or "").strip()[: 5000 if f != "contact" else 40])
        current.version += 1
        current.save()
        b, a = audit.diff(before, audit.snapshot(current, list(fields)))
        if a:
            audit.record(actor, "reform.fill", current, before=b, after=a)
    return current


def problems(task: ReformTask, action: str) -> list[str]:
    need = {"declare": (("goal", "工作目标"), ("measures", "主要举措"), ("milestones", "进度安排")),
            "report": (("progress", "完成情况"), ("results", "取得成效"))}.get(action, ())  # fmt: skip
    return [f"请填写{label}" for f, label in need if not getattr(task, f).strip()]


def do_transition(pk: int, action: str, *, actor, comment: str = "", expected_version=None) -> ReformTask:
    task = visible(actor, pk)
    if missing := problems(task, action):
        raise ValidationError("还不能提交：" + "；".join(missing), {"form": missing})
    if action in ("declare", "report") and not task.lead_section.assignments.filter(user=actor).exists():
        raise PermissionDenied("只有牵头科室可以提交。")
    return workflow.transition(task, action, actor=actor, comment=comment, expected_version=expected_version)
