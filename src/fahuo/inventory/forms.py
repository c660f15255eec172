"""Forms of the stock pages. They only parse; the services decide."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class ReceiveForm(forms.Form):
    qty = forms.IntegerField(label=_("入库数量"), min_value=1)
    location = forms.CharField(label=_("库位"), max_length=40, required=False)
    reason = forms.CharField(label=_("备注"), max_length=200, required=False)


class AdjustForm(forms.Form):
    delta = forms.IntegerField(label=_("增减数量"))
    location = forms.CharField(label=_("库位"), max_length=40, required=False)
    reason = forms.CharField(label=_("原因"), max_length=200)


class StocktakeForm(forms.Form):
    counted = forms.IntegerField(label=_("盘点数量"), min_value=0)
    location = forms.CharField(label=_("库位"), max_length=40, required=False)
    reason = forms.CharField(label=_("备注"), max_length=200, required=False)


class SkuForm(forms.Form):
    code = forms.CharField(label=_("商家编码"), max_length=64)
    title = forms.CharField(label=_("名称"), max_length=200)
    spec = forms.CharField(label=_("规格"), max_length=200, required=False)
    barcode = forms.CharField(label=_("条码"), max_length=64, required=False)
    weight_g = forms.IntegerField(label=_("重量(克)"), min_value=0, required=False)
    tags = forms.CharField(label=_("标签"), max_length=200, required=False, help_text=_("用逗号分隔"))

    def service_kwargs(self) -> dict:
        d = self.cleaned_data
        tags = [t.strip() for t in d["tags"].replace("，", ",").split(",") if t.strip()]
        return {"code": d["code"], "title": d["title"], "spec": d["spec"], "barcode": d["barcode"],
                "weight_g": d["weight_g"] or 0, "tags": tags}


class SkuImportForm(forms.Form):
    file = forms.FileField(label=_("SKU 表格 (CSV)"))


class StockSearchForm(forms.Form):
    q = forms.CharField(required=False, max_length=64)
