"""Which carrier an order goes by: the seller's ordered rules in plain words, then the recommendation.

Pure Python. The seller edits the rules on the phone, one per line; the first rule whose condition holds
and whose carrier can take the parcel decides. Grammar (Chinese or English keywords, mixed freely):

    rule       := condition { AND condition } ARROW action           AND   := 且 | 并且 | & | and
    ARROW      := → | -> | => | ⇒
    condition  := 目的地 [in|属于|在|是|不在|not in] places           (also 省份 / province / destination)
                | 金额 OP number [元]                                 (also 订单金额 / amount)
                | 重量 OP number [kg|公斤|千克|g|克|斤]              (also weight; no unit = kg)
                | 留言 包含 text                                      (also 买家留言 / message contains)
                | 备注 包含 text                                      (seller memo; also memo contains)
                | 标签 names                                          (any of the SKU tags; also tag)
                | 默认                                                (always; also 否则 / default / otherwise)
    action     := a carrier name (顺丰, 中通快递, SF, zhongtong …) | 人工 (hold for a person; also manual)
                | 最便宜 (also cheapest) | 最快 (also fastest)
    OP         := > | >= | < | <= | = (also ＞ ≥ ≤ 大于 超过 小于 不超过 至少 等于)
    places     := provinces or groups (偏远地区, 江浙沪, 华东 …; see provinces.py) separated by , ， 、 / or spaces
    text       := anything, optionally in quotes ("…" “…” 「…」)

Blank lines and lines starting with # are ignored, and so is a leading "1." / "2、" (the seller's own
numbering; "规则 N" in explanations counts the rules as parsed). Examples: `目的地 in 新疆,西藏,青海 → 邮政`,
`金额 > 500 → 顺丰`, `重量 > 20kg → 德邦`, `留言 包含 顺丰 → 顺丰`, `标签 易碎 → 顺丰`, `目的地 in 西藏 → 人工`,
`默认 → 最便宜`; `province in Tibet -> manual`, `weight > 500g and message contains "SF" -> SF`.

A rule naming a carrier that is not enabled or has no rate to the province does not decide: the
candidate's reason says why, and the next rule is tried. With no deciding rule: the cheapest available.
"""

from __future__ import annotations

import operator
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from . import catalog, provinces, rates
from .rates import Days, RateCard


@dataclass(frozen=True)
class OrderFacts:
    province: str | None  # any form ("新疆", "新疆维吾尔自治区"); None = unknown
    amount: Decimal
    weight_g: int
    buyer_message: str = ""
    seller_memo: str = ""
    tags: frozenset[str] = frozenset()  # SKU tags of the order's lines (易碎, 大件 …)


@dataclass(frozen=True)
class Condition:
    kind: str  # province | amount | weight | message | memo | tag | always
    op: str = ""  # > >= < <= = for amount/weight; "in" / "not in" for province
    number: Decimal = Decimal(0)  # yuan for amount, grams for weight
    words: frozenset[str] = frozenset()  # provinces (full names), tags, or the one text to look for

    def holds(self, f: OrderFacts, province: str | None) -> bool:
        if self.kind == "always":
            return True
        if self.kind == "province":
            return province is not None and ((province in self.words) == (self.op == "in"))
        if self.kind in ("amount", "weight"):
            value = f.amount if self.kind == "amount" else Decimal(f.weight_g)
            return bool(_COMPARE[self.op](value, self.number))
        if self.kind in ("message", "memo"):
            haystack = _fold(f.buyer_message if self.kind == "message" else f.seller_memo)
            return any(w in haystack for w in self.words)
        if self.kind == "tag":
            return bool(self.words & {_fold(t) for t in f.tags})
        raise ValueError(self.kind)


@dataclass(frozen=True)
class Rule:
    number: int  # 1-based position among the rules ("规则 2")
    line: int  # line in the text
    text: str  # as the seller wrote it
    conditions: tuple[Condition, ...]
    action: str  # carrier | manual | cheapest | fastest
    carrier: str | None = None

    def holds(self, f: OrderFacts, province: str | None) -> bool:
        return all(c.holds(f, province) for c in self.conditions)


@dataclass(frozen=True)
class RuleError:
    line: int
    text: str
    code: str  # stable: no_arrow, unknown_condition, unknown_action, unknown_place, bad_number, …
    message: str  # for people, names the line


