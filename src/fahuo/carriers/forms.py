"""Forms of the 快递设置 pages. They only parse; carriers.services decides."""

from __future__ import annotations

import re
from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

NUMBER_SOURCES = [("manual", _("手工输入/扫描面单")), ("pool", _("单号池"))]


class SenderForm(forms.Form):
    sender_name = forms.CharField(label=_("寄件人"), max_length=40, required=False)
    sender_phone = forms.CharField(label=_("寄件电话"), max_length=40, required=False)
    sender_address = forms.CharField(label=_("寄件地址"), max_length=200, required=False)
    privacy_labels = forms.BooleanField(label=_("隐私面单（收件人打码）"), required=False)


class AccountForm(forms.Form):
    enabled = forms.BooleanField(label=_("启用"), required=False)
    name = forms.CharField(label=_("名称/网点"), max_length=80, required=False)
    account_no = forms.CharField(label=_("月结号"), max_length=40, required=False)
    number_source = forms.ChoiceField(label=_("单号来源"), choices=NUMBER_SOURCES, required=False)
    service = forms.CharField(label=_("服务"), max_length=40, required=False)
    payment = forms.CharField(label=_("付款方式"), max_length=20, required=False)

    def service_kwargs(self) -> dict:
        d = dict(self.cleaned_data)
        d["number_source"] = d["number_source"] or "manual"
        d["service"] = d["service"] or "标准快递"
        d["payment"] = d["payment"] or "寄付月结"
        return d


class RateImportForm(forms.Form):
    file = forms.FileField(label=_("价格表 CSV"), required=False)
    text = forms.CharField(label=_("或粘贴 CSV 内容"), required=False, widget=forms.Textarea)

    def csv_text(self) -> str:
        f = self.cleaned_data.get("file")
        if f:
            raw = f.read()
            for enc in ("utf-8-sig", "gb18030"):
                try:
                    return raw.decode(enc)
                except UnicodeDecodeError:
                    continue
        return self.cleaned_data.get("text") or ""


class RateRowForm(forms.Form):
    carrier = forms.CharField(label=_("快递"), max_length=16)
    province = forms.CharField(label=_("目的省份"), max_length=30)
    first_kg = forms.DecimalField(label=_("首重（千克）"), max_digits=6, decimal_places=2, required=False)
    first_price = forms.DecimalField(label=_("首重价格"), max_digits=8, decimal_places=2)
    extra_price = forms.DecimalField(label=_("续重价格（每千克）"), max_digits=8, decimal_places=2)
    extra_step_kg = forms.DecimalField(label=_("续重单位（千克）"), max_digits=6, decimal_places=2, required=False)
    days_min = forms.IntegerField(label=_("最快（天）"), min_value=1, max_value=30)
    days_max = forms.IntegerField(label=_("最慢（天）"), min_value=1, max_value=30)

    def service_kwargs(self) -> dict:
        d = dict(self.cleaned_data)
        d["carrier_code"] = d.pop("carrier")
        d["first_kg"] = d["first_kg"] or Decimal(1)
        d["extra_step_kg"] = d["extra_step_kg"] or Decimal(1)
        return d


class RulesForm(forms.Form):
    text = forms.CharField(label=_("规则"), required=False, max_length=20000, widget=forms.Textarea)


class PoolForm(forms.Form):
    carrier = forms.CharField(label=_("快递"), max_length=16)
    name = forms.CharField(label=_("名称"), max_length=80, required=False)
    warn_below = forms.IntegerField(label=_("少于多少个时提醒"), min_value=0, max_value=1_000_000, required=False)
    numbers = forms.CharField(label=_("单号"), max_length=2_000_000, widget=forms.Textarea)

    def number_lines(self) -> list[str]:
        """One number or one `START-END` range per line (commas and 、 also separate)."""
        return [p.strip() for p in re.split(r"[\r\n,，、;；]+", self.cleaned_data["numbers"]) if p.strip()]


class LookupForm(forms.Form):
    number = forms.CharField(max_length=64, required=False)
    order = forms.CharField(max_length=64, required=False)
