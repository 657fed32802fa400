"""STIX indicator patterns read by their grammar (STIX 2.1 §9), with OASIS's `stix2-patterns`.

`read(pattern)` gives every comparison (object type, object path through references such as
`email-message:from_ref.value` or `domain-name:resolves_to_refs[*].value`, operator, value), the
observation operators (`AND`, `OR`, `FOLLOWEDBY`) and the qualifiers (`WITHIN`, `REPEATS`,
`START … STOP`), or raises `PatternError` with the grammar's own message. On top of the grammar it
runs the two checks of OASIS's pattern validator (`stix2patterns.v21.validator`): no qualifier
type twice on one observation, hash values of the declared hash's shape; and, like the rest of the
gate, a timestamp literal must be a real instant.

Parsing is the cost: the ANTLR runtime in Python takes 200–300 µs a pattern, and even its lexer alone
150 µs, so 10,000 distinct indicators would take two to three seconds. Real indicators differ in
their string literals and hardly ever in their shape (`[domain-name:value = '…']`), so the pattern
is parsed per *shape*: each string literal in a value position is replaced by a numbered
placeholder, the shape is parsed by the library once, and the literals are put back into the
comparisons it found. This is own code (a small scanner for STIX string literals) because the
library's lexer is what costs. It is safe because a string literal's content cannot change how a
pattern parses (the grammar's StringLiteral is `'` any character but `'` or `\\`, or the escapes
`\\'` and `\\\\`, `'`): literals with any other backslash, unterminated ones, prefixed ones
(`t'…'`, `b'…'`, `h'…'`) and those in path positions (`hashes.'SHA-256'`) are left as they are, and
a shape the grammar rejects is parsed again as written, so every error is the library's.
"""

from __future__ import annotations

import re
import sys
import threading
from dataclasses import dataclass

from . import timestamps

_LITERAL = re.compile(r"'(?:[^'\\]|\\['\\])*'")
_PLACEHOLDER = re.compile(r"'~(\d+)~'")
_TIMESTAMP_LITERAL = re.compile(r"\bt'([^']*)'")
_IDENT = re.compile(r"[A-Za-z0-9_-]")


class PatternError(ValueError):
    """The pattern is not valid STIX patterning; the message is the grammar's (line:column)."""


@dataclass(frozen=True)
class Comparison:
    """One comparison expression: `[object_type:path operator value]` (STIX 2.1 §9.5).

    path: the object path as a tuple of property names, list indexes and `*`; value: the literal
    as written (strings with their quotes, sets as `('a','b')`)."""

    object_type: str
    path: tuple
    operator: str
    value: str

    def text_values(self) -> list[str]:
        """The string values compared against, unquoted and unescaped."""
        return [_unquote(m.group(0)) for m in _LITERAL.finditer(self.value)]


@dataclass(frozen=True)
class PatternReading:
    comparisons: tuple[Comparison, ...]
    observation_ops: frozenset
    qualifiers: frozenset


_shapes: dict[tuple[str, str], PatternReading | PatternError] = {}
_patterns: dict[tuple[str, str], PatternReading | PatternError] = {}
_lock = threading.Lock()
_LIMIT = 50_000  # distinct patterns kept; the cache is cleared when it grows past this


def _unquote(literal: str) -> str:
    return literal[1:-1].replace("\\'", "'").replace("\\\\", "\\")


def _shape(text: str) -> tuple[str, list[str]] | None:
    """The pattern with its value string literals replaced by `'~n~'`, and the literals; None when
    the pattern has quotes or backslashes this scanner does not account for (then it is parsed as
    written)."""
    literals: list[str] = []

    def swap(m: re.Match) -> str:
        start = m.start()
        before = start - 1
        while before >= 0 and text[before] in " \t\r\n":
            before -= 1
        prev = text[before] if before >= 0 else ""
        if prev in (".", ":") or _IDENT.match(prev or " "):
            return m.group(0)           # a path component, or a prefixed literal: kept as written
        literals.append(m.group(0))
        return f"'~{len(literals) - 1}~'"

    shaped = _LITERAL.sub(swap, text)
    rest = _LITERAL.sub("", shaped)
    if "'" in rest or "\\" in rest:
        return None
    return shaped, literals


