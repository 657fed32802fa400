"""Benchmark of the gate: a STIX bundle of N objects (indicators on domains and IP addresses, malware
analyses, a few email addresses) to a decision with per-object answers, for N from 100 to 100,000.

    .venv/bin/python bench/bench_gate.py [--sizes 100 1000 10000 100000]

Times reading (every object checked against the OASIS STIX 2.1 schemas, markings), deciding (whole
payload, per object, the removal set) and the two together. Compiling the schemas happens once per
process (the service does it at start-up) and is timed on its own. Then, with `--http-sizes`, the
same bundles go to POST /v1/gate/stix of `wivcheck serve` on 127.0.0.1: sent, decided, recorded and
answered.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import stix2  # noqa: E402
import yaml  # noqa: E402

from wivcheck.engine import Engine, load_library  # noqa: E402
from wivcheck.engine.gate import stix_schema  # noqa: E402
from wivcheck.engine.gate import gate, stix_items  # noqa: E402

MARKINGS = [stix2.TLP_GREEN.id, stix2.TLP_AMBER.id]


def make_bundle(n: int) -> str:
    objects = []
    for i in range(n):
        ident = f"{uuid.uuid4()}"
        kind = i % 10
        common = {"spec_version": "2.1", "created": "2025-01-01T00:00:00.000Z", "modified": "2025-01-01T00:00:00.000Z",
                  "object_marking_refs": [MARKINGS[i % 2]]}
        if kind < 6:
            objects.append({"type": "indicator", "id": f"indicator--{ident}", "pattern_type": "stix",
                            "valid_from": "2025-01-01T00:00:00Z",
                            "pattern": f"[domain-name:value = 'd{i}.evil.example']", **common})
        elif kind < 9:
            objects.append({"type": "ipv4-addr", "id": f"ipv4-addr--{ident}", "value": f"198.51.100.{i % 250}",
                            "spec_version": "2.1", "object_marking_refs": [MARKINGS[i % 2]]})
        elif i % 1000 == 9:
            objects.append({"type": "email-addr", "id": f"email-addr--{ident}", "value": f"u{i}@example.org",
                            "spec_version": "2.1", "object_marking_refs": [MARKINGS[1]]})
        else:
            objects.append({"type": "malware-analysis", "id": f"malware-analysis--{ident}", "product": "sandbox",
                            "result": "malicious", **common})
    return json.dumps({"type": "bundle", "id": f"bundle--{uuid.uuid4()}", "objects": objects})


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[100, 1000, 10000, 100000])
    ap.add_argument("--stix2-up-to", type=int, default=10000,
                    help="also time stix2's object model on every object, for bundles up to this size")
    ap.add_argument("--http-sizes", type=int, nargs="*", default=[1000, 10000],
                    help="also send bundles of these sizes to POST /v1/gate/stix (wivcheck serve on loopback)")
    args = ap.parse_args()
    engine = Engine(load_library())
    envelope = json.loads(json.dumps(yaml.safe_load((ROOT / "examples" / "gate" / "envelope.yaml").read_text()),
                                     default=str))
    t0 = time.perf_counter()
    stix_schema.validators()
    print(f"Compiling the OASIS STIX 2.1 schemas (once per process): {time.perf_counter() - t0:.2f} s")
    print()
    gate(engine, envelope, stix_items(make_bundle(50)))  # warm
    print("| objects | read s | decide s | total s | decision | to remove | stix2 objects alone s | stix2 / schemas |")
    print("|---:|---:|---:|---:|---|---:|---:|---:|")
    for n in args.sizes:
        raw = make_bundle(n)
        t0 = time.perf_counter()
        items = stix_items(raw)
        t1 = time.perf_counter()
        r = gate(engine, envelope, items)
        t2 = time.perf_counter()
        alone = ratio = "-"
        if n <= args.stix2_up_to:
            t3 = time.perf_counter()
            stix2_check(raw)
            took = time.perf_counter() - t3
            alone, ratio = f"{took:.2f}", f"{took / (t1 - t0):.0f}×"
        print(f"| {n:,} | {t1 - t0:.2f} | {t2 - t1:.3f} | {t2 - t0:.2f} | {r.decision.decision} | "
              f"{len(r.remove) if r.remove is not None else '-'} | {alone} | {ratio} |")
    if args.http_sizes:
        print()
        print("| objects | POST /v1/gate/stix s (send, decide, record, answer) | body MB | decision |")
        print("|---:|---:|---:|---|")
        for n, took, size, decision in over_http(envelope, args.http_sizes):
            print(f"| {n:,} | {took:.2f} | {size / 1e6:.1f} | {decision} |")


def over_http(envelope: dict, sizes: list[int]):
    """The gate route end to end: one worker on 127.0.0.1, a fresh log, no tokens (loopback)."""
    import tempfile

    import httpx
    sys.path.insert(0, str(ROOT / "tests"))
    from server_util import Server
    with tempfile.TemporaryDirectory() as tmp:
        server = Server("--db", str(Path(tmp) / "log.sqlite3"), "--workers", "1")
        try:
            with httpx.Client(base_url=server.url, timeout=300) as c:
                for n in [50] + sizes:  # the first warms the worker
                    body = json.dumps({"envelope": envelope, "bundle": json.loads(make_bundle(n))})
                    t0 = time.perf_counter()
                    r = c.post("/v1/gate/stix", content=body, headers={"content-type": "application/json"})
                    took = time.perf_counter() - t0
                    r.raise_for_status()
                    if n != 50 or not sizes:
                        yield n, took, len(body), r.json()["decision"]["decision"]
        finally:
            server.stop()


def stix2_check(raw: str) -> None:
    """What reading cost with stix2's object model: every object built by stix2 (one core; the
    pattern grammar left out, as the gate never used it)."""
    for obj in json.loads(raw)["objects"]:
        if obj.get("type") == "indicator":
            obj = {**obj, "pattern_type": "x-not-parsed"}
        stix2.parse(obj, allow_custom=True)


if __name__ == "__main__":
    main()
