"""Benchmark of the decision log, SQLite and PostgreSQL in the same run: recorded decisions per second
with 1, 8 and 32 concurrent writers spread over 1 and 3 service instances (processes, each with its
own log connection or pool, as `wivcheck serve` instances have), appending one decision per durable
commit ("single") or 100 per transaction ("batch", as the batch route does); every chain verified
after its case; then `verify` over N entries on each backend.

    .venv/bin/python bench/bench_ledger.py [--seconds 3] [--verify-entries 20000] [--pg URL]

`--pg` (default WIVCHECK_BENCH_PG, else postgresql://postgres@127.0.0.1:5432/postgres) names a server
on which the benchmark makes and drops a database per case. The decisions recorded are real ones
(an escalated example decided on the shipped rules, ~5 kB per entry). Figures are for this machine's
disk and its two cores, shared by the load generator and the database: compare within one run.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from wivcheck.engine import Engine, load_library, parse_provisions  # noqa: E402
from wivcheck.engine.log import Ledger  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
BATCH = 100
WRITERS = (1, 8, 32)
INSTANCES = (1, 3)


def sample() -> tuple[dict, dict]:
    p = parse_provisions((ROOT / "examples" / "escalate-residual-risk.yaml").read_text())[0]
    d = Engine(load_library()).decide(p)
    return p.model_dump(mode="json", exclude_none=True), d.model_dump(mode="json")


def instance(args) -> tuple[int, float]:
    """One service instance: `writers` threads appending to `target` from `start` for `seconds`.
    Returns (decisions recorded, when the last append returned)."""
    target, writers, batch, start, seconds, p, d = args
    counts = [0] * writers
    done = [start] * writers
    with Ledger(target, create=True, timeout=300) as ledger:
        def work(i: int) -> None:
            while time.time() < start:
                time.sleep(0.001)
            end = start + seconds
            while time.time() < end:
                if batch:
                    ledger.append_many([(p, {**d, "decision_id": str(uuid.uuid4())}) for _ in range(BATCH)],
                                       recorded_by={"token": "bench", "role": "gate"})
                    counts[i] += BATCH
                else:
                    ledger.append(p, {**d, "decision_id": str(uuid.uuid4())},
                                  recorded_by={"token": "bench", "role": "gate"})
                    counts[i] += 1
                done[i] = time.time()
        threads = [threading.Thread(target=work, args=(i,)) for i in range(writers)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    return sum(counts), max(done)


def run_case(target: str, writers: int, instances: int, batch: bool, seconds: float, p: dict, d: dict,
             pool) -> tuple[float, int]:
    Ledger(target, create=True).close()  # the schema, before the instances start
    shares = [writers // instances + (1 if i < writers % instances else 0) for i in range(instances)]
    start = time.time() + 3.0  # every instance imported and connected before the clock starts
    results = pool.map(instance, [(target, k, batch, start, seconds, p, d) for k in shares if k])
    total = sum(n for n, _ in results)
    elapsed = max(t for _, t in results) - start  # up to the last append that returned, not the deadline
    with Ledger(target) as ledger:
        n, fault = ledger.verify()
    assert fault is None and n == total, (fault, n, total)
    return total / elapsed, n


class Targets:
    """A fresh log per case: an SQLite file, or a PostgreSQL database made (and dropped) for it."""

    def __init__(self, pg_admin: str, folder: str):
        self.pg_admin, self.folder, self.made = pg_admin, folder, []

    def new(self, backend: str) -> str:
        if backend == "sqlite":
            return str(Path(self.folder) / f"{uuid.uuid4().hex}.sqlite3")
        import psycopg
        name = f"wivcheck_bench_{uuid.uuid4().hex[:10]}"
        with psycopg.connect(self.pg_admin, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        self.made.append(name)
        return self.pg_admin.rsplit("/", 1)[0] + "/" + name

    def drop(self) -> None:
        import psycopg
        with psycopg.connect(self.pg_admin, autocommit=True) as conn:
            for name in self.made:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        self.made.clear()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=float, default=3.0)
    ap.add_argument("--verify-entries", type=int, default=20_000)
    ap.add_argument("--pg", default=os.environ.get("WIVCHECK_BENCH_PG",
                                                   "postgresql://postgres@127.0.0.1:5432/postgres"))
    ap.add_argument("--backends", default="sqlite,postgresql")
    args = ap.parse_args()
    backends = args.backends.split(",")
    p, d = sample()
    rates: dict[tuple, float] = {}
    verify: dict[str, tuple[int, float]] = {}
    with tempfile.TemporaryDirectory() as tmp, mp.get_context("spawn").Pool(3) as pool:
        targets = Targets(args.pg, tmp)
        try:
            for backend in backends:
                for batch in (False, True):
                    for instances in INSTANCES:
                        for writers in WRITERS:
                            if writers < instances:
                                continue
                            rate, n = run_case(targets.new(backend), writers, instances, batch, args.seconds,
                                               p, d, pool)
                            rates[(backend, batch, instances, writers)] = rate
                            print(f"{backend:10} {'batch' if batch else 'single':6} {instances} instance(s) "
                                  f"{writers:2} writers: {rate:8,.0f} decisions/s ({n:,} entries, chain intact)",
                                  file=sys.stderr, flush=True)
                            targets.drop()
                target = targets.new(backend)
                with Ledger(target, create=True) as ledger:
                    for start in range(0, args.verify_entries, 1000):
                        ledger.append_many([(p, {**d, "decision_id": str(uuid.uuid4())})
                                            for _ in range(min(1000, args.verify_entries - start))])
                    t0 = time.monotonic()
                    checked, fault = ledger.verify()
                    verify[backend] = (checked, time.monotonic() - t0)
                assert fault is None and checked == args.verify_entries
                targets.drop()
        finally:
            targets.drop()
    from wivcheck.engine.log import canonical
    size = len(canonical(p)) + len(canonical(d))
    print(f"decision log benchmark, {args.seconds:.0f} s per case, entry ~{size / 1000:.1f} kB of JSON, "
          f"batches of {BATCH}; recorded decisions per second into one chain")
    for batch in (False, True):
        print()
        print(f"| {'batch of ' + str(BATCH) if batch else 'single (one commit each)'} | "
              + " | ".join(f"{b} {i} inst." for b in backends for i in INSTANCES) + " |")
        print("|---|" + "---:|" * (len(backends) * len(INSTANCES)))
        for writers in WRITERS:
            cells = [f"{rates[(b, batch, i, writers)]:,.0f}" if (b, batch, i, writers) in rates else "—"
                     for b in backends for i in INSTANCES]
            print(f"| {writers} writer{'s' if writers > 1 else ''} | " + " | ".join(cells) + " |")
    print()
    for b in backends:
        checked, seconds = verify[b]
        print(f"`log verify` over {checked:,} entries on {b}: {seconds:.2f} s ({checked / seconds:,.0f} entries/s)")


if __name__ == "__main__":
    main()
