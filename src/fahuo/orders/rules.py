"""Review (审单) rules: which problems an order has and which of them block a confirmation.

Pure Python. The services build an `OrderFacts` from the database and call `problems_of`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

# A blocking problem must be fixed before the order can be confirmed.
BLOCKING = (
    "platform_unpaid",  # 等待买家付款 on the platform
    "platform_closed",  # 交易关闭 on the platform
    "refund_requested",  # 买家申请退款
    "shipping_forbidden",  # 付款后禁止发货
    "address_unparsed",  # 地址无法解析到省/市/区
    "phone_invalid",  # 手机号无效
    "phone_missing",
    "receiver_missing",  # 收货人为空
    "sku_unknown",  # 宝贝未对应到商家编码
    "lines_uncertain",  # several titles, quantities per title unknown (宝贝报表 missing)
    "no_lines",
)
# A notice is worth a look: it keeps the order out of "confirm all clean", but a person may confirm it.
NOTICE = (
    "buyer_message",  # 买家留言
    "seller_memo",  # 卖家备注
    "phone_masked",  # 手机号被平台打码
    "phone_virtual",  # 虚拟号（主机号-分机号）
    "duplicate_probable",  # 疑似重复订单
    "merge_candidate",  # 同一买家同一地址的其他未发货订单（可合单）
)

LABELS_ZH = {
    "platform_unpaid": "平台未付款",
    "platform_closed": "平台已关闭交易",
    "refund_requested": "买家申请退款",
    "shipping_forbidden": "平台禁止发货",
    "address_unparsed": "地址无法解析到省/市/区",
    "phone_invalid": "手机号无效",
    "phone_missing": "缺少收货电话",
    "receiver_missing": "缺少收货人",
    "sku_unknown": "宝贝未对应商家编码",
    "lines_uncertain": "多种宝贝的数量不明（请同时导入宝贝报表）",
    "no_lines": "订单没有宝贝",
    "buyer_message": "有买家留言",
    "seller_memo": "有卖家备注",
    "phone_masked": "手机号被打码",
    "phone_virtual": "虚拟号（需分机号）",
    "duplicate_probable": "疑似重复订单",
    "merge_candidate": "可合单：同一买家同一地址还有未发货订单",
}
LABELS_EN = {
    "platform_unpaid": "Not paid on the platform",
    "platform_closed": "Closed on the platform",
    "refund_requested": "Refund requested",
    "shipping_forbidden": "Shipping forbidden by the platform",
    "address_unparsed": "Address not parseable into province/city/district",
    "phone_invalid": "Phone number invalid",
    "phone_missing": "No receiver phone",
    "receiver_missing": "No receiver name",
    "sku_unknown": "Item not mapped to a SKU",
    "lines_uncertain": "Quantities per item unknown (import the item report too)",
    "no_lines": "Order has no items",
    "buyer_message": "Buyer left a message",
    "seller_memo": "Seller memo present",
    "phone_masked": "Phone masked by the platform",
    "phone_virtual": "Virtual number (needs extension)",
    "duplicate_probable": "Probable duplicate",
    "merge_candidate": "Merge candidate: same buyer and address has another open order",
}

ALL = BLOCKING + NOTICE


@dataclass(frozen=True)
class OrderFacts:
    platform_status: str
    refund_requested: bool
    receiver_name: str
    phone_kind: str  # mobile | fixed | virtual | masked | invalid | empty
    address_complete: bool
    line_count: int
    unmapped_lines: int
    lines_uncertain: bool
    buyer_message: str
    seller_memo: str


def problems_of(f: OrderFacts) -> list[str]:
    """Problems found from the order alone (duplicates and merge candidates need the other orders)."""
    p: list[str] = []
    if f.platform_status == "wait_pay":
        p.append("platform_unpaid")
    if f.platform_status in ("closed", "closed_unpaid"):
        p.append("platform_closed")
    if f.platform_status == "forbid_consign":
        p.append("shipping_forbidden")
    if f.refund_requested:
        p.append("refund_requested")
    if not f.receiver_name.strip():
        p.append("receiver_missing")
    if f.phone_kind == "empty":
        p.append("phone_missing")
    elif f.phone_kind == "invalid":
        p.append("phone_invalid")
    elif f.phone_kind == "masked":
        p.append("phone_masked")
    elif f.phone_kind == "virtual":
        p.append("phone_virtual")
    if not f.address_complete:
        p.append("address_unparsed")
    if f.line_count == 0:
        p.append("no_lines")
    if f.unmapped_lines:
        p.append("sku_unknown")
    if f.lines_uncertain:
        p.append("lines_uncertain")
    if f.buyer_message.strip():
        p.append("buyer_message")
    if f.seller_memo.strip():
        p.append("seller_memo")
    return p


def blocking(problems: list[str]) -> list[str]:
    return [p for p in problems if p in BLOCKING]


def is_clean(problems: list[str]) -> bool:
    return not problems


def ship_by(*, platform_ship_by: datetime | None, paid_at: datetime | None, promised_hours: int) -> datetime | None:
    """The platform's 最晚发货时间 when present, else paid time + the promised hours."""
    if platform_ship_by is not None:
        return platform_ship_by
    if paid_at is None:
        return None
    return paid_at + timedelta(hours=promised_hours)


HOLD_REASONS_ZH = {
    "out_of_stock_reply": "缺货待回复",
    "address_confirm": "地址待确认",
    "presale": "预售",
    "buyer_delay": "买家要求延迟",
    "other": "其他",
}
HOLD_REASONS_EN = {
    "out_of_stock_reply": "Short, waiting for the buyer",
    "address_confirm": "Address to confirm",
    "presale": "Pre-sale",
    "buyer_delay": "Buyer asked to wait",
    "other": "Other",
}
