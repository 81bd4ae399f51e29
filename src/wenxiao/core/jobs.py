"""Long user jobs (exports, imports, reports): a visible Job row plus a django.tasks task that runs it.

A domain registers a handler with `@job_handler("projects.export")`; the handler gets the Job and a
`progress(percent)` callback and returns (file path, download name) or None.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from wenxiao.core.models import Job

HANDLERS: dict[str, Callable] = {}


def job_handler(kind: str):
    def register(fn):
        HANDLERS[kind] = fn
        return fn

    return register


def job_dir() -> Path:
    path = Path(settings.MEDIA_ROOT) / "jobs"
    path.mkdir(parents=True, exist_ok=True)
    return path


def start_job(kind: str, title: str, *, user, params: dict) -> Job:
    from wenxiao.core.tasks import run_job

    job = Job.objects.create(kind=kind, title=title, user=user, params=params)
    transaction.on_commit(lambda: run_job.enqueue(job.pk))
    return job


def execute(job_id: int) -> None:
    job = Job.objects.select_related("user").get(pk=job_id)
    if job.status != Job.Status.QUEUED:
        return
    Job.objects.filter(pk=job.pk).update(status=Job.Status.RUNNING)

    def progress(percent: int) -> None:
        Job.objects.filter(pk=job.pk).update(progress=max(0, min(100, int(percent))))

    try:
        result = HANDLERS[job.kind](job, progress)
    except Exception as exc:  # the user sees why the job failed; the worker keeps running
        Job.objects.filter(pk=job.pk).update(
            status=Job.Status.FAILED, message=str(exc)[:2000], finished_at=timezone.now()
        )
        raise
    path, name = result if result else ("", "")
    Job.objects.filter(pk=job.pk).update(
        status=Job.Status.DONE,
        progress=100,
        result_file=str(path),
        result_name=name,
        finished_at=timezone.now(),
    )
