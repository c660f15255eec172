"""Fill an empty fahuo with the demo tea shop: users, SKUs with stock, and a few hundred orders in every state.

Everything goes through the same services a seller uses (SKU import, order report import, confirm, hold …),
so the demo is also a smoke test of the whole intake flow. The data is generated (fahuo.demo.generate)."""

from __future__ import annotations

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.db import transaction

from fahuo.core import clock
from fahuo.core.models import ShopSettings
from fahuo.demo.generate import demo_orders, demo_skus, write_items_report_csv, write_order_report_csv
from fahuo.inventory import services as inv
from fahuo.orders.models import Order
from fahuo.orders.services import decide
from fahuo.orders.services.imports import import_now
from fahuo.orders.status import Status

DEMO_PASSWORD = "fahuo-demo"
DEMO_USERS = (("demo", "owner"), ("packer", "packer"), ("kefu", "cs"))


def load_demo(*, orders: int = 300, seed: int = 1, out=print) -> bool:
    """Returns False (and changes nothing) when the database already has orders."""
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
    skus = demo_skus(seed)
    with transaction.atomic():
        # the newest item is on sale but not yet in fahuo: its orders show "SKU unknown" in review
        for k in skus[:-1]:
            inv.save_sku(code=k["code"], title=k["title"], spec=k["spec"], barcode=k["barcode"],
                         weight_g=k["weight_g"], tags=k["tags"], by=owner)
            if k["initial_stock"]:
                inv.receive(sku_code=k["code"], qty=k["initial_stock"], location_code=k["location"],
                            reason="期初库存", by=owner)
    rows = demo_orders(orders, seed=seed, skus=skus)
    summary = import_now(data=write_order_report_csv(rows), filename="ExportOrderList-demo.csv",
                         items=write_items_report_csv(rows), items_filename="ExportOrderDetailList-demo.csv", by=owner)
    out(f"演示订单：新建 {summary.created}，拒绝 {len(summary.rejected)} (demo orders imported)")
    _spread_states(owner)
    _packing_day(owner)
    return True


DEMO_RULES = """# 一行一条规则，从上往下，第一条符合的决定快递（演示）
目的地 in 西藏 → 人工
默认 → 最便宜
"""


def _packing_day(owner) -> None:
    """The afternoon: the sandbox carrier set up, one wave built, some parcels verified, some handed over."""
    from fahuo.carriers import services as carriers
    from fahuo.fulfilment.models import Parcel
    from fahuo.fulfilment.services import packing, shipping
    from fahuo.fulfilment.services.waves import WaveFilter, create_wave

    carriers.save_account(carrier_code="DEMO", name="演示网点", number_source="sandbox", enabled=True, by=owner)
    carriers.save_rules(text=DEMO_RULES, by=owner)
    s = ShopSettings.get()
    s.sender_name, s.sender_phone, s.sender_address = "西湖茶舍", "0571-88886666", "浙江省杭州市西湖区龙井路1号"
    s.save()
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
