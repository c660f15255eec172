from django.apps import AppConfig


class CarriersConfig(AppConfig):
    name = "fahuo.carriers"
    label = "carriers"
    verbose_name = "快递 carriers"
