"""Benchmark: verifying a decision log of N entries (default 100,000), on SQLite and PostgreSQL.

    .venv/bin/python bench/bench_verify.py [--entries 100000] [--rounds 3] [--backends sqlite,postgresql]

The log is filled with real decisions: 2,000 different provisions (bench_engine.sample_provisions)
decided on the shipped rules, each recorded again with a new provision and decision id until N
entries are in the chain, 1,000 per transaction (as the batch route records). Then, in rounds:
- `Ledger.verify()`: the hash chain recomputed entry by entry (each entry's hash over its columns,
  its JSON parsed, its columns against its decision, its previous hash);
- `wivcheck log verify --db ...`: the command as an operator runs it (a new process: start-up, the
  database's own checks such as SQLite's integrity_check, the chain, and the rule files against the
  log).
Wall time and CPU time, medians of the rounds. Issue 18's bar: the verify over 100,000 entries
under 10 s.
`--pg` (default WIVCHECK_BENCH_PG, else postgresql://postgres@127.0.0.1:5432/postgres) names a server
on which a database is made for the run and dropped after it.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from bench_engine import sample_provisions  # noqa: E402
from bench_ledger import Targets  # noqa: E402
from wivcheck.engine import Engine, load_library  # noqa: E402
from wivcheck.engine.log import Ledger  # noqa: E402

BATCH = 1000


def _children_cpu() -> float:
    """CPU seconds (user + system) of the finished child processes so far."""
    import resource
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def fill(target: str, n: int, decided: list[tuple[dict, dict]]) -> float:
    """Record n entries into a new log at `target`; returns the seconds it took."""
    t0 = time.monotonic()
    with Ledger(target, create=True) as ledger:
        for start in range(0, n, BATCH):
            rows = []
            for k in range(start, min(n, start + BATCH)):
                p, d = decided[k % len(decided)]
                pid = f"{p['id']}-{k}"
                rows.append(({**p, "id": pid}, {**d, "provision_id": pid, "decision_id": str(uuid.uuid4())}))
            ledger.append_many(rows, recorded_by={"token": "bench", "role": "gate"})
    return time.monotonic() - t0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--entries", type=int, default=100_000)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--backends", default="sqlite,postgresql")
    ap.add_argument("--pg", default=os.environ.get("WIVCHECK_BENCH_PG",
                                                   "postgresql://postgres@127.0.0.1:5432/postgres"))
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()

    engine = Engine(load_library())
    provisions = sample_provisions(2000, seed=5)
    decided = [(p.model_dump(mode="json", exclude_none=True), d)
               for p, d in zip(provisions, engine.decide_data(provisions))]
    wivcheck = str(Path(sys.executable).parent / "wivcheck")
    env = {k: v for k, v in os.environ.items() if k != "WIVCHECK_RULES"}
    out: dict[str, dict] = {}
    with tempfile.TemporaryDirectory() as tmp:
        targets = Targets(args.pg, tmp)
        try:
            for backend in args.backends.split(","):
                target = targets.new(backend)
                filled = fill(target, args.entries, decided)
                size = Path(target).stat().st_size if backend == "sqlite" else None
                chain, command, chain_cpu, command_cpu = [], [], [], []
                for _ in range(args.rounds):
                    with Ledger(target) as ledger:
                        t0, c0 = time.monotonic(), time.process_time()
                        checked, fault = ledger.verify()
                        chain.append(time.monotonic() - t0)
                        chain_cpu.append(time.process_time() - c0)
                    assert fault is None and checked == args.entries, (fault, checked)
                    t0, c0 = time.monotonic(), _children_cpu()
                    r = subprocess.run([wivcheck, "log", "verify", "--db", target], capture_output=True,
                                       text=True, env=env)
                    command.append(time.monotonic() - t0)
                    command_cpu.append(_children_cpu() - c0)
                    assert r.returncode == 0 and f"intact: {args.entries} entries" in r.stdout, (r.stdout, r.stderr)
                out[backend] = {"entries": args.entries, "fill_s": round(filled, 1),
                                "verify_s": round(statistics.median(chain), 2),
                                "verify_cpu_s": round(statistics.median(chain_cpu), 2),
                                "command_s": round(statistics.median(command), 2),
                                "command_cpu_s": round(statistics.median(command_cpu), 2),
                                "size_mb": None if size is None else round(size / 2**20)}
                targets.drop()
        finally:
            targets.drop()
    print(f"decision log verify, {args.entries:,} entries of real decisions, median of {args.rounds} rounds "
          f"({time.strftime('%Y-%m-%d %H:%M')})")
    print()
    print("| backend | Ledger.verify() s (CPU s) | `wivcheck log verify` s (CPU s) | entries/s (verify) | filled in s |")
    print("|---|---:|---:|---:|---:|")
    for backend, r in out.items():
        size = "" if r["size_mb"] is None else f" ({r['size_mb']} MB)"
        print(f"| {backend}{size} | {r['verify_s']:.2f} ({r['verify_cpu_s']:.2f}) | {r['command_s']:.2f} "
              f"({r['command_cpu_s']:.2f}) | {r['entries'] / r['verify_s']:,.0f} | {r['fill_s']:.0f} |")
    print()
    print("CPU: of this process (Ledger.verify) or of the command's process; PostgreSQL's own server "
          "processes (reading and sending the rows) are not counted. Load average at the end: "
          f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} cores.")
    if args.json:
        print(json.dumps(out))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
