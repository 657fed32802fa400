"""The legal coverage matrix: every article and lid of the legal reference's check table (§12 of
shared/domain/wiv2017-reference.md), the rules, grounds, obligations, advice and notes of the rule
files that encode it, their basis, the recipient kinds they bite on, and the rule tests that show
each outcome; a row nothing encodes carries the written reason why.

The rows are data, `rules/legal-coverage.yaml` beside the rule sets:

    rows:
      - cite: {source: Wiv 2017, article: "62", lid: "1", onderdeel: c}
        topic: Basis for other persons or bodies whom the data concern
        check: what the reference says a check must test
        reason: why nothing encodes it (required when nothing cites it)

An item encodes a row when one of its citations (or its ground) names the same source and article,
and the row's lid and onderdeel where the row gives them. The matrix is built from the latest
version of each rule set that is not withdrawn. Nothing here evaluates provisions: the test evidence
(which rule tests saw which outcome) is passed in by the caller (engine/tools/ruletests.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pydantic
from pydantic import BaseModel, ConfigDict, Field

from .conditions import All, AnyOf, Leaf, Not
from .errors import PolicyErrors
from .library import Library, RuleSetVersion, pydantic_problems
from .model import Cite
from .yamlsafe import load_file

KIND_FACT = "recipient.kind"


class Row(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    cite: Cite
    topic: str = Field(min_length=1)
    check: str | None = Field(None, description="What the reference says a check must test.")
    reason: str | None = Field(None, description="Why no rule encodes it; required when none does.")


class RowsFile(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reference: str = Field(min_length=1, description="The table the rows are taken from.")
    rows: list[Row] = Field(min_length=1)


def load_rows(path: str | Path) -> RowsFile:
    """The rows file (safe YAML); errors name file and line."""
    located = load_file(str(path))
    try:
        return RowsFile.model_validate(located.data)
    except pydantic.ValidationError as exc:
        raise PolicyErrors(pydantic_problems(exc, located, str(path))) from None


def rows_path(rules_dir: str | Path) -> Path:
    return Path(rules_dir) / "legal-coverage.yaml"


@dataclass
class Item:
    """Something in a rule file that encodes a row."""

    qid: str
    kind: str             # rule | ground | obligation | advice | note
    basis: str
    outcome: str          # deny, escalate to ROLE, obligation, advice, note
    status: str           # the rule set version's status (in_force, draft)
    kinds: list[str]      # recipient kinds it can bite on ([] for notes)
    proxy: bool = False


@dataclass
class MatrixRow:
    row: Row
    items: list[Item] = field(default_factory=list)

    @property
    def covered(self) -> bool:
        return bool(self.items)


def matches(row: Cite, cite: Cite) -> bool:
    """Whether the citation names the row's article (and its lid and onderdeel, where given)."""
    if row.source != cite.source:
        return False
    if row.article:
        return (cite.article == row.article and (row.lid is None or cite.lid == row.lid)
                and (row.onderdeel is None or cite.onderdeel == row.onderdeel))
    return cite.section == row.section


def _partial(cond, kind: str):
    """Three-valued value of a condition when only the recipient kind is known."""
    if cond is None:
        return True
    if isinstance(cond, Leaf):
        if cond.fact != KIND_FACT or cond.op not in ("equals", "not_equals", "in", "not_in"):
            return None
        v = cond.value
        return {"equals": kind == v, "not_equals": kind != v, "in": kind in (v or ()),
                "not_in": kind not in (v or ())}[cond.op]
    if isinstance(cond, Not):
        v = _partial(cond.not_, kind)
        return None if v is None else not v
    parts = [_partial(c, kind) for c in (cond.all if isinstance(cond, All) else cond.any)]
    decisive = isinstance(cond, AnyOf)
    if decisive in parts:
        return decisive
    return None if None in parts else not decisive


def bites_on(version: RuleSetVersion, applies, requires, kinds: tuple[str, ...]) -> list[str]:
    """The recipient kinds for which the item can come out violated (rules: applies and not
    requires) or apply (obligations, advice: requires None)."""
    conds = [c for c in (version.model.scope, applies) if c is not None]
    scope = All(all=conds) if conds else None
    out = []
    for k in kinds:
        a = _partial(scope, k)
        if a is False:
            continue
        if requires is not None and _partial(requires, k) is True:
            continue
        out.append(k)
    return out


def current_versions(library: Library) -> list[RuleSetVersion]:
    """The latest version of each rule set that is not withdrawn."""
    out = []
    for vs in library.versions.values():
        live = [v for v in vs if v.model.status != "withdrawn"]
        if live:
            out.append(live[-1])
    return out


