"""The stock API: levels, low stock, one SKU's ledger, receive / adjust / stock-take, SKU import, and roles."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from fahuo.inventory.models import Movement, Sku, StockLevel
from fahuo.orders.models import Order
from fahuo.orders.services import decide
from tests import factories as f

pytestmark = pytest.mark.django_db


def level(code: str, location: str | None = None) -> tuple[int, int]:
    qs = StockLevel.objects.filter(sku__code=code)
    lv = qs.get(location__code=location) if location else qs.get()
    return lv.on_hand, lv.allocated


def test_stock_list_counts_what_open_orders_wait_for(api, owner):
    f.sku("TEA-1", stock=5)
    f.sku("TEA-2", stock=2)
    o = f.order(("TEA-1", 2))
    decide.confirm(order_no=o.order_no, by=owner)
    f.order(("TEA-1", 1))

    rows = api.get("/api/stock").json()

    assert [(r["sku"], r["on_hand"], r["allocated"], r["available"], r["waiting"], r["projected"]) for r in rows] == [
        ("TEA-1", 5, 2, 3, 1, 2), ("TEA-2", 2, 0, 2, 0, 2)]


def test_low_stock_uses_the_threshold_and_what_orders_need(api):
    f.sku("TEA-1", stock=6)
    f.sku("TEA-2", stock=50)
    f.order(("TEA-1", 3))

    r = api.get("/api/stock/low").json()

    assert r["threshold"] == 5
    assert [(x["sku"], x["projected"]) for x in r["items"]] == [("TEA-1", 3)]


def test_receive_adds_stock_and_a_ledger_row(api, owner):
    f.sku("TEA-1")

    r = api.post("/api/stock/receive", {"sku": "TEA-1", "qty": 7, "location": "A-01", "reason": "到货"})

    assert (r.status_code, r.json()) == (200, {"sku": "TEA-1", "location": "A-01", "on_hand": 7, "allocated": 0,
                                               "available": 7})
    mv = Movement.objects.get()
    assert (mv.kind, mv.on_hand_delta, mv.reason, mv.by) == ("receive", 7, "到货", owner)


def test_receive_of_unknown_sku_is_404(api):
    r = api.post("/api/stock/receive", {"sku": "GHOST", "qty": 1})

    assert (r.status_code, r.json()["code"]) == (404, "sku_unknown")
    assert Movement.objects.count() == 0


def test_receive_of_zero_is_422(api):
    f.sku("TEA-1")

    r = api.post("/api/stock/receive", {"sku": "TEA-1", "qty": 0})

    assert (r.status_code, r.json()["code"]) == (422, "invalid_input")
    assert Movement.objects.count() == 0


def test_packer_may_receive(packer_api, packer):
    f.sku("TEA-1")

    r = packer_api.post("/api/stock/receive", {"sku": "TEA-1", "qty": 3})

    assert (r.status_code, r.json()["on_hand"]) == (200, 3)
    assert Movement.objects.get().by == packer


def test_adjust_needs_a_reason_and_never_goes_below_allocated(api, owner):
    f.sku("TEA-1", stock=5)
    o = f.order(("TEA-1", 4))
    decide.confirm(order_no=o.order_no, by=owner)

    no_reason = api.post("/api/stock/adjust", {"sku": "TEA-1", "delta": -1, "reason": " "})
    too_much = api.post("/api/stock/adjust", {"sku": "TEA-1", "delta": -2, "reason": "破损"})
    ok = api.post("/api/stock/adjust", {"sku": "TEA-1", "delta": -1, "reason": "破损"})

    assert (no_reason.status_code, no_reason.json()["code"]) == (400, "reason_required")
    assert (too_much.status_code, too_much.json()["code"]) == (409, "below_allocated")
    assert (ok.status_code, ok.json()["on_hand"], ok.json()["available"]) == (200, 4, 0)
    assert level("TEA-1") == (4, 4)


def test_stocktake_below_allocated_sends_the_latest_paid_order_short(api, owner):
    f.sku("TEA-1", stock=4)
    early = f.order(("TEA-1", 2), paid_minutes_ago=100)
    late = f.order(("TEA-1", 2), paid_minutes_ago=10)
    decide.confirm(order_no=early.order_no, by=owner)
    decide.confirm(order_no=late.order_no, by=owner)

    r = api.post("/api/stock/stocktake", {"sku": "TEA-1", "counted": 3, "reason": "月底盘点"})

    assert (r.status_code, r.json()["on_hand"], r.json()["allocated"]) == (200, 3, 2)
    assert (Order.objects.get(pk=early.pk).status, Order.objects.get(pk=late.pk).status) == ("ready", "short")


@pytest.mark.parametrize("path,body", [
    ("/api/stock/adjust", {"sku": "TEA-1", "delta": -1, "reason": "破损"}),
    ("/api/stock/stocktake", {"sku": "TEA-1", "counted": 0}),
    ("/api/stock/skus", {"code": "TEA-1", "title": "改名"}),
])
def test_packer_and_cs_may_not_adjust_or_count_or_edit(packer_api, cs_api, path, body):
    f.sku("TEA-1", stock=5)

    for client in (packer_api, cs_api):
        r = client.post(path, body)
        assert (r.status_code, r.json()["code"]) == (403, "forbidden")

    assert level("TEA-1") == (5, 0)
    assert Sku.objects.get().title == "商品 TEA-1"
    assert Movement.objects.count() == 1


def test_sku_detail_has_levels_and_the_ledger(api):
    f.sku("TEA-1", stock=5, location="A-01", barcode="6901234567892")
    api.post("/api/stock/receive", {"sku": "TEA-1", "qty": 2, "location": "B-01"})

    d = api.get("/api/stock/skus/6901234567892").json()

    assert d["sku"]["code"] == "TEA-1"
    assert [(lv["location"], lv["on_hand"]) for lv in d["levels"]] == [("A-01", 5), ("B-01", 2)]
    assert [(m["kind"], m["on_hand_delta"], m["location"]) for m in d["movements"]] == [
        ("receive", 2, "B-01"), ("receive", 5, "A-01")]
    assert (d["totals"]["on_hand"], d["totals"]["available"]) == (7, 7)


def test_sku_detail_of_unknown_code_is_404(api):
    assert api.get("/api/stock/skus/GHOST").status_code == 404


def test_save_sku_creates_then_updates(api):
    created = api.post("/api/stock/skus", {"code": "TEA-9", "title": "白茶", "weight_g": 120, "tags": ["新品"]})
    updated = api.post("/api/stock/skus", {"code": "TEA-9", "title": "白茶饼", "weight_g": 357})

    assert created.json() == {"code": "TEA-9", "title": "白茶", "spec": "", "barcode": "", "weight_g": 120,
                              "tags": ["新品"], "active": True}
    assert (updated.json()["title"], updated.json()["weight_g"]) == ("白茶饼", 357)
    assert Sku.objects.count() == 1


def test_sku_import_counts_rows_and_names_the_bad_line(api):
    data = "商家编码,名称,规格,条码,重量(克)\nTEA-1,龙井,250g,6901234567892,260\n,没有编码,,,\nTEA-2,白茶,,,abc\n".encode("gb18030")

    r = api.upload("/api/stock/skus/import", file=SimpleUploadedFile("skus.csv", data))

    body = r.json()
    assert (r.status_code, body["created"], body["updated"], body["unchanged"]) == (200, 1, 0, 0)
    assert [(x["row"], x["code"]) for x in body["rejected"]] == [(3, "bad_sku"), (4, "bad_number")]
    assert list(Sku.objects.values_list("code", flat=True)) == ["TEA-1"]


def test_sku_import_of_a_file_without_columns_is_400(api):
    r = api.upload("/api/stock/skus/import", file=SimpleUploadedFile("x.csv", b"a,b\n1,2\n"))

    assert (r.status_code, r.json()["code"]) == (400, "missing_column")


def test_movements_filter_by_sku_and_limit(api):
    f.sku("TEA-1", stock=5)
    f.sku("TEA-2", stock=3)
    api.post("/api/stock/receive", {"sku": "TEA-1", "qty": 1})

    rows = api.get("/api/stock/movements", sku="TEA-1", limit=1).json()

    assert [(m["sku"], m["on_hand_delta"], m["by"]) for m in rows] == [("TEA-1", 1, "boss")]
