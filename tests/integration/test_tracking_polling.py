"""Subscriptions, the polling scheduler and periodic slots: a number is polled by one worker at a time and never
twice within the source's interval; failures back off; a shipped parcel is subscribed after the commit; an abort
with a corrected carrier re-subscribes exactly once; a periodic slot runs once whichever worker fires it."""

from __future__ import annotations

import json
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from fahuo.cli import main
from fahuo.core import clock
from fahuo.core.models import PeriodicRun
from fahuo.core.periodic import claim_slot, once_per_slot
from fahuo.fulfilment.models import Parcel
from fahuo.orders.models import Order, OrderEvent
from fahuo.tracking.models import ParcelTrack, TrackingEvent
from fahuo.tracking.sandbox import kuaidi100_abort
from fahuo.tracking.services import polling, sandbox_player, subscriptions
from fahuo.tracking.services.webhooks import handle_kuaidi100
from fahuo.tracking.sources import kuaidi100
from fahuo.tracking.sources.base import SourceError, SubscribeResult
from fahuo.tracking.sources.kuaidi100 import parse_query_answer
from tests import factories as f
from tests.concurrency import at_once
from tests.fakes import FakeSend

SH = ZoneInfo("Asia/Shanghai")
T0 = datetime(2026, 11, 1, 10, 0, tzinfo=SH)
PAYLOADS = Path(__file__).parent.parent / "unit" / "payloads" / "kuaidi100_tracking"
CREDS = {"FAHUO_KUAIDI100_KEY": "TESTKEY", "FAHUO_KUAIDI100_CUSTOMER": "CUSTOMER01",
         "FAHUO_KUAIDI100_SALT": "s4lt", "FAHUO_PUBLIC_URL": "https://shop.example/"}


class FakeSource:
    """A TrackingSource that records every call and answers what the test says."""

    name = "fake"

    def __init__(self, answers=None, interval=timedelta(minutes=30)) -> None:
        self.min_poll_interval = interval
        self.answers = list(answers or [])
        self.polls: list[tuple[str, str, str]] = []
        self.subscribes: list[tuple[str, str, str, str]] = []

    def subscribe(self, number, com, phone_last4, callback_url, salt):
        self.subscribes.append((number, com, phone_last4, callback_url))
        return SubscribeResult(True, "200", "提交成功")

    def poll(self, number, com, phone_last4):
        self.polls.append((number, com, phone_last4))
        answer = self.answers.pop(0) if self.answers else []
        if isinstance(answer, Exception):
            raise answer
        return answer




@pytest.fixture(autouse=True)
def no_network(monkeypatch):
    def tripwire(*args, **kwargs):
        raise AssertionError("a test reached the network")

    monkeypatch.setattr(kuaidi100, "send", tripwire)
    for name in [*CREDS, "FAHUO_TRACKING_SOURCE", "FAHUO_SANDBOX_POLL_MINUTES", "FAHUO_TRACKING_SAFETY_POLL_HOURS"]:
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def fake(monkeypatch) -> FakeSource:
    source = FakeSource()
    monkeypatch.setattr(subscriptions, "source_for", lambda carrier: source)
    return source


def polled_track(number="YT8962646785389", carrier="YTO", *, mode="poll", next_at=T0, phone="13812345678",
                 **fields) -> ParcelTrack:
    p = f.shipped_parcel(number=number, carrier=carrier, shipped_at=T0 - timedelta(hours=2), phone=phone)
    return ParcelTrack.objects.create(parcel=p, number=number, carrier=carrier, mode=mode, subscribed_at=T0,
                                      next_poll_at=next_at, **fields)


def answer(name: str) -> list:
    return parse_query_answer((PAYLOADS / name).read_text(encoding="utf-8"))


