"""A provision's errors a person can act on (issue 17, "Errors a person can act on"): "did you mean"
for an unknown field, type and allowed values for a missing one, the allowed values for a wrong
one, cross-field problems on the field's own line, JSON rather than YAML for JSON input, and the
same words in Dutch."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings, strategies as st

from conftest import EXAMPLES, base_data, patched
from wivcheck.engine import ProvisionError, parse_provisions, provision_from_data
from wivcheck.engine.messages import did_you_mean
from wivcheck.engine.provision import FIELD_TYPES
from wivcheck.engine.words import WORDS


def problems(data, lang="en") -> dict[str, str]:
    with pytest.raises(ProvisionError) as exc:
        provision_from_data(data, lang=lang)
    return {p.path: p.message for p in exc.value.problems}


def text_problems(text: str, source: str = "p.yaml", lang: str = "en") -> list:
    with pytest.raises(ProvisionError) as exc:
        parse_provisions(text, source, lang=lang)
    return exc.value.problems


def test_an_unknown_field_gets_the_nearest_known_path():
    data = patched({"recipient": {"kindd": "private_party", "kind": None}})
    out = problems(data)
    assert out["recipient.kindd"] == "unknown field; did you mean recipient.kind?"
    assert problems(data, "nl")["recipient.kindd"] == "onbekend veld; bedoelt u recipient.kind?"


def test_a_field_at_the_wrong_level_is_found_where_it_belongs():
    out = problems(patched({"tlp": "AMBER"}))
    assert out["tlp"] == "unknown field; did you mean data.tlp?"


def test_an_unknown_field_with_nothing_near_lists_the_fields_of_its_object():
    out = problems(patched({"handling": {"form": "written", "zzzzzz": 1}}))
    assert out["handling.zzzzzz"] == "unknown field (known here: form, urgent, court_consent)"


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(sorted(p for p in FIELD_TYPES if len(p.rpartition(".")[2]) >= 4)), st.data())
def test_one_doubled_letter_is_always_recognised(path, data):
    """Property: any field name of four letters or more with one letter typed twice is suggested
    back as the field it was meant to be, first."""
    parent, _, name = path.rpartition(".")
    i = data.draw(st.integers(0, len(name) - 1))
    typo = name[:i + 1] + name[i] + name[i + 1:]
    assert did_you_mean((parent + "." if parent else "") + typo)[0] == path


def test_a_required_field_says_what_it_holds_and_means():
    data = base_data()
    del data["recipient"]["concern"]
    out = problems(data)["recipient.concern"]
    assert out.startswith("field required: one of victim, infrastructure_operator, can_mitigate, none. ")
    assert "Art. 62(1)(a)-(c)" in out
    nl = problems(data, "nl")["recipient.concern"]
    assert nl.startswith("verplicht veld: een van victim, infrastructure_operator, can_mitigate, none. Slachtoffer")


@pytest.mark.parametrize("path,words", [
    ("data.volume", "a whole number"), ("partnership.secrecy_until", "a date YYYY-MM-DD"),
    ("data.personal_data", "true or false"), ("purpose.necessity", "text"),
    ("data.categories", "a list of domain_names, ip_addresses"),
    ("purpose", "an object with the fields task, aim, necessity, proportionality"),
])
def test_a_required_field_names_its_type(path, words):
    data = base_data()
    *parents, last = path.split(".")
    node = data
    for p in parents:
        node = node[p]
    del node[last]
    assert problems(data)[path].startswith(f"field required: {words}")


def test_a_wrong_value_lists_the_allowed_values():
    out = problems(patched({"data": {"tlp": "ORANGE"}}))
    assert out["data.tlp"] == "'ORANGE' is not allowed; allowed: CLEAR, GREEN, AMBER, AMBER+STRICT, RED"
    out = problems(patched({"data": {"categories": ["urls", "phone_numbers"]}}), "nl")
    assert out["data.categories.1"].startswith("'phone_numbers' is niet toegestaan; toegestaan: domain_names, ")


def test_patterned_fields_say_their_form():
    out = problems(patched({"recipient": {"country": "nl"}}))
    assert out["recipient.country"] == "not in the expected form: two capital letters, ISO 3166-1 (e.g. NL)"


def test_cross_field_problems_sit_on_the_field_and_its_line():
    text = (EXAMPLES / "allow-structural.yaml").read_text().replace(
        "  personal_data: false", "  personal_data: false\n  personal_data_oldest: 2020-01-01")
    [p] = text_problems(text)
    assert p.path == "data.personal_data_oldest"
    assert p.line == text.splitlines().index("  personal_data_oldest: 2020-01-01") + 1
    assert p.message == "personal_data_oldest is set but personal_data is false"
    [nl] = text_problems(text, lang="nl")
    assert nl.message == "personal_data_oldest is ingevuld maar personal_data is false"
    out = problems(patched({"partnership": {"assessed_on": "2027-01-01"}}))
    assert out == {"partnership.valid_until":
                   "valid_until must come after assessed_on (2026-11-01 is not after 2027-01-01)"}


def test_every_own_check_has_words_in_both_languages():
    for kind, words in WORDS.items():
        assert set(words) == {"en", "nl"} and words["en"] != words["nl"], kind


def test_json_input_errors_say_json():
    [p] = text_problems('{"id": "x",\n "service": }', "p.json")
    assert p.message.startswith("JSON syntax: ") and p.line == 2 and "YAML" not in p.message
    [p] = text_problems('{"id": "x",\n "service": }', "<stdin>", lang="nl")
    assert p.message.startswith("JSON-syntaxis: ")
    [p] = text_problems("id: [", "p.yaml")
    assert p.message.startswith("YAML syntax: ")
    dup = json.dumps(base_data(), default=str).replace('"id": "PRV-2025-0042"', '"id": "A", "id": "B"')
    [p] = text_problems(dup, "p.json", lang="nl")
    assert p.message == "de sleutel 'id' komt twee keer voor"


def test_an_error_changes_nothing_and_is_no_provision():
    data = patched({"recipient": {"kindd": "x"}})
    before = json.dumps(data, default=str, sort_keys=True)
    problems(data)
    assert json.dumps(data, default=str, sort_keys=True) == before
