"""Generated, deterministic demo data for a small Taobao tea shop, and the files 卖家中心 would export.

Pure Python (no Django): `fahuo demo`, the tests and the benchmarks all call it. Everything comes from
one `random.Random(seed)`, so the same seed and the same `now` give the same bytes.

The data is made up but shaped like the real thing (see docs FORMATS.md, "Taobao order report"):
real 省/市/区 combinations, valid mobile prefixes, 19-digit order numbers, carrier waybill patterns,
and on purpose a few rows a review screen must catch (unparseable address, invalid phone, refund asked,
changed address, merge candidates).

    python -m fahuo.demo.generate --orders 1000 --out /tmp/demo [--encoding utf-8-sig] [--xlsx] [--newer]
"""

from __future__ import annotations

import argparse
import bisect
import gc
import io
from collections.abc import Iterable, Sequence
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from random import Random
from typing import Any
from zoneinfo import ZoneInfo

from fahuo.demo import catalog, names, places, texts

SHANGHAI = ZoneInfo("Asia/Shanghai")
TIME_FORMAT = "%Y-%m-%d %H:%M:%S"
TITLE_JOINER = "，"  # how 宝贝标题 / 宝贝规格 join the lines of a multi-line order (unconfirmed on Taobao)

# Platform trade state (TOP name) → 订单状态 text in the report.
STATUS_TEXT = {
    "WAIT_BUYER_PAY": "等待买家付款",
    "WAIT_SELLER_SEND_GOODS": "买家已付款，等待卖家发货",
    "WAIT_BUYER_CONFIRM_GOODS": "卖家已发货，等待买家确认",
    "TRADE_FINISHED": "交易成功",
    "TRADE_CLOSED": "交易关闭",  # closed after payment: refunded
    "TRADE_CLOSED_BY_TAOBAO": "交易关闭",  # closed before payment
}
_STATUS_CUMULATIVE = (  # mostly 等待卖家发货: that is what a seller exports to ship
    (0.05, "WAIT_BUYER_PAY"),
    (0.75, "WAIT_SELLER_SEND_GOODS"),
    (0.88, "WAIT_BUYER_CONFIRM_GOODS"),
    (0.95, "TRADE_FINISHED"),
    (0.98, "TRADE_CLOSED_BY_TAOBAO"),
    (1.00, "TRADE_CLOSED"),
)

CLASSIC_HEADERS = (
    "订单编号", "买家会员名", "买家支付宝账号", "买家应付货款", "买家应付邮费", "买家支付积分", "总金额", "返点积分",
    "买家实际支付金额", "买家实际支付积分", "订单状态", "买家留言", "收货人姓名", "收货地址", "运送方式", "联系电话",
    "联系手机", "订单创建时间", "订单付款时间", "宝贝标题", "宝贝种类", "物流单号", "物流公司", "订单备注", "宝贝总数量",
    "店铺Id", "店铺名称", "订单关闭原因", "卖家服务费", "买家服务费", "发票抬头", "是否手机订单", "分阶段订单信息",
    "特权订金订单id", "定金排名", "修改后的sku", "修改后的收货地址", "异常信息", "天猫卡券抵扣", "集分宝抵扣",
    "是否是O2O交易",
)  # fmt: skip

# The newer export: some renamed columns (买家下单时间, 运单号 …), a few new ones, another order.
NEWER_HEADERS = (
    "订单编号", "买家会员名", "买家支付宝账号", "订单状态", "买家下单时间", "买家付款时间", "发货时间", "确认收货时间",
    "宝贝标题", "宝贝规格", "宝贝种类", "宝贝总数量", "买家应付货款", "买家应付邮费", "总金额", "买家实付金额",
    "打款商家金额", "收货人姓名", "收货地址", "联系手机", "联系电话", "运送方式", "物流公司", "运单号", "买家留言",
    "订单备注", "修改后的收货地址", "修改后的sku", "订单关闭原因", "异常信息", "发票抬头", "是否手机订单", "店铺名称",
    "店铺Id",
)  # fmt: skip

ITEMS_HEADERS = (
    "订单编号",
    "标题",
    "价格",
    "购买数量",
    "外部系统编号",
    "商品属性",
    "套餐信息",
    "备注",
    "订单状态",
    "商家编码",
)
SKU_HEADERS = ("商家编码", "名称", "规格", "条码", "重量(克)")

