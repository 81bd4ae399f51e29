"""第三方机构库、专家库和监督指导库 (R41–R44): agencies, engagements (委托), report quality, template-report flags,
experts and their random draws, supervisors and their invitations.

Who reads: the finance roles (绩效科, 业务科室, 系统管理员) of the region that keeps the library (and of the regions
above it); an agency user its own agency and engagements; an expert their own profile; a supervisor their own
invitations. Everyone else sees nothing (the pages answer 404).
"""

from __future__ import annotations

from functools import reduce
from operator import or_

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.urls import reverse

from wenxiao.core.fields import EncryptedCharField
from wenxiao.core.scoping import ScopedQuerySet
from wenxiao.partners.quality import AGENCY_TYPES, DEFAULT_CHECKLIST, REQUIRED_RULES

FINANCE_READ = ("performance", "business", "sysadmin")  # who reads the libraries of their region
WRITERS = ("performance",)  # 绩效科 keeps the libraries


def reader_region_ids(user, roles: tuple[str, ...] = FINANCE_READ) -> frozenset[int] | None:
    """Regions whose libraries `user` reads through a finance role: the assigned org's region and those below.

    None means everything (superuser). Cached on the user object like `scope_for`.
    """
    from wenxiao.orgs.models import Region

    if user is None or not user.is_authenticated or not user.is_active:
        return frozenset()
    if user.is_superuser:
        return None
    cache = user.__dict__.setdefault("_partners_regions", {})
    if roles not in cache:
        paths = {a.org.region.path for a in user.assignments.filter(role__in=roles).select_related("org__region")}
        ids: frozenset[int] = frozenset()
        if paths:
            ids = frozenset(
                Region.objects.filter(reduce(or_, (Q(path__startswith=p) for p in paths))).values_list("id", flat=True)
            )
        cache[roles] = ids
    return cache[roles]


class LibraryQuerySet(ScopedQuerySet):
    """Rows of a library: the finance readers of the region; subclasses add what a row's own person sees."""

    scope_region_field = "region"
    scope_org_field = ""

    def own_q(self, user) -> Q:
        return Q(pk__in=[])

    def visible_to(self, user, roles: tuple[str, ...] | None = None):
        ids = reader_region_ids(user, tuple(roles) if roles else FINANCE_READ)
        if ids is None:
            return self
        q = Q(region_id__in=ids) if ids else Q(pk__in=[])
        if roles is None and user is not None and user.is_authenticated:
            q |= self.own_q(user)
        return self.filter(q)


def agency_org_ids(user):
    return user.assignments.filter(role="agency").values("org_id")


class AgencyQuerySet(LibraryQuerySet):
    def own_q(self, user) -> Q:
        return Q(org_id__in=agency_org_ids(user))


class Agency(models.Model):
    """第三方机构: the profile of an organisation of kind `agency` registered in a region's library."""

    class Status(models.TextChoices):
        NORMAL = "normal", "正常"
        SUSPENDED = "suspended", "暂停"
        REMOVED = "removed", "清退"
        BLACKLISTED = "blacklisted", "黑名单"

    region = models.ForeignKey("orgs.Region", models.PROTECT, related_name="+", verbose_name="入库区划")
    org = models.OneToOneField(
        "orgs.Organisation",
        models.PROTECT,
        related_name="agency_profile",
        verbose_name="机构",
        limit_choices_to={"kind": "agency"},
    )
    credit_code = models.CharField("统一社会信用代码", max_length=18, unique=True)
    agency_type = models.CharField("机构类型", max_length=12, choices=[(t, t) for t in AGENCY_TYPES])
    established = models.DateField("成立日期", null=True, blank=True)
    qualifications = models.TextField("资质", blank=True)
    staff = models.PositiveIntegerField("专职从业人员", default=0)
    qualified_staff = models.PositiveIntegerField("具有执业资格或中级以上职称人员", default=0)
    independent_liability = models.BooleanField("能够独立承担民事责任", default=True)
    facilities = models.BooleanField("具备所需场所和设备", default=True)
    governance = models.BooleanField("法人治理结构健全", default=True)
    quality_control = models.BooleanField("内部质量控制制度健全", default=True)
    rules = models.JSONField("管理制度", default=list, blank=True)  # of quality.REQUIRED_RULES
    contact_person = models.CharField("联系人", max_length=40, blank=True)
    contact_phone = models.CharField("联系电话", max_length=40, blank=True)  # the agency's business line
    address = models.CharField("地址", max_length=200, blank=True)
    status = models.CharField("状态", max_length=12, choices=Status.choices, default=Status.NORMAL)
    status_since = models.DateField("状态起始日期")
    status_reason = models.CharField("状态说明", max_length=300, blank=True)
    blacklisted_until = models.DateField("黑名单截止日期", null=True, blank=True)
    registered_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    registered_at = models.DateTimeField("入库时间", auto_now_add=True)
    version = models.PositiveIntegerField(default=1)

    objects = AgencyQuerySet.as_manager()

    class Meta:
        verbose_name = "第三方机构"
        ordering = ["region", "org__name"]
        indexes = [models.Index(fields=["region", "status"], name="agency_region_status")]

    def __str__(self) -> str:
        return self.org.name

    @property
    def name(self) -> str:
        return self.org.name

    def get_absolute_url(self) -> str:
        return reverse("partners:agency", args=[self.pk])

    @property
    def missing_rules(self) -> list[str]:
        return [r for r in REQUIRED_RULES if r not in (self.rules or [])]


