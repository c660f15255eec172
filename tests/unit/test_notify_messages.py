"""Texts of buyer messages (zh and en) and of the seller's notices (urgent alert, daily digest). Exact strings."""

from __future__ import annotations

from datetime import date

import pytest

from fahuo.notify import messages as m

D = m.BuyerData(name="张三", order_no="T100", shop="小茶铺", carrier="中通", number="75312345678901")
D_EN = m.BuyerData(name="Zhang San", order_no="T100", shop="Tea Corner", carrier="ZTO Express",
                   number="75312345678901")


def test_shipped_zh():
    assert m.shipped(D) == (
        "亲爱的张三，您好！您在小茶铺的订单 T100 已经发货啦，中通运单号 75312345678901。"
        "可以在淘宝“我的订单”里查看物流，也可以在中通官网或快递100 输入单号查询。收到后有任何问题请随时联系我们～")


def test_shipped_en():
    assert m.shipped(D_EN, lang="en") == (
        "Hi Zhang San, your order T100 from Tea Corner has shipped with ZTO Express, tracking number 75312345678901. "
        "You can follow it under My Orders on Taobao, or on the ZTO Express website or kuaidi100.com with the "
        "number. If anything is wrong when it arrives, just message us.")


def test_shipped_without_name_or_shop():
    d = m.BuyerData(name="", order_no="T1", carrier="圆通", number="YT1")
    assert m.shipped(d).startswith("亲，您好！您在本店的订单 T1 已经发货啦，圆通运单号 YT1。")
    assert m.shipped(d, lang="en-us").startswith("Hi there, your order T1 from our shop has shipped with 圆通")


def test_shipped_needs_a_number():
    with pytest.raises(m.MessageError) as e:
        m.shipped(m.BuyerData(name="张三", order_no="T1"))
    assert e.value.code == "no_tracking_number"


@pytest.mark.parametrize(("reason", "zh"), [("restock", "商品缺货补货中"), ("pickup", "快递揽收延迟"),
                                            ("weather", "天气或交通原因")])
def test_delayed_zh_reasons(reason, zh):
    assert m.delayed(D, reason=reason, new_date=date(2026, 11, 26)) == (
        f"亲爱的张三，您好！非常抱歉，您的订单 T100 因{zh}需要晚一些发货，预计 11月26日 前发出。"
        "给您带来不便，敬请谅解；如果不想等待，请联系我们为您处理。")


def test_delayed_en_with_other_reason_and_no_date():
    assert m.delayed(D_EN, reason="other", other="our warehouse moved", lang="en") == (
        "Hi Zhang San, we are sorry: your order T100 will ship a little later because our warehouse moved. "
        "We will ship it as soon as we can. Sorry for the trouble; if you would rather not wait, message us and we "
        "will sort it out.")


def test_delayed_en_date():
    assert "We now expect to ship it by Dec 3." in m.delayed(D_EN, reason="pickup", new_date=date(2026, 12, 3),
                                                             lang="en")
    assert "because the courier's pickup is delayed." in m.delayed(D_EN, reason="pickup", lang="en")


def test_delayed_other_needs_words_and_reasons_are_known():
    with pytest.raises(m.MessageError) as e:
        m.delayed(D, reason="other", other="  ")
    assert e.value.code == "reason_required"
    with pytest.raises(m.MessageError) as e:
        m.delayed(D, reason="aliens")
    assert e.value.code == "unknown_reason"


def test_delivered_followup_zh_and_en():
    assert m.delivered_followup(D) == (
        "亲爱的张三，您好！您的订单 T100 已经签收啦，东西还满意吗？如果商品有任何问题（破损、少件、不合适），"
        "请直接联系我们，我们会第一时间为您处理。感谢您对小茶铺的支持！")
    assert m.delivered_followup(D_EN, lang="en") == (
        "Hi Zhang San, your order T100 has been delivered. We hope you like it! If anything is wrong (damaged, "
        "missing or not as expected), message us and we will take care of it right away. Thank you for shopping at "
        "Tea Corner!")


