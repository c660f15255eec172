from django.apps import AppConfig


class TrackingConfig(AppConfig):
    name = "fahuo.tracking"
    label = "tracking"
    verbose_name = "物流跟踪 tracking"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from fahuo.tracking import tasks  # noqa: F401  (registers the periodic sweep with huey)
