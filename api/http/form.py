"""The analyst page's form of a provision: which fields it shows, in which order and under which
conditions, and the two ways between the form and a provision's data (`data_from_form`,
`values_from_data`), so that the pasted YAML and the form can be kept in sync (docs/http.md, "The
analyst page"). Labels, help texts and the labels of allowed values come from the field reference
(`engine/provision_fields.yaml`); types and allowed values from the model (`FIELD_TYPES`). Never
decides anything and never reads a request: page.py does.

Fields appear in the order an analyst thinks: who provides, to whom, why (request, purpose), what
data, how, the partnership, the approvals. Some parts are conditional (`Group`): the partnership
only for structural provision or when the analyst ticks that there is one, the relationship only
for a foreign recipient, and so on. The page hides a part whose condition does not hold with CSS
alone (`:has()`; no script), and the server reads a hidden part as absent, so what is checked is
what is shown; a browser without `:has()` shows every part. A part that pasted data fill although
its condition does not hold is shown all the same (`forced`, carried by a hidden `show` field), so
that the form holds the whole pasted provision."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any, Iterable

import yaml
from markupsafe import Markup

from wivcheck.engine.fields import field_doc
from wivcheck.engine.provision import FIELD_TYPES

# justifications: free text of some length, so a text area
TEXT_AREAS = ("purpose.necessity", "purpose.proportionality", "purpose.urgent_reason")
MAX_APPROVAL_ROWS = 100          # the model's limit of approvals
_DECIMAL = re.compile(r"-?(?:0|[1-9][0-9]*)")


@dataclass(frozen=True)
class Group:
    """A conditional part of the form: shown when the field `when` holds one of `values` (as the form
    sends it: `"true"` for a ticked yes), or when the checkbox `toggle` (`t.<key>`) is ticked.
    `items` are field paths; `title` and `intro` ({nl, en}) head the part when it is a whole section."""

    key: str
    items: tuple[str, ...]
    when: str
    values: tuple[str, ...]
    toggle: dict[str, str] | None = None
    intro: dict[str, str] | None = None


@dataclass(frozen=True)
class Section:
    """A fieldset of the form: its key (`s-<key>` is its id), title and intro ({nl, en}), and items
    (field paths and conditional groups) in order. A section with `group` is conditional as a whole."""

    key: str
    title: dict[str, str]
    intro: dict[str, str]
    items: tuple[str | Group, ...]
    group: Group | None = None


FOREIGN = ("foreign_service", "international_body")
_PARTNERSHIP_FIELDS = ("partnership.id", "partnership.assessed_on", "partnership.valid_until",
                       "partnership.residual_risk", "partnership.secrecy_until", "partnership.permitted_categories")
PARTNERSHIP = Group("partnership", _PARTNERSHIP_FIELDS, "context", ("structural",),
                    toggle={"nl": "Er is een samenwerkingsverband (ook bij een ad-hocverstrekking)",
                            "en": "There is a cooperation arrangement (also for an ad hoc provision)"})
REQUEST = Group("request", ("request.form", "request.designated", "request.reference"), "", (),
                toggle={"nl": "Deze verstrekking beantwoordt een verzoek", "en": "This provision answers a request"},
                intro={"nl": "Naslag (Art. 63), het Openbaar Ministerie (Art. 66) of een aangewezen orgaan (Art. 67).",
                       "en": "Naslag (Art. 63), the public prosecutor (Art. 66) or a designated body (Art. 67)."})

SECTIONS: tuple[Section, ...] = (
    Section("who", {"nl": "Wie verstrekt", "en": "Who provides"},
            {"nl": "De dienst, uw kenmerk, de datum en of het om een samenwerkingsverband gaat.",
             "en": "The service, your reference, the date and whether a cooperation arrangement applies."},
            ("service", "id", "date", "context")),
    Section("recipient", {"nl": "Aan wie", "en": "To whom"},
            {"nl": "De ontvanger en waarom de gegevens hem aangaan.",
             "en": "The recipient and why the data concern it."},
            ("recipient.kind", "recipient.name", "recipient.id", "recipient.country", "recipient.concern",
             "recipient.can_take_measures",
             Group("foreign", ("recipient.relationship",), "recipient.kind", FOREIGN,
                   intro={"nl": "Alleen voor een buitenlandse dienst of een internationaal orgaan.",
                          "en": "Only for a foreign service or an international body."}),
             Group("cleared", ("recipient.cleared_until",), "recipient.kind", ("private_party",) + FOREIGN,
                   intro={"nl": "Voor staatsgeheimen aan een private partij of een buitenlandse ontvanger.",
                          "en": "For state secrets to a private party or a foreign recipient."}))),
    Section("why", {"nl": "Waarom", "en": "Why"},
            {"nl": "Het verzoek (als er een is), de taak, het oogmerk en de onderbouwing van noodzaak en evenredigheid.",
             "en": "The request (if any), the task, the aim and why it is necessary and proportionate."},
            (REQUEST, "purpose.task", "purpose.aim", "purpose.necessity", "purpose.proportionality",
             "purpose.measures", "purpose.urgent_reason")),
    Section("data", {"nl": "Welke gegevens", "en": "What data"},
            {"nl": "Soort, rubricering, herkomst en omvang van de gegevens.",
             "en": "Kind, classification, origin and size of the data."},
            ("data.categories", "data.classification", "data.tlp", "data.volume", "data.origin",
             Group("consent", ("data.originator_consent",), "data.origin", ("foreign_service",),
                   intro={"nl": "Gegevens van een buitenlandse dienst (derdenregel).",
                          "en": "Data from a foreign service (third-party rule)."}),
             "data.personal_data",
             Group("personal", ("data.personal_data_oldest", "data.personal_data_newest",
                                "data.personal_data_verifiable"), "data.personal_data", ("true",),
                   intro={"nl": "Alleen bij persoonsgegevens.", "en": "Only with personal data."}),
             "data.special_categories",
             Group("special", ("data.special_categories_supplementary",), "data.special_categories", ("true",)),
             "data.evaluated", "data.automated_selection", "data.lawyer_client", "data.reliability_indicated",
             "data.onward_provision_barred")),
    Section("how", {"nl": "Hoe", "en": "How"},
            {"nl": "Schriftelijk of mondeling, en of het spoedeisend is.",
             "en": "Written or oral, and whether it is urgent."},
            ("handling.form", "handling.urgent",
             Group("court", ("handling.court_consent",), "data.lawyer_client", ("true",),
                   intro={"nl": "Alleen bij gegevens uit advocaat-cliëntcommunicatie.",
                          "en": "Only with data from lawyer-client communication."}))),
    Section("partnership", {"nl": "Samenwerkingsverband", "en": "Cooperation arrangement"},
            {"nl": "De samenwerkingsbeschrijving en de weging van de partner; verplicht bij structurele verstrekking.",
             "en": "The cooperation description and the partner's weighing; required for structural provision."},
            _PARTNERSHIP_FIELDS, group=PARTNERSHIP),
)
APPROVAL_FIELDS = ("rule", "role", "reference", "date")


def groups() -> list[Group]:
    """Every conditional part, sections first."""
    out = [s.group for s in SECTIONS if s.group is not None]
    for s in SECTIONS:
        out += [i for i in s.items if isinstance(i, Group)]
    return out


def form_paths() -> list[str]:
    """Every field path the form shows, in form order."""
    out: list[str] = []
    for s in SECTIONS:
        for item in s.items:
            out += list(item.items) if isinstance(item, Group) else [item]
    return out


def is_list(path: str) -> bool:
    """Whether a field holds several values (checkboxes)."""
    return path in FIELD_TYPES and FIELD_TYPES[path].kind == "list"


def input_id(path: str) -> str:
    """The id of a field's input: `f-` and the path with dashes (`f-recipient-kind`)."""
    return "f-" + path.replace(".", "-")


