"""The Taobao order report reader, on small files built here byte for byte."""

import csv
import io
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import openpyxl
import pytest

from fahuo.imports.address import AddressParser
from fahuo.imports.taobao import map_status, mentions_refund, read_order_report, split_titles
from fahuo.imports.types import FileUnreadable, ParsedLine, ParsedPhone

SH = ZoneInfo("Asia/Shanghai")

CLASSIC = [
    "订单编号", "买家会员名", "买家应付邮费", "买家实际支付金额", "订单状态", "买家留言", "收货人姓名", "收货地址 ",
    "联系电话 ", "联系手机", "订单创建时间", "订单付款时间 ", "宝贝标题 ", "宝贝种类 ", "物流单号 ", "物流公司",
    "订单备注", "宝贝总数量", "店铺名称", "订单关闭原因", "修改后的收货地址", "异常信息",
]  # fmt: skip


def order(**over):
    """One classic-report row as a dict; keys are the header names without padding."""
    row = {
        "订单编号": '="3012345678901234567"',
        "买家会员名": "tb_buyer",
        "买家应付邮费": "0.00",
        "买家实际支付金额": "59.90",
        "订单状态": "买家已付款，等待卖家发货",
        "买家留言": "",
        "收货人姓名": "张三",
        "收货地址": "浙江省 杭州市 西湖区 文三路90号(310012)",
        "联系电话": "",
        "联系手机": "'13812345678",
        "订单创建时间": "2024-05-01 10:11:12",
        "订单付款时间": "2024-05-01 10:12:13",
        "宝贝标题": "纯棉T恤",
        "宝贝种类": "1",
        "物流单号": "",
        "物流公司": "",
        "订单备注": "",
        "宝贝总数量": "2",
        "店铺名称": "小店",
        "订单关闭原因": "",
        "修改后的收货地址": "",
        "异常信息": "",
    }
    row.update(over)
    return row


def make_csv(rows, header=CLASSIC, encoding="gb18030", lineterminator="\r\n"):
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator=lineterminator)
    w.writerow(header)
    for r in rows:
        if isinstance(r, dict):
            w.writerow([r.get(h.strip(), "") for h in header])
        else:
            w.writerow(r)
    return buf.getvalue().encode(encoding)


@pytest.fixture(scope="module")
def parser():
    return AddressParser()


def read(data, parser, filename="ExportOrderList.csv", **kw):
    return read_order_report(data, filename, parser=parser, **kw)


# --- encodings and headers ------------------------------------------------------------------------


def test_classic_gb18030_export(parser):
    data = make_csv([order()])

    got = read(data, parser)

    assert (got.encoding, got.data_rows, got.rejected) == ("gb18030", 1, [])
    o = got.orders[0]
    assert (o.row, o.order_no, o.platform_status, o.platform_status_text) == (
        2,
        "3012345678901234567",
        "wait_send",
        "买家已付款，等待卖家发货",
    )
    assert (o.buyer_nick, o.receiver_name, o.shop_name) == ("tb_buyer", "张三", "小店")
    assert o.phone == ParsedPhone("13812345678", "mobile", "13812345678")
    assert (o.address.province, o.address.city, o.address.district, o.address.detail, o.address.postcode) == (
        "浙江省",
        "杭州市",
        "西湖区",
        "文三路90号",
        "310012",
    )
    assert (o.amount, o.postage) == (Decimal("59.90"), Decimal("0.00"))
    assert o.created_at == datetime(2024, 5, 1, 10, 11, 12, tzinfo=SH)
    assert o.paid_at == datetime(2024, 5, 1, 10, 12, 13, tzinfo=SH)
    assert o.lines == (ParsedLine(title="纯棉T恤", qty=2),)
    assert (o.lines_from_items_file, o.lines_uncertain, o.refund_requested) == (False, False, False)
    assert "收货地址" in got.columns


def test_utf8_with_bom(parser):
    got = read(make_csv([order()], encoding="utf-8-sig"), parser)

    assert (got.encoding, got.orders[0].order_no) == ("utf-8-sig", "3012345678901234567")


