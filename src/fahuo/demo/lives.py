"""Chosen lives for the demo's sandbox parcels: one parcel per tracking status and per kind of exception.

Pure Python (no Django). A `Life` is what the sandbox carrier (演示快递) plays for one parcel — a seed, the
scenario's troubles, how much faster than life it runs, and where the parcel really goes (a label with an
old address) — stored on the parcel (`Parcel.routing["sandbox_life"]`), so the player and the polling
source (`tracking/services/sandbox_player.stream`) generate the same stream the demo planned.

`plan` searches seeds and shipping times (deterministic: the same inputs give the same life) until the
stream, cut at `now` and read the way fahuo reads it (快递100 push → parse → fold → exception rules), ends in
the wanted status with exactly the wanted findings.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from fahuo.tracking.events import TrackState, fold, parse_kuaidi100_push
from fahuo.tracking.exception_rules import Limits, OrderFacts, ParcelFacts, find_exceptions
from fahuo.tracking.sandbox import (
    COM,
    GeneratedEvent,
    Place,
    Receiver,
    Scenario,
    due,
    generate,
    kuaidi100_push,
)

LIFE_KEY = "sandbox_life"
SHIP_BY_TYPES = frozenset({"ship_by_near", "ship_by_passed"})


@dataclass(frozen=True)
class Want:
    label: str
    status: str  # the TrackStatus at `now` ("" = no event yet)
    types: frozenset[str] = frozenset()  # exactly these findings at `now`
    kinds: tuple[str, ...] = ()  # Scenario.only(*kinds)
    locker: float = 0.0
    speed: float = 1.0  # × the player's speed: 20 = a journey in a couple of hours (签收过快)
    elsewhere: bool = False  # delivered to another city than the order's (城市不符)
    last_steps: tuple[str, ...] = ()  # cheap pre-check on the last due event's step ("" = no event)
    optional: bool = False  # a status only some hours of the day have (派件 is a morning round)


def _w(label: str, status: str, types: tuple[str, ...] = (), **kw: Any) -> Want:
    return Want(label, status, frozenset(types), **kw)


WANTS: tuple[Want, ...] = (
    _w("in_transit", "in_transit", last_steps=("depart", "arrive")),
    _w("out_for_delivery", "out_for_delivery", last_steps=("out_for_delivery",), optional=True),
    _w("in_locker", "in_locker", locker=1.0, last_steps=("in_locker",)),
    _w("delivered", "delivered", last_steps=("delivered",)),
    _w("delivered_locker", "delivered", locker=1.0, last_steps=("delivered",)),
    _w("transferred", "transferred", kinds=("transfer",), last_steps=("transfer",)),
    _w("no_pickup", "", ("no_pickup",), kinds=("late_pickup",), last_steps=("",)),
    _w("stale", "in_transit", ("stale",), kinds=("stall",), last_steps=("depart", "arrive")),
    _w("problem", "exception", ("problem",), kinds=("problem",), last_steps=("problem",)),
    _w("refused", "refused", ("refused",), kinds=("refused",), last_steps=("refused",)),
    _w("returning", "returning", ("returning",), kinds=("returned",), last_steps=("returning",)),
    _w("returned", "returned", ("returned",), kinds=("returned",), last_steps=("returned",)),
    _w("damaged", "in_transit", ("damaged",), kinds=("damaged",), last_steps=("depart", "arrive")),
    _w("lost", "exception", ("lost",), kinds=("lost",), last_steps=("lost",)),
    _w("city_mismatch", "delivered", ("city_mismatch",), elsewhere=True, last_steps=("delivered",)),
    _w("too_fast", "delivered", ("too_fast",), speed=20.0, last_steps=("delivered",)),
)
# hours between shipping and `now` tried, in this order (then the next seed)
HOURS = tuple(h / 2 for h in range(3, 400))
# other places a mis-addressed label may send a parcel to (the first not in the order's city)
ELSEWHERE = (Place("江苏省", "苏州市", "姑苏区"), Place("安徽省", "合肥市", "蜀山区"))


@dataclass(frozen=True)
class Life:
    label: str
    seed: int
    hours: float  # shipped `hours` before `now`
    kinds: tuple[str, ...]
    locker: float
    speed: float
    to: tuple[str, str, str] | None
    types: frozenset[str]
    status: str

    def stored(self) -> dict[str, Any]:
        """What goes into Parcel.routing[LIFE_KEY] (JSON)."""
        out: dict[str, Any] = {"label": self.label, "seed": self.seed, "kinds": list(self.kinds),
                               "locker": self.locker, "speed": self.speed}
        if self.to:
            out["to"] = list(self.to)
        return out


def stream_args(life: Mapping[str, Any], receiver: Receiver, default_seed: int
                ) -> tuple[Receiver, int, Scenario | None, float]:
    """(receiver, seed, scenario, speed factor) for a parcel's stored life; the parcel's own when it has none.
    The player calls this, so what it plays is what `plan` planned."""
    if not life:
        return receiver, default_seed, None, 1.0
    to = life.get("to")
    if to:
        receiver = receiver._replace(province=to[0], city=to[1], district=to[2])
    scenario = Scenario.only(*life.get("kinds", ()), locker=float(life.get("locker", 0.35)))
    return receiver, int(life.get("seed", default_seed)), scenario, float(life.get("speed", 1.0))


def read(number: str, events: list[GeneratedEvent]) -> TrackState | None:
    """The state fahuo folds from these events, read through the 快递100 push parser."""
    if not events:
        return None
    push = parse_kuaidi100_push(kuaidi100_push(number, COM, events, resultv2=True)["param"])
    return fold(push.events)


def _elsewhere(receiver: Receiver) -> Place:
    return next(p for p in ELSEWHERE if p.city != receiver.city)


def _tries(want: Want, first_seed: int, max_hours: float) -> Iterator[tuple[int, float]]:
    for seed in range(first_seed, first_seed + (3 if want.optional else 60)):
        for h in HOURS:
            if h <= max_hours:
                yield seed, h


def plan(want: Want, *, number: str, order_no: str, origin: Place, receiver: Receiver, now: datetime,
         limits: Limits, amount: Decimal = Decimal(0), carrier: str = "DEMO", first_seed: int = 1,
         max_hours: float = HOURS[-1], base_speed: float = 1.0) -> Life | None:
    """The first (seed, hours) whose stream at `now` is in `want.status` with exactly `want.types` found;
    None for an optional want the time of day does not allow (no 派件 round at night). `base_speed`: the
    player's clock (FAHUO_SANDBOX_SPEED)."""
    to = _elsewhere(receiver) if want.elsewhere else None
    where = (to.province, to.city, to.district) if to else None
    life = Life(want.label, 0, 0.0, want.kinds, want.locker, want.speed, where, want.types, want.status)
    stored = life.stored()
    for seed, hours in _tries(want, first_seed, max_hours):
        shipped = (now - timedelta(hours=hours)).replace(microsecond=0)
        rcv, s, scenario, factor = stream_args({**stored, "seed": seed}, receiver, seed)
        events = due(generate(number, origin, rcv, shipped, s, scenario, speed=base_speed * factor), now)
        last = events[-1].step if events else ""
        if last not in want.last_steps:
            continue
        state = read(number, events)
        if (str(state.status) if state else "") != want.status:
            continue
        facts = ParcelFacts(order_no=order_no, now=now, order=OrderFacts(ship_by=None, status="shipped"),
                            number=number, carrier=carrier, shipped_at=shipped,
                            receiver_province=receiver.province, receiver_city=receiver.city,
                            receiver_district=receiver.district, sender_province=origin.province,
                            sender_city=origin.city, track=state, amount=amount, limits=limits)
        found = {str(x.type) for x in find_exceptions(facts)} - SHIP_BY_TYPES
        if found == want.types and _settled(events, now, shipped, want):
            return Life(want.label, seed, (now - shipped).total_seconds() / 3600, want.kinds, want.locker,
                        want.speed, life.to, want.types, want.status)
    if want.optional:
        return None
    raise LookupError(f"no sandbox life found for {want.label}")


def _settled(events: list[GeneratedEvent], now: datetime, shipped: datetime, want: Want) -> bool:
    """Not within an hour of a limit: the demo reads the same a few minutes later."""
    margin = timedelta(hours=1)
    if want.label == "no_pickup":
        return now - shipped >= timedelta(hours=24) + margin
    return not events or now - events[-1].at >= timedelta(minutes=10)
