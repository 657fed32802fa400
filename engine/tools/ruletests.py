"""Rule tests in YAML, and coverage of rules and conditions.

A test file sits next to its rule set, `rules/<ruleset>/tests/*.yaml`:

    rulesets: [beleidsregels-pps@concept-2026-02]   # optional: versions named besides the date pick
    bases:
      structural: {id: T-1, service: AIVD, ...}      # whole provisions that tests patch
    tests:
      - name: consent missing is denied
        base: structural
        patch: {data: {origin: foreign_service, originator_consent: false}}   # null removes a key
        as_of: 2025-03-14                              # optional
        expect:
          decision: deny
          violated: [praktijk.originator-consent]         # exactly the open rules (violated or missing)
          escalate_to: [diensthoofd]                      # optional
          grounds: ["Art. 62(1)(c) Wiv 2017"]             # optional: exactly these grounds
          obligations: [wiv2017.record-personal-data]     # optional: exactly these obligations
          advice: [waarborgen-pps.ctivd-view]             # optional: exactly these advice

A test passes when the decision and the set of open rules are exactly as expected, and the grounds,
obligations and advice where the test names them. Coverage counts, over all tests, how often each
rule came out violated, satisfied and not applicable, how often each obligation and advice was listed
and not listed, and how often each leaf condition was true and false; it also keeps the names of the
tests that showed each outcome (the legal coverage matrix cites them).
"""

from __future__ import annotations

import copy
import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional

import pydantic
from pydantic import BaseModel, ConfigDict, Field

from wivcheck.policy import applies_conditions, qualified
from wivcheck.policy import Library, PolicyError, PolicyErrors, RuleSetVersion, ValidationError, walk_leaves
from wivcheck.policy.describe import describe
from wivcheck.policy.library import pydantic_problems
from wivcheck.policy.terms import OutcomeName, RoleName
from wivcheck.policy.yamlsafe import load_file

from ..errors import ProvisionError
from ..evaluate import Engine
from ..load import merge_patch, provision_from_data
from wivcheck.policy.semantics import compile_condition


class Expect(BaseModel):
    model_config = ConfigDict(extra="forbid")
    decision: OutcomeName
    violated: list[str] = Field(default_factory=list)
    escalate_to: Optional[list[RoleName]] = None
    grounds: Optional[list[str]] = None
    obligations: Optional[list[str]] = None
    advice: Optional[list[str]] = None


class RuleTest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1)
    base: Optional[str] = None
    provision: Optional[dict[str, Any]] = None
    patch: dict[str, Any] = Field(default_factory=dict)
    as_of: Optional[dt.date] = None
    expect: Expect


class TestFile(BaseModel):
    model_config = ConfigDict(extra="forbid")
    rulesets: list[str] = Field(default_factory=list)
    bases: dict[str, dict[str, Any]] = Field(default_factory=dict)
    tests: list[RuleTest] = Field(min_length=1)


@dataclass
class Outcome:
    """One rule test's result: where it is, whether it passed, what differed (`problems`), and for a
    failure the values the rules concerned looked at and their messages (`details`)."""

    file: str
    line: int | None
    name: str
    passed: bool
    problems: list[str]
    decision: str | None = None
    details: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {"file": self.file, "line": self.line, "name": self.name, "passed": self.passed,
                "decision": self.decision, "problems": self.problems, "details": self.details}


