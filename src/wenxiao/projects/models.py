"""项目库: projects and policies, their annual budgets, adjustments and responsible persons."""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.urls import reverse

from wenxiao.catalog.choices import BudgetKind, FundType, ProjectAttribute, ProjectClass
from wenxiao.core.fields import EncryptedCharField
from wenxiao.core.scoping import ScopedQuerySet
from wenxiao.core.workflow import Step, Workflow, WorkflowDocument

# 项目入库: 单位申报 → 主管部门审核 → 财政审核 → 入库, with 退回 at each review step.
INTAKE = Workflow(
    key="project_intake",
    label="项目入库",
    states={
        "draft": "草稿",
        "dept_review": "待主管部门审核",
        "finance_review": "待财政审核",
        "in_library": "已入库",
        "returned": "已退回",
    },
    initial="draft",
    steps=(
        Step("submit", "提交审核", ("draft", "returned"), "dept_review", ("unit", "department")),
        Step(
            "dept_approve",
            "主管部门审核通过",
            ("dept_review",),
            "finance_review",
            ("department",),
            style="success",
        ),
        Step(
            "dept_return",
            "退回单位",
            ("dept_review",),
            "returned",
            ("department",),
            needs_comment=True,
            style="danger",
        ),
        Step(
            "finance_approve",
            "财政审核通过（入库）",
            ("finance_review",),
            "in_library",
            ("business", "performance"),
            style="success",
        ),
        Step(
            "finance_return",
            "财政退回",
            ("finance_review",),
            "returned",
            ("business", "performance"),
            needs_comment=True,
            style="danger",
        ),
    ),
    waiting={"draft": "unit", "returned": "unit", "dept_review": "department", "finance_review": "business"},
)


class ProjectQuerySet(ScopedQuerySet):
    scope_region_field = "region"
    scope_org_field = "unit"


