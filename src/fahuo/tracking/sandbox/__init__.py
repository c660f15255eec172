"""The sandbox carrier (演示快递, code DEMO, 快递100 com "demo") plays real life: event streams for its
parcels through real cities, with late pickups, stalls, 疑难, refusals, returns, damage and loss, on a clock
that can be sped up, delivered as 快递100 pushes so they go through the same parser as real ones.

Pure Python, no Django. `routes` (cities, hubs, transit times), `stream` (the events), `push` (快递100
bodies)."""

from fahuo.tracking.sandbox.push import (
    COM,
    Push,
    kuaidi100_abort,
    kuaidi100_push,
    kuaidi100_updateall,
    push_sequence,
    verify,
)
from fahuo.tracking.sandbox.routes import Stop, route
from fahuo.tracking.sandbox.stream import GeneratedEvent, Place, Receiver, Scenario, due, generate

__all__ = [
    "COM",
    "GeneratedEvent",
    "Place",
    "Push",
    "Receiver",
    "Scenario",
    "Stop",
    "due",
    "generate",
    "kuaidi100_abort",
    "kuaidi100_push",
    "kuaidi100_updateall",
    "push_sequence",
    "route",
    "verify",
]
