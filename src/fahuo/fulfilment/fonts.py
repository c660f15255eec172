"""The label font, and measuring / fitting text in it.

Labels must print Chinese on any machine, so the font is a TrueType-outline CJK font embedded as a
subset (research/stack.md §1, §11.1–2: reportlab refuses CFF fonts such as Noto CJK, and the CID font
STSong-Light is referenced, not embedded). Lookup order, first that loads and has '中' wins:

1. `FAHUO_LABEL_FONT`: a path to a .ttf / .ttc (`/path/font.ttc#1` picks the face of a collection);
2. the PyPI package `paperang-p2-fonts-cjk` (WenQuanYi Micro Hei, .ttc) when installed;
3. Debian's fonts-wqy-zenhei / fonts-wqy-microhei at their known paths, then `fc-match`;
4. STSong-Light (CID, not embedded) with a logged warning: the PDF shows boxes where no CJK font is.

The font is registered with reportlab once per process (`label_font()`).
"""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from importlib import resources

from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

log = logging.getLogger(__name__)

FONT_NAME = "FahuoCJK"
CID_FALLBACK = "STSong-Light"
PACKAGE = "paperang_p2_fonts_cjk"
PACKAGE_FILE = ("fonts", "wqy-microhei.ttc")
SYSTEM_PATHS = (
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
)
FC_PATTERNS = ("WenQuanYi Zen Hei:lang=zh-cn", "WenQuanYi Micro Hei:lang=zh-cn", ":lang=zh-cn")
RULE = 0.7  # pt: frames and rules
ASCENT, DESCENT = 0.86, 0.14  # of the em, for placing CJK text in a box
MISSING = "□"  # drawn for characters the font lacks (emoji in buyer messages, rare names)
ELLIPSIS = "…"


@dataclass
class LabelFont:
    """A registered font plus a per-character width cache (widths at 1 pt)."""

    name: str
    path: str | None  # None for the CID fallback
    source: str  # "env" | "package" | "system" | "fc-match" | "cid"
    embedded: bool
    index: int = 0  # face of a .ttc
    chars: frozenset[str] | None = None  # what the font covers; None = unknown (CID)
    _w: dict[str, float] = field(default_factory=dict, repr=False)

    def clean(self, text: str) -> str:
        """The text with characters the font lacks replaced by □ (so nothing prints as blank)."""
        if self.chars is None or self.chars.issuperset(text):
            return text
        return "".join(ch if ch in self.chars or ch in "\n\t" else MISSING for ch in text)

    def width(self, text: str, size: float) -> float:
        w = self._w
        try:
            return sum([w[ch] for ch in text]) * size
        except KeyError:
            for ch in text:
                if ch not in w:
                    w[ch] = pdfmetrics.stringWidth(ch, self.name, 1000) / 1000
            return sum([w[ch] for ch in text]) * size


_lock = threading.Lock()
_font: LabelFont | None = None


def label_font() -> LabelFont:
    """The font labels are drawn in, found and registered on first use."""
    global _font
    if _font is None:
        with _lock:
            if _font is None:
                _font = _register()
    return _font


def reset() -> None:
    """Forget the chosen font (tests; a changed FAHUO_LABEL_FONT)."""
    global _font
    with _lock:
        _font = None


def _register() -> LabelFont:
    for source, path, index in candidates():
        tt = load_truetype(path, index)
        if tt is None:
            continue
        pdfmetrics.registerFont(tt)
        chars = frozenset(chr(cp) for cp in tt.face.charToGlyph)
        log.info("label font: %s (%s, face %d)", path, source, index)
        return LabelFont(FONT_NAME, path, source, embedded=True, index=index, chars=chars)
    log.warning(
        "No TrueType CJK font found (FAHUO_LABEL_FONT, paperang-p2-fonts-cjk, fonts-wqy-zenhei): labels "
        "use %s, which is NOT embedded and prints as boxes where the viewer has no CJK font",
        CID_FALLBACK,
    )
    pdfmetrics.registerFont(UnicodeCIDFont(CID_FALLBACK))
    return LabelFont(CID_FALLBACK, None, "cid", embedded=False)


def candidates() -> Iterator[tuple[str, str, int]]:
    """(source, path, face index) in lookup order; paths are not checked here."""
    env = os.environ.get("FAHUO_LABEL_FONT", "").strip()
    if env:
        path, _, idx = env.partition("#")
        yield "env", path, int(idx) if idx.isdigit() else 0
    pkg = package_font_path()
    if pkg:
        yield "package", pkg, 0
    for path in SYSTEM_PATHS:
        yield "system", path, 0
    for path in _fc_match():
        yield "fc-match", path, 0


