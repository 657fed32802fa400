"""Routes about the service itself: liveness, readiness (`health`) and Prometheus metrics."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.responses import PlainTextResponse, Response

from .auth import access, allow
from .health import Readiness, readiness
from .errors import AUTH_ERRORS
from .schemas import Health
from .state import State
from .tokens import Identity


def add_routes(app: FastAPI, state: State) -> None:
    """Add these routes to the app, on the worker's state."""
    @app.get("/healthz", response_model=Health, tags=["service"], summary="Liveness; no token needed",
             openapi_extra={"x-public": True})
    def healthz():
        # public: says the service is up and which rules it runs, nothing about where it keeps its files
        return {"status": "ok", "rulesets": [v.ref for v in state.library.all()]}

    @app.get("/readyz", response_model=Readiness, tags=["service"],
             summary="Readiness: rules compiled and in force, decision log reachable and writable; no token needed",
             responses={503: {"model": Readiness, "description": "Not ready: the failing check says why."}},
             openapi_extra={"x-public": True})
    def readyz():
        result = readiness(state)
        return Response(result.model_dump_json(), status_code=200 if result.status == "ready" else 503,
                        media_type="application/json")

    @app.get("/metrics", tags=["service"], summary="Prometheus metrics: decisions by outcome, latency",
             response_class=PlainTextResponse, responses=AUTH_ERRORS, **access("auditor"))
    def metrics(_: Identity = allow("auditor")):
        return Response(state.metrics.exposition(), media_type=state.metrics.content_type)
