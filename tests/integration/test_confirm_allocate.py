"""Confirming allocates stock or sends the order to 缺货; receiving re-allocates in paid-time order."""

from __future__ import annotations

import pytest

from fahuo.core.errors import InvalidTransition
from fahuo.inventory import services as inv
from fahuo.inventory.models import Movement, StockLevel
from fahuo.orders.models import Order
from fahuo.orders.services import decide
from tests import factories as f

pytestmark = pytest.mark.django_db


def level(code: str) -> tuple[int, int]:
    lv = StockLevel.objects.get(sku__code=code)
    return lv.on_hand, lv.allocated


def test_confirm_allocates_and_writes_the_ledger(owner):
    f.sku("TEA-1", stock=5)
    o = f.order(("TEA-1", 2))

    res = decide.confirm(order_no=o.order_no, by=owner)

    assert res.status == "ready"
    assert level("TEA-1") == (5, 2)
    mv = Movement.objects.filter(kind="allocate").get()
    assert (mv.sku.code, mv.allocated_delta, mv.order_id, mv.by) == ("TEA-1", 2, o.pk, owner)
    assert list(o.events.values_list("kind", "from_status", "to_status")) == [("confirmed", "review", "ready")]


def test_short_order_names_missing_skus_and_allocates_nothing(owner):
    f.sku("TEA-1", stock=5)
    f.sku("TEA-2", stock=1)
    o = f.order(("TEA-1", 2), ("TEA-2", 3))

    res = decide.confirm(order_no=o.order_no, by=owner)

    assert (res.status, res.short) == ("short", {"TEA-2": 2})
    assert level("TEA-1") == (5, 0)
    assert level("TEA-2") == (1, 0)
    o.refresh_from_db()
    assert (o.status, o.short_skus) == ("short", ["TEA-2"])


def test_receiving_reallocates_short_orders_earliest_paid_first(owner, django_capture_on_commit_callbacks):
    f.sku("TEA-1", stock=0)
    late = f.order(("TEA-1", 2), paid_minutes_ago=10)
    early = f.order(("TEA-1", 2), paid_minutes_ago=100)
    decide.confirm(order_no=late.order_no, by=owner)
    decide.confirm(order_no=early.order_no, by=owner)

    with django_capture_on_commit_callbacks(execute=True):
        inv.receive(sku_code="TEA-1", qty=3, reason="到货", by=owner)

    assert Order.objects.get(pk=early.pk).status == "ready"
    assert Order.objects.get(pk=late.pk).status == "short"
    assert level("TEA-1") == (3, 2)


def test_closed_order_can_never_be_confirmed(owner):
    f.sku("TEA-1", stock=5)
    o = f.order(("TEA-1", 1), platform_status="closed")

    with pytest.raises(InvalidTransition) as e:
        decide.confirm(order_no=o.order_no, by=owner)

    assert e.value.code == "blocking_problems"
    assert level("TEA-1") == (5, 0)
    assert Order.objects.get(pk=o.pk).status == "review"


def test_cancel_gives_stock_back(owner):
    f.sku("TEA-1", stock=5)
    o = f.order(("TEA-1", 4))
    decide.confirm(order_no=o.order_no, by=owner)

    decide.cancel(order_no=o.order_no, by=owner, reason="买家不要了")

    assert level("TEA-1") == (5, 0)
    assert Order.objects.get(pk=o.pk).status == "cancelled"


def test_hold_releases_stock_and_release_returns_to_review(owner):
    f.sku("TEA-1", stock=5)
    o = f.order(("TEA-1", 4))
    decide.confirm(order_no=o.order_no, by=owner)

    decide.hold(order_no=o.order_no, reason="buyer_delay", by=owner)
    assert level("TEA-1") == (5, 0)
    decide.release_hold(order_no=o.order_no, by=owner)

    assert Order.objects.get(pk=o.pk).status == "review"
