"""Printing for the CLI: one JSON document for scripts, short aligned tables in Chinese for people."""

from __future__ import annotations

import json
import sys
import unicodedata
from collections.abc import Iterable, Sequence


class FileProblem(Exception):
    """A file that cannot be read at all: exit status 2."""


def emit_json(value) -> None:
    sys.stdout.write(json.dumps(value, ensure_ascii=False, default=str) + "\n")


def width(s: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in s)


def table(headers: Sequence[str], rows: Iterable[Sequence[object]]) -> None:
    rows = [[("" if v is None else str(v)) for v in r] for r in rows]
    widths = [max([width(h)] + [width(r[i]) for r in rows]) for i, h in enumerate(headers)]

    def line(cells: Sequence[str]) -> str:
        return "  ".join(c + " " * (w - width(c)) for c, w in zip(cells, widths, strict=True)).rstrip()

    print(line(headers))
    for r in rows:
        print(line(r))


def read_file(path: str) -> bytes:
    try:
        with open(path, "rb") as fh:
            return fh.read()
    except OSError as e:
        raise FileProblem(f"无法读取文件 {path}：{e.strerror or e} (cannot read the file)") from e
