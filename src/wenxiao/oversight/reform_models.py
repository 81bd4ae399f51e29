"""改革任务 (R46–R47): reform tasks of the finance bureau, each with a lead division, a responsible leader, a
declaration form (申报表) due by one date and a completion form (完成情况表) due by another, on the shared workflow."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse

from wenxiao.core.scoping import ScopedQuerySet, scope_for
from wenxiao.core.workflow import Step, Workflow, WorkflowDocument

DIVISIONS = ("business", "performance")

# 待申报 → 待审核（绩效科）→ 实施中 → 待验收 → 已完成, with 退回 at both checks.
REFORM_FLOW = Workflow(
    key="reform",
    label="改革任务",
    states={
        "assigned": "待牵头科室申报",
        "declared": "申报待审核",
        "in_progress": "实施中",
        "reported": "完成情况待审核",
        "returned": "已退回修改",
        "done": "已完成",
    },
    initial="assigned",
    steps=(
        Step("declare", "提交申报表", ("assigned",), "declared", DIVISIONS),
        Step("approve", "同意实施", ("declared",), "in_progress", ("performance",), style="success"),
        Step("report", "提交完成情况", ("in_progress", "returned"), "reported", DIVISIONS),
        Step("accept", "确认完成", ("reported",), "done", ("performance",), style="success"),
        Step("send_back", "退回修改", ("declared", "reported"), "returned", ("performance",), True, "danger"),
    ),
    waiting={
        "assigned": "business",
        "declared": "performance",
        "in_progress": "business",
        "returned": "business",
        "reported": "performance",
    },  # fmt: skip
)


class ReformQuerySet(ScopedQuerySet):
    scope_region_field = "region"
    scope_org_field = "lead_section"

    def visible_to(self, user, roles=None):
        """The region's tasks for 绩效科 and viewers; a division sees the tasks it leads."""
        base = super().visible_to(user, roles)
        if user is None or not user.is_authenticated or scope_for(user, roles).everything:
            return base
        own = user.assignments.filter(role__in=roles or DIVISIONS).values("org_id")
        return self.filter(Q(pk__in=base.values("pk")) | Q(lead_section__in=own))


class ReformTask(WorkflowDocument):
    workflow = REFORM_FLOW

    region = models.ForeignKey("orgs.Region", models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField("年度")
    title = models.CharField("改革任务", max_length=200)
    content = models.TextField("任务内容及要求")
    lead_section = models.ForeignKey(
        "orgs.Organisation", models.PROTECT, related_name="reform_tasks", verbose_name="牵头科室"
    )
    partners = models.CharField("配合科室", max_length=200, blank=True)
    leader = models.CharField("责任领导", max_length=40)
    declare_by = models.DateField("申报截止日期")
    complete_by = models.DateField("完成时限")
    # 申报表
    goal = models.TextField("工作目标", blank=True)
    measures = models.TextField("主要举措", blank=True)
    milestones = models.TextField("进度安排", blank=True)
    contact = models.CharField("联系人", max_length=40, blank=True)
    # 完成情况表
    progress = models.TextField("完成情况", blank=True)
    results = models.TextField("取得成效", blank=True)
    issues = models.TextField("存在问题及下一步打算", blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ReformQuerySet.as_manager()

    class Meta:
        verbose_name = "改革任务"
        ordering = ["-year", "complete_by", "id"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("oversight:reform", args=[self.pk])

    def acting_org(self, role: str):
        return self.lead_section

    def todo_title(self) -> str:
        due = self.declare_by if self.state == "assigned" else self.complete_by
        return f"改革任务 · {self.title}（{due:%m月%d日}前）"

    def overdue(self, today) -> bool:
        if self.state == "done":
            return False
        return today > (self.declare_by if self.state == "assigned" else self.complete_by)
