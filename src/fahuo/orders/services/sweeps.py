from __future__ import annotations

from fahuo.core import clock
from fahuo.orders.models import Order
from fahuo.orders.services.decide import release_hold
from fahuo.orders.status import Status


def release_expired_holds() -> list[str]:
    """Holds with an expiry in the past go back to review."""
    nos = list(Order.objects.filter(status=Status.HELD, hold_until__lte=clock.now(), merged_into__isnull=True)
               .values_list("order_no", flat=True))
    for no in nos:
        release_hold(order_no=no, by=None, expired=True)
    return nos
