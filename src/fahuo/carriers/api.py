"""Carriers over HTTP: the catalog with the seller's accounts, number detection, rate cards, the choice rules,
number pools, and the recommendation for one order.

Thin: parse, check the role (core.permissions), call one service, answer. Reading is open to every role;
changing accounts, rates, rules and pools is the owner's.
"""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Count, Max
from ninja import File, Path, Query, Router, Schema, UploadedFile
from pydantic import Field

from fahuo.carriers import catalog, detect, rates
from fahuo.carriers.models import CarrierAccount, NumberPool, PoolNumber
from fahuo.core.errors import InvalidInput
from fahuo.core.permissions import require
from fahuo.core.schemas import MAX_INT, NO_NUL, READ_ERRORS, WRITE_ERRORS, Error, text

router = Router(tags=["carriers"])

CarrierCode = Path(..., max_length=40, pattern=NO_NUL, description="fahuo carrier code (ZTO) or any name (中通快递)")
OrderNo = Path(..., max_length=64, pattern=NO_NUL, description="订单编号")
Province = Path(..., max_length=30, pattern=NO_NUL, description="省份 in any form, or * for every other province")
Money = Field(..., ge=0, le=Decimal("999999.99"), decimal_places=2)


def resolve_carrier(name: str) -> str:
    """fahuo's code for a carrier written any way (ZTO, zto, 中通, 中通快递); InvalidInput when unknown."""
    code = catalog.carrier_from_text(name)
    if code is None:
        raise InvalidInput(f"未知的快递公司 {name} (unknown carrier)", code="unknown_carrier", carrier=name)
    return code


# ---------------------------------------------------------------------------------------------- shapes


class AccountOut(Schema):
    name: str
    account_no: str
    sender_name: str
    sender_phone: str
    sender_address: str
    service: str
    payment: str


class CarrierOut(Schema):
    code: str
    name: str
    name_en: str
    phone: str
    sandbox: bool
    enabled: bool
    number_source: str = Field(..., description="sandbox (演示快递 issues them), pool (单号池), kuaidi100 (electronic "
                                                "waybill API) or manual (typed/scanned)")
    pool_left: int
    pool_low: bool = Field(..., description="a pool exists and fewer numbers are left than its warning level")
    account: AccountOut | None


class AccountIn(Schema):
    name: text(80) | None = None
    account_no: text(40) | None = None
    sender_name: text(40) | None = None
    sender_phone: text(40) | None = None
    sender_address: text(200) | None = None
    service: text(40) | None = None
    payment: text(20) | None = None
    number_source: text(10) | None = Field(None, description="sandbox pool manual kuaidi100")
    enabled: bool | None = None


class DetectCandidateOut(Schema):
    code: str
    name: str
    score: float


class DetectOut(Schema):
    number: str = Field(..., description="the number as fahuo keeps it: no spaces or dashes, upper case")
    candidates: list[DetectCandidateOut]


class RateOut(Schema):
    carrier: str
    province: str = Field(..., description="full province name, or * for every province without its own row")
    first_kg: str
    first_price: str
    extra_price: str
    extra_step_kg: str
    days_min: int | None
    days_max: int | None


class RatesOut(Schema):
    sample: bool = Field(..., description="true while no rate is entered: the packaged SAMPLE card (made-up prices)")
    rates: list[RateOut]


class RateIn(Schema):
    first_price: Decimal = Money
    extra_price: Decimal = Money
    first_kg: Decimal = Field(Decimal(1), gt=0, le=Decimal("9999.99"), decimal_places=2)
    extra_step_kg: Decimal = Field(Decimal(1), gt=0, le=Decimal("9999.99"), decimal_places=2)
    days_min: int = Field(2, ge=1, le=365)
    days_max: int = Field(3, ge=1, le=365)


class RateRejectionOut(Schema):
    line: int
    code: str
    reason: str


class RateImportOut(Schema):
    stored: int
    rejected: list[RateRejectionOut] = Field(..., description="nothing is stored when a line is refused")


class RuleOut(Schema):
    number: int
    line: int
    text: str
    action: str = Field(..., description="carrier manual cheapest fastest")
    carrier: str | None


class RuleErrorOut(Schema):
    line: int
    code: str
    message: str


class RulesOut(Schema):
    text: str
    rules: list[RuleOut]
    errors: list[RuleErrorOut]


class RulesIn(Schema):
    text: text(20000)


class PoolIn(Schema):
    carrier: text(40, min_length=1)
    numbers: list[text(100)] = Field(..., min_length=1, max_length=10_000,
                                     description="numbers, or ranges START-END with the same prefix and width")
    name: text(80) = ""
    warn_below: int = Field(50, ge=0, le=MAX_INT)


class PoolOut(Schema):
    id: int
    carrier: str
    name: str
    added: int
    left: int = Field(..., description="numbers still free for this carrier, over all its pools")
    warn_below: int


