"""Buyer messages from an order and its parcels (service and CLI), and sending one to a customer-service group."""

from __future__ import annotations

import json
from datetime import date

import pytest

from fahuo.core.errors import Conflict, InvalidInput, NotFound
from fahuo.core.models import ShopSettings
from fahuo.notify import services
from fahuo.notify.buyer import buyer_message
from fahuo.notify.models import Notification
from fahuo.orders.models import OrderEvent
from tests import factories as f

pytestmark = pytest.mark.django_db

SHIPPED_ZH = ("亲爱的张三，您好！您在小茶铺的订单 {no} 已经发货啦，圆通运单号 YT8962646785389。"
              "可以在淘宝“我的订单”里查看物流，也可以在圆通官网或快递100 输入单号查询。收到后有任何问题请随时联系我们～")


@pytest.fixture
def shipped():
    ShopSettings.objects.update_or_create(pk=1, defaults={"shop_name": "小茶铺"})
    return f.shipped_parcel(number="YT8962646785389", carrier="YTO").order


def test_shipped_message_uses_the_latest_shipped_parcel(shipped):
    res = buyer_message(shipped.order_no, "shipped")
    assert res == {"order_no": shipped.order_no, "kind": "shipped", "lang": "zh",
                   "text": SHIPPED_ZH.format(no=shipped.order_no),
                   "reason": None, "number": "YT8962646785389", "carrier": "YTO", "queued": 0}
    en = buyer_message(shipped.order_no, "shipped", lang="en")["text"]
    assert en == (f"Hi 张三, your order {shipped.order_no} from 小茶铺 has shipped with YTO Express, tracking number "
                  f"YT8962646785389. You can follow it under My Orders on Taobao, or on the YTO Express website or "
                  f"kuaidi100.com with the number. If anything is wrong when it arrives, just message us.")


def test_delayed_and_followup(shipped):
    o = f.order(status="ready", name="李四")
    assert buyer_message(o.order_no, "delayed", reason="pickup", new_date=date(2026, 11, 27))["text"] == (
        f"亲爱的李四，您好！非常抱歉，您的订单 {o.order_no} 因快递揽收延迟需要晚一些发货，预计 11月27日 前发出。"
        "给您带来不便，敬请谅解；如果不想等待，请联系我们为您处理。")
    assert buyer_message(shipped.order_no, "delivered_followup")["text"].startswith(
        f"亲爱的张三，您好！您的订单 {shipped.order_no} 已经签收啦")


def test_refusals():
    o = f.order(status="ready")
    with pytest.raises(NotFound) as e:
        buyer_message("NOPE", "shipped")
    assert e.value.code == "order_not_found"
    with pytest.raises(Conflict) as e:
        buyer_message(o.order_no, "shipped")
    assert (e.value.code, e.value.message) == (
        "not_shipped", f"订单 {o.order_no} 还没有已发货的包裹，不能写发货通知 (the order has no shipped parcel)")
    with pytest.raises(InvalidInput) as e:
        buyer_message(o.order_no, "delayed", reason="other", other="")
    assert e.value.code == "reason_required"
    with pytest.raises(InvalidInput):
        buyer_message(o.order_no, "refund")


def test_send_queues_once_to_buyer_message_channels_and_writes_the_timeline(
        shipped, django_capture_on_commit_callbacks):
    services.create_channel(name="客服群", kind="log", takes_buyer_message=True, takes_urgent=False,
                            takes_digest=False)
    services.create_channel(name="老板", kind="log")  # takes no buyer messages
    with django_capture_on_commit_callbacks(execute=True):
        assert buyer_message(shipped.order_no, "shipped", send=True)["queued"] == 1
        assert buyer_message(shipped.order_no, "shipped", send=True)["queued"] == 0  # the same text: not twice
    [n] = Notification.objects.all()
    assert (n.channel.name, n.kind, n.state) == ("客服群", "buyer_message", "sent")
    assert n.title == f"买家消息 · 发货通知 · 订单 {shipped.order_no}"
    assert n.text == SHIPPED_ZH.format(no=shipped.order_no)
    ev = OrderEvent.objects.get(order=shipped, kind="buyer_message_sent")
    assert (ev.message, ev.data) == (n.title, {"message_kind": "shipped", "lang": "zh", "channels": ["客服群"]})


def run(capsys, *argv: str) -> tuple[int, str, str]:
    from fahuo.cli import main

    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_cli(shipped, capsys, settings):
    code, out, _ = run(capsys, "notify", "buyer-message", shipped.order_no, "--kind", "shipped")
    assert (code, out) == (0, SHIPPED_ZH.format(no=shipped.order_no) + "\n")
    code, out, _ = run(capsys, "notify", "buyer-message", shipped.order_no, "--kind", "delayed", "--reason", "weather",
                       "--date", "2026-12-01", "--lang", "en", "--json")
    d = json.loads(out)
    assert (code, d["kind"], d["lang"], d["reason"]) == (0, "delayed", "en", "weather")
    assert "because of weather or traffic. We now expect to ship it by Dec 1." in d["text"]
    code, _, err = run(capsys, "notify", "buyer-message", "NOPE")
    assert (code, err) == (1, "错误：没有这个订单 NOPE (no such order)\n")

    code, out, _ = run(capsys, "notify", "channels")
    assert (code, out) == (0, "编号  名称  类型  启用  接收\n")
    services.create_channel(name="日志", kind="log")
    code, out, _ = run(capsys, "notify", "channels", "--json")
    assert [(c["name"], c["kind"], c["takes_urgent"]) for c in json.loads(out)] == [("日志", "log", True)]
    code, out, _ = run(capsys, "notify", "test", "日志")
    assert (code, out) == (0, "已发送：测试通知已通过「日志」发出\n")
    code, _, err = run(capsys, "notify", "test", "没有")
    assert (code, err) == (1, "错误：没有这个通知通道 没有 (no such channel)\n")

    code, out, _ = run(capsys, "notify", "digest", "--json")
    d = json.loads(out)
    assert (code, d["queued"], d["title"].startswith("小茶铺 发货日报 ")) == (0, 0, True)
    code, out, _ = run(capsys, "notify", "digest", "--send")
    assert code == 0 and out.endswith("\n已加入发送队列：1 个通道\n")
    code, out, _ = run(capsys, "notify", "digest", "--send")
    assert out.endswith("\n今天的汇总已经发送过，或没有接收汇总的通道\n")