class AgencyStatusChange(models.Model):
    """名单状态 history: every change of an agency's status with its dates and reason (never edited)."""

    region = models.ForeignKey("orgs.Region", models.PROTECT, related_name="+")
    agency = models.ForeignKey(Agency, models.CASCADE, related_name="status_changes")
    status = models.CharField("状态", max_length=12, choices=Agency.Status.choices)
    start = models.DateField("起始日期")
    until = models.DateField("截止日期", null=True, blank=True)
    reason = models.CharField("原因", max_length=300)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    objects = LibraryQuerySet.as_manager()

    class Meta:
        verbose_name = "机构状态变更"
        ordering = ["-start", "-id"]

    def __str__(self) -> str:
        return f"{self.agency} {self.get_status_display()} {self.start}"


class Violation(models.Model):
    """违规记录 of an agency (REFERENCE §10.1 obligations); a fraud record blacklists the agency."""

    class Kind(models.TextChoices):
        FALSE_REPORT = "false_report", "出具虚假或重大误导性报告"
        IMPROPER_BID = "improper_bid", "以不正当手段承揽业务"
        SUBCONTRACT = "subcontract", "转包或违规分包"
        CONFLICT = "conflict", "未按规定回避"
        LEAK = "leak", "泄露国家秘密、商业秘密或个人信息"
        ARCHIVE = "archive", "未按规定保存工作底稿和档案"
        OTHER = "other", "其他违规"

    class Penalty(models.TextChoices):
        CORRECT = "correct", "责令改正"
        WARNING = "warning", "警告"
        NOTICE = "notice", "通报"
        SUSPEND = "suspend", "暂停承接业务"
        BLACKLIST = "blacklist", "列入黑名单"

    region = models.ForeignKey("orgs.Region", models.PROTECT, related_name="+")
    agency = models.ForeignKey(Agency, models.CASCADE, related_name="violations")
    on = models.DateField("发生（认定）日期")
    kind = models.CharField("违规类型", max_length=16, choices=Kind.choices)
    description = models.CharField("违规情况", max_length=500)
    major = models.BooleanField("重大违规", default=False)
    budget_evaluation = models.BooleanField("属预算绩效评价业务", default=True)
    penalty = models.CharField("处理", max_length=12, choices=Penalty.choices)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    objects = LibraryQuerySet.as_manager()

    class Meta:
        verbose_name = "违规记录"
        ordering = ["-on", "-id"]

    def __str__(self) -> str:
        return f"{self.agency} {self.on} {self.get_kind_display()}"


def invited_ids(user, model):
    """Ids (a subquery) of the objects of `model` the user is invited to observe as a supervisor."""
    ct = ContentType.objects.get_for_model(model)
    return SupervisionInvitation.objects.filter(supervisor__user=user, supervisor__active=True, content_type=ct).values(
        "object_id"
    )


