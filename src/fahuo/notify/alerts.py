"""Urgent alerts: an exception case of an urgent type that opens is alerted once (dedupe `urgent:<case id>`).

Hooked on `post_save` of tracking.ExceptionCase (NotifyConfig.ready), so the rows are written in the
transaction that opened the case and delivery starts after its commit. "Must ship today" is ship_by_near /
ship_by_passed; no_pickup is the 虚假发货 risk.
"""

from __future__ import annotations

import os

from django.utils import translation

from fahuo.core import clock
from fahuo.notify import messages
from fahuo.notify.services import enqueue

URGENT_TYPES = frozenset({"ship_by_near", "ship_by_passed", "no_pickup"})


def case_saved(sender, instance, created: bool = False, update_fields=None, raw: bool = False, **kwargs) -> None:
    if raw or instance.state != "open" or instance.type not in URGENT_TYPES:
        return
    if not created and update_fields is not None and "state" not in update_fields:
        return  # newer evidence on an open case, an assignment, a note: not a new alert
    alert_case(instance)


def _when(dt) -> str:
    d = clock.local(dt)
    return d.strftime("%m-%d %H:%M") if d else ""


def public_link(path: str) -> str:
    base = (os.environ.get("FAHUO_PUBLIC_URL") or "").strip().rstrip("/")
    return f"{base}{path}" if base else ""


def notice_language() -> str:
    from fahuo.notify.models import NotifySettings

    return NotifySettings.get().language or "zh"


def django_language(lang: str) -> str:
    return "en" if lang == "en" else "zh-hans"


def urgent_data(case, lang: str = "zh") -> messages.UrgentData:
    from fahuo.carriers import catalog
    from fahuo.tracking.selectors import TYPE_LABELS

    order, parcel = case.order, case.parcel
    with translation.override(django_language(lang)):
        label = str(TYPE_LABELS.get(case.type, case.type))
    carrier = catalog.find(parcel.carrier_code) if parcel is not None and parcel.carrier_code else None
    carrier_name = (carrier.name_en if lang == "en" else carrier.name_zh) if carrier else ""
    comp = case.estimated_compensation
    return messages.UrgentData(
        type=case.type, type_label=label, order_no=order.order_no, title=case.title or label,
        since=_when(case.since), ship_by=_when(order.ship_by) if case.type != "no_pickup" else "",
        carrier=carrier_name, number=(parcel.waybill or "") if parcel is not None else "",
        compensation=f"{comp:.2f}" if comp is not None else "",
        link=public_link(f"/tracking/exceptions/{case.pk}/"))


def alert_case(case) -> list:
    from fahuo.notify.models import Channel

    if not Channel.objects.filter(enabled=True, takes_urgent=True).exists():
        return []  # nothing to build: the sweep over many parcels pays one query per opened case
    lang = notice_language()
    u = urgent_data(case, lang)
    title, text = messages.urgent_alert(u, lang=lang)
    data = {"case_id": case.pk, "type": case.type, "order_no": u.order_no, "severity": case.severity,
            "since": case.since.isoformat() if case.since else None, "number": u.number}
    return enqueue("urgent", f"urgent:{case.pk}", title, text, data)
