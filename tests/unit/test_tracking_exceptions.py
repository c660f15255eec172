"""Exception rules: each type raised with its exact `since`, absent without its cause, cleared when it goes."""

from dataclasses import replace
from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from fahuo.tracking.events import Event, fold
from fahuo.tracking.exception_rules import (
    Finding,
    Limits,
    OrderFacts,
    ParcelFacts,
    Severity,
    city_key,
    distance_class,
    estimate_compensation,
    find_exceptions,
    km_between,
    same_place,
)
from fahuo.tracking.statuses import TrackStatus

S = TrackStatus
BJ = ZoneInfo("Asia/Shanghai")
SHIPPED = datetime(2024, 6, 1, 10, 0, tzinfo=BJ)
N = "YT8962646785389"


def at(hours: float) -> datetime:
    return SHIPPED + timedelta(hours=hours)


def ev(hours, status, context="", city="", reason="", number=N):
    return Event(number, "YTO", at(hours), status, reason, context or f"{status} +{hours}h", city)


def facts(events=(), now_h=30.0, **kw):
    base = dict(order_no="O1", now=at(now_h), number=N, carrier="YTO", shipped_at=SHIPPED,
                receiver_province="广东省", receiver_city="广州市", receiver_district="天河区",
                sender_province="浙江省", sender_city="金华市", track=fold(events), amount=Decimal("80.00"))  # fmt: skip
    base.update(kw)
    return ParcelFacts(**base)


def of_type(findings: list[Finding], t: str) -> list[Finding]:
    return [f for f in findings if f.type == t]


def one(findings: list[Finding], t: str) -> Finding:
    found = of_type(findings, t)
    assert len(found) == 1, findings
    return found[0]


JOURNEY = [
    ev(2, S.PICKED_UP, "快件已由 义乌分拨中心 揽收", "义乌"),
    ev(5, S.IN_TRANSIT, "快件已从 义乌分拨中心 发出", "义乌"),
    ev(20, S.IN_TRANSIT, "快件已到达 广州转运中心", "广州"),
    ev(26, S.OUT_FOR_DELIVERY, "【广州市】快件正在派送中", "广州市"),
    ev(28, S.DELIVERED, "【广州市】您的快件已签收", "广州市"),
]


def test_a_normal_delivered_parcel_has_no_findings():
    assert find_exceptions(facts(JOURNEY, now_h=200)) == []


# ---- ship-by ---------------------------------------------------------------------------------------------

SHIP_BY = datetime(2024, 6, 3, 18, 0, tzinfo=BJ)


def unshipped(now: datetime, status="ready", amount="80.00", **kw):
    return ParcelFacts(order_no="O1", now=now, order=OrderFacts(ship_by=SHIP_BY, status=status),
                       amount=Decimal(amount), **kw)  # fmt: skip


def test_ship_by_near_from_exactly_due_soon_hours_before():
    assert find_exceptions(unshipped(SHIP_BY - timedelta(hours=6, seconds=1))) == []
    f = one(find_exceptions(unshipped(SHIP_BY - timedelta(hours=6))), "ship_by_near")
    assert f.since == datetime(2024, 6, 3, 12, 0, tzinfo=BJ)
    assert f.severity == Severity.URGENT
    assert f.cause_key == "ship_by_near:O1::20240603T100000Z"
    assert f.evidence == {"ship_by": "2024-06-03T18:00:00+08:00", "due_soon_hours": 6}
    # the same cause an hour later: the same finding
    assert find_exceptions(unshipped(SHIP_BY - timedelta(hours=5))) == [f]


def test_ship_by_passed_replaces_near_and_carries_the_estimated_compensation():
    found = find_exceptions(unshipped(SHIP_BY))
    assert of_type(found, "ship_by_near") == []
    f = one(found, "ship_by_passed")
    assert f.since == SHIP_BY
    assert f.estimated_compensation == Decimal("5.00")  # 5% of 80 = 4 → at least 5
    assert f.evidence["estimate"] is True and f.evidence["estimated_compensation"] == "5.00"
    assert "估算" in f.title_zh
    assert f.cause_key == "ship_by_passed:O1::20240603T100000Z"


