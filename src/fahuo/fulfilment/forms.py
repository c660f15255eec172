"""Forms of the 发货 pages. They only parse; the services decide."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django import forms
from django.utils.translation import gettext_lazy as _

from fahuo.core import clock
from fahuo.fulfilment.services.waves import LABEL_SIZES, WaveFilter

LABEL_SIZE_CHOICES = [("76x130", _("76×130 毫米（标准一联）")), ("100x180", _("100×180 毫米")),
                      ("a4", _("A4 纸（家用打印机）"))]
assert [k for k, _v in LABEL_SIZE_CHOICES] == list(LABEL_SIZES)
DUE_CHOICES = [("", _("不限")), ("today", _("今天")), ("tomorrow", _("明天"))]
MESSAGE_CHOICES = [("", _("不限")), ("yes", _("有留言")), ("no", _("无留言"))]


def end_of_day(d: date) -> datetime:
    return datetime.combine(d, time(23, 59, 59), tzinfo=clock.SHANGHAI)


class WaveForm(forms.Form):
    carrier = forms.CharField(label=_("快递"), max_length=16, required=False)
    sku = forms.CharField(label=_("商家编码"), max_length=64, required=False)
    province = forms.CharField(label=_("省份"), max_length=30, required=False)
    due = forms.ChoiceField(label=_("最晚发货"), choices=DUE_CHOICES, required=False)
    due_date = forms.DateField(label=_("指定日期"), required=False)
    message = forms.ChoiceField(label=_("买家留言"), choices=MESSAGE_CHOICES, required=False)
    limit = forms.IntegerField(label=_("最多单数"), min_value=1, max_value=5000, required=False)
    label_size = forms.ChoiceField(label=_("面单尺寸"), choices=LABEL_SIZE_CHOICES, required=False)

    def wave_filter(self) -> WaveFilter:
        d = self.cleaned_data
        today = clock.local(clock.now()).date()  # type: ignore[union-attr]
        day = d["due_date"] or {"today": today, "tomorrow": today + timedelta(days=1)}.get(d["due"])
        return WaveFilter(carrier=d["carrier"].strip(), sku=d["sku"].strip(), province=d["province"].strip(),
                          ship_by_before=end_of_day(day) if day else None,
                          has_message={"yes": True, "no": False}.get(d["message"]), limit=d["limit"] or 500)


class CodeForm(forms.Form):
    """What a scanner typed (+ Enter), and the parcel on the bench, if any."""

    code = forms.CharField(label=_("扫描内容"), max_length=64, required=False)
    parcel = forms.IntegerField(required=False, min_value=1)


class CompleteForm(forms.Form):
    weight = forms.IntegerField(label=_("重量（克）"), min_value=1, max_value=200_000, required=False)


class NumberForm(forms.Form):
    number = forms.CharField(label=_("运单号"), max_length=40)


class CarrierForm(forms.Form):
    carrier = forms.CharField(label=_("快递"), max_length=16)


class HandoverForm(forms.Form):
    carrier = forms.CharField(label=_("快递"), max_length=16)


class DocForm(forms.Form):
    kind = forms.ChoiceField(choices=[("labels", "labels"), ("picklist", "picklist"), ("slips", "slips")])
    size = forms.CharField(max_length=10, required=False)


class ExportForm(forms.Form):
    fmt = forms.ChoiceField(label=_("格式"), choices=[("csv", "CSV"), ("xlsx", "XLSX")])
    include_exported = forms.BooleanField(required=False)
    include_sandbox = forms.BooleanField(required=False)


def split_take_from_post(data, item_ids: list[int]) -> dict[int, int]:
    """`take_<item id>` inputs → {item id: qty} for the new parcel (zeros dropped; junk → -1 for the service)."""
    take = {}
    for iid in item_ids:
        raw = (data.get(f"take_{iid}") or "0").strip()
        try:
            q = int(raw)
        except ValueError:
            q = -1
        if q:
            take[iid] = q
    return take
