"""One workflow mechanism for every document that is submitted, reviewed, returned and approved.

A document type declares its states, its steps (who may take them, from which states) and, per state, the
role that has to act next. Taking a step is one service call: it checks the state and the actor's scope,
moves the document, writes a Transition row, closes and opens to-dos (WorkItem) and records an audit event,
all in one transaction.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.utils import timezone

from wenxiao.core import audit
from wenxiao.core.errors import Conflict, PermissionDenied, ValidationError
from wenxiao.core.models import Transition, WorkItem


@dataclass(frozen=True)
class Step:
    action: str
    label: str
    sources: tuple[str, ...]
    target: str
    roles: tuple[str, ...]
    needs_comment: bool = False
    style: str = "primary"  # how the button looks: primary, success, danger, secondary


@dataclass(frozen=True)
class Workflow:
    key: str
    label: str
    states: dict[str, str]
    initial: str
    steps: tuple[Step, ...]
    # state -> role that must act next; states not listed are final or wait for nobody.
    waiting: dict[str, str] = field(default_factory=dict)

    def step(self, action: str) -> Step:
        for s in self.steps:
            if s.action == action:
                return s
        raise ValidationError(f"未知的操作：{action}")

    def steps_from(self, state: str) -> list[Step]:
        return [s for s in self.steps if state in s.sources]

    def state_label(self, state: str) -> str:
        return self.states.get(state, state)

    def __post_init__(self) -> None:
        WORKFLOWS[self.key] = self


# Every declared workflow by key: a to-do names its workflow and state, the list shows the state's label.
WORKFLOWS: dict[str, Workflow] = {}
# To-dos opened outside a workflow (a 督促整改 sent to a unit): their "state" labels, registered by the owning app.
TODO_STATE_LABELS: dict[str, dict[str, str]] = {}


class WorkflowDocument(models.Model):
    """Mixin for documents under a workflow. Subclasses set `workflow` and implement `acting_org(role)`."""

    workflow: Workflow

    state = models.CharField("状态", max_length=30, db_index=True)
    version = models.PositiveIntegerField("版本", default=1)

    class Meta:
        abstract = True

    def acting_org(self, role: str):
        """The organisation whose holders of `role` act on this document (for the to-do list)."""
        raise NotImplementedError

    def todo_title(self) -> str:
        return str(self)

    def get_absolute_url(self) -> str:
        raise NotImplementedError

    @property
    def state_label(self) -> str:
        return self.workflow.state_label(self.state)


def unit_report_flow(key: str, label: str) -> Workflow:
    """单位填报 → 主管部门审核 → 财政审核, with 退回 at each review step: the flow of every form a unit fills in for
    a round or task that finance issued (monitoring forms, self-evaluations; R17, R22, R24)."""
    units, dept, fin = ("unit", "department"), ("department",), ("business", "performance")
    return Workflow(
        key=key,
        label=label,
        states={
            "draft": "填报中",
            "dept_review": "待主管部门审核",
            "finance_review": "待财政审核",
            "returned": "已退回",
            "done": "审核完成",
        },
        initial="draft",
        steps=(
            Step("submit", "提交", ("draft", "returned"), "dept_review", units),
            Step("dept_approve", "主管部门审核通过", ("dept_review",), "finance_review", dept, style="success"),
            Step("dept_return", "退回单位", ("dept_review",), "returned", dept, needs_comment=True, style="danger"),
            Step("finance_approve", "财政审核通过", ("finance_review",), "done", fin, style="success"),
            Step("finance_return", "财政退回", ("finance_review",), "returned", fin, True, "danger"),
        ),
        waiting={"draft": "unit", "returned": "unit", "dept_review": "department", "finance_review": "business"},
    )


def actor_can(doc: WorkflowDocument, step: Step, actor) -> bool:
    model = type(doc)
    return model.objects.visible_to(actor, roles=step.roles).filter(pk=doc.pk).exists()


def available_steps(doc: WorkflowDocument, actor) -> list[Step]:
    return [s for s in doc.workflow.steps_from(doc.state) if actor_can(doc, s, actor)]


def pending_item(doc: WorkflowDocument) -> WorkItem | None:
    """The (unsaved) to-do for whoever must act on the document in its current state, if anybody."""
    role = doc.workflow.waiting.get(doc.state)
    if not role:
        return None
    return WorkItem(
        content_type=ContentType.objects.get_for_model(doc),
        object_id=doc.pk,
        workflow=doc.workflow.key,
        state=doc.state,
        role=role,
        org=doc.acting_org(role),
        region_id=doc.region_id,
        title=doc.todo_title()[:200],
        url=doc.get_absolute_url(),
    )


def open_work_item(doc: WorkflowDocument) -> None:
    if item := pending_item(doc):
        item.save()


def replayed(doc: WorkflowDocument, actions: list[str], *, actor, comments: dict[str, str] | None = None):
    """Unsaved Transition rows for a document that took `actions` in order (bulk seeding and imports)."""
    ct = ContentType.objects.get_for_model(doc)
    rows, state = [], doc.workflow.initial
    for action in actions:
        step = doc.workflow.step(action)
        source = state if state in step.sources else step.sources[0]
        rows.append(
            Transition(
                content_type=ct,
                object_id=doc.pk,
                workflow=doc.workflow.key,
                action=action,
                action_label=step.label,
                from_state=source,
                to_state=step.target,
                actor=actor,
                comment=(comments or {}).get(action, ""),
            )
        )
        state = step.target
    return rows


def transition(doc: WorkflowDocument, action: str, *, actor, comment: str = "", expected_version=None):
    """Take `action` on `doc` as `actor`. Raises PermissionDenied, ValidationError or Conflict."""
    wf = doc.workflow
    step = wf.step(action)
    model = type(doc)
    with transaction.atomic():
        current = model.objects.select_for_update().get(pk=doc.pk)
        if expected_version is not None and int(expected_version) != current.version:
            raise Conflict("该文档已被他人处理或修改，请刷新后重试。")
        if not actor_can(current, step, actor):
            raise PermissionDenied(f"您无权对该文档执行“{step.label}”。")
        if current.state not in step.sources:
            raise Conflict(f"当前状态为“{current.state_label}”，不能执行“{step.label}”。")
        if step.needs_comment and not comment.strip():
            raise ValidationError(f"“{step.label}”须填写意见。")
        from_state = current.state
        model.objects.filter(pk=current.pk).update(state=step.target, version=current.version + 1)
        current.state = step.target
        current.version += 1
        ct = ContentType.objects.get_for_model(current)
        Transition.objects.create(
            content_type=ct,
            object_id=current.pk,
            workflow=wf.key,
            action=step.action,
            action_label=step.label,
            from_state=from_state,
            to_state=step.target,
            actor=actor,
            comment=comment.strip(),
        )
        WorkItem.objects.filter(content_type=ct, object_id=current.pk, closed_at__isnull=True).update(
            closed_at=timezone.now()
        )
        open_work_item(current)
        audit.record(
            actor,
            f"{wf.key}.{step.action}",
            current,
            before={"state": from_state},
            after={"state": step.target, "comment": comment.strip()},
        )
    doc.state, doc.version = current.state, current.version
    return current


def history(doc: WorkflowDocument) -> list[Transition]:
    """The document's transitions, oldest first, with state labels for display."""
    ct = ContentType.objects.get_for_model(doc)
    rows = list(Transition.objects.filter(content_type=ct, object_id=doc.pk).select_related("actor"))
    for t in rows:
        t.from_label = doc.workflow.state_label(t.from_state)
        t.to_label = doc.workflow.state_label(t.to_state)
    return rows


def todos_for(user):
    """Open to-dos the user can act on: one query over WorkItem, role by role."""
    from django.db.models import Q

    from wenxiao.core.scoping import scope_for

    qs = WorkItem.objects.filter(closed_at__isnull=True)
    if user.is_superuser:
        return qs.order_by("created_at")
    q = Q(pk__in=[])
    for role in user.role_codes:
        scope = scope_for(user, (role,))
        if not scope.is_empty:
            q |= Q(role=role) & WorkItem.objects.scope_q(scope)
        # Addressed to the user's own organisation in that role: a 业务科室 leading a reform task, the third
        # party engaged on an evaluation (their data scope does not contain their own organisation).
        q |= Q(role=role, org_id__in=[a.org_id for a in user.assignment_rows if a.role == role])
    return qs.filter(q).order_by("created_at")
