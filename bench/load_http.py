"""Load test of the HTTP service, on loopback only, bounded in count and time.

    .venv/bin/python bench/load_http.py [--seconds 10] [--connections 32] [--rate 1500] [--workers 2]

Starts `wivcheck serve --workers N` on 127.0.0.1 (a temporary decision log, no tokens: loopback
only) and drives it with `wrk` (Debian package) from 200 different provisions, then:

1. capacity: POST /v1/check from 32 connections as fast as they go; requests/s;
2. latency at the target load: the same 32 connections, each waiting a random (exponential) time
   between requests so that together they offer about `--rate` requests/s, as independent clients
   do; client-side p50/p90/p99 and the rate reached. The wait is calibrated in two short runs first.
   A closed loop at full speed cannot show a low median: with 32 requests always outstanding,
   Little's law makes the median about 32 / throughput whatever the server does (figure 1);
3. one connection, sequential: the latency without any queueing;
4. batches: POST /v1/decisions/batch of 1,000 different provisions, decided and recorded, from 2
   clients, 10 requests in all; decisions/s.

Server-side decision time comes from the service's own /metrics histogram. Never sends anything
beyond 127.0.0.1.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "bench"))

from bench_engine import sample_provisions  # noqa: E402
from server_util import Server  # noqa: E402


def provisions(n: int, seed: int) -> list[dict]:
    return [p.model_dump(mode="json", exclude_none=True) for p in sample_provisions(n, seed)]


def lua_script(folder: Path, bodies: list[dict], connections: int, gap_ms: float | None) -> Path:
    """A wrk script cycling through the bodies; with `gap_ms`, each connection waits an exponential
    random time of that mean before each request (wrk leaves the wait out of the latency)."""
    files = []
    for i, b in enumerate(bodies):
        f = folder / f"body-{i}.json"
        f.write_text(json.dumps(b))
        files.append(str(f))
    script = folder / f"load-{connections}-{gap_ms}.lua"
    lua = [
        "local bodies = {}",
        "for _, name in ipairs({" + ",".join(f'"{f}"' for f in files) + "}) do",
        '  local f = io.open(name, "r"); bodies[#bodies + 1] = f:read("*a"); f:close()',
        "end",
        "local i = 0",
        "function init(args) math.randomseed(os.time() + tonumber(tostring({}):sub(8), 16)) "
        "i = math.random(#bodies) end",
        "function request()",
        "  i = i % #bodies + 1",
        '  return wrk.format("POST", nil, {["Content-Type"] = "application/json"}, bodies[i])',
        "end",
    ]
    if gap_ms is not None:
        lua.append(f"function delay() return -{gap_ms:.3f} * math.log(1 - math.random()) end")
    script.write_text("\n".join(lua) + "\n")
    return script


def wrk(url: str, script: Path, seconds: int, connections: int) -> dict:
    threads = min(2, connections)
    out = subprocess.run(["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--latency", "-s",
                          str(script), url], capture_output=True, text=True, timeout=seconds + 60).stdout
    pct = dict(re.findall(r"^\s+(\d+)%\s+([\d.]+\w+)$", out, re.M))
    rps = re.search(r"Requests/sec:\s+([\d.]+)", out)
    if rps is None:
        raise RuntimeError(f"wrk printed no rate:\n{out}")
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {"rps": float(rps.group(1)), "p50": pct.get("50"), "p90": pct.get("90"), "p99": pct.get("99"),
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


def batch_rate(url: str, clients: int, requests_each: int, size: int) -> float:
    done, errors, lock = [0], [], threading.Lock()
    bodies = [json.dumps({"provisions": [dict(p, id=f"B{c}-{r}-{i}")
                                         for i, p in enumerate(provisions(size, c * 100 + r))]})
              for c in range(clients) for r in range(requests_each)]

    def client(mine: list[str]):
        with httpx.Client(base_url=url, timeout=300) as c:
            for body in mine:
                r = c.post("/v1/decisions/batch", content=body, headers={"content-type": "application/json"})
                if r.status_code != 200:
                    errors.append(r.text[:300])
                    return
                with lock:
                    done[0] += sum(1 for x in r.json()["results"] if x["decision"])
    t0 = time.perf_counter()
    threads = [threading.Thread(target=client, args=(bodies[c::clients],)) for c in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        raise RuntimeError(f"batch refused: {errors[0]}")
    return done[0] / (time.perf_counter() - t0)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=int, default=10)
    ap.add_argument("--connections", type=int, default=32)
    ap.add_argument("--rate", type=float, default=1500, help="offered requests/s for the latency figure")
    ap.add_argument("--workers", type=int, default=2)
    args = ap.parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk is needed: apt-get install wrk")
    tmp = Path(tempfile.mkdtemp())
    bodies = provisions(200, seed=11)
    url_of = lambda server: server.url + "/v1/check"  # noqa: E731
    server = Server("--db", str(tmp / "log.sqlite3"), "--workers", str(args.workers))
    try:
        with httpx.Client(base_url=server.url, timeout=120) as c:
            for b in bodies * 2:  # warm both workers
                c.post("/v1/check", json=b).raise_for_status()
        conns = args.connections
        full = wrk(url_of(server), lua_script(tmp, bodies, conns, None), args.seconds, conns)
        p50_server = server_p50(server.url)
        # calibrate the wait: a connection's cycle is its wait plus the rest (latency, wrk's own
        # time); two short trials, each correcting the wait by what the last one missed
        gap = conns * 1000 / args.rate
        for _ in range(2):
            trial = wrk(url_of(server), lua_script(tmp, bodies, conns, gap), 3, conns)
            rest_ms = max(conns * 1000 / trial["rps"] - gap, 0.0)
            gap = max(conns * 1000 / args.rate - rest_ms, 0.1)
        paced = wrk(url_of(server), lua_script(tmp, bodies, conns, gap), args.seconds, conns)
        single = wrk(url_of(server), lua_script(tmp, bodies, 1, None), max(3, args.seconds // 2), 1)
        batches = batch_rate(server.url, 2, 5, 1000)
    finally:
        server.stop()
    print(f"HTTP load, {args.workers} workers, loopback, {time.strftime('%Y-%m-%d %H:%M')}")
    print()
    print("| measurement | figure |")
    print("|---|---:|")
    print(f"| 1. POST /v1/check, {conns} connections at full speed: requests/s | {full['rps']:,.0f} |")
    print(f"| same: latency p50 / p90 / p99 | {full['p50']} / {full['p90']} / {full['p99']} |")
    print(f"| same: server-side decision time p50 (histogram bucket) | ≤ {p50_server:g} ms |")
    print(f"| 2. POST /v1/check, {conns} connections offering {args.rate:,.0f}/s: reached requests/s "
          f"| {paced['rps']:,.0f} |")
    print(f"| same: latency p50 / p90 / p99 | {paced['p50']} / {paced['p90']} / {paced['p99']} |")
    print(f"| 3. POST /v1/check, one connection, sequential: p50 / p99 | {single['p50']} / {single['p99']} |")
    print(f"| 4. POST /v1/decisions/batch of 1,000, 2 clients: decisions/s (decided and recorded) | {batches:,.0f} |")
    print(f"| non-2xx responses in 1-3 | {full['errors'] + paced['errors'] + single['errors']} |")


if __name__ == "__main__":
    main()
