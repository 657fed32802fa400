"""Yes-or-no searches with RE2 (google-re2), for the pre-filters that rule most text out before a
reading looks closer.

google-re2's `search` on a `str` converts every match position between characters and UTF-8 bytes
and builds a match object: about 8 µs a call here, several times the search itself. A pre-filter
only asks whether the pattern occurs, so `Hint` searches the text's UTF-8 bytes with the same
pattern compiled for bytes (RE2 reads both as UTF-8: same automaton, same linear time, `\\p{Lu}`
and the like unchanged): about 3 µs a call, the encoding included. Positions and groups still come
from the `str` pattern (`Hint.pattern`). Texts with lone surrogates (from JSON `\\ud800`) are
encoded with `surrogatepass`, so a pre-filter never raises.
"""

from __future__ import annotations

import re2


class Hint:
    """A pattern asked only whether it occurs in a text. `pattern`: RE2 syntax (as for
    `re2.compile`); `options`: `re2.Options` or None. `hint(text)` -> bool; `.pattern` is the same
    pattern compiled for `str`, for callers that need the match itself."""

    __slots__ = ("_bytes", "pattern")

    def __init__(self, pattern: str, options: "re2.Options | None" = None):
        self.pattern = re2.compile(pattern, options) if options else re2.compile(pattern)
        self._bytes = re2.compile(pattern.encode("utf-8"), options) if options else re2.compile(pattern.encode("utf-8"))

    def __call__(self, text: str) -> bool:
        return self._bytes.search(text.encode("utf-8", "surrogatepass")) is not None
