"""Review (审单): recompute problems, find duplicates and merge candidates, fix receivers, map SKUs."""

from __future__ import annotations

import hashlib
from datetime import timedelta

from django.db import transaction
from django.db.models import Count, Q

from fahuo.core.errors import InvalidInput, InvalidTransition
from fahuo.imports.address import AddressParser
from fahuo.imports.phones import parse_phone
from fahuo.inventory.models import Sku
from fahuo.orders import rules
from fahuo.orders.models import Order, OrderLine, SkuMapping
from fahuo.orders.services.timeline import record
from fahuo.orders.status import Groups, Status

_parser: AddressParser | None = None


def address_parser() -> AddressParser:
    global _parser
    if _parser is None:
        _parser = AddressParser()
    return _parser


def receiver_key(*, buyer_nick: str, name: str, phone: str, province: str, city: str, district: str, detail: str) -> str:
    raw = "|".join(s.strip() for s in (buyer_nick, name, phone, province, city, district, detail))
    return hashlib.sha1(raw.encode()).hexdigest()


def facts(order: Order, lines: list[OrderLine]) -> rules.OrderFacts:
    return rules.OrderFacts(
        platform_status=order.platform_status,
        refund_requested=order.refund_requested,
        receiver_name=order.receiver_name,
        phone_kind=order.phone_kind,
        address_complete=order.address_complete,
        line_count=len(lines),
        unmapped_lines=sum(1 for ln in lines if ln.sku_id is None),
        lines_uncertain=order.lines_uncertain,
        buyer_message=order.buyer_message,
        seller_memo=order.seller_memo,
    )


def own_problems(order: Order, lines: list[OrderLine] | None = None) -> list[str]:
    if lines is None:
        lines = list(order.lines.all())
    return rules.problems_of(facts(order, lines))


# statuses whose problems list is kept up to date with cross-order checks
_REVIEWABLE = [Status.REVIEW, Status.HELD, Status.SHORT, Status.READY, Status.UNPAID]
_OPEN_FOR_MERGE = [Status.REVIEW, Status.HELD, Status.SHORT, Status.READY]


def refresh_cross_checks(order_ids: list[int] | None = None) -> None:
    """Set merge_candidate / duplicate_probable on open orders. Set-based: a few queries whatever the count,
    and only orders that share a receiver (or carried a flag before) are loaded."""
    if order_ids is not None:
        # one indexed lookup on receiver_key; grouping in Python (cheap: a handful of rows per key)
        mine = set(Order.objects.filter(pk__in=order_ids).values_list("receiver_key", flat=True)) - {""}
        rows = list(Order.objects.filter(receiver_key__in=mine)
                    .values_list("id", "receiver_key", "status", "merged_into_id", "problems"))
        counts: dict[str, int] = {}
        for _, key, status, merged, _p in rows:
            if status in _OPEN_FOR_MERGE and merged is None:
                counts[key] = counts.get(key, 0) + 1
        shared = {k for k, n in counts.items() if n > 1}
        ids = {pk for pk, key, status, _m, probs in rows if status in _REVIEWABLE and (
            key in shared or "merge_candidate" in probs or "duplicate_probable" in probs)}
        ids |= set(Order.objects.filter(pk__in=order_ids, status__in=_REVIEWABLE).filter(
            Q(problems__icontains="merge_candidate") | Q(problems__icontains="duplicate_probable"))
            .values_list("pk", flat=True))
    else:
        keys_qs = (Order.objects.filter(status__in=_OPEN_FOR_MERGE, merged_into__isnull=True).exclude(receiver_key="")
                   .values("receiver_key").annotate(n=Count("id")).filter(n__gt=1))
        shared = {r["receiver_key"] for r in keys_qs}
        ids = set(Order.objects.filter(status__in=_REVIEWABLE).filter(
            Q(problems__icontains="merge_candidate") | Q(problems__icontains="duplicate_probable"))
            .values_list("pk", flat=True))
        if shared:
            ids |= set(Order.objects.filter(status__in=_REVIEWABLE, receiver_key__in=shared)
                       .values_list("pk", flat=True))
    if not ids:
        return
    todo = list(Order.objects.filter(pk__in=ids).prefetch_related("lines"))
    groups: dict[str, list[Order]] = {}
    for o in todo:
        if o.receiver_key in shared and o.status in _OPEN_FOR_MERGE and o.merged_into_id is None:
            groups.setdefault(o.receiver_key, []).append(o)
    dupes: set[int] = set()
    for members in groups.values():
        for a in members:
            for b in members:
                if a.pk < b.pk and _looks_duplicate(a, b):
                    dupes.update((a.pk, b.pk))
    changed = []
    for o in todo:
        p = [x for x in o.problems if x not in ("merge_candidate", "duplicate_probable")]
        if o.pk in dupes:
            p.append("duplicate_probable")
        if o.receiver_key in shared and o.status in _OPEN_FOR_MERGE and o.merged_into_id is None and o.pk not in dupes:
            p.append("merge_candidate")
        if p != o.problems:
            o.problems = p
            changed.append(o)
    if changed:
        Order.objects.bulk_update(changed, ["problems"])


