"""Small builders for tests: SKUs with stock, and orders ready for review."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from fahuo.inventory import services as inv
from fahuo.inventory.models import Sku
from fahuo.orders.models import Order, OrderLine
from fahuo.orders.services.review import own_problems, receiver_key

_n = [0]


def sku(code: str = "TEA-1", *, stock: int = 0, title: str | None = None, location: str | None = None,
        barcode: str = "") -> Sku:
    s = Sku.objects.create(code=code, title=title or f"商品 {code}", barcode=barcode)
    if stock:
        inv.receive(sku_code=code, qty=stock, location_code=location, reason="test")
    return s


def order(*lines: tuple[str, int], order_no: str | None = None, status: str = "review", paid_minutes_ago: int = 60,
          name: str = "张三", phone: str = "13812345678", buyer: str = "buyer1", detail: str = "文三路90号",
          message: str = "", platform_status: str = "wait_send", amount: str = "99.00") -> Order:
    _n[0] += 1
    paid = timezone.now() - timedelta(minutes=paid_minutes_ago)
    o = Order.objects.create(
        order_no=order_no or f"T{_n[0]:06d}", platform_order_no=order_no or f"T{_n[0]:06d}", status=status,
        platform_status=platform_status, receiver_name=name, receiver_phone=phone, phone_kind="mobile",
        province="浙江省", city="杭州市", district="西湖区", detail=detail, address_complete=True, adcode="330106",
        buyer_nick=buyer, buyer_message=message, amount=Decimal(amount), paid_at=paid,
        ship_by=paid + timedelta(hours=48))
    o.platform_order_no = o.order_no
    o.receiver_key = receiver_key(buyer_nick=buyer, name=name, phone=phone, province="浙江省", city="杭州市",
                                  district="西湖区", detail=detail)
    for code, qty in lines:
        s = Sku.objects.filter(code=code).first()
        OrderLine.objects.create(order=o, sku=s, title=s.title if s else code, qty=qty, outer_id=code)
    o.problems = own_problems(o)
    o.save()
    return o


def shipped_parcel(*, number: str = "YT8962646785389", carrier: str = "YTO", shipped_at=None, order_obj=None,
                   **order_kw):
    """A parcel handed to the carrier (state shipped) on a shipped order (built with `order` unless given)."""
    from fahuo.fulfilment.models import Parcel

    o = order_obj or order(status="shipped", **order_kw)
    return Parcel.objects.create(order=o, state="shipped", carrier_code=carrier, waybill=number,
                                 shipped_at=shipped_at or timezone.now())
