"""Benchmark: the full-trace decision on the durable_rules path against the plain-Python oracle,
measured in the same run, for the shipped rule sets and for 10, 100 and 1,000 generated rules.

    .venv/bin/python bench/bench_engine.py [--n 3000] [--json out.json]

Reports medians in microseconds and the ratio durable/oracle. Two levels are timed:
- "trace": every rule's status for one provision (flatten + assert/fire/retract + check, vs closures);
- "decide": the whole Engine.decide (selection, approvals, reasons with messages, Decision model).
Machines here are shared and noisy: compare ratios within one run, not absolute figures across runs.
"""

from __future__ import annotations

import argparse
import copy
import datetime as dt
import hashlib
import json
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import yaml  # noqa: E402

from wivcheck.engine import FACT_SCHEMA, Engine, load_library, provision_from_data  # noqa: E402
from wivcheck.engine.backends import DurableBackend, OracleBackend  # noqa: E402
from wivcheck.policy import RuleSetFile, RuleSetVersion  # noqa: E402
from wivcheck.policy.schema import OPS_BY_KIND  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
DRAFT = "beleidsregels-pps@concept-2026-02"


def sample_provisions(n: int, seed: int = 7):
    """Variations of the example provision that reach every kind of outcome."""
    rnd = random.Random(seed)
    base = yaml.safe_load((ROOT / "examples" / "allow-structural.yaml").read_text())
    base = json.loads(json.dumps(base, default=str))
    out = []
    for i in range(n):
        p = copy.deepcopy(base)
        p["id"] = f"B-{i}"
        p["date"] = (dt.date(2025, 3, 14) + dt.timedelta(days=rnd.randint(-20, 600))).isoformat()
        p["recipient"]["kind"] = rnd.choice(["private_party"] * 4 + ["foreign_service", "administrative_body"])
        p["recipient"]["concern"] = rnd.choice(["victim", "can_mitigate", "none"])
        p["partnership"]["residual_risk"] = rnd.choice(["none", "accepted", "open"])
        p["data"]["origin"] = rnd.choice(["own", "own", "foreign_service"])
        if p["data"]["origin"] == "foreign_service":
            p["data"]["originator_consent"] = rnd.random() < 0.5
        if rnd.random() < 0.3:
            p["data"].update(personal_data=True, personal_data_oldest="2016-01-01",
                             personal_data_verifiable=rnd.random() < 0.8)
            p["recipient"]["can_take_measures"] = rnd.random() < 0.5
        p["data"]["volume"] = rnd.choice([1, 12, 500, 20000])
        out.append(provision_from_data(p))
    return out


def _leaf(rnd: random.Random) -> dict:
    paths = [p for p in FACT_SCHEMA.paths() if FACT_SCHEMA.get(p).kind != "object"]
    path = rnd.choice(paths)
    ft = FACT_SCHEMA.get(path)
    op = rnd.choice(sorted(OPS_BY_KIND[ft.kind] - {"matches", "subset_of", "min_letters", "in_list"}))
    if op == "exists":
        return {"fact": path, "exists": rnd.random() < 0.5}
    if op in ("contains", "not_contains"):
        return {"fact": path, op: rnd.choice(ft.values)}
    value = {"enum": lambda: rnd.choice(ft.values), "bool": lambda: rnd.random() < 0.5,
             "int": lambda: rnd.choice([1, 100, 10000]), "str": lambda: rnd.choice(["NL", "BE", "x"]),
             "date": lambda: rnd.choice(["2025-01-01", "2025-06-01", "2026-01-01"])}[ft.kind]
    if op in ("in", "not_in"):
        return {"fact": path, op: sorted({value() for _ in range(3)}, key=str)}
    if ft.kind == "date" and rnd.random() < 0.3:
        return {"fact": path, op: {"fact": "date", "offset": rnd.choice(["-1y", "+6m", "-30d"])}}
    return {"fact": path, op: value()}


def generated_version(n_rules: int, seed: int = 1) -> RuleSetVersion:
    rnd = random.Random(seed)
    rules = []
    for i in range(n_rules):
        requires = rnd.choice([
            lambda: _leaf(rnd),
            lambda: {"all": [_leaf(rnd), _leaf(rnd)]},
            lambda: {"any": [_leaf(rnd), {"all": [_leaf(rnd), _leaf(rnd)]}]},
            lambda: {"not": _leaf(rnd)},
        ])()
        rule = {"id": f"g{i}", "title": {"nl": "t", "en": "t"}, "basis": "policy",
                "cites": [{"source": "Wiv 2017", "article": "62"}], "requires": requires,
                "on_fail": "deny", "message": {"nl": "m", "en": "m"}}
        if rnd.random() < 0.5:
            rule["applies_if"] = _leaf(rnd)
        rules.append(rule)
    doc = {"ruleset": f"gen{n_rules}", "version": "v1", "status": "in_force", "valid_from": "2000-01-01",
           "title": {"nl": "g", "en": "g"}, "source": {"note": "bench"}, "rules": rules}
    raw = json.dumps(doc).encode()
    return RuleSetVersion(RuleSetFile.model_validate(doc), "<bench>", hashlib.sha256(raw).hexdigest())


