"""The rule language's additions for contract v1.1: the letter count (`min_letters`), dated lists
(`in_list`), grounds (with `when`), obligations and advice, withdrawn versions with a successor, and
the law's counting of periods across the leap day. Both evaluators on each."""

from __future__ import annotations

import datetime as dt
import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import provision
from strategies import library_of, version_of
from wivcheck.engine import Engine, EngineError
from wivcheck.policy import RuleSetFile
from wivcheck.policy.dates import shift
from wivcheck.policy.semantics import compile_condition
from wivcheck.policy.text import has_visible_letter, visible_letters

BACKENDS = ["durable", "oracle"]
CITE = [{"source": "Wiv 2017", "article": "62", "lid": "1", "onderdeel": "c"}]


def rule(i, requires, **extra):
    return {"id": f"r{i}", "title": {"nl": "t", "en": "t"}, "cites": CITE, "basis": "statute",
            "requires": requires, "on_fail": "deny", "message": {"nl": "m", "en": "m"}, **extra}


def trace(version, patch, backend):
    d = Engine(library_of(version), backend).decide(provision(patch))
    return d, {t.rule: t.status for t in d.trace}


# ---- visible letters ----------------------------------------------------------------------------

@pytest.mark.parametrize("text,count", [
    ("Blokkeren", 9), ("Blok\u200bkeren", 9), ("...---!!!", 0), ("\u200b" * 10, 0), ("e\u0301", 1),
    ("ÉÉN 2 drie", 8), ("\u202eabc\u202c", 3), ("٣٤٥", 3), ("漢字", 2), ("\u00a0\t\n", 0), ("_-_", 0),
])
def test_visible_letters(text, count):
    assert visible_letters(text) == count
    assert has_visible_letter(text) == (count > 0)


def _by_category(text: str) -> int:
    return sum(1 for ch in text if unicodedata.category(ch)[0] in "LN")


def test_ascii_letters_and_digits_are_exactly_categories_l_and_n():
    """The ASCII fast path of visible_letters deletes A-Z, a-z, 0-9: no other ASCII character is L* or N*."""
    assert [chr(c) for c in range(128) if unicodedata.category(chr(c))[0] in "LN"] == \
        sorted("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")


@settings(max_examples=500, deadline=None)
@given(st.text(max_size=80) | st.text(st.characters(max_codepoint=127), max_size=80))
def test_visible_letters_is_the_count_by_category(text):
    assert visible_letters(text) == _by_category(text)
    assert has_visible_letter(text) == (_by_category(text) > 0)


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("text,status", [
    ("a" * 40, "satisfied"), ("a" * 39, "violated"), ("a\u200b" * 39 + ".", "violated"),
    ("a\u200b" * 40, "satisfied"), ("Block." + "\u200b" * 60, "violated"), ("1 2 3 4 5 6 7 8 9 0 " * 4, "satisfied"),
])
def test_min_letters_counts_only_visible_letters_and_digits(backend, text, status):
    v = version_of([rule(0, {"fact": "purpose.necessity", "min_letters": 40})])
    _, t = trace(v, {"purpose": {"necessity": text}}, backend)
    assert t["gen.r0"] == status


@pytest.mark.parametrize("backend", BACKENDS)
def test_min_letters_on_an_absent_text_is_missing(backend):
    v = version_of([rule(0, {"fact": "purpose.urgent_reason", "min_letters": 40})])
    _, t = trace(v, {"purpose": {"urgent_reason": None}}, backend)
    assert t["gen.r0"] == "missing"


# ---- dated lists --------------------------------------------------------------------------------

