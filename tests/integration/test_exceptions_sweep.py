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


# ---- the sweep at scale: constant statements per batch, writes only on change -------------------------------


def _quiet_parcels(n: int, start: int = 0) -> list[Parcel]:
    """n shipped parcels, each picked up and moving an hour ago: nothing to find."""
    out = []
    for i in range(start, start + n):
        p = shipped(number=f"YT{8962646785389 + i}", at=T0)
        ingest([ev(p.waybill, T0 + 2 * H, S.PICKED_UP), ev(p.waybill, T0 + 8 * H, S.IN_TRANSIT)], now=T0 + 9 * H)
        out.append(p)
    return out


def _statements(now, stats=None) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        sweep(now=now, stats=stats)
    return len(ctx.captured_queries)


def test_a_quiet_sweep_costs_the_same_statements_for_4_or_12_parcels_and_writes_nothing():
    _quiet_parcels(4)
    stats: dict[str, int] = {}
    few = _statements(T0 + 10 * H, stats)
    assert stats == {"written": 0}
    _quiet_parcels(8, start=4)
    many = _statements(T0 + 10 * H, stats)
    assert few == many <= 8
    assert stats == {"written": 0}
    assert ExceptionCase.objects.count() == 0


def test_statements_grow_with_batches_not_parcels(monkeypatch, django_assert_max_num_queries):
    from fahuo.tracking.services import sweep as sweep_module

    _quiet_parcels(9)
    one_batch = _statements(T0 + 10 * H)
    monkeypatch.setattr(sweep_module, "BATCH", 3)
    three_batches = _statements(T0 + 10 * H)
    # each more batch: its events and its cases (and one more fetch of the streamed parcels on some drivers)
    assert three_batches - one_batch <= 2 * 3
    with django_assert_max_num_queries(one_batch + 6):
        counts = sweep(now=T0 + 10 * H)
    assert counts == {"parcels": 9, "orders": 0, "opened": 0, "closed": 0}


def test_only_changed_parcels_are_locked_and_rechecked_with_exact_counts():
    quiet = _quiet_parcels(5)
    late = [shipped(number=f"YT{8962646790000 + i}", at=T0 + 20 * H) for i in range(3)]  # never picked up
    stats: dict[str, int] = {}
    # 24 h after the late ones shipped: three no_pickup, and the quiet ones (8 h since their last scan) nothing
    assert sweep(now=T0 + 45 * H, stats=stats) == {"parcels": 8, "orders": 0, "opened": 3, "closed": 0}
    assert stats == {"written": 3}
    assert sweep(now=T0 + 46 * H, stats=stats)["opened"] == 0
    assert stats == {"written": 0}
    # 48 h after their last scan the five quiet ones are stale; the three stay no_pickup
    assert sweep(now=T0 + 57 * H, stats=stats) == {"parcels": 8, "orders": 0, "opened": 5, "closed": 0}
    assert stats == {"written": 5}
    assert sorted(ExceptionCase.objects.values_list("type", flat=True)) == ["no_pickup"] * 3 + ["stale"] * 5
    # two late ones get picked up: exactly two closed, two written
    for p in late[:2]:
        ingest([ev(p.waybill, T0 + 58 * H, S.PICKED_UP)], now=T0 + 58 * H)
    assert ExceptionCase.objects.filter(state="open").count() == 6
    assert sweep(now=T0 + 59 * H, stats=stats)["closed"] == 0 and stats == {"written": 0}
    assert [c.state for c in ExceptionCase.objects.filter(parcel=quiet[0])] == ["open"]


def test_the_sweep_rechecks_under_the_lock_with_the_events_stored_since_the_batch_was_read(monkeypatch):
    """A scan stored between the batch read and the lock is seen: the stale case is not opened."""
    from fahuo.tracking.services import sweep as sweep_module

    [p] = _quiet_parcels(1)
    real = sweep_module._recheck_parcel

    def scan_first(pk, **kw):
        from fahuo.tracking.models import TrackingEvent

        TrackingEvent.objects.create(number=p.waybill, carrier="YTO", at=T0 + 56 * H, status="in_transit",
                                     context="到达成都转运中心", city="成都市", key="late-scan")
        return real(pk, **kw)

    monkeypatch.setattr(sweep_module, "_recheck_parcel", scan_first)
    assert sweep(now=T0 + 57 * H)["opened"] == 0
    assert ExceptionCase.objects.count() == 0


