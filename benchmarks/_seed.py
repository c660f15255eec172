"""Seed N clean orders fast: bulk_create through fahuo's own models (Django must be set up).

Orders have 1–3 lines (distinct SKUs, qty 1–3) over `n_skus` SKUs at one location; 20 "hot" SKUs take
~10 % of the lines. Stock: every SKU holds what its lines need, except the hot ones, which hold ~90 % of it,
so most orders confirm and a few go 缺货 (and the workers compete for the hot levels).
Orders are clean (status as asked, problems [], a valid mobile and a complete address), so confirm()
allocates them. Returns the plain shape the floors copy: per order (order_no, [(line_id, sku_id, qty)]).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

HOT = 20
NOW = datetime(2026, 11, 24, 1, 0, tzinfo=UTC)
BATCH = 5000


@dataclass
class Seeded:
    orders: list[tuple[str, list[tuple[int, int, int]]]]  # (order_no, [(line_id, level_id, qty)])
    stock: dict[int, int]  # level_id -> on_hand
    statuses: dict[str, int]


def _lines(rng: random.Random, n_skus: int) -> list[tuple[int, int]]:
    skus: set[int] = set()
    for _ in range(rng.choice((1, 1, 2, 2, 3))):
        skus.add(rng.randrange(HOT) if rng.random() < 0.1 else rng.randrange(HOT, n_skus))
    return [(s, rng.randint(1, 3)) for s in sorted(skus)]


def seed(n: int, *, seed: int = 7, n_skus: int = 2000, status_mix: dict[str, float] | None = None) -> Seeded:
    from django.core.management.color import no_style
    from django.db import connection, transaction

    from fahuo.inventory.models import Location, Sku, StockLevel
    from fahuo.orders.models import Order, OrderLine

    rng = random.Random(seed)
    mix = list((status_mix or {"review": 1.0}).items())
    names, weights = [m[0] for m in mix], [m[1] for m in mix]
    plan = [(_lines(rng, n_skus), rng.choices(names, weights)[0]) for _ in range(n)]
    demand = [0] * n_skus
    for lines, _ in plan:
        for s, q in lines:
            demand[s] += q
    with transaction.atomic():
        loc = Location.objects.create(code="默认", name="默认库位")
        Sku.objects.bulk_create([Sku(id=i + 1, code=f"B{i:05d}", title=f"压测商品 {i}", spec="标准")
                                 for i in range(n_skus)], batch_size=BATCH)
        on_hand = [d * 9 // 10 if i < HOT else d + 5 for i, d in enumerate(demand)]
        StockLevel.objects.bulk_create([StockLevel(id=i + 1, sku_id=i + 1, location=loc, on_hand=on_hand[i])
                                        for i in range(n_skus)], batch_size=BATCH)
    out: list[tuple[str, list[tuple[int, int, int]]]] = []
    counts: dict[str, int] = {}
    line_id = 0
    for start in range(0, n, BATCH):
        orders, lines = [], []
        for i in range(start, min(n, start + BATCH)):
            plines, status = plan[i]
            counts[status] = counts.get(status, 0) + 1
            no = f"9{seed:03d}{i:012d}"
            paid = NOW - timedelta(minutes=i % 4000)
            orders.append(Order(
                id=i + 1, order_no=no, platform_order_no=no, status=status, platform_status="wait_send",
                platform_status_text="买家已付款，等待卖家发货", buyer_nick=f"tb{i:08d}", receiver_name=f"张{i % 97}",
                receiver_phone=f"138{i:08d}", phone_kind="mobile", province="浙江省", city="杭州市",
                district="西湖区", detail=f"文三路{i % 500}号", address_raw=f"浙江省杭州市西湖区文三路{i % 500}号",
                address_complete=True, receiver_key=f"{i:040d}", amount=99, paid_at=paid,
                platform_created_at=paid, ship_by=paid + timedelta(hours=48), problems=[], fingerprint=f"{i:040x}"))
            ol = []
            for s, q in plines:
                line_id += 1
                lines.append(OrderLine(id=line_id, order_id=i + 1, sku_id=s + 1, title=f"压测商品 {s}", spec="标准",
                                       outer_id=f"B{s:05d}", qty=q, price=33))
                ol.append((line_id, s + 1, q))
            out.append((no, ol))
        with transaction.atomic():
            Order.objects.bulk_create(orders)
            OrderLine.objects.bulk_create(lines)
    _reset_sequences(connection, no_style(), [Location, Sku, StockLevel, Order, OrderLine])
    if connection.vendor == "postgresql":  # what autovacuum would have done a minute later
        with connection.cursor() as cur:
            cur.execute("ANALYZE")
    return Seeded(out, {i + 1: h for i, h in enumerate(on_hand)}, counts)


def _reset_sequences(connection, style, models) -> None:
    """Explicit ids were inserted: move PostgreSQL's sequences past them (a no-op on SQLite)."""
    with connection.cursor() as cur:
        for sql in connection.ops.sequence_reset_sql(style, models):
            cur.execute(sql)
