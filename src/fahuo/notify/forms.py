"""Forms of the 通知设置 and buyer-message pages. They only parse; notify.services decides."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from fahuo.notify import messages
from fahuo.notify.models import Channel


class ChannelForm(forms.Form):
    name = forms.CharField(label=_("名称"), max_length=60)
    kind = forms.ChoiceField(label=_("类型"), choices=Channel.Kind.choices)
    url = forms.CharField(label=_("Webhook 地址"), max_length=500, required=False)
    secret = forms.CharField(label=_("签名密钥"), max_length=200, required=False)
    email_to = forms.CharField(label=_("收件人"), max_length=500, required=False)
    enabled = forms.BooleanField(label=_("启用"), required=False)
    takes_digest = forms.BooleanField(label=_("每日汇总"), required=False)
    takes_urgent = forms.BooleanField(label=_("紧急提醒"), required=False)
    takes_buyer_message = forms.BooleanField(label=_("买家消息"), required=False)


class DigestForm(forms.Form):
    digest_hour = forms.IntegerField(label=_("每日汇总时间（点）"), min_value=0, max_value=23)
    digest_enabled = forms.BooleanField(label=_("发送每日汇总"), required=False)
    language = forms.ChoiceField(label=_("通知语言"), choices=[("zh", "中文"), ("en", "English")], required=False)


class BuyerMessageForm(forms.Form):
    kind = forms.ChoiceField(label=_("消息类型"), choices=[(k, k) for k in messages.KINDS], required=False)
    lang = forms.ChoiceField(label=_("语言"), choices=[("zh", "中文"), ("en", "English")], required=False)
    reason = forms.ChoiceField(label=_("延迟原因"), choices=[(r, r) for r in messages.REASONS], required=False)
    other = forms.CharField(label=_("其他原因"), max_length=100, required=False)
    date = forms.DateField(label=_("预计发货日期"), required=False)
