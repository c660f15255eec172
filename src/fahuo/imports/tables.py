"""Bytes of an uploaded CSV or XLSX → a header and numbered rows.

Kept apart from the Taobao rules so that every platform report can reuse it. What it guarantees:
- each row comes with its 1-based line number in the file as a person sees it (the header is line 1
  in a normal export); for CSV a quoted cell may span lines, and the row is numbered by its first line;
- a row the CSV parser chokes on comes back as a `BrokenRow` instead of aborting the file;
- text encoding is sniffed: UTF-8 (with or without BOM), UTF-16 with BOM (Excel's "Unicode text"),
  then GB18030 (classic Taobao exports); a file that is none of them cleanly is decoded with
  replacement characters under the encoding that needed the fewest, and says so ("gb18030/lossy").
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import cast

from .types import FileUnreadable

_HEADER_SEARCH_ROWS = 10
_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # legacy .xls
_SPREADSHEET_EXTENSIONS = (".xlsx", ".xlsm", ".xls", ".xlsb", ".ods")
_HEADER_JUNK = " \t\r\n\u3000\xa0\ufeff\u200b\"'=“”"


@dataclass(frozen=True)
class BrokenRow:
    """A CSV row the parser could not split (e.g. a cell beyond the field size limit)."""

    error: str


@dataclass
class Table:
    header: list[str]  # cleaned header names, in file order
    header_line: int
    rows: Iterator[tuple[int, list[object] | BrokenRow]]  # (line number, cells) after the header
    encoding: str = ""  # "" for spreadsheets
    raw_header: list[str] = field(default_factory=list)


def clean_header(v: object) -> str:
    """`"\ufeff订单编号 "` → `订单编号`: BOM, quotes, `=` and all whitespace go."""
    s = "" if v is None else str(v)
    return "".join(s.strip(_HEADER_JUNK).split())


def is_spreadsheet(data: bytes, filename: str) -> bool:
    return data.startswith((_ZIP_MAGIC, _OLE_MAGIC)) or filename.lower().endswith(_SPREADSHEET_EXTENSIONS)


def read_table(data: bytes, filename: str, required: str, what: str) -> Table:
    """Find the header row (the first of the top rows that has the `required` column) and the rows below.

    Raises FileUnreadable naming `what` ("订单报表") when the file cannot be read or lacks `required`.
    """
    if not data or not data.strip():
        raise FileUnreadable(f"{what}是空文件 (the {_en(what)} is empty)")
    if is_spreadsheet(data, filename):
        rows, encoding = _spreadsheet_rows(data, what, required), ""
    else:
        text, encoding = decode_text(data)
        rows = _csv_rows(text)
    top: list[tuple[int, list[object] | BrokenRow]] = []
    for item in rows:
        top.append(item)
        line, cells = item
        if isinstance(cells, list) and required in (clean_header(c) for c in cells):
            return Table(
                header=[clean_header(c) for c in cells],
                header_line=line,
                rows=rows,
                encoding=encoding,
                raw_header=["" if c is None else str(c) for c in cells],
            )
        if len(top) >= _HEADER_SEARCH_ROWS:
            break
    raise FileUnreadable(
        f"{what}里找不到「{required}」列：请上传从卖家中心导出的原始文件 "
        f"(no '{required}' column in the {_en(what)}; upload the file as exported)"
    )


def _en(what: str) -> str:
    return {"订单报表": "order report", "宝贝报表": "items report"}.get(what, "file")


def decode_text(data: bytes) -> tuple[str, str]:
    """Bytes → (text, encoding name). Never raises."""
    if data.startswith(b"\xef\xbb\xbf"):
        try:
            return data.decode("utf-8-sig"), "utf-8-sig"
        except UnicodeDecodeError:
            pass
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError:
            pass
    for encoding in ("utf-8", "gb18030"):
        try:
            return data.decode(encoding), encoding
        except UnicodeDecodeError:
            continue
    best = min(
        ("utf-8", "gb18030"),
        key=lambda enc: data.decode(enc, errors="replace").count("\ufffd"),
    )
    text = data.decode(best, errors="replace")
    return text.removeprefix("\ufeff"), f"{best}/lossy"


def _csv_rows(text: str) -> Iterator[tuple[int, list[object] | BrokenRow]]:
    first_line = text.split("\n", 1)[0]
    delimiter = "\t" if first_line.count("\t") > first_line.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    last_line = 0
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            if reader.line_num <= last_line:  # the parser made no progress: stop rather than spin
                return
            yield last_line + 1, BrokenRow(str(exc))
            last_line = reader.line_num
            continue
        yield last_line + 1, cast(list[object], row)
        last_line = reader.line_num


def _spreadsheet_rows(
    data: bytes, what: str, required: str
) -> Iterator[tuple[int, list[object] | BrokenRow]]:
    import python_calamine

    try:
        book = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
        sheets = [book.get_sheet_by_index(i) for i in range(len(book.sheet_names))]
        if not sheets:
            raise FileUnreadable(f"{what}里没有工作表 (the {_en(what)} has no sheet)")
        chosen = sheets[0]
        for sheet in sheets:  # the first sheet whose top rows carry the required column
            top = sheet.to_python(skip_empty_area=False, nrows=_HEADER_SEARCH_ROWS)
            if any(required in (clean_header(c) for c in row) for row in top):
                chosen = sheet
                break
        grid = chosen.to_python(skip_empty_area=False)
    except FileUnreadable:
        raise
    except Exception as exc:  # calamine raises its own zoo (CalamineError, ZipError, XmlError, …)
        raise FileUnreadable(
            f"{what}不是可读的 Excel 文件 (the {_en(what)} is not a readable spreadsheet: {exc})"
        )
    return ((i + 1, list(row)) for i, row in enumerate(grid))
