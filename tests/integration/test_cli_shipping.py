"""`fahuo wave|ship|export|carrier|pool …` in-process on the test database: exit statuses and output shapes."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from fahuo.carriers.models import ChoiceRules, PoolNumber, RateRow
from fahuo.cli import main
from fahuo.fulfilment.models import BatchExport, Document, Parcel, Wave
from fahuo.fulfilment.services import packing
from fahuo.inventory.models import StockLevel
from fahuo.orders.models import Order
from fahuo.orders.services import decide
from tests import factories as f

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 24, 2, 30, tzinfo=UTC)


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.fixture
def frozen(monkeypatch):
    monkeypatch.setattr("fahuo.core.clock.now", lambda: NOW)


@pytest.fixture
def data_dir(settings, tmp_path):
    settings.DATA_DIR = tmp_path / "data"
    return settings.DATA_DIR


def ready(*lines, **kw) -> Order:
    o = f.order(*lines, **kw)
    decide.confirm(order_no=o.order_no, by=None)
    return o


def pack_all() -> None:
    for p in Parcel.objects.filter(state="open"):
        for it in p.items.select_related("line__sku"):
            for _ in range(it.qty - it.scanned):
                packing.scan_item(parcel_id=p.pk, code=it.line.sku.code)
        packing.complete(parcel_id=p.pk)


# ------------------------------------------------------------------------------------------------ waves


def test_wave_create_json(capsys, frozen):
    f.sku("A", stock=10)
    a = ready(("A", 1), order_no="1000000000000000001")
    ready(("A", 1), order_no="1000000000000000002")

    code, out, err = run(capsys, "wave", "create", "--order", a.order_no, "--size", "a4", "--json")

    assert (code, err) == (0, "")
    w = Wave.objects.get()
    assert json.loads(out) == {
        "wave": {"id": w.pk, "no": "W261124-01", "state": "open", "label_size": "a4",
                 "filters": {"order_nos": [a.order_no], "limit": 500}, "created_at": w.created_at.isoformat(),
                 "created_by": None, "parcels": 1, "packed": 0, "shipped": 0},
        "added": [a.order_no], "skipped": []}
    assert out.count("\n") == 1
    assert Parcel.objects.get().waybill == "FH000000000001"


def test_wave_create_by_filters_and_the_human_line(capsys, frozen):
    f.sku("A", stock=10)
    f.sku("B", stock=10)
    ready(("A", 1), order_no="A1")
    ready(("B", 1), order_no="B1")

    code, out, _ = run(capsys, "wave", "create", "--sku", "B", "--carrier", "演示快递", "--province", "浙江",
                       "--due-before", "2030-01-01T00:00", "--limit", "10")

    assert code == 0
    assert out == f"批次 W261124-01（id {Wave.objects.get().pk}）：1 单，面单 76x130\n"
    assert list(Parcel.objects.values_list("order__order_no", flat=True)) == ["B1"]
    assert Wave.objects.get().filters == {"carrier": "DEMO", "sku": "B", "province": "浙江",
                                          "ship_by_before": "2030-01-01T00:00:00+08:00", "limit": 10}


def test_wave_create_with_nothing_to_do_exits_1(capsys):
    f.order(order_no="R1")  # still in review

    code, out, err = run(capsys, "wave", "create", "--order", "R1", "--json")

    assert code == 1
    assert json.loads(out) == {"wave": None, "added": [], "skipped": []}
    assert "没有可以加入批次的订单" in err


def test_wave_create_refuses_an_unknown_carrier_or_a_bad_time(capsys):
    bad_carrier, _, err1 = run(capsys, "wave", "create", "--carrier", "火星快递")
    bad_time, _, err2 = run(capsys, "wave", "create", "--due-before", "tomorrow")

    assert (bad_carrier, bad_time) == (1, 1)
    assert err1 == "错误：未知的快递公司 火星快递 (unknown carrier)\n"
    assert "看不懂" in err2
    assert Wave.objects.count() == 0


def test_wave_list(capsys, frozen):
    f.sku("A", stock=10)
    ready(("A", 1))
    run(capsys, "wave", "create")

    code, out, _ = run(capsys, "wave", "list", "--json")
    human, text, _ = run(capsys, "wave", "list")

    assert code == human == 0
    assert [(w["no"], w["parcels"]) for w in json.loads(out)] == [("W261124-01", 1)]
    assert text.splitlines()[0].split() == ["id", "批次号", "状态", "包裹", "已打包", "已发货", "面单", "创建时间"]
    assert text.splitlines()[1].split()[1:7] == ["W261124-01", "拣货中", "1", "0", "0", "76x130"]


def test_wave_pdf_renders_now_and_writes_the_file(capsys, tmp_path, data_dir):
    f.sku("A", stock=10)
    ready(("A", 1))
    ready(("A", 2))
    run(capsys, "wave", "create")
    w = Wave.objects.get()
    out_path = tmp_path / "labels.pdf"

    code, out, err = run(capsys, "wave", "pdf", str(w.pk), "--out", str(out_path))
    code2, out2, _ = run(capsys, "wave", "pdf", w.no, "--kind", "picklist", "--json")

    assert (code, out, err) == (0, f"{out_path}\n", "")
    assert out_path.read_bytes().startswith(b"%PDF")
    assert code2 == 0
    doc = json.loads(out2)
    assert {k: doc[k] for k in ("wave", "kind", "size", "state", "error")} == {
        "wave": w.no, "kind": "picklist", "size": "76x130", "state": "done", "error": ""}
    assert doc["path"].startswith(str(data_dir)) and Path(doc["path"]).read_bytes().startswith(b"%PDF")
    assert doc["pdf_url"] == f"/api/ship/documents/{doc['id']}/pdf"
    labels = Document.objects.get(kind="labels")
    assert (labels.state, labels.total, labels.done) == ("done", 2, 2)
    assert list(Parcel.objects.values_list("label_prints", flat=True)) == [1, 1]


def test_wave_pdf_of_an_unknown_wave_exits_1(capsys):
    code, out, err = run(capsys, "wave", "pdf", "999")

    assert (code, out) == (1, "")
    assert err == "错误：批次 999 不存在 (wave not found)\n"


# ------------------------------------------------------------------------------------------------ ship


def test_ship_each_code_separately_and_exit_1_when_one_is_refused(capsys):
    f.sku("A", stock=10)
    a = ready(("A", 1), order_no="1000000000000000001")
    b = ready(("A", 1), order_no="1000000000000000002")
    run(capsys, "wave", "create")
    pack_all()
    Order.objects.filter(pk=b.pk).update(refund_requested=True)

    code, out, _ = run(capsys, "ship", "FH000000000001", b.order_no, "NOPE")

    assert code == 1
    lines = out.splitlines()
    assert lines[0] == f"FH000000000001  已发货：演示快递 FH000000000001（订单 {a.order_no}）"
    assert lines[1].startswith(f"{b.order_no}  未发货：拦截！订单 {b.order_no} 买家申请了退款")
    assert lines[2] == "NOPE  未发货：找不到“NOPE”对应的包裹 (no parcel for NOPE)"
    assert lines[3] == "共 3 个，发货 1，未发货 2"
    assert list(Parcel.objects.order_by("id").values_list("state", flat=True)) == ["shipped", "packed"]
    assert StockLevel.objects.get().allocated == 1


def test_ship_json_and_twice_is_harmless(capsys):
    f.sku("A", stock=10)
    a = ready(("A", 1), order_no="1000000000000000001")
    run(capsys, "wave", "create")
    pack_all()

    code, out, _ = run(capsys, "ship", "FH000000000001", "--json")
    again, out2, _ = run(capsys, "ship", a.order_no, "--json")

    assert (code, again) == (0, 0)
    [r] = json.loads(out)
    assert (r["code"], r["parcel"]["state"], r["parcel"]["waybill"], r["parcel"]["order_no"]) == (
        "FH000000000001", "shipped", "FH000000000001", a.order_no)
    assert json.loads(out2)[0]["parcel"] == r["parcel"]
    assert StockLevel.objects.get().on_hand == 9


def test_ship_a_wave(capsys):
    f.sku("A", stock=10)
    ready(("A", 1))
    ready(("A", 1))
    run(capsys, "wave", "create")
    w = Wave.objects.get()
    first = Parcel.objects.order_by("id").first()
    packing.scan_item(parcel_id=first.pk, code="A")
    packing.complete(parcel_id=first.pk)

    code, out, _ = run(capsys, "ship", "--wave", str(w.pk), "--json")

    assert (code, json.loads(out)) == (0, {"wave": w.no, "shipped": ["FH000000000001"],
                                           "not_packed": ["FH000000000002"], "intercepted": []})


def test_ship_needs_codes_or_a_wave_not_both(capsys):
    none, _, err = run(capsys, "ship")
    both, _, err2 = run(capsys, "ship", "X", "--wave", "1")

    assert (none, both) == (1, 1)
    assert "--wave" in err and "--wave" in err2


# ------------------------------------------------------------------------------------------------ export


def test_export_batch_ship_json_and_file(capsys, tmp_path, data_dir):
    f.sku("A", stock=10)
    ready(("A", 1), order_no="1000000000000000001")
    run(capsys, "wave", "create")
    pack_all()
    run(capsys, "ship", "FH000000000001")
    out_path = tmp_path / "发货.csv"

    skipped, out0, _ = run(capsys, "export", "batch-ship", "--json")
    code, out, err = run(capsys, "export", "batch-ship", "--include-sandbox", "--out", str(out_path), "--json")
    again, out2, _ = run(capsys, "export", "batch-ship", "--include-sandbox")
    everything, out3, _ = run(capsys, "export", "batch-ship", "--all", "--include-sandbox", "--format", "xlsx",
                              "--json")

    assert (skipped, json.loads(out0)["rows"]) == (0, 0)
    e = BatchExport.objects.order_by("id")[1]
    assert (code, err, json.loads(out)) == (0, "", {"id": e.pk, "fmt": "csv", "rows": 1, "path": str(out_path)})
    assert list(csv.reader(io.StringIO(out_path.read_bytes().decode("utf-8-sig")))) == [
        ["订单编号", "物流公司", "运单号", "子订单编号"], ['="1000000000000000001"', "演示快递", "FH000000000001", ""]]
    assert again == 0 and out2.startswith("没有新的已发货包裹，文件只有表头：")
    got = json.loads(out3)
    assert (everything, got["fmt"], got["rows"]) == (0, "xlsx", 1)
    assert Path(got["path"]).parent == data_dir / "exports"


# ------------------------------------------------------------------------------------------------ carriers, pools


def test_carrier_detect_json(capsys):
    code, out, _ = run(capsys, "carrier", "detect", "7732 7702 7280 336", "--json")

    assert (code, json.loads(out)) == (0, {"number": "773277027280336", "candidates": [
        {"code": "STO", "name": "申通", "score": 0.7}, {"code": "YUNDA", "name": "韵达", "score": 0.2}]})
    assert out == ('{"number": "773277027280336", "candidates": [{"code": "STO", "name": "申通", "score": 0.7}, '
                   '{"code": "YUNDA", "name": "韵达", "score": 0.2}]}\n')


def test_carrier_detect_uses_the_sellers_mix_and_says_when_nothing_fits(capsys):
    o = f.order()
    Parcel.objects.create(order=o, carrier_code="POSTB")

    code, out, _ = run(capsys, "carrier", "detect", "9812345678901")
    none, out2, err = run(capsys, "carrier", "detect", "hello", "--json")

    assert code == 0
    assert out.splitlines()[0] == "9812345678901"
    assert [ln.split() for ln in out.splitlines()[1:]] == [["代码", "快递", "分数"], ["POSTB", "邮政", "0.50"],
                                                           ["EMS", "EMS", "0.06"], ["YUNDA", "韵达", "0.02"]]
    assert (none, json.loads(out2)) == (1, {"number": "HELLO", "candidates": []})
    assert "认不出 HELLO" in err


def test_carrier_rules_set_and_show(capsys, tmp_path):
    good = tmp_path / "rules.txt"
    good.write_bytes("目的地 in 新疆,西藏 → 邮政\n默认 → 最便宜\n".encode("gb18030"))
    bad = tmp_path / "bad.txt"
    bad.write_text("金额 > 500 → 顺丰\n重量 很重 → 德邦\n", encoding="utf-8")

    code, out, _ = run(capsys, "carrier", "rules", "set", str(good))
    shown, text, _ = run(capsys, "carrier", "rules", "show")
    as_json, js, _ = run(capsys, "carrier", "rules", "show", "--json")
    refused, _, err = run(capsys, "carrier", "rules", "set", str(bad))
    missing, _, err2 = run(capsys, "carrier", "rules", "set", str(tmp_path / "nope.txt"))

    assert (code, out) == (0, "已保存 2 条规则\n")
    assert (shown, text) == (0, "目的地 in 新疆,西藏 → 邮政\n默认 → 最便宜\n")
    assert [(r["number"], r["action"], r["carrier"]) for r in json.loads(js)["rules"]] == [
        (1, "carrier", "POSTB"), (2, "cheapest", None)]
    assert refused == 1
    assert err.splitlines()[0] == "错误：规则有误，未保存 (rules have errors; nothing saved)"
    assert err.splitlines()[1].startswith("  第 2 行：")
    assert missing == 2 and "无法读取文件" in err2
    assert ChoiceRules.get().text == "目的地 in 新疆,西藏 → 邮政\n默认 → 最便宜\n"


def test_carrier_rates_import(capsys, tmp_path):
    good = tmp_path / "rates.csv"
    good.write_text("快递公司,目的省份,首重价格,续重价格,时效(天)\n中通快递,江浙沪,3,1,1-2\n", encoding="utf-8-sig")
    bad = tmp_path / "bad.csv"
    bad.write_text("快递公司,目的省份,首重价格,续重价格\n火星快递,浙江,3,1\n", encoding="utf-8")

    code, out, _ = run(capsys, "carrier", "rates", "import", str(good), "--json")
    refused, out2, _ = run(capsys, "carrier", "rates", "import", str(bad))

    assert (code, json.loads(out)) == (0, {"stored": 3, "rejected": []})
    assert refused == 1
    assert out2 == "有 1 行有误，什么都没保存 (nothing stored)\n  第 2 行：不认识的快递公司：'火星快递'\n"
    assert sorted(RateRow.objects.values_list("province", flat=True)) == ["上海市", "江苏省", "浙江省"]


def test_pool_add_numbers_and_a_file(capsys, tmp_path):
    numbers = tmp_path / "zto.txt"
    numbers.write_text("73100000000010\n73100000000011, 73100000000012\n", encoding="utf-8")

    code, out, _ = run(capsys, "pool", "add", "中通", "73100000000001-73100000000003", "--json")
    code2, out2, _ = run(capsys, "pool", "add", "ZTO", "--file", str(numbers), "--warn-below", "100")
    dup, _, err = run(capsys, "pool", "add", "ZTO", "73100000000001")

    got = json.loads(out)
    assert (code, got) == (0, {"id": got["id"], "carrier": "ZTO", "name": "", "added": 3, "left": 3, "warn_below": 50})
    assert (code2, out2) == (0, "已加入 3 个单号到中通单号池，剩余 6\n单号不多了（少于 100），请补充 (pool is running low)\n")
    assert dup == 1 and "已在单号池里" in err
    assert PoolNumber.objects.count() == 6
