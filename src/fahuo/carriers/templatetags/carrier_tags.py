"""Carrier words in templates: `{{ parcel.carrier_code|carrier }}` → 中通 (ZTO in English)."""

from __future__ import annotations

from django import template
from django.utils.translation import get_language

from fahuo.carriers import catalog, provinces, rates

register = template.Library()


@register.filter
def carrier(code: str) -> str:
    c = catalog.find(code or "")
    if c is None:
        return code or ""
    return c.name_en if (get_language() or "").startswith("en") else c.name_zh


@register.filter
def province_short(full: str) -> str:
    return provinces.short_name(full) if full != rates.DEFAULT else "*"
