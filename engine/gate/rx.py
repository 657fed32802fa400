"""Yes-or-no searches with RE2 (google-re2), for the pre-filters that rule most text out before a
reading looks closer.

google-re2's `search` on a `str` converts every match position between characters and UTF-8 bytes
and builds a match object: about 8 µs a call here, several times the search itself. A pre-filter
only asks whether the pattern occurs, so `Hint` searches the text's UTF-8 bytes with the same
pattern compiled for bytes (RE2 reads both as UTF-8: same automaton, same linear time, `\\p{Lu}`
and the like unchanged): about 3 µs a call, the encoding included. Positions and groups still come
from the `str` pattern (`Hint.pattern`). Texts with lone surrogates (from JSON `\\ud800`) are
encoded with `surrogatepass`, so a pre-filter never raises.

Where the installed google-re2 exposes its compiled RE2 object (`_regexp`, with `Match(anchor, text,
pos, endpos)` returning spans; google-re2 1.1), the yes-or-no question goes to it directly: about
1.7 µs instead of 3. Otherwise (another release) the public `search` on bytes answers the same;
tests/gate/test_rx.py holds both to the `str` search.
"""

from __future__ import annotations

import re2


class Hint:
    """A pattern asked only whether it occurs in a text. `pattern`: RE2 syntax (as for
    `re2.compile`); `options`: `re2.Options` or None. `hint(text)` -> bool; `.pattern` is the same
    pattern compiled for `str`, for callers that need the match itself."""

    __slots__ = ("_bytes", "_raw", "pattern")

    def __init__(self, pattern: str, options: "re2.Options | None" = None, *, direct: bool = True):
        self.pattern = re2.compile(pattern, options) if options else re2.compile(pattern)
        self._bytes = re2.compile(pattern.encode("utf-8"), options) if options else re2.compile(pattern.encode("utf-8"))
        raw = getattr(self._bytes, "_regexp", None) if direct and _UNANCHORED is not None else None
        self._raw = raw if raw is not None and hasattr(raw, "Match") else None

    def __call__(self, text: str) -> bool:
        data = text.encode("utf-8", "surrogatepass")
        if self._raw is not None:
            return self._raw.Match(_UNANCHORED, data, 0, len(data))[0][0] != -1
        return self._bytes.search(data) is not None


_UNANCHORED = getattr(getattr(re2, "_Anchor", None), "UNANCHORED", None)
