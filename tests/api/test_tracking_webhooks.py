"""Tracking webhooks: 快递100 pushes (MD5 sign with the salt) and the generic JSON format (HMAC-SHA256)."""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.test import Client

from fahuo.fulfilment.models import Parcel
from fahuo.orders.models import Order, OrderEvent
from fahuo.tracking.models import ParcelTrack, TrackingEvent, WebhookLog
from fahuo.tracking.sandbox import (
    COM,
    Place,
    Receiver,
    Scenario,
    generate,
    kuaidi100_abort,
    kuaidi100_push,
    kuaidi100_updateall,
)
from tests import factories as f

pytestmark = pytest.mark.django_db

SH = ZoneInfo("Asia/Shanghai")
T0 = datetime(2026, 11, 1, 10, 0, tzinfo=SH)
SALT = "s3cret-salt"
SECRET = "hook-secret"
SUCCESS = {"result": True, "returnCode": "200", "message": "成功"}


@pytest.fixture(autouse=True)
def secrets(monkeypatch):
    monkeypatch.setenv("FAHUO_KUAIDI100_SALT", SALT)
    monkeypatch.setenv("FAHUO_WEBHOOK_SECRET", SECRET)


def shipped(number: str, carrier: str = "DEMO") -> Parcel:
    o = f.order(status="shipped")
    o.province, o.city, o.district = "四川省", "成都市", "武侯区"
    o.save()
    return Parcel.objects.create(order=o, state="shipped", carrier_code=carrier, waybill=number, shipped_at=T0)


def stream(number: str):
    return generate(number, Place("浙江省", "杭州市", "余杭区"), Receiver("张三", "13800138000", "四川省", "成都市",
                    "武侯区", "人民南路1号"), T0, 7, Scenario.happy(locker=0))


def push(client: Client, body: dict):
    return client.post("/hooks/kuaidi100", body)


def test_a_valid_push_is_answered_with_the_exact_success_json_and_stored():
    p = shipped("FH000000000001")
    events = stream(p.waybill)
    res = push(Client(), kuaidi100_push(p.waybill, COM, events, salt=SALT, resultv2=True))
    assert res.status_code == 200
    assert res.content.decode() == json.dumps(SUCCESS, ensure_ascii=False)
    assert res.json() == SUCCESS
    assert TrackingEvent.objects.filter(number=p.waybill).count() == len(events)
    assert ParcelTrack.objects.get(parcel=p).status == "delivered"
    assert Order.objects.get(pk=p.order_id).status == "delivered"
    log = WebhookLog.objects.get()
    assert (log.kind, log.ok) == ("kuaidi100", True)


def test_a_forged_push_is_refused_logged_and_nothing_is_stored():
    p = shipped("FH000000000001")
    body = kuaidi100_push(p.waybill, COM, stream(p.waybill), salt="not-the-salt")
    res = Client().post("/hooks/kuaidi100", body, REMOTE_ADDR="10.1.2.3")
    assert res.status_code == 403
    assert res.json()["result"] is False and res.json()["returnCode"] == "403"
    assert TrackingEvent.objects.count() == 0
    assert ParcelTrack.objects.count() == 0
    assert Order.objects.get(pk=p.order_id).status == "shipped"
    log = WebhookLog.objects.get()
    assert (log.ok, log.code, log.remote_addr) == (False, "bad_sign", "10.1.2.3")
    assert log.body.startswith('{"status":"polling"')


def test_an_unsigned_push_is_refused():
    p = shipped("FH000000000001")
    body = kuaidi100_push(p.waybill, COM, stream(p.waybill), salt=SALT)
    res = push(Client(), {"param": body["param"]})
    assert res.status_code == 403
    assert TrackingEvent.objects.count() == 0
    assert WebhookLog.objects.get().code == "bad_sign"


def test_unparseable_input_is_400():
    param = "{not json"
    sign = hashlib.md5((param + SALT).encode()).hexdigest().upper()
    res = push(Client(), {"param": param, "sign": sign})
    assert res.status_code == 400
    assert res.json()["returnCode"] == "400"
    assert WebhookLog.objects.get().code == "kuaidi100_bad_json"


