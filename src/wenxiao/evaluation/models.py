"""绩效评价: 单位自评 tasks and forms scored by the rules, 财政复评, and 重点评价 / 部门整体评价 projects."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse

from wenxiao.core.scoping import ScopedQuerySet, scope_for
from wenxiao.core.workflow import Step, Workflow, WorkflowDocument, unit_report_flow

GRADES = [("优", "优"), ("良", "良"), ("中", "中"), ("差", "差")]
SURVEY_NOTE = "满意度调查"  # an attachment whose note starts with this is the satisfaction survey (S09)

SELFEVAL_FLOW = unit_report_flow("selfeval", "绩效自评")  # 单位自评 → 主管部门审核 → 财政审核 (R24)


class TaskQuerySet(ScopedQuerySet):
    scope_region_field = "region"
    scope_org_field = "department"

    def visible_to(self, user, roles=None):
        """Tasks of the user's jurisdiction, a department's own tasks, and tasks the user has forms in."""
        base = super().visible_to(user, roles)
        forms = SelfEvaluation.objects.visible_to(user, roles).values("task_id")
        return self.filter(Q(pk__in=base.values("pk")) | Q(pk__in=forms))


class SelfEvalTask(models.Model):
    """自评任务: 绩效科 asks every unit to self-evaluate the year's projects and itself as a whole (R24)."""

    region = models.ForeignKey("orgs.Region", models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField("评价年度")
    name = models.CharField("名称", max_length=100)
    deadline = models.DateField("报送截止日期")
    with_final_accounts = models.BooleanField("随部门决算一并报送", default=True)
    department = models.ForeignKey(
        "orgs.Organisation", models.PROTECT, null=True, blank=True, related_name="+", verbose_name="限定部门"
    )
    note = models.TextField("工作要求", blank=True)
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    issued_at = models.DateTimeField("下达时间", auto_now_add=True)
    closed_at = models.DateTimeField("结束时间", null=True, blank=True)

    objects = TaskQuerySet.as_manager()

    class Meta:
        verbose_name = "自评任务"
        ordering = ["-year", "-id"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("evaluation:task", args=[self.pk])


class SelfEvaluation(WorkflowDocument):
    """项目支出绩效自评表 (10号 附件1, REFERENCE §6.3) or a unit's 部门整体 self-evaluation. Scores are computed by
    `evaluation.scoring` from what the unit enters; the `review_*` fields hold finance's 复评 (R25)."""

    workflow = SELFEVAL_FLOW

    class Kind(models.TextChoices):
        PROJECT = "project", "项目支出绩效自评"
        WHOLE = "whole", "部门（单位）整体绩效自评"

    region = models.ForeignKey("orgs.Region", models.PROTECT, related_name="+")
    task = models.ForeignKey(SelfEvalTask, models.PROTECT, related_name="forms")
    year = models.PositiveSmallIntegerField("评价年度")
    kind = models.CharField("类型", max_length=8, choices=Kind.choices)
    target = models.ForeignKey("targets.Target", models.PROTECT, related_name="self_evaluations")
    project = models.ForeignKey(
        "projects.Project", models.PROTECT, null=True, blank=True, related_name="self_evaluations"
    )
    unit = models.ForeignKey("orgs.Organisation", models.PROTECT, related_name="+", verbose_name="实施单位")
    department = models.ForeignKey("orgs.Organisation", models.PROTECT, related_name="+", verbose_name="主管部门")
    # 项目资金 (yuan): prefilled from the budget and payments; the unit may correct 执行数 to its 决算.
    budget_initial = models.DecimalField("年初预算数", max_digits=16, decimal_places=2, default=0)
    budget_annual = models.DecimalField("全年预算数", max_digits=16, decimal_places=2, default=0)
    budget_fiscal = models.DecimalField("其中：当年财政拨款", max_digits=16, decimal_places=2, default=0)
    budget_carryover = models.DecimalField("上年结转资金", max_digits=16, decimal_places=2, default=0)
    budget_other = models.DecimalField("其他资金", max_digits=16, decimal_places=2, default=0)
    executed = models.DecimalField("全年执行数", max_digits=16, decimal_places=2, default=0)
    paid = models.DecimalField("国库支付数", max_digits=16, decimal_places=2, default=0)  # system data (S08)
    declared_rate = models.CharField("自报执行率", max_length=20, blank=True)
    declared_budget_score = models.DecimalField("自报执行率得分", max_digits=6, decimal_places=2, null=True, blank=True)
    declared_total = models.DecimalField("自报总分", max_digits=6, decimal_places=2, null=True, blank=True)
    goal = models.TextField("年度总体目标（预期目标）", blank=True)
    goal_actual = models.TextField("实际完成情况", blank=True)
    summary = models.TextField("自评结论及问题、改进措施", blank=True)
    with_final_accounts = models.BooleanField("已随部门决算报送", default=False)
    # Computed by the engine at every save (rules of the region and year).
    score = models.DecimalField("规则得分", max_digits=6, decimal_places=2, null=True, blank=True)
    grade = models.CharField("等级", max_length=2, choices=GRADES, blank=True)
    rate = models.DecimalField("执行率（%）", max_digits=8, decimal_places=2, null=True, blank=True)
    budget_score = models.DecimalField("执行率得分", max_digits=6, decimal_places=2, null=True, blank=True)
    flags = models.JSONField("可信度提示", default=list, blank=True)  # [{"code", "indicator", "message"}]
    flag_count = models.PositiveSmallIntegerField("可信度提示数", default=0)
    notes = models.JSONField("未能读取的内容", default=list, blank=True)
    # 财政复评 (R25)
    sampled = models.BooleanField("抽中复评", default=False)
    review_score = models.DecimalField("复评得分", max_digits=6, decimal_places=2, null=True, blank=True)
    review_grade = models.CharField("复评等级", max_length=2, choices=GRADES, blank=True)
    review_opinion = models.TextField("复评意见", blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+", verbose_name="复评人"
    )
    reviewed_at = models.DateTimeField("复评时间", null=True, blank=True)
    published = models.BooleanField("已公开", default=False)
    submitted_at = models.DateTimeField("提交时间", null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedQuerySet.as_manager()  # region, and the owning unit

    class Meta:
        verbose_name = "绩效自评表"
        ordering = ["task", "department", "unit", "id"]
        constraints = [models.UniqueConstraint(fields=["task", "target"], name="uniq_selfeval_task_target")]
        indexes = [models.Index(fields=["region", "year", "state"]), models.Index(fields=["task", "state"])]

    def __str__(self) -> str:
        return f"{self.year}年 {self.subject_name}"

    @property
    def subject_name(self) -> str:
        return self.project.name if self.project_id else f"{self.unit.name}（部门整体）"

    def get_absolute_url(self) -> str:
        return reverse("evaluation:form", args=[self.pk])

    def acting_org(self, role: str):
        return self.unit if role == "unit" else self.department

    def todo_title(self) -> str:
        return f"绩效自评 · {self.subject_name}"

    @property
    def flag_codes(self) -> list[str]:
        """The distinct credibility codes of the form (S01…S09), for badges."""
        return sorted({f.get("code", "") for f in self.flags or []})

    @property
    def final_score(self):
        """The score that counts: finance's 复评 when there is one, else the rule score."""
        return self.review_score if self.review_score is not None else self.score

    @property
    def final_grade(self) -> str:
        return self.review_grade or self.grade


class SelfEvalLine(models.Model):
    """One indicator row of a self-evaluation, copied from the approved target so later adjustments keep it."""

    form = models.ForeignKey(SelfEvaluation, models.CASCADE, related_name="lines")
    indicator = models.ForeignKey("targets.TargetIndicator", models.SET_NULL, null=True, related_name="+")
    order = models.PositiveSmallIntegerField(default=0)
    level1 = models.CharField("一级指标", max_length=30)
    level2 = models.CharField("二级指标", max_length=30)
    name = models.CharField("三级指标", max_length=100)
    value = models.CharField("年度指标值", max_length=60)
    unit = models.CharField("计量单位", max_length=20, blank=True)
    weight = models.DecimalField("分值", max_digits=6, decimal_places=2, null=True, blank=True)
    actual = models.CharField("实际完成值", max_length=100, blank=True)
    declared_score = models.DecimalField("自评得分", max_digits=6, decimal_places=2, null=True, blank=True)
    deviation_reason = models.CharField("偏差原因分析及改进措施", max_length=500, blank=True)
    explanation = models.CharField("说明", max_length=300, blank=True)
    monitor_forecast = models.CharField("监控预计完成值", max_length=60, blank=True)  # last monitoring forecast
    # Engine output
    score = models.DecimalField("规则得分", max_digits=6, decimal_places=2, null=True, blank=True)
    rule_weight = models.DecimalField("计分分值", max_digits=6, decimal_places=2, null=True, blank=True)
    rule = models.CharField("计分规则", max_length=120, blank=True)
    detail = models.CharField("计分说明", max_length=300, blank=True)
    flags = models.JSONField("可信度提示", default=list, blank=True)  # codes
    # 财政复评
    review_score = models.DecimalField("复评得分", max_digits=6, decimal_places=2, null=True, blank=True)
    review_reason = models.CharField("调整理由", max_length=300, blank=True)

    class Meta:
        verbose_name = "自评指标"
        ordering = ["form", "order", "id"]

    def __str__(self) -> str:
        return self.name


# --- 重点评价 / 部门评价 / 政策评价 / 部门整体评价 / 成本绩效评价 (R26–R32) --------------------------------------

OWNERS = ("performance", "department")
TEAM_ROLES = ("agency", "expert")

# 方案制定 → 评价实施 → 内部点评 (R31) → 修改完善 → 报告定稿 → 归档 (10号 procedure, REFERENCE §6.6)
EVAL_FLOW = Workflow(
    key="evaluation",
    label="重点绩效评价",
    states={
        "plan": "制定工作方案",
        "fieldwork": "评价实施中",
        "internal_review": "待内部点评",
        "revising": "修改完善中",
        "final": "报告已定稿",
        "archived": "已归档",
    },
    initial="plan",
    steps=(
        Step("start", "方案确定，开始实施", ("plan",), "fieldwork", OWNERS, style="success"),
        Step("submit_draft", "提交报告初稿", ("fieldwork", "revising"), "internal_review", OWNERS + TEAM_ROLES),
        # The review itself is a scored form (evaluation.services.do_internal_review) that takes one of these.
        Step("review_pass", "点评通过，报告定稿", ("internal_review",), "final", OWNERS, style="success"),
        Step("review_return", "点评退回修改", ("internal_review",), "revising", OWNERS, True, "danger"),
        Step("archive", "归档", ("final",), "archived", OWNERS, style="secondary"),
    ),
    waiting={"plan": "performance", "fieldwork": "agency", "internal_review": "performance", "revising": "agency"},
)
FORM_ONLY_EVAL_STEPS = {"review_pass", "review_return"}


class EvaluationQuerySet(ScopedQuerySet):
    scope_region_field = "region"
    scope_org_field = "subject_org"

    def visible_to(self, user, roles=None):
        """The jurisdiction's evaluations, the evaluated organisation's own, and those the user works on as a team
        member (a third party's staff, a drawn expert) or observes as an invited supervisor (R43)."""
        base = super().visible_to(user, roles)
        scope = scope_for(user, roles)
        if user is None or not user.is_authenticated or scope.everything:
            return base
        team = Q(joint_region_id__in=scope.region_ids) if scope.region_ids else Q(pk__in=[])  # 联动评价 (R27)
        if roles is None or set(roles) & set(TEAM_ROLES):
            team |= Q(members__user=user) | Q(agency__in=user.assignments.filter(role="agency").values("org_id"))
        if roles is None:  # invited observers read (R43); they never act
            from wenxiao.partners.selectors import invited_object_ids

            team |= Q(pk__in=invited_object_ids(user, Evaluation))
        return self.filter(Q(pk__in=base.values("pk")) | Q(pk__in=self.model.objects.filter(team).values("pk")))


class Evaluation(WorkflowDocument):
    """An evaluation run by finance (财政评价) or a department (部门评价): plan, team, indicators, report (R26–R32)."""

    workflow = EVAL_FLOW

    class Kind(models.TextChoices):
        PROJECT = "project", "重点项目评价"
        POLICY = "policy", "政策评价"
        WHOLE = "whole", "部门整体评价"
        COST = "cost", "成本绩效评价"

    class Level(models.TextChoices):
        FINANCE = "finance", "财政评价"
        DEPARTMENT = "department", "部门评价"

    region = models.ForeignKey("orgs.Region", models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField("评价年度")
    kind = models.CharField("评价类型", max_length=8, choices=Kind.choices)
    level = models.CharField("评价主体", max_length=10, choices=Level.choices, default=Level.FINANCE)
    title = models.CharField("评价名称", max_length=200)
    project = models.ForeignKey("projects.Project", models.PROTECT, null=True, blank=True, related_name="evaluations")
    subject_org = models.ForeignKey(
        "orgs.Organisation", models.PROTECT, related_name="evaluations", verbose_name="被评价单位"
    )
    department = models.ForeignKey("orgs.Organisation", models.PROTECT, related_name="+", verbose_name="主管部门")
    amount = models.DecimalField("评价资金（元）", max_digits=16, decimal_places=2, default=0)
    joint_region = models.ForeignKey(
        "orgs.Region", models.PROTECT, null=True, blank=True, related_name="+", verbose_name="联动评价的下级区划"
    )  # R27: spending shared with a lower level, evaluated together
    reasons = models.JSONField("入选理由", default=list, blank=True)  # from the candidate list
    agency = models.ForeignKey(
        "orgs.Organisation", models.PROTECT, null=True, blank=True, related_name="+", verbose_name="第三方机构"
    )
    engagement_id = models.PositiveIntegerField("委托编号", null=True, blank=True)  # partners.Engagement
    # 工作方案
    purpose = models.TextField("评价目的", blank=True)
    scope_text = models.TextField("评价范围和内容", blank=True)
    methods = models.JSONField("评价方法", default=list, blank=True)
    standards = models.JSONField("评价标准", default=list, blank=True)
    schedule = models.TextField("时间安排", blank=True)
    deadline = models.DateField("完成时限", null=True, blank=True)
    # Result
    score = models.DecimalField("评价得分", max_digits=6, decimal_places=2, null=True, blank=True)
    grade = models.CharField("评价等级", max_length=2, choices=GRADES, blank=True)
    report = models.JSONField("评价报告", default=dict, blank=True)  # 10号 附件3 outline: section key → text
    published = models.BooleanField("已公开", default=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = EvaluationQuerySet.as_manager()

    class Meta:
        verbose_name = "绩效评价"
        ordering = ["-year", "-id"]
        indexes = [models.Index(fields=["region", "year", "state"])]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("evaluation:evaluation", args=[self.pk])

    def acting_org(self, role: str):
        if role == "agency" and self.agency_id:
            return self.agency
        return self.department

    def todo_title(self) -> str:
        return f"{self.get_kind_display()} · {self.title}"


class EvalMember(models.Model):
    """评价工作组: finance staff, the third party's team, drawn experts and invited observers."""

    class Role(models.TextChoices):
        LEADER = "leader", "组长"
        FINANCE = "finance", "财政（部门）人员"
        AGENCY = "agency", "第三方机构人员"
        EXPERT = "expert", "评审专家"
        OBSERVER = "observer", "监督指导人员"

    evaluation = models.ForeignKey(Evaluation, models.CASCADE, related_name="members")
    role = models.CharField("角色", max_length=10, choices=Role.choices)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+")
    name = models.CharField("姓名", max_length=60)
    affiliation = models.CharField("单位", max_length=120, blank=True)
    duty = models.CharField("分工", max_length=120, blank=True)
    expert_id = models.PositiveIntegerField("专家库编号", null=True, blank=True)  # partners.Expert

    class Meta:
        verbose_name = "评价组成员"
        ordering = ["evaluation", "role", "id"]

    def __str__(self) -> str:
        return f"{self.get_role_display()} {self.name}"


class EvalIndicator(models.Model):
    """One row of the evaluation's indicator system (10号 附件2 or 53号 framework), weighted and scored."""

    evaluation = models.ForeignKey(Evaluation, models.CASCADE, related_name="indicators")
    order = models.PositiveSmallIntegerField(default=0)
    level1 = models.CharField("一级指标", max_length=30)
    level2 = models.CharField("二级指标", max_length=30)
    name = models.CharField("三级指标", max_length=100)
    weight = models.DecimalField("分值", max_digits=6, decimal_places=2)
    standard = models.CharField("评分标准", max_length=500, blank=True)
    value = models.CharField("指标数据", max_length=200, blank=True)  # computed from the system where it can be
    source = models.CharField("数据来源", max_length=120, blank=True)
    score = models.DecimalField("得分", max_digits=6, decimal_places=2, null=True, blank=True)
    finding = models.CharField("评价意见", max_length=500, blank=True)

    class Meta:
        verbose_name = "评价指标"
        ordering = ["evaluation", "order", "id"]

    def __str__(self) -> str:
        return self.name


class InternalReview(models.Model):
    """内部点评 of a draft report (R31): four dimensions, a total, and pass or return."""

    DIMENSIONS = [
        ("completion", "目标完成情况评价准确性"),
        ("problems", "发现问题的深度"),
        ("suggestions", "意见建议的可行性"),
        ("writing", "报告文本质量"),
    ]

    evaluation = models.ForeignKey(Evaluation, models.CASCADE, related_name="reviews")
    round = models.PositiveSmallIntegerField("点评轮次")
    scores = models.JSONField("分项得分")  # dimension key -> points (each out of 25)
    total = models.DecimalField("点评得分", max_digits=6, decimal_places=2)
    passed = models.BooleanField("通过")
    comment = models.TextField("点评意见")
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "内部点评"
        ordering = ["evaluation", "round"]

    def __str__(self) -> str:
        return f"{self.evaluation} 第{self.round}轮点评"
