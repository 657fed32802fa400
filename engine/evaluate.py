"""Provisions in, decisions out: select the rule-set versions, evaluate every rule, apply
approvals, combine, explain. Fail closed: any fault raises; nothing here returns an allow by default."""

from __future__ import annotations

import datetime as dt
import threading
import uuid
from typing import Iterable

from policy import Library, RuleSetVersion

from .backends import BACKENDS
from .combine import apply_approvals, combine
from .decision import Decision, TraceEntry
from .errors import EngineError
from .explain import build_reason
from .provision import Provision


class Engine:
    """Evaluates provisions on a rule library. Compiled rule sets are cached per version and hash;
    safe to share between threads."""

    def __init__(self, library: Library, backend: str = "durable"):
        if backend not in BACKENDS:
            raise ValueError(f"unknown backend {backend!r}")
        self.library = library
        self.backend = backend
        self._cache: dict[tuple[str, str], object] = {}
        self._lock = threading.Lock()
        # trace entries without an approval are the same objects for every decision: validating a
        # fresh one per rule per decision was the largest single cost of building a decision
        self._entries: dict[tuple[str, str, str], TraceEntry] = {}

    def _backend(self, version: RuleSetVersion):
        key = (version.ref, version.sha256)
        with self._lock:
            be = self._cache.get(key)
            if be is None:
                be = self._cache[key] = BACKENDS[self.backend](version)
        return be

    def warm(self) -> None:
        """Compile every version now (start-up), so a broken rule set fails before any request."""
        for v in self.library.all():
            self._backend(v)

    def select(self, day: dt.date, rulesets: Iterable[str] = ()) -> list[RuleSetVersion]:
        return self.library.select(day, tuple(rulesets))

    def decide(self, provision: Provision, *, as_of: dt.date | None = None,
               rulesets: Iterable[str] = ()) -> Decision:
        return self.decide_many([provision], as_of=as_of, rulesets=rulesets)[0]

    def decide_many(self, provisions: list[Provision], *, as_of: dt.date | None = None,
                    rulesets: Iterable[str] = ()) -> list[Decision]:
        """Decisions for many provisions; those sharing a selection are evaluated as one batch."""
        rulesets = tuple(rulesets)
        selections = [self.select(as_of or p.date, rulesets) for p in provisions]
        facts = [p.facts() for p in provisions]
        statuses = self.statuses(facts, selections)
        return [self._decision(p, f, sel, st, as_of or p.date)
                for p, f, sel, st in zip(provisions, facts, selections, statuses)]

    @staticmethod
    def outcome(provision: Provision, selection, statuses: dict[str, str]) -> tuple[str, frozenset[str]]:
        """Decision and open rules of a provision on a selection, from rule statuses (which may
        hold more rules than the selection's)."""
        rules = {f"{v.name}.{r.id}": r for v in selection for r in v.model.rules}
        trace, _ = apply_approvals(provision, rules, {q: statuses[q] for q in rules})
        outcome, _ = combine(trace, rules)
        return outcome, frozenset(t["rule"] for t in trace if t["status"] in ("violated", "missing"))

    def statuses(self, facts: list[dict], selections) -> list[dict[str, str]]:
        """Every rule's status per provision; provisions sharing a selection go as one batch."""
        groups: dict[tuple, list[int]] = {}
        for i, sel in enumerate(selections):
            groups.setdefault(tuple(v.ref for v in sel), []).append(i)
        statuses: list[dict[str, str]] = [{} for _ in facts]
        for idxs in groups.values():
            for version in selections[idxs[0]]:
                got = self._backend(version).statuses_many([facts[i] for i in idxs])
                if len(got) != len(idxs):
                    raise EngineError(f"{version.ref}: {len(got)} results for {len(idxs)} provisions")
                for i, st in zip(idxs, got):
                    statuses[i].update(st)
        return statuses

    def _entry(self, t: dict):
        if "approved_by" in t:
            return t
        key = (t["rule"], t["status"], t["on_fail"])
        entry = self._entries.get(key)
        if entry is None:
            entry = self._entries[key] = TraceEntry.model_validate(t)
        return entry

    def _decision(self, provision, facts, selected, statuses, as_of) -> Decision:
        rules, owner = {}, {}
        for v in selected:
            for r in v.model.rules:
                qid = f"{v.name}.{r.id}"
                rules[qid], owner[qid] = r, v
        if set(statuses) != set(rules):
            raise EngineError("inconsistent trace: rules evaluated do not match the rules selected")
        trace, warnings = apply_approvals(provision, rules, statuses)
        outcome, roles = combine(trace, rules)
        order = {qid: i for i, qid in enumerate(rules)}
        open_ = [t for t in trace if t["status"] in ("violated", "missing")]
        open_.sort(key=lambda t: (t["on_fail"] != "deny", order[t["rule"]]))
        reasons = [build_reason(owner[t["rule"]], rules[t["rule"]], t, facts) for t in open_]
        if outcome == "allow" and reasons:
            raise EngineError("inconsistent decision: allow with open reasons")
        # built as plain data and validated once: far cheaper than one model per trace entry
        return Decision.model_validate({
            "decision": outcome, "provision_id": provision.id, "decision_id": str(uuid.uuid4()),
            "evaluated_at": dt.datetime.now(dt.timezone.utc), "as_of": as_of,
            "rulesets": [{"id": v.name, "version": v.version, "status": v.model.status,
                          "sha256": v.sha256} for v in selected],
            "reasons": reasons, "escalate_to": roles,
            "approved": [t for t in trace if t["status"] == "approved"],
            "trace": [self._entry(t) for t in trace],
            "warnings": warnings})
