"""Reasons: a violated or missing rule explained with the provision's values filled in, its
citations and basis, and what would have to change (DESIGN.md, the decision: `reasons`); and the
obligations and advice that apply, with their citations and messages filled in (`obligations`,
`advice`), and the grounds established (`grounds`)."""

from __future__ import annotations

import re
from typing import Any

from wivcheck.policy import RuleSetVersion, facts_of
from wivcheck.policy.describe import describe

_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")
_MISSING = {"nl": "(niet ingevuld)", "en": "(not given)"}
ROLE_NAMES = {"nl": {"teamleider": "teamleider", "diensthoofd": "diensthoofd", "minister": "Minister"},
         "en": {"teamleider": "team leader", "diensthoofd": "head of service", "minister": "Minister"}}
_ROLE_NL_DEF = {"teamleider": "de teamleider", "diensthoofd": "het diensthoofd", "minister": "de Minister"}


def fmt(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, list):
        return ", ".join(map(str, v)) or "[]"
    return str(v)


_TEMPLATES: dict[str, list[str]] = {}


def fill(text: str, facts: dict[str, Any], lang: str) -> str:
    """The text with each `{fact.path}` replaced by the provision's value."""
    parts = _TEMPLATES.get(text)
    if parts is None:  # literal, path, literal, path, ..., literal
        parts = _TEMPLATES[text] = _PLACEHOLDER.split(text)
    if len(parts) == 1:
        return text
    out = [parts[0]]
    for i in range(1, len(parts), 2):
        path = parts[i]
        out.append(fmt(facts[path]) if path in facts else _MISSING[lang])
        out.append(parts[i + 1])
    return "".join(out)


class _RuleText:
    """What a reason needs of a rule that does not depend on the provision, worked out once."""

    def __init__(self, version: RuleSetVersion, rule):
        model = version.model
        conds = [c for c in (model.scope, rule.applies_if, rule.requires) if c is not None]
        self.rule = rule
        self.looked = list(dict.fromkeys(p for c in conds for p in facts_of(c)))
        self.title = {"nl": rule.title.nl, "en": rule.title.en}
        self.cites = [c.label() for c in rule.cites]
        # a derived fix is not a template: its `{a, b}` value sets must not be read as placeholders
        self.fix_is_template = rule.fix is not None
        if rule.fix is None:
            self.fix = {"nl": "Zorg dat geldt: " + describe(rule.requires, "nl") + ".",
                        "en": "Make this hold: " + describe(rule.requires, "en") + "."}
        else:
            self.fix = {"nl": rule.fix.nl, "en": rule.fix.en}


_TEXTS: dict[int, _RuleText] = {}


def _text(version: RuleSetVersion, rule) -> _RuleText:
    t = _TEXTS.get(id(rule))
    if t is None or t.rule is not rule:
        t = _TEXTS[id(rule)] = _RuleText(version, rule)
    return t


def build_reason(version: RuleSetVersion, rule, entry: dict, facts: dict[str, Any]) -> dict:
    """A reason (as Reason data) for a trace entry that is violated or missing."""
    static = _text(version, rule)
    missing = [p for p in static.looked if p not in facts]
    qid = entry["rule"]
    fix = {lang: fill(text, facts, lang) if static.fix_is_template else text
           for lang, text in static.fix.items()}
    if entry["status"] == "missing":
        fix = {"nl": "Vul in: " + ", ".join(missing) + ". " + fix["nl"],
               "en": "Supply: " + ", ".join(missing) + ". " + fix["en"]}
    elif rule.on_fail == "escalate":
        fix["nl"] += (f" Of leg voor: een goedkeuring door {_ROLE_NL_DEF[rule.escalate_to]} (of hoger) "
                      f"voor {qid}, gedateerd op of voor de verstrekkingsdatum.")
        fix["en"] += (f" Or escalate: an approval by the {ROLE_NAMES['en'][rule.escalate_to]} (or higher) "
                      f"for {qid}, dated on or before the provision date.")
    return {
        "rule": qid, "title": static.title, "outcome": rule.on_fail, "status": entry["status"],
        "cites": static.cites, "basis": rule.basis, "proxy": rule.proxy,
        "message": {"nl": fill(rule.message.nl, facts, "nl"), "en": fill(rule.message.en, facts, "en")},
        "fix": fix, "facts": {p: facts.get(p) for p in static.looked if facts.get(p) is not True},
        "missing_facts": missing, "escalate_to": rule.escalate_to}




class _ItemText:
    """What an obligation's or advice's entry needs that does not depend on the provision."""

    def __init__(self, version: RuleSetVersion, item):
        model = version.model
        conds = [c for c in (model.scope, item.applies_if) if c is not None]
        self.item = item
        self.looked = list(dict.fromkeys(p for c in conds for p in facts_of(c)))
        self.id = f"{model.ruleset}.{item.id}"
        self.title = {"nl": item.title.nl, "en": item.title.en}
        self.cites = [c.label() for c in item.cites]


_ITEMS: dict[int, _ItemText] = {}


def build_statement(version: RuleSetVersion, item, status: str, facts: dict[str, Any]) -> dict:
    """An obligation or advice entry (Statement data) for an item whose condition holds
    (`satisfied`) or is unknown (`missing`: listed all the same, naming the absent facts)."""
    t = _ITEMS.get(id(item))
    if t is None or t.item is not item:
        t = _ITEMS[id(item)] = _ItemText(version, item)
    return {"id": t.id, "title": t.title, "cites": t.cites, "basis": item.basis,
            "message": {"nl": fill(item.message.nl, facts, "nl"), "en": fill(item.message.en, facts, "en")},
            "missing_facts": [p for p in t.looked if p not in facts] if status == "missing" else []}


def build_ground(rule, k: int, qid: str) -> dict:
    """A ground entry: the k-th statutory route a satisfied (or approved) rule establishes."""
    return {"cite": rule.grounds[k].cite.label(), "rule": qid,
            "title": {"nl": rule.title.nl, "en": rule.title.en}}
