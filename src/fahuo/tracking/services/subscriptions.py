"""Subscribing shipped parcels to a tracking source, and re-subscribing after 快递100 corrects the carrier.

When a parcel becomes shipped (`parcel_saved`, a post_save receiver wired in TrackingConfig.ready) a
subscribe job is queued after the commit. The job creates the parcel's ParcelTrack and decides its mode:

- push: the source pushes events to this box's webhook. Needs a public address (FAHUO_PUBLIC_URL, e.g.
  https://fahuo.example.com) and the push salt (FAHUO_KUAIDI100_SALT), and a source that pushes (快递100).
  Push parcels still get a slow safety poll (polling.safety_interval(), 12 h by default) when no event came.
- poll: the scheduler (polling.py) asks the source, a number at most once per `min_poll_interval`.
  Also the fallback when a push subscription is refused.
- "" (none): no source tracks this carrier (FAHUO_TRACKING_SOURCE / credentials); events can still come
  in through the webhooks or `fahuo track ingest`. Picked up again by `subscribe_pending` once a source
  is configured.

An `abort` push naming a corrected carrier sets ParcelTrack.resubscribe (webhooks.py); `resubscribe` claims
the flag (a guarded UPDATE: exactly one worker does it), subscribes again under the corrected `com`, and writes
`tracking_resubscribed` on the order timeline. Every write to a ParcelTrack here happens under the parcel's
row lock, the same lock ingest.refold holds, so a refold never writes back an older schedule.
"""

from __future__ import annotations

import logging
import os
from datetime import datetime, timedelta

from django.db import transaction
from django.urls import reverse

from fahuo.carriers import catalog
from fahuo.core import clock
from fahuo.fulfilment.models import Parcel
from fahuo.orders.services import timeline
from fahuo.tracking.models import ParcelTrack
from fahuo.tracking.sources import Kuaidi100Source, SandboxSource, SourceError, TrackingSource, phone_last4
from fahuo.tracking.sources.registry import SANDBOX_CARRIER, configured_source, source_name
from fahuo.tracking.sources.sandbox import DEFAULT_MIN_POLL_INTERVAL
from fahuo.tracking.statuses import Groups

log = logging.getLogger(__name__)
FINAL = [str(s) for s in Groups.FINAL]
PUSH, POLL, NONE = "push", "poll", ""
PENDING_WINDOW = timedelta(days=30)  # shipped parcels older than this are not subscribed by the safety net


# ---- settings ------------------------------------------------------------------------------------------


def callback_url() -> str:
    """The 快递100 webhook address the outside world can reach, or "" (no FAHUO_PUBLIC_URL or no salt)."""
    base = (os.environ.get("FAHUO_PUBLIC_URL") or "").strip().rstrip("/")
    if not base or not os.environ.get("FAHUO_KUAIDI100_SALT"):
        return ""
    return base + reverse("tracking:kuaidi100")


def sandbox_poll_interval() -> timedelta:
    try:
        minutes = float(os.environ.get("FAHUO_SANDBOX_POLL_MINUTES") or 0)
    except ValueError:
        minutes = 0
    return timedelta(minutes=minutes) if minutes > 0 else DEFAULT_MIN_POLL_INTERVAL


# ---- sources -------------------------------------------------------------------------------------------


def _sandbox_stream(number: str):
    from fahuo.tracking.services import sandbox_player

    p = (Parcel.objects.filter(waybill=number, carrier_code=SANDBOX_CARRIER, shipped_at__isnull=False)
         .select_related("order").first())
    return None if p is None else sandbox_player.stream(p)


def source_for(carrier_code: str) -> TrackingSource | None:
    """The source tracking this carrier now (see sources/registry.py), or None."""
    name = source_name(carrier_code or "")
    if name == "sandbox":
        return SandboxSource(_sandbox_stream, clock.now, min_poll_interval=sandbox_poll_interval())
    if name == "kuaidi100":
        return Kuaidi100Source.from_env()
    return None


def com_for(track: ParcelTrack, parcel: Parcel) -> str:
    """快递100's code to subscribe / query under: the corrected one when an abort named it, else the carrier's."""
    if track.com:
        return track.com
    carrier = catalog.find(track.carrier or parcel.carrier_code)
    return (carrier.kuaidi100 if carrier else "") or ""