def test_ship_by_is_cleared_by_shipping_and_never_raised_for_closed_orders():
    assert find_exceptions(replace(unshipped(SHIP_BY + timedelta(hours=1)), shipped_at=SHIP_BY)) == []
    assert find_exceptions(unshipped(SHIP_BY + timedelta(hours=1), status="cancelled")) == []
    assert find_exceptions(unshipped(SHIP_BY + timedelta(hours=1), status="shipped")) == []
    no_deadline = ParcelFacts(order_no="O1", now=SHIP_BY, order=OrderFacts(ship_by=None, status="ready"))
    assert find_exceptions(no_deadline) == []


@pytest.mark.parametrize(
    "amount, expected",
    [("0", "5.00"), ("100.00", "5.00"), ("100.20", "5.01"), ("233.00", "11.65"), ("600.00", "30.00"),
     ("599.99", "30.00"), ("10000", "30.00")],
)  # fmt: skip
def test_compensation_is_percent_within_min_and_max(amount, expected):
    assert estimate_compensation(Decimal(amount), Limits()) == Decimal(expected)


def test_compensation_follows_the_settings():
    lim = Limits(compensation_percent=Decimal(10), compensation_min=Decimal(0), compensation_max=Decimal(100))
    assert estimate_compensation(Decimal("2000"), lim) == Decimal("100.00")
    assert estimate_compensation(Decimal("33.33"), lim) == Decimal("3.33")


# ---- no 揽收 (虚假发货 risk) -------------------------------------------------------------------------------


def test_no_pickup_from_exactly_shipped_at_plus_the_limit():
    assert of_type(find_exceptions(facts([], now_h=24 - 1 / 3600)), "no_pickup") == []
    f = one(find_exceptions(facts([], now_h=24)), "no_pickup")
    assert f.since == at(24)
    assert f.severity == Severity.URGENT
    assert f.cause_key == f"no_pickup:O1:{N}"
    # 已下单 / 待揽收 / 销单 are not scans
    waiting = [ev(1, S.AWAITING_PICKUP, "已下单"), ev(3, S.EXCEPTION, "已销单", reason="cancelled")]
    assert one(find_exceptions(facts(waiting, now_h=30)), "no_pickup").since == at(24)


def test_no_pickup_is_cleared_by_any_scan_even_a_late_one_and_follows_the_setting():
    assert of_type(find_exceptions(facts([ev(40, S.IN_TRANSIT)], now_h=41)), "no_pickup") == []
    f = one(find_exceptions(facts([], now_h=13, limits=Limits(no_pickup_hours=12))), "no_pickup")
    assert f.since == at(12)


# ---- stale -------------------------------------------------------------------------------------------------


def test_stale_from_exactly_the_last_event_plus_the_limit():
    events = JOURNEY[:3]  # last event at +20 h
    assert of_type(find_exceptions(facts(events, now_h=68 - 1 / 3600)), "stale") == []
    f = one(find_exceptions(facts(events, now_h=68)), "stale")
    assert f.since == at(68)
    assert f.cause_key == f"stale:O1:{N}:20240601T220000Z"  # keyed by the last event (+20 h)
    # a new event clears it; a new silence is a new cause
    later = [*events, ev(70, S.IN_TRANSIT)]
    assert of_type(find_exceptions(facts(later, now_h=71)), "stale") == []
    again = one(find_exceptions(facts(later, now_h=200)), "stale")
    assert again.since == at(118) and again.cause_key != f.cause_key


def test_a_carrier_declared_stale_starts_at_its_event_and_lockers_do_not_go_stale():
    f = one(
        find_exceptions(facts([*JOURNEY[:3], ev(30, S.STALE, "超时未更新", reason="no_update")])), "stale"
    )
    assert f.since == at(30)
    locker = [*JOURNEY[:4], ev(27, S.IN_LOCKER, "快件已放入菜鸟驿站", "广州市")]
    assert of_type(find_exceptions(facts(locker, now_h=500)), "stale") == []


# ---- 疑难 / 拒签 / 退回 / 退签 / 破损 / 丢失 --------------------------------------------------------------------


def test_problem_since_the_exception_event_and_cleared_when_the_parcel_moves_on():
    events = [*JOURNEY[:3], ev(22, S.EXCEPTION, "快件滞留", reason="held")]
    f = one(find_exceptions(facts(events)), "problem")
    assert (f.since, f.evidence["reason"], f.title_zh) == (at(22), "held", "疑难件：滞留")
    assert f.cause_key == f"problem:O1:{N}:20240602T000000Z"
    assert of_type(find_exceptions(facts([*events, ev(25, S.IN_TRANSIT)])), "problem") == []


