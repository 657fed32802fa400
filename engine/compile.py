"""Compiling a rule-set version onto durable_rules.

Every rule becomes four outcomes: not_applicable, satisfied, violated, missing. Each outcome is a
condition in disjunctive normal form over *slots* of one flat fact, and each conjunctive term is one
durable rule named `r<rule>_<outcome>_<k>`; a term that is the same outcome of several rules (most
often a scope or a condition they share) is one durable rule for all of them, `r<i>r<j>..._<outcome>_<k>`,
so it fires once for them all. Exactly one outcome holds per rule (the three-valued
logic of `policy.semantics`, which `engine.oracle` evaluates directly), so every asserted fact fires at least one durable rule per rule set, and the
engine can check that each rule reported exactly one outcome. Obligations and advice compile the
same way, after the rules, as items whose `requires` is always true: not_applicable, satisfied (they
apply) or missing (their condition is unknown).

The flat fact holds what durable_rules can match safely (see docs/engine.md and the engineering note):
- each fact a rule reads, in a short slot name; absent and null facts are left out, so `$nex` means
  missing; objects that are present become `true`;
- derived values for what its C core cannot do or does differently: list membership (`contains`),
  `subset_of`, regular expressions (its own regex dialect is neither Python's nor bounded in time:
  `matches` is computed here with google-re2, in linear time, as a derived slot), dates shifted by an
  offset, the count of visible letters and digits (`min_letters`), and membership of a dated list on
  the provision date (`in_list`);
- an anchor `_f: 1` that every durable rule tests, so no rule ever consists of `$nex` alone.
Comparisons with another slot are guarded with `$ex` on both slots (durable treats them as true when
the other slot is missing). `$or` is never handed to durable_rules: the terms are expanded here, with
contradictory terms pruned, and counted against a limit so a rule cannot blow up the network.
"""

from __future__ import annotations

import collections
import functools
import itertools
import json
from dataclasses import dataclass, field
from typing import Any

from wivcheck.policy import All, AnyOf, FactRef, Leaf, Not, RuleSetVersion, qualified
from wivcheck.policy.conditions import LIST_DATE_FACT
from wivcheck.policy.dates import shift
from wivcheck.policy.patterns import compile_pattern
from wivcheck.policy.semantics import list_table, on_list
from wivcheck.policy.text import visible_letters

# Derived slots are computed for every provision on every rule-set version: the same few dates are
# shifted by the same offsets, the same patterns matched; both are pure, so they are remembered.
_shift = functools.lru_cache(maxsize=4096)(shift)
_pattern = compile_pattern  # RE2 (policy/patterns.py): linear time, cached there

from .errors import EngineError

MAX_TERMS = 256
# durable_rules' C core walks its alpha network with a stack of C_STACK pending nodes (events.c,
# handleAlpha: error 303 when a push finds it full) and hangs when one node gets 512 hashed children.
# Each term is a chain of alpha nodes, one per literal in order; terms that start alike share their
# nodes. The terms are packed into rulesets so that the highest the stack can go (`stack_height`:
# every node's children all matching, the walk in its worst order) stays at STACK_BOUND, a margin
# below C_STACK; no node then has more than STACK_BOUND children. Literals are ordered by how many
# terms of the version hold them (most first), so terms share long starts and few rulesets are
# needed: each costs the C core a walk of the fact.
C_STACK = 64
STACK_BOUND = 60
OUTCOMES = {"s": "satisfied", "v": "violated", "n": "not_applicable", "m": "missing"}

# A literal: (op, slot, arg); arg is ("c", constant) or ("m", other slot) or None for ex/nex.
Lit = tuple
Term = frozenset
DNF = list  # of Term

_NEG = {"eq": "neq", "neq": "eq", "lt": "gte", "gte": "lt", "gt": "lte", "lte": "gt"}
_BASE = {"equals": "eq", "not_equals": "neq", "lt": "lt", "le": "lte", "gt": "gt", "ge": "gte"}
_TRUE: DNF = [frozenset()]
_FALSE: DNF = []


