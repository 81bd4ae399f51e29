"""The warning run as a background job, for jurisdictions too large to recompute inside a page request."""

from __future__ import annotations

from datetime import date

from wenxiao.core.jobs import job_handler

# Above this many budgets the page hands the run to the worker (a province: ~20 s) instead of waiting for it.
INLINE_LIMIT = 20_000


@job_handler("monitoring.run")
def run_job(job, progress):
    from wenxiao.monitoring import services
    from wenxiao.orgs.models import Region

    p = job.params
    region = Region.objects.get(pk=p["region_id"])
    progress(5)
    s = services.run_warnings(region, int(p["year"]), date.fromisoformat(p["as_of"]), actor=job.user)
    from wenxiao.cockpit.services import queue_refresh

    queue_refresh(region, int(p["year"]), user=job.user, after="运行预警")
    type(job).objects.filter(pk=job.pk).update(
        message=f"{s.projects}个项目，红灯{s.red}条、黄灯{s.yellow}条，消除{s.cleared}条，用时{s.seconds:.1f}秒。"
    )
    return None
