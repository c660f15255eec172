"""Periodic tasks run once per time slot, whichever worker fires them (docs/adr/0008-periodic-tasks-claim-a-slot.md).

With several `fahuo worker` processes on a Redis queue every consumer's scheduler enqueues each periodic task.
Before running, a task claims its slot — the period it belongs to, e.g. 12:10 for a 10-minute task fired at
12:10:03 — by inserting a `PeriodicRun(task, slot)` row; the unique constraint lets exactly one insert win.
The losers return without doing anything.

    @db_periodic_task(crontab(minute="*/10"))
    @once_per_slot(minutes=10)
    def tracking_sweep(): ...
"""

from __future__ import annotations

import functools
import logging
import os
import socket
import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

from django.db import IntegrityError, transaction

from fahuo.core import clock

log = logging.getLogger(__name__)
KEEP = timedelta(days=7)  # claimed slots older than this are deleted by the next claim of the task
F = TypeVar("F", bound=Callable[..., Any])


def slot_of(now: datetime, every: timedelta) -> datetime:
    """The start of the period `now` falls in (periods counted from the Unix epoch, in UTC)."""
    step = int(every.total_seconds())
    if step <= 0:
        raise ValueError("the period must be positive")
    seconds = int(now.timestamp())
    return datetime.fromtimestamp(seconds - seconds % step, tz=UTC)


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{threading.get_ident()}"[:100]


def claim_slot(task: str, slot: datetime) -> bool:
    """True for the one caller that claims (task, slot); False for every other, on any worker."""
    from fahuo.core.models import PeriodicRun

    try:
        with transaction.atomic():
            PeriodicRun.objects.create(task=task[:100], slot=slot, worker=worker_name())
    except IntegrityError:
        return False
    PeriodicRun.objects.filter(task=task[:100], slot__lt=slot - KEEP).delete()
    return True


def once_per_slot(*, minutes: int = 0, hours: int = 0, name: str | None = None) -> Callable[[F], F]:
    """Decorate a periodic task so that each of its slots runs once across all workers."""
    every = timedelta(minutes=minutes, hours=hours)
    if every <= timedelta(0):
        raise ValueError("once_per_slot needs minutes or hours")

    def wrap(fn: F) -> F:
        task = name or f"{fn.__module__}.{fn.__qualname__}"

        @functools.wraps(fn)
        def run(*args: Any, **kwargs: Any) -> Any:
            slot = slot_of(clock.now(), every)
            if not claim_slot(task, slot):
                log.info("periodic %s: slot %s already claimed by another worker", task, slot.isoformat())
                return None
            return fn(*args, **kwargs)

        return run  # type: ignore[return-value]

    return wrap
