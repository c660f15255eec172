"""The packer's afternoon on a phone (390×844, zh-CN): build a wave, tick the pick list, scan-verify a parcel
(a wrong item first) by typing into the scan input + Enter as a keyboard-wedge scanner does, ship by handover
scan, and download the batch-ship file."""

from __future__ import annotations

import os

import pytest
from playwright.sync_api import expect

from fahuo.fulfilment.models import Parcel, ScanEvent, Wave
from fahuo.orders.models import Order
from fahuo.orders.services import decide
from tests import factories as f

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = os.environ.get("FAHUO_SCREENSHOTS", "")  # a directory: keep the screens of this flow there


def ready(*lines, **kw) -> Order:
    o = f.order(*lines, **kw)
    decide.confirm(order_no=o.order_no, by=None)
    return o


def wedge(page, code: str) -> None:
    """A keyboard-wedge scanner: types into whatever has the focus, then presses Enter.

    A person scans the next code after the last answer has settled (beep, banner): wait for the scan input to
    be ready for it (empty, or its old code selected so the new one replaces it), as scan.js leaves it."""
    page.wait_for_function("""() => {
      const i = document.querySelector("[data-scan-input]");
      if (!i || document.activeElement !== i) return !i;
      return i.value === "" || (i.selectionStart === 0 && i.selectionEnd === i.value.length);
    }""")
    page.keyboard.type(code, delay=5)
    page.keyboard.press("Enter")


def shot(page, name: str) -> None:
    if SCREENSHOTS:
        page.wait_for_timeout(400)  # let the green flash settle
        page.screenshot(path=os.path.join(SCREENSHOTS, f"{name}.png"))


def test_wave_pick_scan_handover_export(live_server, page, login, packer, tmp_path):
    # given two SKUs on the shelf and two confirmed orders
    f.sku("LJ-250", stock=20, barcode="6975541000011", title="西湖龙井 250g", location="A-01")
    f.sku("BLC-100", stock=20, barcode="6975541000028", title="碧螺春 100g", location="A-02")
    first = ready(("LJ-250", 2), name="张三丰", phone="13812345678", message="请轻拿轻放")
    second = ready(("BLC-100", 1), name="李四", phone="13912345678")
    page.on("dialog", lambda d: d.accept())  # hx-confirm
    login("packer")

    # when the packer builds a wave from the 发货 tab
    page.get_by_role("link", name="发货", exact=True).click()
    page.get_by_role("button", name="新建批次").click()  # an <a role=button>
    expect(page.locator("#wave-count")).to_contain_text("符合条件的待发货订单 2 单")
    page.get_by_role("button", name="建批次并取运单号").click()

    # then the wave page lists both parcels with their sandbox numbers, names masked for a packer
    expect(page.locator("h1")).to_contain_text("批次 W")
    wave = Wave.objects.get()
    expect(page.locator("h1")).to_have_text(f"批次 {wave.no}")
    expect(page.locator(".parcel-card")).to_have_count(2)
    expect(page.locator("main")).to_contain_text("张**")
    assert "13812345678" not in page.content()
    p1, p2 = Parcel.objects.get(order=first), Parcel.objects.get(order=second)
    shot(page, "wave")

    # when she opens the pick list and ticks the first row
    page.get_by_role("button", name="拣货单", exact=True).click()
    rows = page.locator(".pick-row")
    expect(rows).to_have_count(2)
    expect(rows.first).to_contain_text("A-01")
    rows.first.locator("input[type=checkbox]").check()
    expect(rows.first).to_have_class("pick-row picked")
    expect(page.locator(".pick-progress")).to_contain_text("已拣 1 / 2")
    assert Wave.objects.get().picked == ["LJ-250"]

    # when she scans the first parcel's label at the bench, then a wrong item
    page.get_by_role("button", name="拣完了，去验货打包").click()
    scan_input = page.locator("#scan-form-input")
    expect(scan_input).to_be_focused()
    page.evaluate("""() => {  // what scan.js hears from the server, and what it asks the phone to buzz
      window.heard = []; window.buzzed = [];
      document.addEventListener("fahuo:scan", e => window.heard.push(e.detail.result));
      navigator.vibrate = pattern => { window.buzzed.push(pattern); return true; };
    }""")
    wedge(page, p1.waybill)
    expect(page.locator("#bench")).to_contain_text(p1.waybill)
    expect(page.locator(".bench-item .count")).to_have_text("0/2")
    wedge(page, "6975541000028")

    # then a loud red banner names the wrong item, nothing is counted, and the input keeps the focus
    alarm = page.locator(".alarm")
    expect(alarm).to_contain_text("错货！“碧螺春 100g”(BLC-100) 不在这个包裹里")
    expect(page.locator(".bench-item .count")).to_have_text("0/2")
    expect(scan_input).to_be_focused()
    assert page.evaluate("window.heard") == ["found", "alarm"]
    assert page.evaluate("window.buzzed") == [[250, 100, 250, 100, 250]]
    shot(page, "scan")

    # when she scans the right item twice
    wedge(page, "6975541000011")
    expect(page.locator(".bench-item .count")).to_have_text("1/2")
    expect(alarm).to_have_count(0)
    wedge(page, "6975541000011")
    expect(page.locator(".bench-item")).to_have_class("bench-item done hit")
    expect(scan_input).to_be_focused()

    # and finishes the parcel with its weight
    page.fill("input[name=weight]", "620")
    page.get_by_role("button", name="完成打包").click()
    expect(page.locator(".packed-card")).to_contain_text(p1.waybill)
    expect(scan_input).to_have_value("")
    expect(scan_input).to_be_focused()
    p1.refresh_from_db()
    assert (p1.state, p1.weight_g) == ("packed", 620)
    assert list(ScanEvent.objects.filter(parcel=p1).values_list("result", flat=True)) == ["wrong_item", "ok", "ok"]

    # the second parcel: its order number, its item, and the label again to finish
    wedge(page, second.order_no)
    expect(page.locator("#bench")).to_contain_text(p2.waybill)
    wedge(page, "BLC-100")
    expect(page.locator(".complete-form")).to_be_visible()
    wedge(page, p2.waybill)
    expect(page.locator(".packed-card")).to_contain_text(p2.waybill)

    # when the courier comes: a handover, one parcel scanned, then closed
    page.goto(live_server.url + "/ship/handover/")
    page.locator("form.carrier-start button[value=DEMO]").click()
    expect(page.locator("h1")).to_have_text("交接 · 演示快递")
    expect(page.locator("#handover-form-input")).to_be_focused()
    wedge(page, p1.waybill)
    expect(page.locator(".handover-rows li.hit")).to_contain_text(p1.waybill)
    page.get_by_role("button", name="结束交接").click()

    # then the parcel scanned is shipped and the one left behind is listed in red
    expect(page.locator(".left-behind")).to_contain_text(p2.waybill)
    assert Parcel.objects.get(pk=p1.pk).state == "shipped"
    assert Order.objects.get(pk=first.pk).status == "shipped"
    assert Parcel.objects.get(pk=p2.pk).state == "packed"

    # when she exports the batch-ship file (demo numbers included, as this is the sandbox)
    page.goto(live_server.url + "/ship/export/")
    page.get_by_label("包括演示快递").check()
    with page.expect_download() as info:
        page.get_by_role("button", name="导出并下载").click()
    download = info.value
    path = tmp_path / download.suggested_filename
    download.save_as(path)

    # then the file starts with the 卖家中心 header and carries the shipped parcel only
    lines = path.read_bytes().decode("utf-8-sig").splitlines()
    assert download.suggested_filename.startswith("batch-ship-") and path.suffix == ".csv"
    assert lines[0] == "订单编号,物流公司,运单号,子订单编号"
    assert lines[1:] == [f"{first.platform_order_no},演示快递,{p1.waybill},"]