# ---- the claim ---------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_claim_is_won_once_per_due_time():
    t = polled_track()
    assert polling.claim(t.pk, T0, T0 + timedelta(minutes=30)) is True
    assert polling.claim(t.pk, T0, T0 + timedelta(minutes=30)) is False
    t.refresh_from_db()
    assert (t.next_poll_at, t.last_polled_at) == (T0 + timedelta(minutes=30), T0)


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_two_workers_claiming_at_the_same_moment_poll_the_number_once():
    t = polled_track()
    workers = 4
    results = at_once([lambda: polling.claim(t.pk, T0, T0 + timedelta(minutes=30))] * workers)
    assert sorted(results, key=str) == [False] * (workers - 1) + [True]
    t.refresh_from_db()
    assert (t.next_poll_at, t.last_polled_at) == (T0 + timedelta(minutes=30), T0)


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_two_polling_rounds_at_once_ask_the_source_once(monkeypatch):
    t = polled_track()
    source = FakeSource()
    lock = threading.Lock()

    def poll(number, com, phone):
        with lock:
            source.polls.append((number, com, phone))
        return []

    source.poll = poll
    monkeypatch.setattr(subscriptions, "source_for", lambda carrier: source)
    counts = at_once([lambda: polling.tick(now=T0)] * 2)
    assert source.polls == [("YT8962646785389", "yuantong", "5678")]
    assert sorted(c["polled"] for c in counts) == [0, 1]
    t.refresh_from_db()
    assert t.next_poll_at == T0 + timedelta(minutes=30)


# ---- the interval, results, backoff -----------------------------------------------------------------------


@pytest.mark.django_db
def test_a_number_polled_at_t_is_not_due_at_t_plus_29_min_and_due_at_t_plus_30(fake):
    polled_track()
    assert polling.tick(now=T0)["polled"] == 1
    assert polling.due_numbers(T0 + timedelta(minutes=29)) == []
    assert polling.tick(now=T0 + timedelta(minutes=29))["polled"] == 0
    assert len(polling.due_numbers(T0 + timedelta(minutes=30))) == 1
    assert polling.tick(now=T0 + timedelta(minutes=30))["polled"] == 1
    assert fake.polls == [("YT8962646785389", "yuantong", "5678")] * 2


@pytest.mark.django_db
def test_polled_events_go_through_ingest_and_a_delivered_parcel_leaves_the_schedule(fake):
    t = polled_track()
    fake.answers = [answer("query_ok.json")]
    counts = polling.tick(now=T0 + timedelta(days=3))
    assert counts == {"due": 1, "claimed": 1, "polled": 1, "skipped": 0, "events": 5, "stored": 5, "failed": 0,
                      "rate_limited": 0}
    t.refresh_from_db()
    assert (t.status, t.events, t.next_poll_at, t.poll_failures) == ("delivered", 5, None, 0)
    assert t.delivered_at == datetime(2026, 11, 3, 14, 21, 9, tzinfo=SH)
    assert Order.objects.get(pk=t.parcel.order_id).status == "delivered"
    assert TrackingEvent.objects.filter(source="kuaidi100", parcel=t.parcel).count() == 5
    # the same answer again stores nothing new (dedupe), and a final parcel is never due
    assert polling.due_numbers(T0 + timedelta(days=30)) == []


@pytest.mark.django_db
def test_failures_back_off_and_a_success_resets_them(fake):
    t = polled_track()
    fake.answers = [SourceError("unavailable", "down"), SourceError("unavailable", "down"),
                    SourceError("rate_limited", "slow down", retry_after=timedelta(hours=3)),
                    SourceError("auth", "key expired"), []]
    now = T0
    expected = [(1, timedelta(minutes=60)), (2, timedelta(minutes=120)), (3, timedelta(hours=4)),
                (4, timedelta(hours=6))]
    for failures, wait in expected:
        counts = polling.tick(now=now)
        assert (counts["polled"], counts["failed"]) == (1, 1)
        t.refresh_from_db()
        assert (t.poll_failures, t.next_poll_at, t.last_polled_at) == (failures, now + wait, now)
        now = t.next_poll_at
    counts = polling.tick(now=now)
    t.refresh_from_db()
    assert (counts["failed"], t.poll_failures, t.next_poll_at) == (0, 0, now + timedelta(minutes=30))


