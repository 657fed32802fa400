"""Where a batch decision's time goes, and what the HTTP route keeps of the in-process rate.

    .venv/bin/python bench/bench_batch.py [--rounds 5] [--no-http]

1. The steps of POST /v1/decisions/batch, in-process, over batches of 1,000 different provisions,
   in CPU µs per decision (best of the rounds): reading the JSON body, validating each provision,
   its facts, selecting the rule sets, every rule's status on durable_rules (of which the C core
   alone: assert, drain the fired rules, retract), building the decision data (approvals,
   combination, reasons), recording (one transaction) and writing the answer.
2. Throughput, in one run, the cases taking turns per round (medians of the rounds, wall time):
   - in-process: `Engine.decide_data` and `recording.record_data` of the same 1,000 provisions (already
     validated) into an SQLite log, in this process: what the service's own work reaches;
   - the same from the JSON data (validating each provision first);
   - the route without a socket: the app called as uvicorn calls it (body limits, canonical JSON,
     validation, decide, record, the answer, the logs and metrics);
   - the route over HTTP: `wivcheck serve --workers 1` on 127.0.0.1 with its own SQLite log, the
     body posted as bytes and the answer read whole.
   Issue 18's bar: the route over HTTP reaches at least 80 % of the in-process rate.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import orjson  # noqa: E402

from bench_engine import sample_provisions  # noqa: E402
from wivcheck.engine import Engine, load_library, provision_from_data
from wivcheck.engine.log import recording  # noqa: E402
from wivcheck.engine.durable_core import _LOCK, _core, encode, next_fact_id  # noqa: E402
from wivcheck.engine.log.ledger import Ledger  # noqa: E402


_SCRATCH: list[tempfile.TemporaryDirectory] = []


def _scratch() -> Path:
    """The run's folder for its logs (hundreds of MB after a run), removed when the run ends."""
    if not _SCRATCH:
        _SCRATCH.append(tempfile.TemporaryDirectory(prefix="wivcheck-bench-batch-"))
    return Path(_SCRATCH[0].name)


def core_only(engine: Engine, facts: list[dict], selection, handles: dict | None = None) -> int:
    """What durable_rules' C core itself costs: assert the batch, drain every fired rule, retract.
    `handles` replaces each shard by another C ruleset (the capped variant). Returns the actions."""
    actions = 0
    for version in selection:
        backend = engine._backend(version)
        flat = [backend.compiled.plan.flatten(f, next_fact_id()) for f in facts]
        payload = encode(flat)
        for shard in backend._shards:
            handle = handles[shard.name] if handles else shard._handle
            with _LOCK:
                _, state = _core.assert_facts(handle, payload)
                started = _core.start_action_for_state(handle, state)
                message = started[1] if started else None
                while message:
                    actions += 1
                    message = _core.complete_and_start_action(handle, state)
                _core.retract_facts(handle, payload)
    return actions


def capped_handles(engine: Engine, selection) -> dict:
    """The same networks with durable's `cap`: a rule fires once for up to 100,000 matches."""
    out = {}
    for version in selection:
        backend = engine._backend(version)
        for shard, definition in zip(backend._shards, backend.compiled.shards()):
            capped = {name: {**rule, "cap": 100_000} for name, rule in definition.items()}
            out[shard.name] = _core.create_ruleset(shard.name + "-capped", json.dumps(capped))
    return out


def _asgi_app():
    """The app as a worker builds it (temporary SQLite log, no tokens, loopback), and a function that
    posts a body to /v1/decisions/batch through it, no socket, returning the answer's bytes."""
    import asyncio
    import gc

    from wivcheck.api import logs
    from wivcheck.api.http.app import create_app
    from wivcheck.api.settings import Settings
    # the logs to a file, as the served worker's (bench/server_util.py), not to this terminal
    logs.configure("json", "info", stream=tempfile.NamedTemporaryFile("w", prefix="wivcheck-bench-", suffix=".log"))
    app = create_app(Settings(db=str(_scratch() / "app.sqlite3"), bind_host="127.0.0.1"))
    gc.freeze()  # as api.server.app_from_env does in each worker

    def post(body: bytes) -> bytes:
        scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST",
                 "scheme": "http", "path": "/v1/decisions/batch", "raw_path": b"/v1/decisions/batch",
                 "query_string": b"", "root_path": "", "client": ("127.0.0.1", 5000),
                 "server": ("127.0.0.1", 8000),
                 "headers": [(b"host", b"127.0.0.1"), (b"content-type", b"application/json"),
                             (b"content-length", str(len(body)).encode())]}
        sent = []

        async def receive():
            return {"type": "http.request", "body": body, "more_body": False}

        async def send(message):
            sent.append(message)
        asyncio.run(app(scope, receive, send))
        assert sent[0]["status"] == 200, sent[:2]
        return b"".join(m.get("body", b"") for m in sent[1:])
    return post


