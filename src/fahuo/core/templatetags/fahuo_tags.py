"""Template filters: words for statuses and problems, local times, ship-by countdowns, masking, roles."""

from __future__ import annotations

import re
from datetime import datetime

from django import template
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import get_language, gettext, pgettext_lazy

from fahuo.core import clock
from fahuo.core.masking import receiver_for
from fahuo.core.permissions import allowed
from fahuo.orders import rules
from fahuo.orders.status import LABELS_ZH as STATUS_ZH
from fahuo.orders.status import Groups, Status

register = template.Library()

# Timeline event kinds (orders.services write them) in words.
EVENT_KINDS = {
    "created": pgettext_lazy("event", "创建"),
    "imported": pgettext_lazy("event", "导入"),
    "platform_update": pgettext_lazy("event", "平台更新"),
    "platform_status": pgettext_lazy("event", "平台状态变化"),
    "confirmed": pgettext_lazy("event", "确认"),
    "short": pgettext_lazy("event", "缺货"),
    "held": pgettext_lazy("event", "挂起"),
    "hold_released": pgettext_lazy("event", "解除挂起"),
    "cancelled": pgettext_lazy("event", "取消"),
    "reopened": pgettext_lazy("event", "恢复"),
    "merged": pgettext_lazy("event", "合单"),
    "unmerged": pgettext_lazy("event", "拆开合单"),
    "split": pgettext_lazy("event", "拆单"),
    "receiver_changed": pgettext_lazy("event", "修改收货信息"),
    "sku_mapped": pgettext_lazy("event", "对应商家编码"),
    "wave": pgettext_lazy("event", "加入批次"),
    "picking": pgettext_lazy("event", "拣货中"),
    "packed": pgettext_lazy("event", "已打包"),
    "shipped": pgettext_lazy("event", "已发货"),
    "waybill": pgettext_lazy("event", "运单号"),
    "parcel_packed": pgettext_lazy("event", "验货打包"),
    "parcel_shipped": pgettext_lazy("event", "交给快递"),
    "parcel_split": pgettext_lazy("event", "拆包裹"),
    "parcel_voided": pgettext_lazy("event", "包裹作废"),
    "carrier_changed": pgettext_lazy("event", "更换快递"),
    "delivered": pgettext_lazy("event", "已签收"),
    "exception_opened": pgettext_lazy("event", "发现异常"),
    "exception_assigned": pgettext_lazy("event", "异常指派"),
    "exception_note": pgettext_lazy("event", "异常备注"),
    "exception_resolved": pgettext_lazy("event", "异常已解决"),
    "exception_contacted": pgettext_lazy("event", "已联系快递"),
    "exception_reported": pgettext_lazy("event", "登记破损/丢失"),
    "tracking_carrier_corrected": pgettext_lazy("event", "快递公司更正"),
    "tracking_resubscribed": pgettext_lazy("event", "重新订阅物流"),
    "buyer_message_sent": pgettext_lazy("event", "发送买家消息"),
}

_BILINGUAL = re.compile(r"^(?P<zh>.*?)\s*\((?P<en>[^()]*)\)\s*$", re.S)


def localized_message(message: str) -> str:
    """Service messages read `中文说明 (English explanation)`: show the half for the current language."""
    m = _BILINGUAL.match(message or "")
    if not m or not m.group("zh"):
        return message
    lang = get_language() or "zh-hans"
    return m.group("en") if lang.startswith("en") else m.group("zh")


@register.filter
def status_label(value: str) -> str:
    try:
        return gettext(STATUS_ZH[Status(value)])
    except ValueError:
        return value


@register.filter
def problem_label(code: str) -> str:
    return gettext(rules.LABELS_ZH.get(code, code))


@register.filter
def problem_blocks(code: str) -> bool:
    return code in rules.BLOCKING


@register.filter
def hold_reason_label(code: str) -> str:
    return gettext(rules.HOLD_REASONS_ZH.get(code, code))


@register.filter
def event_label(kind: str) -> str:
    return str(EVENT_KINDS.get(kind, kind))


@register.filter
def message_text(message: str) -> str:
    return localized_message(message)


@register.filter
def local(dt: datetime | None, fmt: str = "%m-%d %H:%M") -> str:
    """A UTC time in Asia/Shanghai. Adds the year when it is not this year."""
    if not dt:
        return ""
    d = clock.local(dt)
    assert d is not None
    now = clock.local(clock.now())
    assert now is not None
    if fmt == "%m-%d %H:%M" and d.year != now.year:
        fmt = "%Y-%m-%d %H:%M"
    return d.strftime(fmt)


@register.filter
def local_input(dt: datetime | None) -> str:
    """Value for an <input type=datetime-local>."""
    d = clock.local(dt) if dt else None
    return d.strftime("%Y-%m-%dT%H:%M") if d else ""


def duration_words(seconds: float) -> str:
    minutes = int(abs(seconds) // 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    if days:
        return gettext("%(d)s天%(h)s小时") % {"d": days, "h": hours}
    if hours:
        return gettext("%(h)s小时%(m)s分") % {"h": hours, "m": mins}
    return gettext("%(m)s分钟") % {"m": mins}


@register.simple_tag(takes_context=True)
def countdown(context, deadline: datetime | None, status: str = "review"):
    """`剩 5小时12分` / `超时 2小时` with data for app.js to keep it ticking; red when overdue, amber when soon.

    Only while the ship-by clock runs (status in Groups.TO_SHIP); otherwise just the time."""
    if not deadline:
        return ""
    if status not in Groups.TO_SHIP:
        return format_html('<span class="countdown">{}</span>', local(deadline))
    left = (deadline - timezone.now()).total_seconds()
    soon_hours = context.get("due_soon_hours") or 6
    if left < 0:
        cls, text = "countdown over", gettext("超时 %(t)s") % {"t": duration_words(left)}
    else:
        cls = "countdown soon" if left < soon_hours * 3600 else "countdown"
        text = gettext("剩 %(t)s") % {"t": duration_words(left)}
    return format_html('<span class="{}" data-deadline="{}" data-soon="{}" title="{}">{}</span>', cls,
                       deadline.isoformat(), int(soon_hours * 3600), local(deadline), text)


@register.filter
def receiver(order, user) -> dict[str, str]:
    """Receiver name/phone as this user may see them (masked for packers)."""
    return receiver_for(user, name=order.receiver_name, phone=order.receiver_phone, detail=order.detail)


@register.filter
def can(user, action: str) -> bool:
    return allowed(user, action)


@register.filter
def lines_summary(order, limit: int = 3) -> str:
    lines = list(order.lines.all())
    parts = [f"{(ln.sku.code if ln.sku_id else ln.title)}×{ln.qty}" for ln in lines[:limit]]
    more = len(lines) - limit
    if more > 0:
        parts.append(gettext("等%(n)s种") % {"n": len(lines)})
    return "，".join(parts) if not (get_language() or "").startswith("en") else ", ".join(parts)


@register.filter
def signed(n: int) -> str:
    return f"+{n}" if n > 0 else str(n)