@pytest.mark.django_db
def test_rate_limited_waits_at_least_twice_the_interval(fake):
    t = polled_track()
    fake.answers = [SourceError("rate_limited", "slow down")]
    assert polling.tick(now=T0)["rate_limited"] == 1
    t.refresh_from_db()
    assert t.next_poll_at == T0 + timedelta(minutes=60)


@pytest.mark.django_db
def test_push_parcels_get_a_safety_poll_only_when_no_event_came_for_12_hours(fake):
    recent = polled_track(mode="push", last_event_at=T0 - timedelta(hours=2))
    quiet = polled_track("YT8962646785390", mode="push", last_event_at=T0 - timedelta(hours=13))
    counts = polling.tick(now=T0)
    assert (counts["polled"], counts["skipped"]) == (1, 1)
    assert fake.polls == [("YT8962646785390", "yuantong", "5678")]
    recent.refresh_from_db()
    quiet.refresh_from_db()
    assert (recent.next_poll_at, recent.last_polled_at) == (T0 + timedelta(hours=10), None)
    assert (quiet.next_poll_at, quiet.last_polled_at) == (T0 + timedelta(hours=12), T0)


@pytest.mark.django_db
def test_safety_interval_is_configurable(fake, monkeypatch):
    monkeypatch.setenv("FAHUO_TRACKING_SAFETY_POLL_HOURS", "6")
    t = polled_track(mode="push")
    polling.tick(now=T0)
    t.refresh_from_db()
    assert t.next_poll_at == T0 + timedelta(hours=6)


@pytest.mark.django_db
def test_a_transferred_parcel_is_polled_under_its_new_number(fake):
    polled_track(transferred_to="YT1111111111111")
    polling.tick(now=T0)
    assert fake.polls == [("YT1111111111111", "yuantong", "5678")]


# ---- the sandbox, end to end -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_demo_parcel_is_polled_from_its_generated_stream(monkeypatch):
    monkeypatch.setenv("FAHUO_SANDBOX_POLL_MINUTES", "1")
    p = f.shipped_parcel(number="FH000000000042", carrier="DEMO", shipped_at=T0)
    track = subscriptions.subscribe(p.pk, now=T0)
    assert (track.mode, track.subscribe_error, track.next_poll_at) == ("poll", "", T0)
    now = T0 + timedelta(days=2)
    monkeypatch.setattr(clock, "now", lambda: now)
    counts = polling.tick(now=now)
    due = [e for e in sandbox_player.stream(Parcel.objects.get(pk=p.pk)) if e.at <= now]
    assert (counts["polled"], counts["events"], counts["stored"]) == (1, len(due), len(due))
    assert sorted(TrackingEvent.objects.filter(parcel=p).values_list("at", flat=True)) == sorted(e.at for e in due)
    track.refresh_from_db()
    assert track.last_polled_at == now


# ---- subscribe on ship ---------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_shipping_a_parcel_queues_its_subscription_after_the_commit(owner, django_capture_on_commit_callbacks):
    from fahuo.fulfilment.services import packing, shipping
    from fahuo.fulfilment.services.waves import WaveFilter, create_wave
    from fahuo.orders.services import decide

    f.sku("A", stock=5)
    o = f.order(("A", 1))
    decide.confirm(order_no=o.order_no, by=None)
    create_wave(by=None, filters=WaveFilter(order_nos=[o.order_no]))
    parcel = Parcel.objects.get()
    packing.scan_item(parcel_id=parcel.pk, code="A")
    with django_capture_on_commit_callbacks(execute=True):
        packing.complete(parcel_id=parcel.pk)
    assert ParcelTrack.objects.count() == 0  # packed is not shipped
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        shipping.ship(code=parcel.waybill, by=owner)
    assert len(callbacks) >= 1
    t = ParcelTrack.objects.get(parcel=parcel)
    assert (t.number, t.carrier, t.mode, t.subscribe_error, t.poll_failures) == (
        parcel.waybill, "DEMO", "poll", "", 0)
    assert t.subscribed_at is not None and t.next_poll_at == t.subscribed_at
    # shipping again (harmless) and a second job change nothing
    first = t.subscribed_at
    with django_capture_on_commit_callbacks(execute=True):
        shipping.ship(code=parcel.waybill, by=owner)
    subscriptions.subscribe(parcel.pk)
    t.refresh_from_db()
    assert t.subscribed_at == first


