"""Provisions in, decisions out: select the rule-set versions, evaluate every rule, apply
approvals, combine, explain; name the grounds established, and the obligations and advice that apply.
Fail closed: any fault raises; nothing here returns an allow by default, and an allow on rule sets
that name routes of the law but with no route established is an error (Art. 62(3): no provision
outside the law's routes)."""

from __future__ import annotations

import datetime as dt
import os
import threading
import time
from typing import Iterable

from wivcheck.policy import OPEN, Library, RuleSetVersion, qualified

from .backends import BACKENDS
from .approvals import ApprovalRegister
from .combine import apply_approvals, combine
from .decision import Decision, TraceEntry
from .errors import EngineError
from .reasons import build_ground, build_reason, build_statement
from .provision import Provision


_SELECTIONS_KEPT = 4096   # days (with rule sets named) whose selection is remembered


class Engine:
    """Evaluates provisions on a rule library. Compiled rule sets are cached per version and hash;
    safe to share between threads."""

    def __init__(self, library: Library, backend: str = "durable"):
        if backend not in BACKENDS:
            raise ValueError(f"unknown backend {backend!r}")
        self.library = library
        self.backend = backend
        self._cache: dict[tuple[str, str], object] = {}
        self._of_version: dict[int, tuple[RuleSetVersion, object]] = {}   # the same, by the version object
        self._lock = threading.Lock()
        # trace entries without an approval, and a selection's rule-set references, are the same
        # objects in every decision's data: decision data are read-only once made
        self._entries: dict[tuple[str, str, str], dict] = {}
        self._selected: dict[tuple, _Selected] = {}
        self._selections: dict[tuple, list[RuleSetVersion]] = {}
        self._selected_by_id: dict[tuple, tuple[tuple, _Selected]] = {}

    def _backend(self, version: RuleSetVersion):
        known = self._of_version.get(id(version))
        if known is not None and known[0] is version:
            return known[1]
        key = (version.ref, version.sha256)
        with self._lock:
            be = self._cache.get(key)
            if be is None:
                be = self._cache[key] = BACKENDS[self.backend](version)
            if len(self._of_version) >= _SELECTIONS_KEPT:
                self._of_version.clear()
            self._of_version[id(version)] = (version, be)
        return be

    def warm(self) -> None:
        """Compile every version now (start-up), so a broken rule set fails before any request."""
        for v in self.library.all():
            self._backend(v)

    def select(self, day: dt.date, rulesets: Iterable[str] = ()) -> list[RuleSetVersion]:
        """The versions to evaluate on `day` (`Library.select`: each named one, else the one in
        force), remembered per day and names: provisions mostly share a few dates. Raises
        SelectionError when nothing is selected (never remembered)."""
        key = (day, tuple(rulesets))
        chosen = self._selections.get(key)
        if chosen is None:
            chosen = self.library.select(day, key[1])
            if len(self._selections) >= _SELECTIONS_KEPT:
                self._selections.clear()
            self._selections[key] = chosen
        return list(chosen)

    def decide(self, provision: Provision, *, as_of: dt.date | None = None,
               rulesets: Iterable[str] = (), register: ApprovalRegister | None = None) -> Decision:
        return self.decide_many([provision], as_of=as_of, rulesets=rulesets, register=register)[0]

    def decide_many(self, provisions: list[Provision], *, as_of: dt.date | None = None,
                    rulesets: Iterable[str] = (), register: ApprovalRegister | None = None) -> list[Decision]:
        """Decisions for many provisions; those sharing a selection are evaluated as one batch."""
        return [Decision.model_validate(d) for d in
                self.decide_data(provisions, as_of=as_of, rulesets=rulesets, register=register)]

    def decide_data(self, provisions: list[Provision], *, as_of: dt.date | None = None,
                    rulesets: Iterable[str] = (), register: ApprovalRegister | None = None) -> list[dict]:
        """The decisions as JSON data, exactly what `Decision.model_dump(mode="json")` gives of the
        model (a property test holds the two together). The HTTP service records and answers these
        directly: building and dumping a model per decision cost more than deciding.

        With a `register` (the decision log), approvals named in the provisions are checked against
        it and close an escalation only when recorded (`approvals.refusal`); without one they are taken
        as written and marked unverified. A register that cannot be read raises its error."""
        rulesets = tuple(rulesets)
        selections = [self.select(as_of or p.date, rulesets) for p in provisions]
        facts = [p.facts() for p in provisions]
        statuses = self.statuses(facts, selections)
        granted = None
        if register is not None:
            refs = {ap.reference for p in provisions for ap in p.approvals}
            granted = register.find(refs) if refs else {}
        return [self._decision(p, f, sel, st, as_of or p.date, granted)
                for p, f, sel, st in zip(provisions, facts, selections, statuses)]

    def outcome(self, provision: Provision, selection, statuses: dict[str, str]) -> tuple[str, frozenset[str]]:
        """Decision and open rules of a provision on a selection, from rule statuses (which may
        hold more rules than the selection's)."""
        rules = self._rules_of(list(selection)).rules
        trace, _ = apply_approvals(provision, rules, {q: statuses[q] for q in rules})
        outcome, _ = combine(trace, rules)
        return outcome, frozenset(t["rule"] for t in trace if t["status"] in ("violated", "missing"))

    def statuses(self, facts: list[dict], selections) -> list[dict[str, str]]:
        """Every rule's status per provision; provisions sharing a selection go as one batch."""
        if len(facts) == 1:
            one: dict[str, str] = {}
            for version in selections[0]:
                got = self._backend(version).statuses_many(facts)
                if len(got) != 1:
                    raise EngineError(f"{version.ref}: {len(got)} results for 1 provision")
                one.update(got[0])
            return [one]
        groups: dict[tuple, list[int]] = {}
        for i, sel in enumerate(selections):
            groups.setdefault(tuple(map(id, sel)), []).append(i)   # the same version objects
        statuses: list[dict[str, str]] = [{} for _ in facts]
        for idxs in groups.values():
            for version in selections[idxs[0]]:
                got = self._backend(version).statuses_many([facts[i] for i in idxs])
                if len(got) != len(idxs):
                    raise EngineError(f"{version.ref}: {len(got)} results for {len(idxs)} provisions")
                for i, st in zip(idxs, got):
                    statuses[i].update(st)
        return statuses

    def _entry(self, t: dict) -> dict:
        if "approved_by" in t:
            ap = t["approved_by"]
            return {**t, "approved_by": {**ap, "date": ap["date"].isoformat()}}
        return self._shared(t["rule"], t["status"], t["on_fail"])

    def _shared(self, rule: str, status: str, on_fail: str) -> dict:
        """The trace entry of a rule's status without an approval: one object per (rule, status,
        on_fail), shared by every decision (decision data are read-only once made)."""
        entry = self._entries.get((rule, status, on_fail))
        if entry is None:
            entry = self._entries[(rule, status, on_fail)] = TraceEntry.model_validate(
                {"rule": rule, "status": status, "on_fail": on_fail}).model_dump(mode="json")
        return entry

    def _rules_of(self, selected: list[RuleSetVersion]) -> _Selected:
        # by the version objects first: an entry holds them, so while it exists no other object
        # can have their ids; then by their refs and hashes
        ids = tuple(map(id, selected))
        known = self._selected_by_id.get(ids)
        if known is not None:
            return known[1]
        key = tuple((v.ref, v.sha256) for v in selected)
        sel = self._selected.get(key)
        if sel is None:
            sel = self._selected[key] = _Selected(self, selected)
        if len(self._selected_by_id) >= _SELECTIONS_KEPT:
            self._selected_by_id.clear()
        self._selected_by_id[ids] = (tuple(selected), sel)
        return sel

    def _decision(self, provision, facts, selected, statuses, as_of, granted=None) -> dict:
        sel = self._rules_of(selected)
        rules = sel.rules
        if statuses.keys() != sel.items:
            raise EngineError("inconsistent trace: rules evaluated do not match the rules selected")
        if provision.approvals:
            trace, warnings = apply_approvals(provision, rules, {q: statuses[q] for q in rules}, granted)
            entries = [self._entry(t) for t in trace]
            status = {t["rule"]: t["status"] for t in trace}   # approved where an approval closed it
            by_rule = {t["rule"]: t for t in trace}
            open_ = [by_rule[q] for q in sel.reason_order if status[q] in _OPEN]
            approved = [e for e in entries if e["status"] == "approved"]
        else:   # most provisions: the trace is the shared entries themselves, nothing to approve
            warnings, approved, status = [], [], statuses
            entries = [shared[statuses[q]] for q, shared in sel.entries]
            open_ = [sel.entry_of[q][statuses[q]] for q in sel.reason_order if statuses[q] in _OPEN]
        outcome, roles = combine(open_, rules)   # the open entries decide: the rest cannot
        reasons = [build_reason(sel.owner[t["rule"]], rules[t["rule"]], t, facts) for t in open_]
        if outcome == "allow" and reasons:
            raise EngineError("inconsistent decision: allow with open reasons")
        grounds = [g for q, gs in sel.grounds if status[q] in _ESTABLISHED
                   for when, g in gs if when is None or statuses[when] == "satisfied"]
        if outcome == "allow" and sel.grounds and not grounds:
            raise EngineError("inconsistent decision: allow without a ground, while the rule sets name "
                              "the routes of the law (Art. 62(3) Wiv 2017: no provision outside them)")
        obligations = [] if outcome == "deny" else [
            build_statement(owner, item, statuses[q], facts)
            for q, owner, item in sel.obligations if statuses[q] in _APPLYING]
        advice = [build_statement(owner, item, statuses[q], facts)
                  for q, owner, item in sel.advice if statuses[q] in _APPLYING]
        return {
            "decision": outcome, "provision_id": provision.id, "decision_id": _decision_id(),
            "evaluated_at": _now_text(), "as_of": as_of.isoformat(),
            "rulesets": sel.refs, "grounds": grounds, "reasons": reasons, "obligations": obligations,
            "advice": advice, "escalate_to": roles, "approved": approved,
            "trace": entries, "warnings": warnings, "log": None}


