"""Huey tasks of tracking: the sweep (and the sandbox player) every 10 minutes. Imported by TrackingConfig.ready."""

from __future__ import annotations

import logging

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

log = logging.getLogger(__name__)


@db_periodic_task(crontab(minute="*/10"))
def tracking_sweep() -> None:
    from fahuo.tracking.services import sandbox_player, sweep

    played = sandbox_player.play()
    counts = sweep.sweep()
    log.info("tracking sweep: played %s, %s", played, counts)
