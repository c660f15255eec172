"""The life of a 演示快递 parcel as a stream of 快递100-style events, with the troubles real parcels have.

    rng = Random(7)
    events = generate("FH000000000042", Place("浙江省", "杭州市", "西湖区"),
                      Receiver("张三", "13800138000", "四川省", "成都市", "武侯区", "人民南路1号"),
                      shipped_at, rng, Scenario.only("refused"), speed=60)
    due(events, now)  # what a player releases by `now`

Each event carries 快递100's base `state` code ("0" 在途, "1" 揽收, "2" 疑难, "3" 签收, "4" 退签, "5" 派件,
"6" 退回, "7" 转投, "14" 拒签) and the resultv2 sub-state where one fits ("103", "1001", "1002", "501", "301",
"302", "303", "304"), so they go through the same parser as real pushes (`push.kuaidi100_push`).

The timeline is built on a real-time clock (pickup 1–6 h after shipping, hub scans, 派件 between 8 and 11
in the morning, signed the same day) and then squeezed towards `shipped_at` by `speed`: at speed 60 a day
lasts 24 minutes. Times stay in order at any speed; "morning" only means morning at speed 1.

One stream has at most one outcome (problem 疑难, refused 拒签, returned 退回, damaged 破损, lost 丢失,
transfer 转投, or a normal delivery) and may also be late to pick up and/or stall in transit. Every event
of a stream carries the same `scenario_tag` ("normal", "stall", "late_pickup+refused" …).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields, replace
from datetime import datetime, time, timedelta
from random import Random
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

from fahuo.tracking.sandbox.routes import Stop, leg_hours, route

SHANGHAI = ZoneInfo("Asia/Shanghai")
CARRIER_NAME = "演示快递"
MODIFIERS = ("late_pickup", "stall")
OUTCOMES = ("problem", "refused", "returned", "damaged", "lost", "transfer")
KINDS = MODIFIERS + OUTCOMES

PROBLEM_REASONS = ("收件地址不详", "收件人电话无人接听", "收件人电话停机", "收件人要求改约时间派送")
REFUSAL_REASONS = ("不想要了", "商品与描述不符", "未购买此商品", "外包装破损")
RETURN_REASONS = ("收件地址超出派送范围", "多次联系收件人未果", "寄件方要求拦截退回")
_SURNAMES = "王李张刘陈杨赵黄周吴徐孙马朱胡郭何高林罗"
_LOCKERS = ("菜鸟驿站", "丰巢智能柜", "兔喜生活", "妈妈驿站")
_PLACES = ("阳光花园", "幸福里", "文苑小区", "万达广场", "学府路", "翠苑一区", "金色家园", "人民路")


@dataclass(frozen=True)
class Scenario:
    """Chance of each trouble per parcel. Modifiers are drawn independently; outcomes are exclusive (their sum
    at most 1; what is left is a normal delivery). `locker` is the chance a normal delivery goes into a
    驿站/快递柜 instead of into the buyer's hands: not a trouble."""

    late_pickup: float = 0.04
    stall: float = 0.04
    problem: float = 0.04
    refused: float = 0.03
    returned: float = 0.03
    damaged: float = 0.03
    lost: float = 0.02
    transfer: float = 0.01
    locker: float = 0.35

    def __post_init__(self) -> None:
        if any(not 0.0 <= getattr(self, f.name) <= 1.0 for f in fields(self)):
            raise ValueError("Scenario probabilities must be between 0 and 1")
        if sum(getattr(self, k) for k in OUTCOMES) > 1.0 + 1e-9:
            raise ValueError(f"the outcomes {OUTCOMES} are exclusive: their probabilities sum to at most 1")

    @classmethod
    def happy(cls, locker: float = 0.35) -> Scenario:
        """No trouble at all."""
        return cls(**{k: 0.0 for k in KINDS}, locker=locker)

    @classmethod
    def only(cls, *kinds: str, locker: float = 0.35) -> Scenario:
        """Exactly these troubles, for sure (at most one outcome): `Scenario.only("late_pickup", "refused")`."""
        unknown = set(kinds) - set(KINDS)
        if unknown:
            raise ValueError(f"unknown scenario kinds {sorted(unknown)}; known: {KINDS}")
        return replace(cls.happy(locker), **{k: 1.0 for k in kinds})


