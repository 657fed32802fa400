"""Safe YAML (and JSON) reading with limits, for rule files, provisions and tokens files alike: one
canonical reading of input, the same as JSON's.

Only plain data comes out: mappings, lists, strings, numbers, booleans, null. Refused with a LoadError
naming file and line: files over the size limit, nesting deeper than the depth limit, text that is not
UTF-8 (or holds a lone surrogate), anchors and aliases (they allow exponential documents), duplicate
keys (YAML would keep the last silently), explicit tags, and every plain scalar that YAML 1.1, YAML 1.2
and JSON read differently:

- booleans are `true` and `false` only; `True`/`TRUE`/`False`/`FALSE` are refused, and YAML 1.1's
  `yes`/`no`/`on`/`off` are plain text (`NO` stays Norway; a boolean field then refuses the text);
- numbers are decimal as JSON writes them (`12`, `-3`, `1.5`, `2e3`); YAML 1.1 octal (`012000`, read
  as 5120), sexagesimal (`1:2`, read as 62), `0x..`, `0o..`, `0b..`, `+12`, `1_000`, `.inf` and `.nan`
  are refused (quote them when they are text);
- `null` and `~` (and an empty value) are null; `Null`/`NULL` are refused;
- dates are text (`2025-03-14`, as in JSON): the model that reads them checks the form.

Text is normalised to Unicode NFC, keys too, so the same words typed on two keyboards are the same
value. The loader also returns where each value stood, so later errors can name the line. PyYAML's own
implicit resolvers (YAML 1.1) are switched off; the typing of plain scalars is done here because no
YAML library offers a "JSON-compatible, refuse the ambiguous" schema.
"""

from __future__ import annotations

import os
import re
import stat
import unicodedata
from typing import Any

import yaml

from .errors import LoadError

MAX_BYTES = 1 << 20
MAX_DEPTH = 32

Path = tuple  # a path into the document: keys and list indices


class _StrictLoader(yaml.SafeLoader):
    """SafeLoader without implicit typing (every plain scalar composes as text; `_plain` types it),
    refusing aliases and explicit tags."""

    max_depth = MAX_DEPTH
    _depth = 0

    def compose_node(self, parent, index):
        if self.check_event(yaml.AliasEvent):
            event = self.get_event()
            raise LoadError("YAML anchors and aliases are not allowed", line=event.start_mark.line + 1)
        event = self.peek_event()
        if getattr(event, "anchor", None) is not None:   # an anchor alone (`v: &a`) too: `&a` is not a value
            raise LoadError("YAML anchors and aliases are not allowed", line=event.start_mark.line + 1)
        tag = getattr(event, "tag", None)
        if tag is not None:  # `!` too: YAML reads `! 12` as text, a reader of plain values as 12
            raise LoadError(f"explicit tags ({tag}) are not allowed: write the value plainly, or quote it "
                            "if it is text", line=event.start_mark.line + 1)
        # nesting is bounded while composing, before the composer's recursion can exhaust the stack
        self._depth += 1
        try:
            if self._depth > self.max_depth + 1:
                raise LoadError(f"nesting deeper than {self.max_depth} levels", line=event.start_mark.line + 1)
            return yaml.SafeLoader.compose_node(self, parent, index)
        finally:
            self._depth -= 1


_StrictLoader.yaml_implicit_resolvers = {}

_INT = re.compile(r"-?(?:0|[1-9][0-9]*)")
_FLOAT = re.compile(r"-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?")
# what YAML 1.2's core schema reads as a number (and 1.1's forms beyond it are asked of PyYAML)
_CORE_NUMBER = re.compile(r"[-+]?(?:[0-9][0-9_]*|0o[0-7]+|0x[0-9a-fA-F]+|(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)"
                          r"(?:[eE][-+]?[0-9]+)?|\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))")
_INT_TAG, _FLOAT_TAG = "tag:yaml.org,2002:int", "tag:yaml.org,2002:float"
_BOOL_TAG, _NULL_TAG = "tag:yaml.org,2002:bool", "tag:yaml.org,2002:null"


