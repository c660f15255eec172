from __future__ import annotations

from fahuo.core import clock
from fahuo.orders.models import Order, OrderEvent


def record(order: Order, kind: str, *, by=None, message: str = "", from_status: str = "", to_status: str = "",
           **data) -> OrderEvent:
    message = message[:OrderEvent._meta.get_field("message").max_length]  # built from user text: never overflow
    return OrderEvent.objects.create(order=order, kind=kind, by=by, message=message, from_status=from_status,
                                     to_status=to_status, data=data, at=clock.now())


def move(order: Order, to: str, *, by=None, kind: str, message: str = "", **data) -> None:
    """Change the status (the caller checked the transition) and write the timeline row."""
    src = order.status
    order.status = to
    order.save(update_fields=["status", "updated_at"])
    record(order, kind, by=by, message=message, from_status=src, to_status=to, **data)
