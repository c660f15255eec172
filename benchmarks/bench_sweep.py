"""The exception sweep over N open parcels (10k, 100k, 1M): seconds, parcels/s, and how the cost grows with N.

    python benchmarks/bench_sweep.py --db sqlite|postgres --sizes 10000 100000 1000000 --repeat 3

Seed (per size, fresh database, plain multi-row INSERTs through `fahuo.core.bulk.insert_dicts`): N shipped
orders, each with one shipped YTO parcel, its ParcelTrack (in transit) and 3 tracking events (揽收, two hub
scans); the order also carries the number in `waybills` (what shipping writes). 1 % of the parcels went quiet
60 h ago (stale: the sweep opens a case for each), 99 % moved 10 h ago (nothing to find).

fahuo    `fahuo.tracking.services.sweep.sweep(now=…)` as the worker calls it: `first` = the first sweep on the
         seeded database (opens the 1 % stale cases: N/100 transactions, each with its timeline row), `again` =
         the next sweep (finds the same, writes nothing). Each repeat restores the seeded snapshot.
floor    the bare reads the sweep cannot avoid, with the driver (sqlite3 / psycopg, server-side cursor on
         PostgreSQL), no Django: one scan of the open parcels joined to their orders (the same WHERE), and one
         scan of their events (joined on the number), rows fetched 10,000 at a time and dropped.
Linearity: seconds per 1,000 parcels at each size, and the ratio to the smallest size (1.0 = linear).
"""

from __future__ import annotations

import sys
import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _common as C  # noqa: E402

NOW = datetime(2026, 11, 24, 4, 0, tzinfo=UTC)
H = timedelta(hours=1)
CHUNK = 20_000
PLACES = (("浙江省", "杭州市", "西湖区"), ("四川省", "成都市", "武侯区"), ("广东省", "广州市", "天河区"),
          ("北京市", "北京市", "朝阳区"), ("湖北省", "武汉市", "洪山区"))
FINAL = ("delivered", "returned")


def seed(n: int) -> None:
    from django.db import transaction

    from fahuo.core.bulk import insert_dicts
    from fahuo.fulfilment.models import Parcel
    from fahuo.orders.models import Order
    from fahuo.tracking.models import ParcelTrack, TrackingEvent

    for start in range(0, n, CHUNK):
        idx = range(start, min(n, start + CHUNK))
        orders, parcels, tracks, events = [], [], [], []
        for i in idx:
            pid = i + 1  # a fresh database: ids follow the insert order (checked below)
            number = f"YT{7000000000000 + i}"
            stale = i % 100 == 0
            shipped = NOW - (80 if stale else 30) * H
            last = NOW - (60 if stale else 10) * H
            prov, city, dist = PLACES[i % len(PLACES)]
            orders.append({"order_no": f"{1800000000000000000 + i}", "platform_order_no": f"{1800000000000000000 + i}",
                           "status": "shipped", "platform_status": "wait_confirm", "receiver_name": "张三",
                           "receiver_phone": "13800138000", "province": prov, "city": city, "district": dist,
                           "detail": "人民路1号", "address_complete": True, "amount": Decimal("99.00"),
                           "paid_at": shipped - 20 * H, "ship_by": shipped + 20 * H, "shipped_at": shipped,
                           "waybills": [number]})
            parcels.append({"order_id": pid, "state": "shipped", "carrier_code": "YTO", "waybill": number,
                            "waybill_source": "manual", "shipped_at": shipped, "created_at": shipped})
            scans = ((shipped + 2 * H, "picked_up", "【杭州市】已揽收"), (last - 6 * H, "in_transit", "【杭州市】已发出"),
                     (last, "in_transit", f"【{city}】到达{city}转运中心"))
            tracks.append({"parcel_id": pid, "number": number, "carrier": "YTO", "status": "in_transit",
                           "status_since": scans[0][0], "last_event_at": last, "first_scan_at": scans[0][0],
                           "picked_up_at": scans[0][0], "events": 3, "mode": "push"})
            for k, (at, status, text) in enumerate(scans):
                events.append({"parcel_id": pid, "number": number, "carrier": "YTO", "at": at, "status": status,
                               "context": text, "city": "杭州市" if k < 2 else city, "raw_code": "0",
                               "source": "kuaidi100", "key": f"{number}:{k}", "received_at": at})
        with transaction.atomic():
            insert_dicts(Order, orders)
            insert_dicts(Parcel, parcels)
            insert_dicts(ParcelTrack, tracks)
            insert_dicts(TrackingEvent, events)
    assert Parcel.objects.filter(order_id=n, waybill=f"YT{7000000000000 + n - 1}").exists()


def analyze(db: str) -> None:
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("ANALYZE")


