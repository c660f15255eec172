"""The periodic sweep: time-based exceptions (no 揽收, stale, ship-by near/passed) that no event triggers."""

from __future__ import annotations

from collections import defaultdict
from datetime import timedelta

from django.db import transaction
from django.db.models import Q

from fahuo.core import clock
from fahuo.core.models import ShopSettings
from fahuo.fulfilment.models import Parcel
from fahuo.orders.models import Order
from fahuo.orders.status import Groups as OrderGroups
from fahuo.tracking.events import TrackState, fold
from fahuo.tracking.models import ExceptionCase, ParcelTrack, TrackingEvent
from fahuo.tracking.services import exceptions
from fahuo.tracking.services.ingest import MAX_TRANSFERS, to_event
from fahuo.tracking.statuses import Groups

BATCH = 500
_FINAL = [str(s) for s in Groups.FINAL]


def _states(parcels: list[Parcel]) -> dict[int, TrackState | None]:
    """Each parcel's state folded from its stored events (and those of its transfers), in one query per batch."""
    numbers: set[str] = set()
    for p in parcels:
        numbers.add(p.waybill or "")
        track = getattr(p, "track", None) if _has_track(p) else None
        if track is not None and track.transferred_to:
            numbers.add(track.transferred_to)
    by_number: dict[str, list] = defaultdict(list)
    for row in TrackingEvent.objects.filter(number__in=numbers):
        by_number[row.number].append(to_event(row))
    out: dict[int, TrackState | None] = {}
    for p in parcels:
        if not by_number.get(p.waybill or ""):
            out[p.pk] = None
            continue
        chain = [p.waybill or ""]
        events = list(by_number[chain[0]])
        state = fold(events)
        for _ in range(MAX_TRANSFERS):
            nxt = state.transferred_to
            if not nxt or nxt in chain:
                break
            chain.append(nxt)
            extra = by_number.get(nxt)
            if extra is None:
                extra = [to_event(r) for r in TrackingEvent.objects.filter(number=nxt)]
            events += extra
            state = fold(events)
        out[p.pk] = state
    return out


def _has_track(p: Parcel) -> bool:
    try:
        p.track  # noqa: B018
    except ParcelTrack.DoesNotExist:
        return False
    return True


def _batches(qs, size: int):
    batch = []
    for obj in qs.iterator(chunk_size=size):
        batch.append(obj)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def sweep(now=None) -> dict[str, int]:
    """Check shipped parcels not yet final and not-yet-shipped orders. Returns counts."""
    now = now or clock.now()
    shop = ShopSettings.get()
    lim = exceptions.limits(shop)
    sender = exceptions.sender_place(shop.sender_address)
    counts = {"parcels": 0, "orders": 0, "opened": 0, "closed": 0}
    parcels = (Parcel.objects.filter(state=Parcel.State.SHIPPED, shipped_at__isnull=False)
               .exclude(track__status__in=_FINAL).select_related("order", "track").order_by("pk"))
    for batch in _batches(parcels, BATCH):
        states = _states(batch)
        for p in batch:
            with transaction.atomic():
                Parcel.objects.select_for_update().filter(pk=p.pk).values_list("pk", flat=True).first()
                o, c = exceptions.check_parcel(p, state=states[p.pk], now=now, lim=lim, sender=sender)
            counts["parcels"] += 1
            counts["opened"] += o
            counts["closed"] += c
    due = Q(status__in=[str(s) for s in OrderGroups.TO_SHIP], ship_by__isnull=False,
            ship_by__lte=now + timedelta(hours=lim.due_soon_hours))
    # and orders with an open order-level case: moved deadline, cancelled, shipped (their case may be over)
    has_case = Q(pk__in=ExceptionCase.objects.filter(state=ExceptionCase.State.OPEN, parcel__isnull=True)
                 .values("order_id"))
    orders = Order.objects.filter(due | has_case).order_by("pk")
    for order in orders.iterator(chunk_size=BATCH):
        o, c = exceptions.check_order(order, now=now, lim=lim)
        counts["orders"] += 1
        counts["opened"] += o
        counts["closed"] += c
    return counts

