"""Reads of orders: one place for the queries the pages, the API and the CLI share."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db.models import Prefetch, Q, QuerySet

from fahuo.core import clock
from fahuo.core.errors import NotFound
from fahuo.core.masking import receiver_for
from fahuo.orders.models import Order, OrderEvent, OrderLine
from fahuo.orders.status import Groups, Status


def get_order(order_no: str, *, lock: bool = False) -> Order:
    qs = Order.objects.all()
    if lock:
        qs = qs.select_for_update()
    order = qs.filter(order_no=order_no).first()
    if order is None:
        raise NotFound(f"订单 {order_no} 不存在 (order {order_no} not found)", code="order_not_found", order_no=order_no)
    return order


def order_list(*, status: str | None = None, q: str = "", problem: str = "", due: str = "",
               include_merged: bool = False) -> QuerySet[Order]:
    qs = Order.objects.all()
    if status:
        statuses = [s for s in status.split(",") if s in Status.__members__.values() or s in {m.value for m in Status}]
        qs = qs.filter(status__in=statuses)
    if not include_merged:
        qs = qs.filter(merged_into__isnull=True)
    if q:
        qs = qs.filter(search_q(q))
    if problem:
        qs = qs.filter(problems__icontains=f'"{problem}"')
    now = clock.now()
    if due == "overdue":
        qs = qs.filter(status__in=list(Groups.TO_SHIP), ship_by__lt=now)
    elif due == "today":
        qs = qs.filter(status__in=list(Groups.TO_SHIP), ship_by__gte=now, ship_by__lt=end_of_today(now))
    return qs.order_by("ship_by", "id").select_related("merged_into", "split_from").prefetch_related(
        Prefetch("lines", queryset=OrderLine.objects.select_related("sku").order_by("id")))


def search_q(q: str) -> Q:
    """What a seller types in the search box: an order number (start of fahuo's or the platform's), part of a
    receiver's name or the buyer's nick, the end of a phone number (e.g. its last 4 digits), or a waybill
    number (whole, or its last 6+ characters)."""
    from fahuo.fulfilment.models import Parcel

    q = q.strip()
    cond = (Q(order_no__startswith=q) | Q(platform_order_no__startswith=q) | Q(receiver_name__contains=q)
            | Q(buyer_nick__icontains=q))
    digits = q.replace(" ", "").replace("-", "")
    if digits.isdigit() and len(digits) >= 4:
        cond |= Q(receiver_phone__endswith=digits)
    if len(q) >= 6 and q.isalnum():
        waybill = Parcel.objects.filter(waybill__endswith=q.upper()) if len(q) < 10 else \
            Parcel.objects.filter(waybill=q.upper())
        cond |= Q(pk__in=waybill.values("order_id"))
    return cond


def end_of_today(now: datetime) -> datetime:
    local = clock.local(now)
    assert local is not None
    return (local.replace(hour=0, minute=0, second=0, microsecond=0) + timedelta(days=1))


def dashboard_counts() -> dict[str, int]:
    now = clock.now()
    to_ship = Order.objects.filter(status__in=list(Groups.TO_SHIP), merged_into__isnull=True)
    return {
        "review": Order.objects.filter(status=Status.REVIEW, merged_into__isnull=True).count(),
        "review_clean": Order.objects.filter(status=Status.REVIEW, problems=[], merged_into__isnull=True).count(),
        "short": Order.objects.filter(status=Status.SHORT, merged_into__isnull=True).count(),
        "held": Order.objects.filter(status=Status.HELD, merged_into__isnull=True).count(),
        "ready": Order.objects.filter(status=Status.READY, merged_into__isnull=True).count(),
        "due_today": to_ship.filter(ship_by__gte=now, ship_by__lt=end_of_today(now)).count(),
        "overdue": to_ship.filter(ship_by__lt=now).count(),
    }


def timeline(order: Order) -> QuerySet[OrderEvent]:
    return order.events.select_related("by").order_by("at", "id")


def order_dict(order: Order, *, user=None, detail: bool = False) -> dict:
    """The JSON shape of an order (API and `fahuo orders list --json`); masked for packers."""
    r = receiver_for(user, name=order.receiver_name, phone=order.receiver_phone, detail=order.detail)
    d = {
        "order_no": order.order_no,
        "platform_order_no": order.platform_order_no,
        "status": order.status,
        "platform_status": order.platform_status,
        "buyer_nick": order.buyer_nick if (user is None or user.sees_pii) else "",
        "receiver": {
            "name": r["name"],
            "phone": r["phone"],
            "phone_kind": order.phone_kind,
            "province": order.province,
            "city": order.city,
            "district": order.district,
            "detail": r["detail"],
        },
        "problems": list(order.problems),
        "lines": [
            {"sku": ln.sku.code if ln.sku_id else None, "title": ln.title, "spec": ln.spec, "qty": ln.qty,
             "outer_id": ln.outer_id, "price": str(ln.price) if ln.price is not None else None}
            for ln in order.lines.all()
        ],
        "amount": str(order.amount) if order.amount is not None else None,
        "buyer_message": order.buyer_message,
        "paid_at": order.paid_at.isoformat() if order.paid_at else None,
        "ship_by": order.ship_by.isoformat() if order.ship_by else None,
        "waybills": list(order.waybills),
        "short_skus": list(order.short_skus),
        "hold": ({"reason": order.hold_reason, "note": order.hold_note,
                  "until": order.hold_until.isoformat() if order.hold_until else None}
                 if order.status == Status.HELD else None),
        "merged_into": order.merged_into.order_no if order.merged_into_id else None,
        "split_from": order.split_from.order_no if order.split_from_id else None,
    }
    if detail:
        d["timeline"] = [
            {"at": e.at.isoformat(), "kind": e.kind, "by": e.by.username if e.by_id else None,
             "from": e.from_status, "to": e.to_status, "message": e.message}
            for e in timeline(order)
        ]
    return d
