"""Rate cards: 首重 + 续重 per carrier and destination province, transit days, and their CSV form.

Pure Python, exact `Decimal` arithmetic.

A **rate** (one carrier to one province, or "*" = every province without its own row):
  first_kg      首重, kg (default 1)          first_price   首重价格, yuan
  extra_price   续重价格, yuan per kg           extra_step_kg 续重单位, kg (default 1; 0.5 for carriers that
                                                              bill per half kilo)
  days          时效 in days: (min, max), equal when one number was given; None when unknown
  volumetric_divisor  抛比 (e.g. 6000 or 8000): read and kept, ignored by the price for now

**The price** of a parcel of weight w (grams → kg exactly, w / 1000):
  - w ≤ first_kg (including 0 g: a parcel always pays its first weight) → first_price;
  - else the weight above first_kg is rounded UP to a whole number of steps,
      extra_kg = ceil((w − first_kg) / extra_step_kg) × extra_step_kg
    and the price is first_price + extra_kg × extra_price,
  - rounded ROUND_HALF_UP to 0.01 at the end (only a step price with more than 2 decimals needs it).
  So with 首重 1 kg ¥5 and 续重 ¥2/kg (step 1 kg): 0 g → 5.00, 1000 g → 5.00, 1001 g → 7.00, 2000 g →
  7.00, 2001 g → 9.00; with step 0.5 kg: 1001 g → 6.00, 1500 g → 6.00, 1501 g → 7.00.

**CSV** (`parse_rate_card_csv`). Header row, columns matched by name (order free; text in brackets is
ignored, so `首重(kg)` = `首重`; English names accepted):

    快递公司,目的省份,首重(kg),首重价格,续重价格,续重单位(kg),时效(天)
    carrier, province, first_kg, first_price, extra_price, extra_step_kg, days      (optional: 抛比 /
    volumetric_divisor)

Required: 快递公司, 目的省份, 首重价格, 续重价格. 快递公司 is any carrier name fahuo knows (中通快递, ZTO,
zhongtong …). 目的省份 is a province in any form ("新疆" → "新疆维吾尔自治区"), a group ("江浙沪",
"偏远地区"), several of them separated by / 、 ; or "*" / "其他" (the carrier's default). 时效 is "2",
"2-3" or "2~3". Prices may carry ¥ or 元. Blank lines and lines starting with # are skipped. Every refused
line is reported with its line number in the file and a reason; a later row for a carrier and province
already given is refused ("duplicate"), the first one stays.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal, InvalidOperation

from . import catalog, provinces

DEFAULT = "*"
CENT = Decimal("0.01")
_GRAMS_PER_KG = Decimal(1000)


@dataclass(frozen=True)
class Days:
    min: int
    max: int

    def __str__(self) -> str:
        return f"{self.min}天" if self.min == self.max else f"{self.min}-{self.max}天"


@dataclass(frozen=True)
class Rate:
    carrier: str
    province: str  # full name, or DEFAULT
    first_price: Decimal
    extra_price: Decimal  # per kg
    first_kg: Decimal = Decimal(1)
    extra_step_kg: Decimal = Decimal(1)
    days: Days | None = None
    volumetric_divisor: int | None = None  # 抛比, kept, not used yet


@dataclass(frozen=True)
class RateCard:
    """One carrier's rates by province (full names; DEFAULT for the rest)."""

    carrier: str
    rates: Mapping[str, Rate] = field(default_factory=dict)

    def rate_for(self, province: str | None) -> Rate | None:
        full = provinces.normalise_province(province) if province else None
        if full is not None and full in self.rates:
            return self.rates[full]
        return self.rates.get(DEFAULT)


class NoRateError(LookupError):
    def __init__(self, carrier: str, province: str | None) -> None:
        super().__init__(f"no rate for {carrier} to {province or '?'}")
        self.code = "no_rate"
        self.carrier = carrier
        self.province = province


@dataclass(frozen=True)
class Rejection:
    line: int  # 1-based line number in the file (the header is line 1 when it comes first)
    code: str  # stable: missing_column, unknown_carrier, unknown_province, bad_number, bad_days, duplicate, …
    reason: str  # for people (Chinese)


