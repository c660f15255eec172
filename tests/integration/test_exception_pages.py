"""The tracking pages through Django's test client: the exception queue and its filters, a case and acting on
it, a parcel's tracking timeline and the seller's damage / loss report, masking for packers, who may act."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from fahuo.orders.models import OrderEvent
from fahuo.tracking.models import ExceptionCase
from fahuo.tracking.services import exceptions
from tests import factories as f
from tests.exception_seed import NO_PICKUP_NO, REFUSED_NO, seed

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}
H = timedelta(hours=1)


def html(resp) -> str:
    return resp.content.decode()


def card_titles(resp) -> list[str]:
    return re.findall(r'class="case-title" href="/tracking/exceptions/\d+/">([^<]*)</a>', html(resp))


def chips(resp, cls: str) -> list[str]:
    nav = re.search(rf'<nav class="tabs {cls}".*?</nav>', html(resp), re.S).group(0)
    return [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", a)).strip() for a in re.findall(r"<a .*?</a>", nav, re.S)]


@pytest.fixture
def seeded():
    return seed()


@pytest.fixture
def as_owner(client, owner):
    client.force_login(owner)
    return client


def late_title(s) -> str:
    return s.case("ship_by_passed").title


def test_queue_lists_open_cases_most_severe_then_oldest_with_counts_per_type(as_owner, seeded):
    resp = as_owner.get("/tracking/exceptions/")
    assert resp.status_code == 200
    assert card_titles(resp) == [late_title(seeded), "已发货 24 小时仍无揽收记录（虚假发货风险）", "收件人拒签"]
    assert chips(resp, "case-types") == ["全部 3", "超时未发货 1", "发货未揽收 1", "拒签 1"]
    body = html(resp)
    assert "4 天前" in body and "8 小时前" in body and "2 小时前" in body
    assert f'href="/tracking/parcels/{REFUSED_NO}/"' in body and f'href="/tracking/parcels/{NO_PICKUP_NO}/"' in body
    assert body.count("未指派") >= 3


@pytest.mark.parametrize(("query", "expected"), [
    ("type=refused", ["收件人拒签"]),
    ("type=no_pickup", ["已发货 24 小时仍无揽收记录（虚假发货风险）"]),
    ("age=lt6h", ["收件人拒签"]),
    ("age=6to24h", ["已发货 24 小时仍无揽收记录（虚假发货风险）"]),
    ("age=gt1d", ["LATE"]),
    ("age=gt3d", ["LATE"]),
    ("assigned=me", []),
    ("state=resolved", []),
])
def test_filters_return_exactly_the_matching_cases(as_owner, seeded, query, expected):
    resp = as_owner.get(f"/tracking/exceptions/?{query}")
    assert resp.status_code == 200
    assert card_titles(resp) == [late_title(seeded) if t == "LATE" else t for t in expected]


def test_assigned_filters_and_the_type_counts_follow_the_other_filters(as_owner, owner, cs_user, seeded):
    exceptions.assign(case_id=seeded.case("refused").pk, user=owner, by=owner)
    exceptions.assign(case_id=seeded.case("no_pickup").pk, user=cs_user, by=owner)
    assert card_titles(as_owner.get("/tracking/exceptions/?assigned=me")) == ["收件人拒签"]
    assert card_titles(as_owner.get("/tracking/exceptions/?assigned=none")) == [late_title(seeded)]
    resp = as_owner.get("/tracking/exceptions/?assigned=none&type=refused")
    assert card_titles(resp) == []
    assert chips(resp, "case-types") == ["全部 1", "超时未发货 1", "拒签 0"]
    # the filter links keep the other filters
    assert 'href="?type=refused&amp;age=gt1d&amp;assigned=none"' in html(resp)
    assert 'href="?type=refused&amp;assigned=none&amp;state=resolved"' in html(resp)


def test_queue_htmx_answers_the_fragment_and_more_pages(as_owner, seeded, monkeypatch):
    from fahuo.tracking import views_pages

    monkeypatch.setattr(views_pages, "PAGE", 2)
    resp = as_owner.get("/tracking/exceptions/", **HTMX)
    assert "<html" not in html(resp) and len(card_titles(resp)) == 2
    assert 'href="?limit=4"' in html(resp) and "更多" in html(resp)
    resp = as_owner.get("/tracking/exceptions/?limit=4")
    assert len(card_titles(resp)) == 3 and "更多</a>" not in html(resp)


def test_resolved_state_shows_resolved_cases_and_bad_filters_are_refused(as_owner, owner, seeded):
    exceptions.resolve(case_id=seeded.case("refused").pk, resolution="买家已收到", by=owner)
    resp = as_owner.get("/tracking/exceptions/?state=resolved")
    assert card_titles(resp) == ["收件人拒签"] and "已解决：买家已收到" in html(resp)
    assert as_owner.get("/tracking/exceptions/?age=forever").status_code == 400


def test_queue_without_n_plus_one(as_owner, seeded, django_assert_max_num_queries):
    for i in range(5):
        f.shipped_parcel(number=f"YT81000000000{i:02d}", shipped_at=seeded.now - 40 * H)
    from fahuo.tracking.services.sweep import sweep

    sweep(now=seeded.now)
    assert ExceptionCase.objects.filter(state="open").count() == 8
    with django_assert_max_num_queries(8):
        resp = as_owner.get("/tracking/exceptions/")
    assert len(card_titles(resp)) == 8


def test_case_page_shows_evidence_events_and_the_carrier_contact(as_owner, seeded):
    case = seeded.case("refused")
    resp = as_owner.get(f"/tracking/exceptions/{case.pk}/")
    body = html(resp)
    assert resp.status_code == 200
    assert "收件人拒签" in body and "警告" in body and "拒签" in body
    assert 'href="tel:95554"' in body and "拨打圆通客服 95554" in body
    assert f'id="waybill-copy" readonly value="{REFUSED_NO}"' in body and 'data-copy="#waybill-copy"' in body
    assert f'href="/orders/{seeded.refused.order.order_no}/"' in body
    assert f'href="/tracking/parcels/{REFUSED_NO}/"' in body
    assert "【北京市】收件人拒签，原因：不想要了" in body and "【北京市】已到达 北京转运中心" in body
    assert body.index("收件人拒签，原因") < body.index("已到达 北京转运中心")  # newest first
    assert "售后功能上线后" in body and body.count("disabled>") == 2


def test_case_page_of_a_late_order_marks_the_compensation_as_an_estimate(as_owner, seeded):
    body = html(as_owner.get(f"/tracking/exceptions/{seeded.case('ship_by_passed').pk}/"))
    assert "延迟发货赔付约 ¥5.00" in body and '<span class="badge est">估算</span>' in body
    assert "联系快递" not in body  # no parcel yet
    assert "¥99.00" in body  # the amount it is based on


def test_acting_on_a_case_through_the_page_writes_each_step_on_the_order_timeline(as_owner, owner, cs_user, seeded):
    case = seeded.case("refused")
    base = f"/tracking/exceptions/{case.pk}/"
    assert as_owner.post(base + "assign/", {"username": "me"}).status_code == 302
    assert as_owner.post(base + "assign/", {"username": "kefu"}).status_code == 302
    assert as_owner.post(base + "note/", {"text": "买家电话没人接"}).status_code == 302
    assert as_owner.post(base + "contacted/", {"note": "网点重新派送"}).status_code == 302
    assert as_owner.post(base + "resolve/", {"choice": "快递已恢复派送", "text": "明天到"}).status_code == 302
    case.refresh_from_db()
    assert (case.state, case.resolution, case.assigned_to_id) == ("resolved", "快递已恢复派送：明天到", cs_user.pk)
    assert list(OrderEvent.objects.filter(order=seeded.refused.order, kind__startswith="exception").order_by("id")
                .values_list("kind", "message")) == [
        ("exception_opened", "收件人拒签"),
        ("exception_assigned", "收件人拒签 → boss"),
        ("exception_assigned", "收件人拒签 → kefu"),
        ("exception_note", "买家电话没人接"),
        ("exception_contacted", f"已联系圆通（{REFUSED_NO}）：网点重新派送"),
        ("exception_resolved", "收件人拒签：快递已恢复派送：明天到"),
    ]
    page = html(as_owner.get(f"/orders/{seeded.refused.order.order_no}/"))
    for label in ("发现异常", "异常指派", "异常备注", "已联系快递", "异常已解决"):
        assert label in page
    # resolved: the action forms are gone, the resolution is shown
    body = html(as_owner.get(base))
    assert "快递已恢复派送：明天到" in body and f'action="/tracking/exceptions/{case.pk}/note/"' not in body


def test_resolve_needs_a_resolution_and_packers_may_only_read(client, packer, seeded):
    case = seeded.case("refused")
    client.force_login(packer)
    resp = client.get(f"/tracking/exceptions/{case.pk}/")
    assert resp.status_code == 200 and "指派给我" not in html(resp)
    for action, data in (("assign/", {"username": "me"}), ("note/", {"text": "x"}), ("contacted/", {}),
                         ("resolve/", {"choice": "买家已收到"})):
        r = client.post(f"/tracking/exceptions/{case.pk}/{action}", data)
        assert r.status_code == 403, action
    case.refresh_from_db()
    assert (case.state, case.assigned_to_id, case.notes) == ("open", None, [])


def test_resolve_without_words_is_refused(as_owner, seeded):
    case = seeded.case("refused")
    r = as_owner.post(f"/tracking/exceptions/{case.pk}/resolve/", {"choice": "", "text": " "})
    assert r.status_code == 400 and "请选择或填写处理结果" in html(r)
    assert as_owner.get("/tracking/exceptions/999999/").status_code == 404


def test_parcel_timeline_newest_first_with_status_words_and_open_cases(as_owner, seeded):
    resp = as_owner.get(f"/tracking/parcels/{REFUSED_NO}/")
    body = html(resp)
    assert resp.status_code == 200
    ctx = re.findall(r'<div class="ctx">([^<]*)</div>', body)
    assert ctx == ["【北京市】收件人拒签，原因：不想要了", "【北京市】已到达 北京转运中心",
                   "【杭州市】已离开 杭州转运中心；发往 北京转运中心", "【杭州市】圆通速递 西湖区文三路营业部 已揽收"]
    assert re.findall(r'<span class="st">([^<]*)</span>', body) == ["拒签", "运输中", "运输中", "已揽收"]
    assert '<span class="badge big tstatus t-refused">拒签</span>' in body
    assert "张三丰" in body and "13812345678" in body and "浙江省 杭州市 西湖区" in body
    assert f'href="/tracking/exceptions/{seeded.case("refused").pk}/"' in body
    assert "报损 / 报丢" in body


def test_parcel_timeline_masks_the_receiver_for_packers_and_hides_the_report(client, packer, seeded):
    client.force_login(packer)
    body = html(client.get(f"/tracking/parcels/{REFUSED_NO}/"))
    assert "张**" in body and "138****5678" in body
    assert "张三丰" not in body and "13812345678" not in body
    assert "报损 / 报丢" not in body
    r = client.post(f"/tracking/parcels/{REFUSED_NO}/report/", {"kind": "damaged"})
    assert r.status_code == 403 and ExceptionCase.objects.filter(type="damaged").count() == 0


def test_a_number_nobody_knows_is_404_and_a_transfer_is_followed(as_owner):
    from fahuo.tracking.events import Event
    from fahuo.tracking.services.ingest import ingest
    from fahuo.tracking.statuses import TrackStatus as S

    assert as_owner.get("/tracking/parcels/YT0000000000000/").status_code == 404
    p = f.shipped_parcel(number="YT1111111111111")
    t = p.shipped_at
    ingest([Event("YT1111111111111", "YTO", t + H, S.PICKED_UP, "", "【杭州市】已揽收", "杭州市", "", "t"),
            Event("YT1111111111111", "YTO", t + 2 * H, S.TRANSFERRED, "", "已转单，新单号 SF1234567890123",
                  "杭州市", "", "t"),
            Event("SF1234567890123", "SF", t + 3 * H, S.IN_TRANSIT, "", "【上海市】已到达 上海中转场", "上海市", "",
                  "t")])
    body = html(as_owner.get("/tracking/parcels/YT1111111111111/"))
    assert '已转单，新单号 <span class="mono">SF1234567890123</span>' in body
    assert re.findall(r'<div class="ctx">([^<]*)</div>', body) == [
        "【上海市】已到达 上海中转场", "已转单，新单号 SF1234567890123", "【杭州市】已揽收"]
    assert body.count('<div class="muted small">新单号 SF1234567890123</div>') == 1  # the new number's event


def test_report_through_the_page_opens_the_case_once(as_owner, seeded):
    url = f"/tracking/parcels/{REFUSED_NO}/report/"
    r1 = as_owner.post(url, {"kind": "damaged", "note": "外箱压扁"})
    case = ExceptionCase.objects.get(type="damaged")
    assert r1.status_code == 302 and r1["Location"] == f"/tracking/exceptions/{case.pk}/"
    r2 = as_owner.post(url, {"kind": "damaged", "note": "再来"})
    assert r2.status_code == 302 and ExceptionCase.objects.filter(type="damaged").count() == 1
    assert (case.cause_key, case.evidence["note"], case.evidence["reported_by"]) == ("seller:damaged", "外箱压扁", "boss")
    assert as_owner.post(url, {"kind": "stale"}).status_code == 400


def test_home_shows_open_exceptions_by_severity_and_the_order_page_links_the_timeline(as_owner, seeded):
    body = html(as_owner.get("/"))
    assert 'class="home-exceptions danger" href="/tracking/exceptions/"' in body
    assert "紧急 2" in body and "警告 1" in body and "提示 0" in body
    page = html(as_owner.get(f"/orders/{seeded.refused.order.order_no}/"))
    assert f'href="/tracking/parcels/{REFUSED_NO}/">物流轨迹</a>' in page


def test_the_order_page_lists_its_open_cases_with_links(as_owner, seeded):
    order = seeded.refused.order
    case = seeded.case("refused")

    page = html(as_owner.get(f"/orders/{order.order_no}/"))
    quiet = html(as_owner.get(f"/orders/{f.order().order_no}/"))

    assert 'id="order-cases"' in page and "物流异常 1 个" in page
    assert f'href="/tracking/exceptions/{case.pk}/"' in page
    assert 'id="order-cases"' not in quiet


def test_the_order_page_offers_the_fitting_buyer_message(as_owner, client, packer, seeded):
    shipped = seeded.refused.order
    late = seeded.late
    fresh = f.order(status="ready")

    shipped_page = html(as_owner.get(f"/orders/{shipped.order_no}/"))
    late_page = html(as_owner.get(f"/orders/{late.order_no}/"))

    assert f'hx-get="/notify/buyer/{shipped.order_no}/?kind=shipped"' in shipped_page
    assert f'hx-get="/notify/buyer/{late.order_no}/?kind=delayed"' in late_page
    assert 'id="buyer-msg"' not in html(as_owner.get(f"/orders/{fresh.order_no}/"))
    client.force_login(packer)
    assert 'id="buyer-msg"' not in html(client.get(f"/orders/{shipped.order_no}/"))
