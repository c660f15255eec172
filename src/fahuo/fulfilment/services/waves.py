"""Waves (批次): confirmed orders picked and packed together, one parcel per order (or merged group)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.db import transaction

from fahuo.core import clock
from fahuo.core.errors import FahuoError, InvalidInput
from fahuo.fulfilment.models import Parcel, ParcelItem, Wave
from fahuo.fulfilment.services import numbers
from fahuo.orders.models import Order, OrderLine
from fahuo.orders.services.timeline import move
from fahuo.orders.status import Status

LABEL_SIZES = ("76x130", "100x180", "a4")


@dataclass
class WaveFilter:
    order_nos: list[str] = field(default_factory=list)
    carrier: str = ""
    sku: str = ""
    province: str = ""
    ship_by_before: datetime | None = None
    has_message: bool | None = None
    limit: int = 500

    def as_dict(self) -> dict:
        return {k: (v.isoformat() if isinstance(v, datetime) else v) for k, v in self.__dict__.items()
                if v not in (None, "", [])}


def candidates(f: WaveFilter):
    """READY orders (group primaries) not yet in a live parcel, filtered; earliest deadline first."""
    qs = Order.objects.filter(status=Status.READY, merged_into__isnull=True)
    if f.order_nos:
        qs = qs.filter(order_no__in=f.order_nos)
    if f.sku:
        qs = qs.filter(lines__sku__code=f.sku)
    if f.province:
        qs = qs.filter(province__startswith=f.province)
    if f.ship_by_before:
        qs = qs.filter(ship_by__lte=f.ship_by_before)
    if f.has_message is True:
        qs = qs.exclude(buyer_message="")
    elif f.has_message is False:
        qs = qs.filter(buyer_message="")
    return qs.distinct().order_by("ship_by", "paid_at", "id")


def _next_no() -> str:
    local = clock.local(clock.now())
    assert local is not None
    prefix = "W" + local.strftime("%y%m%d") + "-"
    n = Wave.objects.filter(no__startswith=prefix).count() + 1
    while Wave.objects.filter(no=f"{prefix}{n:02d}").exists():
        n += 1
    return f"{prefix}{n:02d}"


@dataclass
class WaveResult:
    wave: Wave | None
    added: list[str] = field(default_factory=list)
    skipped: dict[str, str] = field(default_factory=dict)  # order no -> why (manual carrier rule, no number …)


@transaction.atomic
def create_wave(*, by, filters: WaveFilter, label_size: str = "76x130") -> WaveResult:
    from fahuo.carriers.services import recommend_for

    if label_size not in LABEL_SIZES:
        raise InvalidInput(f"面单尺寸只能是 {', '.join(LABEL_SIZES)} (unknown label size)", code="bad_label_size")
    if not 1 <= filters.limit <= 5000:
        raise InvalidInput("一个批次最多 5000 单 (a wave holds 1–5000 orders)", code="bad_limit")
    ids = list(candidates(filters).values_list("id", flat=True)[: filters.limit * 2])
    orders = list(Order.objects.select_for_update().filter(pk__in=ids, status=Status.READY).order_by("id"))
    orders.sort(key=lambda o: (o.ship_by is None, o.ship_by, o.paid_at, o.pk))
    result = WaveResult(wave=None)
    chosen = []
    for o in orders:
        if len(chosen) >= filters.limit:
            break
        rec = recommend_for(o)
        if rec.manual or not rec.carrier_code:
            result.skipped[o.order_no] = rec.reason or "规则要求人工选择快递 (a rule asks for a person)"
            continue
        if filters.carrier and rec.carrier_code != filters.carrier:
            continue
        chosen.append((o, rec))
    if not chosen:
        return result
    wave = Wave.objects.create(no=_next_no(), filters=filters.as_dict(), label_size=label_size, created_by=by)
    result.wave = wave
    for o, rec in chosen:
        members = list(Order.objects.select_for_update().filter(merged_into=o).order_by("id"))
        group = [o, *members]
        parcel = Parcel.objects.create(order=o, wave=wave, carrier_code=rec.carrier_code, carrier_rule=rec.reason[:200])
        ParcelItem.objects.bulk_create([ParcelItem(parcel=parcel, line=ln, qty=ln.qty)
                                        for ln in OrderLine.objects.filter(order__in=group).order_by("order_id", "id")])
        try:
            with transaction.atomic():
                numbers.issue(parcel=parcel, by=by)
        except FahuoError as e:
            result.skipped[o.order_no] = f"已加入批次，但未取到单号：{e.message}"
        for g in group:
            move(g, Status.PICKING, by=by, kind="wave", message=f"加入批次 {wave.no}（{rec.carrier_code}）", wave=wave.no)
        result.added.append(o.order_no)
    return result


@transaction.atomic
def tick_pick(*, wave_id: int, sku_code: str, picked: bool, by=None) -> Wave:
    wave = Wave.objects.select_for_update().get(pk=wave_id)
    s = set(wave.picked)
    (s.add if picked else s.discard)(sku_code)
    wave.picked = sorted(s)
    wave.save(update_fields=["picked"])
    return wave


def withdraw_order(*, order: Order, by=None) -> None:
    """The order was cancelled or closed: void the parcels that carry it and take them out of their wave.
    Other orders in those parcels go back to READY (still allocated) to be packed again. Caller's transaction."""
    from django.db.models import Q

    ids = set(Parcel.objects.filter(Q(order=order) | Q(items__line__order=order))
              .filter(state__in=(Parcel.State.OPEN, Parcel.State.PACKED)).values_list("pk", flat=True))
    parcels = list(Parcel.objects.select_for_update().filter(pk__in=ids).order_by("pk"))
    for p in parcels:
        others = set(p.items.exclude(line__order=order).values_list("line__order_id", flat=True))
        p.state, p.wave = Parcel.State.CANCELLED, None
        p.save(update_fields=["state", "wave"])
        for other in Order.objects.filter(pk__in=others, status__in=(Status.PICKING, Status.PACKED)):
            move(other, Status.READY, by=by, kind="parcel_voided",
                 message=f"同包裹的订单 {order.order_no} 已取消/关闭，包裹作废，请重新打包")
