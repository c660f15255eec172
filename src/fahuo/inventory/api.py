"""Stock over HTTP: levels per SKU, low stock, one SKU's ledger, receive / adjust / stock-take, SKU import."""

from __future__ import annotations

from datetime import datetime

from ninja import File, Path, Query, Router, Schema, UploadedFile
from pydantic import Field

from fahuo.core.errors import InvalidInput
from fahuo.core.models import ShopSettings
from fahuo.core.permissions import require
from fahuo.core.schemas import MAX_INT, NO_NUL, READ_ERRORS, WRITE_ERRORS, Error, Qty, text
from fahuo.inventory import selectors
from fahuo.inventory.models import Movement, Sku, StockLevel

router = Router(tags=["inventory"])

SkuCode = Path(..., max_length=64, pattern=NO_NUL, description="商家编码 or barcode")


class StockRowOut(Schema):
    sku: str
    title: str
    spec: str
    barcode: str
    on_hand: int
    allocated: int
    available: int
    waiting: int = Field(..., description="needed by open orders that hold no stock yet (review, held, short)")
    projected: int = Field(..., description="available - waiting")


class LowStockOut(Schema):
    threshold: int
    items: list[StockRowOut]


class SkuOut(Schema):
    code: str
    title: str
    spec: str
    barcode: str
    weight_g: int
    tags: list[str]
    active: bool


class LevelOut(Schema):
    sku: str
    location: str
    on_hand: int
    allocated: int
    available: int


class MovementOut(Schema):
    id: int
    at: datetime
    sku: str
    location: str
    kind: str
    on_hand_delta: int
    allocated_delta: int
    reason: str
    order_no: str | None
    by: str | None


class SkuDetailOut(Schema):
    sku: SkuOut
    totals: StockRowOut | None
    levels: list[LevelOut]
    movements: list[MovementOut]


class SkuIn(Schema):
    code: text(64, min_length=1)
    title: text(200, min_length=1)
    spec: text(200) = ""
    barcode: text(64) = ""
    weight_g: int = Field(0, ge=0, le=MAX_INT)
    tags: list[text(40)] = Field(default_factory=list, max_length=20)


class ImportResultOut(Schema):
    created: int
    updated: int
    unchanged: int
    rejected: list[dict]


class ReceiveIn(Schema):
    sku: text(64, min_length=1)
    qty: Qty
    location: text(40) = ""
    reason: text(200) = ""


class AdjustIn(Schema):
    sku: text(64, min_length=1)
    delta: int = Field(..., ge=-MAX_INT, le=MAX_INT, description="non-zero; negative takes stock away")
    location: text(40) = ""
    reason: text(200) = Field(..., description="required")


class StocktakeIn(Schema):
    sku: text(64, min_length=1)
    counted: int = Field(..., ge=0, le=MAX_INT)
    location: text(40) = ""
    reason: text(200) = ""


def _level_out(lv: StockLevel) -> dict:
    return {"sku": lv.sku.code, "location": lv.location.code, "on_hand": lv.on_hand, "allocated": lv.allocated,
            "available": lv.available}


def _movement_out(m: Movement) -> dict:
    return {"id": m.pk, "at": m.at, "sku": m.sku.code, "location": m.location.code, "kind": m.kind,
            "on_hand_delta": m.on_hand_delta, "allocated_delta": m.allocated_delta, "reason": m.reason,
            "order_no": m.order.order_no if m.order_id else None, "by": m.by.username if m.by_id else None}


def _sku_out(s: Sku) -> dict:
    return {"code": s.code, "title": s.title, "spec": s.spec, "barcode": s.barcode, "weight_g": s.weight_g,
            "tags": list(s.tags or []), "active": s.active}


@router.get("", response={200: list[StockRowOut], READ_ERRORS: Error}, summary="On hand / allocated / available per SKU")
def stock_list(request, q: str = Query("", max_length=64, pattern=NO_NUL)):
    return selectors.stock_rows(q=q)