_AMOUNT_HEADERS = frozenset(
    {
        "买家应付货款",
        "买家应付邮费",
        "总金额",
        "买家实际支付金额",
        "买家实付金额",
        "打款商家金额",
        "卖家服务费",
        "价格",
    }
)
_FREE_TEXT_HEADERS = frozenset(
    {"买家会员名", "买家支付宝账号", "买家留言", "收货人姓名", "收货地址", "宝贝标题", "宝贝规格", "订单备注",
     "店铺名称", "订单关闭原因", "发票抬头", "修改后的收货地址", "异常信息", "联系电话", "联系手机"}
)  # fmt: skip
_COUNT_HEADERS = frozenset(
    {"宝贝种类", "宝贝总数量", "买家支付积分", "返点积分", "买家实际支付积分", "购买数量"}
)

# (物流公司 as the report writes it, carrier code, weight among ordinary parcels)
CARRIERS = (
    ("中通快递", "ZTO", 32),
    ("圆通速递", "YTO", 22),
    ("韵达快递", "YUNDA", 14),
    ("申通快递", "STO", 10),
    ("顺丰速运", "SF", 10),
    ("极兔速递", "JTSD", 8),
    ("邮政快递包裹", "POSTB", 4),
)
_CARRIER_BY_CODE = {code: (name, code) for name, code, _ in CARRIERS}

_ZERO = Decimal("0.00")
_CENT = Decimal("0.01")
_REMOTE_POSTAGE = Decimal("15.00")
_SMALL_ORDER_POSTAGE = Decimal("6.00")  # 满29包邮
_FREE_SHIPPING_FROM = Decimal("29.00")
_HOUR = 3600
_DAY = 86400


# ---------------------------------------------------------------------------------------------- SKUs


def ean13_check_digit(first12: str) -> str:
    """The EAN-13 check digit for 12 digits (weights 1,3,1,3 … from the left)."""
    if len(first12) != 12 or not first12.isdigit():
        raise ValueError(f"need 12 digits, got {first12!r}")
    total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(first12))
    return str((10 - total % 10) % 10)


def demo_skus(seed: int = 1) -> list[dict[str, Any]]:
    """The demo tea shop's 36 SKUs. Only `initial_stock` depends on the seed; a few are fixed low or 0."""
    rng = Random(seed)
    out: list[dict[str, Any]] = []
    shelves: dict[str, int] = {}
    for item_no, (item_code, zone, name, title, tags, variants) in enumerate(catalog.ITEMS, 1):
        shelf = shelves[zone] = shelves.get(zone, 0) + 1
        for level, (suffix, spec, weight_g, price, popularity, stock) in enumerate(variants, 1):
            body = f"{catalog.BARCODE_PREFIX}{item_no:03d}{level:02d}"
            out.append(
                {
                    "code": f"{item_code}-{suffix}",
                    "item_code": item_code,
                    "name": name,
                    "title": title,
                    "spec": spec,
                    "barcode": body + ean13_check_digit(body),
                    "weight_g": weight_g,
                    "tags": list(tags),
                    "price": Decimal(price),
                    "location": f"{zone}-{shelf:02d}-{level:02d}",
                    "initial_stock": stock
                    if stock is not None
                    else rng.randint(2 * popularity, 6 * popularity) + 8,
                    "popularity": popularity,
                }
            )
    return out


def _normalise_sku(sku: dict[str, Any]) -> dict[str, Any]:
    price = sku.get("price")
    return {
        "code": str(sku["code"]),
        "item_code": str(sku.get("item_code") or sku["code"]),
        "title": str(sku.get("title") or sku.get("name") or sku["code"]),
        "spec": str(sku.get("spec") or ""),
        "price": Decimal(str(price if price is not None else "10")).quantize(_CENT),
        "popularity": int(sku.get("popularity") or 10),
    }


# ---------------------------------------------------------------------------------------- receivers


class _Picker:
    """Weighted choice in O(log n) from one `random()` draw."""

    __slots__ = ("items", "cum", "total")

    def __init__(self, pairs: Iterable[tuple[Any, float]]):
        self.items: list[Any] = []
        self.cum: list[float] = []
        acc = 0.0
        for item, weight in pairs:
            acc += weight
            self.items.append(item)
            self.cum.append(acc)
        self.total = acc

    def pick(self, r: float) -> Any:
        return self.items[bisect.bisect_right(self.cum, r * self.total)]


_SURNAMES = _Picker(names.SURNAMES)
_PREFIXES = _Picker(names.MOBILE_PREFIXES)
_PLACES = _Picker((p, p[6]) for p in places.PLACES)


