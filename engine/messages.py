"""A provision's problems in words a person can act on, in English or Dutch (DESIGN.md, the
provision: "Unknown fields are rejected (clear 422 / CLI error naming the field)").

Each of pydantic's errors becomes one `Problem` on the field's own path and line: an unknown field
with "did you mean" and the nearest known path (`recipient.kindd` -> `recipient.kind`, `tlp` at the
top -> `data.tlp`); a required field with its type or allowed values and its meaning from the field
reference (`fields.py`); a value outside a field's values with the values allowed; the model's own
checks (`words.py`) on the field they are about. Errors of reading the text (syntax, duplicate
keys) say JSON for JSON input and YAML otherwise. Never decides anything; knows nothing of HTTP.
"""

from __future__ import annotations

import difflib
import re

import pydantic

from wivcheck.policy.errors import Problem
from wivcheck.policy.schema import FieldType
from wivcheck.policy.yamlsafe import Located

from .fields import field_doc, plain_path
from .provision import FIELD_TYPES
from .words import WORDS

LANGS = ("nl", "en")

NOT_VALID = {"en": "the provision is not valid", "nl": "de verstrekking is niet geldig"}
NOT_A_MAPPING = {"en": "a provision is a mapping of fields (id, service, date, ...)",
                 "nl": "een verstrekking is een verzameling velden (id, service, date, ...)"}
EMPTY_LIST = {"en": "the list holds no provision", "nl": "de lijst bevat geen verstrekking"}
CANNOT_READ = {"en": "cannot read {source}", "nl": "kan {source} niet lezen"}

_T = {
    "en": {"unknown": "unknown field", "mean": "did you mean {0}?", "known": "known here: {0}",
           "required": "field required", "or": " or ", "not_allowed": "{0} is not allowed; allowed: {1}",
           "one_of": "one of {0}", "list_of": "a list of {0}", "bool": "true or false", "int": "a whole number",
           "date": "a date YYYY-MM-DD", "str": "text", "object": "an object with the fields {0}",
           "object_any": "an object of fields",
           "objects": "objects with the fields {0}", "mapping": "must be a mapping of fields (name: value)",
           "too_short_str": "too short: at least {min_length} characters",
           "too_long_str": "too long: at most {max_length} characters",
           "too_short": "at least {min_length} items", "too_long": "at most {max_length} items",
           "ge": "must be {ge} or more", "le": "must be {le} or less", "form": "not in the expected form: {0}",
           "strict": {"bool_type": "only true or false", "int_type": "a whole number in decimal digits",
                      "string_type": "text", "float_type": "a number", "list_type": "a list"},
           "not": "not {0}"},
    "nl": {"unknown": "onbekend veld", "mean": "bedoelt u {0}?", "known": "hier bekend: {0}",
           "required": "verplicht veld", "or": " of ", "not_allowed": "{0} is niet toegestaan; toegestaan: {1}",
           "one_of": "een van {0}", "list_of": "een lijst met {0}", "bool": "true of false",
           "int": "een geheel getal", "date": "een datum JJJJ-MM-DD", "str": "tekst",
           "object": "een object met de velden {0}", "object_any": "een object met velden",
           "objects": "objecten met de velden {0}",
           "mapping": "moet een verzameling velden zijn (naam: waarde)",
           "too_short_str": "te kort: ten minste {min_length} tekens",
           "too_long_str": "te lang: ten hoogste {max_length} tekens",
           "too_short": "ten minste {min_length} items", "too_long": "ten hoogste {max_length} items",
           "ge": "moet {ge} of meer zijn", "le": "moet {le} of minder zijn", "form": "niet in de verwachte vorm: {0}",
           "strict": {"bool_type": "alleen true of false", "int_type": "een geheel getal in decimale cijfers",
                      "string_type": "tekst", "float_type": "een getal", "list_type": "een lijst"},
           "not": "niet {0}"},
}

