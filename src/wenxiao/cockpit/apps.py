from django.apps import AppConfig


class CockpitConfig(AppConfig):
    name = "wenxiao.cockpit"
    label = "cockpit"
    verbose_name = "领导驾驶舱"
