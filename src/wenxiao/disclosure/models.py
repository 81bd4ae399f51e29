"""信息公开: one `Publication` row per published item, holding a sanitised snapshot of its public fields.

The public site (/public/, no login) reads only these rows, never the live models: what it can show is exactly
what a 绩效科 chose to publish, frozen at that moment, built by the allow-lists in `disclosure.snapshots`.
Withdrawing keeps the row (withdrawn_at set); publishing again writes a new row.
"""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.urls import reverse

from wenxiao.core.scoping import ScopedQuerySet


class PublicationQuerySet(ScopedQuerySet):
    scope_region_field = "region"
    scope_org_field = "department"

    def live(self):
        """What the public site shows: published and not withdrawn."""
        return self.filter(withdrawn_at__isnull=True)


class Publication(models.Model):
    class Kind(models.TextChoices):
        TARGET = "target", "绩效目标"
        MONITORING = "monitoring_summary", "绩效运行监控情况"
        SELFEVAL = "selfeval", "绩效自评结果"
        EVALUATION = "evaluation_report", "财政评价报告"

    region = models.ForeignKey("orgs.Region", models.PROTECT, related_name="+")
    kind = models.CharField("公开类型", max_length=20, choices=Kind.choices)
    year = models.PositiveSmallIntegerField("年度")
    # The department the item belongs to (staff scope); its name is copied for the public pages.
    department = models.ForeignKey(
        "orgs.Organisation", models.PROTECT, null=True, blank=True, related_name="+", verbose_name="主管部门"
    )
    department_name = models.CharField("部门", max_length=120, blank=True)
    region_name = models.CharField("区划", max_length=60, blank=True)
    title = models.CharField("标题", max_length=200)
    snapshot = models.JSONField("公开内容")  # built by an allow-list per kind; nothing else reaches the public
    pdf = models.FileField("报告PDF", upload_to="disclosure/%Y", blank=True)
    search_text = models.TextField(blank=True, default="")
    # The source, for staff only (never shown on the public site).
    content_type = models.ForeignKey(ContentType, models.PROTECT, related_name="+")
    object_id = models.PositiveBigIntegerField()
    source = GenericForeignKey("content_type", "object_id")
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    published_at = models.DateTimeField("公开时间")
    withdrawn_at = models.DateTimeField("撤回时间", null=True, blank=True)
    withdrawn_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+")
    withdraw_reason = models.CharField("撤回原因", max_length=300, blank=True)
    changed_at = models.DateTimeField("最后变更", db_index=True)  # the public pages' cache generation

    objects = PublicationQuerySet.as_manager()

    class Meta:
        verbose_name = "公开事项"
        ordering = ["-year", "kind", "department_name", "id"]
        indexes = [
            models.Index(fields=["withdrawn_at", "year", "kind"], name="disclosure_live_idx"),
            models.Index(fields=["content_type", "object_id"], name="disclosure_source_idx"),
        ]
        constraints = [
            # One live publication per source item (and department, for a monitoring round's part).
            models.UniqueConstraint(
                fields=["kind", "content_type", "object_id", "department"],
                condition=Q(withdrawn_at__isnull=True),
                name="uniq_live_publication",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year}年 {self.get_kind_display()} · {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("disclosure:item", args=[self.pk])

    @property
    def is_live(self) -> bool:
        return self.withdrawn_at is None