class _People:
    """Buyers and receivers drawn from one Random."""

    def __init__(self, rng: Random):
        self.rng = rng
        self.bad_addresses = self.bad_phones = 0  # so far: the broken ones take turns through the kinds

    def name(self) -> str:
        r = self.rng.random
        given = names.GIVEN_TWO if r() < 0.6 else names.GIVEN_ONE
        return _SURNAMES.pick(r()) + given[int(r() * len(given))]

    def mobile(self) -> str:
        return f"{_PREFIXES.pick(self.rng.random())}{self.rng.getrandbits(32) % 10**8:08d}"

    def nick(self) -> str:
        r = self.rng.random
        x = r()
        if x < 0.35:
            return f"tb{10**8 + self.rng.getrandbits(37) % (10**11 - 10**8)}"
        if x < 0.65:
            base = names.NICK_LATIN[int(r() * len(names.NICK_LATIN))]
            sep = "_" if r() < 0.4 else ""
            tail = str(1975 + int(r() * 33)) if r() < 0.5 else str(1 + int(r() * 9998))
            return f"{base}{sep}{tail}"
        head = names.NICK_ZH_HEAD[int(r() * len(names.NICK_ZH_HEAD))]
        tail = names.NICK_ZH_TAIL[int(r() * len(names.NICK_ZH_TAIL))]
        return f"{head}{tail}{1 + int(r() * 998)}" if r() < 0.6 else f"{head}{tail}"

    def alipay(self, mobile: str) -> str:
        x = self.rng.random()
        if x < 0.55 and len(mobile) >= 11 and mobile[:11].isdigit():
            return f"{mobile[:3]}****{mobile[7:11]}"
        if x < 0.8:
            latin = names.NICK_LATIN[int(self.rng.random() * len(names.NICK_LATIN))]
            domain = ("qq.com", "163.com", "126.com", "sina.com")[self.rng.randrange(4)]
            return f"{latin[:2]}***@{domain}"
        return ""

    def landline(self, area_code: str) -> str:
        digits = 8 if len(area_code) == 3 or self.rng.random() < 0.7 else 7
        first = self.rng.randrange(2, 9)
        return f"{area_code}-{first}{self.rng.randrange(10 ** (digits - 1)):0{digits - 1}d}"

    def detail(self, roads: Sequence[str], rural: bool = False) -> str:
        r = self.rng.random

        def rr(a: int, b: int) -> int:
            return a + int(r() * (b - a))

        road = roads[int(r() * len(roads))] if roads and r() < 0.7 else _pick(r, places.GENERIC_ROADS)
        num = int(r() * r() * 800) + 1
        room = f"{rr(1, 33)}{rr(1, 5):02d}"
        x = r()
        if x < 0.5:
            comm = _pick(r, places.COMMUNITIES)
            return f"{road}{num}号{comm}{rr(1, 30)}栋{rr(1, 5)}单元{room}室"
        if x < 0.64:
            return f"{road}{num}号{_pick(r, places.COMMUNITIES)}{rr(1, 30)}幢{room}室"
        if x < 0.76:
            return f"{road}{num}号{_pick(r, places.OFFICES)}{rr(2, 28)}楼{rr(1, 20):02d}室"
        if x < 0.86:
            return f"{_pick(r, places.COMMUNITIES)}{rr(1, 30)}-{rr(1, 5)}-{room}"
        if x < 0.93 or not rural:
            return f"{road}{num}号{_pick(r, places.COMMUNITIES)}菜鸟驿站"
        return f"{_pick(r, places.VILLAGES)}村{rr(1, 12)}组{rr(1, 80)}号"

    def address(self, place: tuple | None = None, style: str | None = None) -> dict[str, str]:
        r = self.rng.random
        if place is None:
            place = _PLACES.pick(r())
        province, city, district, town, postcode, area_code, _weight, roads = place
        detail = self.detail(roads, rural=bool(town) or district.endswith(("市", "县")))
        postcode = postcode if r() < 0.9 else "000000"
        if style is None:
            x = r()
            style = "nospace" if x < 0.05 else "noprovince" if x < 0.06 else "normal"
        parts = [places.TAOBAO_PROVINCE_LABEL.get(province, province), city, district or town, detail]
        if style == "noprovince":
            parts = parts[1:]
        text = ("" if style == "nospace" else " ").join(parts) + f"({postcode})"
        return {
            "province": province,
            "city": city,
            "district": district,
            "town": town,
            "detail": detail,
            "postcode": postcode,
            "area_code": area_code,
            "address": text,
        }

    def receiver(
        self, *, bad_address: bool = False, bad_phone: bool = False
    ) -> tuple[dict[str, str], list[str]]:
        """A receiver dict and the flags that describe it (masked_phone, bad_address …)."""
        r = self.rng.random
        flags: list[str] = []
        rec = {"name": self.name(), "mobile": self.mobile(), "phone": ""}
        if bad_address:
            detail = places.UNPARSEABLE_DETAILS[self.bad_addresses % len(places.UNPARSEABLE_DETAILS)]
            self.bad_addresses += 1
            rec.update(
                province="", city="", district="", town="", detail=detail, postcode="000000", area_code=""
            )
            rec["address"] = f"{detail}(000000)"
            flags.append("bad_address")
        else:
            rec.update(self.address())
        x = r()
        if bad_phone:
            # too short, one digit missing, no such prefix
            rec["mobile"] = ("12345", rec["mobile"][:10], "10000000000")[self.bad_phones % 3]
            self.bad_phones += 1
            flags.append("bad_phone")
        elif x < 0.05:
            m = rec["mobile"]
            rec["mobile"] = f"{m[:3]}****{m[7:]}"
            flags.append("masked_phone")
        elif x < 0.12:
            rec["mobile"] = f"{rec['mobile']}-{self.rng.randrange(10000):04d}"
            flags.append("virtual_phone")
        elif x < 0.125 and rec["area_code"]:
            rec["mobile"] = ""
            rec["phone"] = self.landline(rec["area_code"])
            flags.append("landline_only")
        elif x < 0.155 and rec["area_code"]:
            rec["phone"] = self.landline(rec["area_code"])
        return rec, flags