@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("country,day,status", [
    ("NL", "2025-03-14", "satisfied"), ("BE", "2024-02-28", "violated"), ("BE", "2024-02-29", "satisfied"),
    ("NO", "2025-02-16", "satisfied"), ("NO", "2025-02-17", "violated"), ("US", "2025-12-31", "satisfied"),
    ("US", "2026-01-01", "violated"), ("AT", "2025-03-14", "violated"),
])
def test_in_list_judges_membership_on_the_provision_date(backend, country, day, status):
    v = version_of([rule(0, {"fact": "recipient.country", "in_list": "gl"})])
    _, t = trace(v, {"date": day, "recipient": {"country": country}, "context": "ad_hoc", "partnership": None}, backend)
    assert t["gen.r0"] == status


def test_in_list_must_name_a_list_of_the_file_and_fit_the_fact():
    from wivcheck.engine import FACT_SCHEMA
    from wivcheck.policy.validate import check_ruleset
    doc = {"ruleset": "x", "version": "v1", "status": "in_force", "valid_from": "2000-01-01",
           "title": {"nl": "x", "en": "x"}, "source": {"note": "x"},
           "rules": [rule(0, {"fact": "recipient.country", "in_list": "nope"}),
                     rule(1, {"fact": "recipient.kind", "in_list": "kinds"})],
           "lists": {"kinds": {"title": {"nl": "x", "en": "x"}, "cites": CITE, "basis": "policy",
                               "items": [{"value": "private_party"}, {"value": "company"}]}}}
    problems = [p.message for p in check_ruleset(RuleSetFile.model_validate(doc), FACT_SCHEMA)]
    assert any("no list 'nope'" in m for m in problems)
    assert any("'company' is not a value of recipient.kind" in m for m in problems)


# ---- grounds, obligations, advice ----------------------------------------------------------------

def _routed(*, when=None, obligations=(), advice=()):
    ground = {"cite": CITE[0], **({"when": when} if when else {})}
    return version_of([rule(0, {"fact": "recipient.concern", "not_equals": "none"}, grounds=[ground])],
                      obligations=obligations, advice=advice)


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_satisfied_rule_names_its_ground(backend):
    d, _ = trace(_routed(), {}, backend)
    assert d.decision == "allow" and [(g.cite, g.rule) for g in d.grounds] == [("Art. 62(1)(c) Wiv 2017", "gen.r0")]


@pytest.mark.parametrize("backend", BACKENDS)
def test_an_allow_without_a_ground_is_refused(backend):
    """Rule sets that name the routes of the law leave no allow without one (Art. 62(3))."""
    v = _routed(when={"fact": "recipient.kind", "equals": "minister"})
    with pytest.raises(EngineError, match="allow without a ground"):
        Engine(library_of(v), backend).decide(provision())
    d, _ = trace(v, {"recipient": {"kind": "minister"}, "context": "ad_hoc", "partnership": None}, backend)
    assert [g.cite for g in d.grounds] == ["Art. 62(1)(c) Wiv 2017"]


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_denied_route_names_no_ground(backend):
    d, _ = trace(_routed(), {"recipient": {"concern": "none"}}, backend)
    assert d.decision == "deny" and d.grounds == []


OBLIGATION = {"id": "o0", "title": {"nl": "o", "en": "o"}, "cites": [{"source": "Wiv 2017", "article": "70"}],
              "basis": "statute", "applies_if": {"fact": "recipient.can_take_measures", "equals": True},
              "message": {"nl": "Doe {recipient.name}", "en": "Do {recipient.name}"}}
ADVICE = {**OBLIGATION, "id": "a0", "applies_if": {"fact": "data.volume", "gt": 5}}


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("measures,listed,missing", [(True, True, []), (False, False, []),
                                                     (None, True, ["recipient.can_take_measures"])])
def test_obligations_are_listed_where_their_condition_holds_or_is_unknown(backend, measures, listed, missing):
    v = _routed(obligations=[OBLIGATION], advice=[ADVICE])
    d, _ = trace(v, {"recipient": {"can_take_measures": measures}}, backend)
    got = {o.id: o for o in d.obligations}
    assert ("gen.o0" in got) == listed
    if listed:
        assert got["gen.o0"].missing_facts == missing and got["gen.o0"].message.en == "Do Example Hosting B.V."
    assert [a.id for a in d.advice] == ["gen.a0"]


