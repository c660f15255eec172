"""Waybill labels: rendered to PDF, rasterised at the printer's resolution and scanned back.

The barcode checks run poppler's pdftoppm at 203 dpi (the thermal printer's dots) and 300 dpi and
decode with zxing-cpp; the font checks read pdffonts; the text checks read pdftotext.
"""

from __future__ import annotations

import io
import logging
import re
import shutil
import subprocess
from datetime import datetime
from pathlib import Path

import pytest
import reportlab
import zxingcpp
from PIL import Image
from reportlab.lib.units import mm

from fahuo.fulfilment import barcodes, fonts
from fahuo.fulfilment.documents import LabelData, Party, Receiver, Routing, mask_detail
from fahuo.fulfilment.labels import A4_SLOTS, MARGIN, SIZES, render_labels

POPPLER = all(shutil.which(t) for t in ("pdftoppm", "pdffonts", "pdftotext", "pdfinfo"))
needs_poppler = pytest.mark.skipif(not POPPLER, reason="poppler-utils (pdftoppm, pdffonts, pdftotext) not installed")

DETAIL = "五常街道文一西路969号阿里巴巴西溪园区3号楼501室"


def label(i: int = 0, **kw) -> LabelData:
    fields = dict(
        waybill=f"DEMO{20260508000001 + i}",
        carrier_code="DEMO",
        carrier_name="演示快递",
        receiver=Receiver("张三丰", "13812345678", "浙江省", "杭州市", "余杭区", DETAIL),
        sender=Party("清风茶庄", "0571-88886666", "浙江省杭州市西湖区龙井路18号"),
        routing=Routing("571 杭州西湖", "571-W12-00 018", "杭州转运中心", "571W"),
        items=("西湖龙井 明前特级 250g ×2", "碧螺春 100g ×1"),
        buyer_message="请不要放发票，谢谢！",
        order_nos=("3912345678901234567",),
        parcel_no=1,
        parcel_count=2,
        printed_at=datetime(2026, 5, 8, 14, 32),
    )
    fields.update(kw)
    return LabelData(**fields)


def long_label() -> LabelData:
    return label(
        receiver=Receiver(
            "欧阳娜娜娜娜娜娜娜娜",
            "13812345678-1234",
            "新疆维吾尔自治区",
            "伊犁哈萨克自治州",
            "察布查尔锡伯自治县",
            "察布查尔镇阔洪奇乡良繁场二连幸福小区东门进去左手边第三栋楼二单元十八号楼上那户门口的快递柜旁边小卖部代收😊" * 3,
        ),
        sender=Party("清风茶庄旗舰店客服部售后组长王大锤", "0571-88886666-8001", "浙江省杭州市西湖区龙井路18号龙井村" * 4),
        routing=Routing("830 伊犁哈萨克自治州察布查尔锡伯自治县", "830-120-00 012-ABCDEFGH", "乌鲁木齐西北转运中心集散分拨中心", "991W"),
        items=tuple(f"西湖龙井 明前特级 {i}号礼盒装 250g ×{i}" for i in range(1, 15)),
        buyer_message="请不要放发票，周末也可以送，务必轻拿轻放，送到后请电话联系我，如果不在家请放门卫，谢谢" * 3,
        order_nos=tuple(str(3912345678901234567 + i) for i in range(6)),
        parcel_no=12,
        parcel_count=12,
        reprint=3,
    )


def render(labels, size: str = "76x130", **kw) -> bytes:
    buf = io.BytesIO()
    render_labels(labels, buf, size=size, **kw)
    return buf.getvalue()


def write(tmp_path: Path, pdf: bytes, name: str = "labels.pdf") -> Path:
    path = tmp_path / name
    path.write_bytes(pdf)
    return path


def rasterise(pdf: Path, dpi: int) -> list[Path]:
    prefix = pdf.with_suffix("")
    subprocess.run(["pdftoppm", "-r", str(dpi), "-png", str(pdf), str(prefix)], check=True)
    return sorted(pdf.parent.glob(f"{prefix.name}-*.png"))