def _pick(r, seq: Sequence[str]) -> str:
    return seq[int(r() * len(seq))]


def demo_receivers(n: int, seed: int = 1) -> list[dict[str, str]]:
    """`n` well-formed demo receivers (name, mobile, phone, province, city, district, town, detail,
    postcode, area_code, address) — handy for address-parser tests."""
    people = _People(Random(seed))
    return [people.receiver()[0] for _ in range(n)]


# ------------------------------------------------------------------------------------------- orders


class _OrderMaker:
    def __init__(self, rng: Random, now_ts: int, skus: list[dict[str, Any]]):
        self.rng = rng
        self.now_ts = now_ts
        self.people = _People(rng)
        self.skus = skus
        self.sku_picker = _Picker((s, s["popularity"]) for s in skus)
        self.order_nos: set[str] = set()
        self.waybills: set[str] = set()
        self.carriers = _Picker(((name, code), w) for name, code, w in CARRIERS)

    def order_no(self) -> str:
        r, bits = self.rng.random, self.rng.getrandbits
        while True:
            no = f"{1 + int(r() * 3)}{bits(62) % 10**18:018d}"
            if no not in self.order_nos:
                self.order_nos.add(no)
                return no

    def waybill(self, code: str) -> str:
        rr = self.rng.randrange
        while True:
            if code == "ZTO":
                no = f"7{'3568'[rr(4)]}{rr(10**12):012d}"
            elif code == "YTO":
                no = f"YT{rr(10**13):013d}"
            elif code == "SF":
                no = f"SF1{rr(10**12):012d}"
            elif code == "YUNDA":
                no = f"{rr(3, 5)}{rr(10**14):014d}"
            elif code == "STO":
                no = f"77{rr(10**13):013d}"
            elif code == "JTSD":
                no = f"JT{rr(10**13):013d}"
            else:  # POSTB
                no = f"98{rr(10**11):011d}"
            if no not in self.waybills:
                self.waybills.add(no)
                return no

    def status(self) -> str:
        x = self.rng.random()
        for limit, status in _STATUS_CUMULATIVE:
            if x < limit:
                return status
        return "WAIT_SELLER_SEND_GOODS"

    def times(self, status: str, created: int | None) -> tuple[int, int | None, int | None, int | None]:
        """created, paid, shipped, finished as epoch seconds."""
        r, u, now = self.rng.random, self.rng.uniform, self.now_ts
        if created is None:
            if status == "WAIT_BUYER_PAY":
                age = u(120, 20 * _HOUR)
            elif status == "WAIT_SELLER_SEND_GOODS":
                age = 300 + r() ** 2 * 56 * _HOUR  # most are hours old; a few near or past a 48 h promise
            elif status == "WAIT_BUYER_CONFIRM_GOODS":
                age = u(20 * _HOUR, 6 * _DAY)
            elif status == "TRADE_FINISHED":
                age = u(3.5 * _DAY, 12 * _DAY)
            else:
                age = u(1 * _DAY, 5 * _DAY)
            created = now - int(age)
            hour = (created + 8 * _HOUR) % _DAY // _HOUR  # Asia/Shanghai is UTC+8 all year
            if 1 <= hour < 7 and r() < 0.75:  # few buy at 4 a.m.: move most of them to the evening
                created -= int(u(3 * _HOUR, 7 * _HOUR))
        if status in ("WAIT_BUYER_PAY", "TRADE_CLOSED_BY_TAOBAO"):
            return created, None, None, None
        delay = u(5, 300) if r() < 0.85 else u(300, 6 * _HOUR)
        paid = max(created, min(created + int(delay), now - 5))
        if status not in ("WAIT_BUYER_CONFIRM_GOODS", "TRADE_FINISHED"):
            return created, paid, None, None
        shipped = max(paid + 60, min(paid + int(u(2 * _HOUR, 36 * _HOUR)), now - 600))
        if status == "WAIT_BUYER_CONFIRM_GOODS":
            return created, paid, shipped, None
        return created, paid, shipped, shipped + int((now - shipped) * u(0.4, 0.95))

    def lines(self, order_no: str) -> list[dict[str, Any]]:
        r = self.rng.random
        x = r()
        count = 1 if x < 0.8 else 2 if x < 0.95 else 3
        count = min(count, len(self.skus))
        chosen: list[dict[str, Any]] = []
        while len(chosen) < count:
            sku = self.sku_picker.pick(r())
            if all(s is not sku for s in chosen):
                chosen.append(sku)
        out = []
        for sku in chosen:
            y = r()
            qty = 1 if y < 0.78 else 2 if y < 0.93 else 3 if y < 0.98 else self.rng.randint(4, 6)
            out.append(
                {
                    "sub_order_no": order_no if count == 1 else self.order_no(),
                    "code": sku["code"],
                    "item_code": sku["item_code"],
                    "title": sku["title"],
                    "spec": sku["spec"],
                    "qty": qty,
                    "price": sku["price"],
                    "amount": sku["price"] * qty,
                }
            )
        return out

    def make(
        self,
        status: str,
        kind: str | None = None,
        *,
        created: int | None = None,
        buyer: tuple[str, str, dict[str, str]] | None = None,
    ) -> dict[str, Any]:
        r = self.rng.random
        order_no = self.order_no()
        created, paid, shipped, finished = self.times(status, created)
        if buyer is None:
            receiver, flags = self.people.receiver(
                bad_address=kind == "bad_address", bad_phone=kind == "bad_phone"
            )
            nick, alipay = self.people.nick(), self.people.alipay(receiver["mobile"])
        else:
            nick, alipay, receiver = buyer[0], buyer[1], dict(buyer[2])
            flags = []
        lines = self.lines(order_no)
        goods = sum((line["amount"] for line in lines), _ZERO)
        remote = receiver["province"] in places.REMOTE_PROVINCES
        postage = (
            _REMOTE_POSTAGE if remote else _SMALL_ORDER_POSTAGE if goods < _FREE_SHIPPING_FROM else _ZERO
        )
        total = goods + postage

        message = _pick(r, texts.BUYER_MESSAGES) if r() < 0.08 else ""
        memos = texts.SELLER_MEMOS if shipped is None else texts.SELLER_MEMOS_ANY_TIME
        memo = _pick(r, memos) if r() < 0.03 else ""
        if message:
            flags.append("buyer_message")

        carrier = carrier_code = waybill = ""
        if shipped is not None:
            wanted = texts.CARRIER_ASKED.get(message) or texts.CARRIER_ASKED.get(memo)
            if wanted:
                carrier, carrier_code = _CARRIER_BY_CODE[wanted]
            elif remote and r() < 0.6:
                carrier, carrier_code = _CARRIER_BY_CODE["POSTB"]
            else:
                carrier, carrier_code = self.carriers.pick(r())
                while carrier_code in texts.CARRIER_REFUSED.get(message, ()):
                    carrier, carrier_code = self.carriers.pick(r())
            waybill = self.waybill(carrier_code)

        modified = None
        if kind == "address_changed":
            same_city = r() < 0.6
            place = next((p for p in places.PLACES if p[1] == receiver["city"]), None) if same_city else None
            modified = {k: receiver[k] for k in ("name", "mobile", "phone")}
            modified.update(self.people.address(place, style="normal"))
            flags.append("address_changed")

        close_reason = exception = refund_status = ""
        if status == "TRADE_CLOSED_BY_TAOBAO":
            close_reason = _pick(r, texts.CLOSE_REASONS_UNPAID)
        elif status == "TRADE_CLOSED":
            close_reason, refund_status = _pick(r, texts.CLOSE_REASONS_REFUNDED), "SUCCESS"
        elif kind == "refund":
            exception, refund_status = _pick(r, texts.REFUND_TEXT_UNSHIPPED), "WAIT_SELLER_AGREE"
        elif status == "WAIT_BUYER_CONFIRM_GOODS" and r() < 0.01:
            exception, refund_status = _pick(r, texts.REFUND_TEXT_SHIPPED), "WAIT_SELLER_AGREE"
        if refund_status == "WAIT_SELLER_AGREE":
            flags.append("refund")

        return {
            "order_no": order_no,
            "buyer_nick": nick,
            "buyer_alipay": alipay,
            "status": STATUS_TEXT[status],
            "status_code": status,
            "created_at": created,
            "paid_at": paid,
            "shipped_at": shipped,
            "finished_at": finished,
            "lines": lines,
            "goods_amount": goods,
            "postage": postage,
            "total": total,
            "paid_amount": total if paid is not None else _ZERO,
            "receiver": receiver,
            "modified_receiver": modified,
            "shipping_method": "快递",
            "buyer_message": message,
            "seller_memo": memo,
            "carrier": carrier,
            "carrier_code": carrier_code,
            "waybill_no": waybill,
            "close_reason": close_reason,
            "exception": exception,
            "refund_status": refund_status,
            "invoice_title": _pick(r, texts.INVOICE_TITLES) if r() < 0.02 else "",
            "is_mobile": r() < 0.88,
            "shop_id": catalog.SHOP_ID,
            "shop_name": catalog.SHOP_NAME,
            "merge_with": "",
            "flags": flags,
        }


