"""Exception detection: which problems a parcel (or a not-yet-shipped order) has right now.

Pure Python (HOUSE.md habit 2). The sweep and the per-event check build a `ParcelFacts` and call
`find_exceptions`; the service raises the findings it does not have yet (by `cause_key`) and clears the
open ones that are no longer found. So:

- `cause_key` is stable: the same cause gives the same key on every run (type, order, number, and for
  causes that come and go in episodes — stale, 疑难, 拒签, 退回 — the time the episode began).
- `since` is the exact time the condition began (a deadline, a limit after a time, an event's time),
  never `now`: a finding found twice is the same finding.
- Nothing here reads a clock: `now` is a fact.

Findings whose "since" needs a time the facts do not have are not raised (no number → no number check;
number_format_mismatch and number_on_two_orders need shipped_at; too_fast needs the sender's province).
"""

from __future__ import annotations

import functools
import math
import re
import tomllib
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from importlib import resources
from typing import Any

from fahuo.carriers import detect, provinces
from fahuo.orders.status import Groups as OrderGroups

from .events import SHANGHAI, Event, TrackState
from .statuses import REASON_LABELS_ZH, Groups, Reason, TrackStatus

S = TrackStatus
CENT = Decimal("0.01")


class FindingType(StrEnum):
    SHIP_BY_NEAR = "ship_by_near"
    SHIP_BY_PASSED = "ship_by_passed"
    NO_PICKUP = "no_pickup"  # 虚假发货 risk
    STALE = "stale"
    PROBLEM = "problem"  # 疑难
    REFUSED = "refused"
    RETURNING = "returning"
    RETURNED = "returned"
    DAMAGED = "damaged"
    LOST = "lost"
    NUMBER_FORMAT_MISMATCH = "number_format_mismatch"
    CITY_MISMATCH = "city_mismatch"
    NUMBER_ON_TWO_ORDERS = "number_on_two_orders"
    DELIVERED_BEFORE_PICKUP = "delivered_before_pickup"
    TOO_FAST = "too_fast"


class Severity(StrEnum):
    URGENT = "urgent"  # alert now (must ship today, no 揽收, money at stake)
    WARNING = "warning"
    INFO = "info"


T = FindingType
SEVERITY: dict[FindingType, Severity] = {
    T.SHIP_BY_NEAR: Severity.URGENT,
    T.SHIP_BY_PASSED: Severity.URGENT,
    T.NO_PICKUP: Severity.URGENT,
    T.STALE: Severity.WARNING,
    T.PROBLEM: Severity.WARNING,
    T.REFUSED: Severity.WARNING,
    T.RETURNING: Severity.WARNING,
    T.RETURNED: Severity.INFO,
    T.DAMAGED: Severity.URGENT,
    T.LOST: Severity.URGENT,
    T.NUMBER_FORMAT_MISMATCH: Severity.WARNING,
    T.CITY_MISMATCH: Severity.WARNING,
    T.NUMBER_ON_TWO_ORDERS: Severity.URGENT,
    T.DELIVERED_BEFORE_PICKUP: Severity.WARNING,
    T.TOO_FAST: Severity.WARNING,
}


@dataclass(frozen=True)
class Limits:
    due_soon_hours: int = 6
    no_pickup_hours: int = 24
    stale_hours: int = 48
    compensation_percent: Decimal = Decimal(5)  # 延迟发货 compensation: a setting, always shown as 估算
    compensation_min: Decimal = Decimal(5)
    compensation_max: Decimal = Decimal(30)
    # fastest plausible 揽收 → 签收 per distance class (an estimate; see data/geo.toml)
    same_city_hours: float = 2
    same_province_hours: float = 6
    neighbouring_hours: float = 12
    far_hours: float = 24

    def min_hours(self, distance_class: str) -> float:
        return float(getattr(self, f"{distance_class}_hours"))


@dataclass(frozen=True)
class OrderFacts:
    ship_by: datetime | None  # 最晚发货时间 (orders.rules.ship_by)
    status: str  # fahuo order status (orders.status.Status)


