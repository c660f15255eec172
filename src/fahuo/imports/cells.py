"""Cell cleaners for platform exports.

Every cleaner takes whatever a CSV or XLSX cell can hold (str, int, float, bool, datetime, date,
time, timedelta, None) and either returns a clean Python value or raises `CellError`, never anything
else: the report reader turns a CellError into a row rejection that names the column and the value,
and a stray TypeError would make it look like a bug instead of a bad cell.

Why the wrappers: Taobao writes long numbers as `="2345…"` (or with a leading tab / apostrophe) so
that Excel keeps them as text. When a seller opens and re-saves the file in Excel anyway, an 18-digit
order number becomes `2.34568E+18` and its last digits are gone for good; we refuse those loudly.
"""

from __future__ import annotations

import math
import re
from datetime import date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")

# Excel's day zero for serial dates (the 1900 leap-year bug is absorbed by starting on the 30th).
_EXCEL_EPOCH = datetime(1899, 12, 30)
_EXCEL_MAX_SERIAL = 2958466  # 9999-12-31

_EMPTY_WORDS = frozenset({"", "-", "--", "null", "none", "nan", "n/a", "无"})
_STRIP_CHARS = " \t\r\n\u3000\xa0\ufeff\u200b"


class CellError(ValueError):
    """A cell that cannot be cleaned. `code` is stable, `message` is for people (Chinese first)."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


def _unwrap_excel(s: str) -> str:
    """`="123"` → `123`; also a leading `=` before a quoted value and a leading tab."""
    s = s.strip(_STRIP_CHARS)
    if s.startswith('="') and s.endswith('"') and len(s) >= 3:
        s = s[2:-1].strip(_STRIP_CHARS)
    elif s.startswith("=") and len(s) >= 2 and s[1:].lstrip(_STRIP_CHARS).startswith('"'):
        s = s[1:].strip(_STRIP_CHARS).strip('"').strip(_STRIP_CHARS)
    return s


def clean_text(v: object) -> str:
    """Any cell → stripped text; None and NaN → "". Excel `="…"` wrappers are removed.

    Integral floats (XLSX stores every number as a float) lose their `.0`; datetimes are written
    `yyyy-MM-dd HH:mm:ss` so that they read back through `parse_time`.
    """
    if v is None:
        return ""
    if type(v) is str:  # the hot path: every CSV cell
        s = v.strip(_STRIP_CHARS)
        return _unwrap_excel(s) if s[:1] == "=" else s
    if isinstance(v, str):
        return _unwrap_excel(v)
    if isinstance(v, bool):
        return "TRUE" if v else "FALSE"
    if isinstance(v, float):
        if math.isnan(v):
            return ""
        if math.isfinite(v) and v.is_integer() and abs(v) < 1e15:
            return str(int(v))
        return repr(v)
    if isinstance(v, datetime):
        return v.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(v, date):
        return v.isoformat()
    try:
        return str(v).strip(_STRIP_CHARS)
    except Exception:  # a cell type with a broken __str__: treat as empty rather than crash
        return ""


def clean_code(v: object) -> str:
    """Identifiers (waybill, 商家编码, sub-order number): clean_text, then drop a leading apostrophe."""
    return clean_text(v).lstrip("'‘’`").strip(_STRIP_CHARS)


# --- order numbers ---------------------------------------------------------------------------------

_SCIENTIFIC = re.compile(r"^[+-]?\d+(?:\.\d*)?[eE][+-]?\d+$")
_ORDER_NO = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{3,39}$")
_SCIENTIFIC_MSG = (
    "被 Excel 改成了科学计数法，无法还原；请重新导出 (order number damaged into scientific notation)"
)


def clean_order_no(v: object) -> str:
    """The platform order number as text, or CellError (`order_no_scientific` / `bad_order_no`).

    Taobao order numbers are 15–19 digits; other platforms use letters, digits, `-` and `_`,
    so we accept 4–40 of those. The output is a fixed point: clean_order_no(clean_order_no(x)) == it.
    """
    if isinstance(v, bool):
        raise CellError("bad_order_no", "不是订单编号 (not an order number)")
    if isinstance(v, int):
        v = str(v)
    elif isinstance(v, float):
        if not math.isfinite(v):
            raise CellError("bad_order_no", "不是订单编号 (not an order number)")
        if abs(v) >= 1e15:  # a float cannot hold more than 15 significant digits: the order number is gone
            raise CellError("order_no_scientific", _SCIENTIFIC_MSG)
        if not v.is_integer():
            raise CellError("bad_order_no", "不是订单编号 (not an order number)")
        v = str(int(v))
    s = clean_text(v)
    s = s.lstrip("'‘’`")
    s = re.sub(r"\s+", "", s)
    if not s:
        raise CellError("bad_order_no", "订单编号为空 (order number is empty)")
    if _SCIENTIFIC.match(s):
        raise CellError("order_no_scientific", _SCIENTIFIC_MSG)
    if not _ORDER_NO.match(s):
        raise CellError(
            "bad_order_no",
            "不是有效的订单编号：应为 4–40 位数字或字母 (not a valid order number: 4–40 digits or letters)",
        )
    return s


# --- times -----------------------------------------------------------------------------------------

_TIME = re.compile(
    r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?"
    r"(?:[ T]+(\d{1,2})[:：](\d{1,2})(?:[:：](\d{1,2})(?:\.\d{1,6})?)?)?$"
)
_BAD_TIME_MSG = "不是可识别的时间，应为 yyyy-MM-dd HH:mm:ss (not a recognised time)"


def _aware(dt: datetime) -> datetime:
    if dt.tzinfo is None:
        return dt.replace(tzinfo=SHANGHAI)
    return dt.astimezone(SHANGHAI)


def parse_time(v: object) -> datetime | None:
    """A cell → aware datetime in Asia/Shanghai, None when empty, CellError `bad_time` otherwise.

    Naive times in a platform export are Beijing time. XLSX dates arrive as datetime objects or as
    Excel serial numbers (days since 1899-12-30) depending on the cell format.
    """
    if v is None:
        return None
    if isinstance(v, datetime):
        return _aware(v)
    if isinstance(v, date):
        return datetime(v.year, v.month, v.day, tzinfo=SHANGHAI)
    if isinstance(v, bool) or isinstance(v, time | timedelta):
        raise CellError("bad_time", _BAD_TIME_MSG)
    if isinstance(v, int | float):
        if isinstance(v, float) and math.isnan(v):
            return None
        if not (1 <= v < _EXCEL_MAX_SERIAL):
            raise CellError("bad_time", _BAD_TIME_MSG)
        try:
            dt = _EXCEL_EPOCH + timedelta(days=float(v))
        except (OverflowError, ValueError):
            raise CellError("bad_time", _BAD_TIME_MSG)
        # Excel stores times as fractions of a day; round to the second it meant.
        dt = (dt + timedelta(microseconds=500_000)).replace(microsecond=0)
        return dt.replace(tzinfo=SHANGHAI)
    s = clean_text(v)
    if s.lower() in _EMPTY_WORDS:
        return None
    m = _TIME.match(s)
    if not m:
        raise CellError("bad_time", _BAD_TIME_MSG)
    y, mo, d, hh, mi, ss = m.groups()
    try:
        return datetime(int(y), int(mo), int(d), int(hh or 0), int(mi or 0), int(ss or 0), tzinfo=SHANGHAI)
    except ValueError:
        raise CellError("bad_time", _BAD_TIME_MSG)


# --- numbers ---------------------------------------------------------------------------------------

_MONEY = re.compile(r"^[+-]?(?:\d+(?:\.\d*)?|\.\d+)$")
_MONEY_JUNK = re.compile(r"[¥￥,，\s]|元$|^RMB", re.I)
_BAD_AMOUNT_MSG = "不是有效的金额 (not a valid amount)"


def parse_money(v: object) -> Decimal | None:
    """A cell → Decimal (¥, commas and 元 stripped), None when empty, CellError `bad_amount` otherwise."""
    if v is None:
        return None
    if isinstance(v, bool):
        raise CellError("bad_amount", _BAD_AMOUNT_MSG)
    if isinstance(v, Decimal):
        if not v.is_finite():
            raise CellError("bad_amount", _BAD_AMOUNT_MSG)
        return v
    if isinstance(v, int):
        return Decimal(v)
    if isinstance(v, float):
        if math.isnan(v):
            return None
        if not math.isfinite(v):
            raise CellError("bad_amount", _BAD_AMOUNT_MSG)
        v = repr(v)  # shortest text that round-trips: 12.3 → "12.3", not 12.300000000000000710…
        if "e" in v or "E" in v:
            raise CellError("bad_amount", _BAD_AMOUNT_MSG)
    s = clean_text(v)
    if s.lower() in _EMPTY_WORDS:
        return None
    s = _MONEY_JUNK.sub("", s)
    if not _MONEY.match(s):
        raise CellError("bad_amount", _BAD_AMOUNT_MSG)
    try:
        return Decimal(s)
    except InvalidOperation:
        raise CellError("bad_amount", _BAD_AMOUNT_MSG)


_INT = re.compile(r"^[+-]?\d{1,12}(?:\.0*)?$")
_BAD_INT_MSG = "不是整数 (not a whole number)"


def parse_int(v: object) -> int | None:
    """A cell → int (`3`, `3.0`, ` 3 `), None when empty, CellError `bad_number` otherwise."""
    if v is None:
        return None
    if isinstance(v, bool):
        raise CellError("bad_number", _BAD_INT_MSG)
    if isinstance(v, int):
        return v
    if isinstance(v, float):
        if math.isnan(v):
            return None
        if not (math.isfinite(v) and v.is_integer() and abs(v) < 1e12):
            raise CellError("bad_number", _BAD_INT_MSG)
        return int(v)
    s = clean_text(v).replace(",", "")
    if s.lower() in _EMPTY_WORDS:
        return None
    if not _INT.match(s):
        raise CellError("bad_number", _BAD_INT_MSG)
    return int(s.split(".")[0])