def _special_slots(rng: Random, n: int) -> dict[int, str]:
    """Which orders are the deliberate review cases. At least one of each from 20 orders on."""
    if n < 20:
        return {}
    wanted = (
        ("bad_address", 0.005),
        ("bad_phone", 0.005),
        ("merge", 0.02),
        ("refund", 0.015),
        ("address_changed", 0.03),
    )
    counts = [(kind, max(1, round(n * rate))) for kind, rate in wanted]
    chosen = rng.sample(range(n), sum(c for _, c in counts))
    slots: dict[int, str] = {}
    pos = 0
    for kind, count in counts:
        for i in chosen[pos : pos + count]:
            slots[i] = kind
        pos += count
    return slots


def _aware_now(now: datetime | None) -> datetime:
    if now is None:
        return datetime.now(SHANGHAI).replace(microsecond=0)
    if now.tzinfo is None:
        return now.replace(tzinfo=SHANGHAI)
    return now.astimezone(SHANGHAI)


def demo_orders(
    n: int, seed: int = 1, now: datetime | None = None, skus: list[dict[str, Any]] | None = None
) -> list[dict[str, Any]]:
    """`n` demo orders, newest first, as a Taobao order report would describe them.

    Each dict: order_no (19 digits), buyer_nick, buyer_alipay, status (report text), status_code (TOP name),
    created_at / paid_at / shipped_at / finished_at (aware Asia/Shanghai datetimes or None), lines
    [{sub_order_no, code, item_code, title, spec, qty, price, amount}], goods_amount, postage, total
    (= goods_amount + postage), paid_amount (total, or 0.00 when unpaid), receiver {name, mobile, phone,
    province, city, district, town, detail, postcode, area_code, address}, modified_receiver (same shape or
    None), shipping_method, buyer_message, seller_memo, carrier, carrier_code, waybill_no, close_reason,
    exception (异常信息), refund_status, invoice_title, is_mobile, shop_id, shop_name, merge_with (order_no
    of the order with the same buyer and receiver, or ""), flags (bad_address, bad_phone, masked_phone,
    virtual_phone, landline_only, buyer_message, address_changed, refund, merge_candidate).

    Same `seed` + same `now` → same orders. `now` defaults to the current time in Asia/Shanghai.
    """
    # Building 100,000 small dicts makes the cyclic GC scan over and over for nothing (none are cycles):
    # pausing it saves about a third of the time.
    gc_was_on = gc.isenabled()
    gc.disable()
    try:
        return _demo_orders(n, seed, now, skus)
    finally:
        if gc_was_on:
            gc.enable()


