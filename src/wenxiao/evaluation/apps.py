from django.apps import AppConfig


class EvaluationConfig(AppConfig):
    name = "wenxiao.evaluation"
    label = "evaluation"
    verbose_name = "绩效评价"
