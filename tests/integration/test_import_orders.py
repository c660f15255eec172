"""Importing the 卖家中心 report: every row ends created / updated / unchanged / rejected; re-imports are no-ops;
later exports move orders the way the platform moved them."""

from __future__ import annotations

import pytest

from fahuo.inventory.models import StockLevel
from fahuo.orders.models import Order, OrderEvent
from fahuo.orders.services import decide, review
from fahuo.orders.services.imports import import_now
from tests import factories as f

pytestmark = pytest.mark.django_db

HEADER = ("订单编号,买家会员名,买家实际支付金额,订单状态,买家留言,收货人姓名,收货地址,联系手机,订单创建时间,"
          "订单付款时间,宝贝标题,宝贝种类,宝贝总数量,物流单号,物流公司,订单备注")


def row(no: str, *, status: str = "买家已付款，等待卖家发货", message: str = "", name: str = "张三",
        address: str = "浙江省 杭州市 西湖区 文三路90号(310000)", phone: str = "13812345678",
        title: str = "西湖龙井 250g", qty: int = 1, waybill: str = "", carrier: str = "", buyer: str = "") -> str:
    return (f'="{no}",{buyer or "tb_buyer_" + no[-3:]},99.00,{status},{message},{name},{address},{phone},'
            f"2026-11-20 10:00:00,2026-11-20 10:01:00,{title},1,{qty},{waybill},{carrier},")


def csv_bytes(*rows: str, encoding: str = "gb18030") -> bytes:
    return ("\r\n".join([HEADER, *rows]) + "\r\n").encode(encoding)


def test_first_import_creates_and_flags_problems(owner):
    f.sku("LJ-250", title="西湖龙井 250g")
    review.map_sku(title="西湖龙井 250g", spec="", sku_code="LJ-250", by=owner)
    data = csv_bytes(row("1000000000000000001"),
                     row("1000000000000000002", message="请发顺丰"),
                     row("1000000000000000003", title="神秘宝贝"),
                     row("1000000000000000004", phone="12345"),
                     row("2.34568E+18"))

    s = import_now(data=data, filename="ExportOrderList.csv", by=owner)

    assert (s.created, s.updated, s.unchanged) == (4, 0, 0)
    assert [r["row"] for r in s.rejected] == [6]
    assert "科学计数法" in s.rejected[0]["reason"]
    got = {o.order_no: (o.status, o.problems) for o in Order.objects.all()}
    assert got == {
        "1000000000000000001": ("review", []),
        "1000000000000000002": ("review", ["buyer_message"]),
        "1000000000000000003": ("review", ["sku_unknown"]),
        "1000000000000000004": ("review", ["phone_invalid"]),
    }
    o = Order.objects.get(order_no="1000000000000000001")
    assert (o.province, o.city, o.district, o.detail, o.postcode) == ("浙江省", "杭州市", "西湖区", "文三路90号", "310000")
    assert o.lines.get().sku.code == "LJ-250"
    assert o.events.get().kind == "imported"


def test_same_file_twice_changes_nothing(owner):
    data = csv_bytes(row("1000000000000000001"), row("1000000000000000002"))
    import_now(data=data, filename="a.csv", by=owner)
    events = OrderEvent.objects.count()

    s = import_now(data=data, filename="a.csv", by=owner)

    assert (s.created, s.updated, s.unchanged, s.rejected) == (0, 0, 2, [])
    assert OrderEvent.objects.count() == events


def test_same_order_twice_in_one_file_is_one_order(owner):
    data = csv_bytes(row("1000000000000000001"), row("1000000000000000001"))

    s = import_now(data=data, filename="a.csv", by=owner)

    assert (s.created, s.unchanged) == (1, 1)
    assert Order.objects.count() == 1


def test_later_export_closing_a_confirmed_order_releases_its_stock(owner):
    f.sku("LJ-250", stock=5, title="西湖龙井 250g")
    review.map_sku(title="西湖龙井 250g", spec="", sku_code="LJ-250", by=owner)
    import_now(data=csv_bytes(row("1000000000000000001", qty=2)), filename="a.csv", by=owner)
    decide.confirm(order_no="1000000000000000001", by=owner)
    assert StockLevel.objects.get().allocated == 2

    s = import_now(data=csv_bytes(row("1000000000000000001", qty=2, status="交易关闭")), filename="b.csv", by=owner)

    assert s.updated == 1
    o = Order.objects.get()
    assert (o.status, o.platform_status) == ("closed", "closed")
    assert StockLevel.objects.get().allocated == 0
    assert list(o.events.values_list("kind", flat=True)) == ["imported", "confirmed", "platform_status", "platform_update"]


def test_later_export_with_a_new_address_updates_the_receiver(owner):
    import_now(data=csv_bytes(row("1000000000000000001")), filename="a.csv", by=owner)

    import_now(data=csv_bytes(row("1000000000000000001", address="北京 北京市 朝阳区 建国路88号(100000)")),
               filename="b.csv", by=owner)

    o = Order.objects.get()
    assert (o.province, o.city, o.district, o.detail) == ("北京市", "北京市", "朝阳区", "建国路88号")


def test_refund_request_sends_a_ready_order_back_to_review(owner):
    f.sku("LJ-250", stock=5, title="西湖龙井 250g")
    review.map_sku(title="西湖龙井 250g", spec="", sku_code="LJ-250", by=owner)
    import_now(data=csv_bytes(row("1000000000000000001")), filename="a.csv", by=owner)
    decide.confirm(order_no="1000000000000000001", by=owner)

    import_now(data=csv_bytes(row("1000000000000000001", status="买家已付款，等待卖家发货（退款中）")),
               filename="b.csv", by=owner)

    o = Order.objects.get()
    assert o.refund_requested is True
    assert o.status == "review"
    assert "refund_requested" in o.problems
    assert StockLevel.objects.get().allocated == 0


def test_orders_already_shipped_elsewhere_arrive_shipped_with_their_waybill(owner):
    data = csv_bytes(row("1000000000000000001", status="卖家已发货，等待买家确认", waybill="YT8962646785389",
                         carrier="圆通速递"),
                     row("1000000000000000002", status="交易成功"),
                     row("1000000000000000003", status="等待买家付款"))

    import_now(data=data, filename="a.csv", by=owner)

    got = {o.order_no: (o.status, o.waybills) for o in Order.objects.all()}
    assert got == {"1000000000000000001": ("shipped", ["YT8962646785389"]),
                   "1000000000000000002": ("completed", []),
                   "1000000000000000003": ("unpaid", [])}


def test_two_orders_for_the_same_receiver_are_merge_candidates(owner):
    import_now(data=csv_bytes(row("1000000000000000001", buyer="tb_mom"),
                              row("1000000000000000002", title="另一个宝贝", buyer="tb_mom"),
                              row("1000000000000000003", title="另一个宝贝", buyer="tb_other")),
               filename="a.csv", by=owner)

    assert {o.order_no: o.problems for o in Order.objects.all()} == {
        "1000000000000000001": ["sku_unknown", "merge_candidate"],
        "1000000000000000002": ["sku_unknown", "merge_candidate"],
        "1000000000000000003": ["sku_unknown"],
    }
