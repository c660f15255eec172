"""The 发货 pages and 快递设置 through Django's test client: every page renders with its words, htmx fragments,
scan-to-verify with loud refusals that change nothing, handover, the batch-ship file, and who may do what."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from django.db import connection
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext

from fahuo.carriers import services as carriers
from fahuo.carriers.models import CarrierAccount, ChoiceRules, PoolNumber, RateRow
from fahuo.core.models import ShopSettings
from fahuo.fulfilment.models import BatchExport, Document, Handover, Parcel, ScanEvent, Wave
from fahuo.fulfilment.services import packing, shipping
from fahuo.fulfilment.services.waves import WaveFilter, create_wave
from fahuo.orders.models import Order
from fahuo.orders.services import decide
from tests import factories as f

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def html(resp) -> str:
    return resp.content.decode()


def scan_result(resp) -> str:
    return json.loads(resp["HX-Trigger"])["fahuo:scan"]["result"]


@pytest.fixture
def as_owner(client, owner):
    client.force_login(owner)
    return client


@pytest.fixture
def as_packer(client, packer):
    client.force_login(packer)
    return client


@pytest.fixture
def as_cs(client, cs_user):
    client.force_login(cs_user)
    return client


def ready(*lines, **kw) -> Order:
    o = f.order(*lines, **kw)
    decide.confirm(order_no=o.order_no, by=None)
    o.refresh_from_db()
    assert o.status == "ready", o.problems
    return o


def wave_of(*orders) -> Wave:
    res = create_wave(by=None, filters=WaveFilter(order_nos=[o.order_no for o in orders]))
    assert res.wave is not None, res.skipped
    return res.wave


@pytest.fixture
def bench(db):
    """Two SKUs with barcodes, one order of 2×A in a wave: parcel P<pk> with sandbox number FH000000000001."""
    f.sku("A", stock=10, barcode="6975541000011", title="龙井 A", location="A-01")
    f.sku("B", stock=10, barcode="6975541000028", title="碧螺春 B", location="B-02")
    o = ready(("A", 2), name="张三丰", phone="13812345678")
    wave = wave_of(o)
    return {"order": o, "wave": wave, "parcel": Parcel.objects.get(order=o)}


def counts(parcel: Parcel) -> list[int]:
    return list(parcel.items.order_by("id").values_list("scanned", flat=True))


# --- 发货 home, tab bar -----------------------------------------------------------------------------


def test_anonymous_is_sent_to_login(client):
    for url in ("/ship/", "/ship/waves/new/", "/ship/scan/", "/ship/handover/", "/ship/export/", "/carriers/",
                "/carriers/try/"):
        resp = client.get(url)
        assert resp.status_code == 302 and resp["Location"].startswith("/login/?next="), url


def test_ship_home_counts_buttons_and_recent_waves(as_owner):
    f.sku("A", stock=10, barcode="6975541000011")
    o1, o2 = ready(("A", 1)), ready(("A", 1))
    ready(("A", 1))  # not in a wave
    wave = wave_of(o1, o2)
    p1 = Parcel.objects.get(order=o1)
    packing.scan_item(parcel_id=p1.pk, code="A")
    packing.complete(parcel_id=p1.pk)

    page = html(as_owner.get("/ship/"))

    assert "<strong>1</strong><span>待发货</span>" in page
    assert "<strong>1</strong><span>进行中的批次</span>" in page
    assert "<strong>1</strong><span>待验货打包</span>" in page
    assert "<strong>1</strong><span>已打包待揽收</span>" in page
    for words in ("新建批次", "验货打包", "交接揽收", "导出批量发货文件", "快递设置"):
        assert words in page
    assert f'href="/ship/waves/{wave.pk}/"' in page and wave.no in page


def test_tab_bar_has_five_tabs_with_ship_current(as_owner):
    page = html(as_owner.get("/ship/"))
    nav = page[page.index('<nav class="tabbar"'):]
    assert [w for w in ("今日", "订单", "发货", "库存", "更多") if f"<span>{w}</span>" in nav] == \
        ["今日", "订单", "发货", "库存", "更多"]
    assert '<a href="/ship/" aria-current="page">' in nav and '<a href="/" aria-current' not in nav
    assert 'href="/carriers/">快递设置 ›</a>' in html(as_owner.get("/more/"))


def test_home_warns_loudly_about_an_intercepted_parcel(as_owner, bench):
    Order.objects.filter(pk=bench["order"].pk).update(refund_requested=True)

    page = html(as_owner.get("/ship/"))

    assert '<div class="alarm" role="alert">拦截！1 个包裹的订单已关闭或申请了退款，不要发出：' in page
    assert "FH000000000001" in page


# --- new wave ---------------------------------------------------------------------------------------


def test_new_wave_page_has_the_filters_and_a_live_count(as_owner):
    f.sku("A", stock=10)
    f.sku("B", stock=10)
    ready(("A", 1), message="请发顺丰")
    ready(("B", 1))

    page = html(as_owner.get("/ship/waves/new/"))
    assert all(w in page for w in ("快递", "商家编码", "省份", "今天", "明天", "有留言", "76×130 毫米（标准一联）",
                                   "100×180 毫米", "A4 纸（家用打印机）", "建批次并取运单号"))
    assert 'hx-get="/ship/waves/new/count/"' in page

    all_n = as_owner.get("/ship/waves/new/count/", **HTMX)
    with_msg = as_owner.get("/ship/waves/new/count/", {"message": "yes"}, **HTMX)
    by_sku = as_owner.get("/ship/waves/new/count/", {"sku": "B", "due_date": "2099-01-01"}, **HTMX)
    due_today = as_owner.get("/ship/waves/new/count/", {"due": "today"}, **HTMX)  # paid an hour ago: due in 47 h

    assert "符合条件的待发货订单 <strong>2</strong> 单" in html(all_n) and "<html" not in html(all_n)
    assert "<strong>1</strong>" in html(with_msg) and "<strong>1</strong>" in html(by_sku)
    assert "<strong>0</strong>" in html(due_today)


def test_create_wave_lands_on_the_wave_page_and_names_the_skipped_orders(as_owner):
    f.sku("A", stock=10)
    ok = ready(("A", 1))
    tibet = ready(("A", 1))
    Order.objects.filter(pk=tibet.pk).update(province="西藏自治区", city="拉萨市")
    ChoiceRules.objects.update_or_create(pk=1, defaults={"text": "目的地 in 西藏 → 人工"})

    resp = as_owner.post("/ship/waves/new/", {"label_size": "100x180", "limit": "500"})

    wave = Wave.objects.get()
    assert resp.status_code == 302 and resp["Location"] == f"/ship/waves/{wave.pk}/"
    assert wave.label_size == "100x180"
    page = html(as_owner.get(resp["Location"]))
    assert "1 单需要处理" in page and tibet.order_no in page and "规则 1：目的地 in 西藏 → 人工（人工处理）" in page
    assert ok.order_no in page and f"批次 {wave.no} 已建好：1 单" in page
    # shown once: the list is not kept for ever
    assert "1 单需要处理" not in html(as_owner.get(resp["Location"]))


def test_create_wave_with_nothing_to_add_stays_and_says_why(as_owner):
    resp = as_owner.post("/ship/waves/new/", {"label_size": "76x130"})
    assert resp.status_code == 200 and "没有符合条件的待发货订单，批次没有建立。" in html(resp)
    assert Wave.objects.count() == 0


def test_bad_wave_form_is_refused(as_owner):
    resp = as_owner.post("/ship/waves/new/", {"limit": "0"})
    assert resp.status_code == 400 and Wave.objects.count() == 0


# --- wave page --------------------------------------------------------------------------------------


def test_wave_page_lists_parcels_with_carrier_why_and_actions(as_owner, bench):
    w, p = bench["wave"], bench["parcel"]
    Parcel.objects.filter(pk=p.pk).update(waybill_suspect=True)

    page = html(as_owner.get(f"/ship/waves/{w.pk}/"))

    assert f"批次 {w.no}" in page
    assert bench["order"].order_no in page and "FH000000000001" in page
    assert '<span class="badge">演示快递</span>' in page and "单号不符合该快递规则" in page
    assert "为什么是它：最便宜" in page and f'href="/carriers/try/?order={bench["order"].order_no}"' in page
    assert "A×2" in page and "张三丰" in page and "13812345678" in page
    assert f'href="/ship/scan/?code=P{p.pk}"' in page and "换快递" in page
    assert "面单 PDF" in page and "拣货单 PDF" in page and "发货单 PDF" in page
    assert "整批发货（0 个已打包）" in page and "还有 1 个包裹没验货打包" in page


def test_wave_page_queries_do_not_grow_with_its_parcels(as_owner, django_assert_max_num_queries):
    f.sku("A", stock=100)
    f.sku("B", stock=100)
    few = wave_of(*[ready(("A", 1), ("B", 1)) for _ in range(2)])
    many = wave_of(*[ready(("A", 1), ("B", 2)) for _ in range(12)])
    as_owner.get(f"/ship/waves/{few.pk}/")  # the session and the shop settings, once
    with CaptureQueriesContext(connection) as small:
        as_owner.get(f"/ship/waves/{few.pk}/")

    with django_assert_max_num_queries(len(small)):
        resp = as_owner.get(f"/ship/waves/{many.pk}/")

    assert html(resp).count('class="card parcel-card"') == 12


def test_a_big_wave_is_shown_a_page_at_a_time(as_owner, monkeypatch):
    from fahuo.fulfilment.views import waves as wave_views

    monkeypatch.setattr(wave_views, "PARCELS_PER_PAGE", 2)
    f.sku("A", stock=10)
    wave = wave_of(*[ready(("A", 1)) for _ in range(3)])

    first, second = html(as_owner.get(f"/ship/waves/{wave.pk}/")), html(as_owner.get(f"/ship/waves/{wave.pk}/?page=2"))

    assert "包裹（3）" in first and first.count('class="card parcel-card"') == 2 and "1 / 2" in first
    assert second.count('class="card parcel-card"') == 1 and "还有 3 个包裹没验货打包" in second


def test_packer_sees_masked_receivers_on_every_ship_page(as_packer, bench):
    p = bench["parcel"]
    for url in (f"/ship/waves/{bench['wave'].pk}/", f"/ship/parcels/{p.pk}/", f"/ship/scan/?code=P{p.pk}"):
        page = html(as_packer.get(url))
        assert "138****5678" in page and "张**" in page, url
        assert "13812345678" not in page and "张三丰" not in page, url


def test_pick_list_sorted_by_location_and_a_tick_strikes_the_row(as_owner):
    f.sku("A", stock=10, location="B-10")
    f.sku("B", stock=10, location="A-2")
    o1, o2 = ready(("A", 1), ("B", 2)), ready(("A", 3))
    wave = wave_of(o1, o2)

    page = html(as_owner.get(f"/ship/waves/{wave.pk}/pick/"))
    assert page.index("A-2") < page.index("B-10")
    assert "×4" in page and "×2" in page and "已拣 <strong>0</strong> / 2" in page

    resp = as_owner.post(f"/ship/waves/{wave.pk}/pick/tick/", {"sku": "A", "picked": "1"}, **HTMX)

    frag = html(resp)
    assert resp.status_code == 200 and "<html" not in frag
    assert '<li class="pick-row picked">' in frag and "已拣 <strong>1</strong> / 2" in frag
    assert Wave.objects.get().picked == ["A"]
    as_owner.post(f"/ship/waves/{wave.pk}/pick/tick/", {"sku": "A"}, **HTMX)
    assert Wave.objects.get().picked == []


def test_pdf_request_polls_then_offers_the_download(as_owner, bench, django_capture_on_commit_callbacks):
    w = bench["wave"]
    queued = as_owner.post(f"/ship/waves/{w.pk}/docs/", {"kind": "picklist"}, **HTMX)  # the worker has not run
    doc = Document.objects.get()
    assert queued.status_code == 200 and 'hx-trigger="every 1s"' in html(queued) and "排队中" in html(queued)
    assert f'id="doc-{doc.pk}"' in html(queued)

    with django_capture_on_commit_callbacks(execute=True):  # the job runs once the request's transaction commits
        as_owner.post(f"/ship/waves/{w.pk}/docs/", {"kind": "labels", "size": "a4"}, **HTMX)

    labels = Document.objects.get(kind="labels")
    assert labels.state == "done" and labels.size == "a4"
    frag = html(as_owner.get(f"/ship/docs/{labels.pk}/", **HTMX))
    assert "hx-trigger" not in frag and "下载 PDF（1 页）" in frag and 'hx-boost="false"' in frag
    poll = html(as_owner.get(f"/ship/docs/{doc.pk}/", **HTMX))
    assert 'hx-trigger="every 1s"' in poll
    cards = html(as_owner.post(f"/ship/waves/{w.pk}/docs/", {"kind": "picklist"}, **HTMX))
    assert cards.count('class="doc"') == 2 and f'id="doc-{doc.pk}"' not in cards  # the newest of each kind
    dl = as_owner.get(f"/ship/docs/{labels.pk}/download/")
    assert dl.status_code == 200 and dl["Content-Type"] == "application/pdf"
    assert dl["Content-Disposition"] == f'attachment; filename="{w.no}-labels-a4.pdf"'
    assert b"".join(dl.streaming_content).startswith(b"%PDF")
    assert as_owner.get(f"/ship/docs/{doc.pk}/download/").status_code == 404  # not rendered yet


# --- scan-to-verify ---------------------------------------------------------------------------------


def test_scan_page_has_one_big_input_and_the_camera(as_packer):
    page = html(as_packer.get("/ship/scan/"))
    assert 'name="code"' in page and "autofocus" in page and 'hx-post="/ship/scan/code/"' in page
    assert 'data-polyfill="/static/vendor/barcode-detector/barcode-detector.js"' in page
    assert 'data-wasm-base="/static/vendor/barcode-detector/"' in page and "/static/fahuo/scan.js" in page
    assert "扫描面单号、订单号或包裹号（P123）开始验货" in page


def test_scan_label_then_items_then_complete(as_packer, packer, bench):
    p = bench["parcel"]

    found = as_packer.post("/ship/scan/code/", {"code": "FH000000000001"}, **HTMX)
    assert found.status_code == 200 and scan_result(found) == "found" and "<html" not in html(found)
    assert f'<input type="hidden" name="parcel" value="{p.pk}" form="scan-form">' in html(found)
    assert '<div class="count"><strong>0</strong>/2</div>' in html(found)

    one = as_packer.post("/ship/scan/code/", {"code": "6975541000011", "parcel": p.pk}, **HTMX)
    assert scan_result(one) == "ok" and '<div class="count"><strong>1</strong>/2</div>' in html(one)
    assert " hit" in html(one)
    two = as_packer.post("/ship/scan/code/", {"code": "a", "parcel": p.pk}, **HTMX)  # 商家编码, any case
    assert scan_result(two) == "complete" and "完成打包" in html(two)

    done = as_packer.post(f"/ship/scan/{p.pk}/complete/", {"weight": "650"}, **HTMX)

    p.refresh_from_db()
    assert done.status_code == 200 and scan_result(done) == "done"
    assert (p.state, p.weight_g, p.packed_by) == ("packed", 650, packer)
    assert "已打包" in html(done) and 'name="parcel"' not in html(done)


def test_a_wrong_item_is_a_loud_4xx_and_counts_nothing(as_packer, bench):
    p = bench["parcel"]
    as_packer.post("/ship/scan/code/", {"code": "6975541000011", "parcel": p.pk}, **HTMX)

    resp = as_packer.post("/ship/scan/code/", {"code": "6975541000028", "parcel": p.pk}, **HTMX)

    page = html(resp)
    assert resp.status_code == 400 and scan_result(resp) == "alarm"
    assert '<div class="alarm" role="alert"' in page and "错货！“碧螺春 B”(B) 不在这个包裹里" in page
    assert "没有计数" in page
    assert counts(p) == [1] and Parcel.objects.get(pk=p.pk).state == "open"
    assert '<div class="count"><strong>1</strong>/2</div>' in page  # the bench still shows the parcel
    assert "<span><strong>1</strong> / 2</span>" in page and "扫到：6975541000028" in page


def test_an_extra_item_is_loud_too(as_packer, bench):
    p = bench["parcel"]
    for _ in range(2):
        as_packer.post("/ship/scan/code/", {"code": "A", "parcel": p.pk}, **HTMX)
    # the label again would complete it: use the barcode, which is an item of the parcel
    resp = as_packer.post("/ship/scan/code/", {"code": "6975541000011", "parcel": p.pk}, **HTMX)
    assert resp.status_code == 400 and scan_result(resp) == "alarm" and "多了！" in html(resp)
    assert counts(p) == [2]


def test_an_unknown_label_is_a_quiet_404(as_packer, bench):
    resp = as_packer.post("/ship/scan/code/", {"code": "NOPE123"}, **HTMX)
    assert resp.status_code == 404 and scan_result(resp) == "error"
    assert "找不到“NOPE123”对应的包裹" in html(resp) and 'class="alarm"' not in html(resp)


def test_an_intercepted_parcel_is_stopped_at_the_bench(as_packer, bench):
    Order.objects.filter(pk=bench["order"].pk).update(status="closed")

    resp = as_packer.post("/ship/scan/code/", {"code": bench["order"].order_no}, **HTMX)

    assert resp.status_code == 409 and scan_result(resp) == "alarm"
    assert f"拦截！订单 {bench['order'].order_no} 交易已关闭，不要发出这个包裹" in html(resp)
    assert "把包裹放到一边，交给店主处理。" in html(resp)


def test_scanning_the_label_again_completes_a_fully_scanned_parcel(as_packer, bench):
    p = bench["parcel"]
    for _ in range(2):
        as_packer.post("/ship/scan/code/", {"code": "A", "parcel": p.pk}, **HTMX)

    resp = as_packer.post("/ship/scan/code/", {"code": "FH000000000001", "parcel": p.pk}, **HTMX)

    assert scan_result(resp) == "done" and Parcel.objects.get(pk=p.pk).state == "packed"


def test_scanning_another_label_moves_to_that_parcel(as_packer, bench):
    other = ready(("B", 1))
    wave_of(other)
    p = bench["parcel"]

    resp = as_packer.post("/ship/scan/code/", {"code": "FH000000000002", "parcel": p.pk}, **HTMX)

    q = Parcel.objects.get(order=other)
    assert scan_result(resp) == "found" and f'value="{q.pk}" form="scan-form"' in html(resp)
    assert f"上一个包裹 P{p.pk} 还没完成打包" in html(resp)
    assert ScanEvent.objects.count() == 0


def test_reset_and_split_on_the_bench(as_packer, bench):
    p = bench["parcel"]
    as_packer.post("/ship/scan/code/", {"code": "A", "parcel": p.pk}, **HTMX)

    reset = as_packer.post(f"/ship/scan/{p.pk}/reset/", **HTMX)
    assert "已清零，请重新扫描每件商品" in html(reset) and counts(p) == [0]

    item = p.items.get()
    split = as_packer.post(f"/ship/scan/{p.pk}/split/", {f"take_{item.pk}": "1"}, **HTMX)

    new = Parcel.objects.exclude(pk=p.pk).get()
    assert split.status_code == 200 and f"已拆出新包裹 P{new.pk}（FH000000000002）" in html(split)
    assert (new.seq, new.items.get().qty, p.items.get().qty) == (2, 1, 1)
    refused = as_packer.post(f"/ship/scan/{p.pk}/split/", {f"take_{item.pk}": "1"}, **HTMX)
    assert refused.status_code == 400 and "原包裹至少要留下一件商品" in html(refused)


def test_a_parcel_without_a_number_takes_a_scanned_one(as_packer):
    CarrierAccount.objects.create(carrier_code="ZTO", number_source="manual", enabled=True)
    f.sku("A", stock=5, barcode="6975541000011")
    o = ready(("A", 1))
    wave_of(o)
    p = Parcel.objects.get()
    assert (p.carrier_code, p.waybill) == ("ZTO", None)

    page = html(as_packer.post("/ship/scan/code/", {"code": o.order_no}, **HTMX))
    assert "这个包裹还没有运单号" in page and "快递：中通" in page
    hint = html(as_packer.get("/carriers/try/detect/", {"number": "73610555582883", "compact": "1"}, **HTMX))
    assert hint.startswith("像是中通的单号")
    assert "认不出是哪家快递的单号" in html(as_packer.get("/carriers/try/detect/", {"number": "12", "compact": "1"}))

    resp = as_packer.post(f"/ship/scan/{p.pk}/number/", {"number": "7361 0555 5828 83"}, **HTMX)

    p.refresh_from_db()
    assert resp.status_code == 200 and (p.waybill, p.waybill_suspect) == ("73610555582883", False)
    assert "运单号 73610555582883（中通）" in html(resp)
    taken = as_packer.post(f"/ship/scan/{p.pk}/number/", {"number": "FH000000000009"}, **HTMX)
    assert taken.status_code == 200 and "不符合 ZTO 的单号规则" in html(taken)


# --- one parcel, ship, change carrier ---------------------------------------------------------------


def test_parcel_page_ship_one_and_refuse_an_unpacked_one(as_packer, bench):
    p = bench["parcel"]
    page = html(as_packer.get(f"/ship/parcels/{p.pk}/"))
    assert f"包裹 P{p.pk}" in page and "大头笔" in page and "扫描记录" in page

    refused = as_packer.post(f"/ship/parcels/{p.pk}/ship/")
    assert refused.status_code == 409 and "还没验货打包，不能发货" in html(refused)

    for _ in range(2):
        packing.scan_item(parcel_id=p.pk, code="A")
    packing.complete(parcel_id=p.pk)
    resp = as_packer.post(f"/ship/parcels/{p.pk}/ship/", {"next": "wave"})

    assert resp.status_code == 302 and resp["Location"] == f"/ship/waves/{bench['wave'].pk}/"
    assert Parcel.objects.get(pk=p.pk).state == "shipped" and Order.objects.get(pk=bench["order"].pk).status == "shipped"


def test_a_number_typed_on_the_parcel_page_is_kept_and_a_suspect_one_flagged(as_packer, bench):
    p = bench["parcel"]

    resp = as_packer.post(f"/ship/parcels/{p.pk}/number/", {"number": "SF1385628716739"}, follow=True)

    p.refresh_from_db()
    assert (p.waybill, p.carrier_code, p.waybill_suspect) == ("SF1385628716739", "DEMO", True)
    assert "运单号已设为 SF1385628716739" in html(resp) and "不符合 DEMO 的单号规则" in html(resp)
    other = ready(("A", 1))
    wave_of(other)
    taken = as_packer.post(f"/ship/parcels/{Parcel.objects.get(order=other).pk}/number/",
                           {"number": "SF1385628716739"})
    assert taken.status_code == 409 and "已用在订单" in html(taken)


def test_shipping_an_intercepted_parcel_is_a_loud_stop(as_owner, bench):
    p = bench["parcel"]
    for _ in range(2):
        packing.scan_item(parcel_id=p.pk, code="A")
    packing.complete(parcel_id=p.pk)
    Order.objects.filter(pk=bench["order"].pk).update(refund_requested=True)

    resp = as_owner.post(f"/ship/parcels/{p.pk}/ship/")

    assert resp.status_code == 409 and '<div class="alarm" role="alert" data-alarm-onload>' in html(resp)
    assert "买家申请了退款，不要发出这个包裹" in html(resp)
    assert Parcel.objects.get(pk=p.pk).state == "packed"
    wave = as_owner.post(f"/ship/waves/{bench['wave'].pk}/ship/", follow=True)
    assert '<div class="alarm" role="alert" data-alarm-onload>拦截！1 个包裹没有发出，把它们放到一边：' in html(wave)
    assert "买家申请了退款" in html(wave) and Parcel.objects.get(pk=p.pk).state == "packed"


def test_an_htmx_ship_of_an_intercepted_parcel_retargets_the_alarm_to_the_flash_box(as_owner, bench):
    p = bench["parcel"]
    for _ in range(2):
        packing.scan_item(parcel_id=p.pk, code="A")
    packing.complete(parcel_id=p.pk)
    Order.objects.filter(pk=bench["order"].pk).update(status="closed")

    resp = as_owner.post(f"/ship/parcels/{p.pk}/ship/", **HTMX)

    assert resp.status_code == 409 and resp["HX-Retarget"] == "#flash" and scan_result(resp) == "alarm"
    assert 'class="alarm"' in html(resp) and "<html" not in html(resp)


def test_ship_a_whole_wave_lists_what_was_not_packed(as_owner):
    f.sku("A", stock=10)
    o1, o2 = ready(("A", 1)), ready(("A", 1))
    wave = wave_of(o1, o2)
    p1 = Parcel.objects.get(order=o1)
    packing.scan_item(parcel_id=p1.pk, code="A")
    packing.complete(parcel_id=p1.pk)

    resp = as_owner.post(f"/ship/waves/{wave.pk}/ship/", follow=True)

    page = html(resp)
    assert "已发货 1 个包裹" in page and "还有 1 个包裹没验货打包，未发货：FH000000000002" in page
    assert Parcel.objects.get(pk=p1.pk).state == "shipped"


def test_change_carrier_in_one_tap_drops_the_old_number(as_owner, bench):
    CarrierAccount.objects.create(carrier_code="DEMO", enabled=True, number_source="sandbox")
    CarrierAccount.objects.create(carrier_code="SF", enabled=True, number_source="manual")
    p = bench["parcel"]

    resp = as_owner.post(f"/ship/parcels/{p.pk}/carrier/", {"carrier": "SF", "next": "wave"}, follow=True)

    p.refresh_from_db()
    assert (p.carrier_code, p.waybill, p.carrier_rule) == ("SF", None, "人工改为顺丰")
    assert f"P{p.pk} 改为 顺丰，请在验货时扫描或输入运单号" in html(resp)
    assert bench["order"].events.filter(kind="carrier_changed").exists()
    back = as_owner.post(f"/ship/parcels/{p.pk}/carrier/", {"carrier": "DEMO"})
    p.refresh_from_db()
    assert back.status_code == 302 and p.waybill == "FH000000000002"


# --- handover ---------------------------------------------------------------------------------------


def _packed(o: Order) -> Parcel:
    p = Parcel.objects.get(order=o)
    for it in p.items.select_related("line__sku"):
        for _ in range(it.qty):
            packing.scan_item(parcel_id=p.pk, code=it.line.sku.code)
    return packing.complete(parcel_id=p.pk)[0]


def test_handover_scan_ships_and_the_end_lists_what_was_left(as_packer, packer):
    f.sku("A", stock=10)
    o1, o2 = ready(("A", 1)), ready(("A", 1))
    wave_of(o1, o2)
    p1, p2 = _packed(o1), _packed(o2)

    home = html(as_packer.get("/ship/handover/"))
    assert "哪家快递来收件？" in home and "2 个待揽收" in home
    start = as_packer.post("/ship/handover/", {"carrier": "DEMO"})
    h = Handover.objects.get()
    assert start["Location"] == f"/ship/handover/{h.pk}/"
    assert "交接 · 演示快递" in html(as_packer.get(start["Location"]))

    resp = as_packer.post(f"/ship/handover/{h.pk}/scan/", {"code": p1.waybill}, **HTMX)

    assert resp.status_code == 200 and scan_result(resp) == "ok" and p1.waybill in html(resp)
    assert "还有 1 个已打包未扫" in html(resp)
    p1.refresh_from_db()
    assert p1.state == "shipped" and p1.handover_id == h.pk

    closed = as_packer.post(f"/ship/handover/{h.pk}/close/", follow=True)
    page = html(closed)
    assert "还有 1 个已打包的包裹快递员没有扫走" in page and 'class="card left-behind"' in page
    assert "没交给快递员的包裹（1）" in page and p2.waybill in page
    printed = html(as_packer.get(f"/ship/handover/{h.pk}/print/"))
    assert "揽收交接单" in printed and p1.waybill in printed and "共 1 件" in printed and "快递员签字" in printed


def test_handover_refuses_another_couriers_parcel_loudly(as_packer):
    f.sku("A", stock=10)
    wave_of(ready(("A", 1)))
    p = _packed(Order.objects.get())
    h = shipping.start_handover(carrier_code="SF")

    resp = as_packer.post(f"/ship/handover/{h.pk}/scan/", {"code": p.waybill}, **HTMX)

    assert resp.status_code == 409 and scan_result(resp) == "alarm" and 'class="alarm"' in html(resp)
    assert "这个包裹不归这位快递员" in html(resp) and Parcel.objects.get(pk=p.pk).state == "packed"


# --- batch-ship file --------------------------------------------------------------------------------


def test_export_batch_ship_file_downloads_and_is_listed(as_owner):
    f.sku("A", stock=10)
    o = ready(("A", 1))
    wave_of(o)
    shipping.ship(code=_packed(o).waybill)

    page = html(as_owner.get("/ship/export/"))
    assert "包括已导出过的" in page and "包括演示快递" in page and "演示快递的单号是假的" in page
    assert "0 个已发货包裹还没导出过。" in page

    resp = as_owner.post("/ship/export/", {"fmt": "csv", "include_sandbox": "1"})

    assert resp.status_code == 200 and resp["Content-Disposition"].startswith('attachment; filename="batch-ship-')
    body = b"".join(resp.streaming_content).decode("utf-8-sig").splitlines()
    assert body[0] == "订单编号,物流公司,运单号,子订单编号"
    assert body[1] == f"{o.platform_order_no},演示快递,FH000000000001,"
    exp = BatchExport.objects.get()
    listed = html(as_owner.get("/ship/export/"))
    assert "1 行" in listed and f'href="/ship/export/{exp.pk}/download/"' in listed
    again = as_owner.post("/ship/export/", {"fmt": "xlsx", "include_sandbox": "1"}, follow=True)
    assert "没有需要导出的已发货包裹" in html(again)
    assert as_owner.get(f"/ship/export/{exp.pk}/download/").status_code == 200


# --- who may do what --------------------------------------------------------------------------------


def test_cs_may_look_but_not_pack_or_ship(as_cs, bench):
    p = bench["parcel"]
    assert as_cs.get("/ship/").status_code == 200
    page = html(as_cs.get(f"/ship/waves/{bench['wave'].pk}/"))
    assert "标记发货" not in page and "整批发货" not in page and "面单 PDF" not in page

    for url, data in ((f"/ship/parcels/{p.pk}/ship/", {}), (f"/ship/waves/{bench['wave'].pk}/ship/", {}),
                      ("/ship/scan/code/", {"code": "FH000000000001"}), ("/ship/handover/", {"carrier": "DEMO"}),
                      ("/ship/export/", {"fmt": "csv"}), ("/ship/waves/new/", {})):
        resp = as_cs.post(url, data)
        assert resp.status_code == 403, url
    assert "客服无权发货" in html(as_cs.post(f"/ship/parcels/{p.pk}/ship/"))
    assert Handover.objects.count() == 0 and BatchExport.objects.count() == 0 and Wave.objects.count() == 1


def test_packer_cannot_edit_carriers_rates_rules_or_pools(as_packer):
    for url in ("/carriers/", "/carriers/rates/", "/carriers/rules/", "/carriers/pools/"):
        assert as_packer.get(url).status_code == 403, url
    resp = as_packer.post("/carriers/rates/row/", {"carrier": "ZTO", "province": "浙江", "first_price": "1",
                                                   "extra_price": "1", "days_min": "1", "days_max": "2"})
    assert resp.status_code == 403 and "打包员无权修改运费价格表" in html(resp)
    assert as_packer.post("/carriers/rules/", {"text": "默认 → 顺丰"}).status_code == 403
    assert as_packer.post("/carriers/accounts/SF/", {"enabled": "1"}).status_code == 403
    assert RateRow.objects.count() == 0 and CarrierAccount.objects.count() == 0 and ChoiceRules.get().text == ""
    assert as_packer.get("/carriers/try/").status_code == 200  # asking is open to everyone
    assert "快递设置" not in html(as_packer.get("/more/"))


# --- 快递设置 ---------------------------------------------------------------------------------------


def test_carrier_settings_page_and_account_save(as_owner):
    page = html(as_owner.get("/carriers/"))
    assert "寄件人（印在面单上）" in page and "快递账号" in page and "顺丰" in page and "演示快递" in page

    resp = as_owner.post("/carriers/accounts/ZTO/", {"enabled": "1", "name": "义乌北苑", "account_no": "M123",
                                                     "number_source": "pool"})

    acc = CarrierAccount.objects.get()
    assert resp.status_code == 302 and (acc.carrier_code, acc.enabled, acc.name, acc.number_source) == \
        ("ZTO", True, "义乌北苑", "pool")
    assert carriers.enabled_carriers() == ["ZTO"]
    assert as_owner.post("/carriers/accounts/XX/", {"enabled": "1"}).status_code == 400


def test_sender_is_saved_in_shop_settings(as_owner):
    resp = as_owner.post("/carriers/sender/", {"sender_name": "小茶铺", "sender_phone": "057912345678",
                                               "sender_address": "浙江省义乌市北苑街道1号"})
    s = ShopSettings.get()
    assert resp.status_code == 302 and (s.sender_name, s.sender_phone, s.privacy_labels) == \
        ("小茶铺", "057912345678", False)


def test_rates_page_flags_sample_prices_and_imports_a_csv(as_owner):
    page = html(as_owner.get("/carriers/rates/"))
    assert '<div class="sample-banner" role="note">示例价格' in page and "中通" in page

    bad = "快递公司,目的省份,首重价格,续重价格,时效\n中通,浙江,3,1,1-2\n火星快递,浙江,3,1,2\n中通,月球,3,1,2\n"
    refused = as_owner.post("/carriers/rates/import/", {"text": bad})
    assert refused.status_code == 400
    assert "第 3 行" in html(refused) and "不认识的快递公司" in html(refused) and "第 4 行" in html(refused)
    assert RateRow.objects.count() == 0

    good = "快递公司,目的省份,首重价格,续重价格,时效\n中通,浙江,3,1,1-2\n中通,*,5,3,2-4\n"
    resp = as_owner.post("/carriers/rates/import/", {"text": good}, follow=True)

    page = html(resp)
    assert "已导入 2 行价格" in page and "sample-banner" not in page
    assert "¥3.00" in page and "¥5.00" in page and "1-2天" in page


def test_rate_row_inline_edit(as_owner):
    RateRow.objects.create(carrier_code="ZTO", province="浙江省", first_price=Decimal(3), extra_price=Decimal(1))
    form = as_owner.get("/carriers/rates/row/", {"carrier": "ZTO", "province": "浙江省"}, **HTMX)
    assert '<tr class="editing">' in html(form) and 'value="3.00"' in html(form)

    resp = as_owner.post("/carriers/rates/row/", {"carrier": "ZTO", "province": "浙江省", "first_price": "3.5",
                                                  "extra_price": "1.2", "first_kg": "1", "extra_step_kg": "0.5",
                                                  "days_min": "1", "days_max": "2", "inline": "1"}, **HTMX)

    assert resp.status_code == 200 and '<tr class="saved">' in html(resp) and "¥3.50" in html(resp)
    row = RateRow.objects.get()
    assert (row.first_price, row.extra_step_kg, row.days_max) == (Decimal("3.50"), Decimal("0.50"), 2)
    bad = as_owner.post("/carriers/rates/row/", {"carrier": "ZTO", "province": "火星", "first_price": "1",
                                                 "extra_price": "1", "days_min": "1", "days_max": "2"})
    assert bad.status_code == 400 and "认不出省份" in html(bad)
    sample = as_owner.get("/carriers/rates/sample.csv")
    assert sample["Content-Disposition"] == 'attachment; filename="sample-rates.csv"'


def test_rules_are_saved_or_refused_line_by_line(as_owner):
    page = html(as_owner.get("/carriers/rules/"))
    assert "目的地 in 新疆,西藏,青海 → 邮政" in page and "金额 &gt; 500 → 顺丰" in page

    refused = as_owner.post("/carriers/rules/", {"text": "金额 > 500 → 顺丰\n天气 晴 → 中通\n默认 火星快递"})
    assert refused.status_code == 400
    assert "2 行看不懂，规则没有保存" in html(refused) and "第 2 行" in html(refused) and "第 3 行" in html(refused)
    assert "天气 晴 → 中通" in html(refused)  # the text typed is kept
    assert ChoiceRules.get().text == ""

    ok = as_owner.post("/carriers/rules/", {"text": "金额 > 500 → 顺丰\n默认 → 最便宜"}, follow=True)
    assert "规则已保存" in html(ok) and "<code>默认 → 最便宜</code>" in html(ok)
    assert ChoiceRules.get().text == "金额 > 500 → 顺丰\n默认 → 最便宜"


def test_number_pool_from_a_range_with_remaining_and_a_low_warning(as_owner):
    resp = as_owner.post("/carriers/pools/", {"carrier": "ZTO", "name": "11月", "warn_below": "50",
                                              "numbers": "73610555500001-73610555500010"}, follow=True)
    page = html(resp)
    assert "已加入 10 个 中通 单号" in page and "剩余 <strong>10</strong>" in page
    assert "单号快用完了" in page and PoolNumber.objects.count() == 10
    dup = as_owner.post("/carriers/pools/", {"carrier": "ZTO", "numbers": "73610555500001"})
    assert dup.status_code == 409 and "已在单号池里" in html(dup)


def test_try_detects_a_number_and_explains_an_order(as_owner):
    f.sku("A", stock=5)
    o = ready(("A", 1))

    page = html(as_owner.get("/carriers/try/", {"number": "SF1385628716739", "order": o.order_no}))

    assert "这个单号是哪家快递？" in page and "<strong>顺丰</strong>" in page
    assert "选中 <strong>演示快递</strong>" in page and "原因：最便宜" in page and "示例价格" in page
    frag = html(as_owner.get("/carriers/try/recommend/", {"order": o.order_no}, **HTMX))
    assert '<tr class="chosen">' in frag and "✓ 演示快递" in frag and "¥2.50" in frag
    assert "认不出 123 是哪家快递的单号" in html(as_owner.get("/carriers/try/detect/", {"number": "123"}, **HTMX))
    assert "找不到订单 NOPE" in html(as_owner.get("/carriers/try/recommend/", {"order": "NOPE"}, **HTMX))


# --- the order page fragment, English --------------------------------------------------------------


def test_order_parcels_fragment(owner, bench):
    request = RequestFactory().get("/")
    request.user = owner
    out = render_to_string("fulfilment/_order_parcels.html", {"order": bench["order"]}, request=request)
    p = bench["parcel"]
    assert f'href="/ship/parcels/{p.pk}/">FH000000000001</a>' in out and "演示快递" in out and "待打包" in out
    assert render_to_string("fulfilment/_order_parcels.html", {"order": f.order()}, request=request).strip() == ""


def test_ship_pages_in_english(as_owner, bench):
    as_owner.post("/i18n/setlang/", {"language": "en", "next": "/"})
    page = html(as_owner.get("/ship/"))
    assert "New wave" in page and "Scan & pack" in page and "<span>Ship</span>" in page
    scan = html(as_owner.post("/ship/scan/code/", {"code": "6975541000028", "parcel": bench["parcel"].pk}, **HTMX))
    assert "wrong item: not in this parcel" in scan and "错货" not in scan and "Scanned: 6975541000028" in scan


def test_every_word_on_the_empty_ship_pages_is_translated(as_owner):
    import re

    as_owner.post("/i18n/setlang/", {"language": "en", "next": "/"})
    for url in ("/ship/", "/ship/waves/new/", "/ship/scan/", "/ship/handover/", "/ship/export/", "/carriers/try/",
                "/carriers/pools/"):
        page = html(as_owner.get(url))
        main = re.sub(r"<(textarea|code)[^>]*>.*?</\1>", "", page[page.index("<main"):page.index("</main>")], flags=re.S)
        main = re.sub(r'placeholder="[^"]*"', "", main)  # examples of what to type are Chinese on purpose
        assert re.findall(r"[\u4e00-\u9fff]+", main) == [], url
    # the rule words are typed in Chinese, so the English help names them as they are
    assert "Conditions: destination in provinces or groups (偏远地区" in html(as_owner.get("/carriers/rules/"))
