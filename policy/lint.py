"""Lint of rule sets: rules that can never apply or never be violated, obligations and advice
that can never apply, rules that duplicate or overlap one another with different outcomes, rules
subsumed by another (the same outcome, on a subset of its conditions' facts, violated whenever they
are), message
problems, unknown citations (every cited article must be in the legal reference), grounds that are
not articles of the law, Minister-level articles that escalate to someone else, withdrawn versions
without a valid successor, versions that overlap or leave a gap, and rows of the legal coverage
matrix that nothing encodes and no reason explains. Every finding names the file and line it is
about (the rule, or the key of the version), as `rules lint` prints it: `file:line`.

Whether a rule can apply or be violated is decided on a small model: each fact the rule reads takes
the values its conditions mention (dates and numbers also one step either side, offsets included),
one value they do not mention, and absence where the provision schema allows it; every combination
is evaluated with the reference semantics. Where the combinations are too many, a fixed-seed sample
is taken and findings are warnings, not errors.
"""

from __future__ import annotations

import datetime as dt
import itertools
import random
import re
from dataclasses import dataclass, replace

from .citations import check_cite, minister_level
from .conditions import LIST_DATE_FACT, All, FactRef, facts_of, walk_leaves
from .dates import parse_offset
from .errors import PolicyError
from .library import Library, RuleSetVersion
from .terms import applies_conditions, qualified
from .schema import FactSchema
from .semantics import compile_condition
from .yamlsafe import MAX_BYTES, load_file

MAX_COMBINATIONS = 200_000
SAMPLE = 50_000
BASE_DAY = dt.date(2025, 3, 14)
_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")


@dataclass(frozen=True)
class Finding:
    level: str          # error | warning
    kind: str           # never-applies, never-violated, duplicate, overlap, subsumed, message, citation,
                        # versions, ground, minister-level, coverage, edited-in-place
    where: str          # qualified rule id or rule-set ref
    message: str
    file: str = ""      # the rule file (or legal-coverage.yaml) it is about
    line: int | None = None   # the line of the rule (or of the key) in that file

    def location(self) -> str:
        """`file:line`, `file`, or empty."""
        return self.file + (f":{self.line}" if self.file and self.line else "")


def _days(offset: str) -> int:
    n, unit = parse_offset(offset)
    return n * {"d": 1, "m": 31, "y": 366}[unit]


def _domains(conds: list, schema: FactSchema, lists: dict | None = None) -> dict[str, list]:
    """Values to try for every fact the conditions read (and the objects they sit in)."""
    paths = list(dict.fromkeys(p for c in conds for p in facts_of(c)))
    for p in list(paths):
        for parent in schema.parent_objects(p):
            if parent not in paths:
                paths.append(parent)
    literals: dict[str, set] = {p: set() for p in paths}
    deltas = {0, 1, -1}
    for c in conds:
        for leaf, _ in walk_leaves(c):
            v = leaf.value
            if leaf.op == "min_letters":
                literals.setdefault(leaf.fact, set()).update({"a" * v, "a" * (v - 1)})
                continue
            if leaf.op == "in_list":
                dl = (lists or {}).get(v)
                if dl is not None:
                    literals.setdefault(leaf.fact, set()).update(i.value for i in dl.items)
                    literals.setdefault(LIST_DATE_FACT, set()).update(
                        d.isoformat() for i in dl.items for d in (i.since, i.until) if d)
                continue
            if isinstance(v, FactRef):
                if v.offset:
                    d = _days(v.offset)
                    deltas |= {d - 2, d - 1, d, d + 1, d + 2, -d - 1, -d, -d + 1}
                continue
            items = v if isinstance(v, (list, tuple)) else [v]
            literals.setdefault(leaf.fact, set()).update(x for x in items if not isinstance(x, bool))
    out: dict[str, list] = {}
    for p in paths:
        ft = schema.get(p)
        values: list = []
        if ft.kind == "object":
            values = [True]
        elif ft.kind == "bool":
            values = [True, False]
        elif ft.kind == "enum":
            values = list(ft.values)
        elif ft.kind == "int":
            nums = {x for x in literals[p] if isinstance(x, int)} or {1}
            values = sorted({n + d for n in nums for d in (-1, 0, 1) if n + d >= 1})
        elif ft.kind == "date":
            days = {BASE_DAY + dt.timedelta(days=d) for d in deltas}
            for lit in literals[p]:
                day = dt.date.fromisoformat(lit)
                days |= {day - dt.timedelta(days=1), day, day + dt.timedelta(days=1)}
            values = sorted(d.isoformat() for d in days)
        elif ft.kind == "str":
            values = sorted({str(x) for x in literals[p]} | {"other-value"})
        elif ft.kind == "list":
            items = sorted(x for x in literals[p] if x in ft.values)
            other = [x for x in ft.values if x not in items][:1]
            values = [[]] + [[x] for x in items + other] + ([items] if len(items) > 1 else [])
            values += [list(ft.values)]
        if not ft.required:
            values = values + [None]
        out[p] = values
    return out


