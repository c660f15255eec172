"""Reads for the API and the CLI: a parcel's tracking state and timeline, the exception queue."""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from fahuo.core.errors import NotFound
from fahuo.fulfilment.models import Parcel
from fahuo.tracking.models import ExceptionCase, ParcelTrack, TrackingEvent
from fahuo.tracking.services.ingest import fold_number, to_event
from fahuo.tracking.statuses import LABELS_ZH, TrackStatus


def _iso(t) -> str | None:
    return t.isoformat() if t else None


def track_dict(number: str) -> dict[str, Any]:
    """State + timeline of a waybill number (a parcel's, or one only seen in pushes)."""
    parcel = Parcel.objects.filter(waybill=number).select_related("order").first()
    if parcel is None and not TrackingEvent.objects.filter(number=number).exists():
        raise NotFound(f"没有运单号 {number} 的物流信息 (unknown number)", code="number_not_found", number=number)
    state, numbers = fold_number(number)
    track = ParcelTrack.objects.filter(parcel=parcel).first() if parcel else None
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


def timeline_events(number: str):
    return [to_event(r) for r in TrackingEvent.objects.filter(number=number)]


def case_dict(c: ExceptionCase) -> dict[str, Any]:
    return {
        "id": c.pk, "type": c.type, "severity": c.severity, "title": c.title, "state": c.state,
        "order_no": c.order.order_no, "waybill": c.parcel.waybill if c.parcel else None,
        "carrier": c.parcel.carrier_code if c.parcel else None,
        "since": c.since.isoformat(), "opened_at": c.opened_at.isoformat(), "resolved_at": _iso(c.resolved_at),
        "resolution": c.resolution, "assigned_to": c.assigned_to.username if c.assigned_to else None,
        "notes": c.notes, "evidence": c.evidence,
        "estimated_compensation": str(c.estimated_compensation) if c.estimated_compensation is not None else None,
    }


def cases(*, type: str = "", state: str = "open", limit: int = 100) -> list[dict[str, Any]]:
    qs = ExceptionCase.objects.select_related("order", "parcel", "assigned_to")
    if type:
        qs = qs.filter(type=type)
    if state:
        qs = qs.filter(state=state)
    qs = qs.filter(~Q(pk=None)).order_by("since", "id")[:limit]
    return [case_dict(c) for c in qs]
