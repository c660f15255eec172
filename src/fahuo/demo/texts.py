"""Free text that appears in a Taobao order report: buyer messages, seller memos, close reasons."""

from __future__ import annotations

BUYER_MESSAGES = (
    "请发顺丰",
    "周末不在家，请放驿站",
    "不要放发票",
    "送人的，不要放价格单",
    "麻烦包装好一点，有玻璃杯",
    "今天能发货吗？着急用",
    "请尽快发货，谢谢",
    "放门卫室就可以",
    "到了打电话，不要放快递柜",
    "发中通",
    "不要发韵达",
    "帮忙写张卡片：生日快乐",
    "多送点小样吧，老顾客了",
    "和我上一单一起发",
    "白天上班，下午六点以后派送",
)

# A shipped order honours what the buyer asked (or what the seller noted).
CARRIER_ASKED = {"请发顺丰": "SF", "发中通": "ZTO", "已联系买家，改发顺丰": "SF"}
CARRIER_REFUSED = {"不要发韵达": ("YUNDA",)}

SELLER_MEMOS_ANY_TIME = ("已联系买家，改发顺丰", "送小样一包", "老客户，送茶巾", "加固包装")
SELLER_MEMOS = (*SELLER_MEMOS_ANY_TIME, "买家要求周一发", "缺货已沟通，等货")  # for orders not shipped yet

INVOICE_TITLES = ("个人", "个人", "杭州某某科技有限公司", "上海某某贸易有限公司")

# 交易关闭 before payment (TRADE_CLOSED_BY_TAOBAO) and after payment, refunded (TRADE_CLOSED).
CLOSE_REASONS_UNPAID = ("买家未付款，超时关闭", "买家不想买了", "买家拍错了", "买家信息填写错误，重新拍")
CLOSE_REASONS_REFUNDED = ("退款成功", "卖家缺货，已全额退款", "买家不想要了，已全额退款")

# 异常信息 of an open order with a refund asked for, by order status.
REFUND_TEXT_UNSHIPPED = ("买家申请退款，待卖家处理", "退款中")
REFUND_TEXT_SHIPPED = ("买家申请退货退款，待卖家处理",)
