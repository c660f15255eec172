"""Shipping over HTTP: waves and their PDFs, scan-to-verify, waybill numbers, ship, handover, the batch-ship file.

Thin: parse, check the role (core.permissions), call one service, answer with selectors.parcel_dict.
Reading is open to every role; building waves, packing, shipping, handing over and exporting is for the
owner and the packers.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path as FsPath
from typing import Any, Literal

from django.http import FileResponse
from ninja import Path, Query, Router, Schema
from pydantic import Field

from fahuo.core.errors import Conflict, NotFound
from fahuo.core.permissions import require
from fahuo.core.schemas import MAX_ID, MAX_INT, NO_NUL, READ_ERRORS, WRITE_ERRORS, Error, Id, Time, text
from fahuo.fulfilment import selectors
from fahuo.fulfilment.models import BatchExport, Document, Handover, Parcel, Wave
from fahuo.fulfilment.selectors import parcel_dict

router = Router(tags=["shipping"])

WaveId = Path(..., ge=1, le=MAX_ID)
ParcelId = Path(..., ge=1, le=MAX_ID)
Code = text(64, min_length=1)

PDF = {"application/pdf": {"schema": {"type": "string", "format": "binary"}}}
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _file_response(content: dict) -> dict:
    return {"responses": {200: {"description": "the file", "content": content}}}


# ---------------------------------------------------------------------------------------------- shapes


class ItemOut(Schema):
    id: int
    order_no: str
    sku: str | None
    barcode: str
    title: str
    qty: int
    scanned: int


class ParcelReceiverOut(Schema):
    name: str
    phone: str
    province: str
    city: str
    district: str
    detail: str


class ParcelOut(Schema):
    id: int
    code: str = Field(..., description="P + id: scannable when the parcel has no waybill yet")
    order_no: str
    wave: str | None
    seq: int = Field(..., description="第 n 件 of the order")
    state: str = Field(..., description="open packed shipped cancelled")
    carrier: str
    carrier_rule: str
    waybill: str | None
    waybill_source: str = Field(..., description="sandbox pool manual, or empty")
    waybill_suspect: bool = Field(..., description="the number fits no pattern of its carrier")
    routing: dict[str, Any]
    weight_g: int | None
    label_prints: int
    receiver: ParcelReceiverOut
    items: list[ItemOut]
    packed_at: str | None
    shipped_at: str | None


class WaveOut(Schema):
    id: int
    no: str
    state: str = Field(..., description="open done")
    label_size: str
    filters: dict[str, Any]
    created_at: datetime
    created_by: str | None
    parcels: int
    packed: int
    shipped: int


class SkippedOut(Schema):
    order_no: str
    reason: str


class WaveCreatedOut(Schema):
    wave: WaveOut | None = Field(..., description="null when no order could go into a wave")
    added: list[str]
    skipped: list[SkippedOut]


class PickRowOut(Schema):
    location: str
    sku: str
    name: str
    spec: str
    qty: int
    lines: int
    picked: bool


class DocumentOut(Schema):
    id: int
    wave: str
    kind: str = Field(..., description="labels picklist slips")
    size: str
    state: str = Field(..., description="queued running done failed")
    total: int
    done: int
    percent: int
    error: str
    created_at: datetime
    finished_at: datetime | None
    pdf_url: str | None


class WaveDetailOut(Schema):
    wave: WaveOut
    parcels: list[ParcelOut]
    pick: list[PickRowOut] = Field(..., description="the pick list summed by SKU, sorted by location")
    documents: list[DocumentOut]


class WaveIn(Schema):
    order_nos: list[text(64)] = Field(default_factory=list, max_length=5000)
    carrier: text(40) = Field("", description="only orders whose recommended carrier is this one (code or name)")
    sku: text(64) = ""
    province: text(30) = ""
    ship_by_before: Time | None = None
    has_message: bool | None = None
    limit: int = Field(500, ge=1, le=5000)
    label_size: Literal["76x130", "100x180", "a4"] = "76x130"


class PickIn(Schema):
    sku: text(64, min_length=1)
    picked: bool = True


class InterceptedOut(Schema):
    waybill: str | None
    reason: str


class WaveShipOut(Schema):
    shipped: list[str]
    not_packed: list[str] = Field(..., description="parcels of the wave not verified and packed yet")
    intercepted: list[InterceptedOut] = Field(..., description="packed parcels held back: order closed or refunded")


class DocumentIn(Schema):
    kind: Literal["labels", "picklist", "slips"]
    size: Literal["", "76x130", "100x180", "a4"] = Field("", description="default: the wave's label size")


class ScanIn(Schema):
    code: text(64) = Field(..., description="EAN barcode or 商家编码, as scanned")


class ScanOut(Schema):
    parcel: ParcelOut
    complete: bool = Field(..., description="every item of the parcel is scanned")


class CompleteIn(Schema):
    weight_g: int | None = Field(None, ge=1, le=200_000)


class ParcelWarningsOut(Schema):
    parcel: ParcelOut
    warnings: list[str]


class WaybillIn(Schema):
    number: text(60, min_length=1)
    carrier: text(40) = Field("", description="default: the parcel's carrier, else detected from the number")


class CarrierIn(Schema):
    carrier: text(40, min_length=1) = Field(..., description="code (ZTO) or any name (中通快递)")


class SplitItemIn(Schema):
    item_id: Id
    qty: int = Field(..., ge=0, le=MAX_INT)


class ParcelSplitIn(Schema):
    items: list[SplitItemIn] = Field(..., min_length=1, max_length=200)


class SplitOut(Schema):
    parcel: ParcelOut
    new_parcel: ParcelOut


class CodeIn(Schema):
    code: Code = Field(..., description="waybill number, order number or P + parcel id")


class HandoverIn(Schema):
    carrier: text(40, min_length=1)


class HandoverOut(Schema):
    id: int
    carrier: str
    started_at: datetime
    closed_at: datetime | None
    count: int = Field(..., description="parcels scanned into it")


class HandedOverOut(Schema):
    waybill: str | None
    order_no: str
    at: datetime | None


class HandoverDetailOut(Schema):
    handover: HandoverOut
    parcels: list[HandedOverOut]


class HandoverScanOut(Schema):
    handover: HandoverOut
    parcel: ParcelOut


class HandoverClosedOut(Schema):
    handover: HandoverOut
    not_taken: list[ParcelOut] = Field(..., description="packed parcels of this carrier the courier did not take")


class ExportIn(Schema):
    fmt: Literal["csv", "xlsx"] = "csv"
    include_exported: bool = False
    include_sandbox: bool = False


class ExportOut(Schema):
    id: int
    fmt: str
    rows: int
    created_at: datetime
    file_url: str


# ---------------------------------------------------------------------------------------------- helpers


def _wave(wave_id: int) -> Wave:
    w = selectors.waves().filter(pk=wave_id).select_related("created_by").first()
    if w is None:
        raise NotFound(f"批次 {wave_id} 不存在 (wave not found)", code="wave_not_found", wave=wave_id)
    return w


def _parcel_exists(parcel_id: int) -> None:
    if not Parcel.objects.filter(pk=parcel_id).exists():
        raise NotFound(f"包裹 P{parcel_id} 不存在 (parcel not found)", code="parcel_not_found", parcel=parcel_id)


def _handover(handover_id: int) -> Handover:
    h = selectors.handovers().filter(pk=handover_id).first()
    if h is None:
        raise NotFound(f"交接单 {handover_id} 不存在 (handover not found)", code="handover_not_found")
    return h


def _parcel_out(parcel_id: int, user) -> dict:
    return parcel_dict(selectors.parcel_detail(parcel_id), user=user)


def wave_dict(w: Wave) -> dict:
    """A wave with its counts; `w` comes from selectors.waves() (annotated). API and CLI."""
    return {"id": w.pk, "no": w.no, "state": w.state, "label_size": w.label_size, "filters": w.filters,
            "created_at": w.created_at, "created_by": w.created_by.username if w.created_by_id else None,
            "parcels": w.n_parcels, "packed": w.n_packed, "shipped": w.n_shipped}


def document_dict(d: Document) -> dict:
    return {"id": d.pk, "wave": d.wave.no, "kind": d.kind, "size": d.size, "state": d.state, "total": d.total,
            "done": d.done, "percent": d.percent, "error": d.error, "created_at": d.created_at,
            "finished_at": d.finished_at,
            "pdf_url": f"/api/ship/documents/{d.pk}/pdf" if d.state == Document.State.DONE else None}


def export_dict(e: BatchExport) -> dict:
    return {"id": e.pk, "fmt": e.fmt, "rows": e.rows, "created_at": e.created_at,
            "file_url": f"/api/ship/exports/{e.pk}/file"}


def _handover_dict(h: Handover) -> dict:
    count = h.n if hasattr(h, "n") else h.parcels.count()
    return {"id": h.pk, "carrier": h.carrier_code, "started_at": h.started_at, "closed_at": h.closed_at,
            "count": count}


def created_dict(res) -> dict:
    """A WaveResult as JSON (API and CLI)."""
    return {"wave": wave_dict(_wave(res.wave.pk)) if res.wave else None, "added": res.added,
            "skipped": [{"order_no": k, "reason": v} for k, v in res.skipped.items()]}


def _file(path: str, *, content_type: str, filename: str) -> FileResponse:
    p = FsPath(path)
    if not path or not p.is_file():
        raise NotFound("文件已不在服务器上，请重新生成 (the file is gone; make it again)", code="file_missing")
    return FileResponse(p.open("rb"), content_type=content_type, filename=filename)


# ---------------------------------------------------------------------------------------------- waves


@router.post("/waves", response={200: WaveCreatedOut, 201: WaveCreatedOut, WRITE_ERRORS: Error},
             summary="Build a wave (批次) from confirmed orders by filter; each gets a parcel and a number. "
                     "201 with the wave, or 200 with wave null when no order fits")
def create_wave(request, payload: WaveIn):
    from fahuo.carriers.api import resolve_carrier
    from fahuo.fulfilment.services.waves import WaveFilter
    from fahuo.fulfilment.services.waves import create_wave as create

    require(request.auth, "waves")
    data = payload.dict()
    label_size = data.pop("label_size")
    if data["carrier"]:
        data["carrier"] = resolve_carrier(data["carrier"])
    res = create(by=request.auth, filters=WaveFilter(**data), label_size=label_size)
    return (201 if res.wave else 200), created_dict(res)


@router.get("/waves", response={200: list[WaveOut], READ_ERRORS: Error}, summary="Waves, newest first")
def list_waves(request, state: Literal["", "open", "done"] = Query(""), limit: int = Query(50, ge=1, le=500),
               offset: int = Query(0, ge=0, le=10_000_000)):
    qs = selectors.waves(state=state).select_related("created_by")
    return [wave_dict(w) for w in qs[offset:offset + limit]]


@router.get("/waves/{wave_id}", response={200: WaveDetailOut, READ_ERRORS: Error},
            summary="One wave: its parcels (receivers masked for packers), the pick list and its PDFs")
def get_wave(request, wave_id: int = WaveId):
    w = _wave(wave_id)
    parcels = selectors.wave_parcels(w).select_related("wave").prefetch_related("items__line__order")
    picked = set(w.picked)
    return {"wave": wave_dict(w), "parcels": [parcel_dict(p, user=request.auth) for p in parcels],
            "pick": [{"location": r.location, "sku": r.sku, "name": r.name, "spec": r.spec, "qty": r.qty,
                      "lines": r.lines, "picked": r.sku in picked} for r in selectors.pick_rows(w)],
            "documents": [document_dict(d) for d in selectors.documents(w).select_related("wave")]}


@router.post("/waves/{wave_id}/picked", response={200: list[str], WRITE_ERRORS: Error},
             summary="Tick a SKU off the pick list (or untick it); returns the SKUs ticked so far")
def tick_pick(request, payload: PickIn, wave_id: int = WaveId):
    from fahuo.fulfilment.services.waves import tick_pick as tick

    require(request.auth, "waves")
    _wave(wave_id)
    return tick(wave_id=wave_id, sku_code=payload.sku, picked=payload.picked, by=request.auth).picked


@router.post("/waves/{wave_id}/documents", response={201: DocumentOut, WRITE_ERRORS: Error},
             summary="Render the wave's labels (76x130, 100x180 or A4), pick list or packing slips as one PDF, "
                     "in the background; poll GET /documents/{id} for progress")
def request_document(request, payload: DocumentIn, wave_id: int = WaveId):
    from fahuo.fulfilment.services import docs

    require(request.auth, "waves")
    _wave(wave_id)
    doc = docs.request(wave_id=wave_id, kind=payload.kind, size=payload.size, by=request.auth)
    doc.refresh_from_db()  # rendered already when jobs run in the caller
    return 201, document_dict(doc)


@router.post("/waves/{wave_id}/ship", response={200: WaveShipOut, WRITE_ERRORS: Error},
             summary="Ship every packed parcel of the wave; open parcels stay and are listed. "
                     "409 intercepted when one of them must not go (nothing is shipped then)")
def ship_wave(request, wave_id: int = WaveId):
    from fahuo.fulfilment.services.shipping import ship_wave as ship

    require(request.auth, "ship")
    _wave(wave_id)
    return ship(wave_id=wave_id, by=request.auth)


def _document(doc_id: int) -> Document:
    d = Document.objects.select_related("wave").filter(pk=doc_id).first()
    if d is None:
        raise NotFound(f"单据 {doc_id} 不存在 (document not found)", code="document_not_found")
    return d


@router.get("/documents/{doc_id}", response={200: DocumentOut, READ_ERRORS: Error},
            summary="A wave PDF's progress")
def get_document(request, doc_id: int = Path(..., ge=1, le=MAX_ID)):
    return document_dict(_document(doc_id))


@router.get("/documents/{doc_id}/pdf", response={200: None, READ_ERRORS | {409}: Error},
            summary="The PDF (application/pdf); 409 document_not_ready until it is rendered",
            openapi_extra=_file_response(PDF))
def document_pdf(request, doc_id: int = Path(..., ge=1, le=MAX_ID)):
    d = _document(doc_id)
    if d.state != Document.State.DONE:
        raise Conflict(f"PDF 还没生成好（{d.get_state_display()}，{d.percent}%）(document not ready)",
                       code="document_not_ready", state=d.state, percent=d.percent)
    return _file(d.path, content_type="application/pdf", filename=f"{d.wave.no}-{d.kind}.pdf")


# ---------------------------------------------------------------------------------------------- parcels


@router.get("/parcels/lookup", response={200: ParcelOut, READ_ERRORS | {409}: Error},
            summary="What was scanned at the packing bench (label, order number or P123) → the parcel and its "
                    "expected items; 409 intercepted when the order was closed or refunded")
def lookup(request, code: str = Query(..., min_length=1, max_length=64, pattern=NO_NUL)):
    from fahuo.fulfilment.services.packing import lookup as find

    return _parcel_out(find(code).pk, request.auth)


@router.get("/parcels/{parcel_id}", response={200: ParcelOut, READ_ERRORS: Error}, summary="One parcel")
def get_parcel(request, parcel_id: int = ParcelId):
    _parcel_exists(parcel_id)
    return _parcel_out(parcel_id, request.auth)


@router.post("/parcels/{parcel_id}/scan", response={200: ScanOut, WRITE_ERRORS: Error},
             summary="Scan one item (验货): 400 wrong_item / extra_item when it is not wanted (nothing counted), "
                     "409 intercepted")
def scan(request, payload: ScanIn, parcel_id: int = ParcelId):
    from fahuo.fulfilment.services.packing import scan_item

    require(request.auth, "pack")
    _parcel_exists(parcel_id)
    res = scan_item(parcel_id=parcel_id, code=payload.code, by=request.auth)
    return {"parcel": _parcel_out(parcel_id, request.auth), "complete": res.complete}


@router.post("/parcels/{parcel_id}/reset", response={200: ParcelOut, WRITE_ERRORS: Error},
             summary="Start verifying the parcel again (every count back to 0)")
def reset(request, parcel_id: int = ParcelId):
    from fahuo.fulfilment.services.packing import reset_scans

    require(request.auth, "pack")
    _parcel_exists(parcel_id)
    reset_scans(parcel_id=parcel_id, by=request.auth)
    return _parcel_out(parcel_id, request.auth)


@router.post("/parcels/{parcel_id}/complete", response={200: ParcelWarningsOut, WRITE_ERRORS: Error},
             summary="All items scanned → packed, with an optional weight (warns when it crosses a rate step)")
def complete(request, payload: CompleteIn | None = None, parcel_id: int = ParcelId):
    from fahuo.fulfilment.services.packing import complete as do_complete

    require(request.auth, "pack")
    _parcel_exists(parcel_id)
    _, warnings = do_complete(parcel_id=parcel_id, weight_g=payload.weight_g if payload else None, by=request.auth)
    return {"parcel": _parcel_out(parcel_id, request.auth), "warnings": warnings}


@router.post("/parcels/{parcel_id}/waybill", response={200: ParcelWarningsOut, WRITE_ERRORS: Error},
             summary="Set a typed or scanned waybill number; a number that fits no pattern of its carrier is kept "
                     "and flagged; 409 waybill_taken when another parcel has it")
def set_waybill(request, payload: WaybillIn, parcel_id: int = ParcelId):
    from fahuo.carriers.api import resolve_carrier
    from fahuo.fulfilment.services.numbers import set_number

    require(request.auth, "pack")
    _parcel_exists(parcel_id)
    carrier = resolve_carrier(payload.carrier) if payload.carrier else ""
    _, warnings = set_number(parcel_code=f"P{parcel_id}", number=payload.number, carrier_code=carrier, by=request.auth)
    return {"parcel": _parcel_out(parcel_id, request.auth), "warnings": warnings}


@router.post("/parcels/{parcel_id}/carrier", response={200: ParcelOut, WRITE_ERRORS: Error},
             summary="Change a parcel's carrier by hand (still to be packed only): the old number is dropped, the new "
                     "carrier's source gives a new one (or it is typed at the bench)")
def change_carrier(request, payload: CarrierIn, parcel_id: int = ParcelId):
    from fahuo.carriers.api import resolve_carrier
    from fahuo.fulfilment.services.carrier_change import change_carrier as change

    require(request.auth, "waves")
    _parcel_exists(parcel_id)
    change(parcel_id=parcel_id, carrier_code=resolve_carrier(payload.carrier), by=request.auth)
    return _parcel_out(parcel_id, request.auth)


@router.post("/parcels/{parcel_id}/split", response={201: SplitOut, WRITE_ERRORS: Error},
             summary="Move items into a new parcel of the same order with its own number")
def split(request, payload: ParcelSplitIn, parcel_id: int = ParcelId):
    from fahuo.fulfilment.services.packing import split_parcel

    require(request.auth, "pack")
    _parcel_exists(parcel_id)
    take: dict[int, int] = {}
    for it in payload.items:
        take[it.item_id] = take.get(it.item_id, 0) + it.qty
    new = split_parcel(parcel_id=parcel_id, take=take, by=request.auth)
    return 201, {"parcel": _parcel_out(parcel_id, request.auth), "new_parcel": _parcel_out(new.pk, request.auth)}


@router.post("/ship", response={200: ParcelOut, WRITE_ERRORS: Error},
             summary="Mark one packed parcel shipped (by waybill, order number or P123); harmless twice; "
                     "409 intercepted when the order was closed or refunded")
def ship(request, payload: CodeIn):
    from fahuo.fulfilment.services.shipping import ship as do_ship

    require(request.auth, "ship")
    return _parcel_out(do_ship(code=payload.code, by=request.auth).pk, request.auth)


@router.post("/unship", response={WRITE_ERRORS: Error},
             summary="Un-shipping is refused, always: 409 cannot_unship (404 for an unknown code)")
def unship(request, payload: CodeIn):
    from fahuo.fulfilment.services.shipping import unship as do_unship

    require(request.auth, "ship")
    do_unship(code=payload.code, by=request.auth)
    raise Conflict("不能撤回发货 (un-shipping is not possible)", code="cannot_unship")  # the service always raises


# ---------------------------------------------------------------------------------------------- handover


@router.post("/handovers", response={201: HandoverOut, WRITE_ERRORS: Error},
             summary="Start a 揽收交接单 for one carrier's courier")
def start_handover(request, payload: HandoverIn):
    from fahuo.carriers.api import resolve_carrier
    from fahuo.fulfilment.services.shipping import start_handover as start

    require(request.auth, "handover")
    h = start(carrier_code=resolve_carrier(payload.carrier), by=request.auth)
    return 201, _handover_dict(h)


@router.get("/handovers/{handover_id}", response={200: HandoverDetailOut, READ_ERRORS: Error},
            summary="A handover list: the parcels the courier took, with the time of each scan")
def get_handover(request, handover_id: int = Path(..., ge=1, le=MAX_ID)):
    h = _handover(handover_id)
    parcels = h.parcels.select_related("order").order_by("handed_over_at", "id")
    return {"handover": _handover_dict(h),
            "parcels": [{"waybill": p.waybill, "order_no": p.order.order_no, "at": p.handed_over_at} for p in parcels]}


@router.post("/handovers/{handover_id}/scan", response={200: HandoverScanOut, WRITE_ERRORS: Error},
             summary="Scan a parcel as the courier takes it: it is shipped now. 409 wrong_carrier, intercepted, "
                     "parcel_not_packed, handover_closed")
def handover_scan(request, payload: CodeIn, handover_id: int = Path(..., ge=1, le=MAX_ID)):
    from fahuo.fulfilment.services.shipping import handover_scan as do_scan

    require(request.auth, "handover")
    _handover(handover_id)
    p = do_scan(handover_id=handover_id, code=payload.code, by=request.auth)
    return {"handover": _handover_dict(_handover(handover_id)), "parcel": _parcel_out(p.pk, request.auth)}


@router.post("/handovers/{handover_id}/close", response={200: HandoverClosedOut, WRITE_ERRORS: Error},
             summary="End the handover; lists the packed parcels of that carrier that were not taken")
def close_handover(request, handover_id: int = Path(..., ge=1, le=MAX_ID)):
    from fahuo.fulfilment.services.shipping import close_handover as close

    require(request.auth, "handover")
    _handover(handover_id)
    h, left = close(handover_id=handover_id, by=request.auth)
    parcels = (Parcel.objects.filter(pk__in=[p.pk for p in left]).select_related("order", "wave")
               .prefetch_related("items__line__sku", "items__line__order").order_by("packed_at", "id"))
    return {"handover": _handover_dict(_handover(h.pk)),
            "not_taken": [parcel_dict(p, user=request.auth) for p in parcels]}


# ---------------------------------------------------------------------------------------------- exports


@router.post("/exports", response={201: ExportOut, WRITE_ERRORS: Error},
             summary="The batch-ship file for 卖家中心 (订单编号, 物流公司, 运单号, 子订单编号): shipped parcels not "
                     "exported before (all with include_exported); 演示快递 only with include_sandbox")
def create_export(request, payload: ExportIn):
    from fahuo.fulfilment.services.shipping import export_batch_ship

    require(request.auth, "export")
    e = export_batch_ship(fmt=payload.fmt, include_exported=payload.include_exported,
                          include_sandbox=payload.include_sandbox, by=request.auth)
    return 201, export_dict(e)


@router.get("/exports/{export_id}/file", response={200: None, READ_ERRORS: Error},
            summary="Download a batch-ship file (CSV with BOM, or XLSX)",
            openapi_extra=_file_response({"text/csv": {"schema": {"type": "string"}},
                                          XLSX: {"schema": {"type": "string", "format": "binary"}}}))
def export_file(request, export_id: int = Path(..., ge=1, le=MAX_ID)):
    e = BatchExport.objects.filter(pk=export_id).first()
    if e is None:
        raise NotFound(f"导出 {export_id} 不存在 (export not found)", code="export_not_found")
    ctype = "text/csv; charset=utf-8" if e.fmt == "csv" else XLSX
    return _file(e.path, content_type=ctype, filename=f"批量发货-{e.pk}.{e.fmt}")
