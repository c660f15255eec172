"""The polling scheduler: ask a tracking source about the numbers that are due, never one number too often.

`tick` takes up to `limit` due parcels (ParcelTrack.next_poll_at <= now, not final) and, for each, first
CLAIMS it with a guarded UPDATE under the parcel's row lock:

    UPDATE parceltrack SET next_poll_at = now + interval, last_polled_at = now
     WHERE id = … AND next_poll_at <= now

Only one worker's UPDATE matches; the others see the row already moved and skip it. `interval` is at least
the source's `min_poll_interval` (快递100: 30 minutes), and no later write moves next_poll_at earlier than
last_polled_at + that interval — so two workers never poll one number, and a number is never polled twice
within the interval. The claim commits before the source is asked (no lock is held over the network).

What the source answers goes through `ingest.ingest` — the same path as pushes (dedupe, folding,
exceptions, delivered orders). Then:

- success: poll_failures = 0; a final parcel (签收/退签) leaves the schedule (next_poll_at = None);
- failure: poll_failures + 1 and the next poll backs off: interval × 2^failures, at most 24 h;
  `rate_limited` waits at least twice the interval (or the source's retry_after); `auth` waits 6 h
  (a person must fix the key);
- push parcels (subscribed, the source pushes) get a safety poll when no event came for
  FAHUO_TRACKING_SAFETY_POLL_HOURS (default 12): a lost push is caught within half a day.
"""

from __future__ import annotations

import logging
import os
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta

from django.db import transaction

from fahuo.core import clock
from fahuo.fulfilment.models import Parcel
from fahuo.tracking.models import ParcelTrack
from fahuo.tracking.services import subscriptions
from fahuo.tracking.services.ingest import ingest
from fahuo.tracking.sources import SourceError, TrackingSource
from fahuo.tracking.sources.base import AUTH, RATE_LIMITED
from fahuo.tracking.statuses import Groups

log = logging.getLogger(__name__)
FINAL = [str(s) for s in Groups.FINAL]
DEFAULT_SAFETY = timedelta(hours=12)
MAX_BACKOFF = timedelta(hours=24)
AUTH_WAIT = timedelta(hours=6)
DEFAULT_LIMIT = 100


@dataclass
class PollCounts:
    due: int = 0  # picked as due
    claimed: int = 0  # won the claim (the others were taken by another worker meanwhile)
    polled: int = 0  # asked the source
    skipped: int = 0  # push parcels with a recent event: rescheduled, not asked
    events: int = 0  # events the sources answered
    stored: int = 0  # of which new
    failed: int = 0
    rate_limited: int = 0

    def as_dict(self) -> dict[str, int]:
        return asdict(self)


def safety_interval(source: TrackingSource | None = None) -> timedelta:
    try:
        hours = float(os.environ.get("FAHUO_TRACKING_SAFETY_POLL_HOURS") or 0)
    except ValueError:
        hours = 0
    interval = timedelta(hours=hours) if hours > 0 else DEFAULT_SAFETY
    return max(interval, source.min_poll_interval) if source else interval


def due_numbers(now: datetime, limit: int = DEFAULT_LIMIT) -> list[int]:
    """The ParcelTrack ids due for a poll at `now`, the longest waiting first."""
    return list(ParcelTrack.objects.filter(next_poll_at__lte=now).exclude(status__in=FINAL)
                .order_by("next_poll_at", "pk").values_list("pk", flat=True)[:max(0, limit)])


def claim(track_id: int, now: datetime, next_at: datetime, *, polling: bool = True) -> bool:
    """Move the track's next poll to `next_at` if it is still due at `now`; True for the one caller that did."""
    values: dict = {"next_poll_at": next_at}
    if polling:
        values["last_polled_at"] = now
    with transaction.atomic():
        parcel_ids = list(ParcelTrack.objects.filter(pk=track_id).values_list("parcel_id", flat=True))
        list(Parcel.objects.select_for_update().filter(pk__in=parcel_ids).values_list("pk", flat=True))
        return ParcelTrack.objects.filter(pk=track_id, next_poll_at__lte=now).update(**values) == 1


def backoff(interval: timedelta, failures: int, error: SourceError) -> timedelta:
    """How long to wait after the `failures`-th failure in a row."""
    if error.code == AUTH:
        return max(AUTH_WAIT, interval)
    wait = min(interval * (2 ** min(failures, 10)), MAX_BACKOFF)
    if error.code == RATE_LIMITED:
        wait = max(wait, interval * 2, error.retry_after or timedelta(0))
    return max(wait, interval)


def poll_one(track_id: int, now: datetime, counts: PollCounts, sources: dict[str, TrackingSource | None]) -> None:
    track = ParcelTrack.objects.select_related("parcel__order").filter(pk=track_id).first()
    if track is None or track.status in FINAL or track.next_poll_at is None or track.next_poll_at > now:
        return
    parcel = track.parcel
    carrier = track.carrier or parcel.carrier_code
    if carrier not in sources:
        sources[carrier] = subscriptions.source_for(carrier)
    source = sources[carrier]
    if source is None:  # the source went away (settings changed): stop polling until one is configured
        if subscriptions.locked_update(track, {"next_poll_at__lte": now}, next_poll_at=None, mode=subscriptions.NONE):
            counts.claimed += 1
        return
    interval = source.min_poll_interval
    if track.mode == subscriptions.PUSH:
        safety = safety_interval(source)
        if track.last_event_at is not None and now - track.last_event_at < safety:
            # pushes are arriving: no need to ask, look again `safety` after the last event
            if claim(track.pk, now, max(track.last_event_at + safety, now + interval), polling=False):
                counts.claimed += 1
                counts.skipped += 1
            return
        interval = safety
    if not claim(track.pk, now, now + interval):
        return
    counts.claimed += 1
    counts.polled += 1
    number = track.transferred_to or track.number
    try:
        events = source.poll(number, subscriptions.com_for(track, parcel), subscriptions.receiver_last4(parcel))
    except SourceError as e:
        counts.failed += 1
        counts.rate_limited += e.code == RATE_LIMITED
        failures = track.poll_failures + 1
        wait = backoff(source.min_poll_interval, failures, e)
        log.warning("poll %s failed (%s), next in %s", number, subscriptions._error_text(e), wait)
        subscriptions.locked_update(track, poll_failures=failures, next_poll_at=now + wait)
        return
    counts.events += len(events)
    if events:
        counts.stored += ingest(events, now=now).stored
    track.refresh_from_db(fields=["status"])
    values: dict = {"poll_failures": 0}
    if track.status in FINAL:
        values["next_poll_at"] = None
    subscriptions.locked_update(track, **values)


def tick(*, now: datetime | None = None, limit: int = DEFAULT_LIMIT) -> dict[str, int]:
    """One polling round: every due parcel (up to `limit`) is claimed and polled once at most."""
    now = now or clock.now()
    counts = PollCounts()
    sources: dict[str, TrackingSource | None] = {}
    ids = due_numbers(now, limit)
    counts.due = len(ids)
    for pk in ids:
        try:
            poll_one(pk, now, counts, sources)
        except Exception:  # one parcel's trouble (a bad event, a database hiccup) must not stop the round
            log.exception("polling parcel track %s failed", pk)
            counts.failed += 1
    return counts.as_dict()