def _demo_orders(
    n: int, seed: int, now: datetime | None, skus: list[dict[str, Any]] | None
) -> list[dict[str, Any]]:
    rng = Random(seed)
    now_dt = _aware_now(now)
    catalogue = demo_skus(seed) if skus is None else [_normalise_sku(s) for s in skus]
    if not catalogue:
        raise ValueError("demo_orders needs at least one SKU")
    maker = _OrderMaker(rng, int(now_dt.timestamp()), catalogue)
    slots = _special_slots(rng, n)

    orders: list[dict[str, Any] | None] = []
    merge_slots: list[int] = []
    open_plain: list[int] = []  # unflagged 等待卖家发货 orders a second order can join
    for i in range(n):
        kind = slots.get(i)
        if kind == "merge":
            merge_slots.append(i)
            orders.append(None)
            continue
        status = maker.status() if kind is None else "WAIT_SELLER_SEND_GOODS"
        order = maker.make(status, kind)
        if status == "WAIT_SELLER_SEND_GOODS" and not order["flags"]:
            open_plain.append(i)
        orders.append(order)

    for i in merge_slots:
        if not open_plain:
            orders[i] = maker.make(maker.status())
            continue
        j = open_plain.pop(int(rng.random() * len(open_plain)))
        first = orders[j]
        assert first is not None
        created = first["created_at"] + int(rng.uniform(600, 8 * _HOUR))
        if created > maker.now_ts - 60:  # the second order came in between the first one and now
            created = first["created_at"] + int((maker.now_ts - 60 - first["created_at"]) * rng.random())
        buyer = (first["buyer_nick"], first["buyer_alipay"], first["receiver"])
        twin = maker.make("WAIT_SELLER_SEND_GOODS", created=max(created, first["created_at"]), buyer=buyer)
        twin["merge_with"], first["merge_with"] = first["order_no"], twin["order_no"]
        twin["flags"].append("merge_candidate")
        first["flags"].append("merge_candidate")
        orders[i] = twin

    out: list[dict[str, Any]] = [o for o in orders if o is not None]
    for o in out:
        for key in ("created_at", "paid_at", "shipped_at", "finished_at"):
            if o[key] is not None:
                o[key] = datetime.fromtimestamp(o[key], SHANGHAI)
    out.sort(key=lambda o: (o["created_at"], o["order_no"]), reverse=True)
    return out


