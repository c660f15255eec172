"""Stock writes. Every change is a guarded UPDATE plus a ledger row, inside the caller's transaction.

Lock order, everywhere: the order row first (orders services), then stock levels by ascending id.
Keeping one order makes PostgreSQL deadlocks impossible between two confirmations.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from django.db import transaction
from django.db.models import F

from fahuo.core.errors import Conflict, InvalidInput, NotFound
from fahuo.inventory.models import Allocation, Location, Movement, MovementKind, Sku, StockLevel
from fahuo.inventory.signals import stock_added

DEFAULT_LOCATION = "默认"


def default_location() -> Location:
    loc = Location.objects.order_by("sort", "code").first()
    if loc is None:
        loc, _ = Location.objects.get_or_create(code=DEFAULT_LOCATION, defaults={"name": "默认库位"})
    return loc


def get_location(code: str | None) -> Location:
    if not code:
        return default_location()
    loc = Location.objects.filter(code=code).first()
    if loc is None:
        loc = Location.objects.create(code=code)
    return loc


def get_sku(code: str) -> Sku:
    sku = Sku.objects.filter(code=code).first() or Sku.objects.filter(barcode=code).exclude(barcode="").first()
    if sku is None:
        raise NotFound(f"商家编码 {code} 不存在 (unknown SKU {code})", code="sku_unknown", sku=code)
    return sku


def _level(sku: Sku, location: Location) -> StockLevel:
    level, _ = StockLevel.objects.get_or_create(sku=sku, location=location)
    return level


def _notify_added(sku_ids: list[int]) -> None:
    transaction.on_commit(lambda: stock_added.send(sender=Sku, sku_ids=sku_ids))


@transaction.atomic
def receive(*, sku_code: str, qty: int, location_code: str | None = None, reason: str = "", by=None) -> StockLevel:
    if qty <= 0:
        raise InvalidInput(f"入库数量必须大于 0，收到 {qty} (quantity must be positive)", code="bad_qty")
    sku = get_sku(sku_code)
    level = _level(sku, get_location(location_code))
    StockLevel.objects.filter(pk=level.pk).update(on_hand=F("on_hand") + qty)
    Movement.objects.create(sku=sku, location=level.location, kind=MovementKind.RECEIVE, on_hand_delta=qty,
                            reason=reason or "入库", by=by)
    _notify_added([sku.pk])
    level.refresh_from_db()
    return level


@transaction.atomic
def adjust(*, sku_code: str, delta: int, location_code: str | None = None, reason: str, by=None,
           kind: str = MovementKind.ADJUST) -> StockLevel:
    """Change on hand by delta. Refused when it would leave less on hand than is allocated."""
    if delta == 0:
        raise InvalidInput("调整数量不能为 0 (delta must not be 0)", code="bad_qty")
    if not reason.strip():
        raise InvalidInput("调整库存必须填写原因 (a reason is required)", code="reason_required")
    sku = get_sku(sku_code)
    level = _level(sku, get_location(location_code))
    n = StockLevel.objects.filter(pk=level.pk, on_hand__gte=F("allocated") - delta).update(
        on_hand=F("on_hand") + delta)
    if n == 0:
        level.refresh_from_db()
        raise Conflict(
            f"{sku.code} 在 {level.location.code} 现有 {level.on_hand}，已占用 {level.allocated}，"
            f"不能减少 {-delta} (would leave less on hand than allocated)",
            code="below_allocated", sku=sku.code, on_hand=level.on_hand, allocated=level.allocated)
    Movement.objects.create(sku=sku, location=level.location, kind=kind, on_hand_delta=delta, reason=reason, by=by)
    if delta > 0:
        _notify_added([sku.pk])
    level.refresh_from_db()
    return level


@dataclass(frozen=True)
class Need:
    line_id: int
    sku_id: int
    qty: int


class Shortage(Exception):
    """Raised inside allocate() to roll the savepoint back; carries {sku_id: missing units}."""

    def __init__(self, missing: dict[int, int]) -> None:
        super().__init__("short")
        self.missing = missing


def allocate(*, needs: list[Need], order_id: int, by=None) -> None:
    """Allocate every need or none (raises Shortage). Must run inside a transaction.

    Each level is taken with `UPDATE … SET allocated = allocated + q WHERE on_hand - allocated >= q`,
    so two confirmations can never both take the last unit, on SQLite or PostgreSQL."""
    per_sku: dict[int, int] = defaultdict(int)
    for n in needs:
        per_sku[n.sku_id] += n.qty
    levels = list(StockLevel.objects.filter(sku_id__in=per_sku).select_related("location")
                  .order_by("location__sort", "location__code", "id"))
    by_sku: dict[int, list[StockLevel]] = defaultdict(list)
    for lv in levels:
        by_sku[lv.sku_id].append(lv)
    allocations: list[Allocation] = []
    movements: list[Movement] = []
    missing: dict[int, int] = {}
    with transaction.atomic():  # a savepoint: a shortage leaves no trace
        for n in sorted(needs, key=lambda n: (n.sku_id, n.line_id)):
            remaining = n.qty
            for lv in by_sku.get(n.sku_id, []):
                while remaining > 0:
                    take = min(remaining, lv.on_hand - lv.allocated)
                    if take <= 0:
                        break
                    ok = StockLevel.objects.filter(pk=lv.pk, on_hand__gte=F("allocated") + take).update(
                        allocated=F("allocated") + take)
                    if ok:
                        lv.allocated += take
                        remaining -= take
                        allocations.append(Allocation(line_id=n.line_id, level_id=lv.pk, qty=take))
                        movements.append(Movement(sku_id=n.sku_id, location_id=lv.location_id,
                                                  kind=MovementKind.ALLOCATE, allocated_delta=take,
                                                  order_id=order_id, reason="确认订单占用", by=by))
                    else:  # someone else took stock since we read it: read again and retry
                        lv.refresh_from_db(fields=["on_hand", "allocated"])
                if remaining == 0:
                    break
            if remaining:
                missing[n.sku_id] = missing.get(n.sku_id, 0) + remaining
        if missing:
            raise Shortage(missing)
        Allocation.objects.bulk_create(allocations)
        Movement.objects.bulk_create(movements)


def release(*, order_id: int, line_ids: list[int] | None = None, reason: str, by=None) -> list[int]:
    """Give back everything allocated to the order's lines. Returns the SKU ids freed."""
    qs = Allocation.objects.filter(line__order_id=order_id).select_related("level")
    if line_ids is not None:
        qs = qs.filter(line_id__in=line_ids)
    allocs = sorted(qs, key=lambda a: a.level_id)
    if not allocs:
        return []
    movements = []
    for a in allocs:
        StockLevel.objects.filter(pk=a.level_id).update(allocated=F("allocated") - a.qty)
        movements.append(Movement(sku_id=a.level.sku_id, location_id=a.level.location_id, kind=MovementKind.RELEASE,
                                  allocated_delta=-a.qty, order_id=order_id, reason=reason, by=by))
    Allocation.objects.filter(pk__in=[a.pk for a in allocs]).delete()
    Movement.objects.bulk_create(movements)
    sku_ids = sorted({a.level.sku_id for a in allocs})
    _notify_added(sku_ids)
    return sku_ids


