"""Invariants: statements that must hold for every possible provision, searched for counterexamples
with hypothesis over the provision schema. The shrunk counterexample is the report.

    invariants:
      - id: foreign-origin-needs-consent
        text: never allow when the data come from a foreign service without its consent
        kind: never                      # the decision is never one of `never` when `when` holds
        when: {all: [{fact: data.origin, equals: foreign_service}, ...]}
        never: [allow]
        unless_approved_by: minister     # optional: unless an approval by this role (or higher) was used
        rulesets: []                     # versions named besides the date pick (drafts)
      - id: personal-data-never-loosens
        kind: monotone                   # applying the change never makes the decision more permissive
        when: {fact: data.personal_data, equals: false}
        patch: {data: {personal_data: true, personal_data_verifiable: true}}
        add: {data.categories: [email_addresses]}
      - id: every-deny-cites-an-article
        kind: deny_cites_article         # every deny has a deny reason citing a Wiv 2017 article
      - id: no-allow-without-grounds
        kind: allow_has_grounds          # every allow names the route(s) of the law it rests on
      - id: minister-level-articles
        kind: cites_escalate_to          # an open escalation citing one of `cites` goes to `role`
        cites: ["Art. 62(2) Wiv 2017", "Art. 69(2)(c) Wiv 2017"]
        role: minister

Provisions for which no rule set is in force have no decision and are no counterexample.
"""

from __future__ import annotations

import copy
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, Optional

import pydantic
from hypothesis import HealthCheck, Phase, find, settings
from hypothesis import strategies as st
from hypothesis.errors import NoSuchExample
from pydantic import BaseModel, ConfigDict, Field

from wivcheck.policy import ROLE_RANK, Condition, Library, PolicyErrors, SelectionError
from wivcheck.policy.library import pydantic_problems
from wivcheck.policy.terms import OUTCOME_RANK
from wivcheck.policy.semantics import compile_condition
from wivcheck.policy.yamlsafe import load_file

from ..decision import Decision
from ..errors import EngineError, ProvisionError
from ..evaluate import Engine
from ..load import merge_patch, provision_from_data
from ..provision import Provision
from .strategies import any_provision_data, towards

RANK = OUTCOME_RANK


