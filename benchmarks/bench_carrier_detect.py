"""Carrier detection on a generated list of waybill numbers: fahuo's ranked `detect` vs a bare-regex floor.

    python benchmarks/bench_carrier_detect.py [--n 100000] [--repeat 5] [--seed 7]

No Django, no database. The list (seeded) follows a typical small-shop carrier mix, with numbers shaped
like each carrier's real ones (some fit several carriers' patterns, as real ones do) and 2 % that fit
nothing. Per repeat, over the whole list:

  floor        one precompiled alternation of every pattern in data/patterns.toml, `fullmatch` per
               number (yes/no only: no normalising, no ranking, no list of candidates)
  floor+norm   detect.normalise(number) then the same fullmatch
  detect       fahuo.carriers.detect.detect(number): normalise, every fitting pattern, ranked candidates
  detect+prior the same with the seller's carrier mix as a prior

Prints one JSON line per measurement (numbers/s) and a table of medians with detect's cost relative to
the floor. The first line also describes the list: how many numbers got 0, 1, 2, 3+ candidates, and how
often the top candidate is the carrier that generated the number (without and with the prior). That
agreement only checks the generator against the pattern data; it is not a real-world accuracy (the
generated 邮政 numbers start with 9, which the data gives to EMS first; 申通's 43… numbers overlap 韵达's).
"""

from __future__ import annotations

import argparse
import random
import re
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))
import _common as C  # noqa: E402

from fahuo.carriers import detect  # noqa: E402

# Share of each carrier in the generated list (and the seller's prior for detect+prior).
MIX = {"ZTO": 24, "YTO": 18, "YUNDA": 16, "STO": 12, "JTSD": 10, "SF": 8, "JD": 3, "POSTB": 3, "EMS": 2, "DBKD": 2}
JUNK_SHARE = 0.02


def _digits(rng: random.Random, k: int) -> str:
    return "".join(rng.choice("0123456789") for _ in range(k))


GENERATORS: dict[str, Callable[[random.Random], str]] = {
    "SF": lambda r: "SF" + r.choice("0123456789ABCDEF") + _digits(r, 12),
    "ZTO": lambda r: "7" + r.choice("345368") + _digits(r, 12) if r.random() < 0.9 else "780" + _digits(r, 9),
    "YTO": lambda r: "YT" + _digits(r, 13),
    "STO": lambda r: "77" + _digits(r, 13) if r.random() < 0.85 else "43" + _digits(r, 13),
    "YUNDA": lambda r: r.choice("34") + _digits(r, 14) if r.random() < 0.85 else "5" + _digits(r, 12),
    "JD": lambda r: "JD" + r.choice(["X0", "VA", "VB", "K0"]) + _digits(r, 11),
    "EMS": lambda r: "1" + r.choice("012") + _digits(r, 11),
    "POSTB": lambda r: "9" + _digits(r, 12),
    "JTSD": lambda r: "JT" + _digits(r, 13),
    "DBKD": lambda r: "DPK" + _digits(r, 12),
}


def make_numbers(n: int, seed: int) -> list[tuple[str, str]]:
    """(number, carrier that generated it; "" for junk)."""
    rng = random.Random(seed)
    codes, weights = zip(*MIX.items(), strict=True)
    out: list[tuple[str, str]] = []
    for _ in range(n):
        if rng.random() < JUNK_SHARE:
            out.append((_digits(rng, rng.choice((11, 16, 18))), ""))  # fits no pattern
        else:
            code = rng.choices(codes, weights)[0]
            out.append((GENERATORS[code](rng), code))
    return out


def timed(fn: Callable[[list[str]], int], numbers: list[str]) -> tuple[float, int]:
    t0 = time.perf_counter()
    found = fn(numbers)
    return time.perf_counter() - t0, found


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--n", type=int, default=100_000)
    p.add_argument("--repeat", type=int, default=5)
    p.add_argument("--seed", type=int, default=7)
    args = p.parse_args()

    labelled = make_numbers(args.n, args.seed)
    numbers = [x for x, _ in labelled]
    pats = detect.patterns()
    floor_rx = re.compile("|".join(f"(?:{pt.regex})" for pt in pats))
    prior = {k: float(v) for k, v in MIX.items()}
    norm = detect.normalise
    detect.detect(numbers[0])  # load and compile the data outside the timings

    def floor(ns: list[str]) -> int:
        fm = floor_rx.fullmatch
        return sum(1 for x in ns if fm(x) is not None)

    def floor_norm(ns: list[str]) -> int:
        fm = floor_rx.fullmatch
        return sum(1 for x in ns if fm(norm(x)) is not None)

    def fahuo(ns: list[str]) -> int:
        d = detect.detect
        return sum(1 for x in ns if d(x))

    def fahuo_prior(ns: list[str]) -> int:
        d = detect.detect
        return sum(1 for x in ns if d(x, prior))

    cands = Counter(min(len(detect.detect(x)), 3) for x in numbers)

    def top1(p: dict[str, float] | None) -> float:  # share of real numbers whose top candidate is right
        real = [(x, code) for x, code in labelled if code]
        return round(sum(1 for x, code in real if detect.best(x, p) == code) / len(real), 4)

    C.emit("carrier_detect.list", "-", n=args.n, patterns=len(pats), candidates_0=cands[0], candidates_1=cands[1],
           candidates_2=cands[2], candidates_3_or_more=cands[3], top1_no_prior=top1(None),
           top1_with_prior=top1(prior), **C.machine())  # fmt: skip

    targets = {"floor": floor, "floor+norm": floor_norm, "detect": fahuo, "detect+prior": fahuo_prior}
    rates: dict[str, list[float]] = {k: [] for k in targets}
    for rep in range(1, args.repeat + 1):
        for name, fn in targets.items():
            secs, found = timed(fn, numbers)
            rates[name].append(args.n / secs)
            C.emit("carrier_detect." + name, "-", rep=rep, n=args.n, seconds=round(secs, 4),
                   numbers_per_s=round(args.n / secs), found=found)  # fmt: skip

    floor_rate = C.median(rates["floor"])
    rows = []
    for name, xs in rates.items():
        med = C.median(xs)
        C.emit("carrier_detect.summary", "-", target=name, n=args.n, numbers_per_s=round(med),
               us_per_number=round(1e6 / med, 3), floor_over_target=round(floor_rate / med, 2))  # fmt: skip
        rows.append([name, med, round(1e6 / med, 3), round(floor_rate / med, 2)])
    C.table(f"carrier detection, {args.n:,} numbers, medians of {args.repeat}",
            ["target", "numbers/s", "µs/number", "× floor time"], rows)  # fmt: skip


if __name__ == "__main__":
    main()
