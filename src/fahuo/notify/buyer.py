"""Messages to the buyer built from an order and its parcels: returned to paste into 千牛, or (send=True)
queued to the channels that take buyer messages (a customer-service group)."""

from __future__ import annotations

import hashlib
from datetime import date
from typing import Any

from django.db import transaction

from fahuo.carriers import catalog
from fahuo.core.errors import Conflict, InvalidInput, NotFound
from fahuo.core.masking import receiver_for
from fahuo.core.models import ShopSettings
from fahuo.notify import messages
from fahuo.notify.services import enqueue
from fahuo.orders.services import timeline

KIND_LABELS_ZH = {"shipped": "发货通知", "delayed": "延迟发货", "delivered_followup": "签收回访"}


def _order(order_no: str):
    from fahuo.orders.models import Order

    order = Order.objects.filter(order_no=(order_no or "").strip()).select_related("merged_into").first()
    if order is None:
        raise NotFound(f"没有这个订单 {order_no} (no such order)", code="order_not_found", order_no=order_no)
    return order


def latest_shipped_parcel(order):
    """The most recently shipped parcel with a number, of the order or of the order it was merged into."""
    from fahuo.fulfilment.models import Parcel

    for o in (order, order.merged_into):
        if o is None:
            continue
        p = (Parcel.objects.filter(order=o, state=Parcel.State.SHIPPED, waybill__isnull=False)
             .order_by("-shipped_at", "-id").first())
        if p is not None:
            return p
    return None


def buyer_message(order_no: str, kind: str, *, reason: str | None = None, other: str = "",
                  new_date: date | None = None, lang: str = "zh", send: bool = False, user=None) -> dict[str, Any]:
    if kind not in messages.KINDS:
        raise InvalidInput(f"未知的消息类型 {kind} (unknown message kind: shipped, delayed, delivered_followup)",
                           code="unknown_message_kind")
    lang = messages.lang_of(lang)
    order = _order(order_no)
    parcel = latest_shipped_parcel(order)
    if kind == "shipped" and parcel is None:
        raise Conflict(f"订单 {order.order_no} 还没有已发货的包裹，不能写发货通知 (the order has no shipped parcel)",
                       code="not_shipped", order_no=order.order_no)
    carrier = catalog.find(parcel.carrier_code) if parcel is not None and parcel.carrier_code else None
    carrier_name = (carrier.name_en if lang == "en" else carrier.name_zh) if carrier else ""
    name = receiver_for(user, name=order.receiver_name, phone=order.receiver_phone, detail="")["name"]
    data = messages.BuyerData(name=name, order_no=order.order_no, shop=order.shop_name or ShopSettings.get().shop_name,
                              carrier=carrier_name, number=(parcel.waybill or "") if parcel is not None else "",
                              carrier_phone=carrier.phone if carrier else "")
    try:
        text = messages.buyer_message(kind, data, reason=reason or "", other=other, new_date=new_date, lang=lang)
    except messages.MessageError as e:
        raise InvalidInput(str(e), code=e.code) from e
    out: dict[str, Any] = {"order_no": order.order_no, "kind": kind, "lang": lang, "text": text,
                           "reason": (reason or "restock") if kind == "delayed" else None,
                           "number": data.number or None, "carrier": carrier.code if carrier else None, "queued": 0}
    if send:
        digest = hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]
        title = f"买家消息 · {KIND_LABELS_ZH[kind]} · 订单 {order.order_no}"
        with transaction.atomic():
            rows = enqueue("buyer_message", f"buyer:{order.order_no}:{kind}:{lang}:{digest}", title, text,
                           {"order_no": order.order_no, "kind": kind, "lang": lang, "text": text})
            if rows:
                timeline.record(order, "buyer_message_sent", by=user, message=title, message_kind=kind, lang=lang,
                                channels=[r.channel.name for r in rows])
        out["queued"] = len(rows)
    return out
