from django.apps import AppConfig


class MonitoringConfig(AppConfig):
    name = "wenxiao.monitoring"
    label = "monitoring"
    verbose_name = "绩效运行监控"

    def ready(self):
        from wenxiao.monitoring import jobs  # noqa: F401  (registers the warning-run job handler)