class Place(NamedTuple):
    province: str
    city: str
    district: str = ""


class Receiver(NamedTuple):
    name: str
    phone: str
    province: str
    city: str
    district: str = ""
    detail: str = ""


@dataclass(frozen=True)
class GeneratedEvent:
    at: datetime  # aware, Asia/Shanghai
    state: str  # 快递100 base state code, "0".."14"
    context: str  # the carrier's text
    area_name: str  # the city the event happened in, "成都市"
    scenario_tag: str  # the stream's troubles, "normal" when none
    province: str = ""
    sub_state: str = ""  # resultv2 advanced code when one fits ("1002", "501" …), else = state
    step: str = ""  # pickup | depart | arrive | out_for_delivery | in_locker | delivered | problem | damaged |
    #                 lost | refused | return | returning | returned | transfer


def _coerce(value: Any, cls: Any, aliases: Mapping[str, str] | None = None) -> Any:
    """A Place/Receiver from itself, a tuple, or a mapping (a demo receiver dict has `mobile`, not `phone`)."""
    if isinstance(value, cls):
        return value
    if isinstance(value, Mapping):
        alias = aliases or {}
        return cls(**{f: value.get(f) or value.get(alias.get(f, f)) or "" for f in cls._fields})
    return cls(*value)


def _phone(rng: Random) -> str:
    return f"1{rng.choice('3589')}{rng.randrange(10**9):09d}"


class _Builder:
    def __init__(self, tag: str, rng: Random, start: datetime):
        self.tag, self.rng, self.t = tag, rng, start
        self.events: list[GeneratedEvent] = []

    def wait(self, hours: float) -> None:
        self.t += timedelta(seconds=max(60, round(hours * 3600)))

    def emit(self, stop: Stop, state: str, step: str, text: str, sub: str = "") -> None:
        self.events.append(GeneratedEvent(self.t, state, f"【{stop.city}】{text}", stop.city, self.tag,
                                          stop.province, sub or state, step))

    def morning(self) -> None:
        """Move to the next 派件 round: 8–11 h local time, at least half an hour from now."""
        earliest = self.t + timedelta(minutes=30)
        day = earliest.date()
        eight = datetime.combine(day, time(8), SHANGHAI)
        if earliest < eight:
            target = eight + timedelta(hours=self.rng.uniform(0, 3))
        elif earliest < eight + timedelta(hours=3):
            target = earliest + (eight + timedelta(hours=3) - earliest) * self.rng.random()
        else:
            target = eight + timedelta(days=1, hours=self.rng.uniform(0, 3))
        self.t = target.replace(microsecond=0)


def generate(
    number: str,
    origin: Place | Mapping[str, str] | Iterable[str],
    receiver: Receiver | Mapping[str, str] | Iterable[str],
    shipped_at: datetime,
    rng: Random | int,
    scenario: Scenario | None = None,
    speed: float = 1.0,
) -> list[GeneratedEvent]:
    """The events of parcel `number` from `origin` to `receiver`, oldest first. Deterministic for a seed."""
    if speed <= 0:
        raise ValueError("speed must be positive")
    rng = rng if isinstance(rng, Random) else Random(rng)
    sc = scenario or Scenario()
    org = _coerce(origin, Place)
    rcv = _coerce(receiver, Receiver, {"phone": "mobile"})
    start = (shipped_at if shipped_at.tzinfo else shipped_at.replace(tzinfo=SHANGHAI)).astimezone(SHANGHAI)

    late, stall = rng.random() < sc.late_pickup, rng.random() < sc.stall
    outcome, x = "", rng.random()
    for kind in OUTCOMES:
        x -= getattr(sc, kind)
        if x < 0:
            outcome = kind
            break
    tag = "+".join(k for k, on in (("late_pickup", late), ("stall", stall), (outcome, bool(outcome))) if on)
    stops = route(org.city, org.province, rcv.city, rcv.province, rng,
                  origin_district=org.district, dest_district=rcv.district)
    b = _Builder(tag or "normal", rng, start.replace(microsecond=0))
    _forward(b, stops, rcv, late, stall, outcome, sc)
    if speed == 1:
        return b.events
    return [replace(e, at=start + (e.at - start) / speed) for e in b.events]


