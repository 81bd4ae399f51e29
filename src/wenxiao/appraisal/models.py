"""事前绩效评估: an assessment of a new major policy or project before it may enter the library and the budget."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse

from wenxiao.core.scoping import ScopedQuerySet
from wenxiao.core.workflow import Step, Workflow, WorkflowDocument

FINANCE = ("business", "performance")
ASSESSORS = ("expert", "agency")

# 部门评估 → 财政审核 → (optional) 财政评估 by assigned experts / a third party → conclusion (R05–R07).
APPRAISAL_FLOW = Workflow(
    key="appraisal",
    label="事前绩效评估",
    states={
        "required": "待部门评估",
        "finance_review": "待财政审核",
        "expert_review": "财政评估中",
        "returned": "已退回部门",
        "concluded": "已出结论",
    },
    initial="required",
    steps=(
        Step("submit", "提交部门评估", ("required", "returned"), "finance_review", ("unit", "department")),
        Step("return", "退回部门", ("finance_review",), "returned", FINANCE, needs_comment=True, style="danger"),
        Step(
            "to_experts",
            "委托专家/第三方评估",
            ("finance_review",),
            "expert_review",
            ("performance",),
            style="secondary",
        ),
        Step(
            "experts_done",
            "提交评估意见",
            ("expert_review",),
            "finance_review",
            ASSESSORS + ("performance",),
            style="success",
        ),
        Step("conclude", "作出评估结论", ("finance_review",), "concluded", FINANCE, style="success"),
    ),
    waiting={"required": "unit", "returned": "unit", "finance_review": "business", "expert_review": "performance"},
)
FORM_ONLY = {"conclude", "to_experts"}
CONCLUSIONS = [("support", "予以支持"), ("adjust", "调整完善后予以支持"), ("reject", "不予支持")]


class AppraisalQuerySet(ScopedQuerySet):
    scope_region_field = "region"
    scope_org_field = "unit"

    def visible_to(self, user, roles=None):
        """The usual scope, plus what an expert or third party has been assigned (they see nothing else)."""
        base = super().visible_to(user, roles)
        if not user.is_authenticated or (roles and not set(roles) & set(ASSESSORS)):
            return base
        extra = Q(assignments__user=user)
        if roles is None:  # supervisors invited to observe (R43) read, never act
            from wenxiao.partners.selectors import invited_object_ids

            extra |= Q(pk__in=invited_object_ids(user, Appraisal))
        return self.filter(Q(pk__in=base.values("pk")) | extra).distinct()


class Appraisal(WorkflowDocument):
    workflow = APPRAISAL_FLOW

    region = models.ForeignKey("orgs.Region", models.PROTECT, related_name="+")
    project = models.ForeignKey("projects.Project", models.PROTECT, related_name="appraisals")
    unit = models.ForeignKey("orgs.Organisation", models.PROTECT, related_name="+")
    department = models.ForeignKey("orgs.Organisation", models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField("预算年度")
    policy = models.BooleanField("政策评估", default=False)
    triggers = models.JSONField("触发规则", default=list)
    finance_required = models.BooleanField("须财政评估", default=False)
    amount_requested = models.DecimalField("申请财政资金（元）", max_digits=16, decimal_places=2, default=0)
    amount_recommended = models.DecimalField("建议安排（元）", max_digits=16, decimal_places=2, null=True, blank=True)
    # Report sections (REFERENCE §2.2 outline)
    background = models.TextField("立项背景", blank=True)
    content = models.TextField("主要内容", blank=True)
    goals = models.TextField("绩效目标", blank=True)
    funding = models.TextField("资金构成", blank=True)
    method = models.TextField("评估思路、方法及工作程序", blank=True)
    findings = models.TextField("评估发现的问题", blank=True)
    suggestions = models.TextField("相关建议", blank=True)
    other_notes = models.TextField("其他需要说明的问题", blank=True)
    self_total = models.DecimalField("部门自评得分", max_digits=6, decimal_places=2, null=True, blank=True)
    final_total = models.DecimalField("评估得分", max_digits=6, decimal_places=2, null=True, blank=True)
    conclusion = models.CharField("评估结论", max_length=8, choices=CONCLUSIONS, blank=True)
    adjustment_required = models.TextField("须调整完善的内容", blank=True)
    adjustment_note = models.TextField("调整完善情况", blank=True)
    adjustment_done = models.BooleanField("已完成调整", default=False)
    concluded_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+")
    concluded_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = AppraisalQuerySet.as_manager()

    class Meta:
        verbose_name = "事前绩效评估"
        ordering = ["-year", "id"]
        indexes = [models.Index(fields=["region", "year", "state"])]

    def __str__(self) -> str:
        return f"{self.project.name} 事前绩效评估"

    def get_absolute_url(self) -> str:
        return reverse("appraisal:detail", args=[self.pk])

    def acting_org(self, role: str):
        return self.unit if role == "unit" else self.department

    def todo_title(self) -> str:
        return f"事前评估 · {self.project.name}"

    @property
    def passes_gate(self) -> bool:
        return self.conclusion == "support" or (self.conclusion == "adjust" and self.adjustment_done)


class AppraisalScore(models.Model):
    """One rated sub-item: by the department (self) or by finance / its assessors (final)."""

    region = models.ForeignKey("orgs.Region", models.PROTECT, related_name="+")
    appraisal = models.ForeignKey(Appraisal, models.CASCADE, related_name="scores")
    stage = models.CharField("环节", max_length=6, choices=[("self", "部门自评"), ("final", "财政评估")])
    dimension = models.CharField("维度", max_length=20)
    item = models.CharField("评估要点", max_length=40)
    points = models.DecimalField("分值", max_digits=5, decimal_places=2)
    rating = models.CharField("等级", max_length=1)
    score = models.DecimalField("得分", max_digits=5, decimal_places=2)
    note = models.CharField("说明", max_length=300, blank=True)

    class Meta:
        verbose_name = "评估得分"
        ordering = ["appraisal", "stage", "id"]
        constraints = [
            models.UniqueConstraint(fields=["appraisal", "stage", "dimension", "item"], name="uniq_appraisal_score")
        ]

    def __str__(self) -> str:
        return f"{self.dimension}/{self.item} {self.rating}"


class AppraisalAssignment(models.Model):
    """An expert or third party assigned by the 绩效科 to assess (they then see this appraisal only)."""

    appraisal = models.ForeignKey(Appraisal, models.CASCADE, related_name="assignments")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="appraisal_assignments")
    assigned_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    assigned_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "评估委托"
        constraints = [models.UniqueConstraint(fields=["appraisal", "user"], name="uniq_appraisal_assignee")]

    def __str__(self) -> str:
        return f"{self.appraisal} · {self.user}"