def _looks_duplicate(a: Order, b: Order) -> bool:
    """Same buyer, same receiver, same items and amount, paid within 30 minutes: probably ordered twice."""
    if a.amount != b.amount or not a.paid_at or not b.paid_at:
        return False
    if abs(a.paid_at - b.paid_at) > timedelta(minutes=30):
        return False
    items = lambda o: sorted((ln.title, ln.spec, ln.qty) for ln in o.lines.all())  # noqa: E731
    return items(a) == items(b)


def refresh_problems(order: Order) -> None:
    order.problems = own_problems(order) + [p for p in order.problems if p in ("merge_candidate", "duplicate_probable")]
    order.save(update_fields=["problems", "updated_at"])


def _lock(order_no: str) -> Order:
    from fahuo.orders.selectors import get_order

    return get_order(order_no, lock=True)


@transaction.atomic
def update_receiver(*, order_no: str, by, name: str | None = None, phone: str | None = None,
                    province: str | None = None, city: str | None = None, district: str | None = None,
                    detail: str | None = None, address: str | None = None) -> Order:
    """Fix the receiver inline. `address` (one line) is parsed into 省/市/区 + detail; explicit parts win."""
    order = _lock(order_no)
    if order.status not in Groups.EDITABLE and order.status != Status.READY:
        raise InvalidTransition(f"订单 {order_no} 状态为 {order.status}，不能再修改收货信息 (receiver is locked)",
                                code="receiver_locked", status=order.status)
    before = {k: getattr(order, k) for k in ("receiver_name", "receiver_phone", "province", "city", "district", "detail")}
    if name is not None:
        if not name.strip():
            raise InvalidInput("收货人不能为空 (receiver name is required)", code="receiver_missing")
        order.receiver_name = name.strip()
    if phone is not None:
        p = parse_phone(phone)
        order.receiver_phone, order.phone_kind, order.phone_ext = p.number or p.raw, p.kind, p.extension
    if address:
        a = address_parser().parse(address)
        order.province, order.city, order.district, order.detail = a.province, a.city, a.district, a.detail
        order.adcode = a.adcode
        order.address_complete = a.complete
    for field, value in (("province", province), ("city", city), ("district", district), ("detail", detail)):
        if value is not None:
            setattr(order, field, value.strip())
    if any(v is not None for v in (province, city, district)):
        order.address_complete = bool(order.province and order.city and (order.district or order.adcode))
        if not order.address_complete:
            a = address_parser().parse(f"{order.province}{order.city}{order.district}{order.detail}")
            order.address_complete = a.complete and a.province == order.province
    order.receiver_key = receiver_key(buyer_nick=order.buyer_nick, name=order.receiver_name, phone=order.receiver_phone,
                                      province=order.province, city=order.city, district=order.district,
                                      detail=order.detail)
    order.save()
    after = {k: getattr(order, k) for k in before}
    changes = {k: [before[k], after[k]] for k in before if before[k] != after[k]}
    record(order, "receiver_changed", by=by, message="修改收货信息", changes=changes)
    refresh_problems(order)
    refresh_cross_checks([order.pk])
    order.refresh_from_db()
    return order


@transaction.atomic
def map_sku(*, title: str, spec: str = "", sku_code: str, by) -> int:
    """Remember title/spec → SKU and apply it to every open unmapped line with that title/spec.

    Returns how many lines were mapped."""
    from fahuo.inventory.services import get_sku

    sku = get_sku(sku_code)
    SkuMapping.objects.update_or_create(title=title, spec=spec, defaults={"sku": sku, "created_by": by})
    lines = list(OrderLine.objects.filter(sku__isnull=True, title=title, spec=spec,
                                          order__status__in=list(Groups.EDITABLE)).select_related("order"))
    for ln in lines:
        ln.sku = sku
    OrderLine.objects.bulk_update(lines, ["sku"])
    for order in {ln.order_id: ln.order for ln in lines}.values():
        record(order, "sku_mapped", by=by, message=f"{title} {spec} → {sku.code}", sku=sku.code)
        refresh_problems(order)
    return len(lines)


def resolve_sku(*, outer_id: str, title: str, spec: str, skus_by_code: dict[str, int],
                mappings: dict[tuple[str, str], int]) -> int | None:
    """商家编码 first, then a remembered title/spec mapping (spec-less mapping as a fallback)."""
    if outer_id and outer_id in skus_by_code:
        return skus_by_code[outer_id]
    return mappings.get((title, spec)) or mappings.get((title, ""))


def sku_lookup_tables() -> tuple[dict[str, int], dict[tuple[str, str], int]]:
    skus = dict(Sku.objects.values_list("code", "id"))
    mappings = {(t, s): sid for t, s, sid in SkuMapping.objects.values_list("title", "spec", "sku_id")}
    return skus, mappings
