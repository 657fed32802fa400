"""Reasons: a violated or missing rule explained with the provision's values filled in, its
citations and basis, and what would have to change (DESIGN.md, the decision: `reasons`); and the
obligations and advice that apply, with their citations and messages filled in (`obligations`,
`advice`), and the grounds established (`grounds`)."""

from __future__ import annotations

import re
from typing import Any

from wivcheck.policy import RuleSetVersion, facts_of
from wivcheck.policy.conditions import walk_leaves
from wivcheck.policy.describe import describe

from .fields import field_doc

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


_TEMPLATES: dict[str, tuple[str, list[tuple[str, str]]]] = {}
_ABSENT = object()


def _parts(text: str) -> tuple[str, list[tuple[str, str]]]:
    """The text split at its placeholders: the literal before the first, then (fact path, the
    literal after it) for each."""
    parts = _TEMPLATES.get(text)
    if parts is None:
        split = _PLACEHOLDER.split(text)
        parts = _TEMPLATES[text] = (split[0], list(zip(split[1::2], split[2::2])))
    return parts


def _fill_parts(parts: tuple[str, list[tuple[str, str]]], facts: dict[str, Any], lang: str) -> str:
    first, rest = parts
    out = [first]
    get = facts.get
    for path, literal in rest:
        v = get(path, _ABSENT)
        out.append(v if type(v) is str else _MISSING[lang] if v is _ABSENT else fmt(v))
        out.append(literal)
    return "".join(out)


def fill(text: str, facts: dict[str, Any], lang: str) -> str:
    """The text with each `{fact.path}` replaced by the provision's value."""
    parts = _parts(text)
    return _fill_parts(parts, facts, lang) if parts[1] else text


class _Bilingual:
    """An {nl, en} text that may name facts, split once: the same dict for every provision when it
    names none, else filled in per provision."""

    __slots__ = ("fixed", "nl", "en")

    def __init__(self, nl: str, en: str):
        self.nl, self.en = _parts(nl), _parts(en)
        self.fixed = {"nl": nl, "en": en} if not self.nl[1] and not self.en[1] else None

    def __call__(self, facts: dict[str, Any]) -> dict[str, str]:
        if self.fixed is not None:
            return self.fixed
        return {"nl": _fill_parts(self.nl, facts, "nl") if self.nl[1] else self.nl[0],
                "en": _fill_parts(self.en, facts, "en") if self.en[1] else self.en[0]}


def field_hints(paths: list[str]) -> list[dict]:
    """FieldHint data for field paths: an object is left out when a field inside it is named (the
    field says more), and so is a path the field reference does not know."""
    out = []
    for p in paths:
        doc = field_doc(p)
        if doc is None or any(q.startswith(p + ".") for q in paths):
            continue
        out.append({"path": p, "label": dict(doc.label), "help": {lang: doc.text(lang) for lang in ("nl", "en")}})
    return out


def _named(hints: list[dict], lang: str) -> str:
    """`path (label: help)`, joined: the fields a fix names, with what they mean."""
    return "; ".join(f"{h['path']} ({h['label'][lang]}: {h['help'][lang].rstrip('.')})" for h in hints)


_FIX_WORDS = {
    "nl": {"fill": "Vul in: {0}.", "fields": "Velden: {0}.",
           "ask": "Vraag {role}{higher} om goedkeuring voor {rule}: leg de verstrekking vast; de "
                  "goedkeuring wordt in het beslislog vastgelegd (wachtrij van escalaties, POST /v1/approvals "
                  "of `wivcheck approve`) en geeft een approvals-regel met kenmerk apr-… en de datum van "
                  "goedkeuring, op of voor de verstrekkingsdatum; neem die op (het blok hieronder) en leg "
                  "opnieuw vast. Of verander de feiten: {fix}",
           "then": " Is de regel daarna nog geschonden, vraag dan {role}{higher} om goedkeuring voor {rule}."},
    "en": {"fill": "Fill in: {0}.", "fields": "Fields: {0}.",
           "ask": "Ask the {role}{higher} to approve {rule}: record the provision; the approval is "
                  "recorded in the decision log (the escalation queue, POST /v1/approvals or `wivcheck "
                  "approve`) and gives an approvals entry with an apr-… reference and the day it was given, "
                  "on or before the provision date; add it (the block below) and record again. "
                  "Or change the facts: {fix}",
           "then": " If the rule is still violated then, ask the {role}{higher} to approve {rule}."},
}