@dataclass
class Coverage:
    """Counts per rule (by status) and per leaf (true/false/unknown), for the rules under test."""

    rules: dict[str, dict[str, int]] = field(default_factory=dict)
    leaves: dict[tuple[str, str], dict[str, int]] = field(default_factory=dict)
    leaf_text: dict[tuple[str, str], str] = field(default_factory=dict)
    needs_na: dict[str, bool] = field(default_factory=dict)
    cites: dict[str, str] = field(default_factory=dict)
    statements: set[str] = field(default_factory=set)       # qids of obligations and advice
    tests: dict[str, dict[str, list[str]]] = field(default_factory=dict)   # qid -> outcome -> test names

    def saw(self, qid: str, outcome: str, test: str) -> None:
        counts = self.rules[qid]
        counts[outcome] = counts.get(outcome, 0) + 1
        names = self.tests.setdefault(qid, {}).setdefault(outcome, [])
        if test not in names:
            names.append(test)

    def rule_items(self) -> tuple[int, int, list[str]]:
        """(covered, total, gaps) where each rule needs violated, satisfied and, if it has a
        condition on when it applies, not_applicable; each obligation and advice listed and, if it
        has a condition, not listed."""
        covered = total = 0
        gaps = []
        for rule, counts in self.rules.items():
            if rule in self.statements:
                wanted = ["listed"] + (["not_listed"] if self.needs_na[rule] else [])
            else:
                wanted = ["violated", "satisfied"] + (["not_applicable"] if self.needs_na[rule] else [])
            for status in wanted:
                total += 1
                if counts.get(status):
                    covered += 1
                else:
                    gaps.append(f"{rule} never {status.replace('_', ' ')} ({self.cites[rule]})")
        return covered, total, gaps

    def leaf_items(self) -> tuple[int, int, list[str]]:
        covered = total = 0
        gaps = []
        for key, counts in self.leaves.items():
            for value in ("true", "false"):
                total += 1
                if counts.get(value):
                    covered += 1
                else:
                    gaps.append(f"{key[0]} {key[1]}: `{self.leaf_text[key]}` never {value}")
        return covered, total, gaps



def load_tests(path: Path) -> tuple[TestFile, Any]:
    located = load_file(str(path))
    try:
        return TestFile.model_validate(located.data), located
    except pydantic.ValidationError as exc:
        raise PolicyErrors(pydantic_problems(exc, located, str(path))) from None


def test_files(target: Path) -> list[Path]:
    """Test files under a rules folder (every rule set's tests/), a rule-set folder, or one file."""
    if target.is_file():
        return [target]
    found = sorted(target.glob("*/tests/*.yaml")) + sorted(target.glob("tests/*.yaml"))
    return found


def _items(model):
    return [*model.rules, *model.obligations, *model.advice]


