"""绩效运行监控 ("双监控"): rounds, monitoring forms (监控表), warnings (预警), actions (处置) and the negative list."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse

from wenxiao.core.scoping import ScopedQuerySet
from wenxiao.core.workflow import TODO_STATE_LABELS, WorkflowDocument, unit_report_flow

UNIT_ROLES = ("unit", "department")
FINANCE = ("business", "performance")

MONITOR_FLOW = unit_report_flow("monitoring", "绩效监控")  # 单位填报 → 主管部门审核 → 财政审核 (R17, R22)

LIKELIHOOD = [(1, "确定能"), (2, "有可能"), (3, "完全不可能")]  # 完成目标可能性 (REFERENCE §5.2)
DEVIATIONS = ["经费保障", "制度保障", "人员保障", "硬件条件保障", "其他"]  # 偏差原因分析 categories
QUAL_ANSWERS = ["达成年度指标", "部分达成年度指标并具有一定效果", "未达成年度指标且效果较差"]  # §5.3


class RoundQuerySet(ScopedQuerySet):
    scope_region_field = "region"
    scope_org_field = "department"

    def visible_to(self, user, roles=None):
        """Rounds of the user's jurisdiction, a department's own rounds, and rounds the user has forms in."""
        base = super().visible_to(user, roles)
        forms = MonitoringForm.objects.visible_to(user, roles).values("round_id")
        return self.filter(Q(pk__in=base.values("pk")) | Q(pk__in=forms))


class MonitoringRound(models.Model):
    """监控轮次: e.g. the 1–7月 concentrated round in August, or the October and December checkpoints (R18)."""

    class Kind(models.TextChoices):
        CONCENTRATED = "concentrated", "集中监控"
        CHECKPOINT = "checkpoint", "节点监控"
        KEY = "key", "重点监控"

    region = models.ForeignKey("orgs.Region", models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField("年度")
    name = models.CharField("名称", max_length=100)
    kind = models.CharField("类型", max_length=12, choices=Kind.choices, default=Kind.CONCENTRATED)
    period_end = models.DateField("数据截止日期")
    deadline = models.DateField("报送截止日期")
    # A 主管部门's own round covers only its units (R22); empty for a finance round over the whole region.
    department = models.ForeignKey(
        "orgs.Organisation", models.PROTECT, null=True, blank=True, related_name="+", verbose_name="组织部门"
    )
    note = models.TextField("工作要求", blank=True)
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    opened_at = models.DateTimeField("发起时间", auto_now_add=True)
    closed_at = models.DateTimeField("结束时间", null=True, blank=True)

    objects = RoundQuerySet.as_manager()

    class Meta:
        verbose_name = "监控轮次"
        ordering = ["-year", "-period_end", "-id"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("monitoring:round", args=[self.pk])


class MonitoringForm(WorkflowDocument):
    """项目支出绩效目标执行监控表 (REFERENCE §5.2): money block from payments, one line per indicator."""

    workflow = MONITOR_FLOW

    region = models.ForeignKey("orgs.Region", models.PROTECT, related_name="+")
    round = models.ForeignKey(MonitoringRound, models.PROTECT, related_name="forms")
    target = models.ForeignKey("targets.Target", models.PROTECT, related_name="monitoring_forms")
    project = models.ForeignKey("projects.Project", models.PROTECT, related_name="monitoring_forms")
    unit = models.ForeignKey("orgs.Organisation", models.PROTECT, related_name="+", verbose_name="实施单位")
    department = models.ForeignKey("orgs.Organisation", models.PROTECT, related_name="+", verbose_name="主管部门")
    # Money block, yuan: 年初预算数 | 执行数 (to the round's period end) | 全年预计执行数
    budget_initial = models.DecimalField("年初预算数", max_digits=16, decimal_places=2, default=0)
    budget_annual = models.DecimalField("全年预算数", max_digits=16, decimal_places=2, default=0)
    budget_fiscal = models.DecimalField("其中：财政拨款", max_digits=16, decimal_places=2, default=0)
    executed = models.DecimalField("执行数", max_digits=16, decimal_places=2, default=0)
    forecast_amount = models.DecimalField("全年预计执行数", max_digits=16, decimal_places=2, null=True, blank=True)
    progress_text = models.TextField("执行情况", blank=True)
    problems = models.TextField("存在问题", blank=True)
    measures = models.TextField("下一步措施", blank=True)
    submitted_at = models.DateTimeField("提交时间", null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedQuerySet.as_manager()  # region, and the owning unit

    class Meta:
        verbose_name = "绩效监控表"
        ordering = ["round", "department", "unit", "project"]
        constraints = [models.UniqueConstraint(fields=["round", "target"], name="uniq_round_target")]
        indexes = [models.Index(fields=["round", "state"])]

    def __str__(self) -> str:
        return f"{self.project} · {self.round}"

    def get_absolute_url(self) -> str:
        return reverse("monitoring:form", args=[self.pk])

    def acting_org(self, role: str):
        return self.unit if role == "unit" else self.department

    def todo_title(self) -> str:
        return f"绩效监控 · {self.project.name}"

    @property
    def rate(self):
        return round(float(self.executed) / float(self.budget_annual) * 100, 2) if self.budget_annual else None

    @property
    def forecast_rate(self):
        if self.forecast_amount is None or not self.budget_annual:
            return None
        return round(float(self.forecast_amount) / float(self.budget_annual) * 100, 2)


class MonitoringLine(models.Model):
    """One indicator of a monitoring form. The target's row is copied so a later adjustment keeps old forms."""

    form = models.ForeignKey(MonitoringForm, models.CASCADE, related_name="lines")
    indicator = models.ForeignKey("targets.TargetIndicator", models.SET_NULL, null=True, related_name="+")
    order = models.PositiveSmallIntegerField(default=0)
    level1 = models.CharField("一级指标", max_length=30)
    level2 = models.CharField("二级指标", max_length=30)
    name = models.CharField("三级指标", max_length=100)
    value = models.CharField("年度指标值", max_length=60)
    unit = models.CharField("计量单位", max_length=20, blank=True)
    to_date = models.CharField("截至目前执行情况", max_length=60, blank=True)
    forecast = models.CharField("全年预计完成情况", max_length=60, blank=True)
    likelihood = models.PositiveSmallIntegerField("完成目标可能性", choices=LIKELIHOOD, null=True, blank=True)
    deviation_kinds = models.JSONField("偏差原因类别", default=list, blank=True)
    deviation_text = models.CharField("偏差原因分析", max_length=500, blank=True)
    measures = models.CharField("改进措施", max_length=500, blank=True)
    note = models.CharField("备注", max_length=200, blank=True)
    # Parsed numbers (core/values) so the warning run reads figures, not text.
    to_date_number = models.DecimalField(max_digits=20, decimal_places=4, null=True, blank=True)
    forecast_number = models.DecimalField(max_digits=20, decimal_places=4, null=True, blank=True)

    class Meta:
        verbose_name = "监控指标"
        ordering = ["form", "order", "id"]

    def __str__(self) -> str:
        return self.name


