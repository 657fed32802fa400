"""OpenID AuthZEN Authorization API 1.0 beside the native API: `POST /access/v1/evaluation`,
`POST /access/v1/evaluations` and the PDP metadata at `GET /.well-known/authzen-configuration`
(mapping and models in `authzen`). Same roles and limits as `POST /v1/check`; nothing is recorded.

Errors on `/access/v1/` take AuthZEN's shape (§"Error Responses": the status and an error message
string as the body), whatever raised them (auth, the body limits, validation, the engine): the
`AuthzenErrorsMiddleware` rewrites the service's one error shape into a JSON string naming the same
code, message and problems; a malformed request (422 elsewhere) is 400 here.
"""

from __future__ import annotations

import json
import time
from typing import Annotated

from fastapi import Body, FastAPI, Request
from starlette.concurrency import run_in_threadpool

from wivcheck.engine import EngineError
from wivcheck.policy import SelectionError
from wivcheck.policy.errors import WivcheckError

from . import authzen
from .auth import access, allow
from .errors import ApiError
from .responses import data_response
from .state import State
from .tokens import Identity

ROLES = ("analyst", "gate", "policy")  # as POST /v1/check
PREFIX = "/access/v1/"


def _error_doc(status: int, what: str, example: str) -> dict:
    return {"description": what + " The body is an error message string (AuthZEN 1.0, \"Error Responses\").",
            "content": {"application/json": {"schema": {"type": "string"}, "example": example}}}


ERRORS = {
    400: _error_doc(400, "The request is not a valid evaluation: each wrong field is named.",
                    "invalid_request: resource.properties.recipient.kind: Input should be 'private_party', ..."),
    401: _error_doc(401, "No bearer token, or a token that is not known.",
                    "unauthorized: a bearer token is required (Authorization: Bearer ...)"),
    403: _error_doc(403, "The token's role may not use this route.",
                    "forbidden: role auditor may not use this route (allowed: analyst, gate, policy)"),
    413: _error_doc(413, "The body is over the size limit, or more evaluations than the batch limit.",
                    "batch_too_large: 1001 evaluations; the limit is 1000 per request"),
    500: _error_doc(500, "The engine failed; there is no decision.", "engine_fault: no decision: ..."),
}


def _decide(state: State, provisions: list, route: str) -> list[dict]:
    started = time.perf_counter()
    try:
        decisions = state.engine.decide_data(provisions, register=state.approvals)
    except WivcheckError:
        raise
    except Exception as exc:  # noqa: BLE001 - a fault is an error answer, never a decision
        raise EngineError(f"no decision: {type(exc).__name__}: {exc}") from None
    state.decided(route, decisions, time.perf_counter() - started)
    return decisions


def add_routes(app: FastAPI, state: State) -> None:
    """Add these routes to the app, on the worker's state."""
    settings = state.settings

    @app.get("/.well-known/authzen-configuration", response_model=authzen.Configuration, tags=["authzen"],
             summary="AuthZEN policy decision point metadata; no token needed",
             openapi_extra={"x-public": True})
    def configuration(request: Request):
        base = str(request.base_url).rstrip("/")
        return {"policy_decision_point": base, "access_evaluation_endpoint": base + PREFIX + "evaluation",
                "access_evaluations_endpoint": base + PREFIX + "evaluations"}

    @app.post(PREFIX + "evaluation", response_model=authzen.EvaluationResponse, tags=["authzen"],
              summary="AuthZEN access evaluation: may this service provide this provision? (records nothing)",
              responses=ERRORS, **access(*ROLES))
    async def evaluation(body: Annotated[authzen.EvaluationRequest, Body()], _: Identity = allow(*ROLES)):
        try:
            provision = authzen.provision_of(body)
        except authzen.AuthzenInputError as exc:
            raise ApiError(400, "invalid_request", exc.message)
        try:
            decision = _decide(state, [provision], "authzen")[0]
        except SelectionError as exc:
            raise ApiError(400, "no_rules_in_force", f"resource.properties.date: {exc}")
        return data_response(authzen.answer(decision))

    @app.post(PREFIX + "evaluations", response_model=authzen.EvaluationsResponse | authzen.EvaluationResponse,
              tags=["authzen"], summary="AuthZEN access evaluations: several at once, with an evaluation "
                                        "semantic (records nothing)", responses=ERRORS, **access(*ROLES))
    async def evaluations(body: Annotated[authzen.EvaluationsRequest, Body()], _: Identity = allow(*ROLES)):
        defaults = {"subject": body.subject, "action": body.action, "resource": body.resource,
                    "context": body.context}
        defaults = {k: (v.model_dump() if hasattr(v, "model_dump") else v) for k, v in defaults.items()}
        if not body.evaluations:  # no batch: a single evaluation, answered as one
            try:
                provision = authzen.provision_of({k: v for k, v in defaults.items() if v is not None})
            except authzen.AuthzenInputError as exc:
                raise ApiError(400, "invalid_request", exc.message)
            try:
                return data_response(authzen.answer(_decide(state, [provision], "authzen")[0]))
            except SelectionError as exc:
                raise ApiError(400, "no_rules_in_force", f"resource.properties.date: {exc}")
        if len(body.evaluations) > settings.max_batch:
            raise ApiError(413, "batch_too_large", f"{len(body.evaluations)} evaluations; the limit is "
                                                   f"{settings.max_batch} per request")
        semantic = body.options.evaluations_semantic if body.options else "execute_all"
        items = [item.model_dump(exclude_none=True) if hasattr(item, "model_dump") else item
                 for item in body.evaluations]
        answers = await run_in_threadpool(_evaluate_all, state, defaults, items, semantic)
        return data_response({"evaluations": answers})


