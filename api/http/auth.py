"""Who is calling, and may they use this route: bearer tokens (or, on the page only, the signed
session cookie) checked against the tokens file's hashes, roles per route, written into the OpenAPI:
the bearer security scheme (FastAPI's `HTTPBearer`, documentation only: `identify` does the checking),
the roles in each operation's description and in `x-roles`.

`AuthMiddleware` decides from the request line and headers alone, before any body is read: it finds
the route in the app's own route table (the same `x-roles` the routes declare with `access`), and
answers 401 or 403 at once, so an unauthenticated 60 MB POST costs the worker nothing. Every path that
is not declared public needs a known token, unknown paths included. The routes' `allow()` dependency
checks the role again from the identity the middleware found (defence in depth).

A token is looked up by its SHA-256 (the tokens file holds only hashes): the lookup compares hashes,
never the secret itself, so its timing tells nothing about a token. Without a tokens file the service
is local: every caller is the local user with every role, which `state.State` allows only when the
bind address is loopback.
"""

from __future__ import annotations

from typing import Iterable

from fastapi import Depends, Request, Security
from fastapi.routing import APIRoute
from fastapi.security import HTTPBearer
from starlette.requests import cookie_parser
from starlette.routing import Match

from .errors import ApiError, error_response
from .sessions import SESSION_COOKIE
from .tokens import Identity, digest

ROLE_NOTE = "Roles: {roles}."
SCOPE_KEY = "identity"  # request.state.identity: the access log reads the role from it (observe.py)
LOCAL = Identity(name="local", role="analyst", local=True)

BEARER = HTTPBearer(scheme_name="bearer", auto_error=False, bearerFormat="wvc_ token", description=(
    "A token from `wivcheck tokens new --role ROLE`, sent as `Authorization: Bearer <token>`. The tokens "
    "file holds only its SHA-256. Each operation names the roles that may use it (in its description and "
    "in `x-roles`): analyst, gate, policy, auditor, and the approving roles teamleider, diensthoofd and "
    "minister. No token or an unknown one: 401; a role the operation "
    "does not admit: 403; both before the body is read. A server started without a tokens file listens on "
    "loopback only and gives every caller every role."))


def _header(scope, name: bytes) -> str:
    for key, value in scope.get("headers") or ():
        if key == name:
            return value.decode("latin-1")
    return ""


def identify(state, scope, *, page: bool = False) -> Identity:
    """The caller's identity from `Authorization: Bearer ...` or, on the page (`page`), its signed
    session cookie. Raises ApiError 401 when there is none or it is not known; in local mode
    (`state.local`), the local identity."""
    if state.local:
        return LOCAL
    header = _header(scope, b"authorization")
    token = header[7:].strip() if header[:7].lower() == "bearer " else ""
    if token:
        ident = state.tokens.get(digest(token))
        if ident is None:
            raise ApiError(401, "unauthorized", "the token is not known")
        return ident
    if page:
        session = state.sessions.session(cookie_parser(_header(scope, b"cookie")).get(SESSION_COOKIE))
        ident = state.tokens.get(session.subject) if session else None
        if ident is not None:
            return ident
        raise ApiError(401, "unauthorized", "sign in with your token")
    raise ApiError(401, "unauthorized", "a bearer token is required (Authorization: Bearer ...)")


class AuthMiddleware:
    """Authentication and the role check of every request, from its headers, before its body.

    `refuse_page(scope, status, message)` gives the response for a page route (the sign-in page);
    API routes get the JSON error shape."""

    def __init__(self, app, fastapi_app, state, refuse_page):
        self.app, self.fastapi_app, self.state, self.refuse_page = app, fastapi_app, state, refuse_page

    def _route(self, scope) -> tuple[str, tuple[str, ...] | None, bool]:
        """(access, roles, page) of the route a request is for: access "public", "roles" or
        "token" (no route, or a method the route does not take: a known token is needed to learn even
        that)."""
        partial = None
        for route in self.fastapi_app.router.routes:
            match, _ = route.matches(scope)
            if match is Match.NONE:
                continue
            if match is not Match.FULL:  # the path fits but not the method: another route may take it
                partial = partial or route
                continue
            if not isinstance(route, APIRoute):  # the API description and its assets
                return "public", None, False
            extra = route.openapi_extra or {}
            if extra.get("x-public"):
                return "public", None, bool(extra.get("x-page"))
            return "roles", tuple(extra.get("x-roles") or ()), bool(extra.get("x-page"))
        page = isinstance(partial, APIRoute) and bool((partial.openapi_extra or {}).get("x-page"))
        return "token", None, page

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        access, roles, page = self._route(scope)
        if access == "public":
            return await self.app(scope, receive, send)
        try:
            ident = identify(self.state, scope, page=page)
        except ApiError as exc:
            if page and scope["method"] in ("GET", "HEAD"):  # the page shows its sign-in form
                return await self.app(scope, receive, send)
            return await self._refuse(scope, receive, send, page, exc)
        scope.setdefault("state", {})[SCOPE_KEY] = ident   # the access line names the role, refused or not
        if roles is not None and not ident.may(roles):
            exc = ApiError(403, "forbidden", f"role {ident.role} may not use this route "
                                             f"(allowed: {', '.join(roles)})")
            return await self._refuse(scope, receive, send, page, exc)
        await self.app(scope, receive, send)

    async def _refuse(self, scope, receive, send, page: bool, exc: ApiError):
        if page:
            response = self.refuse_page(scope, exc.http_status, exc.message)
        else:
            headers = {"WWW-Authenticate": "Bearer"} if exc.http_status == 401 else None
            response = error_response(exc.http_status, exc.code, exc.message, headers=headers)
        # the body is not read; the connection is closed after the answer, so that a client still
        # sending a large body does not keep the worker reading it
        response.headers["Connection"] = "close"
        await response(scope, receive, send)


def allow(*roles: str):
    """A dependency admitting the named roles; the roles are also written into the OpenAPI.
    Async, so FastAPI runs it on the event loop instead of handing it to a thread per request."""
    async def dependency(request: Request) -> Identity:
        ident = request.scope.get("state", {}).get(SCOPE_KEY)
        if ident is None:
            ident = identify(request.app.state.wivcheck, request.scope)
        if not ident.may(roles):
            raise ApiError(403, "forbidden", f"role {ident.role} may not use this route "
                                             f"(allowed: {', '.join(roles)})")
        return ident
    return Depends(dependency)


def access(*roles: str) -> dict:
    """The route decorator's keywords for an operation the named roles may use: the bearer security
    scheme, `x-roles` and the roles in the description."""
    return {"openapi_extra": {"x-roles": list(roles)}, "dependencies": [Security(BEARER)],
            "description": ROLE_NOTE.format(roles=", ".join(roles))}


def page_access(roles: Iterable[str] | None = None) -> dict:
    """The `openapi_extra` of a page route: its roles (or public), and that it answers in HTML."""
    return {"x-roles": list(roles), "x-page": True} if roles is not None else {"x-public": True, "x-page": True}
