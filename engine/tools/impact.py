"""The impact of a rule change: replay a corpus of provisions (the decision log, or a folder of
provision files) against a base rule-set version and a candidate (`impact`, `wivcheck rules diff`),
or re-decide every logged provision against the decision it got then (`replay_log`, `wivcheck log
replay`), and report every provision whose decision or open rules change, with totals per
transition, as one `Impact` with its text, Markdown and JSON reports. Nothing is activated or
recorded."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Iterator

from pydantic import BaseModel

from wivcheck.policy import Library, PolicyError, RuleSetVersion, load_text

from ..errors import ProvisionError
from ..evaluate import Engine
from ..log.approvals import OUTCOME as APPROVAL, LogApprovals
from ..log.ledger import Ledger
from ..load import parse_provisions
from ..provision import FACT_SCHEMA, Provision

BATCH = 500


class Change(BaseModel):
    """A provision whose decision or open rules differ between before (the base, or the decision
    recorded) and after (the candidate, or the rules named now). `source` says where the provision
    came from (`log #12`, a file name); rule ids are qualified."""

    provision_id: str
    source: str
    before: str
    after: str
    now_open: list[str]
    no_longer_open: list[str]


@dataclass
class Impact:
    """What a change would do: `replayed` provisions, the `changes`, `totals` per transition
    (`"allow -> escalate": 3`) and the provisions that could not be replayed (`errors`)."""

    base: str
    candidate: str
    replayed: int = 0
    changes: list[Change] = field(default_factory=list)
    totals: dict[str, int] = field(default_factory=dict)
    errors: list[dict] = field(default_factory=list)

    def add(self, change: Change) -> None:
        """Count a change and keep it."""
        key = f"{change.before} -> {change.after}"
        self.totals[key] = self.totals.get(key, 0) + 1
        self.changes.append(change)

    def as_dict(self) -> dict:
        """The report as JSON data: base, candidate, replayed, changed, totals, errors."""
        return {"base": self.base, "candidate": self.candidate, "replayed": self.replayed,
                "changed": [c.model_dump() for c in self.changes], "totals": self.totals,
                "errors": self.errors}

    def summary(self) -> str:
        """One line: how many replayed, how many would change, and the totals per transition."""
        return (f"{self.replayed} replayed against {self.base} and {self.candidate}: {len(self.changes)} change"
                + "".join(f"; {k}: {v}" for k, v in sorted(self.totals.items())))

    def text_lines(self) -> list[str]:
        """The report for a terminal: one line a change, one an error, then the summary."""
        out = [f"{c.provision_id} ({c.source}): {c.before} -> {c.after}"
               + (f"  now open: {', '.join(c.now_open)}" if c.now_open else "")
               + (f"  no longer open: {', '.join(c.no_longer_open)}" if c.no_longer_open else "")
               for c in self.changes]
        out += [f"error in {e['source']}: {e['error']}" for e in self.errors]
        return out + [self.summary()]

    def markdown(self) -> str:
        """The report as Markdown: totals per transition and a table of the changes."""
        cell = lambda s: str(s).replace("|", "\\|").replace("\n", " ")  # noqa: E731
        out = [f"## Impact of {cell(self.candidate)} against {cell(self.base)}\n",
               f"{self.replayed} provisions replayed, {len(self.changes)} with a changed decision or open rules.\n"]
        if self.totals:
            out.append("| from | to | provisions |\n|---|---|---:|")
            for k, v in sorted(self.totals.items()):
                a, b = k.split(" -> ")
                out.append(f"| {a} | {b} | {v} |")
            out.append("\n| provision | source | from | to | now open | no longer open |\n|---|---|---|---|---|---|")
            out += [f"| {cell(c.provision_id)} | {cell(c.source)} | {c.before} | {c.after} | {', '.join(c.now_open)} | "
                    f"{', '.join(c.no_longer_open)} |" for c in self.changes]
        out += [f"\n- error in {cell(e['source'])}: {cell(e['error'])}" for e in self.errors]
        return "\n".join(out)


def candidate_library(library: Library, candidate: RuleSetVersion) -> Library:
    """The library with the candidate in place of every version of its rule set."""
    return Library([v for v in library.all() if v.name != candidate.name] + [candidate])


def load_candidate(library: Library, ref_or_path: str) -> RuleSetVersion:
    if "@" in ref_or_path and not Path(ref_or_path).exists():
        return library.get(ref_or_path)
    raw = Path(ref_or_path).read_bytes()
    return load_text(raw, ref_or_path, FACT_SCHEMA, check_location=False)


def corpus_from_log(ledger: Ledger, decision_ids: dict[str, str] | None = None
                    ) -> Iterator[tuple[str, Provision]]:
    """Every logged provision as (`log #SEQ`, provision); `decision_ids`, when given, is filled with
    each source's decision id."""
    for e in ledger.entries():
        if e.outcome == APPROVAL:   # an approval is not a provision to decide
            continue
        if decision_ids is not None:
            decision_ids[f"log #{e.seq}"] = e.decision_id
        yield f"log #{e.seq}", Provision.model_validate(e.provision_data())


# Facts of kind str that are codes, not free text; every other str fact (names, ids, justifications,
# references, and any added later) is free text.
CODE_FACTS = frozenset({"recipient.country"})


def _leaf_key(leaf) -> tuple:
    return leaf.fact, leaf.op, repr(leaf.value)


