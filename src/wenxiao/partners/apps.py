from django.apps import AppConfig


class PartnersConfig(AppConfig):
    name = "wenxiao.partners"
    label = "partners"
    verbose_name = "第三方机构与专家"
