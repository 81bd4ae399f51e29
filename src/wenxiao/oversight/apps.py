from django.apps import AppConfig


class OversightConfig(AppConfig):
    name = "wenxiao.oversight"
    label = "oversight"
    verbose_name = "考核与综合评价"
