"""Routes for decisions: check (record nothing), record, a recorded batch, and a recorded decision read back with its explanation."""

from __future__ import annotations

import time
from typing import Literal

import orjson
from fastapi import FastAPI, Query
from fastapi.responses import HTMLResponse, PlainTextResponse, Response
from starlette.concurrency import run_in_threadpool

from wivcheck.engine import Decision, Provision, ProvisionError, provision_from_data, render_html, render_markdown
from wivcheck.engine.log import recording
from wivcheck.policy import SelectionError

from .auth import access, allow
from .errors import AUTH_ERRORS, BODY_ERRORS, FAULT_ERRORS, ApiError, documented, problems_of
from .responses import data_response
from .schemas import BatchItem, BatchRequest, BatchResponse, ProvisionBody
from .state import State
from .tokens import Identity


def add_routes(app: FastAPI, state: State) -> None:
    """Add these routes to the app, on the worker's state."""
    settings = state.settings

    def decide(provisions: list[Provision], route: str) -> list[dict]:
        """Decision data (`Engine.decide_data`, the Decision contract as JSON data), timed for /metrics."""
        t0 = time.perf_counter()
        try:
            decisions = state.engine.decide_data(provisions)
        except SelectionError as exc:
            raise ApiError(422, "no_rules_in_force", str(exc), [{"path": "date", "message": str(exc)}])
        state.decided(route, decisions, time.perf_counter() - t0)
        return decisions


    @app.post("/v1/check", response_model=Decision, tags=["decisions"], summary="Evaluate, record nothing",
              responses={**AUTH_ERRORS, **BODY_ERRORS, 500: FAULT_ERRORS[500]},
              **access("analyst", "gate", "policy"))
    async def check(provision: ProvisionBody, _: Identity = allow("analyst", "gate", "policy")):
        return data_response(decide([provision], "check")[0])

    @app.post("/v1/decisions", response_model=Decision, status_code=201, tags=["decisions"],
              summary="Evaluate and record in the decision log",
              responses={**AUTH_ERRORS, **BODY_ERRORS, **FAULT_ERRORS}, **access("analyst", "gate"))
    async def record(provision: ProvisionBody, _: Identity = allow("analyst", "gate")):
        decisions = decide([provision], "record")
        # on a thread: a log held by another writer stalls this request, not every request of the worker
        recorded = await run_in_threadpool(recording.record_data, state.ledger, [provision], decisions)
        return data_response(recorded[0], 201)

    @app.post("/v1/decisions/batch", response_model=BatchResponse, tags=["decisions"],
              summary=f"Evaluate and record up to {settings.max_batch} provisions",
              responses={**AUTH_ERRORS, **BODY_ERRORS, **FAULT_ERRORS}, **access("gate"))
    async def batch(body: BatchRequest, _: Identity = allow("gate")):
        if len(body.provisions) > settings.max_batch:
            raise ApiError(413, "batch_too_large", f"{len(body.provisions)} provisions; the limit is "
                                                   f"{settings.max_batch} per request")
        # a thousand decisions take a few hundred ms: on a thread, so that the worker's event loop
        # keeps answering single checks in between instead of after
        return await run_in_threadpool(decide_batch, body.provisions)

    def decide_batch(items: list[dict]) -> Response:
        results: list[dict] = [{"index": i} for i in range(len(items))]
        good: list[tuple[int, Provision]] = []
        for i, data in enumerate(items):
            try:
                p = provision_from_data(data)
                state.engine.select(p.date)
                good.append((i, p))
            except ProvisionError as exc:
                results[i]["error"] = {"code": "invalid_provision", "message": "the provision is not valid",
                                       "problems": problems_of(exc)}
            except SelectionError as exc:
                results[i]["error"] = {"code": "no_rules_in_force", "message": str(exc),
                                       "problems": [{"path": "date", "message": str(exc)}]}
        if good:
            provisions = [p for _, p in good]
            decisions = recording.record_data(state.ledger, provisions, decide(provisions, "batch"))
            for (i, _), d in zip(good, decisions):
                results[i]["decision"] = d
        # serialised here, once: FastAPI would validate a thousand decisions again on the way out
        parts = []
        for r in results:
            if "decision" in r:
                parts.append(orjson.dumps({"index": r["index"], "decision": r["decision"], "error": None}))
            else:
                parts.append(BatchItem.model_validate(r).model_dump_json().encode())
        return Response(b'{"results":[' + b",".join(parts) + b"]}", media_type="application/json")

    @app.get("/v1/decisions/{key}", tags=["decisions"], summary="A recorded decision with its explanation",
             response_model=Decision,
             responses={**AUTH_ERRORS, 404: documented(404, "not_found", "No such decision in the log."),
                        200: {"content": {"text/markdown": {}, "text/html": {}}}, 503: FAULT_ERRORS[503]},
             **access("analyst", "gate", "auditor"))
    def show(key: str, format: Literal["json", "markdown", "html"] = Query("json"),
             lang: Literal["nl", "en"] = Query("nl"), _: Identity = allow("analyst", "gate", "auditor")):
        entry = state.ledger.get(key)  # EntryNotFound is a 404 by its own status
        provision, decision = recording.stored(entry)
        if format != "json" and decision.gate is not None:      # a gate decision: its record after it
            from wivcheck.engine.gate.record import render_record
            record = decision.gate.model_dump(mode="json")
            if format == "markdown":
                return PlainTextResponse(render_markdown(decision, lang, provision)
                                         + render_record(record, lang, "markdown"), media_type="text/markdown")
            page = render_html(decision.model_copy(update={"gate": None}), provision, lang)
            section = render_record(record, lang, "html")
            return HTMLResponse(page.replace("</body>", section + "</body>") if "</body>" in page else page + section)
        if format == "markdown":
            return PlainTextResponse(render_markdown(decision, lang, provision), media_type="text/markdown")
        if format == "html":
            return HTMLResponse(render_html(decision, provision, lang))
        return decision
