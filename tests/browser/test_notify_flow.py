"""通知设置 and a buyer message on a phone (390×844, zh-CN): the owner adds a log channel from 更多, presses
发送测试 and sees 已发送; then opens a buyer message for a shipped order, reads the exact text, switches it to
English and to the delivered follow-up (htmx), and copies it."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from fahuo.notify.models import Channel, Notification
from tests import factories as f

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def settled(page) -> None:
    """A person taps the new part after htmx has swapped and settled it (its handlers are attached by then)."""
    page.wait_for_function("""() => !document.querySelector(
      ".htmx-request, .htmx-swapping, .htmx-settling, .htmx-added")""")


def test_owner_adds_a_channel_and_sends_a_test(live_server, page, login, owner):
    login("boss")
    page.goto(live_server.url + "/more/")
    page.get_by_role("link", name="通知设置 ›").click()
    page.wait_for_url(live_server.url + "/notify/")
    expect(page.locator("main")).to_contain_text("还没有通知通道。")
    form = page.locator("#channel-new form")
    form.locator("input[name=name]").fill("测试日志")
    form.locator("select[name=kind]").select_option("log")
    form.get_by_role("button", name="添加通道").click()
    expect(page.locator("#flash")).to_contain_text("通道“测试日志”已添加")
    ch = Channel.objects.get()
    card = page.locator(f"#channel-{ch.pk}")
    expect(card.locator("summary")).to_contain_text("测试日志")
    expect(card.locator("summary")).to_contain_text("已启用")
    card.locator("summary").click()
    card.get_by_role("button", name="发送测试").click()
    expect(page.locator("#flash")).to_contain_text("测试通知已发送到“测试日志”")
    expect(page.locator(".notifications li").first).to_contain_text("已发送")
    expect(page.locator(".notifications li").first).to_contain_text("fahuo 测试通知")
    assert Notification.objects.get().state == "sent"


def test_buyer_message_text_switches_and_copy(live_server, page, login, owner):
    o = f.shipped_parcel(number="YT8962646785389", carrier="YTO").order
    login("boss")
    page.goto(f"{live_server.url}/notify/buyer/{o.order_no}/")
    text = page.locator("#buyer-msg-text")
    expect(text).to_have_value(
        f"亲爱的张三，您好！您在本店的订单 {o.order_no} 已经发货啦，圆通运单号 YT8962646785389。"
        "可以在淘宝“我的订单”里查看物流，也可以在圆通官网或快递100 输入单号查询。收到后有任何问题请随时联系我们～")
    page.locator("#buyer-msg nav a", has_text="English").click()
    expect(text).to_have_value(
        f"Hi 张三, your order {o.order_no} from our shop has shipped with YTO Express, tracking number "
        "YT8962646785389. You can follow it under My Orders on Taobao, or on the YTO Express website or "
        "kuaidi100.com with the number. If anything is wrong when it arrives, just message us.")
    page.locator("#buyer-msg nav a", has_text="签收回访").click()
    expect(text).to_have_value(
        f"Hi 张三, your order {o.order_no} has been delivered. We hope you like it! If anything is wrong (damaged, "
        "missing or not as expected), message us and we will take care of it right away. Thank you for shopping at "
        "our shop!")
    page.locator("#buyer-msg nav a", has_text="延迟发货").click()
    expect(text).to_contain_text("because the item is being restocked.")  # the default reason, swapped in
    settled(page)
    page.locator("#buyer-msg select[name=reason]").select_option("pickup")
    expect(text).to_have_value(
        f"Hi 张三, we are sorry: your order {o.order_no} will ship a little later because the courier's pickup is "
        "delayed. We will ship it as soon as we can. Sorry for the trouble; if you would rather not wait, message us "
        "and we will sort it out.")
    page.get_by_role("button", name="复制").click()
    expect(page.get_by_role("button", name="已复制")).to_be_visible()