@pytest.mark.django_db
def test_with_a_public_url_a_kuaidi100_parcel_is_subscribed_for_pushes(monkeypatch):
    for k, v in CREDS.items():
        monkeypatch.setenv(k, v)
    fake_send = FakeSend((PAYLOADS / "subscribe_ok.json").read_text(encoding="utf-8"))
    monkeypatch.setattr(kuaidi100, "send", fake_send)
    p = f.shipped_parcel(number="SF1385628716739", carrier="SF", shipped_at=T0, phone="13812345678")
    t = subscriptions.subscribe(p.pk, now=T0)
    assert (t.mode, t.subscribe_error, t.next_poll_at) == ("push", "", T0 + timedelta(hours=12))
    url, form, _timeout = fake_send.calls[0]
    assert url == "https://poll.kuaidi100.com/poll"
    assert json.loads(form["param"]) == {
        "company": "shunfeng", "number": "SF1385628716739", "key": "TESTKEY",
        "parameters": {"callbackurl": "https://shop.example/hooks/kuaidi100", "salt": "s4lt", "resultv2": "4",
                       "phone": "5678"}}


@pytest.mark.django_db
def test_a_refused_subscription_falls_back_to_polling(monkeypatch):
    for k, v in CREDS.items():
        monkeypatch.setenv(k, v)
    monkeypatch.setattr(kuaidi100, "send", FakeSend((PAYLOADS / "subscribe_unsupported.json").read_text()))
    p = f.shipped_parcel(number="SF1385628716739", carrier="SF", shipped_at=T0)
    t = subscriptions.subscribe(p.pk, now=T0)
    assert (t.mode, t.next_poll_at) == ("poll", T0)
    assert t.subscribe_error == ("bad_number: 快递100 不接受这个单号或快递公司 (number or carrier refused) "
                                 "[700 POLL:不支持的快递公司：shunfen]")


@pytest.mark.django_db
def test_without_a_source_a_parcel_is_tracked_by_pushes_only_until_one_is_configured(monkeypatch):
    p = f.shipped_parcel(number="YT8962646785389", carrier="YTO", shipped_at=T0)
    t = subscriptions.subscribe(p.pk, now=T0)
    assert (t.mode, t.next_poll_at, t.subscribe_error) == ("", None, "no_source: 没有可用的物流来源 (no source)")
    assert subscriptions.subscribe_pending(now=T0) == {"resubscribed": 0, "subscribed": 0}
    monkeypatch.setenv("FAHUO_KUAIDI100_KEY", "K")
    monkeypatch.setenv("FAHUO_KUAIDI100_CUSTOMER", "C")
    assert subscriptions.subscribe_pending(now=T0 + timedelta(hours=1)) == {"resubscribed": 0, "subscribed": 1}
    t.refresh_from_db()
    assert (t.mode, t.next_poll_at, t.subscribe_error) == ("poll", T0 + timedelta(hours=1), "")


