"""The HTTP service: FastAPI on uvicorn, JSON under /v1, the analyst page at /.

`create_app(settings)` builds the worker's state (rules compiled, the decision log opened, tokens
read) and adds the routes of each group (`routes_decisions`, `routes_approvals`, `routes_rules`, `routes_gate`,
`routes_service`, `routes_authzen`, the page). Every route but the probes, the sign-in, the AuthZEN
metadata and the API description needs a bearer token whose role may use it (`x-roles` in the OpenAPI
of each operation); errors have one shape (`errors`), AuthZEN's on its own routes. Outside everything,
`observe` gives each request its id, access-log line and metrics; inside it, outermost first: security
headers on every response (`headers`), the token and role check from the headers before any body is
read (`auth`), then the body limits (`limits`). The API description at /docs is Swagger UI served from
the files the fastapi-offline package ships: no script is loaded from anywhere else.
"""

from __future__ import annotations

import base64
import gc
import hashlib
import re
from importlib import resources

from fastapi import FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from starlette.staticfiles import StaticFiles

from .. import logs
from ..settings import Settings
from . import errors, openapi, routes_approvals, routes_authzen, routes_decisions, routes_gate, routes_rules, routes_service
from .auth import AuthMiddleware
from .bodies import CanonicalRoute
from .headers import SecurityHeadersMiddleware, docs_csp
from .limits import LimitsMiddleware
from .observe import RequestLogMiddleware
from .page import add_page
from .state import State

DOCS_ASSETS = "/docs/assets"


def _docs_html(app: FastAPI) -> tuple[bytes, list[str]]:
    """The Swagger UI page (scripts and styles from DOCS_ASSETS) and the sha256 of its inline script."""
    html = get_swagger_ui_html(openapi_url=app.openapi_url, title="wivcheck: API",
                               swagger_js_url=f"{DOCS_ASSETS}/swagger-ui-bundle.js",
                               swagger_css_url=f"{DOCS_ASSETS}/swagger-ui.css",
                               swagger_favicon_url=f"{DOCS_ASSETS}/favicon.png",
                               oauth2_redirect_url=None).body
    inline = re.findall(rb"<script>(.*?)</script>", html, re.S)
    return html, [base64.b64encode(hashlib.sha256(s).digest()).decode() for s in inline]


class ServiceApp(FastAPI):
    """FastAPI with the request log and AuthZEN's error shape outside Starlette's own middleware
    (which answers unexpected exceptions), so they see every answer as the client gets it."""

    def build_middleware_stack(self):
        app = routes_authzen.AuthzenErrorsMiddleware(super().build_middleware_stack())
        return RequestLogMiddleware(app, self.state.wivcheck.metrics)


def create_app(settings: Settings | None = None) -> FastAPI:
    """The app for one worker. Raises the error of a broken rule set, log or tokens file, and of a
    service without tokens on an address that is not loopback."""
    settings = settings or Settings.load()
    if not logs.configured():  # an app made in-process (tests, benchmarks): logs as `serve` writes them
        logs.configure(settings.log_format, settings.log_level)
    state = State(settings)
    # FastAPI's own OpenTelemetry hooks are off: the service reports through /metrics (Prometheus),
    # and asking for the global OpenTelemetry providers on every request cost about 30 µs
    app = ServiceApp(title="wivcheck", version="1", docs_url=None, redoc_url=None,
                     telemetry={"tracing": False, "metrics": False, "logs": False},
                     summary="Checks a provision of cyber-threat data by the AIVD or MIVD against Wiv 2017 "
                             "and the PPS safeguards: allow, deny or escalate, with cited reasons.")
    app.state.wivcheck = state
    app.router.route_class = CanonicalRoute  # JSON bodies read canonically (bodies.py)
    app.add_middleware(LimitsMiddleware, max_body_bytes=settings.max_body_bytes, max_depth=settings.max_depth,
                       larger={"/v1/gate/": settings.max_gate_body_bytes})
    errors.install(app)
    for group in (routes_decisions, routes_approvals, routes_rules, routes_gate, routes_service, routes_authzen):
        group.add_routes(app, state)
    add_page(app, state)
    openapi.install(app, state)
    docs, hashes = _docs_html(app)
    app.add_route("/docs", lambda request: _html(docs), include_in_schema=False)
    app.mount(DOCS_ASSETS, StaticFiles(directory=str(resources.files("fastapi_offline") / "static")),
              name="docs-assets")
    app.add_middleware(AuthMiddleware, fastapi_app=app, state=state,
                       refuse_page=lambda scope, status, message: app.state.refuse_page(scope, status, message))
    app.add_middleware(SecurityHeadersMiddleware, special={"/docs": docs_csp(hashes)})
    return app


def _html(body: bytes):
    from starlette.responses import HTMLResponse
    return HTMLResponse(body)


def app_from_env() -> FastAPI:
    """The factory uvicorn's workers call (`wivcheck serve`): logging set up first, as settings say."""
    settings = Settings.load()
    logs.configure(settings.log_format, settings.log_level)
    app = create_app(settings)
    # What start-up built (compiled rules, schemas, templates) lives as long as the worker: kept out
    # of the collector's full passes, which otherwise walk all of it every few thousand requests
    gc.freeze()
    return app