def receiver_last4(parcel: Parcel) -> str:
    return phone_last4(parcel.order.receiver_phone or "")


# ---- writes under the parcel's lock --------------------------------------------------------------------


def locked_update(track: ParcelTrack, guard: dict | None = None, **values) -> bool:
    """UPDATE the track's row (only when `guard` still holds) while holding its parcel's row lock."""
    with transaction.atomic():
        list(Parcel.objects.select_for_update().filter(pk=track.parcel_id).values_list("pk", flat=True))
        n = ParcelTrack.objects.filter(pk=track.pk, **(guard or {})).update(**values)
    for k, v in values.items():
        setattr(track, k, v)
    return n == 1


def ensure_track(parcel: Parcel) -> ParcelTrack:
    track, _created = ParcelTrack.objects.get_or_create(
        parcel=parcel, defaults={"number": parcel.waybill or "", "carrier": parcel.carrier_code,
                                 "updated_at": clock.now()})
    return track


def _earliest_poll(track: ParcelTrack, source: TrackingSource, now: datetime) -> datetime:
    """Now, unless the number was polled less than the source's interval ago."""
    if track.last_polled_at is None:
        return now
    return max(now, track.last_polled_at + source.min_poll_interval)


def _error_text(e: SourceError) -> str:
    theirs = f" [{e.source_code} {e.source_message}]".rstrip() if (e.source_code or e.source_message) else ""
    return f"{e.code}: {e.message}{theirs}"[:200]


def _register(track: ParcelTrack, parcel: Parcel, now: datetime) -> tuple[str, str]:
    """Subscribe with the source (push when possible, else poll); write mode and schedule. (mode, error)."""
    from fahuo.tracking.services import polling

    source = source_for(track.carrier or parcel.carrier_code)
    if source is None:
        locked_update(track, mode=NONE, next_poll_at=None, subscribe_error="no_source: 没有可用的物流来源 (no source)")
        return NONE, "no_source"
    com = com_for(track, parcel)
    url = callback_url() if isinstance(source, Kuaidi100Source) else ""
    error = ""
    if url or isinstance(source, SandboxSource):
        try:
            source.subscribe(track.transferred_to or track.number, com, receiver_last4(parcel), url,
                             os.environ.get("FAHUO_KUAIDI100_SALT", ""))
        except SourceError as e:
            error = _error_text(e)
            log.warning("subscribe %s (%s) refused: %s", track.number, com, error)  # polled instead
    if url and not error:
        mode, next_at = PUSH, now + polling.safety_interval(source)
    else:
        mode, next_at = POLL, _earliest_poll(track, source, now)
    locked_update(track, mode=mode, subscribe_error=error, next_poll_at=next_at, poll_failures=0)
    return mode, error


def subscribe(parcel_id: int, *, now: datetime | None = None) -> ParcelTrack | None:
    """Start tracking a shipped parcel (idempotent: a parcel already subscribed is left alone)."""
    now = now or clock.now()
    parcel = Parcel.objects.select_related("order").filter(pk=parcel_id).first()
    if parcel is None or parcel.state != Parcel.State.SHIPPED or not parcel.waybill:
        return None
    with transaction.atomic():
        list(Parcel.objects.select_for_update().filter(pk=parcel.pk).values_list("pk", flat=True))
        track = ensure_track(parcel)
    # the claim: exactly one job subscribes a parcel
    if not locked_update(track, {"subscribed_at__isnull": True}, subscribed_at=now):
        track.refresh_from_db()
        return track
    _register(track, parcel, now)
    track.refresh_from_db()
    return track


