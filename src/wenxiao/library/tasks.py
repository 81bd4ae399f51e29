"""Background tasks of the library."""

from django_tasks import task


@task()
def refresh_reference_ranges() -> int:
    """Recompute library value ranges after targets were approved (their numbers are the new evidence)."""
    from wenxiao.library.stats import refresh

    return refresh()
