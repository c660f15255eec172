"""通知设置 and the buyer-message partial through Django's test client."""

from __future__ import annotations

import html as htmllib
import re

import pytest

from fahuo.notify.models import Channel, Notification, NotifySettings
from tests import factories as f

pytestmark = pytest.mark.django_db


def text(resp) -> str:
    return htmllib.unescape(resp.content.decode())


def textarea(resp) -> str:
    return htmllib.unescape(re.search(r'<textarea id="buyer-msg-text"[^>]*>(.*?)</textarea>', resp.content.decode(),
                                      re.S).group(1))


def test_owner_adds_a_channel_tests_it_and_sets_the_digest_hour(client, owner):
    client.force_login(owner)
    assert "通知设置" in text(client.get("/more/"))
    page = client.get("/notify/")
    assert page.status_code == 200 and "还没有通知通道。" in text(page)
    r = client.post("/notify/channels/new/", {"name": "日志", "kind": "log", "enabled": "1", "takes_urgent": "1"},
                    follow=True)
    assert "通道“日志”已添加" in text(r)
    ch = Channel.objects.get()
    assert (ch.kind, ch.enabled, ch.takes_urgent, ch.takes_digest, ch.takes_buyer_message) == ("log", True, True,
                                                                                               False, False)
    r = client.post(f"/notify/channels/{ch.pk}/test/", follow=True)
    assert "测试通知已发送到“日志”" in text(r)
    assert re.search(r'<span class="badge w-done">已发送</span>\s*<strong>fahuo 测试通知</strong>', r.content.decode())
    r = client.post(f"/notify/channels/{ch.pk}/", {"name": "日志", "kind": "webhook_wecom", "url": "nope"}, follow=True)
    assert "webhook 地址应以 http:// 或 https:// 开头" in text(r)
    assert Channel.objects.get().kind == "log"
    r = client.post("/notify/digest/", {"digest_hour": "7", "digest_enabled": "1"}, follow=True)
    assert "每日汇总设置已保存" in text(r)
    assert (NotifySettings.get().digest_hour, NotifySettings.get().digest_enabled) == (7, True)


def test_a_failed_test_send_shows_the_error(client, owner):
    client.force_login(owner)
    ch = Channel.objects.create(name="坏", kind="webhook_json", url="http://127.0.0.1:9/h")
    r = client.post(f"/notify/channels/{ch.pk}/test/", follow=True)
    assert "测试通知发送失败：无法连接 webhook" in text(r)
    assert Notification.objects.get().state == "failed"


def test_only_the_owner_sees_notify_settings(client, cs_user, packer):
    for user in (cs_user, packer):
        client.force_login(user)
        assert client.get("/notify/").status_code == 403
        assert client.post("/notify/channels/new/", {"name": "x", "kind": "log"}).status_code == 403
        assert "通知设置" not in text(client.get("/more/"))
    assert not Channel.objects.exists()


def test_buyer_message_page_partial_and_switches(client, cs_user, packer):
    o = f.shipped_parcel(number="YT8962646785389", carrier="YTO").order
    client.force_login(cs_user)
    r = client.get(f"/notify/buyer/{o.order_no}/")
    assert r.status_code == 200 and "<html" in r.content.decode()
    assert textarea(r) == (f"亲爱的张三，您好！您在本店的订单 {o.order_no} 已经发货啦，圆通运单号 YT8962646785389。"
                           "可以在淘宝“我的订单”里查看物流，也可以在圆通官网或快递100 输入单号查询。收到后有任何问题请随时联系我们～")
    assert 'data-copy="#buyer-msg-text"' in r.content.decode()
    r = client.get(f"/notify/buyer/{o.order_no}/", {"kind": "delivered_followup", "lang": "en"},
                   headers={"HX-Request": "true"})
    assert "<html" not in r.content.decode()
    assert textarea(r).startswith(f"Hi 张三, your order {o.order_no} has been delivered.")
    r = client.get(f"/notify/buyer/{o.order_no}/", {"kind": "delayed", "reason": "other", "other": "仓库搬家",
                                                    "date": "2026-12-01"}, headers={"HX-Request": "true"})
    assert "因仓库搬家需要晚一些发货，预计 12月1日 前发出" in textarea(r)
    ready = f.order(status="ready")
    r = client.get(f"/notify/buyer/{ready.order_no}/", headers={"HX-Request": "true"})
    assert r.status_code == 200 and "还没有已发货的包裹，不能写发货通知" in text(r)
    assert client.get("/notify/buyer/NOPE/").status_code == 404
    client.force_login(packer)
    assert client.get(f"/notify/buyer/{o.order_no}/").status_code == 403