def floor(env: C.Env) -> tuple[float, int, int]:
    """(seconds, parcel rows, event rows) of the bare reads."""
    where = ("p.state = 'shipped' AND p.shipped_at IS NOT NULL AND (t.status IS NULL OR t.status NOT IN "
             f"({', '.join(repr(s) for s in FINAL)}))")
    q_parcels = ("SELECT p.id, p.waybill, p.carrier_code, p.shipped_at, o.id, o.order_no, o.ship_by, o.status, "
                 "o.province, o.city, o.district, o.amount FROM fulfilment_parcel p "
                 "JOIN orders_order o ON o.id = p.order_id "
                 f"LEFT JOIN tracking_parceltrack t ON t.parcel_id = p.id WHERE {where} ORDER BY p.id")
    q_events = ("SELECT e.number, e.carrier, e.at, e.status, e.reason, e.context, e.city, e.raw_code, e.source "
                "FROM tracking_trackingevent e JOIN fulfilment_parcel p ON p.waybill = e.number "
                f"LEFT JOIN tracking_parceltrack t ON t.parcel_id = p.id WHERE {where}")
    counts = []
    t0 = time.perf_counter()
    if env.db == "postgres":
        import psycopg

        with psycopg.connect(env.pg_url) as conn:
            for i, q in enumerate((q_parcels, q_events)):
                with conn.cursor(name=f"floor{i}") as cur:
                    cur.execute(q)
                    counts.append(_drain(cur))
    else:
        import sqlite3

        conn = sqlite3.connect(env.sqlite_path)
        for q in (q_parcels, q_events):
            counts.append(_drain(conn.execute(q)))
        conn.close()
    return time.perf_counter() - t0, counts[0], counts[1]


def _drain(cur) -> int:
    n = 0
    while rows := cur.fetchmany(10_000):
        n += len(rows)
    return n


def main() -> None:
    def extra(p):
        p.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])

    args = C.parse_args(__doc__, 0, extra=extra)
    env = C.setup(args.db, "fahuo_bench_sweep")
    from fahuo.tracking.models import ExceptionCase
    from fahuo.tracking.services.sweep import sweep

    C.emit("sweep.machine", args.db, **C.machine())
    summary = []
    for n in args.sizes:
        C.fresh_db(env)
        t0 = time.perf_counter()
        seed(n)
        analyze(args.db)
        C.emit("sweep.seed", args.db, n=n, seconds=round(time.perf_counter() - t0, 1))
        C.snapshot(env, f"seeded{n}")
        first, again, bare = [], [], []
        for rep in range(args.repeat):
            C.restore(env, f"seeded{n}")
            s, pr, er = floor(env)
            assert pr == n and er == 3 * n, (pr, er)
            bare.append(s)
            C.emit("sweep.run", args.db, rep=rep, target="floor", n=n, seconds=round(s, 3),
                   parcels_per_s=round(n / s))
            for label, out in (("first", first), ("again", again)):
                stats: dict[str, int] = {}
                with C.Timer() as t:
                    counts = sweep(now=NOW, stats=stats)
                expect_opened = (n + 99) // 100 if label == "first" else 0
                assert counts == {"parcels": n, "orders": 0, "opened": expect_opened, "closed": 0}, counts
                assert stats["written"] == expect_opened, stats
                out.append(t.wall)
                C.emit("sweep.run", args.db, rep=rep, target=label, n=n, seconds=round(t.wall, 3),
                       cpu_s=round(t.cpu, 3), parcels_per_s=round(n / t.wall), opened=counts["opened"],
                       written=stats["written"])
            assert ExceptionCase.objects.filter(type="stale", state="open").count() == (n + 99) // 100
        row = {"n": n, "first_s": C.median(first), "again_s": C.median(again), "floor_s": C.median(bare)}
        summary.append(row)
        C.emit("sweep.summary", args.db, n=n, first_s=round(row["first_s"], 3), again_s=round(row["again_s"], 3),
               floor_s=round(row["floor_s"], 3), again_per_s=round(n / row["again_s"]),
               again_over_floor=round(row["again_s"] / row["floor_s"], 1))
    base = summary[0]
    rows = []
    for r in summary:
        per_k = r["again_s"] / r["n"] * 1000
        rows.append([r["n"], f"{r['first_s']:.2f}", f"{r['again_s']:.2f}", f"{r['floor_s']:.2f}",
                     round(r["n"] / r["again_s"]), f"{r['again_s'] / r['floor_s']:.1f}", f"{per_k * 1000:.1f}",
                     f"{per_k / (base['again_s'] / base['n'] * 1000):.2f}"])
    C.table(f"sweep, {args.db}, medians of {args.repeat} (1 % of parcels stale: opened by `first`)",
            ["open parcels", "first s", "again s", "floor s", "parcels/s", "again ÷ floor", "ms / 1k",
             "per-parcel ÷ smallest"], rows)
    C.teardown(env)


if __name__ == "__main__":
    main()
