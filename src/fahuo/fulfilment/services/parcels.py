"""Shared helpers: find a parcel from what was scanned, the orders in a parcel, interception, order status."""

from __future__ import annotations

from django.db.models import Q

from fahuo.core.errors import NotFound
from fahuo.fulfilment.errors import Intercepted
from fahuo.fulfilment.models import Parcel
from fahuo.orders.models import Order
from fahuo.orders.services.timeline import move
from fahuo.orders.status import Status

LIVE = (Parcel.State.OPEN, Parcel.State.PACKED)


def orders_of(parcel: Parcel) -> list[Order]:
    ids = set(parcel.items.values_list("line__order_id", flat=True)) | {parcel.order_id}
    return list(Order.objects.filter(pk__in=ids).order_by("id"))


def find_parcel(code: str, *, lock: bool = False, states=None) -> Parcel:
    """A scanned waybill number, order number or parcel id (`P123`) → the parcel it names."""
    code = (code or "").strip()
    qs = Parcel.objects.select_related("order")
    if lock:
        qs = qs.select_for_update()
    if states:
        qs = qs.filter(state__in=states)
    p = None
    if code:
        p = qs.filter(waybill__iexact=code).first()
        if p is None and code[:1] in "Pp" and code[1:].isascii() and code[1:].isdigit() and int(code[1:]) < 2**63:
            p = qs.filter(pk=int(code[1:])).first()
        if p is None:
            order = Order.objects.filter(Q(order_no=code)).select_related("merged_into").first()
            if order is not None:
                primary = order.merged_into or order
                p = (qs.filter(order=primary, state__in=LIVE).order_by("state", "seq").first()
                     or qs.filter(items__line__order=order, state__in=LIVE).first()
                     # already shipped: found, so shipping it again by order number is harmless too
                     or qs.filter(items__line__order=order, state=Parcel.State.SHIPPED).order_by("-id").first())
    if p is None:
        raise NotFound(f"找不到“{code}”对应的包裹 (no parcel for {code})", code="parcel_not_found", scanned=code)
    return p


def check_not_intercepted(parcel: Parcel) -> None:
    for o in orders_of(parcel):
        if o.status == Status.CLOSED or o.platform_status in ("closed", "closed_unpaid") or o.refund_requested:
            why = "交易已关闭" if o.status == Status.CLOSED or o.platform_status.startswith("closed") else "买家申请了退款"
            raise Intercepted(f"拦截！订单 {o.order_no} {why}，不要发出这个包裹 "
                              f"(STOP: order {o.order_no} was closed or refunded — do not ship)",
                              order_no=o.order_no, parcel=parcel.pk, waybill=parcel.waybill or "")
    if parcel.state == Parcel.State.CANCELLED:
        raise Intercepted(f"包裹 {parcel.waybill or parcel.pk} 已作废，不要发出 (parcel voided — do not ship)",
                          parcel=parcel.pk, waybill=parcel.waybill or "")


def sync_order_status(order: Order, *, by) -> None:
    """An order is packed when all its live parcels are packed, shipped when all are shipped."""
    parcels = list(Parcel.objects.filter(Q(order=order) | Q(items__line__order=order))
                   .exclude(state=Parcel.State.CANCELLED).distinct())
    if not parcels:
        return
    states = {p.state for p in parcels}
    if states == {Parcel.State.SHIPPED}:
        target = Status.SHIPPED
    elif states <= {Parcel.State.PACKED, Parcel.State.SHIPPED}:
        target = Status.PACKED
    else:
        target = Status.PICKING
    if order.status != target and order.status in (Status.PICKING, Status.PACKED, Status.READY):
        if target == Status.SHIPPED:
            from fahuo.core import clock

            order.shipped_at = clock.now()
            order.waybills = sorted({p.waybill for p in parcels if p.waybill})
            order.save(update_fields=["shipped_at", "waybills", "updated_at"])
        move(order, target, by=by, kind={"shipped": "shipped", "packed": "packed"}.get(target, "picking"),
             message={Status.SHIPPED: "已发货 " + ", ".join(order.waybills), Status.PACKED: "已打包"}.get(target, ""))
