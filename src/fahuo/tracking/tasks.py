"""Huey tasks of tracking. Imported by TrackingConfig.ready.

Periodic (each slot runs once across all workers: core/periodic.py, docs/adr/0008):
    tracking_sweep      every 10 minutes: the sandbox player, then the exception sweep
    tracking_poll       every minute: one polling round (services/polling.py)
    tracking_subscribe  every 5 minutes: re-subscribe after an abort, subscribe parcels whose job was lost
Queued:
    subscribe_parcel    after a parcel is marked shipped (services/subscriptions.parcel_saved)
"""

from __future__ import annotations

import logging

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from fahuo.core.periodic import once_per_slot

log = logging.getLogger(__name__)


@db_periodic_task(crontab(minute="*/10"))
@once_per_slot(minutes=10)
def tracking_sweep() -> None:
    from fahuo.tracking.services import sandbox_player, sweep

    played = sandbox_player.play()
    counts = sweep.sweep()
    log.info("tracking sweep: played %s, %s", played, counts)


@db_periodic_task(crontab(minute="*"))
@once_per_slot(minutes=1)
def tracking_poll() -> None:
    from fahuo.tracking.services import polling

    counts = polling.tick()
    if counts["due"]:
        log.info("tracking poll: %s", counts)


@db_periodic_task(crontab(minute="*/5"))
@once_per_slot(minutes=5)
def tracking_subscribe() -> None:
    from fahuo.tracking.services import subscriptions

    counts = subscriptions.subscribe_pending()
    if any(counts.values()):
        log.info("tracking subscribe: %s", counts)


@db_task(retries=3, retry_delay=30)
def subscribe_parcel(parcel_id: int) -> None:
    from fahuo.tracking.services import subscriptions

    subscriptions.subscribe(parcel_id)
