"""The shipping API: waves and their PDFs, scan-to-verify, waybill numbers, ship, handover, the batch-ship file,
and who may do what."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

import pytest
from openpyxl import load_workbook

from fahuo.carriers.adapters.sandbox import routing_for
from fahuo.fulfilment.models import Document, Parcel, ScanEvent, Wave
from fahuo.inventory.models import Movement, StockLevel
from fahuo.orders.models import Order
from fahuo.orders.services import decide
from tests import factories as f

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 24, 2, 30, tzinfo=UTC)  # 10:30 in Shanghai


@pytest.fixture
def frozen(monkeypatch):
    monkeypatch.setattr("fahuo.core.clock.now", lambda: NOW)
    return NOW


def ready(*lines, **kw) -> Order:
    o = f.order(*lines, **kw)
    decide.confirm(order_no=o.order_no, by=None)
    o.refresh_from_db()
    assert o.status == "ready"
    return o


def level(code: str) -> tuple[int, int]:
    lv = StockLevel.objects.get(sku__code=code)
    return lv.on_hand, lv.allocated


def wave_for(api, *orders) -> dict:
    r = api.post("/api/ship/waves", {"order_nos": [o.order_no for o in orders]})
    assert r.status_code == 201, r.json()
    return r.json()


def parcel_of(order: Order) -> Parcel:
    return Parcel.objects.get(order=order)


# ------------------------------------------------------------------------------------------------ roles


def test_a_packer_builds_a_wave_scans_and_ships_with_a_token(packer_api, packer):
    f.sku("A", stock=10, barcode="6975541000011")
    o = ready(("A", 1), order_no="1000000000000000001")

    made = packer_api.post("/api/ship/waves", {"order_nos": [o.order_no]})
    pid = parcel_of(o).pk
    scanned = packer_api.post(f"/api/ship/parcels/{pid}/scan", {"code": "6975541000011"})
    packed = packer_api.post(f"/api/ship/parcels/{pid}/complete", {})
    shipped = packer_api.post("/api/ship/ship", {"code": "FH000000000001"})

    assert [r.status_code for r in (made, scanned, packed, shipped)] == [201, 200, 200, 200]
    assert (scanned.json()["complete"], shipped.json()["state"]) == (True, "shipped")
    assert shipped.json()["receiver"]["name"] == "张*"  # packers see masked buyers
    assert shipped.json()["receiver"]["phone"] == "138****5678"
    p = Parcel.objects.get()
    assert (p.packed_by, p.shipped_by) == (packer, packer)
    assert Order.objects.get().status == "shipped"


def test_customer_service_may_read_but_not_build_pack_ship_or_export(cs_api, api):
    f.sku("A", stock=10)
    o = ready(("A", 1))
    wave = wave_for(api, o)
    pid = parcel_of(o).pk

    refused = [cs_api.post("/api/ship/waves", {"order_nos": [o.order_no]}),
               cs_api.post(f"/api/ship/parcels/{pid}/scan", {"code": "A"}),
               cs_api.post(f"/api/ship/parcels/{pid}/complete", {}),
               cs_api.post("/api/ship/ship", {"code": "FH000000000001"}),
               cs_api.post(f"/api/ship/waves/{wave['wave']['id']}/documents", {"kind": "labels"}),
               cs_api.post("/api/ship/handovers", {"carrier": "DEMO"}),
               cs_api.post("/api/ship/exports", {"fmt": "csv"})]
    read = [cs_api.get("/api/ship/waves"), cs_api.get(f"/api/ship/waves/{wave['wave']['id']}"),
            cs_api.get("/api/ship/parcels/lookup", code="FH000000000001")]

    assert [(r.status_code, r.json()["code"]) for r in refused] == [(403, "forbidden")] * 7
    assert "客服无权建批次" in refused[0].json()["message"]
    assert [r.status_code for r in read] == [200, 200, 200]
    assert (Wave.objects.count(), ScanEvent.objects.count(), Parcel.objects.get().state) == (1, 0, "open")


def test_without_a_token_it_is_401(client):
    r = client.post("/api/ship/waves", {}, content_type="application/json")

    assert (r.status_code, r.json()["code"]) == (401, "unauthorized")


# ------------------------------------------------------------------------------------------------ the whole flow


def test_wave_scan_complete_ship_export_with_exact_values(api, frozen, settings, tmp_path):
    settings.DATA_DIR = tmp_path
    f.sku("A", stock=10, barcode="6975541000011", title="西湖龙井")
    f.sku("B", stock=10, barcode="6975541000028", title="白茶")
    o = ready(("A", 2), ("B", 1), order_no="1000000000000000001", message="请尽快发货")

    made = api.post("/api/ship/waves", {"order_nos": [o.order_no], "label_size": "100x180"})

    assert made.status_code == 201
    body = made.json()
    wave_id = body["wave"]["id"]
    assert body == {"wave": {"id": wave_id, "no": "W261124-01", "state": "open", "label_size": "100x180",
                             "filters": {"order_nos": [o.order_no], "limit": 500},
                             "created_at": body["wave"]["created_at"], "created_by": "boss",
                             "parcels": 1, "packed": 0, "shipped": 0},
                    "added": [o.order_no], "skipped": []}

    detail = api.get(f"/api/ship/waves/{wave_id}").json()
    [parcel] = detail["parcels"]
    pid = parcel["id"]
    a_item, b_item = (it["id"] for it in parcel["items"])
    assert parcel == {
        "id": pid, "code": f"P{pid}", "order_no": o.order_no, "wave": "W261124-01", "seq": 1, "state": "open",
        "carrier": "DEMO", "carrier_rule": "最便宜", "waybill": "FH000000000001", "waybill_source": "sandbox",
        "waybill_suspect": False, "routing": routing_for("浙江省", "杭州市", "西湖区"), "weight_g": None,
        "label_prints": 0,
        "receiver": {"name": "张三", "phone": "13812345678", "province": "浙江省", "city": "杭州市",
                     "district": "西湖区", "detail": "文三路90号"},
        "items": [{"id": a_item, "order_no": o.order_no, "sku": "A", "barcode": "6975541000011", "title": "西湖龙井",
                   "qty": 2, "scanned": 0},
                  {"id": b_item, "order_no": o.order_no, "sku": "B", "barcode": "6975541000028", "title": "白茶",
                   "qty": 1, "scanned": 0}],
        "packed_at": None, "shipped_at": None}
    assert parcel["routing"]["big_pen"] == "571 杭州西湖"
    assert [(r["sku"], r["qty"], r["lines"], r["picked"]) for r in detail["pick"]] == [("A", 2, 1, False),
                                                                                         ("B", 1, 1, False)]
    assert detail["documents"] == []

    looked = api.get("/api/ship/parcels/lookup", code="FH000000000001").json()
    assert looked == parcel
    counts = []
    for code in ("6975541000011", "A", "6975541000028"):
        r = api.post(f"/api/ship/parcels/{pid}/scan", {"code": code})
        assert r.status_code == 200
        counts.append(([it["scanned"] for it in r.json()["parcel"]["items"]], r.json()["complete"]))
    assert counts == [([1, 0], False), ([2, 0], False), ([2, 1], True)]

    packed = api.post(f"/api/ship/parcels/{pid}/complete", {"weight_g": 800}).json()
    assert (packed["parcel"]["state"], packed["parcel"]["weight_g"], packed["warnings"]) == ("packed", 800, [])
    assert packed["parcel"]["packed_at"] == "2026-11-24T02:30:00+00:00"
    assert Order.objects.get().status == "packed"

    shipped = api.post("/api/ship/ship", {"code": "FH000000000001"})
    again = api.post("/api/ship/ship", {"code": o.order_no})
    assert (shipped.status_code, again.status_code) == (200, 200)
    assert (shipped.json()["state"], shipped.json()["shipped_at"]) == ("shipped", "2026-11-24T02:30:00+00:00")
    assert again.json() == shipped.json()
    assert level("A") == (8, 0) and level("B") == (9, 0)
    assert Movement.objects.filter(kind="ship").count() == 2
    order = Order.objects.get()
    assert (order.status, order.waybills) == ("shipped", ["FH000000000001"])
    assert api.get("/api/ship/waves").json()[0]["shipped"] == 1

    without_demo = api.post("/api/ship/exports", {"fmt": "csv"})
    exp = api.post("/api/ship/exports", {"fmt": "csv", "include_sandbox": True})
    none_left = api.post("/api/ship/exports", {"fmt": "csv", "include_sandbox": True})

    assert (without_demo.status_code, without_demo.json()["rows"]) == (201, 0)
    e = exp.json()
    assert (exp.status_code, e) == (201, {"id": e["id"], "fmt": "csv", "rows": 1, "created_at": e["created_at"],
                                          "file_url": f"/api/ship/exports/{e['id']}/file"})
    assert none_left.json()["rows"] == 0
    got = api.get(e["file_url"])
    assert (got.status_code, got["Content-Type"]) == (200, "text/csv; charset=utf-8")
    raw = b"".join(got.streaming_content)
    assert raw.startswith("\ufeff".encode())
    assert list(csv.reader(io.StringIO(raw.decode("utf-8-sig")))) == [
        ["订单编号", "物流公司", "运单号", "子订单编号"], ['="1000000000000000001"', "演示快递", "FH000000000001", ""]]


def test_export_as_xlsx_and_again_with_everything(api, settings, tmp_path):
    settings.DATA_DIR = tmp_path
    f.sku("A", stock=10)
    o = ready(("A", 1), order_no="1000000000000000007")
    wave_for(api, o)
    p = parcel_of(o)
    api.post(f"/api/ship/parcels/{p.pk}/scan", {"code": "A"})
    api.post(f"/api/ship/parcels/{p.pk}/complete")
    api.post("/api/ship/ship", {"code": p.waybill})
    api.post("/api/ship/exports", {"include_sandbox": True})

    r = api.post("/api/ship/exports", {"fmt": "xlsx", "include_exported": True, "include_sandbox": True})
    got = api.get(r.json()["file_url"])

    assert (r.status_code, r.json()["rows"], r.json()["fmt"]) == (201, 1, "xlsx")
    assert got["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    ws = load_workbook(io.BytesIO(b"".join(got.streaming_content))).active
    assert [list(row) for row in ws.iter_rows(values_only=True)] == [
        ["订单编号", "物流公司", "运单号", "子订单编号"], ["1000000000000000007", "演示快递", "FH000000000001", None]]


# ------------------------------------------------------------------------------------------------ scan-to-verify


def test_a_wrong_item_is_400_wrong_item_and_nothing_is_counted(api):
    f.sku("A", stock=10, barcode="6975541000011")
    f.sku("B", stock=10, barcode="6975541000028", title="白茶")
    o = ready(("A", 2))
    wave_for(api, o)
    pid = parcel_of(o).pk

    r = api.post(f"/api/ship/parcels/{pid}/scan", {"code": "6975541000028"})

    assert r.status_code == 400
    assert r.json() == {"code": "wrong_item", "message": "错货！“白茶”(B) 不在这个包裹里 (wrong item: not in this parcel)",
                        "data": {"scanned": "6975541000028", "sku": "B"}}
    assert list(Parcel.objects.get().items.values_list("scanned", flat=True)) == [0]
    assert list(ScanEvent.objects.values_list("result", "code")) == [("wrong_item", "6975541000028")]
    blocked = api.post(f"/api/ship/parcels/{pid}/complete", {})
    assert (blocked.status_code, blocked.json()["code"]) == (409, "items_missing")
    assert Parcel.objects.get().state == "open"


def test_an_extra_item_is_400_extra_item_and_reset_starts_again(api):
    f.sku("A", stock=10, barcode="6975541000011")
    o = ready(("A", 1))
    wave_for(api, o)
    pid = parcel_of(o).pk
    api.post(f"/api/ship/parcels/{pid}/scan", {"code": "A"})

    extra = api.post(f"/api/ship/parcels/{pid}/scan", {"code": "6975541000011"})
    reset = api.post(f"/api/ship/parcels/{pid}/reset")

    assert (extra.status_code, extra.json()["code"]) == (400, "extra_item")
    assert reset.status_code == 200
    assert [it["scanned"] for it in reset.json()["items"]] == [0]
    assert list(ScanEvent.objects.values_list("result", flat=True)) == ["ok", "extra_item", "reset"]


def test_an_intercepted_order_is_409_at_lookup_scan_and_ship(api):
    f.sku("A", stock=10)
    o = ready(("A", 1))
    wave_for(api, o)
    p = parcel_of(o)
    api.post(f"/api/ship/parcels/{p.pk}/scan", {"code": "A"})
    api.post(f"/api/ship/parcels/{p.pk}/complete")
    Order.objects.filter(pk=o.pk).update(refund_requested=True)

    looked = api.get("/api/ship/parcels/lookup", code=p.waybill)
    shipped = api.post("/api/ship/ship", {"code": p.waybill})
    by_wave = api.post(f"/api/ship/waves/{p.wave_id}/ship")

    for r in (looked, shipped):
        assert (r.status_code, r.json()["code"]) == (409, "intercepted")
        assert "拦截" in r.json()["message"]
    assert shipped.json()["data"] == {"order_no": o.order_no, "parcel": p.pk, "waybill": p.waybill}
    # shipping the whole wave holds the intercepted parcel back and says why
    assert by_wave.status_code == 200
    assert by_wave.json()["shipped"] == [] and by_wave.json()["intercepted"][0]["waybill"] == p.waybill
    assert "拦截" in by_wave.json()["intercepted"][0]["reason"]
    assert Parcel.objects.get().state == "packed"
    assert level("A") == (10, 1)


def test_unship_is_always_409_cannot_unship(api):
    f.sku("A", stock=10)
    o = ready(("A", 1))
    wave_for(api, o)
    p = parcel_of(o)
    api.post(f"/api/ship/parcels/{p.pk}/scan", {"code": "A"})
    api.post(f"/api/ship/parcels/{p.pk}/complete")
    api.post("/api/ship/ship", {"code": p.waybill})

    r = api.post("/api/ship/unship", {"code": p.waybill})
    unknown = api.post("/api/ship/unship", {"code": "NOPE"})

    assert (r.status_code, r.json()["code"]) == (409, "cannot_unship")
    assert (unknown.status_code, unknown.json()["code"]) == (404, "parcel_not_found")
    assert (Parcel.objects.get().state, Order.objects.get().status) == ("shipped", "shipped")


# ------------------------------------------------------------------------------------------------ numbers, split


def test_a_typed_number_is_checked_against_its_carrier_and_never_on_two_parcels(api):
    f.sku("A", stock=10)
    a, b = ready(("A", 1)), ready(("A", 1))
    wave_for(api, a, b)
    pa, pb = parcel_of(a), parcel_of(b)

    ok = api.post(f"/api/ship/parcels/{pb.pk}/waybill", {"number": "yt 8962-6467-85389", "carrier": "圆通"})
    suspect = api.post(f"/api/ship/parcels/{pb.pk}/waybill", {"number": "SF1385628716739", "carrier": "ZTO"})
    taken = api.post(f"/api/ship/parcels/{pb.pk}/waybill", {"number": pa.waybill})
    unknown_carrier = api.post(f"/api/ship/parcels/{pb.pk}/waybill", {"number": "SF1385628716739", "carrier": "X快递"})

    assert ok.status_code == 200
    assert (ok.json()["parcel"]["waybill"], ok.json()["parcel"]["carrier"], ok.json()["warnings"]) == (
        "YT8962646785389", "YTO", [])
    assert suspect.json()["parcel"]["waybill_suspect"] is True
    assert suspect.json()["warnings"] == ["SF1385628716739 不符合 ZTO 的单号规则，请核对 (number does not fit ZTO's pattern)"]
    assert (taken.status_code, taken.json()["code"], taken.json()["data"]["order_no"]) == (409, "waybill_taken",
                                                                                          a.order_no)
    assert (unknown_carrier.status_code, unknown_carrier.json()["code"]) == (400, "unknown_carrier")
    assert Parcel.objects.get(pk=pb.pk).waybill == "SF1385628716739"


def test_a_number_longer_than_the_column_is_400_not_a_database_error(api):
    f.sku("A", stock=10)
    o = ready(("A", 1))
    wave_for(api, o)
    p = parcel_of(o)

    r = api.post(f"/api/ship/parcels/{p.pk}/waybill", {"number": "SF" + "1" * 45})

    assert (r.status_code, r.json()["code"]) == (400, "bad_waybill")
    assert Parcel.objects.get().waybill == "FH000000000001"


def test_the_carrier_is_changed_by_hand_and_the_old_number_dropped(api, cs_api):
    f.sku("A", stock=10)
    o = ready(("A", 1))
    wave_for(api, o)
    p = parcel_of(o)

    refused = cs_api.post(f"/api/ship/parcels/{p.pk}/carrier", {"carrier": "中通"})
    r = api.post(f"/api/ship/parcels/{p.pk}/carrier", {"carrier": "中通"})
    back = api.post(f"/api/ship/parcels/{p.pk}/carrier", {"carrier": "DEMO"})

    assert (refused.status_code, refused.json()["code"]) == (403, "forbidden")
    assert r.status_code == 200
    assert {k: r.json()[k] for k in ("carrier", "carrier_rule", "waybill", "waybill_source")} == {
        "carrier": "ZTO", "carrier_rule": "人工改为中通", "waybill": None, "waybill_source": ""}
    assert (back.json()["carrier"], back.json()["waybill"]) == ("DEMO", "FH000000000002")


def test_split_moves_items_into_a_new_parcel_with_its_own_number(api):
    f.sku("A", stock=10)
    f.sku("B", stock=10)
    o = ready(("A", 2), ("B", 1))
    wave_for(api, o)
    p = parcel_of(o)
    a_item, b_item = p.items.order_by("id")

    r = api.post(f"/api/ship/parcels/{p.pk}/split", {"items": [{"item_id": b_item.pk, "qty": 1},
                                                               {"item_id": a_item.pk, "qty": 1}]})
    bad = api.post(f"/api/ship/parcels/{p.pk}/split", {"items": [{"item_id": a_item.pk, "qty": 5}]})

    assert r.status_code == 201
    first, new = r.json()["parcel"], r.json()["new_parcel"]
    assert [(it["sku"], it["qty"]) for it in first["items"]] == [("A", 1)]
    assert [(it["sku"], it["qty"]) for it in new["items"]] == [("B", 1), ("A", 1)]
    assert (new["seq"], new["waybill"], new["wave"]) == (2, "FH000000000002", first["wave"])
    assert (bad.status_code, bad.json()["code"]) == (400, "bad_qty")


# ------------------------------------------------------------------------------------------------ waves


def test_no_order_fits_is_200_with_wave_null(api):
    f.sku("A", stock=10)
    f.order(("A", 1), order_no="R1")  # still in review

    r = api.post("/api/ship/waves", {"order_nos": ["R1"]})

    assert (r.status_code, r.json()) == (200, {"wave": None, "added": [], "skipped": []})
    assert Wave.objects.count() == 0


def test_wave_filters_by_carrier_name_and_refuses_unknown_ones(api):
    f.sku("A", stock=10)
    o = ready(("A", 1))

    other = api.post("/api/ship/waves", {"carrier": "中通"})
    unknown = api.post("/api/ship/waves", {"carrier": "火星快递"})
    demo = api.post("/api/ship/waves", {"carrier": "演示快递"})

    assert (other.status_code, other.json()["wave"]) == (200, None)
    assert (unknown.status_code, unknown.json()["code"]) == (400, "unknown_carrier")
    assert (demo.status_code, demo.json()["added"], demo.json()["wave"]["filters"]) == (
        201, [o.order_no], {"carrier": "DEMO", "limit": 500})


def test_bad_wave_input_is_422(api):
    r = api.post("/api/ship/waves", {"limit": 0, "label_size": "huge"})

    assert (r.status_code, r.json()["code"]) == (422, "invalid_input")


def test_pick_list_ticks(api):
    f.sku("A", stock=10)
    o = ready(("A", 3))
    w = wave_for(api, o)["wave"]

    r = api.post(f"/api/ship/waves/{w['id']}/picked", {"sku": "A"})

    assert (r.status_code, r.json()) == (200, ["A"])
    assert api.get(f"/api/ship/waves/{w['id']}").json()["pick"][0]["picked"] is True
    assert api.post(f"/api/ship/waves/{w['id']}/picked", {"sku": "A", "picked": False}).json() == []


def test_ship_a_whole_wave_lists_what_is_not_packed(api):
    f.sku("A", stock=10)
    a, b = ready(("A", 1)), ready(("A", 1))
    w = wave_for(api, a, b)["wave"]
    pa = parcel_of(a)
    api.post(f"/api/ship/parcels/{pa.pk}/scan", {"code": "A"})
    api.post(f"/api/ship/parcels/{pa.pk}/complete")

    r = api.post(f"/api/ship/waves/{w['id']}/ship")

    assert (r.status_code, r.json()) == (200, {"shipped": [pa.waybill], "not_packed": [parcel_of(b).waybill],
                                          "intercepted": []})
    assert Order.objects.get(pk=a.pk).status == "shipped"


def test_wave_detail_query_count_does_not_grow_with_parcels(api):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    f.sku("A", stock=100)
    one = wave_for(api, ready(("A", 1)))["wave"]["id"]
    many = wave_for(api, *[ready(("A", 1)) for _ in range(8)])["wave"]["id"]

    with CaptureQueriesContext(connection) as q1:
        assert len(api.get(f"/api/ship/waves/{one}").json()["parcels"]) == 1
    with CaptureQueriesContext(connection) as q8:
        assert len(api.get(f"/api/ship/waves/{many}").json()["parcels"]) == 8

    assert len(q8) == len(q1)


def test_unknown_ids_are_404_with_codes(api):
    assert [(r.status_code, r.json()["code"]) for r in (
        api.get("/api/ship/waves/999999"), api.post("/api/ship/waves/999999/documents", {"kind": "labels"}),
        api.post("/api/ship/waves/999999/ship"), api.get("/api/ship/documents/999999"),
        api.get("/api/ship/documents/999999/pdf"), api.post("/api/ship/parcels/999999/scan", {"code": "A"}),
        api.post("/api/ship/parcels/999999/complete"), api.get("/api/ship/parcels/lookup", code="NOPE"),
        api.post("/api/ship/handovers/999999/scan", {"code": "X"}), api.get("/api/ship/exports/999999/file"),
    )] == [(404, "wave_not_found")] * 3 + [(404, "document_not_found")] * 2 + [(404, "parcel_not_found")] * 3 + [
        (404, "handover_not_found"), (404, "export_not_found")]


def test_scanned_p_codes_that_are_not_parcel_ids_are_404_not_a_crash(api):
    for code in ("P²", "P" + "9" * 25):
        r = api.get("/api/ship/parcels/lookup", code=code)

        assert (r.status_code, r.json()["code"]) == (404, "parcel_not_found")


# ------------------------------------------------------------------------------------------------ PDFs


def test_label_pdf_renders_and_downloads_as_application_pdf(api, django_capture_on_commit_callbacks, settings,
                                                            tmp_path):
    settings.DATA_DIR = tmp_path
    f.sku("A", stock=10)
    o = ready(("A", 1))
    w = wave_for(api, o)["wave"]

    with django_capture_on_commit_callbacks(execute=True):
        r = api.post(f"/api/ship/waves/{w['id']}/documents", {"kind": "labels"})
    doc = api.get(f"/api/ship/documents/{r.json()['id']}").json()
    pdf = api.get(doc["pdf_url"])

    assert r.status_code == 201
    assert {k: doc[k] for k in ("wave", "kind", "size", "state", "total", "done", "percent", "error")} == {
        "wave": w["no"], "kind": "labels", "size": "76x130", "state": "done", "total": 1, "done": 1, "percent": 100,
        "error": ""}
    assert doc["pdf_url"] == f"/api/ship/documents/{doc['id']}/pdf"
    assert (pdf.status_code, pdf["Content-Type"]) == (200, "application/pdf")
    assert b"".join(pdf.streaming_content).startswith(b"%PDF")
    assert Parcel.objects.get().label_prints == 1
    assert [d["id"] for d in api.get(f"/api/ship/waves/{w['id']}").json()["documents"]] == [doc["id"]]


def test_a_pdf_not_rendered_yet_is_409_with_its_progress(api):
    f.sku("A", stock=10)
    w = wave_for(api, ready(("A", 1)))["wave"]

    r = api.post(f"/api/ship/waves/{w['id']}/documents", {"kind": "picklist"})  # the job runs after commit
    pdf = api.get(f"/api/ship/documents/{r.json()['id']}/pdf")

    assert (r.status_code, r.json()["state"], r.json()["pdf_url"]) == (201, "queued", None)
    assert (pdf.status_code, pdf.json()["code"], pdf.json()["data"]) == (409, "document_not_ready",
                                                                         {"state": "queued", "percent": 0})
    assert Document.objects.get().kind == "picklist"


# ------------------------------------------------------------------------------------------------ handover


def test_handover_ships_what_the_courier_takes_and_lists_the_rest(api):
    f.sku("A", stock=10)
    orders = [ready(("A", 1)) for _ in range(3)]
    wave_for(api, *orders)
    parcels = [parcel_of(o) for o in orders]
    for p in parcels:
        api.post(f"/api/ship/parcels/{p.pk}/scan", {"code": "A"})
        api.post(f"/api/ship/parcels/{p.pk}/complete")

    h = api.post("/api/ship/handovers", {"carrier": "演示快递"})
    hid = h.json()["id"]
    first = api.post(f"/api/ship/handovers/{hid}/scan", {"code": parcels[0].waybill})
    third = api.post(f"/api/ship/handovers/{hid}/scan", {"code": parcels[2].waybill})
    closed = api.post(f"/api/ship/handovers/{hid}/close")
    listed = api.get(f"/api/ship/handovers/{hid}").json()
    late = api.post(f"/api/ship/handovers/{hid}/scan", {"code": parcels[1].waybill})

    assert (h.status_code, h.json()["carrier"], h.json()["count"], h.json()["closed_at"]) == (201, "DEMO", 0, None)
    assert (first.json()["parcel"]["state"], first.json()["handover"]["count"]) == ("shipped", 1)
    assert third.json()["handover"]["count"] == 2
    assert closed.status_code == 200
    assert [p["waybill"] for p in closed.json()["not_taken"]] == [parcels[1].waybill]
    assert closed.json()["handover"]["closed_at"] is not None
    assert [p["waybill"] for p in listed["parcels"]] == [parcels[0].waybill, parcels[2].waybill]
    assert all(p["at"] for p in listed["parcels"])
    assert (late.status_code, late.json()["code"]) == (409, "handover_closed")
    assert Order.objects.filter(status="shipped").count() == 2


def test_a_handover_refuses_another_carriers_parcel(api):
    f.sku("A", stock=10)
    o = ready(("A", 1))
    wave_for(api, o)
    p = parcel_of(o)
    api.post(f"/api/ship/parcels/{p.pk}/scan", {"code": "A"})
    api.post(f"/api/ship/parcels/{p.pk}/complete")
    hid = api.post("/api/ship/handovers", {"carrier": "ZTO"}).json()["id"]

    r = api.post(f"/api/ship/handovers/{hid}/scan", {"code": p.waybill})

    assert (r.status_code, r.json()["code"]) == (409, "wrong_carrier")
    assert Parcel.objects.get().state == "packed"