def test_plain_utf8_reordered_newer_headers_and_unknown_columns(parser):
    header = ["运单号", "买家实付金额", "买家付款时间", "某个新列", "订单编号", "买家下单时间", "订单状态", "收货地址", "联系手机", "最晚发货时间"]  # fmt: skip
    row = ["SF100 SF200", "10.5", "2024/5/1 9:05", "x", "3012345678901234567", "2024/5/1 9:00", "交易成功", "上海浦东新区张江路100号", "13812345678", "2024-05-03 09:05:00"]  # fmt: skip

    got = read(make_csv([row], header=header, encoding="utf-8"), parser)

    o = got.orders[0]
    assert got.encoding == "utf-8"
    assert (o.order_no, o.amount, o.platform_status, o.waybills) == (
        "3012345678901234567",
        Decimal("10.5"),
        "finished",
        ("SF100", "SF200"),
    )
    assert (o.created_at, o.paid_at, o.platform_ship_by) == (
        datetime(2024, 5, 1, 9, 0, tzinfo=SH),
        datetime(2024, 5, 1, 9, 5, tzinfo=SH),
        datetime(2024, 5, 3, 9, 5, tzinfo=SH),
    )
    assert (o.address.city, o.address.district) == ("上海市", "浦东新区")
    assert o.lines == ()


def test_quoted_and_padded_headers(parser):
    header = ['"订单编号"', " 订单状态 ", "\ufeff收货地址"]
    got = read(
        make_csv(
            [["3012345678901234567", "交易成功", "北京市朝阳区建国路88号"]], header=header, encoding="utf-8"
        ),
        parser,
    )

    assert (got.orders[0].platform_status, got.orders[0].address.district) == ("finished", "朝阳区")


def test_missing_order_number_column_is_unreadable(parser):
    data = make_csv([["张三", "交易成功"]], header=["收货人姓名", "订单状态"])

    with pytest.raises(FileUnreadable) as err:
        read(data, parser)

    assert "订单编号" in str(err.value)


@pytest.mark.parametrize("data", [b"", b"   \r\n", b"\x00\x01\x02garbage"])
def test_empty_or_binary_file_is_unreadable(parser, data):
    with pytest.raises(FileUnreadable):
        read(data, parser)


def test_excel_unicode_text_export_utf16_tabs(parser):
    text = "订单编号\t订单状态\r\n3012345678901234567\t交易成功\r\n"

    got = read(("\ufeff" + text).encode("utf-16-le"), parser, filename="orders.txt")

    assert (got.encoding, got.orders[0].platform_status) == ("utf-16", "finished")


# --- rows and line numbers ------------------------------------------------------------------------


def test_scientific_notation_is_rejected_with_its_line_number(parser):
    data = make_csv([order(), order(订单编号="2.34568E+18"), order(订单编号="3012345678901234999")])

    got = read(data, parser)

    assert [o.row for o in got.orders] == [2, 4]
    assert len(got.rejected) == 1
    r = got.rejected[0]
    assert (r.row, r.code) == (3, "order_no_scientific")
    assert r.reason == (
        '订单编号 "2.34568E+18" 被 Excel 改成了科学计数法，无法还原；请重新导出 (order number damaged into scientific notation)'
    )


def test_multiline_quoted_cell_keeps_line_numbers_true(parser):
    rows = [
        order(买家留言="请周末送\n不要放驿站\n谢谢"),  # lines 2–4
        order(订单编号="合计"),  # line 5
        order(订单编号="3012345678901234999"),  # line 6
    ]

    got = read(make_csv(rows), parser)

    assert [o.row for o in got.orders] == [2, 6]
    assert got.orders[0].buyer_message == "请周末送\n不要放驿站\n谢谢"
    assert [(r.row, r.code) for r in got.rejected] == [(5, "bad_order_no")]