@dataclass(frozen=True)
class Candidate:
    code: str
    name: str
    cost: Decimal | None
    days: Days | None
    available: bool
    reason: str = ""


@dataclass(frozen=True)
class Recommendation:
    chosen: str | None
    manual: bool  # a rule said: hold for a person
    rule: str | None  # the text of the rule that decided, None when none did
    explanation: str  # "规则 2：金额 > 500 → 顺丰", "最便宜", …
    candidates: tuple[Candidate, ...] = field(default_factory=tuple)


# --- parsing --------------------------------------------------------------------------------------------

_ARROW = re.compile(r"\s*(?:→|->|=>|⇒|➜|➡|－>|＝>)\s*")
_AND = re.compile(r"\s*(?:并且|且|&&|&)\s*|\s+and\s+", re.IGNORECASE)
_OPS = (
    (">=", ">="), ("≥", ">="), ("大于等于", ">="), ("不少于", ">="), ("不低于", ">="), ("至少", ">="),
    ("<=", "<="), ("≤", "<="), ("小于等于", "<="), ("不超过", "<="), ("不多于", "<="), ("至多", "<="),
    ("==", "="), (">", ">"), ("大于", ">"), ("超过", ">"), ("多于", ">"), ("高于", ">"),
    ("<", "<"), ("小于", "<"), ("少于", "<"), ("低于", "<"), ("=", "="), ("等于", "="),
)  # fmt: skip
_KEYWORDS = (
    ("province", ("目的地", "目的省份", "收货省份", "省份", "省", "地区", "destination", "province")),
    ("amount", ("订单金额", "实付金额", "金额", "amount", "total")),
    ("weight", ("重量", "weight")),
    ("message", ("买家留言", "留言", "buyer message", "message")),
    ("memo", ("卖家备注", "备注", "seller memo", "memo")),
    ("tag", ("商品标签", "标签", "tags", "tag")),
)
_ALWAYS = {"默认", "否则", "其他", "其它", "其余", "default", "otherwise", "else", "always"}
_ACTIONS = {
    "人工": "manual", "人工处理": "manual", "转人工": "manual", "manual": "manual", "hold": "manual",
    "最便宜": "cheapest", "便宜": "cheapest", "cheapest": "cheapest",
    "最快": "fastest", "快": "fastest", "fastest": "fastest",
}  # fmt: skip
_IN = re.compile(r"^(?:(not\s+in\b|不在|不属于|不是)|(?:in\b|属于|在|是|为|=|:|：))\s*", re.IGNORECASE)
_CONTAINS = re.compile(r"^(?:包含|含有|含|有|contains\b|has\b|includes\b|:|：)\s*", re.IGNORECASE)
_TAG_IS = re.compile(r"^(?:包含|含有|是|为|=|:|：|in\b|has\b|contains\b|is\b)\s*", re.IGNORECASE)
_LIST = re.compile(r"[,，、/;；]+")
_QUOTES = "\"'“”‘’「」『』《》"
_PAIRS = {'"': '"', "'": "'", "“": "”", "‘": "’", "「": "」", "『": "』", "《": "》"}
_NUMBERING = re.compile(r"^\s*\d+\s*[.、)）:：]\s*")  # "1. 金额 > 500 → 顺丰": the seller's own numbering
_UNITS = {"kg": 1000, "公斤": 1000, "千克": 1000, "g": 1, "克": 1, "斤": 500}
_NUMBER = re.compile(r"^[¥￥]?\s*(\d+(?:\.\d+)?)\s*([a-z公千克斤元]*)$", re.IGNORECASE)


class _Bad(ValueError):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code, self.message = code, message


def _fold(text: str) -> str:
    return unicodedata.normalize("NFKC", text).strip().lower()


def _split(pattern: re.Pattern[str], text: str, maxsplit: int = 0) -> list[str]:
    """`pattern.split(text)`, except inside quotes: 留言 包含 "A&B" stays one condition."""
    masked, closer = list(text), ""
    for i, ch in enumerate(text):
        if closer:
            masked[i] = "\0" if ch != closer else ch
            closer = "" if ch == closer else closer
        elif ch in _PAIRS:
            closer = _PAIRS[ch]
    parts: list[str] = []
    start = 0
    for m in pattern.finditer("".join(masked)):
        if maxsplit and len(parts) == maxsplit:
            break
        parts.append(text[start : m.start()])
        start = m.end()
    return [*parts, text[start:]]


