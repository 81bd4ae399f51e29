from django.apps import AppConfig


class CockpitConfig(AppConfig):
    name = "wenxiao.cockpit"
    label = "cockpit"
    verbose_name = "领导驾驶舱"

    def ready(self):
        from wenxiao.cockpit import jobs  # noqa: F401  (registers the refresh job handler)
