from django.apps import AppConfig


class AppraisalConfig(AppConfig):
    name = "wenxiao.appraisal"
    label = "appraisal"
    verbose_name = "事前绩效评估"
