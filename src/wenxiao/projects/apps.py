from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _ensure_search_index(sender, using="default", **kwargs) -> None:
    from django.db import connections

    from wenxiao.core.search import ensure_index

    ensure_index(connections[using], "projects_project")


class ProjectsConfig(AppConfig):
    name = "wenxiao.projects"
    label = "projects"
    verbose_name = "项目库"

    def ready(self) -> None:
        from wenxiao.projects import exports  # noqa: F401  (registers the export job handler)

        post_migrate.connect(_ensure_search_index, sender=self)
