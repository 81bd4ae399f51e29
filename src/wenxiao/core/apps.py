from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save


class CoreConfig(AppConfig):
    name = "wenxiao.core"
    label = "core"
    verbose_name = "核心"

    def ready(self) -> None:
        from wenxiao.core.config import clear_cache
        from wenxiao.core.models import Setting

        post_save.connect(clear_cache, sender=Setting, dispatch_uid="core.setting.saved")
        post_delete.connect(clear_cache, sender=Setting, dispatch_uid="core.setting.deleted")
