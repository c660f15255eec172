"""Who may do what: one table read by the API, the views and the CLI alike.

``require(user, action)`` raises :class:`~fahuo.core.errors.Forbidden` (code ``forbidden``) when the
user's role may not do the action; ``allowed(user, action)`` answers the same question for templates.
Reading orders (masked for packers) and stock is open to every role and needs no entry here.
``user=None`` means the CLI, which runs as the shop's owner.
"""

from __future__ import annotations

from fahuo.core.errors import Forbidden
from fahuo.core.models import Role

OWNER, PACKER, CS = Role.OWNER.value, Role.PACKER.value, Role.CS.value

RULES: dict[str, frozenset[str]] = {
    "confirm": frozenset({OWNER, CS}),
    "hold": frozenset({OWNER, CS}),
    "cancel": frozenset({OWNER, CS}),
    "reopen": frozenset({OWNER, CS}),
    "merge": frozenset({OWNER, CS}),
    "split": frozenset({OWNER, CS}),
    "edit_receiver": frozenset({OWNER, CS}),
    "map_sku": frozenset({OWNER, CS}),
    "import_orders": frozenset({OWNER, CS}),
    "create_order": frozenset({OWNER, CS}),
    "receive_stock": frozenset({OWNER, CS, PACKER}),
    "adjust_stock": frozenset({OWNER}),
    "stocktake": frozenset({OWNER}),
    "edit_sku": frozenset({OWNER}),
    "import_skus": frozenset({OWNER}),
    "settings": frozenset({OWNER}),
    "tokens": frozenset({OWNER, CS, PACKER}),
    "waves": frozenset({OWNER, PACKER}),
    "pack": frozenset({OWNER, PACKER}),
    "ship": frozenset({OWNER, PACKER}),
    "carriers_settings": frozenset({OWNER}),
    "handover": frozenset({OWNER, PACKER}),
    "export": frozenset({OWNER, PACKER}),
    "rates": frozenset({OWNER}),
    "rules": frozenset({OWNER}),
    "pools": frozenset({OWNER}),
    "exceptions": frozenset({OWNER, CS}),
    "report_parcel": frozenset({OWNER, CS}),
    "notify_settings": frozenset({OWNER}),
    "buyer_messages": frozenset({OWNER, CS}),
}

LABELS: dict[str, str] = {
    "confirm": "审核确认订单", "hold": "挂起订单", "cancel": "取消订单", "reopen": "重新打开订单",
    "merge": "合并订单", "split": "拆分订单", "edit_receiver": "修改收货信息", "map_sku": "绑定商家编码",
    "import_orders": "导入订单", "create_order": "手工建单", "receive_stock": "入库", "adjust_stock": "调整库存",
    "stocktake": "盘点", "edit_sku": "编辑商品", "import_skus": "导入商品", "settings": "修改店铺设置",
    "tokens": "管理 API 令牌",
    "waves": "建批次", "pack": "验货打包", "ship": "发货", "carriers_settings": "修改快递设置",
    "handover": "揽收交接", "export": "导出批量发货文件", "rates": "修改运费价格表", "rules": "修改快递规则",
    "pools": "管理单号池",
    "exceptions": "处理物流异常", "report_parcel": "登记破损或丢失",
    "notify_settings": "管理通知设置", "buyer_messages": "查看买家消息",
}

ROLE_NAMES = {OWNER: "店主", PACKER: "打包员", CS: "客服"}


def allowed(user, action: str) -> bool:
    """True when ``user`` may do ``action``. ``None`` is the CLI (the owner); inactive users may do nothing."""
    if action not in RULES:
        raise KeyError(f"unknown action {action!r}")
    if user is None:
        return True
    if not getattr(user, "is_authenticated", False) or not getattr(user, "is_active", False):
        return False
    return getattr(user, "role", None) in RULES[action]


def require(user, action: str) -> None:
    """Raise Forbidden unless ``user`` may do ``action``."""
    if not allowed(user, action):
        role = ROLE_NAMES.get(getattr(user, "role", ""), "未登录")
        raise Forbidden(f"{role}无权{LABELS[action]} (role may not {action.replace('_', ' ')})",
                        action=action, role=getattr(user, "role", None))
