from django.apps import AppConfig


class NotifyConfig(AppConfig):
    name = "fahuo.notify"
    label = "notify"
    verbose_name = "通知 notifications"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.db.models.signals import post_save

        from fahuo.notify import (
            alerts,
            tasks,  # noqa: F401  (registers delivery, retry and digest with huey)
        )

        # an urgent exception case that opens is alerted once, in the transaction that opened it
        post_save.connect(alerts.case_saved, sender="tracking.ExceptionCase", dispatch_uid="notify.urgent_on_case")