def test_multiline_cell_with_bare_lf_inside_crlf_file(parser):
    rows = [order(订单备注="a\r\nb"), order(订单编号="x")]

    got = read(make_csv(rows, lineterminator="\n"), parser)

    assert [r.row for r in got.rejected] == [4]


def test_blank_lines_are_skipped_and_not_counted(parser):
    data = make_csv([order(), [""] * len(CLASSIC), [], order(订单编号="3012345678901234999")])

    got = read(data, parser)

    assert (got.data_rows, [o.row for o in got.orders]) == (2, [2, 5])


def test_bad_time_and_amount_name_the_column(parser):
    data = make_csv([order(订单付款时间="2024-13-01 10:00:00"), order(买家实际支付金额="五十")])

    got = read(data, parser)

    assert [(r.row, r.code, r.order_no) for r in got.rejected] == [
        (2, "bad_time", "3012345678901234567"),
        (3, "bad_amount", "3012345678901234567"),
    ]
    assert got.rejected[0].reason.startswith('订单付款时间 "2024-13-01 10:00:00" 不是可识别的时间')
    assert got.rejected[1].reason == '买家实际支付金额 "五十" 不是有效的金额 (not a valid amount)'


def test_an_order_twice_gives_two_entries(parser):
    got = read(make_csv([order(), order()]), parser)

    assert [(o.row, o.order_no) for o in got.orders] == [
        (2, "3012345678901234567"),
        (3, "3012345678901234567"),
    ]


def test_short_rows_read_missing_cells_as_empty(parser):
    data = make_csv([["3012345678901234567", "tb_buyer"]])

    got = read(data, parser)

    assert (got.orders[0].buyer_nick, got.orders[0].platform_status, got.orders[0].phone.kind) == (
        "tb_buyer",
        "unknown",
        "empty",
    )


# --- field rules ----------------------------------------------------------------------------------


def test_modified_address_wins_when_present(parser):
    rows = [order(修改后的收货地址="广东省 深圳市 南山区 科技园1号"), order(修改后的收货地址="  ")]

    got = read(make_csv(rows), parser)

    assert [o.address.district for o in got.orders] == ["南山区", "西湖区"]


@pytest.mark.parametrize(
    "mobile, tel, expected",
    [
        ("138****5678", "", ParsedPhone("138****5678", "masked", "138****5678")),
        ("13800000000-1234", "", ParsedPhone("13800000000-1234", "virtual", "13800000000", "1234")),
        ("", "0571-88888888", ParsedPhone("0571-88888888", "fixed", "057188888888")),
        ('="13812345678"', "0571-88888888", ParsedPhone("13812345678", "mobile", "13812345678")),
    ],
)
def test_phone_from_mobile_else_telephone(parser, mobile, tel, expected):
    got = read(make_csv([order(联系手机=mobile, 联系电话=tel)]), parser)

    assert got.orders[0].phone == expected


@pytest.mark.parametrize(
    "text, paid, expected",
    [
        ("等待买家付款", False, "wait_pay"),
        ("买家已付款，等待卖家发货", True, "wait_send"),
        ("部分发货", True, "consigned_part"),
        ("卖家已发货，等待买家确认", True, "wait_confirm"),
        ("买家已签收", True, "signed"),
        ("交易成功", True, "finished"),
        ("交易关闭", True, "closed"),
        ("交易关闭", False, "closed_unpaid"),
        ("付款以后用户退款成功，交易自动关闭", True, "closed"),
        ("付款后禁止发货", True, "forbid_consign"),
        ("TRADE_CLOSED_BY_TAOBAO", False, "closed_unpaid"),
        ("WAIT_SELLER_SEND_GOODS", True, "wait_send"),
        ("", True, "unknown"),
        ("火星状态", True, "unknown"),
    ],
)
def test_map_status(text, paid, expected):
    assert map_status(text, paid) == expected


def test_closed_status_uses_the_paid_time_of_the_row(parser):
    rows = [
        order(订单状态="交易关闭", 订单关闭原因="买家不想要了"),
        order(订单状态="交易关闭", 订单付款时间=""),
    ]

    got = read(make_csv(rows), parser)

    assert [(o.platform_status, o.close_reason, o.refund_requested) for o in got.orders] == [
        ("closed", "买家不想要了", False),
        ("closed_unpaid", "", False),
    ]


