"""Receiver phone numbers as Taobao exports them, and masking for display.

phonenumbers alone is not enough (research/stack.md §3): a masked `138****5678` "parses" to a
short invalid number without raising, a privacy number `13812345678-1234` is glued into 15 digits,
and `…转1234` raises. So we sort the raw text into kinds first and only feed clean digits to it.

Kinds: mobile, fixed (any other valid number: landline, 400/800), virtual (privacy number: an 11-digit
host number plus an extension), masked (contains `*`; never send it to a carrier), invalid, empty.
"""

from __future__ import annotations

import re
import unicodedata

import phonenumbers as pn

from .cells import clean_code
from .types import ParsedPhone


def _cn_mobile_pattern() -> re.Pattern[str]:
    """phonenumbers' own CN mobile pattern, so the fast path agrees with is_valid_number()."""
    metadata = pn.PhoneMetadata.metadata_for_region("CN")
    pattern = metadata.mobile.national_number_pattern if metadata and metadata.mobile else None
    return re.compile(pattern or r"1[3-9]\d{9}")


_CN_MOBILE = _cn_mobile_pattern()

_EXT_SEP = r"(?:[-－—_,，#＃转]|ext\.?|分机号?)"
# 13812345678-1234 / 13812345678转1234 / +86 138 1234 5678 #1234
_VIRTUAL = re.compile(r"^(?:\+?86|0086)?[-\s]*(1\d{10})\s*" + _EXT_SEP + r"\s*(\d{1,6})$", re.I)
# 0571-88888888-123 / 0571 88888888转123
_FIXED_EXT = re.compile(r"^(0\d{2,3})[-\s]*(\d{7,8})\s*" + _EXT_SEP + r"\s*(\d{1,6})$", re.I)
_SEPARATORS = re.compile(r"[\s\-－—()（）.]+")
_CN_PREFIX = re.compile(r"^(?:\+86|0086|86)(?=1\d{10}$)")


def _normalise(raw: object) -> tuple[str, str]:
    """(cleaned raw text, the same with full-width digits and ＋ from Chinese IMEs made ASCII)."""
    raw_s = clean_code(raw)
    if raw_s.isascii():
        return raw_s, raw_s
    return raw_s, unicodedata.normalize("NFKC", raw_s).strip()


def _is_cn_mobile(digits: str) -> bool:
    return len(digits) == 11 and _CN_MOBILE.fullmatch(digits) is not None


def parse_phone(raw: object) -> ParsedPhone:
    """Sort a raw phone cell into a ParsedPhone. Never raises."""
    raw_s, s = _normalise(raw)
    if not s:
        return ParsedPhone(raw="", kind="empty", number="")
    if "*" in s and not _VIRTUAL.match(s):
        return ParsedPhone(raw=raw_s, kind="masked", number=raw_s)

    m = _VIRTUAL.match(s)
    if m:
        host, ext = m.groups()
        if _is_cn_mobile(host):
            return ParsedPhone(raw=raw_s, kind="virtual", number=host, extension=ext)
        return ParsedPhone(raw=raw_s, kind="invalid", number=raw_s)

    m = _FIXED_EXT.match(s)
    if m:
        area, local, ext = m.groups()
        if _valid_fixed(area + local):
            return ParsedPhone(raw=raw_s, kind="fixed", number=area + local, extension=ext)
        return ParsedPhone(raw=raw_s, kind="invalid", number=raw_s)

    compact = _SEPARATORS.sub("", s)
    compact = _CN_PREFIX.sub("", compact)
    if compact.isdigit() and _is_cn_mobile(compact):  # fast path: ~1 µs instead of phonenumbers' ~65 µs
        return ParsedPhone(raw=raw_s, kind="mobile", number=compact)
    return _parse_with_phonenumbers(raw_s, compact)


def _valid_fixed(digits: str) -> bool:
    try:
        n = pn.parse(digits, "CN")
    except pn.NumberParseException:
        return False
    return pn.is_valid_number(n) and pn.number_type(n) != pn.PhoneNumberType.MOBILE


def _parse_with_phonenumbers(raw_s: str, compact: str) -> ParsedPhone:
    if not re.fullmatch(r"\+?\d{5,16}", compact):
        return ParsedPhone(raw=raw_s, kind="invalid", number=raw_s)
    try:
        n = pn.parse(compact, "CN")
    except pn.NumberParseException:
        return ParsedPhone(raw=raw_s, kind="invalid", number=raw_s)
    if not pn.is_valid_number(n):
        return ParsedPhone(raw=raw_s, kind="invalid", number=raw_s)
    kind = "mobile" if pn.number_type(n) == pn.PhoneNumberType.MOBILE else "fixed"
    if n.country_code != 86:
        return ParsedPhone(raw=raw_s, kind=kind, number=pn.format_number(n, pn.PhoneNumberFormat.E164))
    national = str(n.national_number)
    if kind == "fixed" and not national.startswith(("400", "800")):
        national = "0" + national  # landlines are dialled with the trunk 0: 0571…
    return ParsedPhone(raw=raw_s, kind=kind, number=national)


# --- masking ---------------------------------------------------------------------------------------

_MOBILE_WITH_EXT = re.compile(r"^(1\d{10})(\D+\d{1,6})$")


def mask_phone(s: str | None) -> str:
    """`13812345678` → `138****5678`; any other number keeps only its last 4 characters.

    A privacy number keeps its extension (useless without the host number): `138****0000-1234`.
    Text that is already masked is returned as is.
    """
    s = (s or "").strip()
    if not s or "*" in s:
        return s
    m = _MOBILE_WITH_EXT.match(s)
    if m:
        host, ext = m.groups()
        return host[:3] + "****" + host[-4:] + ext
    compact = _CN_PREFIX.sub("", _SEPARATORS.sub("", s))
    if len(compact) == 11 and compact.isdigit() and compact.startswith("1"):
        return compact[:3] + "****" + compact[-4:]
    if len(s) <= 4:
        return "*" * len(s)
    return "*" * (len(s) - 4) + s[-4:]


def mask_name(s: str | None) -> str:
    """`张三丰` → `张**`, `张三` → `张*`, `张` → `张*`: the first character and at least one star."""
    s = (s or "").strip()
    if not s:
        return ""
    return s[0] + "*" * max(1, len(s) - 1)
