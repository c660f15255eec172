"""揽收交接: scan each parcel as the courier takes it; the list of what was not taken. And the batch-ship file."""

from __future__ import annotations

from pathlib import Path

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from fahuo.carriers.services import carrier_name, enabled_carriers
from fahuo.core.errors import FahuoError, NotFound
from fahuo.core.models import ShopSettings
from fahuo.core.permissions import require
from fahuo.core.views import handles_errors, parse
from fahuo.fulfilment import selectors
from fahuo.fulfilment.forms import CodeForm, ExportForm, HandoverForm
from fahuo.fulfilment.models import BatchExport, Handover, Parcel
from fahuo.fulfilment.services import shipping
from fahuo.fulfilment.views.common import LOUD, banner_context, render_scan
from fahuo.fulfilment.views.waves import carrier_choices

# At the door these are as bad as a wrong item: another courier's parcel, or one nobody verified.
LOUD_AT_DOOR = ("wrong_carrier", "parcel_not_packed")


def _get_handover(pk: int) -> Handover:
    h = Handover.objects.select_related("by").filter(pk=pk).first()
    if h is None:
        raise NotFound(f"交接单 {pk} 不存在 (handover not found)", code="handover_not_found")
    return h


@login_required
@handles_errors
def handover_home(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        require(request.user, "handover")
        h = shipping.start_handover(carrier_code=parse(HandoverForm, request.POST)["carrier"], by=request.user)
        return redirect("fulfilment:handover_page", pk=h.pk)
    waiting = dict(Parcel.objects.filter(state=Parcel.State.PACKED).values_list("carrier_code")
                   .annotate(n=Count("id")).values_list("carrier_code", "n"))
    on = set(enabled_carriers())
    carriers = [(c, n, waiting.get(c, 0)) for c, n in carrier_choices()]
    carriers.sort(key=lambda t: -t[2])  # the couriers with parcels waiting first (stable: catalog order)
    return render(request, "fulfilment/handover_home.html", {
        "carriers": [t for t in carriers if t[2] or t[0] in on],
        "others": [t for t in carriers if not t[2] and t[0] not in on],
        "handovers": list(selectors.handovers()[:10]),
    })


def _handover_context(h: Handover, **extra) -> dict:
    scanned = list(h.parcels.select_related("order").order_by("-handed_over_at", "-id"))
    ctx = {"h": h, "scanned": scanned, "carrier": carrier_name(h.carrier_code),
           "waiting": list(selectors.packed_waiting(h.carrier_code))}
    return {**ctx, **extra}


@login_required
@handles_errors
def handover_page(request: HttpRequest, pk: int) -> HttpResponse:
    return render(request, "fulfilment/handover.html", _handover_context(_get_handover(pk)))


@login_required
@require_POST
@handles_errors
def handover_scan(request: HttpRequest, pk: int) -> HttpResponse:
    require(request.user, "handover")
    h = _get_handover(pk)
    code = parse(CodeForm, request.POST)["code"].strip()
    panel, page = "fulfilment/_handover_panel.html", "fulfilment/handover.html"
    if not code:
        return render_scan(request, panel, page, _handover_context(h), result="info")
    try:
        p = shipping.handover_scan(handover_id=h.pk, code=code, by=request.user)
    except FahuoError as e:
        ctx = _handover_context(h, **banner_context(e))
        loud = isinstance(e, LOUD) or e.code in LOUD_AT_DOOR
        ctx["loud"] = loud
        return render_scan(request, panel, page, ctx, status=e.http_status, result="alarm" if loud else "error")
    return render_scan(request, panel, page, _handover_context(h, hit=p.pk), result="ok")


@login_required
@require_POST
@handles_errors
def handover_close(request: HttpRequest, pk: int) -> HttpResponse:
    require(request.user, "handover")
    h, left = shipping.close_handover(handover_id=_get_handover(pk).pk, by=request.user)
    if left:
        messages.warning(request, _("交接结束。还有 %(n)s 个已打包的包裹快递员没有扫走，见下方红色列表")
                         % {"n": len(left)})
    else:
        messages.success(request, _("交接结束，已打包的包裹都交给了快递员"))
    return redirect("fulfilment:handover_page", pk=h.pk)


@login_required
@handles_errors
def handover_print(request: HttpRequest, pk: int) -> HttpResponse:
    h = _get_handover(pk)
    return render(request, "fulfilment/handover_print.html",
                  {**_handover_context(h), "shop": ShopSettings.get(),
                   "rows": list(h.parcels.select_related("order").order_by("handed_over_at", "id"))})


# --- batch-ship file --------------------------------------------------------------------------------

CONTENT_TYPES = {"csv": "text/csv; charset=utf-8",
                 "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


def _file(export: BatchExport) -> FileResponse:
    path = Path(export.path)
    if not path.exists():
        raise NotFound("文件已被清理，请重新导出 (file no longer on disk)", code="export_missing")
    return FileResponse(open(path, "rb"), as_attachment=True, filename=path.name,
                        content_type=CONTENT_TYPES.get(export.fmt, "application/octet-stream"))


@login_required
@handles_errors
def export(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        require(request.user, "export")
        d = parse(ExportForm, request.POST)
        exp = shipping.export_batch_ship(fmt=d["fmt"], include_exported=d["include_exported"],
                                         include_sandbox=d["include_sandbox"], by=request.user)
        if not exp.rows:
            messages.info(request, _("没有需要导出的已发货包裹"))
            return redirect("fulfilment:export")
        return _file(exp)
    shipped = Parcel.objects.filter(state=Parcel.State.SHIPPED, exported_at__isnull=True)
    return render(request, "fulfilment/export.html", {
        "pending": shipped.exclude(carrier_code="DEMO").count(),
        "pending_demo": shipped.filter(carrier_code="DEMO").count(),
        "exports": list(selectors.exports()[:20]),
    })


@login_required
@handles_errors
def export_download(request: HttpRequest, pk: int) -> HttpResponse:
    require(request.user, "export")
    exp = BatchExport.objects.filter(pk=pk).first()
    if exp is None:
        raise NotFound(f"导出记录 {pk} 不存在 (export not found)", code="export_not_found")
    return _file(exp)
