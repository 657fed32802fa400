"""Where a batch decision's time goes: the steps of POST /v1/decisions/batch, in-process, over
batches of 1,000 different provisions, in CPU µs per decision (best of the rounds).

    .venv/bin/python bench/bench_batch.py [--rounds 5]

Steps: reading the JSON body, validating each provision, its facts, selecting the rule sets, every
rule's status on durable_rules (of which the C core alone: assert, drain the fired rules, retract),
building the decision data (approvals, combination, reasons), recording (one transaction) and
writing the answer. The sum is what one worker spends per decision; the HTTP route adds the
transfer. Compare it with the budget a rate implies: 10,000 decisions/s on two workers is 200 µs.
"""

from __future__ import annotations

import argparse
import json
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


def whole_route(body: bytes, rounds: int = 3) -> float:
    """POST /v1/decisions/batch through the app itself (no socket), CPU µs per decision, best of rounds."""
    import asyncio
    import gc
    import os

    from wivcheck.api.http.app import create_app
    from wivcheck.api.settings import Settings
    app = create_app(Settings(db=str(Path(tempfile.mkdtemp()) / "log.sqlite3"), bind_host="127.0.0.1"))
    gc.freeze()  # as api.server.app_from_env does in each worker
    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST",
             "scheme": "http", "path": "/v1/decisions/batch", "raw_path": b"/v1/decisions/batch",
             "query_string": b"", "root_path": "", "client": ("127.0.0.1", 5000), "server": ("127.0.0.1", 8000),
             "headers": [(b"host", b"127.0.0.1"), (b"content-type", b"application/json"),
                         (b"content-length", str(len(body)).encode())]}

    async def once() -> None:
        sent = []

        async def receive():
            return {"type": "http.request", "body": body, "more_body": False}

        async def send(message):
            sent.append(message)
        await app(dict(scope), receive, send)
        assert sent[0]["status"] == 200, sent

    best = float("inf")
    for _ in range(rounds):
        t = os.times()
        asyncio.run(once())
        used = os.times()
        best = min(best, (used.user + used.system - t.user - t.system) / 1000 * 1e6)
    return best


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=5)
    args = ap.parse_args()
    engine = Engine(load_library())
    engine.warm()
    body = orjson.dumps({"provisions": [p.model_dump(mode="json", exclude_none=True)
                                        for p in sample_provisions(1000, seed=3)]})
    ledger = Ledger(Path(tempfile.mkdtemp()) / "log.sqlite3", create=True)
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
    route = whole_route(body)
    print(f"The whole route in-process (the app called as uvicorn calls it: limits, FastAPI, the steps, "
          f"the answer; no socket): {route:.0f} µs per decision.")
    print(f"Fired-rule actions drained per batch: {actions:,}; with `cap`: {capped_actions:,}.")
    print(f"One worker: about {1e6 / route:,.0f} decisions/s; two workers on two otherwise idle cores, "
          f"with no client and no socket: at most {2e6 / route:,.0f}.")


if __name__ == "__main__":
    main()
