"""Regular expressions of the rule language (`matches`): RE2 syntax, run by google-re2 in time
linear in the text, whatever the pattern. A pattern RE2 cannot run (backreferences, lookaround,
repetition over 1000) is a validation error; none ever reaches a backtracking engine, so no rule file
can make a request hang (docs/rule-language.md, "Regular expressions").

One compiler for validation (policy/validate.py), the plain-Python semantics (policy/semantics.py)
and the durable_rules path (engine/compile.py), so what validates is what runs.
"""

from __future__ import annotations

import functools

import re2

_OPTIONS = re2.Options()
_OPTIONS.log_errors = False   # RE2 would print every refused pattern on stderr; the error says it


class PatternError(ValueError):
    """RE2 cannot compile the pattern; the message says why."""


@functools.lru_cache(maxsize=512)
def compile_pattern(pattern: str):
    """The compiled pattern (`.fullmatch(text)` as in `re`). Raises PatternError."""
    try:
        return re2.compile(pattern, options=_OPTIONS)
    except re2.error as exc:
        reason = exc.args[0].decode("utf-8", "replace") if exc.args and isinstance(exc.args[0], bytes) else str(exc)
        raise PatternError(reason) from None


def full_match(pattern: str, text: str) -> bool:
    """Whether `text` matches `pattern` in full (RE2, linear time)."""
    return compile_pattern(pattern).fullmatch(text) is not None
