"""Every field of the provision has a label and a help text in Dutch and English (the field
reference), and the reference names no field the provision does not have."""

from __future__ import annotations

from wivcheck.engine import FACT_SCHEMA
from wivcheck.engine.fields import field_doc, field_reference
from wivcheck.engine.provision import Approval


def _paths() -> set[str]:
    paths = set(FACT_SCHEMA.paths()) | {"approvals"}
    paths |= {f"approvals.{name}" for name in Approval.model_fields}
    return paths


def test_every_field_is_documented_in_both_languages():
    ref = field_reference()
    missing = sorted(_paths() - set(ref))
    assert missing == []
    for doc in ref.values():
        for lang in ("nl", "en"):
            assert doc.label[lang].strip() and doc.help[lang].strip(), (doc.path, lang)


def test_the_reference_names_only_real_fields():
    assert sorted(set(field_reference()) - _paths()) == []


def test_list_items_find_their_field():
    assert field_doc("approvals[3].rule").path == "approvals.rule"
    assert field_doc("no.such.field") is None


def test_an_unquoted_comma_cannot_cut_a_help_text_short():
    """`{nl: a, b, en: c}` is YAML for four keys, two of them stray: the reference refuses it rather
    than keep `a` as the whole Dutch text (four entries were cut this way once)."""
    import pytest

    from wivcheck.engine.fields import parse_reference
    good = "x:\n  label: {nl: X, en: X}\n  help: {nl: \"een, twee\", en: \"one, two\"}\n"
    assert parse_reference(good)["x"].help == {"nl": "een, twee", "en": "one, two"}
    with pytest.raises(ValueError, match="x.help"):
        parse_reference("x:\n  label: {nl: X, en: X}\n  help: {nl: een, twee, en: one, two}\n")
    with pytest.raises(ValueError, match="x: an entry"):
        parse_reference("x:\n  label: {nl: X, en: X}\n  help: {nl: a, en: b}\n  hepl: c\n")


def test_every_allowed_value_has_a_label_in_both_languages():
    """The page's selects and checkboxes show a label per value: the reference labels exactly the
    values the model allows, no more and no fewer, and no field without values."""
    from wivcheck.engine.provision import FIELD_TYPES
    ref = field_reference()
    for path, ft in FIELD_TYPES.items():
        assert set(ref[path].values) == set(ft.values), path
        for value in ft.values:
            for lang in ("nl", "en"):
                assert ref[path].value_label(value, lang).strip(), (path, value, lang)
    assert ref["recipient.kind"].value_label("foreign_service", "nl").startswith("Buitenlandse")


def test_a_value_label_must_be_bilingual():
    import pytest

    from wivcheck.engine.fields import parse_reference
    head = "x:\n  label: {nl: X, en: X}\n  help: {nl: a, en: b}\n"
    assert parse_reference(head + "  values:\n    v: {nl: Vau, en: Vee}\n")["x"].value_label("v", "nl") == "Vau"
    with pytest.raises(ValueError, match="x.values.v"):
        parse_reference(head + "  values:\n    v: {nl: Vau}\n")
    with pytest.raises(ValueError, match="x.values"):
        parse_reference(head + "  values: [a, b]\n")