class Invariant(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: str = Field(pattern=r"^[a-z][a-z0-9-]*$")
    text: str
    kind: Literal["never", "monotone", "deny_cites_article", "allow_has_grounds", "cites_escalate_to"]
    when: Optional[Condition] = None
    never: list[Literal["allow", "escalate", "deny"]] = Field(default_factory=list)
    cites: list[str] = Field(default_factory=list)
    role: Optional[Literal["teamleider", "diensthoofd", "minister"]] = None
    unless_approved_by: Optional[Literal["teamleider", "diensthoofd", "minister"]] = None
    patch: dict[str, Any] = Field(default_factory=dict)
    add: dict[str, list[str]] = Field(default_factory=dict)
    rulesets: list[str] = Field(default_factory=list)


class InvariantFile(BaseModel):
    model_config = ConfigDict(extra="forbid")
    invariants: list[Invariant] = Field(min_length=1)


@dataclass
class Result:
    id: str
    text: str
    examples: int
    seconds: float
    counterexample: Optional[dict] = None
    decision: Optional[Decision] = None
    other: Optional[Decision] = None   # the changed provision's decision (monotone)
    error: Optional[str] = None        # the engine refused to decide (fail closed) instead


def load_invariants(path: Path) -> InvariantFile:
    located = load_file(str(path))
    try:
        return InvariantFile.model_validate(located.data)
    except pydantic.ValidationError as exc:
        raise PolicyErrors(pydantic_problems(exc, located, str(path))) from None



def _changed(data: dict, inv: Invariant) -> Provision | None:
    out = copy.deepcopy(data)
    merge_patch(out, inv.patch)
    for path, items in inv.add.items():
        *parents, leaf = path.split(".")
        node = out
        for p in parents:
            node = node.setdefault(p, {})
        node[leaf] = list(dict.fromkeys([*node.get(leaf, []), *items]))
    try:
        return provision_from_data(out)
    except ProvisionError:
        return None  # the change does not give a valid provision here: nothing to compare


class _Checker:
    """Evaluates invariants on generated provision data; one engine, decisions cached per example."""

    def __init__(self, library: Library):
        self.engine = Engine(library)
        self._when: dict[str, Any] = {}

    def _decide(self, p: Provision, rulesets) -> Decision | None:
        """The decision, or None where there is none to judge: no rule set in force, or the engine
        refused an allow without a ground (that refusal is `allow_has_grounds`'s to report)."""
        try:
            return self.engine.decide(p, rulesets=rulesets)
        except SelectionError:
            return None
        except EngineError as exc:
            if "without a ground" in str(exc):
                return None
            raise

    def broken(self, inv: Invariant, data: dict, p: Provision) -> tuple | None:
        """(decision, decision after the change, engine error) when `p` breaks the invariant, else
        None. An allow without a ground is refused by the engine itself (fail closed); for
        `allow_has_grounds` that refusal is the counterexample."""
        when = self._when.get(inv.id)
        if when is None:
            when = self._when[inv.id] = compile_condition(inv.when)
        if when(p.facts()) is not True:
            return None
        if inv.kind == "allow_has_grounds":
            try:
                d = self.engine.decide(p, rulesets=inv.rulesets)
            except SelectionError:
                return None
            except EngineError as exc:
                if "without a ground" in str(exc):
                    return (None, None, str(exc))
                raise
        else:
            d = self._decide(p, inv.rulesets)
        if d is None:
            return None
        hit = self._judge(inv, data, d)
        return None if hit is None else (*hit, None)

    def _judge(self, inv: Invariant, data: dict, d: Decision) -> tuple | None:
        if inv.kind == "never":
            if inv.unless_approved_by and any(ROLE_RANK[t.approved_by.role] >= ROLE_RANK[inv.unless_approved_by]
                                              for t in d.approved):
                return None
            return (d, None) if d.decision in inv.never else None
        if inv.kind == "deny_cites_article":
            cited = any(r.outcome == "deny" and any(c.startswith("Art. ") for c in r.cites) for r in d.reasons)
            return (d, None) if d.decision == "deny" and not cited else None
        if inv.kind == "allow_has_grounds":
            return (d, None) if d.decision == "allow" and not d.grounds else None
        if inv.kind == "cites_escalate_to":
            wrong = [r for r in d.reasons if r.outcome == "escalate" and set(r.cites) & set(inv.cites)
                     and r.escalate_to != inv.role]
            return (d, None) if wrong else None
        q = _changed(data, inv)
        other = self._decide(q, inv.rulesets) if q is not None else None
        return (d, other) if other is not None and RANK[other.decision] < RANK[d.decision] else None


def verify_all(library: Library, invariants: list[Invariant], max_examples: int = 1000) -> list[Result]:
    """Search for counterexamples to every invariant at once: each generated provision is checked
    against all of them (generating is the expensive part). When one breaks, the shrunk example is
    its counterexample, and the search goes on for the others."""
    checker = _Checker(library)
    results: dict[str, Result] = {}
    open_ = list(invariants)
    started = time.perf_counter()
    while open_:
        count = [0]

        def any_broken(data: dict) -> bool:
            count[0] += 1
            p = Provision.model_validate(data)
            return any(checker.broken(inv, data, p) for inv in open_)

        # one strategy for all: mixed provisions, and for each invariant near-allowed ones moved
        # towards where it bites
        strategy = st.one_of(any_provision_data(), *[towards(inv.when) for inv in open_ if inv.when])
        try:
            example = find(strategy, any_broken, settings=settings(
                max_examples=max_examples, database=None, deadline=None, derandomize=True,
                phases=[Phase.generate, Phase.shrink], suppress_health_check=list(HealthCheck)))
        except NoSuchExample:
            for inv in open_:
                results[inv.id] = Result(inv.id, inv.text, count[0], time.perf_counter() - started)
            break
        p = Provision.model_validate(example)
        still = []
        for inv in open_:
            hit = checker.broken(inv, example, p)
            if hit:
                results[inv.id] = Result(inv.id, inv.text, count[0], time.perf_counter() - started,
                                         example, hit[0], hit[1], hit[2])
            else:
                still.append(inv)
        if len(still) == len(open_):  # cannot happen: the example broke one of them
            raise RuntimeError("shrunk example breaks no invariant")
        open_ = still
    return [results[inv.id] for inv in invariants]
