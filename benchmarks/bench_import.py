"""Import a generated N-order classic Taobao report (GB18030): fahuo vs the csv + bulk-insert floor.

    python benchmarks/bench_import.py --db sqlite|postgres --n 100000 --repeat 3 [--profile]

Per repeat, on an empty migrated database, in this order:
  floor     the same bytes decoded, split with csv.reader, order_no + 12 main columns inserted as plain
            rows into a plain table in one transaction (SQLite executemany / PostgreSQL COPY);
  fahuo     fahuo.orders.services.imports.import_now(data=…, filename="orders.csv"), with the time spent
            in the reader (read_order_report) split from the time spent storing (apply_report);
  reimport  import_now on the same file again: every row unchanged.
"""

from __future__ import annotations

import cProfile
import csv
import io
import pstats
import sqlite3
import sys
from datetime import datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _common as C  # noqa: E402

FLOOR_COLUMNS = {  # plain-table column -> report header
    "buyer_nick": "买家会员名", "status": "订单状态", "buyer_message": "买家留言", "receiver_name": "收货人姓名",
    "address": "收货地址", "mobile": "联系手机", "created_at": "订单创建时间", "paid_at": "订单付款时间",
    "titles": "宝贝标题", "total_qty": "宝贝总数量", "amount": "买家实际支付金额", "seller_memo": "订单备注",
}  # fmt: skip
FLOOR_DDL = ("CREATE TABLE floor_orders (id {pk}, order_no TEXT NOT NULL UNIQUE, "
             + ", ".join(f"{c} TEXT" for c in FLOOR_COLUMNS) + ")")


def make_file(env: C.Env, n: int, seed: int) -> bytes:
    """The report, generated once per run (seeded, fixed `now`) and cached in the temp dir."""
    path = env.tmp / f"orders-{n}-{seed}.csv"
    if not path.exists():
        from fahuo.demo.generate import demo_orders, write_order_report_csv

        orders = demo_orders(n, seed=seed, now=datetime(2026, 11, 24, 9, 0))
        path.write_bytes(write_order_report_csv(orders, encoding="gb18030"))
    return path.read_bytes()


def floor_rows(data: bytes):
    rows = csv.reader(io.StringIO(data.decode("gb18030")))
    header = next(rows)
    idx = [header.index("订单编号")] + [header.index(h) for h in FLOOR_COLUMNS.values()]
    for cells in rows:
        r = [cells[i] for i in idx]
        no = r[0]
        if no.startswith('="'):
            r[0] = no[2:-1]
        yield r


def floor_sqlite(env: C.Env, data: bytes) -> tuple[C.Timer, int]:
    path = env.tmp / "floor.sqlite3"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")  # fahuo's own setting
    conn.execute(FLOOR_DDL.format(pk="INTEGER PRIMARY KEY"))
    sql = f"INSERT INTO floor_orders (order_no, {', '.join(FLOOR_COLUMNS)}) VALUES ({', '.join('?' * 13)})"
    with C.Timer() as t:
        conn.execute("BEGIN")
        conn.executemany(sql, floor_rows(data))
        conn.execute("COMMIT")
    n = conn.execute("SELECT count(*) FROM floor_orders").fetchone()[0]
    conn.close()
    return t, n


def floor_postgres(env: C.Env, data: bytes) -> tuple[C.Timer, int]:
    import psycopg

    with psycopg.connect(env.pg_url) as conn:
        conn.execute("DROP TABLE IF EXISTS floor_orders")
        conn.execute(FLOOR_DDL.format(pk="BIGSERIAL PRIMARY KEY"))
        conn.commit()
        with C.Timer() as t:
            with conn.cursor() as cur:
                with cur.copy(f"COPY floor_orders (order_no, {', '.join(FLOOR_COLUMNS)}) FROM STDIN") as cp:
                    for r in floor_rows(data):
                        cp.write_row(r)
            conn.commit()
        n = conn.execute("SELECT count(*) FROM floor_orders").fetchone()[0]
    return t, n


class ReaderClock:
    """Wraps the reader import_now calls, so import_now itself is timed and the reader part is known."""

    def __init__(self) -> None:
        from fahuo.orders.services import imports

        self.mod, self.real, self.wall = imports, imports.read_order_report, 0.0
        imports.read_order_report = self

    def __call__(self, *a, **kw):
        with C.Timer() as t:
            out = self.real(*a, **kw)
        self.wall = t.wall
        return out


