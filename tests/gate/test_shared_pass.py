"""The shared pass of the pre-filters (`rx.prime`) changes no answer of the gate, only its cost.

- every registered hint answers from a primed text exactly what its own search answers;
- the RE2 supersets written for Python `re` pre-filters say yes wherever the `re` pattern matches
  (Unicode whitespace and digits, which RE2's own `\\s` and `\\d` do not cover, included);
- the shortcut past `_NOT_A_NUMBER.sub` (`_runs_all_removed`) only says yes when the substitution
  leaves no digit run;
- a shared pass that gives up keeps nothing, and every hint then searches on its own.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from stdnum import iban

from wivcheck.engine.gate import addresses, mail_forms, personal_text, prose_names, rx

_PIECES = st.sampled_from([
    "0", "1", "2", "6", "9", "00", "06", "31", "٣", "３", "۹",                     # digits, Unicode ones too
    " ", "\u00a0", "\u2009", "\u3000", "\t", "\n", "\x1c", "\x85", "\u2028",       # Python's `\s`
    ".", "-", "/", "(", ")", "+", "_", ",", ":", "@", "'",
    "a", "Z", "é", "ſ", "\u212a", "Ł", "я", "Ω", "ß",
    "at", "NL", "nl", "de", "tel", "Mr", "Mrs", "Dr", "straat", "Voorhout", "Den Haag", "Jan", "Vries",
    "198.51.100.7", "2025-03-02", "2025-03-01T10:00:00Z", "CVE-2024-12345", "T1059.001", "NL91ABNA0417164300",
    "+31 6 12345678", "0612345678", "06-12.34.56.78", "1.2.3.4.5", "12 34 56 78 90", "deadbeefcafebabe0011",
])
_DIGITS = st.sampled_from(["0", "1", "6", "٣", "３", "۹", "๑"])
_SEPARATORS = st.sampled_from(["", " ", " ", " ", "", "", "-", ".", "/", "(", ")", "+"])
# digit runs of ASCII and other decimal digits with Python's separators between them
_RUNS = st.lists(st.tuples(_DIGITS, _SEPARATORS).map("".join), min_size=6, max_size=14).map("".join)
TEXTS = st.lists(_PIECES | _RUNS, max_size=24).map("".join) | st.text(max_size=60)
# texts each superset must say yes to: Unicode digits and spaces where RE2's own classes are ASCII
UNICODE_EXAMPLES = ["٣1234567", "１２３４５６７", "06 12345678", "1234567", "+ 3 1 6 1234 5678",
                    "Kerkstraat 12, Den Haag", "Ab　at　foo.nl", "Mr Jan", "Jan van Dijk",
                    "ſtraat 12 Amsterdam", "jan_devries"]


def _every_hint() -> list[rx.Hint]:
    rx._current()                    # compiles the set over every hint imported so far
    return list(rx._registry)


@given(TEXTS)
@settings(max_examples=400, deadline=None)
def test_a_primed_text_gets_the_answers_of_the_single_searches(text):
    hints = _every_hint()
    expected = [h.search(text) for h in hints]
    rx.forget()
    assert rx.prime(text)
    assert [h(text) for h in hints] == expected
    rx.forget()


# (RE2 superset, the Python `re` pattern it stands before)
SUPERSETS = [
    (personal_text._DIGIT_RUN_HINT, personal_text._DIGIT_RUN),
    (personal_text._PREFIX_SUPERSET, personal_text._PREFIX_HINT),
    (addresses._PLACE_HINT, None),                                   # the exact translation of the old `re` hint
    (mail_forms._WORD_AT_HINT, None),
    (prose_names._CAPITAL_HINT, prose_names._CAPITAL),
    (prose_names._PAIR_SUPERSET, prose_names._PAIR_HINT),
    (prose_names._CUE_SUPERSET, prose_names._CUE_HINT),
    (prose_names._JOINED_HINT, prose_names._JOINED),
]

import re  # noqa: E402

_OLD = {   # the Python `re` pre-filters these hints replaced, as they were
    id(addresses._PLACE_HINT): re.compile(r"[A-Za-zÀ-ɏ]{3}\s+\d{1,4}[a-zA-Z]?(?:-\d{1,4})?\s*,?\s+[\dA-ZÀ-ÖØ-ÞĀ-ɏ']"),
    id(mail_forms._WORD_AT_HINT): re.compile(r"(?i)[A-Za-z0-9]\s+at\s+[A-Za-z0-9\-]+\.[A-Za-z]"),
}


@given(TEXTS | st.sampled_from(UNICODE_EXAMPLES))
@settings(max_examples=600, deadline=None)
def test_each_superset_says_yes_wherever_its_re_pattern_matches(text):
    for hint, pattern in SUPERSETS:
        pattern = pattern or _OLD[id(hint)]
        if pattern.search(text):
            assert hint.search(text), (hint.pattern.pattern, text)


@pytest.mark.parametrize("text", UNICODE_EXAMPLES)
def test_each_superset_says_yes_to_unicode_digits_and_spaces(text):
    for hint, pattern in SUPERSETS:
        pattern = pattern or _OLD[id(hint)]
        assert bool(hint.search(text)) >= bool(pattern.search(text)), (hint.pattern.pattern, text)


@given(TEXTS)
@settings(max_examples=600, deadline=None)
def test_the_iban_superset_says_yes_wherever_an_iban_is_found(text):
    if personal_text._ibans(text):
        assert personal_text._IBAN_SUPERSET.search(text), text


def test_an_iban_of_a_country_outside_the_registry_is_never_valid():
    """The IBAN superset names only the registry's countries: stdnum accepts no other."""
    body = "ABNA0417164300"
    for cc in ("ON", "XX", "ZZ", "QQ"):
        digits = "".join(str(int(c, 36)) for c in body + cc) + "00"
        check = 98 - int(digits) % 97
        assert not iban.is_valid(f"{cc}{check:02d}{body}", check_country=False)
    assert iban.is_valid("NL91ABNA0417164300", check_country=False)


