from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "wenxiao.core"
    label = "core"
    verbose_name = "核心"