class Project(WorkflowDocument):
    """A project or policy (项目/政策) in the library. Its 项目代码 is issued once and never changes."""

    workflow = INTAKE

    class Kind(models.TextChoices):
        PROJECT = "project", "项目"
        POLICY = "policy", "政策"

    region = models.ForeignKey("orgs.Region", models.PROTECT, related_name="+", verbose_name="所属区划")
    code = models.CharField("项目代码", max_length=21, unique=True)
    name = models.CharField("项目名称", max_length=180)
    kind = models.CharField("类型", max_length=8, choices=Kind.choices, default=Kind.PROJECT)
    description = models.TextField("立项依据及主要内容", blank=True)
    department = models.ForeignKey(
        "orgs.Organisation", models.PROTECT, related_name="department_projects", verbose_name="主管部门"
    )
    unit = models.ForeignKey("orgs.Organisation", models.PROTECT, related_name="projects", verbose_name="预算单位")
    start_year = models.PositiveSmallIntegerField("起始年度")
    end_year = models.PositiveSmallIntegerField("结束年度")
    budget_kind = models.CharField("预算类型", max_length=1, choices=BudgetKind.choices, default=BudgetKind.GENERAL)
    fund_type = models.CharField("资金类型", max_length=20, choices=FundType.choices, blank=True, default="")
    function_class = models.ForeignKey(
        "catalog.FunctionClass", models.PROTECT, related_name="+", verbose_name="支出功能分类"
    )
    economic_class = models.ForeignKey(
        "catalog.EconomicClass",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="部门预算经济分类",
    )
    project_class = models.CharField(
        "项目类别", max_length=1, choices=ProjectClass.choices, default=ProjectClass.SPECIAL
    )
    attribute = models.CharField(
        "项目属性", max_length=12, choices=ProjectAttribute.choices, default=ProjectAttribute.NEW
    )
    search_text = models.TextField(blank=True, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    objects = ProjectQuerySet.as_manager()

    class Meta:
        verbose_name = "项目"
        ordering = ["code"]
        indexes = [
            models.Index(fields=["region", "state"]),
            models.Index(fields=["unit", "state"]),
            models.Index(fields=["department"]),
            # the project list's page of ids, ordered by code within the visible regions, read from the index
            models.Index(fields=["region", "code"], name="project_region_code"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("projects:detail", args=[self.pk])

    def acting_org(self, role: str):
        return self.unit if role == "unit" else self.department

    def todo_title(self) -> str:
        return f"项目入库 · {self.name}"

    @property
    def period(self) -> str:
        return f"{self.start_year}—{self.end_year}年" if self.end_year != self.start_year else f"{self.start_year}年"


class Appropriation(models.TextChoices):
    NORMAL = "normal", "正常拨款"
    SUSPENDED = "suspended", "暂缓拨款"
    STOPPED = "stopped", "停止拨款"


class BudgetQuerySet(ScopedQuerySet):
    scope_region_field = "region"
    scope_org_field = "project__unit"


class ProjectBudget(models.Model):
    """A project's budget for one year (年度预算), in yuan. 调整后预算 = 年初预算 + the adjustments."""

    region = models.ForeignKey("orgs.Region", models.PROTECT, related_name="+")
    project = models.ForeignKey(Project, models.PROTECT, related_name="budgets")
    year = models.PositiveSmallIntegerField("预算年度")
    amount_initial = models.DecimalField("年初预算", max_digits=16, decimal_places=2)
    amount_adjusted = models.DecimalField("调整后预算", max_digits=16, decimal_places=2)
    amount_fiscal = models.DecimalField("当年财政拨款", max_digits=16, decimal_places=2, default=Decimal("0"))
    amount_carryover = models.DecimalField("上年结转", max_digits=16, decimal_places=2, default=Decimal("0"))
    amount_other = models.DecimalField("其他资金", max_digits=16, decimal_places=2, default=Decimal("0"))
    # 预算批复: set when the budget is approved together with the project's performance target.
    approved_at = models.DateTimeField("批复时间", null=True, blank=True)
    # 拨款状态: finance may suspend (暂缓拨款) or stop (停止拨款) appropriations after a monitoring warning (R20).
    appropriation = models.CharField(
        "拨款状态", max_length=10, choices=Appropriation.choices, default=Appropriation.NORMAL
    )
    appropriation_since = models.DateField("拨款状态起始日期", null=True, blank=True)
    appropriation_reason = models.CharField("拨款状态原因", max_length=200, blank=True)

    objects = BudgetQuerySet.as_manager()

    class Meta:
        verbose_name = "年度预算"
        ordering = ["project", "-year"]
        constraints = [models.UniqueConstraint(fields=["project", "year"], name="uniq_project_year")]
        indexes = [models.Index(fields=["region", "year"])]

    def __str__(self) -> str:
        return f"{self.project} {self.year}年度预算"


class BudgetAdjustment(models.Model):
    """A change to a year's budget (预算调整/调剂), kept as a record; never edited."""

    region = models.ForeignKey("orgs.Region", models.PROTECT, related_name="+")
    budget = models.ForeignKey(ProjectBudget, models.PROTECT, related_name="adjustments")
    date = models.DateField("调整日期")
    amount = models.DecimalField("调整金额", max_digits=16, decimal_places=2)  # + increase, - decrease
    reason = models.CharField("调整原因", max_length=200)
    document_no = models.CharField("文号", max_length=60, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "预算调整"
        ordering = ["date", "id"]

    def __str__(self) -> str:
        return f"{self.date} {self.amount}"


class ResponsiblePerson(models.Model):
    """项目责任人 over time (R04). A change ends the current row and opens a new one; rows are never deleted."""

    region = models.ForeignKey("orgs.Region", models.PROTECT, related_name="+")
    project = models.ForeignKey(Project, models.PROTECT, related_name="responsible_persons")
    name = models.CharField("姓名", max_length=40)
    position = models.CharField("职务", max_length=60, blank=True)
    phone = EncryptedCharField("联系电话", blank=True)  # personal data: SM4-encrypted at rest
    start_date = models.DateField("起始日期")
    end_date = models.DateField("终止日期", null=True, blank=True)
    change_reason = models.CharField("变更原因", max_length=200, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "项目责任人"
        ordering = ["project", "start_date", "id"]

    def __str__(self) -> str:
        return self.name


class ImportQuerySet(ScopedQuerySet):
    scope_region_field = "region"
    scope_org_field = ""  # imports are finance's: visible region-wide only

    def scope_q(self, scope):
        from django.db.models import Q

        return Q(region_id__in=scope.region_ids) if scope.region_ids else Q(pk__in=[])


class PaymentImport(models.Model):
    """One imported file of 国库集中支付 records: its fingerprint makes a second import of the same file a no-op."""

    region = models.ForeignKey("orgs.Region", models.PROTECT, related_name="+")
    fingerprint = models.CharField("文件指纹", max_length=64)
    filename = models.CharField("文件名", max_length=200)
    rows = models.PositiveIntegerField("数据行数", default=0)
    added = models.PositiveIntegerField("新增支付笔数", default=0)
    skipped = models.PositiveIntegerField("已存在笔数", default=0)
    amount = models.DecimalField("新增金额（元）", max_digits=18, decimal_places=2, default=Decimal("0"))
    after_stop = models.PositiveIntegerField("暂缓/停止拨款后支付笔数", default=0)
    imported_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+")
    imported_at = models.DateTimeField("导入时间", auto_now_add=True)

    objects = ImportQuerySet.as_manager()

    class Meta:
        verbose_name = "支付数据导入"
        ordering = ["-imported_at"]
        constraints = [models.UniqueConstraint(fields=["region", "fingerprint"], name="uniq_payment_file")]

    def __str__(self) -> str:
        return self.filename


class Payment(models.Model):
    """A 国库集中支付 record from the 预算管理一体化 system, in yuan. Written only by the ingest; never edited."""

    region = models.ForeignKey("orgs.Region", models.PROTECT, related_name="+", db_index=False)
    payment_id = models.CharField("支付凭证号", max_length=40)
    date = models.DateField("支付日期")
    year = models.PositiveSmallIntegerField("年度")
    project = models.ForeignKey(Project, models.PROTECT, related_name="payments", db_index=False)
    unit = models.ForeignKey("orgs.Organisation", models.PROTECT, related_name="+", db_index=False)
    amount = models.DecimalField("支付金额", max_digits=16, decimal_places=2)
    economic_code = models.CharField("经济分类", max_length=5, blank=True)
    fund_source = models.CharField("资金来源", max_length=40, blank=True)
    batch = models.ForeignKey(PaymentImport, models.PROTECT, related_name="payments", db_index=False)

    objects = ScopedQuerySet.as_manager()  # region, and the paying unit

    class Meta:
        verbose_name = "支付记录"
        ordering = ["-date", "payment_id"]
        constraints = [models.UniqueConstraint(fields=["region", "payment_id"], name="uniq_payment_id")]
        indexes = [models.Index(fields=["project", "date"], name="payment_project_date")]

    def __str__(self) -> str:
        return self.payment_id


class MonthlyQuerySet(ScopedQuerySet):
    scope_region_field = "region"
    scope_org_field = "project__unit"


class MonthlyExecution(models.Model):
    """Payments per project and month (月度执行数), kept up to date by every import."""

    region = models.ForeignKey("orgs.Region", models.PROTECT, related_name="+", db_index=False)
    project = models.ForeignKey(Project, models.PROTECT, related_name="monthly_execution", db_index=False)
    year = models.PositiveSmallIntegerField("年度")
    month = models.PositiveSmallIntegerField("月份")
    amount = models.DecimalField("支付金额", max_digits=18, decimal_places=2)
    payments = models.PositiveIntegerField("笔数")

    objects = MonthlyQuerySet.as_manager()

    class Meta:
        verbose_name = "月度执行"
        ordering = ["project", "year", "month"]
        constraints = [models.UniqueConstraint(fields=["project", "year", "month"], name="uniq_project_month")]
        indexes = [models.Index(fields=["region", "year"], name="monthly_region_year")]

    def __str__(self) -> str:
        return f"{self.project_id} {self.year}-{self.month:02d}"
