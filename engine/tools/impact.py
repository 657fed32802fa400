"""The impact of a rule change: replay a corpus of provisions (the decision log, or a folder of
provision files) against a base rule-set version and a candidate, and report every provision whose
decision or open rules change, with totals per transition. Nothing is activated or recorded."""

from __future__ import annotations

from dataclasses import dataclass, field

from pydantic import BaseModel
from pathlib import Path
from typing import Callable, Iterable, Iterator

from wivcheck.policy import Library, PolicyError, RuleSetVersion, load_text

from ..errors import ProvisionError
from ..evaluate import Engine
from ..log.ledger import Ledger
from ..load import parse_provisions
from ..provision import FACT_SCHEMA, Provision

BATCH = 500


class Change(BaseModel):
    """A provision whose decision or open rules differ between base and candidate."""

    provision_id: str
    source: str
    before: str
    after: str
    now_open: list[str]
    no_longer_open: list[str]


@dataclass
class Impact:
    base: str
    candidate: str
    replayed: int = 0
    changes: list[Change] = field(default_factory=list)
    totals: dict[str, int] = field(default_factory=dict)
    errors: list[dict] = field(default_factory=list)


def candidate_library(library: Library, candidate: RuleSetVersion) -> Library:
    """The library with the candidate in place of every version of its rule set."""
    return Library([v for v in library.all() if v.name != candidate.name] + [candidate])


def load_candidate(library: Library, ref_or_path: str) -> RuleSetVersion:
    if "@" in ref_or_path and not Path(ref_or_path).exists():
        return library.get(ref_or_path)
    raw = Path(ref_or_path).read_bytes()
    return load_text(raw, ref_or_path, FACT_SCHEMA, check_location=False)


def corpus_from_log(ledger: Ledger) -> Iterator[tuple[str, Provision]]:
    for e in ledger.entries():
        yield f"log #{e.seq}", Provision.model_validate(e.provision_data())


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
                key = f"{before[0]} -> {after[0]}"
                result.totals[key] = result.totals.get(key, 0) + 1
                result.changes.append(Change(provision_id=p.id, source=src, before=before[0], after=after[0],
                                             now_open=sorted(after[1] - before[1]),
                                             no_longer_open=sorted(before[1] - after[1])))
        if progress:
            progress(len(batch))
        batch.clear()

    for src, item in corpus:
        if isinstance(item, Exception):
            result.errors.append({"source": src, "error": str(item)})
            continue
        batch.append((src, item))
        if len(batch) >= BATCH:
            flush()
    if batch:
        flush()
    return result