def decoded(png: Path) -> list[tuple[str, str]]:
    """What zxing-cpp reads at the rendered resolution, as a scanner sees the print.

    Its default extra passes over half-size copies of the image (`try_downscale`) once produced a
    checksum-valid misread of a dense symbol on a 300-dpi A4 render (2.2 px modules after halving);
    `found_by_default` checks that the default reader finds the number too.
    """
    return [(r.format.name, r.text) for r in zxingcpp.read_barcodes(Image.open(png), try_downscale=False)]


def found_by_default(png: Path, number: str) -> bool:
    return number in {r.text for r in zxingcpp.read_barcodes(Image.open(png))}


def pdftotext(pdf: Path, *args: str) -> str:
    return subprocess.run(["pdftotext", *args, str(pdf), "-"], check=True, capture_output=True, text=True).stdout


def pages_of(pdf: Path) -> int:
    out = subprocess.run(["pdfinfo", str(pdf)], check=True, capture_output=True, text=True)
    assert "rror" not in out.stderr, out.stderr
    return int(re.search(r"Pages:\s+(\d+)", out.stdout).group(1))


# --- barcodes at the printed size ---------------------------------------------------------------------


@needs_poppler
@pytest.mark.parametrize("dpi", [203, 300])
@pytest.mark.parametrize("size", ["76x130", "100x180"])
def test_waybill_barcode_scans_at_printed_resolution(tmp_path, size, dpi):
    pdf = write(tmp_path, render([label()], size))

    (png,) = rasterise(pdf, dpi)

    codes = decoded(png)
    assert ("Code128", "DEMO20260508000001") in codes
    assert found_by_default(png, "DEMO20260508000001")
    assert {text for _, text in codes} == {"DEMO20260508000001"}  # the stub's barcode and QR on 100×180
    if size == "100x180":
        assert ("QRCode", "DEMO20260508000001") in codes


@needs_poppler
@pytest.mark.parametrize("dpi", [203, 300])
def test_a4_sheets_hold_four_labels_a_page_and_every_barcode_scans(tmp_path, dpi):
    pdf = write(tmp_path, render([label(i) for i in range(5)], "a4"))

    pngs = rasterise(pdf, dpi)

    assert pages_of(pdf) == 2 and len(pngs) == 2
    expected = [f"DEMO{20260508000001 + i}" for i in range(4)]
    assert sorted(t for _, t in decoded(pngs[0])) == expected
    assert all(found_by_default(pngs[0], n) for n in expected)
    assert decoded(pngs[1]) == [("Code128", "DEMO20260508000005")]


@needs_poppler
@pytest.mark.parametrize("number", ["SF1234567890123", "773012345678901", "78912345678901234567", "JT0001234567890"])
def test_common_waybill_numbers_scan_on_76mm_at_203_dpi(tmp_path, number):
    pdf = write(tmp_path, render([label(waybill=number)]))

    (png,) = rasterise(pdf, 203)

    assert decoded(png) == [("Code128", number)]
    assert found_by_default(png, number)


def test_code128_modules_are_whole_printer_dots():
    width = 76 * mm - 2 * MARGIN
    short = barcodes.code128_symbol("SF1234567890123")
    long_alnum = barcodes.code128_symbol("ABCDEFGHJKLMNPQRSTUV")

    assert barcodes.module_dots(short, width) == 3  # 0.375 mm
    assert barcodes.module_dots(long_alnum, width) == 2  # 0.25 mm: 3 dots would not fit with quiet zones
    assert short.width(3) <= width and long_alnum.width(2) <= width
    assert barcodes.snap(10.3 * barcodes.DOT) == pytest.approx(10 * barcodes.DOT)


