"""The HTTP service: FastAPI on uvicorn, JSON under /v1, the analyst page at /.

`create_app(settings)` builds the worker's state (rules compiled, the decision log opened, tokens
read) and adds the routes of each group (`routes_decisions`, `routes_rules`, `routes_gate`,
`routes_service`, `routes_authzen`, the page). Every route but the probes, the AuthZEN metadata and
the API description needs a bearer token whose role may use it (`x-roles` in the OpenAPI of each
operation); errors have one shape (`errors`), AuthZEN's on its own routes. Outside everything,
`observe` gives each request its id, access-log line and metrics.
"""

from __future__ import annotations

import gc

from fastapi import FastAPI

from .. import logs
from ..settings import Settings
from . import errors, openapi, routes_authzen, routes_decisions, routes_gate, routes_rules, routes_service
from .limits import LimitsMiddleware
from .observe import RequestLogMiddleware
from .page import add_page
from .state import State


class ServiceApp(FastAPI):
    """FastAPI with the request log and AuthZEN's error shape outside Starlette's own middleware
    (which answers unexpected exceptions), so they see every answer as the client gets it."""

    def build_middleware_stack(self):
        app = routes_authzen.AuthzenErrorsMiddleware(super().build_middleware_stack())
        return RequestLogMiddleware(app, self.state.wivcheck.metrics)


def create_app(settings: Settings | None = None) -> FastAPI:
    """The app for one worker. Raises the error of a broken rule set, log or tokens file."""
    settings = settings or Settings.load()
    if not logs.configured():  # an app made in-process (tests, benchmarks): logs as `serve` writes them
        logs.configure(settings.log_format, settings.log_level)
    state = State(settings)
    # FastAPI's own OpenTelemetry hooks are off: the service reports through /metrics (Prometheus),
    # and asking for the global OpenTelemetry providers on every request cost about 30 µs
    app = ServiceApp(title="wivcheck", version="1",
                     telemetry={"tracing": False, "metrics": False, "logs": False},
                     summary="Checks a provision of cyber-threat data by the AIVD or MIVD against Wiv 2017 "
                             "and the PPS safeguards: allow, deny or escalate, with cited reasons.")
    app.state.wivcheck = state
    app.add_middleware(LimitsMiddleware, max_body_bytes=settings.max_body_bytes, max_depth=settings.max_depth,
                       larger={"/v1/gate/": settings.max_gate_body_bytes})
    errors.install(app)
    for group in (routes_decisions, routes_rules, routes_gate, routes_service, routes_authzen):
        group.add_routes(app, state)
    add_page(app, state)
    openapi.install(app, state)
    return app


def app_from_env() -> FastAPI:
    """The factory uvicorn's workers call (`wivcheck serve`): logging set up first, as settings say."""
    settings = Settings.load()
    logs.configure(settings.log_format, settings.log_level)
    app = create_app(settings)
    # What start-up built (compiled rules, schemas, templates) lives as long as the worker: kept out
    # of the collector's full passes, which otherwise walk all of it every few thousand requests
    gc.freeze()
    return app
