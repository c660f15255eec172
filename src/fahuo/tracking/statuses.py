"""Tracking statuses: fahuo's one status language, its groups, and the tables from every outside vocabulary.

Pure Python (HOUSE.md habits 2, 3, 9). Outside vocabularies are normalised at the edge with
"ours = [their codes/strings]" tables:

- 快递100: the basic `state` (0 在途 … 14 拒签) and the advanced resultv2 sub-states (101 已下单 …
  1001 到达派件城市 … 209 破损 …), by code and by their Chinese names (a push item's `status` is a name,
  its `statusCode` a code). Source: FORMATS.md "Tracking status" plus the resultv2 list of 快递100's SDKs.
- AfterShip tags (the generic JSON webhook may send them).
- Free text (data/keywords.toml): the generic webhook and carriers that send only a context.

    normalise("301")                                 → (DELIVERED, "")
    normalise("2", "快件滞留在网点")                   → (EXCEPTION, "held")
    normalise(None, "【杭州市】快件已到达菜鸟驿站")       → (IN_LOCKER, "")
    normalise("delivered", source="generic")         → (DELIVERED, "")

`reason` is "" except for EXCEPTION and STALE (why), and "damage" may annotate any status whose text
mentions damage ("快件破损，已签收" is a delivery of a damaged parcel).
"""

from __future__ import annotations

import functools
import re
import tomllib
import unicodedata
from enum import StrEnum
from importlib import resources
from typing import Literal


class TrackStatus(StrEnum):
    AWAITING_PICKUP = "awaiting_pickup"  # 已下单/待揽收
    PICKED_UP = "picked_up"  # 揽收
    IN_TRANSIT = "in_transit"  # 在途
    OUT_FOR_DELIVERY = "out_for_delivery"  # 派件
    IN_LOCKER = "in_locker"  # 驿站/快递柜
    DELIVERED = "delivered"  # 签收
    EXCEPTION = "exception"  # 疑难 (with a reason)
    REFUSED = "refused"  # 拒签/拒收
    RETURNING = "returning"  # 退回
    RETURNED = "returned"  # 退签
    TRANSFERRED = "transferred"  # 转单: a new number follows
    NO_INFO = "no_info"  # nothing from the carrier yet
    STALE = "stale"  # no update for too long


class Reason(StrEnum):
    PROBLEM = "problem"  # 疑难 without a finer cause
    OVERDUE_UNSIGNED = "overdue_unsigned"  # 201 超时未签收
    NO_UPDATE = "no_update"  # 202 超时未更新
    DELIVERY_FAILED = "delivery_failed"  # 204 派件异常
    LOCKER_OVERDUE = "locker_overdue"  # 205 柜或驿站超时未取
    UNREACHABLE = "unreachable"  # 206 无法联系
    OUT_OF_AREA = "out_of_area"  # 207 超区
    HELD = "held"  # 208 滞留
    DAMAGE = "damage"  # 209 破损
    LOSS = "loss"  # 丢失
    CANCELLED = "cancelled"  # 210 销单, 401 已销单
    ADDRESS = "address"  # 地址不详
    CUSTOMS = "customs"  # 13 清关异常


S = TrackStatus
R = Reason

LABELS_ZH: dict[TrackStatus, str] = {
    S.AWAITING_PICKUP: "待揽收",
    S.PICKED_UP: "已揽收",
    S.IN_TRANSIT: "运输中",
    S.OUT_FOR_DELIVERY: "派送中",
    S.IN_LOCKER: "待取件（驿站/快递柜）",
    S.DELIVERED: "已签收",
    S.EXCEPTION: "疑难件",
    S.REFUSED: "拒签",
    S.RETURNING: "退回中",
    S.RETURNED: "已退签",
    S.TRANSFERRED: "已转单",
    S.NO_INFO: "暂无物流信息",
    S.STALE: "长时间未更新",
}
REASON_LABELS_ZH: dict[str, str] = {
    R.PROBLEM: "疑难",
    R.OVERDUE_UNSIGNED: "超时未签收",
    R.NO_UPDATE: "超时未更新",
    R.DELIVERY_FAILED: "派件异常",
    R.LOCKER_OVERDUE: "驿站/快递柜超时未取",
    R.UNREACHABLE: "无法联系收件人",
    R.OUT_OF_AREA: "超区",
    R.HELD: "滞留",
    R.DAMAGE: "破损",
    R.LOSS: "丢失",
    R.CANCELLED: "已销单",
    R.ADDRESS: "地址不详",
    R.CUSTOMS: "清关异常",
}


