from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "wenxiao.catalog"
    label = "catalog"
    verbose_name = "基础代码"
