"""Code 128 and QR, drawn as one filled path each.

Thermal label printers have 203 dpi heads: one dot is 0.125 mm (research/stack.md §11.19). A Code 128
module is therefore a whole number of dots — 3 (0.375 mm) when the symbol fits, else 2 or 1 — and the
symbol starts on a dot boundary, so every bar and space prints at its exact width. Quiet zones are 10
modules on each side (the Code 128 minimum); the caller gives the width they may use.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

from reportlab.graphics.barcode import code128, qrencoder
from reportlab.lib.units import mm

DOT = 0.125 * mm  # one printer dot at 203 dpi
QUIET = 10  # modules of quiet zone on each side


@dataclass(frozen=True, slots=True)
class Symbol:
    value: str
    bars: tuple[tuple[int, int], ...]  # (first module, width in modules) of each bar
    modules: int  # width of the symbol without quiet zones

    def width(self, dots: int) -> float:
        """Width in points with its quiet zones, at `dots` printer dots per module."""
        return (self.modules + 2 * QUIET) * dots * DOT


def code128_symbol(value: str) -> Symbol:
    """The bars of `value` in Code 128 (reportlab's encoder: subsets B/C chosen per run of digits)."""
    bc = code128.Code128(value)
    bc.validate()
    bc.encode()
    bars: list[tuple[int, int]] = []
    pos = 0
    for ch in bc.decompose():  # upper case: a bar of n modules, lower case: a space
        n = (ord(ch) - 64) if ch.isupper() else (ord(ch) - 96)
        if ch.isupper():
            bars.append((pos, n))
        pos += n
    return Symbol(value, tuple(bars), pos)


def module_dots(symbol: Symbol, width: float, max_dots: int = 3) -> int:
    """The widest whole-dot module (≤ max_dots) at which the symbol and its quiet zones fit `width`."""
    for dots in range(max_dots, 1, -1):
        if symbol.width(dots) <= width:
            return dots
    return 1


def snap(v: float) -> float:
    """`v` (points) moved down to a whole printer dot."""
    return int(v / DOT + 1e-6) * DOT


def draw_code128(c, value: str, x: float, y: float, width: float, height: float, max_dots: int = 3) -> float:
    """Code 128 of `value` centred in [x, x + width] (quiet zones included), bars from y to y + height.

    Returns the module width used, in points.
    """
    sym = code128_symbol(value)
    dots = module_dots(sym, width, max_dots)
    module = dots * DOT
    x0 = snap(x + (width - sym.modules * module) / 2)
    p = c.beginPath()
    for start, n in sym.bars:
        p.rect(x0 + start * module, y, n * module, height)
    c.drawPath(p, stroke=0, fill=1)
    return module


def draw_qr(c, text: str, x: float, y: float, size: float, level: str = "M", border: int = 2) -> None:
    """QR code of `text` in a size × size square at (x, y): encoded once, dark runs as one path
    (about 4× faster than reportlab's QrCodeWidget inside a Drawing; stack.md §1)."""
    q = qrencoder.QRCode(None, getattr(qrencoder.QRErrorCorrectLevel, level))
    q.addData(text)
    q.make()
    box = size / (q.getModuleCount() + 2 * border)
    p = c.beginPath()
    for r, row in enumerate(q.modules):
        col = 0
        for dark, run in itertools.groupby(row):
            k = len(list(run))
            if dark:
                p.rect(x + (col + border) * box, y + size - (r + border + 1) * box, k * box, box)
            col += k
    c.drawPath(p, stroke=0, fill=1)