@given(TEXTS)
@settings(max_examples=800, deadline=None)
def test_the_run_shortcut_only_says_yes_when_no_run_survives(text):
    if personal_text._DIGIT_RUN.search(text) and personal_text._runs_all_removed(text):
        digits = personal_text._NOT_A_NUMBER.sub(" ", text)
        assert personal_text._DIGIT_RUN.search(digits) is None, text
        assert digits != text


@pytest.mark.parametrize("text", ["Observed on 2025-03-02 contacting 198.51.196.218 at the perimeter",
                                  "seen 2025-03-01T10:00:00Z from 203.0.113.9"])
def test_the_run_shortcut_takes_dates_and_addresses(text):
    assert personal_text._runs_all_removed(text)


@pytest.mark.parametrize("text", ["bel 06 12345678 of 198.51.100.7", "198.51.100.7. en 0612345678",
                                  "T1059.001 and 2025-03-02"])
def test_the_run_shortcut_leaves_other_runs_to_the_substitution(text):
    assert not personal_text._runs_all_removed(text)


def test_a_pass_that_gives_up_keeps_nothing_and_the_hints_search_themselves(monkeypatch):
    hints = _every_hint()
    text = "Mail jan.devries@example.nl, tel +31 6 12345678, Kerkstraat 12"
    expected = [h.search(text) for h in hints]
    monkeypatch.setattr(rx._SharedPass, "match", lambda self, data: None)
    rx.forget()
    assert rx.prime(text) is False
    assert [h(text) for h in hints] == expected


def test_the_scan_finds_the_same_with_and_without_the_shared_pass(monkeypatch):
    texts = ["Contact: jan.devries@example.nl", "bel 06-12345678", "IBAN NL91 ABNA 0417 1643 00",
             "Voorhout 9, Den Haag", "jan at example dot nl", "C:\\Users\\jdevries\\AppData",
             "Observed on 2025-03-02 contacting 198.51.196.218; blocked at the perimeter."]
    primed = [personal_text._scan(t) for t in texts]
    monkeypatch.setattr(rx, "prime", lambda text: False)
    rx.forget()
    assert [personal_text._scan(t) for t in texts] == primed
    assert [f.what for f in primed[0]] and [f.what for f in primed[1]] and primed[2] and primed[3]


@given(st.ip_addresses(v=4).map(str))
@settings(max_examples=500, deadline=None)
def test_no_reading_finds_anything_in_an_ipv4_address(ip):
    """Why `_scan` may answer a text that is one IPv4 address at once: every reading, asked on its
    own, finds nothing in it (the address's category is counted by its object, not its text)."""
    from wivcheck.engine.gate import encoded, identifiers
    assert personal_text._IPV4_WHOLE.fullmatch(ip)
    assert personal_text._scan_text(ip) == () and identifiers.scan(ip) == ()
    assert encoded.hidden(ip) == () and mail_forms.findings(ip) == ()


def test_the_ipv4_shortcut_takes_ascii_digits_only():
    assert personal_text._IPV4_WHOLE.fullmatch("198.51.100.7")
    assert not personal_text._IPV4_WHOLE.fullmatch("١٩٨.٥١.١٠٠.٧")
    assert not personal_text._IPV4_WHOLE.fullmatch("06.12.34.56")
