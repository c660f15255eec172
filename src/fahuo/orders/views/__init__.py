"""The order pages: list, detail and its actions, new order, import."""

from fahuo.orders.views.actions import (
    cancel,
    confirm,
    confirm_all,
    hold,
    map_sku,
    merge,
    receiver,
    release,
    reopen,
    split,
    unmerge,
)
from fahuo.orders.views.imports import import_job, import_orders
from fahuo.orders.views.new import new_line, new_order, parse_receiver
from fahuo.orders.views.pages import order_detail, order_list

__all__ = [
    "cancel", "confirm", "confirm_all", "hold", "import_job", "import_orders", "map_sku", "merge", "new_line",
    "new_order", "order_detail", "order_list", "parse_receiver", "receiver", "release", "reopen", "split", "unmerge",
]