def _kind(path: str) -> str:
    if path in TEXT_AREAS:
        return "text"
    return FIELD_TYPES[path].kind


def _required(path: str) -> bool:
    """Required whenever the part holding it is there: the field and every object above it, or the
    field of an optional object (request, handling, partnership) that the object needs."""
    return FIELD_TYPES[path].required


def field_view(path: str, lang: str, values: dict, problems: dict[str, list[str]]) -> dict:
    """What the template needs to draw one field."""
    doc = field_doc(path)
    ft = FIELD_TYPES[path]
    kind = _kind(path)
    fid = input_id(path)
    current = values.get("f." + path, [] if kind == "list" else "")
    options = [(v, doc.value_label(v, lang)) for v in ft.values]
    if kind == "bool":
        options = [("true", "Ja" if lang == "nl" else "Yes"), ("false", "Nee" if lang == "nl" else "No")]
    return {"path": path, "id": fid, "name": "f." + path, "kind": kind, "label": doc.label[lang],
            "help": doc.help[lang], "article": doc.article, "options": options, "required": _required(path),
            "current": current, "errors": problems.get(fid, [])}


def view(lang: str, values: dict, forced: Iterable[str], problems: dict[str, list[str]]) -> list[dict]:
    """The sections as the template draws them: each with its fields and conditional groups, whether
    each group is shown now (on the server's reading of `values`) and whether it is forced open."""
    forced = set(forced)
    out = []
    for s in SECTIONS:
        items = []
        for item in s.items:
            if isinstance(item, Group):
                items.append({"group": _group_view(item, lang, values, forced), "field": None,
                              "fields": [field_view(p, lang, values, problems) for p in item.items]})
            else:
                items.append({"group": None, "field": field_view(item, lang, values, problems), "fields": []})
        out.append({"key": s.key, "id": "s-" + s.key, "title": s.title[lang], "intro": s.intro[lang],
                    "parts": items, "group": _group_view(s.group, lang, values, forced) if s.group else None})
    return out


