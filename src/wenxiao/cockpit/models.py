"""领导驾驶舱 (leadership cockpit): precomputed figures per scope and year.

A scope is a region (its whole subtree counts) or a 主管部门 (the department and its units). The page never
computes the figures on a request: it reads the snapshot that `cockpit.services.refresh` wrote (a task, the CLI,
the 刷新 button) and shows "数据截至 computed_at".
"""

from django.db import models

from wenxiao.core.scoping import ScopedQuerySet


class SnapshotQuerySet(ScopedQuerySet):
    scope_region_field = "region"
    scope_org_field = "org"

    def visible_to(self, user, roles=None):
        """A region's snapshot is for the region-wide roles of that region (and above); a department's snapshot for
        whoever sees the department (its own staff, its 业务科室, the region's 绩效科)."""
        from wenxiao.core.scoping import scope_for

        scope = scope_for(user, roles)
        if scope.everything:
            return self
        q = models.Q(pk__in=[])
        if scope.region_ids:
            q |= models.Q(region_id__in=scope.region_ids)
        if scope.org_paths:
            from wenxiao.orgs.models import Organisation

            q |= models.Q(org_id__in=Organisation.objects.filter(scope.org_filter()).values("id"))
        return self.filter(q)


class CockpitSnapshot(models.Model):
    """驾驶舱快照: every figure of one scope (a region, or a 主管部门 when `org` is set) for one year."""

    region = models.ForeignKey("orgs.Region", models.PROTECT, related_name="+")
    org = models.ForeignKey(
        "orgs.Organisation", models.PROTECT, null=True, blank=True, related_name="+", verbose_name="主管部门"
    )
    year = models.PositiveSmallIntegerField("年度")
    computed_at = models.DateTimeField("计算时间")
    seconds = models.FloatField("计算用时（秒）", default=0)
    payload = models.JSONField("数据", default=dict)

    objects = SnapshotQuerySet.as_manager()

    class Meta:
        verbose_name = "驾驶舱快照"
        constraints = [
            models.UniqueConstraint(
                fields=["region", "year"], condition=models.Q(org__isnull=True), name="uniq_cockpit_region_year"
            ),
            models.UniqueConstraint(
                fields=["org", "year"], condition=models.Q(org__isnull=False), name="uniq_cockpit_org_year"
            ),
        ]
        indexes = [models.Index(fields=["region", "year"], name="cockpit_region_year")]

    def __str__(self) -> str:
        return f"{self.payload.get('subject', {}).get('name', '')}{self.year}年度驾驶舱"
