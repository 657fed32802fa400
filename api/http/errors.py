"""The service's errors: one JSON shape, `{"error": {"code", "message", "problems": [{"path", "line",
"message"}]}}`, for every error a route can meet, mapped in one place (`install`) from the common base
`WivcheckError` (its `code` and `http_status`); the OpenAPI descriptions of those errors
(`AUTH_ERRORS`, `BODY_ERRORS`, `FAULT_ERRORS`, `not_found`) say the same shape. A bad provision is
422, never 500; an engine fault is 500 and never an allow."""

from __future__ import annotations

import json
import uuid

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

from wivcheck.policy.errors import Problem as ProblemData
from wivcheck.policy.errors import WivcheckError
from wivcheck.policy.library import error_message

from .. import logs


class Problem(BaseModel):
    path: str = Field(description="Where: a field path such as recipient.kind, or empty.")
    line: int | None = Field(None, description="The line in the text sent, when known.")
    message: str


class ErrorBody(BaseModel):
    code: str = Field(description="invalid_provision, invalid_payload, invalid_request, invalid_json, invalid_ruleset, no_rules_in_force, "
                                  "unauthorized, forbidden, not_found, method_not_allowed, body_too_large, "
                                  "too_deep, batch_too_large, log_unavailable, log_tampered, engine_fault, "
                                  "invalid_idempotency_key, idempotency_key_reused, approval_refused, "
                                  "approval_role_too_low")
    message: str
    problems: list[Problem] = []


class ErrorResponse(BaseModel):
    error: ErrorBody


class ApiError(WivcheckError):
    """An error a route raises itself, with its HTTP status and code (401, 403, 404, 413, 422 ...)."""

    def __init__(self, status: int, code: str, message: str, problems: list[dict] | None = None):
        super().__init__(message, [ProblemData(p["message"], p.get("path", ""), p.get("line"))
                                   for p in problems or []])
        self.http_status, self.code = status, code


def error_response(status: int, code: str, message: str, problems=None, headers=None) -> JSONResponse:
    """The one error shape as a response; `problems` as `{"path", "line"?, "message"}` dicts."""
    return JSONResponse(status_code=status, headers=headers, content={
        "error": {"code": code, "message": message,
                  "problems": [{"path": p.get("path", ""), "line": p.get("line"), "message": p["message"]}
                               for p in problems or []]}})


def problems_of(exc: WivcheckError) -> list[dict]:
    """An error's structured problems as JSON data."""
    return [p.as_dict() for p in exc.problems]


def install(app: FastAPI) -> None:
    """Map every error to the one shape: the product's errors by their own code and status, FastAPI's
    request validation as 422, HTTP errors by status, anything else as a 500 engine fault."""

    @app.exception_handler(WivcheckError)
    async def _ours(request: Request, exc: WivcheckError):
        headers = {"WWW-Authenticate": "Bearer"} if exc.http_status == 401 else None
        return error_response(exc.http_status, exc.code, exc.message, problems_of(exc), headers)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException):
        if exc.status_code == 400:  # FastAPI could not parse the body (not JSON, not UTF-8)
            return error_response(422, "invalid_json", f"the body is not JSON: {exc.detail}")
        code = {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "http_error")
        return error_response(exc.status_code, code, str(exc.detail))

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError):
        cause = exc.__cause__
        if isinstance(cause, json.JSONDecodeError):  # the body is not (canonical) JSON: bodies.loads
            line = cause.doc.count("\n", 0, cause.pos) + 1 if cause.doc else None
            return error_response(422, "invalid_json", f"the body is not valid JSON: {cause.msg}",
                                  [{"path": getattr(cause, "path", ""), "line": line, "message": cause.msg}])
        problems = []
        for e in exc.errors():
            loc = [str(p) for p in e["loc"] if p != "body" and not str(p).startswith("function")]
            problems.append({"path": ".".join(loc), "message": error_message(e)})
        code = "invalid_provision" if request.url.path in ("/v1/check", "/v1/decisions") else "invalid_request"
        return error_response(422, code, "the request body is not valid", problems)

    @app.exception_handler(Exception)
    async def _fault(request: Request, exc: Exception):
        # a fault of the service itself: the client gets words and a reference, the operator's log the
        # exception and its traceback under that reference (no Python text in an answer)
        ref = uuid.uuid4().hex[:12]
        logs.get("wivcheck.fault").error("engine_fault", reference=ref, route=request.url.path,
                                         error=f"{type(exc).__name__}: {exc}", exc_info=exc)
        return error_response(500, "engine_fault", f"no decision: a fault in the service itself, not in the request; "
                                                   f"the service's log has it under reference {ref}")


def documented(status: int, code: str, example: str) -> dict:
    return {"model": ErrorResponse, "description": example, "content": {"application/json": {"example": {
        "error": {"code": code, "message": example, "problems": []}}}}}


AUTH_ERRORS = {401: documented(401, "unauthorized", "No bearer token, or a token that is not known."),
               403: documented(403, "forbidden", "The token's role may not use this route.")}
BODY_ERRORS = {413: documented(413, "body_too_large", "The body is over the size limit."),
               422: {"model": ErrorResponse, "description": "A malformed provision, nested too deep, "
                     "or no rule set in force on its date.", "content": {"application/json": {"example": {
                         "error": {"code": "invalid_provision", "message": "the provision is not valid",
                                   "problems": [{"path": "recipient.kind", "message": "Input should be "
                                                 "'private_party', 'administrative_body', 'minister', "
                                                 "'foreign_service' or 'international_body'"}]}}}}}}
FAULT_ERRORS = {500: documented(500, "engine_fault", "The engine failed; there is no decision."),
                503: documented(503, "log_unavailable", "The decision log could not be written; nothing was recorded.")}
IDEMPOTENCY_ERRORS = {400: documented(400, "invalid_idempotency_key", "The Idempotency-Key header is not 1 to 255 "
                                      "visible ASCII characters. (The same key with another body: 422 "
                                      "idempotency_key_reused.)")}



def not_found(what: str) -> dict:
    """The OpenAPI description of a 404."""
    return documented(404, "not_found", what)
