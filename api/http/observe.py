"""Every request, seen from outside the app: its request id, its access-log line and its request
metrics. A pure ASGI middleware that `app.ServiceApp` puts outside everything else, Starlette's own
error middleware included, so a 500 is logged and counted with the status the client got.

The request id is the caller's `X-Request-ID` when it is 1 to 200 visible ASCII characters
(OpenID AuthZEN 1.0, HTTPS binding, "Request Identification": echoed unchanged), else a new UUID;
either way it is on the answer's `X-Request-ID` and on every log line written for the request.
"""

from __future__ import annotations

import re
import time
import uuid

from .. import logs
from .metrics import Metrics

_REQUEST_ID = re.compile(r"^[\x21-\x7e][\x20-\x7e]{0,199}$")


def request_id(headers: list[tuple[bytes, bytes]]) -> str:
    """The caller's X-Request-ID if it is fit to echo and log, else a fresh UUID."""
    for name, value in headers:
        if name == b"x-request-id":
            text = value.decode("latin-1")
            if _REQUEST_ID.match(text):
                return text
            break
    return str(uuid.uuid4())


def route_of(scope) -> str:
    """The matched route's template (`/v1/decisions/{key}`), the fixed path of a framework route
    (`/docs`), or `unmatched`: never a raw path with a caller's values in it."""
    route = scope.get("route")
    if route is not None and getattr(route, "path", None):
        return route.path
    if scope.get("endpoint") is not None:
        return scope.get("path", "unmatched")
    return "unmatched"


def role_of(scope) -> str | None:
    """The caller's role once auth has run (`local` for the token-less loopback server)."""
    ident = (scope.get("state") or {}).get("identity")
    if ident is None:
        return None
    return "local" if getattr(ident, "local", False) else ident.role


class RequestLogMiddleware:
    """Request id in and out, the access-log line and the request metrics of every HTTP request."""

    def __init__(self, app, metrics: Metrics):
        self.app, self.metrics = app, metrics

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        rid = request_id(scope.get("headers") or [])
        token = logs.REQUEST_ID.set(rid)
        started = time.perf_counter()
        status = 500
        header = (b"x-request-id", rid.encode("latin-1"))

        async def send_with_id(message):
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message = {**message, "headers": [*[(k, v) for k, v in message.get("headers", [])
                                                     if k.lower() != b"x-request-id"], header]}
            await send(message)
        try:
            await self.app(scope, receive, send_with_id)
        finally:
            seconds = time.perf_counter() - started
            route = route_of(scope)
            self.metrics.request(scope["method"], route, status, seconds)
            logs.request(method=scope["method"], route=route, status=status, seconds=seconds,
                         role=role_of(scope))
            logs.REQUEST_ID.reset(token)
