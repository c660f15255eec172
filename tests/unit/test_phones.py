"""Receiver phones: mobile, landline, privacy (virtual), masked, and the masking we show."""

import pytest

from fahuo.imports.phones import mask_name, mask_phone, parse_phone
from fahuo.imports.types import ParsedPhone


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("13812345678", ParsedPhone("13812345678", "mobile", "13812345678")),
        ("+86 138 1234 5678", ParsedPhone("+86 138 1234 5678", "mobile", "13812345678")),
        ("8613812345678", ParsedPhone("8613812345678", "mobile", "13812345678")),
        ("138-1234-5678", ParsedPhone("138-1234-5678", "mobile", "13812345678")),
        ('="13812345678"', ParsedPhone("13812345678", "mobile", "13812345678")),
        ("'19212345678", ParsedPhone("19212345678", "mobile", "19212345678")),
        ("１３８１２３４５６７８", ParsedPhone("１３８１２３４５６７８", "mobile", "13812345678")),
        ("13800000000-1234", ParsedPhone("13800000000-1234", "virtual", "13800000000", "1234")),
        ("13812345678转1234", ParsedPhone("13812345678转1234", "virtual", "13812345678", "1234")),
        ("13812345678#1234", ParsedPhone("13812345678#1234", "virtual", "13812345678", "1234")),
        ("138****5678", ParsedPhone("138****5678", "masked", "138****5678")),
        ("0571-88888888", ParsedPhone("0571-88888888", "fixed", "057188888888")),
        ("0571-88888888-123", ParsedPhone("0571-88888888-123", "fixed", "057188888888", "123")),
        ("400-820-8820", ParsedPhone("400-820-8820", "fixed", "4008208820")),
        ("+852 9123 4567", ParsedPhone("+852 9123 4567", "mobile", "+85291234567")),
        ("12345678901", ParsedPhone("12345678901", "invalid", "12345678901")),
        ("1381234567", ParsedPhone("1381234567", "invalid", "1381234567")),
        ("无", ParsedPhone("无", "invalid", "无")),
        ("", ParsedPhone("", "empty", "")),
        (None, ParsedPhone("", "empty", "")),
    ],
)
def test_parse_phone(raw, expected):
    assert parse_phone(raw) == expected


def test_parse_phone_reads_xlsx_numbers():
    assert parse_phone(13812345678.0) == ParsedPhone("13812345678", "mobile", "13812345678")


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("13812345678", "138****5678"),
        ("138 1234 5678", "138****5678"),
        ("13800000000-1234", "138****0000-1234"),
        ("057188888888", "********8888"),
        ("138****5678", "138****5678"),
        ("123", "***"),
        ("", ""),
        (None, ""),
    ],
)
def test_mask_phone(raw, expected):
    assert mask_phone(raw) == expected


@pytest.mark.parametrize(
    "raw, expected",
    [("张三丰", "张**"), ("张三", "张*"), ("张", "张*"), ("欧阳娜娜", "欧***"), ("", ""), (None, "")],
)
def test_mask_name(raw, expected):
    assert mask_name(raw) == expected
