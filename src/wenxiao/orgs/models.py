"""Jurisdictions, organisations, users and the role assignments that define what each user sees."""

from django.contrib.auth.models import AbstractUser
from django.db import models

from wenxiao.core.fields import EncryptedCharField
from wenxiao.core.scoping import ScopedQuerySet


class Region(models.Model):
    """A jurisdiction (行政区划): province → city → county/district → town."""

    class Level(models.IntegerChoices):
        PROVINCE = 1, "省级"
        CITY = 2, "市级"
        COUNTY = 3, "县（区）级"
        TOWN = 4, "乡镇（街道）级"

    code = models.CharField("行政区划代码", max_length=12, unique=True)
    name = models.CharField("名称", max_length=60)
    level = models.PositiveSmallIntegerField("层级", choices=Level.choices)
    parent = models.ForeignKey("self", models.PROTECT, null=True, blank=True, related_name="children")
    # Codes of the ancestors and itself, "430000/430400/": subtree queries are one indexed prefix match.
    path = models.CharField(max_length=200, db_index=True, editable=False)

    class Meta:
        verbose_name = "行政区划"
        ordering = ["path"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        self.path = (self.parent.path if self.parent else "") + self.code + "/"
        super().save(*args, **kwargs)


class OrgQuerySet(ScopedQuerySet):
    scope_region_field = "region"
    scope_org_field = ""  # the organisation itself


class Organisation(models.Model):
    """Any body that appears in the system: finance bureaus and their sections, 主管部门, 预算单位, agencies."""

    class Kind(models.TextChoices):
        FINANCE_BUREAU = "finance", "财政局"
        FINANCE_SECTION = "section", "财政内设科室"
        DEPARTMENT = "department", "主管部门"
        UNIT = "unit", "预算单位"
        AGENCY = "agency", "第三方机构"
        AUDIT = "audit", "审计机关"
        NPC = "npc", "人大"

    class SectionKind(models.TextChoices):
        PERFORMANCE = "performance", "绩效科"
        BUDGET = "budget", "预算科"
        BUSINESS = "business", "业务科室"

    code = models.CharField("代码", max_length=21, unique=True)  # 单位代码 for 预算单位
    name = models.CharField("名称", max_length=120)
    kind = models.CharField("类别", max_length=12, choices=Kind.choices)
    section_kind = models.CharField("科室类别", max_length=12, choices=SectionKind.choices, blank=True)
    region = models.ForeignKey(Region, models.PROTECT, related_name="organisations", verbose_name="所属区划")
    parent = models.ForeignKey(
        "self", models.PROTECT, null=True, blank=True, related_name="children", verbose_name="上级"
    )
    path = models.CharField(max_length=255, db_index=True, editable=False)
    # 归口管理: the finance 业务科室 that handles this 主管部门.
    managing_section = models.ForeignKey(
        "self",
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="managed_departments",
        limit_choices_to={"kind": "section"},
        verbose_name="归口业务科室",
    )
    head_name = models.CharField("单位负责人", max_length=40, blank=True)
    is_active = models.BooleanField("启用", default=True)

    objects = OrgQuerySet.as_manager()

    class Meta:
        verbose_name = "组织机构"
        ordering = ["path"]
        indexes = [models.Index(fields=["region", "kind"])]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        self.path = (self.parent.path if self.parent else "") + self.code + "/"
        super().save(*args, **kwargs)

    @property
    def department(self) -> "Organisation | None":
        """The 主管部门 this organisation belongs to (itself for a department)."""
        if self.kind == self.Kind.DEPARTMENT:
            return self
        if self.kind == self.Kind.UNIT and self.parent_id:
            return self.parent
        return None


class Role(models.TextChoices):
    SYSADMIN = "sysadmin", "系统管理员"
    SECADMIN = "secadmin", "安全管理员"
    AUDITADMIN = "auditadmin", "审计管理员"
    PERFORMANCE = "performance", "绩效科"
    BUSINESS = "business", "业务科室"
    DEPARTMENT = "department", "主管部门"
    UNIT = "unit", "预算单位"
    AGENCY = "agency", "第三方机构"
    EXPERT = "expert", "专家"
    VIEWER = "viewer", "监督查看"


class User(AbstractUser):
    display_name = models.CharField("姓名", max_length=40, blank=True)
    org = models.ForeignKey(
        Organisation, models.PROTECT, null=True, blank=True, related_name="users", verbose_name="所在机构"
    )
    failed_logins = models.PositiveSmallIntegerField("连续登录失败次数", default=0)
    locked_until = models.DateTimeField("锁定至", null=True, blank=True)
    password_changed_at = models.DateTimeField("密码修改时间", null=True, blank=True)
    # 动态口令 (TOTP, RFC 6238) second factor: the secret is SM4-encrypted at rest; the last accepted time step
    # is kept so a code cannot be used twice.
    totp_secret = EncryptedCharField("动态口令密钥", blank=True, default="")
    totp_enabled_at = models.DateTimeField("启用动态口令时间", null=True, blank=True)
    totp_last_step = models.BigIntegerField("最近一次动态口令时间步", default=0)

    class Meta:
        verbose_name = "用户"

    def __str__(self) -> str:
        return self.display_name or self.username

    def save(self, *args, **kwargs):
        changed = self._password is not None  # set_password() was called: keep the hash in the history
        if changed:
            from django.utils import timezone

            self.password_changed_at = timezone.now()
        super().save(*args, **kwargs)
        if changed:
            PasswordHistory.objects.create(user=self, password=self.password)

    @property
    def assignment_rows(self) -> list["RoleAssignment"]:
        """The user's role assignments with organisation and region, read once per user object (per request)."""
        if not hasattr(self, "_assignment_rows"):
            self._assignment_rows = list(self.assignments.select_related("org__region").order_by("id"))
        return self._assignment_rows

    @property
    def role_codes(self) -> set[str]:
        if not hasattr(self, "_role_codes"):
            self._role_codes = {a.role for a in self.assignment_rows}
        return self._role_codes

    def has_role(self, *roles: str) -> bool:
        return self.is_superuser or bool(self.role_codes.intersection(roles))


class RoleAssignment(models.Model):
    """A user holds a role over an organisation; the role decides how far the organisation's scope reaches."""

    user = models.ForeignKey(User, models.CASCADE, related_name="assignments")
    role = models.CharField("角色", max_length=12, choices=Role.choices)
    org = models.ForeignKey(Organisation, models.PROTECT, related_name="assignments", verbose_name="机构")

    class Meta:
        verbose_name = "角色授权"
        constraints = [models.UniqueConstraint(fields=["user", "role", "org"], name="uniq_assignment")]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} · {self.org}"