def _assignments(domains: dict[str, list], schema: FactSchema):
    """Fact dicts over the domains, parents and children kept consistent; (iterator, exhaustive)."""
    names = list(domains)
    total = 1
    for n in names:
        total *= len(domains[n])

    def build(combo) -> dict | None:
        facts = {}
        for name, value in zip(names, combo):
            if value is not None:
                facts[name] = value
        for name in names:
            present = name in facts
            parents = schema.parent_objects(name)
            if present and any(p not in facts for p in parents if p in domains):
                return None
            ft = schema.get(name)
            if not present and ft.required and all(p in facts for p in parents if p in domains):
                return None
        return facts

    if total <= MAX_COMBINATIONS:
        return (f for f in (build(c) for c in itertools.product(*(domains[n] for n in names))) if f), True
    rnd = random.Random(7)
    sample = (build([rnd.choice(domains[n]) for n in names]) for _ in range(SAMPLE))
    return (f for f in sample if f), False


def _applies(version: RuleSetVersion, rule):
    conds = applies_conditions(version.model, rule)
    return All(all=conds) if conds else None


def _check_rule(version: RuleSetVersion, rule, schema: FactSchema) -> list[Finding]:
    qid = qualified(version.name, rule.id)
    lists = version.model.lists
    applies = _applies(version, rule)
    requires = getattr(rule, "requires", None)   # obligations and advice have none
    conds = [c for c in (applies, requires) if c is not None]
    domains = _domains(conds, schema, lists)
    facts_iter, exhaustive = _assignments(domains, schema)
    fa, fr = compile_condition(applies, lists), compile_condition(requires, lists)
    if requires is None:
        if not any(fa(f) is not False for f in facts_iter):
            return [Finding("error" if exhaustive else "warning", "never-applies", qid,
                            "can never apply within the schema's values")]
        return []
    can_apply = can_fail = False
    for facts in facts_iter:
        a = fa(facts)
        if a is not False:
            can_apply = True
            if a is None or fr(facts) is not True:
                can_fail = True
                break
    level = "error" if exhaustive else "warning"
    out = []
    if not can_apply:
        out.append(Finding(level, "never-applies", qid, "can never apply within the schema's values"))
    elif not can_fail:
        out.append(Finding(level, "never-violated", qid,
                           "can never be violated within the schema's values (a note, not a rule?)"))
    return out


def _violation_table(version: RuleSetVersion, rule, facts_list: list[dict]) -> tuple:
    lists = version.model.lists
    fa, fr = compile_condition(_applies(version, rule), lists), compile_condition(rule.requires, lists)
    out = []
    for f in facts_list:
        a = fa(f)
        out.append(a is not False and (a is None or fr(f) is not True))
    return tuple(out)


def _pairs(versions: list[RuleSetVersion], schema: FactSchema) -> list[Finding]:
    rules = [(v, r) for v in versions for r in v.model.rules]
    out = []
    for (v1, r1), (v2, r2) in itertools.combinations(rules, 2):
        a1, a2 = _applies(v1, r1), _applies(v2, r2)
        conds = [c for c in (a1, r1.requires, a2, r2.requires) if c is not None]
        f1 = set(facts_of(r1.requires)) | (set(facts_of(a1)) if a1 else set())
        f2 = set(facts_of(r2.requires)) | (set(facts_of(a2)) if a2 else set())
        if f1 != f2:
            continue  # rules reading different facts cannot violate on exactly the same provisions
        lists = {**v1.model.lists, **v2.model.lists}
        domains = _domains(conds, schema, lists)
        facts_iter, _ = _assignments(domains, schema)
        facts_list = list(itertools.islice(facts_iter, 20_000))
        t1, t2 = _violation_table(v1, r1, facts_list), _violation_table(v2, r2, facts_list)
        if t1 != t2 or not any(t1):
            continue
        q1, q2 = qualified(v1.name, r1.id), qualified(v2.name, r2.id)
        same = (r1.on_fail, r1.escalate_to) == (r2.on_fail, r2.escalate_to)
        if same:
            out.append(Finding("warning", "duplicate", q1, f"is violated by exactly the same provisions as {q2}, "
                                                            f"with the same outcome"))
        else:
            out.append(Finding("warning", "overlap", q1,
                               f"is violated by exactly the same provisions as {q2}, with another outcome "
                               f"({_outcome(r1)} here, {_outcome(r2)} there)"))
    return out