class DaysOut(Schema):
    min: int
    max: int


class OptionOut(Schema):
    code: str
    name: str
    cost: str | None
    days: DaysOut | None
    available: bool
    reason: str


class RecommendOut(Schema):
    order_no: str
    chosen: str | None
    manual: bool
    rule: str | None
    explanation: str
    sample_rates: bool
    candidates: list[OptionOut]


# ---------------------------------------------------------------------------------------------- catalog


def _carriers() -> list[dict]:
    from fahuo.carriers.services import enabled_carriers

    accounts = {a.carrier_code: a for a in CarrierAccount.objects.all()}
    enabled = set(enabled_carriers())
    left = dict(PoolNumber.objects.filter(used_at__isnull=True).values("pool__carrier_code")
                .annotate(n=Count("id")).values_list("pool__carrier_code", "n"))
    warn = dict(NumberPool.objects.values("carrier_code").annotate(w=Max("warn_below"))
                .values_list("carrier_code", "w"))
    out = []
    for c in catalog.all_carriers():
        a = accounts.get(c.code)
        source = a.number_source if a else ("sandbox" if c.sandbox else "manual")
        out.append({
            "code": c.code, "name": c.name_zh, "name_en": c.name_en, "phone": c.phone, "sandbox": c.sandbox,
            "enabled": c.code in enabled, "number_source": source, "pool_left": left.get(c.code, 0),
            "pool_low": c.code in warn and left.get(c.code, 0) < warn[c.code],
            "account": None if a is None else {
                "name": a.name, "account_no": a.account_no, "sender_name": a.sender_name,
                "sender_phone": a.sender_phone, "sender_address": a.sender_address, "service": a.service,
                "payment": a.payment},
        })
    return out


@router.get("", response={200: list[CarrierOut], READ_ERRORS: Error},
            summary="Every carrier fahuo knows, with the seller's account, number source and pool")
def list_carriers(request):
    return _carriers()


@router.put("/{carrier}/account", response={200: CarrierOut, WRITE_ERRORS: Error},
            summary="Set up a carrier: 网点, 月结号, sender, service, number source, on/off (owner)")
def save_account(request, payload: AccountIn, carrier: str = CarrierCode):
    from fahuo.carriers.services import save_account as save

    require(request.auth, "carriers_settings")
    code = resolve_carrier(carrier)
    save(carrier_code=code, by=request.auth, **payload.dict(exclude_unset=True, exclude_none=True))
    return next(c for c in _carriers() if c["code"] == code)


# ---------------------------------------------------------------------------------------------- detection


def detect_dict(number: str) -> dict:
    """Ranked candidates for a waybill number, the seller's own carrier mix breaking ties (API and CLI)."""
    from fahuo.carriers.services import carrier_mix, carrier_name

    return {"number": detect.normalise(number),
            "candidates": [{"code": c.code, "name": carrier_name(c.code), "score": c.score}
                           for c in detect.detect(number, prior=carrier_mix())]}


@router.get("/detect", response={200: DetectOut, READ_ERRORS: Error},
            summary="Which carrier a waybill number belongs to: ranked candidates, best first ([] when none fits)")
def detect_carrier(request, number: str = Query(..., min_length=1, max_length=100, pattern=NO_NUL)):
    return detect_dict(number)


# ---------------------------------------------------------------------------------------------- rates


def _kg(d: Decimal) -> str:
    return f"{d.normalize():f}"


def _money(d: Decimal) -> str:
    return str(d.quantize(rates.CENT))


def _rate_out(r: rates.Rate) -> dict:
    return {"carrier": r.carrier, "province": r.province, "first_kg": _kg(r.first_kg),
            "first_price": _money(r.first_price), "extra_price": _money(r.extra_price),
            "extra_step_kg": _kg(r.extra_step_kg), "days_min": r.days.min if r.days else None,
            "days_max": r.days.max if r.days else None}


@router.get("/rates", response={200: RatesOut, READ_ERRORS: Error},
            summary="Rate cards (首重 + 续重, transit days) by carrier and province")
def list_rates(request):
    from fahuo.carriers.services import rate_cards

    cards, sample = rate_cards()
    rows = [r for code in sorted(cards, key=catalog.order_of) for r in cards[code].rates.values()]
    rows.sort(key=lambda r: (catalog.order_of(r.carrier), r.province == rates.DEFAULT, r.province))
    return {"sample": sample, "rates": [_rate_out(r) for r in rows]}


def decode_csv(data: bytes) -> str:
    """Text of an uploaded CSV: UTF-8 (with or without BOM), else GB18030 as Excel saves it in China."""
    try:
        text_ = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text_ = data.decode("gb18030")
        except UnicodeDecodeError:
            raise InvalidInput("文件不是 UTF-8 或 GBK 编码的 CSV (not a CSV file)", code="file_unreadable")
    if "\x00" in text_:
        raise InvalidInput("文件不是文本 CSV (not a text CSV file)", code="file_unreadable")
    return text_


