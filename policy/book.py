"""The rule book: every rule set and version in readable form (citations, conditions in words,
outcomes, messages in both languages), and the differences between two versions."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import jinja2

from .citations import WIV2017_BWB, law_url
from .describe import describe
from .library import RuleSetVersion

_ENV = jinja2.Environment(loader=jinja2.PackageLoader(__package__, "templates"),
                          autoescape=True, undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)
_ENV.filters["id"] = id   # the book.html template looks up each rule's citation links by the rule
_FIELDS = ("title", "basis", "proxy", "ground", "cites", "applies_if", "requires", "on_fail", "escalate_to",
           "message", "fix", "note")


def law_date(v: RuleSetVersion):
    """The date of the law text a version's citations link to: the date its paraphrases were
    checked against, when its source is the Wiv 2017; else None (the text valid today)."""
    src = v.model.source
    return src.checked_against if src.bwb_id == WIV2017_BWB else None


def cite_links(v: RuleSetVersion, cites) -> list[tuple[str, str | None]]:
    """(label, link to the law text or None) for each citation."""
    on = law_date(v)
    return [(c.label(), law_url(c, on)) for c in cites]


def _cites_markdown(v: RuleSetVersion, cites) -> str:
    return "; ".join(f"[{label}]({url})" if url else label for label, url in cite_links(v, cites))


def book_order(versions: list[RuleSetVersion]) -> list[RuleSetVersion]:
    """The rule book's order: the law first (a rule set whose source is a BWB law text), then the
    others, drafts last (a rule set no version of which is in force); versions of a set in their order."""
    by_set: dict[str, list[RuleSetVersion]] = {}
    for v in versions:
        by_set.setdefault(v.name, []).append(v)

    def rank(vs: list[RuleSetVersion]) -> int:
        if any(v.model.source.bwb_id for v in vs):
            return 0
        return 1 if any(v.model.status == "in_force" for v in vs) else 2
    return [v for name in sorted(by_set, key=lambda n: (rank(by_set[n]), n)) for v in by_set[name]]


def _outcome(rule) -> str:
    return f"escalate to {rule.escalate_to}" if rule.on_fail == "escalate" else "deny"


def _readable(version: RuleSetVersion, rule) -> dict[str, str]:
    """Each field of a rule as text, the way the book shows it (and compares it)."""
    return {
        "title": f"{rule.title.nl} / {rule.title.en}", "basis": rule.basis,
        "proxy": "yes" if rule.proxy else "", "ground": _grounds_text(rule),
        "cites": "; ".join(c.label() for c in rule.cites),
        "applies_if": describe(rule.applies_if, "en") if rule.applies_if else "always",
        "requires": describe(rule.requires, "en"), "on_fail": rule.on_fail,
        "escalate_to": rule.escalate_to or "", "message": f"{rule.message.nl} / {rule.message.en}",
        "fix": f"{rule.fix.nl} / {rule.fix.en}" if rule.fix else "", "note": rule.note or "",
    }


def _grounds_text(rule) -> str:
    """The grounds a rule establishes, in words: `Art. 64(1) Wiv 2017, when ...`."""
    return "; ".join(g.cite.label() + (f", when {describe(g.when, 'en')}" if g.when else "")
                     for g in rule.grounds) + (" (when the rule is satisfied)" if rule.grounds else "")


def _readable_item(item) -> dict[str, str]:
    """An obligation or advice as text, the way the book shows it (and compares it)."""
    return {"title": f"{item.title.nl} / {item.title.en}", "basis": item.basis,
            "cites": "; ".join(c.label() for c in item.cites),
            "applies_if": describe(item.applies_if, "en") if item.applies_if else "always",
            "message": f"{item.message.nl} / {item.message.en}", "note": item.note or ""}


def _dated_list(name: str, dl) -> list[str]:
    out = [f"### List `{name}`: {dl.title.en}", "", f"*{dl.title.nl}*", "",
           f"{'; '.join(c.label() for c in dl.cites)}; basis {dl.basis}." + (f" {dl.note}" if dl.note else ""),
           "", "| value | since | until | note |", "|---|---|---|---|"]
    out += [f"| {i.value} | {i.since or ''} | {i.until or ''} | {i.note or ''} |" for i in dl.items]
    return out + [""]


@dataclass
class VersionDiff:
    base: str
    candidate: str
    added: list[str]
    removed: list[str]
    changed: dict[str, list[tuple[str, str, str]]]   # rule id -> [(field, before, after)]
    scope: tuple[str, str] | None
    others: list[str] = None   # obligations, advice, lists, status: what else changed, in words

    def empty(self) -> bool:
        return not (self.added or self.removed or self.changed or self.scope or self.others)


def diff(base: RuleSetVersion, candidate: RuleSetVersion) -> VersionDiff:
    a = {r.id: r for r in base.model.rules}
    b = {r.id: r for r in candidate.model.rules}
    changed = {}
    for rid in a.keys() & b.keys():
        ra, rb = _readable(base, a[rid]), _readable(candidate, b[rid])
        fields = [(f, ra[f], rb[f]) for f in _FIELDS if ra[f] != rb[f]]
        if fields:
            changed[rid] = fields
    sa = describe(base.model.scope, "en") if base.model.scope else "every provision"
    sb = describe(candidate.model.scope, "en") if candidate.model.scope else "every provision"
    others = []
    for section in ("obligations", "advice"):
        xa = {o.id: _readable_item(o) for o in getattr(base.model, section)}
        xb = {o.id: _readable_item(o) for o in getattr(candidate.model, section)}
        others += [f"{section}: added {i}" for i in sorted(xb.keys() - xa.keys())]
        others += [f"{section}: removed {i}" for i in sorted(xa.keys() - xb.keys())]
        others += [f"{section}: changed {i}" for i in sorted(xa.keys() & xb.keys()) if xa[i] != xb[i]]
    la, lb = base.model.lists, candidate.model.lists
    others += [f"list {n}: {'added' if n not in la else 'removed' if n not in lb else 'changed'}"
               for n in sorted(la.keys() | lb.keys()) if la.get(n) != lb.get(n)]
    return VersionDiff(base.ref, candidate.ref, sorted(b.keys() - a.keys()), sorted(a.keys() - b.keys()),
                       dict(sorted(changed.items())), (sa, sb) if sa != sb else None, others)


def version_markdown(v: RuleSetVersion) -> str:
    m = v.model
    out = [f"## {m.ruleset}@{m.version}: {m.title.en}", "", f"*{m.title.nl}*", "",
           f"- status **{m.status}**, in force {m.valid_from} .. {m.valid_until or 'open end'}"
           + (f"; superseded by `{m.ruleset}@{m.superseded_by}`" if m.superseded_by else ""),
           f"- file `{Path(v.path).name}`, sha256 `{v.sha256}`"]
    if m.source.bwb_id or m.source.url:
        out.append(f"- source: {m.source.bwb_id or ''} {m.source.url or ''} "
                   f"(checked against {m.source.checked_against or 'n/a'})".rstrip())
    if m.source.note:
        out.append(f"- {m.source.note}")
    out.append(f"- applies to: {describe(m.scope, 'en') if m.scope else 'every provision'}")
    out.append("")
    for rule in m.rules:
        r = _readable(v, rule)
        out += [f"### `{m.ruleset}.{rule.id}`: {rule.title.en}", "", f"*{rule.title.nl}*", "",
                "| | |", "|---|---|",
                f"| cites | {_cites_markdown(v, rule.cites)} |", f"| basis | {r['basis']}"
                + (" (proxy: the check stands in for a judgement; see the note)" if rule.proxy else "") + " |",
                f"| applies if | {r['applies_if']} |", f"| requires | {r['requires']} |",
                f"| otherwise | {_outcome(rule)} |",
                f"| message (nl) | {rule.message.nl} |", f"| message (en) | {rule.message.en} |"]
        if rule.grounds:
            out.append(f"| grounds | {r['ground']} |")
        if rule.fix:
            out += [f"| fix (nl) | {rule.fix.nl} |", f"| fix (en) | {rule.fix.en} |"]
        if rule.note:
            out.append(f"| note | {rule.note} |")
        out.append("")
    for section, label in (("obligations", "Obligation"), ("advice", "Advice")):
        for item in getattr(m, section):
            r = _readable_item(item)
            out += [f"### {label} `{m.ruleset}.{item.id}`: {item.title.en}", "", f"*{item.title.nl}*", "",
                    "| | |", "|---|---|", f"| cites | {_cites_markdown(v, item.cites)} |", f"| basis | {r['basis']} |",
                    f"| applies if | {r['applies_if']} |",
                    f"| message (nl) | {item.message.nl} |", f"| message (en) | {item.message.en} |"]
            if item.note:
                out.append(f"| note | {item.note} |")
            out.append("")
    for name, dl in m.lists.items():
        out += _dated_list(name, dl)
    for note in m.notes:
        out += [f"### Note `{note.id}`: {note.title.en}", "",
                f"{'; '.join(c.label() for c in note.cites)}. {note.text.en}", "", f"*{note.text.nl}*", ""]
    return "\n".join(line.replace("\n", " ") for line in out)


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def diff_markdown(d: VersionDiff) -> str:
    out = [f"## Changes from {d.base} to {d.candidate}", ""]
    if d.empty():
        return "\n".join(out + ["No rule differs.", ""])
    if d.scope:
        out += [f"- scope: {d.scope[0]} → {d.scope[1]}", ""]
    out += [f"- added: {', '.join(f'`{x}`' for x in d.added) or 'none'}",
            f"- removed: {', '.join(f'`{x}`' for x in d.removed) or 'none'}",
            f"- changed: {', '.join(f'`{x}`' for x in d.changed) or 'none'}"]
    out += [f"- {x}" for x in d.others or []]
    out.append("")
    for rid, fields in d.changed.items():
        out += [f"### `{rid}`", "", "| field | before | after |", "|---|---|---|"]
        out += [f"| {f} | {_cell(a)} | {_cell(b)} |" for f, a, b in fields]
        out.append("")
    return "\n".join(out)


def book_html(versions: list[RuleSetVersion], diffs: list[VersionDiff], matrix: list[dict] | None = None,
              reference: str = "") -> str:
    """The rule book as one HTML page; `matrix` is policy.matrix.html_rows(...)."""
    items = [{"v": v, "m": v.model, "rules": [(r, _readable(v, r), _outcome(r)) for r in v.model.rules],
              "links": {id(x): cite_links(v, x.cites) for x in [*v.model.rules, *v.model.obligations, *v.model.advice]},
              "extras": [(label, o, _readable_item(o)) for label, section in (("Obligation", "obligations"),
                                                                              ("Advice", "advice"))
                         for o in getattr(v.model, section)],
              "scope": describe(v.model.scope, "en") if v.model.scope else "every provision"} for v in versions]
    return _ENV.get_template("book.html").render(items=items, diffs=diffs, matrix=matrix or [], reference=reference)
