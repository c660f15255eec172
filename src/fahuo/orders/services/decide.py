"""Decisions on an order: confirm (allocate), hold, release, cancel, reopen."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.db import transaction

from fahuo.core.errors import InvalidInput, InvalidTransition
from fahuo.inventory import services as stock
from fahuo.inventory.models import Sku
from fahuo.orders import rules
from fahuo.orders.models import Order, OrderLine
from fahuo.orders.selectors import get_order
from fahuo.orders.services.review import own_problems, refresh_cross_checks
from fahuo.orders.services.timeline import move, record
from fahuo.orders.signals import order_withdrawn
from fahuo.orders.status import Groups, Status, can_move


@dataclass
class ConfirmResult:
    order_no: str
    status: str
    short: dict[str, int] = field(default_factory=dict)  # sku code -> missing units
    error: dict | None = None

    def as_dict(self) -> dict:
        d = {"order_no": self.order_no, "status": self.status}
        if self.short:
            d["short"] = self.short
        if self.error:
            d["error"] = self.error
        return d


def _group(order: Order) -> list[Order]:
    """The order and the orders merged into it, locked in id order."""
    members = list(Order.objects.select_for_update().filter(merged_into=order).order_by("id"))
    return [order, *members]


def _check_move(order: Order, to: Status, action: str) -> None:
    if not can_move(order.status, to):
        raise InvalidTransition(
            f"订单 {order.order_no} 当前状态“{order.get_status_display()}”，不能{action} "
            f"(cannot {action_en(action)} an order in status {order.status})",
            code="invalid_transition", order_no=order.order_no, status=order.status, to=str(to))


def action_en(action: str) -> str:
    return {"确认": "confirm", "挂起": "hold", "取消": "cancel", "解除挂起": "release", "恢复": "reopen"}.get(action, action)


def _try_allocate(order: Order, by, *, group: list[Order] | None = None,
                  lines: list[OrderLine] | None = None) -> ConfirmResult:
    """Allocate the whole group or nothing; set ready or short. Caller holds the locks."""
    group = group if group is not None else _group(order)
    if lines is None:
        lines = list(OrderLine.objects.filter(order__in=group).order_by("id"))
    needs = [stock.Need(line_id=ln.pk, sku_id=ln.sku_id, qty=ln.qty) for ln in lines if ln.sku_id]
    try:
        stock.allocate(needs=needs, order_id=order.pk, by=by)
    except stock.Shortage as s:
        codes = dict(Sku.objects.filter(pk__in=s.missing).values_list("pk", "code"))
        short = {codes[k]: v for k, v in sorted(s.missing.items(), key=lambda kv: codes[kv[0]])}
        for o in group:
            was_short = o.status == Status.SHORT
            if o.short_skus != sorted(short):
                o.short_skus = sorted(short)
                o.save(update_fields=["short_skus", "updated_at"])
            if not was_short:
                move(o, Status.SHORT, by=by, kind="short", message="缺货: " + ", ".join(f"{k}×{v}" for k, v in short.items()),
                     missing=short)
        return ConfirmResult(order.order_no, Status.SHORT, short=short)
    for o in group:
        if o.short_skus:
            o.short_skus = []
            o.save(update_fields=["short_skus", "updated_at"])
        move(o, Status.READY, by=by, kind="confirmed", message="审核通过，已占用库存")
    return ConfirmResult(order.order_no, Status.READY)


@transaction.atomic
def confirm(*, order_no: str, by) -> ConfirmResult:
    """Confirm one order (and the orders merged into it): allocate stock, or go to 缺货 naming what is missing.

    Notices (buyer message, merge candidate …) do not stop a person who names the order;
    blocking problems (closed, unpaid, refund requested, unknown SKU, bad address/phone) always do."""
    order = get_order(order_no, lock=True)
    if order.merged_into_id:
        raise InvalidTransition(f"订单 {order_no} 已合并到 {order.merged_into.order_no}，请确认主订单 "
                                f"(merged into {order.merged_into.order_no}: confirm that one)",
                                code="merged_member", primary=order.merged_into.order_no)
    if order.status not in (Status.REVIEW, Status.SHORT):
        _check_move(order, Status.READY, "确认")
        raise InvalidTransition(f"订单 {order_no} 当前状态“{order.get_status_display()}”，不能确认 "
                                f"(cannot confirm an order in status {order.status})",
                                code="invalid_transition", status=order.status)
    group = _group(order)
    lines = list(OrderLine.objects.filter(order__in=group).order_by("id"))
    blockers: dict[str, list[str]] = {}
    for o in group:
        problems = own_problems(o, [ln for ln in lines if ln.order_id == o.pk])
        fresh = problems + [p for p in o.problems if p in ("merge_candidate", "duplicate_probable")]
        if fresh != o.problems:
            o.problems = fresh
            o.save(update_fields=["problems", "updated_at"])
        if b := rules.blocking(problems):
            blockers[o.order_no] = b
    if blockers:
        words = "；".join(f"{no}: " + "、".join(rules.LABELS_ZH[b] for b in bs) for no, bs in blockers.items())
        raise InvalidTransition(f"不能确认：{words} (order has blocking problems: "
                                + "; ".join(f"{no}: {', '.join(bs)}" for no, bs in blockers.items()) + ")",
                                code="blocking_problems", problems=blockers)
    return _try_allocate(order, by, group=group, lines=lines)


def confirm_many(*, order_nos: list[str] | None = None, all_ok: bool = False, by) -> list[ConfirmResult]:
    """Each order in its own transaction: one refusal does not undo the others."""
    from fahuo.core.errors import FahuoError

    if all_ok:
        order_nos = list(Order.objects.filter(status=Status.REVIEW, problems=[], merged_into__isnull=True)
                         .order_by("paid_at", "id").values_list("order_no", flat=True))
    results = []
    for no in order_nos or []:
        try:
            results.append(confirm(order_no=no, by=by))
        except FahuoError as e:
            results.append(ConfirmResult(no, _status_of(no), error=e.as_dict()))
    return results


def _status_of(order_no: str) -> str:
    return Order.objects.filter(order_no=order_no).values_list("status", flat=True).first() or ""


def _release_stock(order: Order, by, reason: str) -> None:
    for o in _group(order):
        stock.release(order_id=o.pk, reason=reason, by=by)


@transaction.atomic
def hold(*, order_no: str, reason: str, note: str = "", until: datetime | None = None, by) -> Order:
    if reason not in rules.HOLD_REASONS_ZH:
        raise InvalidInput(f"挂起原因“{reason}”无效，可选: {', '.join(rules.HOLD_REASONS_ZH)} (unknown hold reason)",
                           code="bad_hold_reason", allowed=list(rules.HOLD_REASONS_ZH))
    if reason == "other" and not note.strip():
        raise InvalidInput("选择“其他”时请写明原因 (a note is required for 'other')", code="note_required")
    order = get_order(order_no, lock=True)
    _check_move(order, Status.HELD, "挂起")
    if order.status in Groups.ALLOCATED:
        _release_stock(order, by, "挂起释放库存")
    for o in _group(order):
        o.hold_reason, o.hold_note, o.hold_until = reason, note.strip(), until
        o.save(update_fields=["hold_reason", "hold_note", "hold_until", "updated_at"])
        move(o, Status.HELD, by=by, kind="held", message=f"挂起：{rules.HOLD_REASONS_ZH[reason]} {note}".strip(),
             reason=reason, until=until.isoformat() if until else None)
    order.refresh_from_db()
    return order


@transaction.atomic
def release_hold(*, order_no: str, by, expired: bool = False) -> Order:
    order = get_order(order_no, lock=True)
    if order.status != Status.HELD:
        raise InvalidTransition(f"订单 {order_no} 没有挂起 (order is not on hold)", code="not_held", status=order.status)
    for o in _group(order):
        o.hold_reason, o.hold_note, o.hold_until = "", "", None
        o.problems = own_problems(o)
        o.save(update_fields=["hold_reason", "hold_note", "hold_until", "problems", "updated_at"])
        move(o, Status.REVIEW, by=by, kind="hold_released", message="挂起到期，回到待审核" if expired else "解除挂起")
    refresh_cross_checks([order.pk])
    order.refresh_from_db()
    return order


@transaction.atomic
def cancel(*, order_no: str, by, reason: str = "") -> Order:
    order = get_order(order_no, lock=True)
    _check_move(order, Status.CANCELLED, "取消")
    order_withdrawn.send(sender=Order, order=order, by=by)
    if order.status in Groups.ALLOCATED:
        stock.release(order_id=order.pk, reason="取消订单释放库存", by=by)
    _leave_group(order, by)
    move(order, Status.CANCELLED, by=by, kind="cancelled", message=f"取消订单 {reason}".strip(), reason=reason)
    refresh_cross_checks([order.pk])
    return order


@transaction.atomic
def reopen(*, order_no: str, by) -> Order:
    order = get_order(order_no, lock=True)
    _check_move(order, Status.REVIEW, "恢复")
    order.problems = own_problems(order)
    order.save(update_fields=["problems", "updated_at"])
    move(order, Status.REVIEW, by=by, kind="reopened", message="恢复到待审核")
    refresh_cross_checks([order.pk])
    return order


def _leave_group(order: Order, by) -> None:
    """Take the order out of a merge group (as member or as primary). Caller holds the lock."""
    if order.merged_into_id:
        primary = order.merged_into
        order.merged_into = None
        order.save(update_fields=["merged_into", "updated_at"])
        record(primary, "unmerged", by=by, message=f"{order.order_no} 退出合单", member=order.order_no)
        record(order, "unmerged", by=by, message=f"退出合单（原主订单 {primary.order_no}）", primary=primary.order_no)
        return
    members = list(Order.objects.select_for_update().filter(merged_into=order).order_by("paid_at", "id"))
    if not members:
        return
    new_primary, rest = members[0], members[1:]
    new_primary.merged_into = None
    new_primary.save(update_fields=["merged_into", "updated_at"])
    Order.objects.filter(pk__in=[m.pk for m in rest]).update(merged_into=new_primary)
    if order.status in Groups.ALLOCATED:
        for m in members:
            stock.release(order_id=m.pk, reason="合单主订单退出，重新审核", by=by)
        for m in members:
            move(m, Status.REVIEW, by=by, kind="unmerged", message=f"主订单 {order.order_no} 退出合单，重新审核")
    for m in members:
        record(m, "unmerged", by=by, message=f"主订单 {order.order_no} 退出合单，新主订单 {new_primary.order_no}",
               primary=new_primary.order_no)


def reallocate_short(*, sku_ids: list[int] | None = None, by=None) -> list[ConfirmResult]:
    """Stock arrived: try the 缺货 orders again, earliest paid first, each in its own transaction."""
    qs = Order.objects.filter(status=Status.SHORT, merged_into__isnull=True)
    if sku_ids:
        qs = qs.filter(lines__sku_id__in=sku_ids).distinct() | qs.filter(merged__lines__sku_id__in=sku_ids).distinct()
    nos = list(qs.order_by("paid_at", "id").values_list("order_no", flat=True).distinct())
    results = []
    for no in dict.fromkeys(nos):
        with transaction.atomic():
            order = get_order(no, lock=True)
            if order.status != Status.SHORT:
                continue
            results.append(_try_allocate(order, by))
    return results
