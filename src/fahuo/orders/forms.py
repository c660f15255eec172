"""Forms of the order pages. They only parse; the services decide."""

from __future__ import annotations

from datetime import datetime

from django import forms
from django.utils.translation import gettext_lazy as _

from fahuo.core.clock import SHANGHAI
from fahuo.orders import rules


class ReceiverForm(forms.Form):
    name = forms.CharField(label=_("收货人"), max_length=100)
    phone = forms.CharField(label=_("电话"), max_length=40, required=False)
    address = forms.CharField(label=_("整段地址"), max_length=400, required=False)
    province = forms.CharField(label=_("省"), max_length=30, required=False)
    city = forms.CharField(label=_("市"), max_length=30, required=False)
    district = forms.CharField(label=_("区"), max_length=30, required=False)
    detail = forms.CharField(label=_("详细地址"), max_length=255, required=False)

    def service_kwargs(self) -> dict:
        d = self.cleaned_data
        kw = {"name": d["name"], "phone": d["phone"]}
        if d["address"].strip():
            kw["address"] = d["address"].strip()
        else:
            kw.update(province=d["province"], city=d["city"], district=d["district"], detail=d["detail"])
        return kw


class HoldForm(forms.Form):
    reason = forms.ChoiceField(label=_("挂起原因"), choices=[(k, _(v)) for k, v in rules.HOLD_REASONS_ZH.items()])
    note = forms.CharField(label=_("备注"), max_length=200, required=False)
    until = forms.DateTimeField(label=_("到期时间"), required=False, input_formats=["%Y-%m-%dT%H:%M"])

    def clean_until(self) -> datetime | None:
        until = self.cleaned_data.get("until")
        if until is not None and until.tzinfo is None:
            until = until.replace(tzinfo=SHANGHAI)
        return until


class CancelForm(forms.Form):
    reason = forms.CharField(label=_("取消原因"), max_length=200, required=False)


class MapSkuForm(forms.Form):
    title = forms.CharField(max_length=300)
    spec = forms.CharField(max_length=200, required=False)
    sku = forms.CharField(label=_("商家编码"), max_length=64)


class SearchForm(forms.Form):
    status = forms.CharField(required=False)
    due = forms.ChoiceField(required=False, choices=[("", ""), ("today", "today"), ("overdue", "overdue")])
    q = forms.CharField(required=False, max_length=64)
    page = forms.IntegerField(required=False, min_value=1)


class NewOrderForm(forms.Form):
    order_no = forms.CharField(label=_("订单编号"), max_length=64, required=False)
    name = forms.CharField(label=_("收货人"), max_length=100, required=False)
    phone = forms.CharField(label=_("电话"), max_length=40, required=False)
    province = forms.CharField(label=_("省"), max_length=30, required=False)
    city = forms.CharField(label=_("市"), max_length=30, required=False)
    district = forms.CharField(label=_("区"), max_length=30, required=False)
    detail = forms.CharField(label=_("详细地址"), max_length=255, required=False)
    buyer_message = forms.CharField(label=_("买家留言"), max_length=500, required=False)
    amount = forms.DecimalField(label=_("实付金额"), max_digits=12, decimal_places=2, required=False, min_value=0)


def lines_from_post(data) -> list[dict]:
    """Parallel `sku` / `qty` inputs → [{"sku": code, "qty": n}]; empty rows are skipped."""
    out = []
    for code, qty in zip(data.getlist("sku"), data.getlist("qty"), strict=False):
        code = code.strip()
        if not code:
            continue
        try:
            n = int(qty or 1)
        except ValueError:
            n = 0
        out.append({"sku": code, "qty": n})
    return out


def split_part_from_post(data, line_ids: list[int]) -> dict[int, int]:
    """`qty_<line id>` inputs → {line_id: qty} for the new part (zeros dropped)."""
    part = {}
    for lid in line_ids:
        raw = (data.get(f"qty_{lid}") or "0").strip()
        try:
            q = int(raw)
        except ValueError:
            q = -1
        if q:
            part[lid] = q
    return part


class ImportForm(forms.Form):
    report = forms.FileField(label=_("订单报表"))
    items = forms.FileField(label=_("宝贝报表（可选）"), required=False)