def test_code128_bars_start_on_the_dot_grid():
    class Rec:
        def __init__(self):
            self.rects = []

        def beginPath(self):  # noqa: N802
            return self

        def rect(self, x, y, w, h):
            self.rects.append((x, w))

        def drawPath(self, *a, **k):  # noqa: N802
            pass

    c = Rec()
    module = barcodes.draw_code128(c, "DEMO20260508000001", 3.3, 0, 76 * mm - 6.6, 40)

    assert module == pytest.approx(3 * barcodes.DOT)
    for x, w in c.rects:
        assert (x / barcodes.DOT) == pytest.approx(round(x / barcodes.DOT), abs=1e-6)
        assert (w / barcodes.DOT) == pytest.approx(round(w / barcodes.DOT), abs=1e-6)


# --- fonts ---------------------------------------------------------------------------------------------


@needs_poppler
@pytest.mark.parametrize("size", list(SIZES))
def test_the_cjk_font_is_embedded_and_nothing_is_not(tmp_path, size):
    pdf = write(tmp_path, render([label()], size))

    out = subprocess.run(["pdffonts", str(pdf)], check=True, capture_output=True, text=True).stdout
    rows = out.splitlines()[2:]

    assert rows, out
    for row in rows:
        assert re.search(r"TrueType\s+\S+\s+yes\s+yes", row), out  # type, encoding, emb yes, sub yes
    assert fonts.label_font().embedded


def test_the_label_font_has_chinese_and_the_symbols_labels_use():
    f = fonts.label_font()

    assert f.embedded and f.chars is not None
    assert set("中收寄件第留言…×·：□") <= f.chars


def test_characters_the_font_lacks_become_boxes_not_blanks():
    f = fonts.label_font()

    assert f.clean("谢谢😊") == "谢谢□"
    assert f.clean("张三") == "张三"


# --- masking and text ----------------------------------------------------------------------------------


@needs_poppler
@pytest.mark.parametrize("size", list(SIZES))
def test_a_masked_label_shows_no_full_name_phone_or_house_number(tmp_path, size):
    pdf = write(tmp_path, render([label(masked=True)], size))

    text = pdftotext(pdf)

    assert "张**" in text and "138****5678" in text
    assert "13812345678" not in text and "张三丰" not in text
    assert "969" not in text and "501室" not in text
    assert "文一西路****" in text.replace("\n", "")


@needs_poppler
def test_an_unmasked_label_shows_the_receiver_in_full(tmp_path):
    pdf = write(tmp_path, render([label()]))

    text = pdftotext(pdf).replace("\n", "")

    for s in ("张三丰", "13812345678", "浙江省杭州市余杭区", "969号", "第 1/2 件", "订单 3912345678901234567"):
        assert s in text
    for s in ("571 杭州西湖", "571-W12-00 018", "杭州转运中心", "标准快递", "寄付月结", "留言：请不要放发票"):
        assert s in text


def _words(pdf: Path) -> list[tuple[float, float, float, float, str]]:
    html = pdftotext(pdf, "-bbox")
    pat = r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>'
    return [(float(a), float(b), float(c), float(d), w) for a, b, c, d, w in re.findall(pat, html)]


@needs_poppler
@pytest.mark.parametrize("size", ["76x130", "100x180"])
def test_long_text_is_wrapped_or_cut_and_never_leaves_the_frame(tmp_path, size):
    pdf = write(tmp_path, render([long_label()], size))
    w, h = SIZES[size]

    words = _words(pdf)

    assert len(words) > 20
    tol = 0.5
    for x0, y0, x1, y1, word in words:
        assert MARGIN - tol <= x0 and x1 <= w - MARGIN + tol, word
        assert MARGIN - tol <= y0 and y1 <= h - MARGIN + tol, word
    text = pdftotext(pdf).replace("\n", "")
    assert "…" in text  # something had to be cut
    assert "留言：" in text  # the message survives when items are summarised
    assert "第 12/12 件" in text


@needs_poppler
def test_a4_labels_stay_inside_their_slots(tmp_path):
    pdf = write(tmp_path, render([long_label()] * 4, "a4"))
    page_h = SIZES["a4"][1]
    slots = [(x + MARGIN, page_h - y - 130 * mm + MARGIN, x + 76 * mm - MARGIN, page_h - y - MARGIN) for x, y in A4_SLOTS]

    words = _words(pdf)

    for x0, y0, x1, y1, word in words:
        assert any(sx0 - 0.5 <= x0 and x1 <= sx1 + 0.5 and sy0 - 0.5 <= y0 and y1 <= sy1 + 0.5 for sx0, sy0, sx1, sy1 in slots), word


