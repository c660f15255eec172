"""Fill an empty fahuo with the demo tea shop: users, SKUs with stock, and a few hundred orders in every state.

Everything goes through the same services a seller uses (SKU import, order report import, confirm, hold …),
so the demo is also a smoke test of the whole intake flow. The data is generated (fahuo.demo.generate).

Last week's parcels (`_tracking_week`) are replayed on the shop's clock: imported, confirmed, packed and handed
to 演示快递 at the times `fahuo.demo.lives` chose, so that — once the sandbox player has pushed their events
through the normal ingest path and one sweep has run — there is a parcel in every tracking status and an open
exception of every kind."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta

from django.contrib.auth import get_user_model
from django.db import transaction

from fahuo.core import clock
from fahuo.core.clock import SHANGHAI
from fahuo.core.models import ShopSettings
from fahuo.demo.generate import demo_orders, demo_skus, write_items_report_csv, write_order_report_csv
from fahuo.inventory import services as inv
from fahuo.orders.models import Order
from fahuo.orders.services import decide
from fahuo.orders.services.imports import import_now
from fahuo.orders.status import Status

DEMO_PASSWORD = "fahuo-demo"
DEMO_USERS = (("demo", "owner"), ("packer", "packer"), ("kefu", "cs"))


def load_demo(*, orders: int = 300, seed: int = 1, out=print, now: datetime | None = None) -> bool:
    """Returns False (and changes nothing) when the database already has orders. `now`: the shop's clock
    (default the real one); the same seed and `now` give the same shop."""
    if Order.objects.exists():
        out("已有订单，跳过演示数据 (orders exist; demo data not loaded)")
        return False
    User = get_user_model()
    for name, role in DEMO_USERS:
        if not User.objects.filter(username=name).exists():
            User.objects.create_user(username=name, password=DEMO_PASSWORD, role=role, is_staff=role == "owner")
    s = ShopSettings.get()
    s.shop_name = "西湖茶舍（演示）"
    s.save()
    owner = User.objects.get(username="demo")
    now = now or clock.now()
    skus = demo_skus(seed)
    with transaction.atomic():
        # the newest item is on sale but not yet in fahuo: its orders show "SKU unknown" in review
        for k in skus[:-1]:
            inv.save_sku(code=k["code"], title=k["title"], spec=k["spec"], barcode=k["barcode"],
                         weight_g=k["weight_g"], tags=k["tags"], by=owner)
            if k["initial_stock"]:
                inv.receive(sku_code=k["code"], qty=k["initial_stock"], location_code=k["location"],
                            reason="期初库存", by=owner)
    with _clock_at(now - HISTORY):
        history = _import_history(owner, skus, seed, now)
    rows = demo_orders(orders, seed=seed, skus=skus, now=now)
    summary = import_now(data=write_order_report_csv(rows), filename="ExportOrderList-demo.csv",
                         items=write_items_report_csv(rows), items_filename="ExportOrderDetailList-demo.csv", by=owner)
    out(f"演示订单：新建 {summary.created}，拒绝 {len(summary.rejected)} (demo orders imported)")
    _setup_shipping(owner)
    lives = _tracking_week(owner, history, rows, now)
    _cancel_spares(owner, now)
    _spread_states(owner)
    _packing_day(owner)
    from fahuo.tracking.models import ExceptionCase
    from fahuo.tracking.services.sweep import sweep

    sweep(now=now)
    opened = ExceptionCase.objects.filter(state=ExceptionCase.State.OPEN).count()
    out(f"演示物流：{lives} 个包裹，待处理异常 {opened} 个 (demo parcels and open exceptions)")
    return True


HISTORY = timedelta(days=7)  # last week's orders: time for every parcel's life, up to 退签
HISTORY_ORDERS = 90
HISTORY_SPARE = 4


@contextmanager
def _clock_at(t: datetime) -> Iterator[None]:
    """Run the services as if it were `t` (the demo replays last week; clock.now is the one time source)."""
    real = clock.now
    clock.now = lambda: t  # type: ignore[assignment]
    try:
        yield
    finally:
        clock.now = real  # type: ignore[assignment]


def _import_history(owner, skus, seed: int, now: datetime) -> list[str]:
    """Last week's paid orders from outside 浙江 and 西藏, clean (no review problem), imported and confirmed a
    week ago: the parcels whose lives the demo plays. Returns their order numbers, oldest payment first."""
    from fahuo.demo.lives import WANTS

    rows = [r for r in demo_orders(HISTORY_ORDERS, seed=seed + 1000, skus=skus, now=now - HISTORY)
            if r["status_code"] == "WAIT_SELLER_SEND_GOODS" and not r["flags"]
            and r["receiver"]["province"] not in ("浙江省", "西藏自治区") and not r["modified_receiver"]]
    rows = rows[:len(WANTS) + 4 + HISTORY_SPARE]  # the parcels _tracking_week plays, and a few in case one is short
    import_now(data=write_order_report_csv(rows), filename="ExportOrderList-lastweek.csv",
               items=write_items_report_csv(rows), items_filename="ExportOrderDetailList-lastweek.csv", by=owner)
    clean = Order.objects.filter(order_no__in=[r["order_no"] for r in rows], status=Status.REVIEW, problems=[],
                                 merged_into__isnull=True)
    nos = list(clean.order_by("paid_at", "id").values_list("order_no", flat=True))
    decide.confirm_many(order_nos=nos, by=owner)
    return list(Order.objects.filter(order_no__in=nos, status=Status.READY).order_by("paid_at", "id")
                .values_list("order_no", flat=True))


DEMO_RULES = """# 一行一条规则，从上往下，第一条符合的决定快递（演示）
目的地 in 西藏 → 人工
默认 → 最便宜
"""


def _setup_shipping(owner) -> None:
    """The sandbox carrier account, the carrier rules and the sender address."""
    from fahuo.carriers import services as carriers

    carriers.save_account(carrier_code="DEMO", name="演示网点", number_source="sandbox", enabled=True, by=owner)
    carriers.save_rules(text=DEMO_RULES, by=owner)
    s = ShopSettings.get()
    s.sender_name, s.sender_phone, s.sender_address = "西湖茶舍", "0571-88886666", "浙江省杭州市西湖区龙井路1号"
    s.save()


def _pack(parcel, owner) -> None:
    from fahuo.fulfilment.services import packing

    for it in parcel.items.select_related("line__sku"):
        for _ in range(it.qty):
            packing.scan_item(parcel_id=parcel.pk, code=it.line.sku.barcode or it.line.sku.code, by=owner)
    packing.complete(parcel_id=parcel.pk, weight_g=450, by=owner)


def _tracking_week(owner, history: list[str], rows, now: datetime) -> int:
    """Ship last week's parcels at the times their chosen lives need, let the sandbox carrier push what happened
    by `now`, and run the sweep once. Returns how many parcels were shipped."""
    from fahuo.demo import lives as L
    from fahuo.fulfilment.models import Parcel
    from fahuo.fulfilment.services import numbers, shipping
    from fahuo.fulfilment.services.waves import WaveFilter, create_wave
    from fahuo.tracking.sandbox import Place, Receiver
    from fahuo.tracking.services import exceptions, sandbox_player

    wants = [*L.WANTS, L.Want("number_on_two_orders", "in_transit", last_steps=("depart", "arrive")),
             L.Want("seller_damaged", "delivered", last_steps=("delivered",))]  # the buyer got it broken
    extra = ("number_format_mismatch", "delivered_before_pickup")
    with _clock_at(now - HISTORY + timedelta(minutes=20)):
        wave = create_wave(by=owner, filters=WaveFilter(order_nos=history[:len(wants) + len(extra)],
                                                         limit=len(wants) + len(extra))).wave
    if wave is None:
        return 0
    parcels = list(Parcel.objects.filter(wave=wave, state=Parcel.State.OPEN).select_related("order").order_by("id"))
    org = sandbox_player.origin()
    lim = exceptions.limits()
    plans: list[tuple[Parcel, float]] = []  # (parcel, hours before now it was handed over)
    by_label: dict[str, Parcel] = {}
    for want, p in zip(wants, parcels, strict=False):
        o = p.order
        rcv = Receiver(o.receiver_name, o.receiver_phone, o.province, o.city, o.district, o.detail)
        life = None
        # a status only some hours have (派件 at night) falls back to an ordinary delivered parcel, so that no
        # parcel of last week is left unshipped in the wave
        for w in (want, L.Want("delivered_instead", "delivered", last_steps=("delivered",))):
            life = L.plan(w, number=p.waybill, order_no=o.order_no, origin=Place(*org), receiver=rcv, now=now,
                          limits=lim, amount=o.amount or 0, max_hours=HISTORY.total_seconds() / 3600 - 1,
                          base_speed=sandbox_player.speed())
            if life is not None:
                break
        if life is None:
            continue
        p.routing = {**p.routing, L.LIFE_KEY: life.stored()}
        p.save(update_fields=["routing"])
        plans.append((p, life.hours))
        by_label[want.label] = p
    rest = parcels[len(wants):]
    if len(rest) >= 2:  # a 中通 number typed on a parcel as 中通 but in 圆通's format; a 中通 parcel whose data
        # says 签收 before 揽收
        with _clock_at(now - timedelta(hours=4)):
            numbers.set_number(parcel_code=rest[0].waybill, number="YT" + rest[0].waybill[-13:].rjust(13, "0"),
                               carrier_code="ZTO", by=owner)
            numbers.set_number(parcel_code=rest[1].waybill, number="7361" + rest[1].waybill[-10:], carrier_code="ZTO",
                               by=owner)
        plans += [(Parcel.objects.get(pk=rest[0].pk), 3.0), (Parcel.objects.get(pk=rest[1].pk), 70.0)]
    for p, hours in sorted(plans, key=lambda x: -x[1]):
        t = (now - timedelta(hours=hours)).replace(microsecond=0)
        with _clock_at(t - timedelta(minutes=30)):
            _pack(p, owner)
        with _clock_at(t):
            shipping.ship(code=p.waybill, by=owner)
    sandbox_player.play(now=now)
    if len(rest) >= 2:
        _push_delivered_before_pickup(Parcel.objects.select_related("order").get(pk=rest[1].pk), now)
    if "seller_damaged" in by_label:
        from fahuo.tracking.services import case_actions

        with _clock_at(now - timedelta(minutes=20)):
            case_actions.report(number=by_label["seller_damaged"].waybill, kind="damaged",
                                note="买家说外箱压坏了，茶叶罐凹了（演示）", by=owner)
    if "number_on_two_orders" in by_label:
        _reuse_number(owner, rows, by_label["number_on_two_orders"].waybill, now)
    return len(plans)


def _cancel_spares(owner, now: datetime) -> None:
    """Last week's orders that no parcel life needed (spares, or ones with a review problem) were cancelled back
    then, not left a week overdue."""
    from fahuo.orders.status import Groups

    spare = Order.objects.filter(paid_at__lt=now - HISTORY + timedelta(days=1), status__in=list(Groups.TO_SHIP),
                                 merged_into__isnull=True, parcels__isnull=True).order_by("paid_at", "id")
    for no in spare.values_list("order_no", flat=True):
        with _clock_at(now - HISTORY + timedelta(hours=2)):
            decide.cancel(order_no=no, by=owner, reason="买家申请取消（演示）")


def _push_delivered_before_pickup(p, now: datetime) -> None:
    """The 中通 parcel's 快递100 push: 签收 entered at 14:00, the 揽收 scan only uploaded with a later time."""
    from fahuo.tracking.events import parse_kuaidi100_push
    from fahuo.tracking.sandbox import GeneratedEvent, kuaidi100_push
    from fahuo.tracking.services.ingest import ingest

    o, shipped = p.order, p.shipped_at
    city = o.city
    steps = ((shipped + timedelta(hours=30), "3", f"【{city}】快件已签收，签收人：本人", city, "delivered"),
             (shipped + timedelta(hours=31), "1", "【杭州市】快件已由 杭州西湖网点 揽收", "杭州市", "pickup"),
             (shipped + timedelta(hours=33), "0", "【杭州市】快件已从 杭州转运中心 发出", "杭州市", "depart"))
    events = [GeneratedEvent(at.astimezone(SHANGHAI), state, text, area, "demo", "", state, step)
              for at, state, text, area, step in steps]
    push = parse_kuaidi100_push(kuaidi100_push(p.waybill, "zhongtong", events)["param"])
    ingest(push.events, now=now)