@pytest.mark.parametrize(
    "tail, t, since",
    [
        ([ev(27, S.REFUSED, "收件人拒收")], "refused", 27),
        ([ev(27, S.REFUSED), ev(29, S.RETURNING, "退回")], "returning", 29),
        ([ev(27, S.REFUSED), ev(29, S.RETURNING), ev(60, S.RETURNED, "退签")], "returned", 60),
    ],
)
def test_refused_returning_returned(tail, t, since):
    found = find_exceptions(facts([*JOURNEY[:4], *tail], now_h=61))
    assert [f.type for f in found if f.type in ("refused", "returning", "returned")] == [t]
    assert one(found, t).since == at(since)


def test_refused_is_cleared_when_the_buyer_signs_after_all():
    events = [
        *JOURNEY[:4],
        ev(27, S.REFUSED),
        ev(40, S.OUT_FOR_DELIVERY, "", "广州市"),
        ev(41, S.DELIVERED, "", "广州市"),
    ]
    assert find_exceptions(facts(events, now_h=42)) == []


def test_damage_reported_by_the_carrier_even_when_delivered_later():
    events = [*JOURNEY[:3], ev(21, S.EXCEPTION, "外包装破损", reason="damage"), *JOURNEY[3:]]
    found = find_exceptions(facts(events, now_h=40))
    f = one(found, "damaged")
    assert (f.since, f.cause_key, f.severity) == (at(21), f"damaged:O1:{N}:carrier", Severity.URGENT)
    assert of_type(found, "problem") == []
    assert of_type(find_exceptions(facts(JOURNEY, now_h=40)), "damaged") == []


def test_lost_reported_by_the_carrier_and_cleared_if_found():
    events = [*JOURNEY[:3], ev(23, S.EXCEPTION, "快件丢失", reason="loss")]
    f = one(find_exceptions(facts(events)), "lost")
    assert (f.since, f.cause_key) == (at(23), f"lost:O1:{N}:carrier")
    assert of_type(find_exceptions(facts([*events, *JOURNEY[3:]], now_h=40)), "lost") == []


# ---- tracking that does not match the order ---------------------------------------------------------------


def test_number_format_mismatch_since_shipping():
    f = one(find_exceptions(facts(JOURNEY, carrier="SF")), "number_format_mismatch")
    assert (f.since, f.cause_key, f.evidence["likely"]) == (
        SHIPPED,
        f"number_format_mismatch:O1:{N}:SF",
        ["YTO"],
    )
    assert of_type(find_exceptions(facts(JOURNEY, carrier="YTO")), "number_format_mismatch") == []
    # a carrier fahuo has no patterns for is never flagged
    assert of_type(find_exceptions(facts(JOURNEY, carrier="NEWCO")), "number_format_mismatch") == []


def test_number_on_two_orders():
    f = one(
        find_exceptions(facts(JOURNEY, number_on_other_orders=["O9", "O1", "O7"])), "number_on_two_orders"
    )
    assert (f.since, f.evidence["other_orders"], f.cause_key) == (
        SHIPPED,
        ["O7", "O9"],
        f"number_on_two_orders:O1:{N}",
    )
    assert (
        of_type(find_exceptions(facts(JOURNEY, number_on_other_orders=["O1"])), "number_on_two_orders") == []
    )


def test_city_mismatch_since_the_first_last_mile_event_in_the_wrong_city():
    wrong = [
        *JOURNEY[:3],
        ev(26, S.OUT_FOR_DELIVERY, "【深圳市】派送中", "深圳市"),
        ev(28, S.DELIVERED, "【深圳市】已签收", "深圳市"),
    ]
    f = one(find_exceptions(facts(wrong)), "city_mismatch")
    assert (f.since, f.evidence["trace_city"], f.cause_key) == (at(26), "深圳市", f"city_mismatch:O1:{N}")
    # hub scans elsewhere are not a mismatch; the district counts; the right city later clears it
    assert of_type(find_exceptions(facts(JOURNEY)), "city_mismatch") == []
    district = [*JOURNEY[:3], ev(26, S.OUT_FOR_DELIVERY, "【天河】派送中", "天河")]
    assert of_type(find_exceptions(facts(district)), "city_mismatch") == []
    rerouted = [*wrong[:4], ev(40, S.OUT_FOR_DELIVERY, "", "广州"), ev(41, S.DELIVERED, "", "广州市")]
    assert of_type(find_exceptions(facts(rerouted, now_h=42)), "city_mismatch") == []


