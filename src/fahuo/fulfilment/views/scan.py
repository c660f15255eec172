"""验货: one input a keyboard-wedge scanner (or the camera) types into, + Enter. Scan a label, order number or
`P123` to put a parcel on the bench; scan its items; complete. Wrong and extra items, and intercepted orders,
come back as a full-width red banner with a 4xx status and an alarm for scan.js; nothing is counted then."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from fahuo.carriers.services import carrier_name
from fahuo.core.errors import FahuoError, NotFound
from fahuo.core.permissions import require
from fahuo.core.templatetags.fahuo_tags import localized_message
from fahuo.core.views import handles_errors, parse
from fahuo.fulfilment.forms import CodeForm, CompleteForm, NumberForm, split_take_from_post
from fahuo.fulfilment.models import Parcel
from fahuo.fulfilment.services import numbers, packing
from fahuo.fulfilment.services.parcels import find_parcel
from fahuo.fulfilment.views.common import LOUD, banner_context, get_parcel, render_scan

PANEL, PAGE = "fulfilment/_scan_panel.html", "fulfilment/scan.html"


def panel_context(parcel_id: int | None) -> dict:
    if not parcel_id:
        return {"parcel": None, "waiting": Parcel.objects.filter(state=Parcel.State.OPEN).count()}
    p = (Parcel.objects.select_related("order", "wave").prefetch_related("items__line__sku", "items__line__order")
         .filter(pk=parcel_id).first())
    if p is None:
        raise NotFound(f"包裹 P{parcel_id} 不存在 (parcel not found)", code="parcel_not_found")
    items = list(p.items.all())
    wanted, scanned = sum(i.qty for i in items), sum(i.scanned for i in items)
    return {
        "parcel": p, "items": items, "wanted": wanted, "scanned": scanned,
        "complete": scanned >= wanted and p.state == Parcel.State.OPEN,
        "order_nos": sorted({i.line.order.order_no for i in items} | {p.order.order_no}),
        "carrier": carrier_name(p.carrier_code) if p.carrier_code else "",
        "can_split": p.state == Parcel.State.OPEN and wanted > 1,
    }


def _panel(request: HttpRequest, parcel_id: int | None, *, status: int = 200, result: str = "ok",
           **extra) -> HttpResponse:
    return render_scan(request, PANEL, PAGE, {**panel_context(parcel_id), **extra}, status=status, result=result)


def _refused(request: HttpRequest, parcel_id: int | None, error: FahuoError, **extra) -> HttpResponse:
    """The parcel as it was (nothing counted), under a banner; red and loud for wrong/extra/intercepted."""
    try:
        ctx = panel_context(parcel_id)
    except NotFound:
        ctx = panel_context(None)
    ctx.update(banner_context(error), **extra)
    loud = isinstance(error, LOUD)
    return render_scan(request, PANEL, PAGE, ctx, status=error.http_status, result="alarm" if loud else "error")


def _is_item(p: Parcel, code: str) -> bool:
    """Does the code name an item of this parcel (EAN barcode, 商家编码, or the line's outer id)?"""
    low = code.lower()
    return any(it.line.sku_id and (it.line.sku.barcode == code or it.line.sku.code.lower() == low
                                   or (it.line.outer_id or "").lower() == low) for it in p.items.all())


def _names_parcel(code: str) -> Parcel | None:
    try:
        return find_parcel(code)
    except NotFound:
        return None


@login_required
@handles_errors
def scan(request: HttpRequest) -> HttpResponse:
    """The bench. `?code=P12` puts that parcel on it (the wave page links here)."""
    code = request.GET.get("code", "").strip()
    if not code:
        return render(request, PAGE, panel_context(None))
    try:
        p = packing.lookup(code)
    except FahuoError as e:
        return render(request, PAGE, {**panel_context(None), **banner_context(e)}, status=e.http_status)
    return render(request, PAGE, panel_context(p.pk))


@login_required
@require_POST
@handles_errors
def scan_code(request: HttpRequest) -> HttpResponse:
    require(request.user, "pack")
    d = parse(CodeForm, request.POST)
    code, active = d["code"].strip(), d["parcel"]
    if not code:
        return _panel(request, active, result="info")
    try:
        if active:
            p = get_parcel(active)
            named = None if p.state == Parcel.State.OPEN and _is_item(p, code) else _names_parcel(code)
            if named is not None and named.pk == p.pk:
                ctx = panel_context(p.pk)
                if ctx["complete"]:  # the label scanned again once every item is in: packed
                    return _complete(request, p.pk, None)
                return _panel(request, p.pk, result="info")
            if named is not None:
                named = packing.lookup(code)
                return _panel(request, named.pk, result="found",
                              left_open=p if p.state == Parcel.State.OPEN else None)
            # an item of the parcel is counted; anything else is refused (and kept in the scan record)
            r = packing.scan_item(parcel_id=p.pk, code=code, by=request.user)
            return _panel(request, p.pk, result="complete" if r.complete else "ok", hit=r.item.pk)
        p = packing.lookup(code)
        return _panel(request, p.pk, result="found")
    except FahuoError as e:
        return _refused(request, active, e)


def _complete(request: HttpRequest, pk: int, weight: int | None) -> HttpResponse:
    p, warnings = packing.complete(parcel_id=pk, weight_g=weight, by=request.user)
    return render_scan(request, PANEL, PAGE, {
        **panel_context(None), "packed": p, "warnings": [localized_message(w) for w in warnings],
    }, result="done")


@login_required
@require_POST
@handles_errors
def scan_complete(request: HttpRequest, pk: int) -> HttpResponse:
    require(request.user, "pack")
    try:
        weight = parse(CompleteForm, request.POST)["weight"]
        return _complete(request, pk, weight)
    except FahuoError as e:
        return _refused(request, pk, e)


@login_required
@require_POST
@handles_errors
def scan_number(request: HttpRequest, pk: int) -> HttpResponse:
    """The parcel has no number (manual source): the packer scans the label's barcode or types it."""
    require(request.user, "pack")
    try:
        number = parse(NumberForm, request.POST)["number"]
        p, warnings = numbers.set_number(parcel_code=f"P{pk}", number=number, by=request.user)
    except FahuoError as e:
        return _refused(request, pk, e)
    notice = _("运单号 %(no)s（%(carrier)s）") % {"no": p.waybill, "carrier": carrier_name(p.carrier_code)}
    return _panel(request, p.pk, result="found", notice=notice, warnings=[localized_message(w) for w in warnings])


@login_required
@require_POST
@handles_errors
def scan_reset(request: HttpRequest, pk: int) -> HttpResponse:
    require(request.user, "pack")
    try:
        packing.reset_scans(parcel_id=pk, by=request.user)
    except FahuoError as e:
        return _refused(request, pk, e)
    return _panel(request, pk, result="info", notice=_("已清零，请重新扫描每件商品"))


@login_required
@require_POST
@handles_errors
def scan_split(request: HttpRequest, pk: int) -> HttpResponse:
    """One order in several boxes: the chosen quantities go into a new parcel with its own number."""
    require(request.user, "pack")
    try:
        item_ids = list(get_parcel(pk).items.values_list("pk", flat=True))
        new = packing.split_parcel(parcel_id=pk, take=split_take_from_post(request.POST, item_ids), by=request.user)
    except FahuoError as e:
        return _refused(request, pk, e)
    notice = _("已拆出新包裹 P%(pk)s%(no)s。先装好这个包裹，再扫描 P%(pk)s 验货。") % {
        "pk": new.pk, "no": f"（{new.waybill}）" if new.waybill else ""}
    return _panel(request, pk, result="info", notice=notice, split_off=new)