def test_the_camera_decoder_and_its_wasm_come_from_fahuo_itself(live_server, page, login, packer):
    """The polyfill the camera button loads decodes a Code 128 with the wasm fahuo serves (application/wasm),
    and nothing is fetched from anywhere else (no CDN: slow or blocked in China, useless offline)."""
    from fahuo.fulfilment.barcodes import code128_symbol

    symbol = code128_symbol("FH000000000001")
    login("packer")
    elsewhere, wasm = [], []
    page.on("request", lambda r: None if r.url.startswith(live_server.url) else elsewhere.append(r.url))
    page.on("response", lambda r: wasm.append(r.headers.get("content-type")) if r.url.endswith(".wasm") else None)
    page.goto(live_server.url + "/ship/scan/")

    decoded = page.evaluate("""async ({bars, modules}) => {
      const box = document.querySelector("[data-scanbox]");
      const m = 3, q = 10, c = document.createElement("canvas");
      c.width = (modules + 2 * q) * m; c.height = 120;
      const g = c.getContext("2d");
      g.fillStyle = "#fff"; g.fillRect(0, 0, c.width, c.height); g.fillStyle = "#000";
      for (const [x, w] of bars) g.fillRect((q + x) * m, 10, w * m, 100);
      await new Promise((ok, bad) => { const s = document.createElement("script"); s.src = box.dataset.polyfill;
                                       s.onload = ok; s.onerror = bad; document.head.appendChild(s); });
      await BarcodeDetectionAPI.prepareZXingModule({fireImmediately: true, overrides: {
        locateFile: (path, prefix) => path.endsWith(".wasm") ? box.dataset.wasmBase + path : prefix + path}});
      const found = await new BarcodeDetectionAPI.BarcodeDetector({formats: ["code_128"]}).detect(c);
      return found.map(b => b.rawValue);
    }""", {"bars": [list(b) for b in symbol.bars], "modules": symbol.modules})

    assert decoded == ["FH000000000001"]
    assert wasm == ["application/wasm"]
    assert elsewhere == []
