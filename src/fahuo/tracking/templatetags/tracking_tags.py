"""Tracking words in templates: exception types and severities, tracking statuses, "3 小时前"."""

from __future__ import annotations

from datetime import datetime

from django import template
from django.utils.translation import gettext

from fahuo.core import clock
from fahuo.tracking.exception_rules import FindingType, Severity
from fahuo.tracking.selectors import SEVERITY_LABELS, TYPE_LABELS
from fahuo.tracking.statuses import LABELS_ZH, REASON_LABELS_ZH, TrackStatus

register = template.Library()


@register.filter
def case_type(code: str) -> str:
    try:
        return str(TYPE_LABELS[FindingType(code)])
    except (KeyError, ValueError):
        return code


@register.filter
def severity_label(code: str) -> str:
    try:
        return str(SEVERITY_LABELS[Severity(code)])
    except (KeyError, ValueError):
        return code


@register.filter
def track_status(code: str) -> str:
    try:
        return gettext(LABELS_ZH[TrackStatus(code)])
    except (KeyError, ValueError):
        return code


@register.filter
def track_reason(code: str) -> str:
    return gettext(REASON_LABELS_ZH[code]) if code in REASON_LABELS_ZH else code


def ago_words(seconds: float) -> str:
    """刚刚 / 12 分钟前 / 3 小时前 / 2 天前 (whole units, rounded down)."""
    s = max(0, int(seconds))
    if s < 60:
        return gettext("刚刚")
    if s < 3600:
        return gettext("%(n)s 分钟前") % {"n": s // 60}
    if s < 86400:
        return gettext("%(n)s 小时前") % {"n": s // 3600}
    return gettext("%(n)s 天前") % {"n": s // 86400}


@register.filter
def ago(dt: datetime | None) -> str:
    if not dt:
        return ""
    return ago_words((clock.now() - dt).total_seconds())


@register.filter
def resolution_label(text: str) -> str:
    from fahuo.tracking.services.exceptions import CAUSE_GONE

    return gettext("原因已消除（自动关闭）") if text == CAUSE_GONE else text


@register.filter
def local_iso(text: str | None) -> str:
    """An ISO-8601 time stored as text (notes, evidence) as a local time."""
    from fahuo.core.templatetags.fahuo_tags import local

    if not text:
        return ""
    try:
        return local(datetime.fromisoformat(text))
    except (TypeError, ValueError):
        return str(text)
