"""绩效目标: project/policy and 部门整体 targets, their indicator rows, review records, versions, approvals."""

from django.conf import settings
from django.db import models
from django.urls import reverse

from wenxiao.core.scoping import ScopedQuerySet
from wenxiao.core.workflow import Step, Workflow, WorkflowDocument

UNIT_ROLES = ("unit", "department")

# 单位申报 → 主管部门审核 → 财政业务科室初审 → 绩效科终审 → 批复 (88号; R09)
TARGET_FLOW = Workflow(
    key="target",
    label="绩效目标申报",
    states={
        "draft": "填报中",
        "dept_review": "待主管部门审核",
        "business_review": "待业务科室初审",
        "performance_review": "待绩效科终审",
        "returned": "已退回修改",
        "passed": "终审通过待批复",
        "rejected": "终审为差（不予安排）",
        "approved": "已批复",
    },
    initial="draft",
    steps=(
        Step("submit", "提交审核", ("draft", "returned"), "dept_review", UNIT_ROLES),
        Step("dept_approve", "主管部门审核通过", ("dept_review",), "business_review", ("department",), style="success"),
        Step(
            "dept_return",
            "退回单位修改",
            ("dept_review",),
            "returned",
            ("department",),
            needs_comment=True,
            style="danger",
        ),
        Step(
            "business_approve",
            "业务科室初审通过",
            ("business_review",),
            "performance_review",
            ("business",),
            style="success",
        ),
        Step(
            "business_return",
            "业务科室退回",
            ("business_review",),
            "returned",
            ("business",),
            needs_comment=True,
            style="danger",
        ),
        # The 绩效科's final review is taken through targets.services.do_final_review, which picks one of these
        # by the grade (优/良 pass, 中 back for revision, 差 blocked).
        Step("final_pass", "终审通过", ("performance_review",), "passed", ("performance",), style="success"),
        Step(
            "final_return",
            "终审退回修改",
            ("performance_review",),
            "returned",
            ("performance",),
            needs_comment=True,
            style="danger",
        ),
        Step(
            "final_reject",
            "终审不予安排",
            ("performance_review",),
            "rejected",
            ("performance",),
            needs_comment=True,
            style="danger",
        ),
        Step("approve", "随预算批复", ("passed",), "approved", ("performance",), style="success"),
        Step("adjust", "申请调整", ("approved",), "draft", UNIT_ROLES, needs_comment=True, style="secondary"),
    ),
    waiting={
        "draft": "unit",
        "returned": "unit",
        "dept_review": "department",
        "business_review": "business",
        "performance_review": "performance",
        "passed": "performance",
    },
)
# Steps shown as buttons; the final review has its own form with the five dimensions and the grade.
FORM_ONLY_STEPS = {"final_pass", "final_return", "final_reject", "approve"}

REVIEW_DIMENSIONS = ["内容相关性", "指标科学性", "规范完整性", "绩效合理性", "预算匹配性"]
GRADES = [("优", "优"), ("良", "良"), ("中", "中"), ("差", "差")]


class TargetQuerySet(ScopedQuerySet):
    scope_region_field = "region"
    scope_org_field = "unit"