def _parse(text: str, version: str) -> PatternReading:
    """Parse with the library (raises PatternError); the validator's qualifier check included."""
    from stix2patterns.exceptions import ParseException
    if version == "2.0":
        from stix2patterns.v20.pattern import Pattern
        from stix2patterns.v20.validator import DuplicateQualifierTypeError, ValidationListener
    else:
        from stix2patterns.v21.pattern import Pattern
        from stix2patterns.v21.validator import DuplicateQualifierTypeError, ValidationListener
    try:
        pattern = Pattern(text)
    except ParseException as exc:
        raise PatternError(str(exc)) from None
    except RecursionError:    # the grammar's parser recurses once per parenthesis; comparisons are walked (`_walk`)
        raise PatternError("parentheses nested too deeply for the grammar's parser to read "
                           f"({text.count('(')} opening parentheses)") from None
    except Exception:  # noqa: BLE001 - the ANTLR runtime raises its own on odd input
        raise PatternError("not a STIX pattern the grammar can read") from None
    tree = pattern._Pattern__parse_tree         # the library's walk recurses once per node: walked here
    try:
        _walk(ValidationListener(), tree)
    except DuplicateQualifierTypeError as exc:
        raise PatternError(str(exc)) from None
    from stix2patterns.inspector import INDEX_STAR
    inspector = sys.modules[Pattern.__module__.rsplit(".", 1)[0] + ".inspector"].InspectionListener()
    _walk(inspector, tree)
    data = inspector.pattern_data()
    comparisons = tuple(
        Comparison(kind, tuple("*" if step is INDEX_STAR else step for step in path), op, value)
        for kind, tests in data.comparisons.items() for path, op, value in tests)
    return PatternReading(comparisons, frozenset(data.observation_ops), frozenset(data.qualifiers))


def _walk(listener, tree) -> None:
    """ANTLR's `ParseTreeWalker.walk` without recursion: the same events in the same order (enter a
    rule, its children, exit it; terminals and error nodes visited). The library's walker recurses
    once per tree node, and a valid pattern of 1,000 comparisons joined by `OR` nests 1,000 deep,
    past Python's recursion limit; feeds do emit such lists."""
    from antlr4.tree.Tree import ErrorNode, TerminalNode
    stack = [(tree, False)]
    while stack:
        node, leaving = stack.pop()
        if leaving:
            ctx = node.getRuleContext()
            ctx.exitRule(listener)
            listener.exitEveryRule(ctx)
        elif isinstance(node, ErrorNode):
            listener.visitErrorNode(node)
        elif isinstance(node, TerminalNode):
            listener.visitTerminal(node)
        else:
            ctx = node.getRuleContext()
            listener.enterEveryRule(ctx)
            ctx.enterRule(listener)
            stack.append((node, True))
            stack.extend((child, False) for child in reversed(list(node.getChildren())))


def _remember(cache: dict, key, value) -> None:
    with _lock:
        if len(cache) >= _LIMIT:
            cache.clear()
        cache[key] = value


class _Inspected:
    """The shape `object_validator.verify_object` reads (the library's pattern_data)."""

    def __init__(self, comparisons: dict):
        self.comparisons = comparisons


def _check(pattern: str, reading: PatternReading) -> None:
    if "hashes" in pattern:
        from stix2patterns.v21.object_validator import verify_object
        comparisons: dict = {}
        for c in reading.comparisons:
            comparisons.setdefault(c.object_type, []).append((list(c.path), c.operator, c.value))
        problems = verify_object(_Inspected(comparisons))
        if problems:
            raise PatternError(problems[0].removeprefix("FAIL: "))
    if "t'" in pattern:
        for text in [c.value for c in reading.comparisons] + list(reading.qualifiers):
            for m in _TIMESTAMP_LITERAL.finditer(text):
                why = timestamps.problem(m.group(1))
                if why:
                    raise PatternError(f"timestamp literal {why}")


def read(pattern: str, version: str = "2.1") -> PatternReading:
    """Every comparison, observation operator and qualifier of a STIX pattern. Raises PatternError
    (the grammar's message, or what the validator's checks found). Cached per pattern and per shape:
    safe to call from many threads."""
    key = (version, pattern)
    got = _patterns.get(key)
    if got is None:
        got = _read(pattern, version)
        _remember(_patterns, key, got)
    if isinstance(got, PatternError):
        raise got
    return got


def _read(pattern: str, version: str) -> PatternReading | PatternError:
    shaped = _shape(pattern)
    try:
        if shaped is None:
            reading = _parse(pattern, version)
        else:
            text, literals = shaped
            skey = (version, text)
            skeleton = _shapes.get(skey)
            if skeleton is None:
                try:
                    skeleton = _parse(text, version)
                except PatternError as exc:
                    skeleton = exc
                _remember(_shapes, skey, skeleton)
            if isinstance(skeleton, PatternError):
                reading = _parse(pattern, version)   # the error as the pattern is written
            else:
                def put_back(value: str) -> str:
                    if value.startswith("'~") and value.endswith("~'") and value[2:-2].isdigit():
                        return literals[int(value[2:-2])]
                    return _PLACEHOLDER.sub(lambda m: literals[int(m.group(1))], value)
                reading = PatternReading(
                    tuple(Comparison(c.object_type, c.path, c.operator, put_back(c.value))
                          for c in skeleton.comparisons),
                    skeleton.observation_ops, skeleton.qualifiers)
        _check(pattern, reading)
        return reading
    except PatternError as exc:
        return exc


def clear_cache() -> None:
    """Forget every parsed pattern and shape (the benchmark times a cold parse with it)."""
    with _lock:
        _patterns.clear()
        _shapes.clear()