class EngagementQuerySet(LibraryQuerySet):
    def own_q(self, user) -> Q:
        return Q(agency__org_id__in=agency_org_ids(user)) | Q(pk__in=invited_ids(user, Engagement))


class Engagement(models.Model):
    """委托: an agency commissioned for any subject (an appraisal, an evaluation …), its report and its score."""

    class Status(models.TextChoices):
        ENGAGED = "engaged", "委托中"
        ACCEPTED = "accepted", "已验收"

    region = models.ForeignKey("orgs.Region", models.PROTECT, related_name="+")
    agency = models.ForeignKey(Agency, models.PROTECT, related_name="engagements", verbose_name="受托机构")
    content_type = models.ForeignKey(ContentType, models.PROTECT, related_name="+")
    object_id = models.PositiveBigIntegerField()
    subject = GenericForeignKey("content_type", "object_id")
    subject_repr = models.CharField("委托事项对象", max_length=200)
    unit = models.ForeignKey(
        "orgs.Organisation", models.PROTECT, null=True, blank=True, related_name="+", verbose_name="被评价单位"
    )
    title = models.CharField("委托事项", max_length=200)
    scope_text = models.TextField("委托范围和要求", blank=True)
    fee = models.DecimalField("委托费用（元）", max_digits=14, decimal_places=2)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.ENGAGED)
    engaged_on = models.DateField("委托日期")
    engaged_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    # Report and its quality assessment at acceptance (R44)
    report_text = models.TextField("报告正文", blank=True)
    signature = models.JSONField("报告指纹", default=list, blank=True)  # similarity.signature(), 128 integers
    scores = models.JSONField("质量考核评分", default=dict, blank=True)
    quality_total = models.DecimalField("质量得分", max_digits=5, decimal_places=2, null=True, blank=True)
    grade = models.CharField("质量等级", max_length=4, blank=True)
    payment_ratio = models.DecimalField("支付比例", max_digits=5, decimal_places=4, null=True, blank=True)
    payment = models.DecimalField("应付金额（元）", max_digits=14, decimal_places=2, null=True, blank=True)
    quality_notes = models.JSONField("扣分说明", default=list, blank=True)
    flagged = models.BooleanField("质量不合格", default=False)
    accepted_on = models.DateField("验收日期", null=True, blank=True)
    accepted_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+")
    version = models.PositiveIntegerField(default=1)

    objects = EngagementQuerySet.as_manager()

    class Meta:
        verbose_name = "委托"
        ordering = ["-engaged_on", "-id"]
        indexes = [
            models.Index(fields=["content_type", "object_id"], name="engagement_subject"),
            models.Index(fields=["region", "status", "accepted_on"], name="engagement_region_accepted"),
        ]

    def __str__(self) -> str:
        return f"{self.agency} · {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("partners:engagement", args=[self.pk])

    def subject_url(self) -> str:
        obj = self.subject
        try:
            return obj.get_absolute_url() if obj is not None and hasattr(obj, "get_absolute_url") else ""
        except Exception:  # a subject whose page does not exist (any more)
            return ""

    @property
    def checklist(self):
        return DEFAULT_CHECKLIST


class TemplateFlag(models.Model):
    """套模板: two reports (of any agencies) whose texts are near duplicates, with the passages they share."""

    class Status(models.TextChoices):
        OPEN = "open", "待核实"
        CONFIRMED = "confirmed", "确认套用"
        DISMISSED = "dismissed", "已排除"

    region = models.ForeignKey("orgs.Region", models.PROTECT, related_name="+")
    first = models.ForeignKey(Engagement, models.CASCADE, related_name="+", verbose_name="先提交的报告")
    second = models.ForeignKey(Engagement, models.CASCADE, related_name="+", verbose_name="后提交的报告")
    similarity = models.FloatField("相似度")
    passages = models.JSONField("相同段落", default=list)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.OPEN)
    detected_at = models.DateTimeField(auto_now_add=True)

    objects = LibraryQuerySet.as_manager()

    class Meta:
        verbose_name = "疑似套用模板报告"
        ordering = ["-similarity", "-id"]
        constraints = [models.UniqueConstraint(fields=["first", "second"], name="uniq_template_pair")]

    def __str__(self) -> str:
        return f"{self.first_id}~{self.second_id} {self.similarity:.2f}"


