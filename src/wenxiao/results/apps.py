from django.apps import AppConfig


class ResultsConfig(AppConfig):
    name = "wenxiao.results"
    label = "results"
    verbose_name = "结果应用"
