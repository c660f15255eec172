"""`fahuo demo` fills an empty shop through the real services, with something on every screen."""

from __future__ import annotations

import pytest

from fahuo.demo.load import load_demo
from fahuo.fulfilment.models import Parcel
from fahuo.orders.models import Order


@pytest.mark.django_db
def test_demo_shop_has_orders_in_every_state_and_a_packing_day():
    assert load_demo(orders=200, out=lambda *_: None) is True

    statuses = set(Order.objects.values_list("status", flat=True))
    assert {"unpaid", "review", "held", "short", "ready", "picking", "packed", "shipped", "completed",
            "cancelled", "closed"} <= statuses
    assert {"open", "packed", "shipped"} <= set(Parcel.objects.values_list("state", flat=True))
    assert load_demo(orders=10, out=lambda *_: None) is False  # never twice