class ProjectStatus(models.Model):
    """A project's execution and light as of the latest warning run of the year (one row per project and year)."""

    region = models.ForeignKey("orgs.Region", models.PROTECT, related_name="+", db_index=False)
    year = models.PositiveSmallIntegerField("年度")
    project = models.ForeignKey("projects.Project", models.PROTECT, related_name="monitor_status", db_index=False)
    unit = models.ForeignKey("orgs.Organisation", models.PROTECT, related_name="+", db_index=False)
    department = models.ForeignKey("orgs.Organisation", models.PROTECT, related_name="+", db_index=False)
    as_of = models.DateField("截至日期")
    budget = models.DecimalField("全年预算数", max_digits=16, decimal_places=2)
    spent = models.DecimalField("执行数", max_digits=16, decimal_places=2)
    rate = models.FloatField("执行率", null=True)
    time_progress = models.FloatField("序时进度")
    forecast_rate = models.FloatField("预计年底执行率", null=True)
    completion = models.FloatField("目标完成进度", null=True)
    light = models.CharField("预警灯", max_length=6)
    warnings = models.PositiveSmallIntegerField("预警数", default=0)

    objects = ScopedQuerySet.as_manager()  # region, and the owning unit

    class Meta:
        verbose_name = "项目监控状态"
        constraints = [models.UniqueConstraint(fields=["project", "year"], name="uniq_status_project_year")]
        indexes = [models.Index(fields=["region", "year", "light"], name="status_region_year_light")]

    def __str__(self) -> str:
        return f"{self.project_id} {self.year} {self.light}"