def test_updateall_re_push_is_harmless():
    p = shipped("FH000000000001")
    events = stream(p.waybill)
    c = Client()
    for i in range(1, len(events) + 1):  # one push per event, as a subscription sends them
        assert push(c, kuaidi100_push(p.waybill, COM, events[:i], salt=SALT)).json() == SUCCESS
    before = (list(TrackingEvent.objects.values_list("key", flat=True)), ParcelTrack.objects.get(parcel=p).status,
              OrderEvent.objects.filter(order_id=p.order_id).count())
    res = push(c, kuaidi100_updateall(p.waybill, COM, events, salt=SALT))
    assert res.json() == SUCCESS
    after = (list(TrackingEvent.objects.values_list("key", flat=True)), ParcelTrack.objects.get(parcel=p).status,
             OrderEvent.objects.filter(order_id=p.order_id).count())
    assert after == before
    assert before[1] == "delivered"


def test_generic_json_signed_with_hmac():
    p = shipped("YT8962646785389", "YTO")
    body = json.dumps({"number": p.waybill, "carrier": "圆通", "events": [
        {"time": "2026-11-01T12:00:00+08:00", "status": "picked_up", "context": "【杭州市】已揽收"},
        {"time": "2026-11-02T09:00:00", "status": "in_transit", "context": "到达成都转运中心", "city": "成都"},
    ]}, ensure_ascii=False).encode()
    sig = "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
    c = Client()
    res = c.post("/hooks/tracking", body, content_type="application/json", headers={"X-Fahuo-Signature": sig})
    assert res.status_code == 200, res.content
    assert res.json()["stored"] == 2
    t = ParcelTrack.objects.get(parcel=p)
    assert (t.status, t.picked_up_at) == ("in_transit", T0 + timedelta(hours=2))
    # forged: refused, logged, nothing more stored
    res = c.post("/hooks/tracking", body.replace(b"in_transit", b"delivered"), content_type="application/json",
                 headers={"X-Fahuo-Signature": sig})
    assert res.status_code == 403
    assert TrackingEvent.objects.count() == 2
    assert list(WebhookLog.objects.order_by("id").values_list("ok", "code")) == [(True, "ok"), (False, "bad_signature")]


def test_abort_with_a_corrected_carrier_records_it_for_a_new_subscription():
    p = shipped("YT8962646785389", "YTO")
    res = push(Client(), kuaidi100_abort(p.waybill, "yuantong", "zhongtong", salt=SALT))
    assert res.json() == SUCCESS
    t = ParcelTrack.objects.get(parcel=p)
    assert (t.carrier, t.com, t.resubscribe) == ("ZTO", "zhongtong", True)
    assert Parcel.objects.get(pk=p.pk).carrier_code == "ZTO"
    row = OrderEvent.objects.get(order_id=p.order_id, kind="tracking_carrier_corrected")
    assert "ZTO" in row.message


# ---- the tracking API -----------------------------------------------------------------------------------


def test_parcel_state_and_timeline_newest_first(api):
    p = shipped("FH000000000001")
    events = stream(p.waybill)
    push(Client(), kuaidi100_push(p.waybill, COM, events, salt=SALT, resultv2=True))
    res = api.get(f"/api/tracking/parcels/{p.waybill}")
    assert res.status_code == 200
    body = res.json()
    assert (body["status"], body["status_zh"], body["order_no"]) == ("delivered", "已签收", p.order.order_no)
    assert len(body["timeline"]) == len(events)
    assert body["timeline"][0]["status"] == "delivered"
    assert body["timeline"][-1]["status"] == "picked_up"
    assert api.get("/api/tracking/parcels/NOPE0000000").status_code == 404


