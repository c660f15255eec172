"""Stock operations that reach into orders: a stock-take that finds less than is promised."""

from __future__ import annotations

from django.db import transaction

from fahuo.core.errors import InvalidInput
from fahuo.inventory import services as inv
from fahuo.inventory.models import Allocation, StockLevel
from fahuo.orders.models import Order
from fahuo.orders.services.timeline import move
from fahuo.orders.status import Status


@transaction.atomic
def stocktake(*, sku_code: str, counted: int, location_code: str | None = None, reason: str = "", by=None) -> StockLevel:
    """Set on hand to what was counted. When fewer are counted than are allocated, the latest-paid orders
    give their stock back and go to 缺货 until the rest fits; the earliest paid keep theirs."""
    if counted < 0:
        raise InvalidInput(f"盘点数量不能为负：{counted} (counted must be ≥ 0)", code="bad_qty")
    sku = inv.get_sku(sku_code)
    location = inv.get_location(location_code)
    level, _ = StockLevel.objects.get_or_create(sku=sku, location=location)
    level = StockLevel.objects.select_for_update().get(pk=level.pk)
    if counted < level.allocated:
        order_ids = (Allocation.objects.filter(level=level).order_by("-line__order__paid_at", "-line__order_id")
                     .values_list("line__order_id", flat=True))
        for oid in list(dict.fromkeys(order_ids)):
            level.refresh_from_db()
            if counted >= level.allocated:
                break
            order = Order.objects.select_for_update().get(pk=oid)
            primary = order.merged_into or order
            group = [primary, *primary.merged.all()]
            for o in group:
                inv.release(order_id=o.pk, reason=f"盘点后库存不足（{sku.code}）", by=by)
            for o in group:
                o.short_skus = [sku.code]
                o.save(update_fields=["short_skus", "updated_at"])
                move(o, Status.SHORT, by=by, kind="short", message=f"盘点后库存不足：{sku.code}", missing={sku.code: 0})
        level.refresh_from_db()
    return inv.set_on_hand(sku_code=sku.code, counted=counted, location_code=location.code, reason=reason, by=by)
