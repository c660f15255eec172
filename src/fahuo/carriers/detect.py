"""Which carrier a waybill number belongs to: ranked candidates from the patterns in `data/patterns.toml`.

Pure Python. Patterns overlap (a 13-digit number fits EMS, 邮政 and 韵达's permissive family), so the
answer is a ranked list, never one guess:

    score(carrier) = specificity × mix(carrier)

- specificity: the best `specificity` among the carrier's patterns that fit the number (data; the scale
  is documented in patterns.toml: 1.0 for a carrier's own letter prefix … 0.2 for "any 15 digits").
- mix: the seller's own carrier mix. `prior` maps carrier code → share of the seller's recent parcels
  (any non-negative weights; they are divided by their sum). mix = PRIOR_FLOOR + (1 − PRIOR_FLOOR) × share,
  so a carrier the seller never used keeps a tenth of its score (a new carrier is still found) and ties
  break toward the carriers the seller uses. Without a prior (or an all-zero one) mix = 1.
- Ties (equal score) go to the higher specificity, then to catalog order.

Speed: every pattern is compiled once, into one alternation with one group per pattern. One
`fullmatch` finds the first pattern that fits; the search then resumes from the next pattern with a
precompiled alternation of the remaining ones. A number that fits k patterns costs k + 1 regex calls
inside the C engine instead of one call per pattern. The ranking of a set of fitting patterns under a
given prior is remembered (bounded memo), so a batch ranks each set once. Figures against a bare
one-regex floor: benchmarks/bench_carrier_detect.py.
"""

from __future__ import annotations

import functools
import re
import tomllib
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import NamedTuple

from . import catalog

PRIOR_FLOOR = 0.1
_MEMO_SIZE = 4096
# Removed by normalise: whitespace of any width, and dashes/hyphens of any kind. NFKC has already turned
# full-width ＡＢＣ１２３ and the ideographic space into ASCII.
_DROP = re.compile(r"[\s\-‐‑‒–—―−_]+")
# Excel protection around long numbers in exports: ="773…", '773…
_EXCEL = re.compile(r'^=?"(.*)"$')


@dataclass(frozen=True)
class Pattern:
    carrier: str
    regex: str
    specificity: float
    source: str
    samples: tuple[str, ...] = ()


class Candidate(NamedTuple):
    code: str
    score: float
    pattern: str  # the regex (as in the data file) that gave the score


class PatternDataError(ValueError):
    """patterns.toml is inconsistent (unknown carrier, bad regex, a sample that does not match)."""


def normalise(number: str) -> str:
    """The canonical form of a waybill number: NFKC, Excel quoting removed, no spaces or dashes, upper case.

    "sf 1385-6287-16739" → "SF1385628716739"; '="773277027280336"' → "773277027280336".
    """
    if number.isascii() and number.isalnum():  # what a scanner types: nothing to clean
        return number.upper()
    t = unicodedata.normalize("NFKC", number).strip()
    m = _EXCEL.match(t)
    if m:
        t = m.group(1)
    t = t.lstrip("'")
    return _DROP.sub("", t).upper()


@dataclass(frozen=True)
class _Compiled:
    patterns: tuple[Pattern, ...]
    chains: tuple[re.Pattern[str] | None, ...]  # chains[i]: alternation of patterns i..n-1
    facts: tuple[tuple[str, float, str, int], ...]  # per pattern: carrier, specificity, regex, catalog order
    single: dict[str, tuple[re.Pattern[str], ...]]  # carrier → its own patterns
    combined: re.Pattern[str]  # all patterns, no group names (what a bare floor would use)
    ranked: dict[tuple[object, ...], tuple[Candidate, ...]] = field(default_factory=dict)  # memo of _rank


def load_patterns(text: str | None = None) -> tuple[Pattern, ...]:
    """Patterns from TOML text (default: the packaged patterns.toml), checked against the catalog."""
    raw = tomllib.loads(text if text is not None else catalog.data_text("patterns.toml"))
    out: list[Pattern] = []
    for i, row in enumerate(raw.get("pattern", []), start=1):
        p = Pattern(
            carrier=row["carrier"],
            regex=row["regex"],
            specificity=float(row["specificity"]),
            source=row.get("source", ""),
            samples=tuple(row.get("samples", ())),
        )
        if catalog.find(p.carrier) is None:
            raise PatternDataError(f"pattern {i}: unknown carrier {p.carrier!r}")
        if not 0 < p.specificity <= 1:
            raise PatternDataError(f"pattern {i}: specificity must be in (0, 1], got {p.specificity}")
        try:
            rx = re.compile(p.regex)
        except re.error as e:
            raise PatternDataError(f"pattern {i}: bad regex {p.regex!r}: {e}") from e
        if rx.groups:
            raise PatternDataError(f"pattern {i}: use (?:…), not capturing groups: {p.regex!r}")
        for s in p.samples:
            if not rx.fullmatch(normalise(s)):
                raise PatternDataError(f"pattern {i}: sample {s!r} does not match {p.regex!r}")
        out.append(p)
    return tuple(out)


