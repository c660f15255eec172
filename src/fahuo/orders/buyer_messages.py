"""Drafts of messages to the buyer when an order is short, to paste into 千牛. Pure text."""

from __future__ import annotations

DRAFTS_ZH = {
    "wait": "亲，您好！您购买的{items}暂时缺货，预计{eta}到货后第一时间为您发出，给您带来不便非常抱歉。请问您愿意稍等几天吗？",
    "swap": "亲，您好！您购买的{items}暂时缺货，非常抱歉。我们可以为您换成同价位的其他款式（如：{alt}），或者您可以挑选其他喜欢的款式，请问可以吗？",
    "refund": "亲，您好！非常抱歉，您购买的{items}目前缺货，短期内无法补货。为了不耽误您的时间，建议您申请退款，我们会第一时间同意，再次向您致歉。",
}
DRAFTS_EN = {
    "wait": "Hello! The {items} you ordered is out of stock for now. We expect it {eta} and will ship right away. "
            "Sorry for the wait. Would you be willing to wait a few days?",
    "swap": "Hello! The {items} you ordered is out of stock, sorry. We can send a similar item at the same price "
            "(for example {alt}) instead, or you may pick another one. Is that all right?",
    "refund": "Hello! Sorry, the {items} you ordered is out of stock and will not be back soon. Please request a "
              "refund and we will approve it at once. Our apologies.",
}


def draft(kind: str, *, items: list[str], eta: str = "", alt: str = "", lang: str = "zh") -> str:
    table = DRAFTS_EN if lang.startswith("en") else DRAFTS_ZH
    if kind not in table:
        raise KeyError(kind)
    sep = ", " if lang.startswith("en") else "、"
    default_eta = "in a few days" if lang.startswith("en") else "3-5天内"
    return table[kind].format(items=sep.join(items) or "-", eta=eta or default_eta, alt=alt or "-")
