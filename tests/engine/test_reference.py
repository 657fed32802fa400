"""The field reference rendered (issue 17, "A field reference"): the JSON Schema carries every
description in both languages, every template reads without error and holds every field, and
docs/provision.md is what the reference says today."""

from __future__ import annotations

import datetime as dt
import json
import re

import jsonschema
import pytest
from hypothesis import given, settings, strategies as st

from conftest import EXAMPLES, ROOT, base_data
from wivcheck.engine import parse_provisions
from wivcheck.engine.fields import field_reference
from wivcheck.engine.provision import FIELD_TYPES
from wivcheck.engine.reference import ROUTES, markdown, provision_schema, required_fields, scalar, template


def test_docs_provision_md_is_current():
    assert (ROOT / "docs" / "provision.md").read_text(encoding="utf-8") == markdown(), \
        "docs/provision.md is stale: run `make docs` and commit it"


def test_every_field_is_in_the_docs_with_both_languages():
    text = markdown()
    for path, doc in field_reference().items():
        row = next(line for line in text.splitlines() if line.startswith(f"| `{path}` |"))
        assert doc.label["en"] in row and doc.label["nl"] in row


def _properties(schema: dict):
    """(path, property schema) for every property of every object in the schema."""
    for name, d in [("", schema), *schema["$defs"].items()]:
        for prop, sub in d.get("properties", {}).items():
            yield f"{name}.{prop}", sub


def test_the_json_schema_describes_every_field_in_both_languages():
    schema = provision_schema()
    seen = 0
    for where, prop in _properties(schema):
        seen += 1
        assert prop.get("description") and (prop.get("title") or "$ref" in prop), where
        assert prop["x-nl"]["description"] and prop["x-nl"]["title"], where
    assert seen == len(FIELD_TYPES)
    kind = schema["$defs"]["Recipient"]["properties"]["kind"]
    assert kind["title"] == "Kind of recipient" and kind["x-nl"]["title"] == "Soort ontvanger"
    assert kind["x-article"] == "Art. 62(1), 62(3)"


def test_the_json_schema_accepts_the_examples_and_refuses_a_typo():
    schema = provision_schema()
    for f in sorted(EXAMPLES.glob("*.yaml")) + sorted((EXAMPLES / "routes").glob("*.yaml")):
        data = json.loads(json.dumps(__import__("yaml").safe_load(f.read_text()), default=str))
        jsonschema.validate(data, schema, cls=jsonschema.Draft202012Validator)
    bad = json.loads(json.dumps(base_data(), default=str))
    bad["recipient"]["kindd"] = bad["recipient"].pop("kind")
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(bad, schema, cls=jsonschema.Draft202012Validator)


@pytest.mark.parametrize("route", sorted(ROUTES))
@pytest.mark.parametrize("lang", ["nl", "en"])
def test_every_template_reads_as_printed_and_decides(route, lang, durable):
    text = template(lang, route, dt.date(2025, 3, 14))
    [p] = parse_provisions(text, "template.yaml")
    assert p.recipient.kind == ROUTES[route].values.get("recipient.kind", "private_party")
    d = durable.decide_many([p])[0]
    rules = {r.rule for r in d.reasons}
    # the placeholders are no substantiation: the rules say so, naming the fields to write
    assert {"wiv2017.necessity-substantiated", "wiv2017.proportionality-substantiated"} <= rules


@pytest.mark.parametrize("route", sorted(ROUTES))
def test_every_template_shows_every_field(route):
    text = template("en", route, dt.date(2025, 3, 14))
    for path in FIELD_TYPES:
        name = path.rpartition(".")[2]
        assert re.search(rf"^[ #-]*{re.escape(name)}:", text, re.M), (route, path)
    # a required field is never a comment where its object is given
    body = [line for line in text.splitlines() if not line.lstrip().startswith("#")]
    for path, required in required_fields().items():
        if required and "." not in path:
            assert any(line.startswith(f"{path}:") for line in body), path


@settings(max_examples=30, deadline=None)
@given(st.dates(dt.date(2018, 5, 1), dt.date(2040, 12, 31)), st.sampled_from(sorted(ROUTES)),
       st.sampled_from(["nl", "en"]))
def test_a_template_of_any_day_reads_without_error(day, route, lang):
    """Property: whatever the provision date, the dates the template derives from it make a valid
    provision (a partner weighed before its description expires, personal data not after the date)."""
    [p] = parse_provisions(template(lang, route, day), "template.yaml")
    assert p.date == day


@given(st.one_of(st.booleans(), st.integers(0, 10**6), st.dates(dt.date(1900, 1, 1), dt.date(2999, 12, 31)),
                 st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), min_size=1, max_size=30)))
def test_a_scalar_reads_back_as_itself(value):
    """Property: every value the template writes reads back, under the product's strict reader, as
    the value written (text stays text, never a number, boolean or date), in the reader's canonical
    form: text is read as Unicode NFC (policy/yamlsafe.py), so a compatibility ideograph such as
    U+F900 reads as the character it stands for."""
    import unicodedata
    from wivcheck.policy.yamlsafe import parse_text
    stripped = value.strip() if isinstance(value, str) else value
    if isinstance(value, str) and not stripped:
        return
    read = parse_text(f"x: {scalar(stripped)}\n").data["x"]
    expected = (stripped.isoformat() if isinstance(stripped, dt.date)
                else unicodedata.normalize("NFC", stripped) if isinstance(stripped, str) else stripped)
    assert read == expected


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_the_summary_of_an_explanation_shows_labels_of_coded_values(lang):
    """Every coded value in the provision summary (dossier, log show) reads as the reference's label,
    with the code kept for whoever compares with the YAML; free text and dates stay as written."""
    from wivcheck.engine import provision_from_data
    from wivcheck.engine.render import provision_summary
    data = base_data()
    rows = dict(provision_summary(provision_from_data(data), lang))
    ref = field_reference()
    kind = data["recipient"]["kind"]
    label = ref["recipient.kind"].value_label(kind, lang)
    assert label != kind and any(v == f"{label} ({kind})" for v in rows.values())
    assert data["recipient"]["name"] in rows.values()
    for value in rows.values():
        assert not re.fullmatch(r"[a-z]+_[a-z_]+", value), value  # no bare code left
