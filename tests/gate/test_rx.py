"""`rx.Hint` answers exactly what RE2's own search on the text answers, for any text (lone
surrogates included), with Unicode classes and case-insensitive patterns alike."""

from __future__ import annotations

import re2
from hypothesis import given, settings
from hypothesis import strategies as st

from wivcheck.engine.gate.rx import Hint

PATTERNS = [r"\p{Lu}\p{Ll}{2,}\s+\d{1,4}", r"(?i)straße|strasse", r"JVBERi0|H4sI", r"[0-9a-f]{2}[:-][0-9a-f]{2}",
            r"(?i)t\.me/|linkedin\.com/in", r"\d"]
HINTS = [(Hint(p, direct=d), re2.compile(p)) for p in PATTERNS for d in (True, False)]


@given(st.text(alphabet=st.characters(codec=None), max_size=80)
       | st.sampled_from(["Lange Voorhout 9", "Hauptstraße 12", "ÜBER 12", "t.me/jan", "aa:bb", "x\ud800 7"]))
@settings(max_examples=300, deadline=None)
def test_a_hint_says_what_the_search_says(text):
    for hint, plain in HINTS:
        try:
            expected = plain.search(text) is not None
        except UnicodeEncodeError:          # the str search cannot take a lone surrogate; the hint can
            expected = re2.compile(hint.pattern.pattern.encode()).search(text.encode("utf-8", "surrogatepass")) \
                is not None
        assert hint(text) is expected, (hint.pattern.pattern, text)


def test_the_direct_path_is_taken_where_the_library_offers_it():
    """With google-re2 as pinned, the pre-filter asks the compiled RE2 object itself."""
    assert Hint(r"\d")._raw is not None and Hint(r"\d", direct=False)._raw is None