def package_font_path() -> str | None:
    """WenQuanYi Micro Hei from the `paperang-p2-fonts-cjk` wheel, when it is installed."""
    try:
        res = resources.files(PACKAGE).joinpath(*PACKAGE_FILE)
    except (ModuleNotFoundError, TypeError):
        return None
    return str(res) if res.is_file() else None


def _fc_match() -> Iterator[str]:
    if not shutil.which("fc-match"):
        return
    for pattern in FC_PATTERNS:
        try:
            out = subprocess.run(
                ["fc-match", "-f", "%{file}", pattern], capture_output=True, text=True, timeout=10
            ).stdout.strip()
        except (OSError, subprocess.SubprocessError):
            return
        if out:
            yield out


def load_truetype(path: str, index: int = 0) -> TTFont | None:
    """The font at `path` if reportlab can embed it and it has Chinese; None otherwise."""
    if not path or not os.path.isfile(path):
        return None
    try:
        tt = TTFont(FONT_NAME, path, subfontIndex=index)  # TTFError for CFF outlines (Noto CJK)
    except Exception as e:  # reportlab raises TTFError, struct.error, IndexError…
        log.info("label font %s unusable: %s", path, e)
        return None
    if ord("中") not in tt.face.charToGlyph:  # fc-match falls back to Latin-only fonts
        log.info("label font %s has no Chinese", path)
        return None
    return tt


# --- fitting text ------------------------------------------------------------------------------------


UNITS = set("号栋幢座楼层室单元弄巷期区")  # 128号, 3栋: a number keeps its unit
CLOSERS = set("，。、；：！？）》」』”’,.;:!?)%")  # never start a line


def _alnum(ch: str) -> bool:
    return ch.isascii() and ch.isalnum()


def _joined(a: str, b: str) -> bool:
    """Whether a line must not break between a and b."""
    return b in CLOSERS or (_alnum(a) and (_alnum(b) or b in UNITS))


def wrap(font: LabelFont, text: str, size: float, width: float) -> list[str]:
    """Break `text` into lines no wider than `width`. CJK breaks between any two characters, except
    that a run such as `128号`, `B2-301` or `谢谢！` moves whole to the next line when it can."""
    lines: list[str] = []
    w = font._w
    for para in text.split("\n"):
        if not para:
            continue
        font.width(para, 1)  # fills the cache for every character
        start, acc, i, n = 0, 0.0, 0, len(para)
        while i < n:
            cw = w[para[i]] * size
            if acc + cw > width and i > start:
                cut = j = i
                while j > start + 1 and _joined(para[j - 1], para[j]):
                    j -= 1
                if j > start + 1 or not _joined(para[j - 1], para[j]):
                    cut = j
                lines.append(para[start:cut].rstrip())
                start = cut
                while start < n and para[start] == " ":
                    start += 1
                i = start
                acc = 0.0
                continue
            acc += cw
            i += 1
        if start < n:
            lines.append(para[start:])
    return lines


def truncate(font: LabelFont, text: str, size: float, width: float) -> str:
    """`text` cut to `width` with an ellipsis, or unchanged when it fits."""
    if font.width(text, size) <= width:
        return text
    limit = width - font.width(ELLIPSIS, size)
    acc, w = 0.0, font._w
    for i, ch in enumerate(text):
        acc += w[ch] * size
        if acc > limit:
            return text[:i].rstrip() + ELLIPSIS
    return text


def fit_line(font: LabelFont, text: str, width: float, size: float, min_size: float) -> tuple[float, str]:
    """One line: the largest size ≤ `size` at which `text` fits, else `min_size` and truncated."""
    w = font.width(text, size)
    if w <= width:
        return size, text
    s = size * width / w
    if s >= min_size:
        return s, text
    return min_size, truncate(font, text, min_size, width)


