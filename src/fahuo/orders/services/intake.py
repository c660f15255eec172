"""Orders coming in: a Taobao report (created / updated / unchanged / rejected per row) or one order by hand.

Imports commit per chunk of rows (ADR 0004): each row is all-or-nothing, a re-run of the same file is a
no-op, so a crash half-way loses nothing and the phone UI is never locked out for the whole file.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from django.db import IntegrityError, transaction

from fahuo.core import clock
from fahuo.core.bulk import insert_dicts
from fahuo.core.errors import FahuoError, InvalidInput
from fahuo.core.models import ShopSettings
from fahuo.imports.phones import parse_phone
from fahuo.imports.types import ParsedOrder, ReportReadResult
from fahuo.inventory import services as stock
from fahuo.orders import rules
from fahuo.orders.models import Order, OrderEvent, OrderLine, Source
from fahuo.orders.services.review import (
    address_parser,
    own_problems,
    receiver_key,
    refresh_cross_checks,
    resolve_sku,
    sku_lookup_tables,
)
from fahuo.orders.services.timeline import move, record
from fahuo.orders.status import Groups, Status, can_move

log = logging.getLogger(__name__)

CHUNK = 2000

_INITIAL_STATUS = {
    "wait_pay": Status.UNPAID,
    "wait_confirm": Status.SHIPPED,
    "signed": Status.SHIPPED,
    "finished": Status.COMPLETED,
    "closed": Status.CLOSED,
    "closed_unpaid": Status.CLOSED,
}


@dataclass
class ImportSummary:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: list[dict] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {"created": self.created, "updated": self.updated, "unchanged": self.unchanged,
                "rejected": self.rejected}


def apply_report(*, report: ReportReadResult, by=None, progress: Callable[[int], None] | None = None,
                 chunk: int = CHUNK) -> ImportSummary:
    """Store what the reader found. `progress(rows_done)` is called after each committed chunk."""
    summary = ImportSummary(rejected=[{"row": r.row, "reason": r.reason, "code": r.code} for r in report.rejected])
    promised = ShopSettings.get().promised_hours
    skus, mappings = sku_lookup_tables()
    done = len(report.rejected)
    for start in range(0, len(report.orders), chunk):
        part = report.orders[start:start + chunk]
        with transaction.atomic():
            _apply_chunk(part, summary, by=by, promised=promised, skus=skus, mappings=mappings)
        done += len(part)
        if progress:
            progress(done)
    summary.rejected.sort(key=lambda r: r["row"])
    return summary


def _apply_chunk(part: list[ParsedOrder], summary: ImportSummary, *, by, promised: int,
                 skus: dict[str, int], mappings: dict[tuple[str, str], int]) -> None:
    nos = list({p.order_no for p in part})
    known = {no: (pk, fp) for no, pk, fp in
             Order.objects.filter(order_no__in=nos).values_list("order_no", "id", "fingerprint")}
    pending: dict[str, tuple[ParsedOrder, dict, list[dict]]] = {}
    touched: list[int] = []
    for p in part:
        try:
            fp = p.fingerprint()
            if p.order_no in pending:
                if pending[p.order_no][1]["fingerprint"] == fp:
                    summary.unchanged += 1
                else:
                    pending[p.order_no] = (p, *_build(p, fp, promised, skus, mappings))
                    summary.updated += 1
                continue
            if p.order_no in known:
                pk, old_fp = known[p.order_no]
                if old_fp == fp:
                    summary.unchanged += 1
                    continue
                with transaction.atomic():
                    _update_existing(pk, p, fp, by=by, promised=promised, skus=skus, mappings=mappings)
                known[p.order_no] = (pk, fp)
                touched.append(pk)
                summary.updated += 1
                continue
            pending[p.order_no] = (p, *_build(p, fp, promised, skus, mappings))
            summary.created += 1
        except FahuoError as e:
            summary.rejected.append({"row": p.row, "reason": e.message, "code": e.code})
        except Exception as e:  # a row must never take the file down with it
            log.exception("import row %s failed", p.row)
            summary.rejected.append({"row": p.row, "reason": f"第 {p.row} 行无法保存：{e} (row could not be stored)",
                                     "code": "row_failed"})
    if pending:
        touched += _insert(list(pending.values()), summary, by=by)
    if touched:
        refresh_cross_checks(touched)


def _insert(items: list[tuple[ParsedOrder, dict, list[dict]]], summary: ImportSummary, *, by) -> list[int]:
    try:
        with transaction.atomic():
            return _bulk_insert(items, by=by)
    except IntegrityError:
        # someone else stored one of these order numbers meanwhile: go row by row, each in its savepoint
        ids = []
        for item in items:
            try:
                with transaction.atomic():
                    ids += _bulk_insert([item], by=by)
            except IntegrityError as e:
                summary.created -= 1
                summary.rejected.append({"row": item[0].row, "code": "row_failed",
                                         "reason": f"订单 {item[0].order_no} 保存失败：{e} (could not be stored)"})
        return ids


def _bulk_insert(items: list[tuple[ParsedOrder, dict, list[dict]]], *, by) -> list[int]:
    """Plain multi-row INSERTs (core.bulk): the ORM's per-instance cost dominated 100k-row imports."""
    insert_dicts(Order, [row for _, row, _ in items])
    ids = dict(Order.objects.filter(order_no__in=[row["order_no"] for _, row, _ in items])
               .values_list("order_no", "id"))
    now = clock.now()
    by_id = by.pk if by is not None else None
    lines, events = [], []
    for p, row, ls in items:
        oid = ids[row["order_no"]]
        for ln in ls:
            lines.append({**ln, "order_id": oid})
        events.append({"order_id": oid, "at": now, "by_id": by_id, "kind": "imported", "to_status": row["status"],
                       "message": f"导入（第 {p.row} 行）", "data": {"row": p.row}})
    insert_dicts(OrderLine, lines)
    insert_dicts(OrderEvent, events)
    return list(ids.values())


