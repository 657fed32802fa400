"""Reading JSON request bodies the canonical way (DESIGN.md, the provision; policy/yamlsafe.py for
YAML): UTF-8 only (invalid bytes are an error, never replaced), no duplicate keys (JSON parsers keep
the last one silently; the CLI's loader refuses them, so the API must too), no `NaN` or `Infinity`
(not JSON). Types are then held by the strict models (true/false only, decimal numbers, NFC text).

`CanonicalRoute` is the route class of the app: FastAPI reads a JSON body through `Request.json()`,
which here parses with the standard library's decoder and a pairs hook (the only parser with one;
orjson has none), once per request. A refused body becomes FastAPI's `json_invalid` validation error,
which `errors.install` answers as 422 `invalid_json` naming the key's path and the line.
"""

from __future__ import annotations

import json
from typing import Any, Callable

from fastapi import Request
from fastapi.routing import APIRoute


class CanonicalJSONError(json.JSONDecodeError):
    """A JSON body that is not canonical: `path` (dotted, where known) and `line` say where."""

    def __init__(self, msg: str, doc: str, pos: int, path: str = ""):
        super().__init__(msg, doc, pos)
        self.path = path


class _Duplicated(dict):
    duplicate: str = ""


def _flagged(items: list[tuple[str, Any]], out: dict) -> _Duplicated:
    """The object `items` made, marked with the first key it gives twice."""
    seen: set[str] = set()
    flagged = _Duplicated(out)
    flagged.duplicate = next(k for k, _ in items if k in seen or seen.add(k))
    return flagged


def _refuse_constant(name: str):
    raise ValueError(f"{name} is not a JSON number")


def _find_duplicate(value: Any, path: tuple = ()) -> tuple[tuple, str] | None:
    if isinstance(value, _Duplicated):
        return path, value.duplicate
    children = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
    for key, child in children:
        if isinstance(child, (dict, list)):
            found = _find_duplicate(child, path + (key,))
            if found:
                return found
    return None


def loads(body: bytes) -> Any:
    """The JSON value of `body`. Raises CanonicalJSONError (a json.JSONDecodeError) for text that is
    not UTF-8, not JSON, holds a duplicate key, NaN or Infinity; the error names the line and, for a
    duplicate, the key's path."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise CanonicalJSONError(f"the body is not UTF-8 text (byte {exc.start})", "", 0) from None
    duplicates: list[_Duplicated] = []   # the parse says whether there is one to look for

    def pairs(items: list[tuple[str, Any]]) -> dict:
        out = dict(items)
        if len(out) == len(items):
            return out
        duplicates.append(_flagged(items, out))
        return duplicates[-1]
    try:
        value = json.loads(text, object_pairs_hook=pairs, parse_constant=_refuse_constant)
    except json.JSONDecodeError as exc:
        raise CanonicalJSONError(exc.msg, text, exc.pos) from None
    except ValueError as exc:  # NaN, Infinity
        raise CanonicalJSONError(str(exc), text, 0) from None
    except RecursionError:
        raise CanonicalJSONError("nested too deep", text, 0) from None
    found = _find_duplicate(value) if duplicates and isinstance(value, (dict, list)) else None
    if found is not None:
        path, key = found
        dotted = ".".join(str(p) for p in path + (key,))
        quoted = json.dumps(key)
        first = text.find(quoted)
        pos = text.find(quoted, first + 1) if first >= 0 else -1
        raise CanonicalJSONError(f"duplicate key {key!r}", text, max(pos, 0), dotted)
    return value


class CanonicalRequest(Request):
    """A request whose JSON body is read by `loads`."""

    async def json(self) -> Any:
        if not hasattr(self, "_json"):
            self._json = loads(await self.body())
        return self._json


class CanonicalRoute(APIRoute):
    """The app's route class: its JSON bodies are read by `loads`."""

    def get_route_handler(self) -> Callable:
        handler = super().get_route_handler()

        async def canonical(request: Request):
            return await handler(CanonicalRequest(request.scope, request.receive))
        return canonical