def card(carrier: str, rates: Iterable[Rate]) -> RateCard:
    return RateCard(carrier, {r.province: r for r in rates})


def extra_steps(rate: Rate, weight_g: int) -> int:
    """How many 续重 steps a parcel of `weight_g` grams pays (0 within the first weight)."""
    over = Decimal(max(weight_g, 0)) / _GRAMS_PER_KG - rate.first_kg
    if over <= 0:
        return 0
    return int((over / rate.extra_step_kg).to_integral_value(rounding=ROUND_CEILING))


def price(rate: Rate, weight_g: int) -> Decimal:
    """The price of one parcel at this rate (see the module doc for the rounding)."""
    extra_kg = extra_steps(rate, weight_g) * rate.extra_step_kg
    return (rate.first_price + extra_kg * rate.extra_price).quantize(CENT, rounding=ROUND_HALF_UP)


def quote(card: RateCard, province: str | None, weight_g: int) -> Decimal:
    """Price of a parcel of `weight_g` grams to `province` on this card (NoRateError when no row applies)."""
    rate = card.rate_for(province)
    if rate is None:
        raise NoRateError(card.carrier, province)
    return price(rate, weight_g)


def crosses_step(card: RateCard, province: str | None, weight_g_before: int, weight_g_after: int) -> bool:
    """Does the change of weight move the parcel into another price bracket (another number of 续重 steps,
    or out of / into the first weight)? False when the card has no rate for the province: no card, no step."""
    rate = card.rate_for(province)
    if rate is None:
        return False
    return extra_steps(rate, weight_g_before) != extra_steps(rate, weight_g_after)


def transit_days(card: RateCard, province: str | None) -> Days | None:
    rate = card.rate_for(province)
    return rate.days if rate is not None else None


# --- CSV ------------------------------------------------------------------------------------------------

_COLUMNS: dict[str, tuple[str, ...]] = {  # field → accepted header names (folded)
    "carrier": ("快递公司", "快递", "物流公司", "承运商", "carrier"),
    "province": ("目的省份", "省份", "目的地", "province", "destination"),
    "first_kg": ("首重", "首重重量", "first_kg", "firstkg"),
    "first_price": ("首重价格", "首重价", "首重费用", "first_price", "firstprice"),
    "extra_price": ("续重价格", "续重价", "续重费用", "extra_price", "extraprice"),
    "extra_step_kg": ("续重单位", "续重步长", "extra_step_kg", "extrastepkg", "step_kg"),
    "days": ("时效", "天数", "days", "transit_days"),
    "volumetric_divisor": ("抛比", "体积系数", "volumetric_divisor"),
}
_REQUIRED = ("carrier", "province", "first_price", "extra_price")
_BRACKETS = re.compile(r"[(（\[【].*?[)）\]】]")
_SPLIT = re.compile(r"[/、;；|]+")
_MONEY_NOISE = re.compile(r"[¥￥元\s]|RMB|CNY", re.IGNORECASE)
_DAYS = re.compile(r"^(\d+)(?:\s*(?:-|~|～|–|—|到|至)\s*(\d+))?\s*天?$")


def _header_key(cell: str) -> str:
    return _BRACKETS.sub("", cell.replace("\ufeff", "")).strip().lower().replace(" ", "")


class _Bad(ValueError):
    def __init__(self, code: str, reason: str) -> None:
        super().__init__(reason)
        self.code, self.reason = code, reason


def _decimal(text: str, what: str, *, positive: bool = False) -> Decimal:
    t = _MONEY_NOISE.sub("", text)
    try:
        d = Decimal(t)
    except InvalidOperation:
        raise _Bad("bad_number", f"{what}不是数字：{text!r}")
    if not d.is_finite() or d < 0 or (positive and d == 0):
        raise _Bad("bad_number", f"{what}必须{'大于 0' if positive else '不小于 0'}：{text!r}")
    return d


def _days(text: str) -> Days | None:
    t = text.strip()
    if not t:
        return None
    m = _DAYS.match(t)
    if not m:
        raise _Bad("bad_days", f"时效应写成 2 或 2-3：{text!r}")
    lo = int(m.group(1))
    hi = int(m.group(2)) if m.group(2) else lo
    if hi < lo:
        raise _Bad("bad_days", f"时效的最少天数大于最多天数：{text!r}")
    return Days(lo, hi)


