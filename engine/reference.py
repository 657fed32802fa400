"""The field reference rendered for people and tools (issue 17, "A field reference"): the JSON Schema
of the provision, a commented YAML template of a provision for each route of the law, and the
Markdown page `docs/provision.md`. All three come from the model (`provision.py`: fields, types,
allowed values, what is required) and the field reference (`fields.py`: labels, help, articles), so
none can say what the other does not.

A template is a provision that reads without error as printed: every required field has a value,
and the optional fields the route does not need are there as comments. Values are examples; free
text and references are `TODO`, which the rules do not take for a substantiation (a template checked
as printed is denied, saying which fields to write). Source: DESIGN.md, the provision (v1.1).
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field

from pydantic import BaseModel

from .fields import field_reference
from .messages import kind_text
from .provision import FIELD_TYPES, Provision, submodel

TODO = "TODO"


@dataclass(frozen=True)
class Route:
    """A route of the law a template is made for: what it is, and how it differs from the base."""

    title: dict[str, str]
    values: dict[str, object] = field(default_factory=dict)   # path -> example value
    on: frozenset[str] = frozenset()    # optional fields (or objects) given a value
    off: frozenset[str] = frozenset()   # fields of the base left out (as comments)


def _values(day: dt.date) -> dict[str, object]:
    """An example value for every field, dated around `day` (the provision's date)."""
    d = lambda days: day + dt.timedelta(days=days)  # noqa: E731
    return {
        "id": "PRV-TODO-0001", "service": "AIVD", "date": day, "context": "structural",
        "recipient.kind": "private_party", "recipient.id": TODO, "recipient.name": TODO,
        "recipient.country": "NL", "recipient.concern": "victim", "recipient.relationship": "regular",
        "recipient.cleared_until": d(365), "recipient.can_take_measures": False,
        "request.form": "written", "request.designated": True, "request.reference": TODO,
        "partnership.id": TODO, "partnership.assessed_on": d(-120), "partnership.valid_until": d(610),
        "partnership.residual_risk": "open", "partnership.secrecy_until": d(365),
        "partnership.permitted_categories": ["domain_names", "ip_addresses", "malware_analysis"],
        "purpose.task": "8.2.c", "purpose.aim": "digital_resilience", "purpose.necessity": TODO,
        "purpose.proportionality": TODO, "purpose.measures": "defensive", "purpose.urgent_reason": TODO,
        "data.categories": ["domain_names", "malware_analysis"], "data.classification": "stg_confidentieel",
        "data.personal_data": False, "data.special_categories": False,
        "data.special_categories_supplementary": True, "data.personal_data_oldest": d(-400),
        "data.personal_data_newest": d(-30), "data.personal_data_verifiable": True, "data.evaluated": True,
        "data.automated_selection": False, "data.lawyer_client": False, "data.origin": "own",
        "data.originator_consent": True, "data.reliability_indicated": True,
        "data.onward_provision_barred": True, "data.volume": 1, "data.tlp": "AMBER",
        "handling.form": "written", "handling.urgent": False, "handling.court_consent": True,
        "approvals.role": "diensthoofd", "approvals.rule": "waarborgen-pps.residual-risk",
        "approvals.reference": TODO, "approvals.date": day,
    }


# what a structural provision to a private party gives (the base); everything else is a comment
_BASE_ON = frozenset({
    "partnership", "partnership.permitted_categories", "handling", "handling.urgent", "purpose.measures",
    "data.evaluated", "data.automated_selection",
})

ROUTES: dict[str, Route] = {
    "structural": Route({"en": "a private party within a cooperation arrangement (Art. 62(1)(c) Wiv 2017; "
                               "the safeguards of the letter of 17 February 2025)",
                         "nl": "een private partij binnen een samenwerkingsverband (art. 62 lid 1 sub c Wiv 2017; "
                               "de waarborgen uit de Kamerbrief van 17 februari 2025)"}),
    "ad-hoc": Route({"en": "a private party, once, outside a cooperation arrangement (Art. 62(1)(c) Wiv 2017)",
                     "nl": "een private partij, eenmalig, buiten een samenwerkingsverband (art. 62 lid 1 sub c Wiv 2017)"},
                    {"context": "ad_hoc"}, off=frozenset({"partnership"})),
    "foreign-service": Route({"en": "a foreign service with a cooperation relationship (Art. 62(1)(d), 88 Wiv 2017)",
                              "nl": "een buitenlandse dienst waarmee wordt samengewerkt (art. 62 lid 1 sub d, 88 Wiv 2017)"},
                             {"context": "ad_hoc", "recipient.kind": "foreign_service", "recipient.country": "DE",
                              "recipient.concern": "can_mitigate"},
                             on=frozenset({"recipient.relationship"}), off=frozenset({"partnership"})),
    "urgent-foreign-service": Route({"en": "a foreign service without a cooperation relationship, on an urgent and "
                                          "weighty reason (Art. 64 Wiv 2017)",
                                    "nl": "een buitenlandse dienst zonder samenwerkingsrelatie, om een dringende en "
                                          "gewichtige reden (art. 64 Wiv 2017)"},
                                    {"context": "ad_hoc", "recipient.kind": "foreign_service",
                                     "recipient.country": "DE", "recipient.relationship": "none"},
                                    on=frozenset({"recipient.relationship", "purpose.urgent_reason"}),
                                    off=frozenset({"partnership"})),
    "public-prosecutor": Route({"en": "the public prosecutor, an official report (Art. 66 Wiv 2017)",
                                "nl": "het Openbaar Ministerie, een ambtsbericht (art. 66 Wiv 2017)"},
                               {"context": "ad_hoc", "recipient.kind": "public_prosecutor",
                                "recipient.concern": "can_mitigate", "purpose.task": "8.2.a", "purpose.aim": "other",
                                "purpose.measures": "against_persons"},
                               on=frozenset({"recipient.can_take_measures", "data.lawyer_client"}),
                               off=frozenset({"partnership"})),
    "designated-public-body": Route({"en": "a body with a public task designated by order in council, on an urgent "
                                          "and weighty reason (Art. 67 Wiv 2017)",
                                    "nl": "een bij algemene maatregel van bestuur aangewezen orgaan met een publieke "
                                          "taak, om een dringende en gewichtige reden (art. 67 Wiv 2017)"},
                                    {"context": "ad_hoc", "recipient.kind": "designated_public_body",
                                     "recipient.concern": "can_mitigate"},
                                    on=frozenset({"purpose.urgent_reason"}), off=frozenset({"partnership"})),
}
DEFAULT_ROUTE = "structural"

_WORDS = {
    "en": {"required": "required", "optional": "optional", "holds": "holds",
           "head": ["wivcheck provision template, route {route}: {title}.",
                    "Every value is an example or TODO: check each one against the facts of your provision.",
                    "A line `# name: value` is an optional field left out: remove `# ` to give it.",
                    "Check it with: wivcheck check --lang en provision.yaml (it reads as printed; the reasons",
                    "name what to write). Every field: docs/provision.md, or wivcheck provision schema."],
           "approvals": "When a decision escalates, the person asked approves with a reference; add it here:"},
    "nl": {"required": "verplicht", "optional": "optioneel", "holds": "bevat",
           "head": ["wivcheck-sjabloon voor een verstrekking, route {route}: {title}.",
                    "Elke waarde is een voorbeeld of TODO: toets elke waarde aan de feiten van uw verstrekking.",
                    "Een regel `# naam: waarde` is een weggelaten optioneel veld: haal `# ` weg om het te geven.",
                    "Controleer met: wivcheck check provision.yaml (het sjabloon leest zoals het is; de redenen",
                    "noemen wat u moet invullen). Alle velden: docs/provision.md, of wivcheck provision schema."],
           "approvals": "Wordt een beslissing voorgelegd, dan keurt de gevraagde persoon goed met een kenmerk; "
                        "neem dat hier op:"},
}


def provision_schema() -> dict:
    """The JSON Schema (draft 2020-12) of a provision, every field described from the reference
    (English in `description`, Dutch under `x-nl`, the article under `x-article`)."""
    schema = Provision.model_json_schema()
    return {"$schema": "https://json-schema.org/draft/2020-12/schema",
            "$id": "https://wivcheck.invalid/provision.schema.json",
            **schema,
            "description": "A proposed provision of data by the AIVD or MIVD (wivcheck input contract v1.1)."}


def scalar(value) -> str:
    """A value as YAML that reads back as itself under the safe loader (policy/yamlsafe.py)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, dt.date)):
        return value.isoformat() if isinstance(value, dt.date) else str(value)
    if isinstance(value, list):
        return "[" + ", ".join(scalar(v) for v in value) + "]"
    text = str(value)
    plain = text.replace("_", "").replace("-", "").isalnum() and not text[:1].isdigit()
    return text if plain and text.lower() not in ("true", "false", "null", "yes", "no", "on", "off") \
        else json.dumps(text, ensure_ascii=False)


def _fields(model: type[BaseModel], prefix: str = ""):
    """(path, name, submodel or None, required) for every field, in the model's order; required:
    the model has no default for it (a field with a default may be left out)."""
    for name, info in model.model_fields.items():
        yield prefix + name, name, submodel(info.annotation), info.is_required()


def required_fields() -> dict[str, bool]:
    """Every field path with whether it must be given whenever its object is."""
    out: dict[str, bool] = {}

    def walk(model, prefix):
        for path, _, sub, required in _fields(model, prefix):
            out[path] = required
            if sub is not None:
                walk(sub, path + ".")
    walk(Provision, "")
    return out


def _comment(path: str, lang: str, indent: str, required: bool) -> list[str]:
    doc = field_reference()[path]
    w = _WORDS[lang]
    ft = FIELD_TYPES[path]
    need = w["required"] if required else w["optional"]
    out = [f"{indent}# {doc.label[lang]} ({need}): {doc.text(lang)}"]
    if ft.kind not in ("object", "str"):
        out.append(f"{indent}#   {kind_text(ft, lang, path)}")
    return out


def template(lang: str = "en", route: str = DEFAULT_ROUTE, day: dt.date | None = None) -> str:
    """A commented YAML provision for `route` (a key of ROUTES) in `lang`, dated `day` (default
    today). Raises KeyError for an unknown route."""
    spec = ROUTES[route]
    day = day or dt.date.today()
    values = {**_values(day), **spec.values}
    on = (_BASE_ON | spec.on) - spec.off
    w = _WORDS[lang]
    lines = [f"# {line}" for line in w["head"]]
    lines[0] = lines[0].format(route=route, title=spec.title[lang])
    lines.append("")

    def present(path: str, required: bool, parent_on: bool) -> bool:
        return parent_on and (required or path in on)

    def emit(model, prefix: str, depth: int, parent_on: bool) -> None:
        indent = "  " * depth
        for path, name, sub, required in _fields(model, prefix):
            if path == "approvals":
                continue
            here = present(path, required, parent_on)
            mark = "" if here else "# "
            if depth == 0:
                lines.append("")
            lines.extend(_comment(path, lang, indent, required))
            if sub is not None:
                lines.append(f"{indent}{mark}{name}:")
                emit(sub, path + ".", depth + 1, here)
            else:
                lines.append(f"{indent}{mark}{name}: {scalar(values[path])}")

    emit(Provision, "", 0, True)
    lines += ["", *_comment("approvals", lang, "", False), f"# {w['approvals']}", "# approvals:"]
    first = True
    for path, name, _, _ in _fields(submodel(Provision.model_fields["approvals"].annotation), "approvals."):
        lines += [f"#   {'- ' if first else '  '}{name}: {scalar(values[path])}"
                  + f"   # {field_reference()[path].help[lang]}"]
        first = False
    return "\n".join(lines).replace("\n\n\n", "\n\n") + "\n"


def markdown() -> str:
    """docs/provision.md: every field with whether it is required, what it holds, its meaning in
    English and Dutch, and the article that needs it; the templates per route."""
    ref = field_reference()
    out = ["# The provision, field by field",
           "",
           "<!-- Generated from engine/provision_fields.yaml and engine/provision.py by `make docs`",
           "     (`wivcheck provision doc > docs/provision.md`); tests/engine/test_reference.py fails when",
           "     this file is stale. Do not edit by hand. -->",
           "",
           "Every field a provision (input contract v1.1, DESIGN.md) can hold. *Required* means required",
           "whenever the object it sits in is given; an optional field left out is an unknown fact, and a",
           "rule that needs it does not pass (the reason names the field to fill in). The same descriptions",
           "are in the JSON Schema (`wivcheck provision schema`), the OpenAPI (`/openapi.json`) and the",
           "errors. A commented template to start from: `wivcheck provision template [--lang nl|en]",
           "[--route ROUTE]`.",
           ""]
    sections: list[tuple[str, list[str]]] = []
    for path, name, sub, _ in _fields(Provision):
        rows = [path] + ([p for p in FIELD_TYPES if p.startswith(path + ".")] if sub is not None else [])
        sections.append((path, rows))
    top = [p for p, rows in sections if len(rows) == 1]
    groups = [("Provision", top)] + [(p, rows) for p, rows in sections if len(rows) > 1]
    for title, rows in groups:
        heading = title if title == "Provision" else f"`{title}`: {ref[title].label['en']} ({ref[title].label['nl']})"
        out += [f"## {heading}", "", "| field | required | holds | meaning | betekenis | article |",
                "|---|---|---|---|---|---|"]
        required = required_fields()
        for path in rows:
            ft, doc = FIELD_TYPES[path], ref[path]
            holds = kind_text(ft, "en", path)
            out.append(f"| `{path}` | {'yes' if required[path] else 'no'} | {_cell(holds)} | "
                       f"**{_cell(doc.label['en'])}**: {_cell(doc.help['en'])} | "
                       f"**{_cell(doc.label['nl'])}**: {_cell(doc.help['nl'])} | {_cell(doc.article)} |")
        out.append("")
    out += ["## Templates per route", "", "| route | for |", "|---|---|"]
    out += [f"| `{name}`{' (default)' if name == DEFAULT_ROUTE else ''} | {_cell(r.title['en'])} |"
            for name, r in ROUTES.items()]
    out += ["", "`wivcheck provision template --route foreign-service --lang en > provision.yaml` writes one;",
            "it reads without error as printed, and `wivcheck check` on it names what to write.", ""]
    return "\n".join(out)


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")
