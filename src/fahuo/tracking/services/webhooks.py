"""Incoming tracking pushes: 快递100 (form `param` + `sign`, MD5 with the salt) and the generic JSON format
(HMAC-SHA256 in X-Fahuo-Signature). Forged or unsigned pushes are refused and logged; accepted pushes are
stored in the same transaction as their log row, before the answer is sent."""

from __future__ import annotations

import os
from dataclasses import dataclass

from django.db import transaction

from fahuo.carriers import catalog
from fahuo.core import clock
from fahuo.orders.services import timeline
from fahuo.tracking.events import (
    TrackingFormatError,
    parse_generic,
    parse_kuaidi100_push,
    verify_hmac,
    verify_kuaidi100_sign,
)
from fahuo.tracking.models import ParcelTrack, WebhookLog
from fahuo.tracking.services.ingest import check_number, ingest

BODY_EXCERPT = 2000


@dataclass(frozen=True)
class WebhookResult:
    ok: bool
    status: int  # HTTP status to answer with
    code: str
    message: str
    stored: int = 0


def _log(kind: str, ok: bool, code: str, message: str, remote_addr: str, body: str) -> None:
    WebhookLog.objects.create(kind=kind, ok=ok, code=code, message=message[:300], remote_addr=remote_addr[:64],
                              body=body[:BODY_EXCERPT], received_at=clock.now())


def _refuse(kind: str, status: int, code: str, message: str, remote_addr: str, body: str) -> WebhookResult:
    _log(kind, False, code, message, remote_addr, body)
    return WebhookResult(False, status, code, message)


def handle_kuaidi100(*, param: str, sign: str, remote_addr: str = "") -> WebhookResult:
    salt = os.environ.get("FAHUO_KUAIDI100_SALT", "")
    if not salt:
        return _refuse("kuaidi100", 403, "no_salt", "未设置 FAHUO_KUAIDI100_SALT，拒绝推送", remote_addr, param)
    if not verify_kuaidi100_sign(param or "", salt, sign or ""):
        return _refuse("kuaidi100", 403, "bad_sign", "签名错误 (bad sign)", remote_addr, param)
    try:
        push = parse_kuaidi100_push(param)
        check_number(push.number)
    except TrackingFormatError as e:
        return _refuse("kuaidi100", 400, e.code, str(e), remote_addr, param)
    with transaction.atomic():
        res = ingest(push.events)
        if push.status == "abort" and push.new_com:
            _corrected_carrier(push.number, push.new_com)
        _log("kuaidi100", True, push.status or "ok", f"{push.number}: {res.stored} new", remote_addr, param)
    return WebhookResult(True, 200, "ok", "成功", res.stored)


def _corrected_carrier(number: str, com_new: str) -> None:
    """快递100 said the carrier code was wrong: record the corrected one on the parcel (when fahuo knows that
    carrier) and on its subscription (ParcelTrack.com, resubscribe=True for the poller / subscriber)."""
    from fahuo.fulfilment.models import Parcel

    known = catalog.carrier_from_text(com_new)
    code = (known or com_new)[:32]
    for p in Parcel.objects.select_for_update().filter(waybill=number).select_related("order"):
        old = p.carrier_code
        track, _created = ParcelTrack.objects.get_or_create(parcel=p, defaults={"number": number})
        track.carrier, track.com, track.resubscribe = code, com_new[:32], True
        track.save(update_fields=["carrier", "com", "resubscribe"])
        if known and known != old:
            p.carrier_code = known
            p.save(update_fields=["carrier_code"])
        timeline.record(p.order, "tracking_carrier_corrected", message=f"快递100 更正快递公司：{old} → {code}",
                        waybill=number, com_new=com_new, from_carrier=old, to_carrier=code)


def handle_generic(*, body: bytes, signature: str, remote_addr: str = "") -> WebhookResult:
    text = body.decode("utf-8", errors="replace")
    secret = os.environ.get("FAHUO_WEBHOOK_SECRET", "")
    if not secret:
        return _refuse("generic", 403, "no_secret", "未设置 FAHUO_WEBHOOK_SECRET，拒绝推送", remote_addr, text)
    if not verify_hmac(body, secret, signature or ""):
        return _refuse("generic", 403, "bad_signature", "签名错误 (bad signature)", remote_addr, text)
    try:
        events = parse_generic(body)
        for number in {e.number for e in events}:
            check_number(number)
    except TrackingFormatError as e:
        return _refuse("generic", 400, e.code, str(e), remote_addr, text)
    with transaction.atomic():
        res = ingest(events)
        _log("generic", True, "ok", f"{res.stored} new of {res.received}", remote_addr, text)
    return WebhookResult(True, 200, "ok", "成功", res.stored)


def ingest_local(raw: bytes):
    """A file the owner hands to `fahuo track ingest`: the generic JSON format, a 快递100 push `param`, or a
    {"param": …, "sign": …} push body (trusted: it comes from the shop's own disk, so no signature check)."""
    import json

    try:
        obj = json.loads(raw)
    except ValueError as e:
        raise TrackingFormatError("bad_json", f"not JSON: {e}") from e
    if isinstance(obj, dict) and isinstance(obj.get("param"), str):
        obj = json.loads(obj["param"])
    if isinstance(obj, dict) and "lastResult" in obj:
        push = parse_kuaidi100_push(obj)
        with transaction.atomic():
            res = ingest(push.events, now=None)
            if push.status == "abort" and push.new_com:
                _corrected_carrier(push.number, push.new_com)
        return res
    items = obj if isinstance(obj, list) else [obj]
    events = [e for item in items for e in parse_generic(item)]
    return ingest(events)
