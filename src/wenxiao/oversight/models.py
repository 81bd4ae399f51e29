"""考核与综合评价: indicator schemes, assessment rounds with per-subject scores, 约谈 and 移送纪检监察 records.

One scheme machinery serves three uses (R03, R27, R39, R45; REFERENCE §8): the 财政运行综合绩效评价 of lower
governments, the 预算绩效管理工作考核 of lower finance bureaus, and the 部门预算绩效管理考核 of departments.

Who reads (see `OversightQuerySet.visible_to`):
- the owner side: region-wide roles (绩效科, 监督查看, 系统管理员) over the round's region, and the finance
  sections (业务科室) of that region's bureau;
- the subject side, once the round is published: the region-wide roles of the assessed county (a county's 绩效科
  sees its own county's results of the city's rounds, never another county's) and the assessed 主管部门.
Units see nothing here. Only the 绩效科 of the owning region writes (`services.owned_round`).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse

from wenxiao.core.scoping import ScopedQuerySet, scope_for


class Kind(models.TextChoices):
    FISCAL = "fiscal", "财政运行综合绩效评价"
    BUREAU = "bureau", "预算绩效管理工作考核（下级财政）"
    DEPARTMENT = "department", "部门预算绩效管理考核"


SUBJECT_LABEL = {"fiscal": "下级政府", "bureau": "下级财政部门", "department": "主管部门"}


class Source(models.TextChoices):
    METRIC = "metric", "系统计算"
    IMPORT = "import", "导入"
    MANUAL = "manual", "人工评分"


class Rule(models.TextChoices):
    POSITIVE = "positive", "正向"
    REVERSE = "reverse", "反向"
    RANGE = "range", "区间"
    MANUAL = "manual", "人工评分"


def _finance_section_regions(user) -> set[int]:
    """Regions whose finance bureau the user works in as a 业务科室 (they read that region's assessments)."""
    if not user.is_authenticated:
        return set()
    return set(user.assignments.filter(role="business").values_list("org__region_id", flat=True))


class OversightQuerySet(ScopedQuerySet):
    """Scoping of oversight rows through their round (`round_path`) and their subject (`subject_path`)."""

    round_path = "round__"  # how the row reaches AssessmentRound ("" for the round itself)
    subject_path: str | None = None  # how the row reaches AssessmentSubject; None: owner side only

    def owner_q(self, user) -> Q:
        scope = scope_for(user)
        regions = set(scope.region_ids) | _finance_section_regions(user)
        return Q(**{f"{self.round_path}region_id__in": regions}) if regions else Q(pk__in=[])

    def subject_q(self, user) -> Q:
        from wenxiao.orgs.models import Organisation

        if self.subject_path is None:
            return Q(pk__in=[])
        scope = scope_for(user)
        q = Q(pk__in=[])
        if scope.region_ids:
            q |= Q(**{f"{self.subject_path}subject_region_id__in": scope.region_ids})
        if scope.org_paths:
            q |= Q(**{f"{self.subject_path}subject_org_id__in": Organisation.objects.filter(scope.org_filter())})
        return q & Q(**{f"{self.round_path}state": "published"})

    def visible_to(self, user, roles=None):
        if scope_for(user).everything:
            return self
        if roles:  # write checks: the 绩效科 of the owning region only
            regions = scope_for(user, roles).region_ids
            return self.filter(**{f"{self.round_path}region_id__in": regions})
        return self.filter(self.owner_q(user) | self.subject_q(user))


class SchemeQuerySet(OversightQuerySet):
    round_path = ""


class RoundQuerySet(OversightQuerySet):
    round_path = ""

    def subject_q(self, user) -> Q:
        subjects = AssessmentSubject.objects.filter(AssessmentSubject.objects.all().subject_q(user))
        return Q(pk__in=subjects.values("round_id"))


class SubjectQuerySet(OversightQuerySet):
    round_path = "round__"
    subject_path = ""


class ScoreQuerySet(OversightQuerySet):
    round_path = "subject__round__"
    subject_path = "subject__"


class OwnerOnlyQuerySet(OversightQuerySet):
    round_path = "subject__round__"


class AssessmentScheme(models.Model):
    """考核方案: the indicators (with weights and scoring rules) a region uses for one kind of assessment and year."""

    region = models.ForeignKey("orgs.Region", models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField("年度")
    kind = models.CharField("考核类型", max_length=12, choices=Kind.choices)
    name = models.CharField("方案名称", max_length=100)
    note = models.TextField("说明", blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    version = models.PositiveIntegerField("版本", default=1)

    objects = SchemeQuerySet.as_manager()

    class Meta:
        verbose_name = "考核方案"
        ordering = ["-year", "kind", "id"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("oversight:scheme", args=[self.pk])


class IndicatorSpec(models.Model):
    """An indicator row: group, weight, where its value comes from and how a value is scored."""

    order = models.PositiveSmallIntegerField("序号", default=0)
    group = models.CharField("指标类别", max_length=30)
    name = models.CharField("指标名称", max_length=60)
    weight = models.DecimalField("分值", max_digits=6, decimal_places=2)
    source = models.CharField("数据来源", max_length=8, choices=Source.choices)
    metric = models.CharField("计算指标", max_length=40, blank=True)
    rule = models.CharField("评分规则", max_length=10, choices=Rule.choices)
    full_mark = models.DecimalField("满分值（区间下限）", max_digits=20, decimal_places=4, null=True, blank=True)
    zero_mark = models.DecimalField("零分值（下限零分值）", max_digits=20, decimal_places=4, null=True, blank=True)
    full_mark_high = models.DecimalField("区间上限", max_digits=20, decimal_places=4, null=True, blank=True)
    zero_mark_high = models.DecimalField("上限零分值", max_digits=20, decimal_places=4, null=True, blank=True)
    unit = models.CharField("单位", max_length=10, blank=True)
    standard = models.CharField("评分标准说明", max_length=300, blank=True)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.name

    def as_rule(self):
        from wenxiao.oversight.scoring import Rule as EngineRule

        return EngineRule(
            kind=self.rule,
            weight=self.weight,
            full=self.full_mark,
            zero=self.zero_mark,
            full_high=self.full_mark_high,
            zero_high=self.zero_mark_high,
        )

    @property
    def rule_text(self) -> str:
        """The rule in words: “≥100得满分，≤80不得分，之间按比例”."""
        u = self.unit

        def n(v):
            return "" if v is None else f"{v.normalize():f}{u}"

        if self.rule == "positive":
            return f"≥{n(self.full_mark)}满分，≤{n(self.zero_mark)}不得分，之间按比例"
        if self.rule == "reverse":
            return f"≤{n(self.full_mark)}满分，≥{n(self.zero_mark)}不得分，之间按比例"
        if self.rule == "range":
            text = f"{n(self.full_mark)}—{n(self.full_mark_high)}满分"
            if self.zero_mark is not None:
                text += f"，≤{n(self.zero_mark)}"
            if self.zero_mark_high is not None:
                text += f"{'或' if self.zero_mark is not None else '，'}≥{n(self.zero_mark_high)}"
            return text + (
                "不得分，之间按比例" if self.zero_mark is not None or self.zero_mark_high is not None else ""
            )
        return self.standard or "按评分标准人工评分"


class SchemeIndicator(IndicatorSpec):
    region = models.ForeignKey("orgs.Region", models.PROTECT, related_name="+")
    scheme = models.ForeignKey(AssessmentScheme, models.CASCADE, related_name="indicators")

    class Meta:
        verbose_name = "方案指标"
        ordering = ["scheme", "order", "id"]


class AssessmentRound(models.Model):
    """考核轮次: one scheme applied to the subjects of a region in a year; scores, ranking, publication (R45)."""

    class State(models.TextChoices):
        OPEN = "open", "评分中"
        PUBLISHED = "published", "已公布"

    region = models.ForeignKey("orgs.Region", models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField("考核年度")
    kind = models.CharField("考核类型", max_length=12, choices=Kind.choices)
    scheme = models.ForeignKey(AssessmentScheme, models.PROTECT, related_name="rounds")
    name = models.CharField("名称", max_length=100)
    note = models.TextField("工作要求", blank=True)
    state = models.CharField("状态", max_length=10, choices=State.choices, default=State.OPEN)
    version = models.PositiveIntegerField("版本", default=1)
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    opened_at = models.DateTimeField("发起时间", auto_now_add=True)
    computed_at = models.DateTimeField("最近计算时间", null=True, blank=True)
    published_at = models.DateTimeField("公布时间", null=True, blank=True)

    objects = RoundQuerySet.as_manager()

    class Meta:
        verbose_name = "考核轮次"
        ordering = ["-year", "-id"]
        indexes = [models.Index(fields=["region", "year"])]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("oversight:round", args=[self.pk])

    @property
    def subject_label(self) -> str:
        return SUBJECT_LABEL.get(self.kind, "考核对象")


class RoundIndicator(IndicatorSpec):
    """The round's own copy of a scheme indicator: later scheme edits leave a running or published round alone."""

    region = models.ForeignKey("orgs.Region", models.PROTECT, related_name="+")
    round = models.ForeignKey(AssessmentRound, models.CASCADE, related_name="indicators")

    class Meta:
        verbose_name = "考核指标"
        ordering = ["round", "order", "id"]


class AssessmentSubject(models.Model):
    """考核对象: a lower region (county) or a 主管部门 in a round, with its total, rank and grade."""

    region = models.ForeignKey("orgs.Region", models.PROTECT, related_name="+")  # the round's region
    round = models.ForeignKey(AssessmentRound, models.CASCADE, related_name="subjects")
    subject_region = models.ForeignKey(
        "orgs.Region", models.PROTECT, null=True, blank=True, related_name="+", verbose_name="被考核区划"
    )
    subject_org = models.ForeignKey(
        "orgs.Organisation", models.PROTECT, null=True, blank=True, related_name="+", verbose_name="被考核部门"
    )
    code = models.CharField("代码", max_length=21)
    name = models.CharField("考核对象", max_length=120)
    total = models.DecimalField("总分", max_digits=7, decimal_places=2, null=True, blank=True)
    rank = models.PositiveSmallIntegerField("排名", null=True, blank=True)
    grade = models.CharField("等级", max_length=2, blank=True)
    missing = models.PositiveSmallIntegerField("待评分指标数", default=0)

    objects = SubjectQuerySet.as_manager()

    class Meta:
        verbose_name = "考核对象"
        ordering = ["round", "rank", "code"]
        constraints = [models.UniqueConstraint(fields=["round", "code"], name="uniq_round_subject")]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("oversight:subject", args=[self.pk])

    @property
    def subject(self):
        return self.subject_region or self.subject_org


class AssessmentScore(models.Model):
    """One indicator of one subject: the value (computed, imported) or the manual score, and what it earned."""

    region = models.ForeignKey("orgs.Region", models.PROTECT, related_name="+")
    subject = models.ForeignKey(AssessmentSubject, models.CASCADE, related_name="scores")
    indicator = models.ForeignKey(RoundIndicator, models.CASCADE, related_name="scores")
    value = models.DecimalField("指标值", max_digits=20, decimal_places=4, null=True, blank=True)
    score = models.DecimalField("得分", max_digits=6, decimal_places=2, null=True, blank=True)
    note = models.CharField("评分说明", max_length=500, blank=True)
    version = models.PositiveIntegerField("版本", default=1)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+")
    updated_at = models.DateTimeField("更新时间", null=True, blank=True)

    objects = ScoreQuerySet.as_manager()

    class Meta:
        verbose_name = "考核得分"
        ordering = ["subject", "indicator__order", "indicator_id"]
        constraints = [models.UniqueConstraint(fields=["subject", "indicator"], name="uniq_subject_indicator")]

    def __str__(self) -> str:
        return f"{self.subject} · {self.indicator}"


class Interview(models.Model):
    """约谈: finance talks to a low-ranked subject's leaders, with problems found and a deadline to improve (R45)."""

    class Status(models.TextChoices):
        RECTIFYING = "rectifying", "整改中"
        DONE = "done", "已整改"
        OVERDUE = "overdue", "逾期未整改"

    region = models.ForeignKey("orgs.Region", models.PROTECT, related_name="+")
    subject = models.ForeignKey(AssessmentSubject, models.PROTECT, related_name="interviews")
    date = models.DateField("约谈日期")
    attendees = models.CharField("参加人员", max_length=300)
    problems = models.TextField("存在问题")
    requirements = models.TextField("整改要求", blank=True)
    deadline = models.DateField("整改期限")
    status = models.CharField("状态", max_length=12, choices=Status.choices, default=Status.RECTIFYING)
    result = models.TextField("整改情况", blank=True)
    version = models.PositiveIntegerField("版本", default=1)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScoreQuerySet.as_manager()  # the subject sees its own 约谈 once the round is published

    class Meta:
        verbose_name = "约谈记录"
        ordering = ["-date", "-id"]

    def __str__(self) -> str:
        return f"约谈 {self.subject} {self.date}"


class Referral(models.Model):
    """移送纪检监察 (R48): a violation found in the assessment handed to the discipline inspection body."""

    class Status(models.TextChoices):
        REFERRED = "referred", "已移送"
        CONCLUDED = "concluded", "已办结"

    region = models.ForeignKey("orgs.Region", models.PROTECT, related_name="+")
    subject = models.ForeignKey(AssessmentSubject, models.PROTECT, related_name="referrals")
    date = models.DateField("移送日期")
    matter = models.CharField("移送事项", max_length=200)
    reason = models.TextField("移送理由")
    recipient = models.CharField("移送机关", max_length=100)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.REFERRED)
    result = models.TextField("处理结果", blank=True)
    version = models.PositiveIntegerField("版本", default=1)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = OwnerOnlyQuerySet.as_manager()  # finance's own record: never shown to the subject

    class Meta:
        verbose_name = "移送纪检监察"
        ordering = ["-date", "-id"]

    def __str__(self) -> str:
        return f"移送 {self.subject}：{self.matter}"


from wenxiao.oversight.reform_models import ReformTask  # noqa: E402, F401  (改革任务, R46–R47)
