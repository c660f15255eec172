"""Properties of the import cleaners and the report reader under damage.

The reader's contract with the services: a file is either unreadable as a whole, or every non-blank
data row comes back exactly once (as an order or a rejection) under its own line number.
"""

import csv
import io
from datetime import date, datetime, timedelta
from decimal import Decimal

import openpyxl
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from fahuo.imports.address import AddressParser, split_receiver_blob
from fahuo.imports.cells import CellError, clean_order_no, clean_text, parse_int, parse_money, parse_time
from fahuo.imports.phones import mask_name, mask_phone, parse_phone
from fahuo.imports.taobao import read_order_report
from fahuo.imports.types import FileUnreadable

PARSER = AddressParser()

any_cell = st.one_of(
    st.none(),
    st.text(max_size=30),
    st.from_regex(r'\A(="|\t|\')?[0-9.eE+\- ]{0,22}"?\Z'),
    st.integers(min_value=-(10**20), max_value=10**20),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.datetimes(),
    st.dates(),
    st.timedeltas(),
    st.decimals(allow_nan=True, allow_infinity=True),
)


@settings(max_examples=100, deadline=None)
@given(any_cell)
def test_cleaners_raise_only_cell_errors(value):
    for cleaner in (clean_order_no, parse_time, parse_money, parse_int):
        try:
            cleaner(value)
        except CellError:
            pass
    assert isinstance(clean_text(value), str)
    assert parse_phone(value).kind in {"mobile", "fixed", "virtual", "masked", "invalid", "empty"}


@settings(max_examples=100, deadline=None)
@given(any_cell)
def test_clean_order_no_is_idempotent(value):
    try:
        once = clean_order_no(value)
    except CellError:
        return
    assert clean_order_no(once) == once


@settings(max_examples=60, deadline=None)
@given(st.text(max_size=60))
def test_text_helpers_never_raise(text):
    assert isinstance(mask_phone(text), str)
    assert isinstance(mask_name(text), str)
    name, phone, address = split_receiver_blob(text, PARSER)
    assert all(isinstance(x, str) for x in (name, phone, address))
    assert PARSER.parse(text).raw == " ".join(text.split())


# --- damaged files --------------------------------------------------------------------------------

HEADER = ["订单编号", "订单状态", "收货人姓名", "收货地址", "联系手机", "订单付款时间", "买家实际支付金额", "宝贝标题", "宝贝种类", "宝贝总数量", "物流单号"]  # fmt: skip

good_row = st.tuples(
    st.sampled_from(['="3012345678901234567"', "3012345678901234999", "2.345E+18", "", "合计"]),
    st.sampled_from(["买家已付款，等待卖家发货", "交易关闭", "交易成功", ""]),
    st.sampled_from(["张三", "", "李四"]),
    st.sampled_from(["浙江省 杭州市 西湖区 文三路90号(310012)", "湖北省仙桃市干河街道1号", "", "x"]),
    st.sampled_from(["13812345678", "138****5678", "13800000000-1234", ""]),
    st.sampled_from(["2024-05-01 10:11:12", "", "2024-13-01", "2024/5/1 9:05"]),
    st.sampled_from(["59.90", "", "abc"]),
    st.sampled_from(["T恤", "T恤，短裤", "A\nB", ""]),
    st.sampled_from(["1", "2", "", "x"]),
    st.sampled_from(["1", "3", "", "-"]),
    st.sampled_from(["", "SF1,SF2", '="YT3"']),
).map(list)

junk_row = st.lists(st.text(max_size=12), max_size=6)

damage = st.one_of(
    st.tuples(st.just("drop_column"), st.integers(0, len(HEADER) - 1)),
    st.tuples(
        st.just("truncate_cell"), st.integers(0, 50), st.integers(0, len(HEADER) - 1), st.integers(0, 5)
    ),
    st.tuples(st.just("junk_row"), st.integers(0, 50), junk_row),
)


def build_rows(rows, damages):
    header = list(HEADER)
    rows = [list(r) for r in rows]
    for d in damages:
        if d[0] == "drop_column" and d[1] < len(header):
            del header[d[1]]
            for r in rows:
                if d[1] < len(r):
                    del r[d[1]]
        elif d[0] == "truncate_cell" and rows:
            r = rows[d[1] % len(rows)]
            if d[2] < len(r):
                r[d[2]] = r[d[2]][: d[3]]
        elif d[0] == "junk_row":
            rows.insert(d[1] % (len(rows) + 1), d[2])
    return header, rows


