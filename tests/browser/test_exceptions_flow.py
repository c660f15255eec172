"""The exception queue on a phone (390×844, zh-CN): the queue and its type filter, a parcel's tracking timeline,
and acting on an exception (assign to me, note, contact the carrier, resolve) until it leaves the open queue and
every step is on the order's timeline. Seeded through the factories, the ingest service and the sweep.

FAHUO_SCREENSHOTS=docs/screenshots keeps exceptions-queue.png, exception-case.png and parcel-timeline.png."""

from __future__ import annotations

import os

import pytest
from playwright.sync_api import expect

from fahuo.tracking.models import ExceptionCase
from tests.exception_seed import REFUSED_NO, seed

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = os.environ.get("FAHUO_SCREENSHOTS", "")
NO_PICKUP = "已发货 24 小时仍无揽收记录（虚假发货风险）"


def shot(page, name: str, full: bool = False) -> None:
    if SCREENSHOTS:
        if full:  # the fixed tab bar at the end of the page, not over its middle
            page.add_style_tag(content="body { position: relative; } .tabbar { position: absolute; }")
        page.wait_for_timeout(300)
        page.screenshot(path=os.path.join(SCREENSHOTS, f"{name}.png"), full_page=full)


def test_queue_shows_the_cases_and_the_type_filter_narrows_them(live_server, page, login, owner):
    s = seed()
    late = s.case("ship_by_passed").title
    login("boss")
    # one tap from 今日
    expect(page.locator(".home-exceptions")).to_contain_text("紧急 2")
    page.locator(".home-exceptions").click()
    page.wait_for_url(live_server.url + "/tracking/exceptions/")
    titles = page.locator(".case-card .case-title")
    expect(titles).to_have_text([late, NO_PICKUP, "收件人拒签"])
    expect(page.locator(".case-types a")).to_have_text(["全部 3", "超时未发货 1", "发货未揽收 1", "拒签 1"])
    expect(page.locator(".case-card").nth(2)).to_contain_text("2 小时前")
    expect(page.locator(".case-card").nth(2)).to_contain_text(REFUSED_NO)
    shot(page, "exceptions-queue")
    # when the type 拒签 is chosen: only that case, and the URL keeps the filter (back and refresh work)
    page.locator(".case-types a", has_text="拒签").click()
    expect(titles).to_have_text(["收件人拒签"])
    page.wait_for_url(live_server.url + "/tracking/exceptions/?type=refused")
    page.reload()
    expect(titles).to_have_text(["收件人拒签"])
    page.locator(".case-types a", has_text="发货未揽收").click()
    expect(titles).to_have_text([NO_PICKUP])
    page.go_back()
    page.wait_for_url(live_server.url + "/tracking/exceptions/?type=refused")
    expect(titles).to_have_text(["收件人拒签"])


def test_parcel_timeline_newest_first(live_server, page, login, owner):
    seed()
    login("boss")
    page.goto(live_server.url + "/tracking/exceptions/")
    page.locator(".case-card", has_text="收件人拒签").locator("a.waybill").click()
    page.wait_for_url(live_server.url + f"/tracking/parcels/{REFUSED_NO}/")
    expect(page.locator(".track-head .tstatus")).to_have_text("拒签")
    expect(page.locator("#track-number")).to_have_value(REFUSED_NO)
    expect(page.locator(".track-events .ctx")).to_have_text([
        "【北京市】收件人拒签，原因：不想要了", "【北京市】已到达 北京转运中心",
        "【杭州市】已离开 杭州转运中心；发往 北京转运中心", "【杭州市】圆通速递 西湖区文三路营业部 已揽收"])
    expect(page.locator(".track-events .city")).to_have_text(["北京市", "北京市", "杭州市", "杭州市"])
    expect(page.locator(".parcel-cases")).to_contain_text("收件人拒签")
    shot(page, "parcel-timeline", full=True)


def test_acting_on_an_exception_until_it_leaves_the_open_queue(live_server, page, login, owner):
    s = seed()
    order_no = s.refused.order.order_no
    case = s.case("refused")
    login("boss")
    page.goto(live_server.url + "/tracking/exceptions/")
    page.locator(".case-card .case-title", has_text="收件人拒签").click()
    page.wait_for_url(live_server.url + f"/tracking/exceptions/{case.pk}/")
    expect(page.locator("h1")).to_have_text("异常：拒签")

    # assign to me
    page.get_by_role("button", name="指派给我").click()
    expect(page.locator("#flash")).to_contain_text("已指派给 boss")
    expect(page.locator(".case-head .assignee")).to_have_text("boss")

    # a note
    page.fill(".note-form textarea", "买家电话没人接")
    page.get_by_role("button", name="添加备注").click()
    expect(page.locator("#flash")).to_contain_text("备注已添加")
    expect(page.locator(".notes li").first).to_contain_text("买家电话没人接")

    # contact the carrier: the phone to call and the number to read out
    tel = page.locator("a.tel")
    expect(tel).to_have_attribute("href", "tel:95554")
    expect(tel).to_have_text("拨打圆通客服 95554")
    expect(page.locator("#waybill-copy")).to_have_value(REFUSED_NO)
    expect(page.locator("#waybill-copy")).to_have_attribute("readonly", "")
    expect(page.locator("[data-copy='#waybill-copy']")).to_have_text("复制")
    shot(page, "exception-case", full=True)
    page.fill(".contact input[name=note]", "网点说明天再派一次")
    page.get_by_role("button", name="已联系快递").click()
    expect(page.locator("#flash")).to_contain_text("已记录：联系过快递")
    expect(page.locator(".notes li.contacted")).to_contain_text("网点说明天再派一次")

    # resolve with a quick choice and a word
    page.locator("details.resolve summary").click()
    page.locator("details.resolve label", has_text="快递已恢复派送").click()
    page.fill("details.resolve input[name=text]", "明天到")
    page.locator("details.resolve button[type=submit]").click()
    expect(page.locator("#flash")).to_contain_text("异常已解决")
    expect(page.locator(".case-head .resolution")).to_contain_text("快递已恢复派送：明天到")
    assert ExceptionCase.objects.get(pk=case.pk).state == "resolved"

    # the open queue no longer has it
    page.goto(live_server.url + "/tracking/exceptions/")
    expect(page.locator(".case-card .case-title")).to_have_count(2)
    expect(page.locator(".case-list")).not_to_contain_text("收件人拒签")

    # and the order's timeline shows each step
    page.goto(live_server.url + f"/orders/{order_no}/")
    heads = page.locator(".timeline li .tl-head strong")
    expect(heads).to_contain_text(["发现异常", "异常指派", "异常备注", "已联系快递", "异常已解决"])
    expect(page.locator(".timeline")).to_contain_text(f"已联系圆通（{REFUSED_NO}）：网点说明天再派一次")
    expect(page.locator(".timeline")).to_contain_text("收件人拒签：快递已恢复派送：明天到")
