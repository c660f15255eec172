"""One place to ask for the time, so that tests and the demo can move it."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from django.utils import timezone

SHANGHAI = ZoneInfo("Asia/Shanghai")


def now() -> datetime:
    return timezone.now()


def local(dt: datetime | None) -> datetime | None:
    return dt.astimezone(SHANGHAI) if dt else None