@dataclass
class SlotPlan:
    """How to build the flat fact: slot name -> how to compute its value from the provision facts."""

    slots: dict[tuple, str] = field(default_factory=dict)
    _direct: list = field(default_factory=list)   # (name, path) read as they are
    _derived: list = field(default_factory=list)  # (name, key) computed

    def slot(self, key: tuple) -> str:
        if key not in self.slots:
            name = self.slots[key] = f"s{len(self.slots)}"
            (self._direct if key[0] == "fact" else self._derived).append(
                (name, key[1]) if key[0] == "fact" else (name, key))
        return self.slots[key]

    def flatten(self, facts: dict[str, Any], fact_id: str) -> dict[str, Any]:
        """The flat fact: `id` first (the action frames are read by position), then the slots."""
        out: dict[str, Any] = {"id": fact_id, "_f": 1}
        for name, path in self._direct:
            value = facts.get(path)
            if value is not None:
                out[name] = True if isinstance(value, list) else value
        for name, key in self._derived:
            value = _slot_value(key, facts)
            if value is not None:
                out[name] = value
        return out


def _slot_value(key: tuple, facts: dict[str, Any]) -> Any:
    kind, path = key[0], key[1]
    value = facts.get(path)
    if value is None:
        return None
    if kind == "fact":
        return True if isinstance(value, list) else value
    if kind == "shift":
        return _shift(value, key[2])
    if kind == "has":
        return key[2] in value
    if kind == "re":
        return _pattern(key[2]).fullmatch(value) is not None
    if kind == "sub":
        other = key[2]
        if isinstance(other, tuple):
            return set(value) <= set(other)
        right = facts.get(other)
        return None if right is None else set(value) <= set(right)
    if kind == "letters":
        return visible_letters(value)
    if kind == "list":
        day = facts.get(LIST_DATE_FACT)
        return None if day is None else on_list(key[2], value, day)
    raise AssertionError(key)


def _product(a: DNF, b: DNF) -> DNF:
    out: dict[Term, None] = {}
    for x, y in itertools.product(a, b):
        t = x | y
        if not _contradictory(t):
            out[t] = None
    return list(out)


def _union(*parts: DNF) -> DNF:
    out: dict[Term, None] = {}
    for p in parts:
        for t in p:
            out[t] = None
    return list(out)


def _minimal(dnf: DNF) -> DNF:
    """The DNF without its subsumed terms: a term that holds every literal of another term of the
    same DNF can only hold where that other term holds, so the disjunction is the same without it
    (it would fire beside the smaller term, never alone). Order kept."""
    return [t for t in dnf if not any(o < t for o in dnf)]


def _contradictory(term: Term) -> bool:
    by_slot: dict[str, list] = {}
    for op, slot, arg in term:
        by_slot.setdefault(slot, []).append((op, arg))
        if arg and arg[0] == "m":
            by_slot.setdefault(arg[1], []).append(("ref", None))
    for lits in by_slot.values():
        ops = {op for op, _ in lits}
        if "nex" in ops and len(ops) > 1:
            return True
        eqs = {arg for op, arg in lits if op == "eq" and arg[0] == "c"}
        if len(eqs) > 1:
            return True
        if any(op == "neq" and arg in eqs for op, arg in lits):
            return True
    return False


