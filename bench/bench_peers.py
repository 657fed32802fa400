"""Benchmark: wivcheck against the policy engines people would pick instead, in one run.

    .venv/bin/python bench/bench_peers.py [--n 3000] [--rounds 5] [--json]

Every rule-set version that is selectable by date (status in_force) is translated mechanically into
- Cedar policies (cedarpy): one `permit` per rule and outcome, so one authorization request returns,
  as its determining policies, the outcome of every rule: the trace;
- a zen-engine decision table (JDM, hit policy `collect`): one row per rule and outcome, so one
  evaluation returns the rows that hold: the trace.

Both translations encode the three-valued semantics of `policy/semantics.py`: each condition becomes
a pair of expressions, "is true" and "is false" (unknown is neither), a fact that is absent makes a
leaf unknown, and a rule is not_applicable, missing, satisfied or violated by the same table as the
oracle. What neither peer can do natively is computed before the request, the same way the durable
path derives it (engine/compile.py): dates as day numbers, dates shifted by an offset (`-10y`), and
regular expressions. That preparation is timed as part of each peer's trace.

The run fails (exit 1, `agree: false`) unless, on every generated provision (hypothesis, the same
strategies `wivcheck rules verify` uses), Cedar and zen give every rule the same status as wivcheck,
and so the same decision and the same open rules. Then it times, in rounds, per decision:
wivcheck's whole decision (durable path: selection, trace, approvals, reasons, messages, decision
data), the durable trace alone, the oracle trace, Cedar with its trace and zen with its trace;
single and in batches of 100. Every trace starts from the provision (its `facts()`, timed) and ends
with every rule's status; the selection of the rule-set versions is timed only in the whole decision.

Single decisions are timed two ways. *Steady* (the figures the bars are read on): each engine
decides BLOCK provisions in a row, as a service does one request after another, and the engines
take turns per block in an order that rotates, so noise from the shared machine falls on all alike;
the first WARMUP calls of every block are not counted for any engine (after another engine's turn,
the first call took 3-5 ms for wivcheck and Cedar alike, and wivcheck's whole decision took about
ten calls to come back to its steady cost, its trace two). *Cold*: the engines take turns per
provision, so each starts with the caches full of the others' data (zen's evaluation in particular
leaves the next call up to twice as slow); reported beside.
Medians in microseconds; compare ratios within one run (the machines are shared and noisy).

Bench-only dependencies: the `bench` extra (`pip install -e '.[bench]'`).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import re
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import cedarpy  # noqa: E402
import zen  # noqa: E402
from hypothesis import HealthCheck, given, settings  # noqa: E402

from wivcheck.engine import FACT_SCHEMA, Engine, load_library  # noqa: E402
from wivcheck.engine.provision import Provision  # noqa: E402
from wivcheck.engine.tools.strategies import any_provision_data  # noqa: E402
from wivcheck.policy import All, AnyOf, FactRef, Leaf, Not, RuleSetVersion, qualified  # noqa: E402
from wivcheck.policy.dates import shift  # noqa: E402
from wivcheck.policy.semantics import compile_condition  # noqa: E402

OUTCOMES = ("not_applicable", "missing", "satisfied", "violated")
BLOCK = 40    # provisions an engine decides in a row before the next engine's turn (steady timing)
WARMUP = 10   # of which the first are not counted: after another engine's turn, caches refill
COLD = 100    # provisions per round timed with the engines taking turns per provision (cold timing)


# -- what the peers are given: the facts a version reads, prepared ---------------------------------

class Prepared:
    """The context keys of one version: plain facts (dates as day numbers), shifted dates and regular
    expressions, each under a short identifier both peers accept."""

    def __init__(self, version: RuleSetVersion):
        self.plain: dict[str, str] = {}            # fact path -> key
        self.derived: list[tuple[str, object]] = []  # (key, function of facts)
        self._derived_keys: dict[tuple, str] = {}
        self.lists = version.model.lists

    def key(self, path: str) -> str:
        if path not in self.plain:
            self.plain[path] = "f_" + re.sub(r"[^A-Za-z0-9]", "_", path)
        return self.plain[path]

    def offset(self, ref: FactRef) -> str:
        k = ("offset", ref.fact, ref.offset)
        if k not in self._derived_keys:
            key = self._derived_keys[k] = f"d{len(self._derived_keys)}"
            self.derived.append((key, lambda f, ref=ref: (dt.date.fromisoformat(shift(f[ref.fact], ref.offset)).toordinal()
                                                          if f.get(ref.fact) is not None else None)))
        return self._derived_keys[k]

    def regex(self, path: str, pattern: str) -> str:
        k = ("regex", path, pattern)
        if k not in self._derived_keys:
            key = self._derived_keys[k] = f"d{len(self._derived_keys)}"
            rx = re.compile(pattern)
            self.derived.append((key, lambda f, rx=rx, path=path: (rx.fullmatch(f[path]) is not None
                                                                   if f.get(path) is not None else None)))
        return self._derived_keys[k]

    def leaf(self, leaf) -> str:
        """A leaf neither peer can express (`min_letters`, `in_list`: counting visible characters,
        lists dated in the rule file) as a derived value: its three-valued result under the
        reference semantics, absent when unknown."""
        k = ("leaf", id(leaf))
        if k not in self._derived_keys:
            key = self._derived_keys[k] = f"d{len(self._derived_keys)}"
            fn = compile_condition(leaf, self.lists)
            self.derived.append((key, fn))
        return self._derived_keys[k]

    def context(self, facts: dict) -> dict:
        out = {}
        for path, key in self.plain.items():
            v = facts.get(path)
            if v is None:
                continue
            ft = FACT_SCHEMA.get(path)
            out[key] = dt.date.fromisoformat(v).toordinal() if ft is not None and ft.kind == "date" else v
        for key, fn in self.derived:
            v = fn(facts)
            if v is not None:
                out[key] = v
        return out


def _literal(value) -> object:
    """A literal as the context holds it: a date string as a day number."""
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        return dt.date.fromisoformat(value).toordinal()
    return value


# -- three-valued translation, shared by both peers ---------------------------------------------

class Dialect:
    """How one peer writes the pieces of an expression."""

    TRUE = FALSE = ""

    def has(self, key): ...
    def get(self, key): ...
    def lit(self, v): ...
    def and_(self, parts): ...
    def or_(self, parts): ...
    def not_(self, e): ...
    def cmp(self, op, a, b): ...


def tf(cond, prep: Prepared, d: Dialect) -> tuple[str, str]:
    """(is true, is false) of a condition in the dialect; unknown is neither (Kleene)."""
    if isinstance(cond, All):
        parts = [tf(c, prep, d) for c in cond.all]
        return d.and_([t for t, _ in parts]), d.or_([f for _, f in parts])
    if isinstance(cond, AnyOf):
        parts = [tf(c, prep, d) for c in cond.any]
        return d.or_([t for t, _ in parts]), d.and_([f for _, f in parts])
    if isinstance(cond, Not):
        t, f = tf(cond.not_, prep, d)
        return f, t
    leaf: Leaf = cond
    op, value = leaf.op, leaf.value
    if op == "exists":
        present = d.has(prep.key(leaf.fact))
        return (present, d.not_(present)) if value else (d.not_(present), present)
    if op in ("min_letters", "in_list"):
        key = prep.leaf(leaf)
        return d.and_([d.has(key), d.cmp("equals", d.get(key), d.lit(True))]), \
            d.and_([d.has(key), d.cmp("equals", d.get(key), d.lit(False))])
    if op == "matches":
        key = prep.regex(leaf.fact, value)
        return d.and_([d.has(key), d.cmp("equals", d.get(key), d.lit(True))]), \
            d.and_([d.has(key), d.cmp("equals", d.get(key), d.lit(False))])
    key = prep.key(leaf.fact)
    known = [d.has(key)]
    if isinstance(value, FactRef):
        rkey = prep.offset(value) if value.offset else prep.key(value.fact)
        known.append(d.has(rkey))
        right = d.get(rkey)
    else:
        right = d.lit(_literal(value) if not isinstance(value, list) else [_literal(v) for v in value])
    c = d.cmp(op, d.get(key), right)
    return d.and_(known + [c]), d.and_(known + [d.not_(c)])


def outcome_conditions(version: RuleSetVersion, prep: Prepared, d: Dialect) -> list[tuple[str, str, str]]:
    """(qualified id, outcome, expression) for every rule, obligation and advice and every outcome,
    as `rule_status` decides (the items the engine evaluates: `RuleSetFile.evaluated_items`)."""
    out = []
    model = version.model
    for item_id, applies_if, requires in model.evaluated_items():
        qid = qualified(version.name, item_id)
        applies = [c for c in (model.scope, applies_if) if c is not None]
        at, af = tf(All(all=applies), prep, d) if applies else (d.TRUE, d.FALSE)
        rt, rf = tf(requires, prep, d) if requires is not None else (d.TRUE, d.FALSE)
        unknown = lambda t, f: d.and_([d.not_(t), d.not_(f)])  # noqa: E731
        out.append((qid, "not_applicable", af))
        out.append((qid, "missing", d.and_([d.not_(af), d.or_([unknown(at, af), d.and_([at, unknown(rt, rf)])])])))
        out.append((qid, "satisfied", d.and_([at, rt])))
        out.append((qid, "violated", d.and_([at, rf])))
    return out


class CedarDialect(Dialect):
    TRUE, FALSE = "true", "false"

    def has(self, key): return f'(context has "{key}")'
    def get(self, key): return f'context["{key}"]'

    def lit(self, v):
        if isinstance(v, bool):
            return "true" if v else "false"
        if isinstance(v, list):
            return "[" + ", ".join(self.lit(x) for x in v) + "]"
        return json.dumps(v) if isinstance(v, str) else str(v)

    def and_(self, parts): return "(" + " && ".join(parts) + ")" if parts else "true"
    def or_(self, parts): return "(" + " || ".join(parts) + ")" if parts else "false"
    def not_(self, e): return f"!{e}"

    def cmp(self, op, a, b):
        expr = {"equals": f"{a} == {b}", "not_equals": f"{a} != {b}", "lt": f"{a} < {b}", "le": f"{a} <= {b}",
                "gt": f"{a} > {b}", "ge": f"{a} >= {b}", "in": f"{b}.contains({a})",
                "not_in": f"!{b}.contains({a})", "contains": f"{a}.contains({b})",
                "not_contains": f"!{a}.contains({b})", "subset_of": f"{b}.containsAll({a})"}[op]
        return f"({expr})"


class ZenDialect(Dialect):
    TRUE, FALSE = "true", "false"

    def has(self, key): return f"({key} != null)"
    def get(self, key): return key

    def lit(self, v):
        if isinstance(v, bool):
            return "true" if v else "false"
        if isinstance(v, list):
            return "[" + ", ".join(self.lit(x) for x in v) + "]"
        return "'" + v.replace("\\", "\\\\").replace("'", "\\'") + "'" if isinstance(v, str) else str(v)

    def and_(self, parts): return "(" + " and ".join(parts) + ")" if parts else "true"
    def or_(self, parts): return "(" + " or ".join(parts) + ")" if parts else "false"
    def not_(self, e): return f"not({e})"

    def cmp(self, op, a, b):
        expr = {"equals": f"{a} == {b}", "not_equals": f"{a} != {b}", "lt": f"{a} < {b}", "le": f"{a} <= {b}",
                "gt": f"{a} > {b}", "ge": f"{a} >= {b}", "in": f"{a} in {b}", "not_in": f"not({a} in {b})",
                "contains": f"contains({a}, {b})", "not_contains": f"not(contains({a}, {b}))",
                "subset_of": f"all({a}, # in {b})"}[op]
        return f"({expr})"


class CedarPeer:
    """One version as Cedar policies; `statuses(facts)` is one authorization request."""

    def __init__(self, version: RuleSetVersion):
        self.prep = Prepared(version)
        rows = outcome_conditions(version, self.prep, CedarDialect())
        self.index = {f"policy{i}": (qid, outcome) for i, (qid, outcome, _) in enumerate(rows)}
        text = "\n".join(f"permit(principal, action, resource) when {{ {expr} }};" for _, _, expr in rows)
        self.policies = cedarpy.PolicySet.from_str(text)   # parsed once, as a service would hold it
        self.entities = cedarpy.Entities.from_json_str("[]")

    def _request(self, facts):
        return {"principal": 'Service::"AIVD"', "action": 'Action::"provide"', "resource": 'Provision::"p"',
                "context": self.prep.context(facts)}

    def _trace(self, result) -> dict[str, str]:
        if result.diagnostics.errors:
            raise RuntimeError(f"cedar: {result.diagnostics.errors[:3]}")
        return dict(self.index[p] for p in result.diagnostics.reasons)

    def statuses(self, facts: dict) -> dict[str, str]:
        return self._trace(cedarpy.is_authorized(self._request(facts), self.policies, self.entities))

    def statuses_many(self, facts_list: list[dict]) -> list[dict[str, str]]:
        results = cedarpy.is_authorized_batch([self._request(f) for f in facts_list], self.policies, self.entities)
        return [self._trace(r) for r in results]


class ZenPeer:
    """One version as a zen-engine decision table (hit policy collect)."""

    def __init__(self, version: RuleSetVersion, engine: "zen.ZenEngine"):
        self.prep = Prepared(version)
        rows = outcome_conditions(version, self.prep, ZenDialect())
        table = {"hitPolicy": "collect", "inputs": [{"id": "c", "name": "condition", "field": ""}],
                 "outputs": [{"id": "r", "name": "rule", "field": "rule"},
                             {"id": "o", "name": "outcome", "field": "outcome"}],
                 "rules": [{"_id": str(i), "c": expr, "r": f"'{qid}'", "o": f"'{outcome}'"}
                           for i, (qid, outcome, expr) in enumerate(rows)]}
        pos = {"x": 0, "y": 0}
        jdm = {"nodes": [{"id": "in", "type": "inputNode", "name": "in", "position": pos, "content": {}},
                         {"id": "t", "type": "decisionTableNode", "name": version.ref, "position": pos, "content": table},
                         {"id": "out", "type": "outputNode", "name": "out", "position": pos, "content": {}}],
               "edges": [{"id": "e1", "sourceId": "in", "targetId": "t", "type": "edge"},
                         {"id": "e2", "sourceId": "t", "targetId": "out", "type": "edge"}]}
        self.decision = engine.create_decision(json.dumps(jdm))

    def statuses(self, facts: dict) -> dict[str, str]:
        result = self.decision.evaluate(self.prep.context(facts))["result"]
        return {row["rule"]: row["outcome"] for row in result}

    def statuses_many(self, facts_list: list[dict]) -> list[dict[str, str]]:
        return [self.statuses(f) for f in facts_list]


# -- the run -------------------------------------------------------------------------------------

def generate(n: int) -> list[Provision]:
    """n provisions from the strategies `rules verify` uses (near-allowed and uniform), deterministic."""
    out: list[Provision] = []

    @settings(max_examples=n, database=None, derandomize=True, deadline=None,
              suppress_health_check=list(HealthCheck))
    @given(any_provision_data())
    def collect(data):
        if len(out) < n:
            out.append(Provision.model_validate(data))
    collect()
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--n", type=int, default=3000, help="generated provisions checked for agreement")
    ap.add_argument("--timed", type=int, default=320, help="provisions timed per round")
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--json", action="store_true", help="one JSON object on the last line")
    args = ap.parse_args()

    library = load_library()
    durable, oracle = Engine(library, "durable"), Engine(library, "oracle")
    versions = [v for v in library.all() if v.model.status == "in_force"]
    zen_engine = zen.ZenEngine()
    cedar = {v.ref: CedarPeer(v) for v in versions}
    zen_ = {v.ref: ZenPeer(v, zen_engine) for v in versions}

    provisions = [p for p in generate(args.n)]
    selections, kept = [], []
    for p in provisions:
        try:
            selections.append(library.select(p.date))
            kept.append(p)
        except Exception:  # noqa: BLE001 - no rule set in force on that date: nothing to compare
            continue
    facts = [p.facts() for p in kept]

    def peer_statuses(peers, f, sel):
        out = {}
        for v in sel:
            out.update(peers[v.ref].statuses(f))
        return out

    # -- agreement: every rule's status, hence the decision and the open rules
    wiv = durable.statuses(facts, selections)
    disagreements = []
    decisions: dict[str, int] = {}
    for p, f, sel, st in zip(kept, facts, selections, wiv):
        decision, _ = durable.outcome(p, sel, st)
        decisions[decision] = decisions.get(decision, 0) + 1
        for name, peers in (("cedar", cedar), ("zen", zen_)):
            got = peer_statuses(peers, f, sel)
            if got != st:
                diff = {q: (st.get(q), got.get(q)) for q in set(st) | set(got) if st.get(q) != got.get(q)}
                disagreements.append({"engine": name, "provision": p.id, "rules": diff})
            elif durable.outcome(p, sel, got) != durable.outcome(p, sel, st):
                disagreements.append({"engine": name, "provision": p.id, "outcome": True})
    agree = not disagreements

    # -- timing. Every trace starts from the provision (its facts) and ends with every rule's status;
    # wivcheck's whole decision adds the selection of the rule sets and the decision data.
    timed = list(zip(kept, facts, selections))[: args.timed]
    single = {
        "wivcheck": lambda p, sel: durable.decide_data([p]),
        "durable_trace": lambda p, sel: durable.statuses([p.facts()], [sel]),
        "oracle_trace": lambda p, sel: oracle.statuses([p.facts()], [sel]),
        "cedarpy_trace": lambda p, sel: peer_statuses(cedar, p.facts(), sel),
        "zen_trace": lambda p, sel: peer_statuses(zen_, p.facts(), sel),
    }

    def peer_batch(peers, chunk):
        by_version: dict[str, list[dict]] = {}
        for p, _, sel in chunk:
            f = p.facts()
            for v in sel:
                by_version.setdefault(v.ref, []).append(f)
        for ref, fl in by_version.items():
            peers[ref].statuses_many(fl)

    batch = {
        "wivcheck": lambda chunk: durable.decide_data([p for p, _, _ in chunk]),
        "durable_trace": lambda chunk: durable.statuses([p.facts() for p, _, _ in chunk], [s for _, _, s in chunk]),
        "cedarpy_trace": lambda chunk: peer_batch(cedar, chunk),
        "zen_trace": lambda chunk: peer_batch(zen_, chunk),
    }
    samples: dict[str, list[float]] = {k: [] for k in single}
    samples.update({k + "_batch": [] for k in batch})
    cold: dict[str, list[float]] = {k: [] for k in single}
    clock = time.perf_counter
    for r in range(args.rounds):
        # steady: each engine decides a block of provisions one after another, as a service does,
        # its own code and data warm in the caches (the first WARMUP of a block, while they refill
        # after another engine's turn, are not counted); the engines take turns per block, in an
        # order that rotates, so the machine's noise falls on all alike
        for b in range(0, len(timed), BLOCK):
            block = timed[b:b + BLOCK]
            names = list(single)
            k = (r + b // BLOCK) % len(names)
            for name in names[k:] + names[:k]:
                fn, got = single[name], samples[name]
                for j, (p, _, sel) in enumerate(block):
                    t0 = clock(); fn(p, sel); t1 = clock()  # noqa: E702
                    if j >= WARMUP:
                        got.append(t1 - t0)
        # cold: the engines take turns per provision, each right after the others (whatever it left in
        # the caches is gone), in an order that rotates
        for j, (p, _, sel) in enumerate(timed[:COLD]):
            names = list(single)
            k = (r + j) % len(names)
            for name in names[k:] + names[:k]:
                t0 = clock(); single[name](p, sel); cold[name].append(clock() - t0)  # noqa: E702
        for i in range(0, len(timed) - 99, 100):
            chunk = timed[i:i + 100]
            names = list(batch)
            k = (r + i // 100) % len(names)
            for name in names[k:] + names[:k]:
                t0 = clock(); batch[name](chunk); samples[name + "_batch"].append((clock() - t0) / len(chunk))  # noqa: E702

    med = {k: statistics.median(v) * 1e6 for k, v in samples.items() if v}
    cold_med = {k: statistics.median(v) * 1e6 for k, v in cold.items() if v}
    out = {"agree": agree, "provisions_checked": len(kept), "decisions": decisions,
           "load_average": [round(x, 1) for x in os.getloadavg()], "cores": os.cpu_count(),
           "rules": sum(len(v.model.rules) for v in versions), "versions": [v.ref for v in versions],
           "wivcheck_us": med["wivcheck"], "durable_trace_us": med["durable_trace"], "oracle_us": med["oracle_trace"],
           "cedarpy_trace_us": med["cedarpy_trace"], "zen_trace_us": med["zen_trace"],
           "batch_us": {k.removesuffix("_batch"): med[k] for k in med if k.endswith("_batch")},
           "ratios": {"wivcheck_over_durable_trace": med["wivcheck"] / med["durable_trace"],
                      "wivcheck_over_cedarpy_trace": med["wivcheck"] / med["cedarpy_trace"],
                      "wivcheck_over_zen_trace": med["wivcheck"] / med["zen_trace"],
                      "durable_trace_over_oracle": med["durable_trace"] / med["oracle_trace"]},
           "cold_us": cold_med,
           "cold_ratios": {"wivcheck_over_durable_trace": cold_med["wivcheck"] / cold_med["durable_trace"],
                           "wivcheck_over_cedarpy_trace": cold_med["wivcheck"] / cold_med["cedarpy_trace"]},
           "disagreements": disagreements[:5]}
    out["bars"] = {"whole_within_1.5x_durable_trace": out["ratios"]["wivcheck_over_durable_trace"] <= 1.5,
                   "whole_within_a_third_of_cedarpy_trace": out["ratios"]["wivcheck_over_cedarpy_trace"] <= 1 / 3}
    print(f"{len(kept)} provisions, {out['rules']} rules in {len(versions)} versions; decisions {decisions}; "
          f"load average {out['load_average'][0]} on {out['cores']} cores")
    print(f"agree (every rule's status, Cedar and zen against wivcheck): {agree}"
          + ("" if agree else f" ({len(disagreements)} disagreements, first: {disagreements[0]})"))
    print(f"{'per decision (median µs)':32} {'single':>10} {'batch 100':>10} {'cold':>10}")
    for label, k in (("wivcheck whole decision", "wivcheck"), ("wivcheck durable trace", "durable_trace"),
                     ("wivcheck oracle trace", "oracle_trace"), ("cedarpy with trace", "cedarpy_trace"),
                     ("zen-engine with trace", "zen_trace")):
        b = med.get(k + "_batch")
        print(f"{label:32} {med[k]:10.1f} {'' if b is None else f'{b:10.1f}':>10} {cold_med[k]:10.1f}")
    for k, v in out["ratios"].items():
        print(f"{k:32} {v:10.2f}")
    for k, v in out["cold_ratios"].items():
        print(f"{k + ' (cold)':32} {v:10.2f}")
    for k, v in out["bars"].items():
        print(f"{k:40} {'met' if v else 'NOT met'}")
    if args.json:
        print(json.dumps(out))
    return 0 if agree else 1


if __name__ == "__main__":
    raise SystemExit(main())
