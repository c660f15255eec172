from django.apps import AppConfig


class OrdersConfig(AppConfig):
    name = "fahuo.orders"
    label = "orders"
    verbose_name = "订单 orders"

    def ready(self) -> None:
        from fahuo.inventory.signals import stock_added

        stock_added.connect(_on_stock_added, dispatch_uid="orders-reallocate")


def _on_stock_added(sender, sku_ids, **kwargs) -> None:
    from fahuo import jobs

    jobs.reallocate_short(list(sku_ids))