class Groups:
    # the journey is over: nothing later in time moves the parcel back onto the road
    FINAL = frozenset({S.DELIVERED, S.RETURNED})
    # needs a person's look
    PROBLEM = frozenset({S.EXCEPTION, S.REFUSED, S.RETURNING, S.RETURNED, S.STALE})
    # with the carrier, on its way to the buyer
    MOVING = frozenset({S.PICKED_UP, S.IN_TRANSIT, S.OUT_FOR_DELIVERY, S.IN_LOCKER, S.TRANSFERRED})
    # on its way back to the seller (later hub scans belong to the return trip)
    RETURN_LEG = frozenset({S.REFUSED, S.RETURNING})
    # reached the receiver's town: the city of these events is the destination
    LAST_MILE = frozenset({S.OUT_FOR_DELIVERY, S.IN_LOCKER, S.DELIVERED})
    # the carrier has not scanned the parcel (虚假发货 risk while shipped)
    NOT_SCANNED = frozenset({S.NO_INFO, S.AWAITING_PICKUP})
    # on the road: no news for too long makes these stale (in_locker waits for the buyer, not the carrier)
    CAN_STALL = frozenset({S.PICKED_UP, S.IN_TRANSIT, S.OUT_FOR_DELIVERY, S.TRANSFERRED, S.STALE})
    # still to watch
    OPEN = frozenset(set(TrackStatus) - {S.DELIVERED, S.RETURNED})


# How far along: orders events that share one timestamp (the further one is applied last, so it wins).
RANK: dict[TrackStatus, int] = {
    S.NO_INFO: 0,
    S.AWAITING_PICKUP: 10,
    S.PICKED_UP: 20,
    S.IN_TRANSIT: 30,
    S.TRANSFERRED: 30,
    S.STALE: 35,
    S.OUT_FOR_DELIVERY: 40,
    S.EXCEPTION: 45,
    S.IN_LOCKER: 50,
    S.DELIVERED: 60,
    S.REFUSED: 70,
    S.RETURNING: 80,
    S.RETURNED: 90,
}

# 快递100: ours = [their codes and names]. `state` 0–14 and the resultv2 sub-states.
# fmt: off
KUAIDI100: dict[tuple[TrackStatus, str], list[str]] = {
    (S.AWAITING_PICKUP, ""): ["101", "已下单", "102", "待揽收"],
    (S.PICKED_UP, ""): ["1", "揽收", "103", "已揽收"],
    (S.IN_TRANSIT, ""): [
        "0", "在途", "1001", "到达派件城市", "1002", "干线", "1003", "转递",
        "8", "清关", "10", "待清关", "11", "清关中", "12", "已清关",
    ],
    (S.OUT_FOR_DELIVERY, ""): ["5", "派件"],
    (S.IN_LOCKER, ""): ["501", "投柜或驿站"],
    (S.DELIVERED, ""): ["3", "签收", "301", "本人签收", "302", "派件异常后签收", "303", "代签", "304", "投柜或站签收", "投柜或驿站签收"],
    (S.RETURNED, ""): ["4", "退签"],
    (S.RETURNING, ""): ["6", "退回"],
    (S.TRANSFERRED, ""): ["7", "转投", "转单"],
    (S.REFUSED, ""): ["14", "拒签", "203", "拒收"],
    (S.EXCEPTION, R.PROBLEM): ["2", "疑难"],
    (S.EXCEPTION, R.OVERDUE_UNSIGNED): ["201", "超时未签收"],
    (S.STALE, R.NO_UPDATE): ["202", "超时未更新"],
    (S.EXCEPTION, R.DELIVERY_FAILED): ["204", "派件异常"],
    (S.EXCEPTION, R.LOCKER_OVERDUE): ["205", "柜或驿站超时未取"],
    (S.EXCEPTION, R.UNREACHABLE): ["206", "无法联系"],
    (S.EXCEPTION, R.OUT_OF_AREA): ["207", "超区"],
    (S.EXCEPTION, R.HELD): ["208", "滞留"],
    (S.EXCEPTION, R.DAMAGE): ["209", "破损"],
    (S.EXCEPTION, R.CANCELLED): ["210", "销单", "401", "已销单"],
    (S.EXCEPTION, R.CUSTOMS): ["13", "清关异常"],
}
# fmt: on
# 快递100 codes too coarse to trust alone: what the context may refine them into.
_K100_REFINE: dict[str, frozenset[TrackStatus]] = {
    # 在途 may be a pickup, a delivery round, a locker, a transfer or the return trip; never the end of the
    # journey, and never an exception (快递100 classifies those itself: boilerplate like "如有异常请联系"
    # must not raise one)
    **dict.fromkeys(
        ("0", "在途"),
        frozenset(
            {S.AWAITING_PICKUP, S.PICKED_UP, S.OUT_FOR_DELIVERY, S.IN_LOCKER, S.TRANSFERRED}
            | {S.REFUSED, S.RETURNING}
        ),
    ),
    **dict.fromkeys(("5", "派件"), frozenset({S.IN_LOCKER})),
    **dict.fromkeys(("2", "疑难"), frozenset({S.EXCEPTION})),  # the reason only
}