@dataclass(frozen=True)
class ParcelFacts:
    order_no: str
    now: datetime
    order: OrderFacts | None = None
    number: str = ""
    carrier: str = ""  # fahuo carrier code
    shipped_at: datetime | None = None
    receiver_province: str = ""
    receiver_city: str = ""
    receiver_district: str = ""
    sender_province: str = ""  # the shop's; needed for too_fast
    sender_city: str = ""
    track: TrackState | None = None
    number_on_other_orders: list[str] = field(default_factory=list)  # other order numbers with this number
    amount: Decimal = Decimal(0)  # what the buyer paid: base of the compensation estimate
    limits: Limits = field(default_factory=Limits)


@dataclass(frozen=True)
class Finding:
    type: FindingType
    severity: Severity
    cause_key: str
    title_zh: str
    evidence: dict[str, Any]  # JSON-ready: times as ISO-8601 text, events as dicts
    since: datetime
    estimated_compensation: Decimal | None = None  # ship_by_passed only; an estimate (估算)


def estimate_compensation(amount: Decimal, limits: Limits) -> Decimal:
    """延迟发货 compensation as the seller's settings quote it: percent of the amount, within [min, max]."""
    raw = Decimal(amount) * limits.compensation_percent / 100
    return min(max(raw, limits.compensation_min), limits.compensation_max).quantize(CENT, ROUND_HALF_UP)


def _iso(t: datetime | None) -> str | None:
    return t.isoformat() if t is not None else None


def _stamp(t: datetime) -> str:
    return t.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def _local(t: datetime) -> str:
    return t.astimezone(SHANGHAI).strftime("%m-%d %H:%M")


def _event(e: Event) -> dict[str, Any]:
    return {
        "at": e.at.isoformat(),
        "status": str(e.status),
        "reason": e.reason,
        "context": e.context,
        "city": e.city,
    }


# ---- places ---------------------------------------------------------------------------------------------

_SUFFIX = re.compile(r"(?:自治州|自治县|特别行政区|地区|新区|市|区|县|盟|旗)$")


def city_key(name: str) -> str:
    """A place name without its administrative suffix, for comparing: 杭州市 → 杭州, 历城区 → 历城."""
    n = name.strip()
    stripped = _SUFFIX.sub("", n)
    return stripped if len(stripped) >= 2 else n


def same_place(trace_city: str, city: str, district: str) -> bool:
    """Is the trace's city the receiver's city or district (either name may be shorter: 金华义乌 ~ 金华)?"""
    t = city_key(trace_city)
    for r in (city, district):
        k = city_key(r) if r else ""
        if k and (t == k or t.startswith(k) or k.startswith(t)):
            return True
    return False


@functools.cache
def _geo() -> tuple[float, dict[str, tuple[float, float]]]:
    raw = tomllib.loads(
        resources.files("fahuo.tracking").joinpath("data", "geo.toml").read_text(encoding="utf-8")
    )
    return float(raw["neighbour_km"]), {
        p["name"]: (float(p["lat"]), float(p["lon"])) for p in raw["province"]
    }


