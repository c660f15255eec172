"""Which source tracks which carrier. Pure Python: the environment is passed in (or read from os.environ).

    FAHUO_TRACKING_SOURCE   kuaidi100 | none. Unset: kuaidi100 when FAHUO_KUAIDI100_KEY and
                            FAHUO_KUAIDI100_CUSTOMER are both set, else none.

演示快递 (DEMO) parcels are always tracked by the sandbox, whatever the setting. A carrier with no source
is not subscribed or polled (its events can still arrive through the webhooks or `fahuo track ingest`).
"""

from __future__ import annotations

import os
from collections.abc import Mapping

from fahuo.tracking.sources.kuaidi100 import Kuaidi100TrackingConfig

SANDBOX_CARRIER = "DEMO"
KNOWN = ("kuaidi100", "none")


def configured_source(environ: Mapping[str, str] | None = None) -> str:
    """The source for real carriers: "kuaidi100" or "" (none)."""
    env = os.environ if environ is None else environ
    wanted = (env.get("FAHUO_TRACKING_SOURCE") or "").strip().lower()
    if wanted == "none":
        return ""
    if wanted == "kuaidi100":
        return "kuaidi100"
    return "kuaidi100" if Kuaidi100TrackingConfig.from_env(env).configured else ""


def source_name(carrier_code: str, environ: Mapping[str, str] | None = None) -> str:
    """"sandbox", "kuaidi100" or "" for a fahuo carrier code."""
    if carrier_code.upper() == SANDBOX_CARRIER:
        return "sandbox"
    return configured_source(environ)