class _Compiler:
    def __init__(self, plan: SlotPlan, rule: str, lists: dict | None = None):
        self.plan, self.rule, self.lists = plan, rule, lists or {}

    def tfu(self, cond) -> tuple[DNF, DNF, DNF]:
        """(true, false, unknown) of a condition, each in DNF."""
        if cond is None:
            return _TRUE, _FALSE, _FALSE
        if isinstance(cond, Not):
            t, f, u = self.tfu(cond.not_)
            return f, t, u
        if isinstance(cond, (All, AnyOf)):
            parts = [self.tfu(c) for c in (cond.all if isinstance(cond, All) else cond.any)]
            if isinstance(cond, AnyOf):  # any = not all(not ...)
                parts = [(f, t, u) for t, f, u in parts]
            t = _TRUE
            for pt, _, _ in parts:
                t = self.limit(_product(t, pt))
            f = _union(*(pf for _, pf, _ in parts))
            u = []
            for i, (_, _, pu) in enumerate(parts):
                term = pu
                for j, (pt, _, pu2) in enumerate(parts):
                    if j != i:
                        term = self.limit(_product(term, _union(pt, pu2)))
                u = _union(u, term)
            u = self.limit(u)
            return (f, t, u) if isinstance(cond, AnyOf) else (t, f, u)
        return self._leaf(cond)

    def limit(self, dnf: DNF) -> DNF:
        if len(dnf) > MAX_TERMS:
            raise EngineError(f"rule {self.rule}: its conditions expand to more than {MAX_TERMS} "
                              f"terms on durable_rules; split the rule or simplify nested any/all")
        return dnf

    def _leaf(self, leaf: Leaf) -> tuple[DNF, DNF, DNF]:
        path, op, value = leaf.fact, leaf.op, leaf.value
        slot = self.plan.slot
        if op == "exists":
            s = slot(("fact", path))
            t, f = [frozenset({("ex", s, None)})], [frozenset({("nex", s, None)})]
            return (t, f, _FALSE) if value else (f, t, _FALSE)
        if op == "min_letters":
            s = slot(("letters", path))
            return ([frozenset({("gte", s, ("c", value))})], [frozenset({("lt", s, ("c", value))})],
                    [frozenset({("nex", s, None)})])
        derived = None
        if op == "in_list":
            derived = ("list", path, list_table(self.lists[value]))
        elif op in ("contains", "not_contains"):
            derived = ("has", path, value)
        elif op == "matches":
            derived = ("re", path, value)
        elif op == "subset_of":
            derived = ("sub", path, value.fact if isinstance(value, FactRef) else tuple(value))
        if derived is not None:
            s = slot(derived)
            t = [frozenset({("eq", s, ("c", True))})]
            f = [frozenset({("eq", s, ("c", False))})]
            u = [frozenset({("nex", s, None)})]
            return (f, t, u) if op == "not_contains" else (t, f, u)
        s = slot(("fact", path))
        if op in ("in", "not_in"):
            t = [frozenset({("eq", s, ("c", v))}) for v in dict.fromkeys(value)]
            f = [frozenset(("neq", s, ("c", v)) for v in value)]
            u = [frozenset({("nex", s, None)})]
            return (f, t, u) if op == "not_in" else (t, f, u)
        base = _BASE[op]
        if isinstance(value, FactRef):
            r = slot(("shift", value.fact, value.offset) if value.offset else ("fact", value.fact))
            guard = {("ex", s, None), ("ex", r, None)}
            t = [frozenset(guard | {(base, s, ("m", r))})]
            f = [frozenset(guard | {(_NEG[base], s, ("m", r))})]
            u = [frozenset({("nex", s, None)}), frozenset({("nex", r, None)})]
            return t, f, u
        t = [frozenset({(base, s, ("c", value))})]
        f = [frozenset({(_NEG[base], s, ("c", value))})]
        return t, f, [frozenset({("nex", s, None)})]


def _durable_lit(lit: Lit) -> dict:
    op, slot, arg = lit
    if op in ("ex", "nex"):
        return {"$" + op: {slot: 1}}
    value = {"$m": arg[1]} if arg[0] == "m" else arg[1]
    if op == "eq":
        return {slot: value}
    return {"$" + op: {slot: value}}


def _durable_term(term: Term, common: dict[Lit, int]) -> dict:
    """A term as one durable rule: `_f` first, then its literals, the most common in the version
    first (`common`: literal -> number of terms holding it), ties by their text."""
    lits = [{"_f": 1}] + [_durable_lit(x) for x in sorted(term, key=lambda x: (-common[x], repr(x)))]
    return {"all": [{"m": {"$and": lits}}]}


def _chain(rule: dict) -> tuple[str, ...]:
    """The alpha nodes a durable rule of `_durable_term` makes, from the root: its literals' text."""
    return tuple(json.dumps(x, sort_keys=True) for x in rule["all"][0]["m"]["$and"])


