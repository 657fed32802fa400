"""Routes of the gate for exchange tooling: a STIX 2.1 bundle or a MISP event with its envelope, decided whole and per object, recorded."""

from __future__ import annotations

import json
import time

from fastapi import FastAPI
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
    def run_gate(envelope: dict, items_of, payload) -> Response:
        from wivcheck.engine.gate import PayloadError, gate as gate_payload
        started = time.perf_counter()
        try:
            items = items_of(json.dumps(payload))
            result = gate_payload(state.engine, envelope, items)
        except PayloadError as exc:
            raise ApiError(422, "invalid_payload", str(exc))
        except ProvisionError as exc:
            raise ApiError(422, "invalid_provision", "the envelope is not valid", problems_of(exc))
        except SelectionError as exc:
            raise ApiError(422, "no_rules_in_force", str(exc), [{"path": "date", "message": str(exc)}])
        decision = recording.record(state.ledger, [result.provision], [result.decision])[0]
        state.metrics.observe("gate", [decision.decision], time.perf_counter() - started)
        body = {"decision": decision, "objects": [o.__dict__ for o in result.objects], "remove": result.remove,
                "remove_note": result.remove_note}
        return model_response(GateResponse.model_validate(body))

    @app.post("/v1/gate/stix", response_model=GateResponse, tags=["gate"],
              summary="Decide a STIX 2.1 bundle with its envelope, whole and per object; recorded",
              responses={**AUTH_ERRORS, **BODY_ERRORS, **FAULT_ERRORS}, **access("gate"))
    async def gate_stix(body: GateStixRequest, _: Identity = allow("gate")):
        from wivcheck.engine.gate import stix_items
        return await run_in_threadpool(run_gate, body.envelope, stix_items, body.bundle)

    @app.post("/v1/gate/misp", response_model=GateResponse, tags=["gate"],
              summary="Decide a MISP event with its envelope, whole and per object; recorded",
              responses={**AUTH_ERRORS, **BODY_ERRORS, **FAULT_ERRORS}, **access("gate"))
    async def gate_misp(body: GateMispRequest, _: Identity = allow("gate")):
        from wivcheck.engine.gate import misp_items
        return await run_in_threadpool(run_gate, body.envelope, misp_items, body.event)
