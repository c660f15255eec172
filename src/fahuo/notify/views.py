"""通知设置 (owner only: channels, 发送测试, the digest hour, the last notifications) and the buyer-message
partial (owner and customer service; packers see no buyer messages)."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages as flash
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l
from django.views.decorators.http import require_POST

from fahuo.core.errors import Conflict, InvalidInput
from fahuo.core.permissions import require
from fahuo.core.templatetags.fahuo_tags import localized_message
from fahuo.core.views import handles_errors, parse
from fahuo.notify import buyer, services
from fahuo.notify.forms import BuyerMessageForm, ChannelForm, DigestForm
from fahuo.notify.models import Channel, Notification, NotifySettings
from fahuo.orders.views.common import wants_fragment

KIND_LABELS = {"shipped": _l("发货通知"), "delayed": _l("延迟发货"), "delivered_followup": _l("签收回访")}
REASON_LABELS = {"restock": _l("缺货补货中"), "pickup": _l("快递揽收延迟"), "weather": _l("天气或交通"),
                 "other": _l("其他原因")}
LANG_LABELS = {"zh": "中文", "en": "English"}


# --- 通知设置 ---------------------------------------------------------------------------------------


@login_required
@handles_errors
def settings_page(request: HttpRequest) -> HttpResponse:
    require(request.user, "notify_settings")
    return render(request, "notify/settings.html", {
        "channels": Channel.objects.all(),
        "kinds": Channel.Kind.choices,
        "settings": NotifySettings.get(),
        "recent": Notification.objects.select_related("channel").order_by("-id")[:20],
        "hours": range(24),
    })


@login_required
@require_POST
@handles_errors
def channel_create(request: HttpRequest) -> HttpResponse:
    require(request.user, "notify_settings")
    ch = services.create_channel(by=request.user, **parse(ChannelForm, request.POST))
    flash.success(request, _("通道“%(name)s”已添加") % {"name": ch.name})
    return redirect("notify:settings")


@login_required
@require_POST
@handles_errors
def channel_save(request: HttpRequest, pk: int) -> HttpResponse:
    require(request.user, "notify_settings")
    ch = services.update_channel(pk, by=request.user, **parse(ChannelForm, request.POST))
    flash.success(request, _("通道“%(name)s”已保存") % {"name": ch.name})
    return redirect("notify:settings")


@login_required
@require_POST
@handles_errors
def channel_test(request: HttpRequest, pk: int) -> HttpResponse:
    require(request.user, "notify_settings")
    n = services.test_send(pk, by=request.user)
    if n.state == Notification.State.SENT:
        flash.success(request, _("测试通知已发送到“%(name)s”") % {"name": n.channel.name})
    else:
        flash.error(request, _("测试通知发送失败：%(error)s") % {"error": localized_message(n.last_error)})
    return redirect("notify:settings")


@login_required
@require_POST
@handles_errors
def digest_save(request: HttpRequest) -> HttpResponse:
    require(request.user, "notify_settings")
    d = parse(DigestForm, request.POST)
    services.set_digest(hour=d["digest_hour"], enabled=d["digest_enabled"], language=d["language"] or None,
                        by=request.user)
    flash.success(request, _("每日汇总设置已保存"))
    return redirect("notify:settings")


# --- buyer messages ---------------------------------------------------------------------------------


def _buyer_context(request: HttpRequest, order_no: str) -> dict:
    require(request.user, "buyer_messages")
    q = parse(BuyerMessageForm, request.GET if request.method == "GET" else request.POST)
    kind, lang = q["kind"] or "shipped", q["lang"] or "zh"
    reason, other, day = q["reason"] or "restock", q["other"], q["date"]
    base = reverse("notify:buyer", args=[order_no])

    def href(**change) -> str:
        params = {"kind": kind, "lang": lang, **({"reason": reason} if kind == "delayed" else {}), **change}
        if params.get("kind") != "delayed":
            params.pop("reason", None)
        return f"{base}?{urlencode(params)}"

    ctx = {"order_no": order_no, "kind": kind, "lang": lang, "reason": reason, "other": other, "date": day,
           "kinds": [{"code": k, "label": v, "href": href(kind=k), "on": k == kind} for k, v in KIND_LABELS.items()],
           "langs": [{"code": k, "label": v, "href": href(lang=k), "on": k == lang} for k, v in LANG_LABELS.items()],
           "reasons": list(REASON_LABELS.items()), "base": base, "text": "", "error": "",
           "can_send": Channel.objects.filter(enabled=True, takes_buyer_message=True).exists()}
    try:
        res = buyer.buyer_message(order_no, kind, reason=reason, other=other, new_date=day, lang=lang,
                                  user=request.user)
    except (Conflict, InvalidInput) as e:
        ctx["error"] = localized_message(e.message)
    else:
        ctx["text"] = res["text"]
        ctx["order_no"] = res["order_no"]
    return ctx


@login_required
@handles_errors
def buyer_page(request: HttpRequest, order_no: str) -> HttpResponse:
    ctx = _buyer_context(request, order_no)
    if wants_fragment(request):
        return render(request, "notify/_buyer_messages.html", ctx)
    return render(request, "notify/buyer.html", ctx)


@login_required
@require_POST
@handles_errors
def buyer_send(request: HttpRequest, order_no: str) -> HttpResponse:
    require(request.user, "buyer_messages")
    q = parse(BuyerMessageForm, request.POST)
    res = buyer.buyer_message(order_no, q["kind"] or "shipped", reason=q["reason"] or "restock", other=q["other"],
                              new_date=q["date"], lang=q["lang"] or "zh", send=True, user=request.user)
    if res["queued"]:
        flash.success(request, _("已加入发送队列（%(n)s 个通道）") % {"n": res["queued"]})
    else:
        flash.info(request, _("这条消息已经发送过，或没有接收买家消息的通道"))
    query = urlencode({"kind": res["kind"], "lang": res["lang"]})
    return redirect(f"{reverse('notify:buyer', args=[res['order_no']])}?{query}")
