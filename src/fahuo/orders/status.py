"""Order statuses, their groups and the one table of allowed transitions.

Pure Python: the services, the API and the templates all read this table.
"""

from __future__ import annotations

from enum import StrEnum


class Status(StrEnum):
    UNPAID = "unpaid"
    REVIEW = "review"  # 待审核
    HELD = "held"  # 挂起
    SHORT = "short"  # 缺货
    READY = "ready"  # confirmed and allocated, 待发货
    PICKING = "picking"
    PACKED = "packed"
    SHIPPED = "shipped"
    DELIVERED = "delivered"
    COMPLETED = "completed"
    CANCELLED = "cancelled"  # by the seller
    CLOSED = "closed"  # 交易关闭 on the platform


S = Status

# Words shown to people; translated at render time (see orders/labels.py).
LABELS_ZH = {
    S.UNPAID: "待付款",
    S.REVIEW: "待审核",
    S.HELD: "挂起",
    S.SHORT: "缺货",
    S.READY: "待发货",
    S.PICKING: "拣货中",
    S.PACKED: "已打包",
    S.SHIPPED: "已发货",
    S.DELIVERED: "已签收",
    S.COMPLETED: "已完成",
    S.CANCELLED: "已取消",
    S.CLOSED: "已关闭",
}


class Groups:
    # orders still waiting to leave the building
    OPEN = frozenset({S.REVIEW, S.HELD, S.SHORT, S.READY, S.PICKING, S.PACKED})
    # holding stock (allocation rows exist)
    ALLOCATED = frozenset({S.READY, S.PICKING, S.PACKED})
    # the ship-by clock runs for these
    TO_SHIP = frozenset({S.REVIEW, S.HELD, S.SHORT, S.READY, S.PICKING, S.PACKED})
    DONE = frozenset({S.SHIPPED, S.DELIVERED, S.COMPLETED})
    FINAL = frozenset({S.CANCELLED, S.CLOSED})
    # the receiver and lines may still be edited
    EDITABLE = frozenset({S.UNPAID, S.REVIEW, S.HELD, S.SHORT})


TRANSITIONS: dict[Status, frozenset[Status]] = {
    S.UNPAID: frozenset({S.REVIEW, S.CANCELLED, S.CLOSED}),
    S.REVIEW: frozenset({S.READY, S.SHORT, S.HELD, S.CANCELLED, S.CLOSED, S.SHIPPED, S.COMPLETED}),
    S.HELD: frozenset({S.REVIEW, S.CANCELLED, S.CLOSED, S.SHIPPED, S.COMPLETED}),
    S.SHORT: frozenset({S.READY, S.REVIEW, S.HELD, S.CANCELLED, S.CLOSED, S.SHIPPED, S.COMPLETED}),
    S.READY: frozenset({S.PICKING, S.REVIEW, S.HELD, S.SHORT, S.CANCELLED, S.CLOSED, S.SHIPPED, S.COMPLETED}),
    S.PICKING: frozenset({S.PACKED, S.READY, S.REVIEW, S.CANCELLED, S.CLOSED, S.SHIPPED}),
    S.PACKED: frozenset({S.SHIPPED, S.PICKING, S.READY, S.REVIEW, S.CANCELLED, S.CLOSED}),
    S.SHIPPED: frozenset({S.DELIVERED, S.COMPLETED, S.CLOSED}),
    S.DELIVERED: frozenset({S.COMPLETED, S.CLOSED}),
    S.COMPLETED: frozenset({S.CLOSED}),
    S.CANCELLED: frozenset({S.REVIEW}),
    S.CLOSED: frozenset(),
}


def can_move(src: str, dst: str) -> bool:
    return Status(dst) in TRANSITIONS[Status(src)]


def allowed_targets(src: str) -> frozenset[Status]:
    return TRANSITIONS[Status(src)]