def _subsumed(versions: list[RuleSetVersion], schema: FactSchema) -> list[tuple[RuleSetVersion, object, Finding]]:
    """Rules whose violations all violate another rule with the same outcome: A is subsumed by B
    when every provision that violates A (or lacks a fact A needs) also violates B, B is violated by
    more, and both end the same way (deny, or escalate to the same role). B reads no fact A does not
    (its conditions are a subset of A's), and the check is exhaustive over the small model of both
    rules' values; where that model is too large, nothing is said."""
    rules = [(v, r) for v in versions for r in v.model.rules]
    facts = {id(r): set(facts_of(r.requires)) | (set(facts_of(a)) if (a := _applies(v, r)) else set())
             for v, r in rules}
    out = []
    for (va, ra), (vb, rb) in itertools.permutations(rules, 2):
        if (ra.on_fail, ra.escalate_to) != (rb.on_fail, rb.escalate_to) or not facts[id(rb)] <= facts[id(ra)]:
            continue
        if facts[id(ra)] == facts[id(rb)]:
            continue  # the same facts: duplicate or overlap (_pairs) says it
        if vb.model.status == "draft" and va.model.status != "draft":
            continue  # a draft decides nothing yet: it makes no rule in force redundant
        conds = [c for c in (_applies(va, ra), ra.requires, _applies(vb, rb), rb.requires) if c is not None]
        domains = _domains(conds, schema, {**va.model.lists, **vb.model.lists})
        facts_iter, exhaustive = _assignments(domains, schema)
        if not exhaustive:
            continue
        facts_list = list(facts_iter)
        ta, tb = _violation_table(va, ra, facts_list), _violation_table(vb, rb, facts_list)
        if not any(ta) or ta == tb or any(a and not b for a, b in zip(ta, tb)):
            continue
        qa, qb = qualified(va.name, ra.id), qualified(vb.name, rb.id)
        out.append((va, ra, Finding("warning", "subsumed", qa,
                                    f"is subsumed by {qb}: every provision that violates it violates {qb} too, "
                                    f"with the same outcome ({_outcome(ra)}); its conditions add to those of "
                                    f"{qb} without a decision of its own (merge the two, or remove this one)")))
    return out


def _outcome(rule) -> str:
    return f"escalate to {rule.escalate_to}" if rule.on_fail == "escalate" else "deny"


def _messages(version: RuleSetVersion) -> list[Finding]:
    out = []
    for rule in [*version.model.rules, *version.model.obligations, *version.model.advice]:
        qid = qualified(version.name, rule.id)
        for key in ("message", "fix"):
            text = getattr(rule, key, None)
            if text is None:
                continue
            if text.nl.strip() == text.en.strip():
                out.append(Finding("warning", "message", qid, f"{key}: the Dutch and English texts are the same"))
            nl, en = set(_PLACEHOLDER.findall(text.nl)), set(_PLACEHOLDER.findall(text.en))
            if nl != en:
                out.append(Finding("warning", "message", qid,
                                   f"{key}: placeholders differ (nl {sorted(nl)}, en {sorted(en)})"))
    return out


def _versions(library: Library) -> list[Finding]:
    out = []
    for name, vs in library.versions.items():
        live = [v for v in vs if v.model.status == "in_force"]
        for a, b in zip(live, live[1:]):
            if a.model.valid_until is not None and a.model.valid_until < b.model.valid_from:
                out.append(Finding("warning", "versions", b.ref,
                                   f"gap: {a.ref} ends {a.model.valid_until}, this starts {b.model.valid_from}; "
                                   f"no version of {name} is in force in between"))
        for d in (v for v in vs if v.model.status == "draft"):
            for v in live:
                end = v.model.valid_until or dt.date.max
                d_end = d.model.valid_until or dt.date.max
                if d.model.valid_from < end and v.model.valid_from < d_end:
                    out.append(Finding("warning", "versions", d.ref,
                                       f"draft's period overlaps {v.ref} (in force {v.model.valid_from} .. "
                                       f"{v.model.valid_until or 'open end'}); adopting it needs that one ended"))
    return out


def _citations(where: str, cites) -> list[Finding]:
    out = []
    for cite in cites:
        why = check_cite(cite)
        if why:
            out.append(Finding("error", "citation", where, f"{cite.label()}: {why}"))
    return out