def _lines(p: ParsedOrder, skus: dict[str, int], mappings: dict[tuple[str, str], int]) -> list[dict]:
    return [{"title": ln.title[:300], "spec": ln.spec[:200], "outer_id": ln.outer_id[:64], "qty": ln.qty,
             "price": ln.price, "sub_order_no": ln.sub_order_no[:64],
             "sku_id": resolve_sku(outer_id=ln.outer_id, title=ln.title, spec=ln.spec, skus_by_code=skus,
                                   mappings=mappings)}
            for ln in p.lines]


def _receiver_fields(p: ParsedOrder) -> dict:
    a, ph = p.address, p.phone
    return {
        "receiver_name": p.receiver_name[:100],
        "receiver_phone": (ph.number or ph.raw)[:40] if ph else "",
        "phone_kind": ph.kind if ph else "empty",
        "phone_ext": ph.extension if ph else "",
        "province": a.province if a else "",
        "city": a.city if a else "",
        "district": a.district if a else "",
        "detail": (a.detail if a else "")[:255],
        "postcode": a.postcode if a else "",
        "adcode": a.adcode if a else "",
        "address_raw": (a.raw if a else "")[:400],
        "address_complete": bool(a and a.complete),
    }


def _platform_fields(p: ParsedOrder, fp: str, promised: int) -> dict:
    return {
        "platform_status": p.platform_status,
        "platform_status_text": p.platform_status_text[:60],
        "buyer_nick": p.buyer_nick[:100],
        "buyer_message": p.buyer_message,
        "seller_memo": p.seller_memo,
        "amount": p.amount,
        "postage": p.postage,
        "platform_created_at": p.created_at,
        "paid_at": p.paid_at,
        "platform_ship_by": p.platform_ship_by,
        "ship_by": rules.ship_by(platform_ship_by=p.platform_ship_by, paid_at=p.paid_at, promised_hours=promised),
        "shipped_at": p.shipped_at,
        "refund_requested": p.refund_requested,
        "close_reason": p.close_reason[:200],
        "lines_uncertain": p.lines_uncertain,
        "waybills": list(p.waybills),
        "carrier_text": p.carrier_text[:60],
        "shop_name": p.shop_name[:100],
        "fingerprint": fp,
    }


