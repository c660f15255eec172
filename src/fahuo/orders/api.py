"""Orders over HTTP: list and read (masked for packers), create, fix, decide, merge/split, import.

Thin: parse, check the role (core.permissions), call one service, answer with selectors.order_dict.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Literal

from django.db.models import Q
from ninja import File, Path, Query, Router, Schema, UploadedFile
from pydantic import Field

from fahuo.core.api import via_session
from fahuo.core.errors import InvalidInput, InvalidTransition, NotFound
from fahuo.core.permissions import require
from fahuo.core.schemas import MAX_ID, MAX_INT, NO_NUL, READ_ERRORS, WRITE_ERRORS, Error, Id, Qty, Time, text
from fahuo.orders import rules
from fahuo.orders.models import ImportJob
from fahuo.orders.selectors import order_dict, order_list
from fahuo.orders.status import Status

router = Router(tags=["orders"], by_alias=True)  # the timeline's "from"

OrderNo = Path(..., max_length=64, pattern=NO_NUL, description="订单编号")


# ---------------------------------------------------------------------------------------------- shapes


class OrderReceiverOut(Schema):
    name: str
    phone: str
    phone_kind: str
    province: str
    city: str
    district: str
    detail: str


class LineOut(Schema):
    sku: str | None
    title: str
    spec: str
    qty: int
    outer_id: str
    price: str | None


class HoldOut(Schema):
    reason: str
    note: str
    until: str | None


class EventOut(Schema):
    at: str
    kind: str
    by: str | None
    from_: str = Field(..., alias="from")
    to: str
    message: str


class OrderOut(Schema):
    order_no: str
    platform_order_no: str
    status: str = Field(..., description="unpaid review held short ready picking packed shipped delivered completed "
                                         "cancelled closed")
    platform_status: str
    buyer_nick: str
    receiver: OrderReceiverOut
    problems: list[str]
    lines: list[LineOut]
    amount: str | None
    buyer_message: str
    paid_at: str | None
    ship_by: str | None
    waybills: list[str]
    short_skus: list[str]
    hold: HoldOut | None
    merged_into: str | None
    split_from: str | None


class OrderDetailOut(OrderOut):
    line_ids: list[int]
    timeline: list[EventOut]


class OrderPage(Schema):
    count: int
    limit: int
    offset: int
    items: list[OrderOut]


class ConfirmOut(Schema):
    order_no: str
    status: str
    short: dict[str, int] | None = None
    error: Error | None = None


class LineIn(Schema):
    sku: text(64) = ""
    qty: Qty = 1
    title: text(300) = ""
    spec: text(200) = ""
    price: Decimal | None = Field(None, ge=0, le=Decimal("9999999999.99"), decimal_places=2)


class CreateOrderIn(Schema):
    lines: list[LineIn] = Field(..., min_length=1, max_length=200)
    order_no: text(60) = Field("", description="default: a new M… number; at most 60 so split parts (-2, -3…) fit")
    receiver_name: text(100) = ""
    phone: text(40) = ""
    address: text(255) = ""
    blob: text(255) = Field("", description="pasted '张三 13812345678 浙江省杭州市西湖区文三路90号'; fills what is missing")
    buyer_nick: text(100) = ""
    buyer_message: text(1000) = ""
    seller_memo: text(1000) = ""
    amount: Decimal | None = Field(None, ge=0, le=Decimal("9999999999.99"), decimal_places=2)


class OrderReceiverIn(Schema):
    name: text(100) | None = None
    phone: text(40) | None = None
    province: text(30) | None = None
    city: text(30) | None = None
    district: text(30) | None = None
    detail: text(255) | None = None
    address: text(255) | None = Field(None, description="one line, parsed into 省/市/区 + detail; explicit parts win")


class ConfirmManyIn(Schema):
    order_nos: list[text(64)] = Field(default_factory=list, max_length=1000)
    all_ok: bool = False


class HoldIn(Schema):
    reason: text(30) = Field(..., description="out_of_stock_reply address_confirm presale buyer_delay other")
    note: text(200) = ""
    until: Time | None = None


class CancelIn(Schema):
    reason: text(200) = ""


class OrderNosIn(Schema):
    order_nos: list[text(64)] = Field(..., max_length=100)


class PartLineIn(Schema):
    line_id: Id
    qty: int = Field(..., ge=0, le=MAX_INT)


class OrderSplitIn(Schema):
    parts: list[list[PartLineIn]] = Field(..., min_length=1, max_length=50)


class BuyerMessageOut(Schema):
    order_no: str
    kind: str
    lang: str
    items: list[str]
    text: str


class SkuMappingIn(Schema):
    title: text(300, min_length=1)
    spec: text(200) = ""
    sku: text(64, min_length=1)


class SkuMappingOut(Schema):
    title: str
    spec: str
    sku: str
    mapped_lines: int


class RejectedRow(Schema):
    row: int
    reason: str
    code: str | None = None
    order_no: str | None = None


class ImportJobOut(Schema):
    id: int
    state: str = Field(..., description="queued running done failed")
    filename: str
    total_rows: int
    processed_rows: int
    percent: int
    created: int
    updated: int
    unchanged: int
    rejected: list[RejectedRow]
    error: str


# ---------------------------------------------------------------------------------------------- reads


def _detail(order_no: str, user) -> dict:
    order = order_list(include_merged=True).filter(order_no=order_no).first()
    if order is None:
        raise NotFound(f"订单 {order_no} 不存在 (order {order_no} not found)", code="order_not_found",
                       order_no=order_no)
    d = order_dict(order, user=user, detail=True)
    d["line_ids"] = [ln.pk for ln in order.lines.all()]
    return d


def _check_filters(status: str, problem: str) -> None:
    bad = [s for s in status.split(",") if s and s not in {m.value for m in Status}]
    if bad:
        raise InvalidInput(f"未知状态：{', '.join(bad)} (unknown status)", code="bad_filter",
                           allowed=[m.value for m in Status])
    if problem and problem not in rules.ALL:
        raise InvalidInput(f"未知问题代码：{problem} (unknown problem code)", code="bad_filter",
                           allowed=list(rules.ALL))


@router.get("", response={200: OrderPage, READ_ERRORS | {400}: Error},
            summary="Orders, soonest ship-by first; masked for packers")
def list_orders(request,
                status: str = Query("", max_length=200, pattern=NO_NUL, description="one or more, comma separated"),
                q: str = Query("", max_length=64, pattern=NO_NUL, description="订单编号 (start), part of the receiver name or buyer nick, phone tail (4+ digits), waybill (whole or last 6+)"),
                problem: str = Query("", max_length=40, pattern=NO_NUL),
                due: Literal["", "today", "overdue"] = Query(""),
                limit: int = Query(50, ge=1, le=500),
                offset: int = Query(0, ge=0, le=10_000_000)):
    _check_filters(status, problem)
    qs = order_list(status=status or None, q=q, problem=problem, due=due)
    count = qs.count()
    items = [order_dict(o, user=request.auth) for o in qs[offset:offset + limit]]
    return {"count": count, "limit": limit, "offset": offset, "items": items}


# ---------------------------------------------------------------------------------------------- writes


@router.post("", response={201: OrderDetailOut, WRITE_ERRORS: Error}, summary="Add an order by hand")
def create_order(request, payload: CreateOrderIn):
    from fahuo.orders.models import Source
    from fahuo.orders.services.intake import create_order as create

    require(request.auth, "create_order")
    data = payload.dict()
    lines = [{k: v for k, v in ln.items() if v not in ("", None)} for ln in data.pop("lines")]
    order = create(by=request.auth, lines=lines, source=Source.MANUAL if via_session(request) else Source.API,
                   **data)
    return 201, _detail(order.order_no, request.auth)


@router.patch("/{order_no}/receiver", response={200: OrderDetailOut, WRITE_ERRORS: Error},
              summary="Fix the receiver (name, phone, 省/市/区, detail, or one address line)")
def update_receiver(request, payload: OrderReceiverIn, order_no: str = OrderNo):
    from fahuo.orders.services.review import update_receiver as update

    require(request.auth, "edit_receiver")
    update(order_no=order_no, by=request.auth, **payload.dict(exclude_none=True))
    return _detail(order_no, request.auth)


@router.post("/confirm", response={200: list[ConfirmOut], WRITE_ERRORS: Error},
             summary="Confirm several orders (each in its own transaction) or all clean ones")
def confirm_many(request, payload: ConfirmManyIn):
    from fahuo.orders.services.decide import confirm_many as confirm

    require(request.auth, "confirm")
    if not payload.all_ok and not payload.order_nos:
        raise InvalidInput("请给出订单编号，或 all_ok=true (order_nos or all_ok required)", code="nothing_to_confirm")
    results = confirm(order_nos=payload.order_nos or None, all_ok=payload.all_ok, by=request.auth)
    return [r.as_dict() for r in results]


@router.post("/merge", response={200: OrderDetailOut, WRITE_ERRORS: Error},
             summary="Merge orders for the same receiver; returns the primary order")
def merge(request, payload: OrderNosIn):
    from fahuo.orders.services.grouping import merge as do_merge

    require(request.auth, "merge")
    primary = do_merge(order_nos=payload.order_nos, by=request.auth)
    return _detail(primary.order_no, request.auth)


@router.post("/sku-mappings", response={201: SkuMappingOut, WRITE_ERRORS: Error},
             summary="Remember title/spec → SKU and map every open unmapped line with it")
def map_sku(request, payload: SkuMappingIn):
    from fahuo.orders.services.review import map_sku as do_map

    require(request.auth, "map_sku")
    n = do_map(title=payload.title, spec=payload.spec, sku_code=payload.sku, by=request.auth)
    return 201, {"title": payload.title, "spec": payload.spec, "sku": payload.sku, "mapped_lines": n}


def _job_out(job: ImportJob) -> dict:
    return {"id": job.pk, "state": job.state, "filename": job.filename, "total_rows": job.total_rows,
            "processed_rows": job.processed_rows, "percent": job.percent, "created": job.created_n,
            "updated": job.updated_n, "unchanged": job.unchanged_n, "rejected": job.rejected, "error": job.error}


_FILE, _OPTIONAL_FILE = File(...), File(None)


@router.post("/imports", response={201: ImportJobOut, WRITE_ERRORS: Error},
             summary="Upload a 卖家中心 order report (CSV/XLSX) and, optionally, its 宝贝报表; imported in the background")
def start_import(request, file: UploadedFile = _FILE, items: UploadedFile | None = _OPTIONAL_FILE):
    from fahuo.orders.services.imports import start_import as start

    require(request.auth, "import_orders")
    job = start(data=_read(file), filename=_name(file, "orders.csv"),
                items=_read(items) if items else None, items_filename=_name(items, "items.csv") if items else "",
                by=request.auth)
    return 201, _job_out(job)


MAX_UPLOAD = 200 * 1024 * 1024


def _read(f: UploadedFile) -> bytes:
    if f.size and f.size > MAX_UPLOAD:
        raise InvalidInput("文件太大（上限 200 MB）(file too large)", code="file_too_large")
    return f.read()


def _name(f: UploadedFile, default: str) -> str:
    return (f.name or default).replace("\x00", "")[:255] or default


@router.get("/imports/{job_id}", response={200: ImportJobOut, READ_ERRORS | {403}: Error},
            summary="An import's progress and result")
def get_import(request, job_id: int = Path(..., ge=1, le=MAX_ID)):
    require(request.auth, "import_orders")
    job = ImportJob.objects.filter(pk=job_id).first()
    if job is None:
        raise NotFound(f"导入任务 {job_id} 不存在 (import job not found)", code="import_not_found")
    return _job_out(job)


# fixed paths (/confirm, /merge, /imports …) come first: Django tries the patterns in order


@router.get("/{order_no}", response={200: OrderDetailOut, READ_ERRORS: Error},
            summary="One order with its lines and timeline; masked for packers")
def get_order(request, order_no: str = OrderNo):
    return _detail(order_no, request.auth)


@router.get("/{order_no}/buyer-message", response={200: BuyerMessageOut, READ_ERRORS | {409}: Error},
            summary="A draft message for the buyer of a short order, to paste into 千牛")
def buyer_message(request, order_no: str = OrderNo, kind: Literal["wait", "swap", "refund"] = Query("wait"),
                  lang: Literal["zh", "en"] = Query("zh"),
                  eta: str = Query("", max_length=40, pattern=NO_NUL), alt: str = Query("", max_length=100,
                                                                                         pattern=NO_NUL)):
    from fahuo.orders.buyer_messages import draft
    from fahuo.orders.selectors import get_order as get

    order = get(order_no)
    if not order.short_skus:
        raise InvalidTransition(f"订单 {order_no} 没有缺货 (order is not short)", code="not_short",
                                status=order.status)
    lines = order.lines.filter(Q(sku__code__in=order.short_skus)).select_related("sku")
    items = list(dict.fromkeys(ln.sku.title if ln.sku_id else ln.title for ln in lines)) or list(order.short_skus)
    return {"order_no": order.order_no, "kind": kind, "lang": lang, "items": items,
            "text": draft(kind, items=items, eta=eta, alt=alt, lang=lang)}


@router.post("/{order_no}/confirm", response={200: ConfirmOut, WRITE_ERRORS: Error},
             summary="Confirm (审核通过): allocate stock, or go to 缺货 naming what is missing")
def confirm(request, order_no: str = OrderNo):
    from fahuo.orders.services.decide import confirm as do_confirm

    require(request.auth, "confirm")
    return do_confirm(order_no=order_no, by=request.auth).as_dict()


@router.post("/{order_no}/hold", response={200: OrderDetailOut, WRITE_ERRORS: Error},
             summary="Hold with a typed reason and an optional expiry")
def hold(request, payload: HoldIn, order_no: str = OrderNo):
    from fahuo.orders.services.decide import hold as do_hold

    require(request.auth, "hold")
    do_hold(order_no=order_no, reason=payload.reason, note=payload.note, until=payload.until, by=request.auth)
    return _detail(order_no, request.auth)


@router.post("/{order_no}/release", response={200: OrderDetailOut, WRITE_ERRORS: Error},
             summary="Release a hold: back to review")
def release(request, order_no: str = OrderNo):
    from fahuo.orders.services.decide import release_hold

    require(request.auth, "hold")
    release_hold(order_no=order_no, by=request.auth)
    return _detail(order_no, request.auth)


@router.post("/{order_no}/cancel", response={200: OrderDetailOut, WRITE_ERRORS: Error},
             summary="Cancel (by the seller); allocated stock goes back")
def cancel(request, order_no: str = OrderNo, payload: CancelIn | None = None):
    from fahuo.orders.services.decide import cancel as do_cancel

    require(request.auth, "cancel")
    do_cancel(order_no=order_no, by=request.auth, reason=payload.reason if payload else "")
    return _detail(order_no, request.auth)


@router.post("/{order_no}/reopen", response={200: OrderDetailOut, WRITE_ERRORS: Error},
             summary="Back to review (from cancelled, held, short or ready)")
def reopen(request, order_no: str = OrderNo):
    from fahuo.orders.services.decide import reopen as do_reopen

    require(request.auth, "reopen")
    do_reopen(order_no=order_no, by=request.auth)
    return _detail(order_no, request.auth)


@router.post("/{order_no}/unmerge", response={200: OrderDetailOut, WRITE_ERRORS: Error},
             summary="Take the order out of its merge group")
def unmerge(request, order_no: str = OrderNo):
    from fahuo.orders.services.grouping import unmerge as do_unmerge

    require(request.auth, "merge")
    do_unmerge(order_no=order_no, by=request.auth)
    return _detail(order_no, request.auth)


@router.post("/{order_no}/split", response={201: list[OrderDetailOut], WRITE_ERRORS: Error},
             summary="Split lines (or part of a line's quantity) into new orders; returns the new parts")
def split(request, payload: OrderSplitIn, order_no: str = OrderNo):
    from fahuo.orders.services.grouping import split as do_split

    require(request.auth, "split")
    parts: list[dict[int, int]] = []
    for part in payload.parts:
        d: dict[int, int] = {}
        for p in part:
            d[p.line_id] = d.get(p.line_id, 0) + p.qty
        parts.append(d)
    new = do_split(order_no=order_no, parts=parts, by=request.auth)
    return 201, [_detail(o.order_no, request.auth) for o in new]