# ------------------------------------------------------------------------------------------ writers


def _quote(s: str) -> str:
    if "," in s or '"' in s or "\n" in s or "\r" in s:
        return '"' + s.replace('"', '""') + '"'
    return s


def _time(dt: datetime | None) -> str:
    return dt.strftime(TIME_FORMAT) if dt is not None else ""


def _order_values(o: dict[str, Any], protect: bool) -> dict[str, str]:
    """Every report column for one order, as text (not yet CSV-quoted)."""
    lines = o["lines"]
    rec = o["receiver"]
    mod = o["modified_receiver"]
    no = o["order_no"]
    waybill = o["waybill_no"]
    mobile = rec["mobile"]
    paid_amount = str(o["paid_amount"])
    if protect:
        no = f'="{no}"'
        waybill = f'="{waybill}"' if waybill else ""
        mobile = f"'{mobile}" if mobile else ""
    created, paid, shipped = _time(o["created_at"]), _time(o["paid_at"]), _time(o["shipped_at"])
    return {
        "订单编号": no,
        "买家会员名": o["buyer_nick"],
        "买家支付宝账号": o["buyer_alipay"],
        "买家应付货款": str(o["goods_amount"]),
        "买家应付邮费": str(o["postage"]),
        "买家支付积分": "0",
        "总金额": str(o["total"]),
        "返点积分": "0",
        "买家实际支付金额": paid_amount,
        "买家实付金额": paid_amount,
        "打款商家金额": paid_amount if o["status_code"] == "TRADE_FINISHED" else "0.00",
        "买家实际支付积分": "0",
        "订单状态": o["status"],
        "买家留言": o["buyer_message"],
        "收货人姓名": rec["name"],
        "收货地址": rec["address"],
        "运送方式": o["shipping_method"],
        "联系电话": rec["phone"],
        "联系手机": mobile,
        "订单创建时间": created,
        "买家下单时间": created,
        "订单付款时间": paid,
        "买家付款时间": paid,
        "发货时间": shipped,
        "确认收货时间": _time(o["finished_at"]),
        "宝贝标题": TITLE_JOINER.join(line["title"] for line in lines),
        "宝贝规格": TITLE_JOINER.join(line["spec"] for line in lines),
        "宝贝种类": str(len(lines)),
        "物流单号": waybill,
        "运单号": waybill,
        "物流公司": o["carrier"],
        "订单备注": o["seller_memo"],
        "宝贝总数量": str(sum(line["qty"] for line in lines)),
        "店铺Id": o["shop_id"],
        "店铺名称": o["shop_name"],
        "订单关闭原因": o["close_reason"],
        "卖家服务费": "0.00",
        "发票抬头": o["invoice_title"],
        "是否手机订单": "手机订单" if o["is_mobile"] else "",
        "修改后的收货地址": mod["address"] if mod else "",
        "异常信息": o["exception"],
    }


def _csv_bytes(header: Sequence[str], rows: Iterable[str], encoding: str) -> bytes:
    text = ",".join(header) + "\r\n" + "".join(row + "\r\n" for row in rows)
    return text.encode(encoding)


def write_order_report_csv(
    orders: Sequence[dict[str, Any]],
    encoding: str = "gb18030",
    newer: bool = False,
    excel_protect: bool = True,
) -> bytes:
    """The 订单报表 CSV as 卖家中心 exports it: one row per order, CRLF, classic or newer headers.

    With `excel_protect`, 订单编号 and 物流单号/运单号 are written `="…"` and 联系手机 with a leading `'`
    (the forms an Excel-minded export uses); amounts with two decimals; times `yyyy-MM-dd HH:mm:ss`.
    """
    header = NEWER_HEADERS if newer else CLASSIC_HEADERS

    free_text = [h in _FREE_TEXT_HEADERS for h in header]  # the only cells that can need CSV quoting

    def rows() -> Iterable[str]:
        for o in orders:
            values = _order_values(o, excel_protect)
            cells = [values.get(h, "") for h in header]
            yield ",".join([_quote(c) if q and c else c for c, q in zip(cells, free_text, strict=True)])

    return _csv_bytes(header, rows(), encoding)


