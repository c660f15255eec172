"""The first filtered page of the order list with N orders in the database: server time and SQL count.

    python benchmarks/bench_order_list.py --db sqlite|postgres --n 100000 --repeat 3 [--requests 200]

Targets, each timed in-process (no network) for --requests requests after 10 warm-up requests:
  view      GET /orders/?status=review as a logged-in owner (django.test.Client, URL name "orders:list");
            skipped, and said so, while that view does not exist yet;
  api       GET /api/orders?status=review&limit=50 (skipped likewise while it 404s);
  selector  fahuo.orders.selectors.order_list(status="review")[:50] + order_dict(o, user=owner) per row;
  floor     the page's rows with the bare driver (sqlite3 / psycopg): one SELECT … WHERE status = 'review'
            AND merged_into_id IS NULL ORDER BY ship_by, id LIMIT 50 on the (status, ship_by) index;
  floor+lines  the same plus one SELECT of those 50 orders' lines (what a page that lists items needs);
  floor+lines+count  and the COUNT(*) of the filter (what a paginator showing "page 1 of N" adds).
--what-if-index then adds an index on (status, merged_into_id), which fahuo does not have, and times the
COUNT-bearing targets again (lines "list.whatif_index"): a suggestion measured, not fahuo's figure.
SQL per request is counted with CaptureQueriesContext on a page of 50 rows and on a page of a few rows
(status=held): the two counts must be equal (constant, not one query per row).
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _common as C  # noqa: E402

MIX = {"review": 0.35, "ready": 0.25, "shipped": 0.3, "completed": 0.0998, "held": 0.0002}
COLS = ("id, order_no, status, platform_status, buyer_nick, receiver_name, receiver_phone, province, city, "
        "district, detail, problems, amount, paid_at, ship_by, waybills, short_skus")


def percentiles(xs: list[float]) -> tuple[float, float]:
    s = sorted(xs)
    return s[len(s) // 2], s[min(len(s) - 1, int(len(s) * 0.95))]


def time_calls(fn, n: int) -> list[float]:
    for _ in range(10):
        fn()
    out = []
    for _ in range(n):
        t0 = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t0) * 1000)
    return out


def targets(owner, env: C.Env):
    """name -> (callable for the review page, callable for the held page), or a reason it is skipped."""
    from django.test import Client
    from django.urls import NoReverseMatch, reverse

    from fahuo.orders.selectors import order_dict, order_list

    client = Client()
    client.force_login(owner)
    out: dict[str, object] = {}

    def get(url):
        def call():
            r = client.get(url)
            assert r.status_code == 200, (url, r.status_code)
            return r
        return call

    try:
        url = reverse("orders:list")
        out["view"] = (get(f"{url}?status=review"), get(f"{url}?status=held"))
    except NoReverseMatch:
        out["view"] = "URL orders:list does not exist yet"
    probe = client.get("/api/orders?status=review&limit=50")
    if probe.status_code == 200:
        out["api"] = (get("/api/orders?status=review&limit=50"), get("/api/orders?status=held&limit=50"))
    else:
        out["api"] = f"GET /api/orders answered {probe.status_code}"

    def sel(status):
        return lambda: [order_dict(o, user=owner) for o in order_list(status=status)[:50]]

    out["selector"] = (sel("review"), sel("held"))
    fl = floor(env)
    out["floor"] = (lambda: fl(False, "review"), lambda: fl(False, "held"))
    out["floor+lines"] = (lambda: fl(True, "review"), lambda: fl(True, "held"))
    out["floor+lines+count"] = (lambda: fl(True, "review", True), lambda: fl(True, "held", True))
    return out


def floor(env: C.Env):
    from fahuo.orders.models import Order, OrderLine

    o, ln = Order._meta.db_table, OrderLine._meta.db_table
    if env.db == "postgres":
        import psycopg

        conn, ph = psycopg.connect(env.pg_url, autocommit=True), "%s"
    else:
        import sqlite3

        conn, ph = sqlite3.connect(env.sqlite_path), "?"
    page = f"SELECT {COLS} FROM {o} WHERE status = {ph} AND merged_into_id IS NULL ORDER BY ship_by, id LIMIT 50"

    explain = "EXPLAIN ANALYZE " if env.db == "postgres" else "EXPLAIN QUERY PLAN "
    cur = conn.cursor()
    cur.execute(explain + page, ("review",))
    print("floor query plan:\n  " + "\n  ".join(str(r[-1]) for r in cur.fetchall()))

    count = f"SELECT count(*) FROM {o} WHERE status = {ph} AND merged_into_id IS NULL"

    def run(lines: bool, status: str, counted: bool = False):
        cur = conn.cursor()
        cur.execute(page, (status,))
        rows = cur.fetchall()
        if counted:  # what a paginator adds: the total for "page 1 of N"
            cur.execute(count, (status,))
            cur.fetchall()
        if lines and rows:
            ids = [r[0] for r in rows]
            cur.execute(f"SELECT order_id, sku_id, title, spec, qty FROM {ln} WHERE order_id IN "
                        f"({', '.join([ph] * len(ids))}) ORDER BY id", ids)
            cur.fetchall()
        return rows

    return run


def queries(fn) -> list[str]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        fn()
    return [q["sql"] for q in ctx.captured_queries]


def profile(name: str, fn, db: str, n: int = 50) -> None:
    import cProfile
    import pstats

    prof = cProfile.Profile()
    prof.runcall(lambda: [fn() for _ in range(n)])
    for key, k in (("tottime", 15), ("cumulative", 45)):
        print(f"\n--- cProfile, {n} requests to {name}, {db}: top {k} by {key}")
        pstats.Stats(prof).strip_dirs().sort_stats(key).print_stats(k)


def what_if_index(tgts: dict, args) -> None:
    """Not fahuo's schema: time the COUNT-bearing targets again with an index on (status, merged_into_id)."""
    from django.db import connection

    from fahuo.orders.models import Order

    with connection.cursor() as cur:
        cur.execute(f"CREATE INDEX bench_whatif_status_merged ON {Order._meta.db_table} (status, merged_into_id)")
        cur.execute("ANALYZE")
    for name in ("view", "api", "floor+lines+count"):
        if isinstance(tgts.get(name), tuple):
            p50, p95 = percentiles(time_calls(tgts[name][0], args.requests))
            C.emit("list.whatif_index", args.db, target=name, index="(status, merged_into_id)", n=args.n,
                   requests=args.requests, p50_ms=round(p50, 3), p95_ms=round(p95, 3))


