"""Where tracking events come from when nobody pushes them: the `TrackingSource` protocol. Pure Python.

A source can `subscribe` a number (the carrier side then pushes events to fahuo's webhook) and `poll` it
(ask now; the answer is the number's events, in fahuo's `events.Event` shape). Each source says how often one
number may be asked at most (`min_poll_interval`; 快递100 allows once per 30 minutes) — the scheduler
(`tracking/services/polling.py`) never asks sooner.

Failures are `SourceError`s with a stable `code`:

    rate_limited   asked too often / too many requests: try this number later (`retry_after` when known)
    bad_number     the number or the carrier code is refused (unknown number, unsupported carrier)
    auth           credentials missing, wrong, expired or out of quota: nothing works until a person acts
    unavailable    the source is down, busy or unreachable: try again later
    bad_answer     the answer could not be read
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Protocol, runtime_checkable

from fahuo.tracking.events import Event

RATE_LIMITED = "rate_limited"
BAD_NUMBER = "bad_number"
AUTH = "auth"
UNAVAILABLE = "unavailable"
BAD_ANSWER = "bad_answer"
CODES = (RATE_LIMITED, BAD_NUMBER, AUTH, UNAVAILABLE, BAD_ANSWER)
# worth trying the same request again later (the others need a person or a corrected number)
TRANSIENT = frozenset({RATE_LIMITED, UNAVAILABLE, BAD_ANSWER})


class SourceError(Exception):
    """A source refused or failed. `message` reads "中文 (english)"; `source_code` / `source_message` are the
    source's own, verbatim (never the credentials)."""

    def __init__(self, code: str, message: str, *, source_code: str = "", source_message: str = "",
                 retry_after: timedelta | None = None) -> None:
        if code not in CODES:
            raise ValueError(f"unknown source error code {code!r}")
        super().__init__(message)
        self.code = code
        self.message = message
        self.source_code = source_code
        self.source_message = source_message
        self.retry_after = retry_after

    @property
    def transient(self) -> bool:
        return self.code in TRANSIENT


@dataclass(frozen=True)
class SubscribeResult:
    ok: bool
    code: str = ""  # the source's own answer code ("200", "501" …)
    message: str = ""
    already: bool = False  # the source said the number was subscribed before (counted as success)


@runtime_checkable
class TrackingSource(Protocol):
    name: str
    min_poll_interval: timedelta

    def subscribe(self, number: str, com: str, phone_last4: str, callback_url: str, salt: str) -> SubscribeResult:
        """Ask the source to push this number's events to `callback_url`, signed with `salt`. Raises SourceError."""
        ...

    def poll(self, number: str, com: str, phone_last4: str) -> list[Event]:
        """The number's events known now (any order, duplicates allowed). Raises SourceError."""
        ...


def phone_last4(phone: str) -> str:
    """The last four digits of a receiver's phone (SF and ZTO ask for them), "" when there are fewer."""
    digits = "".join(ch for ch in phone if ch.isdigit())
    return digits[-4:] if len(digits) >= 4 else ""