def _evaluate_all(state: State, defaults: dict, items: list, semantic: str) -> list[dict]:
    """Every evaluation's answer in order; with a short-circuit semantic, deciding stops at the
    first false or true (later items are neither decided nor answered)."""
    prepared: list = []
    for i, item in enumerate(items):
        try:
            prepared.append(authzen.provision_of(authzen.merged(defaults, item)))
        except authzen.AuthzenInputError as exc:
            prepared.append(authzen.error_answer(f"evaluations[{i}]: {exc.message}"))
    if semantic == "execute_all":
        good = [p for p in prepared if not isinstance(p, dict)]
        decided = iter(_decide_each(state, good))
        return [p if isinstance(p, dict) else next(decided) for p in prepared]
    stop_at = semantic == "permit_on_first_permit"  # deny_on_first_deny stops at the first false
    answers = []
    for p in prepared:
        answers.append(p if isinstance(p, dict) else _decide_each(state, [p])[0])
        if answers[-1]["decision"] is stop_at:
            break
    return answers


def _decide_each(state: State, provisions: list) -> list[dict]:
    """Answers for valid provisions; one dated before any rule set in force is answered false with
    its error, and does not fail the others."""
    out: list[dict | None] = [None] * len(provisions)
    ok = []
    for i, p in enumerate(provisions):
        try:
            state.engine.select(p.date)
            ok.append(i)
        except SelectionError as exc:
            out[i] = authzen.error_answer(f"resource.properties.date: {exc}")
    if ok:
        for i, d in zip(ok, _decide(state, [provisions[i] for i in ok], "authzen")):
            out[i] = authzen.answer(d)
    return out  # type: ignore[return-value]


class AuthzenErrorsMiddleware:
    """Errors under /access/v1/ in AuthZEN's shape: the status (422 becomes 400) and a JSON string
    `"<code>: <message>; <path>: <problem>..."`. Other answers pass untouched."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or not scope.get("path", "").startswith(PREFIX):
            return await self.app(scope, receive, send)
        held: dict = {}

        async def reshape(message):
            if message["type"] == "http.response.start" and message["status"] >= 400:
                held["start"], held["body"] = message, b""
                return
            if "start" not in held:
                return await send(message)
            held["body"] += message.get("body", b"")
            if message.get("more_body"):
                return
            status, body = _authzen_error(held["start"]["status"], held["body"])
            headers = [(k, v) for k, v in held["start"].get("headers", [])
                       if k.lower() not in (b"content-length", b"content-type")]
            headers += [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
            await send({**held["start"], "status": status, "headers": headers})
            await send({"type": "http.response.body", "body": body})
        await self.app(scope, receive, reshape)


def _authzen_error(status: int, body: bytes) -> tuple[int, bytes]:
    try:
        err = json.loads(body)["error"]
        text = f"{err['code']}: {err['message']}"
        problems = [p for p in err.get("problems") or [] if p.get("message")]
        if problems and not all(p["message"] in text for p in problems):
            text += " (" + "; ".join((f"{p['path']}: " if p.get("path") else "") + p["message"]
                                     for p in problems) + ")"
    except (ValueError, KeyError, TypeError):
        text = body.decode("utf-8", "replace") or f"HTTP {status}"
    return (400 if status == 422 else status), json.dumps(text, ensure_ascii=False).encode("utf-8")