_COMPARE = {">": operator.gt, ">=": operator.ge, "<": operator.lt, "<=": operator.le, "=": operator.eq}


def parse_rules(text: str) -> tuple[list[Rule], list[RuleError]]:
    """The seller's rules from their text, and every line that could not be read (with its line number)."""
    rules: list[Rule] = []
    errors: list[RuleError] = []
    for line_no, raw in enumerate(text.splitlines(), start=1):
        line = unicodedata.normalize("NFKC", raw).strip()
        if not line or line.startswith(("#", "//")):
            continue
        try:
            conditions, action, carrier = _parse_line(line)
        except _Bad as e:
            errors.append(RuleError(line_no, raw.strip(), e.code, f"第 {line_no} 行：{e.message}"))
            continue
        rules.append(Rule(len(rules) + 1, line_no, raw.strip(), conditions, action, carrier))
    return rules, errors


def _parse_line(line: str) -> tuple[tuple[Condition, ...], str, str | None]:
    parts = _split(_ARROW, line, maxsplit=1)
    if len(parts) != 2:
        raise _Bad("no_arrow", "缺少 →（例如：金额 > 500 → 顺丰）")
    left, right = _NUMBERING.sub("", parts[0]).strip(), parts[1].strip().strip(_QUOTES)
    if len(_split(_ARROW, right)) > 1:
        raise _Bad("two_arrows", "一条规则只能有一个 →")
    action = _ACTIONS.get(right.lower())
    carrier = None
    if action is None:
        carrier = catalog.carrier_from_text(right)
        if carrier is None:
            raise _Bad("unknown_action", f"不认识“{right}”：应是快递公司、人工、最便宜或最快")
        action = "carrier"
    if not left:
        raise _Bad("no_condition", "→ 前面缺少条件（或写“默认”）")
    return tuple(_condition(c) for c in _split(_AND, left)), action, carrier


def _condition(text: str) -> Condition:
    t = text.strip()
    if t.lower() in _ALWAYS:
        return Condition("always")
    low = t.lower()
    for kind, words in _KEYWORDS:
        for w in words:
            if low.startswith(w):
                return _PARSERS[kind](kind, t[len(w) :].strip())
    raise _Bad("unknown_condition", f"不认识的条件“{t}”：可用 目的地、金额、重量、留言、备注、标签、默认")


def _province(kind: str, rest: str) -> Condition:
    m = _IN.match(rest)
    negate = bool(m and m.group(1))
    body = rest[m.end() :] if m else rest
    found: list[str] = []
    for part in _LIST.split(body):
        part = part.strip().strip(_QUOTES)
        # "Inner Mongolia" is one place; "新疆 西藏" two: try the whole part, then its words
        for name in [part] if provinces.expand(part) else part.split():
            places = provinces.expand(name.strip(_QUOTES))
            if not places:
                raise _Bad("unknown_place", f"不认识的省份或地区“{name}”")
            found += places
    if not found:
        raise _Bad("no_place", "缺少省份（例如：目的地 in 新疆,西藏）")
    return Condition(kind, "not in" if negate else "in", words=frozenset(found))


def _measure(kind: str, rest: str) -> Condition:
    for word, op in _OPS:  # noqa: B007 - `op` is used after the loop
        if rest.startswith(word):
            value = rest[len(word) :].strip()
            break
    else:
        raise _Bad("bad_operator", f"{'金额' if kind == 'amount' else '重量'}后面应是 > < >= <= = 和一个数")
    m = _NUMBER.match(value)
    unit = m.group(2).lower() if m else ""
    ok_units = ("", "元") if kind == "amount" else ("", *_UNITS)
    if not m or unit not in ok_units:
        raise _Bad("bad_number", f"“{value}”不是{'金额（元）' if kind == 'amount' else '重量（如 20kg、500g）'}")
    number = Decimal(m.group(1)) * (_UNITS.get(unit, 1000) if kind == "weight" else 1)
    return Condition(kind, op, number=number)


def _contains(kind: str, rest: str) -> Condition:
    m = _CONTAINS.match(rest)
    needle = _fold((rest[m.end() :] if m else rest).strip().strip(_QUOTES))
    if not needle:
        raise _Bad("no_text", "包含什么？（例如：留言 包含 顺丰）")
    return Condition(kind, words=frozenset({needle}))