# AfterShip tags (FORMATS.md, for comparison; accepted by the generic webhook).
AFTERSHIP: dict[tuple[TrackStatus, str], list[str]] = {
    (S.AWAITING_PICKUP, ""): ["Pending", "InfoReceived"],
    (S.IN_TRANSIT, ""): ["InTransit"],
    (S.OUT_FOR_DELIVERY, ""): ["OutForDelivery"],
    (S.EXCEPTION, R.DELIVERY_FAILED): ["AttemptFail"],
    (S.DELIVERED, ""): ["Delivered"],
    (S.IN_LOCKER, ""): ["AvailableForPickup"],
    (S.EXCEPTION, R.PROBLEM): ["Exception"],
    (S.STALE, R.NO_UPDATE): ["Expired"],
}

Source = Literal["kuaidi100", "generic"]


def _invert(table: dict[tuple[TrackStatus, str], list[str]]) -> dict[str, tuple[TrackStatus, str]]:
    out: dict[str, tuple[TrackStatus, str]] = {}
    for ours, theirs in table.items():
        for t in theirs:
            if t in out:
                raise ValueError(f"{t!r} maps twice")
            out[t] = (ours[0], str(ours[1]))
    return out


_OURS = frozenset(s.value for s in TrackStatus)
_K100 = _invert(KUAIDI100)
_AFTERSHIP = {k.lower(): v for k, v in _invert(AFTERSHIP).items()}


@functools.cache
def keyword_rules() -> tuple[tuple[TrackStatus, str, re.Pattern[str]], ...]:
    """The rules of data/keywords.toml, in file order: (status, reason, one compiled alternation)."""
    text = resources.files("fahuo.tracking").joinpath("data", "keywords.toml").read_text(encoding="utf-8")
    rules = []
    for i, row in enumerate(tomllib.loads(text)["rule"], start=1):
        status = TrackStatus(row["status"])
        reason = str(Reason(row["reason"])) if row.get("reason") else ""
        if bool(reason) != (status in (S.EXCEPTION, S.STALE)):
            raise ValueError(f"keywords.toml rule {i}: reason {reason!r} does not fit status {status}")
        rules.append((status, reason, re.compile("|".join(f"(?:{p})" for p in row["patterns"]))))
    return tuple(rules)


def from_text(text: str) -> tuple[TrackStatus, str] | None:
    """The first keyword rule that matches `text`, or None."""
    t = unicodedata.normalize("NFKC", text or "")
    if not t.strip():
        return None
    for status, reason, rx in keyword_rules():
        if rx.search(t):
            return status, reason
    return None


def _mentions_damage(text: str) -> bool:
    t = unicodedata.normalize("NFKC", text or "")
    return any(reason == R.DAMAGE and rx.search(t) for _, reason, rx in keyword_rules())


_DEFAULT_REASON = {S.EXCEPTION: str(R.PROBLEM), S.STALE: str(R.NO_UPDATE)}


def normalise(code: str | int | None = None, text: str = "", source: Source = "kuaidi100") -> tuple[S, str]:
    """fahuo's (status, reason) for one tracking event: `code` is the outside code or status word (快递100
    state / resultv2 code or name; for "generic" one of ours, an AfterShip tag or a word), `text` its context.

    An unknown or missing code falls back to the keywords; an event nobody recognises is IN_TRANSIT (a
    carrier wrote something about the parcel), and no code and no text at all is NO_INFO.
    """
    if source not in ("kuaidi100", "generic"):
        raise ValueError(f"unknown source {source!r}")
    key = "" if code is None else str(code).strip()
    hit = from_text(text)
    found: tuple[TrackStatus, str] | None = None
    if source == "kuaidi100" and key in _K100:
        found = _K100[key]
        if hit is not None and hit[0] in _K100_REFINE.get(key, frozenset()):
            found = hit
    elif source == "generic" and (key in _OURS or key.lower() in _AFTERSHIP):
        found = (TrackStatus(key), "") if key in _OURS else _AFTERSHIP[key.lower()]
        if found[0] in _DEFAULT_REASON and found[1] in ("", R.PROBLEM):
            # a bare "exception" (or AfterShip's Exception): the context may say why
            found = hit if hit is not None and hit[0] == found[0] else (found[0], _DEFAULT_REASON[found[0]])
    elif source == "generic" and key:
        hit = from_text(f"{key} {text}")
    if found is None:
        found = hit or ((S.IN_TRANSIT, "") if key or (text or "").strip() else (S.NO_INFO, ""))
    if found[0] not in _DEFAULT_REASON and _mentions_damage(text):
        return found[0], str(R.DAMAGE)
    return found[0], str(found[1])


def kuaidi100_codes() -> tuple[str, ...]:
    """Every 快递100 code and name the table knows (for tests and the docs)."""
    return tuple(_K100)
