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


@pytest.mark.parametrize("field", ["necessity", "proportionality", "urgent_reason"])
@pytest.mark.parametrize("value", ["", "   ", "\n", "\u200b" * 45, "\u200b\u200c\u200d\u2060\ufeff",
                                   "...!!!---", "\u00a0\u2028\t", "\u0301\u0301", "\x07\x1b\x7f", "\u202e\u202c"])
def test_empty_free_text_is_rejected(field, value):
    """Free text without a visible letter or digit is empty: white space, zero-width and other
    format or control characters, punctuation and lone combining marks alike."""
    out = problems({"purpose": {field: value}})
    assert f"purpose.{field}" in out


@pytest.mark.parametrize("path,value", [
    (("approvals", 0, "reference"), "\u200b"), (("request", "reference"), "\u2063\u2063"),
    (("recipient", "name"), "\u200b\u200b"),
])
def test_invisible_references_and_names_are_rejected(path, value):
    data = patched({"request": {"form": "written", "designated": True, "reference": "NS-1"},
                    "approvals": [{"role": "diensthoofd", "rule": "waarborgen-pps.residual-risk",
                                   "reference": "DH-1", "date": "2025-03-10"}]})
    node = data
    for p in path[:-1]:
        node = node[p]
    node[path[-1]] = value
    with pytest.raises(ProvisionError) as exc:
        provision_from_data(data)
    text = "\n".join(map(str, exc.value.problems))
    assert ".".join(map(str, path)) in text and "no visible letter or digit" in text


def test_visible_text_with_invisible_padding_is_kept_for_the_rules():
    """A letter among the invisible characters makes the text non-empty; the rules' letter count
    judges it (wiv2017.necessity-substantiated)."""
    p = provision_from_data(patched({"purpose": {"necessity": "Blokkeren." + "\u200b" * 60}}))
    assert p.purpose.necessity.startswith("Blokkeren.")


@pytest.mark.parametrize("category", ["email_addresses", "account_names", "personal_data"])
def test_personal_data_by_nature_without_personal_data_is_a_contradiction(category):
    out = problems({"data": {"categories": ["domain_names", category], "personal_data": False}})
    assert "personal data by nature" in out and category in out


def test_v11_dates_are_checked():
    out = problems({"data": {"personal_data": True, "categories": ["email_addresses"],
                             "personal_data_oldest": "2020-01-01", "personal_data_newest": "2019-01-01"}})
    assert "personal_data_newest (2019-01-01) lies before personal_data_oldest (2020-01-01)" in out
    assert "personal_data_newest is set but personal_data is false" in problems(
        {"data": {"personal_data_newest": "2020-01-01"}})
    assert "personal_data_newest (2025-03-15) lies after the provision date" in problems(
        {"data": {"personal_data": True, "categories": ["email_addresses"], "personal_data_newest": "2025-03-15"}})
    assert "recipient.cleared_until" in problems({"recipient": {"cleared_until": "2025-02-30"}})


def test_v11_fields_are_optional_and_typed():
    base = base_data()
    for section, key in (("purpose", "measures"), ("data", "evaluated"), ("data", "automated_selection"),
                         ("data", "lawyer_client")):
        base[section].pop(key, None)
    assert provision_from_data(base).purpose.measures is None
    assert "recipient.relationship" in problems({"recipient": {"relationship": "friendly"}})
    assert "purpose.measures" in problems({"purpose": {"measures": "arrest"}})
    assert "request.form" in problems({"request": {"designated": True}})
    assert "data.evaluated" in problems({"data": {"evaluated": "maybe"}})
    ok = provision_from_data(patched({"recipient": {"kind": "public_prosecutor"},
                                      "handling": {"form": "written", "court_consent": True},
                                      "request": {"form": "written", "designated": True}}))
    assert ok.handling.court_consent is True and ok.request.designated is True


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