def compile_patterns(patterns: tuple[Pattern, ...]) -> _Compiled:
    n = len(patterns)
    chains: list[re.Pattern[str] | None] = []
    for i in range(n):
        chains.append(re.compile("|".join(f"({patterns[j].regex})" for j in range(i, n))))
    chains.append(None)
    single: dict[str, list[re.Pattern[str]]] = {}
    for p in patterns:
        single.setdefault(p.carrier, []).append(re.compile(p.regex))
    combined = re.compile("|".join(f"(?:{p.regex})" for p in patterns) or "(?!)")
    facts = tuple((p.carrier, p.specificity, p.regex, catalog.order_of(p.carrier)) for p in patterns)
    return _Compiled(patterns, tuple(chains), facts, {k: tuple(v) for k, v in single.items()}, combined)


@functools.cache
def _compiled() -> _Compiled:
    return compile_patterns(load_patterns())


def patterns() -> tuple[Pattern, ...]:
    return _compiled().patterns


def combined_regex() -> re.Pattern[str]:
    """Every pattern in one precompiled alternation (True/False only: the benchmark's floor)."""
    return _compiled().combined


def _fits(c: _Compiled, number: str) -> list[int]:
    """Indexes of every pattern that fits `number` (already normalised), in data order."""
    hits: list[int] = []
    chains = c.chains
    start = 0
    while True:
        rx = chains[start]
        if rx is None:
            return hits
        m = rx.fullmatch(number)
        if m is None:
            return hits
        idx = start + (m.lastindex or 1) - 1  # chains[start] has one group per pattern start..n-1
        hits.append(idx)
        start = idx + 1


def _mix(prior: Mapping[str, float] | None) -> tuple[Mapping[str, float], float] | None:
    """The prior and the sum of its positive shares, or None when there is no usable prior."""
    if not prior:
        return None
    total = sum(v for v in prior.values() if v > 0)
    return (prior, total) if total > 0 else None


def detect(number: str, prior: Mapping[str, float] | None = None) -> list[Candidate]:
    """Ranked carrier candidates for a waybill number (best first); [] when no pattern fits."""
    c = _compiled()
    n = normalise(number)
    hits = _fits(c, n) if n else []
    if not hits:
        return []
    # The ranking depends only on which patterns fit (a few dozen sets) and on the prior (one per seller):
    # remember it, so a batch of numbers with the same prior ranks each set once.
    key = (tuple(hits), tuple(prior.items()) if prior else None)
    ranked = c.ranked.get(key)
    if ranked is None:
        if len(c.ranked) >= _MEMO_SIZE:
            c.ranked.clear()
        ranked = c.ranked[key] = tuple(_rank(c, hits, _mix(prior)))
    return list(ranked)


def _rank(c: _Compiled, hits: list[int], mix: tuple[Mapping[str, float], float] | None) -> list[Candidate]:
    best: dict[str, tuple[float, str, int]] = {}
    for idx in hits:
        code, spec, regex, order = c.facts[idx]
        if code not in best or spec > best[code][0]:
            best[code] = (spec, regex, order)
    ranked = []
    for code, (spec, regex, order) in best.items():
        score = spec if mix is None else round(spec * _factor(mix, code), 6)
        ranked.append((-score, -spec, order, code, regex, score))
    ranked.sort()
    return [Candidate(code, score, regex) for _, _, _, code, regex, score in ranked]


def _factor(mix: tuple[Mapping[str, float], float], code: str) -> float:
    prior, total = mix
    share = max(prior.get(code, 0.0), 0.0) / total
    return PRIOR_FLOOR + (1 - PRIOR_FLOOR) * share


def best(number: str, prior: Mapping[str, float] | None = None) -> str | None:
    """The top candidate's code, or None."""
    found = detect(number, prior)
    return found[0].code if found else None


def matches(code: str, number: str) -> bool:
    """Does `number` fit at least one pattern of carrier `code`? False flags a number that cannot be the
    chosen carrier's (a carrier with no patterns in the data never matches)."""
    n = normalise(number)
    return any(rx.fullmatch(n) for rx in _compiled().single.get(code, ()))
