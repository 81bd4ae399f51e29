from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _ensure_search_index(sender, using="default", **kwargs) -> None:
    from django.db import connections

    from wenxiao.core.search import ensure_index

    ensure_index(connections[using], "disclosure_publication")


class DisclosureConfig(AppConfig):
    name = "wenxiao.disclosure"
    label = "disclosure"
    verbose_name = "信息公开"

    def ready(self) -> None:
        post_migrate.connect(_ensure_search_index, sender=self)
