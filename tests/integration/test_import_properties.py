"""Imports never lose or half-write a row: damaged files are fully accounted for, a failing row leaves no trace."""

from __future__ import annotations

import random

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fahuo.demo.generate import demo_orders, demo_skus, write_order_report_csv
from fahuo.imports.types import FileUnreadable
from fahuo.orders.models import Order, OrderEvent, OrderLine
from fahuo.orders.services import intake
from fahuo.orders.services.imports import import_now

SKUS = demo_skus(1)
ORDERS = demo_orders(30, seed=3, skus=SKUS)
CLEAN = write_order_report_csv(ORDERS, encoding="utf-8-sig").decode("utf-8-sig")


def damage(text: str, seed: int, n: int) -> str:
    rng = random.Random(seed)
    lines = text.split("\r\n")
    for _ in range(n):
        i = rng.randrange(1, max(2, len(lines)))
        if i >= len(lines):
            continue
        op = rng.choice(["truncate", "junk", "swap", "drop_cell", "dup", "sci"])
        ln = lines[i]
        if op == "truncate":
            lines[i] = ln[: rng.randrange(0, max(1, len(ln)))]
        elif op == "junk":
            lines.insert(i, "".join(rng.choice("，,\"'=\t乱码abc123") for _ in range(rng.randrange(1, 40))))
        elif op == "swap" and i + 1 < len(lines):
            lines[i], lines[i + 1] = lines[i + 1], lines[i]
        elif op == "drop_cell":
            cells = ln.split(",")
            if len(cells) > 2:
                del cells[rng.randrange(1, len(cells))]
            lines[i] = ",".join(cells)
        elif op == "dup":
            lines.insert(i, ln)
        elif op == "sci":
            lines[i] = "2.34568E+18" + ln[ln.find(","):] if "," in ln else ln
    return "\r\n".join(lines)


@pytest.mark.django_db(transaction=True)
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.integers(0, 10_000), n=st.integers(1, 8))
def test_every_row_of_a_damaged_file_is_accounted_for(seed, n):
    Order.objects.all().delete()
    data = damage(CLEAN, seed, n).encode("gb18030", errors="replace")
    try:
        s = import_now(data=data, filename="damaged.csv")
    except FileUnreadable:
        assert Order.objects.count() == 0
        return
    from fahuo.imports.taobao import read_order_report

    rows = read_order_report(data, "damaged.csv").data_rows
    assert s.created + s.updated + s.unchanged + len(s.rejected) == rows
    assert len({r["row"] for r in s.rejected}) == len(s.rejected)
    assert Order.objects.count() == s.created
    # nothing half-written: every stored order has its lines and its import event
    assert not OrderLine.objects.filter(order__isnull=True).exists()
    assert OrderEvent.objects.filter(kind="imported").count() == s.created


@pytest.mark.django_db
def test_a_row_that_fails_while_updating_leaves_no_trace(monkeypatch):
    first = write_order_report_csv(ORDERS[:3], encoding="utf-8-sig")
    import_now(data=first, filename="a.csv")
    before = {o.order_no: (o.fingerprint, o.status, o.buyer_message) for o in Order.objects.all()}
    changed = [dict(o, buyer_message="请发顺丰（改）") for o in ORDERS[:3]]
    victim = changed[1]["order_no"]
    real = intake._follow_platform

    def boom(order, *a, **kw):
        if order.order_no == victim:
            raise RuntimeError("disk on fire")
        return real(order, *a, **kw)

    monkeypatch.setattr(intake, "_follow_platform", boom)
    s = import_now(data=write_order_report_csv(changed, encoding="utf-8-sig"), filename="b.csv")

    assert s.updated == 2
    assert [r["row"] for r in s.rejected] == [3]
    v = Order.objects.get(order_no=victim)
    assert (v.fingerprint, v.status, v.buyer_message) == before[victim]
    assert not v.events.filter(kind="platform_update").exists()
    assert Order.objects.exclude(order_no=victim).filter(buyer_message="请发顺丰（改）").count() == 2
