"""合单 and 拆单: several orders for one receiver packed as one parcel; one order shipped in parts."""

from __future__ import annotations

from django.db import transaction

from fahuo.core.errors import InvalidInput, InvalidTransition
from fahuo.inventory import services as stock
from fahuo.orders.models import Order, OrderLine, Source
from fahuo.orders.selectors import get_order
from fahuo.orders.services.review import own_problems, refresh_cross_checks
from fahuo.orders.services.timeline import move, record
from fahuo.orders.status import Groups, Status

_MERGEABLE = (Status.REVIEW, Status.SHORT, Status.READY, Status.HELD)
_RECEIVER = ("receiver_name", "receiver_phone", "province", "city", "district", "detail")


@transaction.atomic
def merge(*, order_nos: list[str], by) -> Order:
    """Merge orders for the same receiver. The earliest paid becomes the primary; the group goes back to review
    (its stock released) so it is confirmed, and later packed, as one."""
    nos = list(dict.fromkeys(n.strip() for n in order_nos if n.strip()))
    if len(nos) < 2:
        raise InvalidInput("合单至少需要两个订单 (merge needs at least two orders)", code="merge_needs_two")
    orders = [get_order(n, lock=True) for n in sorted(nos)]
    for o in orders:
        if o.status not in _MERGEABLE:
            raise InvalidTransition(f"订单 {o.order_no} 状态“{o.get_status_display()}”不能合单 (cannot merge an order in "
                                    f"status {o.status})", code="invalid_transition", order_no=o.order_no)
        if o.merged_into_id and o.merged_into.order_no not in nos:
            raise InvalidTransition(f"订单 {o.order_no} 已合并到 {o.merged_into.order_no} (already merged)",
                                    code="already_merged", order_no=o.order_no)
    first = orders[0]
    for o in orders[1:]:
        diff = [f for f in _RECEIVER if getattr(o, f) != getattr(first, f)]
        if diff:
            raise InvalidInput(f"订单 {o.order_no} 与 {first.order_no} 的收货信息不同（{', '.join(diff)}），不能合单 "
                               f"(receivers differ)", code="receivers_differ", fields=diff)
    # members of existing groups among them come along
    extra = list(Order.objects.select_for_update().filter(merged_into__in=orders).exclude(pk__in=[o.pk for o in orders]))
    everyone = sorted(orders + extra, key=lambda o: (o.paid_at is None, o.paid_at, o.pk))
    primary = everyone[0]
    for o in everyone:
        if o.status in Groups.ALLOCATED:
            stock.release(order_id=o.pk, reason="合单，重新审核", by=by)
    members = [o for o in everyone if o.pk != primary.pk]
    Order.objects.filter(pk__in=[o.pk for o in members]).update(merged_into=primary)
    Order.objects.filter(pk=primary.pk).update(merged_into=None)
    for o in everyone:
        o.refresh_from_db()
        if o.status == Status.HELD:
            o.hold_reason, o.hold_note, o.hold_until = "", "", None
            o.save(update_fields=["hold_reason", "hold_note", "hold_until"])
        o.problems = own_problems(o)
        o.save(update_fields=["problems", "updated_at"])
        if o.status != Status.REVIEW:
            move(o, Status.REVIEW, by=by, kind="merged", message="合单后重新审核")
    record(primary, "merged", by=by, message="合单：" + ", ".join(m.order_no for m in members),
           members=[m.order_no for m in members])
    for m in members:
        record(m, "merged", by=by, message=f"合并到 {primary.order_no}", primary=primary.order_no)
    refresh_cross_checks([o.pk for o in everyone])
    primary.refresh_from_db()
    return primary


@transaction.atomic
def unmerge(*, order_no: str, by) -> Order:
    from fahuo.orders.services.decide import _leave_group

    order = get_order(order_no, lock=True)
    if not order.merged_into_id and not order.merged.exists():
        raise InvalidTransition(f"订单 {order_no} 没有合单 (order is not merged)", code="not_merged")
    primary = order.merged_into or order
    if primary.status in Groups.ALLOCATED:
        for o in [primary, *primary.merged.all()]:
            stock.release(order_id=o.pk, reason="拆开合单，重新审核", by=by)
            if o.status != Status.REVIEW:
                move(o, Status.REVIEW, by=by, kind="unmerged", message="拆开合单，重新审核")
    _leave_group(order, by)
    refresh_cross_checks([order.pk, primary.pk])
    order.refresh_from_db()
    return order


