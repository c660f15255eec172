from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "fahuo.core"
    label = "core"
    verbose_name = "fahuo core"

    def ready(self) -> None:
        # register the huey tasks in every process (web, worker, CLI): the consumer only runs what it knows
        from fahuo import jobs  # noqa: F401
