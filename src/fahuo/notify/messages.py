"""Texts: messages to the buyer (pasted into 千牛 or sent through a notifier) and the notices fahuo sends the
seller (the daily digest, urgent alerts). Built from plain data; pure Python (HOUSE.md habit 2).

    shipped(BuyerData(name="张三", order_no="T1", carrier="中通", number="7531", shop="小茶铺"), lang="zh")
    delayed(data, reason="restock", new_date=date(2026, 11, 26))
    delivered_followup(data, lang="en")
    urgent_alert(UrgentData(...))  → (title, markdown text)
    digest(DigestData(...))        → (title, markdown text)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

KINDS = ("shipped", "delayed", "delivered_followup")
LANGS = ("zh", "en")

# why a shipment is late: ours = (zh, en); "other" takes the seller's own words
DELAY_REASONS: dict[str, tuple[str, str]] = {
    "restock": ("商品缺货补货中", "the item is being restocked"),
    "pickup": ("快递揽收延迟", "the courier's pickup is delayed"),
    "weather": ("天气或交通原因", "of weather or traffic"),
}
OTHER = "other"
REASONS = (*DELAY_REASONS, OTHER)
MONTHS_EN = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


class MessageError(ValueError):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class BuyerData:
    name: str  # how the buyer is greeted: the receiver's name as the user may see it ("" → 亲 / there)
    order_no: str
    shop: str = ""  # shop name ("" → 本店 / our shop)
    carrier: str = ""  # carrier display name in the message's language
    number: str = ""  # tracking number
    carrier_phone: str = ""


def lang_of(lang: str | None) -> str:
    return "en" if (lang or "").lower().startswith("en") else "zh"


def date_text(d: date, lang: str) -> str:
    return f"{MONTHS_EN[d.month - 1]} {d.day}" if lang_of(lang) == "en" else f"{d.month}月{d.day}日"


def _greet(name: str, lang: str) -> str:
    name = name.strip()
    if lang == "en":
        return f"Hi {name}," if name else "Hi there,"
    return f"亲爱的{name}，您好！" if name else "亲，您好！"


def _shop(shop: str, lang: str) -> str:
    return shop.strip() or ("our shop" if lang == "en" else "本店")


def shipped(d: BuyerData, *, lang: str = "zh") -> str:
    lang = lang_of(lang)
    if not d.number:
        raise MessageError("no_tracking_number", "没有运单号，不能写发货通知 (no tracking number)")
    carrier = d.carrier or ("the courier" if lang == "en" else "快递")
    if lang == "en":
        return (f"{_greet(d.name, lang)} your order {d.order_no} from {_shop(d.shop, lang)} has shipped with "
                f"{carrier}, tracking number {d.number}. You can follow it under My Orders on Taobao, or on the "
                f"{carrier} website or kuaidi100.com with the number. If anything is wrong when it arrives, just "
                f"message us.")
    return (f"{_greet(d.name, lang)}您在{_shop(d.shop, lang)}的订单 {d.order_no} 已经发货啦，{carrier}运单号 {d.number}。"
            f"可以在淘宝“我的订单”里查看物流，也可以在{carrier}官网或快递100 输入单号查询。"
            f"收到后有任何问题请随时联系我们～")


def reason_text(reason: str, other: str = "", *, lang: str = "zh") -> str:
    lang = lang_of(lang)
    if reason in DELAY_REASONS:
        zh, en = DELAY_REASONS[reason]
        return en if lang == "en" else zh
    if reason == OTHER:
        words = other.strip()
        if not words:
            raise MessageError("reason_required", "请写明延迟原因 (write the reason for the delay)")
        return words
    raise MessageError("unknown_reason", f"未知的延迟原因 {reason} (unknown delay reason)")


def delayed(d: BuyerData, *, reason: str, other: str = "", new_date: date | None = None, lang: str = "zh") -> str:
    lang = lang_of(lang)
    why = reason_text(reason, other, lang=lang)
    if lang == "en":
        when = (f"We now expect to ship it by {date_text(new_date, lang)}." if new_date
                else "We will ship it as soon as we can.")
        return (f"{_greet(d.name, lang)} we are sorry: your order {d.order_no} will ship a little later because "
                f"{why}. {when} Sorry for the trouble; if you would rather not wait, message us and we will sort it "
                f"out.")
    when = f"预计 {date_text(new_date, lang)} 前发出" if new_date else "我们会尽快为您发出"
    return (f"{_greet(d.name, lang)}非常抱歉，您的订单 {d.order_no} 因{why}需要晚一些发货，{when}。"
            f"给您带来不便，敬请谅解；如果不想等待，请联系我们为您处理。")


def delivered_followup(d: BuyerData, *, lang: str = "zh") -> str:
    lang = lang_of(lang)
    if lang == "en":
        return (f"{_greet(d.name, lang)} your order {d.order_no} has been delivered. We hope you like it! If anything "
                f"is wrong (damaged, missing or not as expected), message us and we will take care of it right away. "
                f"Thank you for shopping at {_shop(d.shop, lang)}!")
    return (f"{_greet(d.name, lang)}您的订单 {d.order_no} 已经签收啦，东西还满意吗？如果商品有任何问题（破损、少件、"
            f"不合适），请直接联系我们，我们会第一时间为您处理。感谢您对{_shop(d.shop, lang)}的支持！")


def buyer_message(kind: str, d: BuyerData, *, reason: str = "", other: str = "", new_date: date | None = None,
                  lang: str = "zh") -> str:
    if kind == "shipped":
        return shipped(d, lang=lang)
    if kind == "delayed":
        return delayed(d, reason=reason or "restock", other=other, new_date=new_date, lang=lang)
    if kind == "delivered_followup":
        return delivered_followup(d, lang=lang)
    raise MessageError("unknown_kind", f"未知的消息类型 {kind} (unknown message kind)")


# --- notices to the seller --------------------------------------------------------------------------


@dataclass(frozen=True)
class UrgentData:
    type: str  # ship_by_near | ship_by_passed | no_pickup | …
    type_label: str  # 临近发货截止
    order_no: str
    title: str  # the case's own title (what was found)
    since: str = ""  # local time text, "11-24 18:00"
    ship_by: str = ""  # local time text
    carrier: str = ""
    number: str = ""
    compensation: str = ""  # "5.00" (an estimate)
    link: str = ""  # absolute URL of the case page, when the box knows its address


# the words of the notices to the seller, per language; the type labels and carrier names come translated
_SELLER_WORDS = {
    "zh": {
        "urgent_title": "【紧急】{label}：订单 {order_no}", "order": "订单", "sep": "：",
        "ship_by_near": "今天必须发货", "ship_by_passed": "已超过最晚发货时间，请尽快发货",
        "ship_by": "最晚发货", "waybill": "运单", "since": "开始于",
        "compensation": "预计延迟发货赔付：¥{amount}（估算）", "open_case": "打开处理",
        "digest_title": "发货日报", "to_ship_today": "今日须发货：{n} 单", "overdue": "已超时未发货：{n} 单",
        "no_pickup": "发货未揽收：{n} 个包裹", "delivered": "昨日签收：{n} 个包裹",
        "new": "新增异常（24 小时内）：{n} 个", "open": "处理中的异常：{n} 个", "open_app": "打开发货台",
    },
    "en": {
        "urgent_title": "[Urgent] {label}: order {order_no}", "order": "order", "sep": ": ",
        "ship_by_near": "Must ship today", "ship_by_passed": "The ship-by time has passed: ship it as soon as you can",
        "ship_by": "Ship by", "waybill": "Waybill", "since": "Since",
        "compensation": "Late-shipping compensation: ¥{amount} (an estimate)", "open_case": "Open it",
        "digest_title": "shipping report", "to_ship_today": "To ship today: {n} orders",
        "overdue": "Late, not shipped: {n} orders", "no_pickup": "Shipped, no pickup scan: {n} parcels",
        "delivered": "Delivered yesterday: {n} parcels", "new": "New exceptions (24 h): {n}",
        "open": "Open exceptions: {n}", "open_app": "Open fahuo",
    },
}


def _bold_head(line: str, sep: str) -> str:
    """'今日须发货：3 单' → '**今日须发货**：3 单'."""
    head, _, rest = line.partition(sep)
    return f"**{head}**{sep}{rest}"


def urgent_alert(u: UrgentData, *, lang: str = "zh") -> tuple[str, str]:
    """(title, markdown text) of an urgent alert. `type_label` and `carrier` come in the notice's language."""
    w = _SELLER_WORDS[lang_of(lang)]
    sep = w["sep"]
    title = w["urgent_title"].format(label=u.type_label, order_no=u.order_no)
    lines = [f"**{u.type_label}** · {w['order']} {u.order_no}", f"> {u.title}"]
    if u.type in ("ship_by_near", "ship_by_passed"):
        lines.append(f"- {w[u.type]}")
    if u.ship_by:
        lines.append(f"- {w['ship_by']}{sep}{u.ship_by}")
    if u.number:
        lines.append(f"- {w['waybill']}{sep}{u.carrier} {u.number}".replace("  ", " "))
    if u.since:
        lines.append(f"- {w['since']}{sep}{u.since}")
    if u.compensation:
        lines.append("- " + w["compensation"].format(amount=u.compensation))
    if u.link:
        lines.append(f"[{w['open_case']}]({u.link})")
    return title, "\n".join(lines)


@dataclass(frozen=True)
class DigestData:
    day: date
    to_ship_today: int
    overdue: int
    no_pickup: int
    delivered_yesterday: int
    new_exceptions: int
    open_by_type: list[tuple[str, int]] = field(default_factory=list)  # (label, count), largest first
    shop: str = ""
    link: str = ""


def digest(g: DigestData, *, lang: str = "zh") -> tuple[str, str]:
    """(title, markdown text) of the daily digest; the type labels in `open_by_type` come in its language."""
    w = _SELLER_WORDS[lang_of(lang)]
    sep = w["sep"]
    title = f"{g.shop.strip() + ' ' if g.shop.strip() else ''}{w['digest_title']} {g.day.isoformat()}"
    counts = [("to_ship_today", g.to_ship_today), ("overdue", g.overdue), ("no_pickup", g.no_pickup),
              ("delivered", g.delivered_yesterday), ("new", g.new_exceptions),
              ("open", sum(n for _label, n in g.open_by_type))]
    lines = [_bold_head(w[key].format(n=n), sep) for key, n in counts]
    lines += [f"- {label}{sep}{n}" for label, n in g.open_by_type]
    if g.link:
        lines.append(f"[{w['open_app']}]({g.link})")
    return title, "\n".join(lines)