def fahuo_import(data: bytes, reader: ReaderClock) -> tuple[C.Timer, float, dict]:
    from fahuo.orders.services.imports import import_now

    with C.Timer() as t:
        s = import_now(data=data, filename="orders.csv")
    return t, reader.wall, {"created": s.created, "updated": s.updated, "unchanged": s.unchanged,
                            "rejected": len(s.rejected)}


def profile(data: bytes, env: C.Env, reimport: bool) -> None:
    from fahuo.orders.services.imports import import_now

    C.fresh_db(env)
    if reimport:
        import_now(data=data, filename="orders.csv")
    prof = cProfile.Profile()
    prof.runcall(import_now, data=data, filename="orders.csv")
    what = "re-import (all unchanged)" if reimport else "import into an empty database"
    for key in ("tottime", "cumulative"):
        print(f"\n--- cProfile, {what}, {env.db}: top 25 by {key}")
        pstats.Stats(prof).strip_dirs().sort_stats(key).print_stats(25)


def main() -> None:
    args = C.parse_args(__doc__, 100_000, lambda p: p.add_argument("--profile", action="store_true"))
    env = C.setup(args.db, "fahuo_bench_import")
    with C.Timer() as g:
        data = make_file(env, args.n, args.seed)
    C.emit("import.file", args.db, n=args.n, bytes=len(data), generate_s=round(g.wall, 2), **C.machine())
    from fahuo.orders.models import Order
    from fahuo.orders.services.review import address_parser

    address_parser().parse("浙江省杭州市西湖区文三路90号")  # load cpca once, outside the timings
    reader = ReaderClock()
    res: dict[str, list[float]] = {k: [] for k in ("floor", "fahuo", "read", "store", "reimport", "ratio",
                                                   "cpu_ratio")}
    for rep in range(args.repeat):
        C.fresh_db(env)
        ft, floor_n = (floor_postgres if args.db == "postgres" else floor_sqlite)(env, data)
        floor_s = ft.wall
        C.emit("import.floor", args.db, rep=rep, n=floor_n, seconds=round(floor_s, 3), cpu_s=round(ft.cpu, 3),
               orders_per_s=round(floor_n / floor_s))
        t, read_s, s = fahuo_import(data, reader)
        stored = Order.objects.count()
        C.emit("import.fahuo", args.db, rep=rep, n=args.n, seconds=round(t.wall, 3), cpu_s=round(t.cpu, 3),
               read_s=round(read_s, 3), store_s=round(t.wall - read_s, 3), orders_per_s=round(args.n / t.wall),
               ratio_to_floor=round(t.wall / floor_s, 2), cpu_ratio_to_floor=round(t.cpu / ft.cpu, 2),
               orders_in_db=stored, **s)
        t2, read2_s, s2 = fahuo_import(data, reader)
        C.emit("import.reimport", args.db, rep=rep, n=args.n, seconds=round(t2.wall, 3), read_s=round(read2_s, 3),
               store_s=round(t2.wall - read2_s, 3), orders_per_s=round(args.n / t2.wall), **s2)
        for k, v in (("floor", floor_s), ("fahuo", t.wall), ("read", read_s), ("store", t.wall - read_s),
                     ("reimport", t2.wall), ("ratio", t.wall / floor_s), ("cpu_ratio", t.cpu / ft.cpu)):
            res[k].append(v)
    m = {k: C.median(v) for k, v in res.items()}
    C.emit("import.summary", args.db, n=args.n, repeat=args.repeat, floor_orders_per_s=round(args.n / m["floor"]),
           fahuo_orders_per_s=round(args.n / m["fahuo"]), read_s=round(m["read"], 3), store_s=round(m["store"], 3),
           reimport_orders_per_s=round(args.n / m["reimport"]), ratio=round(m["ratio"], 2),
           cpu_ratio=round(m["cpu_ratio"], 2), aim_ratio=4,
           within_aim=m["ratio"] <= 4)
    C.table(f"import {args.n:,} orders, {args.db}, medians of {args.repeat}",
            ["what", "seconds", "orders/s", "× floor time"],
            [["floor (csv + plain insert)", m["floor"], args.n / m["floor"], 1.0],
             ["fahuo import_now", m["fahuo"], args.n / m["fahuo"], m["ratio"]],
             ["  of which reader", m["read"], args.n / m["read"], m["read"] / m["floor"]],
             ["  of which store", m["store"], args.n / m["store"], m["store"] / m["floor"]],
             ["fahuo re-import (unchanged)", m["reimport"], args.n / m["reimport"], m["reimport"] / m["floor"]]])
    if args.profile:
        reader.mod.read_order_report = reader.real
        profile(data, env, reimport=False)
        profile(data, env, reimport=True)
    C.teardown(env)


if __name__ == "__main__":
    main()