def _dotted(path: tuple) -> str | None:
    return ".".join(str(p) for p in path) or None


def _plain(value: str, line: int, file: str, path: tuple = ()) -> Any:
    """The one reading of a plain (unquoted) scalar; raises LoadError for a form readers disagree on."""
    if value == "true":
        return True
    if value == "false":
        return False
    if value in ("", "~", "null"):
        return None
    if _INT.fullmatch(value):
        return int(value)
    if _FLOAT.fullmatch(value):
        number = float(value)
        if number in (float("inf"), float("-inf")):
            raise LoadError(f"number {value} is too large", file=file, line=line, path=_dotted(path))
        return number
    yaml11 = yaml.SafeLoader.resolve(yaml.SafeLoader, yaml.ScalarNode, value, (True, False))
    if yaml11 in (_INT_TAG, _FLOAT_TAG) or _CORE_NUMBER.fullmatch(value):
        raise LoadError(f"{value} is not a decimal number (YAML readers disagree on it: YAML 1.1 reads "
                        f"012000 as octal 5120, 1:2 as 62); write plain decimal digits, or quote text",
                        file=file, line=line, path=_dotted(path))
    if yaml11 == _BOOL_TAG and value.lower() in ("true", "false"):
        raise LoadError(f"{value}: booleans are true or false (lower case)", file=file, line=line,
                        path=_dotted(path))
    if yaml11 == _NULL_TAG:
        raise LoadError(f"{value}: write null as null", file=file, line=line, path=_dotted(path))
    return _text(value, line, file, path)


def canonical_text(value: str) -> str:
    """`value` in Unicode NFC. Raises ValueError for a lone surrogate (not a character; JSON's
    `\\ud800` escape can carry one, and no UTF-8 can). Every front end's text goes through this."""
    if value.isascii():
        return value
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise ValueError(f"not valid Unicode text (a lone surrogate at character {exc.start})") from None
    return value if unicodedata.is_normalized("NFC", value) else unicodedata.normalize("NFC", value)


def _text(value: str, line: int | None, file: str, path: tuple = ()) -> str:
    """Text in Unicode NFC; a lone surrogate (not a character, cannot be UTF-8) is refused."""
    if not value.isascii():
        try:
            value.encode("utf-8")
        except UnicodeEncodeError as exc:
            raise LoadError(f"not valid Unicode text (a lone surrogate at character {exc.start})",
                            file=file, line=line, path=_dotted(path)) from None
        value = unicodedata.normalize("NFC", value)
    return value


_ALLOWED_TAGS = {"tag:yaml.org,2002:str", "tag:yaml.org,2002:map", "tag:yaml.org,2002:seq"}


class Located:
    """Parsed data plus the line (1-based) at which each path starts."""

    def __init__(self, data: Any, lines: dict[Path, int], file: str):
        self.data = data
        self.lines = lines
        self.file = file

    def line_of(self, path: Path) -> int | None:
        """The line of the deepest known prefix of path."""
        path = tuple(path)
        while path:
            if path in self.lines:
                return self.lines[path]
            path = path[:-1]
        return self.lines.get((), None)


