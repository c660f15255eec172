"""Exception cases: raise a case once per cause, keep its exact `since`, close it when the cause is gone.

`raise_and_clear` is the one writer; `check_parcel` / `check_order` build the facts for the pure rules
(`exception_rules.find_exceptions`) and call it. Every open and close writes an order timeline row.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from decimal import Decimal

from django.db import transaction
from django.db.models import Q

from fahuo.core import clock
from fahuo.core.errors import Conflict, NotFound
from fahuo.core.models import ShopSettings
from fahuo.fulfilment.models import Parcel
from fahuo.orders.models import Order
from fahuo.orders.services import timeline
from fahuo.orders.status import Groups as OrderGroups
from fahuo.tracking.events import TrackState
from fahuo.tracking.exception_rules import (
    Finding,
    FindingType,
    Limits,
    OrderFacts,
    ParcelFacts,
    find_exceptions,
)
from fahuo.tracking.models import ExceptionCase

CAUSE_GONE = "cause_gone"
# a case the seller opened (tracking/services/case_actions.report: cause_key "seller:damaged"): no rule found it,
# so no rule's silence closes it; only a person does
SELLER_CAUSE = "seller:"
# order-level cases that stay open after the order ships: the lateness happened, the money is still at stake
KEEP_AFTER_SHIPPING = frozenset({FindingType.SHIP_BY_PASSED})
_SHIP_BY = frozenset({FindingType.SHIP_BY_NEAR, FindingType.SHIP_BY_PASSED})
_PLACE = re.compile(r"^\s*(北京市|上海市|天津市|重庆市|[^省]{2,8}?(?:省|自治区))?\s*([^市]{2,8}?(?:市|自治州|地区|盟))?")


def sender_place(address: str) -> tuple[str, str]:
    """(province, city) at the start of the shop's sender address; ("", "") when it names neither."""
    m = _PLACE.match(address or "")
    if not m:
        return "", ""
    province, city = m.group(1) or "", m.group(2) or ""
    return province, city or (province if province in ("北京市", "上海市", "天津市", "重庆市") else "")


def limits(shop: ShopSettings | None = None) -> Limits:
    shop = shop or ShopSettings.get()
    return Limits(due_soon_hours=shop.due_soon_hours, no_pickup_hours=shop.no_pickup_hours,
                  stale_hours=shop.stale_hours, compensation_percent=Decimal(shop.compensation_percent),
                  compensation_min=Decimal(shop.compensation_min), compensation_max=Decimal(shop.compensation_max))


def is_seller_case(case: ExceptionCase) -> bool:
    return case.cause_key.startswith(SELLER_CAUSE)


def _closes(case: ExceptionCase, found, keep: frozenset[str]) -> bool:
    """Does the absence of its cause close this case?"""
    return (case.state == ExceptionCase.State.OPEN and (case.type, case.cause_key) not in found
            and case.type not in keep and not is_seller_case(case))


def changes(cases: Iterable[ExceptionCase], findings: Iterable[Finding],
            keep: frozenset[str] = frozenset()) -> bool:
    """Would `raise_and_clear` write anything, given these existing cases (of one order/parcel) and findings?

    The sweep asks this for a whole batch from one query and locks only the parcels and orders where the
    answer is yes."""
    by_key = {(c.type, c.cause_key): c for c in cases}
    found = {(x.type.value, x.cause_key): x for x in findings}
    for key, x in found.items():
        case = by_key.get(key)
        if case is None:
            return True
        if case.state == ExceptionCase.State.OPEN:
            if case.evidence != x.evidence or case.title != x.title_zh[:200]:
                return True
        elif case.resolution == CAUSE_GONE:
            return True  # the cause is back
    return any(_closes(c, found, keep) for c in by_key.values())


def raise_and_clear(*, order: Order, parcel: Parcel | None, findings: Iterable[Finding], now=None,
                    keep: frozenset[str] = frozenset()) -> tuple[int, int]:
    """Open a case per new cause (idempotent), close open cases whose cause is no longer found
    (except types in `keep`, and cases the seller opened). Returns (opened, closed)."""
    now = now or clock.now()
    opened = closed = 0
    found = {(x.type.value, x.cause_key): x for x in findings}
    with transaction.atomic():
        cases = {(c.type, c.cause_key): c for c in
                 ExceptionCase.objects.select_for_update().filter(order=order, parcel=parcel)}
        for key, x in found.items():
            case = cases.get(key)
            if case is not None and case.state == ExceptionCase.State.OPEN:
                if case.evidence != x.evidence or case.title != x.title_zh[:200]:  # more events: newer evidence
                    case.evidence, case.title = x.evidence, x.title_zh[:200]
                    case.save(update_fields=["evidence", "title"])
                continue
            if case is not None and case.resolution != CAUSE_GONE:
                continue  # resolved by a person: never raised again for this cause
            if case is None:
                case = ExceptionCase(order=order, parcel=parcel, type=x.type.value, cause_key=x.cause_key)
            case.severity = x.severity.value
            case.title = x.title_zh[:200]
            case.since = x.since
            case.evidence = x.evidence
            case.estimated_compensation = x.estimated_compensation
            case.state, case.resolved_at, case.resolution = ExceptionCase.State.OPEN, None, ""
            case.opened_at = now
            case.save()
            opened += 1
            timeline.record(order, "exception_opened", message=case.title, case_id=case.pk, type=case.type,
                            since=case.since.isoformat(), waybill=parcel.waybill if parcel else "")
        for case in cases.values():
            if not _closes(case, found, keep):
                continue
            _close(case, CAUSE_GONE, now=now, by=None)
            closed += 1
    return opened, closed


