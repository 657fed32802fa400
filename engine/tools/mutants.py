"""Mutation checks for rule tests: would the tests notice if a threshold in a rule changed?

Coverage says that every rule was seen violated and satisfied; it does not say that a test sits at
the boundary. A rule that asks for 40 characters still passes every test when it asks for 80, if no
test has a justification between 40 and 79 characters. For every leaf condition with a boundary this
module makes small changes (mutants) of the rule set, one at a time, and runs the rule tests against
each; a mutant that no test fails is reported: a change to that rule would go unnoticed.

Changes made (each one mutant):
- numbers compared (`lt`, `le`, `gt`, `ge`, `equals`, `not_equals`): the value plus one and minus one,
  and `lt` <-> `le`, `gt` <-> `ge` (the boundary itself);
- date literals: one day later and earlier; date offsets (`{fact: date, offset: -10y}`): one unit
  more and less;
- repetition counts in regular expressions (`{40,}`, `{3}`, `{2,5}`): doubled and plus one;
- letter counts (`min_letters`): plus one and minus one;
- lists of values (`in`, `not_in`): each value left out, for lists of up to eight values.

Mutants are evaluated on the oracle path (the same semantics as the durable path, held to it by the
property tests) so that a few dozen full runs of the tests take seconds.
"""

from __future__ import annotations

import copy
import datetime as dt
import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

from wivcheck.policy import Library, RuleSetFile, RuleSetVersion, qualified

from .ruletests import run_tests

_COUNT = re.compile(r"\{(\d+)(,?)(\d*)\}")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_OFFSET = re.compile(r"^([+-])(\d+)([dmy])$")
_SWAP = {"lt": "le", "le": "lt", "gt": "ge", "ge": "gt"}


@dataclass(frozen=True)
class Mutant:
    """One small change of one rule: `rule` (qualified id), `where` (the part and path of the leaf,
    e.g. `requires.all[1]`) and `change` (what was changed, in words)."""

    rule: str
    where: str
    change: str


@dataclass(frozen=True)
class Unnoticed:
    """A mutant that every rule test still passed."""

    mutant: Mutant
    ruleset: str


def _leaves(node: Any, path: str) -> Iterator[tuple[dict, str]]:
    if isinstance(node, dict):
        for key in ("all", "any"):
            if key in node:
                for i, sub in enumerate(node[key]):
                    yield from _leaves(sub, f"{path}.{key}[{i}]")
                return
        if "not" in node:
            yield from _leaves(node["not"], f"{path}.not")
            return
        if "fact" in node:
            yield node, path


def _changes(leaf: dict) -> Iterator[tuple[dict, str]]:
    """(changed leaf, description) for each mutation of one leaf."""
    ops = [k for k in leaf if k != "fact"]
    if len(ops) != 1:
        return
    op = ops[0]
    value = leaf[op]

    def variant(new_op: str, new_value: Any, text: str):
        out = {"fact": leaf["fact"], new_op: new_value}
        return out, f"{leaf['fact']} {op} {_show(value)} -> {new_op} {_show(new_value)}" + (f" ({text})" if text else "")

    if op in _SWAP:
        yield variant(_SWAP[op], value, "boundary")
    if op == "min_letters" and isinstance(value, int):
        for new in (value + 1, value - 1):
            if new >= 1:
                yield variant(op, new, "")
    if isinstance(value, int) and not isinstance(value, bool) and op in ("lt", "le", "gt", "ge", "equals", "not_equals"):
        yield variant(op, value + 1, "")
        yield variant(op, value - 1, "")
    if isinstance(value, str) and _DATE.match(value):
        day = dt.date.fromisoformat(value)
        for delta in (1, -1):
            yield variant(op, (day + dt.timedelta(days=delta)).isoformat(), "")
    if isinstance(value, dict) and value.get("offset"):
        m = _OFFSET.match(value["offset"])
        if m:
            sign, n, unit = m.group(1), int(m.group(2)), m.group(3)
            for k in (n + 1, n - 1):
                if k >= 0:
                    yield variant(op, {**value, "offset": f"{sign}{k}{unit}"}, "")
    if op == "matches" and isinstance(value, str):
        for m in _COUNT.finditer(value):
            low = int(m.group(1))
            for new in {low * 2 or 1, low + 1}:
                if new != low:
                    text = value[:m.start()] + "{" + str(new) + m.group(2) + m.group(3) + "}" + value[m.end():]
                    yield variant(op, text, "")
    if op in ("in", "not_in") and isinstance(value, list) and 1 < len(value) <= 8:
        for i in range(len(value)):
            yield variant(op, value[:i] + value[i + 1:], f"without {_show(value[i])}")


def _show(v: Any) -> str:
    return json.dumps(v, ensure_ascii=False) if not isinstance(v, str) else v


def mutants(version: RuleSetVersion) -> Iterator[tuple[Mutant, RuleSetVersion]]:
    """Every mutant of one rule-set version, with the changed version (same name and version, its
    own hash, so compiled engines never mix them up)."""
    data = version.model.model_dump(mode="json", by_alias=True, exclude_none=True)
    for i, rule in enumerate(data["rules"]):
        for part in ("applies_if", "requires"):
            if part not in rule:
                continue
            for k, (leaf, where) in enumerate(list(_leaves(rule[part], part))):
                for changed, text in _changes(leaf):
                    new = copy.deepcopy(data)
                    target = list(_leaves(new["rules"][i][part], part))[k][0]
                    target.clear()
                    target.update(changed)
                    try:
                        model = RuleSetFile.model_validate(new)
                    except ValueError:
                        continue
                    raw = json.dumps(new, sort_keys=True).encode()
                    yield (Mutant(qualified(version.name, rule["id"]), where, text),
                           RuleSetVersion(model=model, path=version.path, sha256=hashlib.sha256(raw).hexdigest()))


def unnoticed(library: Library, files: list[Path], extra: list[str] = (),
              rulesets: set[str] | None = None) -> tuple[int, list[Unnoticed]]:
    """(mutants tried, those no rule test noticed) for the rule sets under test (`rulesets`: names;
    default the rule sets whose folder holds the test files, `rules/<ruleset>/tests/*.yaml`: a rule
    set's own tests must notice a change of its own thresholds). Raises what `run_tests` raises."""
    baseline, _ = run_tests(library, files, extra, backend="oracle")
    if any(not o.passed for o in baseline):
        return 0, []   # failing tests first: a mutant is only meaningful against passing tests
    touched = {f.parent.parent.name for f in files if f.parent.name == "tests"} if rulesets is None else rulesets
    tried, missed = 0, []
    for version in library.all():
        if version.name not in touched or version.model.status == "withdrawn":
            continue   # a withdrawn version is kept for replay; no rule test selects it any more
        for mutant, changed in mutants(version):
            tried += 1
            lib = Library([changed if v is version else v for v in library.all()])
            outcomes, _ = run_tests(lib, files, extra, backend="oracle")
            if all(o.passed for o in outcomes):
                missed.append(Unnoticed(mutant, version.ref))
    return tried, missed
