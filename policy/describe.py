"""Conditions in readable form, in Dutch or English, for explanations and the rule book."""

from __future__ import annotations

from .conditions import All, FactRef, Leaf, Not

_OPS = {
    "nl": {"equals": "=", "not_equals": "≠", "lt": "<", "le": "≤", "gt": ">", "ge": "≥",
           "in": "is een van", "not_in": "is geen van", "contains": "bevat",
           "not_contains": "bevat niet", "subset_of": "valt binnen", "matches": "past op patroon",
           "min_letters": "heeft ten minste {} zichtbare letters of cijfers",
           "in_list": "staat op de verstrekkingsdatum op de lijst {}"},
    "en": {"equals": "=", "not_equals": "≠", "lt": "<", "le": "≤", "gt": ">", "ge": "≥",
           "in": "is one of", "not_in": "is none of", "contains": "contains",
           "not_contains": "does not contain", "subset_of": "lies within", "matches": "matches",
           "min_letters": "has at least {} visible letters or digits",
           "in_list": "is on the list {} on the provision date"},
}
_WORDS = {
    "nl": {"and": " en ", "or": " of ", "not": "niet ", "exists": "is ingevuld",
           "absent": "is niet ingevuld"},
    "en": {"and": " and ", "or": " or ", "not": "not ", "exists": "is given", "absent": "is not given"},
}


def _value(v) -> str:
    if isinstance(v, FactRef):
        return f"{v.fact} {v.offset[0]} {v.offset[1:]}" if v.offset else v.fact
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (list, tuple)):
        return "{" + ", ".join(_value(x) for x in v) + "}"
    return str(v)


def describe(cond, lang: str = "en", top: bool = True) -> str:
    w = _WORDS[lang]
    if isinstance(cond, Leaf):
        if cond.op == "exists":
            return f"{cond.fact} {w['exists'] if cond.value else w['absent']}"
        if cond.op in ("min_letters", "in_list"):
            return f"{cond.fact} " + _OPS[lang][cond.op].format(cond.value)
        return f"{cond.fact} {_OPS[lang][cond.op]} {_value(cond.value)}"
    if isinstance(cond, Not):
        return w["not"] + "(" + describe(cond.not_, lang, False) + ")"
    parts = [describe(c, lang, False) for c in (cond.all if isinstance(cond, All) else cond.any)]
    joined = (w["and"] if isinstance(cond, All) else w["or"]).join(parts)
    return joined if top or len(parts) == 1 else f"({joined})"