def consume(*, order_id: int, reason: str, by=None) -> None:
    """The goods left the building: allocated units leave on hand too (a SHIP ledger row per level)."""
    allocs = sorted(Allocation.objects.filter(line__order_id=order_id).select_related("level"), key=lambda a: a.level_id)
    movements = []
    for a in allocs:
        StockLevel.objects.filter(pk=a.level_id).update(allocated=F("allocated") - a.qty, on_hand=F("on_hand") - a.qty)
        movements.append(Movement(sku_id=a.level.sku_id, location_id=a.level.location_id, kind=MovementKind.SHIP,
                                  on_hand_delta=-a.qty, allocated_delta=-a.qty, order_id=order_id, reason=reason, by=by))
    Allocation.objects.filter(pk__in=[a.pk for a in allocs]).delete()
    Movement.objects.bulk_create(movements)


def set_on_hand(*, sku_code: str, counted: int, location_code: str | None = None, reason: str = "", by=None,
                kind: str = MovementKind.STOCKTAKE) -> StockLevel:
    """Set on hand to a counted number. Refused when fewer than allocated (orders.services.stock.stocktake
    first moves the latest-paid orders to 缺货 to make room)."""
    if counted < 0:
        raise InvalidInput(f"盘点数量不能为负：{counted} (counted must be ≥ 0)", code="bad_qty")
    sku = get_sku(sku_code)
    level = _level(sku, get_location(location_code))
    level = StockLevel.objects.select_for_update().get(pk=level.pk)
    if counted < level.allocated:
        raise Conflict(f"{sku.code} 已占用 {level.allocated}，不能设为 {counted} (below allocated)",
                       code="below_allocated", sku=sku.code, allocated=level.allocated)
    delta = counted - level.on_hand
    if delta:
        StockLevel.objects.filter(pk=level.pk).update(on_hand=counted)
        Movement.objects.create(sku=sku, location=level.location, kind=kind, on_hand_delta=delta,
                                reason=reason or f"盘点：{counted}", by=by)
        if delta > 0:
            _notify_added([sku.pk])
    level.refresh_from_db()
    return level


@transaction.atomic
def save_sku(*, code: str, title: str, spec: str = "", barcode: str = "", weight_g: int = 0,
             tags: list[str] | None = None, by=None) -> Sku:
    """Create a SKU or update the one with this 商家编码."""
    code, title = code.strip(), title.strip()
    if not code:
        raise InvalidInput("商家编码不能为空 (SKU code is required)", code="bad_sku")
    if not title:
        raise InvalidInput("名称不能为空 (title is required)", code="bad_sku")
    if weight_g < 0:
        raise InvalidInput("重量不能为负 (weight must be ≥ 0)", code="bad_number")
    sku, _ = Sku.objects.update_or_create(code=code, defaults={
        "title": title, "spec": spec.strip(), "barcode": barcode.strip(), "weight_g": weight_g,
        "tags": list(tags or [])})
    return sku


def consume_lines(*, order_id: int, qty_by_line: dict[int, int], reason: str, by=None) -> None:
    """Ship part of an order: the given quantities of its lines leave on hand and allocated (SHIP rows)."""
    allocs = sorted(Allocation.objects.filter(line_id__in=qty_by_line, line__order_id=order_id)
                    .select_related("level"), key=lambda a: (a.level_id, a.pk))
    left = dict(qty_by_line)
    movements = []
    for a in allocs:
        take = min(a.qty, left.get(a.line_id, 0))
        if take <= 0:
            continue
        left[a.line_id] -= take
        StockLevel.objects.filter(pk=a.level_id).update(allocated=F("allocated") - take, on_hand=F("on_hand") - take)
        if take == a.qty:
            a.delete()
        else:
            Allocation.objects.filter(pk=a.pk).update(qty=F("qty") - take)
        movements.append(Movement(sku_id=a.level.sku_id, location_id=a.level.location_id, kind=MovementKind.SHIP,
                                  on_hand_delta=-take, allocated_delta=-take, order_id=order_id, reason=reason, by=by))
    Movement.objects.bulk_create(movements)
