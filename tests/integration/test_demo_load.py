"""`fahuo demo` fills an empty shop through the real services, with something on every screen."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from fahuo.core import clock
from fahuo.demo.load import load_demo
from fahuo.fulfilment.models import Parcel
from fahuo.orders.models import Order
from fahuo.tracking.exception_rules import FindingType
from fahuo.tracking.models import ExceptionCase, ParcelTrack

NOW = datetime(2026, 11, 24, 10, 30, tzinfo=ZoneInfo("Asia/Shanghai"))  # a morning: parcels are out for delivery


@pytest.mark.django_db
def test_demo_shop_has_orders_in_every_state_and_a_packing_day():
    assert load_demo(orders=200, out=lambda *_: None) is True

    statuses = set(Order.objects.values_list("status", flat=True))
    assert {"unpaid", "review", "held", "short", "ready", "picking", "packed", "shipped", "completed",
            "cancelled", "closed"} <= statuses
    assert {"open", "packed", "shipped"} <= set(Parcel.objects.values_list("state", flat=True))
    assert load_demo(orders=10, out=lambda *_: None) is False  # never twice


@pytest.mark.django_db
def test_demo_shop_has_an_open_exception_of_every_kind_and_parcels_in_every_status(monkeypatch):
    monkeypatch.setattr(clock, "now", lambda: NOW)
    assert load_demo(orders=200, out=lambda *_: None, now=NOW) is True

    open_cases = Counter(ExceptionCase.objects.filter(state="open").values_list("type", flat=True))
    assert {str(t) for t in FindingType} == set(open_cases)
    # one parcel planned per kind; damaged twice (the carrier's scan, and the seller's report)
    per_parcel = {t: 1 for t in FindingType if t not in ("ship_by_near", "ship_by_passed")}
    per_parcel["damaged"] = 2
    assert {t: open_cases[t] for t in per_parcel} == per_parcel
    assert (open_cases["ship_by_near"], open_cases["ship_by_passed"]) == (SHIP_BY_NEAR, SHIP_BY_PASSED)
    # a shop in good shape: no order is left days overdue (last week's spares were cancelled back then)
    late = ExceptionCase.objects.filter(state="open", type="ship_by_passed").select_related("order")
    assert max(NOW - c.order.ship_by for c in late) < timedelta(hours=24)
    seller = ExceptionCase.objects.get(cause_key="seller:damaged")
    assert (seller.state, seller.parcel.carrier_code) == ("open", "DEMO")

    tracks = Counter(ParcelTrack.objects.values_list("status", flat=True))
    assert {"in_transit", "out_for_delivery", "in_locker", "delivered", "exception", "refused", "returning",
            "returned", "transferred"} <= set(tracks)
    assert tracks["delivered"] == DELIVERED
    # the events came in through the ingest path: every shipped sandbox parcel's track counts its events
    shipped = Parcel.objects.filter(state="shipped")
    assert shipped.count() == SHIPPED
    assert all(t.events > 0 for t in ParcelTrack.objects.exclude(status="no_info"))

    # the next sweep, a minute later, finds nothing new and closes nothing
    from fahuo.tracking.services.sweep import sweep

    counts = sweep(now=NOW + timedelta(minutes=1))
    assert (counts["opened"], counts["closed"]) == (0, 0)


SHIP_BY_NEAR, SHIP_BY_PASSED, DELIVERED, SHIPPED = 8, 4, 6, 25  # for orders=200, seed 1, at NOW


@pytest.mark.django_db
def test_demo_loaded_at_night_leaves_no_parcel_of_last_week_unshipped(monkeypatch):
    night = NOW.replace(hour=22)  # no 派件 round at night: that life falls back to an ordinary delivery
    monkeypatch.setattr(clock, "now", lambda: night)
    assert load_demo(orders=60, out=lambda *_: None, now=night) is True

    week_old = Order.objects.filter(paid_at__lt=night - timedelta(days=4))
    assert week_old.exists()
    assert not week_old.filter(status__in=["review", "held", "short", "ready", "picking", "packed"]).exists()
    late = ExceptionCase.objects.filter(state="open", type="ship_by_passed").select_related("order")
    assert all(night - c.order.ship_by < timedelta(hours=24) for c in late)
