"""/api/tracking for the exception queue: one case, the age / assigned filters (same as the page), contacting
the carrier, the seller's damage / loss report, and who may act."""

from __future__ import annotations

import pytest

from fahuo.orders.models import OrderEvent
from fahuo.tracking.models import ExceptionCase
from tests.exception_seed import NO_PICKUP_NO, REFUSED_NO, seed

pytestmark = pytest.mark.django_db


def types(resp) -> list[str]:
    assert resp.status_code == 200, resp.content
    return [c["type"] for c in resp.json()]


def test_list_sorted_by_severity_then_age_with_age_and_assigned_filters(api, cs_api):
    s = seed()
    assert types(api.get("/api/tracking/exceptions")) == ["ship_by_passed", "no_pickup", "refused"]
    assert types(api.get("/api/tracking/exceptions", age="lt6h")) == ["refused"]
    assert types(api.get("/api/tracking/exceptions", age="6to24h")) == ["no_pickup"]
    assert types(api.get("/api/tracking/exceptions", age="gt1d")) == ["ship_by_passed"]
    assert types(api.get("/api/tracking/exceptions", age="gt3d")) == ["ship_by_passed"]
    assert types(api.get("/api/tracking/exceptions", assigned="me")) == []
    assert api.post(f"/api/tracking/exceptions/{s.case('refused').pk}/assign", {"username": "kefu"}).status_code == 200
    assert types(cs_api.get("/api/tracking/exceptions", assigned="me")) == ["refused"]
    assert types(api.get("/api/tracking/exceptions", assigned="none")) == ["ship_by_passed", "no_pickup"]
    assert types(api.get("/api/tracking/exceptions", assigned="none", age="6to24h")) == ["no_pickup"]
    assert api.get("/api/tracking/exceptions", age="forever").status_code == 422
    assert api.get("/api/tracking/exceptions", assigned="someone").status_code == 422


def test_one_case_with_its_evidence(api):
    s = seed()
    case = s.case("no_pickup")
    d = api.get(f"/api/tracking/exceptions/{case.pk}").json()
    assert (d["id"], d["type"], d["severity"], d["state"], d["waybill"], d["carrier"], d["order_no"]) == (
        case.pk, "no_pickup", "urgent", "open", NO_PICKUP_NO, "YTO", s.no_pickup.order.order_no)
    assert d["title"] == "已发货 24 小时仍无揽收记录（虚假发货风险）"
    assert d["since"] == case.since.isoformat() and d["evidence"]["no_pickup_hours"] == 24
    assert 8 * 3600 <= d["age_seconds"] < 8 * 3600 + 120
    assert api.get("/api/tracking/exceptions/999999").status_code == 404


def test_contacted_is_recorded_and_packers_are_refused(api, packer_api):
    s = seed()
    cid = s.case("refused").pk
    res = api.post(f"/api/tracking/exceptions/{cid}/contacted", {"note": "网点明天再派"})
    assert res.status_code == 200
    [n] = res.json()["notes"]
    assert (n["kind"], n["by"], n["text"], n["phone"]) == ("contacted", "boss", "网点明天再派", "95554")
    assert list(OrderEvent.objects.filter(kind="exception_contacted").values_list("message", flat=True)) == [
        f"已联系圆通（{REFUSED_NO}）：网点明天再派"]
    refused = packer_api.post(f"/api/tracking/exceptions/{cid}/contacted", {})
    assert refused.status_code == 403 and refused.json()["code"] == "forbidden"
    assert packer_api.post(f"/api/tracking/exceptions/{cid}/resolve", {"resolution": "x"}).status_code == 403
    late = s.case("ship_by_passed").pk
    assert api.post(f"/api/tracking/exceptions/{late}/contacted", {}).json()["code"] == "no_parcel"


def test_report_damage_or_loss_is_idempotent(api, cs_api, packer_api):
    seed()
    first = cs_api.post(f"/api/tracking/parcels/{REFUSED_NO}/report", {"kind": "lost", "note": "买家说没收到"})
    again = api.post(f"/api/tracking/parcels/{REFUSED_NO}/report", {"kind": "lost"})
    assert (first.status_code, again.status_code) == (200, 200)
    a, b = first.json(), again.json()
    assert (a["opened"], b["opened"], a["id"] == b["id"]) == (True, False, True)
    assert (a["type"], a["severity"], a["cause_key"], a["title"], a["waybill"]) == (
        "lost", "urgent", "seller:lost", "卖家登记：快件丢失", REFUSED_NO)
    assert (a["evidence"]["reported_by"], a["evidence"]["note"]) == ("kefu", "买家说没收到")
    assert ExceptionCase.objects.filter(type="lost").count() == 1
    assert api.post(f"/api/tracking/parcels/{REFUSED_NO}/report", {"kind": "stale"}).status_code == 422
    assert api.post("/api/tracking/parcels/YT0000000000000/report", {"kind": "lost"}).json()["code"] == \
        "parcel_not_found"
    assert packer_api.post(f"/api/tracking/parcels/{REFUSED_NO}/report", {"kind": "damaged"}).status_code == 403