def stack_height(chains: list[tuple[str, ...]]) -> int:
    """The highest durable_rules' alpha walk (events.c, handleAlpha) can take its stack on a
    network of these chains, for any fact: a node popped pushes its matching children, which are
    taken to be all of them (an upper bound), and the walk goes deepest first where that is worst.
    Chains that start alike share their nodes, as the C core shares a node with the same parent and
    the same test (`findAlpha`); tests of different text are taken as different nodes, which can
    only overstate the height."""
    root: dict = {}
    for chain in chains:
        node = root
        for lit in chain:
            node = node.setdefault(lit, {})

    def height(node: dict) -> int:
        if not node:
            return 0
        return max(len(node), len(node) - 1 + max(height(child) for child in node.values()))
    return height(root)


@dataclass
class CompiledRuleSet:
    """The durable_rules definitions of one rule-set version (packed into rulesets by `shards`),
    with its slot plan and rule names."""

    version: RuleSetVersion
    plan: SlotPlan
    rule_ids: list[str]
    definition: dict[str, dict]

    def term_count(self) -> int:
        return len(self.definition)

    def shards(self) -> list[dict[str, dict]]:
        """The definitions in order, packed into rulesets each as large as STACK_BOUND allows
        (`stack_height` of each at most STACK_BOUND)."""
        out: list[dict[str, dict]] = []
        current: dict[str, dict] = {}
        chains: list[tuple[str, ...]] = []
        for name, rule in self.definition.items():
            chain = _chain(rule)
            if current and stack_height(chains + [chain]) > STACK_BOUND:
                out.append(current)
                current, chains = {}, []
            current[name] = rule
            chains.append(chain)
        if current:
            out.append(current)
        return out


def compile_ruleset(version: RuleSetVersion) -> CompiledRuleSet:
    """The durable_rules definitions of everything the version evaluates (RuleSetFile.evaluated_items:
    rules, obligations, advice, conditional grounds; `rule_ids` holds their qualified ids)."""
    model = version.model
    plan = SlotPlan()
    holders: dict[tuple[Term, str], list[int]] = {}   # (term, outcome) -> the items it is that outcome of
    rule_ids = []
    for i, (item_id, applies_if, requires) in enumerate(model.evaluated_items()):
        qid = qualified(model.ruleset, item_id)
        rule_ids.append(qid)
        c = _Compiler(plan, qid, model.lists)
        at, af, au = c.tfu(All(all=[x for x in (model.scope, applies_if) if x is not None])
                           if (model.scope or applies_if) else None)
        rt, rf, ru = c.tfu(requires)
        outcomes = {
            "n": af,
            "s": c.limit(_product(at, rt)),
            "v": c.limit(_product(at, rf)),
            "m": c.limit(_union(au, _product(at, ru))),
        }
        for code, dnf in outcomes.items():
            for term in _minimal(dnf):
                holders.setdefault((term, code), []).append(i)
    common = collections.Counter(lit for term, _ in holders for lit in term)
    definition: dict[str, dict] = {}
    stems: collections.Counter = collections.Counter()
    for (term, code), items in holders.items():
        stem = "r" + "r".join(map(str, items)) + "_" + code
        definition[f"{stem}_{stems[stem]}"] = _durable_term(term, common)
        stems[stem] += 1
    if len(plan.slots) > 250:
        raise EngineError(f"{version.ref}: its rules read {len(plan.slots)} distinct facts; "
                          "durable_rules allows at most 255 properties per fact")
    return CompiledRuleSet(version, plan, rule_ids, definition)


def parse_rule_name(name: str) -> tuple[tuple[int, str], ...]:
    """The (item, status) pairs a durable rule's firing gives: `r12_v_3` -> ((12, "violated"),),
    `r3r7_n_0` -> ((3, "not_applicable"), (7, "not_applicable"))."""
    items, code, _ = name.split("_")
    return tuple((int(i), OUTCOMES[code]) for i in items[1:].split("r"))
