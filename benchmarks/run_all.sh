#!/usr/bin/env bash
# Every benchmark on SQLite and on PostgreSQL, raw output kept in benchmarks/results/<date>/.
# Knobs (environment): PY, N (orders, 100000), REPEAT (3), OUT, and the confirm cells that would run too long:
#   SQLITE_1W_LIMIT / SQLITE_8W_LIMIT / PG_1W_LIMIT / PG_8W_LIMIT  (0 = confirm all N; the database still holds N)
# The code measured is a snapshot of one commit (REV, default HEAD: `git archive` into /tmp, first on
# PYTHONPATH), so colleagues editing src/ meanwhile cannot change it half-way; FAHUO_BENCH_SRC=path/to/src
# measures that tree instead.
# PostgreSQL: FAHUO_BENCH_PG (default postgresql://postgres@127.0.0.1:5432); the scripts drop and create
# their own databases fahuo_bench_* there.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PY:-.venv/bin/python}
N=${N:-100000}
REPEAT=${REPEAT:-3}
OUT=${OUT:-benchmarks/results/$(date +%F)}
SQLITE_1W_LIMIT=${SQLITE_1W_LIMIT:-0}
SQLITE_8W_LIMIT=${SQLITE_8W_LIMIT:-0}
PG_1W_LIMIT=${PG_1W_LIMIT:-20000}
PG_8W_LIMIT=${PG_8W_LIMIT:-0}
mkdir -p "$OUT"

if [ -z "${FAHUO_BENCH_SRC:-}" ]; then
  FAHUO_BENCH_COMMIT=$(git rev-parse "${REV:-HEAD}")
  snap=/tmp/fahuo-bench-src-${FAHUO_BENCH_COMMIT:0:12}
  rm -rf "$snap" && mkdir -p "$snap" && git archive "$FAHUO_BENCH_COMMIT" src | tar -x -C "$snap"
  export FAHUO_BENCH_SRC=$snap/src FAHUO_BENCH_COMMIT
fi
export PYTHONPATH=$FAHUO_BENCH_SRC${PYTHONPATH:+:$PYTHONPATH}

run() {  # name, then the command; stdout to the terminal and to $OUT/name.txt
  local name=$1; shift
  echo "== $name: $*  (load $(cut -d' ' -f1-3 /proc/loadavg))" | tee "$OUT/$name.txt"
  "$@" 2>&1 | tee -a "$OUT/$name.txt"
}

{ lscpu | grep -i 'model name'; nproc; $PY -V; $PY -c 'import sqlite3; print("SQLite", sqlite3.sqlite_version)';
  psql -h 127.0.0.1 -U postgres -Atc "select version()" 2>/dev/null || echo "PostgreSQL: psql unavailable"
  echo "fahuo source measured: $FAHUO_BENCH_SRC (commit ${FAHUO_BENCH_COMMIT:-working tree})"; } \
  > "$OUT/machine.txt"

for db in sqlite postgres; do
  run "import-$db" $PY benchmarks/bench_import.py --db $db --n "$N" --repeat "$REPEAT" --profile
  run "order_list-$db" $PY benchmarks/bench_order_list.py --db $db --n "$N" --repeat "$REPEAT" --profile --what-if-index
done

run confirm-sqlite $PY benchmarks/bench_confirm.py --db sqlite --n "$N" --repeat "$REPEAT" \
  --limit-1w "$SQLITE_1W_LIMIT" --limit-8w "$SQLITE_8W_LIMIT" --profile
run confirm-postgres $PY benchmarks/bench_confirm.py --db postgres --n "$N" --repeat "$REPEAT" \
  --limit-1w "$PG_1W_LIMIT" --limit-8w "$PG_8W_LIMIT" --profile
if [ "$PG_1W_LIMIT" != 0 ]; then  # a reduced cell: check that the per-order rate is flat in N
  run confirm-postgres-1w-half $PY benchmarks/bench_confirm.py --db postgres --n "$N" --repeat "$REPEAT" \
    --workers 1 --limit-1w $((PG_1W_LIMIT / 2))
fi
# tracking (issue 4): webhook ingestion, and the sweep over 10k / 100k / 1M open parcels
for db in sqlite postgres; do
  run "webhook-$db" $PY benchmarks/bench_webhook.py --db $db --n 150 --repeat "$REPEAT"
  run "sweep-$db" $PY benchmarks/bench_sweep.py --db $db --sizes 10000 100000 1000000 --repeat "$REPEAT"
done
echo "raw output in $OUT"
if [ -n "${snap:-}" ]; then rm -rf "$snap"; fi