class _RuleText:
    """What a reason needs of a rule that does not depend on the provision, worked out once: the
    texts split at their placeholders, and the fixes already made for each status and set of
    missing facts, when the fix names no fact."""

    def __init__(self, version: RuleSetVersion, rule):
        model = version.model
        conds = [c for c in (model.scope, rule.applies_if, rule.requires) if c is not None]
        self.rule = rule
        self.looked = list(dict.fromkeys(p for c in conds for p in facts_of(c)))
        self.title = {"nl": rule.title.nl, "en": rule.title.en}
        self.cites = [c.label() for c in rule.cites]
        self.message = _Bilingual(rule.message.nl, rule.message.en)
        # the fields the fix is about: those the rule requires something of (not those deciding
        # whether it applies, and not a fact a value is compared with, such as the provision date)
        self.fields = field_hints(list(dict.fromkeys(leaf.fact for leaf, _ in walk_leaves(rule.requires))))
        # a derived fix is not a template: its `{a, b}` value sets must not be read as placeholders
        self.fix_is_template = rule.fix is not None
        if rule.fix is None:
            self.fix = {"nl": "Zorg dat geldt: " + describe(rule.requires, "nl") + ".",
                        "en": "Make this hold: " + describe(rule.requires, "en") + "."}
        else:
            self.fix = {"nl": rule.fix.nl, "en": rule.fix.en}
        for lang in ("nl", "en"):
            if self.fields:
                self.fix[lang] += " " + _FIX_WORDS[lang]["fields"].format(_named(self.fields, lang))
        # a fix that names no fact reads the same for every provision with the same missing facts
        self.fix_fixed = not self.fix_is_template or not any(_parts(t)[1] for t in self.fix.values())
        self.fixes: dict[tuple, tuple[dict, list]] = {}


_TEXTS: dict[int, _RuleText] = {}
_FIXES_PER_RULE = 256   # sets of missing facts remembered per rule (there are few in practice)


def _text(version: RuleSetVersion, rule) -> _RuleText:
    t = _TEXTS.get(id(rule))
    if t is None or t.rule is not rule:
        t = _TEXTS[id(rule)] = _RuleText(version, rule)
    return t


def _fix(static: _RuleText, qid: str, status: str, missing: list[str],
         facts: dict[str, Any]) -> tuple[dict[str, str], list[dict]]:
    """The fix of a reason and the fields it names (`build_reason`)."""
    rule = static.rule
    fix = {lang: fill(text, facts, lang) if static.fix_is_template else text
           for lang, text in static.fix.items()}
    hints = static.fields
    if status == "missing":
        hints = field_hints(missing) or hints
        names = ", ".join(missing)
        for lang in ("nl", "en"):
            named = _named(hints, lang) if hints else names
            fix[lang] = _FIX_WORDS[lang]["fill"].format(named) + " " + fix[lang]
            if rule.on_fail == "escalate":
                fix[lang] += _FIX_WORDS[lang]["then"].format(rule=qid, **_role(rule.escalate_to, lang))
    elif rule.on_fail == "escalate":
        for lang in ("nl", "en"):
            fix[lang] = _FIX_WORDS[lang]["ask"].format(rule=qid, fix=fix[lang], **_role(rule.escalate_to, lang))
    return fix, hints


