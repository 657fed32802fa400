"""The provision model rejects bad input with errors naming the field (and line), and changes nothing."""

from __future__ import annotations

import pytest

from conftest import EXAMPLES, base_data, patched
from wivcheck.engine import ProvisionError, parse_provisions, provision_from_data


def problems(patch, base=None) -> str:
    with pytest.raises(ProvisionError) as exc:
        provision_from_data(patched(patch, base))
    return "\n".join(map(str, exc.value.problems))


def test_examples_parse():
    for f in EXAMPLES.glob("*.yaml"):
        assert parse_provisions(f.read_bytes(), str(f))


def test_unknown_field_is_named():
    assert "recipient.colour: unknown field" in problems({"recipient": {"colour": "red"}})
    assert "reason: unknown field" in problems({"reason": "x"})


def test_wrong_enum_is_named():
    out = problems({"recipient": {"kind": "company"}})
    assert "recipient.kind" in out and "private_party" in out


def test_impossible_date_is_named():
    assert "date: not a real date" in problems({"date": "2025-02-30"})
    assert "partnership.valid_until" in problems({"partnership": {"valid_until": "2024-13-01"}})
    assert "a date YYYY-MM-DD" in problems({"date": "14-03-2025"})
    assert "between 1900 and 2999" in problems({"date": "0999-01-01"})


def test_partner_weighed_after_expiry_is_impossible():
    out = problems({"partnership": {"assessed_on": "2027-01-01"}})
    assert "partnership" in out and "valid_until must come after assessed_on" in out


def test_personal_data_younger_than_the_provision_is_impossible():
    out = problems({"data": {"personal_data": True, "personal_data_oldest": "2025-03-15"}})
    assert "lies after the provision date" in out


@pytest.mark.parametrize("field", ["necessity", "proportionality"])
@pytest.mark.parametrize("value", ["", "   ", "\n"])
def test_empty_justification_is_rejected(field, value):
    assert f"purpose.{field}" in problems({"purpose": {field: value}})


def test_missing_required_field():
    data = base_data()
    del data["data"]["tlp"]
    assert "data.tlp: field required" in problems({}, data)


def test_contradictions_are_rejected():
    assert "special_categories is true but personal_data is false" in problems(
        {"data": {"special_categories": True}})
    assert "categories has personal_data" in problems(
        {"data": {"categories": ["personal_data"]}})
    assert "twice" in problems({"data": {"categories": ["urls", "urls"]}})


def test_yaml_error_names_the_line():
    text = (EXAMPLES / "allow-structural.yaml").read_text().replace("kind: private_party", "kind: company")
    with pytest.raises(ProvisionError) as exc:
        parse_provisions(text, "p.yaml")
    line = text.splitlines().index("  kind: company") + 1
    assert f"line {line}: recipient.kind" in str(exc.value.problems[0])


def test_norway_stays_a_country():
    text = (EXAMPLES / "allow-structural.yaml").read_text().replace("country: NL", "country: NO")
    assert parse_provisions(text)[0].recipient.country == "NO"


def test_list_of_provisions_names_the_bad_item():
    import json
    items = [base_data(), patched({"service": "KGB"})]
    with pytest.raises(ProvisionError) as exc:
        parse_provisions(json.dumps(items, default=str))
    assert exc.value.problems[0].path == "[1].service"


@pytest.mark.parametrize("text,needle", [
    ("", "empty"),
    ("- [", "YAML syntax"),
    ("just text", "a mapping"),
    ("a: &x 1\nb: *x", "aliases"),
    ("id: a\nid: b", "duplicate key"),
    ("x: !!python/object:os.system {}", "tag"),
    ("id: \x84abc", "special characters are not allowed"),
])
def test_unparsable_input(text, needle):
    with pytest.raises(ProvisionError) as exc:
        parse_provisions(text)
    assert needle in str(exc.value)


def test_json_input_is_accepted():
    import json
    assert parse_provisions(json.dumps(base_data(), default=str))[0].id == "PRV-2025-0042"
