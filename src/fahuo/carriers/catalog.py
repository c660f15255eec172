"""The carriers fahuo knows: codes, names, outside codes, phones (data in `data/carriers.toml`).

Pure Python (HOUSE.md habit 2). Outside vocabularies are normalised at the edge (habit 9): every way a
carrier is written in a Taobao export's 物流公司 column, by a seller, or as another system's code maps
to fahuo's code through one "ours = [their strings]" table built from the data file.

    get("ZTO").name_zh                 → "中通"
    carrier_from_text("中通快递")        → "ZTO"
    carrier_from_text("中国邮政EMS")     → "EMS"
    carrier_from_text("申通快递（义乌网点）") → "STO"   (longest known name inside the text)
"""

from __future__ import annotations

import functools
import tomllib
import unicodedata
from dataclasses import dataclass
from importlib import resources

SANDBOX = "DEMO"


@dataclass(frozen=True)
class Carrier:
    code: str
    name_zh: str
    name_en: str
    cp_code: str  # Cainiao / TOP cp_code ("" = none)
    kuaidi100: str  # 快递100 `com`
    kdniao: str  # 快递鸟 ShipperCode
    phone: str  # customer service
    phone_last4: bool  # tracking query needs the receiver phone's last 4 digits
    sandbox: bool
    aliases: tuple[str, ...]
    note: str = ""

    @property
    def real(self) -> bool:
        return not self.sandbox


def data_text(name: str) -> str:
    """A file of `fahuo/carriers/data/` as text (UTF-8)."""
    return resources.files("fahuo.carriers").joinpath("data", name).read_text(encoding="utf-8")


def fold(text: str) -> str:
    """The key a carrier name is looked up by: NFKC, lower case, no whitespace, no `·`."""
    t = unicodedata.normalize("NFKC", text).lower()
    return "".join(ch for ch in t if not ch.isspace() and ch not in "·・")


@functools.cache
def _load() -> tuple[tuple[Carrier, ...], dict[str, str]]:
    raw = tomllib.loads(data_text("carriers.toml"))["carrier"]
    carriers: list[Carrier] = []
    table: dict[str, str] = {}  # folded name -> code
    for row in raw:
        c = Carrier(
            code=row["code"],
            name_zh=row["name_zh"],
            name_en=row["name_en"],
            cp_code=row.get("cp_code", ""),
            kuaidi100=row.get("kuaidi100", ""),
            kdniao=row.get("kdniao", ""),
            phone=row.get("phone", ""),
            phone_last4=bool(row.get("phone_last4", False)),
            sandbox=bool(row.get("sandbox", False)),
            aliases=tuple(row.get("aliases", ())),
            note=row.get("note", ""),
        )
        carriers.append(c)
        names = (c.code, c.name_zh, c.name_en, c.cp_code, c.kuaidi100, c.kdniao, *c.aliases)
        for name in names:
            key = fold(name)
            if not key:
                continue
            # Outside codes collide (快递鸟 "YD" is nobody else's, but keep the first owner if one ever
            # does): explicit names of an earlier carrier win.
            table.setdefault(key, c.code)
    return tuple(carriers), table


def all_carriers() -> tuple[Carrier, ...]:
    """Every carrier, in display order (the sandbox last)."""
    return _load()[0]


def real_carriers() -> tuple[Carrier, ...]:
    return tuple(c for c in all_carriers() if c.real)


@functools.cache
def _by_code() -> dict[str, Carrier]:
    return {c.code: c for c in all_carriers()}


def get(code: str) -> Carrier:
    """The carrier with fahuo code `code` (KeyError when unknown)."""
    return _by_code()[code]


def find(code: str) -> Carrier | None:
    return _by_code().get(code)


@functools.cache
def codes() -> tuple[str, ...]:
    return tuple(c.code for c in all_carriers())


@functools.cache
def _positions() -> dict[str, int]:
    return {code: i for i, code in enumerate(codes())}


def order_of(code: str) -> int:
    """Display position of a carrier (unknown codes last): the last tie-break of every ranking."""
    return _positions().get(code, len(codes()))


def aliases_table() -> dict[str, str]:
    """The "ours = [their strings]" table, folded name → code (a copy)."""
    return dict(_load()[1])


@functools.cache
def _by_length() -> tuple[tuple[str, str], ...]:
    return tuple(sorted(_load()[1].items(), key=lambda kv: -len(kv[0])))


def carrier_from_text(text: str | None) -> str | None:
    """fahuo code for a carrier name as written anywhere (物流公司 column, a rule, a CSV), or None.

    Exact name first (after `fold`); else the longest known name contained in the text, so that
    "申通快递（义乌网点）" is 申通 and "邮政EMS快递" is EMS, not 邮政. Latin names and codes ("SF", "EMS",
    "sto") only count as whole words: "EMS（经济）" is EMS, "stock" is nothing.
    """
    if not text:
        return None
    key = fold(text)
    if not key:
        return None
    table = _load()[1]
    if key in table:
        return table[key]
    for name, code in _by_length():
        if name.isascii():
            if _has_word(key, name):
                return code
        elif name in key:
            return code
    return None


def _has_word(text: str, word: str) -> bool:
    """`word` in `text` with no ASCII letter or digit right before or after it ("sto" is not in "stock")."""
    start = text.find(word)
    while start >= 0:
        end = start + len(word)
        before = text[start - 1] if start else ""
        after = text[end] if end < len(text) else ""
        if not (before.isascii() and before.isalnum()) and not (after.isascii() and after.isalnum()):
            return True
        start = text.find(word, start + 1)
    return False
