"""Store tracking events and fold them into each parcel's state, in one transaction.

Duplicates are no-ops (unique `key`; among copies of one key the one `events.dedupe` prefers is kept, so
the stored row does not depend on arrival order). Each affected number is re-folded from ALL its stored
events (plus those of the numbers it was transferred to), so order and repetition never matter.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import connection, transaction

from fahuo.core import clock
from fahuo.fulfilment.models import Parcel
from fahuo.orders.models import Order
from fahuo.orders.services import timeline
from fahuo.orders.status import Status, can_move
from fahuo.tracking.events import Event, TrackingFormatError, TrackState, _preference, fold
from fahuo.tracking.models import ParcelTrack, TrackingEvent
from fahuo.tracking.statuses import TrackStatus

MAX_TRANSFERS = 5
MAX_NUMBER = 40
_FIELDS = ("carrier", "reason", "context", "city", "raw_code", "source")


@dataclass
class IngestResult:
    received: int = 0
    stored: int = 0
    duplicates: int = 0
    parcels: list[int] = field(default_factory=list)


def to_event(row: TrackingEvent) -> Event:
    return Event(row.number, row.carrier, row.at, TrackStatus(row.status), row.reason, row.context, row.city,
                 row.raw_code, row.source)


def _clean(text: str, n: int | None = None) -> str:
    text = text.replace("\x00", "")  # PostgreSQL refuses NUL in text
    return text[:n] if n else text


def _row(e: Event, key: str, now, parcel_id: int | None = None) -> TrackingEvent:
    return TrackingEvent(parcel_id=parcel_id, number=e.number, carrier=_clean(e.carrier, 32), at=e.at, status=str(e.status),
                         reason=e.reason[:20], context=_clean(e.context), city=_clean(e.city, 40),
                         raw_code=_clean(e.raw_code, 20), source=_clean(e.source, 16), key=_clean(key), received_at=now)


def check_number(number: str) -> None:
    """Refuse numbers no carrier uses (empty, too long, NUL): a TrackingFormatError, answered as 400."""
    if not number or len(number) > MAX_NUMBER or "\x00" in number:
        raise TrackingFormatError("bad_number", f"unusable waybill number {number[:60]!r}")


def ingest(events: Iterable[Event], by=None, *, now=None) -> IngestResult:
    """Store `events`, re-fold every parcel they touch, move delivered orders, check those parcels."""
    now = now or clock.now()
    batch: dict[str, Event] = {}
    received = 0
    for e in events:
        received += 1
        k = e.key()
        if k not in batch or _preference(e) < _preference(batch[k]):
            batch[k] = e
    for number in {e.number for e in batch.values()}:
        check_number(number)
    res = IngestResult(received=received)
    if not batch:
        return res
    with transaction.atomic():
        numbers = {e.number for e in batch.values()}
        parcels = affected_parcels(numbers)
        parcel_of = {p.waybill: p.pk for p in parcels}
        existing = {r.key: r for r in TrackingEvent.objects.filter(key__in=list(batch))}
        new = []
        for k, e in batch.items():
            row = existing.get(k)
            if row is None:
                new.append(_row(e, k, now, parcel_of.get(e.number)))
            elif _preference(e) < _preference(to_event(row)):
                for f in _FIELDS:
                    setattr(row, f, getattr(_row(e, k, now), f))
                row.save(update_fields=list(_FIELDS))
        TrackingEvent.objects.bulk_create(new, ignore_conflicts=True)
        res.stored = len(new)
        res.duplicates = received - len(new)
        if parcels and connection.features.has_select_for_update:
            # one writer per parcel at a time (PostgreSQL): concurrent pushes for a number refold one after the
            # other, each seeing the other's committed events; locked in primary-key order, so no deadlock.
            # (SQLite has one writer at a time anyway: the transaction is IMMEDIATE, ADR 0003.)
            list(Parcel.objects.select_for_update().filter(pk__in=[p.pk for p in parcels]).order_by("pk")
                 .values_list("pk", flat=True))
        shop = _shop_facts() if parcels else None
        for p in parcels:
            refold(p, by=by, now=now, shop=shop)
        res.parcels = [p.pk for p in parcels]
    return res


def affected_parcels(numbers: set[str]) -> list[Parcel]:
    """Parcels whose waybill is one of `numbers`, or whose trace was transferred (转单) to one of them."""
    found: dict[int, Parcel] = {p.pk: p for p in Parcel.objects.filter(waybill__in=numbers)
                                .select_related("order", "track")}
    todo, seen = set(numbers), set()
    for _ in range(MAX_TRANSFERS):
        todo -= seen
        if not todo:
            break
        seen |= todo
        olds = set(ParcelTrack.objects.filter(transferred_to__in=todo).values_list("number", flat=True))
        for p in Parcel.objects.filter(waybill__in=olds).select_related("order", "track"):
            found.setdefault(p.pk, p)
        todo = olds
    return sorted(found.values(), key=lambda p: p.pk)


def fold_number(number: str) -> tuple[TrackState, list[str]]:
    """Fold the events of `number` and of every number its trace was transferred to (in one journey)."""
    state, numbers, _rows = _fold_rows(number)
    return state, numbers


def _fold_rows(number: str) -> tuple[TrackState, list[str], list[TrackingEvent]]:
    numbers = [number]
    rows = list(TrackingEvent.objects.filter(number=number))
    state = fold(to_event(r) for r in rows)
    for _ in range(MAX_TRANSFERS):
        nxt = state.transferred_to
        if not nxt or nxt in numbers:
            break
        numbers.append(nxt)
        rows += list(TrackingEvent.objects.filter(number=nxt))
        state = fold(to_event(r) for r in rows)
    return state, numbers, rows


_FOLDED = ["number", "status", "reason", "status_since", "last_event_at", "first_scan_at", "picked_up_at",
           "delivered_at", "transferred_to", "suspicious", "events", "updated_at"]


def _shop_facts():
    """The shop's limits and sender place, read once for a whole ingest."""
    from fahuo.core.models import ShopSettings
    from fahuo.tracking.services import exceptions

    shop = ShopSettings.get()
    return exceptions.limits(shop), exceptions.sender_place(shop.sender_address)