@pytest.mark.parametrize(
    "texts, expected",
    [
        (("买家已付款，等待卖家发货", "买家申请退款", ""), True),
        (("买家已付款，等待卖家发货", "退款中", ""), True),
        (("买家已付款，等待卖家发货", "退款关闭", ""), False),
        (("买家已付款，等待卖家发货", "买家已撤销退款", ""), False),
        (("卖家已发货，等待买家确认", "申请售后", ""), True),
        (("交易成功", "", ""), False),
    ],
)
def test_mentions_refund(texts, expected):
    assert mentions_refund(*texts) is expected


def test_refund_flag_from_anomaly_column(parser):
    got = read(make_csv([order(异常信息="买家申请退款"), order(异常信息="退款关闭")]), parser)

    assert [o.refund_requested for o in got.orders] == [True, False]


def test_waybills_split_and_unwrapped(parser):
    got = read(make_csv([order(物流单号='="SF1001",="SF1002"；YT3003', 物流公司="顺丰速运")]), parser)

    assert (got.orders[0].waybills, got.orders[0].carrier_text) == (
        ("SF1001", "SF1002", "YT3003"),
        "顺丰速运",
    )


# --- lines ----------------------------------------------------------------------------------------


def test_several_titles_one_each_when_kinds_equals_quantity(parser):
    got = read(make_csv([order(宝贝标题="T恤，短裤", 宝贝种类="2", 宝贝总数量="2")]), parser)

    o = got.orders[0]
    assert (o.lines, o.lines_uncertain) == ((ParsedLine("T恤", qty=1), ParsedLine("短裤", qty=1)), False)


def test_several_titles_with_unknown_quantities_are_uncertain(parser):
    got = read(make_csv([order(宝贝标题="T恤;短裤", 宝贝种类="2", 宝贝总数量="5")]), parser)

    o = got.orders[0]
    assert ([line.title for line in o.lines], o.lines_uncertain) == (["T恤", "短裤"], True)


@pytest.mark.parametrize(
    "text, kinds, expected",
    [
        ("纯棉T恤", 1, ["纯棉T恤"]),
        ("纯棉T恤,白色", 1, ["纯棉T恤,白色"]),
        ("纯棉T恤,白色，短裤", 2, ["纯棉T恤,白色", "短裤"]),
        ("A\nB\nC", 3, ["A", "B", "C"]),
        ("A；B", 2, ["A", "B"]),
        ("A\nB", None, ["A", "B"]),
        ("A,B", None, ["A,B"]),
        ("", 2, []),
    ],
)
def test_split_titles(text, kinds, expected):
    assert split_titles(text, kinds) == expected


def test_items_file_supplies_the_lines(parser):
    orders = make_csv(
        [order(宝贝标题="T恤，短裤", 宝贝种类="2", 宝贝总数量="3"), order(订单编号="3012345678901234999")]
    )
    items_header = ["订单编号", "标题", "价格", "购买数量", "外部系统编号", "商品属性", "套餐信息", "备注", "订单状态", "子订单编号"]  # fmt: skip
    items = make_csv(
        [
            [
                '="3012345678901234567"',
                "T恤",
                "29.90",
                "2",
                "TS-01",
                "颜色分类:白色;尺码:XL",
                "",
                "",
                "买家已付款",
                '="3012345678901234001"',
            ],  # fmt: skip
            [
                '="3012345678901234567"',
                "短裤",
                "19.90",
                "1",
                "SH-02",
                "",
                "",
                "",
                "退款中",
                '="3012345678901234002"',
            ],  # fmt: skip
            ['="3999999999999999999"', "别家的", "1", "1", "", "", "", "", "", ""],
            ["2.34568E+18", "坏的", "1", "1", "", "", "", "", "", ""],
        ],
        header=items_header,
    )

    got = read(orders, parser, items=items, items_filename="ExportOrderDetailList.csv")

    o = got.orders[0]
    assert o.lines == (
        ParsedLine("T恤", "颜色分类:白色;尺码:XL", "TS-01", 2, Decimal("29.90"), "3012345678901234001"),
        ParsedLine("短裤", "", "SH-02", 1, Decimal("19.90"), "3012345678901234002"),
    )
    assert (o.lines_from_items_file, o.lines_uncertain, o.refund_requested) == (True, False, True)
    assert (got.orders[1].lines_from_items_file, got.orders[1].lines) == (
        False,
        (ParsedLine("纯棉T恤", qty=2),),
    )
    assert got.items_unmatched == 2