def _rule_specifics(v: RuleSetVersion, rule) -> list[Finding]:
    qid = qualified(v.name, rule.id)
    out = []
    for g in rule.grounds:
        if g.cite.source != "Wiv 2017":
            out.append(Finding("error", "ground", qid, f"ground {g.cite.label()}: a ground is a "
                                                       "route of the law, an article of the Wiv 2017"))
        out += _citations(qid, [g.cite])
    if rule.on_fail == "escalate" and rule.escalate_to != "minister":
        for cite in rule.cites:
            if minister_level(cite):
                out.append(Finding("error", "minister-level", qid,
                                   f"cites {cite.label()}, where the Minister decides, but escalates to "
                                   f"{rule.escalate_to}"))
    return out


def _lifecycle(library: Library) -> list[Finding]:
    out = []
    for name, vs in library.versions.items():
        versions = {v.version for v in vs}
        for v in vs:
            nxt = v.model.superseded_by
            if nxt is not None and nxt not in versions:
                out.append(Finding("error", "versions", v.ref, f"superseded_by {nxt}: no such version of {name}"))
            if v.model.status == "withdrawn" and nxt is None:
                out.append(Finding("warning", "versions", v.ref, "withdrawn without superseded_by"))
    return out


class _Lines:
    """Where things stand in a version's file: the line of each rule, obligation, advice, list and
    note, and of the file's top-level keys (read again with the safe loader; a file that cannot be
    read again has no lines, never an error here)."""

    def __init__(self, v: RuleSetVersion):
        self.file = v.path
        try:
            self.located = load_file(v.path, max_bytes=MAX_BYTES)
        except PolicyError:
            self.located = None
        self.items: dict[str, int | None] = {}
        m = v.model
        for section, items in (("rules", m.rules), ("obligations", m.obligations), ("advice", m.advice),
                               ("notes", m.notes)):
            for i, item in enumerate(items):
                self.items.setdefault(item.id, self.line(section, i))
        for name in m.lists:
            self.items[f"list {name}"] = self.line("lists", name)

    def line(self, *path) -> int | None:
        return self.located.line_of(path) if self.located else None

    def at(self, finding: Finding, key: str | None = None, *path) -> Finding:
        line = self.items.get(key) if key is not None else self.line(*path) if path else 1
        return replace(finding, file=self.file, line=line or 1)


def lint(library: Library, schema: FactSchema, matrix: list | None = None,
         matrix_file: str = "") -> list[Finding]:
    """Every finding over the library, each with the file and line it is about; `matrix`
    (policy.matrix.build) adds the coverage rows check (`matrix_file`: the rows' file)."""
    findings: list[Finding] = []
    versions = library.all()
    lines = {v.ref: _Lines(v) for v in versions}
    for v in versions:
        at = lines[v.ref].at
        for rule in v.model.rules:
            found = (_check_rule(v, rule, schema) + _citations(qualified(v.name, rule.id), rule.cites)
                     + _rule_specifics(v, rule))
            findings += [at(f, rule.id) for f in found]
        for item in [*v.model.obligations, *v.model.advice]:
            found = _check_rule(v, item, schema) + _citations(qualified(v.name, item.id), item.cites)
            findings += [at(f, item.id) for f in found]
        for name, dl in v.model.lists.items():
            findings += [at(f, f"list {name}") for f in _citations(f"{v.name} list {name}", dl.cites)]
        for note in v.model.notes:
            findings += [at(f, note.id) for f in _citations(f"{v.name} note {note.id}", note.cites)]
        findings += [at(f, f.where.rpartition(".")[2]) for f in _messages(v)]
    # rules that decide together: the latest version of each rule set that is not withdrawn
    latest = []
    for vs in library.versions.values():
        live = [v for v in vs if v.model.status != "withdrawn"]
        latest.append((live or vs)[-1])
    by_qid = {qualified(v.name, r.id): v for v in latest for r in v.model.rules}
    findings += [lines[by_qid[f.where].ref].at(f, f.where.rpartition(".")[2]) for f in _pairs(latest, schema)]
    findings += [lines[v.ref].at(f, rule.id) for v, rule, f in _subsumed(latest, schema)]
    refs = {v.ref: v for v in versions}
    for f in _versions(library) + _lifecycle(library):
        key = "superseded_by" if "superseded_by" in f.message else "valid_from"
        findings.append(lines[f.where].at(f, None, key) if f.where in refs else f)
    if matrix is not None:
        from .matrix import problems
        for label, message in problems(matrix):
            findings.append(Finding("error", "coverage", label, message, matrix_file))
        for mr in matrix:
            why = check_cite(mr.row.cite)
            if why:
                findings.append(Finding("error", "coverage", mr.row.cite.label(),
                                        f"row cites what the legal reference does not hold: {why}", matrix_file))
    return findings


