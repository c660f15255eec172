from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "fahuo.core"
    label = "core"
    verbose_name = "fahuo core"