def _attach(cov: Coverage, version: RuleSetVersion) -> None:
    model = version.model
    for rule in _items(model):
        qid = qualified(model.ruleset, rule.id)
        if qid in cov.rules:
            continue
        cov.rules[qid] = {}
        if not hasattr(rule, "requires"):
            cov.statements.add(qid)
        cov.needs_na[qid] = bool(applies_conditions(model, rule))
        cov.cites[qid] = "; ".join(c.label() for c in rule.cites)
        for part, cond in (("scope", model.scope), ("applies_if", rule.applies_if),
                           ("requires", getattr(rule, "requires", None))):
            if cond is None:
                continue
            for leaf, path in walk_leaves(cond):
                key = (qid, part + "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in path))
                cov.leaves[key] = {}
                cov.leaf_text[key] = describe(leaf, "en")


def _count_leaves(cov: Coverage, version: RuleSetVersion, facts: dict) -> None:
    model = version.model
    for rule in _items(model):
        qid = qualified(model.ruleset, rule.id)
        for part, cond in (("scope", model.scope), ("applies_if", rule.applies_if),
                           ("requires", getattr(rule, "requires", None))):
            if cond is None:
                continue
            for leaf, path in walk_leaves(cond):
                key = (qid, part + "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in path))
                cached = _LEAF_FNS.get(id(leaf))
                if cached is None or cached[0] is not leaf:  # ids are reused once a leaf is gone
                    cached = _LEAF_FNS[id(leaf)] = (leaf, compile_condition(leaf, model.lists))
                value = cached[1](facts)
                name = {True: "true", False: "false", None: "unknown"}[value]
                cov.leaves[key][name] = cov.leaves[key].get(name, 0) + 1


_LEAF_FNS: dict[int, tuple] = {}


def run_tests(library: Library, files: list[Path], extra: list[str] = (), *, backend: str = "durable",
              only: str | None = None) -> tuple[list[Outcome], Coverage]:
    """Run every test of the files (`only`: those whose name or file contains that text) on the
    library; the outcomes, in file order, and coverage over the tests run."""
    engine = Engine(library, backend)
    outcomes: list[Outcome] = []
    cov = Coverage()
    for path in files:
        try:
            spec, located = load_tests(path)
        except PolicyError as exc:
            first = exc.errors[0] if isinstance(exc, PolicyErrors) else exc
            outcomes.append(Outcome(str(path), first.line, "(file)", False, [str(exc)]))
            continue
        for i, test in enumerate(spec.tests):
            if only and only.lower() not in test.name.lower() and only.lower() not in str(path).lower():
                continue
            line = located.line_of(("tests", i))
            problems: list[str] = []
            try:
                if test.provision is not None:
                    data = copy.deepcopy(test.provision)
                elif test.base is not None:
                    if test.base not in spec.bases:
                        raise ValidationError(f"no base {test.base!r} in this file "
                                              f"(bases: {', '.join(spec.bases) or 'none'})")
                    data = copy.deepcopy(spec.bases[test.base])
                else:
                    raise ValidationError("a test needs a provision or a base")
                merge_patch(data, test.patch)
                provision = provision_from_data(data, source=f"{path}:{line}")
                refs = list(dict.fromkeys([*spec.rulesets, *extra]))
                decision = engine.decide(provision, as_of=test.as_of, rulesets=refs)
            except (ProvisionError, PolicyError) as exc:
                outcomes.append(Outcome(str(path), line, test.name, False, [str(exc)]))
                continue
            facts = provision.facts()
            listed = {s.id for s in [*decision.obligations, *decision.advice]}
            for v in engine.select(test.as_of or provision.date, refs):
                _attach(cov, v)
                _count_leaves(cov, v, facts)
                for item in [*v.model.obligations, *v.model.advice]:
                    qid = qualified(v.name, item.id)
                    cov.saw(qid, "listed" if qid in listed else "not_listed", test.name)
            for t in decision.trace:
                cov.saw(t.rule, t.status, test.name)
            opened = sorted(r.rule for r in decision.reasons)
            if decision.decision != test.expect.decision:
                problems.append(f"decision: expected {test.expect.decision}, got {decision.decision}")
            if opened != sorted(test.expect.violated):
                missing = sorted(set(test.expect.violated) - set(opened))
                unexpected = sorted(set(opened) - set(test.expect.violated))
                if missing:
                    problems.append(f"expected open but were not: {', '.join(missing)}")
                if unexpected:
                    problems.append(f"open but not expected: {', '.join(unexpected)}")
            if test.expect.escalate_to is not None and decision.escalate_to != test.expect.escalate_to:
                problems.append(f"escalate_to: expected {test.expect.escalate_to}, got {decision.escalate_to}")
            for key, got in (("grounds", [g.cite for g in decision.grounds]),
                             ("obligations", [s.id for s in decision.obligations]),
                             ("advice", [s.id for s in decision.advice])):
                want = getattr(test.expect, key)
                if want is not None and sorted(want) != sorted(got):
                    problems.append(f"{key}: expected {sorted(want)}, got {sorted(got)}")
            details = _details(decision, set(opened) ^ set(test.expect.violated), facts) if problems else []
            outcomes.append(Outcome(str(path), line, test.name, not problems, problems, decision.decision, details))
    return outcomes, cov


def _details(decision, rules: set[str], facts: dict) -> list[str]:
    """For a failed test: each rule whose outcome differed from what was expected, with its status,
    the values it looked at and, when open, its message (English)."""
    out = []
    reasons = {r.rule: r for r in decision.reasons}
    status = {t.rule: t.status for t in decision.trace}
    for qid in sorted(rules):
        r = reasons.get(qid)
        if r is not None:
            values = ", ".join(f"{k}={v!r}" for k, v in r.facts.items())
            out.append(f"{qid}: {r.status}; looked at {values or 'nothing'}; message: {r.message.en}")
        else:
            out.append(f"{qid}: {status.get(qid, 'not evaluated (rule set not selected)')}")
    return out
