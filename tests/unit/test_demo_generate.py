"""The demo data generator: deterministic, shaped like a real Taobao export, with the review cases in it."""

from __future__ import annotations

import csv
import io
import re
from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import phonenumbers
import pytest

from fahuo.demo.generate import (
    CLASSIC_HEADERS,
    ITEMS_HEADERS,
    NEWER_HEADERS,
    SKU_HEADERS,
    demo_orders,
    demo_receivers,
    demo_skus,
    ean13_check_digit,
    main,
    write_items_report_csv,
    write_order_report_csv,
    write_order_report_xlsx,
    write_sku_csv,
)

NOW = datetime(2025, 11, 20, 15, 30, tzinfo=ZoneInfo("Asia/Shanghai"))
WAYBILL_PATTERNS = {  # FORMATS.md, "Tracking-number patterns"
    "SF": r"SF[A-Z0-9]\d{12}",
    "ZTO": r"7[3-68]\d{12}",
    "YTO": r"YT\d{13}",
    "STO": r"(77|43)\d{12,15}",
    "YUNDA": r"[34]\d{14}",
    "JTSD": r"JT\d{12,13}",
    "POSTB": r"[981]\d{12}",
}


@pytest.fixture(scope="module")
def orders():
    return demo_orders(300, seed=1, now=NOW)


def _rows(data: bytes, encoding: str = "gb18030") -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode(encoding), newline="")))


def _unwrap(cell: str) -> str:
    return cell[2:-1] if cell.startswith('="') and cell.endswith('"') else cell


# ---------------------------------------------------------------------------------------- determinism


def test_same_seed_and_now_give_identical_bytes():
    a, b = demo_orders(300, seed=7, now=NOW), demo_orders(300, seed=7, now=NOW)

    assert write_order_report_csv(a) == write_order_report_csv(b)
    assert write_items_report_csv(a) == write_items_report_csv(b)
    assert write_order_report_csv(a, newer=True) == write_order_report_csv(b, newer=True)
    assert write_sku_csv(demo_skus(7)) == write_sku_csv(demo_skus(7))


def test_another_seed_gives_other_orders():
    assert write_order_report_csv(demo_orders(50, seed=1, now=NOW)) != write_order_report_csv(
        demo_orders(50, seed=2, now=NOW)
    )


# ------------------------------------------------------------------------------------------------ SKUs


def test_skus_have_valid_ean13_unique_codes_and_some_short_stock():
    skus = demo_skus()

    assert len(skus) == 36
    assert len({s["code"] for s in skus}) == 36
    assert len({s["barcode"] for s in skus}) == 36
    for s in skus:
        assert re.fullmatch(r"69\d{11}", s["barcode"])
        assert s["barcode"][-1] == ean13_check_digit(s["barcode"][:12])
        assert re.fullmatch(r"[A-D]-\d{2}-\d{2}", s["location"])
        assert isinstance(s["price"], Decimal) and s["price"] > 0
        assert s["weight_g"] > 0 and s["title"] and s["spec"]
    assert sum(1 for s in skus if s["initial_stock"] == 0) >= 2
    assert sum(1 for s in skus if 0 < s["initial_stock"] <= 5) >= 2
    assert any("易碎" in s["tags"] for s in skus)


def test_ean13_check_digit_matches_a_known_code():
    assert ean13_check_digit("690123456789") == "2"  # 6901234567892, a textbook example
    with pytest.raises(ValueError):
        ean13_check_digit("12345")


def test_sku_csv_is_utf8_with_bom_and_the_agreed_header():
    data = write_sku_csv(demo_skus())

    assert data.startswith(b"\xef\xbb\xbf")
    rows = _rows(data, "utf-8-sig")
    assert tuple(rows[0]) == SKU_HEADERS == ("商家编码", "名称", "规格", "条码", "重量(克)")
    assert rows[1][0] == "TEA-LJ-50"
    assert len(rows) == 37


# ---------------------------------------------------------------------------------------------- orders


def test_order_numbers_are_unique_19_digit_strings(orders):
    nos = [o["order_no"] for o in orders]

    assert len(set(nos)) == 300
    assert all(re.fullmatch(r"[1-9]\d{18}", no) for no in nos)


def test_order_numbers_stay_unique_in_a_big_file():
    big = demo_orders(20_000, seed=3, now=NOW)

    assert len({o["order_no"] for o in big}) == 20_000
    waybills = [o["waybill_no"] for o in big if o["waybill_no"]]
    assert len(set(waybills)) == len(waybills)


def test_amounts_add_up(orders):
    for o in orders:
        assert o["goods_amount"] == sum(line["price"] * line["qty"] for line in o["lines"])
        assert o["total"] == o["goods_amount"] + o["postage"]
        assert o["paid_amount"] == (o["total"] if o["paid_at"] else Decimal("0.00"))
        assert 1 <= len(o["lines"]) <= 3


