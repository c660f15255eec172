"""A new order typed on the phone: paste the receiver blob, pick SKUs, save."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from fahuo.core.permissions import require
from fahuo.core.views import handles_errors, parse
from fahuo.imports.address import split_receiver_blob
from fahuo.imports.phones import parse_phone
from fahuo.inventory.models import Sku
from fahuo.orders.forms import NewOrderForm, lines_from_post
from fahuo.orders.services import intake
from fahuo.orders.services.review import address_parser


def _sku_options() -> list[Sku]:
    return list(Sku.objects.filter(active=True).only("code", "title", "spec")[:1000])


@login_required
@handles_errors
def new_order(request: HttpRequest) -> HttpResponse:
    require(request.user, "create_order")
    if request.method != "POST":
        return render(request, "orders/new.html", {"sku_options": _sku_options(), "r": {}})
    d = parse(NewOrderForm, request.POST)
    address = "".join(d[k].strip() for k in ("province", "city", "district", "detail"))
    order = intake.create_order(by=request.user, receiver_name=d["name"], phone=d["phone"], address=address,
                                blob=request.POST.get("blob", "").strip(),
                                lines=lines_from_post(request.POST), order_no=d["order_no"],
                                buyer_message=d["buyer_message"], amount=d["amount"])
    messages.success(request, _("订单 %(no)s 已创建") % {"no": order.order_no})
    return redirect("orders:detail", order_no=order.order_no)


@login_required
@require_POST
@handles_errors
def parse_receiver(request: HttpRequest) -> HttpResponse:
    """`张三 13812345678 浙江省杭州市西湖区文三路90号` → the receiver inputs, filled."""
    require(request.user, "create_order")
    parser = address_parser()
    name, phone_raw, address = split_receiver_blob(request.POST.get("blob", ""), parser)
    phone = parse_phone(phone_raw)
    a = parser.parse(address) if address else None
    r = {"name": name, "phone": phone.number or phone.raw, "phone_kind": phone.kind, "ext": phone.extension,
         "province": a.province if a else "", "city": a.city if a else "", "district": a.district if a else "",
         "detail": a.detail if a else "", "complete": bool(a and a.complete), "parsed": True}
    return render(request, "orders/_new_receiver.html", {"r": r})


@login_required
def new_line(request: HttpRequest) -> HttpResponse:
    return render(request, "orders/_new_line.html")
