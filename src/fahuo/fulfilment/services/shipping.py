"""Shipping: a packed parcel leaves with the courier (one by one, by wave, or scanned at handover)."""

from __future__ import annotations

import csv
import io
import uuid
from pathlib import Path

from django.conf import settings
from django.db import transaction

from fahuo.core import clock
from fahuo.core.errors import Conflict, InvalidInput
from fahuo.fulfilment.models import BatchExport, Handover, Parcel, Wave
from fahuo.fulfilment.services.parcels import check_not_intercepted, find_parcel, orders_of, sync_order_status
from fahuo.inventory import services as stock
from fahuo.orders.services.timeline import record


def _ship(parcel: Parcel, *, by, handover: Handover | None = None) -> Parcel:
    """Caller holds the parcel's lock."""
    if parcel.state == Parcel.State.SHIPPED:
        if handover and not parcel.handover_id:
            parcel.handover, parcel.handed_over_at = handover, clock.now()
            parcel.save(update_fields=["handover", "handed_over_at"])
        return parcel  # marking shipped twice is harmless
    check_not_intercepted(parcel)
    if parcel.state != Parcel.State.PACKED:
        raise Conflict(f"包裹 {parcel.waybill or parcel.pk} 还没验货打包，不能发货 (parcel not packed yet)",
                       code="parcel_not_packed", state=parcel.state)
    now = clock.now()
    parcel.state, parcel.shipped_at, parcel.shipped_by = Parcel.State.SHIPPED, now, by
    if handover:
        parcel.handover, parcel.handed_over_at = handover, now
    parcel.save(update_fields=["state", "shipped_at", "shipped_by", "handover", "handed_over_at"])
    by_order: dict[int, dict[int, int]] = {}
    for it in parcel.items.select_related("line"):
        by_order.setdefault(it.line.order_id, {})[it.line_id] = it.qty
    for order in orders_of(parcel):
        stock.consume_lines(order_id=order.pk, qty_by_line=by_order.get(order.pk, {}),
                            reason=f"发货 {parcel.waybill}", by=by)
        record(order, "parcel_shipped", by=by, message=f"{parcel.carrier_code} {parcel.waybill} 已交给快递",
               parcel=parcel.pk, waybill=parcel.waybill)
        sync_order_status(order, by=by)
    return parcel


@transaction.atomic
def ship(*, code: str, by=None) -> Parcel:
    return _ship(find_parcel(code, lock=True), by=by)


@transaction.atomic
def ship_wave(*, wave_id: int, by=None) -> dict:
    """Ship every packed parcel of the wave. Open (not yet verified) parcels stay and are listed; an intercepted
    parcel (order closed or refunded) is held back and listed, the others still go."""
    from fahuo.fulfilment.errors import Intercepted

    wave = Wave.objects.select_for_update().get(pk=wave_id)
    shipped, waiting, stopped = [], [], []
    for p in Parcel.objects.select_for_update().filter(wave=wave).order_by("id"):
        if p.state == Parcel.State.PACKED:
            try:
                with transaction.atomic():
                    _ship(p, by=by)
            except Intercepted as e:
                stopped.append({"waybill": p.waybill, "reason": e.message})
                continue
            shipped.append(p.waybill)
        elif p.state == Parcel.State.OPEN:
            waiting.append(p.waybill or f"P{p.pk}")
    if not waiting and not stopped and wave.state == Wave.State.OPEN:
        wave.state = Wave.State.DONE
        wave.save(update_fields=["state"])
    return {"shipped": shipped, "not_packed": waiting, "intercepted": stopped}


def unship(*, code: str, by=None) -> None:
    """Refused, always: once the courier has it the platform has been told. Correct it with a new parcel."""
    parcel = find_parcel(code)
    raise Conflict(f"包裹 {parcel.waybill} 已经{'发出' if parcel.state == 'shipped' else '处理'}，不能撤回发货；"
                   f"如需更正运单号，请在卖家中心修改 (un-shipping is not possible)", code="cannot_unship")


@transaction.atomic
def start_handover(*, carrier_code: str, by=None) -> Handover:
    if not carrier_code:
        raise InvalidInput("请选择快递公司 (carrier required)", code="carrier_required")
    return Handover.objects.create(carrier_code=carrier_code, by=by)


