"""Pick lists and packing slips of a wave, as PDF (plain dataclasses in, pages streamed out).

- `render_pick_list`: one list per wave, rows summed by SKU and sorted by location (`pick_rows`), each
  with a box to tick, the location and quantity in bold; the wave number as Code 128 in the header;
  the totals after the last row; 第 p/P 页 on every page. A4 (default), 76×130 or 100×180.
- `render_packing_slips`: one slip per parcel (发货单): shop, 第 n/N 件, a Code 128 of the order number
  for scan-to-verify, the receiver (masked when asked), carrier and waybill, the lines to pack with a box
  each, buyer message and seller memo. A parcel with more lines than fit continues on a second page
  (标 续). 76×130 (default), 100×180 or A4.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import BinaryIO

from reportlab.lib.units import mm

from .barcodes import code128_symbol, draw_code128
from .documents import PackingSlipData, PickListData, PickRow
from .fonts import RULE, Box, Pen, label_font
from .labels import abandon, finish, streaming_canvas

PAGES = {"a4": (210 * mm, 297 * mm), "76x130": (76 * mm, 130 * mm), "100x180": (100 * mm, 180 * mm)}
SCALE = {"a4": 1.25, "76x130": 1.0, "100x180": 1.2}
GRID = 0.6  # gray of the rules between table rows


@dataclass(frozen=True, slots=True)
class Col:
    title: str
    frac: float
    align: str = "l"


PICK_COLS = (
    Col("", 0.08),
    Col("库位", 0.17),
    Col("商家编码", 0.2),
    Col("品名 / 规格", 0.41),
    Col("数量", 0.14, "r"),
)
SLIP_COLS = (Col("", 0.09), Col("商家编码", 0.24), Col("品名 / 规格", 0.5), Col("数量", 0.17, "r"))


def _check(size: str) -> tuple[float, float, float]:
    if size not in PAGES:
        raise ValueError(f"page size must be one of {', '.join(PAGES)}: {size!r}")
    w, h = PAGES[size]
    return w, h, SCALE[size]


def _titles(pen: Pen, b: Box, cols: tuple[Col, ...], k: float) -> None:
    for col, cell in zip(cols, b.cols(*(c.frac for c in cols)), strict=True):
        pen.line(col.title, cell.inset(1 * mm), 7 * k, 5, bold=True, align=col.align)
    c = pen.c
    c.setLineWidth(RULE)
    c.line(b.x, b.y, b.x + b.w, b.y)


def _row(pen: Pen, b: Box, cols: tuple[Col, ...], k: float, cells: list[str], name: str, spec: str, qty: int):
    """A table row: tick box, plain cells, a two-line name/spec cell, the quantity in bold."""
    boxes = b.cols(*(c.frac for c in cols))
    side = min(b.h * 0.55, 5 * mm * k)
    tick = boxes[0]
    pen.c.setLineWidth(RULE)
    pen.c.rect(tick.x + (tick.w - side) / 2, tick.y + (tick.h - side) / 2, side, side)
    for i, text in enumerate(cells, start=1):
        pen.line(text, boxes[i].inset(1 * mm), 9 * k, 5, bold=i == 1 and len(cols) == 5)
    cell = boxes[len(cells) + 1].inset(1 * mm)
    top, bottom = cell.rows(cell.h / mm * 0.56, cell.h / mm * 0.44)
    if spec:
        pen.line(name, top, 8.5 * k, 5)
        pen.line(spec, bottom, 7 * k, 5)
    else:  # the name may take both lines
        pen.block([name], cell.inset(0, 0.5 * mm), tuple(x * k for x in (8.5, 7.5)) + (6, 5))
    pen.line(str(qty), boxes[-1].inset(1 * mm), 13 * k, 7, bold=True, align="r")
    pen.c.setStrokeGray(GRID)
    pen.c.setLineWidth(0.3)
    pen.c.line(b.x, b.y, b.x + b.w, b.y)
    pen.c.setStrokeGray(0)


def _footer(pen: Pen, b: Box, k: float, left: str, page: int, pages: int) -> None:
    l_box, r_box = b.cols(0.7, 0.3)
    pen.line(left, l_box, 6.5 * k, 4.5)
    pen.line(f"第 {page}/{pages} 页", r_box, 7 * k, 5, align="r")


def _pages(n: int, first: int, rest: int) -> int:
    return 1 if n <= first else 1 + -(-(n - first) // rest)


# --- pick list -----------------------------------------------------------------------------------------


def _pick_header(pen: Pen, b: Box, d: PickListData, rows: list[PickRow], k: float) -> None:
    left, right = b.cols(0.62, 0.38)
    title, wave, counts, when = left.rows(*(x * left.h / mm for x in (0.36, 0.22, 0.22, 0.2)))
    pen.line(d.title, title, 18 * k, 9, bold=True)
    pen.line(f"批次 {d.wave_no}", wave, 10 * k, 6, bold=True)
    total = sum(r.qty for r in rows)
    parts = [
        d.carrier_name,
        f"订单 {d.order_count}",
        f"包裹 {d.parcel_count}",
        f"{len(rows)} 种 共 {total} 件",
    ]
    pen.line(" · ".join(p for p in parts if p and not p.endswith(" 0")), counts, 8 * k, 5)
    if d.created_at:
        pen.line(f"创建 {d.created_at:%Y-%m-%d %H:%M}", when, 7 * k, 5)
    if d.wave_no.isascii() and d.wave_no and code128_symbol(d.wave_no).width(2) <= right.w:
        draw_code128(pen.c, d.wave_no, right.x, right.y + right.h * 0.3, right.w, right.h * 0.55, max_dots=2)


def render_pick_list(data: PickListData, out: BinaryIO, size: str = "a4") -> int:
    """The wave's pick list into `out`. Returns the number of pages."""
    w, h, k = _check(size)
    rows = data.rows()
    m = (10 if size == "a4" else 2) * mm
    body = Box(m, m, w - 2 * m, h - 2 * m)
    head, sub, titles, foot, row_h = 24 * k * mm, 7 * k * mm, 6 * k * mm, 5 * k * mm, 10 * k * mm
    first = int((body.h - head - titles - foot) // row_h)
    rest = int((body.h - sub - titles - foot) // row_h)
    pages = _pages(len(rows), first, rest)
    on_last = len(rows) if pages == 1 else len(rows) - first - (pages - 2) * rest
    if on_last == (first if pages == 1 else rest):
        pages += 1  # the totals line gets a page of its own
    font = label_font()
    c = streaming_canvas(out, (w, h), font, f"{data.title} {data.wave_no}")
    pen = Pen(c, font)
    try:
        start = 0
        for p in range(1, pages + 1):
            top = body.top
            if p == 1:
                _pick_header(pen, Box(body.x, top - head, body.w, head), data, rows, k)
                top -= head
            else:
                pen.line(
                    f"{data.title} {data.wave_no}（续）",
                    Box(body.x, top - sub, body.w, sub),
                    10 * k,
                    6,
                    bold=True,
                )
                top -= sub
            _titles(pen, Box(body.x, top - titles, body.w, titles), PICK_COLS, k)
            top -= titles
            chunk = rows[start : start + (first if p == 1 else rest)]
            start += len(chunk)
            for r in chunk:
                _row(
                    pen,
                    Box(body.x, top - row_h, body.w, row_h),
                    PICK_COLS,
                    k,
                    [r.location, r.sku],
                    r.name,
                    r.spec,
                    r.qty,
                )
                top -= row_h
            if p == pages:
                total = f"合计 {len(rows)} 种  {sum(r.qty for r in rows)} 件"
                pen.line(
                    total, Box(body.x, top - row_h, body.w - 1 * mm, row_h), 11 * k, 6, bold=True, align="r"
                )
            _footer(pen, Box(body.x, body.y, body.w, foot), k, f"批次 {data.wave_no}", p, pages)
            pen.flush()
            c.showPage()
        finish(c, pages)
    except BaseException:
        abandon(c, font)
        raise
    return pages


# --- packing slips -------------------------------------------------------------------------------------


def _slip_top(pen: Pen, body: Box, s: PackingSlipData, k: float, cont: bool) -> float:
    """Shop, 第 n/N 件, the order-number barcode; returns the y below them."""
    head_h, bar_h = 8 * k * mm, 19 * k * mm
    head = Box(body.x, body.top - head_h, body.w, head_h)
    name, count = head.inset(1 * mm).cols(0.65, 0.35)
    pen.line((s.shop_name or "发货单") + ("（续）" if cont else ""), name, 12 * k, 7, bold=True)
    pen.line(f"第 {s.parcel_no}/{s.parcel_count} 件", count, 11 * k, 6, bold=True, align="r")
    bars = Box(body.x, head.y - bar_h, body.w, bar_h)
    text_h = 9 * k
    draw_code128(pen.c, s.order_nos[0], bars.x, bars.y + text_h + 1 * mm, bars.w, bars.h - text_h - 2 * mm)
    more = f"  等 {len(s.order_nos)} 单" if len(s.order_nos) > 1 else ""
    num = Box(bars.x, bars.y + 0.5 * mm, bars.w, text_h)
    pen.line(f"订单 {s.order_nos[0]}{more}", num, 8.5 * k, 6, bold=True, align="c")
    pen.c.setLineWidth(RULE)
    pen.c.line(body.x, bars.y, body.x + body.w, bars.y)
    return bars.y


def _slip_receiver(pen: Pen, b: Box, s: PackingSlipData, k: float) -> None:
    rc = s.shown_receiver()
    inner = b.inset(1 * mm, 0.8 * mm)
    name_h = 9 * k * 1.3
    pen.line(
        f"收 {rc.name}  {rc.phone}", Box(inner.x, inner.top - name_h, inner.w, name_h), 9 * k, 6, bold=True
    )
    info = f"{s.carrier_name} {s.waybill}".strip()
    info_h = 7 * k * 1.3 if info or s.wave_no else 0
    addr = Box(inner.x, inner.y + info_h, inner.w, inner.h - name_h - info_h)
    pen.block([rc.address()], addr, tuple(x * k for x in (8, 7, 6)) + (5,))
    if info_h:
        wave = f"  批次 {s.wave_no}" if s.wave_no else ""
        pen.line(f"{info}{wave}".strip(), Box(inner.x, inner.y, inner.w, info_h), 7 * k, 5)
    pen.c.setLineWidth(RULE)
    pen.c.line(b.x, b.y, b.x + b.w, b.y)


def _slip_notes(s: PackingSlipData) -> list[str]:
    notes = []
    if s.buyer_message.strip():
        notes.append(f"留言：{s.buyer_message.strip()}")
    if s.seller_memo.strip():
        notes.append(f"备注：{s.seller_memo.strip()}")
    return notes


def _draw_slip(pen: Pen, s: PackingSlipData, size: str) -> int:
    """Draws one slip (one page, more when its lines do not fit); returns the pages drawn."""
    c = pen.c
    w, h, k = _check(size)
    m = (10 if size == "a4" else 2) * mm
    body = Box(m, m, w - 2 * m, h - 2 * m)
    recv_h, titles, row_h, foot = 17 * k * mm, 5 * k * mm, 8 * k * mm, 5 * k * mm
    notes = _slip_notes(s)
    notes_h = (13 * k * mm) if notes else 0
    lines, start, page = list(s.lines), 0, 0
    while True:
        page += 1
        top = _slip_top(pen, body, s, k, cont=page > 1)
        if page == 1:
            _slip_receiver(pen, Box(body.x, top - recv_h, body.w, recv_h), s, k)
            top -= recv_h
        _titles(pen, Box(body.x, top - titles, body.w, titles), SLIP_COLS, k)
        top -= titles
        room = max(1, int((top - body.y - foot - notes_h) // row_h))
        last = len(lines) - start <= room
        if not last:  # no notes on this page: more rows
            room = int((top - body.y - foot) // row_h)
        for ln in lines[start : start + room]:
            _row(
                pen, Box(body.x, top - row_h, body.w, row_h), SLIP_COLS, k, [ln.sku], ln.name, ln.spec, ln.qty
            )
            top -= row_h
        start += room
        if last and notes:
            pen.block(
                notes,
                Box(body.x + 1 * mm, body.y + foot, body.w - 2 * mm, notes_h - 1 * mm),
                (9 * k, 8, 7, 6, 5),
            )
        total = sum(ln.qty for ln in s.lines)
        when = f"打印 {s.printed_at:%Y-%m-%d %H:%M}  " if s.printed_at else ""
        foot_box = Box(body.x + 1 * mm, body.y, body.w - 2 * mm, foot)
        pen.line(f"{when}共 {len(s.lines)} 种 {total} 件", foot_box, 7 * k, 5, align="r")
        pen.flush()
        c.setLineWidth(RULE)
        c.rect(body.x, body.y, body.w, body.h)
        c.showPage()
        if last:
            return page


def render_packing_slips(
    slips: Iterable[PackingSlipData],
    out: BinaryIO,
    size: str = "76x130",
    progress: Callable[[int], None] | None = None,
) -> int:
    """One packing slip per parcel into `out`, page by page. `progress(n)` after each slip. Returns n."""
    w, h, _ = _check(size)
    font = label_font()
    c = streaming_canvas(out, (w, h), font, "发货单")
    pen = Pen(c, font)
    done = pages = 0
    try:
        for s in slips:
            pages += _draw_slip(pen, s, size)
            done += 1
            if progress:
                progress(done)
        finish(c, pages)
    except BaseException:
        abandon(c, font)
        raise
    return done