@pytest.mark.django_db
def test_the_safety_net_subscribes_a_shipped_parcel_whose_job_was_lost(fake):
    now = clock.now()
    p = f.shipped_parcel(number="YT8962646785389", carrier="YTO", shipped_at=now - timedelta(hours=1))
    old = f.shipped_parcel(number="YT8962646785390", carrier="YTO", shipped_at=now - timedelta(days=40))
    assert subscriptions.subscribe_pending(now=now) == {"resubscribed": 0, "subscribed": 1}
    assert ParcelTrack.objects.get(parcel=p).subscribed_at == now
    assert not ParcelTrack.objects.filter(parcel=old).exists()
    assert subscriptions.subscribe_pending(now=now) == {"resubscribed": 0, "subscribed": 0}


# ---- resubscribe after an abort --------------------------------------------------------------------------


@pytest.mark.django_db
def test_an_abort_with_a_corrected_carrier_resubscribes_once_under_the_new_com(monkeypatch):
    for k, v in CREDS.items():
        monkeypatch.setenv(k, v)
    fake_send = FakeSend((PAYLOADS / "subscribe_ok.json").read_text(encoding="utf-8"))
    monkeypatch.setattr(kuaidi100, "send", fake_send)
    p = f.shipped_parcel(number="773277027280336", carrier="YTO", shipped_at=T0)
    t = subscriptions.subscribe(p.pk, now=T0)
    assert json.loads(fake_send.calls[0][1]["param"])["company"] == "yuantong"
    body = kuaidi100_abort("773277027280336", "yuantong", "shentong", salt="s4lt")
    assert handle_kuaidi100(param=body["param"], sign=body["sign"]).ok
    t.refresh_from_db()
    assert (t.resubscribe, t.carrier, t.com) == (True, "STO", "shentong")

    later = T0 + timedelta(hours=1)
    assert subscriptions.subscribe_pending(now=later) == {"resubscribed": 1, "subscribed": 0}
    assert subscriptions.subscribe_pending(now=later + timedelta(minutes=5)) == {"resubscribed": 0, "subscribed": 0}
    assert subscriptions.resubscribe(t.pk, now=later) is None  # the flag is claimed once
    assert [json.loads(form["param"])["company"] for _u, form, _t in fake_send.calls] == ["yuantong", "shentong"]
    t.refresh_from_db()
    assert (t.resubscribe, t.mode, t.subscribed_at, t.subscribe_error) == (False, "push", later, "")
    ev = OrderEvent.objects.get(order=p.order, kind="tracking_resubscribed")
    assert ev.message == "按更正后的快递公司重新订阅物流（STO / shentong）"
    assert ev.data == {"waybill": "773277027280336", "carrier": "STO", "com": "shentong", "mode": "push",
                       "error": ""}


@pytest.mark.django_db
def test_a_polled_parcel_after_an_abort_is_queried_under_the_new_com(fake):
    t = polled_track("773277027280336", "YTO", last_polled_at=T0 - timedelta(minutes=10))
    ParcelTrack.objects.filter(pk=t.pk).update(carrier="STO", com="shentong", resubscribe=True)
    subscriptions.subscribe_pending(now=T0)
    t.refresh_from_db()
    # polled 10 minutes ago: the next poll still waits out the 30 minutes
    assert (t.resubscribe, t.mode, t.next_poll_at) == (False, "poll", T0 + timedelta(minutes=20))
    assert fake.subscribes == []  # FakeSource is not the sandbox and has no callback: nothing to subscribe
    polling.tick(now=T0 + timedelta(minutes=20))
    assert fake.polls == [("773277027280336", "shentong", "5678")]


# ---- periodic slots ----------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_slot_is_claimed_once_and_old_slots_are_forgotten():
    slot = datetime(2026, 11, 24, 12, 10, tzinfo=UTC)
    assert claim_slot("t", slot) is True
    assert claim_slot("t", slot) is False
    assert claim_slot("other", slot) is True
    assert claim_slot("t", slot + timedelta(days=8)) is True
    assert sorted(PeriodicRun.objects.values_list("task", "slot")) == [
        ("other", slot), ("t", slot + timedelta(days=8))]


