"""Benchmark of the policy tools: `rules diff` over a decision log of 100,000 provisions, and
`rules verify` over the shipped invariants.

    .venv/bin/python bench/bench_policy.py [--entries 100000] [--examples 1000]

The log is built first (real, varied provisions decided and recorded in batches) in a temporary
folder; then the diff of the draft policy rules against wiv2017 is timed end to end (reading the log,
deciding every provision twice, comparing), the same code path as `wivcheck rules diff`.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from bench_engine import sample_provisions  # noqa: E402
from wivcheck.engine import Engine, load_library
from wivcheck.engine.log import Ledger  # noqa: E402
from wivcheck.engine.tools import impact
from wivcheck.engine.log import recording  # noqa: E402
from wivcheck.engine.tools.invariants import load_invariants, verify_all  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--entries", type=int, default=100_000)
    ap.add_argument("--examples", type=int, default=1000)
    args = ap.parse_args()
    library = load_library()
    engine = Engine(library)
    provisions = sample_provisions(5000)
    with tempfile.TemporaryDirectory() as tmp:
        ledger = Ledger(Path(tmp) / "log.sqlite3", create=True)
        t0 = time.perf_counter()
        for start in range(0, args.entries, 1000):
            chunk = [provisions[(start + i) % len(provisions)] for i in range(min(1000, args.entries - start))]
            recording.record(ledger, chunk, engine.decide_many(chunk))
        build = time.perf_counter() - t0
        candidate = library.get("beleidsregels-pps@concept-2026-02")
        t0 = time.perf_counter()
        result = impact.impact(library, "wiv2017@2018-05-01-r2", candidate, impact.corpus_from_log(ledger))
        diff_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    results = verify_all(library, load_invariants(ROOT / "rules" / "invariants.yaml").invariants, args.examples)
    verify_s = time.perf_counter() - t0
    print("| measurement | figure |")
    print("|---|---:|")
    print(f"| building the log: {args.entries:,} provisions decided and recorded | {build:.1f} s |")
    print(f"| `rules diff` draft vs wiv2017 over {result.replayed:,} logged provisions | {diff_s:.1f} s "
          f"({result.replayed / diff_s:,.0f} provisions/s; {len(result.changes):,} change) |")
    print(f"| `rules verify`: {len(results)} invariants, {max(r.examples for r in results):,} generated provisions "
          f"each | {verify_s:.1f} s |")


if __name__ == "__main__":
    main()