def test_buyer_message_dispatches_and_refuses_unknown_kinds():
    assert m.buyer_message("shipped", D) == m.shipped(D)
    assert m.buyer_message("delayed", D) == m.delayed(D, reason="restock")
    with pytest.raises(m.MessageError):
        m.buyer_message("refund", D)


def test_urgent_alert_must_ship_today():
    title, text = m.urgent_alert(m.UrgentData(
        type="ship_by_near", type_label="临近发货截止", order_no="T100", title="距最晚发货还有 5 小时",
        since="11-24 12:00", ship_by="11-24 18:00", compensation="5.00",
        link="https://shop.example/tracking/exceptions/3/"))
    assert title == "【紧急】临近发货截止：订单 T100"
    assert text == ("**临近发货截止** · 订单 T100\n> 距最晚发货还有 5 小时\n- 今天必须发货\n- 最晚发货：11-24 18:00\n"
                    "- 开始于：11-24 12:00\n- 预计延迟发货赔付：¥5.00（估算）\n"
                    "[打开处理](https://shop.example/tracking/exceptions/3/)")


def test_urgent_alert_no_pickup():
    title, text = m.urgent_alert(m.UrgentData(
        type="no_pickup", type_label="发货未揽收", order_no="T7", title="已发货 24 小时仍无揽收记录（虚假发货风险）",
        carrier="圆通", number="YT8000000000001"))
    assert title == "【紧急】发货未揽收：订单 T7"
    assert text == "**发货未揽收** · 订单 T7\n> 已发货 24 小时仍无揽收记录（虚假发货风险）\n- 运单：圆通 YT8000000000001"


def test_digest_text():
    title, text = m.digest(m.DigestData(day=date(2026, 11, 24), to_ship_today=3, overdue=1, no_pickup=2,
                                        delivered_yesterday=5, new_exceptions=4,
                                        open_by_type=[("发货未揽收", 2), ("超时未发货", 1)], shop="小茶铺"))
    assert title == "小茶铺 发货日报 2026-11-24"
    assert text == ("**今日须发货**：3 单\n**已超时未发货**：1 单\n**发货未揽收**：2 个包裹\n**昨日签收**：5 个包裹\n"
                    "**新增异常（24 小时内）**：4 个\n**处理中的异常**：3 个\n- 发货未揽收：2\n- 超时未发货：1")
    assert m.digest(m.DigestData(day=date(2026, 1, 2), to_ship_today=0, overdue=0, no_pickup=0,
                                 delivered_yesterday=0, new_exceptions=0))[0] == "发货日报 2026-01-02"


def test_urgent_alert_and_digest_in_english():
    title, text = m.urgent_alert(m.UrgentData(
        type="ship_by_near", type_label="Ship-by near", order_no="T100", title="5 hours left",
        ship_by="11-24 18:00", carrier="YTO Express", number="YT1", compensation="5.00"), lang="en")
    assert title == "[Urgent] Ship-by near: order T100"
    assert text == ("**Ship-by near** · order T100\n> 5 hours left\n- Must ship today\n- Ship by: 11-24 18:00\n"
                    "- Waybill: YTO Express YT1\n- Late-shipping compensation: ¥5.00 (an estimate)")
    title, text = m.digest(m.DigestData(day=date(2026, 11, 24), to_ship_today=3, overdue=1, no_pickup=2,
                                        delivered_yesterday=5, new_exceptions=4,
                                        open_by_type=[("No pickup scan", 2)], shop="Tea"), lang="en")
    assert title == "Tea shipping report 2026-11-24"
    assert text == ("**To ship today**: 3 orders\n**Late, not shipped**: 1 orders\n**Shipped, no pickup scan**: 2 "
                    "parcels\n**Delivered yesterday**: 5 parcels\n**New exceptions (24 h)**: 4\n"
                    "**Open exceptions**: 2\n- No pickup scan: 2")
