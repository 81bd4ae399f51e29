"""Writes of the cockpit: computing snapshots (task, CLI, the 刷新 button, the seed)."""

from __future__ import annotations

import time

from django.db import transaction
from django.utils import timezone

from wenxiao.cockpit import figures
from wenxiao.cockpit.models import CockpitSnapshot
from wenxiao.core import audit
from wenxiao.core.errors import PermissionDenied, ValidationError
from wenxiao.core.scoping import can_write
from wenxiao.orgs.models import Organisation, Region


def refresh(subject, year: int) -> CockpitSnapshot:
    """Compute one subject's figures and store them (replacing the previous snapshot of that subject and year)."""
    started = time.perf_counter()
    payload = figures.compute(subject, year)
    seconds = time.perf_counter() - started
    is_region = isinstance(subject, Region)
    lookup = {"region": subject, "org": None} if is_region else {"org": subject}
    with transaction.atomic():
        snap, _ = CockpitSnapshot.objects.update_or_create(
            year=year,
            **lookup,
            defaults={
                "region": subject if is_region else subject.region,
                "computed_at": timezone.now(),
                "seconds": round(seconds, 3),
                "payload": payload,
            },
        )
    return snap


def subjects_under(region: Region | None) -> tuple[list[Region], list[Organisation]]:
    """Every region in `region`'s subtree (all regions when None) and their 主管部门."""
    regions = Region.objects.order_by("path")
    if region is not None:
        regions = regions.filter(path__startswith=region.path)
    regions = list(regions)
    departments = list(
        Organisation.objects.filter(kind=Organisation.Kind.DEPARTMENT, region__in=regions).select_related("region")
    )
    return regions, departments


def refresh_all(year: int, region: Region | None = None, progress=None) -> dict:
    """Refresh every region and department snapshot under `region`; returns counts and seconds."""
    started = time.perf_counter()
    regions, departments = subjects_under(region)
    subjects = regions + departments
    for i, s in enumerate(subjects, 1):
        refresh(s, year)
        if progress and (i % 10 == 0 or i == len(subjects)):
            progress(int(i * 100 / len(subjects)))
    return {"regions": len(regions), "departments": len(departments), "seconds": time.perf_counter() - started}


def queue_refresh(region: Region, year: int, *, user, after: str):
    """A change that moves the cockpit's figures (a warning run) queues a refresh of the region's snapshots."""
    from wenxiao.core.jobs import start_job

    return start_job(
        "cockpit.refresh",
        f"{region.name}{year}年度驾驶舱数据刷新（{after}后）",
        user=user,
        params={"region_id": region.pk, "year": int(year)},
    )


def do_request_refresh(*, actor, year: int, region: Region):
    """The 刷新 button / API: a 绩效科 of the region (or above) queues a refresh of the region's subtree."""
    from wenxiao.core.jobs import start_job
    from wenxiao.core.scoping import scope_for

    if not (actor.is_superuser or (can_write(actor) and actor.has_role("performance"))):
        raise PermissionDenied("只有绩效科可以刷新驾驶舱数据。")
    if not (actor.is_superuser or region.pk in scope_for(actor, ("performance",)).region_ids):
        raise PermissionDenied("无权刷新该区划的驾驶舱数据。")
    if not 2000 <= int(year) <= 2100:
        raise ValidationError("年度不正确。")
    with transaction.atomic():
        job = start_job(
            "cockpit.refresh",
            f"{region.name}{year}年度驾驶舱数据刷新",
            user=actor,
            params={"region_id": region.pk, "year": int(year)},
        )
        audit.record(actor, "cockpit.refresh", job, object_repr=job.title, region_id=region.pk)
    return job
