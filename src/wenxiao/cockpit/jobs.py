"""The background refresh (a Job row run by the django.tasks worker through core.tasks.run_job)."""

from wenxiao.core.jobs import job_handler


@job_handler("cockpit.refresh")
def refresh_job(job, progress):
    from wenxiao.cockpit.services import refresh_all
    from wenxiao.orgs.models import Region

    region = Region.objects.get(pk=job.params["region_id"])
    refresh_all(int(job.params["year"]), region, progress)
    return None
