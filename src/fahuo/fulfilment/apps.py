from django.apps import AppConfig


class FulfilmentConfig(AppConfig):
    name = "fahuo.fulfilment"
    label = "fulfilment"
    verbose_name = "发货 fulfilment"

    def ready(self) -> None:
        from fahuo.orders.signals import order_withdrawn

        order_withdrawn.connect(_withdrawn, dispatch_uid="fulfilment-withdraw")


def _withdrawn(sender, order, by=None, **kwargs) -> None:
    from fahuo.fulfilment.services.waves import withdraw_order

    withdraw_order(order=order, by=by)
