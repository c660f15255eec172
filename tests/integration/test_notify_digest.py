"""The daily digest: exact counts and text, sent once a day at the configured local hour whichever worker
(and however many times) runs the periodic check."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from fahuo.core import clock
from fahuo.notify import digest, services
from fahuo.notify.models import Notification, NotifySettings
from fahuo.tracking.models import ExceptionCase, ParcelTrack
from tests import factories as f

pytestmark = pytest.mark.django_db
H = timedelta(hours=1)


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=clock.SHANGHAI)


NOW = at(24, 10)


def _seed() -> None:
    def order(status: str, ship_by: datetime):
        o = f.order(status=status)
        o.ship_by = ship_by
        o.save(update_fields=["ship_by"])
        return o

    today = order("ready", at(24, 15))  # due later today
    order("packed", at(24, 23, 59))  # due later today
    late = order("ready", at(24, 8))  # overdue
    order("short", at(22, 12))  # overdue
    order("ready", at(25, 0))  # tomorrow
    order("shipped", at(23, 12))  # gone: no longer counted
    order("cancelled", at(23, 12))
    p1 = f.shipped_parcel(number="YT8000000000011", shipped_at=NOW - 30 * H)  # no 揽收 after 30 h
    p2 = f.shipped_parcel(number="YT8000000000012", shipped_at=NOW - 30 * H)
    ParcelTrack.objects.create(parcel=p2, number=p2.waybill, first_scan_at=NOW - 29 * H,
                               delivered_at=at(23, 20), status="delivered")  # delivered yesterday
    f.shipped_parcel(number="YT8000000000013", shipped_at=NOW - 2 * H)  # too early to worry
    p4 = f.shipped_parcel(number="YT8000000000014", shipped_at=NOW - 50 * H)
    ParcelTrack.objects.create(parcel=p4, number=p4.waybill, first_scan_at=NOW - 49 * H,
                               delivered_at=at(24, 9), status="delivered")  # delivered today: not yesterday

    def case(order, type_, opened, state="open"):
        ExceptionCase.objects.create(order=order, type=type_, severity="urgent", cause_key=type_, since=opened,
                                     opened_at=opened, state=state)

    case(late, "ship_by_passed", NOW - 2 * H)
    case(p1.order, "no_pickup", NOW - 30 * H)
    case(today, "no_pickup", NOW - 26 * H)
    case(today, "stale", NOW - 1 * H, state="resolved")


def test_collect_counts_exactly():
    _seed()
    d = digest.collect(now=NOW)
    assert (d.day.isoformat(), d.to_ship_today, d.overdue, d.no_pickup, d.delivered_yesterday, d.new_exceptions) == \
        ("2026-11-24", 2, 2, 1, 1, 2)
    assert d.open_by_type == [("发货未揽收", 2), ("超时未发货", 1)]
    title, text = digest.build(now=NOW)[1:]
    assert title == "发货日报 2026-11-24"
    assert text == ("**今日须发货**：2 单\n**已超时未发货**：2 单\n**发货未揽收**：1 个包裹\n**昨日签收**：1 个包裹\n"
                    "**新增异常（24 小时内）**：2 个\n**处理中的异常**：3 个\n- 发货未揽收：2\n- 超时未发货：1")


def test_digest_goes_once_a_day_at_the_configured_hour(django_capture_on_commit_callbacks):
    _seed()
    services.create_channel(name="日志", kind="log")
    services.create_channel(name="只要紧急", kind="log", takes_digest=False)
    services.set_digest(hour=9)
    with django_capture_on_commit_callbacks(execute=True):
        assert digest.run(now=at(24, 8, 59)) is False  # before 09:00 Beijing time
        assert digest.run(now=at(24, 9, 0)) is True
        assert digest.run(now=at(24, 9, 5)) is False  # another worker, another slot: already claimed
        assert digest.run(now=NOW) is False
        assert digest.send_digest(now=NOW) == []  # and even a direct send is a no-op: digest:<date> exists
    [n] = Notification.objects.all()
    assert (n.channel.name, n.kind, n.dedupe_key, n.state, n.title) == (
        "日志", "digest", "digest:2026-11-24", "sent", "发货日报 2026-11-24")
    assert n.data["to_ship_today"] == 2 and n.data["open_by_type"] == [["发货未揽收", 2], ["超时未发货", 1]]
    assert NotifySettings.get().last_digest_day.isoformat() == "2026-11-24"
    with django_capture_on_commit_callbacks(execute=True):
        assert digest.run(now=at(25, 9, 30)) is True  # the next day
    assert list(Notification.objects.order_by("id").values_list("dedupe_key", flat=True)) == \
        ["digest:2026-11-24", "digest:2026-11-25"]


def test_digest_can_be_switched_off_and_the_hour_is_checked():
    services.set_digest(hour=20, enabled=False)
    assert digest.run(now=at(24, 21)) is False
    services.set_digest(hour=20, enabled=True)
    assert digest.run(now=at(24, 19, 59)) is False
    assert digest.run(now=at(24, 21)) is True
    from fahuo.core.errors import InvalidInput

    with pytest.raises(InvalidInput):
        services.set_digest(hour=24)