def test_statuses_are_the_report_texts_and_mostly_waiting_to_ship(orders):
    texts = {o["status"] for o in orders}
    waiting = sum(o["status"] == "买家已付款，等待卖家发货" for o in orders)

    assert texts <= {
        "等待买家付款",
        "买家已付款，等待卖家发货",
        "卖家已发货，等待买家确认",
        "交易成功",
        "交易关闭",
    }
    assert waiting > 150


def test_times_are_recent_and_in_order(orders):
    for o in orders:
        assert NOW - timedelta(days=13) < o["created_at"] <= NOW
        assert o["created_at"].utcoffset() == timedelta(hours=8)
        if o["paid_at"]:
            assert o["created_at"] <= o["paid_at"] <= NOW
        if o["shipped_at"]:
            assert o["paid_at"] < o["shipped_at"] <= NOW
        if o["finished_at"]:
            assert o["shipped_at"] < o["finished_at"] <= NOW
    assert [o["created_at"] for o in orders] == sorted((o["created_at"] for o in orders), reverse=True)


def test_shipped_orders_carry_a_waybill_in_their_carriers_pattern(orders):
    shipped = [o for o in orders if o["status"] in ("卖家已发货，等待买家确认", "交易成功")]

    assert shipped
    for o in shipped:
        assert re.fullmatch(WAYBILL_PATTERNS[o["carrier_code"]], o["waybill_no"]), o["waybill_no"]
        assert o["carrier"]
    assert all(not o["waybill_no"] for o in orders if o not in shipped)


def test_plain_mobiles_are_valid_chinese_numbers(orders):
    plain = [
        o["receiver"]["mobile"]
        for o in orders
        if not ({"bad_phone", "masked_phone", "virtual_phone"} & set(o["flags"]))
    ]

    for mobile in filter(None, plain):
        assert phonenumbers.is_valid_number(phonenumbers.parse("+86" + mobile)), mobile


def test_masked_and_virtual_phones_have_their_shapes(orders):
    masked = [o["receiver"]["mobile"] for o in orders if "masked_phone" in o["flags"]]
    virtual = [o["receiver"]["mobile"] for o in orders if "virtual_phone" in o["flags"]]

    assert masked and virtual
    assert all(re.fullmatch(r"1\d{2}\*{4}\d{4}", m) for m in masked)
    assert all(re.fullmatch(r"1\d{10}-\d{4}", m) for m in virtual)


def test_a_300_order_demo_has_merge_candidates(orders):
    by_no = {o["order_no"]: o for o in orders}
    pairs = [(o, by_no[o["merge_with"]]) for o in orders if o["merge_with"]]

    assert len(pairs) >= 4  # both ends point at each other
    for a, b in pairs:
        assert b["merge_with"] == a["order_no"]
        assert a["buyer_nick"] == b["buyer_nick"]
        assert a["receiver"] == b["receiver"]
        assert a["status"] == b["status"] == "买家已付款，等待卖家发货"
        assert "merge_candidate" in a["flags"]


def test_a_300_order_demo_has_broken_receivers_to_review(orders):
    bad_address = [o for o in orders if "bad_address" in o["flags"]]
    bad_phone = [o for o in orders if "bad_phone" in o["flags"]]

    assert bad_address and bad_phone
    for o in bad_address:
        assert o["receiver"]["province"] == o["receiver"]["city"] == ""
        assert not re.search(r"[省市]", o["receiver"]["address"])
    for o in bad_phone:
        mobile = o["receiver"]["mobile"]
        assert not phonenumbers.is_valid_number(phonenumbers.parse(mobile, "CN")), mobile
    assert "12345" in {o["receiver"]["mobile"] for o in bad_phone}


def test_a_300_order_demo_has_messages_changed_addresses_and_refunds(orders):
    assert 10 <= sum(bool(o["buyer_message"]) for o in orders) <= 45
    changed = [o for o in orders if o["modified_receiver"]]
    assert changed and all(o["modified_receiver"]["address"] != o["receiver"]["address"] for o in changed)
    assert any(o["exception"] and o["refund_status"] == "WAIT_SELLER_AGREE" for o in orders)
    assert any(o["close_reason"] for o in orders if o["status"] == "交易关闭")


def test_receivers_cover_municipalities_autonomous_regions_and_cities_without_districts():
    recs = demo_receivers(5000, seed=2)
    provinces = {r["province"] for r in recs}

    assert {"北京市", "上海市", "天津市", "重庆市"} <= provinces
    assert {"新疆维吾尔自治区", "西藏自治区", "内蒙古自治区", "广西壮族自治区"} <= provinces
    assert any(r["city"] == "东莞市" and r["district"] == "" and r["town"].endswith("镇") for r in recs)
    assert any(r["city"] == "仙桃市" and r["district"] == "" for r in recs)
    assert any(r["address"].startswith("北京 北京市 ") for r in recs)


def test_orders_can_use_the_callers_skus():
    skus = [{"code": "X-1", "title": "测试宝贝", "spec": "颜色分类:红", "price": "12.5"}]

    got = demo_orders(20, seed=1, now=NOW, skus=skus)

    assert {line["code"] for o in got for line in o["lines"]} == {"X-1"}
    assert all(line["price"] == Decimal("12.50") for o in got for line in o["lines"])


