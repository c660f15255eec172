"""What goes on a waybill label, a pick list and a packing slip: plain values, no Django.

The services build these from the database; the renderers (`labels`, `picklists`) only draw them.
Privacy labels show the receiver masked (FORMATS.md "Waybill label"): 张**, 138****5678, and the
street detail cut after the start of the street (`mask_detail`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime

from fahuo.imports.phones import mask_name, mask_phone

MASK = "****"
_ROAD = re.compile(r"大道|路|街(?!道)|巷|弄|胡同")
_AREA = re.compile(r"街道|镇|乡|村|社区|开发区|园区|工业区")
_NUMBER = re.compile(r"[0-9０-９一二三四五六七八九十百]+\s*[号栋幢座楼单元室层#-]|[0-9０-９A-Za-zＡ-Ｚａ-ｚ]")
_KEEP_MAX = 14


def mask_detail(detail: str) -> str:
    """The street detail of an address cut after the start of the street, numbers never shown.

    `文一西路969号3幢501` → `文一西路****`; `五常街道永福村12号` → `五常街道永福村****` (no road: up to
    the village); `阳光花园7栋` → `阳光花****` (no street word: a short start only). Already masked text
    is returned as is.
    """
    d = (detail or "").strip()
    if not d or "*" in d:
        return d
    m = _NUMBER.search(d)
    head = d[: m.start()] if m else d
    road = _ROAD.search(head)
    area = None if road else list(_AREA.finditer(head))
    if road:
        keep = head[: road.end()]
    elif area:
        keep = head[: area[-1].end()]
    else:
        keep = head[: max(1, min(3, len(head) // 2))]
    return keep[:_KEEP_MAX].rstrip() + MASK


def _tuple(v: Iterable[str] | str) -> tuple[str, ...]:
    return (v,) if isinstance(v, str) else tuple(v)


@dataclass(frozen=True, slots=True)
class Party:
    """The sender: the seller's return address (never masked)."""

    name: str
    phone: str
    address: str


@dataclass(frozen=True, slots=True)
class Receiver:
    name: str
    phone: str
    province: str = ""
    city: str = ""
    district: str = ""
    detail: str = ""

    def region(self) -> str:
        """省 市 区 without the repeats of municipalities (北京 北京市 朝阳区 → 北京市朝阳区)."""
        parts: list[str] = []
        for p in (self.province, self.city, self.district):
            p = p.strip()
            if parts and p.rstrip("省市") == parts[-1].rstrip("省市"):
                parts[-1] = max(parts[-1], p, key=len)
            elif p:
                parts.append(p)
        return "".join(parts)

    def address(self) -> str:
        return f"{self.region()} {self.detail.strip()}".strip()

    def masked(self) -> Receiver:
        return replace(
            self, name=mask_name(self.name), phone=mask_phone(self.phone), detail=mask_detail(self.detail)
        )


@dataclass(frozen=True, slots=True)
class Routing:
    """Sorting codes a carrier returns with the number; any may be empty."""

    big_pen: str = ""  # 大头笔, e.g. "830 都江堰"
    sort_code: str = ""  # 三段码, e.g. "830-120-00 012"
    hub_name: str = ""  # 集包地, e.g. "成都转运中心"
    hub_code: str = ""  # 集包地 code, e.g. "028W"