def fit_block(
    font: LabelFont,
    paras: list[str],
    width: float,
    height: float,
    sizes: tuple[float, ...],
    leading: float = 1.2,
) -> tuple[float, list[str]]:
    """Paragraphs wrapped into a width × height box: the largest of `sizes` at which all lines fit,
    else the smallest size with the lines that fit and the last one ending in an ellipsis."""
    paras = [p for p in paras if p]
    lines: list[str] = []
    for size in sizes:
        cap = max(1, int(height // (size * leading)))
        lines = [ln for p in paras for ln in wrap(font, p, size, width)]
        if len(lines) <= cap:
            return size, lines
    size = sizes[-1]
    cap = max(1, int(height // (size * leading)))
    return size, lines[: cap - 1] + [truncate(font, lines[cap - 1] + ELLIPSIS, size, width)]


# --- drawing fitted text -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Box:
    x: float
    y: float  # bottom
    w: float
    h: float

    @property
    def top(self) -> float:
        return self.y + self.h

    def inset(self, dx: float, dy: float = 0.0) -> Box:
        return Box(self.x + dx, self.y + dy, self.w - 2 * dx, self.h - 2 * dy)

    def rows(self, *heights_mm: float) -> list[Box]:
        out, top = [], self.top
        for h in heights_mm:
            out.append(Box(self.x, top - h * mm, self.w, h * mm))
            top -= h * mm
        return out

    def cols(self, *fractions: float) -> list[Box]:
        out, x = [], self.x
        for f in fractions:
            out.append(Box(x, self.y, self.w * f, self.h))
            x += self.w * f
        return out


class Pen:
    """Draws fitted text in the label font. All text of a label goes into one PDF text object
    (`flush()` draws it, on top of the rules and bars): far cheaper than a drawString per line.
    `bold` fakes a bold face by also stroking the glyphs."""

    def __init__(self, c: Canvas, font: LabelFont):
        self.c, self.font = c, font
        self._t = None

    def _begin(self):
        if self._t is None:
            self._t = self.c.beginText()
            self._size = self._space = -1.0
            self._bold = False
        return self._t

    def text(self, x: float, y: float, s: str, size: float, bold: bool = False, space: float = 0.0) -> None:
        t = self._begin()
        if size != self._size:
            t.setFont(self.font.name, size)
            self._size = size
        if bold != self._bold:
            t.setTextRenderMode(2 if bold else 0)
            self._bold = bold
        if bold:
            t._code.append(f"{size * 0.04:.2f} w")
        if space != self._space:
            t.setCharSpace(space)
            self._space = space
        t.setTextOrigin(x, y)
        t._textOut(s)

    def fill(self, gray: float) -> None:
        self._begin().setFillGray(gray)

    def flush(self) -> None:
        if self._t is not None:
            self.c.drawText(self._t)
            self._t = None

    def line(
        self,
        s: str,
        b: Box,
        size: float,
        min_size: float = 6,
        *,
        bold: bool = False,
        align: str = "l",
        baseline: float | None = None,
        space: float = 0.0,
    ) -> float:
        """One line fitted into b.w, vertically centred in b unless a baseline is given. Returns the size."""
        s = self.font.clean(s)
        if not s:
            return 0.0
        size = min(size, b.h * 0.9)
        extra = space * len(s)
        size, s = fit_line(self.font, s, b.w - extra, size, min(min_size, size))
        x = b.x
        if align != "l":
            w = self.font.width(s, size) + extra
            x = b.x + b.w - w if align == "r" else b.x + (b.w - w) / 2
        y = baseline if baseline is not None else b.y + (b.h - size) / 2 + DESCENT * size
        self.text(x, y, s, size, bold, space)
        return size

    def block(
        self, paras: list[str], b: Box, sizes: tuple[float, ...], bold: bool = False, leading=1.2
    ) -> None:
        paras = [self.font.clean(p) for p in paras if p]
        if not paras:
            return
        size, lines = fit_block(self.font, paras, b.w, b.h, sizes, leading)
        y = b.top - ASCENT * size
        for ln in lines:
            self.text(b.x, y, ln, size, bold)
            y -= size * leading

    def marker(self, ch: str, x: float, top: float, side: float, filled: bool = True) -> None:
        """收 / 寄 in a square: white on black, or black in an outline."""
        c = self.c
        c.setLineWidth(RULE)
        c.rect(x, top - side, side, side, stroke=1, fill=1 if filled else 0)
        size = side * 0.78
        if filled:
            self.fill(1)
        self.text(
            x + (side - size) / 2, top - side + (side - size) / 2 + DESCENT * size, ch, size, bold=not filled
        )
        if filled:
            self.fill(0)


def frame(c: Canvas, b: Box, rows: list[Box]) -> None:
    """The outer frame and a rule between rows, as one path."""
    c.setLineWidth(RULE)
    p = c.beginPath()
    p.rect(b.x, b.y, b.w, b.h)
    for r in rows[:-1]:
        p.moveTo(b.x, r.y)
        p.lineTo(b.x + b.w, r.y)
    c.drawPath(p, stroke=1, fill=0)
