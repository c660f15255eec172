"""The orders API: list and read, create, fix, decide, merge/split, map SKUs, import — and who may do what."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from fahuo.inventory.models import StockLevel
from fahuo.orders.models import Order, OrderEvent, SkuMapping
from tests import factories as f

pytestmark = pytest.mark.django_db


def level(code: str) -> tuple[int, int]:
    lv = StockLevel.objects.get(sku__code=code)
    return lv.on_hand, lv.allocated


def status_of(order_no: str) -> str:
    return Order.objects.get(order_no=order_no).status


# ------------------------------------------------------------------------------------------------ reads


def test_list_filters_by_status_and_answers_the_contract_shape(api):
    f.sku("TEA-1", stock=5)
    a = f.order(("TEA-1", 1), order_no="A1", paid_minutes_ago=30)
    f.order(("TEA-1", 1), order_no="B1", status="held")

    r = api.get("/api/orders", status="review")

    assert r.status_code == 200
    body = r.json()
    assert (body["count"], body["limit"], body["offset"]) == (1, 50, 0)
    item = body["items"][0]
    assert item["order_no"] == "A1"
    assert item["status"] == "review"
    assert item["platform_status"] == "wait_send"
    assert item["receiver"] == {"name": "张三", "phone": "13812345678", "phone_kind": "mobile", "province": "浙江省",
                                "city": "杭州市", "district": "西湖区", "detail": "文三路90号"}
    assert item["problems"] == []
    assert item["lines"] == [{"sku": "TEA-1", "title": "商品 TEA-1", "spec": "", "qty": 1, "outer_id": "TEA-1",
                              "price": None}]
    assert item["paid_at"] == a.paid_at.isoformat()
    assert item["ship_by"] == a.ship_by.isoformat()
    assert item["waybills"] == []


def test_list_query_count_does_not_grow_with_rows(api):
    f.sku("TEA-1")
    f.order(("TEA-1", 1))
    with CaptureQueriesContext(connection) as one:
        assert api.get("/api/orders").json()["count"] == 1
    for _ in range(15):
        f.order(("TEA-1", 2))
    with CaptureQueriesContext(connection) as many:
        assert api.get("/api/orders").json()["count"] == 16

    assert len(many) == len(one)


def test_list_pages_and_rejects_unknown_filters(api):
    for i in range(3):
        f.order(order_no=f"P{i}", paid_minutes_ago=100 - i)

    page = api.get("/api/orders", limit=2, offset=1).json()
    bad_status = api.get("/api/orders", status="review,lost")
    bad_due = api.get("/api/orders", due="tomorrow")

    assert (page["count"], [o["order_no"] for o in page["items"]]) == (3, ["P1", "P2"])
    assert (bad_status.status_code, bad_status.json()["code"]) == (400, "bad_filter")
    assert (bad_due.status_code, bad_due.json()["code"]) == (422, "invalid_input")


def test_detail_has_timeline_and_line_ids(api, owner):
    f.sku("TEA-1", stock=5)
    o = f.order(("TEA-1", 2), order_no="D1")
    api.post("/api/orders/D1/confirm")

    d = api.get("/api/orders/D1").json()

    assert d["status"] == "ready"
    assert d["line_ids"] == list(o.lines.values_list("id", flat=True))
    assert [(e["kind"], e["by"], e["from"], e["to"]) for e in d["timeline"]] == [("confirmed", "boss", "review", "ready")]


def test_unknown_order_is_404_with_code(api):
    r = api.get("/api/orders/NOPE")

    assert (r.status_code, r.json()["code"]) == (404, "order_not_found")


# ------------------------------------------------------------------------------------------------ create / fix


def test_create_order_from_a_pasted_blob(api):
    f.sku("TEA-1", title="龙井")

    r = api.post("/api/orders", {"blob": "张三 13812345678 浙江省杭州市西湖区文三路90号", "lines": [{"sku": "TEA-1", "qty": 2}]})

    assert r.status_code == 201
    d = r.json()
    assert d["receiver"] == {"name": "张三", "phone": "13812345678", "phone_kind": "mobile", "province": "浙江省",
                             "city": "杭州市", "district": "西湖区", "detail": "文三路90号"}
    assert [(ln["sku"], ln["title"], ln["qty"]) for ln in d["lines"]] == [("TEA-1", "龙井", 2)]
    assert (d["status"], d["problems"]) == ("review", [])
    assert Order.objects.get(order_no=d["order_no"]).source == "api"


def test_create_order_with_unknown_sku_is_refused_and_stores_nothing(api):
    r = api.post("/api/orders", {"receiver_name": "张三", "lines": [{"sku": "GHOST", "qty": 1}]})

    assert (r.status_code, r.json()["code"], r.json()["data"]) == (400, "sku_unknown", {"sku": "GHOST"})
    assert Order.objects.count() == 0


def test_create_order_needs_lines(api):
    r = api.post("/api/orders", {"receiver_name": "张三", "lines": []})

    assert (r.status_code, r.json()["code"]) == (422, "invalid_input")


def test_patch_receiver_reparses_the_address_and_writes_the_timeline(api):
    f.order(order_no="R1")

    r = api.patch("/api/orders/R1/receiver", {"name": "李四", "address": "北京市朝阳区建国路1号"})

    assert r.status_code == 200
    rec = r.json()["receiver"]
    assert (rec["name"], rec["province"], rec["city"], rec["district"], rec["detail"]) == (
        "李四", "北京市", "北京市", "朝阳区", "建国路1号")
    assert OrderEvent.objects.get(order__order_no="R1").kind == "receiver_changed"


# ------------------------------------------------------------------------------------------------ decide


def test_confirm_allocates(api):
    f.sku("TEA-1", stock=5)
    f.order(("TEA-1", 2), order_no="C1")

    r = api.post("/api/orders/C1/confirm")

    assert (r.status_code, r.json()) == (200, {"order_no": "C1", "status": "ready", "short": None, "error": None})
    assert level("TEA-1") == (5, 2)


def test_confirm_short_names_missing_units(api):
    f.sku("TEA-1", stock=1)
    f.order(("TEA-1", 3), order_no="C2")

    r = api.post("/api/orders/C2/confirm")

    assert r.json() == {"order_no": "C2", "status": "short", "short": {"TEA-1": 2}, "error": None}
    assert level("TEA-1") == (1, 0)


def test_confirm_closed_order_is_409_and_changes_nothing(api):
    f.sku("TEA-1", stock=5)
    f.order(("TEA-1", 1), order_no="C3", platform_status="closed")

    r = api.post("/api/orders/C3/confirm")

    assert (r.status_code, r.json()["code"]) == (409, "blocking_problems")
    assert r.json()["data"] == {"problems": {"C3": ["platform_closed"]}}
    assert (status_of("C3"), level("TEA-1")) == ("review", (5, 0))


def test_confirm_many_all_ok_takes_only_clean_review_orders(api):
    f.sku("TEA-1", stock=5)
    f.order(("TEA-1", 1), order_no="OK1", paid_minutes_ago=50)
    f.order(("TEA-1", 1), order_no="OK2", paid_minutes_ago=40)
    f.order(("TEA-1", 1), order_no="MSG", message="请发顺丰")

    r = api.post("/api/orders/confirm", {"all_ok": True})

    assert [(x["order_no"], x["status"]) for x in r.json()] == [("OK1", "ready"), ("OK2", "ready")]
    assert status_of("MSG") == "review"


def test_confirm_many_reports_each_refusal_without_undoing_the_others(api):
    f.sku("TEA-1", stock=5)
    f.order(("TEA-1", 1), order_no="G1")

    r = api.post("/api/orders/confirm", {"order_nos": ["G1", "NOPE"]})

    got = r.json()
    assert (got[0]["order_no"], got[0]["status"], got[0]["error"]) == ("G1", "ready", None)
    assert (got[1]["order_no"], got[1]["status"], got[1]["error"]["code"]) == ("NOPE", "", "order_not_found")


def test_confirm_many_needs_something_to_confirm(api):
    r = api.post("/api/orders/confirm", {})

    assert (r.status_code, r.json()["code"]) == (400, "nothing_to_confirm")


def test_hold_release_cancel_reopen(api):
    f.sku("TEA-1", stock=5)
    f.order(("TEA-1", 2), order_no="H1")
    api.post("/api/orders/H1/confirm")

    held = api.post("/api/orders/H1/hold", {"reason": "presale", "note": "下周到", "until": "2030-01-02T10:00:00"})
    assert (held.status_code, held.json()["status"], level("TEA-1")) == (200, "held", (5, 0))
    assert held.json()["hold"] == {"reason": "presale", "note": "下周到", "until": "2030-01-02T02:00:00+00:00"}
    assert api.post("/api/orders/H1/release").json()["status"] == "review"
    assert api.post("/api/orders/H1/cancel", {"reason": "买家不要了"}).json()["status"] == "cancelled"
    assert api.post("/api/orders/H1/reopen").json()["status"] == "review"


def test_hold_with_unknown_reason_is_400_and_changes_nothing(api):
    f.order(order_no="H2")

    r = api.post("/api/orders/H2/hold", {"reason": "whatever"})

    assert (r.status_code, r.json()["code"]) == (400, "bad_hold_reason")
    assert status_of("H2") == "review"


def test_cancel_without_a_body(api):
    f.order(order_no="K1")

    r = api.client.post("/api/orders/K1/cancel", "", content_type="application/json", headers=api.headers)

    assert (r.status_code, r.json()["status"]) == (200, "cancelled")


def test_release_of_an_order_not_held_is_409(api):
    f.order(order_no="H3")

    r = api.post("/api/orders/H3/release")

    assert (r.status_code, r.json()["code"]) == (409, "not_held")


def test_merge_and_unmerge(api):
    f.order(order_no="M1", paid_minutes_ago=90)
    f.order(order_no="M2", paid_minutes_ago=30)

    merged = api.post("/api/orders/merge", {"order_nos": ["M2", "M1"]})
    assert (merged.status_code, merged.json()["order_no"]) == (200, "M1")
    assert Order.objects.get(order_no="M2").merged_into.order_no == "M1"
    assert api.get("/api/orders/M2").json()["merged_into"] == "M1"

    r = api.post("/api/orders/M2/unmerge")
    assert (r.status_code, r.json()["merged_into"]) == (200, None)


def test_merge_refuses_different_receivers(api):
    f.order(order_no="M3")
    f.order(order_no="M4", name="李四")

    r = api.post("/api/orders/merge", {"order_nos": ["M3", "M4"]})

    assert (r.status_code, r.json()["code"]) == (400, "receivers_differ")
    assert Order.objects.filter(merged_into__isnull=False).count() == 0


def test_split_moves_part_of_a_line_into_a_new_order(api):
    f.sku("TEA-1")
    f.sku("TEA-2")
    o = f.order(("TEA-1", 3), ("TEA-2", 1), order_no="S1")
    l1, l2 = o.lines.order_by("id")

    r = api.post("/api/orders/S1/split", {"parts": [[{"line_id": l1.pk, "qty": 1}, {"line_id": l2.pk, "qty": 1}]]})

    assert r.status_code == 201
    parts = r.json()
    assert [(p["order_no"], p["split_from"]) for p in parts] == [("S1-2", "S1")]
    assert [(ln["sku"], ln["qty"]) for ln in parts[0]["lines"]] == [("TEA-1", 1), ("TEA-2", 1)]
    assert [(ln["sku"], ln["qty"]) for ln in api.get("/api/orders/S1").json()["lines"]] == [("TEA-1", 2)]


def test_split_of_a_line_from_another_order_is_400(api):
    f.order(order_no="S2")
    other = f.order(("X", 1), order_no="S3")

    r = api.post("/api/orders/S2/split", {"parts": [[{"line_id": other.lines.get().pk, "qty": 1}]]})

    assert (r.status_code, r.json()["code"]) == (400, "bad_line")
    assert Order.objects.count() == 2


def test_splitting_a_split_part_again_gets_a_fresh_number(api):
    f.sku("TEA-1")
    o = f.order(("TEA-1", 4), order_no="S4")
    first = api.post("/api/orders/S4/split", {"parts": [[{"line_id": o.lines.get().pk, "qty": 2}]]}).json()[0]

    r = api.post(f"/api/orders/{first['order_no']}/split", {"parts": [[{"line_id": first["line_ids"][0], "qty": 1}]]})

    assert r.status_code == 201
    assert r.json()[0]["order_no"] == "S4-3"
    assert sorted(Order.objects.values_list("order_no", flat=True)) == ["S4", "S4-2", "S4-3"]


def test_buyer_message_for_a_short_order_names_the_short_items(api):
    f.sku("TEA-1", stock=0, title="明前龙井")
    f.order(("TEA-1", 1), order_no="B1")
    api.post("/api/orders/B1/confirm")

    r = api.get("/api/orders/B1/buyer-message", kind="refund")

    assert r.status_code == 200
    assert (r.json()["items"], r.json()["kind"]) == (["明前龙井"], "refund")
    assert r.json()["text"].startswith("亲，您好！非常抱歉，您购买的明前龙井目前缺货")


def test_buyer_message_for_an_order_that_is_not_short_is_409(api):
    f.order(order_no="B2")

    r = api.get("/api/orders/B2/buyer-message")

    assert (r.status_code, r.json()["code"]) == (409, "not_short")


def test_sku_mapping_maps_open_lines_and_is_remembered(api):
    f.sku("LJ-250", title="龙井 250g")
    f.order(("西湖龙井 250克", 1), order_no="U1")
    assert Order.objects.get(order_no="U1").problems == ["sku_unknown"]

    r = api.post("/api/orders/sku-mappings", {"title": "西湖龙井 250克", "sku": "LJ-250"})

    assert (r.status_code, r.json()) == (201, {"title": "西湖龙井 250克", "spec": "", "sku": "LJ-250", "mapped_lines": 1})
    assert Order.objects.get(order_no="U1").problems == []
    assert SkuMapping.objects.get().sku.code == "LJ-250"


HEADER = "订单编号,买家会员名,买家实际支付金额,订单状态,收货人姓名,收货地址,联系手机,订单付款时间,宝贝标题,宝贝种类,宝贝总数量"


def _report(*nos: str) -> bytes:
    rows = [f'="{no}",buyer{i},99.00,买家已付款，等待卖家发货,张三,浙江省 杭州市 西湖区 文三路90号,13812345678,'
            f"2026-11-20 10:01:00,西湖龙井 250g,1,1" for i, no in enumerate(nos)]
    return ("\r\n".join([HEADER, *rows]) + "\r\n").encode("gb18030")


def test_import_upload_runs_as_a_job_and_reports_progress(api, django_capture_on_commit_callbacks):
    data = _report("1000000000000000001", "1000000000000000002", "2.34568E+18")

    with django_capture_on_commit_callbacks(execute=True):
        r = api.upload("/api/orders/imports", file=SimpleUploadedFile("ExportOrderList.csv", data))

    assert r.status_code == 201
    job = api.get(f"/api/orders/imports/{r.json()['id']}").json()
    assert (job["state"], job["filename"], job["total_rows"], job["processed_rows"], job["percent"]) == (
        "done", "ExportOrderList.csv", 3, 3, 100)
    assert (job["created"], job["updated"], job["unchanged"]) == (2, 0, 0)
    assert [x["row"] for x in job["rejected"]] == [4]
    assert job["error"] == ""


def test_import_of_an_unreadable_file_fails_the_job_with_a_reason(api, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        r = api.upload("/api/orders/imports", file=SimpleUploadedFile("photo.csv", b"\x89PNG\r\n\x1a\n\x00\x00"))

    job = api.get(f"/api/orders/imports/{r.json()['id']}").json()
    assert job["state"] == "failed"
    assert job["error"] != ""
    assert Order.objects.count() == 0


def test_import_without_a_file_is_422(api):
    r = api.client.post("/api/orders/imports", {}, headers=api.headers)

    assert (r.status_code, r.json()["code"]) == (422, "invalid_input")


# ------------------------------------------------------------------------------------------------ roles


def test_cs_may_confirm(cs_api):
    f.sku("TEA-1", stock=5)
    f.order(("TEA-1", 1), order_no="CS1")

    r = cs_api.post("/api/orders/CS1/confirm")

    assert (r.status_code, r.json()["status"]) == (200, "ready")


@pytest.mark.parametrize("method,path,body", [
    ("post", "/api/orders/X1/confirm", None),
    ("post", "/api/orders/confirm", {"all_ok": True}),
    ("post", "/api/orders/X1/hold", {"reason": "presale"}),
    ("post", "/api/orders/X1/cancel", {}),
    ("post", "/api/orders/merge", {"order_nos": ["X1", "X2"]}),
    ("post", "/api/orders/X1/split", {"parts": [[{"line_id": 1, "qty": 1}]]}),
    ("patch", "/api/orders/X1/receiver", {"name": "王五"}),
    ("post", "/api/orders", {"receiver_name": "王五", "lines": [{"sku": "TEA-1"}]}),
    ("post", "/api/orders/sku-mappings", {"title": "商品 TEA-1", "sku": "TEA-1"}),
])
def test_packer_may_not_change_orders(packer_api, method, path, body):
    f.sku("TEA-1", stock=5)
    f.order(("TEA-1", 1), order_no="X1")
    f.order(("TEA-1", 1), order_no="X2")
    before = list(Order.objects.order_by("id").values_list("order_no", "status", "receiver_name", "merged_into"))
    events = OrderEvent.objects.count()

    r = getattr(packer_api, method)(path, body)

    assert (r.status_code, r.json()["code"]) == (403, "forbidden")
    assert list(Order.objects.order_by("id").values_list("order_no", "status", "receiver_name", "merged_into")) == before
    assert (OrderEvent.objects.count(), level("TEA-1")) == (events, (5, 0))


def test_packer_may_not_upload_imports(packer_api):
    r = packer_api.upload("/api/orders/imports", file=SimpleUploadedFile("a.csv", _report("1000000000000000001")))

    assert (r.status_code, r.json()["code"]) == (403, "forbidden")
    assert Order.objects.count() == 0


# ------------------------------------------------------------------------------------------------ long input


def test_overlong_address_or_blob_is_422_and_stores_nothing(api):
    too_long = "浙江省杭州市西湖区" + "文" * 250

    created = api.post("/api/orders", {"receiver_name": "张三", "address": too_long, "lines": [{"title": "茶"}]})
    pasted = api.post("/api/orders", {"blob": "张三 13812345678 " + too_long, "lines": [{"title": "茶"}]})

    assert (created.status_code, pasted.status_code) == (422, 422)
    assert Order.objects.count() == 0


def test_longest_address_the_schema_allows_is_stored(api):
    longest = "文" * 255

    r = api.post("/api/orders", {"receiver_name": "张三", "address": longest, "lines": [{"title": "茶"}]})

    assert r.status_code == 201
    assert len(r.json()["receiver"]["detail"]) <= 255


def test_mapping_the_longest_title_and_spec_keeps_the_timeline_message_in_its_column(api):
    """title (300) + spec (200) + SKU code in one timeline message once overflowed OrderEvent.message (500) on
    PostgreSQL: the timeline now cuts its message to the column."""
    f.sku("TEA-1")
    title, spec = "龙" * 300, "规" * 200
    made = api.post("/api/orders", {"receiver_name": "张三", "lines": [{"title": title, "spec": spec}]})
    assert made.status_code == 201

    r = api.post("/api/orders/sku-mappings", {"title": title, "spec": spec, "sku": "TEA-1"})

    assert (r.status_code, r.json()["mapped_lines"]) == (201, 1)
    event = OrderEvent.objects.get(kind="sku_mapped")
    assert len(event.message) == 500 and event.message.startswith("龙龙")