def _build(p: ParsedOrder, fp: str, promised: int, skus, mappings) -> tuple[dict, list[dict]]:
    lines = _lines(p, skus, mappings)
    row = {"order_no": p.order_no, "platform_order_no": p.order_no, "source": Source.TAOBAO,
           "status": _INITIAL_STATUS.get(p.platform_status, Status.REVIEW),
           **_receiver_fields(p), **_platform_fields(p, fp, promised)}
    row["receiver_key"] = receiver_key(buyer_nick=row["buyer_nick"], name=row["receiver_name"],
                                       phone=row["receiver_phone"], province=row["province"], city=row["city"],
                                       district=row["district"], detail=row["detail"])
    facts = rules.OrderFacts(
        platform_status=row["platform_status"], refund_requested=row["refund_requested"],
        receiver_name=row["receiver_name"], phone_kind=row["phone_kind"], address_complete=row["address_complete"],
        line_count=len(lines), unmapped_lines=sum(1 for ln in lines if ln["sku_id"] is None),
        lines_uncertain=row["lines_uncertain"], buyer_message=row["buyer_message"], seller_memo=row["seller_memo"])
    row["problems"] = rules.problems_of(facts) if row["status"] in (Status.REVIEW, Status.UNPAID) else []
    return row, lines


def _key(o: Order) -> str:
    return receiver_key(buyer_nick=o.buyer_nick, name=o.receiver_name, phone=o.receiver_phone, province=o.province,
                        city=o.city, district=o.district, detail=o.detail)


def _line_sig(lines) -> list[tuple]:
    return sorted((ln.title, ln.spec, ln.outer_id, ln.qty) for ln in lines)


def _update_existing(pk: int, p: ParsedOrder, fp: str, *, by, promised: int, skus, mappings) -> None:
    """A later export of an order we have: take the platform's changes, move the status if the platform moved."""
    order = Order.objects.select_for_update().get(pk=pk)
    before = {k: getattr(order, k) for k in ("platform_status", "refund_requested", "buyer_message", "address_raw",
                                              "amount", "waybills", "seller_memo")}
    for k, v in _platform_fields(p, fp, promised).items():
        setattr(order, k, v)
    notes: list[str] = []
    allocated = order.status in Groups.ALLOCATED
    new_addr = p.address.raw if p.address else ""
    if new_addr != before["address_raw"] and order.status in Groups.EDITABLE | Groups.ALLOCATED:
        for k, v in _receiver_fields(p).items():
            setattr(order, k, v)
        notes.append("平台修改了收货地址")
    order.receiver_key = _key(order)
    order.save()
    old_lines = list(order.lines.all())
    if _line_sig(old_lines) != _line_sig(p.lines) and order.status in Groups.EDITABLE | Groups.ALLOCATED:
        if allocated:
            stock.release(order_id=order.pk, reason="平台修改了宝贝，重新审核", by=by)
        order.lines.all().delete()
        OrderLine.objects.bulk_create([OrderLine(order_id=order.pk, **ln) for ln in _lines(p, skus, mappings)])
        notes.append("平台修改了宝贝")
        if allocated:
            move(order, Status.REVIEW, by=by, kind="platform_update", message="平台修改了宝贝，重新审核")
            allocated = False
    _follow_platform(order, before, by=by, allocated=allocated)
    order.problems = own_problems(order) if order.status in (Status.REVIEW, Status.UNPAID, Status.HELD, Status.SHORT,
                                                             Status.READY, Status.PICKING, Status.PACKED) else []
    order.save(update_fields=["problems", "updated_at"])
    changed = [k for k in before if getattr(order, k) != before[k]]
    record(order, "platform_update", by=by, message="；".join(notes) or "平台信息更新", fields=changed, row=p.row)


def _follow_platform(order: Order, before: dict, *, by, allocated: bool) -> None:
    ps = order.platform_status
    target: Status | None = None
    why = ""
    if ps in ("closed", "closed_unpaid") and order.status != Status.CLOSED:
        target, why = Status.CLOSED, "平台交易关闭"
    elif order.refund_requested and not before["refund_requested"] and order.status in (
            Status.READY, Status.SHORT, Status.HELD):
        target, why = Status.REVIEW, "买家申请退款，退回待审核"
    elif ps not in ("wait_pay",) and order.status == Status.UNPAID and ps not in ("closed", "closed_unpaid"):
        target, why = _INITIAL_STATUS.get(ps, Status.REVIEW), "买家已付款"
    elif ps in ("wait_confirm", "signed") and order.status in Groups.OPEN:
        target, why = Status.SHIPPED, "平台显示已发货（在其他地方发货）"
    elif ps == "finished" and order.status not in (Status.COMPLETED, Status.CLOSED):
        target, why = Status.COMPLETED, "平台交易成功"
    if target is None or not can_move(order.status, target):
        return
    if target == Status.CLOSED:
        from fahuo.orders.signals import order_withdrawn

        order_withdrawn.send(sender=Order, order=order, by=by)
    if allocated:
        if target in (Status.SHIPPED, Status.COMPLETED):
            stock.consume(order_id=order.pk, reason=why, by=by)
        else:
            stock.release(order_id=order.pk, reason=why, by=by)
    if order.merged_into_id or order.merged.exists():
        from fahuo.orders.services.decide import _leave_group

        _leave_group(order, by)
    move(order, target, by=by, kind="platform_status", message=why, platform_status=ps)


