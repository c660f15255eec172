"""Stock pages: SKU list, low stock, one SKU with its levels, forms and ledger, SKU edit and CSV import."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from fahuo.core.models import ShopSettings
from fahuo.core.permissions import require
from fahuo.core.views import handles_errors, parse
from fahuo.inventory import selectors, services
from fahuo.inventory.forms import (
    AdjustForm,
    ReceiveForm,
    SkuForm,
    SkuImportForm,
    StockSearchForm,
    StocktakeForm,
)
from fahuo.inventory.models import Location
from fahuo.inventory.sku_import import import_skus
from fahuo.orders.services import stock as order_stock
from fahuo.orders.views.common import wants_fragment


@login_required
@handles_errors
def stock_list(request: HttpRequest) -> HttpResponse:
    q = parse(StockSearchForm, request.GET)["q"].strip()
    ctx = {"rows": selectors.stock_rows(q=q), "q": q, "threshold": ShopSettings.get().low_stock_threshold}
    return render(request, "inventory/_rows.html" if wants_fragment(request) else "inventory/list.html", ctx)


@login_required
def stock_low(request: HttpRequest) -> HttpResponse:
    threshold = ShopSettings.get().low_stock_threshold
    return render(request, "inventory/low.html", {"rows": selectors.low_stock(threshold=threshold),
                                                  "threshold": threshold})


@login_required
@handles_errors
def sku_detail(request: HttpRequest, code: str) -> HttpResponse:
    sku = services.get_sku(code)
    row = selectors.stock_rows(sku_codes=[sku.code])
    return render(request, "inventory/sku.html", {
        "sku": sku,
        "row": row[0] if row else None,
        "levels": list(selectors.levels_of(sku)),
        "ledger": list(selectors.ledger(sku=sku, limit=100)),
        "locations": list(Location.objects.values_list("code", flat=True)),
    })


def _to_sku(code: str) -> HttpResponse:
    return redirect("stock:sku", code=code)


@login_required
@require_POST
@handles_errors
def receive(request: HttpRequest, code: str) -> HttpResponse:
    require(request.user, "receive_stock")
    d = parse(ReceiveForm, request.POST)
    level = services.receive(sku_code=code, qty=d["qty"], location_code=d["location"] or None,
                             reason=d["reason"], by=request.user)
    messages.success(request, _("已入库 %(n)s，%(loc)s 现有 %(on)s") % {"n": d["qty"], "loc": level.location.code,
                                                                    "on": level.on_hand})
    return _to_sku(code)


@login_required
@require_POST
@handles_errors
def adjust(request: HttpRequest, code: str) -> HttpResponse:
    require(request.user, "adjust_stock")
    d = parse(AdjustForm, request.POST)
    level = services.adjust(sku_code=code, delta=d["delta"], location_code=d["location"] or None,
                            reason=d["reason"], by=request.user)
    messages.success(request, _("已调整，%(loc)s 现有 %(on)s") % {"loc": level.location.code, "on": level.on_hand})
    return _to_sku(code)


@login_required
@require_POST
@handles_errors
def stocktake(request: HttpRequest, code: str) -> HttpResponse:
    require(request.user, "stocktake")
    d = parse(StocktakeForm, request.POST)
    level = order_stock.stocktake(sku_code=code, counted=d["counted"], location_code=d["location"] or None,
                                  reason=d["reason"], by=request.user)
    messages.success(request, _("盘点完成，%(loc)s 现有 %(on)s") % {"loc": level.location.code, "on": level.on_hand})
    return _to_sku(code)


@login_required
@handles_errors
def sku_edit(request: HttpRequest, code: str | None = None) -> HttpResponse:
    require(request.user, "edit_sku")
    sku = services.get_sku(code) if code else None
    if request.method != "POST":
        return render(request, "inventory/sku_form.html", {"sku": sku})
    form = SkuForm(request.POST)
    if not form.is_valid():
        parse(SkuForm, request.POST)
    kwargs = form.service_kwargs()
    if sku is not None:
        kwargs["code"] = sku.code  # the 商家编码 is the key: editing never renames
    saved = services.save_sku(**kwargs, by=request.user)
    messages.success(request, _("商品 %(code)s 已保存") % {"code": saved.code})
    return _to_sku(saved.code)


@login_required
@handles_errors
def sku_import(request: HttpRequest) -> HttpResponse:
    require(request.user, "import_skus")
    if request.method != "POST":
        return render(request, "inventory/import.html", {})
    f = parse(SkuImportForm, request.POST, request.FILES)["file"]
    result = import_skus(data=f.read(), by=request.user)
    return render(request, "inventory/import.html", {"result": result, "filename": f.name})
