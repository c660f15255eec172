"""Order list and order detail (reads only)."""

from __future__ import annotations

from datetime import timedelta

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from fahuo.core import clock
from fahuo.core.models import ShopSettings
from fahuo.core.views import handles_errors, parse
from fahuo.inventory.models import Sku
from fahuo.orders import buyer_messages, rules, selectors
from fahuo.orders.forms import SearchForm
from fahuo.orders.models import Order
from fahuo.orders.status import Groups, Status, can_move
from fahuo.orders.views.common import wants_fragment

PAGE_SIZE = 50
TABS = [
    ("review", _("待审核")),
    ("short", _("缺货")),
    ("held", _("挂起")),
    ("ready", _("待发货")),
    ("unpaid", _("待付款")),
    ("shipped,delivered,completed", _("已发货")),
    ("cancelled,closed", _("已取消/关闭")),
    ("all", _("全部")),
]
DRAFT_LABELS = [("wait", _("请买家稍等")), ("swap", _("建议换款")), ("refund", _("建议退款"))]
DUES = [("today", _("今日到期")), ("overdue", _("已超时"))]


@login_required
@handles_errors
def order_list(request: HttpRequest) -> HttpResponse:
    p = parse(SearchForm, request.GET)
    due, q = p["due"], p["q"].strip()
    status = p["status"] or ("all" if (due or q) else "review")
    qs = selectors.order_list(status="" if status == "all" else status, q=q, due=due)
    page = Paginator(qs, PAGE_SIZE).get_page(p["page"] or 1)
    ctx = {"page": page, "orders": page.object_list, "status": status, "due": due, "q": q, "tabs": TABS,
           "dues": DUES, "due_soon_hours": ShopSettings.get().due_soon_hours}
    template = "orders/_list_results.html" if wants_fragment(request) else "orders/list.html"
    return render(request, template, ctx)


@login_required
@handles_errors
def order_detail(request: HttpRequest, order_no: str) -> HttpResponse:
    order = selectors.get_order(order_no)
    return render(request, "orders/detail.html", detail_context(request, order))


_MERGEABLE = [Status.REVIEW, Status.HELD, Status.SHORT, Status.READY]


def detail_context(request: HttpRequest, order: Order) -> dict:
    shop = ShopSettings.get()
    lines = list(order.lines.select_related("sku").order_by("id"))
    members = list(order.merged.prefetch_related("lines__sku").order_by("paid_at", "id"))
    candidates = []
    if order.receiver_key and order.status in _MERGEABLE and not order.merged_into_id:
        candidates = list(Order.objects.filter(receiver_key=order.receiver_key, status__in=_MERGEABLE,
                                               merged_into__isnull=True).exclude(pk=order.pk)
                          .prefetch_related("lines__sku").order_by("paid_at", "id"))
    drafts = []
    if order.status == Status.SHORT:
        short = set(order.short_skus)
        group_lines = lines + [ln for m in members for ln in m.lines.all()]
        items = list(dict.fromkeys(ln.title for ln in group_lines if ln.sku_id and ln.sku.code in short)) or \
            list(order.short_skus)
        drafts = [(k, label, buyer_messages.draft(k, items=items, lang=get_language() or "zh"))
                  for k, label in DRAFT_LABELS]
    unmapped = [ln for ln in lines if ln.sku_id is None]
    return {
        "order": order,
        "lines": lines,
        "members": members,
        "parts": list(order.parts.order_by("id")),
        "candidates": candidates,
        "drafts": drafts,
        "unmapped": unmapped,
        "sku_options": list(Sku.objects.filter(active=True).only("code", "title", "spec")[:1000]) if unmapped else [],
        "events": list(selectors.timeline(order)),
        "open_cases": open_cases(order),
        "buyer_message_kind": buyer_message_kind(order, shop),
        "promised_hours": shop.promised_hours,
        "due_soon_hours": shop.due_soon_hours,
        "hold_reasons": list(rules.HOLD_REASONS_ZH.items()),
        "can": {
            "confirm": order.status in (Status.REVIEW, Status.SHORT) and not order.merged_into_id,
            "hold": can_move(order.status, Status.HELD) and not order.merged_into_id,
            "release": order.status == Status.HELD and not order.merged_into_id,
            "cancel": can_move(order.status, Status.CANCELLED),
            "reopen": order.status == Status.CANCELLED,
            "split": order.status in _MERGEABLE and not order.merged_into_id and not members
            and sum(ln.qty for ln in lines) > 1,
            "edit_receiver": receiver_editable(order),
            "unmerge": bool(order.merged_into_id or members),
        },
    }


def open_cases(order: Order) -> list:
    """The order's open tracking exceptions (its own and its parcels'), most severe first."""
    from fahuo.tracking.models import ExceptionCase

    rank = {"urgent": 0, "warning": 1, "info": 2}
    cases = list(ExceptionCase.objects.filter(order=order, state=ExceptionCase.State.OPEN)
                 .select_related("order", "parcel", "assigned_to"))
    return sorted(cases, key=lambda c: (rank.get(c.severity, 3), c.since, c.pk))


def buyer_message_kind(order: Order, shop) -> str:
    """Which message to the buyer the order page offers first: the tracking number once shipped, a delay when
    the ship-by is near or passed, none otherwise (缺货 has its own drafts above)."""
    if order.merged_into_id or order.status in (Status.CANCELLED, Status.CLOSED):
        return ""
    if order.status == Status.SHIPPED:
        return "shipped"
    if order.status in (Status.DELIVERED, Status.COMPLETED):
        return "delivered_followup"
    if order.status in Groups.TO_SHIP and order.ship_by is not None and order.status != Status.SHORT and \
            order.ship_by <= clock.now() + timedelta(hours=shop.due_soon_hours):
        return "delayed"
    return ""


def receiver_editable(order: Order) -> bool:
    return order.status in Groups.EDITABLE or order.status == Status.READY