@dataclass(frozen=True, slots=True)
class LabelData:
    """One parcel's waybill label."""

    waybill: str
    carrier_code: str
    carrier_name: str
    receiver: Receiver
    sender: Party
    service: str = "标准快递"
    payment: str = "寄付月结"
    routing: Routing = field(default_factory=Routing)
    masked: bool = False
    items: tuple[str, ...] = ()  # summary lines for the custom area, e.g. "西湖龙井 250g ×2"
    buyer_message: str = ""
    order_nos: tuple[str, ...] = ()
    parcel_no: int = 1  # 第 n/N 件
    parcel_count: int = 1
    printed_at: datetime | None = None
    reprint: int = 0  # 0 for the first print, then 1, 2, …

    def __post_init__(self) -> None:
        w = self.waybill.strip()
        if not w or not w.isascii() or not w.isprintable():
            raise ValueError(f"waybill number must be printable ASCII for Code 128: {self.waybill!r}")
        if not 1 <= self.parcel_no <= self.parcel_count:
            raise ValueError(f"parcel {self.parcel_no}/{self.parcel_count}")
        if self.reprint < 0:
            raise ValueError("reprint must be >= 0")
        object.__setattr__(self, "waybill", w)
        object.__setattr__(self, "items", _tuple(self.items))
        object.__setattr__(self, "order_nos", _tuple(self.order_nos))

    def shown_receiver(self) -> Receiver:
        return self.receiver.masked() if self.masked else self.receiver


# --- pick list and packing slips -----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PickLine:
    """One order line to pick (several lines of the same SKU are summed on the list)."""

    sku: str  # 商家编码
    name: str
    qty: int
    location: str = ""  # 库位, e.g. "A-01-03"
    spec: str = ""  # 规格, e.g. "250g 罐装"


@dataclass(frozen=True, slots=True)
class PickRow:
    location: str
    sku: str
    name: str
    spec: str
    qty: int
    lines: int  # how many order lines it sums


def _natural(s: str) -> tuple:
    return tuple(int(t) if t.isdigit() else t for t in re.split(r"(\d+)", s))


def pick_rows(lines: Iterable[PickLine]) -> list[PickRow]:
    """Lines summed by SKU (and location, when one SKU is picked from two places), sorted by
    location in natural order (A-2 before A-10); lines without a location come last."""
    acc: dict[tuple[str, str], list] = {}
    for ln in lines:
        key = (ln.location.strip(), ln.sku.strip())
        row = acc.get(key)
        if row is None:
            acc[key] = [ln.name, ln.spec, ln.qty, 1]
        else:
            row[2] += ln.qty
            row[3] += 1
    rows = [PickRow(loc, sku, v[0], v[1], v[2], v[3]) for (loc, sku), v in acc.items()]
    rows.sort(key=lambda r: (not r.location, _natural(r.location), _natural(r.sku)))
    return rows


@dataclass(frozen=True, slots=True)
class PickListData:
    wave_no: str
    lines: tuple[PickLine, ...]
    created_at: datetime | None = None
    order_count: int = 0
    parcel_count: int = 0
    carrier_name: str = ""
    title: str = "拣货单"

    def __post_init__(self) -> None:
        object.__setattr__(self, "lines", tuple(self.lines))

    def rows(self) -> list[PickRow]:
        return pick_rows(self.lines)


@dataclass(frozen=True, slots=True)
class SlipLine:
    sku: str
    name: str
    qty: int
    spec: str = ""


@dataclass(frozen=True, slots=True)
class PackingSlipData:
    """One parcel's packing slip (发货单): what goes in the box, and a Code 128 of the order number
    for scan-to-verify."""

    order_nos: tuple[str, ...]
    receiver: Receiver
    lines: tuple[SlipLine, ...]
    masked: bool = False
    buyer_message: str = ""
    seller_memo: str = ""
    shop_name: str = ""
    carrier_name: str = ""
    waybill: str = ""
    parcel_no: int = 1
    parcel_count: int = 1
    wave_no: str = ""
    printed_at: datetime | None = None

    def __post_init__(self) -> None:
        nos = _tuple(self.order_nos)
        if not nos or not all(n.strip().isascii() and n.strip() for n in nos):
            raise ValueError(f"packing slip needs ASCII order numbers: {self.order_nos!r}")
        object.__setattr__(self, "order_nos", tuple(n.strip() for n in nos))
        object.__setattr__(self, "lines", tuple(self.lines))
        object.__setattr__(self, "parcel_count", max(self.parcel_no, self.parcel_count))  # never 第 2/1 件

    def shown_receiver(self) -> Receiver:
        return self.receiver.masked() if self.masked else self.receiver
