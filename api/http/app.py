"""The HTTP service: FastAPI on uvicorn, JSON under /v1, the analyst page at /.

`create_app(settings)` loads and compiles the rules and opens the decision log once; a broken rule
set or log stops start-up with its error. Every route but /healthz and the API description needs a
bearer token whose role may use it (`x-roles` in the OpenAPI of each operation). Errors have one
shape, `{"error": {"code", "message", "problems": [{"path", "message"}]}}`; a bad provision is 422,
never 500; an engine fault is 500 and never an allow.
"""

from __future__ import annotations

import datetime as dt
import gc
import json
import time
from importlib import resources
from typing import Any, Literal, Optional

from typing import Annotated

import orjson
from fastapi import Body, Depends, FastAPI, Query, Request
from fastapi.exceptions import RequestValidationError
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException
from fastapi.responses import HTMLResponse, JSONResponse, PlainTextResponse, Response
from pydantic import BaseModel, Field

from wivcheck.engine import FACT_SCHEMA, Decision, Engine, EngineError, Provision, ProvisionError, load_library, provision_from_data, render_html, render_markdown

from wivcheck.engine.log import Ledger, LedgerError
from wivcheck.engine.log import recording
from wivcheck.engine.gate import stix_schema
from wivcheck.engine.tools.impact import Change
from wivcheck.policy import PolicyError, PolicyErrors, SelectionError, load_text

from .limits import LimitsMiddleware
from .metrics import Metrics
from ..settings import Settings
from .tokens import Identity, digest, load_tokens

# -- the error shape ----------------------------------------------------------------------------


class Problem(BaseModel):
    path: str = Field(description="Where: a field path such as recipient.kind, or empty.")
    message: str


class ErrorBody(BaseModel):
    code: str = Field(description="invalid_provision, invalid_payload, invalid_request, invalid_json, invalid_ruleset, no_rules_in_force, "
                                  "unauthorized, forbidden, not_found, method_not_allowed, body_too_large, "
                                  "too_deep, batch_too_large, log_unavailable, engine_fault")
    message: str
    problems: list[Problem] = []


class ErrorResponse(BaseModel):
    error: ErrorBody


class ApiError(Exception):
    def __init__(self, status: int, code: str, message: str, problems: list[dict] | None = None):
        self.status, self.code, self.message, self.problems = status, code, message, problems or []


def _error_response(status: int, code: str, message: str, problems=None, headers=None) -> JSONResponse:
    return JSONResponse(status_code=status, headers=headers, content={
        "error": {"code": code, "message": message, "problems": problems or []}})


def _problems_of(exc: ProvisionError) -> list[dict]:
    out = []
    for p in exc.problems:
        path, _, message = p.partition(": ")
        out.append({"path": path if message else "", "message": message or p})
    return out


def _err(status: int, code: str, example: str) -> dict:
    return {"model": ErrorResponse, "description": example, "content": {"application/json": {"example": {
        "error": {"code": code, "message": example, "problems": []}}}}}


AUTH_ERRORS = {401: _err(401, "unauthorized", "No bearer token, or a token that is not known."),
               403: _err(403, "forbidden", "The token's role may not use this route.")}
BODY_ERRORS = {413: _err(413, "body_too_large", "The body is over the size limit."),
               422: {"model": ErrorResponse, "description": "A malformed provision, nested too deep, "
                     "or no rule set in force on its date.", "content": {"application/json": {"example": {
                         "error": {"code": "invalid_provision", "message": "the provision is not valid",
                                   "problems": [{"path": "recipient.kind", "message": "Input should be "
                                                 "'private_party', 'administrative_body', 'minister', "
                                                 "'foreign_service' or 'international_body'"}]}}}}}}
FAULT_ERRORS = {500: _err(500, "engine_fault", "The engine failed; there is no decision."),
                503: _err(503, "log_unavailable", "The decision log could not be written; nothing was recorded.")}

ROLE_NOTE = "Roles: {roles}."


# -- request and response models ----------------------------------------------------------------

def _example() -> dict:
    from pathlib import Path

    import yaml
    text = resources.files("wivcheck.examples").joinpath("escalate-residual-risk.yaml").read_text("utf-8")
    return json_safe(yaml.safe_load(text))


def json_safe(value):
    if isinstance(value, dict):
        return {k: json_safe(v) for k, v in value.items()}
    if isinstance(value, list):
        return [json_safe(v) for v in value]
    if isinstance(value, (dt.date,)):
        return value.isoformat()
    return value