def build_reason(version: RuleSetVersion, rule, entry: dict, facts: dict[str, Any]) -> dict:
    """A reason (as Reason data) for a trace entry that is violated or missing. Its fix says first
    what to do: for missing facts, the fields to fill in, each with what it means (`fix_fields`);
    for a violated escalate-rule, ask the named role for an approval (`fix_approval`: the entry to
    paste under `approvals`), before changing the facts; else the change, naming its fields.

    What does not depend on the provision (title, citations, a message or fix that names no fact,
    the fields a fix names) is the same object in every reason of the rule: decision data are
    read-only once made."""
    static = _text(version, rule)
    qid, status = entry["rule"], entry["status"]
    missing = [p for p in static.looked if p not in facts]
    if static.fix_fixed:
        key = (qid, status, tuple(missing) if status == "missing" else ())
        made = static.fixes.get(key)
        if made is None:
            made = _fix(static, qid, status, missing, facts)
            if len(static.fixes) < _FIXES_PER_RULE:
                static.fixes[key] = made
    else:
        made = _fix(static, qid, status, missing, facts)
    approval = None
    if status != "missing" and rule.on_fail == "escalate":
        approval = {"role": rule.escalate_to, "rule": qid, "reference": "TODO", "date": facts.get("date")}
    return {
        "rule": qid, "title": static.title, "outcome": rule.on_fail, "status": status,
        "cites": static.cites, "basis": rule.basis, "proxy": rule.proxy,
        "message": static.message(facts), "fix": made[0],
        "facts": {p: v for p in static.looked if (v := facts.get(p)) is not True},
        "missing_facts": missing, "escalate_to": rule.escalate_to,
        "fix_fields": made[1], "fix_approval": approval}


def _role(role: str, lang: str) -> dict[str, str]:
    """The role as the fix names it (`het diensthoofd`, `head of service`), and `(or higher)` unless
    it is the Minister."""
    return {"role": _ROLE_NL_DEF[role] if lang == "nl" else ROLE_NAMES["en"][role],
            "higher": "" if role == "minister" else (" (of hoger)" if lang == "nl" else " (or higher)")}




class _ItemText:
    """What an obligation's or advice's entry needs that does not depend on the provision; the
    whole entry, when it applies (`satisfied`) and its message names no fact."""

    def __init__(self, version: RuleSetVersion, item):
        model = version.model
        conds = [c for c in (model.scope, item.applies_if) if c is not None]
        self.item = item
        self.looked = list(dict.fromkeys(p for c in conds for p in facts_of(c)))
        self.id = f"{model.ruleset}.{item.id}"
        self.title = {"nl": item.title.nl, "en": item.title.en}
        self.cites = [c.label() for c in item.cites]
        self.message = _Bilingual(item.message.nl, item.message.en)
        self.fixed = None if self.message.fixed is None else self.entry(self.message.fixed, [])

    def entry(self, message: dict[str, str], missing: list[str]) -> dict:
        return {"id": self.id, "title": self.title, "cites": self.cites, "basis": self.item.basis,
                "message": message, "missing_facts": missing}


_ITEMS: dict[int, _ItemText] = {}


def build_statement(version: RuleSetVersion, item, status: str, facts: dict[str, Any]) -> dict:
    """An obligation or advice entry (Statement data) for an item whose condition holds
    (`satisfied`) or is unknown (`missing`: listed all the same, naming the absent facts)."""
    t = _ITEMS.get(id(item))
    if t is None or t.item is not item:
        t = _ITEMS[id(item)] = _ItemText(version, item)
    if status != "missing":
        return t.fixed if t.fixed is not None else t.entry(t.message(facts), [])
    return t.entry(t.message(facts), [p for p in t.looked if p not in facts])


def build_ground(rule, k: int, qid: str) -> dict:
    """A ground entry: the k-th statutory route a satisfied (or approved) rule establishes."""
    return {"cite": rule.grounds[k].cite.label(), "rule": qid,
            "title": {"nl": rule.title.nl, "en": rule.title.en}}