def median_us(fn, items, repeat: int = 1) -> float:
    times = []
    for _ in range(repeat):
        for x in items:
            t0 = time.perf_counter_ns()
            fn(x)
            times.append(time.perf_counter_ns() - t0)
    return statistics.median(times) / 1000


def bench_trace(versions, facts) -> tuple[float, float, int]:
    dur = [DurableBackend(v) for v in versions]
    ora = [OracleBackend(v) for v in versions]
    # warm up both, and check they agree on every sample before timing anything
    for f in facts:
        a = {k: s for b in dur for k, s in b.statuses_many([f])[0].items()}
        o = {k: s for b in ora for k, s in b.statuses_many([f])[0].items()}
        assert a == o, "durable and oracle disagree"
    d = median_us(lambda f: [b.statuses_many([f]) for b in dur], facts)
    o = median_us(lambda f: [b.statuses_many([f]) for b in ora], facts)
    terms = sum(b.compiled.term_count() for b in dur)
    return d, o, terms


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=3000, help="provisions per measurement")
    ap.add_argument("--json", help="also write the figures to this file")
    args = ap.parse_args()

    provisions = sample_provisions(args.n)
    facts = [p.facts() for p in provisions]
    lib = load_library()
    rows = []

    shipped = lib.select(dt.date(2025, 3, 14), [DRAFT])
    n_rules = sum(len(v.model.rules) for v in shipped)
    d, o, terms = bench_trace(shipped, facts)
    rows.append({"case": f"shipped ({n_rules} rules), trace", "rules": n_rules, "terms": terms,
                 "durable_us": d, "oracle_us": o})

    dur_engine, ora_engine = Engine(lib, "durable"), Engine(lib, "oracle")
    for p in provisions[:200]:
        dur_engine.decide(p, rulesets=[DRAFT])
        ora_engine.decide(p, rulesets=[DRAFT])
    d = median_us(lambda p: dur_engine.decide(p, rulesets=[DRAFT]), provisions)
    o = median_us(lambda p: ora_engine.decide(p, rulesets=[DRAFT]), provisions)
    rows.append({"case": f"shipped ({n_rules} rules), whole decide()", "rules": n_rules, "terms": terms,
                 "durable_us": d, "oracle_us": o})
    batch = provisions[:1000]
    t0 = time.perf_counter()
    dur_engine.decide_many(batch, rulesets=[DRAFT])
    d_batch = (time.perf_counter() - t0) / len(batch) * 1e6
    t0 = time.perf_counter()
    ora_engine.decide_many(batch, rulesets=[DRAFT])
    o_batch = (time.perf_counter() - t0) / len(batch) * 1e6
    rows.append({"case": f"shipped ({n_rules} rules), decide_many of 1,000 (mean)", "rules": n_rules,
                 "terms": terms, "durable_us": d_batch, "oracle_us": o_batch})

    for n in (10, 100, 1000):
        v = generated_version(n)
        t0 = time.perf_counter()
        DurableBackend(v)
        compile_s = time.perf_counter() - t0
        sample = facts[: max(200, args.n // (n // 10 or 1))]
        d, o, terms = bench_trace([v], sample)
        rows.append({"case": f"generated, {n} rules, trace", "rules": n, "terms": terms,
                     "durable_us": d, "oracle_us": o, "compile_s": compile_s})

    print(f"wivcheck engine benchmark, {dt.datetime.now().isoformat(timespec='seconds')}, "
          f"{args.n} provisions, Python {sys.version.split()[0]}")
    print()
    print("| case | durable terms | durable µs (median) | oracle µs (median) | durable / oracle |")
    print("|---|---:|---:|---:|---:|")
    for r in rows:
        r["ratio"] = r["durable_us"] / r["oracle_us"]
        extra = f" (compile {r['compile_s']:.2f} s)" if "compile_s" in r else ""
        print(f"| {r['case']}{extra} | {r['terms']} | {r['durable_us']:.1f} | {r['oracle_us']:.1f} | "
              f"{r['ratio']:.1f}× |")
    if args.json:
        Path(args.json).write_text(json.dumps(rows, indent=2))


if __name__ == "__main__":
    main()