def main() -> None:
    def extra(p):
        p.add_argument("--requests", type=int, default=200)
        p.add_argument("--profile", action="store_true")
        p.add_argument("--what-if-index", action="store_true")

    args = C.parse_args(__doc__, 100_000, extra)
    env = C.setup(args.db, "fahuo_bench_list")
    from _seed import seed

    from fahuo.core.models import User

    with C.Timer() as t:
        s = seed(args.n, seed=args.seed, status_mix=MIX)
    owner = User.objects.create_user(username="owner", password="bench-owner-pw", role="owner", is_staff=True)
    C.emit("list.seed", args.db, n=args.n, seconds=round(t.wall, 1), statuses=s.statuses, **C.machine())
    from fahuo.orders.selectors import order_list

    held_rows = len(order_list(status="held")[:50])
    summary, skipped, profiled = {}, {}, {}
    targets_ = targets(owner, env)
    for name, tgt in targets_.items():
        if isinstance(tgt, str):
            skipped[name] = tgt
            C.emit("list.skipped", args.db, target=name, reason=tgt)
            continue
        review, held = tgt
        if name in ("view", "api"):
            profiled[name] = review
        if name.startswith("floor"):
            q50 = qfew = {"floor": 1, "floor+lines": 2}.get(name, 3)
        else:
            review(), held()  # first calls create per-site rows (ShopSettings): count the steady state
            sql50, sqlfew = queries(review), queries(held)
            q50, qfew = len(sql50), len(sqlfew)
            print(f"SQL of {name}, page of 50 rows / of {held_rows} rows:")
            for i in range(max(q50, qfew)):
                print(f"  {i + 1:2}. {(sql50[i] if i < q50 else '-')[:100]}\n      {(sqlfew[i] if i < qfew else '-')[:100]}")
        p50s, p95s = [], []
        for rep in range(args.repeat):
            ms = time_calls(review, args.requests)
            p50, p95 = percentiles(ms)
            p50s.append(p50)
            p95s.append(p95)
            C.emit("list." + name, args.db, rep=rep, n=args.n, requests=args.requests, p50_ms=round(p50, 3),
                   p95_ms=round(p95, 3), queries_50_rows=q50, queries_few_rows=qfew, few_rows=held_rows)
        summary[name] = (C.median(p50s), C.median(p95s), q50, qfew)
    if args.profile:
        for name, tgt in profiled.items():
            profile(name, tgt, args.db)
    if args.what_if_index:
        what_if_index(targets_, args)
    fl = summary["floor"][0]
    rows = [[k, p50, p95, p50 / fl, q50, qfew] for k, (p50, p95, q50, qfew) in summary.items()]
    for k, (p50, p95, q50, qfew) in summary.items():
        C.emit("list.summary", args.db, target=k, n=args.n, p50_ms=round(p50, 3), p95_ms=round(p95, 3),
               p50_over_floor=round(p50 / fl, 1), queries_50_rows=q50, queries_few_rows=qfew,
               constant_queries=q50 == qfew)
    C.table(f"order list, first page of status=review, {args.n:,} orders, {args.db}, medians of {args.repeat}",
            ["target", "p50 ms", "p95 ms", "p50 ÷ floor", "SQL (50 rows)", f"SQL ({held_rows} rows)"], rows)
    for k, why in skipped.items():
        print(f"  skipped {k}: {why}")
    C.teardown(env)


if __name__ == "__main__":
    main()
