"""Scan-to-verify (验货): scan the parcel, scan each item; a wrong or extra item blocks the parcel."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.db.models import F, Q

from fahuo.core import clock
from fahuo.core.errors import Conflict, InvalidInput
from fahuo.fulfilment.errors import ExtraItem, WrongItem
from fahuo.fulfilment.models import Parcel, ParcelItem, ScanEvent
from fahuo.fulfilment.services.parcels import check_not_intercepted, find_parcel, orders_of, sync_order_status
from fahuo.orders.services.timeline import record


@dataclass
class ScanResult:
    parcel: Parcel
    item: ParcelItem
    complete: bool  # every item of the parcel is now scanned


def _match(parcel: Parcel, code: str) -> list[ParcelItem]:
    code = code.strip()
    return list(parcel.items.select_related("line__sku").filter(
        Q(line__sku__barcode=code) | Q(line__sku__code__iexact=code) | Q(line__outer_id__iexact=code))
        .exclude(line__sku__isnull=True).order_by("id"))


def scan_item(*, parcel_id: int, code: str, by=None) -> ScanResult:
    """Count one scanned item. A code that is not in the parcel, or one item too many, is refused loudly;
    nothing is counted then, but the wrong scan is kept in the record (committed before the error is raised)."""
    code = (code or "").strip()
    if not code:
        raise InvalidInput("扫描内容为空 (empty scan)", code="empty_scan")
    refusal: Exception | None = None
    with transaction.atomic():
        parcel = Parcel.objects.select_for_update().get(pk=parcel_id)
        if parcel.state != Parcel.State.OPEN:
            raise Conflict(f"包裹状态为“{parcel.get_state_display()}”，不能再验货 (parcel is {parcel.state})",
                           code="parcel_not_open", state=parcel.state)
        check_not_intercepted(parcel)
        items = _match(parcel, code)
        if not items:
            ScanEvent.objects.create(parcel=parcel, code=code[:64], result="wrong_item", by=by)
            refusal = _wrong(parcel, code)
        else:
            for it in items:
                if ParcelItem.objects.filter(pk=it.pk, scanned__lt=F("qty")).update(scanned=F("scanned") + 1):
                    it.refresh_from_db()
                    ScanEvent.objects.create(parcel=parcel, code=code[:64], result="ok", sku_code=it.line.sku.code,
                                             by=by)
                    done = not parcel.items.filter(scanned__lt=F("qty")).exists()
                    return ScanResult(parcel=parcel, item=it, complete=done)
            ScanEvent.objects.create(parcel=parcel, code=code[:64], result="extra_item",
                                     sku_code=items[0].line.sku.code, by=by)
            wanted = sum(i.qty for i in items)
            refusal = ExtraItem(f"多了！“{items[0].line.title}”只要 {wanted} 件 (extra item: only {wanted} wanted)",
                                sku=items[0].line.sku.code)
    raise refusal


def _wrong(parcel: Parcel, code: str) -> WrongItem:
    from fahuo.inventory.models import Sku

    sku = Sku.objects.filter(Q(barcode=code) | Q(code__iexact=code)).first()
    what = f"“{sku.title}”({sku.code})" if sku else f"“{code}”"
    return WrongItem(f"错货！{what} 不在这个包裹里 (wrong item: not in this parcel)", scanned=code,
                     sku=sku.code if sku else "")


@transaction.atomic
def reset_scans(*, parcel_id: int, by=None) -> Parcel:
    parcel = Parcel.objects.select_for_update().get(pk=parcel_id)
    if parcel.state != Parcel.State.OPEN:
        raise Conflict("只有待打包的包裹可以重新验货 (only open parcels)", code="parcel_not_open")
    parcel.items.update(scanned=0)
    ScanEvent.objects.create(parcel=parcel, code="", result="reset", by=by)
    return parcel


@transaction.atomic
def complete(*, parcel_id: int, weight_g: int | None = None, by=None) -> tuple[Parcel, list[str]]:
    """All items scanned → packed. Returns warnings (e.g. the weight crosses a rate-card step)."""
    parcel = Parcel.objects.select_for_update().select_related("order").get(pk=parcel_id)
    if parcel.state == Parcel.State.PACKED:
        return parcel, []
    if parcel.state != Parcel.State.OPEN:
        raise Conflict(f"包裹状态为“{parcel.get_state_display()}”，不能打包 (parcel is {parcel.state})",
                       code="parcel_not_open")
    check_not_intercepted(parcel)
    missing = [f"{it.line.title} ×{it.qty - it.scanned}" for it in parcel.items.select_related("line")
               if it.scanned < it.qty]
    if missing:
        raise Conflict("还有商品没扫：" + "；".join(missing) + " (items not scanned yet)", code="items_missing",
                       missing=missing)
    if not parcel.waybill:
        raise Conflict("包裹还没有运单号，请扫描或输入面单号 (parcel has no waybill number)", code="no_waybill")
    if weight_g is not None and not 0 < weight_g <= 200_000:
        raise InvalidInput(f"重量 {weight_g} 克不合理 (weight out of range)", code="bad_weight")
    warnings = []
    if weight_g:
        from fahuo.carriers.services import weight_warning

        if w := weight_warning(parcel=parcel, weight_g=weight_g):
            warnings.append(w)
    parcel.state, parcel.weight_g, parcel.packed_at, parcel.packed_by = Parcel.State.PACKED, weight_g, clock.now(), by
    parcel.save(update_fields=["state", "weight_g", "packed_at", "packed_by"])
    for o in orders_of(parcel):
        record(o, "parcel_packed", by=by, message=f"验货完成，已打包 {parcel.waybill}" + (f"，{weight_g} 克" if weight_g else ""),
               parcel=parcel.pk, waybill=parcel.waybill)
        sync_order_status(o, by=by)
    return parcel, warnings


def lookup(code: str):
    """What the packer sees after scanning a label or order number: the parcel with its expected items."""
    parcel = find_parcel(code)
    check_not_intercepted(parcel)
    return parcel


@transaction.atomic
def split_parcel(*, parcel_id: int, take: dict[int, int], by=None) -> Parcel:
    """One order in several parcels: move `take` = {parcel item id: qty} into a new parcel of the same order,
    carrier and wave, with its own number. Scans on the moved items start again."""
    from fahuo.fulfilment.services import numbers

    parcel = Parcel.objects.select_for_update().get(pk=parcel_id)
    if parcel.state != Parcel.State.OPEN:
        raise Conflict("只有待打包的包裹可以拆分 (only open parcels can be split)", code="parcel_not_open")
    items = {it.pk: it for it in parcel.items.select_for_update()}
    take = {k: v for k, v in take.items() if v}
    if not take:
        raise InvalidInput("请选择要放进新包裹的商品 (choose items for the new parcel)", code="empty_part")
    for iid, q in take.items():
        if iid not in items or not 0 < q <= items[iid].qty:
            raise InvalidInput(f"商品行 {iid} 的数量 {q} 无效 (bad item or quantity)", code="bad_qty", item=iid)
    if all(take.get(i, 0) == it.qty for i, it in items.items()):
        raise InvalidInput("原包裹至少要留下一件商品 (the first parcel must keep something)", code="nothing_left")
    seq = (Parcel.objects.filter(order=parcel.order).order_by("-seq").values_list("seq", flat=True).first() or 1) + 1
    new = Parcel.objects.create(order=parcel.order, wave=parcel.wave, seq=seq, carrier_code=parcel.carrier_code,
                                carrier_rule=parcel.carrier_rule)
    for iid, q in take.items():
        it = items[iid]
        ParcelItem.objects.create(parcel=new, line=it.line, qty=q)
        if q == it.qty:
            it.delete()
        else:
            it.qty -= q
            it.scanned = min(it.scanned, it.qty)
            it.save(update_fields=["qty", "scanned"])
    numbers.issue(parcel=new, by=by)
    record(parcel.order, "parcel_split", by=by, message=f"拆成多个包裹：第 {seq} 件", parcel=new.pk)
    return new