# the form a patterned field expects, in words
_FORMS = {
    "id": {"en": "letters, digits and . _ / : -, starting with a letter or digit, at most 128 (e.g. PRV-2025-0042)",
           "nl": "letters, cijfers en . _ / : -, beginnend met een letter of cijfer, ten hoogste 128 "
                 "(bijvoorbeeld PRV-2025-0042)"},
    "recipient.country": {"en": "two capital letters, ISO 3166-1 (e.g. NL)",
                          "nl": "twee hoofdletters, ISO 3166-1 (bijvoorbeeld NL)"},
    "approvals.rule": {"en": "<ruleset>.<rule id> (e.g. waarborgen-pps.residual-risk)",
                       "nl": "<regelset>.<regel-id> (bijvoorbeeld waarborgen-pps.residual-risk)"},
}

# errors of reading the text (policy/yamlsafe.py), in Dutch; English is their own words
_READING_NL = [
    (re.compile(r"^YAML syntax: (.*)$", re.S), "YAML-syntaxis: {0}"),
    (re.compile(r"^duplicate key '(.*)'$", re.S), "de sleutel '{0}' komt twee keer voor"),
    (re.compile(r"^the file is empty$"), "het bestand is leeg"),
    (re.compile(r"^file is (\d+) bytes, over the limit of (\d+)$"), "het bestand is {0} bytes, meer dan de grens van {1}"),
    (re.compile(r"^not UTF-8 text \(byte (\d+)\)$"), "geen UTF-8-tekst (byte {0})"),
    (re.compile(r"^nesting deeper than (\d+) levels$"), "dieper genest dan {0} niveaus"),
    (re.compile(r"^(.*): booleans are true or false \(lower case\)$"), "{0}: booleans zijn true of false (kleine letters)"),
    (re.compile(r"^JSON syntax: (.*)$", re.S), "JSON-syntaxis: {0}"),
]


def _lang(lang: str) -> str:
    return lang if lang in LANGS else "en"


def _shown(value) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _children(parent: str) -> list[str]:
    """The names of the fields directly inside `parent` ("" for the top level)."""
    prefix = parent + "." if parent else ""
    return [p[len(prefix):] for p in FIELD_TYPES if p.startswith(prefix) and "." not in p[len(prefix):]]


def did_you_mean(path: str) -> list[str]:
    """Known field paths close to an unknown one, nearest first: a field of the same object with a
    similar name (`recipient.kindd` -> `recipient.kind`), else fields elsewhere with that name or a
    similar one (`tlp` at the top -> `data.tlp`). Empty when nothing is close."""
    path = plain_path(path)
    parent, _, name = path.rpartition(".")
    near = difflib.get_close_matches(name, _children(parent), n=1, cutoff=0.7)
    if near:
        return [(parent + "." if parent else "") + near[0]]
    by_name: dict[str, list[str]] = {}
    for p in FIELD_TYPES:
        by_name.setdefault(p.rpartition(".")[2], []).append(p)
    names = difflib.get_close_matches(name, list(by_name), n=2, cutoff=0.8)
    return [p for n in names for p in by_name[n] if p != path][:3]


def kind_text(ft: FieldType, lang: str, path: str = "") -> str:
    """What a field holds, in words: its allowed values, or its type."""
    t = _T[_lang(lang)]
    if ft.kind == "enum":
        return t["one_of"].format(", ".join(ft.values))
    required = [n for n in _children(path) if FIELD_TYPES[f"{path}.{n}"].required]
    if ft.kind == "list":
        return t["list_of"].format(", ".join(ft.values) if ft.values else t["objects"].format(", ".join(required)))
    if ft.kind == "object":
        return t["object"].format(", ".join(required)) if required else t["object_any"]
    return t[ft.kind]