def test_ids_are_unique_across_rules_obligations_and_advice():
    with pytest.raises(AssertionError, match="duplicate"):
        version_of([rule(0, {"fact": "data.volume", "ge": 1})], obligations=[{**OBLIGATION, "id": "r0"}])


# ---- versions -----------------------------------------------------------------------------------

def test_superseded_by_goes_with_withdrawn():
    doc = {"ruleset": "x", "version": "v1", "status": "in_force", "superseded_by": "v2", "valid_from": "2000-01-01",
           "title": {"nl": "x", "en": "x"}, "source": {"note": "x"}, "rules": [rule(0, {"fact": "data.volume", "ge": 1})]}
    with pytest.raises(Exception, match="superseded_by goes with status withdrawn"):
        RuleSetFile.model_validate(doc)
    RuleSetFile.model_validate({**doc, "status": "withdrawn"})


def test_withdrawn_versions_are_never_picked_by_date(library):
    for vs in library.versions.values():
        for v in vs:
            if v.model.status == "withdrawn":
                assert v not in library.select(dt.date(2026, 11, 29))


# ---- the law's counting of periods ----------------------------------------------------------------

@pytest.mark.parametrize("day,offset,expected", [
    ("2016-02-29", "+10y", "2026-02-28"), ("2024-02-29", "-10y", "2014-03-01"), ("2024-02-28", "-10y", "2014-02-28"),
    ("2024-03-01", "-10y", "2014-03-01"), ("2020-02-29", "+4y", "2024-02-29"), ("2025-01-31", "+1m", "2025-02-28"),
    ("2025-03-31", "-1m", "2025-03-01"), ("2024-03-31", "-1m", "2024-03-01"), ("2024-12-31", "-1m", "2024-12-01"),
    ("2025-01-31", "-2m", "2024-12-01"), ("2024-02-29", "-1d", "2024-02-28"), ("2024-02-28", "+1d", "2024-02-29"),
])
def test_shift_counts_like_the_law(day, offset, expected):
    assert shift(day, offset) == expected


DAYS = st.dates(dt.date(1990, 1, 1), dt.date(2040, 12, 31)).map(dt.date.isoformat)


@settings(max_examples=3000, deadline=None)
@given(event=DAYS, day=DAYS, n=st.integers(1, 30), unit=st.sampled_from(["y", "m"]))
def test_a_step_back_is_the_inverse_of_a_step_forward(event, day, n, unit):
    """`event >= day - N` holds exactly when `event + N >= day`: a period rule means the same
    whichever way it is written, and 29 February counts alike in both."""
    assert (event >= shift(day, f"-{n}{unit}")) == (shift(event, f"+{n}{unit}") >= day)


@pytest.mark.parametrize("day,oldest,more_than_ten", [
    ("2024-02-29", "2014-02-28", True), ("2024-02-28", "2014-02-28", False), ("2026-02-28", "2016-02-29", False),
    ("2026-03-01", "2016-02-29", True), ("2025-03-14", "2015-03-14", False), ("2025-03-14", "2015-03-13", True),
])
def test_both_forms_of_a_ten_year_rule_agree(day, oldest, more_than_ten):
    from wivcheck.policy.conditions import Leaf
    back = compile_condition(Leaf.model_validate({"fact": "data.personal_data_oldest",
                                                  "ge": {"fact": "date", "offset": "-10y"}}))
    forward = compile_condition(Leaf.model_validate({"fact": "date",
                                                     "le": {"fact": "data.personal_data_oldest", "offset": "+10y"}}))
    facts = {"date": day, "data.personal_data_oldest": oldest}
    assert back(facts) is forward(facts) is (not more_than_ten)