class Target(WorkflowDocument):
    """A year's performance target of a project/policy (项目支出) or of a unit as a whole (部门整体)."""

    workflow = TARGET_FLOW

    class Kind(models.TextChoices):
        PROJECT = "project", "项目支出绩效目标"
        WHOLE = "whole", "部门（单位）整体支出绩效目标"

    region = models.ForeignKey("orgs.Region", models.PROTECT, related_name="+")
    kind = models.CharField("目标类型", max_length=8, choices=Kind.choices)
    year = models.PositiveSmallIntegerField("预算年度")
    project = models.ForeignKey("projects.Project", models.PROTECT, null=True, blank=True, related_name="targets")
    unit = models.ForeignKey("orgs.Organisation", models.PROTECT, related_name="targets", verbose_name="申报单位")
    department = models.ForeignKey(
        "orgs.Organisation", models.PROTECT, related_name="department_targets", verbose_name="主管部门"
    )
    framework = models.CharField("指标体系", max_length=20, default="10号")
    scheme = models.ForeignKey("library.WeightScheme", models.PROTECT, related_name="+", verbose_name="权重方案")
    goal = models.TextField("年度总体目标", blank=True)
    goal_midterm = models.TextField("中长期目标", blank=True)
    amount = models.DecimalField("年度资金总额（元）", max_digits=16, decimal_places=2, default=0)
    amount_fiscal = models.DecimalField("其中：财政拨款（元）", max_digits=16, decimal_places=2, default=0)
    amount_midterm = models.DecimalField("中期资金总额（元）", max_digits=16, decimal_places=2, default=0)
    serves_public = models.BooleanField("面向社会公众提供服务", default=True)
    special_fund = models.BooleanField("专项资金", default=False)
    adjusting = models.BooleanField("调整中", default=False)
    adjust_reason = models.TextField("调整原因", blank=True)
    current_version = models.PositiveIntegerField("已批复版本号", default=0)
    grade = models.CharField("终审等级", max_length=2, choices=GRADES, blank=True)
    approval = models.ForeignKey("Approval", models.PROTECT, null=True, blank=True, related_name="targets")
    published = models.BooleanField("已公开", default=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = TargetQuerySet.as_manager()

    class Meta:
        verbose_name = "绩效目标"
        ordering = ["-year", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "year"], name="uniq_project_target_year", condition=models.Q(kind="project")
            ),
            models.UniqueConstraint(
                fields=["unit", "year"], name="uniq_whole_target_year", condition=models.Q(kind="whole")
            ),
        ]
        indexes = [models.Index(fields=["region", "year", "state"]), models.Index(fields=["department", "year"])]

    def __str__(self) -> str:
        subject = self.project.name if self.project_id else self.unit.name
        return f"{self.year}年 {subject}"

    def get_absolute_url(self) -> str:
        return reverse("targets:detail", args=[self.pk])

    def acting_org(self, role: str):
        return self.unit if role == "unit" else self.department

    def todo_title(self) -> str:
        what = "调整" if self.adjusting else "申报"
        return f"绩效目标{what} · {self}"

    @property
    def editable_states(self) -> tuple[str, ...]:
        return ("draft", "returned")


class TargetIndicator(models.Model):
    """One row of the indicator grid: 一级/二级/三级, comparator, value, unit, weight, source, library link."""

    region = models.ForeignKey("orgs.Region", models.PROTECT, related_name="+")
    target = models.ForeignKey(Target, models.CASCADE, related_name="indicators")
    order = models.PositiveSmallIntegerField(default=0)
    level1 = models.CharField("一级指标", max_length=30)
    level2 = models.CharField("二级指标", max_length=30)
    name = models.CharField("三级指标", max_length=100)
    value = models.CharField("年度指标值", max_length=60)
    mid_value = models.CharField("中期指标值", max_length=60, blank=True)
    unit = models.CharField("计量单位", max_length=20, blank=True)
    weight = models.DecimalField("分值", max_digits=6, decimal_places=2, null=True, blank=True)
    source = models.CharField("指标值来源", max_length=8, default="计划标准")
    note = models.CharField("备注", max_length=200, blank=True)
    # Parsed by core.values: what scoring and review compare against.
    comparator = models.CharField("计算符号", max_length=4, blank=True)
    value_kind = models.CharField("值类型", max_length=12, blank=True)
    number = models.DecimalField(max_digits=20, decimal_places=4, null=True, blank=True)
    upper = models.DecimalField(max_digits=20, decimal_places=4, null=True, blank=True)
    template = models.ForeignKey(
        "library.IndicatorTemplate",
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="uses",
        verbose_name="来源库内指标",
    )
    template_changed = models.BooleanField("已改动库内指标", default=False)

    class Meta:
        verbose_name = "绩效指标"
        ordering = ["target", "order", "id"]

    def __str__(self) -> str:
        return f"{self.name} {self.value}"


