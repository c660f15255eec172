"""Exceptions: raised once per cause with the exact time it began, cleared when the cause goes away."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from fahuo.fulfilment.models import Parcel
from fahuo.orders.models import OrderEvent
from fahuo.tracking.events import Event
from fahuo.tracking.models import ExceptionCase
from fahuo.tracking.services import exceptions
from fahuo.tracking.services.ingest import ingest
from fahuo.tracking.services.sweep import sweep
from fahuo.tracking.statuses import TrackStatus as S
from tests import factories as f

pytestmark = pytest.mark.django_db

SH = ZoneInfo("Asia/Shanghai")
T0 = datetime(2026, 11, 1, 10, 0, tzinfo=SH)
H = timedelta(hours=1)


def shipped(number: str = "YT8962646785389", carrier: str = "YTO", at: datetime = T0) -> Parcel:
    o = f.order(status="shipped")
    return Parcel.objects.create(order=o, state="shipped", carrier_code=carrier, waybill=number, shipped_at=at)


def ev(number: str, at: datetime, status: S, context: str = "", city: str = "杭州市") -> Event:
    return Event(number, "YTO", at, status, "", context or str(status), city, "", "test")


def cases():
    return list(ExceptionCase.objects.order_by("id").values_list("type", "state", "since", "resolution"))


def kinds(order_id):
    return list(OrderEvent.objects.filter(order_id=order_id, kind__startswith="exception").order_by("id")
                .values_list("kind", flat=True))


def test_no_pickup_after_24_hours_opens_once_and_a_pickup_resolves_it():
    p = shipped()
    # given 23 hours after shipping: nothing yet
    assert sweep(now=T0 + 23 * H)["opened"] == 0
    # when the sweep runs after 24 hours, twice
    first = sweep(now=T0 + 25 * H)
    second = sweep(now=T0 + 26 * H)
    # then one case, since exactly shipped_at + 24 h
    assert (first["opened"], second["opened"]) == (1, 0)
    assert cases() == [("no_pickup", "open", T0 + 24 * H, "")]
    case = ExceptionCase.objects.get()
    assert (case.severity, case.parcel_id, case.order_id) == ("urgent", p.pk, p.order_id)
    assert case.evidence == {"shipped_at": "2026-11-01T02:00:00+00:00", "no_pickup_hours": 24}
    # when the pickup scan arrives (late, but it arrives)
    ingest([ev(p.waybill, T0 + 27 * H, S.PICKED_UP, "【杭州市】已揽收")], now=T0 + 28 * H)
    # then the case is resolved: cause gone; the order timeline shows both steps
    assert cases() == [("no_pickup", "resolved", T0 + 24 * H, "cause_gone")]
    assert kinds(p.order_id) == ["exception_opened", "exception_resolved"]
    assert sweep(now=T0 + 30 * H)["opened"] == 0


def test_stale_tracking_is_raised_at_last_event_plus_48h_and_cleared_by_a_new_scan():
    p = shipped()
    ingest([ev(p.waybill, T0 + 2 * H, S.PICKED_UP), ev(p.waybill, T0 + 8 * H, S.IN_TRANSIT)], now=T0 + 9 * H)
    assert sweep(now=T0 + 55 * H)["opened"] == 0
    assert sweep(now=T0 + 57 * H)["opened"] == 1
    assert cases() == [("stale", "open", T0 + 56 * H, "")]
    ingest([ev(p.waybill, T0 + 58 * H, S.IN_TRANSIT, "到达成都转运中心", "成都")], now=T0 + 58 * H)
    assert cases() == [("stale", "resolved", T0 + 56 * H, "cause_gone")]


def test_ship_by_near_then_passed_with_estimated_compensation():
    o = f.order(status="ready", amount="99.00")
    ship_by = o.ship_by
    # 3 hours before the deadline: near (since = deadline - 6 h)
    assert sweep(now=ship_by - 3 * H)["opened"] == 1
    assert cases() == [("ship_by_near", "open", ship_by - 6 * H, "")]
    # an hour after the deadline: passed (since = the deadline), near is over
    sweep(now=ship_by + H)
    assert cases() == [("ship_by_near", "resolved", ship_by - 6 * H, "cause_gone"),
                       ("ship_by_passed", "open", ship_by, "")]
    passed = ExceptionCase.objects.get(type="ship_by_passed")
    assert passed.estimated_compensation == Decimal("5.00")  # 5% of ¥99 is under the ¥5 floor
    assert passed.evidence["estimate"] is True
    assert passed.severity == "urgent" and passed.parcel_id is None
    # the sweep again changes nothing
    assert sweep(now=ship_by + 2 * H) == {"parcels": 0, "orders": 1, "opened": 0, "closed": 0}
    assert kinds(o.pk) == ["exception_opened", "exception_opened", "exception_resolved"]


def test_shipping_late_keeps_the_passed_case_open_for_the_money():
    o = f.order(status="ready", amount="800.00")
    sweep(now=o.ship_by + H)
    o.status = "shipped"
    o.save()
    Parcel.objects.create(order=o, state="shipped", carrier_code="YTO", waybill="YT8962646785389",
                          shipped_at=o.ship_by + 2 * H)
    sweep(now=o.ship_by + 3 * H)
    assert cases() == [("ship_by_passed", "open", o.ship_by, "")]
    assert ExceptionCase.objects.get().estimated_compensation == Decimal("30.00")  # capped at ¥30


def test_a_refusal_opens_a_case_and_a_person_resolves_it_once():
    p = shipped()
    ingest([ev(p.waybill, T0 + 2 * H, S.PICKED_UP), ev(p.waybill, T0 + 30 * H, S.REFUSED, "收件人拒签")],
           now=T0 + 31 * H)
    case = ExceptionCase.objects.get(type="refused")
    assert (case.state, case.since) == ("open", T0 + 30 * H)
    exceptions.resolve(case_id=case.pk, resolution="已联系买家，重新派送")
    ingest([ev(p.waybill, T0 + 30 * H, S.REFUSED, "收件人拒签")], now=T0 + 32 * H)  # the same event again
    assert cases() == [("refused", "resolved", T0 + 30 * H, "已联系买家，重新派送")]


def test_raise_and_clear_is_idempotent():
    p = shipped()
    sweep(now=T0 + 25 * H)
    case = ExceptionCase.objects.get()
    from fahuo.tracking.exception_rules import Finding, FindingType, Severity

    x = Finding(FindingType.NO_PICKUP, Severity.URGENT, case.cause_key, case.title, case.evidence, case.since)
    assert exceptions.raise_and_clear(order=p.order, parcel=p, findings=[x], now=T0 + 40 * H) == (0, 0)
    assert exceptions.raise_and_clear(order=p.order, parcel=p, findings=[], now=T0 + 41 * H) == (0, 1)
    assert exceptions.raise_and_clear(order=p.order, parcel=p, findings=[], now=T0 + 42 * H) == (0, 0)


def test_a_cancelled_order_closes_its_ship_by_cases():
    o = f.order(status="ready", amount="99.00")
    sweep(now=o.ship_by + H)
    o.status = "cancelled"
    o.save()
    counts = sweep(now=o.ship_by + 2 * H)
    assert (counts["orders"], counts["closed"]) == (1, 1)
    assert cases() == [("ship_by_passed", "resolved", o.ship_by, "cause_gone")]
