"""The Django side of carriers: the seller's accounts, rate rows and rules, and the choice for one order."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction

from fahuo.carriers import catalog, choice, rates
from fahuo.carriers.models import CarrierAccount, ChoiceRules, RateRow
from fahuo.core.errors import InvalidInput

SANDBOX = catalog.SANDBOX


def carrier_name(code: str, *, platform: bool = False) -> str:
    """Short Chinese name (中通); with platform=True the full name the platform lists (中通快递)."""
    c = catalog.find(code)
    if c is None:
        return code
    if platform and c.real and c.aliases:
        return c.aliases[0]  # the first alias is the name as the platform lists it (carriers.toml)
    return c.name_zh


def enabled_carriers() -> list[str]:
    """The carriers the seller has switched on; the sandbox alone until a real one is set up."""
    codes = list(CarrierAccount.objects.filter(enabled=True).values_list("carrier_code", flat=True))
    return codes or [SANDBOX]


def rate_cards() -> tuple[dict[str, rates.RateCard], bool]:
    """The seller's rate cards, or the packaged SAMPLE card (made-up prices) while none is entered.
    Returns (cards, is_sample)."""
    rows = list(RateRow.objects.all())
    if not rows:
        return rates.sample_rate_cards(), True
    by: dict[str, list[rates.Rate]] = {}
    for r in rows:
        by.setdefault(r.carrier_code, []).append(rates.Rate(
            carrier=r.carrier_code, province=r.province, first_price=r.first_price, extra_price=r.extra_price,
            first_kg=r.first_kg, extra_step_kg=r.extra_step_kg, days=rates.Days(r.days_min, r.days_max)))
    return {c: rates.card(c, rs) for c, rs in by.items()}, False


def current_rules() -> tuple[list[choice.Rule], list[choice.RuleError]]:
    return choice.parse_rules(ChoiceRules.get().text)


def order_facts(order) -> choice.OrderFacts:
    """Province, amount, estimated weight (SKU weights × quantities) and tags of an order and its merged orders."""
    from fahuo.orders.models import OrderLine

    lines = OrderLine.objects.filter(order__in=[order, *order.merged.all()]).select_related("sku")
    weight = sum((ln.sku.weight_g if ln.sku_id else 0) * ln.qty for ln in lines)
    tags = frozenset(t for ln in lines if ln.sku_id for t in (ln.sku.tags or []))
    return choice.OrderFacts(province=order.province or None, amount=order.amount or Decimal(0), weight_g=weight,
                             buyer_message=order.buyer_message, seller_memo=order.seller_memo, tags=tags)


@dataclass(frozen=True)
class Choice:
    carrier_code: str | None
    manual: bool
    reason: str
    recommendation: choice.Recommendation
    sample_rates: bool


def recommend_for(order) -> Choice:
    cards, sample = rate_cards()
    rules, _errors = current_rules()
    rec = choice.recommend(order_facts(order), cards, rules, enabled_carriers())
    return Choice(carrier_code=rec.chosen, manual=rec.manual, reason=rec.explanation, recommendation=rec,
                  sample_rates=sample)


@transaction.atomic
def save_rules(*, text: str, by=None) -> ChoiceRules:
    rules, errors = choice.parse_rules(text)
    if errors:
        raise InvalidInput("规则有误：" + "；".join(e.message for e in errors) + " (rules have errors)",
                           code="bad_rules", errors=[{"line": e.line, "code": e.code, "message": e.message}
                                                     for e in errors])
    obj = ChoiceRules.get()
    obj.text, obj.updated_by = text, by
    obj.save()
    return obj


@transaction.atomic
def import_rates(*, text: str, by=None) -> tuple[int, list[rates.Rejection]]:
    """Replace the rate rows of every carrier named in the file. Nothing is stored when a line is refused."""
    cards, rejections = rates.parse_rate_card_csv(text)
    if rejections:
        return 0, rejections
    n = 0
    for code, card in cards.items():
        RateRow.objects.filter(carrier_code=code).delete()
        RateRow.objects.bulk_create([
            RateRow(carrier_code=code, province=r.province, first_kg=r.first_kg, first_price=r.first_price,
                    extra_price=r.extra_price, extra_step_kg=r.extra_step_kg,
                    days_min=r.days.min if r.days else 2, days_max=r.days.max if r.days else 3)
            for r in card.rates.values()])
        n += len(card.rates)
    return n, []


@transaction.atomic
def save_account(*, carrier_code: str, by=None, **fields) -> CarrierAccount:
    if catalog.find(carrier_code) is None:
        raise InvalidInput(f"未知的快递公司 {carrier_code} (unknown carrier)", code="unknown_carrier")
    source = fields.get("number_source")
    if source is not None and source not in ("sandbox", "pool", "manual", "kuaidi100"):
        raise InvalidInput("单号来源只能是 sandbox / pool / manual / kuaidi100 (bad number source)",
                           code="bad_number_source")
    if carrier_code == SANDBOX:
        fields["number_source"] = "sandbox"
    elif source == "sandbox":
        raise InvalidInput("只有演示快递可以用演示单号 (only the sandbox carrier issues sandbox numbers)",
                           code="bad_number_source")
    acc, _ = CarrierAccount.objects.update_or_create(carrier_code=carrier_code, defaults=fields)
    return acc


def carrier_mix(days: int = 90) -> dict[str, float]:
    """Share of each carrier in the seller's recent parcels: the prior that breaks ties in number detection."""
    from datetime import timedelta

    from django.db.models import Count

    from fahuo.core import clock
    from fahuo.fulfilment.models import Parcel

    rows = (Parcel.objects.filter(created_at__gte=clock.now() - timedelta(days=days)).exclude(carrier_code="")
            .values("carrier_code").annotate(n=Count("id")))
    total = sum(r["n"] for r in rows)
    return {r["carrier_code"]: r["n"] / total for r in rows} if total else {}