class TargetTask(models.Model):
    """部门整体: 年度主要任务 with its money."""

    region = models.ForeignKey("orgs.Region", models.PROTECT, related_name="+")
    target = models.ForeignKey(Target, models.CASCADE, related_name="tasks")
    order = models.PositiveSmallIntegerField(default=0)
    name = models.CharField("任务名称", max_length=100)
    content = models.TextField("主要内容", blank=True)
    amount = models.DecimalField("预算金额（元）", max_digits=16, decimal_places=2, default=0)
    amount_fiscal = models.DecimalField("其中：财政拨款（元）", max_digits=16, decimal_places=2, default=0)

    class Meta:
        verbose_name = "年度主要任务"
        ordering = ["target", "order", "id"]

    def __str__(self) -> str:
        return self.name


class TargetComment(models.Model):
    """A reviewer's comment on a whole target or on one indicator row (逐行审核意见)."""

    region = models.ForeignKey("orgs.Region", models.PROTECT, related_name="+")
    target = models.ForeignKey(Target, models.CASCADE, related_name="comments")
    indicator = models.ForeignKey(TargetIndicator, models.SET_NULL, null=True, blank=True, related_name="comments")
    row_label = models.CharField("指标", max_length=100, blank=True)  # kept if the row is later deleted
    stage = models.CharField("环节", max_length=30)
    text = models.TextField("意见")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    resolved = models.BooleanField("已处理", default=False)

    class Meta:
        verbose_name = "审核意见"
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.text[:40]


class TargetReview(models.Model):
    """绩效科终审: the five dimensions, the grade and the opinion (one per final review)."""

    region = models.ForeignKey("orgs.Region", models.PROTECT, related_name="+")
    target = models.ForeignKey(Target, models.CASCADE, related_name="reviews")
    dimensions = models.JSONField("审核维度")  # {"内容相关性": "符合" | "基本符合" | "不符合", …}
    grade = models.CharField("等级", max_length=2, choices=GRADES)
    opinion = models.TextField("审核意见", blank=True)
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "终审记录"
        ordering = ["created_at"]

    def __str__(self) -> str:
        return f"{self.target} {self.grade}"


class TargetVersion(models.Model):
    """An approved version of a target, frozen (R10: every version kept)."""

    region = models.ForeignKey("orgs.Region", models.PROTECT, related_name="+")
    target = models.ForeignKey(Target, models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField("版本号")
    snapshot = models.JSONField("内容")
    reason = models.TextField("调整原因", blank=True)
    approval = models.ForeignKey("Approval", models.PROTECT, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "目标版本"
        ordering = ["target", "number"]
        constraints = [models.UniqueConstraint(fields=["target", "number"], name="uniq_target_version")]

    def __str__(self) -> str:
        return f"{self.target} 第{self.number}版"


class ApprovalQuerySet(ScopedQuerySet):
    scope_region_field = "region"
    scope_org_field = "department"


class Approval(models.Model):
    """批复: a department's targets for a year approved together with its budget."""

    region = models.ForeignKey("orgs.Region", models.PROTECT, related_name="+")
    department = models.ForeignKey("orgs.Organisation", models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField("预算年度")
    document_no = models.CharField("批复文号", max_length=60)
    title = models.CharField("批复文件标题", max_length=200)
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    approved_at = models.DateTimeField(auto_now_add=True)
    publish = models.BooleanField("随预算公开", default=True)

    objects = ApprovalQuerySet.as_manager()

    class Meta:
        verbose_name = "目标批复"
        ordering = ["-approved_at"]

    def __str__(self) -> str:
        return f"{self.document_no} {self.title}"
