"""Waybill numbers: issued by the carrier's adapter (the sandbox), taken from a purchased pool, or typed."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.db.models import F

from fahuo.carriers import detect as detection
from fahuo.carriers.adapters.base import AdapterError, WaybillRequest, get_adapter
from fahuo.carriers.models import CarrierAccount, NumberPool, PoolNumber, SandboxSequence
from fahuo.core import clock
from fahuo.core.errors import Conflict, InvalidInput
from fahuo.fulfilment.models import Parcel
from fahuo.fulfilment.services.parcels import find_parcel
from fahuo.orders.services.timeline import record

SANDBOX_CODE = "DEMO"


def _serial() -> int:
    row, _ = SandboxSequence.objects.get_or_create(pk=1)
    while True:
        cur = SandboxSequence.objects.filter(pk=1).values_list("next_value", flat=True).get()
        if SandboxSequence.objects.filter(pk=1, next_value=cur).update(next_value=F("next_value") + 1):
            return cur


def _take_from_pool(carrier_code: str) -> str:
    while True:
        free = (PoolNumber.objects.filter(pool__carrier_code=carrier_code, used_at__isnull=True)
                .order_by("id").values_list("id", "number").first())
        if free is None:
            raise Conflict(f"{carrier_code} 的单号池已用完，请补充单号 (number pool is empty)", code="pool_empty",
                           carrier=carrier_code)
        if PoolNumber.objects.filter(pk=free[0], used_at__isnull=True).update(used_at=clock.now()):
            return free[1]


def pool_left(carrier_code: str) -> int:
    return PoolNumber.objects.filter(pool__carrier_code=carrier_code, used_at__isnull=True).count()


def issue(*, parcel: Parcel, by=None) -> Parcel:
    """Give the parcel a number from its carrier's source. Runs inside the caller's transaction."""
    if parcel.waybill:
        return parcel
    account = CarrierAccount.objects.filter(carrier_code=parcel.carrier_code, enabled=True).first()
    source = "sandbox" if parcel.carrier_code == SANDBOX_CODE else (account.number_source if account else "manual")
    if source == "pool":
        parcel.waybill = _take_from_pool(parcel.carrier_code)
    elif source in ("sandbox", "kuaidi100"):
        from fahuo.core.models import ShopSettings

        o, shop = parcel.order, ShopSettings.get()
        req = WaybillRequest(carrier_code=parcel.carrier_code, order_nos=(o.order_no,), receiver_name=o.receiver_name,
                             receiver_phone=o.receiver_phone, province=o.province, city=o.city, district=o.district,
                             detail=o.detail, weight_g=parcel.weight_g or 0,
                             sender_name=shop.sender_name, sender_phone=shop.sender_phone,
                             sender_address=shop.sender_address, account_no=account.account_no if account else "",
                             items=tuple(f"{it.line.title} ×{it.qty}" for it in parcel.items.select_related("line")))
        try:
            res = get_adapter(source).issue(req, serial=_serial)
        except AdapterError as e:
            raise InvalidInput(str(e), code=e.code, order_no=o.order_no)
        parcel.waybill, parcel.routing = res.number, res.routing
    else:
        return parcel  # typed or scanned at the packing bench
    parcel.waybill_source = source
    parcel.save(update_fields=["waybill", "waybill_source", "routing"])
    record(parcel.order, "waybill", by=by, message=f"运单号 {parcel.waybill}（{parcel.carrier_code}）",
           waybill=parcel.waybill, carrier=parcel.carrier_code)
    return parcel


@transaction.atomic
def set_number(*, parcel_code: str, number: str, carrier_code: str = "", by=None) -> tuple[Parcel, list[str]]:
    """A typed or scanned number. The carrier is guessed from the number when not given; a number that fits no
    pattern of its carrier is kept but flagged. Returns the parcel and warnings."""
    parcel = find_parcel(parcel_code, lock=True)
    number = detection.normalise(number)
    if not number:
        raise InvalidInput("运单号为空 (waybill number is empty)", code="bad_waybill")
    if len(number) > Parcel._meta.get_field("waybill").max_length:
        raise InvalidInput(f"运单号 {number[:20]}… 太长 (waybill number too long)", code="bad_waybill")
    if parcel.state == Parcel.State.SHIPPED:
        raise Conflict("包裹已发货，运单号不能再改 (parcel already shipped)", code="already_shipped")
    warnings = []
    code = carrier_code or parcel.carrier_code
    if not code:
        cands = detection.detect(number)
        if not cands:
            raise InvalidInput(f"认不出 {number} 是哪家快递，请选择快递公司 (carrier not recognised)", code="carrier_unknown")
        code = cands[0].code
    suspect = not detection.matches(code, number)
    if suspect:
        warnings.append(f"{number} 不符合 {code} 的单号规则，请核对 (number does not fit {code}'s pattern)")
    old = parcel.waybill
    parcel.waybill, parcel.carrier_code, parcel.waybill_source, parcel.waybill_suspect = number, code, "manual", suspect
    try:
        with transaction.atomic():
            parcel.save(update_fields=["waybill", "carrier_code", "waybill_source", "waybill_suspect"])
    except IntegrityError:
        other = Parcel.objects.filter(waybill=number).select_related("order").first()
        raise Conflict(f"运单号 {number} 已用在订单 {other.order.order_no if other else '?'} 的包裹上 "
                       f"(number already on another parcel)", code="waybill_taken", waybill=number,
                       order_no=other.order.order_no if other else "")
    record(parcel.order, "waybill", by=by, message=f"运单号 {old or '—'} → {number}（{code}）", waybill=number,
           carrier=code, suspect=suspect)
    return parcel, warnings


@transaction.atomic
def add_pool(*, carrier_code: str, numbers: list[str], name: str = "", warn_below: int = 50, by=None) -> NumberPool:
    """A purchased number range: a list of numbers, or `START-END` expanded (same prefix, same width)."""
    expanded: list[str] = []
    for raw in numbers:
        raw = raw.strip()
        if not raw:
            continue
        if "~" in raw or (raw.count("-") == 1 and all(p.strip()[-1:].isdigit() for p in raw.split("-"))):
            ends = [p.strip() for p in raw.replace("~", "-").split("-")]
            if len(ends) != 2:
                raise InvalidInput(f"号段 {raw} 应写成 起始-结束 (a range is START-END)", code="bad_pool")
            expanded.extend(_expand(*ends))
        else:
            expanded.append(detection.normalise(raw))
    if not expanded:
        raise InvalidInput("没有单号 (no numbers given)", code="bad_pool")
    bad = [n for n in expanded if not detection.matches(carrier_code, n)]
    if bad:
        raise InvalidInput(f"{len(bad)} 个单号不符合 {carrier_code} 的规则，例如 {bad[0]} (numbers do not fit the carrier)",
                           code="bad_pool", examples=bad[:5])
    taken = set(PoolNumber.objects.filter(number__in=expanded).values_list("number", flat=True))
    if taken:
        raise Conflict(f"{len(taken)} 个单号已在单号池里，例如 {sorted(taken)[0]} (numbers already pooled)",
                       code="pool_duplicate", examples=sorted(taken)[:5])
    pool = NumberPool.objects.create(carrier_code=carrier_code, name=name, warn_below=warn_below)
    PoolNumber.objects.bulk_create([PoolNumber(pool=pool, number=n) for n in dict.fromkeys(expanded)])
    return pool


def _expand(a: str, b: str) -> list[str]:
    prefix = a.rstrip("0123456789")
    tail = b[len(prefix):]
    if not b.startswith(prefix) or len(a) != len(b) or a == prefix or not (tail.isascii() and tail.isdigit()):
        raise InvalidInput(f"号段 {a}-{b} 前缀或长度不一致 (range ends differ in prefix or length)", code="bad_pool")
    lo, hi = int(a[len(prefix):]), int(b[len(prefix):])
    if hi < lo or hi - lo > 100_000:
        raise InvalidInput(f"号段 {a}-{b} 无效或超过 100000 个 (bad range)", code="bad_pool")
    width = len(a) - len(prefix)
    return [f"{prefix}{n:0{width}d}" for n in range(lo, hi + 1)]