# --- experts --------------------------------------------------------------------------------------------------


class ProfileQuerySet(LibraryQuerySet):
    """Experts and supervisors: a person sees their own profile through its login account."""

    def own_q(self, user) -> Q:
        return Q(user=user)


class Expert(models.Model):
    """专家库 (R42): an expert who may be drawn for reviews; contact details are SM4-encrypted at rest."""

    class Status(models.TextChoices):
        ACTIVE = "active", "正常"
        INACTIVE = "inactive", "停用"
        BLACKLISTED = "blacklisted", "黑名单"

    region = models.ForeignKey("orgs.Region", models.PROTECT, related_name="+", verbose_name="入库区划")
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="expert_profile",
        verbose_name="登录账号",
    )
    name = models.CharField("姓名", max_length=40)
    title = models.CharField("职称", max_length=40, blank=True)
    employer = models.CharField("工作单位", max_length=120)
    position = models.CharField("职务", max_length=40, blank=True)
    fields = models.JSONField("专业领域", default=list)
    phone = EncryptedCharField("联系电话", blank=True)
    email = EncryptedCharField("电子邮箱", blank=True)
    relations = models.JSONField("申报的关联单位", default=list, blank=True)  # former employers, relatives' units …
    status = models.CharField("状态", max_length=12, choices=Status.choices, default=Status.ACTIVE)
    registered_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    registered_at = models.DateTimeField("入库时间", auto_now_add=True)
    version = models.PositiveIntegerField(default=1)

    objects = ProfileQuerySet.as_manager()

    class Meta:
        verbose_name = "专家"
        ordering = ["region", "name", "id"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("partners:expert", args=[self.pk])


class ExpertHistoryQuerySet(LibraryQuerySet):
    def own_q(self, user) -> Q:
        return Q(expert__user=user)


class ExpertEngagement(models.Model):
    """业务往来: an expert's work for a unit (consulting, compiling its application …); recent ones exclude the
    expert from draws on that unit."""

    region = models.ForeignKey("orgs.Region", models.PROTECT, related_name="+")
    expert = models.ForeignKey(Expert, models.CASCADE, related_name="engagements")
    unit_name = models.CharField("单位", max_length=120)
    on = models.DateField("日期")
    description = models.CharField("内容", max_length=200, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")

    objects = ExpertHistoryQuerySet.as_manager()

    class Meta:
        verbose_name = "专家业务往来"
        ordering = ["-on", "-id"]

    def __str__(self) -> str:
        return f"{self.expert} · {self.unit_name} · {self.on}"


class ExpertNote(models.Model):
    """履职评价: how an expert performed on a task (the 绩效科's note)."""

    RATINGS = [("优", "优"), ("良", "良"), ("中", "中"), ("差", "差")]

    region = models.ForeignKey("orgs.Region", models.PROTECT, related_name="+")
    expert = models.ForeignKey(Expert, models.CASCADE, related_name="notes")
    task = models.CharField("任务", max_length=200)
    rating = models.CharField("评价", max_length=2, choices=RATINGS)
    note = models.CharField("说明", max_length=500, blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    objects = ExpertHistoryQuerySet.as_manager()

    class Meta:
        verbose_name = "专家履职评价"
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.expert} {self.rating}"


class DrawQuerySet(LibraryQuerySet):
    def own_q(self, user) -> Q:
        return Q(members__expert__user=user) | Q(pk__in=invited_ids(user, ExpertDraw))

    def visible_to(self, user, roles=None):
        return super().visible_to(user, roles).distinct()


class ExpertDraw(models.Model):
    """One random draw of experts for a task on a unit: the request, the seed, who was excluded and why."""

    region = models.ForeignKey("orgs.Region", models.PROTECT, related_name="+")
    subject_org = models.ForeignKey("orgs.Organisation", models.PROTECT, related_name="+", verbose_name="被评价单位")
    content_type = models.ForeignKey(ContentType, models.PROTECT, null=True, blank=True, related_name="+")
    object_id = models.PositiveBigIntegerField(null=True, blank=True)
    subject = GenericForeignKey("content_type", "object_id")
    purpose = models.CharField("抽取事由", max_length=200)
    fields = models.JSONField("专业领域", default=list, blank=True)
    count = models.PositiveSmallIntegerField("抽取人数")
    seed = models.CharField("随机种子", max_length=40)
    pool_size = models.PositiveIntegerField("符合条件人数")
    matched = models.PositiveIntegerField("领域匹配人数", default=0)
    excluded = models.JSONField("回避排除", default=list)  # [[expert id, name, reason], …]
    drawn_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    drawn_at = models.DateTimeField("抽取时间", auto_now_add=True)

    objects = DrawQuerySet.as_manager()

    class Meta:
        verbose_name = "专家抽取记录"
        ordering = ["-drawn_at", "-id"]

    def __str__(self) -> str:
        return f"{self.purpose}（{self.subject_org}）"

    def get_absolute_url(self) -> str:
        return reverse("partners:draw_detail", args=[self.pk])

    @property
    def experts(self) -> list[Expert]:
        return [m.expert for m in self.members.select_related("expert").order_by("order")]


class DrawMember(models.Model):
    draw = models.ForeignKey(ExpertDraw, models.CASCADE, related_name="members")
    expert = models.ForeignKey(Expert, models.PROTECT, related_name="draws")
    order = models.PositiveSmallIntegerField()

    class Meta:
        verbose_name = "抽中专家"
        ordering = ["draw", "order"]
        constraints = [models.UniqueConstraint(fields=["draw", "expert"], name="uniq_draw_expert")]

    def __str__(self) -> str:
        return f"{self.draw_id} #{self.order} {self.expert_id}"


# --- supervision ----------------------------------------------------------------------------------------------


class Supervisor(models.Model):
    """监督指导库 (R43): people invited to observe evaluations and reviews, read-only."""

    class Kind(models.TextChoices):
        FINANCE_EXPERT = "finance_expert", "财经专家"
        NPC = "npc", "人大代表"
        CPPCC = "cppcc", "政协委员"
        DISCIPLINE = "discipline", "纪委监委委员"
        AUDITOR = "auditor", "审计人员"

    region = models.ForeignKey("orgs.Region", models.PROTECT, related_name="+", verbose_name="入库区划")
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="supervisor_profile",
        verbose_name="登录账号",
    )
    name = models.CharField("姓名", max_length=40)
    kind = models.CharField("类别", max_length=16, choices=Kind.choices)
    employer = models.CharField("工作单位及职务", max_length=120, blank=True)
    phone = EncryptedCharField("联系电话", blank=True)
    active = models.BooleanField("在库", default=True)
    registered_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    registered_at = models.DateTimeField(auto_now_add=True)

    objects = ProfileQuerySet.as_manager()

    class Meta:
        verbose_name = "监督指导人员"
        ordering = ["region", "kind", "name"]

    def __str__(self) -> str:
        return f"{self.name}（{self.get_kind_display()}）"


class InvitationQuerySet(LibraryQuerySet):
    def own_q(self, user) -> Q:
        return Q(supervisor__user=user)


class SupervisionInvitation(models.Model):
    """A supervisor invited to observe one subject (an evaluation, a review meeting, a draw …), read-only."""

    region = models.ForeignKey("orgs.Region", models.PROTECT, related_name="+")
    supervisor = models.ForeignKey(Supervisor, models.CASCADE, related_name="invitations")
    content_type = models.ForeignKey(ContentType, models.PROTECT, related_name="+")
    object_id = models.PositiveBigIntegerField()
    subject = GenericForeignKey("content_type", "object_id")
    subject_repr = models.CharField("监督事项", max_length=200)
    note = models.CharField("说明", max_length=300, blank=True)
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    invited_at = models.DateTimeField("邀请时间", auto_now_add=True)

    objects = InvitationQuerySet.as_manager()

    class Meta:
        verbose_name = "监督邀请"
        ordering = ["-invited_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["supervisor", "content_type", "object_id"], name="uniq_invitation")
        ]
        indexes = [models.Index(fields=["content_type", "object_id"], name="invitation_subject")]

    def __str__(self) -> str:
        return f"{self.supervisor} · {self.subject_repr}"

    def subject_url(self) -> str:
        obj = self.subject
        try:
            return obj.get_absolute_url() if obj is not None and hasattr(obj, "get_absolute_url") else ""
        except Exception:
            return ""
