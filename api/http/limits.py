"""Request limits, before any parsing: body size (413) and JSON nesting depth (422).

A pure ASGI middleware: it reads the body once (refusing it as soon as it passes the limit, whatever
Content-Length claims), measures the nesting of JSON bodies, and hands the body on unchanged but for
a leading UTF-8 byte order mark on a JSON body, which it drops (RFC 8259 §8.1 lets a parser ignore
one; the command line reads files with one, so a request body with one gets the same answer).
"""

from __future__ import annotations

import json
import re

import orjson

UTF8_BOM = b"\xef\xbb\xbf"
_STRINGS = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"')
_NOT_BRACKETS = re.compile(rb"[^\[\]{}]")


def json_depth(body: bytes) -> int:
    """The deepest nesting of [ and { outside strings (0 for a scalar).

    Parsed JSON is walked (orjson parses a 1 MB batch in a few ms; scanning the text took ten times
    longer); what orjson refuses (not JSON, deeper than its own limit, NaN) is scanned as text."""
    try:
        doc = orjson.loads(body)
    except orjson.JSONDecodeError:
        return _text_depth(body)
    deepest = 0
    stack = [(doc, 1)] if isinstance(doc, (dict, list)) else []
    while stack:
        node, depth = stack.pop()
        if depth > deepest:
            deepest = depth
        for child in (node.values() if isinstance(node, dict) else node):
            if isinstance(child, (dict, list)):
                stack.append((child, depth + 1))
    return deepest


def _text_depth(body: bytes) -> int:
    brackets = _NOT_BRACKETS.sub(b"", _STRINGS.sub(b"", body))
    depth = deepest = 0
    for b in brackets:
        if b in (91, 123):  # [ {
            depth += 1
            if depth > deepest:
                deepest = depth
        else:
            depth -= 1
    return deepest


def _error(status: int, code: str, message: str) -> tuple[int, bytes]:
    return status, json.dumps({"error": {"code": code, "message": message, "problems": []}}).encode()


class LimitsMiddleware:
    """`max_body_bytes` for every route, except those under a prefix of `larger` (prefix: limit)."""

    def __init__(self, app, max_body_bytes: int, max_depth: int, larger: dict[str, int] | None = None):
        self.app, self.default_max_body, self.max_depth = app, max_body_bytes, max_depth
        self.larger = larger or {}

    def _max_body(self, path: str) -> int:
        return next((limit for prefix, limit in self.larger.items() if path.startswith(prefix)),
                    self.default_max_body)

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD", "OPTIONS"):
            return await self.app(scope, receive, send)
        max_body = self._max_body(scope.get("path", ""))
        headers = dict(scope.get("headers") or [])
        declared = headers.get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > max_body:
            return await self._reply(send, *_error(413, "body_too_large",
                                                   f"the body is {int(declared)} bytes; the limit is {max_body}"))
        chunks, size = [], 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > max_body:
                return await self._reply(send, *_error(413, "body_too_large",
                                                       f"the body is over the limit of {max_body} bytes"))
            chunks.append(chunk)
            if not message.get("more_body"):
                break
        body = b"".join(chunks)
        ctype = headers.get(b"content-type", b"")
        if body[:3] == UTF8_BOM and (b"json" in ctype or not ctype):
            body = body[3:]
        if (body and (b"json" in ctype or not ctype)
                # fewer brackets in all than the limit cannot nest past it; a single provision
                # never has enough, so only large bodies are measured
                and body.count(b"[") + body.count(b"{") > self.max_depth
                and json_depth(body) > self.max_depth):
            return await self._reply(send, *_error(422, "too_deep",
                                                   f"the JSON is nested deeper than {self.max_depth} levels"))
        sent = False

        async def replay():
            nonlocal sent
            if not sent:
                sent = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()
        await self.app(scope, replay, send)

    @staticmethod
    async def _reply(send, status: int, body: bytes) -> None:
        await send({"type": "http.response.start", "status": status,
                    "headers": [(b"content-type", b"application/json"),
                                (b"content-length", str(len(body)).encode())]})
        await send({"type": "http.response.body", "body": body})
