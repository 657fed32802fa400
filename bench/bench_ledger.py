"""Benchmark of the decision log: recorded decisions per second with one writer and with eight
(threads, and processes), each append a durable commit (WAL, synchronous=FULL); and `verify` over
100,000 entries.

    .venv/bin/python bench/bench_ledger.py [--seconds 5] [--verify-entries 100000]

The decisions recorded are real ones (the example provisions decided on the shipped rules), so each
entry is the size a real entry is. Figures are for this machine's disk; compare within one run.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import sqlite3
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from wivcheck.engine import Engine, load_library, parse_provisions

from wivcheck.engine.log import Ledger  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent


def sample() -> tuple[dict, dict]:
    p = parse_provisions((ROOT / "examples" / "escalate-residual-risk.yaml").read_text())[0]
    d = Engine(load_library()).decide(p)
    return p.model_dump(mode="json", exclude_none=True), d.model_dump(mode="json")


def _append_for(path: str, seconds: float, provision: dict, decision: dict) -> int:
    n = 0
    with Ledger(path, create=True, timeout=60) as ledger:
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            ledger.append(provision, {**decision, "decision_id": str(uuid.uuid4())})
            n += 1
    return n


def _proc(args) -> int:
    return _append_for(*args)


def threads(path: str, k: int, seconds: float, p: dict, d: dict) -> float:
    counts = [0] * k

    def work(i):
        counts[i] = _append_for(path, seconds, p, d)
    ts = [threading.Thread(target=work, args=(i,)) for i in range(k)]
    t0 = time.monotonic()
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    return sum(counts) / (time.monotonic() - t0)


def processes(path: str, k: int, seconds: float, p: dict, d: dict) -> float:
    t0 = time.monotonic()
    with mp.get_context("spawn").Pool(k) as pool:
        total = sum(pool.map(_proc, [(path, seconds, p, d)] * k))
    return total / (time.monotonic() - t0)


def batch_rate(path: str, p: dict, d: dict, page_size: int | None, rounds: int = 5) -> float:
    """Entries per second appended in transactions of 1,000 (the batch route's way), best of rounds.
    `page_size` set on the empty file first keeps it (a log only picks its page size when new)."""
    if page_size is not None:
        db = sqlite3.connect(path)
        db.execute(f"PRAGMA page_size = {page_size}")
        db.execute("PRAGMA journal_mode = WAL")
        db.close()
    best = 0.0
    with Ledger(path, create=True) as ledger:
        for _ in range(rounds):
            items = [(p, {**d, "decision_id": str(uuid.uuid4())}) for _ in range(1000)]
            t0 = time.perf_counter()
            ledger.append_many(items)
            best = max(best, 1000 / (time.perf_counter() - t0))
        size = ledger._db.execute("PRAGMA page_size").fetchone()[0]
    assert page_size is None or size == page_size
    return best


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=float, default=5.0)
    ap.add_argument("--verify-entries", type=int, default=100_000)
    args = ap.parse_args()
    p, d = sample()
    with tempfile.TemporaryDirectory() as tmp:
        rows = []
        for label, fn, k in (("1 writer", threads, 1), ("8 writer threads", threads, 8),
                             ("8 writer processes", processes, 8)):
            path = str(Path(tmp) / f"{label.replace(' ', '-')}.sqlite3")
            rate = fn(path, k, args.seconds, p, d)
            with Ledger(path) as ledger:
                n, fault = ledger.verify()
            assert fault is None, fault
            rows.append((label, rate, n))
        pages = [(label, batch_rate(str(Path(tmp) / f"pages-{label}.sqlite3"), p, d, size))
                 for label, size in (("4 KiB (SQLite's default; logs made before 2026-11-29)", 4096),
                                     ("16 KiB (new logs)", None))]
        path = str(Path(tmp) / "verify.sqlite3")
        with Ledger(path, create=True) as ledger:
            for start in range(0, args.verify_entries, 1000):
                ledger.append_many([(p, {**d, "decision_id": str(uuid.uuid4())})
                                    for _ in range(min(1000, args.verify_entries - start))])
            size = Path(path).stat().st_size
            t0 = time.monotonic()
            checked, fault = ledger.verify()
            verify_s = time.monotonic() - t0
        assert fault is None and checked == args.verify_entries
    print(f"decision log benchmark, {args.seconds:.0f} s per case, entry ~{len(str(d)) // 1000} kB of JSON")
    print()
    print("| writers | recorded decisions / s (durable commits) | entries | chain |")
    print("|---|---:|---:|---|")
    for label, rate, n in rows:
        print(f"| {label} | {rate:,.0f} | {n:,} | intact |")
    print()
    print("| page size | entries / s in transactions of 1,000 (best of 5) |")
    print("|---|---:|")
    for label, rate in pages:
        print(f"| {label} | {rate:,.0f} |")
    print()
    print(f"`log verify` over {checked:,} entries ({size / 2**20:,.0f} MiB): {verify_s:.2f} s "
          f"({checked / verify_s:,.0f} entries/s)")


if __name__ == "__main__":
    main()
