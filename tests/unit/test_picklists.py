"""Pick lists (summed by SKU, sorted by location) and packing slips (order-number barcode to scan)."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from datetime import datetime
from pathlib import Path

import pytest
import zxingcpp
from PIL import Image

from fahuo.fulfilment.documents import (
    PackingSlipData,
    PickLine,
    PickListData,
    PickRow,
    Receiver,
    SlipLine,
    pick_rows,
)
from fahuo.fulfilment.picklists import render_packing_slips, render_pick_list

POPPLER = all(shutil.which(t) for t in ("pdftoppm", "pdffonts", "pdftotext", "pdfinfo"))
needs_poppler = pytest.mark.skipif(not POPPLER, reason="poppler-utils (pdftoppm, pdffonts, pdftotext) not installed")

RECEIVER = Receiver("张三丰", "13812345678", "浙江省", "杭州市", "余杭区", "五常街道文一西路969号3号楼501室")


def pick_list(n_skus: int = 6) -> PickListData:
    lines = []
    for i in range(n_skus):
        # two order lines per SKU, so every row sums two lines
        loc = f"A-{n_skus - i}-1"
        lines += [PickLine(f"SKU-{i}", f"茶叶 {i} 号", 1, loc, "250g"), PickLine(f"SKU-{i}", f"茶叶 {i} 号", 2, loc, "250g")]
    return PickListData("W20260508-3", lines, datetime(2026, 5, 8, 14, 0), order_count=9, parcel_count=10, carrier_name="中通快递")


def slip(n_lines: int = 3, masked: bool = False, orders=("3912345678901234567",)) -> PackingSlipData:
    return PackingSlipData(
        order_nos=orders,
        receiver=RECEIVER,
        lines=[SlipLine(f"SKU-{j}", f"西湖龙井 {j} 号", 1 + j % 2, "250g") for j in range(n_lines)],
        masked=masked,
        buyer_message="请不要放发票",
        seller_memo="送试饮装",
        shop_name="清风茶庄",
        carrier_name="中通快递",
        waybill="78123456789012",
        wave_no="W20260508-3",
        printed_at=datetime(2026, 5, 8, 14, 32),
    )


def write(tmp_path: Path, render, *args, **kw) -> tuple[Path, object]:
    buf = io.BytesIO()
    result = render(*args, buf, **kw)
    path = tmp_path / "out.pdf"
    path.write_bytes(buf.getvalue())
    return path, result


def text_of(pdf: Path, *args: str) -> str:
    return subprocess.run(["pdftotext", *args, str(pdf), "-"], check=True, capture_output=True, text=True).stdout


def pages_of(pdf: Path) -> int:
    out = subprocess.run(["pdfinfo", str(pdf)], check=True, capture_output=True, text=True)
    return int(re.search(r"Pages:\s+(\d+)", out.stdout).group(1))


def scans(pdf: Path, dpi: int) -> list[list[str]]:
    prefix = pdf.with_suffix("")
    subprocess.run(["pdftoppm", "-r", str(dpi), "-png", str(pdf), str(prefix)], check=True)
    return [
        [r.text for r in zxingcpp.read_barcodes(Image.open(p), try_downscale=False)]
        for p in sorted(pdf.parent.glob(f"{prefix.name}-*.png"))
    ]


def fonts_embedded(pdf: Path) -> bool:
    out = subprocess.run(["pdffonts", str(pdf)], check=True, capture_output=True, text=True).stdout
    rows = out.splitlines()[2:]
    return bool(rows) and all(re.search(r"TrueType\s+\S+\s+yes", r) for r in rows)


# --- rows ----------------------------------------------------------------------------------------------


def test_pick_rows_sum_order_lines_by_sku_and_sort_by_location_naturally():
    lines = [
        PickLine("LJ-250", "龙井", 2, "A-10"),
        PickLine("BLC-100", "碧螺春", 1, "A-2"),
        PickLine("LJ-250", "龙井", 3, "A-10"),
        PickLine("NOLOC", "散茶", 1, ""),
        PickLine("AJ-1", "白茶", 1, "A-2"),
    ]

    rows = pick_rows(lines)

    assert rows == [
        PickRow("A-2", "AJ-1", "白茶", "", 1, 1),
        PickRow("A-2", "BLC-100", "碧螺春", "", 1, 1),
        PickRow("A-10", "LJ-250", "龙井", "", 5, 2),
        PickRow("", "NOLOC", "散茶", "", 1, 1),  # no location: last
    ]


def test_one_sku_in_two_locations_stays_two_rows():
    rows = pick_rows([PickLine("LJ", "龙井", 1, "B-1"), PickLine("LJ", "龙井", 2, "A-1")])

    assert [(r.location, r.qty) for r in rows] == [("A-1", 2), ("B-1", 1)]


def test_a_packing_slip_needs_an_ascii_order_number():
    with pytest.raises(ValueError, match="order numbers"):
        slip(orders=("订单一",))
    with pytest.raises(ValueError, match="order numbers"):
        slip(orders=())


# --- pick list PDF -------------------------------------------------------------------------------------


@needs_poppler
@pytest.mark.parametrize("size", ["a4", "76x130", "100x180"])
def test_the_pick_list_shows_rows_in_location_order_with_totals(tmp_path, size):
    pdf, pages = write(tmp_path, render_pick_list, pick_list(6), size=size)

    text = text_of(pdf)

    assert pages == pages_of(pdf) == 1
    order = [text.index(f"SKU-{i}") for i in range(5, -1, -1)]  # A-1-1 holds SKU-5 … A-6-1 holds SKU-0
    assert order == sorted(order)
    assert "合计 6 种 18 件" in text
    assert "批次 W20260508-3" in text and "第 1/1 页" in text
    assert fonts_embedded(pdf)


@needs_poppler
def test_a_long_pick_list_runs_over_pages_numbered_p_of_n(tmp_path):
    pdf, pages = write(tmp_path, render_pick_list, pick_list(60), size="a4")

    text = text_of(pdf)

    assert pages == pages_of(pdf) > 2
    assert f"第 1/{pages} 页" in text and f"第 {pages}/{pages} 页" in text
    assert "（续）" in text
    assert all(f"SKU-{i}" in text for i in range(60))
    assert text.count("合计 60 种 180 件") == 1


@needs_poppler
def test_the_pick_list_header_barcode_is_the_wave_number(tmp_path):
    pdf, _ = write(tmp_path, render_pick_list, pick_list(3), size="a4")

    assert scans(pdf, 300) == [["W20260508-3"]]


# --- packing slips -------------------------------------------------------------------------------------


@needs_poppler
@pytest.mark.parametrize("dpi", [203, 300])
@pytest.mark.parametrize("size", ["76x130", "100x180", "a4"])
def test_each_slip_carries_its_order_number_as_a_scannable_code128(tmp_path, size, dpi):
    slips = [slip(orders=("3912345678901234567",)), slip(orders=("3900000000000000001", "3900000000000000002"))]
    pdf, n = write(tmp_path, render_packing_slips, slips, size=size)

    assert n == 2
    assert scans(pdf, dpi) == [["3912345678901234567"], ["3900000000000000001"]]
    assert "等 2 单" in text_of(pdf)
    assert fonts_embedded(pdf)


@needs_poppler
def test_a_masked_slip_hides_the_receiver(tmp_path):
    pdf, _ = write(tmp_path, render_packing_slips, [slip(masked=True)])

    text = text_of(pdf)

    assert "张**" in text and "138****5678" in text
    assert "13812345678" not in text and "969" not in text
    assert "留言：请不要放发票" in text and "备注：送试饮装" in text


@needs_poppler
def test_a_slip_with_many_lines_continues_on_a_second_page_and_keeps_every_line(tmp_path):
    seen = []
    pdf, n = write(tmp_path, render_packing_slips, [slip(n_lines=20), slip(n_lines=2)], progress=seen.append)

    text = text_of(pdf)

    assert n == 2 and seen == [1, 2]
    assert pages_of(pdf) == 4  # the long slip takes three 76×130 pages
    assert "清风茶庄（续）" in text
    assert all(f"SKU-{j}" in text for j in range(20))
    assert text.count("留言：请不要放发票") == 2  # once per slip, on its last page
    assert scans(pdf, 203) == [["3912345678901234567"]] * 4


@needs_poppler
def test_slip_text_stays_on_the_page(tmp_path):
    long = PackingSlipData(
        order_nos=("3912345678901234567",),
        receiver=Receiver("欧阳娜娜娜娜娜娜娜娜娜娜", "13812345678-1234", "新疆维吾尔自治区", "伊犁哈萨克自治州", "察布查尔县", "阔洪奇乡" * 30),
        lines=[SlipLine("SKU-VERY-LONG-CODE-0001", "茶具套装 青瓷 6件套 带茶盘和公道杯 还有很多配件" * 2, 12)],
        buyer_message="请不要放发票，谢谢" * 20,
        shop_name="清风茶庄旗舰店清风茶庄旗舰店清风茶庄旗舰店",
    )
    pdf, _ = write(tmp_path, render_packing_slips, [long])

    html = text_of(pdf, "-bbox")
    boxes = re.findall(r'xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)"', html)

    assert boxes
    for x0, y0, x1, y1 in boxes:
        assert 0 <= float(x0) and float(x1) <= 215.5 and 0 <= float(y0) and float(y1) <= 368.6


def test_unknown_sizes_are_refused():
    with pytest.raises(ValueError, match="a4"):
        render_pick_list(pick_list(1), io.BytesIO(), size="a5")
    with pytest.raises(ValueError, match="76x130"):
        render_packing_slips([slip()], io.BytesIO(), size="a5")