def _describe(path: str, lang: str) -> str:
    """`kind. help (article)`: what to write in a field and what it means."""
    plain = plain_path(path)
    ft, doc = FIELD_TYPES.get(plain), field_doc(plain)
    parts = []
    if ft is not None:
        parts.append(kind_text(ft, lang, plain))
    if doc is not None:
        parts.append(doc.text(_lang(lang)))
    return ". ".join(parts)


def error_words(err: dict, path: str, lang: str = "en") -> tuple[str, str]:
    """(path, words) for one of pydantic's errors on a provision: a cross-field problem moves onto
    the field it is about (`field` in its context)."""
    lang = _lang(lang)
    t = _T[lang]
    kind, ctx = err["type"], err.get("ctx") or {}
    if kind in WORDS:
        field = ctx.get("field")
        if field:
            path = f"{path}.{field}" if path else field
        try:
            return path, WORDS[kind][lang].format(**ctx)
        except (KeyError, IndexError):
            return path, err["msg"]
    if kind == "extra_forbidden":
        near = did_you_mean(path)
        if near:
            return path, f"{t['unknown']}; " + t["mean"].format(t["or"].join(near))
        parent = plain_path(path).rpartition(".")[0]
        return path, f"{t['unknown']} ({t['known'].format(', '.join(_children(parent)))})"
    if kind == "missing":
        what = _describe(path, lang)
        return path, t["required"] + (f": {what}" if what else "")
    if kind in ("literal_error", "enum"):
        ft = FIELD_TYPES.get(plain_path(path))
        allowed = ", ".join(ft.values) if ft is not None and ft.values else ctx.get("expected", "")
        return path, t["not_allowed"].format(_shown(err.get("input")), allowed)
    if kind in ("model_type", "dict_type", "model_attributes_type"):
        return path, t["mapping"]
    if kind in t["strict"]:
        return path, f"{t['strict'][kind]}, " + t["not"].format(_shown(err.get("input")))
    if kind in ("string_too_short", "string_too_long"):
        return path, t[kind.replace("string_", "") + "_str"].format(**ctx)
    if kind in ("too_short", "too_long"):
        return path, t[kind].format(**ctx)
    if kind in ("greater_than_equal", "less_than_equal"):
        return path, t[kind[0] + "e"].format(**ctx)
    if kind == "string_pattern_mismatch":
        form = _FORMS.get(plain_path(path), {}).get(lang) or ctx.get("pattern", "")
        return path, t["form"].format(form)
    return path, err["msg"].removeprefix("Value error, ")


def _clean(loc: tuple) -> tuple:
    return tuple(p for p in loc if not (isinstance(p, str) and (
        p.startswith("@") or "[" in p or p in ("bool", "int", "str"))))


def provision_problems(exc: pydantic.ValidationError, located: Located | None, lang: str = "en") -> list[Problem]:
    """The problems of a provision that failed the model, one per field (at most three sentences
    each), with the line of the field in the text when it came from text."""
    grouped: dict[str, tuple[tuple, list[str]]] = {}
    for err in exc.errors():
        loc = _clean(err["loc"])
        dotted = ".".join(str(p) for p in loc)
        path, words = error_words(err, dotted, lang)
        if path != dotted:  # moved onto the field it is about
            loc = loc + tuple(path[len(dotted):].lstrip(".").split("."))
        entry = grouped.setdefault(path, (loc, []))
        if words not in entry[1]:
            entry[1].append(words)
    return [Problem("; ".join(msgs[:3]), path or "(provision)", located.line_of(loc) if located else None)
            for path, (loc, msgs) in grouped.items()]


def reading_problem(message: str, lang: str = "en", json_input: bool = False) -> str:
    """An error of reading the text in the chosen language; for JSON input, JSON rather than YAML."""
    if json_input:
        message = re.sub(r"^YAML( syntax)?:", lambda m: "JSON" + (m.group(1) or "") + ":", message)
    if _lang(lang) == "nl":
        for pattern, words in _READING_NL:
            m = pattern.match(message)
            if m:
                return words.format(*m.groups())
    return message