def _forward(b: _Builder, stops: list[Stop], rcv: Receiver, late: bool, stall: bool, outcome: str,
             sc: Scenario) -> None:
    rng = b.rng
    hubs = stops[1:-1]
    stall_leg = rng.randrange(len(stops) - 1) if stall else -1  # a long silence before reaching stops[i+1]
    trouble_hub = rng.randrange(len(hubs))  # where damage or loss happens

    first = stops[0]
    b.wait(rng.uniform(24, 60) if late else rng.uniform(1, 6))
    b.emit(first, "1", "pickup", f"快件已由 {first.hub_name} 揽收，揽收员：{rng.choice(_SURNAMES)}师傅，"
           f"电话：{_phone(rng)}", "103")
    b.wait(rng.uniform(0.5, 2.5))
    b.emit(first, "0", "depart", f"快件已从 {first.hub_name} 发出，下一站 {stops[1].hub_name}", "1002")
    for i, hub in enumerate(hubs):
        b.wait(leg_hours(stops[i], hub, rng) + (rng.uniform(48, 96) if i == stall_leg else 0))
        b.emit(hub, "0", "arrive", f"快件已到达 {hub.hub_name}", "1001" if hub.kind == "dest_hub" else "1002")
        if outcome == "damaged" and i == trouble_hub:
            b.wait(rng.uniform(0.3, 2))
            b.emit(hub, "2", "damaged", f"快件在 {hub.hub_name} 发现外包装破损，已拍照留存并加固包装，"
                   "正在联系寄件方确认")
            b.wait(rng.uniform(2, 12))
        if outcome == "transfer" and hub.kind == "dest_hub":
            b.wait(rng.uniform(1, 4))
            b.emit(hub, "7", "transfer", f"快件已转交 中国邮政 继续派送，新单号：98{rng.randrange(10**11):011d}，"
                   "请至中国邮政官网查询")
            return
        b.wait(rng.uniform(1, 4))
        nxt = stops[i + 2]
        b.emit(hub, "0", "depart", f"快件已从 {hub.hub_name} 发出，下一站 {nxt.hub_name}", "1002")
        if outcome == "lost" and i == trouble_hub:
            if rng.random() < 0.5:  # silence forever, or the carrier owns up days later
                b.wait(rng.uniform(72, 144))
                b.emit(hub, "2", "lost", f"经核实，快件在 {hub.hub_name} 发往 {nxt.hub_name} 途中丢失，"
                       "已登记理赔，请寄件方联系客服处理")
            return
    last = stops[-1]
    b.wait(leg_hours(hubs[-1], last, rng) + (rng.uniform(48, 96) if stall_leg == len(stops) - 2 else 0))
    b.emit(last, "0", "arrive", f"快件已到达 {last.hub_name}", "1001")
    if outcome == "returned":
        b.wait(rng.uniform(2, 20))
        b.emit(last, "6", "return", f"快件因{rng.choice(RETURN_REASONS)}，已安排原单号退回寄件人")
        _return(b, stops)
        return
    _deliver(b, stops, rcv, outcome, sc)


def _out(b: _Builder, stop: Stop, courier: str, phone: str, again: bool = False) -> None:
    b.morning()
    b.emit(stop, "5", "out_for_delivery", f"快件正在{'再次' if again else ''}派送中，派送员：{courier}**，"
           f"电话：{phone}，请保持电话畅通")


