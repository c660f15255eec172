"""Reads for the pages, the API and the CLI: a parcel's tracking state and timeline, the exception queue
(filters by type, age, assignee and state; counts per type and per severity), one case."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.db.models import Case, Count, IntegerField, QuerySet, Value, When
from django.utils.translation import gettext_lazy as _

from fahuo.core import clock
from fahuo.core.errors import InvalidInput, NotFound
from fahuo.fulfilment.models import Parcel
from fahuo.tracking.exception_rules import FindingType, Severity
from fahuo.tracking.models import ExceptionCase, TrackingEvent
from fahuo.tracking.services.ingest import fold_number, to_event
from fahuo.tracking.statuses import LABELS_ZH, TrackStatus

T = FindingType

# an exception type in words (the queue's cards and filter chips, the case page)
TYPE_LABELS = {
    T.SHIP_BY_NEAR: _("临近发货截止"),
    T.SHIP_BY_PASSED: _("超时未发货"),
    T.NO_PICKUP: _("发货未揽收"),
    T.STALE: _("物流停滞"),
    T.PROBLEM: _("疑难件"),
    T.REFUSED: _("拒签"),
    T.RETURNING: _("退回中"),
    T.RETURNED: _("已退签"),
    T.DAMAGED: _("破损"),
    T.LOST: _("丢失"),
    T.NUMBER_FORMAT_MISMATCH: _("单号格式不符"),
    T.CITY_MISMATCH: _("派送城市不符"),
    T.NUMBER_ON_TWO_ORDERS: _("一个单号两个订单"),
    T.DELIVERED_BEFORE_PICKUP: _("先签收后揽收"),
    T.TOO_FAST: _("签收过快"),
}
SEVERITY_LABELS = {Severity.URGENT: _("紧急"), Severity.WARNING: _("警告"), Severity.INFO: _("提示")}
SEVERITY_RANK = {Severity.URGENT: 0, Severity.WARNING: 1, Severity.INFO: 2}

# the age filter: how long ago the case's cause began (`since`), as (older than, at most) hours
AGES: dict[str, tuple[int | None, int | None]] = {
    "lt6h": (None, 6),
    "6to24h": (6, 24),
    "gt1d": (24, None),
    "gt3d": (72, None),
}
AGE_LABELS = {"lt6h": _("6 小时内"), "6to24h": _("6–24 小时"), "gt1d": _("超过 1 天"), "gt3d": _("超过 3 天")}
ASSIGNED = ("me", "none")  # "" = anyone
STATES = ("open", "resolved")


def _iso(t) -> str | None:
    return t.isoformat() if t else None


def track_dict(number: str) -> dict[str, Any]:
    """State + timeline of a waybill number (a parcel's, or one only seen in pushes)."""
    parcel = Parcel.objects.filter(waybill=number).select_related("order", "track").first()
    if parcel is None and not TrackingEvent.objects.filter(number=number).exists():
        raise NotFound(f"没有运单号 {number} 的物流信息 (unknown number)", code="number_not_found", number=number)
    state, numbers = fold_number(number)
    track = getattr(parcel, "track", None) if parcel is not None and _has_track(parcel) else None
    return {
        "number": number,
        "numbers": numbers,
        "carrier": (track.carrier if track and track.carrier else parcel.carrier_code if parcel else
                    (state.timeline[0].carrier if state.timeline else "")),
        "order_no": parcel.order.order_no if parcel else None,
        "status": str(state.status),
        "status_zh": LABELS_ZH.get(TrackStatus(state.status), ""),
        "reason": state.reason,
        "status_since": _iso(state.status_since),
        "last_event_at": _iso(state.last_event_at),
        "picked_up_at": _iso(state.picked_up_at),
        "delivered_at": _iso(state.delivered_at),
        "transferred_to": state.transferred_to,
        "suspicious": len(state.suspicious),
        "timeline": [{"at": e.at.isoformat(), "status": str(e.status), "reason": e.reason, "context": e.context,
                      "city": e.city, "number": e.number} for e in reversed(state.timeline)],  # newest first
    }


def _has_track(parcel: Parcel) -> bool:
    from fahuo.tracking.models import ParcelTrack

    try:
        parcel.track  # noqa: B018
    except ParcelTrack.DoesNotExist:
        return False
    return True


def timeline_events(number: str):
    return [to_event(r) for r in TrackingEvent.objects.filter(number=number)]


def case_dict(c: ExceptionCase, *, now=None) -> dict[str, Any]:
    now = now or clock.now()
    return {
        "id": c.pk, "type": c.type, "severity": c.severity, "title": c.title, "state": c.state,
        "order_no": c.order.order_no, "waybill": c.parcel.waybill if c.parcel else None,
        "carrier": c.parcel.carrier_code if c.parcel else None,
        "since": c.since.isoformat(), "opened_at": c.opened_at.isoformat(), "resolved_at": _iso(c.resolved_at),
        "age_seconds": max(0, int((now - c.since).total_seconds())),
        "resolution": c.resolution, "assigned_to": c.assigned_to.username if c.assigned_to else None,
        "cause_key": c.cause_key, "notes": c.notes, "evidence": c.evidence,
        "estimated_compensation": str(c.estimated_compensation) if c.estimated_compensation is not None else None,
    }


def _check(*, age: str, assigned: str, state: str) -> None:
    if age and age not in AGES:
        raise InvalidInput(f"未知的时长筛选 {age} (unknown age filter)", code="bad_filter", age=age)
    if assigned and assigned not in ASSIGNED:
        raise InvalidInput(f"未知的指派筛选 {assigned} (unknown assigned filter)", code="bad_filter")
    if state and state not in STATES:
        raise InvalidInput(f"未知的状态筛选 {state} (unknown state filter)", code="bad_filter")


def _filtered(*, state: str = "open", age: str = "", assigned: str = "", user=None, now=None) -> QuerySet:
    """Cases matching every filter but the type (the type chips count over this)."""
    _check(age=age, assigned=assigned, state=state)
    now = now or clock.now()
    qs = ExceptionCase.objects.all()
    if state:
        qs = qs.filter(state=state)
    if age:
        older, at_most = AGES[age]
        if older is not None:
            qs = qs.filter(since__lte=now - timedelta(hours=older))
        if at_most is not None:
            qs = qs.filter(since__gt=now - timedelta(hours=at_most))
    if assigned == "none":
        qs = qs.filter(assigned_to__isnull=True)
    elif assigned == "me":
        qs = qs.filter(assigned_to=user) if getattr(user, "pk", None) else qs.none()
    return qs


def queue(*, type: str = "", state: str = "open", age: str = "", assigned: str = "", user=None, now=None) -> QuerySet:
    """The exception queue: most severe first, then the oldest cause first."""
    qs = _filtered(state=state, age=age, assigned=assigned, user=user, now=now)
    if type:
        qs = qs.filter(type=type)
    rank = Case(*[When(severity=str(s), then=Value(n)) for s, n in SEVERITY_RANK.items()], default=Value(9),
                output_field=IntegerField())
    return qs.select_related("order", "parcel", "assigned_to").annotate(rank=rank).order_by("rank", "since", "id")


def type_counts(*, state: str = "open", age: str = "", assigned: str = "", user=None, now=None) -> dict[str, int]:
    """Cases per type under the other filters, in the order of TYPE_LABELS, types with none left out."""
    rows = dict(_filtered(state=state, age=age, assigned=assigned, user=user, now=now)
                .values_list("type").annotate(n=Count("id")).values_list("type", "n"))
    known = [str(t) for t in TYPE_LABELS]
    return {t: rows[t] for t in [*known, *sorted(set(rows) - set(known))] if rows.get(t)}


def severity_counts() -> dict[str, int]:
    """Open cases per severity (urgent, warning, info; zeros included) and their total."""
    rows = dict(ExceptionCase.objects.filter(state=ExceptionCase.State.OPEN).values_list("severity")
                .annotate(n=Count("id")).values_list("severity", "n"))
    out = {str(s): rows.get(str(s), 0) for s in SEVERITY_RANK}
    out["total"] = sum(rows.values())
    return out


def cases(*, type: str = "", state: str = "open", age: str = "", assigned: str = "", user=None, limit: int = 100,
          now=None) -> list[dict[str, Any]]:
    now = now or clock.now()
    qs = queue(type=type, state=state, age=age, assigned=assigned, user=user, now=now)[:limit]
    return [case_dict(c, now=now) for c in qs]


def get_case(case_id: int) -> ExceptionCase:
    c = ExceptionCase.objects.select_related("order", "parcel", "assigned_to").filter(pk=case_id).first()
    if c is None:
        raise NotFound(f"异常 {case_id} 不存在 (no such exception)", code="exception_not_found", id=case_id)
    return c


def parcel_cases(parcel: Parcel, *, state: str = "open") -> list[ExceptionCase]:
    qs = ExceptionCase.objects.filter(parcel=parcel).select_related("order", "parcel", "assigned_to")
    if state:
        qs = qs.filter(state=state)
    return list(qs.order_by("since", "id"))


def get_parcel(number: str) -> Parcel:
    """The parcel with this waybill number (the newest if a number was reused), its order and track."""
    p = (Parcel.objects.filter(waybill=number).select_related("order", "track").order_by("-id").first())
    if p is None:
        raise NotFound(f"没有运单号为 {number} 的包裹 (no parcel with this number)", code="parcel_not_found",
                       number=number)
    return p
