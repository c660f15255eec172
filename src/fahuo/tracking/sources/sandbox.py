"""The sandbox carrier (演示快递, code DEMO) as a tracking source. Pure Python.

`poll` answers what 快递100's 实时查询 would answer for the parcel's generated life (`tracking/sandbox`): the
events due by now, as a query answer read by the same parser as a real one. `subscribe` always succeeds.
Which stream belongs to a number is the caller's business: `streams(number)` returns the parcel's generated
events, or None for a number the sandbox never issued (the service builds it from the parcel, the way
`services/sandbox_player.py` does).

    source = SandboxSource(streams=lambda n: generated[n], now=clock_now, min_poll_interval=timedelta(minutes=1))
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta

from fahuo.tracking.events import Event
from fahuo.tracking.sandbox import COM, GeneratedEvent, due
from fahuo.tracking.sandbox.push import last_result
from fahuo.tracking.sources.base import BAD_NUMBER, SourceError, SubscribeResult
from fahuo.tracking.sources.kuaidi100 import parse_query_answer

NAME = "sandbox"
DEFAULT_MIN_POLL_INTERVAL = timedelta(minutes=30)  # like 快递100, unless FAHUO_SANDBOX_POLL_MINUTES says less

Streams = Callable[[str], Iterable[GeneratedEvent] | None]


class SandboxSource:
    name = NAME

    def __init__(self, streams: Streams, now: Callable[[], datetime], *,
                 min_poll_interval: timedelta = DEFAULT_MIN_POLL_INTERVAL) -> None:
        self._streams = streams
        self._now = now
        self.min_poll_interval = min_poll_interval
        self.subscribed: list[tuple[str, str]] = []  # (number, com), for the demo and the tests

    def subscribe(self, number: str, com: str, phone_last4: str, callback_url: str, salt: str) -> SubscribeResult:
        self.subscribed.append((number, com))
        return SubscribeResult(True, "200", "提交成功")

    def poll(self, number: str, com: str, phone_last4: str) -> list[Event]:
        stream = self._streams(number)
        if stream is None:
            raise SourceError(BAD_NUMBER, f"演示快递没有这个单号 {number} (no such sandbox number)", source_code="400")
        events = due(stream, self._now())
        if not events:
            return parse_query_answer(json.dumps({"result": False, "returnCode": "500",
                                                  "message": "查询无结果，请隔段时间再查"}))
        answer = last_result(number, COM, events, resultv2=True)
        return parse_query_answer(json.dumps(answer, ensure_ascii=False))
