"""Load test of the HTTP service, on loopback only, bounded in count and time.

    .venv/bin/python bench/load_http.py [--seconds 10] [--connections 32] [--workers 2]

Starts `wivcheck serve --workers N` on 127.0.0.1 (a temporary decision log, no tokens: loopback
only), then:
1. single decisions: POST /v1/check with `wrk` (Debian package; 2 threads, 32 connections) for the
   given seconds; requests/s and client-side latency percentiles; server-side decision time from
   the service's own /metrics histogram;
2. one client at a time: the same request, sequentially, for the latency without queueing;
3. batches: POST /v1/decisions/batch of 1,000 provisions (decided and recorded), 2 clients, 10
   requests in all; decisions/s.
Never sends anything beyond 127.0.0.1.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx
import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from server_util import Server  # noqa: E402


def body() -> dict:
    return json.loads(json.dumps(yaml.safe_load((ROOT / "examples" / "allow-structural.yaml").read_text()),
                                 default=str))


def wrk(url: str, seconds: int, connections: int, payload: Path) -> dict:
    script = payload.with_suffix(".lua")
    script.write_text(f'local f = io.open("{payload}", "r"); local b = f:read("*a"); f:close()\n'
                      'wrk.method = "POST"; wrk.body = b; wrk.headers["Content-Type"] = "application/json"\n')
    out = subprocess.run(["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", "-s", str(script),
                          url], capture_output=True, text=True, timeout=seconds + 60).stdout
    pct = dict(re.findall(r"^\s+(\d+)%\s+([\d.]+\w+)$", out, re.M))
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {"rps": rps, "p50": pct.get("50"), "p90": pct.get("90"), "p99": pct.get("99"),
            "errors": int(non2xx.group(1)) if non2xx else 0}


def server_p50(url: str) -> float:
    """Median decision time from the wivcheck_decision_seconds histogram (route check), in ms."""
    text = httpx.get(url + "/metrics").text
    buckets = [(float(le), float(v)) for le, v in re.findall(
        r'wivcheck_decision_seconds_bucket\{le="([\d.e+-]+)",route="check"\} ([\d.e+]+)', text)]
    buckets.sort()
    total = buckets[-1][1] if buckets else 0
    for le, count in buckets:
        if count >= total / 2:
            return le * 1000
    return float("nan")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=int, default=10)
    ap.add_argument("--connections", type=int, default=32)
    ap.add_argument("--workers", type=int, default=2)
    args = ap.parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk is needed: apt-get install wrk")
    tmp = Path(tempfile.mkdtemp())
    payload = tmp / "body.json"
    payload.write_text(json.dumps(body()))
    server = Server("--db", str(tmp / "log.sqlite3"), "--workers", str(args.workers))
    try:
        with httpx.Client(base_url=server.url, timeout=120) as c:
            for _ in range(200):  # warm both workers
                c.post("/v1/check", json=body())
            single = wrk(server.url + "/v1/check", args.seconds, args.connections, payload)
            p50_server = server_p50(server.url)
            lat = []
            for _ in range(500):
                t0 = time.perf_counter()
                c.post("/v1/check", content=payload.read_bytes(), headers={"content-type": "application/json"})
                lat.append(time.perf_counter() - t0)
        items = [dict(body(), id=f"B-{i}") for i in range(1000)]
        done, lock = [0], threading.Lock()

        def batch_client(n: int):
            with httpx.Client(base_url=server.url, timeout=300) as c:
                for _ in range(n):
                    r = c.post("/v1/decisions/batch", json={"provisions": items})
                    r.raise_for_status()
                    with lock:
                        done[0] += sum(1 for x in r.json()["results"] if x["decision"])
        t0 = time.perf_counter()
        threads = [threading.Thread(target=batch_client, args=(5,)) for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        batch_rate = done[0] / (time.perf_counter() - t0)
    finally:
        server.stop()
    print(f"HTTP load, {args.workers} workers, loopback, {time.strftime('%Y-%m-%d')}")
    print()
    print("| measurement | figure |")
    print("|---|---:|")
    print(f"| POST /v1/check, {args.connections} connections, {args.seconds} s: requests/s | {single['rps']:,.0f} |")
    print(f"| same: client latency p50 / p90 / p99 | {single['p50']} / {single['p90']} / {single['p99']} |")
    print(f"| same: non-2xx responses | {single['errors']} |")
    print(f"| same: server-side decision time p50 (metrics histogram bucket) | ≤ {p50_server:g} ms |")
    print(f"| POST /v1/check, one client, sequential: latency p50 | {statistics.median(lat) * 1000:.2f} ms |")
    print(f"| POST /v1/decisions/batch of 1,000, 2 clients: decisions/s (decided and recorded) | {batch_rate:,.0f} |")


if __name__ == "__main__":
    main()
