"""快递100 电子面单 — a real carrier adapter, registered as "kuaidi100" (HOUSE.md habit 8).

One account at 快递100 issues numbers for many carriers (the carrier is WaybillRequest.carrier_code, turned
into 快递100's `kuaidicom` by the catalog). The adapter is three small parts:

    config.py   FAHUO_KUAIDI100_* settings; `not_configured` when the key or secret is missing
    mapper.py   pure: WaybillRequest → form fields (signed), 快递100's JSON answer → WaybillResult
    proxy.py    thin: urllib POST with a timeout

    adapter = get_adapter("kuaidi100")
    adapter.issue(req, serial=...)          → WaybillResult(number="7731…", routing={"big_pen": …, …})

Settings are read on every call, so a changed environment takes effect without a restart. Tests inject
`send` (and `now_ms`, `environ`) so no request ever leaves the machine. What is confirmed about the format and
from where is written at the top of mapper.py; how to write another adapter is in docs/adapters.md.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping

from fahuo.carriers.adapters.base import WaybillRequest, WaybillResult, register
from fahuo.carriers.adapters.kuaidi100 import mapper, proxy
from fahuo.carriers.adapters.kuaidi100.config import Kuaidi100Config
from fahuo.carriers.adapters.kuaidi100.mapper import Kuaidi100Error

Send = Callable[..., str]  # send(url, form, *, timeout) -> answer text


def _now_ms() -> int:
    return int(time.time() * 1000)


class Kuaidi100Adapter:
    name = "kuaidi100"

    def __init__(self, *, send: Send | None = None, now_ms: Callable[[], int] | None = None,
                 environ: Mapping[str, str] | None = None) -> None:
        self._send = send
        self._now_ms = now_ms or _now_ms
        self._environ = environ

    def config(self) -> Kuaidi100Config:
        return Kuaidi100Config.from_env(self._environ)

    def issue(self, req: WaybillRequest, *, serial: Callable[[], int]) -> WaybillResult:
        """Ask 快递100 for a number. `serial` (the sandbox's counter) is not used: the carrier numbers."""
        cfg = self.config().require()
        form = mapper.build_request(req, cfg, t=str(self._now_ms()))
        send = self._send or proxy.send  # looked up per call, so a monkeypatched proxy.send is seen
        return mapper.parse_response(send(cfg.url, form, timeout=cfg.timeout))


KUAIDI100 = register(Kuaidi100Adapter())

__all__ = ["KUAIDI100", "Kuaidi100Adapter", "Kuaidi100Config", "Kuaidi100Error", "mapper", "proxy"]