def test_exception_queue_assign_note_resolve(api, packer, packer_api):
    from fahuo.tracking.services.sweep import sweep

    p = shipped("YT8962646785389", "YTO")
    sweep(now=T0 + timedelta(hours=25))
    [case] = api.get("/api/tracking/exceptions", type="no_pickup").json()
    assert (case["type"], case["state"], case["waybill"], case["order_no"]) == (
        "no_pickup", "open", p.waybill, p.order.order_no)
    assert api.get("/api/tracking/exceptions", type="stale").json() == []
    cid = case["id"]
    res = api.post(f"/api/tracking/exceptions/{cid}/assign", {"username": "packer"})
    assert res.status_code == 200 and res.json()["assigned_to"] == "packer"
    res = api.post(f"/api/tracking/exceptions/{cid}/note", {"text": "已打电话给圆通网点"})
    assert res.json()["notes"][0]["text"] == "已打电话给圆通网点"
    res = api.post(f"/api/tracking/exceptions/{cid}/resolve", {"resolution": "网点已补扫揽收"})
    assert (res.json()["state"], res.json()["resolution"]) == ("resolved", "网点已补扫揽收")
    assert api.post(f"/api/tracking/exceptions/{cid}/resolve", {"resolution": "again"}).status_code == 409
    assert api.post("/api/tracking/exceptions/999999/note", {"text": "x"}).status_code == 404
    assert api.get("/api/tracking/exceptions", state="resolved").json()[0]["id"] == cid
    kinds = list(OrderEvent.objects.filter(order_id=p.order_id).values_list("kind", flat=True))
    assert kinds == ["exception_opened", "exception_assigned", "exception_note", "exception_resolved"]


def test_only_the_owner_runs_the_sweep(api, packer_api):
    assert packer_api.post("/api/tracking/sweep").status_code == 403
    res = api.post("/api/tracking/sweep")
    assert res.status_code == 200
    assert set(res.json()) == {"parcels", "orders", "opened", "closed"}


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_concurrent_pushes_are_all_accepted_and_stored_once():
    import threading

    from django.db import connections

    p = shipped("FH000000000001")
    events = stream(p.waybill)
    bodies = [kuaidi100_push(p.waybill, COM, events[: max(1, len(events) - i)], salt=SALT) for i in range(6)]
    answers: list[object] = []
    barrier = threading.Barrier(len(bodies))

    def send(body: dict) -> None:
        try:
            barrier.wait()
            r = Client().post("/hooks/kuaidi100", body)
            answers.append((r.status_code, r.json()))
        except Exception as e:  # noqa: BLE001
            answers.append(repr(e))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=send, args=(b,)) for b in bodies]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)

    assert answers == [(200, SUCCESS)] * len(bodies)
    assert TrackingEvent.objects.filter(number=p.waybill).count() == len(events)
    assert ParcelTrack.objects.get(parcel=p).status == "delivered"
    assert OrderEvent.objects.filter(order_id=p.order_id, kind="delivered").count() == 1
    assert WebhookLog.objects.filter(ok=True).count() == len(bodies)


def test_a_number_no_carrier_uses_is_400_and_nothing_is_stored():
    body = json.dumps({"number": "Y" * 60, "events": [{"time": "2026-11-01T12:00:00", "status": "in_transit"}]})
    sig = hmac.new(SECRET.encode(), body.encode(), hashlib.sha256).hexdigest()
    res = Client().post("/hooks/tracking", body, content_type="application/json", headers={"X-Fahuo-Signature": sig})
    assert res.status_code == 400
    assert res.json()["code"] == "bad_number"
    assert TrackingEvent.objects.count() == 0
    assert WebhookLog.objects.get().code == "bad_number"


def test_a_push_that_changes_no_case_costs_a_fixed_handful_of_statements(monkeypatch):
    """Check the signature, store the event (linked to its parcel), re-fold, check the cases once, log the call:
    9 statements (10 on PostgreSQL, which locks the parcel), however long the trace already is."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from fahuo.core import clock

    p = shipped("FH000000000123")
    events = stream(p.waybill)
    client = Client()
    counts = []
    for n in (4, 8):
        monkeypatch.setattr(clock, "now", lambda n=n: events[n - 1].at)
        push(client, kuaidi100_push(p.waybill, COM, events[:n - 1], salt=SALT, resultv2=True))
        with CaptureQueriesContext(connection) as ctx:
            res = push(client, kuaidi100_push(p.waybill, COM, events[:n], salt=SALT, resultv2=True))
        assert res.status_code == 200
        counts.append(len([q for q in ctx.captured_queries if "SAVEPOINT" not in q["sql"]]))

    lock = 1 if connection.features.has_select_for_update else 0
    assert counts == [9 + lock, 9 + lock]
    assert TrackingEvent.objects.filter(number=p.waybill, parcel__isnull=True).count() == 0
