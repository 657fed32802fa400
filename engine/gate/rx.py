"""Yes-or-no searches with RE2 (google-re2), for the pre-filters that rule most text out before a
reading looks closer, and one shared pass that answers all of them for a text at once.

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

The shared pass (`prime`). A text read for personal data meets some twenty pre-filters, one
per reading (addresses, identifiers, names, encodings …), and asking each on its own costs more
than most readings. Every `Hint` is therefore also added to one RE2 set (`re2.Set`, RE2::Set:
all patterns in one automaton, every match found in one linear pass). `prime(text)` runs that pass
once and keeps which hints occur (per thread, for the last few texts primed); a hint asked about a
text primed in this way answers from it, any other text is searched as before. The answer is the
same either way: the same RE2 pattern in the same automaton semantics, and the options the hints
use differ only in the memory budget, which changes no answer. The set's automaton may give up on
a text (its memory budget spent); the pass then keeps nothing and every hint searches on its own. A
pattern that always matches is the set's first member, so a pass that gave up is told from one
that found nothing (tests/gate/test_rx.py holds the shared answers to the single ones).
"""

from __future__ import annotations

import threading

import re2

_UNANCHORED = getattr(getattr(re2, "_Anchor", None), "UNANCHORED", None)
_SET_MAX_MEM = 256 << 20        # the set's automaton holds every pre-filter: more room than any one needs
_KEPT = 4                       # texts primed per thread (a scan reads decodings of its text in between)

# Python's `\s` and `\d` on `str` (Unicode whitespace, Unicode decimal digits) in RE2's syntax, for
# the shared pass's supersets of pre-filters written for Python's `re` (RE2's own `\s` and `\d` are
# ASCII only): a class body (put it inside `[...]`) and a class
PY_SPACE = r"\s\p{Z}\x{0b}\x{1c}-\x{1f}\x{85}"
PY_DIGIT = r"\p{Nd}"

_registry: list["Hint"] = []
_registry_lock = threading.Lock()
_shared: "_SharedPass | None" = None
_local = threading.local()


class Hint:
    """A pattern asked only whether it occurs in a text. `pattern`: RE2 syntax (as for
    `re2.compile`); `options`: `re2.Options` or None (only its memory budget may differ from the
    default: the hint joins the shared pass). `hint(text)` -> bool; `.pattern` is the same pattern
    compiled for `str`, for callers that need the match itself. `shared=False` keeps the hint out of
    the shared pass (it always searches on its own)."""

    __slots__ = ("_bytes", "_raw", "pattern", "_slot")

    def __init__(self, pattern: str, options: "re2.Options | None" = None, *, direct: bool = True,
                 shared: bool = True):
        self.pattern = re2.compile(pattern, options) if options else re2.compile(pattern)
        self._bytes = re2.compile(pattern.encode("utf-8"), options) if options else re2.compile(pattern.encode("utf-8"))
        raw = getattr(self._bytes, "_regexp", None) if direct and _UNANCHORED is not None else None
        self._raw = raw if raw is not None and hasattr(raw, "Match") else None
        self._slot = -1
        if shared:
            with _registry_lock:
                self._slot = len(_registry) + 1        # slot 0 is the set's always-matching member
                _registry.append(self)

    def __call__(self, text: str) -> bool:
        memo = _local.__dict__.get("memo")
        if memo:
            slot = self._slot
            for primed, hits, covered in memo:
                if primed is text and 0 < slot < covered:
                    return slot in hits
        return self.search(text)

    def search(self, text: str) -> bool:
        """The answer of this hint's own search (never from the shared pass)."""
        data = text.encode("utf-8", "surrogatepass")
        if self._raw is not None:
            return self._raw.Match(_UNANCHORED, data, 0, len(data))[0][0] != -1
        return self._bytes.search(data) is not None


class _SharedPass:
    """One RE2 set of the first `covered - 1` hints of the registry (slot i is hint i - 1)."""

    __slots__ = ("covered", "_set")

    def __init__(self, hints: list[Hint]):
        options = re2.Options()
        options.max_mem = _SET_MAX_MEM
        s = re2.Set.SearchSet(options)
        s.Add(b"")                                    # slot 0: matches every text (a pass that gave up lacks it)
        for h in hints:
            s.Add(h.pattern.pattern.encode("utf-8") if isinstance(h.pattern.pattern, str) else h.pattern.pattern)
        s.Compile()
        self.covered = len(hints) + 1
        inner = getattr(s, "_set", None)       # google-re2's own set, without the wrapper's type checks
        self._set = inner if inner is not None and hasattr(inner, "Match") else s

    def match(self, data: bytes) -> list[int] | None:
        """The slots of the hints that occur in `data` (UTF-8), slot 0 first when the pass did not
        give up; an empty list or None when it did."""
        return self._set.Match(data)


def _current() -> _SharedPass:
    global _shared
    got = _shared
    if got is None or got.covered != len(_registry) + 1:
        with _registry_lock:
            got = _shared
            if got is None or got.covered != len(_registry) + 1:
                got = _shared = _SharedPass(list(_registry))
    return got


def prime(text: str) -> bool:
    """Run the shared pass over `text` and keep, for this thread, which hints occur in it; later
    `Hint` calls on this very text (the same object) answer from it. Returns False when the pass
    gave up (nothing is kept then: every hint searches on its own). Never raises."""
    memo = _local.__dict__.get("memo")
    if memo and any(primed is text for primed, _, _ in memo):
        return True
    shared = _current()
    hits = shared.match(text.encode("utf-8", "surrogatepass"))
    if not hits or 0 not in hits:
        return False
    if memo is None:
        memo = _local.memo = []
    memo.insert(0, (text, hits, shared.covered))     # a short list: most texts match two or three hints
    if len(memo) > _KEPT:
        memo.pop()
    return True


def forget() -> None:
    """Drop this thread's primed texts (their answers stay right; this only frees them)."""
    _local.__dict__.pop("memo", None)
