"""合单, 拆单, and a stock-take that finds fewer units than are promised."""

from __future__ import annotations

import pytest

from fahuo.core.errors import InvalidInput, InvalidTransition
from fahuo.inventory.models import StockLevel
from fahuo.orders.models import Order
from fahuo.orders.services import decide, grouping
from fahuo.orders.services.stock import stocktake
from tests import factories as f

pytestmark = pytest.mark.django_db


def test_merge_makes_the_earliest_paid_the_primary_and_confirms_as_one(owner):
    f.sku("A", stock=10)
    f.sku("B", stock=10)
    late = f.order(("A", 1), paid_minutes_ago=5, buyer="mom")
    early = f.order(("B", 2), paid_minutes_ago=50, buyer="mom")
    decide.confirm(order_no=late.order_no, by=owner)

    primary = grouping.merge(order_nos=[late.order_no, early.order_no], by=owner)

    assert primary.order_no == early.order_no
    late.refresh_from_db()
    assert (late.merged_into_id, late.status) == (early.pk, "review")
    assert StockLevel.objects.get(sku__code="A").allocated == 0
    res = decide.confirm(order_no=early.order_no, by=owner)
    assert res.status == "ready"
    assert sorted(Order.objects.values_list("status", flat=True)) == ["ready", "ready"]
    assert (StockLevel.objects.get(sku__code="A").allocated, StockLevel.objects.get(sku__code="B").allocated) == (1, 2)


def test_merge_refuses_different_receivers_and_changes_nothing(owner):
    f.sku("A", stock=10)
    a = f.order(("A", 1))
    b = f.order(("A", 1), detail="另一条路1号")

    with pytest.raises(InvalidInput) as e:
        grouping.merge(order_nos=[a.order_no, b.order_no], by=owner)

    assert e.value.code == "receivers_differ"
    assert list(Order.objects.values_list("merged_into", flat=True)) == [None, None]


def test_merged_member_cannot_be_confirmed_on_its_own(owner):
    f.sku("A", stock=10)
    a = f.order(("A", 1), paid_minutes_ago=50)
    b = f.order(("A", 1), paid_minutes_ago=5)
    grouping.merge(order_nos=[a.order_no, b.order_no], by=owner)

    with pytest.raises(InvalidTransition) as e:
        decide.confirm(order_no=b.order_no, by=owner)

    assert e.value.code == "merged_member"


def test_cancelling_the_primary_promotes_the_next_member(owner):
    f.sku("A", stock=10)
    a = f.order(("A", 1), paid_minutes_ago=50)
    b = f.order(("A", 1), paid_minutes_ago=5)
    grouping.merge(order_nos=[a.order_no, b.order_no], by=owner)

    decide.cancel(order_no=a.order_no, by=owner)

    b.refresh_from_db()
    assert b.merged_into_id is None


def test_split_moves_part_of_a_line_into_a_new_order(owner):
    f.sku("A", stock=10)
    f.sku("B", stock=10)
    o = f.order(("A", 3), ("B", 1), order_no="3000000000000000001")
    decide.confirm(order_no=o.order_no, by=owner)
    line_a = o.lines.get(sku__code="A")

    parts = grouping.split(order_no=o.order_no, parts=[{line_a.pk: 2}], by=owner)

    assert [p.order_no for p in parts] == ["3000000000000000001-2"]
    assert parts[0].platform_order_no == "3000000000000000001"
    assert [(ln.sku.code, ln.qty) for ln in parts[0].lines.all()] == [("A", 2)]
    assert sorted((ln.sku.code, ln.qty) for ln in o.lines.all()) == [("A", 1), ("B", 1)]
    o.refresh_from_db()
    assert o.status == "review"
    assert StockLevel.objects.get(sku__code="A").allocated == 0


def test_split_refuses_taking_everything(owner):
    f.sku("A", stock=10)
    o = f.order(("A", 2))
    line = o.lines.get()

    with pytest.raises(InvalidInput) as e:
        grouping.split(order_no=o.order_no, parts=[{line.pk: 2}], by=owner)

    assert e.value.code == "nothing_left"
    assert line.qty == o.lines.get().qty == 2


def test_stocktake_below_allocated_sends_the_latest_paid_order_to_short(owner):
    f.sku("A", stock=4)
    early = f.order(("A", 2), paid_minutes_ago=50)
    late = f.order(("A", 2), paid_minutes_ago=5)
    decide.confirm(order_no=early.order_no, by=owner)
    decide.confirm(order_no=late.order_no, by=owner)

    level = stocktake(sku_code="A", counted=3, reason="盘点少了一个", by=owner)

    assert (level.on_hand, level.allocated) == (3, 2)
    assert Order.objects.get(pk=early.pk).status == "ready"
    late.refresh_from_db()
    assert (late.status, late.short_skus) == ("short", ["A"])
