"""快递设置 (owner only): sender and accounts, rate cards, choice rules, number pools; and 试一试 for everyone:
which carrier a number belongs to, and why an order goes by the carrier it goes by."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from fahuo.carriers import catalog, choice, detect, provinces, rates
from fahuo.carriers import services as carriers
from fahuo.carriers.forms import (
    AccountForm,
    LookupForm,
    PoolForm,
    RateImportForm,
    RateRowForm,
    RulesForm,
    SenderForm,
)
from fahuo.carriers.models import CarrierAccount, ChoiceRules, NumberPool
from fahuo.core import services as core_services
from fahuo.core.errors import InvalidInput, NotFound
from fahuo.core.models import ShopSettings
from fahuo.core.permissions import require
from fahuo.core.views import handles_errors, parse
from fahuo.fulfilment.services import numbers
from fahuo.orders.models import Order
from fahuo.orders.views.common import wants_fragment

RULE_EXAMPLES = [
    "目的地 in 新疆,西藏,青海 → 邮政",
    "金额 > 500 → 顺丰",
    "重量 > 20kg → 德邦",
    "留言 包含 顺丰 → 顺丰",
    "标签 易碎 → 顺丰",
    "目的地 in 港澳台 → 人工",
    "默认 → 最便宜",
]


def _tabs(active: str) -> dict:
    return {"tab": active}


# --- accounts and sender ----------------------------------------------------------------------------


@login_required
@handles_errors
def settings_page(request: HttpRequest) -> HttpResponse:
    require(request.user, "carriers_settings")
    accounts = {a.carrier_code: a for a in CarrierAccount.objects.all()}
    on = set(carriers.enabled_carriers())  # the sandbox alone while nothing is switched on
    rows = [(c, accounts.get(c.code), c.code in on) for c in catalog.all_carriers()]
    rows.sort(key=lambda t: (not t[2], catalog.order_of(t[0].code)))
    return render(request, "carriers/settings.html", {
        **_tabs("accounts"), "rows": rows, "shop": ShopSettings.get(), "enabled": carriers.enabled_carriers(),
    })


@login_required
@require_POST
@handles_errors
def sender_save(request: HttpRequest) -> HttpResponse:
    require(request.user, "carriers_settings")
    core_services.update_settings(by=request.user, **parse(SenderForm, request.POST))
    messages.success(request, _("寄件人信息已保存"))
    return redirect("carriers:settings")


@login_required
@require_POST
@handles_errors
def account_save(request: HttpRequest, code: str) -> HttpResponse:
    require(request.user, "carriers_settings")
    form = AccountForm(request.POST)
    if not form.is_valid():
        parse(AccountForm, request.POST)
    carriers.save_account(carrier_code=code, by=request.user, **form.service_kwargs())
    messages.success(request, _("%(name)s 已保存") % {"name": carriers.carrier_name(code)})
    return redirect("carriers:settings")


# --- rate cards -------------------------------------------------------------------------------------


def _rate_tables() -> tuple[list[tuple[str, list[rates.Rate]]], bool]:
    cards, sample = carriers.rate_cards()
    order = {p: i for i, p in enumerate(provinces.PROVINCES)}
    tables = []
    for code in sorted(cards, key=catalog.order_of):
        rows = sorted(cards[code].rates.values(),
                      key=lambda r: (r.province != rates.DEFAULT, order.get(r.province, 99), r.province))
        tables.append((code, rows))
    return tables, sample


def _rates_context(**extra) -> dict:
    tables, sample = _rate_tables()
    return {**_tabs("rates"), "tables": tables, "sample": sample, "editable": not sample,
            "carriers": [(c.code, c.name_zh) for c in catalog.all_carriers()], **extra}


@login_required
@handles_errors
def rates_page(request: HttpRequest) -> HttpResponse:
    require(request.user, "rates")
    return render(request, "carriers/rates.html", _rates_context())


@login_required
@require_POST
@handles_errors
def rates_import(request: HttpRequest) -> HttpResponse:
    require(request.user, "rates")
    form = RateImportForm(request.POST, request.FILES)
    if not form.is_valid():
        parse(RateImportForm, request.POST, request.FILES)
    text = form.csv_text()
    if not text.strip():
        raise InvalidInput("请选择 CSV 文件或粘贴内容 (choose a CSV file or paste it)", code="empty_rates")
    n, rejections = carriers.import_rates(text=text, by=request.user)
    if rejections:
        return render(request, "carriers/rates.html", _rates_context(rejections=rejections, pasted=form.cleaned_data
                                                                     .get("text") or ""), status=400)
    messages.success(request, _("已导入 %(n)s 行价格") % {"n": n})
    return redirect("carriers:rates")


@login_required
@handles_errors
def rate_row(request: HttpRequest) -> HttpResponse:
    """GET ?carrier=&province=: the inline edit form for one row (htmx); ?view=1: the row again.
    POST: save the row (a new one when the province has none yet)."""
    require(request.user, "rates")
    if request.method == "POST":
        form = RateRowForm(request.POST)
        if not form.is_valid():
            parse(RateRowForm, request.POST)
        row = carriers.save_rate_row(by=request.user, **form.service_kwargs())
        if wants_fragment(request) and request.POST.get("inline"):
            r = rates.Rate(carrier=row.carrier_code, province=row.province, first_price=row.first_price,
                           extra_price=row.extra_price, first_kg=row.first_kg, extra_step_kg=row.extra_step_kg,
                           days=rates.Days(row.days_min, row.days_max))
            return render(request, "carriers/_rate_row.html", {"r": r, "code": row.carrier_code, "editable": True,
                                                               "saved": True})
        messages.success(request, _("价格已保存：%(carrier)s → %(province)s")
                         % {"carrier": carriers.carrier_name(row.carrier_code),
                            "province": provinces.short_name(row.province)})
        return redirect("carriers:rates")
    code, province = request.GET.get("carrier", ""), request.GET.get("province", "")
    cards, sample = carriers.rate_cards()
    r = cards.get(code).rates.get(province) if code in cards else None
    if r is None:
        raise NotFound(f"没有 {code} 到 {province} 的价格 (no such rate row)", code="rate_not_found")
    template = "carriers/_rate_row.html" if request.GET.get("view") else "carriers/_rate_row_form.html"
    return render(request, template, {"r": r, "code": code, "editable": not sample})


@login_required
def rates_sample(request: HttpRequest) -> HttpResponse:
    """The packaged sample card as a CSV to start from (made-up prices, marked as such in its first line)."""
    resp = HttpResponse(("\ufeff" + catalog.data_text("sample_rates.csv")).encode("utf-8"),
                        content_type="text/csv; charset=utf-8")
    resp["Content-Disposition"] = 'attachment; filename="sample-rates.csv"'
    return resp


# --- rules ------------------------------------------------------------------------------------------


def _rules_context(text: str, **extra) -> dict:
    parsed, errors = choice.parse_rules(text)
    return {**_tabs("rules"), "text": text, "parsed": parsed, "errors": errors, "examples": RULE_EXAMPLES,
            "rules_obj": ChoiceRules.get(), **extra}


@login_required
@handles_errors
def rules_page(request: HttpRequest) -> HttpResponse:
    require(request.user, "rules")
    if request.method != "POST":
        return render(request, "carriers/rules.html", _rules_context(ChoiceRules.get().text))
    text = parse(RulesForm, request.POST)["text"]
    try:
        carriers.save_rules(text=text, by=request.user)
    except InvalidInput as e:
        if e.code != "bad_rules":
            raise
        return render(request, "carriers/rules.html", _rules_context(text, refused=True), status=400)
    messages.success(request, _("规则已保存"))
    return redirect("carriers:rules")


# --- number pools -----------------------------------------------------------------------------------


def _pools_context(**extra) -> dict:
    pools = list(NumberPool.objects.annotate(total=Count("numbers"),
                                             left=Count("numbers", filter=Q(numbers__used_at__isnull=True)))
                 .order_by("carrier_code", "id"))
    left = {code: numbers.pool_left(code) for code in dict.fromkeys(p.carrier_code for p in pools)}
    warn_at = {}
    for p in pools:
        warn_at[p.carrier_code] = max(warn_at.get(p.carrier_code, 0), p.warn_below)
    by_carrier = [(code, left[code], left[code] < warn_at[code], [p for p in pools if p.carrier_code == code])
                  for code in left]
    pool_accounts = set(CarrierAccount.objects.filter(number_source="pool", enabled=True)
                        .values_list("carrier_code", flat=True))
    return {**_tabs("pools"), "by_carrier": by_carrier, "pool_accounts": pool_accounts,
            "carriers": [(c.code, c.name_zh) for c in catalog.real_carriers()], **extra}


@login_required
@handles_errors
def pools_page(request: HttpRequest) -> HttpResponse:
    require(request.user, "pools")
    if request.method != "POST":
        return render(request, "carriers/pools.html", _pools_context())
    form = PoolForm(request.POST)
    if not form.is_valid():
        parse(PoolForm, request.POST)
    d = form.cleaned_data
    pool = numbers.add_pool(carrier_code=d["carrier"], numbers=form.number_lines(), name=d["name"],
                            warn_below=d["warn_below"] if d["warn_below"] is not None else 50, by=request.user)
    messages.success(request, _("已加入 %(n)s 个 %(carrier)s 单号") % {"n": pool.numbers.count(),
                                                                   "carrier": carriers.carrier_name(d["carrier"])})
    return redirect("carriers:pools")


# --- 试一试 -----------------------------------------------------------------------------------------


def _detect_context(number: str) -> dict:
    n = detect.normalise(number) if number else ""
    cands = detect.detect(n, prior=carriers.carrier_mix()) if n else []
    top = cands[0].score if cands else 1
    return {"number": n, "candidates": [(c, round(100 * c.score / top) if top else 0) for c in cands[:6]]}


def _recommend_context(order_no: str) -> dict:
    if not order_no:
        return {"order_no": ""}
    order = Order.objects.filter(order_no=order_no.strip()).first()
    if order is None:
        return {"order_no": order_no, "order": None}
    rec = carriers.recommend_for(order)
    return {"order_no": order_no, "order": order, "rec": rec, "facts": carriers.order_facts(order)}


@login_required
@handles_errors
def try_page(request: HttpRequest) -> HttpResponse:
    d = parse(LookupForm, request.GET)
    return render(request, "carriers/try.html", {**_tabs("try"), **_detect_context(d["number"]),
                                                 **_recommend_context(d["order"])})


@login_required
@handles_errors
def detect_fragment(request: HttpRequest) -> HttpResponse:
    number = parse(LookupForm, request.GET)["number"]
    template = "carriers/_detect_line.html" if request.GET.get("compact") else "carriers/_detect.html"
    return render(request, template, _detect_context(number))


@login_required
@handles_errors
def recommend_fragment(request: HttpRequest) -> HttpResponse:
    return render(request, "carriers/_recommend.html", _recommend_context(parse(LookupForm, request.GET)["order"]))
