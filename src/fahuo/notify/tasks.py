"""Huey tasks of notify. Imported by NotifyConfig.ready.

Periodic (each slot runs once across all workers: core/periodic.py, docs/adr/0008):
    notify_retry    every minute: rows whose job was lost or whose backoff is over; rows stuck in "sending"
    notify_digest   every 5 minutes: the daily digest once the local hour reaches NotifySettings.digest_hour
Queued:
    deliver_notification   after the transaction that queued the row commits (services.enqueue)
"""

from __future__ import annotations

import logging

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from fahuo.core.periodic import once_per_slot

log = logging.getLogger("fahuo.notify")


@db_task()
def deliver_notification(notification_id: int) -> None:
    # no huey retries: a failure is recorded on the row with its own backoff, and notify_retry sends it again
    from fahuo.notify import services

    services.deliver(notification_id)


@db_periodic_task(crontab(minute="*"))
@once_per_slot(minutes=1)
def notify_retry() -> None:
    from fahuo.notify import services

    counts = services.retry_due()
    if counts["due"] or counts["stuck"]:
        log.info("notify retry: %s", counts)


@db_periodic_task(crontab(minute="*/5"))
@once_per_slot(minutes=5)
def notify_digest() -> None:
    from fahuo.notify import digest

    if digest.run():
        log.info("notify: daily digest queued")
