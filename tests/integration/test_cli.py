"""`fahuo …` in-process on the test database: the CLI contract of issue 2, exit statuses and output shapes."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from fahuo.cli import main
from fahuo.core.models import ApiToken, User
from fahuo.inventory.models import Movement, Sku, StockLevel
from fahuo.orders.models import Order
from tests import factories as f

pytestmark = pytest.mark.django_db

HEADER = ("订单编号,买家会员名,买家实际支付金额,订单状态,买家留言,收货人姓名,收货地址,联系手机,订单创建时间,"
          "订单付款时间,宝贝标题,宝贝种类,宝贝总数量,物流单号,物流公司,订单备注")


def row(no: str, *, status: str = "买家已付款，等待卖家发货", address: str = "浙江省 杭州市 西湖区 文三路90号(310000)",
        waybill: str = "", carrier: str = "") -> str:
    return (f'="{no}",tb_{no[-3:]},99.00,{status},,张三,{address},13812345678,2026-11-20 10:00:00,'
            f"2026-11-20 10:01:00,西湖龙井 250g,1,1,{waybill},{carrier},")


def write_report(tmp_path: Path, *rows: str, name: str = "ExportOrderList.csv") -> Path:
    p = tmp_path / name
    p.write_bytes(("\r\n".join([HEADER, *rows]) + "\r\n").encode("gb18030"))
    return p


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


# ------------------------------------------------------------------------------------------------ import orders


def test_import_orders_json_counts_and_names_the_bad_line(tmp_path, capsys):
    f.sku("LJ-250", title="西湖龙井 250g")
    path = write_report(tmp_path, row("1000000000000000001"), row("1000000000000000002"), row("2.34568E+18"),
                        row("1000000000000000004", status="卖家已发货，等待买家确认", waybill="SF1234567890123",
                            carrier="顺丰速运"))

    code, out, err = run(capsys, "import", "orders", str(path), "--json")

    assert (code, err) == (0, "")
    got = json.loads(out)
    assert (got["created"], got["updated"], got["unchanged"]) == (3, 0, 0)
    assert [(r["row"], r["code"]) for r in got["rejected"]] == [(4, "order_no_scientific")]
    assert "科学计数法" in got["rejected"][0]["reason"]
    assert out.count("\n") == 1  # exactly one JSON object
    assert Order.objects.get(order_no="1000000000000000004").status == "shipped"


def test_import_same_file_again_is_all_unchanged(tmp_path, capsys):
    path = write_report(tmp_path, row("1000000000000000001"), row("1000000000000000002"))
    run(capsys, "import", "orders", str(path), "--json")

    code, out, _ = run(capsys, "import", "orders", str(path), "--json")

    assert (code, json.loads(out)) == (0, {"created": 0, "updated": 0, "unchanged": 2, "rejected": []})


def test_import_human_output_is_chinese(tmp_path, capsys):
    path = write_report(tmp_path, row("1000000000000000001"), row("2.34568E+18"))

    code, out, _ = run(capsys, "import", "orders", str(path))

    assert code == 0
    assert out.splitlines()[0] == "新建 1，更新 0，未变 0，拒绝 1"
    assert out.splitlines()[1].startswith("  第 3 行：")


def test_import_of_a_missing_file_exits_2(tmp_path, capsys):
    code, out, err = run(capsys, "import", "orders", str(tmp_path / "nope.csv"), "--json")

    assert (code, out) == (2, "")
    assert "无法读取文件" in err and "nope.csv" in err
    assert Order.objects.count() == 0


def test_import_of_an_unreadable_file_exits_2(tmp_path, capsys):
    p = tmp_path / "photo.csv"
    p.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")

    code, out, err = run(capsys, "import", "orders", str(p), "--json")

    assert (code, out) == (2, "")
    assert err.startswith("错误：")
    assert Order.objects.count() == 0


def test_import_with_the_items_report(tmp_path, capsys):
    f.sku("LJ-250", title="西湖龙井 250g")
    orders = write_report(tmp_path, row("1000000000000000001"))
    items = tmp_path / "items.csv"
    items.write_bytes("订单编号,标题,价格,购买数量,外部系统编号,商品属性,套餐信息,备注,订单状态,商家编码\r\n"
                      '="1000000000000000001",西湖龙井 250g,49.50,2,LJ,,,,买家已付款，等待卖家发货,LJ-250\r\n'
                      .encode("gb18030"))

    code, out, _ = run(capsys, "import", "orders", str(orders), "--items", str(items), "--json")

    assert (code, json.loads(out)["created"]) == (0, 1)
    line = Order.objects.get().lines.get()
    assert (line.sku.code, line.qty) == ("LJ-250", 2)


# ------------------------------------------------------------------------------------------------ orders


def test_orders_list_json_has_the_contract_shape(tmp_path, capsys):
    f.sku("LJ-250", title="西湖龙井 250g")
    path = write_report(tmp_path, row("1000000000000000001"),
                        row("1000000000000000002", address="北京 北京市 朝阳区 建国路1号"),
                        row("1000000000000000003", status="交易成功", waybill="YT1234567890123", carrier="圆通速递"))
    run(capsys, "import", "orders", str(path))

    code, out, _ = run(capsys, "orders", "list", "--json")

    assert code == 0
    orders = {o["order_no"]: o for o in json.loads(out)}
    assert set(orders) == {"1000000000000000001", "1000000000000000002", "1000000000000000003"}
    o = orders["1000000000000000001"]
    assert {"order_no", "status", "platform_status", "receiver", "problems", "lines", "paid_at", "ship_by",
            "waybills"} <= set(o)
    assert (o["status"], o["platform_status"]) == ("review", "wait_send")
    assert o["receiver"] == {"name": "张三", "phone": "13812345678", "phone_kind": "mobile", "province": "浙江省",
                             "city": "杭州市", "district": "西湖区", "detail": "文三路90号"}
    assert o["lines"][0]["title"] == "西湖龙井 250g" and o["lines"][0]["qty"] == 1
    assert o["paid_at"] == "2026-11-20T02:01:00+00:00"
    assert o["ship_by"] == "2026-11-22T02:01:00+00:00"
    bj = orders["1000000000000000002"]["receiver"]
    assert (bj["province"], bj["city"], bj["district"]) == ("北京市", "北京市", "朝阳区")
    done = orders["1000000000000000003"]
    assert (done["status"], done["waybills"]) == ("completed", ["YT1234567890123"])


def test_orders_list_status_filter_and_unknown_status(capsys):
    f.order(order_no="A1")
    f.order(order_no="H1", status="held")

    code, out, _ = run(capsys, "orders", "list", "--status", "held", "--json")
    bad, _, err = run(capsys, "orders", "list", "--status", "lost")

    assert (code, [o["order_no"] for o in json.loads(out)]) == (0, ["H1"])
    assert bad == 1 and "未知状态：lost" in err


def test_orders_list_json_of_nothing_is_an_empty_array(capsys):
    code, out, _ = run(capsys, "orders", "list", "--json")

    assert (code, json.loads(out)) == (0, [])


def test_orders_list_human_table(capsys):
    f.sku("TEA-1")
    f.order(("TEA-1", 2), order_no="A1")

    code, out, _ = run(capsys, "orders", "list")

    lines = out.splitlines()
    assert code == 0
    assert lines[0].split() == ["订单编号", "状态", "收货人", "地区", "宝贝", "问题"]
    assert lines[1].split() == ["A1", "待审核", "张三", "浙江省杭州市西湖区", "TEA-1×2"]
    assert lines[-1] == "共 1 单"


def test_orders_confirm_json(capsys):
    f.sku("TEA-1", stock=3)
    f.order(("TEA-1", 2), order_no="A1")
    f.order(("TEA-1", 2), order_no="A2")

    code, out, _ = run(capsys, "orders", "confirm", "A1", "A2", "--json")

    assert code == 0
    assert json.loads(out) == [{"order_no": "A1", "status": "ready"},
                               {"order_no": "A2", "status": "short", "short": {"TEA-1": 1}}]


def test_orders_confirm_all_ok_skips_orders_with_problems(capsys):
    f.sku("TEA-1", stock=5)
    f.order(("TEA-1", 1), order_no="OK1")
    f.order(("TEA-1", 1), order_no="MSG", message="请发顺丰")

    code, out, _ = run(capsys, "orders", "confirm", "--all-ok")

    assert code == 0
    assert out.splitlines()[0] == "OK1  已确认，库存已占用"
    assert Order.objects.get(order_no="MSG").status == "review"


def test_orders_confirm_refused_exits_1_and_changes_nothing(capsys):
    f.sku("TEA-1", stock=5)
    f.order(("TEA-1", 1), order_no="C1", platform_status="closed")

    code, out, _ = run(capsys, "orders", "confirm", "C1", "--json")

    assert code == 1
    [res] = json.loads(out)
    assert (res["order_no"], res["status"], res["error"]["code"]) == ("C1", "review", "blocking_problems")
    assert StockLevel.objects.get().allocated == 0


def test_orders_confirm_needs_order_numbers_or_all_ok(capsys):
    code, _, err = run(capsys, "orders", "confirm")

    assert code == 1 and "--all-ok" in err


# ------------------------------------------------------------------------------------------------ stock and SKUs


def test_stock_receive_and_list(capsys):
    f.sku("TEA-1")
    f.sku("TEA-2", stock=4)

    code, out, _ = run(capsys, "stock", "receive", "TEA-1", "5", "--location", "A-01", "--reason", "到货")
    assert (code, out) == (0, "已入库 TEA-1 ×5（库位 A-01）：现有 5，已占用 0，可用 5\n")
    code, out, _ = run(capsys, "stock", "list", "--json")

    assert code == 0
    rows = json.loads(out)
    assert [(r["sku"], r["on_hand"], r["allocated"], r["available"]) for r in rows] == [("TEA-1", 5, 0, 5),
                                                                                        ("TEA-2", 4, 0, 4)]
    mv = Movement.objects.filter(sku__code="TEA-1").get()
    assert (mv.kind, mv.on_hand_delta, mv.reason, mv.location.code) == ("receive", 5, "到货", "A-01")


def test_stock_receive_reallocates_short_orders(capsys):
    f.sku("TEA-1")
    f.order(("TEA-1", 2), order_no="S1")
    run(capsys, "orders", "confirm", "S1")
    assert Order.objects.get(order_no="S1").status == "short"

    code, out, _ = run(capsys, "stock", "receive", "TEA-1", "2")

    assert code == 0
    assert out.splitlines()[1] == "1 个缺货订单已占用库存：S1"
    assert Order.objects.get(order_no="S1").status == "ready"


def test_stock_receive_unknown_sku_exits_1(capsys):
    code, out, err = run(capsys, "stock", "receive", "GHOST", "5")

    assert (code, out) == (1, "")
    assert err == "错误：商家编码 GHOST 不存在 (unknown SKU GHOST)\n"
    assert Movement.objects.count() == 0


def test_stock_list_human_table(capsys):
    f.sku("TEA-1", stock=3, title="龙井")

    code, out, _ = run(capsys, "stock", "list")

    assert code == 0
    assert out.splitlines()[0].split() == ["商家编码", "名称", "规格", "现有", "已占用", "可用", "待占用", "预计"]
    assert out.splitlines()[1].split() == ["TEA-1", "龙井", "3", "0", "3", "0", "3"]


def test_sku_import_chinese_and_english_headers(tmp_path, capsys):
    zh = tmp_path / "skus.csv"
    zh.write_bytes("商家编码,名称,规格,条码,重量(克)\r\nTEA-1,龙井,250g,6901234567892,260\r\n,无编码,,,\r\n"
                   .encode("gb18030"))
    en = tmp_path / "skus-en.csv"
    en.write_text("sku,title,spec,barcode,weight_g\nTEA-1,龙井,250g,6901234567892,260\nTEA-2,白茶,,,100\n",
                  encoding="utf-8-sig")

    code, out, _ = run(capsys, "sku", "import", str(zh), "--json")
    code2, out2, _ = run(capsys, "sku", "import", str(en))

    assert code == 0
    got = json.loads(out)
    assert (got["created"], got["updated"], got["unchanged"]) == (1, 0, 0)
    assert [(r["row"], r["code"]) for r in got["rejected"]] == [(3, "bad_sku")]
    assert (code2, out2) == (0, "新建 1，更新 0，未变 1，拒绝 0\n")
    assert list(Sku.objects.values_list("code", "title", "weight_g")) == [("TEA-1", "龙井", 260), ("TEA-2", "白茶", 100)]


def test_sku_import_without_the_columns_exits_2(tmp_path, capsys):
    p = tmp_path / "x.csv"
    p.write_text("a,b\n1,2\n")

    code, _, err = run(capsys, "sku", "import", str(p))

    assert code == 2 and "商家编码" in err
    assert Sku.objects.count() == 0


# ------------------------------------------------------------------------------------------------ users and tokens


def test_user_add_with_password(capsys):
    code, out, _ = run(capsys, "user", "add", "xiaowang", "--role", "packer", "--password", "long-enough-9")

    u = User.objects.get(username="xiaowang")
    assert (code, out) == (0, "已添加用户 xiaowang（打包员）\n")
    assert (u.role, u.check_password("long-enough-9"), u.is_staff) == ("packer", True, False)


def test_user_add_without_password_and_no_tty_exits_1(capsys, monkeypatch):
    monkeypatch.setattr(sys.stdin, "isatty", lambda: False, raising=False)

    code, _, err = run(capsys, "user", "add", "xiaowang", "--role", "cs")

    assert code == 1 and "--password" in err
    assert not User.objects.filter(username="xiaowang").exists()


def test_user_add_prompts_on_a_tty(capsys, monkeypatch):
    monkeypatch.setattr(sys.stdin, "isatty", lambda: True, raising=False)
    monkeypatch.setattr("getpass.getpass", lambda prompt="": "long-enough-9")

    code, _, _ = run(capsys, "user", "add", "laoli", "--role", "owner")

    assert code == 0
    assert User.objects.get(username="laoli").check_password("long-enough-9")


def test_user_add_twice_or_bad_role(capsys):
    run(capsys, "user", "add", "xiaowang", "--role", "cs", "--password", "long-enough-9")

    dup, _, err = run(capsys, "user", "add", "xiaowang", "--role", "cs", "--password", "long-enough-9")
    with pytest.raises(SystemExit) as bad_role:
        main(["user", "add", "x", "--role", "boss", "--password", "long-enough-9"])

    assert dup == 1 and "已存在" in err
    assert bad_role.value.code == 2
    assert User.objects.count() == 1


def test_token_create_prints_a_working_key(owner, capsys, client):
    code, out, _ = run(capsys, "token", "create", "备份脚本", "--user", "boss", "--json")

    got = json.loads(out)
    assert (code, got["name"], got["user"]) == (0, "备份脚本", "boss")
    assert client.get("/api/me", headers={"Authorization": f"Bearer {got['key']}"}).json()["username"] == "boss"
    assert ApiToken.objects.get().user == owner


def test_token_create_for_unknown_user_exits_1(capsys):
    code, _, err = run(capsys, "token", "create", "x", "--user", "nobody")

    assert code == 1 and "nobody" in err


# ------------------------------------------------------------------------------------------------ running fahuo


def test_migrate_is_idempotent(capsys):
    assert main(["migrate"]) == 0


def test_demo_without_serving_fills_the_shop(capsys):
    code, _, _ = run(capsys, "demo", "--no-serve", "--orders", "20")

    assert code == 0
    assert Order.objects.count() >= 20
    assert set(User.objects.values_list("role", flat=True)) == {"owner", "packer", "cs"}


def test_worker_runs_a_thread_consumer(monkeypatch):
    from huey.contrib.djhuey import HUEY

    made = {}

    class Consumer:
        def run(self):
            made["ran"] = True

    def create_consumer(**kw):
        made.update(kw)
        return Consumer()

    monkeypatch.setattr(HUEY, "create_consumer", create_consumer)

    assert main(["worker", "--no-periodic"]) == 0
    assert made == {"workers": 2, "worker_type": "thread", "periodic": False, "ran": True}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _children(pid: int) -> list[int]:
    kids = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            kids.append(int(stat.parent.name))
    return kids


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.slow
def test_serve_answers_http_and_stops_its_worker(tmp_path):
    """`fahuo serve` in a child process on its own SQLite data dir (never the test database)."""
    port = _free_port()
    env = {k: v for k, v in os.environ.items()
           if k not in ("DJANGO_SETTINGS_MODULE", "FAHUO_DATABASE_URL", "FAHUO_JOBS_IMMEDIATE", "FAHUO_REDIS_URL")}
    env["FAHUO_DATA_DIR"] = str(tmp_path / "data")
    proc = subprocess.Popen([sys.executable, "-m", "fahuo.cli", "serve", "--port", str(port)], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        status, body, deadline = None, b"", time.monotonic() + 60
        while time.monotonic() < deadline and proc.poll() is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/openapi.json", timeout=2) as r:
                    status, body = r.status, r.read()
                break
            except OSError:
                time.sleep(0.3)
        children = _children(proc.pid)
        assert status == 200, proc.stdout.read().decode() if proc.poll() is not None else "no answer"
        assert "/api/orders" in json.loads(body)["paths"]
        assert len(children) >= 2  # gunicorn workers + the job worker
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=30)
    time.sleep(0.5)
    assert [c for c in children if _alive(c)] == []
    assert (tmp_path / "data" / "fahuo.sqlite3").exists()
