"""Shared by the benchmark scripts: environment + database set-up, timing, and output.

Each script calls `setup(db, name)` before touching Django: it points FAHUO_DATA_DIR at a fresh temp dir,
FAHUO_DATABASE_URL at a dedicated bench database (PostgreSQL: dropped and created; SQLite: a file in the
temp dir), runs `migrate`, and keeps a migrated snapshot so `fresh_db()` can give an empty database again.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

PG_DSN = os.environ.get("FAHUO_BENCH_PG", "postgresql://postgres@127.0.0.1:5432")
# The fahuo source to measure: the working tree's src/ unless run_all.sh pinned a commit's snapshot.
SRC = Path(os.environ.get("FAHUO_BENCH_SRC") or Path(__file__).resolve().parent.parent / "src")


@dataclass
class Env:
    db: str  # "sqlite" | "postgres"
    name: str  # bench database name (PostgreSQL) / file stem (SQLite)
    tmp: Path
    snapshots: list[str] = field(default_factory=list)

    @property
    def sqlite_path(self) -> Path:
        return self.tmp / f"{self.name}.sqlite3"

    @property
    def pg_url(self) -> str:
        return f"{PG_DSN}/{self.name}"


def parse_args(doc: str, n: int, extra=None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=doc)
    p.add_argument("--db", choices=("sqlite", "postgres"), default="sqlite")
    p.add_argument("--n", type=int, default=n)
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--seed", type=int, default=7)
    if extra:
        extra(p)
    return p.parse_args()


def pg_admin(sql: str) -> None:
    import psycopg

    with psycopg.connect(f"{PG_DSN}/postgres", autocommit=True) as conn:
        conn.execute(sql)


def pg_recreate(name: str, template: str | None = None) -> None:
    pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    pg_admin(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""))


def setup(db: str, name: str) -> Env:
    """Fresh temp data dir + bench database, Django set up and migrated. Call once, before importing models."""
    tmp = Path(tempfile.mkdtemp(prefix=f"fahuo-bench-{name}-"))
    env = Env(db, name, tmp)
    os.environ["FAHUO_DATA_DIR"] = str(tmp / "data")
    (tmp / "data" / "static").mkdir(parents=True)  # STATIC_ROOT: whitenoise warns when it is missing
    os.environ["DJANGO_SETTINGS_MODULE"] = "fahuo.settings"
    os.environ.setdefault("FAHUO_JOBS_IMMEDIATE", "1")
    if db == "postgres":
        pg_recreate(name)
        os.environ["FAHUO_DATABASE_URL"] = env.pg_url
    else:
        os.environ["FAHUO_DATABASE_URL"] = f"sqlite:///{env.sqlite_path}"
    django_setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    snapshot(env, "migrated")
    return env


def django_setup() -> None:
    if str(SRC) not in sys.path:
        sys.path.insert(0, str(SRC))
    import django

    django.setup()


def snapshot(env: Env, label: str) -> None:
    """Keep the database as it is now under `label` (PostgreSQL: a template database; SQLite: a file copy)."""
    from django.db import connections

    connections.close_all()
    if env.db == "postgres":
        pg_recreate(f"{env.name}_{label}", template=env.name)
        env.snapshots.append(f"{env.name}_{label}")
    else:
        with sqlite3.connect(env.sqlite_path) as c:
            c.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        shutil.copyfile(env.sqlite_path, env.tmp / f"{label}.sqlite3")


def restore(env: Env, label: str) -> None:
    """Put the database back to a snapshot (connections are closed and reopen on next use)."""
    from django.db import connections

    connections.close_all()
    if env.db == "postgres":
        pg_recreate(env.name, template=f"{env.name}_{label}")
    else:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{env.sqlite_path}{suffix}").unlink(missing_ok=True)
        shutil.copyfile(env.tmp / f"{label}.sqlite3", env.sqlite_path)


def fresh_db(env: Env) -> None:
    """Back to the just-migrated, empty database."""
    restore(env, "migrated")


def teardown(env: Env) -> None:
    from django.db import connections

    connections.close_all()
    if env.db == "postgres":
        for n in (env.name, *env.snapshots):
            pg_admin(f'DROP DATABASE IF EXISTS "{n}" WITH (FORCE)')
    shutil.rmtree(env.tmp, ignore_errors=True)


class Timer:
    """Wall and CPU seconds of a block (CPU of this process only)."""

    def __enter__(self) -> Timer:
        self.t0, self.c0 = time.perf_counter(), time.process_time()
        return self

    def __exit__(self, *exc) -> None:
        self.wall = time.perf_counter() - self.t0
        self.cpu = time.process_time() - self.c0


def loadavg() -> float:
    return round(os.getloadavg()[0], 2)


def emit(bench: str, db: str, **fields) -> dict:
    """One JSON line per measurement, with the load average at the time."""
    rec = {"bench": bench, "db": db, **fields, "loadavg": loadavg()}
    print(json.dumps(rec, ensure_ascii=False), flush=True)
    return rec


def median(xs: list[float]) -> float:
    return statistics.median(xs) if xs else float("nan")


def table(title: str, header: list[str], rows: list[list[object]]) -> None:
    def fmt(v: object) -> str:
        if isinstance(v, float):
            return f"{v:,.0f}" if abs(v) >= 100 else f"{v:.3g}"
        return f"{v:,}" if isinstance(v, int) else str(v)

    cells = [header] + [[fmt(v) for v in r] for r in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(header))]
    print(f"\n{title}")
    for i, r in enumerate(cells):
        print("  " + "  ".join(c.rjust(w) for c, w in zip(r, widths, strict=True)))
        if i == 0:
            print("  " + "  ".join("-" * w for w in widths))
    print(flush=True)


def machine() -> dict:
    import sqlite3 as s

    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    import fahuo

    return {"python": platform.python_version(), "sqlite": s.sqlite_version, "cpus": os.cpu_count(), "cpu": model,
            "fahuo_src": str(Path(fahuo.__file__).parent.parent), "commit": os.environ.get("FAHUO_BENCH_COMMIT", "")}
