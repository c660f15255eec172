"""发货 home, waves (new, page, pick list, PDFs, ship the wave) and one parcel (change carrier, number, ship)."""

from __future__ import annotations

from pathlib import Path

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from fahuo.carriers import catalog
from fahuo.carriers.services import enabled_carriers
from fahuo.core.errors import NotFound
from fahuo.core.permissions import require
from fahuo.core.templatetags.fahuo_tags import localized_message
from fahuo.core.views import handles_errors, parse
from fahuo.fulfilment import selectors
from fahuo.fulfilment.forms import (
    DUE_CHOICES,
    LABEL_SIZE_CHOICES,
    MESSAGE_CHOICES,
    CarrierForm,
    DocForm,
    NumberForm,
    WaveForm,
)
from fahuo.fulfilment.models import Document, Parcel, Wave
from fahuo.fulfilment.services import docs, numbers, shipping, waves
from fahuo.fulfilment.services.carrier_change import change_carrier as change_carrier_service
from fahuo.fulfilment.views.common import get_parcel, get_wave, loud_errors
from fahuo.orders.models import Order
from fahuo.orders.status import Status
from fahuo.orders.views.common import wants_fragment

LIVE = (Parcel.State.OPEN, Parcel.State.PACKED)
PARCELS_PER_PAGE = 100


def stopped(p: Parcel) -> bool:
    """A hint for the lists (the parcel's own order only): the scan and the ship refuse it for real."""
    o = p.order
    return p.state in LIVE and (o.status == Status.CLOSED or o.refund_requested
                                or o.platform_status in ("closed", "closed_unpaid"))


def carrier_choices() -> list[tuple[str, str]]:
    """Enabled carriers first (in catalog order), then the rest."""
    on = set(enabled_carriers())
    ordered = sorted(catalog.all_carriers(), key=lambda c: (c.code not in on, catalog.order_of(c.code)))
    return [(c.code, c.name_zh) for c in ordered]


# --- home -------------------------------------------------------------------------------------------


@login_required
def home(request: HttpRequest) -> HttpResponse:
    intercepted = (Parcel.objects.filter(state__in=LIVE)
                   .filter(Q(order__status=Status.CLOSED) | Q(order__refund_requested=True)
                           | Q(order__platform_status__in=("closed", "closed_unpaid")))
                   .select_related("order").order_by("id")[:20])
    return render(request, "fulfilment/home.html", {
        "counts": {
            "ready": waves.candidates(waves.WaveFilter()).count(),
            "waves_open": Wave.objects.filter(state=Wave.State.OPEN).count(),
            "to_pack": Parcel.objects.filter(state=Parcel.State.OPEN).count(),
            "packed": Parcel.objects.filter(state=Parcel.State.PACKED).count(),
        },
        "waves": list(selectors.waves()[:10]),
        "intercepted": list(intercepted),
    })


# --- new wave ---------------------------------------------------------------------------------------


def _wave_form_context(data=None, **extra) -> dict:
    provinces = sorted(p for p in Order.objects.filter(status=Status.READY, merged_into__isnull=True)
                       .values_list("province", flat=True).distinct() if p)
    on = set(enabled_carriers())
    return {"carriers": [(c, n) for c, n in carrier_choices() if c in on], "provinces": provinces, "d": data or {},
            "due_choices": DUE_CHOICES, "message_choices": MESSAGE_CHOICES, "label_sizes": LABEL_SIZE_CHOICES, **extra}


