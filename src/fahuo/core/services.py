from __future__ import annotations

from decimal import Decimal

from django.db import transaction

from fahuo.core.errors import InvalidInput
from fahuo.core.models import ShopSettings


@transaction.atomic
def update_settings(*, by, promised_hours: int | None = None, due_soon_hours: int | None = None,
                    low_stock_threshold: int | None = None, shop_name: str | None = None,
                    privacy_labels: bool | None = None, sender_name: str | None = None,
                    sender_phone: str | None = None, sender_address: str | None = None,
                    no_pickup_hours: int | None = None, stale_hours: int | None = None,
                    compensation_percent: Decimal | None = None, compensation_min: Decimal | None = None,
                    compensation_max: Decimal | None = None) -> ShopSettings:
    """Change the shop's settings. A new promise moves the ship-by of open orders that have no platform deadline."""
    s = ShopSettings.get()
    if promised_hours is not None:
        if not 1 <= promised_hours <= 720:
            raise InvalidInput(f"承诺发货时限应在 1–720 小时之间，收到 {promised_hours} (promised hours out of range)",
                               code="bad_setting")
        if promised_hours != s.promised_hours:
            _reschedule(promised_hours)
        s.promised_hours = promised_hours
    if due_soon_hours is not None:
        if not 1 <= due_soon_hours <= 72:
            raise InvalidInput("提醒时间应在 1–72 小时之间 (due-soon hours out of range)", code="bad_setting")
        s.due_soon_hours = due_soon_hours
    if low_stock_threshold is not None:
        if low_stock_threshold < 0:
            raise InvalidInput("低库存阈值不能为负 (threshold must be ≥ 0)", code="bad_setting")
        s.low_stock_threshold = low_stock_threshold
    for field, hours, low, high, name in (("no_pickup_hours", no_pickup_hours, 1, 240, "发货后无揽收提醒"),
                                          ("stale_hours", stale_hours, 1, 720, "物流停滞提醒")):
        if hours is not None:
            if not low <= hours <= high:
                raise InvalidInput(f"{name}应在 {low}–{high} 小时之间，收到 {hours} ({field} out of range)",
                                   code="bad_setting", field=field)
            setattr(s, field, hours)
    for field, value, high, name in (("compensation_percent", compensation_percent, 100, "赔付比例"),
                                     ("compensation_min", compensation_min, 10000, "赔付下限"),
                                     ("compensation_max", compensation_max, 10000, "赔付上限")):
        if value is not None:
            value = Decimal(value)
            if not value.is_finite() or not 0 <= value <= high:
                raise InvalidInput(f"{name}应在 0–{high} 之间，收到 {value} ({field} out of range)",
                                   code="bad_setting", field=field)
            setattr(s, field, value.quantize(Decimal("0.01")))
    if Decimal(s.compensation_min) > Decimal(s.compensation_max):
        raise InvalidInput(f"赔付下限 {s.compensation_min} 高于上限 {s.compensation_max} (min above max)",
                           code="bad_setting", field="compensation_min")
    if shop_name is not None:
        s.shop_name = shop_name.strip()[:100]
    if privacy_labels is not None:
        s.privacy_labels = privacy_labels
    for field, value, limit in (("sender_name", sender_name, 40), ("sender_phone", sender_phone, 40),
                                ("sender_address", sender_address, 200)):
        if value is not None:
            if len(value.strip()) > limit:
                raise InvalidInput(f"{field} 超过 {limit} 个字 (too long)", code="bad_setting")
            setattr(s, field, value.strip())
    s.save()
    return s


def _reschedule(hours: int) -> None:
    from datetime import timedelta

    from django.db.models import DateTimeField as DTF
    from django.db.models import ExpressionWrapper, F

    from fahuo.orders.models import Order
    from fahuo.orders.status import Groups

    (Order.objects.filter(status__in=list(Groups.TO_SHIP), platform_ship_by__isnull=True, paid_at__isnull=False)
     .update(ship_by=ExpressionWrapper(F("paid_at") + timedelta(hours=hours), output_field=DTF())))