_OPEN = OPEN
_ESTABLISHED = frozenset(("satisfied", "approved"))   # a rule whose grounds hold
_APPLYING = frozenset(("satisfied", "missing"))       # an obligation or advice listed


class _Selected:
    """What a decision needs of a selection of rule-set versions, worked out once per selection:
    the rules by qualified id and where each comes from, the trace entry of each rule and status
    (shared by every decision), the order of reasons (deny first, then in rule order), the grounds
    each rule can establish (with the status that decides a conditional one), and the obligations
    and advice in order."""

    def __init__(self, engine: Engine, selected: list[RuleSetVersion]):
        self.rules, obligations, advice, self.owner = {}, {}, {}, {}
        for v in selected:
            for section, target in (("rules", self.rules), ("obligations", obligations), ("advice", advice)):
                for r in getattr(v.model, section):
                    qid = qualified(v.name, r.id)
                    target[qid], self.owner[qid] = r, v
        self.items = self.rules.keys() | obligations.keys() | advice.keys()
        self.items |= {qualified(v.name, i) for v in selected for i, _, _ in v.model.evaluated_items()}
        self.obligations = [(q, self.owner[q], item) for q, item in obligations.items()]
        self.advice = [(q, self.owner[q], item) for q, item in advice.items()]
        self.entry_of = {q: {s: engine._shared(q, s, r.on_fail) for s in _EVALUATED}
                         for q, r in self.rules.items()}
        self.entries = list(self.entry_of.items())
        order = list(self.rules)
        self.reason_order = ([q for q in order if self.rules[q].on_fail == "deny"]
                             + [q for q in order if self.rules[q].on_fail != "deny"])
        self.grounds = [(q, [(f"{q}#ground{k}" if g.when is not None else None, build_ground(r, k, q))
                             for k, g in enumerate(r.grounds)])
                        for q, r in self.rules.items() if r.grounds]
        self.refs = [{"id": v.name, "version": v.version, "status": v.model.status, "sha256": v.sha256}
                     for v in selected]