def refold(parcel: Parcel, *, by=None, now=None, shop=None) -> ParcelTrack:
    """Recompute the parcel's ParcelTrack from the stored events, then act on it (delivered, exceptions).
    `shop`: (limits, sender place) when the caller has read them already."""
    from fahuo.tracking.services import exceptions

    now = now or clock.now()
    number = parcel.waybill or ""
    state, numbers, rows = _fold_rows(number)
    if any(r.parcel_id != parcel.pk for r in rows):  # events that came before the parcel was known, or new ones
        TrackingEvent.objects.filter(number__in=numbers, parcel__isnull=True).update(parcel=parcel)
    track = _track_of(parcel)
    if track is None:
        track, _created = ParcelTrack.objects.get_or_create(
            parcel=parcel, defaults={"number": number, "carrier": parcel.carrier_code})
    track.number = number
    track.status = str(state.status)
    track.reason = state.reason
    track.status_since = state.status_since
    track.last_event_at = state.last_event_at
    track.first_scan_at = state.first_scan_at
    track.picked_up_at = state.picked_up_at
    track.delivered_at = state.delivered_at
    track.transferred_to = state.transferred_to
    track.suspicious = len(state.suspicious)
    track.events = len(state.timeline)
    track.updated_at = now
    # only what the fold decides: the subscription and polling fields belong to their own writers (and the row
    # may have been read before the parcel was locked)
    track.save(update_fields=_FOLDED)
    _deliver(parcel, state, by=by)
    lim, sender = shop if shop is not None else (None, None)
    exceptions.check_parcel(parcel, state=state, now=now, lim=lim, sender=sender)
    return track


def _track_of(parcel: Parcel) -> ParcelTrack | None:
    """The parcel's ParcelTrack when it was loaded with it (select_related), else None."""
    try:
        return parcel.track
    except ParcelTrack.DoesNotExist:
        return None


def _deliver(parcel: Parcel, state: TrackState, *, by=None) -> None:
    if state.status != TrackStatus.DELIVERED:
        return
    order = Order.objects.select_for_update().get(pk=parcel.order_id)
    if order.status != Status.SHIPPED or not can_move(order.status, Status.DELIVERED):
        return
    others = Parcel.objects.filter(order=order, state="shipped").exclude(pk=parcel.pk)
    if others.exclude(track__status=TrackStatus.DELIVERED).exists():
        return
    timeline.move(order, Status.DELIVERED, by=by, kind="delivered", message=f"快递已签收（{parcel.waybill}）",
                  waybill=parcel.waybill, delivered_at=state.delivered_at.isoformat() if state.delivered_at else "")
