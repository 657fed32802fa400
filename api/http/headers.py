"""Security headers on every response of the service, errors and refusals included (the outermost
middleware): no framing (`frame-ancestors 'none'`, `X-Frame-Options: DENY`), a Content Security
Policy that lets the page load nothing and run no script (the page has no JavaScript) and lets the API
description run only the Swagger UI the package ships (`/docs/assets`, plus the one inline start-up
script, by its hash), `nosniff`, no referrer to other origins, no caching of answers (they hold provisions and
decisions), isolation from other origins' windows and `Strict-Transport-Security` over HTTPS."""

from __future__ import annotations

_PAGE_CSP = ("default-src 'none'; style-src 'unsafe-inline'; img-src 'self'; form-action 'self'; "
             "frame-ancestors 'none'; base-uri 'none'")

_COMMON = [
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"same-origin"),  # no-referrer would make browsers send `Origin: null`
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"cross-origin-resource-policy", b"same-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=(), payment=(), usb=()"),
]


def docs_csp(script_hashes: list[str]) -> str:
    """The policy of the API description: its own scripts and styles only, and the inline start-up
    script by its sha256 (base64)."""
    hashes = " ".join(f"'sha256-{h}'" for h in script_hashes)
    return ("default-src 'none'; script-src 'self' " + hashes + "; style-src 'self' 'unsafe-inline'; "
            "img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'")


class SecurityHeadersMiddleware:
    """Adds the headers to every HTTP response; `special` maps a path prefix to its own CSP."""

    def __init__(self, app, special: dict[str, str] | None = None):
        self.app = app
        self.special = {k: v.encode() for k, v in (special or {}).items()}

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        path = scope.get("path", "")
        csp = next((v for prefix, v in self.special.items() if path.startswith(prefix)), _PAGE_CSP.encode())
        https = scope.get("scheme") == "https"
        cacheable = path.startswith("/docs/assets/")

        async def send_with_headers(message):
            if message["type"] == "http.response.start":
                headers = [(k, v) for k, v in message.get("headers", [])
                           if k.lower() not in (b"content-security-policy", b"x-frame-options")]
                headers += _COMMON + [(b"content-security-policy", csp)]
                if not cacheable:
                    headers.append((b"cache-control", b"no-store"))
                if https:
                    headers.append((b"strict-transport-security", b"max-age=31536000"))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)
