"""Rule files: broken ones give errors naming file, line and rule; versions are chosen by date or
name; every file is hashed."""

from __future__ import annotations

import datetime as dt
import hashlib
import textwrap

import pytest

from wivcheck.engine import FACT_SCHEMA, load_library
from wivcheck.policy import Library, PolicyError, PolicyErrors, SelectionError, load_file

GOOD = textwrap.dedent("""\
    ruleset: test-set
    version: v1
    status: in_force
    valid_from: 2020-01-01
    title: {nl: Test, en: Test}
    source: {note: test}
    rules:
      - id: consent
        title: {nl: Toestemming, en: Consent}
        cites:
          - {source: Wiv 2017, article: "18", lid: "2"}
        basis: policy
        applies_if: {fact: data.origin, equals: foreign_service}
        requires: {fact: data.originator_consent, equals: true}
        on_fail: deny
        message: {nl: "Geen toestemming ({data.origin})", en: "No consent ({data.origin})"}
    """)


def write(tmp_path, text, name="test-set", version="v1"):
    d = tmp_path / "rules" / name
    d.mkdir(parents=True, exist_ok=True)
    f = d / f"{version}.yaml"
    f.write_text(text)
    return f


def errors_of(tmp_path, text, **kw) -> list[PolicyError]:
    f = write(tmp_path, text, **kw)
    with pytest.raises(PolicyError) as exc:
        load_file(f, FACT_SCHEMA)
    err = exc.value
    return err.errors if isinstance(err, PolicyErrors) else [err]


def line_of(text: str, needle: str) -> int:
    return next(i for i, l in enumerate(text.splitlines(), 1) if needle in l)


def test_good_file_loads_and_is_hashed(tmp_path):
    f = write(tmp_path, GOOD)
    v = load_file(f, FACT_SCHEMA)
    assert v.ref == "test-set@v1"
    assert v.sha256 == hashlib.sha256(f.read_bytes()).hexdigest()


@pytest.mark.parametrize("old,new,needle,message", [
    ("fact: data.originator_consent", "fact: data.originator_consnet", "data.originator_consnet",
     "unknown fact 'data.originator_consnet' (did you mean data.originator_consent"),
    ("equals: foreign_service", "equals: foreign_spy", "foreign_spy", "'foreign_spy' is not a value of data.origin"),
    ("equals: true}", "lt: 3}", "lt: 3", "operator 'lt' does not fit data.originator_consent (bool)"),
    ("equals: true}", "equals: 1}", "equals: 1", "true or false"),
    ("equals: true}", "equals: true, exists: true}", "exists: true", "exactly one operator"),
    ("on_fail: deny", "on_fail: escalate", "- id: consent", "on_fail escalate needs escalate_to"),
    ("on_fail: deny", "on_fail: maybe", "on_fail", "on_fail"),
    ('message: {nl: "Geen toestemming ({data.origin})", en: "No consent ({data.origin})"}',
     'message: {nl: "Geen toestemming"}', "message", "en: field required"),
    ("({data.origin})\", en", "({data.orgin})\", en", "message", "placeholder {data.orgin} is not a fact"),
    ("basis: policy", "basis: hunch", "basis", "basis"),
    ("applies_if: {fact: data.origin, equals: foreign_service}",
     "applies_if: {fact: purpose.necessity, matches: '(unclosed'}", "applies_if", "does not compile"),
    ("applies_if: {fact: data.origin, equals: foreign_service}",
     "applies_if: {fact: data.volume, gt: {fact: date}}", "applies_if", "cannot compare data.volume (int) with date (date)"),
    ("applies_if: {fact: data.origin, equals: foreign_service}",
     "applies_if: {fact: data.volume, gt: {fact: data.volume, offset: -1y}}", "applies_if", "offset"),
    ("applies_if: {fact: data.origin, equals: foreign_service}",
     "applies_if: {fact: data.categories, contains: cats}", "applies_if", "'cats' is not an item value"),
    ("applies_if: {fact: data.origin, equals: foreign_service}",
     "applies_if: {allof: []}", "applies_if", "applies_if"),
])
def test_broken_rule_names_file_line_and_rule(tmp_path, old, new, needle, message):
    assert old in GOOD
    text = GOOD.replace(old, new)
    errs = errors_of(tmp_path, text)
    joined = "\n".join(str(e) for e in errs)
    assert message in joined
    err = errs[0]
    assert err.file.endswith("test-set/v1.yaml")
    assert err.rule == "test-set.consent"
    assert err.line == line_of(text, needle), joined


def test_missing_citation(tmp_path):
    text = GOOD.replace('cites:\n      - {source: Wiv 2017, article: "18", lid: "2"}\n', "cites: []\n")
    assert "cites: []" in text
    errs = errors_of(tmp_path, text)
    assert errs[0].rule == "test-set.consent" and "cites" in str(errs[0])


def test_duplicate_rule_id(tmp_path):
    rule = GOOD[GOOD.index("  - id: consent"):]
    errs = errors_of(tmp_path, GOOD + rule)
    assert any("duplicate rule id" in str(e) and e.line == line_of(GOOD + rule, "id: consent") + 0
               or "duplicate rule id" in str(e) for e in errs)
    dup = next(e for e in errs if "duplicate rule id" in str(e))
    assert dup.line == len(GOOD.splitlines()) + 1


