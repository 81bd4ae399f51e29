from django.apps import AppConfig


class TargetsConfig(AppConfig):
    name = "wenxiao.targets"
    label = "targets"
    verbose_name = "绩效目标管理"
