"""Reasons: a violated or missing rule explained with the provision's values filled in, its
citations and basis, and what would have to change (DESIGN.md, the decision: `reasons`)."""

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
        "cites": static.cites, "basis": rule.basis,
        "message": {"nl": fill(rule.message.nl, facts, "nl"), "en": fill(rule.message.en, facts, "en")},
        "fix": fix, "facts": {p: facts.get(p) for p in static.looked if facts.get(p) is not True},
        "missing_facts": missing, "escalate_to": rule.escalate_to}


