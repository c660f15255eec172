"""Waybill labels as one print-ready PDF per wave.

`render_labels(labels, out, size=…)` draws each `LabelData` and writes pages to `out` as it goes
(`StreamingCanvas`), so memory stays flat in the number of labels. Sizes:

- `76x130`: one-part label, the Cainiao standard layout (top to bottom): carrier + service/payment;
  大头笔 big; 三段码 | 集包地; the waybill Code 128 + number; 收 receiver (masked on privacy labels);
  寄 sender; custom area (items, buyer message); order number(s), print date, reprint count, 第 n/N 件.
- `100x180`: two-part label: the same blocks larger on the upper 派件联 (112 mm), a dashed cut line, and
  a 客户联 stub (64 mm) with a smaller Code 128, the receiver and sender, items and a QR of the number.
- `a4`: sheets of 76×130 labels, 2 columns × 2 rows per page: 24 mm side margins, a 10 mm gutter,
  15 mm top and bottom margins, a 7 mm gap between rows, grey crop marks at each label's corners;
  labels fill left → right, top → bottom.

Every text is fitted to its box (shrunk, wrapped, then cut with …), so nothing leaves the label.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import BinaryIO

from reportlab.lib.units import mm
from reportlab.pdfbase import pdfdoc, pdfmetrics
from reportlab.pdfgen import canvas

from .barcodes import draw_code128, draw_qr
from .documents import LabelData
from .fonts import Box, LabelFont, Pen, fit_block, frame, label_font

SIZES = {"76x130": (76 * mm, 130 * mm), "100x180": (100 * mm, 180 * mm), "a4": (210 * mm, 297 * mm)}
A4_SLOTS = [(24 * mm, 152 * mm), (110 * mm, 152 * mm), (24 * mm, 15 * mm), (110 * mm, 15 * mm)]
MARGIN = 2 * mm  # the frame is drawn this far inside the label edge
PAD = 1.5 * mm


# --- streaming PDF -------------------------------------------------------------------------------------


class _StreamingDocument(pdfdoc.PDFDocument):
    """reportlab keeps every page until save() and then builds the whole file in memory. This writes
    each finished page and its content stream to the output at once and keeps only their offsets;
    fonts (subsets of what was used), the page tree and the xref follow at save()."""

    def start_streaming(self, out: BinaryIO) -> None:
        self._out, self._pos = out, 0

    def _emit(self, data: bytes) -> int:
        if not self._pos:
            header = pdfdoc.PDFFile(self._pdfVersion).strings[0]
            self._out.write(header)
            self._pos = len(header)
        at = self._pos
        self._out.write(data)
        self._pos += len(data)
        return at

    def _flush(self, oid: str) -> None:
        data = pdfdoc.PDFIndirectObject(oid, self.idToObject[oid]).format(self)
        self.idToOffset[oid] = self._emit(data)
        del self.idToObject[oid]  # only its number and offset are kept, for the xref

    def addPage(self, page) -> None:  # noqa: N802 (reportlab's name)
        if page.compression and page.stream and not page.Contents:
            # zlib only: reportlab's default adds ASCII85 on top (25 % larger, slow in pure Python)
            page.Contents = pdfdoc.PDFStream(content=page.stream, filters=[pdfdoc.PDFZCompress])
        super().addPage(page)
        before = self.objectcounter
        name = page.__InternalName__
        self._flush(name)  # registers the page's content stream (and, once, the page tree)
        for num in range(before + 1, self.objectcounter + 1):
            oid = self.numberToId[num]
            if isinstance(self.idToObject[oid], pdfdoc.PDFStream):
                self._flush(oid)
        self.Pages.pages[-1] = b"%d 0 R" % self.idToObjectNumberAndVersion[name][0]  # the page tree's kid

    def format(self) -> bytes:
        self._emit(b"")  # the header, when no page was written
        self.encrypt.prepare(self)
        cat, info = self.Catalog, self.info
        self.Reference(cat)
        self.Reference(info)
        out = pdfdoc.PDFFile(self._pdfVersion)
        out.strings.clear()
        out.offset = self._pos
        ids, counter = [], 1
        while counter in self.numberToId:  # objects may be added while formatting (fonts)
            oid = self.numberToId[counter]
            if oid not in self.idToOffset:  # not written yet
                self.idToOffset[oid] = out.add(
                    pdfdoc.PDFIndirectObject(oid, self.idToObject[oid]).format(self)
                )
            ids.append(oid)
            counter += 1
        xref = pdfdoc.PDFCrossReferenceTable()
        xref.addsection(0, ids)
        at = out.add(xref.format(self))
        trailer = pdfdoc.PDFTrailer(
            startxref=at, Size=len(ids) + 1, Root=self.Reference(cat), Info=self.Reference(info), ID=self.ID()
        )
        out.add(trailer.format(self))
        return out.format(self)


def streaming_canvas(
    out: BinaryIO, pagesize: tuple[float, float], font: LabelFont, title: str = ""
) -> canvas.Canvas:
    """A reportlab canvas that writes each page to `out` on showPage(); call save() at the end.
    Its initial font is `font`, so no unembedded Helvetica is referenced."""
    c = canvas.Canvas(out, pagesize=pagesize, pageCompression=1, initialFontName=font.name)
    c._doc.__class__ = _StreamingDocument
    c._doc.start_streaming(out)
    if title:
        c.setTitle(title)
    c.setCreator("fahuo")
    return c


def finish(c: canvas.Canvas, pages: int) -> None:
    """Write the rest of the PDF (a blank page when nothing was drawn)."""
    if not pages:
        c.showPage()
    c.save()


def abandon(c: canvas.Canvas, font: LabelFont) -> None:
    """After a failure: drop the per-document state reportlab keeps on the font (used characters)."""
    state = getattr(pdfmetrics.getFont(font.name), "state", None)
    if isinstance(state, dict):
        state.pop(c._doc, None)


# --- the blocks of a label -----------------------------------------------------------------------------


def _header(pen: Pen, b: Box, lb: LabelData) -> None:
    left, right = b.inset(PAD, 0.5 * mm).cols(0.58, 0.42)
    pen.line(lb.carrier_name, left, min(18, b.h * 0.6), 8, bold=True)
    top, bottom = right.rows(right.h / mm * 0.58, right.h / mm * 0.42)
    pen.line(lb.service, top, 12, 7, bold=True, align="r")
    pen.line(lb.payment, bottom, 8, 6, align="r")


def _route(pen: Pen, b: Box, lb: LabelData) -> None:
    pen.line(lb.routing.big_pen, b.inset(PAD, 0.5 * mm), b.h * 0.78, 12, bold=True, align="c")


def _sort(pen: Pen, b: Box, lb: LabelData) -> None:
    r = lb.routing
    inner = b.inset(PAD, 0.5 * mm)
    if not (r.hub_name or r.hub_code):
        pen.line(r.sort_code, inner, 24, 9, bold=True, align="c")
        return
    code, hub = b.cols(0.6, 0.4)
    pen.c.line(hub.x, b.y, hub.x, b.top)
    pen.line(r.sort_code, code.inset(PAD, 0.5 * mm), 24, 8, bold=True, align="c")
    label, name, no = hub.inset(PAD, 0.4 * mm).rows(*(x * hub.h / mm - 0.27 for x in (0.26, 0.4, 0.34)))
    pen.line("集包地", label, 6, 5)
    pen.line(r.hub_name, name, 11, 6, bold=True)
    pen.line(r.hub_code, no, 10, 6)


def _waybill(pen: Pen, b: Box, lb: LabelData, max_dots: int = 3, text: float = 13) -> None:
    """The waybill Code 128 (quiet zones inside the row) with the number under it."""
    text_h = text * 1.15
    bar_top = b.top - PAD
    bar_y = b.y + PAD + text_h
    draw_code128(pen.c, lb.waybill, b.x, bar_y, b.w, bar_top - bar_y, max_dots=max_dots)
    num = Box(b.x + PAD, b.y + PAD * 0.6, b.w - 2 * PAD, text_h)
    pen.line(lb.waybill, num, text, 7, bold=True, align="c", space=text * 0.12)


def _receiver(pen: Pen, b: Box, lb: LabelData, name_size: float = 13, sizes=(11, 10, 9, 8, 7, 6)) -> None:
    rc = lb.shown_receiver()
    side = min(7 * mm, b.h * 0.4)
    pen.marker("收", b.x + PAD, b.top - PAD, side)
    body = Box(b.x + 2 * PAD + side, b.y + PAD * 0.6, b.w - 3 * PAD - side, b.h - 1.6 * PAD)
    head_h = name_size * 1.3
    pen.line(
        f"{rc.name}  {rc.phone}", Box(body.x, body.top - head_h, body.w, head_h), name_size, 8, bold=True
    )
    pen.block([rc.address()], Box(body.x, body.y, body.w, body.h - head_h - 0.5 * mm), sizes, bold=True)


def _sender(pen: Pen, b: Box, lb: LabelData, size: float = 8.5) -> None:
    s = lb.sender
    side = min(5 * mm, b.h * 0.45)
    pen.marker("寄", b.x + PAD, b.top - PAD, side, filled=False)
    body = Box(b.x + 2 * PAD + side, b.y + PAD * 0.5, b.w - 3 * PAD - side, b.h - 1.5 * PAD)
    head_h = size * 1.3
    pen.line(f"{s.name}  {s.phone}", Box(body.x, body.top - head_h, body.w, head_h), size, 6)
    pen.block([s.address], Box(body.x, body.y, body.w, body.h - head_h), (size - 0.5, 7, 6.5, 6, 5.5))


def _custom_paras(lb: LabelData, keep: int) -> list[str]:
    items = list(lb.items[:keep])
    if keep < len(lb.items):
        items.append(f"…另 {len(lb.items) - keep} 项")
    msg = [f"留言：{lb.buyer_message.strip()}"] if lb.buyer_message.strip() else []
    return items + msg


def _custom(pen: Pen, b: Box, lb: LabelData, sizes=(9.5, 9, 8, 7, 6.5, 6)) -> None:
    """Items summary and buyer message; when both cannot fit, items are summarised, not the message."""
    body = b.inset(PAD, PAD * 0.6)
    keep = len(lb.items)
    paras = _custom_paras(lb, keep)
    font, small = pen.font, sizes[-1]
    cap = int(body.h // (small * 1.2))
    while keep > 0:
        n = sum(len(fit_block(font, [pen.font.clean(p)], body.w, 1e6, (small,))[1]) for p in paras)
        if n <= cap:
            break
        keep -= 1
        paras = _custom_paras(lb, keep)
    pen.block(paras, body, sizes)


def _orders_text(lb: LabelData) -> str:
    if not lb.order_nos:
        return ""
    if len(lb.order_nos) == 1:
        return f"订单 {lb.order_nos[0]}"
    return f"订单 {lb.order_nos[0]} 等{len(lb.order_nos)}单"


def _footer(pen: Pen, b: Box, lb: LabelData, count_size: float = 12) -> None:
    left, right = b.inset(PAD, 0.4 * mm).cols(0.68, 0.32)
    top, bottom = left.rows(left.h / mm * 0.55, left.h / mm * 0.45)
    pen.line(_orders_text(lb), top, 7.5, 5)
    small = []
    if lb.printed_at:
        small.append(f"打印 {lb.printed_at:%Y-%m-%d %H:%M}")
    if lb.reprint:
        small.append(f"补打第{lb.reprint}次")
    pen.line("  ".join(small), bottom, 6, 4.5)
    pen.line(f"第 {lb.parcel_no}/{lb.parcel_count} 件", right, count_size, 7, bold=True, align="r")


# --- layouts -------------------------------------------------------------------------------------------


def draw_76x130(pen: Pen, lb: LabelData, x: float = 0.0, y: float = 0.0) -> None:
    b = Box(x + MARGIN, y + MARGIN, 76 * mm - 2 * MARGIN, 130 * mm - 2 * MARGIN)
    rows = b.rows(10, 15, 10, 27, 24, 13, 20, 7)
    frame(pen.c, b, rows)
    header, route, sort, bars, receiver, sender, custom, footer = rows
    _header(pen, header, lb)
    _route(pen, route, lb)
    _sort(pen, sort, lb)
    _waybill(pen, bars, lb)
    _receiver(pen, receiver, lb)
    _sender(pen, sender, lb)
    _custom(pen, custom, lb)
    _footer(pen, footer, lb)
    pen.flush()


def draw_100x180(pen: Pen, lb: LabelData) -> None:
    c = pen.c
    b = Box(MARGIN, MARGIN, 100 * mm - 2 * MARGIN, 180 * mm - 2 * MARGIN)
    upper, gap, lower = b.rows(112, 3, 61)
    rows = upper.rows(11, 15, 12, 28, 24, 13, 9)
    frame(c, upper, rows)
    header, route, sort, bars, receiver, sender, sign = rows
    _header(pen, header, lb)
    _route(pen, route, lb)
    _sort(pen, sort, lb)
    _waybill(pen, bars, lb, text=15)
    _receiver(pen, receiver, lb, name_size=14, sizes=(12, 11, 10, 9, 8, 7, 6))
    _sender(pen, sender, lb, size=9)
    who, when = sign.inset(PAD, 1 * mm).cols(0.45, 0.55)
    pen.line("签收人：", who, 9, 6)
    pen.line("签收时间：      年    月    日", when, 9, 6)
    c.saveState()
    c.setDash(3, 2)
    c.setLineWidth(0.5)
    c.line(0, gap.y + gap.h / 2, 100 * mm, gap.y + gap.h / 2)
    c.restoreState()
    srows = lower.rows(15, 14, 10, 16, 6)
    frame(c, lower, srows)
    head, receiver2, sender2, custom, footer = srows
    name, code = head.cols(0.38, 0.62)
    pen.line(lb.carrier_name, name.inset(PAD, 3 * mm), 12, 7, bold=True)
    pen.line("客户联", Box(name.x + PAD, name.y + 0.5 * mm, name.w - 2 * PAD, 3 * mm), 7, 5)
    _waybill(pen, code, lb, max_dots=2, text=8)
    _receiver(pen, receiver2, lb, name_size=9, sizes=(8, 7, 6, 5.5))
    _sender(pen, sender2, lb, size=7.5)
    q = custom.h - 2 * PAD * 0.6
    text, qr = Box(custom.x, custom.y, custom.w - q - PAD, custom.h), custom.x + custom.w - q - PAD * 0.6
    draw_qr(c, lb.waybill, qr, custom.y + PAD * 0.6, q, border=1)
    _custom(pen, text, lb, sizes=(8, 7, 6.5, 6, 5.5))
    _footer(pen, footer, lb, count_size=10)
    pen.flush()


def _crop_marks(c: canvas.Canvas, x: float, y: float) -> None:
    w, h, g, n = 76 * mm, 130 * mm, 1 * mm, 3 * mm
    c.setStrokeGray(0.6)
    c.setLineWidth(0.3)
    p = c.beginPath()
    for cx, cy, sx, sy in ((x, y, -1, -1), (x + w, y, 1, -1), (x, y + h, -1, 1), (x + w, y + h, 1, 1)):
        p.moveTo(cx + sx * g, cy)
        p.lineTo(cx + sx * (g + n), cy)
        p.moveTo(cx, cy + sy * g)
        p.lineTo(cx, cy + sy * (g + n))
    c.drawPath(p, stroke=1, fill=0)
    c.setStrokeGray(0)


def _pages(labels: Iterable[LabelData], size: str) -> Iterator[list[LabelData]]:
    per = 4 if size == "a4" else 1
    page: list[LabelData] = []
    for lb in labels:
        page.append(lb)
        if len(page) == per:
            yield page
            page = []
    if page:
        yield page


def render_labels(
    labels: Iterable[LabelData],
    out: BinaryIO,
    size: str = "76x130",
    progress: Callable[[int], None] | None = None,
    title: str = "",
) -> int:
    """Draw `labels` into one PDF written to `out`, page by page (labels may be a generator).

    `progress(n)` is called after each page with the number of labels drawn so far. Returns that number.
    """
    if size not in SIZES:
        raise ValueError(f"label size must be one of {', '.join(SIZES)}: {size!r}")
    font = label_font()
    c = streaming_canvas(out, SIZES[size], font, title or "面单")
    pen = Pen(c, font)
    done = pages = 0
    try:
        for page in _pages(labels, size):
            for i, lb in enumerate(page):
                if size == "a4":
                    _crop_marks(c, *A4_SLOTS[i])
                    draw_76x130(pen, lb, *A4_SLOTS[i])
                elif size == "100x180":
                    draw_100x180(pen, lb)
                else:
                    draw_76x130(pen, lb)
            c.showPage()
            done += len(page)
            pages += 1
            if progress:
                progress(done)
        finish(c, pages)
    except BaseException:
        abandon(c, font)
        raise
    return done