def _province_cell(text: str) -> tuple[str, ...]:
    t = text.strip()
    if t.lower() in provinces.DEFAULT_MARKERS:
        return (DEFAULT,)
    out: list[str] = []
    for part in _SPLIT.split(t):
        if not part.strip():
            continue
        found = provinces.expand(part)
        if not found:
            raise _Bad("unknown_province", f"不认识的省份：{part.strip()!r}")
        out += [p for p in found if p not in out]
    if not out:
        raise _Bad("missing", "目的省份为空")
    return tuple(out)


def _row(cells: Mapping[str, str]) -> list[Rate]:
    for f in _REQUIRED:
        if not cells.get(f, "").strip():
            raise _Bad("missing", f"缺少{_COLUMNS[f][0]}")
    code = catalog.carrier_from_text(cells["carrier"])
    if code is None:
        raise _Bad("unknown_carrier", f"不认识的快递公司：{cells['carrier'].strip()!r}")
    first_kg = _decimal(cells["first_kg"], "首重", positive=True) if cells.get("first_kg", "").strip() else Decimal(1)
    step_cell = cells.get("extra_step_kg", "").strip()
    step = _decimal(step_cell, "续重单位", positive=True) if step_cell else Decimal(1)
    first_price = _decimal(cells["first_price"], "首重价格")
    extra_price = _decimal(cells["extra_price"], "续重价格")
    days = _days(cells.get("days", ""))
    vd_cell = cells.get("volumetric_divisor", "").strip()
    vd = int(_decimal(vd_cell, "抛比", positive=True)) if vd_cell else None
    return [
        Rate(code, p, first_price, extra_price, first_kg, step, days, vd) for p in _province_cell(cells["province"])
    ]


def parse_rate_card_csv(text: str) -> tuple[dict[str, RateCard], list[Rejection]]:
    """Rate cards by carrier code from CSV text, and every refused line (see the module doc)."""
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")))
    columns: dict[str, int] | None = None
    rates: dict[str, dict[str, Rate]] = {}
    first_line: dict[tuple[str, str], int] = {}
    rejections: list[Rejection] = []
    line = 0
    for row in reader:
        start, line = line + 1, reader.line_num
        if not any(c.strip() for c in row) or row[0].lstrip().startswith("#"):
            continue
        if columns is None:
            columns = _columns(row)
            missing = [f for f in _REQUIRED if f not in columns]
            if missing:
                names = "、".join(_COLUMNS[f][0] for f in missing)
                return {}, [Rejection(start, "missing_column", f"表头缺少：{names}")]
            continue
        cells = {f: (row[i] if i < len(row) else "") for f, i in columns.items()}
        try:
            parsed = _row(cells)
        except _Bad as e:
            rejections.append(Rejection(start, e.code, e.reason))
            continue
        dup = [r for r in parsed if (r.carrier, r.province) in first_line]
        if dup:
            r = dup[0]
            where = "其他" if r.province == DEFAULT else r.province
            rejections.append(
                Rejection(start, "duplicate", f"{r.carrier} 到 {where} 已在第 {first_line[(r.carrier, r.province)]} 行")
            )
            continue
        for r in parsed:
            first_line[(r.carrier, r.province)] = start
            rates.setdefault(r.carrier, {})[r.province] = r
    if columns is None:
        return {}, [Rejection(1, "missing_column", "没有表头")]
    return {code: RateCard(code, by_province) for code, by_province in rates.items()}, rejections


def _columns(header: list[str]) -> dict[str, int]:
    lookup = {name: f for f, names in _COLUMNS.items() for name in names}
    out: dict[str, int] = {}
    for i, cell in enumerate(header):
        f = lookup.get(_header_key(cell))
        if f is not None and f not in out:
            out[f] = i
    return out


def sample_rate_cards() -> dict[str, RateCard]:
    """The packaged demo card (data/sample_rates.csv): a SAMPLE with made-up prices, not any carrier's."""
    cards, rejections = parse_rate_card_csv(catalog.data_text("sample_rates.csv"))
    if rejections:
        raise ValueError(f"data/sample_rates.csv: {rejections}")
    return cards
