"""Tracking events: one shape for every source, and `fold` — the parcel's state from its events.

Pure Python (HOUSE.md habit 2). The webhook and polling services parse what arrives (快递100 pushes,
the generic JSON format; signatures checked first, see the end of this module), store `Event`s, and
fold them:

- Duplicates are one event: `Event.key()` = number + instant + status + a hash of the context.
  Among copies with one key the one kept is chosen by its fields, never by arrival.
- Status is decided by EVENT TIME, never by arrival order: the timeline is sorted by (time, rank, key)
  and replayed through the rules below, so any order, any duplicates and a full re-push (`updateall`)
  fold into the same state and timeline.
- A parcel never goes back from 签收 (delivered) or 退签 (returned) to the road. An event that arrives late
  with an older time simply sorts before the 签收. An event with a NEWER time that says the parcel is
  moving again is kept in the timeline but does not change the status: it is listed in
  `TrackState.suspicious` (a carrier rescanning a signed parcel, a reused number) for a person to read.
  Only the return leg may follow a 签收 (拒签 / 退回 / 退签 after a 代签: the parcel really goes back).
- The return leg: once 退回 (returning), later hub scans belong to the trip back (status stays
  returning) and a 签收 on that leg is the sender signing for it (returned). After 拒签 (refused) hub
  scans keep the status refused; a later 签收 is a delivery (the buyer changed their mind).
- Events saying "not yet scanned" (已下单, 待揽收) after a scan do not move the status back.
- 转单: `transferred_to` is the new number named by the latest 转单 event; fold the new number's events
  together with the old ones and the timeline reads as one journey.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

from fahuo.carriers import catalog, detect, provinces

from .statuses import RANK, Groups, Reason, TrackStatus, normalise

S = TrackStatus


@dataclass(frozen=True)
class Event:
    number: str
    carrier: str  # fahuo carrier code when known, else the source's own code
    at: datetime  # aware
    status: TrackStatus
    reason: str = ""  # statuses.Reason for exception/stale; "damage" may annotate any status
    context: str = ""  # the carrier's text, as shown on its own page
    city: str = ""
    raw_code: str = ""  # the outside code or word the status came from
    source: str = ""  # kuaidi100 | generic | sandbox | manual …

    def __post_init__(self) -> None:
        if self.at.tzinfo is None or self.at.utcoffset() is None:
            raise ValueError(f"event time must be timezone-aware: {self.at!r}")
        object.__setattr__(self, "status", TrackStatus(self.status))

    def key(self) -> str:
        """The dedupe key: number + instant (UTC, µs) + status + 16 hex of the context's SHA-1."""
        instant = self.at.astimezone(UTC).strftime("%Y%m%dT%H%M%S.%fZ")
        return f"{self.number}|{instant}|{self.status.value}|{context_hash(self.context)}"


def context_hash(context: str) -> str:
    """16 hex digits of SHA-1 over the context with its whitespace collapsed (re-pushes re-space text)."""
    return hashlib.sha1(" ".join(context.split()).encode("utf-8")).hexdigest()[:16]


@dataclass(frozen=True)
class TrackState:
    status: TrackStatus = S.NO_INFO
    reason: str = ""  # for exception / stale
    status_since: datetime | None = None  # time of the event that set (status, reason)
    last_event_at: datetime | None = None
    first_scan_at: datetime | None = None  # the carrier's first scan of any kind (not 已下单/待揽收/销单)
    picked_up_at: datetime | None = None  # the first 揽收 event
    delivered_at: datetime | None = None  # the 签收 that made the parcel delivered
    timeline: list[Event] = field(default_factory=list)  # by time, then rank, then key
    transferred_to: str | None = None  # new number named by the latest 转单 event
    suspicious: list[Event] = field(default_factory=list)  # newer events ignored after 签收/退签


def _preference(e: Event) -> tuple[object, ...]:
    """Which copy of one key is kept: the one with a city, then the smallest fields (deterministic)."""
    offset = e.at.utcoffset() or timedelta(0)
    return (e.city == "", e.city, e.raw_code, e.source, e.carrier, e.reason, e.context, offset)