def subscribe_number(number: str, *, now: datetime | None = None) -> ParcelTrack:
    """Subscribe a shipped parcel by its waybill number now, again if it was before (`fahuo track subscribe`)."""
    from fahuo.core.errors import Conflict, NotFound

    number = (number or "").strip().upper()
    parcel = Parcel.objects.filter(waybill__iexact=number).first() if number else None
    if parcel is None:
        raise NotFound(f"没有运单号为 {number} 的包裹 (no parcel with this number)", code="parcel_not_found")
    if parcel.state != Parcel.State.SHIPPED:
        raise Conflict(f"包裹 {number} 还没发货，不能订阅物流 (parcel not shipped)", code="parcel_not_shipped",
                       state=parcel.state)
    track = ParcelTrack.objects.filter(parcel=parcel).first()
    if track is not None and track.subscribed_at is not None:
        locked_update(track, subscribed_at=None)
    result = subscribe(parcel.pk, now=now)
    if result is None:  # the parcel changed under us (voided, number removed)
        raise Conflict(f"包裹 {number} 不能订阅物流 (parcel cannot be subscribed)", code="parcel_not_shipped")
    return result


def resubscribe(track_id: int, *, now: datetime | None = None) -> ParcelTrack | None:
    """Subscribe again under the corrected carrier after an abort; None when another worker did it already."""
    now = now or clock.now()
    track = ParcelTrack.objects.select_related("parcel__order").filter(pk=track_id).first()
    if track is None or not locked_update(track, {"resubscribe": True}, resubscribe=False, subscribed_at=now):
        return None
    parcel = track.parcel
    mode, error = _register(track, parcel, now)
    com = com_for(track, parcel)
    message = (f"按更正后的快递公司重新订阅物流（{track.carrier} / {com}）"
               if not error else f"按更正后的快递公司改为查询跟踪（{track.carrier} / {com}）：{error}")
    from fahuo.fulfilment.services.parcels import orders_of  # every order a merged parcel carries

    with transaction.atomic():
        for order in orders_of(parcel):
            timeline.record(order, "tracking_resubscribed", message=message, waybill=track.number,
                            carrier=track.carrier, com=com, mode=mode, error=error)
    track.refresh_from_db()
    return track


def subscribe_pending(*, limit: int = 200, now: datetime | None = None) -> dict[str, int]:
    """The safety net, run by a periodic task: re-subscribe flagged tracks, subscribe shipped parcels whose job
    was lost, and pick up parcels of carriers that had no source before one was configured."""
    now = now or clock.now()
    counts = {"resubscribed": 0, "subscribed": 0}
    for pk in list(ParcelTrack.objects.filter(resubscribe=True).exclude(status__in=FINAL)
                   .order_by("pk").values_list("pk", flat=True)[:limit]):
        if resubscribe(pk, now=now) is not None:
            counts["resubscribed"] += 1
    if configured_source():
        stale = (ParcelTrack.objects.filter(mode=NONE, subscribed_at__isnull=False, resubscribe=False)
                 .exclude(status__in=FINAL).exclude(parcel__carrier_code=SANDBOX_CARRIER))
        for t in stale.order_by("pk")[:limit]:
            if source_for(t.carrier or t.parcel.carrier_code) is not None:
                locked_update(t, {"mode": NONE}, subscribed_at=None)
    missing = (Parcel.objects.filter(state=Parcel.State.SHIPPED, waybill__isnull=False,
                                     shipped_at__gte=now - PENDING_WINDOW)
               .exclude(track__subscribed_at__isnull=False).exclude(track__status__in=FINAL))
    for pk in list(missing.order_by("pk").values_list("pk", flat=True)[:limit]):
        track = subscribe(pk, now=now)
        if track is not None and track.subscribed_at == now:
            counts["subscribed"] += 1
    return counts


# ---- the hook: a parcel becomes shipped ----------------------------------------------------------------


def parcel_saved(sender, instance: Parcel, created: bool = False, update_fields=None, **kwargs) -> None:
    """post_save of fulfilment.Parcel: a save that sets state=shipped (shipping._ship) queues the subscribe job
    after the commit. Parcels CREATED shipped (fixtures, data repairs) are left to `subscribe_pending`."""
    if created or instance.state != Parcel.State.SHIPPED or not instance.waybill:
        return
    if update_fields is not None and "state" not in update_fields:
        return
    pk = instance.pk

    def queue() -> None:
        from fahuo.tracking import tasks

        tasks.subscribe_parcel(pk)

    transaction.on_commit(queue)
