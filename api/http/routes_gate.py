"""Routes of the gate for exchange tooling: a STIX 2.1 bundle or MISP event(s) with its envelope, decided
whole and per object, recorded with its gate record; the stripped payload on request (`?stripped=true`)."""

from __future__ import annotations

import time

from fastapi import FastAPI, Query
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from wivcheck.engine import ProvisionError
from wivcheck.engine.log import recording
from wivcheck.policy import SelectionError

from .auth import access, allow
from .errors import AUTH_ERRORS, BODY_ERRORS, FAULT_ERRORS, ApiError, problems_of
from .responses import model_response
from .schemas import GateMispRequest, GateResponse, GateStixRequest
from .state import State
from .tokens import Identity


def add_routes(app: FastAPI, state: State) -> None:
    """Add these routes to the app, on the worker's state."""
    def run_gate(envelope: dict, fmt: str, payload: dict, with_stripped: bool) -> Response:
        from wivcheck.engine.gate import PayloadError, gate as gate_payload, read
        started = time.perf_counter()
        try:
            result = gate_payload(state.engine, envelope, read(fmt, payload))
        except PayloadError as exc:
            raise ApiError(422, "invalid_payload", str(exc), [{"path": exc.where, "message": exc.message}])
        except ProvisionError as exc:
            raise ApiError(422, "invalid_provision", "the envelope is not valid", problems_of(exc))
        except SelectionError as exc:
            raise ApiError(422, "no_rules_in_force", str(exc), [{"path": "date", "message": str(exc)}])
        decision = result.decision.model_copy(update={"gate": result.record()})
        decision = recording.record(state.ledger, [result.provision], [decision])[0]
        state.decided("gate", [decision], time.perf_counter() - started)
        return model_response(GateResponse.model_validate(result.answer(decision, with_stripped)))

    stripped_query = Query(False, description="Also answer with the payload minus the removal set (`stripped`), "
                                              "when the stripped payload is allowed.")

    @app.post("/v1/gate/stix", response_model=GateResponse, tags=["gate"],
              summary="Decide a STIX 2.1 bundle with its envelope, whole and per object; recorded",
              responses={**AUTH_ERRORS, **BODY_ERRORS, **FAULT_ERRORS}, **access("gate"))
    async def gate_stix(body: GateStixRequest, stripped: bool = stripped_query, _: Identity = allow("gate")):
        return await run_in_threadpool(run_gate, body.envelope, "stix", body.bundle, stripped)

    @app.post("/v1/gate/misp", response_model=GateResponse, tags=["gate"],
              summary="Decide a MISP event (or a response with several) with its envelope; recorded",
              responses={**AUTH_ERRORS, **BODY_ERRORS, **FAULT_ERRORS}, **access("gate"))
    async def gate_misp(body: GateMispRequest, stripped: bool = stripped_query, _: Identity = allow("gate")):
        return await run_in_threadpool(run_gate, body.envelope, "misp", body.event, stripped)
