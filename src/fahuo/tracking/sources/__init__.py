"""Tracking sources: where events come from when they are not pushed (pure Python).

    base.py       the TrackingSource protocol, SubscribeResult, SourceError and its codes
    kuaidi100.py  快递100 订阅 + 实时查询: pure builders and parsers, a urllib transport
    sandbox.py    演示快递: the generated streams, answered like a query
    registry.py   which source tracks which carrier (FAHUO_TRACKING_SOURCE; DEMO always on the sandbox)

The scheduler that decides WHEN to poll is `tracking/services/polling.py`; subscribing on ship and
re-subscribing after an abort is `tracking/services/subscriptions.py`.
"""

from fahuo.tracking.sources.base import SourceError, SubscribeResult, TrackingSource, phone_last4
from fahuo.tracking.sources.kuaidi100 import Kuaidi100Source, Kuaidi100TrackingConfig
from fahuo.tracking.sources.registry import configured_source, source_name
from fahuo.tracking.sources.sandbox import SandboxSource

__all__ = [
    "Kuaidi100Source",
    "Kuaidi100TrackingConfig",
    "SandboxSource",
    "SourceError",
    "SubscribeResult",
    "TrackingSource",
    "configured_source",
    "phone_last4",
    "source_name",
]
