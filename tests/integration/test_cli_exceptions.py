"""`fahuo exceptions show ID`, `fahuo exceptions resolve ID --resolution TEXT`, `fahuo track report NUMBER`,
and `exceptions list --age/--unassigned`."""

from __future__ import annotations

import json

import pytest

from fahuo.orders.models import OrderEvent
from fahuo.tracking.models import ExceptionCase
from tests.exception_seed import REFUSED_NO, seed

pytestmark = pytest.mark.django_db


def run(capsys, *argv: str) -> tuple[int, str, str]:
    from fahuo.cli import main

    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_show_and_resolve_a_case(capsys):
    s = seed()
    cid = s.case("refused").pk
    code, out, _ = run(capsys, "exceptions", "show", str(cid), "--json")
    d = json.loads(out)
    assert (code, d["id"], d["type"], d["state"], d["waybill"], d["title"]) == (
        0, cid, "refused", "open", REFUSED_NO, "收件人拒签")
    code, out, _ = run(capsys, "exceptions", "show", str(cid))
    assert code == 0 and out.splitlines()[1] == "收件人拒签"
    code, out, _ = run(capsys, "exceptions", "resolve", str(cid), "--resolution", "买家已收到")
    assert (code, out) == (0, f"异常 #{cid} 已解决：买家已收到\n")
    assert ExceptionCase.objects.get(pk=cid).resolution == "买家已收到"
    assert OrderEvent.objects.filter(kind="exception_resolved", by=None).values_list("message", flat=True)[0] == \
        "收件人拒签：买家已收到"
    code, _, err = run(capsys, "exceptions", "resolve", str(cid), "--resolution", "again")
    assert (code, err) == (1, "错误：这个异常已经解决了 (already resolved)\n")
    assert run(capsys, "exceptions", "show", "999999")[0] == 1
    assert run(capsys, "exceptions", "resolve", str(cid), "--resolution", " ")[0] == 2


def test_list_filters_by_age_and_unassigned(capsys):
    seed()
    code, out, _ = run(capsys, "exceptions", "list", "--age", "lt6h", "--json")
    assert code == 0 and [c["type"] for c in json.loads(out)] == ["refused"]
    code, out, _ = run(capsys, "exceptions", "list", "--unassigned", "--json")
    assert [c["type"] for c in json.loads(out)] == ["ship_by_passed", "no_pickup", "refused"]


def test_track_report_damaged_then_again(capsys):
    seed()
    code, out, _ = run(capsys, "track", "report", REFUSED_NO, "--kind", "damaged", "--note", "外箱破了", "--json")
    d = json.loads(out)
    assert (code, d["opened"], d["type"], d["cause_key"], d["evidence"]["reported_by"], d["evidence"]["note"]) == (
        0, True, "damaged", "seller:damaged", "cli", "外箱破了")
    code, out, _ = run(capsys, "track", "report", REFUSED_NO, "--kind", "damaged")
    assert (code, out) == (0, f"已经登记过：异常 #{d['id']} 仍在处理中\n")
    code, _, err = run(capsys, "track", "report", "YT0000000000000", "--kind", "lost")
    assert code == 1 and "没有运单号为 YT0000000000000 的包裹" in err