def parse_text(text: str | bytes, file: str = "<input>", *, max_bytes: int = MAX_BYTES,
               max_depth: int = MAX_DEPTH) -> Located:
    """Parse YAML (JSON is YAML) text into plain data with line numbers."""
    raw = text.encode("utf-8") if isinstance(text, str) else text
    if len(raw) > max_bytes:
        raise LoadError(f"file is {len(raw)} bytes, over the limit of {max_bytes}", file=file)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise LoadError(f"not UTF-8 text (byte {exc.start})", file=file) from None
    try:
        loader = _StrictLoader(text)  # the reader refuses control characters already here
        loader.max_depth = max_depth
    except yaml.YAMLError as exc:
        raise LoadError(f"YAML: {exc}".splitlines()[0], file=file) from None
    try:
        node = loader.get_single_node()
    except LoadError as exc:
        raise LoadError(exc.message, file=file, line=exc.line) from None
    except yaml.MarkedYAMLError as exc:
        line = exc.problem_mark.line + 1 if exc.problem_mark else None
        raise LoadError(f"YAML syntax: {exc.problem or exc}", file=file, line=line) from None
    except yaml.YAMLError as exc:
        raise LoadError(f"YAML: {exc}", file=file) from None
    finally:
        loader.dispose()
    if node is None:
        raise LoadError("the file is empty", file=file)
    lines: dict[Path, int] = {}
    seen: set[int] = set()
    data = _convert(node, (), 0, lines, seen, loader, file, max_depth)
    return Located(data, lines, file)


def read_regular_file(path: str, max_bytes: int = MAX_BYTES) -> bytes:
    """The first `max_bytes + 1` bytes of a regular file. A named pipe, socket or device is refused
    with a LoadError naming it, without waiting on it (opened non-blocking, checked with fstat before
    any read): a pipe in a rules folder would otherwise hang every command that loads the folder."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0))
    except OSError as exc:
        raise LoadError(f"cannot read: {exc.strerror}", file=str(path)) from None
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            kind = ("a named pipe" if stat.S_ISFIFO(mode) else "a socket" if stat.S_ISSOCK(mode)
                    else "a directory" if stat.S_ISDIR(mode) else "a device" if stat.S_ISCHR(mode) or stat.S_ISBLK(mode)
                    else "not a regular file")
            raise LoadError(f"{kind}, not a regular file: refused", file=str(path))
        os.set_blocking(fd, True)
        with os.fdopen(fd, "rb", closefd=True) as fh:
            fd = -1
            return fh.read(max_bytes + 1)
    except OSError as exc:
        raise LoadError(f"cannot read: {exc.strerror}", file=str(path)) from None
    finally:
        if fd >= 0:
            os.close(fd)


def load_file(path: str, **limits: int) -> Located:
    """Read and parse one YAML (or JSON) file; only a regular file is read (`read_regular_file`)."""
    raw = read_regular_file(path, limits.get("max_bytes", MAX_BYTES))
    return parse_text(raw, str(path), **limits)


def _convert(node, path, depth, lines, seen, loader, file, max_depth):
    line = node.start_mark.line + 1
    if depth > max_depth:
        raise LoadError(f"nesting deeper than {max_depth} levels", file=file, line=line)
    if id(node) in seen:
        raise LoadError("YAML anchors and aliases are not allowed", file=file, line=line)
    seen.add(id(node))
    lines[path] = line
    if node.tag not in _ALLOWED_TAGS:
        raise LoadError(f"tag {node.tag!r} is not allowed", file=file, line=line)
    if isinstance(node, yaml.MappingNode):
        out: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                raise LoadError("mapping keys must be plain scalars", file=file,
                                line=key_node.start_mark.line + 1)
            key = _text(loader.construct_scalar(key_node), key_node.start_mark.line + 1, file)
            if key == "<<":
                raise LoadError("merge keys (<<) are not allowed", file=file,
                                line=key_node.start_mark.line + 1)
            if key in out:
                raise LoadError(f"duplicate key {key!r}", file=file, line=key_node.start_mark.line + 1,
                                path=_dotted(path + (key,)))
            out[key] = _convert(value_node, path + (key,), depth + 1, lines, seen, loader, file, max_depth)
            lines[path + (key,)] = key_node.start_mark.line + 1
        return out
    if isinstance(node, yaml.SequenceNode):
        return [_convert(n, path + (i,), depth + 1, lines, seen, loader, file, max_depth)
                for i, n in enumerate(node.value)]
    value = loader.construct_scalar(node)
    if node.style is None:  # plain: typed here
        return _plain(value, line, file, path)
    return _text(value, line, file, path)
