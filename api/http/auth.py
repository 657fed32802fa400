"""Who is calling, and may they use this route: bearer tokens (or the sign-in cookie of the page)
checked against the tokens file's hashes, roles per route, written into the OpenAPI: the bearer
security scheme (FastAPI's `HTTPBearer`, documentation only: `identify` does the checking, cookie
included), the roles in each operation's description and in `x-roles`. Without a tokens file the
service is local: loopback only, every role."""

from __future__ import annotations

from fastapi import Depends, Request, Security
from fastapi.security import HTTPBearer

from .errors import ApiError
from .tokens import Identity, digest

ROLE_NOTE = "Roles: {roles}."

BEARER = HTTPBearer(scheme_name="bearer", auto_error=False, bearerFormat="wvc_ token", description=(
    "A token from `wivcheck tokens new --role ROLE`, sent as `Authorization: Bearer <token>`. The tokens "
    "file holds only its SHA-256. Each operation names the roles that may use it (in its description and "
    "in `x-roles`): analyst, gate, policy, auditor. No token or an unknown one: 401; a role the operation "
    "does not admit: 403. A server started without a tokens file listens on loopback only and gives "
    "every caller every role."))


def identify(tokens: dict[str, Identity], request: Request) -> Identity:
    """The caller's identity from `Authorization: Bearer ...` or the page's cookie. Raises ApiError
    401 when there is no token or it is not known; with no tokens configured, the local identity."""
    if not tokens:
        return Identity(name="local", role="analyst", local=True)
    header = request.headers.get("authorization", "")
    token = header[7:].strip() if header.lower().startswith("bearer ") else request.cookies.get("wivcheck_token")
    if not token:
        raise ApiError(401, "unauthorized", "a bearer token is required (Authorization: Bearer ...)")
    ident = tokens.get(digest(token))
    if ident is None:
        raise ApiError(401, "unauthorized", "the token is not known")
    return ident


def allow(*roles: str):
    """A dependency admitting the named roles; the roles are also written into the OpenAPI.
    Async, so FastAPI runs it on the event loop instead of handing it to a thread per request."""
    async def dependency(request: Request) -> Identity:
        ident = request.app.state.wivcheck.identify(request)
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


