"""Routes for decisions: check (record nothing), record, a recorded batch, and a recorded decision read back with its explanation.
The recording routes take an `Idempotency-Key` (`idempotency`) and record who called (`recorded_by`)."""

from __future__ import annotations

import time
from typing import Literal

import orjson
from fastapi import FastAPI, Header, Query, Request
from fastapi.responses import HTMLResponse, PlainTextResponse, Response
from starlette.concurrency import run_in_threadpool

from wivcheck.engine import (Decision, EngineError, Provision, ProvisionError, provision_from_data, render_html,
                             render_markdown)
from wivcheck.engine.log import AnswerExists, recording
from wivcheck.policy import ROLES as APPROVER_ROLES, SelectionError

from . import idempotency
from .auth import access, allow
from .errors import AUTH_ERRORS, BODY_ERRORS, FAULT_ERRORS, IDEMPOTENCY_ERRORS, ApiError, documented, problems_of
from .responses import data_response
from .schemas import BatchItem, BatchRequest, BatchResponse, ProvisionBody
from .state import State
from .tokens import Identity


READERS = ("analyst", "gate", "auditor", *APPROVER_ROLES)   # approvers read what they are asked to approve

IDEMPOTENCY_KEY = Header(None, alias="Idempotency-Key",
                         description="Any unique text (1-255 visible ASCII characters, e.g. a UUID): a retry with "
                                     "the same key and body returns the first answer and records nothing more.")