def _deliver(b: _Builder, stops: list[Stop], rcv: Receiver, outcome: str, sc: Scenario) -> None:
    rng, last = b.rng, stops[-1]
    courier, phone = rng.choice(_SURNAMES), _phone(rng)
    _out(b, last, courier, phone)
    if outcome == "refused":
        b.wait(rng.uniform(0.5, 4))
        b.emit(last, "14", "refused", f"收件人拒收快件，拒收原因：{rng.choice(REFUSAL_REASONS)}，快件将退回寄件人")
        b.wait(rng.uniform(2, 10))
        b.emit(last, "6", "return", "快件已安排原单号退回，退回原因：收件人拒收")
        _return(b, stops)
        return
    sub = "301"
    if outcome == "problem":
        b.wait(rng.uniform(0.5, 4))
        b.emit(last, "2", "problem", f"快件派送不成功，原因：{rng.choice(PROBLEM_REASONS)}，派送员将与收件人再次联系")
        if rng.random() < 0.4:  # stays a problem parcel: nothing more happens
            return
        _out(b, last, courier, phone, again=True)
        sub = "302"
    b.wait(rng.uniform(0.5, 5.5))
    if rng.random() < sc.locker:
        spot = f"{rng.choice(_LOCKERS)}（{(rcv.district or last.city).removesuffix('区')}{rng.choice(_PLACES)}店）"
        code = f"{rng.randint(1, 9)}-{rng.randint(1, 6)}-{rng.randrange(10**4):04d}"
        b.emit(last, "5", "in_locker", f"快件已放入 {spot}，取件码：{code}，请及时领取，"
               f"如有疑问请联系派送员 {courier}**，电话：{phone}", "501")
        if rng.random() < 0.4:  # the 驿站 signs at once, or the buyer fetches it later
            b.wait(rng.uniform(0.05, 0.5))
            b.emit(last, "3", "delivered", f"您的快件已由 {spot} 代签收，感谢使用{CARRIER_NAME}", "304")
        else:
            b.wait(rng.uniform(1, 30))
            b.emit(last, "3", "delivered", f"您的快件已从 {spot} 取出，签收人：本人，感谢使用{CARRIER_NAME}", "304")
        return
    who, code = rng.choices((("本人", sub), ("家人", "303"), ("门卫", "303"), ("前台", "303")), (8, 1, 1, 1))[0]
    b.emit(last, "3", "delivered", f"您的快件已签收，签收人：{who}，感谢使用{CARRIER_NAME}，期待再次为您服务",
           code if sub == "301" else sub)


def _return(b: _Builder, stops: list[Stop]) -> None:
    """Back along the same hubs to the origin 网点, where the sender signs (退签)."""
    rng, back = b.rng, stops[::-1]
    for prev, hub, nxt in zip(back, back[1:-1], back[2:], strict=False):
        b.wait(leg_hours(prev, hub, rng))
        b.emit(hub, "6", "returning", f"退回件已到达 {hub.hub_name}")
        b.wait(rng.uniform(1, 4))
        b.emit(hub, "6", "returning", f"退回件已从 {hub.hub_name} 发出，下一站 {nxt.hub_name}")
    home = back[-1]
    b.wait(leg_hours(back[-2], home, rng))
    b.emit(home, "6", "returning", f"退回件已到达 {home.hub_name}")
    b.morning()
    b.emit(home, "6", "returning", f"退回件正在派送中，派送员：{rng.choice(_SURNAMES)}**，电话：{_phone(rng)}")
    b.wait(rng.uniform(0.5, 5))
    b.emit(home, "4", "returned", f"退回件已签收，签收人：寄件人，感谢使用{CARRIER_NAME}")


def due(events: Iterable[GeneratedEvent], now: datetime) -> list[GeneratedEvent]:
    """The events that have happened by `now` (a player releases these as time passes)."""
    return [e for e in events if e.at <= now]