ProvisionBody = Annotated[Provision, Body(openapi_examples={"escalate": {
    "summary": "A structural provision with an open residual risk", "value": _example()}})]


class BatchRequest(BaseModel):
    provisions: list[dict[str, Any]] = Field(description="Each item is a provision; each is answered "
                                                         "on its own, and a bad item never fails the others.")


class BatchItem(BaseModel):
    index: int
    decision: Optional[Decision] = None
    error: Optional[ErrorBody] = None


class BatchResponse(BaseModel):
    results: list[BatchItem]


class RuleSetInfo(BaseModel):
    id: str
    version: str
    status: str
    valid_from: dt.date
    valid_until: Optional[dt.date]
    sha256: str
    title: dict[str, str]
    rules: int


class ImpactRequest(BaseModel):
    base: str = Field(pattern=r"^[a-z][a-z0-9-]*@[0-9A-Za-z][0-9A-Za-z.-]*$",
                      description="The version in use, NAME@VERSION.")
    candidate: str = Field(max_length=1_000_000, description="The candidate rule file, as YAML (or JSON) text; "
                           "validated like any rule file, never activated.")
    corpus: Literal["log", "provisions"] = "log"
    provisions: list[dict[str, Any]] = Field(default_factory=list, max_length=10_000,
                                             description="The corpus when corpus is `provisions`.")


class ImpactResponse(BaseModel):
    base: str
    candidate: str
    replayed: int
    changed: list[Change]
    totals: dict[str, int]
    errors: list[dict[str, Any]]


class GateStixRequest(BaseModel):
    envelope: dict[str, Any] = Field(description="The provision without what the payload carries.")
    bundle: dict[str, Any] = Field(description="A STIX 2.1 bundle.")


class GateMispRequest(BaseModel):
    envelope: dict[str, Any] = Field(description="The provision without what the payload carries.")
    event: dict[str, Any] = Field(description="A MISP event (with or without the outer `Event` key).")


class GateObject(BaseModel):
    id: str
    type: str
    decision: Literal["allow", "deny", "escalate", "metadata"]
    reasons: list[str]


class GateResponse(BaseModel):
    decision: Decision
    objects: list[GateObject]
    remove: Optional[list[str]] = Field(description="The smallest set of objects to strip for the rest to be "
                                                    "allowed; null when there is none.")
    remove_note: str


class Health(BaseModel):
    status: Literal["ok"]
    rulesets: list[str]
    log: str


# -- the app ------------------------------------------------------------------------------------

class State:
    """What a worker holds: the compiled engine, the log, the tokens, the metrics."""

    def __init__(self, settings: Settings):
        self.settings = settings
        self.library = load_library(settings.rules_dir)
        self.engine = Engine(self.library)
        self.engine.warm()
        stix_schema.validators()  # the gate's STIX schemas, compiled before the first bundle
        self.ledger = Ledger(settings.db_path, create=True, timeout=settings.lock_wait)
        self.tokens = load_tokens(settings.tokens_path) if settings.tokens_path else {}
        self.metrics = Metrics()

    def identify(self, request: Request) -> Identity:
        if not self.tokens:
            return Identity(name="local", role="analyst", local=True)
        header = request.headers.get("authorization", "")
        token = header[7:].strip() if header.lower().startswith("bearer ") else request.cookies.get("wivcheck_token")
        if not token:
            raise ApiError(401, "unauthorized", "a bearer token is required (Authorization: Bearer ...)")
        ident = self.tokens.get(digest(token))
        if ident is None:
            raise ApiError(401, "unauthorized", "the token is not known")
        return ident


def allow(*roles: str):
    """A dependency admitting the named roles; the roles are also written into the OpenAPI.
    Async, so FastAPI runs it on the event loop instead of handing it to a thread per request."""
    async def dependency(request: Request) -> Identity:
        ident = request.app.state.wivcheck.identify(request)
        if not ident.may(roles):
            raise ApiError(403, "forbidden", f"role {ident.role} may not use this route "
                                             f"(allowed: {', '.join(roles)})")
        return ident
    return Depends(dependency)


