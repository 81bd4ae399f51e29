"""结果应用: feedback letters (反馈意见函), the rectification ledger (整改台账), budget suggestion sheets and their
closed loop (R34, R36, R39). The negative list itself is `monitoring.NegativeListEntry` (R40); its entry and exit
rules live in `results.services`."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone

from wenxiao.core.scoping import ScopedQuerySet
from wenxiao.core.workflow import Step, Workflow, WorkflowDocument

FINANCE = ("performance",)
OWNER_ROLES = ("unit", "department")

# 待下发 → 整改中 → 已反馈 → 已核验 (or 退回 → 整改中 again) — REFERENCE §9 [U design]
RECTIFY_FLOW = Workflow(
    key="rectification",
    label="整改事项",
    states={
        "draft": "待下发",
        "rectifying": "整改中",
        "fed_back": "已反馈",
        "verified": "已核验",
        "returned": "退回重改",
    },
    initial="draft",
    steps=(
        Step("issue", "下发整改", ("draft",), "rectifying", FINANCE, style="success"),
        Step("feedback", "提交整改反馈", ("rectifying", "returned"), "fed_back", OWNER_ROLES),
        Step("verify", "核验通过，销号", ("fed_back",), "verified", FINANCE, style="success"),
        Step("return", "退回重新整改", ("fed_back",), "returned", FINANCE, needs_comment=True, style="danger"),
    ),
    waiting={"draft": "performance", "rectifying": "unit", "returned": "unit", "fed_back": "performance"},
)
OPEN_STATES = ("draft", "rectifying", "returned", "fed_back")


class Source(models.TextChoices):
    MONITORING = "monitoring", "绩效监控"
    TARGET_REVIEW = "target_review", "目标审核"
    SELFEVAL_REVIEW = "selfeval_review", "自评复评"
    KEY_EVAL = "key_eval", "重点评价"
    AUDIT = "audit", "审计"
    NPC = "npc", "人大"
    THIRD_PARTY = "third_party", "第三方"
    APPRAISAL = "appraisal", "事前评估"


class LetterQuerySet(ScopedQuerySet):
    scope_region_field = "region"
    scope_org_field = "unit"


class FeedbackLetter(models.Model):
    """反馈意见函: the findings of an evaluation or a monitoring round sent to the unit, with a deadline (R36)."""

    region = models.ForeignKey("orgs.Region", models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField("年度")
    number = models.CharField("文号", max_length=60)
    title = models.CharField("标题", max_length=200)
    source = models.CharField("来源", max_length=20, choices=Source.choices)
    evaluation = models.ForeignKey(
        "evaluation.Evaluation", models.PROTECT, null=True, blank=True, related_name="+", verbose_name="绩效评价"
    )
    monitoring_round = models.ForeignKey(
        "monitoring.MonitoringRound", models.PROTECT, null=True, blank=True, related_name="+", verbose_name="监控轮次"
    )
    project = models.ForeignKey("projects.Project", models.PROTECT, null=True, blank=True, related_name="+")
    unit = models.ForeignKey("orgs.Organisation", models.PROTECT, related_name="+", verbose_name="被反馈单位")
    department = models.ForeignKey("orgs.Organisation", models.PROTECT, related_name="+", verbose_name="主管部门")
    summary = models.TextField("评价结论", blank=True)
    findings = models.JSONField("发现的问题", default=list)  # [str]
    requirements = models.TextField("整改要求", blank=True)
    deadline = models.DateField("整改期限")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    created_at = models.DateTimeField("出具时间", auto_now_add=True)

    objects = LetterQuerySet.as_manager()

    class Meta:
        verbose_name = "反馈意见函"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("results:letter", args=[self.pk])


class ItemQuerySet(ScopedQuerySet):
    scope_region_field = "region"
    scope_org_field = "unit"

    def counted(self):
        """Items counted in the figures: a problem raised by two sources is counted once (the primary)."""
        return self.filter(duplicate_of__isnull=True)

    def overdue(self, today=None):
        today = today or timezone.localdate()
        return self.filter(state__in=OPEN_STATES, deadline__lt=today)


class RectificationItem(WorkflowDocument):
    """整改事项: a problem with owner, measures, deadline and evidence, tracked until verified (列条挂账、清零销号)."""

    workflow = RECTIFY_FLOW

    region = models.ForeignKey("orgs.Region", models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField("年度")
    source = models.CharField("问题来源", max_length=20, choices=Source.choices)
    source_ref = models.CharField("来源说明", max_length=200, blank=True)
    letter = models.ForeignKey(FeedbackLetter, models.PROTECT, null=True, blank=True, related_name="items")
    project = models.ForeignKey("projects.Project", models.PROTECT, null=True, blank=True, related_name="+")
    unit = models.ForeignKey("orgs.Organisation", models.PROTECT, related_name="+", verbose_name="责任单位")
    department = models.ForeignKey("orgs.Organisation", models.PROTECT, related_name="+", verbose_name="主管部门")
    problem = models.TextField("问题")
    requirement = models.TextField("整改要求", blank=True)
    owner = models.CharField("责任人", max_length=60, blank=True)
    deadline = models.DateField("整改期限")
    measures = models.TextField("整改措施", blank=True)
    evidence = models.TextField("整改结果及佐证", blank=True)
    # The same problem raised by another source: this row points at the primary and is not counted twice.
    duplicate_of = models.ForeignKey(
        "self", models.PROTECT, null=True, blank=True, related_name="duplicates", verbose_name="同一问题（主条目）"
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    created_at = models.DateTimeField("登记时间", auto_now_add=True)
    fed_back_at = models.DateTimeField("反馈时间", null=True, blank=True)
    verified_at = models.DateTimeField("核验时间", null=True, blank=True)

    objects = ItemQuerySet.as_manager()

    class Meta:
        verbose_name = "整改事项"
        ordering = ["deadline", "id"]
        indexes = [models.Index(fields=["region", "year", "state"], name="rectify_region_year_state")]

    def __str__(self) -> str:
        return f"整改事项{self.pk}：{self.problem[:40]}"

    def get_absolute_url(self) -> str:
        return reverse("results:item", args=[self.pk])

    def acting_org(self, role: str):
        return self.unit if role == "unit" else self.department

    def todo_title(self) -> str:
        late = "【已逾期】" if self.is_overdue else ""
        return f"{late}整改 · {self.unit.name} · {self.problem[:40]}（限{self.deadline:%Y-%m-%d}）"

    @property
    def is_overdue(self) -> bool:
        return self.state in OPEN_STATES and self.deadline < timezone.localdate()


class SheetQuerySet(ScopedQuerySet):
    scope_region_field = "region"
    scope_org_field = "department"


class BudgetSuggestionSheet(models.Model):
    """下年度预算安排建议表 of one department: current amount, suggested amount and reason per project (R34, R39)."""

    region = models.ForeignKey("orgs.Region", models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField("建议预算年度")
    basis_year = models.PositiveSmallIntegerField("依据的评价年度")
    department = models.ForeignKey("orgs.Organisation", models.PROTECT, related_name="+", verbose_name="主管部门")
    note = models.TextField("说明", blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    created_at = models.DateTimeField("生成时间", auto_now_add=True)

    objects = SheetQuerySet.as_manager()

    class Meta:
        verbose_name = "预算安排建议表"
        ordering = ["-year", "department__code"]

    def __str__(self) -> str:
        return f"{self.department.name}{self.year}年度预算安排建议表"

    def get_absolute_url(self) -> str:
        return reverse("results:sheet", args=[self.pk])


class SuggestionLine(models.Model):
    """One project of a suggestion sheet; the actual next-year budget is recorded against it (闭环)."""

    sheet = models.ForeignKey(BudgetSuggestionSheet, models.CASCADE, related_name="lines")
    project = models.ForeignKey("projects.Project", models.PROTECT, related_name="+")
    basis = models.CharField("评价依据", max_length=300)
    grade = models.CharField("评价等级", max_length=4, blank=True)
    action = models.CharField("建议措施", max_length=12)
    action_label = models.CharField("建议措施", max_length=20)
    current_amount = models.DecimalField("本年预算（元）", max_digits=16, decimal_places=2)
    suggested_amount = models.DecimalField("建议安排（元）", max_digits=16, decimal_places=2)
    reason = models.CharField("建议理由", max_length=500)
    actual_amount = models.DecimalField("实际安排（元）", max_digits=16, decimal_places=2, null=True, blank=True)
    gap_reason = models.CharField("差异说明", max_length=500, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+")
    recorded_at = models.DateTimeField("登记时间", null=True, blank=True)

    class Meta:
        verbose_name = "预算安排建议"
        ordering = ["sheet", "id"]

    def __str__(self) -> str:
        return f"{self.project} {self.action_label}"

    @property
    def gap(self):
        return None if self.actual_amount is None else self.actual_amount - self.suggested_amount