def test_city_mismatch_ignores_the_return_leg_and_unknown_receivers():
    back = [*JOURNEY[:4], ev(27, S.REFUSED), ev(29, S.RETURNING), ev(50, S.DELIVERED, "已签收", "金华市")]
    assert of_type(find_exceptions(facts(back, now_h=51)), "city_mismatch") == []
    assert (
        of_type(find_exceptions(facts(JOURNEY, receiver_city="", receiver_district="")), "city_mismatch")
        == []
    )


def test_delivered_before_pickup_since_the_pickup():
    events = [ev(2, S.DELIVERED, "已签收", "广州市"), ev(5, S.PICKED_UP, "已揽收", "义乌")]
    found = find_exceptions(facts(events))
    f = one(found, "delivered_before_pickup")
    assert (f.since, f.evidence["delivered_at"]) == (at(5), at(2).isoformat())
    assert of_type(found, "too_fast") == []


def test_too_fast_against_the_distance_class_minimum():
    # 浙江 → 广东 is far (杭州–广州 > 600 km): at least 24 h from 揽收 (+2 h) to 签收
    fast = [ev(2, S.PICKED_UP, "已揽收", "义乌"), ev(25, S.DELIVERED, "已签收", "广州市")]
    f = one(find_exceptions(facts(fast)), "too_fast")
    assert (f.since, f.evidence["hours"], f.evidence["distance_class"], f.evidence["minimum_hours"]) == (
        at(25), 23.0, "far", 24.0)  # fmt: skip
    ok = [ev(2, S.PICKED_UP, "已揽收", "义乌"), ev(26, S.DELIVERED, "已签收", "广州市")]
    assert of_type(find_exceptions(facts(ok)), "too_fast") == []
    # without the sender's province nothing is guessed
    assert of_type(find_exceptions(facts(fast, sender_province="")), "too_fast") == []


def test_too_fast_without_a_pickup_scan_counts_from_shipping():
    only_signed = [ev(1, S.DELIVERED, "已签收", "广州市")]
    f = one(find_exceptions(facts(only_signed)), "too_fast")
    assert (f.since, f.evidence["started_at"]) == (at(1), SHIPPED.isoformat())


@pytest.mark.parametrize(
    "sender, receiver, expected",
    [
        (("浙江", "杭州市"), ("浙江省", "杭州"), "same_city"),
        (("北京", ""), ("北京市", "北京市"), "same_city"),
        (("浙江省", "金华市"), ("浙江省", "杭州市"), "same_province"),
        (("浙江省", "金华市"), ("江苏省", "南京市"), "neighbouring"),
        (("浙江省", "金华市"), ("广东省", "广州市"), "far"),
        (("新疆", "乌鲁木齐市"), ("甘肃", "兰州市"), "far"),
        (("火星", ""), ("浙江", ""), None),
    ],
)
def test_distance_classes(sender, receiver, expected):
    assert distance_class(sender[0], sender[1], receiver[0], receiver[1]) == expected


def test_capital_distances_are_plausible():
    assert 230 < km_between("浙江省", "江苏省") < 250
    assert 1000 < km_between("浙江省", "广东省") < 1100


def test_place_names():
    assert city_key("杭州市") == "杭州"
    assert city_key("历城区") == "历城"
    assert city_key("沙市") == "沙市"  # too short to strip
    assert same_place("义乌", "金华市", "义乌市")
    assert same_place("金华义乌", "金华市", "")
    assert not same_place("深圳市", "广州市", "天河区")


# ---- idempotency -------------------------------------------------------------------------------------------


def test_the_same_facts_give_the_same_findings_with_unique_keys():
    events = [*JOURNEY[:3], ev(22, S.EXCEPTION, "快件破损", reason="damage")]
    f = facts(events, now_h=100, carrier="SF", number_on_other_orders=["O2"])
    first, second = find_exceptions(f), find_exceptions(f)
    assert first == second
    keys = [x.cause_key for x in first]
    assert len(keys) == len(set(keys))
    assert [x.since for x in first] == sorted(x.since for x in first)