@router.get("/low", response={200: LowStockOut, READ_ERRORS: Error},
            summary="SKUs whose stock after what open orders need is below the threshold, worst first")
def low(request):
    threshold = ShopSettings.get().low_stock_threshold
    return {"threshold": threshold, "items": selectors.low_stock(threshold=threshold)}


@router.post("/skus", response={200: SkuOut, WRITE_ERRORS: Error}, summary="Create or update a SKU by its 商家编码")
def save_sku(request, payload: SkuIn):
    from fahuo.inventory.services import save_sku as save

    require(request.auth, "edit_sku")
    return _sku_out(save(by=request.auth, **payload.dict()))


_FILE = File(...)


@router.post("/skus/import", response={200: ImportResultOut, WRITE_ERRORS: Error},
             summary="Import SKUs (and optionally stock) from CSV: 商家编码,名称,规格,条码,重量(克)")
def import_skus(request, file: UploadedFile = _FILE):
    from fahuo.inventory.sku_import import import_skus as do_import

    require(request.auth, "import_skus")
    if file.size and file.size > 50 * 1024 * 1024:
        raise InvalidInput("文件太大（上限 50 MB）(file too large)", code="file_too_large")
    return do_import(data=file.read(), by=request.auth).as_dict()


# after /skus/import: Django tries the patterns in order
@router.get("/skus/{code}", response={200: SkuDetailOut, READ_ERRORS: Error},
            summary="One SKU: its levels per location and its last 50 ledger rows")
def sku_detail(request, code: str = SkuCode):
    from fahuo.inventory.services import get_sku

    sku = get_sku(code)
    totals = selectors.stock_rows(sku_codes=[sku.code])
    return {"sku": _sku_out(sku), "totals": totals[0] if totals else None,
            "levels": [_level_out(lv) for lv in selectors.levels_of(sku)],
            "movements": [_movement_out(m) for m in selectors.ledger(sku=sku, limit=50)]}


@router.post("/receive", response={200: LevelOut, WRITE_ERRORS: Error},
             summary="Receive stock (入库); 缺货 orders are re-allocated, earliest paid first")
def receive(request, payload: ReceiveIn):
    from fahuo.inventory.services import receive as do_receive

    require(request.auth, "receive_stock")
    lv = do_receive(sku_code=payload.sku, qty=payload.qty, location_code=payload.location or None,
                    reason=payload.reason, by=request.auth)
    return _level_out(lv)


@router.post("/adjust", response={200: LevelOut, WRITE_ERRORS: Error},
             summary="Adjust on hand by a delta, with a reason; never below what is allocated")
def adjust(request, payload: AdjustIn):
    from fahuo.inventory.services import adjust as do_adjust

    require(request.auth, "adjust_stock")
    lv = do_adjust(sku_code=payload.sku, delta=payload.delta, location_code=payload.location or None,
                   reason=payload.reason, by=request.auth)
    return _level_out(lv)


@router.post("/stocktake", response={200: LevelOut, WRITE_ERRORS: Error},
             summary="Set on hand to what was counted; latest-paid orders go to 缺货 when fewer are counted")
def stocktake(request, payload: StocktakeIn):
    from fahuo.orders.services.stock import stocktake as do_stocktake

    require(request.auth, "stocktake")
    lv = do_stocktake(sku_code=payload.sku, counted=payload.counted, location_code=payload.location or None,
                      reason=payload.reason, by=request.auth)
    return _level_out(lv)


@router.get("/movements", response={200: list[MovementOut], READ_ERRORS: Error}, summary="The stock ledger, newest first")
def movements(request, sku: str = Query("", max_length=64, pattern=NO_NUL), limit: int = Query(100, ge=1, le=1000)):
    from fahuo.inventory.services import get_sku

    return [_movement_out(m) for m in selectors.ledger(sku=get_sku(sku) if sku else None, limit=limit)]
