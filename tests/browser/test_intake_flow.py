"""The seller's morning on a phone (390×844, zh-CN): import, fix a problem order, confirm, watch the ledger;
and a packer who never sees a buyer's phone number."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from fahuo.inventory.models import StockLevel
from fahuo.orders.models import Order
from fahuo.orders.services import review
from tests import factories as f

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

HEADER = ("订单编号,买家会员名,买家实际支付金额,订单状态,买家留言,收货人姓名,收货地址,联系手机,订单创建时间,"
          "订单付款时间,宝贝标题,宝贝种类,宝贝总数量")


def report() -> bytes:
    rows = [
        '="1000000000000000001",tb_a,99.00,买家已付款，等待卖家发货,,张三,浙江省 杭州市 西湖区 文三路90号(310000),'
        "13812345678,2026-11-24 08:00:00,2026-11-24 08:01:00,西湖龙井 250g,1,2",
        # an address nobody can route: no 省/市/区
        '="1000000000000000002",tb_b,99.00,买家已付款，等待卖家发货,,李四,幸福小区3栋2单元501室,'
        "13912345678,2026-11-24 08:10:00,2026-11-24 08:11:00,西湖龙井 250g,1,1",
        '="2.34568E+18",tb_c,99.00,买家已付款，等待卖家发货,,王五,北京 北京市 朝阳区 建国路88号,'
        "13712345678,2026-11-24 08:20:00,2026-11-24 08:21:00,西湖龙井 250g,1,1",
    ]
    return ("\r\n".join([HEADER, *rows]) + "\r\n").encode("gb18030")


def test_import_fix_confirm_and_see_the_ledger_move(live_server, page, login, owner, tmp_path):
    # given a SKU with stock, mapped from its Taobao title
    f.sku("LJ-250", stock=10, title="西湖龙井 250g")
    review.map_sku(title="西湖龙井 250g", spec="", sku_code="LJ-250", by=owner)
    path = tmp_path / "ExportOrderList.csv"
    path.write_bytes(report())
    login("boss")

    # when the seller uploads the 卖家中心 export from the phone
    page.goto(live_server.url + "/orders/import/")
    page.set_input_files("input[name=report]", str(path))
    page.get_by_role("button", name="开始导入").click()

    # then the job page counts every row and names the rejected line
    expect(page.locator("#job .tile").first).to_contain_text("2")
    expect(page.locator("section.rejected")).to_contain_text("第 4 行")
    expect(page.locator("section.rejected")).to_contain_text("科学计数法")

    # when she opens the order whose address cannot be routed and pastes the full address
    page.goto(live_server.url + "/orders/1000000000000000002/")
    expect(page.get_by_text("地址无法解析到省/市/区")).to_be_visible()
    page.locator("#receiver").get_by_role("button", name="修改").click()
    page.fill("#receiver textarea[name=address]", "上海市浦东新区张江路1号幸福小区3栋2单元501室")
    page.locator("#receiver").get_by_role("button", name="保存").click()
    expect(page.locator("#receiver")).to_contain_text("浦东新区")

    # and confirms it
    page.reload()
    expect(page.get_by_text("地址无法解析到省/市/区")).to_have_count(0)
    page.get_by_role("button", name="确认", exact=True).click()
    expect(page.locator("body")).to_contain_text("待发货")
    o = Order.objects.get(order_no="1000000000000000002")
    assert (o.status, o.province, o.city, o.district) == ("ready", "上海市", "上海市", "浦东新区")

    # then the stock page shows the allocation in the ledger, by her, for that order
    page.goto(live_server.url + "/stock/sku/LJ-250/")
    ledger = page.locator("section.ledger")
    expect(ledger).to_contain_text("1000000000000000002")
    expect(ledger).to_contain_text("boss")
    assert (StockLevel.objects.get().on_hand, StockLevel.objects.get().allocated) == (10, 1)
    page.screenshot(path=str(tmp_path / "ledger.png"))


def test_packer_sees_masked_names_and_phones(live_server, page, login, packer):
    o = f.order(("X", 1), name="张三丰", phone="13812345678")
    login("packer")

    page.goto(live_server.url + "/orders/?status=review")
    card = page.locator("body")
    expect(card).to_contain_text("138****5678")
    expect(card).to_contain_text("张**")
    page.goto(live_server.url + f"/orders/{o.order_no}/")
    html = page.content()
    assert "13812345678" not in html and "张三丰" not in html
    assert re.search(r"138\*{4}5678", html)
    # no edit button for the receiver, no confirm button
    expect(page.locator("#receiver").get_by_role("button", name="修改")).to_have_count(0)
    expect(page.get_by_role("button", name="确认", exact=True)).to_have_count(0)
