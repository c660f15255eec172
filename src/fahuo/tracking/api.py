"""Tracking over HTTP: a parcel's state and timeline, the exception queue and acting on it, the sweep."""

from __future__ import annotations

from typing import Any, Literal

from ninja import Path, Query, Router, Schema

from fahuo.core.errors import Forbidden, NotFound
from fahuo.core.models import User
from fahuo.core.permissions import require
from fahuo.core.schemas import MAX_ID, READ_ERRORS, WRITE_ERRORS, Error, text
from fahuo.tracking import selectors
from fahuo.tracking.services import case_actions, exceptions, sweep

router = Router(tags=["tracking"])

CaseId = Path(..., ge=1, le=MAX_ID)


class AssignIn(Schema):
    username: text(150, min_length=1)  # type: ignore[valid-type]


class NoteIn(Schema):
    text: text(500, min_length=1)  # type: ignore[valid-type]


class ResolveIn(Schema):
    resolution: text(200, min_length=1)  # type: ignore[valid-type]


class ContactedIn(Schema):
    note: text(500) = ""  # type: ignore[valid-type]


class ReportIn(Schema):
    kind: Literal["damaged", "lost"]
    note: text(500) = ""  # type: ignore[valid-type]


class ListQuery(Schema):
    type: text(32) = ""  # type: ignore[valid-type]
    state: Literal["open", "resolved", ""] = "open"
    age: Literal["", "lt6h", "6to24h", "gt1d", "gt3d"] = ""  # since the cause began: < 6 h, 6–24 h, > 1 day, > 3 days
    assigned: Literal["", "me", "none"] = ""  # me = the caller, none = nobody, "" = anyone
    limit: int = 100


@router.get("/parcels/{number}", response={200: dict[str, Any], READ_ERRORS: Error})
def parcel(request, number: text(40, min_length=1)):  # type: ignore[valid-type]
    return selectors.track_dict(number)


@router.get("/exceptions", response={200: list[dict[str, Any]], READ_ERRORS: Error})
def exception_list(request, q: Query[ListQuery]):
    """The exception queue, most severe first, then the oldest cause first."""
    return selectors.cases(type=q.type, state=q.state, age=q.age, assigned=q.assigned, user=request.auth,
                           limit=max(1, min(q.limit, 500)))


@router.get("/exceptions/{case_id}", response={200: dict[str, Any], READ_ERRORS: Error})
def exception_detail(request, case_id: int = CaseId):
    return selectors.case_dict(selectors.get_case(case_id))


@router.post("/exceptions/{case_id}/contacted", response={200: dict[str, Any], WRITE_ERRORS: Error})
def contacted(request, body: ContactedIn, case_id: int = CaseId):
    """Record that the carrier was called about this case's parcel (on the order timeline)."""
    case = case_actions.contacted(case_id=case_id, note=body.note, by=request.auth)
    return selectors.case_dict(selectors.get_case(case.pk))


@router.post("/parcels/{number}/report", response={200: dict[str, Any], WRITE_ERRORS: Error})
def report(request, body: ReportIn, number: text(40, min_length=1)):  # type: ignore[valid-type]
    """The seller reports a shipped parcel damaged or lost: opens its case (the same report again: no change)."""
    case, opened = case_actions.report(number=number, kind=body.kind, note=body.note, by=request.auth)
    return {**selectors.case_dict(selectors.get_case(case.pk)), "opened": opened}


@router.post("/exceptions/{case_id}/assign", response={200: dict[str, Any], WRITE_ERRORS: Error})
def assign(request, body: AssignIn, case_id: int = CaseId):
    require(request.auth, "exceptions")
    user = User.objects.filter(username=body.username, is_active=True).first()
    if user is None:
        raise NotFound(f"没有用户 {body.username} (no such user)", code="user_not_found")
    return selectors.case_dict(exceptions.assign(case_id=case_id, user=user, by=request.auth))


@router.post("/exceptions/{case_id}/note", response={200: dict[str, Any], WRITE_ERRORS: Error})
def note(request, body: NoteIn, case_id: int = CaseId):
    require(request.auth, "exceptions")
    return selectors.case_dict(exceptions.note(case_id=case_id, text=body.text, by=request.auth))


@router.post("/exceptions/{case_id}/resolve", response={200: dict[str, Any], WRITE_ERRORS: Error})
def resolve(request, body: ResolveIn, case_id: int = CaseId):
    require(request.auth, "exceptions")
    return selectors.case_dict(exceptions.resolve(case_id=case_id, resolution=body.resolution, by=request.auth))


@router.post("/sweep", response={200: dict[str, int], WRITE_ERRORS: Error})
def run_sweep(request):
    if not getattr(request.auth, "is_owner", False):
        raise Forbidden("只有店主可以运行巡检 (owner only)", action="sweep")
    return sweep.sweep()