def dedupe(events: Iterable[Event]) -> list[Event]:
    """One event per key, sorted by (time, rank, key): the timeline."""
    best: dict[str, Event] = {}
    for e in events:
        k = e.key()
        cur = best.get(k)
        if cur is None or _preference(e) < _preference(cur):
            best[k] = e
    return [e for _, e in sorted(best.items(), key=lambda kv: (kv[1].at, RANK[kv[1].status], kv[0]))]


def _next(cur: TrackStatus, homeward: bool, ev: TrackStatus) -> TrackStatus | None:
    """The status after an event (None: ignore it as suspicious). See the module docstring."""
    if cur in Groups.FINAL:
        if ev == cur or (cur == S.DELIVERED and ev in (S.REFUSED, S.RETURNING, S.RETURNED)):
            return ev
        return None
    if ev in Groups.NOT_SCANNED and cur not in Groups.NOT_SCANNED:
        return cur
    if homeward:
        if ev in Groups.MOVING or ev == S.REFUSED:
            return S.RETURNING
        if ev == S.DELIVERED:
            return S.RETURNED
        return ev
    if cur == S.REFUSED and ev in Groups.MOVING:
        return S.REFUSED
    return ev


def fold(events: Iterable[Event]) -> TrackState:
    """The parcel's state from its events, whatever their order and however often each arrived."""
    timeline = dedupe(events)
    if not timeline:
        return TrackState()
    status, reason, since = S.NO_INFO, "", None
    homeward = False
    delivered_at = None
    suspicious: list[Event] = []
    for e in timeline:
        new = _next(status, homeward, e.status)
        if new is None:
            suspicious.append(e)
            continue
        new_reason = (e.reason or "") if new in (S.EXCEPTION, S.STALE) and new == e.status else ""
        if new in (S.EXCEPTION, S.STALE) and new == status and not new_reason:
            new_reason = reason
        if (new, new_reason) != (status, reason):
            status, reason, since = new, new_reason, e.at
        if new == S.RETURNING:
            homeward = True
        if new == S.DELIVERED and delivered_at is None:
            delivered_at = e.at
    scans = [e.at for e in timeline if e.status not in Groups.NOT_SCANNED and e.reason != Reason.CANCELLED]
    pickups = [e.at for e in timeline if e.status == S.PICKED_UP]
    transfer = None
    for e in timeline:
        if e.status == S.TRANSFERRED:
            transfer = transfer_target(e) or transfer
    return TrackState(
        status=status,
        reason=reason,
        status_since=since,
        last_event_at=max(e.at for e in timeline),
        first_scan_at=min(scans) if scans else None,
        picked_up_at=min(pickups) if pickups else None,
        delivered_at=delivered_at,
        timeline=timeline,
        transferred_to=transfer,
        suspicious=suspicious,
    )


# A waybill-like token in a 转单 text; phone numbers (mobile, 400/800) are not waybills.
_TOKEN = re.compile(r"(?<![A-Za-z0-9])([A-Za-z]{0,4}\d{8,20})(?![A-Za-z0-9])")
_PHONE = re.compile(r"1[3-9]\d{9}|[48]00\d{7}")
_AFTER_LABEL = re.compile(r"(?:单号|运单|新单)[号码]?\s*[:：为是]?\s*$")


def transfer_target(e: Event) -> str | None:
    """The new number a 转单 event names: a token a carrier pattern recognises, else one right after
    "单号"/"运单号"; never the event's own number or a phone number."""
    labelled: str | None = None
    for m in _TOKEN.finditer(e.context):
        token = detect.normalise(m.group(1))
        if token == detect.normalise(e.number) or _PHONE.fullmatch(token):
            continue
        if detect.detect(token):
            return token
        if labelled is None and _AFTER_LABEL.search(e.context[: m.start()]):
            labelled = token
    return labelled


def effective_status(state: TrackState, now: datetime, stale_after: timedelta) -> TrackStatus:
    """STALE for a parcel on the road (揽收/在途/派件/转单) with no event for `stale_after`, else its status."""
    if (
        state.status in Groups.CAN_STALL
        and state.last_event_at is not None
        and now - state.last_event_at >= stale_after
    ):
        return S.STALE
    return state.status


# ---- what arrives: 快递100 pushes, the generic JSON format, their signatures --------------------------

