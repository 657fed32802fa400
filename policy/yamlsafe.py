"""Safe YAML (and JSON) reading with limits, for rule files and provisions alike.

Only plain data comes out: mappings, lists, strings, numbers, booleans, null; dates become ISO strings.
Refused with a LoadError naming file and line: files over the size limit, nesting deeper than the depth
limit, anchors and aliases (they allow exponential documents), duplicate keys (YAML would keep the last
silently), and tags other than the core ones. Only true/false are booleans: `NO` (Norway) stays a string.
The loader also returns where each value stood, so later errors can name the line.
"""

from __future__ import annotations

import datetime as _dt
import re
from typing import Any

import yaml

from .errors import LoadError

MAX_BYTES = 1 << 20
MAX_DEPTH = 32

Path = tuple  # a path into the document: keys and list indices


class _StrictLoader(yaml.SafeLoader):
    """SafeLoader whose booleans are only true/false (YAML 1.2), not yes/no/on/off."""


_StrictLoader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_BOOL = re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$")
for _first in "tTfF":
    _StrictLoader.yaml_implicit_resolvers.setdefault(_first, []).insert(
        0, ("tag:yaml.org,2002:bool", _BOOL))

def _no_alias(self, parent, index):
    if self.check_event(yaml.AliasEvent):
        event = self.get_event()
        raise LoadError("YAML anchors and aliases are not allowed", line=event.start_mark.line + 1)
    return yaml.SafeLoader.compose_node(self, parent, index)


_StrictLoader.compose_node = _no_alias

_ALLOWED_TAGS = {
    "tag:yaml.org,2002:str", "tag:yaml.org,2002:int", "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:bool", "tag:yaml.org,2002:null", "tag:yaml.org,2002:timestamp",
    "tag:yaml.org,2002:map", "tag:yaml.org,2002:seq",
}


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


def load_file(path: str, **limits: int) -> Located:
    try:
        with open(path, "rb") as fh:
            raw = fh.read(limits.get("max_bytes", MAX_BYTES) + 1)
    except OSError as exc:
        raise LoadError(f"cannot read: {exc.strerror}", file=str(path)) from None
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
            key = loader.construct_scalar(key_node)
            if key == "<<":
                raise LoadError("merge keys (<<) are not allowed", file=file,
                                line=key_node.start_mark.line + 1)
            if key in out:
                raise LoadError(f"duplicate key {key!r}", file=file, line=key_node.start_mark.line + 1)
            out[key] = _convert(value_node, path + (key,), depth + 1, lines, seen, loader, file, max_depth)
            lines[path + (key,)] = key_node.start_mark.line + 1
        return out
    if isinstance(node, yaml.SequenceNode):
        return [_convert(n, path + (i,), depth + 1, lines, seen, loader, file, max_depth)
                for i, n in enumerate(node.value)]
    try:
        value = loader.construct_object(node, deep=True)
    except (yaml.YAMLError, ValueError) as exc:
        raise LoadError(f"bad value {node.value!r}: {exc}", file=file, line=line) from None
    if isinstance(value, _dt.datetime):
        raise LoadError(f"a timestamp is not allowed here ({node.value!r}); write a date YYYY-MM-DD",
                        file=file, line=line)
    if isinstance(value, _dt.date):
        return value.isoformat()
    if isinstance(value, float) and value != value:  # NaN never compares; refuse it
        raise LoadError("NaN is not a value", file=file, line=line)
    return value