@transaction.atomic
def split(*, order_no: str, parts: list[dict[int, int]], by) -> list[Order]:
    """Split lines (or part of a line's quantity) into new orders. `parts` = [{line_id: qty}, …].

    The new orders keep the platform order number (platform_order_no) and each line keeps its 子订单编号, so the
    batch-shipping file can later send every part with its own waybill. Everything goes back to review."""
    order = get_order(order_no, lock=True)
    if order.status not in (Status.REVIEW, Status.SHORT, Status.HELD, Status.READY):
        raise InvalidTransition(f"订单 {order_no} 状态“{order.get_status_display()}”不能拆单 (cannot split an order in "
                                f"status {order.status})", code="invalid_transition")
    if order.merged_into_id or order.merged.exists():
        raise InvalidTransition("合单中的订单不能拆单，请先拆开合单 (unmerge first)", code="merged_member")
    lines = {ln.pk: ln for ln in OrderLine.objects.select_for_update().filter(order=order)}
    taken: dict[int, int] = {}
    for part in parts:
        if not part or not any(q > 0 for q in part.values()):
            raise InvalidInput("拆出的每一部分至少要有一个宝贝 (each part needs at least one item)", code="empty_part")
        for lid, q in part.items():
            if lid not in lines:
                raise InvalidInput(f"宝贝行 {lid} 不属于订单 {order_no} (line not in order)", code="bad_line")
            if q < 0:
                raise InvalidInput("数量不能为负 (negative quantity)", code="bad_qty")
            taken[lid] = taken.get(lid, 0) + q
    for lid, q in taken.items():
        if q > lines[lid].qty:
            raise InvalidInput(f"“{lines[lid].title}”只有 {lines[lid].qty} 件，不能拆出 {q} 件 (more than the line has)",
                               code="bad_qty", line=lid)
    if all(taken.get(lid, 0) == ln.qty for lid, ln in lines.items()):
        raise InvalidInput("原订单至少要留下一个宝贝 (the original order must keep at least one item)",
                           code="nothing_left")
    if order.status in Groups.ALLOCATED:
        stock.release(order_id=order.pk, reason="拆单，重新审核", by=by)
    # numbers already taken: earlier parts of this order, and parts of its parts (A-2 split again)
    used = set(Order.objects.filter(order_no__startswith=f"{order.platform_order_no}-").values_list("order_no", flat=True))
    new_orders = []
    i = 1
    for part in parts:
        i += 1
        while f"{order.platform_order_no}-{i}" in used:
            i += 1
        child = Order.objects.get(pk=order.pk)
        child.pk = None
        child.order_no = f"{order.platform_order_no}-{i}"
        child.source = Source.SPLIT
        child.split_from = order
        child.status = Status.REVIEW
        child.hold_reason, child.hold_note, child.hold_until = "", "", None
        child.fingerprint = ""
        child.save(force_insert=True)
        for lid, q in part.items():
            if q <= 0:
                continue
            src = lines[lid]
            OrderLine.objects.create(order=child, sku_id=src.sku_id, title=src.title, spec=src.spec,
                                     outer_id=src.outer_id, qty=q, price=src.price, sub_order_no=src.sub_order_no)
            src.qty -= q
        child.problems = own_problems(child)
        child.save(update_fields=["problems"])
        record(child, "split", by=by, to_status=Status.REVIEW, message=f"从 {order.order_no} 拆出",
               parent=order.order_no)
        new_orders.append(child)
    for ln in lines.values():
        if ln.qty == 0:
            ln.delete()
        else:
            ln.save(update_fields=["qty"])
    order.problems = own_problems(order)
    order.save(update_fields=["problems", "updated_at"])
    if order.status != Status.REVIEW:
        move(order, Status.REVIEW, by=by, kind="split", message="拆单后重新审核")
    record(order, "split", by=by, message="拆单：" + ", ".join(c.order_no for c in new_orders),
           parts=[c.order_no for c in new_orders])
    return new_orders