_EVALUATED = ("not_applicable", "missing", "satisfied", "violated")   # what evaluation gives a rule


def _utc_text(moment: dt.datetime) -> str:
    """A UTC time as pydantic writes it: ISO 8601 with `Z`."""
    return moment.isoformat().replace("+00:00", "Z")


class _Clock:
    """`_utc_text(datetime.now(timezone.utc))`, the same text, with the date and time to the second
    worked out once per second: the same clock (the system's, to the microsecond, rounded down)."""

    def __init__(self):
        self._second: tuple[int, str] = (-1, "")

    def __call__(self) -> str:
        second, micro = divmod(time.time_ns() // 1000, 1_000_000)
        known = self._second
        if known[0] != second:
            known = self._second = (second, dt.datetime.fromtimestamp(second, dt.timezone.utc).isoformat()[:19])
        return f"{known[1]}.{micro:06d}Z" if micro else f"{known[1]}Z"


class _DecisionIds:
    """Random UUIDs (version 4) as text, exactly as `str(uuid.uuid4())` writes them and from the same
    source (os.urandom), made 256 at a time from one draw of 4 kB instead of one system call and one
    UUID object a decision. Each thread has its own; a child process made by fork makes its own
    (never the parent's)."""

    def __init__(self):
        self._local = threading.local()
        self._generation = 0
        if hasattr(os, "register_at_fork"):
            os.register_at_fork(after_in_child=self._forked)

    def _forked(self) -> None:
        self._generation += 1

    def _draw(self) -> list[str]:
        raw = bytearray(os.urandom(4096))
        # as uuid.UUID(bytes=..., version=4) sets them: version 4 in byte 6, the RFC 4122 variant in byte 8
        raw[6::16] = bytes(b & 0x0F | 0x40 for b in raw[6::16])
        raw[8::16] = bytes(b & 0x3F | 0x80 for b in raw[8::16])
        h = raw.hex()
        return [f"{h[i:i + 8]}-{h[i + 8:i + 12]}-{h[i + 12:i + 16]}-{h[i + 16:i + 20]}-{h[i + 20:i + 32]}"
                for i in range(0, len(h), 32)]

    def __call__(self) -> str:
        local = self._local
        ids = getattr(local, "ids", None)
        if not ids or local.generation != self._generation:
            ids = local.ids = self._draw()
            local.generation = self._generation
        return ids.pop()


_now_text = _Clock()
_decision_id = _DecisionIds()