# --------------------------------------------------------------------------------------------- writers


def test_order_report_csv_decodes_as_gb18030_with_the_classic_header(orders):
    data = write_order_report_csv(orders)
    text = data.decode("gb18030")
    rows = _rows(data)

    assert tuple(rows[0]) == CLASSIC_HEADERS
    assert len(CLASSIC_HEADERS) == 41
    assert len(rows) == 301
    assert all(len(row) == 41 for row in rows)
    assert text.count("\r\n") == 301 and "\n" not in text.replace("\r\n", "")
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")


def test_order_report_csv_rows_agree_with_the_orders(orders):
    rows = _rows(write_order_report_csv(orders))
    col = {h: i for i, h in enumerate(rows[0])}

    for o, row in zip(orders, rows[1:], strict=True):
        assert row[col["订单编号"]] == f'="{o["order_no"]}"'
        assert _unwrap(row[col["订单编号"]]) == o["order_no"]
        assert row[col["宝贝种类"]] == str(len(o["lines"]))
        assert row[col["宝贝总数量"]] == str(sum(line["qty"] for line in o["lines"]))
        assert Decimal(row[col["总金额"]]) == Decimal(row[col["买家应付货款"]]) + Decimal(
            row[col["买家应付邮费"]]
        )
        assert row[col["宝贝标题"]] == "，".join(line["title"] for line in o["lines"])
        assert row[col["订单创建时间"]] == o["created_at"].strftime("%Y-%m-%d %H:%M:%S")
        assert row[col["订单状态"]] == o["status"]
        assert row[col["收货地址"]] == o["receiver"]["address"]
        mobile = o["receiver"]["mobile"]
        assert row[col["联系手机"]] == (f"'{mobile}" if mobile else "")
        if o["waybill_no"]:
            assert row[col["物流单号"]] == f'="{o["waybill_no"]}"'


def test_addresses_are_written_province_city_district_detail_postcode(orders):
    addresses = [o["receiver"]["address"] for o in orders if "bad_address" not in o["flags"]]

    assert all(re.search(r"\(\d{6}\)$", a) for a in addresses)
    assert sum(a.count(" ") == 3 for a in addresses) > 250
    assert "浙江省 杭州市 西湖区 " in "\n".join(addresses) or "浙江省 杭州市 余杭区 " in "\n".join(addresses)


def test_order_report_without_excel_protection_has_plain_numbers(orders):
    rows = _rows(write_order_report_csv(orders, excel_protect=False, encoding="utf-8-sig"), "utf-8-sig")

    assert rows[1][0] == orders[0]["order_no"]


def test_newer_report_uses_the_newer_header_names(orders):
    data = write_order_report_csv(orders, newer=True, encoding="utf-8-sig")
    rows = _rows(data, "utf-8-sig")

    assert data.startswith(b"\xef\xbb\xbf")
    assert tuple(rows[0]) == NEWER_HEADERS
    assert {"买家下单时间", "买家付款时间", "买家实付金额", "运单号", "宝贝规格"} <= set(NEWER_HEADERS)
    assert list(NEWER_HEADERS) != [h for h in CLASSIC_HEADERS if h in NEWER_HEADERS]
    col = {h: i for i, h in enumerate(rows[0])}
    assert rows[1][col["宝贝规格"]] == "，".join(line["spec"] for line in orders[0]["lines"])


def test_items_report_has_one_row_per_line(orders):
    rows = _rows(write_items_report_csv(orders))

    assert tuple(rows[0]) == ITEMS_HEADERS
    assert len(rows) - 1 == sum(len(o["lines"]) for o in orders)
    first = orders[0]["lines"][0]
    assert rows[1] == [
        f'="{orders[0]["order_no"]}"',
        first["title"],
        str(first["price"]),
        str(first["qty"]),
        first["item_code"],
        first["spec"],
        "",
        "",
        orders[0]["status"],
        first["code"],
    ]


def test_xlsx_report_has_the_same_header_and_rows(orders):
    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(write_order_report_xlsx(orders)), read_only=True)
    rows = list(wb.active.iter_rows(values_only=True))

    assert tuple(rows[0]) == CLASSIC_HEADERS
    assert len(rows) == 301
    assert rows[1][0] == orders[0]["order_no"]
    assert Decimal(str(rows[1][CLASSIC_HEADERS.index("总金额")])) == orders[0]["total"]


def test_cli_writes_the_files(tmp_path, capsys):
    assert main(["--orders", "40", "--out", str(tmp_path), "--xlsx", "--encoding", "utf-8-sig"]) == 0

    assert {p.name for p in tmp_path.iterdir()} == {"orders.csv", "items.csv", "skus.csv", "orders.xlsx"}
    assert (tmp_path / "orders.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    assert "40 orders" in capsys.readouterr().out
