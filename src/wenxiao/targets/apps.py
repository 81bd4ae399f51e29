from django.apps import AppConfig


class TargetsConfig(AppConfig):
    name = "wenxiao.targets"
    label = "targets"
    verbose_name = "绩效目标管理"

    def ready(self) -> None:
        from wenxiao.targets import review_report  # noqa: F401  (registers the report job handler)