# --- streaming, progress, sizes ------------------------------------------------------------------------


class Recorder(io.BytesIO):
    """Notes how many bytes had been written each time progress is reported."""

    def __init__(self):
        super().__init__()
        self.seen: list[tuple[int, int]] = []

    def progress(self, n: int) -> None:
        self.seen.append((n, self.tell()))


@needs_poppler
def test_pages_are_written_as_they_are_drawn_and_progress_is_reported(tmp_path):
    out = Recorder()
    made = []

    def labels():  # a generator: the wave is never a list in memory
        for i in range(6):
            made.append(i)
            yield label(i)

    n = render_labels(labels(), out, progress=out.progress)

    assert n == 6
    assert [k for k, _ in out.seen] == [1, 2, 3, 4, 5, 6]
    written = [b for _, b in out.seen]
    assert written[0] > 0 and written == sorted(written) and len(set(written)) == 6
    pdf = write(tmp_path, out.getvalue())
    assert pages_of(pdf) == 6


@needs_poppler
def test_a4_progress_counts_labels_per_sheet(tmp_path):
    seen = []
    pdf = write(tmp_path, render([label(i) for i in range(9)], "a4", progress=seen.append))

    assert seen == [4, 8, 9]
    assert pages_of(pdf) == 3


@needs_poppler
def test_an_empty_wave_gives_a_valid_one_page_pdf(tmp_path):
    buf = io.BytesIO()

    assert render_labels([], buf) == 0
    assert pages_of(write(tmp_path, buf.getvalue())) == 1


def test_an_unknown_size_is_refused_before_anything_is_written():
    buf = io.BytesIO()

    with pytest.raises(ValueError, match="76x130"):
        render_labels([label()], buf, size="80x80")
    assert buf.getvalue() == b""


# --- the data ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "detail, masked",
    [
        ("文一西路969号3幢501", "文一西路****"),
        ("五常街道文一西路969号阿里巴巴西溪园区3号楼501室", "五常街道文一西路****"),
        ("五常街道永福村12号", "五常街道永福村****"),
        ("建国路88号SOHO现代城A座1201", "建国路****"),
        ("阳光花园7栋2单元", "阳光****"),
        ("B2-301", "****"),
        ("幸福镇十八号", "幸福镇****"),
        ("文一西路****", "文一西路****"),
        ("", ""),
    ],
)
def test_mask_detail_keeps_the_start_of_the_street_and_no_numbers(detail, masked):
    assert mask_detail(detail) == masked


def test_a_masked_receiver_hides_name_phone_and_street_detail():
    r = Receiver("张三丰", "13812345678", "浙江省", "杭州市", "余杭区", DETAIL).masked()

    assert (r.name, r.phone, r.detail) == ("张**", "138****5678", "五常街道文一西路****")
    assert r.address() == "浙江省杭州市余杭区 五常街道文一西路****"


def test_municipalities_are_not_repeated_in_the_region():
    assert Receiver("a", "b", "北京", "北京市", "朝阳区").region() == "北京市朝阳区"
    assert Receiver("a", "b", "上海市", "上海市", "浦东新区").region() == "上海市浦东新区"
    assert Receiver("a", "b", "浙江省", "杭州市", "").region() == "浙江省杭州市"


@pytest.mark.parametrize(
    "kw, message",
    [
        ({"waybill": "运单123"}, "ASCII"),
        ({"waybill": "  "}, "ASCII"),
        ({"parcel_no": 3, "parcel_count": 2}, "parcel"),
        ({"reprint": -1}, "reprint"),
    ],
)
def test_label_data_refuses_what_cannot_be_printed(kw, message):
    with pytest.raises(ValueError, match=message):
        label(**kw)