SHANGHAI = ZoneInfo("Asia/Shanghai")
_REASONS = frozenset(r.value for r in Reason)


class TrackingFormatError(ValueError):
    """A push or payload fahuo cannot read; `code` is stable (kuaidi100_bad_json, generic_no_number …)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


class Kuaidi100Push(NamedTuple):
    status: str  # polling | shutdown | abort | updateall
    number: str
    carrier: str  # fahuo carrier code when the 快递100 `com` is known, else the `com` itself
    new_com: str | None  # comNew (a 快递100 code): on abort, re-subscribe under it
    events: list[Event]


def verify_kuaidi100_sign(param: str, salt: str, sign: str) -> bool:
    """sign == MD5(param + salt) as hex, either case. No salt or no sign is never valid."""
    if not salt or not sign:
        return False
    expected = hashlib.md5((param + salt).encode("utf-8")).hexdigest()
    return hmac.compare_digest(expected.encode("ascii"), sign.strip().lower().encode("utf-8"))


def verify_hmac(body: bytes, secret: str | bytes, signature_header: str) -> bool:
    """signature == HMAC-SHA256(secret, body) as hex, either case, optionally prefixed "sha256="."""
    if not secret or not signature_header:
        return False
    key = secret.encode("utf-8") if isinstance(secret, str) else secret
    given = signature_header.strip()
    if given[:7].lower() == "sha256=":
        given = given[7:]
    expected = hmac.new(key, body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected.encode("ascii"), given.strip().lower().encode("utf-8"))


def _carrier(text: str) -> str:
    return catalog.carrier_from_text(text) or text


def _local_time(text: object, code: str) -> datetime:
    raw = str(text or "").strip()
    for fmt in ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y/%m/%d %H:%M:%S", "%Y/%m/%d %H:%M"):
        try:
            return datetime.strptime(raw, fmt).replace(tzinfo=SHANGHAI)
        except ValueError:
            continue
    raise TrackingFormatError(code, f"unreadable time {raw!r}")


def _object(payload: str | bytes | Mapping[str, Any], code: str) -> Mapping[str, Any]:
    if isinstance(payload, Mapping):
        return payload
    try:
        obj = json.loads(payload)
    except ValueError as e:
        raise TrackingFormatError(code, f"not JSON: {e}") from e
    if not isinstance(obj, dict):
        raise TrackingFormatError(code, "not a JSON object")
    return obj


def parse_kuaidi100_push(param: str | bytes) -> Kuaidi100Push:
    """The form field `param` of a 快递100 push. `lastResult.data` is newest first; `ftime` is Beijing time.

    Each item is classified by itself (its resultv2 `statusCode`, else its `status` name, else its
    text), never by the push's overall `state`: an item then folds the same in every later push that
    repeats it (subscribe with resultv2 so that items carry their status).
    """
    obj = _object(param, "kuaidi100_bad_json")
    last = obj.get("lastResult") or {}
    if not isinstance(last, Mapping):
        raise TrackingFormatError("kuaidi100_bad_json", "lastResult is not an object")
    number = detect.normalise(str(last.get("nu") or ""))
    if not number:
        raise TrackingFormatError("kuaidi100_no_number", "lastResult.nu is missing")
    com = str(last.get("com") or obj.get("comNew") or obj.get("comOld") or "")
    carrier = _carrier(com)
    events: list[Event] = []
    for item in last.get("data") or []:
        if not isinstance(item, Mapping):
            raise TrackingFormatError("kuaidi100_bad_json", "a data item is not an object")
        code = str(item.get("statusCode") or item.get("status") or "").strip()
        context = str(item.get("context") or "")
        status, reason = normalise(code or None, context, "kuaidi100")
        at = _local_time(item.get("ftime") or item.get("time"), "kuaidi100_bad_time")
        city = city_from_area(str(item.get("areaName") or "")) or city_from_text(context)
        events.append(Event(number, carrier, at, status, reason, context, city, code, "kuaidi100"))
    return Kuaidi100Push(
        str(obj.get("status") or ""), number, carrier, str(obj.get("comNew") or "") or None, events
    )


def parse_generic(payload: str | bytes | Mapping[str, Any]) -> list[Event]:
    """The generic JSON format (for carriers and tools that can sign with HMAC-SHA256):

        {"number": "YT8962646785389", "carrier": "YTO",
         "events": [{"time": "2024-06-01T09:30:00+08:00", "status": "in_transit",
                     "context": "【杭州转运中心】已发出", "city": "杭州", "reason": ""}]}

    `carrier`: a fahuo code or any name fahuo knows (else kept as sent). `time`: ISO-8601; without an
    offset it is Beijing time. `status`: one of fahuo's statuses, an AfterShip tag, or a word (then the
    context decides, as for text-only carriers). `context`, `city`, `reason` are optional; without a city
    one is read from the context.
    """
    obj = _object(payload, "generic_bad_json")
    number = detect.normalise(str(obj.get("number") or ""))
    if not number:
        raise TrackingFormatError("generic_no_number", "number is missing")
    carrier = _carrier(str(obj.get("carrier") or ""))
    items = obj.get("events")
    if not isinstance(items, list):
        raise TrackingFormatError("generic_bad_json", "events must be a list")
    out: list[Event] = []
    for item in items:
        if not isinstance(item, Mapping):
            raise TrackingFormatError("generic_bad_json", "an event is not an object")
        try:
            at = datetime.fromisoformat(str(item.get("time") or ""))
        except ValueError as e:
            raise TrackingFormatError("generic_bad_time", f"unreadable time {item.get('time')!r}") from e
        if at.tzinfo is None:
            at = at.replace(tzinfo=SHANGHAI)
        code = str(item.get("status") or "").strip()
        context = str(item.get("context") or "")
        status, reason = normalise(code or None, context, "generic")
        given = str(item.get("reason") or "")
        if given in _REASONS and status in (S.EXCEPTION, S.STALE):
            reason = given
        city = str(item.get("city") or "").strip() or city_from_text(context)
        out.append(Event(number, carrier, at, status, reason, context, city, code, "generic"))
    return out


# ---- the city an event happened in ---------------------------------------------------------------------

_HAN = "\u4e00-\u9fff"
_BRACKET = re.compile(r"[【\[]([^】\]]{2,40})[】\]]")
_ADMIN_CITY = re.compile(rf"^([{_HAN}]{{2,6}}?(?:市|自治州|地区|盟))")
_HUB = re.compile(
    rf"(?:^|[\s【】\[\]（）(),，。:：;；]|已到达|到达|发往|离开|抵达|经过|进入|已到|到|在|经|从)"
    rf"([{_HAN}]{{2,4}}?)(?:转运中心|分拨中心|集散中心|中转场|转运场|分拣中心|中转中心|处理中心|转运|分拨)"
)
_NOT_CITIES = ("华东", "华南", "华北", "华中", "西南", "西北", "东北", "全国", "国际", "航空", "同城", "本地")


def city_from_area(area: str) -> str:
    """快递100 areaName ("山东,济南市,历城区,孙村", "天津") → the city ("济南市", "天津"); "" if only a province."""
    parts = [p for p in re.split(r"[,，\s]+", area.strip()) if p]
    if not parts:
        return ""
    province = provinces.normalise_province(parts[0])
    if province is None:
        return parts[0]
    if province in provinces.MUNICIPALITIES or province in provinces.HK_MO_TW:
        return parts[0]
    return parts[1] if len(parts) > 1 else ""


def city_from_text(context: str) -> str:
    """A heuristic city from a carrier's text: 【浙江省杭州市XX公司】 → 杭州市, 【杭州市】 → 杭州市,
    "到达杭州转运中心" → 杭州; "" when nothing looks like one. areaName, when sent, is preferred."""
    for m in _BRACKET.finditer(context):
        inner = m.group(1).strip()
        province = provinces.normalise_province(inner)
        if province is not None:
            if province in provinces.MUNICIPALITIES:
                return provinces.short_name(province) + "市"
            short = provinces.short_name(province)
            inner = inner[len(province) :] if inner.startswith(province) else inner[len(short) :]
        city = _ADMIN_CITY.match(inner)
        if city and not city.group(1).endswith(("超市", "门市")):
            return city.group(1)
    for m in _HUB.finditer(context):
        name = m.group(1)
        if name not in _NOT_CITIES and provinces.normalise_province(name) is None:
            return name
    return ""
