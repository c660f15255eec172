"""The packer's afternoon: wave → scan-to-verify → pack → ship (one by one, by wave, by handover) → batch-ship file."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from fahuo.core.errors import Conflict
from fahuo.fulfilment.errors import ExtraItem, Intercepted, WrongItem
from fahuo.fulfilment.models import Parcel, ScanEvent
from fahuo.fulfilment.services import numbers, packing, shipping
from fahuo.fulfilment.services.waves import WaveFilter, create_wave
from fahuo.inventory.models import Movement, StockLevel
from fahuo.orders.models import Order, OrderLine
from fahuo.orders.services import decide
from tests import factories as f

pytestmark = pytest.mark.django_db


def ready_order(*lines, **kw) -> Order:
    o = f.order(*lines, **kw)
    decide.confirm(order_no=o.order_no, by=None)
    o.refresh_from_db()
    assert o.status == "ready"
    return o


def wave_of(*orders, by=None):
    res = create_wave(by=by, filters=WaveFilter(order_nos=[o.order_no for o in orders]))
    assert res.wave is not None, res.skipped
    return res


def level(code):
    lv = StockLevel.objects.get(sku__code=code)
    return lv.on_hand, lv.allocated


def test_a_wave_gives_each_order_a_parcel_with_a_sandbox_number(owner):
    f.sku("A", stock=10, barcode="6975541000011")
    o1 = ready_order(("A", 2))
    o2 = ready_order(("A", 1))

    res = wave_of(o1, o2, by=owner)

    assert sorted(res.added) == sorted([o1.order_no, o2.order_no])
    parcels = list(Parcel.objects.order_by("id"))
    assert [p.carrier_code for p in parcels] == ["DEMO", "DEMO"]
    assert [p.waybill for p in parcels] == ["FH000000000001", "FH000000000002"]
    assert parcels[0].routing["big_pen"].startswith("571 杭州")
    assert set(Order.objects.values_list("status", flat=True)) == {"picking"}


def test_scan_verify_refuses_a_wrong_item_then_packs_the_right_ones(owner):
    f.sku("A", stock=10, barcode="6975541000011")
    f.sku("B", stock=10, barcode="6975541000028")
    o = ready_order(("A", 2))
    wave_of(o)
    parcel = Parcel.objects.get()

    with pytest.raises(WrongItem) as e:
        packing.scan_item(parcel_id=parcel.pk, code="6975541000028", by=owner)
    assert "商品 B" in e.value.message
    packing.scan_item(parcel_id=parcel.pk, code="6975541000011", by=owner)
    with pytest.raises(Conflict) as missing:
        packing.complete(parcel_id=parcel.pk, by=owner)
    assert missing.value.code == "items_missing"
    r = packing.scan_item(parcel_id=parcel.pk, code="A", by=owner)
    assert r.complete is True
    with pytest.raises(ExtraItem):
        packing.scan_item(parcel_id=parcel.pk, code="6975541000011", by=owner)
    parcel, warnings = packing.complete(parcel_id=parcel.pk, weight_g=600, by=owner)

    assert parcel.state == "packed"
    assert list(ScanEvent.objects.values_list("result", flat=True)) == ["wrong_item", "ok", "ok", "extra_item"]
    assert Order.objects.get(pk=o.pk).status == "packed"


def pack(parcel: Parcel) -> None:
    for it in parcel.items.select_related("line__sku"):
        for _ in range(it.qty - it.scanned):
            packing.scan_item(parcel_id=parcel.pk, code=it.line.sku.code)
    packing.complete(parcel_id=parcel.pk)


def test_shipping_consumes_stock_and_is_harmless_twice_but_never_undone(owner):
    f.sku("A", stock=10)
    o = ready_order(("A", 3))
    wave_of(o)
    parcel = Parcel.objects.get()
    pack(parcel)

    shipping.ship(code=parcel.waybill, by=owner)
    shipping.ship(code=parcel.waybill, by=owner)

    assert level("A") == (7, 0)
    assert Movement.objects.filter(kind="ship").count() == 1
    o.refresh_from_db()
    assert (o.status, o.waybills) == ("shipped", [parcel.waybill])
    with pytest.raises(Conflict) as e:
        shipping.unship(code=parcel.waybill, by=owner)
    assert e.value.code == "cannot_unship"


def test_cancelling_an_order_in_a_wave_voids_its_parcel_and_gives_stock_back(owner):
    f.sku("A", stock=10)
    o = ready_order(("A", 3))
    wave_of(o)

    decide.cancel(order_no=o.order_no, by=owner, reason="买家不要了")

    p = Parcel.objects.get()
    assert (p.state, p.wave_id) == ("cancelled", None)
    assert level("A") == (10, 0)
    with pytest.raises(Intercepted):
        shipping.ship(code=p.waybill, by=owner)


def test_a_refund_after_the_label_is_printed_stops_scan_and_ship(owner):
    f.sku("A", stock=10)
    o = ready_order(("A", 1))
    wave_of(o)
    parcel = Parcel.objects.get()
    pack(parcel)
    Order.objects.filter(pk=o.pk).update(refund_requested=True)

    with pytest.raises(Intercepted) as e:
        shipping.ship(code=parcel.waybill, by=owner)

    assert "拦截" in e.value.message
    assert Parcel.objects.get().state == "packed"
    assert level("A") == (10, 1)


def test_handover_ships_what_the_courier_took_and_lists_what_is_left(owner):
    f.sku("A", stock=10)
    orders = [ready_order(("A", 1)) for _ in range(3)]
    wave_of(*orders)
    for p in Parcel.objects.all():
        pack(p)
    h = shipping.start_handover(carrier_code="DEMO", by=owner)
    first, second, third = Parcel.objects.order_by("id")

    shipping.handover_scan(handover_id=h.pk, code=first.waybill, by=owner)
    shipping.handover_scan(handover_id=h.pk, code=third.waybill, by=owner)
    h, left = shipping.close_handover(handover_id=h.pk, by=owner)

    assert [p.waybill for p in left] == [second.waybill]
    assert sorted(h.parcels.values_list("waybill", flat=True)) == sorted([first.waybill, third.waybill])
    assert Order.objects.filter(status="shipped").count() == 2


def test_a_number_is_never_on_two_parcels(owner):
    f.sku("A", stock=10)
    a, b = ready_order(("A", 1)), ready_order(("A", 1))
    wave_of(a, b)
    pa, pb = Parcel.objects.order_by("id")

    with pytest.raises(Conflict) as e:
        numbers.set_number(parcel_code=f"P{pb.pk}", number=pa.waybill, by=owner)

    assert e.value.code == "waybill_taken"
    assert Parcel.objects.get(pk=pb.pk).waybill == pb.waybill


def test_a_typed_number_names_its_carrier_and_flags_a_mismatch(owner):
    f.sku("A", stock=10)
    o = ready_order(("A", 1))
    wave_of(o)
    p = Parcel.objects.get()
    Parcel.objects.filter(pk=p.pk).update(waybill=None, carrier_code="")

    p, warnings = numbers.set_number(parcel_code=o.order_no, number="YT8962646785389", by=owner)
    assert (p.carrier_code, p.waybill_suspect, warnings) == ("YTO", False, [])
    p, warnings = numbers.set_number(parcel_code=o.order_no, number="SF1385628716739", carrier_code="ZTO", by=owner)
    assert (p.carrier_code, p.waybill_suspect) == ("ZTO", True)
    assert len(warnings) == 1


def test_batch_ship_file_has_new_rows_only_and_sub_orders_for_split_parcels(owner):
    f.sku("A", stock=10)
    f.sku("B", stock=10)
    whole = ready_order(("A", 1), order_no="1000000000000000001")
    split = ready_order(("A", 1), ("B", 1), order_no="1000000000000000002")
    OrderLine.objects.filter(order=split).update(sub_order_no="")
    for i, ln in enumerate(OrderLine.objects.filter(order=split).order_by("id"), 1):
        ln.sub_order_no = f"20000000000000000{i}"
        ln.save()
    wave_of(whole, split)
    sp = Parcel.objects.get(order=split)
    second = packing.split_parcel(parcel_id=sp.pk, take={sp.items.order_by("id").last().pk: 1})
    for p in Parcel.objects.all():
        pack(p)
        shipping.ship(code=p.waybill)

    exp = shipping.export_batch_ship(fmt="csv", include_sandbox=True, by=owner)
    again = shipping.export_batch_ship(fmt="csv", include_sandbox=True, by=owner)

    rows = list(csv.reader(io.StringIO(Path(exp.path).read_bytes().decode("utf-8-sig"))))
    assert rows[0] == ["订单编号", "物流公司", "运单号", "子订单编号"]
    body = sorted(rows[1:])
    assert body == sorted([
        ['="1000000000000000001"', "演示快递", Parcel.objects.get(order=whole).waybill, ""],
        ['="1000000000000000002"', "演示快递", sp.waybill, '="200000000000000001"'],
        ['="1000000000000000002"', "演示快递", second.waybill, '="200000000000000002"'],
    ])
    assert again.rows == 0
    assert Order.objects.get(pk=split.pk).status == "shipped"


def test_a_kuaidi100_account_without_credentials_says_so_and_the_parcel_waits_for_a_number(owner, monkeypatch):
    from fahuo.carriers import services as carriers

    for k in ("FAHUO_KUAIDI100_KEY", "FAHUO_KUAIDI100_SECRET"):
        monkeypatch.delenv(k, raising=False)
    carriers.save_account(carrier_code="ZTO", number_source="kuaidi100", account_no="P123", enabled=True)
    f.sku("A", stock=10)
    o = ready_order(("A", 1))

    res = create_wave(by=owner, filters=WaveFilter(order_nos=[o.order_no], carrier="ZTO"))

    assert res.added == [o.order_no]
    assert "FAHUO_KUAIDI100_KEY" in res.skipped[o.order_no]
    assert Parcel.objects.get().waybill is None


def test_shipping_a_wave_holds_back_an_intercepted_parcel_and_ships_the_rest(owner):
    f.sku("A", stock=10)
    keep, stop = ready_order(("A", 1)), ready_order(("A", 1))
    wave = wave_of(keep, stop).wave
    for p in Parcel.objects.all():
        pack(p)
    Order.objects.filter(pk=stop.pk).update(refund_requested=True)

    res = shipping.ship_wave(wave_id=wave.pk, by=owner)

    assert res["shipped"] == [Parcel.objects.get(order=keep).waybill]
    assert [s["waybill"] for s in res["intercepted"]] == [Parcel.objects.get(order=stop).waybill]
    assert Parcel.objects.get(order=stop).state == "packed"
