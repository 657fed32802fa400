"""Memory of `wivcheck serve` under load: peak resident memory of the whole service (the uvicorn
parent and its workers) after N decisions, and the growth between 20 % and 100 % of them (a leak
shows as growth that keeps pace with the decisions; a settled service stays flat).

    .venv/bin/python bench/bench_memory.py [--decisions 100000] [--workers 2] [--batch 500] [--json]

Starts `wivcheck serve --workers N` on 127.0.0.1 with a temporary decision log and no tokens
(loopback only), then sends batches of different provisions to POST /v1/decisions/batch (decided and
recorded) from two client threads until N decisions are recorded, sampling the resident set size
(RSS, from /proc) of the service's processes every few batches. Bounded in count and time; never
sends anything beyond 127.0.0.1. Figures go in docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "bench"))

from bench_engine import sample_provisions  # noqa: E402
from server_util import Server  # noqa: E402


def _children(pid: int) -> list[int]:
    out = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            kids = (task / "children").read_text().split()
        except OSError:
            continue
        for k in kids:
            out.append(int(k))
            out.extend(_children(int(k)))
    return out


def rss_bytes(pid: int) -> tuple[int, list[int]]:
    """(total RSS of the process and all its descendants, RSS of each), in bytes."""
    each = []
    for p in [pid, *_children(pid)]:
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    each.append(int(line.split()[1]) * 1024)
        except OSError:
            pass
    return sum(each), each


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--decisions", type=int, default=100_000)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--batch", type=int, default=500)
    ap.add_argument("--seconds", type=float, default=900, help="stop after this long in any case")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()

    bodies = [p.model_dump(mode="json", exclude_none=True) for p in sample_provisions(2000, seed=11)]
    tmp = Path(tempfile.mkdtemp(prefix="wivcheck-mem-"))
    server = Server("--workers", str(args.workers), "--db", str(tmp / "log.sqlite3"),
                    env={"WIVCHECK_MAX_BATCH": str(args.batch), "WIVCHECK_MAX_BODY": str(64 * 1024 * 1024)})
    done = [0]
    lock = threading.Lock()
    samples: list[tuple[int, int]] = []   # (decisions recorded, total RSS)
    started = time.monotonic()
    errors: list[str] = []

    def client(offset: int):
        c = server.client()
        i = offset
        while True:
            with lock:
                if done[0] >= args.decisions or time.monotonic() - started > args.seconds:
                    return
            items = [dict(bodies[(i + k) % len(bodies)], id=f"M-{i + k}") for k in range(args.batch)]
            i += args.batch * 2
            r = c.post("/v1/decisions/batch", json={"provisions": items}, timeout=300)
            if r.status_code != 200:
                errors.append(f"{r.status_code}: {r.text[:200]}")
                return
            with lock:
                done[0] += sum(1 for x in r.json()["results"] if x.get("decision"))
                if len(samples) == 0 or done[0] - samples[-1][0] >= args.decisions // 50:
                    samples.append((done[0], rss_bytes(server.proc.pid)[0]))

    try:
        base, each = rss_bytes(server.proc.pid)
        threads = [threading.Thread(target=client, args=(k * args.batch,)) for k in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        final, final_each = rss_bytes(server.proc.pid)
        samples.append((done[0], final))
    finally:
        server.stop()
    if errors:
        print("errors:", errors[:3])
        return 1
    at20 = min(samples, key=lambda s: abs(s[0] - 0.2 * done[0]))
    peak = max(s[1] for s in samples)
    out = {"decisions": done[0], "workers": args.workers, "seconds": round(time.monotonic() - started, 1),
           "rss_start_mb": round(base / 2**20, 1), "rss_peak_mb": round(peak / 2**20, 1),
           "rss_at_20pct_mb": round(at20[1] / 2**20, 1), "rss_end_mb": round(final / 2**20, 1),
           "growth_20_to_100_mb": round((final - at20[1]) / 2**20, 1),
           "growth_per_10k_decisions_kb": round((final - at20[1]) / 1024 / max(1, (done[0] - at20[0]) / 10_000), 1),
           "processes_end_mb": [round(x / 2**20, 1) for x in final_each]}
    print(f"{done[0]} decisions recorded by {args.workers} workers in {out['seconds']} s")
    print(f"RSS of the service: start {out['rss_start_mb']} MB, at {at20[0]} decisions {out['rss_at_20pct_mb']} MB, "
          f"end {out['rss_end_mb']} MB, peak {out['rss_peak_mb']} MB; growth from 20 % to 100 %: "
          f"{out['growth_20_to_100_mb']} MB ({out['growth_per_10k_decisions_kb']} kB per 10,000 decisions)")
    if args.json:
        print(json.dumps(out))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