def test_a_transferred_parcel_is_judged_by_the_new_numbers_events():
    p = shipped()
    new = "9812345678901"
    ingest([ev(p.waybill, T0 + 2 * H, S.PICKED_UP),
            ev(p.waybill, T0 + 20 * H, S.TRANSFERRED, f"快件已转交 中国邮政 继续派送，新单号：{new}"),
            ev(new, T0 + 50 * H, S.IN_TRANSIT, "【成都市】到达", "成都市")], now=T0 + 51 * H)
    # 48 h after the old number's last event, but the new number moved at +50 h: not stale until +98 h
    assert sweep(now=T0 + 70 * H)["opened"] == 0
    assert sweep(now=T0 + 99 * H)["opened"] == 1
    assert cases() == [("stale", "open", T0 + 98 * H, "")]


# ---- cases the seller opened ------------------------------------------------------------------------------


def _seller_case(p: Parcel, kind: str) -> ExceptionCase:
    return ExceptionCase.objects.create(order=p.order, parcel=p, type=kind, severity="urgent",
                                        cause_key=f"seller:{kind}", title="卖家登记", since=T0 + H)


def test_seller_cases_are_never_closed_as_cause_gone():
    p = shipped()
    damaged, lost = _seller_case(p, "damaged"), _seller_case(p, "lost")
    assert exceptions.raise_and_clear(order=p.order, parcel=p, findings=[], now=T0 + 2 * H) == (0, 0)
    sweep(now=T0 + 25 * H)  # opens no_pickup, leaves the seller's cases alone
    ingest([ev(p.waybill, T0 + 26 * H, S.PICKED_UP)], now=T0 + 26 * H)  # closes no_pickup only
    sweep(now=T0 + 27 * H)
    assert cases() == [("damaged", "open", T0 + H, ""), ("lost", "open", T0 + H, ""),
                       ("no_pickup", "resolved", T0 + 24 * H, "cause_gone")]
    exceptions.resolve(case_id=damaged.pk, resolution="已理赔")  # a person still can
    lost.refresh_from_db()
    assert ExceptionCase.objects.get(pk=damaged.pk).state == "resolved" and lost.state == "open"


# ---- one number on two orders ------------------------------------------------------------------------------


def test_one_number_on_two_orders_is_found_by_the_sweep_and_kept_by_events():
    p = shipped()
    p.order.waybills = [p.waybill]
    p.order.save()
    other = f.order(status="shipped", order_no="1990000000000000001")
    other.waybills = ["SF1234567890123", p.waybill]
    other.save()
    merged = f.order(status="shipped", order_no="1990000000000000002")  # merged into p's order: the same parcel
    merged.merged_into, merged.waybills = p.order, [p.waybill]
    merged.save()
    ingest([ev(p.waybill, T0 + 2 * H, S.PICKED_UP)], now=T0 + 3 * H)
    assert ExceptionCase.objects.count() == 0  # the per-event check does not scan every order's numbers
    assert sweep(now=T0 + 4 * H)["opened"] == 1
    case = ExceptionCase.objects.get()
    assert (case.type, case.parcel_id, case.since, case.severity) == ("number_on_two_orders", p.pk, T0, "urgent")
    assert case.evidence == {"other_orders": ["1990000000000000001"], "shipped_at": "2026-11-01T02:00:00+00:00"}
    ingest([ev(p.waybill, T0 + 5 * H, S.IN_TRANSIT)], now=T0 + 5 * H)  # a new event keeps it
    assert sweep(now=T0 + 6 * H)["opened"] == 0
    assert cases() == [("number_on_two_orders", "open", T0, "")]
    other.waybills = ["SF1234567890123"]  # the seller corrected the other order in 卖家中心
    other.save()
    assert sweep(now=T0 + 7 * H)["closed"] == 1
    assert cases() == [("number_on_two_orders", "resolved", T0, "cause_gone")]


def test_shared_numbers_groups_in_the_database():
    from fahuo.tracking.services.sweep import shared_numbers

    a = f.order(status="shipped", order_no="1990000000000000011")
    b = f.order(status="completed", order_no="1990000000000000012")
    c = f.order(status="shipped", order_no="1990000000000000013")
    for o, numbers in ((a, ["YT1", "YT2"]), (b, ["YT2"]), (c, ["YT3"])):
        o.waybills = numbers
        o.save()
    assert {k: sorted(v) for k, v in shared_numbers().items()} == {
        "YT2": sorted([("1990000000000000011", a.pk), ("1990000000000000012", b.pk)])}


def test_an_event_that_changes_no_case_reads_the_cases_once_and_writes_none():
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    [p] = _quiet_parcels(1)
    with CaptureQueriesContext(connection) as ctx:
        ingest([ev(p.waybill, T0 + 9 * H, S.IN_TRANSIT, "【成都市】到达成都转运中心", "成都市")], now=T0 + 9 * H)
    touching = [q["sql"] for q in ctx.captured_queries if "tracking_exceptioncase" in q["sql"]]
    assert len(touching) == 1 and touching[0].startswith("SELECT") and "FOR UPDATE" not in touching[0]
    assert ExceptionCase.objects.count() == 0
