"""Background tasks (django.tasks API, database backend; run by `wenxiao worker`)."""

from django_tasks import task


@task()
def run_job(job_id: int) -> None:
    from wenxiao.core.jobs import execute

    execute(job_id)