@pytest.mark.django_db
def test_once_per_slot_runs_the_task_once_per_period(monkeypatch):
    runs: list[int] = []

    @once_per_slot(minutes=10, name="test.task")
    def task() -> int:
        runs.append(1)
        return len(runs)

    now = datetime(2026, 11, 24, 12, 10, 3, tzinfo=UTC)
    monkeypatch.setattr(clock, "now", lambda: now)
    assert (task(), task()) == (1, None)
    now = datetime(2026, 11, 24, 12, 19, 59, tzinfo=UTC)
    assert task() is None
    now = datetime(2026, 11, 24, 12, 20, 0, tzinfo=UTC)
    assert task() == 2


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_workers_racing_for_one_slot_run_it_once():
    workers = 6
    slot = datetime(2026, 11, 24, 12, 10, tzinfo=UTC)
    results = at_once([lambda: claim_slot("tracking.tasks.tracking_poll", slot)] * workers)
    assert sorted(results, key=str) == [False] * (workers - 1) + [True]
    assert PeriodicRun.objects.filter(task="tracking.tasks.tracking_poll", slot=slot).count() == 1


def test_every_periodic_task_claims_its_slot():
    from fahuo import jobs
    from fahuo.tracking import tasks

    for t in (tasks.tracking_sweep, tasks.tracking_poll, tasks.tracking_subscribe, jobs.release_expired_holds,
              jobs.retry_short_orders):
        assert t.func.__wrapped__ is not None, t


# ---- CLI ---------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_cli_poll_and_subscribe(fake, capsys, monkeypatch):
    now = clock.now()
    t = polled_track(next_at=now - timedelta(minutes=1))
    fake.answers = [answer("query_ok.json")]
    assert main(["track", "poll", "--limit", "5", "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == {"due": 1, "claimed": 1, "polled": 1, "skipped": 0, "events": 5,
                                                   "stored": 5, "failed": 0, "rate_limited": 0}
    assert main(["track", "poll"]) == 0
    assert capsys.readouterr().out == "到期 0 个，查询 0 个，跳过 0 个，收到 0 条事件（新增 0 条），失败 0 个（限流 0 个）\n"

    p = f.shipped_parcel(number="YT8962646785390", carrier="YTO")
    assert main(["track", "subscribe", "yt8962646785390", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert (out["number"], out["carrier"], out["mode"], out["error"]) == ("YT8962646785390", "YTO", "poll", "")
    assert ParcelTrack.objects.get(parcel=p).mode == "poll"
    assert main(["track", "subscribe", "NOPE123"]) == 1
    assert capsys.readouterr().err == "错误：没有运单号为 NOPE123 的包裹 (no parcel with this number)\n"
    assert t.pk


@pytest.mark.django_db
def test_the_polling_task_runs_once_per_minute_whoever_fires_it(fake, monkeypatch):
    from fahuo.tracking import tasks

    now = datetime(2026, 11, 24, 12, 17, 5, tzinfo=UTC)
    monkeypatch.setattr(clock, "now", lambda: now)
    calls: list[int] = []
    monkeypatch.setattr(polling, "tick", lambda **kw: calls.append(1) or {"due": 0})
    tasks.tracking_poll.call_local()
    tasks.tracking_poll.call_local()  # a second worker's scheduler fired the same minute
    assert calls == [1]
    now = datetime(2026, 11, 24, 12, 18, 0, tzinfo=UTC)
    tasks.tracking_poll.call_local()
    assert calls == [1, 1]
    assert sorted(PeriodicRun.objects.values_list("task", "slot")) == [
        ("fahuo.tracking.tasks.tracking_poll", datetime(2026, 11, 24, 12, 17, tzinfo=UTC)),
        ("fahuo.tracking.tasks.tracking_poll", datetime(2026, 11, 24, 12, 18, tzinfo=UTC))]
