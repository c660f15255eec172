"""Scan-to-verify server time per scan with 100,000 orders in the database: fahuo vs bare SQL.

    python benchmarks/bench_scan.py --db sqlite|postgres --n 100000 --repeat 3 [--parcels 300]

fahuo    the service the phone calls for each item scan (fahuo.fulfilment.services.packing.scan_item), and the
         same through the REST API (POST /api/ship/parcels/{id}/scan with a bearer token, Django test client,
         so the whole request/response stack minus the socket).
floor    the bare operation on the same database: in one transaction, SELECT the parcel item by parcel id and
         SKU code, the guarded `UPDATE … SET scanned = scanned + 1 WHERE id = ? AND scanned < qty`, INSERT the
         scan row (raw SQL on Django's connection, no ORM).
Each repeat restores the seeded database (N orders, a wave of --parcels READY orders with sandbox numbers).
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _common as C  # noqa: E402


def pct(xs: list[float], p: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(p / 100 * (len(xs) - 1))))]


def scans(parcels) -> list[tuple[int, str]]:
    return [(p.pk, it.line.sku.code) for p in parcels for it in p.items.select_related("line__sku")
            for _ in range(it.qty)]


def run_service(todo) -> list[float]:
    from fahuo.fulfilment.services.packing import scan_item

    out = []
    for pid, code in todo:
        t = time.perf_counter()
        scan_item(parcel_id=pid, code=code)
        out.append((time.perf_counter() - t) * 1000)
    return out


def run_api(todo) -> list[float]:
    import json

    from django.test import Client

    from fahuo.core.models import User
    from fahuo.core.tokens import create_token

    user = User.objects.filter(username="bench").first() or User.objects.create_user("bench", role="packer")
    _, key = create_token(user=user, name="bench")
    c, h = Client(), {"Authorization": f"Bearer {key}"}
    out = []
    for pid, code in todo:
        t = time.perf_counter()
        r = c.post(f"/api/ship/parcels/{pid}/scan", json.dumps({"code": code}), content_type="application/json",
                   headers=h)
        out.append((time.perf_counter() - t) * 1000)
        assert r.status_code == 200, r.content
    return out


def run_floor(todo) -> list[float]:
    from django.db import connection, transaction

    out = []
    for pid, code in todo:
        t = time.perf_counter()
        with transaction.atomic(), connection.cursor() as cur:
            cur.execute("SELECT i.id FROM fulfilment_parcelitem i JOIN orders_orderline l ON l.id = i.line_id "
                        "JOIN inventory_sku s ON s.id = l.sku_id WHERE i.parcel_id = %s AND s.code = %s "
                        "AND i.scanned < i.qty ORDER BY i.id LIMIT 1", [pid, code])
            (iid,) = cur.fetchone()
            cur.execute("UPDATE fulfilment_parcelitem SET scanned = scanned + 1 WHERE id = %s AND scanned < qty",
                        [iid])
            cur.execute("INSERT INTO fulfilment_scanevent (parcel_id, code, result, sku_code, at) "
                        "VALUES (%s, %s, 'ok', %s, CURRENT_TIMESTAMP)", [pid, code, code])
        out.append((time.perf_counter() - t) * 1000)
    return out


def main() -> None:
    args = C.parse_args(__doc__, 100_000, extra=lambda p: p.add_argument("--parcels", type=int, default=300))
    env = C.setup(args.db, f"fahuo_bench_scan_{args.db}")
    import _seed

    from fahuo.fulfilment.models import Parcel
    from fahuo.fulfilment.services.waves import WaveFilter, create_wave

    _seed.seed(args.n, status_mix={"review": 0.97, "ready": 0.03})
    res = create_wave(by=None, filters=WaveFilter(limit=args.parcels))
    assert res.wave is not None and len(res.added) == args.parcels, res.skipped
    C.snapshot(env, "wave")
    results: dict[str, list[float]] = {"service": [], "api": [], "floor": []}
    for rep in range(args.repeat):
        for kind, fn in (("floor", run_floor), ("service", run_service), ("api", run_api)):
            C.restore(env, "wave")
            todo = scans(Parcel.objects.filter(wave=res.wave).order_by("id"))
            ms = fn(todo)
            C.emit("scan.run", args.db, rep=rep, target=kind, n=args.n, scans=len(ms), p50_ms=round(pct(ms, 50), 3),
                   p95_ms=round(pct(ms, 95), 3), loadavg=C.loadavg())
            results[kind].append(pct(ms, 95))
            results.setdefault(kind + "_p50", []).append(pct(ms, 50))
    floor95 = C.median(results["floor"])
    rows = []
    for kind in ("service", "api", "floor"):
        p50, p95 = C.median(results[kind + "_p50"]), C.median(results[kind])
        C.emit("scan.summary", args.db, target=kind, n=args.n, p50_ms=round(p50, 3), p95_ms=round(p95, 3),
               p95_over_floor=round(p95 / floor95, 1), loadavg=C.loadavg())
        rows.append([kind, f"{p50:.2f}", f"{p95:.2f}", f"{p95 / floor95:.1f}"])
    C.table(f"scan-to-verify, {args.n:,} orders in the database, {args.db}, medians of {args.repeat}",
            ["target", "p50 ms", "p95 ms", "p95 ÷ floor"], rows)
    C.teardown(env)


if __name__ == "__main__":
    main()
