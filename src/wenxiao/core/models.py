"""Cross-domain tables: the audit chain, workflow transitions and to-dos, background jobs, API tokens."""

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models

from wenxiao.core.scoping import ScopedQuerySet


class AuditEvent(models.Model):
    """One recorded change (审计日志). Rows form an SM3 hash chain: `hash` covers the row and `prev_hash`."""

    seq = models.BigIntegerField("序号", unique=True)
    at = models.DateTimeField("时间", db_index=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+")
    actor_name = models.CharField("操作人", max_length=150)
    action = models.CharField("操作", max_length=60, db_index=True)
    object_type = models.CharField("对象类型", max_length=60)
    object_id = models.CharField("对象编号", max_length=40, blank=True)
    object_repr = models.CharField("对象", max_length=200, blank=True)
    region_id = models.BigIntegerField("区划", null=True, blank=True)
    before = models.JSONField("修改前", null=True, blank=True)
    after = models.JSONField("修改后", null=True, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    class Meta:
        verbose_name = "审计日志"
        ordering = ["-seq"]
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self) -> str:
        return f"#{self.seq} {self.action} {self.object_repr}"


class AuditHead(models.Model):
    """Single row holding the end of the chain; locked while an event is appended so seq has no gaps."""

    last_seq = models.BigIntegerField(default=0)
    last_hash = models.CharField(max_length=64)

    def __str__(self) -> str:
        return f"audit head #{self.last_seq}"


class Transition(models.Model):
    """A workflow step taken on a document (流转记录)."""

    content_type = models.ForeignKey(ContentType, models.PROTECT)
    object_id = models.BigIntegerField()
    workflow = models.CharField(max_length=40)
    action = models.CharField("操作", max_length=40)
    action_label = models.CharField("操作", max_length=40)
    from_state = models.CharField("原状态", max_length=30)
    to_state = models.CharField("新状态", max_length=30)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    at = models.DateTimeField("时间", auto_now_add=True)
    comment = models.TextField("意见", blank=True)

    class Meta:
        verbose_name = "流转记录"
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["content_type", "object_id"])]

    def __str__(self) -> str:
        return f"{self.action_label}: {self.from_state} → {self.to_state}"


class WorkItemQuerySet(ScopedQuerySet):
    scope_region_field = "region"
    scope_org_field = "org"


class WorkItem(models.Model):
    """A document waiting for someone holding `role` over `org` (待办). Closed when the document moves on."""

    content_type = models.ForeignKey(ContentType, models.PROTECT)
    object_id = models.BigIntegerField()
    workflow = models.CharField(max_length=40)
    state = models.CharField("状态", max_length=30)
    role = models.CharField("办理角色", max_length=12)
    org = models.ForeignKey("orgs.Organisation", models.PROTECT, related_name="+")
    region = models.ForeignKey("orgs.Region", models.PROTECT, related_name="+")
    title = models.CharField("事项", max_length=200)
    url = models.CharField(max_length=200)
    created_at = models.DateTimeField("到达时间", auto_now_add=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    objects = WorkItemQuerySet.as_manager()

    class Meta:
        verbose_name = "待办事项"
        indexes = [
            models.Index(fields=["role", "closed_at"]),
            models.Index(fields=["content_type", "object_id"]),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def state_label(self) -> str:
        from wenxiao.core.workflow import TODO_STATE_LABELS, WORKFLOWS

        if flow := WORKFLOWS.get(self.workflow):
            return flow.state_label(self.state)
        return TODO_STATE_LABELS.get(self.workflow, {}).get(self.state, self.state)


class Job(models.Model):
    """A long task a user started (export, import, report): progress, result file and errors are visible."""

    class Status(models.TextChoices):
        QUEUED = "queued", "排队中"
        RUNNING = "running", "进行中"
        DONE = "done", "已完成"
        FAILED = "failed", "失败"

    kind = models.CharField("类型", max_length=40)
    title = models.CharField("任务", max_length=200)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="jobs")
    params = models.JSONField(default=dict)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.QUEUED)
    progress = models.PositiveSmallIntegerField("进度", default=0)
    result_file = models.CharField(max_length=255, blank=True)
    result_name = models.CharField(max_length=120, blank=True)
    message = models.TextField("说明", blank=True)
    created_at = models.DateTimeField("提交时间", auto_now_add=True)
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)

    class Meta:
        verbose_name = "后台任务"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.title


class ApiToken(models.Model):
    """A bearer token for /api/v1/. Only an SM3 hash of the secret is stored."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="api_tokens")
    name = models.CharField("名称", max_length=60, blank=True)
    prefix = models.CharField(max_length=12, unique=True)
    key_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked = models.BooleanField(default=False)
    read_only = models.BooleanField("只读", default=False)  # a reporting client may read, never write

    class Meta:
        verbose_name = "接口令牌"

    def __str__(self) -> str:
        return f"{self.user} · {self.prefix}"


class Setting(models.Model):
    """A configurable rule for a region (and its subtree) and optionally one year; see core/config.py."""

    key = models.CharField("参数", max_length=60)
    region = models.ForeignKey("orgs.Region", models.CASCADE, null=True, blank=True, related_name="+")
    year = models.PositiveSmallIntegerField("年度", null=True, blank=True)
    value = models.JSONField("取值")
    note = models.CharField("说明", max_length=200, blank=True)

    class Meta:
        verbose_name = "参数设置"
        constraints = [models.UniqueConstraint(fields=["key", "region", "year"], name="uniq_setting")]

    def __str__(self) -> str:
        return f"{self.key}={self.value}"


class Attachment(models.Model):
    """A file attached to any document (evidence, reports). Readable by whoever can see the document."""

    content_type = models.ForeignKey(ContentType, models.PROTECT)
    object_id = models.BigIntegerField()
    region = models.ForeignKey("orgs.Region", models.PROTECT, null=True, blank=True, related_name="+")
    file = models.FileField(upload_to="attachments/%Y/%m")
    name = models.CharField("文件名", max_length=200)
    size = models.PositiveIntegerField("大小")
    sm3 = models.CharField("SM3 摘要", max_length=64)
    note = models.CharField("说明", max_length=200, blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "附件"
        ordering = ["uploaded_at", "id"]
        indexes = [models.Index(fields=["content_type", "object_id"])]

    def __str__(self) -> str:
        return self.name


class DataStamp(models.Model):
    """A version number per kind of derived data, bumped in the transaction that rewrites that data.

    Cached figures (core/stamps.py) carry the version in their key, so every process sees a rewrite at once.
    """

    key = models.CharField("数据类别", max_length=60, primary_key=True)
    version = models.BigIntegerField("版本", default=0)  # random on each bump, never reused

    class Meta:
        verbose_name = "数据版本"

    def __str__(self) -> str:
        return f"{self.key} v{self.version}"
