"""Helpers of the 发货 pages: loud scan errors (red banner + beep), parcel and wave lookups, masking."""

from __future__ import annotations

import json

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from fahuo.core.errors import FahuoError, NotFound
from fahuo.core.templatetags.fahuo_tags import localized_message
from fahuo.core.views import back_url
from fahuo.fulfilment import selectors
from fahuo.fulfilment.errors import ExtraItem, Intercepted, WrongItem
from fahuo.fulfilment.models import Parcel, Wave
from fahuo.orders.views.common import wants_fragment

# Refusals the packer must not miss: a full-width red banner, a beep and a buzz.
LOUD = (WrongItem, ExtraItem, Intercepted)


def scan_event(resp: HttpResponse, result: str, **extra) -> HttpResponse:
    """Tell scan.js what happened (ok | done | alarm | error | info): it beeps, buzzes, clears the input."""
    resp["HX-Trigger"] = json.dumps({"fahuo:scan": {"result": result, **extra}})
    return resp


def banner_context(error: FahuoError) -> dict:
    return {"banner": localized_message(error.message), "loud": isinstance(error, LOUD), "error_code": error.code,
            "scanned_code": error.data.get("scanned") or error.data.get("sku") or ""}


def render_scan(request: HttpRequest, fragment: str, page: str, ctx: dict, *, status: int = 200,
                result: str = "ok") -> HttpResponse:
    """The fragment for htmx (the scan input stays), the whole page for a plain form post."""
    template = fragment if wants_fragment(request) else page
    return scan_event(render(request, template, ctx, status=status), result)


def get_wave(pk: int) -> Wave:
    wave = selectors.waves().filter(pk=pk).first()
    if wave is None:
        raise NotFound(f"批次 {pk} 不存在 (wave not found)", code="wave_not_found")
    return wave


def get_parcel(pk: int) -> Parcel:
    try:
        return selectors.parcel_detail(pk)
    except Parcel.DoesNotExist:
        raise NotFound(f"包裹 P{pk} 不存在 (parcel not found)", code="parcel_not_found")


def loud_errors(view):
    """Intercepted / wrong item outside the scan bench (ship one parcel, ship a wave): the same red banner and
    alarm as at the bench, never a quiet message. Other errors go on to `handles_errors`."""
    from functools import wraps

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except LOUD as e:
            ctx = {**banner_context(e), "back": back_url(request, "/ship/")}
            if wants_fragment(request):
                resp = render(request, "fulfilment/_alarm.html", ctx, status=e.http_status)
                resp["HX-Retarget"], resp["HX-Reswap"] = "#flash", "innerHTML show:#flash:top"
                return scan_event(resp, "alarm")
            return render(request, "fulfilment/alarm.html", ctx, status=e.http_status)

    return wrapper
