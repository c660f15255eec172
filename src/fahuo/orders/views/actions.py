"""What a person does to an order: each view parses the form, checks the role, calls one service."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from fahuo.core.errors import InvalidInput
from fahuo.core.permissions import require
from fahuo.core.templatetags.fahuo_tags import localized_message
from fahuo.core.views import handles_errors, parse
from fahuo.orders import selectors
from fahuo.orders.forms import CancelForm, HoldForm, MapSkuForm, ReceiverForm, split_part_from_post
from fahuo.orders.services import decide, grouping, review
from fahuo.orders.status import Status
from fahuo.orders.views.common import wants_fragment
from fahuo.orders.views.pages import receiver_editable


def _back(order_no: str) -> HttpResponse:
    return redirect("orders:detail", order_no=order_no)


def _short_words(short: dict[str, int]) -> str:
    return "、".join(f"{code}×{n}" for code, n in short.items())


@login_required
@require_POST
@handles_errors
def confirm(request: HttpRequest, order_no: str) -> HttpResponse:
    require(request.user, "confirm")
    res = decide.confirm(order_no=order_no, by=request.user)
    if res.status == Status.SHORT:
        messages.warning(request, _("库存不足，订单进入缺货：%(skus)s") % {"skus": _short_words(res.short)})
    else:
        messages.success(request, _("已确认，库存已占用"))
    return _back(order_no)


@login_required
@require_POST
@handles_errors
def confirm_all(request: HttpRequest) -> HttpResponse:
    require(request.user, "confirm")
    results = decide.confirm_many(all_ok=True, by=request.user)
    ready = sum(1 for r in results if r.status == Status.READY and not r.error)
    short = sum(1 for r in results if r.status == Status.SHORT and not r.error)
    failed = [r for r in results if r.error]
    if not results:
        messages.info(request, _("没有无问题的待审核订单"))
    else:
        messages.success(request, _("已确认 %(ready)s 单，%(short)s 单缺货") % {"ready": ready, "short": short})
    if failed:
        messages.error(request, ngettext("%(n)s 单未能确认：%(why)s", "%(n)s 单未能确认：%(why)s", len(failed))
                       % {"n": len(failed), "why": "；".join(f"{r.order_no} {localized_message(r.error['message'])}"
                                                             for r in failed[:5])})
    return redirect(reverse("orders:list") + "?status=review")


@login_required
@require_POST
@handles_errors
def hold(request: HttpRequest, order_no: str) -> HttpResponse:
    require(request.user, "hold")
    d = parse(HoldForm, request.POST)
    decide.hold(order_no=order_no, reason=d["reason"], note=d["note"], until=d["until"], by=request.user)
    messages.success(request, _("已挂起"))
    return _back(order_no)


@login_required
@require_POST
@handles_errors
def release(request: HttpRequest, order_no: str) -> HttpResponse:
    require(request.user, "hold")
    decide.release_hold(order_no=order_no, by=request.user)
    messages.success(request, _("已解除挂起，回到待审核"))
    return _back(order_no)


@login_required
@require_POST
@handles_errors
def cancel(request: HttpRequest, order_no: str) -> HttpResponse:
    require(request.user, "cancel")
    decide.cancel(order_no=order_no, reason=parse(CancelForm, request.POST)["reason"], by=request.user)
    messages.success(request, _("订单已取消"))
    return _back(order_no)


@login_required
@require_POST
@handles_errors
def reopen(request: HttpRequest, order_no: str) -> HttpResponse:
    require(request.user, "reopen")
    decide.reopen(order_no=order_no, by=request.user)
    messages.success(request, _("订单已恢复到待审核"))
    return _back(order_no)


@login_required
@require_POST
@handles_errors
def merge(request: HttpRequest, order_no: str) -> HttpResponse:
    require(request.user, "merge")
    others = [n for n in request.POST.getlist("with") if n.strip()]
    if not others:
        raise InvalidInput("请勾选要合并的订单 (tick the orders to merge)", code="merge_needs_two")
    primary = grouping.merge(order_nos=[order_no, *others], by=request.user)
    messages.success(request, _("已合单，主订单 %(no)s") % {"no": primary.order_no})
    return _back(primary.order_no)


@login_required
@require_POST
@handles_errors
def unmerge(request: HttpRequest, order_no: str) -> HttpResponse:
    require(request.user, "merge")
    grouping.unmerge(order_no=order_no, by=request.user)
    messages.success(request, _("已退出合单"))
    return _back(order_no)


@login_required
@require_POST
@handles_errors
def split(request: HttpRequest, order_no: str) -> HttpResponse:
    require(request.user, "split")
    order = selectors.get_order(order_no)
    part = split_part_from_post(request.POST, list(order.lines.values_list("id", flat=True)))
    new = grouping.split(order_no=order_no, parts=[part], by=request.user)
    messages.success(request, _("已拆出 %(nos)s") % {"nos": "、".join(o.order_no for o in new)})
    return _back(order_no)


@login_required
@handles_errors
def receiver(request: HttpRequest, order_no: str) -> HttpResponse:
    """GET: the inline edit form (or, with ?view=1, the block again). POST: save it, answer with the block."""
    if request.method == "GET" and request.GET.get("view"):
        order = selectors.get_order(order_no)
        return render(request, "orders/_receiver.html", {"order": order, "can_edit": receiver_editable(order)})
    require(request.user, "edit_receiver")
    if request.method == "GET":
        return render(request, "orders/_receiver_form.html", {"order": selectors.get_order(order_no)})
    form = ReceiverForm(request.POST)
    if not form.is_valid():
        parse(ReceiverForm, request.POST)  # raises with the words
    order = review.update_receiver(order_no=order_no, by=request.user, **form.service_kwargs())
    if wants_fragment(request):
        return render(request, "orders/_receiver.html", {"order": order, "can_edit": receiver_editable(order),
                                                        "oob_problems": True})
    messages.success(request, _("收货信息已更新"))
    return _back(order_no)


@login_required
@require_POST
@handles_errors
def map_sku(request: HttpRequest, order_no: str) -> HttpResponse:
    require(request.user, "map_sku")
    d = parse(MapSkuForm, request.POST)
    n = review.map_sku(title=d["title"], spec=d["spec"], sku_code=d["sku"].strip(), by=request.user)
    messages.success(request, ngettext("已对应 %(n)s 个宝贝到 %(sku)s，以后导入会自动对应",
                                       "已对应 %(n)s 个宝贝到 %(sku)s，以后导入会自动对应", n)
                     % {"n": n, "sku": d["sku"].strip()})
    return _back(order_no)