def weight_warning(*, parcel, weight_g: int) -> str:
    """A warning when the weighed parcel crosses a rate step the estimate did not (it will cost more)."""
    cards, _ = rate_cards()
    card = cards.get(parcel.carrier_code)
    if card is None:
        return ""
    est = order_facts(parcel.order).weight_g
    if est and rates.crosses_step(card, parcel.order.province, est, weight_g):
        before = rates.quote(card, parcel.order.province, est)
        after = rates.quote(card, parcel.order.province, weight_g)
        return (f"实际重量 {weight_g} 克跨过了计费档（预估 {est} 克）：运费 ¥{before} → ¥{after} "
                f"(weight crosses a rate step)")
    return ""


@transaction.atomic
def save_rate_row(*, carrier_code: str, province: str, first_price: Decimal, extra_price: Decimal,
                  first_kg: Decimal = Decimal(1), extra_step_kg: Decimal = Decimal(1), days_min: int = 2,
                  days_max: int = 3, by=None) -> RateRow:
    """Edit one rate on the phone. Province "*" is the default for every province not listed."""
    from fahuo.carriers import provinces

    if catalog.find(carrier_code) is None:
        raise InvalidInput(f"未知的快递公司 {carrier_code} (unknown carrier)", code="unknown_carrier")
    full = rates.DEFAULT if province.strip() in ("*", "其他", "其它", rates.DEFAULT) else \
        provinces.normalise_province(province)
    if full is None:
        raise InvalidInput(f"认不出省份“{province}” (unknown province)", code="unknown_province")
    if min(first_price, extra_price) < 0 or first_kg <= 0 or extra_step_kg <= 0 or not 0 < days_min <= days_max:
        raise InvalidInput("价格不能为负，首重/续重单位要大于 0，时效要合理 (bad numbers)", code="bad_number")
    row, _ = RateRow.objects.update_or_create(carrier_code=carrier_code, province=full, defaults={
        "first_price": first_price, "extra_price": extra_price, "first_kg": first_kg, "extra_step_kg": extra_step_kg,
        "days_min": days_min, "days_max": days_max})
    return row