def test_items_file_without_order_number_is_unreadable(parser):
    items = make_csv([["T恤"]], header=["标题"])

    with pytest.raises(FileUnreadable) as err:
        read(make_csv([order()]), parser, items=items, items_filename="items.csv")

    assert "宝贝报表" in str(err.value)


def test_swapped_uploads_are_refused_with_a_hint(parser):
    items = make_csv([['="3012345678901234567"', "T恤", "1"]], header=["订单编号", "标题", "购买数量"])
    orders = make_csv([order()])

    with pytest.raises(FileUnreadable) as as_orders:
        read(items, parser)
    with pytest.raises(FileUnreadable) as as_items:
        read(orders, parser, items=orders, items_filename="orders.csv")

    assert "这是宝贝报表" in str(as_orders.value)
    assert "第二个文件是订单报表" in str(as_items.value)


# --- XLSX -----------------------------------------------------------------------------------------


def make_xlsx(rows, header=CLASSIC):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append([h.strip() for h in header])
    for r in rows:
        ws.append([r.get(h.strip(), "") for h in header] if isinstance(r, dict) else r)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def test_xlsx_with_typed_cells(parser):
    rows = [
        order(
            订单编号="3012345678901234567",
            订单付款时间=datetime(2024, 5, 1, 10, 12, 13),
            买家实际支付金额=59.9,
            联系手机=13812345678,
            宝贝总数量=3,
        ),  # fmt: skip
        order(订单编号=2.34568e18),
        order(订单编号="3012345678901234999", 订单创建时间=45413.5),
    ]

    got = read(make_xlsx(rows), parser, filename="orders.xlsx")

    assert (got.encoding, got.data_rows) == ("", 3)
    first, third = got.orders
    assert (first.row, first.order_no, first.amount, first.phone.number, first.lines[0].qty) == (
        2,
        "3012345678901234567",
        Decimal("59.9"),
        "13812345678",
        3,
    )
    assert first.paid_at == datetime(2024, 5, 1, 10, 12, 13, tzinfo=SH)
    assert (third.row, third.created_at) == (4, datetime(2024, 5, 1, 12, 0, tzinfo=SH))
    assert [(r.row, r.code) for r in got.rejected] == [(3, "order_no_scientific")]


def test_xlsx_detected_by_magic_even_with_a_csv_name(parser):
    got = read(make_xlsx([order(订单编号="3012345678901234567")]), parser, filename="orders.csv")

    assert got.orders[0].order_no == "3012345678901234567"


def test_xlsx_orders_on_a_later_sheet_under_a_title_row(parser):
    wb = openpyxl.Workbook()
    wb.active.append(["说明：本文件由卖家中心导出"])
    ws = wb.create_sheet("订单")
    ws.append(["已卖出的宝贝 2024-05"])
    ws.append(["订单编号", "订单状态"])
    ws.append(["3012345678901234567", "交易成功"])
    buf = io.BytesIO()
    wb.save(buf)

    got = read(buf.getvalue(), parser, filename="orders.xlsx")

    assert [(o.row, o.platform_status) for o in got.orders] == [(3, "finished")]


def test_broken_xlsx_is_unreadable(parser):
    with pytest.raises(FileUnreadable):
        read(b"PK\x03\x04 this is not a zip", parser, filename="orders.xlsx")