def test_label_data_takes_lists_and_strips_the_number():
    lb = label(waybill=" SF1234567890123 ", items=["a", "b"], order_nos="123")

    assert (lb.waybill, lb.items, lb.order_nos) == ("SF1234567890123", ("a", "b"), ("123",))


# --- text fitting --------------------------------------------------------------------------------------


def test_wrapping_keeps_numbers_with_their_units_and_no_line_is_too_wide():
    f = fonts.label_font()
    text = "浙江省杭州市余杭区 五常街道文一西路969号阿里巴巴西溪园区3号楼501室"

    for width in (60, 80, 99, 140):
        lines = fonts.wrap(f, text, 10, width)
        assert "".join(lines).replace(" ", "") == text.replace(" ", "")
        assert all(f.width(ln, 10) <= width for ln in lines)
        assert not any(ln.startswith(("号", "室", "，")) for ln in lines)


def test_fit_block_shrinks_then_cuts_with_an_ellipsis():
    f = fonts.label_font()

    size, lines = fonts.fit_block(f, ["短地址"], 100, 30, (10, 8))
    assert (size, lines) == (10, ["短地址"])
    size, lines = fonts.fit_block(f, ["很长的地址" * 30], 100, 30, (10, 8, 6))
    assert size == 6 and len(lines) == int(30 // (6 * 1.2)) and lines[-1].endswith("…")
    assert all(f.width(ln, size) <= 100 for ln in lines)


# --- font lookup ---------------------------------------------------------------------------------------


@pytest.fixture
def fresh_font():
    fonts.reset()
    yield
    fonts.reset()


def test_fahuo_label_font_is_tried_first(monkeypatch, fresh_font):
    path = fonts.label_font().path
    fonts.reset()
    monkeypatch.setenv("FAHUO_LABEL_FONT", f"{path}#0")

    f = fonts.label_font()

    assert (f.source, f.path, f.embedded) == ("env", path, True)


def test_fonts_without_chinese_or_unreadable_are_skipped(tmp_path):
    vera = str(Path(reportlab.__file__).parent / "fonts" / "Vera.ttf")  # TrueType, Latin only
    junk = tmp_path / "junk.ttf"
    junk.write_bytes(b"not a font")

    assert fonts.load_truetype(vera) is None
    assert fonts.load_truetype(str(junk)) is None
    assert fonts.load_truetype(str(tmp_path / "missing.ttc")) is None


def test_cff_outline_fonts_are_refused():
    noto = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")
    if not noto.exists():
        pytest.skip("fonts-noto-cjk not installed")  # only this case needs it
    assert fonts.load_truetype(str(noto)) is None


def test_a_bad_fahuo_label_font_falls_through_to_the_next_source(monkeypatch, fresh_font):
    monkeypatch.setenv("FAHUO_LABEL_FONT", str(Path(reportlab.__file__).parent / "fonts" / "Vera.ttf"))

    f = fonts.label_font()

    assert f.source != "env" and f.embedded


def test_the_pip_font_package_is_found_through_importlib_resources(monkeypatch, fresh_font):
    # paperang-p2-fonts-cjk is a runtime dependency (ADR 0006): with no FAHUO_LABEL_FONT it is the first choice
    monkeypatch.delenv("FAHUO_LABEL_FONT", raising=False)
    fonts.reset()

    path = fonts.package_font_path()

    assert path is not None and path.endswith("wqy-microhei.ttc") and Path(path).is_file()
    assert next(fonts.candidates())[0] == "package"
    f = fonts.label_font()
    assert (f.source, f.embedded) == ("package", True)


def test_with_no_truetype_cjk_font_the_cid_font_is_used_with_a_warning(monkeypatch, caplog, fresh_font):
    monkeypatch.setattr(fonts, "candidates", lambda: iter([("system", "/nonexistent/font.ttc", 0)]))

    with caplog.at_level(logging.WARNING, logger="fahuo.fulfilment.fonts"):
        f = fonts.label_font()

    assert (f.name, f.embedded) == ("STSong-Light", False)
    assert "NOT embedded" in caplog.text
    assert len(render([label()])) > 1000  # still renders