def add_routes(app: FastAPI, state: State) -> None:
    """Add these routes to the app, on the worker's state."""
    settings = state.settings

    def decide(provisions: list[Provision], route: str) -> list[dict]:
        """Decision data (`Engine.decide_data`, the Decision contract as JSON data), timed for /metrics."""
        t0 = time.perf_counter()
        try:
            decisions = state.engine.decide_data(provisions, register=state.approvals)
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
              responses={**AUTH_ERRORS, **BODY_ERRORS, **FAULT_ERRORS, **IDEMPOTENCY_ERRORS},
              **access("analyst", "gate"))
    async def record(provision: ProvisionBody, request: Request, who: Identity = allow("analyst", "gate"),
                     idempotency_key: str | None = IDEMPOTENCY_KEY):
        claimed = await idempotency.claim(request, who, "/v1/decisions")
        # the log may be a database over the network: never wait for it on the event loop
        return await run_in_threadpool(record_one, provision, claimed, who)

    def record_one(provision: Provision, claimed, who: Identity) -> Response:
        replayed = idempotency.earlier(state.ledger, claimed)
        if replayed is not None:
            return replayed
        decisions = decide([provision], "record")
        once = idempotency.once(claimed, 201, lambda entries: {"$entry": entries[0].seq})
        try:
            recorded = recording.record_data(state.ledger, [provision], decisions,
                                             recorded_by=idempotency.recorder_of(who), once=once)
        except AnswerExists as exc:  # a concurrent retry with the same key recorded first
            return idempotency.replay_existing(state.ledger, claimed, exc.stored)
        return data_response(recorded[0], 201)

    @app.post("/v1/decisions/batch", response_model=BatchResponse, tags=["decisions"],
              summary=f"Evaluate and record up to {settings.max_batch} provisions",
              responses={**AUTH_ERRORS, **BODY_ERRORS, **FAULT_ERRORS, **IDEMPOTENCY_ERRORS}, **access("gate"))
    async def batch(body: BatchRequest, request: Request, who: Identity = allow("gate"),
                    idempotency_key: str | None = IDEMPOTENCY_KEY):
        if len(body.provisions) > settings.max_batch:
            raise ApiError(413, "batch_too_large", f"{len(body.provisions)} provisions; the limit is "
                                                   f"{settings.max_batch} per request")
        claimed = await idempotency.claim(request, who, "/v1/decisions/batch")
        # a thousand decisions take a few hundred ms: on a thread, so that the worker's event loop
        # keeps answering single checks in between instead of after
        return await run_in_threadpool(decide_batch, body.provisions, claimed, who)

    def decide_good(provisions: list[Provision]) -> list[dict | EngineError]:
        """Decision data for each provision; when the engine fails on the batch, each is decided on
        its own, so that one provision's fault fails that item only (never an allow)."""
        try:
            return decide(provisions, "batch")
        except EngineError:
            out: list[dict | EngineError] = []
            for p in provisions:
                try:
                    out.append(decide([p], "batch")[0])
                except EngineError as exc:
                    out.append(exc)
            return out

    def decide_batch(items: list, claimed, who: Identity) -> Response:
        replayed = idempotency.earlier(state.ledger, claimed)
        if replayed is not None:
            return replayed
        results: list[dict] = [{"index": i} for i in range(len(items))]
        good: list[tuple[int, Provision]] = []
        for i, data in enumerate(items):
            try:
                if not isinstance(data, dict):
                    raise ProvisionError([f"item {i} is a {type(data).__name__}, not a provision object"],
                                         f"provisions[{i}]")
                p = provision_from_data(data)
                state.engine.select(p.date)
                good.append((i, p))
            except ProvisionError as exc:
                results[i]["error"] = {"code": "invalid_provision", "message": "the provision is not valid",
                                       "problems": problems_of(exc)}
            except SelectionError as exc:
                results[i]["error"] = {"code": "no_rules_in_force", "message": str(exc),
                                       "problems": [{"path": "date", "message": str(exc)}]}
        decided: list[tuple[int, Provision, dict]] = []
        for (i, p), d in zip(good, decide_good([p for _, p in good]) if good else []):
            if isinstance(d, EngineError):
                results[i]["error"] = {"code": "engine_fault", "message": f"no decision: {d}", "problems": []}
            else:
                decided.append((i, p, d))
        # the errors as the response shows them (validated once), for the answer and for the kept answer
        errors = {r["index"]: BatchItem.model_validate(r).model_dump(mode="json")["error"]
                  for r in results if "error" in r}

        def kept(entries):
            at = {i: e.seq for (i, _, _), e in zip(decided, entries)}
            return {"results": [{"index": i, "decision": {"$entry": at[i]}, "error": None} if i in at
                                else {"index": i, "decision": None, "error": errors[i]} for i in range(len(items))]}
        if decided:
            try:
                recording.record_data(state.ledger, [p for _, p, _ in decided], [d for _, _, d in decided],
                                      recorded_by=idempotency.recorder_of(who),
                                      once=idempotency.once(claimed, 200, kept))
            except AnswerExists as exc:
                return idempotency.replay_existing(state.ledger, claimed, exc.stored)
            for i, _, d in decided:
                results[i]["decision"] = d
        # serialised here, in one call: FastAPI would validate a thousand decisions again on the way
        # out, and a thousand calls joined cost several times one call over the whole answer
        answer = [{"index": r["index"], "decision": r["decision"], "error": None} if "decision" in r
                  else {"index": r["index"], "decision": None, "error": errors[r["index"]]} for r in results]
        return Response(orjson.dumps({"results": answer}), media_type="application/json")

    @app.get("/v1/decisions/{key}", tags=["decisions"], summary="A recorded decision with its explanation",
             response_model=Decision,
             responses={**AUTH_ERRORS, 404: documented(404, "not_found", "No such decision in the log."),
                        200: {"content": {"text/markdown": {}, "text/html": {}}}, 503: FAULT_ERRORS[503]},
             **access(*READERS))
    def show(key: str, format: Literal["json", "markdown", "html"] = Query("json"),
             lang: Literal["nl", "en"] = Query("nl"), _: Identity = allow(*READERS)):
        # EntryNotFound is a 404 and EntryTampered (the entry does not fit its hash) a 500, by their own status
        provision, decision, _ = recording.shown(state.ledger, key)
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