def next_manual_no() -> str:
    local = clock.local(clock.now())
    assert local is not None
    prefix = "M" + local.strftime("%y%m%d")
    last = Order.objects.filter(order_no__startswith=prefix).order_by("-order_no").values_list("order_no", flat=True).first()
    n = int(last[len(prefix):]) + 1 if last and last[len(prefix):].isdigit() else 1
    return f"{prefix}{n:04d}"


@transaction.atomic
def create_order(*, by, receiver_name: str = "", phone: str = "", address: str = "", blob: str = "",
                 lines: list[dict], order_no: str = "", buyer_nick: str = "", buyer_message: str = "",
                 seller_memo: str = "", amount: Decimal | None = None, paid_at: datetime | None = None,
                 source: str = Source.MANUAL) -> Order:
    """One order typed on the phone or sent by a script. `blob` ("张三 138… 浙江省杭州市…") fills the receiver."""
    from fahuo.imports.address import split_receiver_blob

    if blob:
        n, ph, addr = split_receiver_blob(blob)
        receiver_name, phone, address = receiver_name or n, phone or ph, address or addr
    if not lines:
        raise InvalidInput("订单至少要有一个宝贝 (an order needs at least one line)", code="no_lines")
    order_no = (order_no or "").strip() or next_manual_no()
    if Order.objects.filter(order_no=order_no).exists():
        raise InvalidInput(f"订单编号 {order_no} 已存在 (order number already exists)", code="order_exists",
                           order_no=order_no)
    from fahuo.inventory.models import Sku

    order_lines = []
    for i, ln in enumerate(lines, 1):
        code = str(ln.get("sku") or "").strip()
        qty = int(ln.get("qty") or 1)
        if qty <= 0:
            raise InvalidInput(f"第 {i} 个宝贝数量必须大于 0 (line {i}: quantity must be positive)", code="bad_qty")
        sku = Sku.objects.filter(code=code).first() if code else None
        if code and sku is None:
            raise InvalidInput(f"商家编码 {code} 不存在 (unknown SKU {code})", code="sku_unknown", sku=code)
        title = str(ln.get("title") or (sku.title if sku else "")).strip()
        if not title:
            raise InvalidInput(f"第 {i} 个宝贝缺少商家编码或名称 (line {i}: SKU or title required)", code="bad_line")
        order_lines.append(OrderLine(sku=sku, title=title, spec=str(ln.get("spec") or (sku.spec if sku else "")),
                                     outer_id=code, qty=qty, price=ln.get("price")))
    ph = parse_phone(phone or "")
    a = address_parser().parse(address) if address else None
    paid = paid_at or clock.now()
    order = Order(order_no=order_no, platform_order_no=order_no, source=source, status=Status.REVIEW,
                  platform_status="wait_send", buyer_nick=buyer_nick, buyer_message=buyer_message,
                  seller_memo=seller_memo, receiver_name=receiver_name.strip(), receiver_phone=ph.number or ph.raw,
                  phone_kind=ph.kind, phone_ext=ph.extension,
                  province=a.province if a else "", city=a.city if a else "", district=a.district if a else "",
                  detail=a.detail if a else "", postcode=a.postcode if a else "", adcode=a.adcode if a else "",
                  address_raw=address, address_complete=bool(a and a.complete), amount=amount, paid_at=paid,
                  ship_by=rules.ship_by(platform_ship_by=None, paid_at=paid,
                                        promised_hours=ShopSettings.get().promised_hours))
    order.receiver_key = _key(order)
    order.save()
    for ln in order_lines:
        ln.order = order
    OrderLine.objects.bulk_create(order_lines)
    order.problems = own_problems(order, order_lines)
    order.save(update_fields=["problems"])
    record(order, "created", by=by, to_status=order.status, message="手工录入" if source == Source.MANUAL else "API 创建")
    refresh_cross_checks([order.pk])
    order.refresh_from_db()
    return order

