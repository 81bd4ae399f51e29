"""指标库: indicator frameworks, weight schemes and library indicators (templates picked into targets)."""

from django.db import models
from django.db.models import Q
from django.urls import reverse

from wenxiao.core.scoping import ScopedQuerySet
from wenxiao.core.workflow import Step, Workflow, WorkflowDocument

COMPARATORS = [("≥", "≥"), (">", ">"), ("=", "="), ("≤", "≤"), ("<", "<"), ("定性", "定性"), ("区间", "区间")]
VALUE_KINDS = [("number", "数值"), ("percent", "百分比"), ("date", "日期"), ("qualitative", "定性")]
SOURCES = [("计划标准", "计划标准"), ("行业标准", "行业标准"), ("历史标准", "历史标准"), ("其他标准", "其他标准")]


class Framework(models.Model):
    """指标体系框架: the 一级/二级 tree of a document (10号, 101号 …)."""

    key = models.CharField("代码", max_length=20, unique=True)
    name = models.CharField("名称", max_length=80)
    description = models.TextField("说明", blank=True)

    class Meta:
        verbose_name = "指标体系框架"

    def __str__(self) -> str:
        return self.name

    def tree(self) -> dict[str, list[str]]:
        """{一级: [二级, …]} in display order."""
        out: dict[str, list[str]] = {}
        for node in self.levels.order_by("order"):
            if node.parent_id is None:
                out.setdefault(node.name, [])
        for node in self.levels.filter(parent__isnull=False).select_related("parent").order_by("order"):
            out.setdefault(node.parent.name, []).append(node.name)
        return out


class FrameworkLevel(models.Model):
    framework = models.ForeignKey(Framework, models.CASCADE, related_name="levels")
    parent = models.ForeignKey("self", models.CASCADE, null=True, blank=True, related_name="children")
    name = models.CharField("指标名称", max_length=30)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = "框架层级"
        ordering = ["framework", "order"]

    def __str__(self) -> str:
        return self.name


class WeightScheme(models.Model):
    """一级指标的分值 (e.g. 产出50 效益30 满意度10 + 预算执行率10), and where an absent block's points go."""

    key = models.CharField("代码", max_length=30, unique=True)
    name = models.CharField("名称", max_length=80)
    framework = models.ForeignKey(Framework, models.PROTECT, related_name="schemes")
    weights = models.JSONField("一级指标分值")  # {"产出指标": 50, "效益指标": 30, "满意度指标": 10}
    execution_weight = models.DecimalField("预算执行率分值", max_digits=5, decimal_places=2, default=10)
    fallback = models.JSONField("缺项时分值转入", default=dict)  # {"满意度指标": "效益指标"}

    class Meta:
        verbose_name = "权重方案"

    def __str__(self) -> str:
        return self.name

    def expected(self, present: set[str]) -> dict[str, float]:
        """The points each present 一级 block must carry, after moving absent blocks' points."""
        out = {k: float(v) for k, v in self.weights.items() if k in present}
        for absent, to in self.fallback.items():
            if absent not in present and absent in self.weights and to in out:
                out[to] += float(self.weights[absent])
        return out


LIBRARY_FLOW = Workflow(
    key="library_indicator",
    label="指标入库",
    states={"draft": "草稿", "proposed": "已提议", "published": "已发布", "disabled": "已停用"},
    initial="draft",
    steps=(
        Step("propose", "提交入库申请", ("draft",), "proposed", ("unit", "department", "business", "performance")),
        Step("publish", "审核发布", ("proposed",), "published", ("performance",), style="success"),
        Step("reject", "退回", ("proposed",), "draft", ("performance",), needs_comment=True, style="danger"),
        Step("disable", "停用", ("published",), "disabled", ("performance",), needs_comment=True, style="secondary"),
        Step("enable", "重新启用", ("disabled",), "published", ("performance",)),
    ),
    waiting={"proposed": "performance"},
)


