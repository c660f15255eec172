"""Confirm (allocate) N seeded orders with 1 and with 8 worker processes: fahuo vs bare guarded UPDATEs.

    python benchmarks/bench_confirm.py --db sqlite|postgres --n 100000 --repeat 3 [--workers 1 8]
                                       [--limit-1w K]

fahuo   each worker (a spawned process: django.setup(), its own connection) calls
        fahuo.orders.services.decide.confirm(order_no=…, by=None) for its share of the order numbers
        (dealt round-robin, so the workers compete for the same SKUs).
floor   the same orders on a plain copy of the same shape (floor_stock, floor_alloc; sqlite3 / psycopg,
        no Django): per order one transaction, per line (in stock-id order)
        `UPDATE floor_stock SET allocated = allocated + q WHERE id = ? AND on_hand - allocated >= q`
        and an INSERT into floor_alloc; a line that finds too little rolls the order back.
The database is restored from a seeded snapshot before every timed run. After each run the invariants
are checked and printed. --limit-1w K / --limit-8w K confirm only the first K orders in the 1- / 8-worker
cells (the database still holds N), for when all N would take too long; rates are per order.
"""

from __future__ import annotations

import multiprocessing as mp
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _common as C  # noqa: E402

UPDATE = "UPDATE floor_stock SET allocated = allocated + {q} WHERE id = {p} AND on_hand - allocated >= {q}"
INSERT = "INSERT INTO floor_alloc (line_id, stock_id, qty) VALUES ({p}, {p}, {p})"


def worker(kind: str, db: str, target: str, share: list, barrier, results) -> None:
    """One process: connect, wait for the others, confirm its share, report (t0, t1, counts)."""
    counts: dict[str, int] = {}
    step = _fahuo_step() if kind == "fahuo" else _floor_step(db, target)
    step(None)  # connect before the clock starts
    barrier.wait()
    t0, c0 = time.perf_counter(), time.process_time()
    for item in share:
        outcome = step(item)
        counts[outcome] = counts.get(outcome, 0) + 1
    results.put((t0, time.perf_counter(), time.process_time() - c0, counts))


def _fahuo_step():
    C.django_setup()
    from django.db import connection

    from fahuo.core.errors import FahuoError
    from fahuo.orders.services.decide import confirm

    def step(no):
        if no is None:
            connection.ensure_connection()
            return ""
        try:
            return str(confirm(order_no=no, by=None).status)
        except FahuoError as e:
            return f"refused:{e.code}"
        except Exception as e:  # e.g. database is locked: counted, never hidden
            return f"error:{type(e).__name__}:{e}"[:120]

    return step


def _floor_step(db: str, target: str):
    if db == "postgres":
        import psycopg

        conn = psycopg.connect(target)
        ph = "%s"
    else:
        import sqlite3

        conn = sqlite3.connect(target, timeout=60, isolation_level=None)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")
        ph = "?"
    upd, ins = UPDATE.format(q=ph, p=ph), INSERT.format(p=ph)
    cur = conn.cursor()
    # psycopg opens the transaction itself; the sqlite3 connection is in autocommit mode, so say BEGIN
    begin, commit, rollback = ((lambda: None), conn.commit, conn.rollback) if db == "postgres" else (
        (lambda: cur.execute("BEGIN IMMEDIATE")), (lambda: cur.execute("COMMIT")), (lambda: cur.execute("ROLLBACK")))

    def step(lines):
        if lines is None:
            return ""
        begin()
        for line_id, stock_id, qty in lines:  # already in stock-id order: no deadlocks on PostgreSQL
            cur.execute(upd, (qty, stock_id, qty))
            if cur.rowcount != 1:
                rollback()
                return "short"
            cur.execute(ins, (line_id, stock_id, qty))
        commit()
        return "ready"

    return step


def run_cell(kind: str, env: C.Env, items: list, workers: int) -> dict:
    from django.db import connections

    connections.close_all()
    ctx = mp.get_context("spawn")
    barrier, results = ctx.Barrier(workers), ctx.Queue()
    target = env.pg_url if env.db == "postgres" else str(env.sqlite_path)
    procs = [ctx.Process(target=worker, args=(kind, env.db, target, items[w::workers], barrier, results))
             for w in range(workers)]
    for p in procs:
        p.start()
    got = [results.get() for _ in procs]
    for p in procs:
        p.join()
    counts: dict[str, int] = {}
    for *_, c in got:
        for k, v in c.items():
            counts[k] = counts.get(k, 0) + v
    wall = max(g[1] for g in got) - min(g[0] for g in got)
    return {"seconds": wall, "worker_cpu_s": sum(g[2] for g in got), "outcomes": counts}


