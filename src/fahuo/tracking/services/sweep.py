"""The periodic sweep: time-based exceptions (no 揽收, stale, ship-by near/passed) that no event triggers, and
"one number on two orders", which needs every order's numbers.

It scales with the number of open parcels: one streamed query walks the shipped parcels not yet final; per batch
of `BATCH` parcels there is a constant number of statements (their events, their existing cases), the rules run
in Python, and only a parcel whose cases would change is locked, re-folded from its stored events and
re-checked in its own transaction (`exceptions.check_parcel`). A parcel with nothing new costs no write and no
lock. Not-yet-shipped orders near or past their ship-by time go the same way (`exceptions.check_order`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from datetime import timedelta
from typing import Any

from django.db import connection, transaction
from django.db.models import Q

from fahuo.core import clock
from fahuo.core.models import ShopSettings
from fahuo.fulfilment.models import Parcel
from fahuo.orders.models import Order
from fahuo.orders.status import Groups as OrderGroups
from fahuo.tracking.events import Event, TrackState, fold
from fahuo.tracking.models import ExceptionCase, TrackingEvent
from fahuo.tracking.services import exceptions
from fahuo.tracking.services.ingest import MAX_TRANSFERS, fold_number
from fahuo.tracking.statuses import Groups, TrackStatus

BATCH = 1000
_FINAL = [str(s) for s in Groups.FINAL]
_EVENT_FIELDS = ("number", "carrier", "at", "status", "reason", "context", "city", "raw_code", "source")
_CASE_FIELDS = ("id", "order_id", "parcel_id", "type", "cause_key", "state", "resolution", "title", "evidence")
_PARCEL_FIELDS = ("id", "order_id", "waybill", "carrier_code", "shipped_at", "order__id", "order__order_no",
                  "order__ship_by", "order__status", "order__province", "order__city", "order__district",
                  "order__amount", "order__merged_into")
_ORDER_FIELDS = ("id", "order_no", "ship_by", "status", "amount")


def _batches(rows: Iterable[Any], size: int) -> Iterator[list[Any]]:
    batch = []
    for row in rows:
        batch.append(row)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def _events(numbers: Iterable[str]) -> dict[str, list[Event]]:
    by_number: dict[str, list[Event]] = defaultdict(list)
    wanted = sorted(set(numbers))
    if not wanted:
        return by_number
    for number, carrier, at, status, reason, context, city, raw_code, source in (
            TrackingEvent.objects.filter(number__in=wanted).values_list(*_EVENT_FIELDS).order_by()):
        by_number[number].append(Event(number, carrier, at, TrackStatus(status), reason, context, city, raw_code,
                                       source))
    return by_number


def _states(parcels: list[Parcel]) -> dict[int, TrackState | None]:
    """Each parcel's state folded from its stored events and those of the numbers it was transferred to (转单):
    one query per batch, and one more per round of transfers found."""
    by_number = _events(p.waybill or "" for p in parcels)
    chains: dict[int, list[str]] = {p.pk: [p.waybill or ""] for p in parcels if by_number.get(p.waybill or "")}
    out: dict[int, TrackState | None] = {p.pk: None for p in parcels}
    todo = set(chains)
    for _ in range(MAX_TRANSFERS + 1):
        more: set[str] = set()
        for pk in todo:
            chain = chains[pk]
            state = fold([e for n in chain for e in by_number.get(n, ())])
            out[pk] = state
            nxt = state.transferred_to
            if nxt and nxt not in chain and len(chain) <= MAX_TRANSFERS:
                chain.append(nxt)
                more.add(nxt)
        if not more:
            break
        by_number.update(_events(more - set(by_number)))
        todo = {pk for pk, chain in chains.items() if chain[-1] in more}
    return out


def shared_numbers() -> dict[str, list[tuple[str, int]]]:
    """Waybill numbers on two or more orders (merged orders count as one): number → [(order_no, group)], where
    group is the order's merge group. One grouped scan of every order's numbers, done in the database."""
    table = connection.ops.quote_name(Order._meta.db_table)
    if connection.vendor == "postgresql":
        each = "jsonb_array_elements_text(o.waybills) AS j(value)"
        each2 = "jsonb_array_elements_text(o2.waybills) AS j2(value)"
        nonempty = "jsonb_array_length(o.waybills) > 0"
        nonempty2 = "jsonb_array_length(o2.waybills) > 0"
    else:
        each, each2 = "json_each(o.waybills) AS j", "json_each(o2.waybills) AS j2"
        nonempty, nonempty2 = "o.waybills <> '[]'", "o2.waybills <> '[]'"
    sql = (f"SELECT j.value, o.order_no, COALESCE(o.merged_into_id, o.id) FROM {table} o, {each} "
           f"WHERE {nonempty} AND j.value IN (SELECT j2.value FROM {table} o2, {each2} WHERE {nonempty2} "
           f"GROUP BY j2.value HAVING COUNT(DISTINCT COALESCE(o2.merged_into_id, o2.id)) > 1)")
    out: dict[str, list[tuple[str, int]]] = defaultdict(list)
    with connection.cursor() as cur:
        cur.execute(sql)
        for number, order_no, group in cur.fetchall():
            out[str(number)].append((str(order_no), int(group)))
    return dict(out)


def _others(shared: dict[str, list[tuple[str, int]]], p: Parcel) -> list[str]:
    group = p.order.merged_into_id or p.order_id
    return sorted({no for no, g in shared.get(p.waybill or "", ()) if g != group})


def _cases(q: Q) -> list[ExceptionCase]:
    return list(ExceptionCase.objects.filter(q).only(*_CASE_FIELDS).order_by())


def sweep(now=None, *, stats: dict[str, int] | None = None) -> dict[str, int]:
    """Check shipped parcels not yet final and not-yet-shipped orders. Returns counts: parcels and orders
    looked at, cases opened and closed. `stats`, when given, also gets `written`: how many parcels and orders
    were locked and re-checked (the rest cost no write)."""
    now = now or clock.now()
    shop = ShopSettings.get()
    lim = exceptions.limits(shop)
    sender = exceptions.sender_place(shop.sender_address)
    counts = {"parcels": 0, "orders": 0, "opened": 0, "closed": 0}
    written = 0
    shared = shared_numbers()

    parcels = (Parcel.objects.filter(state=Parcel.State.SHIPPED, shipped_at__isnull=False)
               .exclude(track__status__in=_FINAL).select_related("order").only(*_PARCEL_FIELDS).order_by("pk"))
    for batch in _batches(parcels.iterator(chunk_size=BATCH), BATCH):
        states = _states(batch)
        order_ids = {p.order_id for p in batch}
        parcel_cases: dict[int, list[ExceptionCase]] = defaultdict(list)
        order_cases: dict[int, list[ExceptionCase]] = defaultdict(list)
        for c in _cases(Q(parcel_id__in=[p.pk for p in batch])
                        | Q(order_id__in=order_ids, parcel__isnull=True, state=ExceptionCase.State.OPEN)):
            (parcel_cases[c.parcel_id] if c.parcel_id else order_cases[c.order_id]).append(c)
        todo = []
        for p in batch:
            counts["parcels"] += 1
            others = _others(shared, p)
            found = exceptions.parcel_findings(p, state=states[p.pk], now=now, lim=lim, sender=sender,
                                               others=others)
            if (exceptions.changes(parcel_cases[p.pk], found)
                    or exceptions.changes(order_cases[p.order_id], [], exceptions.KEEP_AFTER_SHIPPING)):
                todo.append((p.pk, others))
        for pk, others in todo:
            o, c = _recheck_parcel(pk, others=others, now=now, lim=lim, sender=sender)
            written += 1
            counts["opened"] += o
            counts["closed"] += c

    due = Q(status__in=[str(s) for s in OrderGroups.TO_SHIP], ship_by__isnull=False,
            ship_by__lte=now + timedelta(hours=lim.due_soon_hours))
    # and orders with an open order-level case: moved deadline, cancelled, shipped (their case may be over)
    with_case = ExceptionCase.objects.filter(state=ExceptionCase.State.OPEN, parcel__isnull=True).values("order_id")
    for qs in (Order.objects.filter(due), Order.objects.filter(pk__in=with_case).exclude(due)):
        for batch in _batches(qs.only(*_ORDER_FIELDS).order_by("pk").iterator(chunk_size=BATCH), BATCH):
            cases: dict[int, list[ExceptionCase]] = defaultdict(list)
            for c in _cases(Q(order_id__in=[o.pk for o in batch], parcel__isnull=True)):
                cases[c.order_id].append(c)
            for order in batch:
                counts["orders"] += 1
                found, keep = exceptions.order_findings(order, now=now, lim=lim)
                if not exceptions.changes(cases[order.pk], found, keep):
                    continue
                o, c = _recheck_order(order.pk, now=now, lim=lim)
                written += 1
                counts["opened"] += o
                counts["closed"] += c
    if stats is not None:
        stats["written"] = written
    return counts


def _recheck_parcel(pk: int, *, others: list[str], now, lim, sender) -> tuple[int, int]:
    """Lock the parcel, fold its events again (an event may have come in since the batch was read), check."""
    with transaction.atomic():
        p = (Parcel.objects.select_for_update(of=("self",)).select_related("order")
             .filter(pk=pk, state=Parcel.State.SHIPPED, shipped_at__isnull=False).first())
        if p is None:  # taken back (unship) meanwhile
            return 0, 0
        state = fold_number(p.waybill)[0] if p.waybill else None
        if state is not None and not state.timeline:
            state = None
        return exceptions.check_parcel(p, state=state, now=now, lim=lim, sender=sender, others=others)


def _recheck_order(pk: int, *, now, lim) -> tuple[int, int]:
    with transaction.atomic():
        order = Order.objects.select_for_update().filter(pk=pk).first()
        if order is None:
            return 0, 0
        return exceptions.check_order(order, now=now, lim=lim)
