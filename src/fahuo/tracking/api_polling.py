"""Tracking sources over HTTP: run a polling round now (owner only). Mounted under /api/tracking."""

from __future__ import annotations

from ninja import Router, Schema

from fahuo.core.errors import Forbidden
from fahuo.core.schemas import WRITE_ERRORS, Error
from fahuo.tracking.services import polling

router = Router(tags=["tracking"])


class PollIn(Schema):
    limit: int = 100


class PollOut(Schema):
    due: int
    claimed: int
    polled: int
    skipped: int
    events: int
    stored: int
    failed: int
    rate_limited: int


@router.post("/poll", response={200: PollOut, WRITE_ERRORS: Error})
def poll(request, body: PollIn | None = None):
    if not getattr(request.auth, "is_owner", False):
        raise Forbidden("只有店主可以立即查询物流 (owner only)", action="poll")
    limit = body.limit if body is not None else 100
    return polling.tick(limit=max(1, min(limit, 1000)))