def _group_view(g: Group, lang: str, values: dict, forced: set) -> dict:
    return {"key": g.key, "shown": shown(g, values), "forced": g.key in forced,
            "toggle": g.toggle[lang] if g.toggle else None, "toggle_id": "t-" + g.key, "toggle_name": "t." + g.key,
            "toggled": values.get("t." + g.key) == "true", "intro": g.intro[lang] if g.intro else ""}


def shown(g: Group, values: dict, forced: Iterable[str] = ()) -> bool:
    """Whether a conditional part is part of the provision: its condition holds on the form's
    values, its checkbox is ticked, or it is forced open (pasted data filled it)."""
    if g.key in set(forced) or values.get("t." + g.key) == "true":
        return True
    return bool(g.when) and values.get("f." + g.when) in g.values


def hiding_css() -> Markup:
    """The CSS that hides each conditional part while its condition does not hold: one rule per
    part, all in `:has()`, so a browser without it drops the rules and shows everything. Our own
    constant text (field paths and allowed values), not input: marked safe for the <style> element."""
    rules = []
    for g in groups():
        conds = []
        if g.when:
            opts = ",".join(f'[value="{v}"]' for v in g.values)
            conds.append(f"#{input_id(g.when)} option:is({opts}):checked")
        if g.toggle:
            conds.append(f"#t-{g.key}:checked")
        rules.append(f"form.provision:not(:has({', '.join(conds)})) .cond-{g.key}:not(.forced) {{ display: none; }}")
        if g.toggle and g.when:  # the checkbox is moot while the condition holds
            opts = ",".join(f'[value="{v}"]' for v in g.values)
            rules.append(f"form.provision:has(#{input_id(g.when)} option:is({opts}):checked) .toggle-{g.key} "
                         "{ display: none; }")
    return Markup("\n".join(rules))


# -- form -> data ------------------------------------------------------------------------------------

