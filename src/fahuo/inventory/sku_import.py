"""SKUs from a CSV: 商家编码,名称,规格,条码,重量(克) (or sku,title,spec,barcode,weight_g), optional 库存/库位."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

from django.db import transaction

from fahuo.core.errors import InvalidInput
from fahuo.inventory import services
from fahuo.inventory.models import MovementKind, Sku

HEADERS = {
    "商家编码": "code", "sku": "code", "code": "code",
    "名称": "title", "title": "title", "宝贝名称": "title",
    "规格": "spec", "spec": "spec",
    "条码": "barcode", "barcode": "barcode",
    "重量(克)": "weight_g", "重量（克）": "weight_g", "weight_g": "weight_g",
    "标签": "tags", "tags": "tags",
    "库存": "stock", "stock": "stock", "on_hand": "stock",
    "库位": "location", "location": "location",
}


@dataclass
class SkuImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: list[dict] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {"created": self.created, "updated": self.updated, "unchanged": self.unchanged,
                "rejected": self.rejected}


def _decode(data: bytes) -> str:
    for enc in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(enc)
        except UnicodeDecodeError:
            continue
    raise InvalidInput("文件既不是 UTF-8 也不是 GB18030 编码 (file is neither UTF-8 nor GB18030)", code="file_unreadable")


def import_skus(*, data: bytes, by=None) -> SkuImportResult:
    text = _decode(data)
    reader = csv.reader(io.StringIO(text))
    header = next(reader, None)
    if not header:
        raise InvalidInput("文件是空的 (empty file)", code="file_unreadable")
    cols = {HEADERS.get(h.strip().lower() if h.strip().isascii() else h.strip()): i for i, h in enumerate(header)}
    cols.pop(None, None)
    if "code" not in cols or "title" not in cols:
        raise InvalidInput("缺少“商家编码”或“名称”列 (columns 商家编码 and 名称 are required)", code="missing_column")
    res = SkuImportResult()
    for row in reader:
        line = reader.line_num
        if not any(c.strip() for c in row):
            continue
        get = _getter(row, cols)
        try:
            with transaction.atomic():
                _one(get, res, by)
        except InvalidInput as e:
            res.rejected.append({"row": line, "reason": e.message, "code": e.code})
    return res


def _getter(row: list[str], cols: dict[str, int]):
    def get(key: str) -> str:
        i = cols.get(key)
        return row[i].strip() if i is not None and i < len(row) else ""

    return get


def _one(get, res: SkuImportResult, by) -> None:
    code, title = get("code").lstrip("'"), get("title")
    if not code:
        raise InvalidInput("商家编码为空 (SKU code is empty)", code="bad_sku")
    if not title:
        raise InvalidInput(f"{code} 缺少名称 (title is empty)", code="bad_sku")
    try:
        weight = int(float(get("weight_g") or 0))
        stock = int(get("stock")) if get("stock") else None
    except ValueError:
        raise InvalidInput(f"{code} 的重量或库存不是数字 (weight/stock not a number)", code="bad_number")
    if weight < 0 or (stock is not None and stock < 0):
        raise InvalidInput(f"{code} 的重量或库存为负 (negative number)", code="bad_number")
    values = {"title": title, "spec": get("spec"), "barcode": get("barcode").lstrip("'"), "weight_g": weight}
    if get("tags"):
        values["tags"] = [t.strip() for t in get("tags").replace("，", ",").split(",") if t.strip()]
    sku = Sku.objects.filter(code=code).first()
    if sku is None:
        Sku.objects.create(code=code, **values)
        res.created += 1
    elif any(getattr(sku, k) != v for k, v in values.items()):
        for k, v in values.items():
            setattr(sku, k, v)
        sku.save()
        res.updated += 1
    else:
        res.unchanged += 1
    if stock:
        services.set_on_hand(sku_code=code, counted=stock, location_code=get("location") or None,
                             reason="SKU 导入", by=by, kind=MovementKind.IMPORT)
