"""一体化数据交换: the batches pushed in by the 预算管理一体化 system and the external ids that make them idempotent."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse

from wenxiao.core.scoping import ScopedQuerySet


class BatchQuerySet(ScopedQuerySet):
    scope_region_field = "region"
    scope_org_field = ""  # batches are finance's: visible region-wide only

    def scope_q(self, scope):
        return Q(region_id__in=scope.region_ids) if scope.region_ids else Q(pk__in=[])


class ExchangeBatch(models.Model):
    """One batch pushed by 一体化 (API), dropped as a file, uploaded on the page or pushed from the command line."""

    class Kind(models.TextChoices):
        PROJECTS = "projects", "项目"
        BUDGETS = "budgets", "预算及预算调整"
        PAYMENTS = "payments", "国库集中支付"

    class Source(models.TextChoices):
        API = "api", "接口推送"
        FILE = "file", "文件交换目录"
        UPLOAD = "upload", "页面上传"
        CLI = "cli", "命令行"

    class Status(models.TextChoices):
        DONE = "done", "已写入"
        REJECTED = "rejected", "未通过校验（未写入）"
        DUPLICATE = "duplicate", "重复批次（未写入）"
        CHECKED = "checked", "仅校验（未写入）"

    region = models.ForeignKey("orgs.Region", models.PROTECT, related_name="+", verbose_name="区划")
    kind = models.CharField("数据类别", max_length=10, choices=Kind.choices)
    source = models.CharField("来源", max_length=8, choices=Source.choices)
    file_name = models.CharField("文件名", max_length=200, blank=True)
    fingerprint = models.CharField("批次指纹", max_length=64)
    status = models.CharField("结果", max_length=10, choices=Status.choices)
    total = models.PositiveIntegerField("数据行数", default=0)
    added = models.PositiveIntegerField("新增", default=0)
    updated = models.PositiveIntegerField("更新", default=0)
    unchanged = models.PositiveIntegerField("未变化", default=0)
    rejected = models.PositiveIntegerField("有错误的行", default=0)
    report = models.JSONField("结果报告", default=dict)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField("时间", auto_now_add=True)

    objects = BatchQuerySet.as_manager()

    class Meta:
        verbose_name = "一体化交换批次"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["region", "kind", "fingerprint"], name="exchange_batch_fp")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}批次 {self.pk}"

    def get_absolute_url(self) -> str:
        return reverse("exchange:batch", args=[self.pk])


class ExternalProject(models.Model):
    """Maps a 一体化 项目代码 (pro_code) to the project in 问效. The project keeps the 一体化 code as its own code when
    that code is a valid 21-character code not used by another project; otherwise 问效 issues one and this row
    carries the mapping."""

    region = models.ForeignKey("orgs.Region", models.PROTECT, related_name="+")
    pro_code = models.CharField("一体化项目代码", max_length=21, unique=True)
    project = models.OneToOneField("projects.Project", models.PROTECT, related_name="external")
    update_time = models.CharField("一体化更新时间", max_length=17, blank=True)  # yyyyMMddHHmmssSSS
    batch = models.ForeignKey(ExchangeBatch, models.PROTECT, related_name="+")

    class Meta:
        verbose_name = "一体化项目映射"

    def __str__(self) -> str:
        return self.pro_code


class ExternalAdjustment(models.Model):
    """A budget adjustment (预算调整) pushed by 一体化, keyed by its 调整单号 so a second push adds nothing."""

    region = models.ForeignKey("orgs.Region", models.PROTECT, related_name="+")
    adj_code = models.CharField("一体化调整单号", max_length=40)
    adjustment = models.OneToOneField("projects.BudgetAdjustment", models.PROTECT, related_name="external")
    batch = models.ForeignKey(ExchangeBatch, models.PROTECT, related_name="+")

    class Meta:
        verbose_name = "一体化预算调整映射"
        constraints = [models.UniqueConstraint(fields=["region", "adj_code"], name="uniq_exchange_adj_code")]

    def __str__(self) -> str:
        return self.adj_code
