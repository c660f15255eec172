"""What a person does about a parcel beyond assign / note / resolve (those are in `exceptions`):
tell fahuo the carrier was contacted, and report a parcel damaged or lost.

One transaction per write; every write leaves a row on the order timeline. `by=None` is the CLI (the owner).
A seller's report opens its case directly (cause_key `seller:<type>`), never through `raise_and_clear`, which
would also close the parcel's other open cases.
"""

from __future__ import annotations

from django.db import transaction

from fahuo.carriers import catalog
from fahuo.core import clock
from fahuo.core.errors import Conflict, InvalidInput, NotFound
from fahuo.core.permissions import require
from fahuo.fulfilment.models import Parcel
from fahuo.orders.services import timeline
from fahuo.tracking.exception_rules import SEVERITY, FindingType
from fahuo.tracking.models import ExceptionCase

REPORT_KINDS = {FindingType.DAMAGED: "卖家登记：快件破损", FindingType.LOST: "卖家登记：快件丢失"}
SELLER_CAUSE = "seller:"
MAX_NOTE = 500


def seller_cause_key(kind: str) -> str:
    return f"{SELLER_CAUSE}{kind}"


def carrier_phone(code: str) -> str:
    """The carrier's customer-service number from the catalog ("" when fahuo has none)."""
    c = catalog.find(code or "")
    return c.phone if c is not None else ""


def _case(case_id: int) -> ExceptionCase:
    case = (ExceptionCase.objects.select_for_update(of=("self",)).select_related("order", "parcel")
            .filter(pk=case_id).first())
    if case is None:
        raise NotFound(f"异常 {case_id} 不存在 (no such exception)", code="exception_not_found", id=case_id)
    return case


@transaction.atomic
def contacted(*, case_id: int, note: str = "", by=None) -> ExceptionCase:
    """Record that someone called the carrier about this case's parcel (with an optional note)."""
    require(by, "exceptions")
    note = (note or "").strip()[:MAX_NOTE]
    case = _case(case_id)
    if case.state != ExceptionCase.State.OPEN:
        raise Conflict("这个异常已经解决了 (already resolved)", code="exception_resolved", id=case_id)
    parcel = case.parcel
    if parcel is None:
        raise InvalidInput("这个异常没有包裹，无需联系快递 (this exception has no parcel)", code="no_parcel",
                           id=case_id)
    c = catalog.find(parcel.carrier_code)
    name = c.name_zh if c is not None else parcel.carrier_code
    phone = c.phone if c is not None else ""
    now = clock.now()
    case.notes = [*case.notes, {"at": now.isoformat(), "by": getattr(by, "username", ""), "text": note,
                                "kind": "contacted", "carrier": parcel.carrier_code, "phone": phone}]
    case.save(update_fields=["notes"])
    message = f"已联系{name}（{parcel.waybill}）" + (f"：{note}" if note else "")
    timeline.record(case.order, "exception_contacted", by=by, message=message, case_id=case.pk,
                    carrier=parcel.carrier_code, phone=phone, waybill=parcel.waybill or "", note=note)
    return case


def report(*, number: str, kind: str, note: str = "", by=None) -> tuple[ExceptionCase, bool]:
    """The seller reports a shipped parcel damaged or lost: opens (or finds) its case. Returns (case, opened).

    Reporting the same kind twice while the case is open changes nothing; after it was resolved, a new
    report opens it again."""
    require(by, "report_parcel")
    try:
        t = FindingType(kind)
    except ValueError:
        t = None
    if t not in REPORT_KINDS:
        raise InvalidInput(f"只能登记破损或丢失：{kind} (kind must be damaged or lost)", code="bad_kind", kind=kind)
    assert t is not None
    note = (note or "").strip()[:MAX_NOTE]
    number = (number or "").strip()
    with transaction.atomic():
        parcel = (Parcel.objects.select_for_update().select_related("order").filter(waybill=number).first()
                  if number else None)
        if parcel is None:
            raise NotFound(f"没有运单号为 {number} 的包裹 (no parcel with this number)", code="parcel_not_found",
                           number=number)
        if parcel.state != Parcel.State.SHIPPED or parcel.shipped_at is None:
            raise Conflict(f"包裹 {number} 还没有发货 (the parcel has not been shipped)", code="parcel_not_shipped",
                           number=number)
        now = clock.now()
        title = REPORT_KINDS[t]
        evidence = {"reported_by": getattr(by, "username", "") or "cli", "note": note, "reported_at": now.isoformat()}
        case, created = ExceptionCase.objects.select_for_update().get_or_create(
            order=parcel.order, parcel=parcel, type=t.value, cause_key=seller_cause_key(t.value),
            defaults={"severity": SEVERITY[t].value, "title": title, "since": now, "evidence": evidence,
                      "opened_at": now})
        if not created and case.state == ExceptionCase.State.OPEN:
            return case, False
        if not created:  # resolved before: a new report
            case.severity, case.title, case.since, case.evidence = SEVERITY[t].value, title, now, evidence
            case.state, case.resolved_at, case.resolution, case.opened_at = ExceptionCase.State.OPEN, None, "", now
            case.save()
        timeline.record(parcel.order, "exception_reported", by=by, message=title + (f"：{note}" if note else ""),
                        case_id=case.pk, type=case.type, waybill=parcel.waybill or "", note=note)
    return case, True
