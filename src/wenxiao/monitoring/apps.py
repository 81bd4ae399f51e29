from django.apps import AppConfig


class MonitoringConfig(AppConfig):
    name = "wenxiao.monitoring"
    label = "monitoring"
    verbose_name = "绩效运行监控"