def _reuse_number(owner, rows, number: str, now: datetime) -> None:
    """卖家中心 shows the same number on another order: the seller typed it there too (a later export,
    imported the normal way, carries it)."""
    shipped = [r for r in rows if r["status_code"] == "WAIT_BUYER_CONFIRM_GOODS" and r["waybill_no"]]
    if not shipped:
        return
    row = {**shipped[0], "waybill_no": number, "carrier": "演示快递", "carrier_code": "DEMO"}
    with _clock_at(now - timedelta(hours=1)):
        import_now(data=write_order_report_csv([row]), filename="ExportOrderList-again.csv",
                   items=write_items_report_csv([row]), items_filename="ExportOrderDetailList-again.csv", by=owner)


def _packing_day(owner) -> None:
    """The afternoon: one wave built, some parcels verified, some handed over."""
    from fahuo.fulfilment.models import Parcel
    from fahuo.fulfilment.services import packing, shipping
    from fahuo.fulfilment.services.waves import WaveFilter, create_wave

    wave = create_wave(by=owner, filters=WaveFilter(limit=24)).wave
    if wave is None:
        return
    parcels = list(Parcel.objects.filter(wave=wave).order_by("id"))
    for p in parcels[:10]:
        for it in p.items.select_related("line__sku"):
            if not it.line.sku_id:
                break
            for _ in range(it.qty):
                packing.scan_item(parcel_id=p.pk, code=it.line.sku.barcode or it.line.sku.code, by=owner)
        else:
            packing.complete(parcel_id=p.pk, weight_g=450, by=owner)
    handover = shipping.start_handover(carrier_code="DEMO", by=owner)
    for p in Parcel.objects.filter(wave=wave, state="packed").order_by("id")[:5]:
        shipping.handover_scan(handover_id=handover.pk, code=p.waybill, by=owner)


def _spread_states(owner) -> None:
    """Confirm most clean orders (some run short), hold and cancel a few, so every screen has something."""
    clean = list(Order.objects.filter(status=Status.REVIEW, problems=[], merged_into__isnull=True)
                 .order_by("paid_at").values_list("order_no", flat=True))
    keep_for_review = set(clean[-8:])
    to_confirm = [no for no in clean if no not in keep_for_review]
    decide.confirm_many(order_nos=to_confirm[:-4], by=owner)
    held = to_confirm[-4:]
    reasons = ["presale", "buyer_delay", "address_confirm", "out_of_stock_reply"]
    for no, reason in zip(held, reasons, strict=False):
        until = clock.now() + timedelta(days=2) if reason == "buyer_delay" else None
        decide.hold(order_no=no, reason=reason, note="演示", until=until, by=owner)
    ready = list(Order.objects.filter(status=Status.READY).values_list("order_no", flat=True)[:1])
    for no in ready:
        decide.cancel(order_no=no, by=owner, reason="买家不想要了（演示）")