def _tree_cpu(pid: int) -> float:
    """CPU seconds (user + system) used so far by a process and its descendants (/proc)."""
    import os
    tick = os.sysconf("SC_CLK_TCK")
    total, todo = 0.0, [pid]
    while todo:
        p = todo.pop()
        try:
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / tick
            for task in Path(f"/proc/{p}/task").iterdir():
                todo.extend(int(c) for c in (task / "children").read_text().split())
        except OSError:
            continue
    return total


def throughput(engine: Engine, provisions: list, body: bytes, rounds: int,
               http: bool) -> tuple[dict[str, float], dict[str, float]]:
    """Per case of the module docstring, the cases taking turns in every round: decisions per
    second (median of the rounds, wall time), and CPU µs per decision of the process doing the work
    (median; this process, or the served worker's, read from /proc: less disturbed by the other
    work on a shared machine than the wall time)."""
    import statistics

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
    n = len(provisions)
    ledger = Ledger(_scratch() / "inprocess.sqlite3", create=True)
    data = orjson.loads(body)["provisions"]
    who = {"token": "bench", "role": "gate"}

    def in_process() -> None:
        recording.record_data(ledger, provisions, engine.decide_data(provisions), recorded_by=who)

    def from_data() -> None:
        ps = [provision_from_data(d) for d in data]
        recording.record_data(ledger, ps, engine.decide_data(ps), recorded_by=who)

    post = _asgi_app()

    def check(answer: bytes | None) -> None:
        """Every provision decided (after the clock stops: reading the answer is the client's work)."""
        if answer is not None:
            results = orjson.loads(answer)["results"]
            assert len(results) == n and all(r["decision"] for r in results), answer[:300]

    cases = {"in-process decide + record": in_process, "the same, validating the JSON data first": from_data,
             "the route in-process (no socket)": lambda: post(body)}
    server = None
    if http:
        from server_util import Server
        server = Server("--workers", "1", "--db", str(_scratch() / "served.sqlite3"),
                        env={"WIVCHECK_MAX_BATCH": str(n), "WIVCHECK_MAX_BODY": str(64 * 1024 * 1024)})
        client = server.client()
        client.timeout = 300

        def over_http() -> bytes:
            r = client.post("/v1/decisions/batch", content=body, headers={"content-type": "application/json"})
            assert r.status_code == 200, r.text[:300]
            return r.content
        cases["the route over HTTP (wivcheck serve, 1 worker)"] = over_http
    try:
        for fn in cases.values():   # warm: compiled rules, connections, the first pages of each log
            check(fn())
        seconds: dict[str, list[float]] = {k: [] for k in cases}
        cpu: dict[str, list[float]] = {k: [] for k in cases}
        for r in range(rounds):
            names = list(cases)
            k = r % len(names)
            for name in names[k:] + names[:k]:
                served = server is not None and name.endswith("over HTTP (wivcheck serve, 1 worker)")
                c0 = _tree_cpu(server.proc.pid) if served else time.process_time()
                t0 = time.perf_counter()
                answer = cases[name]()
                seconds[name].append(time.perf_counter() - t0)
                cpu[name].append((_tree_cpu(server.proc.pid) if served else time.process_time()) - c0)
                check(answer)
    finally:
        if server is not None:
            server.stop()
        ledger.close()
    return ({name: n / statistics.median(v) for name, v in seconds.items()},
            {name: statistics.median(v) / n * 1e6 for name, v in cpu.items()})


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--no-http", action="store_true", help="leave out the route over HTTP")
    ap.add_argument("--json", action="store_true", help="the throughputs as one JSON object on the last line")
    args = ap.parse_args()
    engine = Engine(load_library())
    engine.warm()
    body = orjson.dumps({"provisions": [p.model_dump(mode="json", exclude_none=True)
                                        for p in sample_provisions(1000, seed=3)]})
    ledger = Ledger(_scratch() / "steps.sqlite3", create=True)
    best: dict[str, float] = {}
    capped = capped_handles(engine, engine.select(sample_provisions(1, seed=3)[0].date))
    actions = capped_actions = 0

    def lap(step: str, started: float) -> float:
        now = time.process_time()
        best[step] = min(best.get(step, float("inf")), (now - started) / 1000 * 1e6)
        return now

    for _ in range(args.rounds):
        t = time.process_time()
        data = json.loads(body)["provisions"]
        t = lap("read the JSON body (stdlib, as FastAPI does)", t)
        provisions = [provision_from_data(d) for d in data]
        t = lap("validate each provision", t)
        facts = [p.facts() for p in provisions]
        t = lap("facts of each provision", t)
        selections = [engine.select(p.date) for p in provisions]
        t = lap("select the rule sets", t)
        statuses = engine.statuses(facts, selections)
        t = lap("every rule's status on durable_rules", t)
        actions = core_only(engine, facts, selections[0])
        t = lap("  of which durable_rules' C core alone", t)
        capped_actions = core_only(engine, facts, selections[0], capped)
        t = lap("  the C core alone with `cap` (one action per rule for all matches)", t)
        decisions = [engine._decision(p, f, s, st, p.date)
                     for p, f, s, st in zip(provisions, facts, selections, statuses)]
        t = lap("build the decision data", t)
        recording.record_data(ledger, provisions, decisions)
        t = lap("record (one transaction)", t)
        b",".join(orjson.dumps({"index": i, "decision": d, "error": None}) for i, d in enumerate(decisions))
        lap("write the answer", t)
    print(f"Batch of 1,000 different provisions, CPU µs per decision, best of {args.rounds}, "
          f"{time.strftime('%Y-%m-%d %H:%M')}")
    print()
    print("| step | µs |")
    print("|---|---:|")
    for step, us in best.items():
        print(f"| {step} | {us:.0f} |")
    total = sum(us for step, us in best.items() if not step.startswith("  "))
    print(f"| **sum** | **{total:.0f}** |")
    print()
    provisions = [provision_from_data(d) for d in json.loads(body)["provisions"]]
    rates, cpu = throughput(engine, provisions, body, args.rounds, not args.no_http)
    base, base_cpu = rates["in-process decide + record"], cpu["in-process decide + record"]
    print(f"Throughput of the same batch of 1,000, median of {args.rounds} rounds taking turns; wall time, "
          f"and the CPU of the process doing the work (the served worker's for HTTP); load average "
          f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} cores:")
    print()
    print("| case | decisions/s | of in-process | CPU µs per decision | of in-process, by CPU |")
    print("|---|---:|---:|---:|---:|")
    for name, rate in rates.items():
        print(f"| {name} | {rate:,.0f} | {rate / base:.1%} | {cpu[name]:.0f} | {base_cpu / cpu[name]:.1%} |")
    http_name = "the route over HTTP (wivcheck serve, 1 worker)"
    http = rates.get(http_name)
    if http is not None:
        print()
        print(f"Issue 18's bar (the route over HTTP at least 80 % of in-process): {http / base:.1%} by wall time, "
              f"{'met' if http / base >= 0.8 else 'NOT met'}; {base_cpu / cpu[http_name]:.1%} by CPU.")
    print(f"Fired-rule actions drained per batch: {actions:,}; with `cap`: {capped_actions:,}.")
    if args.json:
        print(json.dumps({"steps_us": best, "decisions_per_s": rates, "cpu_us_per_decision": cpu,
                          "http_over_in_process": None if http is None else http / base,
                          "http_over_in_process_cpu": None if http is None else base_cpu / cpu[http_name]}))


if __name__ == "__main__":
    main()