@login_required
@handles_errors
def wave_new(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return render(request, "fulfilment/wave_new.html", _wave_form_context(request.GET))
    require(request.user, "waves")
    form = WaveForm(request.POST)
    if not form.is_valid():
        parse(WaveForm, request.POST)  # raises with the words
    result = waves.create_wave(by=request.user, filters=form.wave_filter(),
                               label_size=form.cleaned_data["label_size"] or "76x130")
    if result.wave is None:
        return render(request, "fulfilment/wave_new.html",
                      _wave_form_context(request.POST, result=result, skipped=sorted(result.skipped.items())))
    request.session[f"wave_skipped_{result.wave.pk}"] = result.skipped
    messages.success(request, _("批次 %(no)s 已建好：%(n)s 单") % {"no": result.wave.no, "n": len(result.added)})
    return redirect("fulfilment:wave", pk=result.wave.pk)


@login_required
@handles_errors
def wave_count(request: HttpRequest) -> HttpResponse:
    form = WaveForm(request.GET)
    n = waves.candidates(form.wave_filter()).count() if form.is_valid() else 0
    return render(request, "fulfilment/_wave_count.html", {"n": n, "carrier": form.cleaned_data.get("carrier", "")
                                                           if form.is_valid() else ""})


# --- one wave ---------------------------------------------------------------------------------------


@login_required
@handles_errors
def wave(request: HttpRequest, pk: int) -> HttpResponse:
    w = get_wave(pk)
    page = Paginator(selectors.wave_parcels(w), PARCELS_PER_PAGE).get_page(request.GET.get("page") or 1)
    parcels = list(page.object_list)
    for p in parcels:
        p.stop = stopped(p)
    skipped = request.session.pop(f"wave_skipped_{pk}", None) or {}
    stopped_now = request.session.pop(f"wave_stopped_{pk}", None) or []
    open_parcels = Parcel.objects.filter(wave=w, state=Parcel.State.OPEN)
    return render(request, "fulfilment/wave.html", {
        "wave": w,
        "parcels": parcels,
        "page": page,
        "not_packed": list(open_parcels.select_related("order").order_by("id")[:50]),
        "open_n": open_parcels.count(),
        "docs": latest_docs(w),
        "skipped": sorted(skipped.items()),
        "stopped_now": stopped_now,
        "carriers": carrier_choices(),
        "enabled": set(enabled_carriers()),
        "sizes": [("76x130", "76×130"), ("100x180", "100×180"), ("a4", "A4")],
    })


@login_required
@handles_errors
def pick(request: HttpRequest, pk: int) -> HttpResponse:
    w = get_wave(pk)
    rows = selectors.pick_rows(w)
    picked = set(w.picked)
    return render(request, "fulfilment/pick.html", {
        "wave": w, "rows": rows, "picked": picked,
        "done": sum(1 for r in rows if r.sku in picked), "total": len(rows),
    })


@login_required
@require_POST
@handles_errors
def pick_tick(request: HttpRequest, pk: int) -> HttpResponse:
    require(request.user, "pack")
    w = get_wave(pk)
    sku = request.POST.get("sku", "").strip()
    rows = selectors.pick_rows(w)
    if not any(r.sku == sku for r in rows):
        raise NotFound(f"批次里没有 {sku} (SKU not in this wave)", code="sku_not_in_wave")
    w = waves.tick_pick(wave_id=w.pk, sku_code=sku, picked=request.POST.get("picked") == "1", by=request.user)
    picked = set(w.picked)
    if not wants_fragment(request):
        return redirect("fulfilment:pick", pk=pk)
    return render(request, "fulfilment/_pick_list.html", {
        "wave": w, "rows": rows, "picked": picked,
        "done": sum(1 for r in rows if r.sku in picked), "total": len(rows),
    })


@login_required
@require_POST
@handles_errors
def doc_request(request: HttpRequest, pk: int) -> HttpResponse:
    require(request.user, "waves")
    d = parse(DocForm, request.POST)
    w = get_wave(pk)
    docs.request(wave_id=w.pk, kind=d["kind"], size=d["size"], by=request.user)
    if not wants_fragment(request):
        return redirect("fulfilment:wave", pk=pk)
    return render(request, "fulfilment/_docs.html", {"docs": latest_docs(w)})


def latest_docs(w: Wave) -> list[Document]:
    """The newest document of each kind (a new 面单 PDF replaces the card of the last one)."""
    newest: dict[str, Document] = {}
    for d in selectors.documents(w)[:20]:
        newest.setdefault(d.kind, d)
    return sorted(newest.values(), key=lambda d: -d.pk)


def _get_doc(pk: int) -> Document:
    doc = Document.objects.select_related("wave").filter(pk=pk).first()
    if doc is None:
        raise NotFound(f"单据 {pk} 不存在 (document not found)", code="document_not_found")
    return doc


@login_required
@handles_errors
def doc(request: HttpRequest, pk: int) -> HttpResponse:
    return render(request, "fulfilment/_doc.html", {"doc": _get_doc(pk)})


DOC_NAMES = {"labels": "labels", "picklist": "picklist", "slips": "packing-slips"}


@login_required
@handles_errors
def doc_download(request: HttpRequest, pk: int) -> HttpResponse:
    require(request.user, "waves")
    d = _get_doc(pk)
    if d.state != Document.State.DONE or not d.path or not Path(d.path).exists():
        raise NotFound("单据还没生成好或已被清理，请重新生成 (document not ready)", code="document_not_ready")
    size = f"-{d.size}" if d.kind == Document.Kind.LABELS else ""
    return FileResponse(open(d.path, "rb"), as_attachment=True, content_type="application/pdf",
                        filename=f"{d.wave.no}-{DOC_NAMES.get(d.kind, d.kind)}{size}.pdf")


@login_required
@require_POST
@handles_errors
@loud_errors
def ship_wave(request: HttpRequest, pk: int) -> HttpResponse:
    require(request.user, "ship")
    res = shipping.ship_wave(wave_id=get_wave(pk).pk, by=request.user)
    n, waiting = len(res["shipped"]), res["not_packed"]
    if n:
        messages.success(request, _("已发货 %(n)s 个包裹") % {"n": n})
    else:
        messages.info(request, _("没有已打包待发货的包裹"))
    if waiting:
        messages.warning(request, _("还有 %(n)s 个包裹没验货打包，未发货：%(codes)s")
                         % {"n": len(waiting), "codes": "、".join(waiting[:20])})
    stopped = res.get("intercepted") or []
    if stopped:  # held back, the others went: the wave page says so loudly (red banner + alarm)
        request.session[f"wave_stopped_{pk}"] = [localized_message(s["reason"]) for s in stopped]
    return redirect("fulfilment:wave", pk=pk)


# --- one parcel -------------------------------------------------------------------------------------


@login_required
@handles_errors
def parcel(request: HttpRequest, pk: int) -> HttpResponse:
    p = get_parcel(pk)
    p.stop = stopped(p)
    return render(request, "fulfilment/parcel.html", {
        "parcel": p, "items": list(p.items.all()), "scans": list(p.scans.all())[-30:],
        "carriers": carrier_choices(), "enabled": set(enabled_carriers()),
    })


def _back_to(request: HttpRequest, p: Parcel) -> HttpResponse:
    if request.POST.get("next") == "wave" and p.wave_id:
        return redirect("fulfilment:wave", pk=p.wave_id)
    return redirect("fulfilment:parcel", pk=p.pk)


@login_required
@require_POST
@handles_errors
def change_carrier(request: HttpRequest, pk: int) -> HttpResponse:
    require(request.user, "waves")
    code = parse(CarrierForm, request.POST)["carrier"]
    p = change_carrier_service(parcel_id=pk, carrier_code=code, by=request.user)
    if p.waybill:
        messages.success(request, _("P%(pk)s 改为 %(carrier)s，新运单号 %(no)s")
                         % {"pk": p.pk, "carrier": catalog.get(code).name_zh, "no": p.waybill})
    else:
        messages.warning(request, _("P%(pk)s 改为 %(carrier)s，请在验货时扫描或输入运单号")
                         % {"pk": p.pk, "carrier": catalog.get(code).name_zh})
    return _back_to(request, p)


@login_required
@require_POST
@handles_errors
def parcel_number(request: HttpRequest, pk: int) -> HttpResponse:
    require(request.user, "pack")
    number = parse(NumberForm, request.POST)["number"]
    p, warnings = numbers.set_number(parcel_code=f"P{pk}", number=number, by=request.user)
    messages.success(request, _("运单号已设为 %(no)s") % {"no": p.waybill})
    for w in warnings:
        messages.warning(request, localized_message(w))
    return _back_to(request, p)


@login_required
@require_POST
@handles_errors
@loud_errors
def ship_parcel(request: HttpRequest, pk: int) -> HttpResponse:
    require(request.user, "ship")
    p = shipping.ship(code=f"P{pk}", by=request.user)
    messages.success(request, _("%(no)s 已发货") % {"no": p.waybill or f"P{p.pk}"})
    return _back_to(request, p)
