"""Routes of the gate for exchange tooling: a STIX 2.1 bundle or MISP event(s) with its envelope, decided
whole and per object, recorded with its gate record; the stripped payload on request (`?stripped=true`)."""

from __future__ import annotations

import time

from fastapi import FastAPI, Query, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from wivcheck.engine import ProvisionError
from wivcheck.engine.log import AnswerExists, recording
from wivcheck.policy import SelectionError

from . import idempotency
from .auth import access, allow
from .errors import AUTH_ERRORS, BODY_ERRORS, FAULT_ERRORS, IDEMPOTENCY_ERRORS, ApiError, problems_of
from .responses import model_response
from .schemas import GateMispRequest, GateResponse, GateStixRequest
from .state import State
from .routes_decisions import IDEMPOTENCY_KEY
from .tokens import Identity


def add_routes(app: FastAPI, state: State) -> None:
    """Add these routes to the app, on the worker's state."""
    def run_gate(envelope: dict, fmt: str, payload: dict, with_stripped: bool, claimed, who: Identity) -> Response:
        from wivcheck.engine.gate import PayloadError, gate as gate_payload, read
        replayed = idempotency.earlier(state.ledger, claimed)
        if replayed is not None:
            return replayed
        started = time.perf_counter()
        try:
            result = gate_payload(state.engine, envelope, read(fmt, payload), register=state.approvals)
        except PayloadError as exc:
            raise ApiError(422, "invalid_payload", str(exc), [{"path": exc.where, "message": exc.message}])
        except ProvisionError as exc:
            raise ApiError(422, "invalid_provision", "the envelope is not valid", problems_of(exc))
        except SelectionError as exc:
            raise ApiError(422, "no_rules_in_force", str(exc), [{"path": "date", "message": str(exc)}])
        decision = result.decision.model_copy(update={"gate": result.record()})

        def kept(entries):  # the answer kept for an Idempotency-Key: the decision by its sequence number
            body = GateResponse.model_validate(result.answer(decision, with_stripped)).model_dump(mode="json")
            return {**body, "decision": {"$entry": entries[0].seq}}
        try:
            decision = recording.record(state.ledger, [result.provision], [decision],
                                        recorded_by=idempotency.recorder_of(who),
                                        once=idempotency.once(claimed, 200, kept))[0]
        except AnswerExists as exc:  # a concurrent retry with the same key recorded first
            return idempotency.replay_existing(state.ledger, claimed, exc.stored)
        state.decided("gate", [decision], time.perf_counter() - started)
        return model_response(GateResponse.model_validate(result.answer(decision, with_stripped)))

    stripped_query = Query(False, description="Also answer with the payload minus the removal set (`stripped`), "
                                              "when the stripped payload is allowed.")

    @app.post("/v1/gate/stix", response_model=GateResponse, tags=["gate"],
              summary="Decide a STIX 2.1 bundle with its envelope, whole and per object; recorded",
              responses={**AUTH_ERRORS, **BODY_ERRORS, **FAULT_ERRORS, **IDEMPOTENCY_ERRORS}, **access("gate"))
    async def gate_stix(body: GateStixRequest, request: Request, stripped: bool = stripped_query,
                        who: Identity = allow("gate"), idempotency_key: str | None = IDEMPOTENCY_KEY):
        claimed = await idempotency.claim(request, who, "/v1/gate/stix")
        return await run_in_threadpool(run_gate, body.envelope, "stix", body.bundle, stripped, claimed, who)

    @app.post("/v1/gate/misp", response_model=GateResponse, tags=["gate"],
              summary="Decide a MISP event (or a response with several) with its envelope; recorded",
              responses={**AUTH_ERRORS, **BODY_ERRORS, **FAULT_ERRORS, **IDEMPOTENCY_ERRORS}, **access("gate"))
    async def gate_misp(body: GateMispRequest, request: Request, stripped: bool = stripped_query,
                        who: Identity = allow("gate"), idempotency_key: str | None = IDEMPOTENCY_KEY):
        claimed = await idempotency.claim(request, who, "/v1/gate/misp")
        return await run_in_threadpool(run_gate, body.envelope, "misp", body.event, stripped, claimed, who)
