from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _ensure_search_index(sender, using="default", **kwargs) -> None:
    from django.db import connections

    from wenxiao.core.search import ensure_index

    ensure_index(connections[using], "library_indicatortemplate")


class LibraryConfig(AppConfig):
    name = "wenxiao.library"
    label = "library"
    verbose_name = "指标库"

    def ready(self) -> None:
        post_migrate.connect(_ensure_search_index, sender=self)