def km_between(a: str, b: str) -> float:
    """Great-circle km between the capitals of two provinces (full names)."""
    (la1, lo1), (la2, lo2) = _geo()[1][a], _geo()[1][b]
    p1, p2, dl = math.radians(la1), math.radians(la2), math.radians(lo2 - lo1)
    h = math.sin((p2 - p1) / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0 * math.asin(math.sqrt(h))


def distance_class(
    sender_province: str, sender_city: str, receiver_province: str, receiver_city: str
) -> str | None:
    """same_city | same_province | neighbouring | far (an estimate, see data/geo.toml); None if unknown."""
    sp, rp = provinces.normalise_province(sender_province), provinces.normalise_province(receiver_province)
    if sp is None or rp is None:
        return None
    if sp == rp:
        if sp in provinces.MUNICIPALITIES or (
            sender_city and receiver_city and same_place(sender_city, receiver_city, "")
        ):
            return "same_city"
        return "same_province"
    return "neighbouring" if km_between(sp, rp) <= _geo()[0] else "far"


# ---- the rules ------------------------------------------------------------------------------------------


def find_exceptions(f: ParcelFacts) -> list[Finding]:
    """Every finding for these facts, ordered by (since, type)."""
    out = _ship_by(f)
    if f.number and f.shipped_at is not None:
        out += _after_shipping(f)
    if f.number and f.track is not None:
        out += _tracking(f, f.track)
    return sorted(out, key=lambda x: (x.since, x.type))


def _finding(
    f: ParcelFacts, t: FindingType, since: datetime, title: str, evidence: dict[str, Any], part: str = ""
) -> Finding:
    key = f"{t}:{f.order_no}:{f.number}" + (f":{part}" if part else "")
    return Finding(t, SEVERITY[t], key, title, evidence, since)


def _ship_by(f: ParcelFacts) -> list[Finding]:
    o = f.order
    if o is None or o.ship_by is None or f.shipped_at is not None or o.status not in OrderGroups.TO_SHIP:
        return []
    lim, deadline = f.limits, o.ship_by
    if f.now >= deadline:
        money = estimate_compensation(f.amount, lim)
        evidence: dict[str, Any] = {
            "ship_by": _iso(deadline),
            "amount": str(f.amount),
            "compensation_percent": str(lim.compensation_percent),
            "compensation_min": str(lim.compensation_min),
            "compensation_max": str(lim.compensation_max),
            "estimated_compensation": str(money),
            "estimate": True,
        }
        title = f"已超过最晚发货时间（{_local(deadline)}），延迟发货赔付约 ¥{money}（估算）"
        x = _finding(f, T.SHIP_BY_PASSED, deadline, title, evidence, _stamp(deadline))
        return [Finding(x.type, x.severity, x.cause_key, x.title_zh, x.evidence, x.since, money)]
    near = deadline - timedelta(hours=lim.due_soon_hours)
    if f.now < near:
        return []
    title = f"临近最晚发货时间（{_local(deadline)}），请尽快发货"
    evidence = {"ship_by": _iso(deadline), "due_soon_hours": lim.due_soon_hours}
    return [_finding(f, T.SHIP_BY_NEAR, near, title, evidence, _stamp(deadline))]


def _after_shipping(f: ParcelFacts) -> list[Finding]:
    shipped = f.shipped_at
    assert shipped is not None
    out = []
    has_patterns = any(p.carrier == f.carrier for p in detect.patterns())
    if f.carrier and has_patterns and not detect.matches(f.carrier, f.number):
        title = f"运单号 {f.number} 不符合所选快递公司的单号格式"
        likely = [c.code for c in detect.detect(f.number)]
        evidence: dict[str, Any] = {"carrier": f.carrier, "number": f.number, "likely": likely}
        out.append(_finding(f, T.NUMBER_FORMAT_MISMATCH, shipped, title, evidence, f.carrier))
    others = sorted(set(f.number_on_other_orders) - {f.order_no})
    if others:
        title = f"运单号 {f.number} 同时用于订单 {'、'.join(others)}"
        evidence = {"other_orders": others, "shipped_at": _iso(shipped)}
        out.append(_finding(f, T.NUMBER_ON_TWO_ORDERS, shipped, title, evidence))
    since = shipped + timedelta(hours=f.limits.no_pickup_hours)
    scanned = f.track is not None and f.track.first_scan_at is not None
    if not scanned and f.now >= since:
        title = f"已发货 {f.limits.no_pickup_hours} 小时仍无揽收记录（虚假发货风险）"
        evidence = {"shipped_at": _iso(shipped), "no_pickup_hours": f.limits.no_pickup_hours}
        out.append(_finding(f, T.NO_PICKUP, since, title, evidence))
    return out


_HOMEWARD_TITLES = {S.REFUSED: (T.REFUSED, "收件人拒签"), S.RETURNING: (T.RETURNING, "快件退回中"),
                    S.RETURNED: (T.RETURNED, "快件已退回（退签）")}  # fmt: skip


def _tracking(f: ParcelFacts, tr: TrackState) -> list[Finding]:
    out: list[Finding] = []
    st, since = tr.status, tr.status_since
    recent = {"events": [_event(e) for e in tr.timeline[-3:]]}
    if since is not None and st == S.EXCEPTION and tr.reason == Reason.LOSS:
        out.append(_finding(f, T.LOST, since, "快递公司报告快件丢失", recent, "carrier"))
    elif (
        since is not None and st == S.EXCEPTION and tr.reason != Reason.DAMAGE
    ):  # damage: see _damage_and_loss
        title = f"疑难件：{REASON_LABELS_ZH.get(tr.reason, '疑难')}"
        out.append(_finding(f, T.PROBLEM, since, title, {"reason": tr.reason, **recent}, _stamp(since)))
    elif since is not None and st in _HOMEWARD_TITLES:
        t, title = _HOMEWARD_TITLES[st]
        out.append(_finding(f, t, since, title, recent, _stamp(since)))
    stale = _stale(f, tr)
    if stale is not None:
        out.append(stale)
    return out + _damage_and_loss(f, tr) + _city(f, tr) + _timing(f, tr)


def _stale(f: ParcelFacts, tr: TrackState) -> Finding | None:
    last = tr.last_event_at
    if tr.status not in Groups.CAN_STALL or last is None:
        return None
    if tr.status == S.STALE and tr.status_since is not None:
        since = tr.status_since  # the carrier said so (快递100 202 超时未更新)
    else:
        since = last + timedelta(hours=f.limits.stale_hours)
    if f.now < since:
        return None
    title = f"物流超过 {f.limits.stale_hours} 小时未更新"
    evidence = {
        "last_event_at": _iso(last),
        "stale_hours": f.limits.stale_hours,
        "events": [_event(tr.timeline[-1])],
    }
    return _finding(f, T.STALE, since, title, evidence, _stamp(last))


def _damage_and_loss(f: ParcelFacts, tr: TrackState) -> list[Finding]:
    out = []
    damaged = [e for e in tr.timeline if e.reason == Reason.DAMAGE]
    if damaged:
        evidence: dict[str, Any] = {"events": [_event(e) for e in damaged]}
        out.append(_finding(f, T.DAMAGED, damaged[0].at, "快递公司报告快件破损", evidence, "carrier"))
    # damage or loss reported by the seller is a case of its own (services/case_actions.report, cause `seller:…`),
    # opened by a person and closed only by a person
    return out


def _city(f: ParcelFacts, tr: TrackState) -> list[Finding]:
    """The trailing run of last-mile events (派件/驿站/签收, before any return leg) in a city that is not the
    receiver's city or district."""
    if not (f.receiver_city or f.receiver_district):
        return []
    homeward = [e.at for e in tr.timeline if e.status in (S.REFUSED, S.RETURNING, S.RETURNED)]
    cut = min(homeward) if homeward else None
    mile = [e for e in tr.timeline if e.status in Groups.LAST_MILE and e.city and (cut is None or e.at < cut)]
    run: list[Event] = []
    for e in reversed(mile):
        if same_place(e.city, f.receiver_city, f.receiver_district):
            break
        run.insert(0, e)
    if not run:
        return []
    title = f"派送城市（{run[-1].city}）与收货城市（{f.receiver_city or f.receiver_district}）不符"
    evidence = {"trace_city": run[-1].city, "receiver_city": f.receiver_city,
                "receiver_district": f.receiver_district, "events": [_event(e) for e in run]}  # fmt: skip
    return [_finding(f, T.CITY_MISMATCH, run[0].at, title, evidence)]


def _timing(f: ParcelFacts, tr: TrackState) -> list[Finding]:
    """签收 before 揽收 (since the 揽收, the later of the two), else 签收 faster than the route allows."""
    delivered, picked = tr.delivered_at, tr.picked_up_at
    if delivered is None:
        return []
    if picked is not None and delivered < picked:
        evidence: dict[str, Any] = {"delivered_at": _iso(delivered), "picked_up_at": _iso(picked)}
        return [_finding(f, T.DELIVERED_BEFORE_PICKUP, picked, "签收时间早于揽收时间", evidence)]
    start = picked
    if start is None:
        earlier = [e.at for e in tr.timeline if e.at < delivered and e.status not in Groups.NOT_SCANNED]
        start = min(earlier) if earlier else f.shipped_at
    cls = distance_class(f.sender_province, f.sender_city, f.receiver_province, f.receiver_city)
    if start is None or cls is None:
        return []
    minimum = f.limits.min_hours(cls)
    took = delivered - start
    if took >= timedelta(hours=minimum):
        return []
    hours = round(took.total_seconds() / 3600, 2)
    title = f"签收过快：{hours} 小时（该线路估计至少 {minimum:g} 小时）"
    evidence = {"started_at": _iso(start), "delivered_at": _iso(delivered), "hours": hours,
                "distance_class": cls, "minimum_hours": minimum, "estimate": True}  # fmt: skip
    return [_finding(f, T.TOO_FAST, delivered, title, evidence)]