def build(library: Library, rows: RowsFile, kinds: tuple[str, ...]) -> list[MatrixRow]:
    """Each row with the items that encode it, from the current versions."""
    items: list[tuple[list[Cite], Item]] = []
    for v in current_versions(library):
        m = v.model
        for r in m.rules:
            qid = f"{m.ruleset}.{r.id}"
            outcome = f"escalate to {r.escalate_to}" if r.on_fail == "escalate" else "deny"
            items.append((list(r.cites), Item(qid, "rule", r.basis, outcome, m.status,
                                              bites_on(v, r.applies_if, r.requires, kinds), r.proxy)))
            for g in r.grounds:
                when = All(all=[c for c in (r.applies_if, g.when) if c is not None]) if g.when else r.applies_if
                items.append(([g.cite], Item(qid, "ground", r.basis, "ground when satisfied", m.status,
                                             bites_on(v, when, None, kinds))))
        for section, entries in (("obligation", m.obligations), ("advice", m.advice)):
            for o in entries:
                items.append((list(o.cites), Item(f"{m.ruleset}.{o.id}", section, o.basis, section, m.status,
                                                  bites_on(v, o.applies_if, None, kinds))))
        for n in m.notes:
            items.append((list(n.cites), Item(f"{m.ruleset}.{n.id}", "note", "note", "note", m.status, [])))
    out = []
    for row in rows.rows:
        mr = MatrixRow(row)
        for cites, item in items:
            if any(matches(row.cite, c) for c in cites):
                mr.items.append(item)
        out.append(mr)
    return out


def problems(matrix: list[MatrixRow]) -> list[tuple[str, str]]:
    """(row label, message) for every row with no item and no reason."""
    return [(mr.row.cite.label(), "no rule, obligation, advice or note cites it, and no reason is given")
            for mr in matrix if not mr.items and not mr.row.reason]


Evidence = dict[str, dict[str, list[str]]]   # qid -> outcome -> names of rule tests that showed it


def _evidence(item: Item, evidence: Evidence | None) -> str:
    if evidence is None or item.kind == "note":
        return ""
    seen = evidence.get(item.qid, {})
    keys = (["violated", "satisfied", "not_applicable"] if item.kind in ("rule", "ground")
            else ["listed", "not_listed"])
    if item.kind == "ground":
        keys = ["satisfied"]
    parts = []
    for k in keys:
        names = seen.get(k, [])
        label = k.replace("_", " ")
        parts.append(f"{label}: " + (f"{len(names)} ({_quote(names[0])})" if names else "none"))
    return "; ".join(parts)


def _quote(name: str) -> str:
    return "“" + name.replace("|", "/") + "”"


def markdown(matrix: list[MatrixRow], reference: str, evidence: Evidence | None = None) -> str:
    """The matrix as a Markdown section for the rule book."""
    covered = sum(1 for mr in matrix if mr.covered)
    out = ["## Legal coverage matrix", "",
           f"Rows: every article and lid of {reference}. {covered} of {len(matrix)} rows are encoded; "
           "the others say why not. Kinds: the recipient kinds an item can bite on. Tests: how many "
           "rule tests showed each outcome, with the first of them.", "",
           "| article | topic | encoded by | basis | outcome | kinds | tests | reason |",
           "|---|---|---|---|---|---|---|---|"]
    for mr in matrix:
        label = mr.row.cite.label()
        if not mr.items:
            out.append(f"| {label} | {_cell(mr.row.topic)} | none | | | | | {_cell(mr.row.reason or 'MISSING')} |")
            continue
        for i, it in enumerate(mr.items):
            first = i == 0
            draft = " (draft)" if it.status == "draft" else ""
            basis = it.basis + (", proxy" if it.proxy else "")
            out.append(f"| {label if first else ''} | {_cell(mr.row.topic) if first else ''} | "
                       f"`{it.qid}` {it.kind}{draft} | {basis} | {it.outcome} | {_kinds(it.kinds)} | "
                       f"{_cell(_evidence(it, evidence))} | {_cell(mr.row.reason or '') if first else ''} |")
    out.append("")
    return "\n".join(out)


def _kinds(kinds: list[str]) -> str:
    return ", ".join(kinds) if kinds else "–"


def _cell(text: str) -> str:
    return " ".join(text.replace("|", "\\|").split())


def html_rows(matrix: list[MatrixRow], evidence: Evidence | None = None) -> list[dict]:
    """The matrix as plain rows for the HTML rule book's template."""
    out = []
    for mr in matrix:
        out.append({"label": mr.row.cite.label(), "topic": mr.row.topic, "reason": mr.row.reason or "",
                    "items": [{"qid": it.qid, "kind": it.kind, "draft": it.status == "draft",
                               "basis": it.basis + (", proxy" if it.proxy else ""), "outcome": it.outcome,
                               "kinds": _kinds(it.kinds), "tests": _evidence(it, evidence)}
                              for it in mr.items]})
    return out