def new_free_text_conditions(library: Library, candidate: RuleSetVersion) -> list[tuple[str, str]]:
    """(qualified rule id, fact) of every condition of the candidate that reads a free-text fact in a
    way no loaded rule set does. Replayed over the decision log, such a condition answers a question
    about the text of past provisions for whoever wrote it (a name starting with "A", then "Ab", ...):
    the policy role may replay only conditions on free text that the rules in use already hold."""
    from wivcheck.policy.conditions import walk_leaves
    known = set()
    for v in library.all():
        for cond in [v.model.scope] + [c for r in v.model.rules for c in (r.applies_if, r.requires)]:
            if cond is not None:
                known.update(_leaf_key(leaf) for leaf, _ in walk_leaves(cond))

    def free_text(path: str) -> bool:
        ft = FACT_SCHEMA.get(path)
        return ft is not None and ft.kind == "str" and path not in CODE_FACTS

    found = []
    model = candidate.model
    for rule in model.rules:
        for cond in ([model.scope] if model.scope else []) + [rule.applies_if, rule.requires]:
            if cond is None:
                continue
            for leaf, _ in walk_leaves(cond):
                facts = [leaf.fact] + ([leaf.value.fact] if hasattr(leaf.value, "fact") else [])
                if any(free_text(f) for f in facts) and _leaf_key(leaf) not in known:
                    found.append((f"{model.ruleset}.{rule.id}", leaf.fact))
    return found


def corpus_from_dir(folder: Path) -> Iterator[tuple[str, Provision | ProvisionError]]:
    files = sorted(p for p in folder.rglob("*") if p.suffix in (".yaml", ".yml", ".json"))
    for f in files:
        try:
            for p in parse_provisions(f.read_bytes(), str(f)):
                yield str(f), p
        except ProvisionError as exc:
            yield str(f), exc


def impact(library: Library, base_ref: str, candidate: RuleSetVersion,
           corpus: Iterable[tuple[str, Provision | Exception]], progress: Callable[[int], None] | None = None,
           backend: str = "durable") -> Impact:
    base = library.get(base_ref)
    cand_library = candidate_library(library, candidate)
    engine = Engine(library, backend)   # compiled versions are cached by hash: the candidate's too
    base_named = [base.ref]
    cand_named = [candidate.ref] + ([base.ref] if candidate.name != base.name else [])
    result = Impact(base=base.ref, candidate=candidate.ref)
    batch: list[tuple[str, Provision]] = []

    def flush():
        selections, kept = [], []
        for src, p in batch:
            try:
                selections.append((library.select(p.date, base_named), cand_library.select(p.date, cand_named)))
                kept.append((src, p))
            except PolicyError as exc:
                result.errors.append({"source": src, "provision_id": p.id, "error": str(exc)})
        # a version both sides select is evaluated once; the candidate side adds only its own
        facts = [p.facts() for _, p in kept]
        base_st = engine.statuses(facts, [b for b, _ in selections])
        own = [[v for v in c if (v.ref, v.sha256) not in {(x.ref, x.sha256) for x in b}] for b, c in selections]
        cand_st = engine.statuses(facts, own)
        for (src, p), (sel_b, sel_c), sb, sc in zip(kept, selections, base_st, cand_st):
            before, after = engine.outcome(p, sel_b, sb), engine.outcome(p, sel_c, {**sb, **sc})
            result.replayed += 1
            if before != after:
                result.add(Change(provision_id=p.id, source=src, before=before[0], after=after[0],
                                  now_open=sorted(after[1] - before[1]), no_longer_open=sorted(before[1] - after[1])))
        if progress:
            progress(len(batch))
        batch.clear()

    for src, item in corpus:
        if isinstance(item, Exception):
            text = ("; ".join(map(str, item.problem_list())) if isinstance(item, ProvisionError) else str(item))
            result.errors.append({"source": src, "error": text})
            continue
        batch.append((src, item))
        if len(batch) >= BATCH:
            flush()
    if batch:
        flush()
    return result


def replay_log(ledger: Ledger, engine: Engine, rulesets: list[str], as_of: dt.date | None = None) -> Impact:
    """Every logged provision re-decided on `engine` (with the named versions, else those in force on
    its date or `as_of`) and compared with the decision it was recorded with. A provision that cannot
    be decided now is reported in `errors`, never dropped silently."""
    result = Impact(base="the decisions recorded",
                    candidate=", ".join(rulesets) if rulesets else "the rules in force")
    register = LogApprovals(ledger)
    for e in ledger.entries():
        if e.outcome == APPROVAL:   # approvals are read through the register, not replayed
            continue
        src = f"log #{e.seq}"
        provision = Provision.model_validate(e.provision_data())
        old = e.decision_data()
        try:
            new = engine.decide(provision, as_of=as_of, rulesets=rulesets, register=register)
        except Exception as exc:  # noqa: BLE001 - reported per entry, never silently dropped
            result.errors.append({"source": src, "provision_id": e.provision_id, "error": str(exc)})
            continue
        result.replayed += 1
        before = {r["rule"] for r in old["reasons"]}
        after = {r.rule for r in new.reasons}
        if new.decision != old["decision"] or before != after:
            result.add(Change(provision_id=e.provision_id, source=src, before=old["decision"], after=new.decision,
                              now_open=sorted(after - before), no_longer_open=sorted(before - after)))
    return result