def to_csv(header, rows, encoding):
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(header)
    w.writerows(rows)
    return buf.getvalue().encode(encoding, errors="replace")


def check_contract(data, filename, max_line=None):
    try:
        got = read_order_report(data, filename, parser=PARSER)
    except FileUnreadable:
        return None
    rows = [o.row for o in got.orders] + [r.row for r in got.rejected]
    assert len(rows) == got.data_rows
    assert len(set(rows)) == len(rows)
    assert all(r >= 2 for r in rows)
    if max_line is not None:
        assert all(r <= max_line for r in rows)
    return got


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    rows=st.lists(good_row, max_size=8),
    damages=st.lists(damage, max_size=4),
    flips=st.lists(st.tuples(st.integers(0, 10**6), st.integers(0, 255)), max_size=6),
    encoding=st.sampled_from(["gb18030", "utf-8-sig", "utf-8"]),
)
def test_damaged_csv_keeps_the_row_contract(rows, damages, flips, encoding):
    header, rows = build_rows(rows, damages)
    data = bytearray(to_csv(header, rows, encoding))
    for pos, byte in flips:
        data[pos % len(data)] = byte
    data = bytes(data)

    # every CSV line break is a \r or \n byte in these encodings, so this bounds the line numbers
    got = check_contract(data, "orders.csv", max_line=data.count(b"\n") + data.count(b"\r") + 1)
    event("unreadable" if got is None else f"read, {min(got.data_rows, 3)}+ rows")


@settings(max_examples=60, deadline=None)
@given(rows=st.lists(good_row, min_size=1, max_size=6), damages=st.lists(damage, max_size=3))
def test_undamaged_bytes_read_every_row(rows, damages):
    header, rows = build_rows(rows, damages)
    data = to_csv(header, rows, "gb18030")

    # a lone \r (old Mac line end, also inside cells) ends a line for the csv module and for editors alike
    lines = data.replace(b"\r\n", b"\n").replace(b"\r", b"\n").count(b"\n") + 1
    got = check_contract(data, "orders.csv", max_line=lines)

    if "订单编号" in header:
        assert got is not None
        non_blank = [r for r in rows if any(clean_text(c) for c in r)]
        assert got.data_rows == len(non_blank)


def _xlsx(rows):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(HEADER)
    for r in rows:
        ws.append([c.replace('="', "").replace('"', "") for c in r])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


XLSX_SAMPLE = _xlsx([["3012345678901234567", "交易成功", "张三", "北京市朝阳区建国路88号", "13812345678", "2024-05-01 10:11:12", "1", "T恤", "1", "1", ""]] * 3)  # fmt: skip


@settings(max_examples=40, deadline=None)
@given(
    flips=st.lists(
        st.tuples(st.integers(0, len(XLSX_SAMPLE) - 1), st.integers(0, 255)), min_size=1, max_size=4
    )
)
def test_damaged_xlsx_is_unreadable_or_keeps_the_row_contract(flips):
    data = bytearray(XLSX_SAMPLE)
    for pos, byte in flips:
        data[pos] = byte

    got = check_contract(bytes(data), "orders.xlsx")
    event("unreadable" if got is None else "read")


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(HEADER), any_cell), max_size=len(HEADER)))
def test_xlsx_typed_cells_of_any_kind(cells):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(HEADER)
    row = [None] * len(HEADER)
    for name, value in cells:
        if isinstance(value, timedelta | Decimal) or (isinstance(value, str) and value.startswith("=")):
            value = str(value)[1:]  # openpyxl writes these as durations / formulas
        if isinstance(value, str):
            value = "".join(ch for ch in value if ch.isprintable())
        if isinstance(value, int) and not isinstance(value, bool) and abs(value) > 10**15:
            value = float(value)
        if isinstance(value, datetime | date) and value.year < 1900:
            value = None
        row[HEADER.index(name)] = value
    ws.append(row)
    buf = io.BytesIO()
    wb.save(buf)

    check_contract(buf.getvalue(), "orders.xlsx", max_line=2)
