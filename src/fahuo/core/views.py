"""Pages of the phone UI that belong to no app: today's work, and 更多 (settings, tokens, language).

Also the one place where a service's FahuoError becomes a page or an htmx fragment (`handles_errors`)."""

from __future__ import annotations

from functools import wraps

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l
from django.views.decorators.http import require_POST

from fahuo.core import services, tokens
from fahuo.core.errors import FahuoError, InvalidInput
from fahuo.core.models import ApiToken, ShopSettings
from fahuo.core.permissions import allowed, require
from fahuo.core.templatetags.fahuo_tags import localized_message
from fahuo.inventory.selectors import low_stock
from fahuo.orders.selectors import dashboard_counts

# --- errors -----------------------------------------------------------------------------------------


def error_response(request: HttpRequest, error: FahuoError) -> HttpResponse:
    """An htmx request gets the message in the page's #flash box; a plain one an error page. Both 4xx."""
    text = localized_message(error.message)
    if getattr(request, "htmx", False):
        resp = render(request, "core/_flash.html", {"error": text}, status=error.http_status)
        resp["HX-Retarget"] = "#flash"
        resp["HX-Reswap"] = "innerHTML show:#flash:top"
        resp["HX-Push-Url"] = "false"
        return resp
    return render(request, "core/error.html", {"error": text, "back": back_url(request)}, status=error.http_status)


def handles_errors(view):
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except FahuoError as e:
            return error_response(request, e)

    return wrapper


def back_url(request: HttpRequest, default: str = "/") -> str:
    url = request.POST.get("next") or request.GET.get("next") or request.META.get("HTTP_REFERER") or default
    if url_has_allowed_host_and_scheme(url, allowed_hosts={request.get_host()}):
        return url
    return default


def parse(form_class: type[forms.Form], data, files=None) -> dict:
    """Validate a form or raise InvalidInput with its errors in words."""
    form = form_class(data, files)
    if not form.is_valid():
        words = []
        for name, errs in form.errors.items():
            label = form.fields[name].label if name in form.fields else ""
            words.append(f"{label}：{' '.join(errs)}" if label else " ".join(errs))
        raise InvalidInput("；".join(words), code="invalid_form")
    return form.cleaned_data


# --- today ------------------------------------------------------------------------------------------


@login_required
def home(request: HttpRequest) -> HttpResponse:
    from fahuo.tracking.selectors import severity_counts

    threshold = ShopSettings.get().low_stock_threshold
    return render(request, "core/home.html", {
        "counts": dashboard_counts(),
        "exceptions": severity_counts(),
        "low_stock_n": len(low_stock(threshold=threshold)),
        "threshold": threshold,
    })


# --- 更多 -------------------------------------------------------------------------------------------


class SettingsForm(forms.Form):
    shop_name = forms.CharField(label=_l("店铺名称"), required=False, max_length=100)
    promised_hours = forms.IntegerField(label=_l("承诺发货时限（小时）"), min_value=1, max_value=720)
    due_soon_hours = forms.IntegerField(label=_l("临近截止提醒（小时）"), min_value=1, max_value=72)
    low_stock_threshold = forms.IntegerField(label=_l("低库存阈值"), min_value=0)
    no_pickup_hours = forms.IntegerField(label=_l("发货后无揽收提醒（小时）"), min_value=1, max_value=240, required=False)
    stale_hours = forms.IntegerField(label=_l("物流停滞提醒（小时）"), min_value=1, max_value=720, required=False)
    compensation_percent = forms.DecimalField(label=_l("延迟发货赔付比例（%）"), min_value=0, max_value=100,
                                              decimal_places=2, required=False)
    compensation_min = forms.DecimalField(label=_l("赔付下限（元）"), min_value=0, max_value=10000, decimal_places=2,
                                          required=False)
    compensation_max = forms.DecimalField(label=_l("赔付上限（元）"), min_value=0, max_value=10000, decimal_places=2,
                                          required=False)


class TokenForm(forms.Form):
    name = forms.CharField(label=_l("令牌名称"), max_length=80)


def _more_context(request: HttpRequest, **extra) -> dict:
    ctx = {"shop": ShopSettings.get(), "tokens": None}
    if allowed(request.user, "tokens"):
        ctx["tokens"] = ApiToken.objects.filter(user=request.user).order_by("-created_at")
    return {**ctx, **extra}


@login_required
def more(request: HttpRequest) -> HttpResponse:
    return render(request, "core/more.html", _more_context(request))


@login_required
@require_POST
@handles_errors
def settings_save(request: HttpRequest) -> HttpResponse:
    require(request.user, "settings")
    fields = {k: v for k, v in parse(SettingsForm, request.POST).items() if v is not None}  # left out: unchanged
    services.update_settings(by=request.user, **fields)
    messages.success(request, _("设置已保存"))
    return redirect("more")


@login_required
@require_POST
@handles_errors
def token_create(request: HttpRequest) -> HttpResponse:
    require(request.user, "tokens")
    token, key = tokens.create_token(user=request.user, name=parse(TokenForm, request.POST)["name"])
    # the plain key is shown once, on this answer, and never again
    resp = render(request, "core/more.html", _more_context(request, new_key=key, new_token=token))
    resp["HX-Push-Url"] = reverse("more")
    return resp


@login_required
@require_POST
@handles_errors
def token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    require(request.user, "tokens")
    tokens.revoke_token(user=request.user, token_id=pk)
    messages.success(request, _("令牌已撤销"))
    return redirect("more")
