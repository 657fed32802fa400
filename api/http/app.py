"""The HTTP service: FastAPI on uvicorn, JSON under /v1, the analyst page at /.

`create_app(settings)` builds the worker's state (rules compiled, the decision log opened, tokens
read) and adds the routes of each group (`routes_decisions`, `routes_rules`, `routes_gate`,
`routes_service`, the page). Every route but /healthz and the API description needs a bearer token
whose role may use it (`x-roles` in the OpenAPI of each operation); errors have one shape
(`errors`).
"""

from __future__ import annotations

import gc

from fastapi import FastAPI

from ..settings import Settings
from . import errors, routes_decisions, routes_gate, routes_rules, routes_service
from .limits import LimitsMiddleware
from .page import add_page
from .state import State


def create_app(settings: Settings | None = None) -> FastAPI:
    """The app for one worker. Raises the error of a broken rule set, log or tokens file."""
    settings = settings or Settings.load()
    state = State(settings)
    # FastAPI's own OpenTelemetry hooks are off: the service reports through /metrics (Prometheus),
    # and asking for the global OpenTelemetry providers on every request cost about 30 µs
    app = FastAPI(title="wivcheck", version="1",
                  telemetry={"tracing": False, "metrics": False, "logs": False},
                  summary="Checks a provision of cyber-threat data by the AIVD or MIVD against Wiv 2017 "
                          "and the PPS safeguards: allow, deny or escalate, with cited reasons.")
    app.state.wivcheck = state
    app.add_middleware(LimitsMiddleware, max_body_bytes=settings.max_body_bytes, max_depth=settings.max_depth,
                       larger={"/v1/gate/": settings.max_gate_body_bytes})
    errors.install(app)
    for group in (routes_decisions, routes_rules, routes_gate, routes_service):
        group.add_routes(app, state)
    add_page(app, state)
    return app


def app_from_env() -> FastAPI:
    """The factory uvicorn's workers call (`wivcheck serve`)."""
    app = create_app(Settings.load())
    # What start-up built (compiled rules, schemas, templates) lives as long as the worker: kept out
    # of the collector's full passes, which otherwise walk all of it every few thousand requests
    gc.freeze()
    return app
