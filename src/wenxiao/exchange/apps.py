from django.apps import AppConfig


class ExchangeConfig(AppConfig):
    name = "wenxiao.exchange"
    label = "exchange"
    verbose_name = "一体化数据交换"