@pytest.mark.parametrize("text,message,line", [
    ("ruleset: x\n  bad: [", "YAML syntax", 2),
    ("ruleset: a\nruleset: b\n", "duplicate key 'ruleset'", 2),
    ("a: &anchor {x: 1}\nb: *anchor\n", "anchors and aliases", 1),    # refused at the anchor
    ("a: &anchor\n", "anchors and aliases", 1),          # an anchor alone is no value either
    ("a: !!python/name:os.system x\n", "tag", 1),
    ("[1, 2]\n", "a rule-set file is a mapping", 1),
    ("x: " + "[" * 40 + "]" * 40 + "\n", "nesting deeper", 1),
])
def test_unsafe_or_broken_yaml(tmp_path, text, message, line):
    errs = errors_of(tmp_path, text)
    assert message in str(errs[0]) and errs[0].line == line


def test_size_limit(tmp_path):
    errs = errors_of(tmp_path, GOOD + "#" + "x" * (1 << 20))
    assert "over the limit" in str(errs[0])


def test_file_must_sit_where_its_name_says(tmp_path):
    errs = errors_of(tmp_path, GOOD, version="v2")
    assert "rules/test-set/v1.yaml" in str(errs[0])


def test_unreadable_file(tmp_path):
    with pytest.raises(PolicyError) as exc:
        load_file(tmp_path / "nope.yaml", FACT_SCHEMA)
    assert "cannot read" in str(exc.value)


def test_library_reports_every_broken_file(tmp_path):
    write(tmp_path, GOOD.replace("equals: true", "equals: maybe"))
    write(tmp_path, GOOD.replace("test-set", "other").replace("data.origin,", "data.orign,"), name="other")
    with pytest.raises(PolicyErrors) as exc:
        Library.load(tmp_path / "rules", FACT_SCHEMA)
    assert len({e.file for e in exc.value.errors}) == 2


def test_overlapping_in_force_versions_are_refused(tmp_path):
    write(tmp_path, GOOD)
    write(tmp_path, GOOD.replace("version: v1", "version: v2").replace("2020-01-01", "2021-01-01"), version="v2")
    with pytest.raises(PolicyErrors) as exc:
        Library.load(tmp_path / "rules", FACT_SCHEMA)
    assert "still in force" in str(exc.value)


def _lib(tmp_path):
    write(tmp_path, GOOD.replace("valid_from: 2020-01-01", "valid_from: 2020-01-01\nvalid_until: 2022-01-01"))
    write(tmp_path, GOOD.replace("version: v1", "version: v2").replace("2020-01-01", "2022-01-01"), version="v2")
    write(tmp_path, GOOD.replace("version: v1", "version: draft-3").replace("in_force", "draft")
          .replace("2020-01-01", "2023-01-01"), version="draft-3")
    return Library.load(tmp_path / "rules", FACT_SCHEMA)


@pytest.mark.parametrize("day,version", [
    ("2020-01-01", "v1"), ("2021-12-31", "v1"), ("2022-01-01", "v2"), ("2030-06-01", "v2")])
def test_selection_by_date(tmp_path, day, version):
    sel = _lib(tmp_path).select(dt.date.fromisoformat(day))
    assert [v.version for v in sel] == [version]


def test_nothing_in_force_is_an_error(tmp_path):
    with pytest.raises(SelectionError) as exc:
        _lib(tmp_path).select(dt.date(2019, 12, 31))
    assert "no rule set is in force on 2019-12-31" in str(exc.value)


def test_drafts_only_when_named(tmp_path):
    lib = _lib(tmp_path)
    assert [v.version for v in lib.select(dt.date(2024, 1, 1))] == ["v2"]
    assert [v.version for v in lib.select(dt.date(2024, 1, 1), ["test-set@draft-3"])] == ["draft-3"]
    assert [v.version for v in lib.select(dt.date(2019, 1, 1), ["test-set@draft-3"])] == ["draft-3"]
    with pytest.raises(SelectionError, match="no rule set test-set@v9"):
        lib.select(dt.date(2024, 1, 1), ["test-set@v9"])
    with pytest.raises(SelectionError, match="two versions"):
        lib.select(dt.date(2024, 1, 1), ["test-set@v1", "test-set@v2"])


def test_shipped_selection():
    lib = load_library()
    assert [v.ref for v in lib.select(dt.date(2025, 2, 16))] == ["praktijk@2018-05-01", "wiv2017@2018-05-01-r2"]
    assert [v.ref for v in lib.select(dt.date(2025, 2, 17))] == [
        "praktijk@2018-05-01", "waarborgen-pps@2025-02-17-r2", "wiv2017@2018-05-01-r2"]
    # withdrawn versions stay for replay, chosen only by name
    assert lib.get("wiv2017@2018-05-01").model.superseded_by == "2018-05-01-r2"
    assert [v.ref for v in lib.select(dt.date(2025, 3, 14), ["wiv2017@2018-05-01"])] == [
        "praktijk@2018-05-01", "waarborgen-pps@2025-02-17-r2", "wiv2017@2018-05-01"]
    with pytest.raises(SelectionError):
        lib.select(dt.date(2018, 4, 30))