class PasswordHistory(models.Model):
    """Earlier password hashes, so a user cannot go back to one of the last few (等保: no reuse)."""

    user = models.ForeignKey(User, models.CASCADE, related_name="password_history")
    password = models.CharField(max_length=128)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "历史密码"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.user} {self.created_at:%Y-%m-%d}"


class LoginEvent(models.Model):
    """Every login attempt: who (or which user name was tried), from where, and whether it worked."""

    user = models.ForeignKey(User, models.SET_NULL, null=True, blank=True, related_name="login_events")
    username = models.CharField("用户名", max_length=150)
    ip = models.CharField("来源地址", max_length=45, blank=True)
    success = models.BooleanField("成功")
    reason = models.CharField("说明", max_length=60, blank=True)
    at = models.DateTimeField("时间", auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = "登录记录"
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.username} {'成功' if self.success else '失败'}"


class RecoveryCode(models.Model):
    """A one-time 恢复码 for when the authenticator is lost; only a salted SM3 hash is stored."""

    user = models.ForeignKey(User, models.CASCADE, related_name="recovery_codes")
    salt = models.CharField(max_length=32)
    code_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)
    used_at = models.DateTimeField("使用时间", null=True, blank=True)

    class Meta:
        verbose_name = "恢复码"

    def __str__(self) -> str:
        return f"{self.user} 恢复码"


class RateCounter(models.Model):
    """Requests counted per key (login IP, user name, API token) and fixed time window (频率限制).

    A table rather than process memory, so every gunicorn process and app server sees the same counts.
    """

    key = models.CharField(max_length=160)
    bucket = models.BigIntegerField()  # start of the window, Unix seconds
    expires = models.BigIntegerField(db_index=True)  # end of the window, Unix seconds
    count = models.IntegerField(default=0)

    class Meta:
        verbose_name = "访问频率计数"
        constraints = [models.UniqueConstraint(fields=["key", "bucket"], name="uniq_rate_bucket")]

    def __str__(self) -> str:
        return f"{self.key}@{self.bucket}={self.count}"