def _close(case: ExceptionCase, resolution: str, *, now, by) -> None:
    case.state, case.resolved_at, case.resolution = ExceptionCase.State.RESOLVED, now, resolution
    case.save(update_fields=["state", "resolved_at", "resolution"])
    timeline.record(case.order, "exception_resolved", by=by, message=f"{case.title}：{resolution}"[:500],
                    case_id=case.pk, type=case.type, resolution=resolution)


def _order_facts(order: Order) -> OrderFacts:
    return OrderFacts(ship_by=order.ship_by, status=order.status)


def parcel_findings(parcel: Parcel, *, state: TrackState | None, now, lim: Limits, sender: tuple[str, str],
                    others: list[str] | None = None) -> list[Finding]:
    """What the rules find for a shipped parcel now (the ship-by clock is the order's, never a parcel's)."""
    order = parcel.order
    facts = ParcelFacts(
        order_no=order.order_no, now=now, order=_order_facts(order), number=parcel.waybill or "",
        carrier=parcel.carrier_code, shipped_at=parcel.shipped_at, receiver_province=order.province,
        receiver_city=order.city, receiver_district=order.district, sender_province=sender[0],
        sender_city=sender[1], track=state, number_on_other_orders=others or [], amount=order.amount or Decimal(0),
        limits=lim)
    return [x for x in find_exceptions(facts) if x.type not in _SHIP_BY]


def parcel_keep(others: list[str] | None) -> frozenset[str]:
    """The types a check leaves as they are: "one number on two orders" is looked up by the sweep only (a scan of
    every order's numbers), so a check that did not look (`others` None: the per-event check) keeps it."""
    return frozenset({FindingType.NUMBER_ON_TWO_ORDERS.value}) if others is None else frozenset()


def check_parcel(parcel: Parcel, *, state: TrackState | None, now=None, lim: Limits | None = None,
                 sender: tuple[str, str] | None = None, others: list[str] | None = None) -> tuple[int, int]:
    """Run every rule for a shipped parcel and raise/clear its cases. `others`: the other orders carrying the
    parcel's number (None: not looked up)."""
    now = now or clock.now()
    order = parcel.order
    if sender is None or lim is None:
        shop = ShopSettings.get()
        sender = sender or sender_place(shop.sender_address)
        lim = lim or limits(shop)
    findings = parcel_findings(parcel, state=state, now=now, lim=lim, sender=sender, others=others)
    keep = parcel_keep(others)
    # one plain read first: most events change no case (no savepoint, no lock, no write then)
    cases = list(ExceptionCase.objects.filter(Q(parcel=parcel) | Q(order=order, parcel__isnull=True,
                                                                    state=ExceptionCase.State.OPEN)))
    own = [c for c in cases if c.parcel_id == parcel.pk]
    shipped = parcel.shipped_at is not None
    order_level = [c for c in cases if c.parcel_id is None] if shipped else []
    if not changes(own, findings, keep) and not changes(order_level, [], KEEP_AFTER_SHIPPING):
        return 0, 0
    result = raise_and_clear(order=order, parcel=parcel, findings=findings, now=now, keep=keep)
    if shipped:  # the order left the building: its ship-by-near case is over
        o2, c2 = raise_and_clear(order=order, parcel=None, findings=[], now=now, keep=KEEP_AFTER_SHIPPING)
        result = (result[0] + o2, result[1] + c2)
    return result


def order_findings(order: Order, *, now, lim: Limits) -> tuple[list[Finding], frozenset[str]]:
    """The ship-by clock of an order (order-level cases, parcel=None): findings, and the types kept open."""
    facts = ParcelFacts(order_no=order.order_no, now=now, order=_order_facts(order),
                        amount=order.amount or Decimal(0), limits=lim)
    keep = KEEP_AFTER_SHIPPING if order.status in OrderGroups.DONE else frozenset()  # cancelled: all over
    return find_exceptions(facts), keep


def check_order(order: Order, *, now=None, lim: Limits | None = None) -> tuple[int, int]:
    """The ship-by clock for an order not yet shipped (order-level cases, parcel=None)."""
    now = now or clock.now()
    findings, keep = order_findings(order, now=now, lim=lim or limits())
    return raise_and_clear(order=order, parcel=None, findings=findings, now=now, keep=keep)


# ---- a person acting on a case -----------------------------------------------------------------------------


def _case(case_id: int) -> ExceptionCase:
    case = ExceptionCase.objects.select_for_update().select_related("order").filter(pk=case_id).first()
    if case is None:
        raise NotFound(f"异常 {case_id} 不存在 (no such exception)", code="exception_not_found", id=case_id)
    return case


@transaction.atomic
def assign(*, case_id: int, user, by=None) -> ExceptionCase:
    case = _case(case_id)
    case.assigned_to = user
    case.save(update_fields=["assigned_to"])
    timeline.record(case.order, "exception_assigned", by=by, message=f"{case.title} → {user.username}"[:500],
                    case_id=case.pk, assigned_to=user.username)
    return case


@transaction.atomic
def note(*, case_id: int, text: str, by=None) -> ExceptionCase:
    case = _case(case_id)
    case.notes = [*case.notes, {"at": clock.now().isoformat(), "by": getattr(by, "username", ""), "text": text}]
    case.save(update_fields=["notes"])
    timeline.record(case.order, "exception_note", by=by, message=text[:500], case_id=case.pk)
    return case


@transaction.atomic
def resolve(*, case_id: int, resolution: str, by=None) -> ExceptionCase:
    case = _case(case_id)
    if case.state != ExceptionCase.State.OPEN:
        raise Conflict("这个异常已经解决了 (already resolved)", code="exception_resolved", id=case_id)
    _close(case, resolution, now=clock.now(), by=by)
    return case