def invariants(kind: str) -> dict:
    from django.db import connection

    from fahuo.inventory.models import Allocation, StockLevel
    from fahuo.orders.models import Order, OrderLine

    if kind == "fahuo":
        lv, al, ln, od = (m._meta.db_table for m in (StockLevel, Allocation, OrderLine, Order))
        stock, alloc, key = lv, al, "level_id"
    else:
        stock, alloc, key = "floor_stock", "floor_alloc", "stock_id"
    q = {
        "oversold_levels": f"SELECT count(*) FROM {stock} WHERE allocated > on_hand",
        "levels_alloc_mismatch": f"SELECT count(*) FROM {stock} s LEFT JOIN (SELECT {key} k, sum(qty) q FROM {alloc}"
                                 f" GROUP BY {key}) a ON a.k = s.id WHERE s.allocated <> coalesce(a.q, 0)",
        "allocated_units": f"SELECT coalesce(sum(allocated), 0) FROM {stock}",
    }
    if kind == "fahuo":  # every order fully allocated (ready) or not at all (short): never half
        q["half_allocated_orders"] = (
            f"SELECT count(*) FROM {od} o WHERE (o.status = 'ready') <> NOT EXISTS (SELECT 1 FROM {ln} l "
            f"WHERE l.order_id = o.id AND l.qty <> (SELECT coalesce(sum(a.qty), 0) FROM {al} a WHERE a.line_id = l.id))")
    with connection.cursor() as cur:
        out = {}
        for k, sql in q.items():
            cur.execute(sql)
            out[k] = int(cur.fetchone()[0])
    out["ok"] = out["oversold_levels"] == 0 and out["levels_alloc_mismatch"] == 0 and out.get(
        "half_allocated_orders", 0) == 0
    return out


def profile(env: C.Env, nos: list[str], k: int = 1000) -> None:
    """cProfile of k confirmations in this process, and the SQL statements one confirmation runs."""
    import cProfile
    import pstats

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from fahuo.orders.services.decide import confirm

    C.restore(env, "seeded")
    with CaptureQueriesContext(connection) as ctx:
        confirm(order_no=nos[0], by=None)
    print(f"\n--- SQL statements for one confirmation ({env.db}): {len(ctx.captured_queries)}")
    for q in ctx.captured_queries:
        print("   ", q["sql"][:160])
    prof = cProfile.Profile()
    prof.runcall(lambda: [confirm(order_no=no, by=None) for no in nos[1:k + 1]])
    for key in ("tottime", "cumulative"):
        print(f"\n--- cProfile, {k} confirmations, 1 process, {env.db}: top 25 by {key}")
        pstats.Stats(prof).strip_dirs().sort_stats(key).print_stats(25)


def make_floor_tables(seeded) -> None:
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("CREATE TABLE floor_stock (id INTEGER PRIMARY KEY, on_hand INTEGER NOT NULL, "
                    "allocated INTEGER NOT NULL DEFAULT 0)")
        idcol = "BIGSERIAL PRIMARY KEY" if connection.vendor == "postgresql" else "INTEGER PRIMARY KEY"
        cur.execute(f"CREATE TABLE floor_alloc (id {idcol}, line_id BIGINT NOT NULL, "
                    "stock_id INTEGER NOT NULL REFERENCES floor_stock (id), qty INTEGER NOT NULL)")
        cur.executemany("INSERT INTO floor_stock (id, on_hand) VALUES (%s, %s)", list(seeded.stock.items()))


def main() -> None:
    def extra(p):
        p.add_argument("--workers", type=int, nargs="+", default=[1, 8])
        p.add_argument("--limit-1w", type=int, default=0)  # 0: all N
        p.add_argument("--limit-8w", type=int, default=0)
        p.add_argument("--profile", action="store_true")

    args = C.parse_args(__doc__, 100_000, extra)
    env = C.setup(args.db, "fahuo_bench_confirm")
    from _seed import seed

    with C.Timer() as t:
        seeded = seed(args.n, seed=args.seed)
        make_floor_tables(seeded)
    C.snapshot(env, "seeded")
    C.emit("confirm.seed", args.db, n=args.n, seconds=round(t.wall, 1), skus=len(seeded.stock), **C.machine())
    nos = [no for no, _ in seeded.orders]
    lines = [ls for _, ls in seeded.orders]
    rows, summary = [], {}
    for w in args.workers:
        k = min(args.n, (args.limit_1w if w == 1 else args.limit_8w) or args.n)
        for kind, items in (("floor", lines[:k]), ("fahuo", nos[:k])):
            rates = []
            for rep in range(args.repeat):
                C.restore(env, "seeded")
                r = run_cell(kind, env, items, w)
                inv = invariants(kind)
                rates.append(k / r["seconds"])
                C.emit(f"confirm.{kind}", args.db, rep=rep, workers=w, n_db=args.n, n_confirmed=k,
                       seconds=round(r["seconds"], 2), orders_per_s=round(k / r["seconds"], 1),
                       worker_cpu_s=round(r["worker_cpu_s"], 1),
                       orders_per_worker_cpu_s=round(k / max(r["worker_cpu_s"], 1e-9), 1),
                       outcomes=r["outcomes"], invariants=inv)
            summary[(kind, w)] = (C.median(rates), k, inv["ok"])
    for w in args.workers:
        (f, k, fok), (m, _, mok) = summary[("floor", w)], summary[("fahuo", w)]
        rows.append([w, k, m, f, f / m, "yes" if mok and fok else "NO"])
        C.emit("confirm.summary", args.db, workers=w, n_db=args.n, n_confirmed=k, fahuo_orders_per_s=round(m, 1),
               floor_orders_per_s=round(f, 1), floor_over_fahuo=round(f / m, 1), invariants_ok=mok and fok)
    C.table(f"confirm, {args.db}, {args.n:,} orders in the database, medians of {args.repeat}",
            ["workers", "orders confirmed", "fahuo orders/s", "floor orders/s", "floor ÷ fahuo", "invariants"], rows)
    if args.profile:
        profile(env, nos)
    C.teardown(env)


if __name__ == "__main__":
    main()
