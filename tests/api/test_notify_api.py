"""/api/notify: channels (owner), a test send, the outbox, the digest setting, buyer messages (owner and CS;
packers are refused — the message carries the buyer's name)."""

from __future__ import annotations

import pytest

from fahuo.notify.models import Notification
from tests import factories as f
from tests.notify_hooks import hook_server  # noqa: F401  (fixture)

pytestmark = pytest.mark.django_db


def test_channels_crud_and_test_send(api, hook_server):  # noqa: F811
    r = api.post("/api/notify/channels", {"name": "企业微信群", "kind": "webhook_wecom",
                                          "url": f"{hook_server.url}/cgi-bin/webhook/send?key=k"})
    assert r.status_code == 201, r.content
    ch = r.json()
    assert ch == {"id": ch["id"], "name": "企业微信群", "kind": "webhook_wecom",
                  "url": f"{hook_server.url}/cgi-bin/webhook/send?key=k", "has_secret": False, "email_to": "",
                  "enabled": True, "takes_digest": True, "takes_urgent": True, "takes_buyer_message": False}
    r = api.patch(f"/api/notify/channels/{ch['id']}", {"secret": "s", "takes_digest": False})
    assert (r.status_code, r.json()["has_secret"], r.json()["takes_digest"]) == (200, True, False)
    assert [c["name"] for c in api.get("/api/notify/channels").json()] == ["企业微信群"]

    r = api.post(f"/api/notify/channels/{ch['id']}/test")
    assert r.status_code == 200
    d = r.json()
    assert (d["state"], d["kind"], d["attempts"], d["channel"], d["last_error"]) == ("sent", "test", 1, "企业微信群", "")
    assert hook_server.received[0].json["msgtype"] == "markdown"

    hook_server.default = (200, b'{"errcode":93000,"errmsg":"invalid webhook url"}')
    d = api.post(f"/api/notify/channels/{ch['id']}/test").json()
    assert (d["state"], d["last_error"]) == ("failed", "errcode 93000: invalid webhook url")

    rows = api.get("/api/notify/notifications").json()
    assert [(n["kind"], n["state"]) for n in rows] == [("test", "failed"), ("test", "sent")]
    assert [n["state"] for n in api.get("/api/notify/notifications", state="sent").json()] == ["sent"]
    assert api.get("/api/notify/notifications", kind="digest").json() == []


def test_channel_errors(api):
    r = api.post("/api/notify/channels", {"name": "x", "kind": "webhook_dingtalk", "url": "oapi.dingtalk.com"})
    assert (r.status_code, r.json()["code"]) == (400, "invalid_url")
    r = api.post("/api/notify/channels", {"name": "x", "kind": "sms"})
    assert r.status_code == 422
    assert api.patch("/api/notify/channels/99999", {"enabled": False}).status_code == 404
    assert api.post("/api/notify/channels/99999/test").status_code == 404


def test_digest_settings(api):
    r = api.client.put("/api/notify/settings", '{"digest_hour": 8, "digest_enabled": true}',
                       content_type="application/json", headers=api.headers)
    assert (r.status_code, r.json()) == (200, {"digest_hour": 8, "digest_enabled": True, "language": "zh",
                                               "last_digest_day": None})
    r = api.client.put("/api/notify/settings", '{"digest_hour": 8, "language": "en"}',
                       content_type="application/json", headers=api.headers)
    assert (r.status_code, r.json()["language"]) == (200, "en")
    r = api.client.put("/api/notify/settings", '{"digest_hour": 8, "language": "fr"}',
                       content_type="application/json", headers=api.headers)
    assert r.status_code == 422
    r = api.client.put("/api/notify/settings", '{"digest_hour": 24}', content_type="application/json",
                       headers=api.headers)
    assert r.status_code == 422


def test_only_the_owner_manages_channels(cs_api, packer_api):
    for client in (cs_api, packer_api):
        assert client.get("/api/notify/channels").status_code == 403
        assert client.post("/api/notify/channels", {"name": "x", "kind": "log"}).status_code == 403
        assert client.get("/api/notify/notifications").status_code == 403


def test_buyer_message(api, cs_api, packer_api, django_capture_on_commit_callbacks):
    o = f.shipped_parcel(number="YT8962646785389", carrier="YTO").order
    r = cs_api.get("/api/notify/buyer-message", order_no=o.order_no, kind="shipped", lang="zh")
    assert r.status_code == 200
    assert r.json() == {
        "order_no": o.order_no, "kind": "shipped", "lang": "zh", "reason": None, "number": "YT8962646785389",
        "carrier": "YTO", "queued": 0,
        "text": (f"亲爱的张三，您好！您在本店的订单 {o.order_no} 已经发货啦，圆通运单号 YT8962646785389。"
                 "可以在淘宝“我的订单”里查看物流，也可以在圆通官网或快递100 输入单号查询。收到后有任何问题请随时联系我们～")}
    r = api.get("/api/notify/buyer-message", order_no=o.order_no, kind="delayed", reason="restock", date="2026-12-02")
    assert r.json()["text"].endswith("因商品缺货补货中需要晚一些发货，预计 12月2日 前发出。给您带来不便，敬请谅解；如果不想等待，请联系我们为您处理。")
    assert packer_api.get("/api/notify/buyer-message", order_no=o.order_no).status_code == 403
    r = api.get("/api/notify/buyer-message", order_no="NOPE")
    assert (r.status_code, r.json()["code"]) == (404, "order_not_found")
    ready = f.order(status="ready")
    r = api.get("/api/notify/buyer-message", order_no=ready.order_no, kind="shipped")
    assert (r.status_code, r.json()["code"]) == (409, "not_shipped")
    assert api.get("/api/notify/buyer-message", order_no=o.order_no, kind="refund").status_code == 422

    api.post("/api/notify/channels", {"name": "客服群", "kind": "log", "takes_buyer_message": True})
    with django_capture_on_commit_callbacks(execute=True):
        r = cs_api.post("/api/notify/buyer-message", {"order_no": o.order_no, "kind": "delivered_followup"})
    assert (r.status_code, r.json()["queued"]) == (200, 1)
    assert Notification.objects.get().state == "sent"
    assert packer_api.post("/api/notify/buyer-message", {"order_no": o.order_no}).status_code == 403
