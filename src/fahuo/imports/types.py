"""What the Taobao report reader hands to the order services.

Plain data, no Django: the reader turns a file into these, the services store them.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import datetime
from decimal import Decimal


@dataclass(frozen=True)
class ParsedPhone:
    raw: str  # as it stood in the file, cleaned of Excel wrappers
    kind: str  # mobile | fixed | virtual | masked | invalid | empty
    number: str  # national digits when known ("13812345678"), else the raw text
    extension: str = ""  # the 分机号 of a virtual/privacy number


@dataclass(frozen=True)
class ParsedAddress:
    raw: str
    province: str  # full official names ("浙江省"); "" when not found
    city: str  # "杭州市"; for the four municipalities the city repeats the province
    district: str  # "西湖区"; "" when the city has no districts (东莞市) or when not found
    detail: str  # street detail, stripped
    postcode: str = ""
    adcode: str = ""

    @property
    def complete(self) -> bool:
        """省 and 市 known, and 区 known unless the city has none."""
        return bool(self.province and self.city and (self.district or self.adcode))


@dataclass(frozen=True)
class ParsedLine:
    title: str
    spec: str = ""  # 商品属性 / 宝贝规格, e.g. "颜色分类:红色;尺码:XL"
    outer_id: str = ""  # 商家编码 from the file ("" when the file has none)
    qty: int = 1
    price: Decimal | None = None
    sub_order_no: str = ""


@dataclass(frozen=True)
class ParsedOrder:
    """One order as the file says it, cleaned; `row` is its 1-based line number in the file."""

    row: int
    order_no: str
    platform_status: str  # one of PLATFORM_STATUSES below
    platform_status_text: str  # the text as the file had it
    buyer_nick: str = ""
    buyer_message: str = ""
    seller_memo: str = ""
    receiver_name: str = ""
    phone: ParsedPhone | None = None
    address: ParsedAddress | None = None
    amount: Decimal | None = None  # 买家实际支付金额 / 买家实付金额
    postage: Decimal | None = None
    created_at: datetime | None = None  # aware, Asia/Shanghai
    paid_at: datetime | None = None
    shipped_at: datetime | None = None
    platform_ship_by: datetime | None = None  # 最晚发货时间 when the file has it
    lines: tuple[ParsedLine, ...] = ()
    lines_from_items_file: bool = False
    lines_uncertain: bool = False  # several titles, no 宝贝报表: quantities per title unknown
    waybills: tuple[str, ...] = ()
    carrier_text: str = ""  # 物流公司 as written
    refund_requested: bool = False
    close_reason: str = ""
    shop_name: str = ""

    def fingerprint(self) -> str:
        """A stable digest of everything the platform says about the order (not the row number).

        Built from the fields' reprs (frozen dataclasses, Decimal, datetime: all deterministic); much cheaper
        than dataclasses.asdict, which deep-copies every nested value."""
        import hashlib

        parts = [repr(getattr(self, f.name)) for f in _ORDER_FIELDS]
        return hashlib.sha1("\x1f".join(parts).encode()).hexdigest()


_ORDER_FIELDS = tuple(f for f in fields(ParsedOrder) if f.name != "row")


@dataclass(frozen=True)
class RowRejection:
    row: int  # 1-based line number in the file (the header is line 1)
    reason: str  # human words, Chinese first: names the column and the value
    code: str = "bad_row"  # stable code: bad_order_no | order_no_scientific | missing_column | bad_time | bad_amount | bad_row
    order_no: str = ""


@dataclass
class ReportReadResult:
    orders: list[ParsedOrder] = field(default_factory=list)
    rejected: list[RowRejection] = field(default_factory=list)
    data_rows: int = 0  # rows in the order file, after the header
    encoding: str = ""  # of a CSV order file ("utf-8-sig", "gb18030", "gb18030/lossy" …); "" for XLSX
    columns: list[str] = field(default_factory=list)
    items_unmatched: int = 0  # 宝贝报表 rows whose 订单编号 is not in the order file (or is unreadable)


class FileUnreadable(Exception):
    """The file as a whole cannot be read (not CSV/XLSX, no 订单编号 column, undecodable)."""

    code = "file_unreadable"


# Normalised platform trade states (FORMATS.md names in brackets)
PLATFORM_STATUSES = (
    "wait_pay",  # 等待买家付款 (WAIT_BUYER_PAY)
    "wait_send",  # 买家已付款，等待卖家发货 (WAIT_SELLER_SEND_GOODS)
    "consigned_part",  # 部分发货 (SELLER_CONSIGNED_PART)
    "wait_confirm",  # 卖家已发货，等待买家确认 (WAIT_BUYER_CONFIRM_GOODS)
    "signed",  # 买家已签收 (TRADE_BUYER_SIGNED)
    "finished",  # 交易成功 (TRADE_FINISHED)
    "closed",  # 交易关闭 after payment, refunded (TRADE_CLOSED)
    "closed_unpaid",  # 交易关闭 before payment (TRADE_CLOSED_BY_TAOBAO)
    "forbid_consign",  # 付款后禁止发货 (PAID_FORBID_CONSIGN)
    "unknown",
)