def import_rates_text(text_: str, *, by) -> dict:
    import csv

    from fahuo.carriers.services import import_rates

    try:
        stored, rejected = import_rates(text=text_, by=by)
    except csv.Error as e:
        raise InvalidInput(f"CSV 无法读取：{e} (unreadable CSV)", code="file_unreadable")
    return {"stored": stored, "rejected": [{"line": r.line, "code": r.code, "reason": r.reason} for r in rejected]}


_FILE = File(...)


@router.post("/rates/import", response={200: RateImportOut, WRITE_ERRORS: Error},
             summary="Import rate cards from CSV (快递公司,目的省份,首重(kg),首重价格,续重价格,续重单位(kg),时效(天)); "
                     "replaces the rows of every carrier in the file (owner)")
def import_rate_card(request, file: UploadedFile = _FILE):
    require(request.auth, "rates")
    if file.size and file.size > 5 * 1024 * 1024:
        raise InvalidInput("文件太大（上限 5 MB）(file too large)", code="file_too_large")
    return import_rates_text(decode_csv(file.read()), by=request.auth)


@router.put("/rates/{carrier}/{province}", response={200: RateOut, WRITE_ERRORS: Error},
            summary="Set one rate (one carrier to one province; * = every other province) (owner)")
def save_rate(request, payload: RateIn, carrier: str = CarrierCode, province: str = Province):
    from fahuo.carriers.services import save_rate_row

    require(request.auth, "rates")
    row = save_rate_row(carrier_code=resolve_carrier(carrier), province=province, by=request.auth, **payload.dict())
    return _rate_out(rates.Rate(carrier=row.carrier_code, province=row.province, first_price=row.first_price,
                                extra_price=row.extra_price, first_kg=row.first_kg, extra_step_kg=row.extra_step_kg,
                                days=rates.Days(row.days_min, row.days_max)))


# ---------------------------------------------------------------------------------------------- rules


def rules_dict(text_: str) -> dict:
    from fahuo.carriers import choice

    rules, errors = choice.parse_rules(text_)
    return {"text": text_,
            "rules": [{"number": r.number, "line": r.line, "text": r.text, "action": r.action, "carrier": r.carrier}
                      for r in rules],
            "errors": [{"line": e.line, "code": e.code, "message": e.message} for e in errors]}


@router.get("/rules", response={200: RulesOut, READ_ERRORS: Error},
            summary="The seller's carrier rules, one per line in plain words, as text and as read")
def get_rules(request):
    from fahuo.carriers.models import ChoiceRules

    return rules_dict(ChoiceRules.get().text)


@router.put("/rules", response={200: RulesOut, WRITE_ERRORS: Error},
            summary="Replace the rules (owner); 400 bad_rules with data.errors [{line, code, message}] when a line "
                    "cannot be read, and nothing is saved")
def put_rules(request, payload: RulesIn):
    from fahuo.carriers.services import save_rules

    require(request.auth, "rules")
    return rules_dict(save_rules(text=payload.text, by=request.auth).text)


# ---------------------------------------------------------------------------------------------- pools


@router.post("/pools", response={201: PoolOut, WRITE_ERRORS: Error},
             summary="Add purchased waybill numbers (单号池) for a carrier (owner)")
def add_pool(request, payload: PoolIn):
    from fahuo.fulfilment.services.numbers import add_pool as add
    from fahuo.fulfilment.services.numbers import pool_left

    require(request.auth, "pools")
    code = resolve_carrier(payload.carrier)
    pool = add(carrier_code=code, numbers=payload.numbers, name=payload.name, warn_below=payload.warn_below,
               by=request.auth)
    return 201, pool_dict(pool, left=pool_left(code))


def pool_dict(pool: NumberPool, *, left: int) -> dict:
    return {"id": pool.pk, "carrier": pool.carrier_code, "name": pool.name, "added": pool.numbers.count(),
            "left": left, "warn_below": pool.warn_below}


# ---------------------------------------------------------------------------------------------- choice


@router.get("/recommend/{order_no}", response={200: RecommendOut, READ_ERRORS: Error},
            summary="Every carrier for one order with cost and days, the one chosen and the rule that chose it")
def recommend(request, order_no: str = OrderNo):
    from fahuo.carriers.services import recommend_for
    from fahuo.orders.selectors import get_order

    order = get_order(order_no)
    ch = recommend_for(order)
    rec = ch.recommendation
    return {"order_no": order.order_no, "chosen": rec.chosen, "manual": rec.manual, "rule": rec.rule,
            "explanation": rec.explanation, "sample_rates": ch.sample_rates,
            "candidates": [{"code": c.code, "name": c.name, "cost": _money(c.cost) if c.cost is not None else None,
                            "days": {"min": c.days.min, "max": c.days.max} if c.days else None,
                            "available": c.available, "reason": c.reason} for c in rec.candidates]}
