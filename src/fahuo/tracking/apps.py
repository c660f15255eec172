from django.apps import AppConfig


class TrackingConfig(AppConfig):
    name = "fahuo.tracking"
    label = "tracking"
    verbose_name = "物流跟踪 tracking"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.db.models.signals import post_save

        from fahuo.tracking import tasks  # noqa: F401  (registers the periodic sweep with huey)
        from fahuo.tracking.services import subscriptions

        # a parcel marked shipped is subscribed to its tracking source (after the commit)
        post_save.connect(subscriptions.parcel_saved, sender="fulfilment.Parcel",
                          dispatch_uid="tracking.subscribe_on_ship")