def access(*roles: str) -> dict:
    return {"openapi_extra": {"x-roles": list(roles)},
            "description": ROLE_NOTE.format(roles=", ".join(roles))}


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings.from_env()
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

    @app.exception_handler(ApiError)
    async def _api_error(request: Request, exc: ApiError):
        headers = {"WWW-Authenticate": "Bearer"} if exc.status == 401 else None
        return _error_response(exc.status, exc.code, exc.message, exc.problems, headers)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException):
        if exc.status_code == 400:  # FastAPI could not parse the body (not JSON, not UTF-8)
            return _error_response(422, "invalid_json", f"the body is not JSON: {exc.detail}")
        code = {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "http_error")
        return _error_response(exc.status_code, code, str(exc.detail))

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError):
        problems = []
        for e in exc.errors():
            loc = [str(p) for p in e["loc"] if p != "body" and not str(p).startswith("function")]
            msg = {"extra_forbidden": "unknown field", "missing": "field required"}.get(e["type"], e["msg"])
            problems.append({"path": ".".join(loc), "message": msg.removeprefix("Value error, ")})
        code = "invalid_provision" if request.url.path in ("/v1/check", "/v1/decisions") else "invalid_request"
        return _error_response(422, code, "the request body is not valid", problems)

    @app.exception_handler(EngineError)
    async def _engine(request: Request, exc: EngineError):
        return _error_response(500, "engine_fault", f"no decision: {exc}")

    @app.exception_handler(LedgerError)
    async def _ledger(request: Request, exc: LedgerError):
        return _error_response(503, "log_unavailable", str(exc))

    @app.exception_handler(Exception)
    async def _fault(request: Request, exc: Exception):
        return _error_response(500, "engine_fault", f"no decision: {type(exc).__name__}: {exc}")

    def decide(provisions: list[Provision], route: str) -> list[dict]:
        """Decision data (`Engine.decide_data`, the Decision contract as JSON data), timed for /metrics."""
        t0 = time.perf_counter()
        try:
            decisions = state.engine.decide_data(provisions)
        except SelectionError as exc:
            raise ApiError(422, "no_rules_in_force", str(exc), [{"path": "date", "message": str(exc)}])
        state.metrics.observe(route, [d["decision"] for d in decisions], time.perf_counter() - t0)
        return decisions


    @app.post("/v1/check", response_model=Decision, tags=["decisions"], summary="Evaluate, record nothing",
              responses={**AUTH_ERRORS, **BODY_ERRORS, 500: FAULT_ERRORS[500]},
              **access("analyst", "gate", "policy"))
    async def check(provision: ProvisionBody, _: Identity = allow("analyst", "gate", "policy")):
        return _data(decide([provision], "check")[0])

    @app.post("/v1/decisions", response_model=Decision, status_code=201, tags=["decisions"],
              summary="Evaluate and record in the decision log",
              responses={**AUTH_ERRORS, **BODY_ERRORS, **FAULT_ERRORS}, **access("analyst", "gate"))
    async def record(provision: ProvisionBody, _: Identity = allow("analyst", "gate")):
        decisions = decide([provision], "record")
        return _data(recording.record_data(state.ledger, [provision], decisions)[0], 201)

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
                                       "problems": _problems_of(exc)}
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
             responses={**AUTH_ERRORS, 404: _err(404, "not_found", "No such decision in the log."),
                        200: {"content": {"text/markdown": {}, "text/html": {}}}, 503: FAULT_ERRORS[503]},
             **access("analyst", "gate", "auditor"))
    def show(key: str, format: Literal["json", "markdown", "html"] = Query("json"),
             lang: Literal["nl", "en"] = Query("nl"), _: Identity = allow("analyst", "gate", "auditor")):
        try:
            entry = state.ledger.get(key)
        except LedgerError as exc:
            if "no entry" in str(exc):
                raise ApiError(404, "not_found", str(exc))
            raise
        provision, decision = recording.stored(entry)
        if format == "markdown":
            return PlainTextResponse(render_markdown(decision, lang, provision), media_type="text/markdown")
        if format == "html":
            return HTMLResponse(render_html(decision, provision, lang))
        return decision

    @app.get("/v1/rulesets", response_model=list[RuleSetInfo], tags=["rules"], summary="Every rule-set version",
             responses=AUTH_ERRORS, **access("analyst", "gate", "policy", "auditor"))
    def rulesets(_: Identity = allow("analyst", "gate", "policy", "auditor")):
        return [{"id": v.name, "version": v.version, "status": v.model.status, "valid_from": v.model.valid_from,
                 "valid_until": v.model.valid_until, "sha256": v.sha256, "title": v.model.title.model_dump(),
                 "rules": len(v.model.rules)} for v in state.library.all()]

    @app.get("/v1/rulesets/{name}/{version}", tags=["rules"], summary="One version with its rules and citations",
             responses={**AUTH_ERRORS, 404: _err(404, "not_found", "No such rule-set version.")},
             **access("analyst", "gate", "policy", "auditor"))
    def ruleset(name: str, version: str, _: Identity = allow("analyst", "gate", "policy", "auditor")) -> dict:
        try:
            v = state.library.get(f"{name}@{version}")
        except PolicyError as exc:
            raise ApiError(404, "not_found", str(exc))
        body = v.model.model_dump(mode="json", by_alias=True, exclude_none=True)
        body["sha256"] = v.sha256
        for rule in body["rules"]:
            rule["qualified_id"] = f"{name}.{rule['id']}"
        return body

    @app.post("/v1/rulesets/impact", response_model=ImpactResponse, tags=["rules"],
              summary="What a candidate rule set would change, replayed over the log or given provisions",
              responses={**AUTH_ERRORS, **BODY_ERRORS, **FAULT_ERRORS}, **access("policy"))
    def rules_impact(body: ImpactRequest, _: Identity = allow("policy")):
        from wivcheck.engine.tools import impact as impact_mod
        try:
            candidate = load_text(body.candidate.encode("utf-8"), "candidate", FACT_SCHEMA, check_location=False)
            state.library.get(body.base)
        except PolicyErrors as exc:
            raise ApiError(422, "invalid_ruleset", "the candidate rule set is not valid",
                           [{"path": f"candidate:{e.line}" + (f" {e.rule}" if e.rule else ""), "message": e.message}
                            for e in exc.errors])
        except PolicyError as exc:
            raise ApiError(422, "invalid_ruleset", str(exc), [{"path": f"candidate:{exc.line or ''}",
                                                                "message": exc.message}])
        if body.corpus == "log":
            corpus = impact_mod.corpus_from_log(state.ledger)
        else:
            def items():
                for i, data in enumerate(body.provisions):
                    try:
                        yield f"provisions[{i}]", provision_from_data(data)
                    except ProvisionError as exc:
                        yield f"provisions[{i}]", exc
            corpus = items()
        result = impact_mod.impact(state.library, body.base, candidate, corpus)
        return {"base": result.base, "candidate": result.candidate, "replayed": result.replayed,
                "changed": result.changes, "totals": result.totals, "errors": result.errors}

    def run_gate(envelope: dict, items_of, payload) -> Response:
        from wivcheck.engine.gate import PayloadError, gate as gate_payload
        started = time.perf_counter()
        try:
            items = items_of(json.dumps(payload))
            result = gate_payload(state.engine, envelope, items)
        except PayloadError as exc:
            raise ApiError(422, "invalid_payload", str(exc))
        except ProvisionError as exc:
            raise ApiError(422, "invalid_provision", "the envelope is not valid", _problems_of(exc))
        except SelectionError as exc:
            raise ApiError(422, "no_rules_in_force", str(exc), [{"path": "date", "message": str(exc)}])
        decision = recording.record(state.ledger, [result.provision], [result.decision])[0]
        state.metrics.observe("gate", [decision.decision], time.perf_counter() - started)
        body = {"decision": decision, "objects": [o.__dict__ for o in result.objects], "remove": result.remove,
                "remove_note": result.remove_note}
        return _json(GateResponse.model_validate(body))

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

    @app.get("/healthz", response_model=Health, tags=["service"], summary="Liveness; no token needed",
             openapi_extra={"x-public": True})
    def healthz():
        return {"status": "ok", "rulesets": [v.ref for v in state.library.all()], "log": str(state.ledger.path)}

    @app.get("/metrics", tags=["service"], summary="Prometheus metrics: decisions by outcome, latency",
             response_class=PlainTextResponse, responses=AUTH_ERRORS, **access("auditor"))
    def metrics(_: Identity = allow("auditor")):
        return Response(state.metrics.exposition(), media_type=state.metrics.content_type)

    from .page import add_page
    add_page(app, state)
    return app


def _json(model: BaseModel, status: int = 200) -> Response:
    """The model as JSON, serialised once (it is already validated; FastAPI would validate it again)."""
    return Response(model.model_dump_json(), status_code=status, media_type="application/json")


def _data(data: dict, status: int = 200) -> Response:
    """Decision data as JSON (the engine writes it to the contract; tests hold it there)."""
    return Response(orjson.dumps(data), status_code=status, media_type="application/json")


def app_from_env() -> FastAPI:
    """The factory uvicorn's workers call (`wivcheck serve`)."""
    app = create_app(Settings.from_env())
    # What start-up built (compiled rules, schemas, templates) lives as long as the worker: kept out
    # of the collector's full passes, which otherwise walk all of it every few thousand requests
    gc.freeze()
    return app