class IndicatorQuerySet(ScopedQuerySet):
    scope_region_field = "region"
    scope_org_field = "proposed_by"

    def visible_to(self, user, roles=None):
        """Published indicators are shared by everyone (共建共享); drafts and proposals stay in scope."""
        from wenxiao.core.scoping import scope_for

        scope = scope_for(user, roles)
        if scope.everything:
            return self
        if roles:
            return self.filter(self.scope_q(scope))
        if not user.is_authenticated:
            return self.none()
        return self.filter(Q(state="published") | self.scope_q(scope))


class IndicatorTemplate(WorkflowDocument):
    """A library indicator (三级指标模板). Picked into a target it becomes an editable row linked back here."""

    workflow = LIBRARY_FLOW

    region = models.ForeignKey(
        "orgs.Region", models.PROTECT, null=True, blank=True, related_name="+", verbose_name="所属区划"
    )  # empty = 全国通用
    proposed_by = models.ForeignKey(
        "orgs.Organisation", models.PROTECT, null=True, blank=True, related_name="+", verbose_name="提议单位"
    )
    code = models.CharField("指标编码", max_length=30, unique=True)
    name = models.CharField("指标名称", max_length=100)
    level1 = models.CharField("一级指标", max_length=30)
    level2 = models.CharField("二级指标", max_length=30)
    sectors = models.ManyToManyField("catalog.FunctionClass", blank=True, related_name="+", verbose_name="适用领域")
    unit = models.CharField("计量单位", max_length=20, blank=True)
    comparator = models.CharField("计算符号", max_length=4, choices=COMPARATORS)
    value_kind = models.CharField("值类型", max_length=12, choices=VALUE_KINDS)
    definition = models.TextField("指标解释", blank=True)
    formula = models.CharField("计算公式", max_length=200, blank=True)
    scoring = models.CharField("评（扣）分标准", max_length=300, blank=True)
    source = models.CharField("指标值来源", max_length=8, choices=SOURCES, default="计划标准")
    is_common = models.BooleanField("共性指标", default=False)
    ref_p10 = models.DecimalField("参考值P10", max_digits=16, decimal_places=4, null=True, blank=True)
    ref_p50 = models.DecimalField("参考值P50", max_digits=16, decimal_places=4, null=True, blank=True)
    ref_p90 = models.DecimalField("参考值P90", max_digits=16, decimal_places=4, null=True, blank=True)
    stat_p10 = models.DecimalField("已批复目标P10", max_digits=16, decimal_places=4, null=True, blank=True)
    stat_p50 = models.DecimalField("已批复目标P50", max_digits=16, decimal_places=4, null=True, blank=True)
    stat_p90 = models.DecimalField("已批复目标P90", max_digits=16, decimal_places=4, null=True, blank=True)
    stat_count = models.PositiveIntegerField("已批复目标引用数", default=0)
    usage_count = models.PositiveIntegerField("被选用次数", default=0)
    revision = models.PositiveIntegerField("指标版本", default=1)
    search_text = models.TextField(blank=True, editable=False)

    objects = IndicatorQuerySet.as_manager()

    class Meta:
        verbose_name = "库内指标"
        ordering = ["code"]
        indexes = [models.Index(fields=["state", "level1", "level2"])]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("library:detail", args=[self.pk])

    def acting_org(self, role: str):
        from wenxiao.orgs.models import Organisation

        return Organisation.objects.filter(region=self.region, kind="finance").first() or self.proposed_by

    def todo_title(self) -> str:
        return f"指标入库 · {self.name}"

    @property
    def p10(self):
        return self.stat_p10 if self.stat_count >= 5 else self.ref_p10

    @property
    def p50(self):
        return self.stat_p50 if self.stat_count >= 5 else self.ref_p50

    @property
    def p90(self):
        return self.stat_p90 if self.stat_count >= 5 else self.ref_p90
