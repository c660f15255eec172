"""Cell cleaners: what Taobao and Excel do to order numbers, times and amounts."""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from fahuo.imports.cells import (
    CellError,
    clean_code,
    clean_order_no,
    clean_text,
    parse_int,
    parse_money,
    parse_time,
)

SH = ZoneInfo("Asia/Shanghai")


# --- clean_text -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw, expected",
    [
        (None, ""),
        ("", ""),
        ("  张三 \t", "张三"),
        ('="2345678901234567"', "2345678901234567"),
        ('\t="2345"', "2345"),
        ("\ufeff订单编号", "订单编号"),
        ("\u3000留言\u3000", "留言"),
        (float("nan"), ""),
        (12.0, "12"),
        (12.5, "12.5"),
        (7, "7"),
        (datetime(2024, 5, 1, 10, 11, 12), "2024-05-01 10:11:12"),
        (date(2024, 5, 1), "2024-05-01"),
    ],
)
def test_clean_text(raw, expected):
    assert clean_text(raw) == expected


def test_clean_code_drops_the_leading_apostrophe_excel_users_type():
    assert clean_code("'SF1234567890") == "SF1234567890"


# --- clean_order_no -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("2345678901234567890", "2345678901234567890"),
        ('="2345678901234567890"', "2345678901234567890"),
        ("\t2345678901234567890", "2345678901234567890"),
        ("'2345678901234567890", "2345678901234567890"),
        (" 2345 6789 0123 ", "234567890123"),
        (123456789012, "123456789012"),
        (123456789012.0, "123456789012"),
        ("PDD-240501_0001", "PDD-240501_0001"),
    ],
)
def test_clean_order_no_accepts_wrapped_numbers(raw, expected):
    assert clean_order_no(raw) == expected


@pytest.mark.parametrize("raw", ["2.345E+18", "2.34568E+18", "2.34568e18", '="2.345E+18"', 2.345e18])
def test_clean_order_no_refuses_scientific_notation(raw):
    with pytest.raises(CellError) as err:
        clean_order_no(raw)

    assert err.value.code == "order_no_scientific"
    assert err.value.message == (
        "被 Excel 改成了科学计数法，无法还原；请重新导出 (order number damaged into scientific notation)"
    )


@pytest.mark.parametrize("raw", ["", None, "合计", "123", "12.5", "x" * 41, "订单123456", True, float("nan")])
def test_clean_order_no_refuses_what_is_not_an_order_number(raw):
    with pytest.raises(CellError) as err:
        clean_order_no(raw)

    assert err.value.code == "bad_order_no"


# --- parse_time -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("2024-05-01 10:11:12", datetime(2024, 5, 1, 10, 11, 12, tzinfo=SH)),
        ("2024-05-01 10:11", datetime(2024, 5, 1, 10, 11, tzinfo=SH)),
        ("2024/5/1 9:05", datetime(2024, 5, 1, 9, 5, tzinfo=SH)),
        ("2024/5/1 9:05:07", datetime(2024, 5, 1, 9, 5, 7, tzinfo=SH)),
        ("2024-05-01", datetime(2024, 5, 1, tzinfo=SH)),
        ('="2024-05-01 10:11:12"', datetime(2024, 5, 1, 10, 11, 12, tzinfo=SH)),
        (45413.5, datetime(2024, 5, 1, 12, 0, tzinfo=SH)),  # Excel serial
        (datetime(2024, 5, 1, 10, 11, 12), datetime(2024, 5, 1, 10, 11, 12, tzinfo=SH)),
        (date(2024, 5, 1), datetime(2024, 5, 1, tzinfo=SH)),
    ],
)
def test_parse_time_reads_the_formats_seen(raw, expected):
    got = parse_time(raw)

    assert got == expected
    assert got.tzinfo == SH


def test_parse_time_converts_aware_times_to_shanghai():
    got = parse_time(datetime(2024, 5, 1, 2, 0, tzinfo=UTC))

    assert (got.hour, got.tzinfo) == (10, SH)


@pytest.mark.parametrize("raw", [None, "", "  ", "-", "null"])
def test_parse_time_empty_is_none(raw):
    assert parse_time(raw) is None


@pytest.mark.parametrize(
    "raw", ["2024-13-01 10:00:00", "昨天", "10:11:12", "2024-05-01 25:00", -3, timedelta(hours=1)]
)
def test_parse_time_refuses_the_rest(raw):
    with pytest.raises(CellError) as err:
        parse_time(raw)

    assert err.value.code == "bad_time"


# --- parse_money / parse_int ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("99.00", Decimal("99.00")),
        ("¥1,299.50", Decimal("1299.50")),
        ("￥ 12", Decimal("12")),
        ("12元", Decimal("12")),
        (12.3, Decimal("12.3")),
        (7, Decimal("7")),
        ("-5.5", Decimal("-5.5")),
        ("", None),
        (None, None),
    ],
)
def test_parse_money(raw, expected):
    assert parse_money(raw) == expected


@pytest.mark.parametrize("raw", ["abc", "1.2.3", "1e5", float("inf"), True])
def test_parse_money_refuses_non_amounts(raw):
    with pytest.raises(CellError) as err:
        parse_money(raw)

    assert err.value.code == "bad_amount"


@pytest.mark.parametrize(
    "raw, expected", [("3", 3), (" 3 ", 3), ("3.0", 3), (3.0, 3), (4, 4), ("1,200", 1200), ("", None)]
)
def test_parse_int(raw, expected):
    assert parse_int(raw) == expected


@pytest.mark.parametrize("raw", ["3.5", "三", 2.5, True])
def test_parse_int_refuses_non_integers(raw):
    with pytest.raises(CellError) as err:
        parse_int(raw)

    assert err.value.code == "bad_number"