@transaction.atomic
def handover_scan(*, handover_id: int, code: str, by=None) -> Parcel:
    h = Handover.objects.select_for_update().get(pk=handover_id)
    if h.closed_at:
        raise Conflict("交接单已结束 (handover closed)", code="handover_closed")
    parcel = find_parcel(code, lock=True)
    if parcel.carrier_code != h.carrier_code:
        raise Conflict(f"这是 {parcel.carrier_code} 的包裹，不是 {h.carrier_code} 的 (parcel belongs to another carrier)",
                       code="wrong_carrier", carrier=parcel.carrier_code)
    return _ship(parcel, by=by, handover=h)


@transaction.atomic
def close_handover(*, handover_id: int, by=None) -> tuple[Handover, list[Parcel]]:
    """Ends the handover; returns the packed parcels of that carrier the courier did not take."""
    h = Handover.objects.select_for_update().get(pk=handover_id)
    if not h.closed_at:
        h.closed_at = clock.now()
        h.save(update_fields=["closed_at"])
    left = list(Parcel.objects.filter(carrier_code=h.carrier_code, state=Parcel.State.PACKED).select_related("order"))
    return h, left


BATCH_HEADER = ["订单编号", "物流公司", "运单号", "子订单编号"]


def batch_rows(parcels) -> list[list[str]]:
    """One row per platform order in each parcel; the sub-order numbers when the parcel carries only part of it."""
    from fahuo.carriers.services import carrier_name

    rows = []
    for p in parcels:
        name = carrier_name(p.carrier_code, platform=True)
        by_order: dict[str, list] = {}
        for it in p.items.select_related("line__order"):
            by_order.setdefault(it.line.order.platform_order_no, []).append(it)
        for platform_no, items in by_order.items():
            order = items[0].line.order
            whole = (order.split_from_id is None and
                     {(i.line_id, i.qty) for i in items} == {(ln.pk, ln.qty) for ln in order.lines.all()}
                     and not order.parcels.exclude(pk=p.pk).exclude(state="cancelled").exists())
            subs = "" if whole else ",".join(i.line.sub_order_no for i in items if i.line.sub_order_no)
            rows.append([platform_no, name, p.waybill or "", subs])
    return rows


@transaction.atomic
def export_batch_ship(*, fmt: str = "csv", include_exported: bool = False, include_sandbox: bool = False,
                      by=None) -> BatchExport:
    """The batch-shipping file for 卖家中心 (订单编号, 物流公司, 运单号, 子订单编号): only parcels not exported before,
    unless asked. 演示快递 numbers mean nothing to the platform and are left out unless asked (demo)."""
    if fmt not in ("csv", "xlsx"):
        raise InvalidInput("格式只能是 csv 或 xlsx (format must be csv or xlsx)", code="bad_format")
    qs = Parcel.objects.select_for_update().filter(state=Parcel.State.SHIPPED)
    if not include_exported:
        qs = qs.filter(exported_at__isnull=True)
    if not include_sandbox:
        qs = qs.exclude(carrier_code="DEMO")
    parcels = list(qs.order_by("shipped_at", "id"))
    rows = batch_rows(parcels)
    out_dir = Path(settings.DATA_DIR) / "exports"
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / f"batch-ship-{clock.local(clock.now()):%Y%m%d-%H%M%S}-{uuid.uuid4().hex[:6]}.{fmt}"
    if fmt == "csv":
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\r\n")
        w.writerow(BATCH_HEADER)
        # keep long numbers text in Excel
        w.writerows([[f'="{c}"' if c and c.isdigit() and len(c) > 11 else c for c in r] for r in rows])
        path.write_bytes(buf.getvalue().encode("utf-8-sig"))
    else:
        from openpyxl import Workbook

        wb = Workbook(write_only=True)
        ws = wb.create_sheet("批量发货")
        ws.append(BATCH_HEADER)
        for r in rows:
            ws.append(r)
        wb.save(path)
    now = clock.now()
    Parcel.objects.filter(pk__in=[p.pk for p in parcels]).update(exported_at=now)
    return BatchExport.objects.create(fmt=fmt, rows=len(rows), path=str(path), by=by)