def _tag(kind: str, rest: str) -> Condition:
    m = _TAG_IS.match(rest)
    body = rest[m.end() :] if m else rest
    tags = frozenset(_fold(t.strip().strip(_QUOTES)) for t in re.split(r"[,，、/;；\s]+", body) if t.strip(_QUOTES))
    if not tags:
        raise _Bad("no_tag", "缺少标签名（例如：标签 易碎）")
    return Condition(kind, words=tags)


_PARSERS = {
    "province": _province, "amount": _measure, "weight": _measure,
    "message": _contains, "memo": _contains, "tag": _tag,
}  # fmt: skip


# --- recommendation -------------------------------------------------------------------------------------


def _option(code: str, card: RateCard | None, province: str | None, weight_g: int) -> Candidate:
    name = catalog.get(code).name_zh if catalog.find(code) else code
    if province is None:
        return Candidate(code, name, None, None, False, "收货省份未知")
    if card is None:
        return Candidate(code, name, None, None, False, "没有价格表")
    rate = card.rate_for(province)
    if rate is None:
        return Candidate(code, name, None, None, False, f"没有到{provinces.short_name(province)}的价格")
    return Candidate(code, name, rates.price(rate, weight_g), rate.days, True)


def _days_key(c: Candidate) -> tuple[int, int]:  # unknown days rank after every known one
    return (c.days.max, c.days.min) if c.days else (10**6, 10**6)


def _cheapest_key(c: Candidate) -> tuple[object, ...]:
    return (c.cost, *_days_key(c), catalog.order_of(c.code))


def _fastest_key(c: Candidate) -> tuple[object, ...]:
    return (*_days_key(c), c.cost, catalog.order_of(c.code))


def recommend(
    order_facts: OrderFacts,
    cards: Mapping[str, RateCard],
    rules: Sequence[Rule],
    enabled_carriers: Iterable[str],
) -> Recommendation:
    """Every enabled carrier with its cost and days, the one chosen, and the rule that chose it."""
    province = provinces.normalise_province(order_facts.province)
    enabled = sorted(set(enabled_carriers), key=catalog.order_of)
    options = {c: _option(c, cards.get(c), province, order_facts.weight_g) for c in enabled}
    notes: dict[str, list[str]] = {}
    decided: tuple[str | None, bool, Rule | None, str] | None = None
    for rule in rules:
        if not rule.holds(order_facts, province):
            continue
        label = f"规则 {rule.number}：{rule.text}"
        if rule.action == "manual":
            decided = (None, True, rule, f"{label}（人工处理）")
            break
        if rule.action == "carrier" and rule.carrier is not None:
            code = rule.carrier
            opt = options.get(code)
            if opt is None:  # not enabled: shown, with what it would cost, but never chosen
                shown = _option(code, cards.get(code), province, order_facts.weight_g)
                opt = options[code] = Candidate(code, shown.name, shown.cost, shown.days, False, "未启用")
            if not opt.available:
                notes.setdefault(code, []).append(f"{label}（未采用）")
                continue
            decided = (code, False, rule, label)
            break
        pool = [o for o in options.values() if o.available]
        if pool:
            pick = min(pool, key=_cheapest_key if rule.action == "cheapest" else _fastest_key)
            decided = (pick.code, False, rule, label)
            break
    if decided is None:
        pool = [o for o in options.values() if o.available]
        if pool:
            decided = (min(pool, key=_cheapest_key).code, False, None, "最便宜")
        else:
            why = "收货省份未知" if province is None else "没有可用的快递"
            decided = (None, False, None, why)
    chosen, manual, rule_used, explanation = decided
    out = []
    for code, o in options.items():
        reasons = [o.reason] if o.reason else []
        reasons += notes.get(code, [])
        if code == chosen:
            reasons.append(explanation)
        out.append(Candidate(o.code, o.name, o.cost, o.days, o.available, "；".join(reasons)))
    out.sort(key=lambda c: (not c.available, c.cost is None, c.cost or 0, *_days_key(c), catalog.order_of(c.code)))
    return Recommendation(chosen, manual, rule_used.text if rule_used else None, explanation, tuple(out))