class Warning(models.Model):
    """预警: one rule firing for a project (or one of its indicators). Re-raised by each run until it clears."""

    class Status(models.TextChoices):
        OPEN = "open", "待处置"
        HANDLED = "handled", "已处置"
        CLEARED = "cleared", "已消除"

    region = models.ForeignKey("orgs.Region", models.PROTECT, related_name="+", db_index=False)
    year = models.PositiveSmallIntegerField("年度")
    project = models.ForeignKey("projects.Project", models.PROTECT, related_name="warnings", db_index=False)
    unit = models.ForeignKey("orgs.Organisation", models.PROTECT, related_name="+", db_index=False)
    department = models.ForeignKey("orgs.Organisation", models.PROTECT, related_name="+", db_index=False)
    indicator = models.ForeignKey(
        "targets.TargetIndicator", models.SET_NULL, null=True, blank=True, related_name="+", db_index=False
    )
    code = models.CharField("规则", max_length=4)
    level = models.CharField("等级", max_length=6)
    title = models.CharField("预警事项", max_length=60)
    detail = models.CharField("说明", max_length=500)
    numbers = models.JSONField("依据数据", default=dict)
    action = models.CharField("建议措施", max_length=16)
    action_text = models.CharField("建议措施说明", max_length=30)
    status = models.CharField("状态", max_length=8, choices=Status.choices, default=Status.OPEN)
    first_seen = models.DateField("首次预警日期")
    last_seen = models.DateField("最近预警日期")

    objects = ScopedQuerySet.as_manager()  # region, and the owning unit

    class Meta:
        verbose_name = "预警"
        ordering = ["-last_seen", "project", "code"]
        indexes = [
            models.Index(fields=["region", "year", "status", "level"], name="warning_region_status"),
            models.Index(fields=["project", "year"], name="warning_project_year"),
        ]

    def __str__(self) -> str:
        return f"{self.title}：{self.detail}"

    @property
    def level_label(self) -> str:
        return {"red": "红灯", "yellow": "黄灯"}.get(self.level, self.level)


class ActionQuerySet(ScopedQuerySet):
    scope_region_field = "region"
    scope_org_field = "project__unit"


class WarningAction(models.Model):
    """处置措施 taken by finance on a project after a warning (R20): recorded, never edited."""

    class Kind(models.TextChoices):
        URGE = "urge", "督促整改"
        ADJUST_TARGET = "adjust_target", "调整目标"
        SUSPEND = "suspend", "暂缓拨款"
        STOP = "stop", "停止拨款"
        RESUME = "resume", "恢复拨款"
        CUT = "cut", "调减预算"
        KEY_EVAL = "key_eval", "列入重点评价"
        NEGATIVE = "negative", "列入负面清单"
        DISMISS = "dismiss", "核实无问题"
        FEEDBACK = "feedback", "单位整改反馈"

    region = models.ForeignKey("orgs.Region", models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField("年度")
    project = models.ForeignKey("projects.Project", models.PROTECT, related_name="monitor_actions")
    warning = models.ForeignKey(Warning, models.PROTECT, null=True, blank=True, related_name="actions")
    kind = models.CharField("措施", max_length=16, choices=Kind.choices)
    note = models.CharField("说明", max_length=500)
    amount = models.DecimalField("调减金额（元）", max_digits=16, decimal_places=2, null=True, blank=True)
    due = models.DateField("整改期限", null=True, blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    at = models.DateTimeField("时间", auto_now_add=True)

    objects = ActionQuerySet.as_manager()

    class Meta:
        verbose_name = "处置措施"
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}：{self.note}"


TODO_STATE_LABELS["monitoring_action"] = dict(WarningAction.Kind.choices)  # 督促整改 / 调整目标 to-dos


class NegativeListEntry(models.Model):
    """负面清单 (R18, R40): a project or unit with serious monitoring problems, and why."""

    region = models.ForeignKey("orgs.Region", models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField("年度")
    project = models.ForeignKey("projects.Project", models.PROTECT, null=True, blank=True, related_name="+")
    unit = models.ForeignKey("orgs.Organisation", models.PROTECT, related_name="+")
    reason = models.CharField("列入原因", max_length=500)
    source = models.CharField("来源", max_length=30, default="绩效监控")
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    added_at = models.DateTimeField("列入时间", auto_now_add=True)
    removed_at = models.DateTimeField("移出时间", null=True, blank=True)
    removed_reason = models.CharField("移出原因", max_length=200, blank=True)

    objects = ScopedQuerySet.as_manager()  # region, and the owning unit

    class Meta:
        verbose_name = "负面清单"
        ordering = ["-added_at"]

    def __str__(self) -> str:
        return self.reason