def _item_rows(orders: Sequence[dict[str, Any]], protect: bool) -> Iterable[list[str]]:
    for o in orders:
        no = f'="{o["order_no"]}"' if protect else o["order_no"]
        for line in o["lines"]:
            yield [
                no,
                line["title"],
                str(line["price"]),
                str(line["qty"]),
                line["item_code"],
                line["spec"],
                "",
                "",
                o["status"],
                line["code"],
            ]


def write_items_report_csv(
    orders: Sequence[dict[str, Any]], encoding: str = "gb18030", excel_protect: bool = True
) -> bytes:
    """The per-line 宝贝报表: one row per order line (订单编号, 标题, 价格, 购买数量, 外部系统编号 = the
    listing's code, 商品属性 = spec, 套餐信息, 备注, 订单状态, 商家编码 = the SKU's code)."""
    # 订单编号 as is (a `="…"` cell is written raw, like the order report); the rest CSV-quoted when needed
    rows = (row[0] + "," + ",".join(_quote(v) for v in row[1:]) for row in _item_rows(orders, excel_protect))
    return _csv_bytes(ITEMS_HEADERS, rows, encoding)


def _typed(header: str, value: str) -> Any:
    if value and header in _AMOUNT_HEADERS:
        return Decimal(value)
    if value and header in _COUNT_HEADERS:
        return int(value)
    return value


def write_order_report_xlsx(orders: Sequence[dict[str, Any]], newer: bool = False) -> bytes:
    """The 订单报表 as XLSX (openpyxl write-only): same headers; numbers as text cells, amounts as numbers."""
    from openpyxl import Workbook

    header = NEWER_HEADERS if newer else CLASSIC_HEADERS
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("订单报表")
    ws.append(list(header))
    for o in orders:
        values = _order_values(o, protect=False)
        ws.append([_typed(h, values.get(h, "")) for h in header])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def write_sku_csv(skus: Sequence[dict[str, Any]]) -> bytes:
    """The SKU list for the stock import: 商家编码,名称,规格,条码,重量(克), UTF-8 with BOM."""
    rows = (
        ",".join(
            _quote(str(v))
            for v in (s["code"], s["title"], s.get("spec", ""), s.get("barcode", ""), s.get("weight_g", ""))
        )
        for s in skus
    )
    return _csv_bytes(SKU_HEADERS, rows, "utf-8-sig")


# ---------------------------------------------------------------------------------------------- CLI


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m fahuo.demo.generate",
        description="Write demo Taobao report files (orders.csv, items.csv, skus.csv, orders.xlsx).",
    )
    parser.add_argument("--orders", type=int, default=300, help="number of orders (default 300)")
    parser.add_argument("--out", required=True, type=Path, help="directory to write into (created)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--encoding", choices=("gb18030", "utf-8-sig"), default="gb18030")
    parser.add_argument("--newer", action="store_true", help="use the newer export's headers")
    parser.add_argument("--xlsx", action="store_true", help="also write orders.xlsx")
    parser.add_argument("--no-excel-protect", action="store_true", help='plain numbers instead of ="…"')
    args = parser.parse_args(argv)

    skus = demo_skus(args.seed)
    orders = demo_orders(args.orders, seed=args.seed, skus=skus)
    args.out.mkdir(parents=True, exist_ok=True)
    files = {
        "orders.csv": write_order_report_csv(
            orders, encoding=args.encoding, newer=args.newer, excel_protect=not args.no_excel_protect
        ),
        "items.csv": write_items_report_csv(
            orders, encoding=args.encoding, excel_protect=not args.no_excel_protect
        ),
        "skus.csv": write_sku_csv(skus),
    }
    if args.xlsx:
        files["orders.xlsx"] = write_order_report_xlsx(orders, newer=args.newer)
    for name, data in files.items():
        (args.out / name).write_bytes(data)
        print(f"{args.out / name}  {len(data):,} bytes")
    flagged: dict[str, int] = {}
    for o in orders:
        for flag in o["flags"]:
            flagged[flag] = flagged.get(flag, 0) + 1
    print(
        f"{len(orders)} orders, {len(skus)} SKUs; flags: "
        + ", ".join(f"{k} {v}" for k, v in sorted(flagged.items()))
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