def data_from_form(form, forced: Iterable[str] | None = None) -> dict:
    """Nested provision data from the form (`f.<path>` fields, `a.<i>.<field>` approval rows), in the
    model's order; empty fields are left out, and so is every field of a conditional part that is
    not shown (its condition fails and its checkbox is not ticked), so that what is checked is what
    the page showed. Booleans are only "true"/"false" and numbers only decimal digits; anything
    else stays text, for the strict model to refuse naming the field. Line breaks of text areas
    (sent as CRLF by browsers) become LF."""
    forced = set(form.getlist("show") if forced is None else forced)
    values = {k: form.get(k) for k in form.keys()}
    hidden = {p for g in groups() if not shown(g, values, forced) for p in g.items}
    out: dict[str, Any] = {}
    for path, ft in FIELD_TYPES.items():
        if ft.kind == "object" or path.startswith("approvals") or path in hidden:
            continue
        key = "f." + path
        if ft.kind == "list":
            value: Any = _in_given_order([v for v in form.getlist(key) if v != ""],
                                         (form.get("order." + key) or "").split())
            if not value:
                continue
        else:
            raw = form.get(key) or ""
            if raw.strip() == "":
                continue
            if ft.kind == "str":   # text as typed: the model trims it (and Python's strip trims more)
                value = raw.replace("\r\n", "\n").replace("\r", "\n") if path in TEXT_AREAS else raw
            else:
                value = {"bool": _bool_or_text, "int": _int_or_text}.get(ft.kind, lambda v: v)(raw.strip())
        node = out
        parts = path.split(".")
        for p in parts[:-1]:
            node = node.setdefault(p, {})
        node[parts[-1]] = value
    for path, ft in FIELD_TYPES.items():   # a required part left empty: each of its fields is named
        if ft.kind == "object" and ft.required and "." not in path and path not in out:
            out[path] = {}
    approvals = []
    for i in range(approval_rows(form)):
        row = {f: (form.get(f"a.{i}.{f}") or "").strip() for f in APPROVAL_FIELDS}
        if any(row.values()):
            approvals.append({f: v for f, v in row.items() if v})
    if approvals:
        out["approvals"] = approvals
    return _ordered(out)


def _in_given_order(checked: list[str], given: list[str]) -> list[str]:
    """Ticked values in the order the provision gave them (`order.f.<path>`, written when the form was
    filled), then newly ticked ones in the form's order: a list keeps its order through the form, so
    the provision checked is the one pasted (an approval approves its content, list order included)."""
    rank = {v: i for i, v in enumerate(given)}
    return sorted(checked, key=lambda v: (rank.get(v, len(rank)), checked.index(v)))


def list_values(data: dict) -> dict[str, list]:
    """The form values (`f.<path>`) of the provision data's lists, in the data's order: after a form
    check the form shows them as the data hold them."""
    out = {}
    for path in form_paths():
        if FIELD_TYPES[path].kind == "list":
            value = _at(data, path)
            if isinstance(value, list):
                out["f." + path] = [str(v) for v in value]
    return out


def approval_rows(form) -> int:
    """How many approval rows the form has (`a.rows`, bounded), at least one."""
    raw = form.get("a.rows") or "1"
    n = int(raw) if _DECIMAL.fullmatch(raw) else 1
    return max(1, min(n, MAX_APPROVAL_ROWS))


_ORDER = ["id", "service", "date", "context", "recipient", "request", "partnership", "purpose", "data",
          "handling", "approvals"]


def _ordered(data: dict) -> dict:
    """The top-level keys in the contract's order (DESIGN.md), unknown keys last."""
    return {k: data[k] for k in sorted(data, key=lambda k: _ORDER.index(k) if k in _ORDER else len(_ORDER))}


def _int_or_text(v: str):
    """An integer field's value in plain decimal (no leading zero, no sign but -); other text stays
    text, for validation to name."""
    return int(v) if _DECIMAL.fullmatch(v) else v


def _bool_or_text(v: str):
    return {"true": True, "false": False}.get(v, v)


# -- data -> form ------------------------------------------------------------------------------------

@dataclass
class Filled:
    """The form's values from a provision's data: `values` (`f.<path>`, `t.<group>`, `a.<i>.<field>`,
    `a.rows`), the conditional parts forced open, and the fields of the data the form has no place
    for (a misspelt key in pasted YAML: the errors name it)."""

    values: dict[str, Any] = field(default_factory=dict)
    forced: set[str] = field(default_factory=set)
    unplaced: list[str] = field(default_factory=list)


def values_from_data(data: Any) -> Filled:
    """Fill the form from provision data (parsed YAML or JSON, valid or not): every value the form
    has a field for, as the form would send it (booleans "true"/"false", dates ISO, numbers in
    decimal, lists as lists); the checkbox of an optional part ticked when the data hold it; a
    conditional part forced open when the data fill it but its condition does not hold; one empty
    approval row after the given ones."""
    out = Filled()
    if not isinstance(data, dict):
        return out
    for path in form_paths():
        value = _at(data, path)
        if value is None:
            continue
        if FIELD_TYPES[path].kind == "list":
            out.values["f." + path] = [_text(v) for v in value] if isinstance(value, list) else [_text(value)]
        else:
            out.values["f." + path] = _text(value)
    for g in (PARTNERSHIP, REQUEST):
        if isinstance(data.get(g.key), dict):
            out.values["t." + g.key] = "true"
    for g in groups():
        if not shown(g, out.values) and any("f." + p in out.values for p in g.items):
            out.forced.add(g.key)
    rows = data.get("approvals")
    rows = rows if isinstance(rows, list) else []
    for i, row in enumerate(rows[:MAX_APPROVAL_ROWS]):
        if isinstance(row, dict):
            for f in APPROVAL_FIELDS:
                if row.get(f) is not None:
                    out.values[f"a.{i}.{f}"] = _text(row[f])
    out.values["a.rows"] = str(min(len(rows) + 1, MAX_APPROVAL_ROWS))
    return out


def _at(data: dict, path: str):
    node: Any = data
    for part in path.split("."):
        if not isinstance(node, dict):
            return None
        node = node.get(part)
    return node


def _text(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return str(value)


# -- data -> YAML ------------------------------------------------------------------------------------

def provision_yaml(data: dict) -> str:
    """The provision's data as YAML for the page's text area: keys in the contract's order, dates
    unquoted (`2025-03-14`), any text that YAML would read as something else quoted (PyYAML's safe
    dumper), long text on one line. Reading it back gives the same data."""
    return yaml.dump(_dates(_ordered(data)), Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=10_000,
                     default_flow_style=None)


class _Dumper(yaml.SafeDumper):
    """PyYAML's safe dumper, with text holding a character that YAML reads as a line break (NEL,
    U+2028, U+2029) written double-quoted, where it is escaped: unquoted, it would read back as a
    line break or a space."""


def _text_representer(dumper, value: str):
    style = '"' if any(c in value for c in "\x85\u2028\u2029") else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _text_representer)


def _dates(value, path: str = ""):
    if isinstance(value, dict):
        return {k: _dates(v, f"{path}.{k}" if path else k) for k, v in value.items()}
    if isinstance(value, list):
        return [_dates(v, path) for v in value]
    plain = re.sub(r"\.\d+(?=\.|$)", "", path)
    kind = FIELD_TYPES.get(plain).kind if plain in FIELD_TYPES else None
    if kind == "date" and isinstance(value, str):
        try:
            return dt.date.fromisoformat(value) if len(value) == 10 else value
        except ValueError:
            return value
    return value


# -- problems -> fields ------------------------------------------------------------------------------

def problem_target(path: str) -> str | None:
    """The id of the input (or section) a problem's field path belongs to, or None: `purpose.necessity`
    -> `f-purpose-necessity`, `approvals[0].rule` -> `a-0-rule`, `partnership` -> `s-partnership`."""
    plain = re.sub(r"\[(\d+)\]", r".\1", path or "")
    m = re.fullmatch(r"approvals\.(\d+)\.(\w+)", plain)
    if m and m.group(2) in APPROVAL_FIELDS:
        return f"a-{m.group(1)}-{m.group(2)}"
    if plain.startswith("approvals"):
        return "s-approvals"
    if plain in form_paths():
        return input_id(plain)
    for s in SECTIONS:
        if plain and any(plain == p.split(".")[0] for p in form_paths() if _section_of(p) is s and "." in p):
            return "s-" + s.key
    return None


def _section_of(path: str) -> Section | None:
    for s in SECTIONS:
        for item in s.items:
            if item == path or (isinstance(item, Group) and path in item.items):
                return s
    return None
