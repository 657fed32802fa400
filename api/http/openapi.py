"""The API description (`/openapi.json`) as callers need it, built once on first request from
FastAPI's own and completed here:

- every error answer documented with the one shape the server sends (`errors.ErrorResponse`), where
  FastAPI would describe its own validation error instead; AuthZEN routes keep their string errors;
- an example for every request body and every answer: requests from the shipped examples
  (package data `wivcheck.examples`), answers made by this worker's own engine and gate on them, so
  an example is what the server gives (ids and times aside), never hand-written;
- the bearer scheme (`auth.BEARER`) on every operation with roles, which `auth.access` adds.

It changes nothing a route does; a test holds the served description to what the server sends.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from wivcheck.engine import provision_from_data
from wivcheck.engine.decision import LogRef

from . import authzen
from .schemas import json_safe

_EXAMPLE_HASH = "5d0c7bd3f4b8a1e2c9a0f6e3d2b1c4a5968778695a4b3c2d1e0f9a8b7c6d5e4f"


def _example(name: str) -> Any:
    text = resources.files("wivcheck.examples").joinpath(name).read_text("utf-8")
    return json_safe(yaml.safe_load(text) if name.endswith(".yaml") else json.loads(text))


_MISP_EVENT = {"Event": {"info": "Phishing domains of campaign C-17", "date": "2025-03-12", "distribution": "4",
                         "Tag": [{"name": "tlp:amber"}],
                         "Attribute": [{"type": "domain", "category": "Network activity",
                                        "value": "login-update.example", "to_ids": True,
                                        "uuid": "7f1c2d3e-4b5a-4c6d-8e9f-0a1b2c3d4e5f"}]}}


class Examples:
    """The examples of one worker, made with its own engine (lazily: on the first /openapi.json)."""

    def __init__(self, state):
        self.state = state
        self.provisions = {name: _example(f"{name}.yaml") for name in
                           ("allow-structural", "deny-foreign-origin", "escalate-residual-risk")}
        engine = state.engine
        self.decisions = {name: engine.decide_data([provision_from_data(p)])[0]
                          for name, p in self.provisions.items()}
        self.recorded = {name: {**copy.deepcopy(d), "log": {"sequence": 42, "hash": _EXAMPLE_HASH}}
                         for name, d in self.decisions.items()}

    def provision_examples(self) -> dict:
        return {name.split("-")[0]: {"summary": self.decisions[name]["decision"] + ": " + name, "value": p}
                for name, p in self.provisions.items()}

    def decision_examples(self, recorded: bool) -> dict:
        pick = self.recorded if recorded else self.decisions
        return {name.split("-")[0]: {"summary": name, "value": d} for name, d in pick.items()}

    def approvals(self) -> tuple[dict, dict]:
        """An approval record (POST /v1/approvals, GET /v1/approvals/{reference}) and a queue
        (GET /v1/escalations) holding the escalate example, as the log would give them."""
        from wivcheck.engine.log.approvals import summary
        d = self.recorded["escalate-residual-risk"]
        p = self.provisions["escalate-residual-risk"]
        reference = "apr-5b0e7c1a-2f43-4d8e-9a61-0c7d3e2b9f15"
        entry = {"rule": "waarborgen-pps.residual-risk", "role": "diensthoofd", "reference": reference,
                 "date": p["date"]}
        record = {"reference": reference, "provision_id": p["id"], "rule": entry["rule"], "role": "diensthoofd",
                  "date": p["date"], "note": "Residual risk weighed and accepted for this campaign.",
                  "approver": {"token": "hoofd-aivd", "role": "diensthoofd"},
                  "escalation": {"decision_id": d["decision_id"], "sequence": 42},
                  "log": {"sequence": 43, "hash": _EXAMPLE_HASH}, "approvals_entry": entry}
        reasons = [r for r in d["reasons"] if r["escalate_to"] == "diensthoofd"]
        queue = {"role": "diensthoofd", "below": False, "items": [{
            "provision_id": p["id"], "decision_id": d["decision_id"], "sequence": 42,
            "recorded_at": "2025-03-14T09:12:03.511201+00:00", "recorded_by": "analist-cyber",
            "summary": summary(p), "rules": [r["rule"] for r in reasons], "reasons": reasons, "approved": []}]}
        return record, queue

    def batch(self) -> tuple[dict, dict]:
        from wivcheck.policy import SelectionError
        early = {**copy.deepcopy(self.provisions["allow-structural"]), "id": "PRV-2016-0001", "date": "2016-01-01"}
        request = {"provisions": [self.provisions["allow-structural"], early]}
        try:
            self.state.engine.select(dt.date(2016, 1, 1))
            error = None
        except SelectionError as exc:
            error = {"code": "no_rules_in_force", "message": str(exc),
                     "problems": [{"path": "date", "line": None, "message": str(exc)}]}
        response = {"results": [{"index": 0, "decision": self.recorded["allow-structural"], "error": None},
                                {"index": 1, "decision": None, "error": error}]}
        return request, response

    def rulesets(self) -> tuple[list, dict]:
        versions = self.state.library.all()
        listed = [{"id": v.name, "version": v.version, "status": v.model.status, "valid_from": str(v.model.valid_from),
                   "valid_until": str(v.model.valid_until) if v.model.valid_until else None, "sha256": v.sha256,
                   "title": v.model.title.model_dump(), "rules": len(v.model.rules)} for v in versions]
        v = versions[0]
        detail = v.model.model_dump(mode="json", by_alias=True, exclude_none=True)
        detail["sha256"] = v.sha256
        detail["rules"] = [{**r, "qualified_id": f"{v.name}.{r['id']}"} for r in detail["rules"][:1]]
        return listed, detail

    def impact(self) -> tuple[dict, dict]:
        v = self.state.library.all()[0]
        request = {"base": v.ref, "candidate": Path(v.path).read_text("utf-8"),
                   "corpus": "provisions", "provisions": [self.provisions["escalate-residual-risk"]]}
        d = self.decisions["escalate-residual-risk"]
        response = {"base": v.ref, "candidate": v.ref, "replayed": 1,
                    "changed": [{"provision_id": d["provision_id"], "source": "provisions[0]",
                                 "before": d["decision"], "after": "deny",
                                 "now_open": [d["reasons"][0]["rule"]] if d["reasons"] else [],
                                 "no_longer_open": []}],
                    "totals": {f"{d['decision']} -> deny": 1}, "errors": []}
        return request, response

    def gate(self, kind: str) -> tuple[dict, dict]:
        from wivcheck.engine.gate import gate, read
        envelope = _example("gate/envelope.yaml")
        payload = _example("gate/bundle.json") if kind == "stix" else _MISP_EVENT
        request = {"envelope": envelope, ("bundle" if kind == "stix" else "event"): payload}
        result = gate(self.state.engine, envelope, read(kind, payload))
        decision = result.decision.model_copy(update={"gate": result.record()})
        decision = decision.model_copy(update={"log": LogRef(sequence=43, hash=_EXAMPLE_HASH)})
        return request, result.answer(decision)

    def authzen(self) -> dict:
        """Requests and answers of the AuthZEN routes."""
        def request(name: str) -> dict:
            p = copy.deepcopy(self.provisions[name])
            service = p.pop("service")
            return {"subject": {"type": "service", "id": service}, "action": {"name": "provide"},
                    "resource": {"type": "provision", "id": p["id"], "properties": p}}
        single = {name.split("-")[0]: {"summary": name, "value": request(name)} for name in self.provisions}
        answers = {name.split("-")[0]: {"summary": name, "value": authzen.answer(d)}
                   for name, d in self.decisions.items()}
        allow, escalate = request("allow-structural"), request("escalate-residual-risk")
        batch = {"subject": allow["subject"], "action": allow["action"],
                 "options": {"evaluations_semantic": "execute_all"},
                 "evaluations": [{"resource": allow["resource"]}, {"resource": escalate["resource"]}]}
        batch_answer = {"evaluations": [authzen.answer(self.decisions["allow-structural"]),
                                        authzen.answer(self.decisions["escalate-residual-risk"])]}
        return {"single": single, "answers": answers, "batch": batch, "batch_answer": batch_answer}


def _set(op: dict, status: str, example: Any, media: str = "application/json") -> None:
    response = op.setdefault("responses", {}).setdefault(status, {"description": "OK"})
    response.setdefault("content", {}).setdefault(media, {})["example"] = example


def _set_many(op: dict, status: str, examples: dict) -> None:
    response = op.setdefault("responses", {}).setdefault(status, {"description": "OK"})
    response.setdefault("content", {}).setdefault("application/json", {})["examples"] = examples


def _request(op: dict, examples: dict) -> None:
    op["requestBody"]["content"]["application/json"]["examples"] = examples


def _fix_errors(spec: dict) -> None:
    """Every 422 that FastAPI describes with its own HTTPValidationError gets the shape the server
    sends; FastAPI's validation schemas leave the description."""
    ref = {"$ref": "#/components/schemas/ErrorResponse"}
    for path, ops in spec["paths"].items():
        for method, op in ops.items():
            if path.startswith("/access/"):  # AuthZEN: a malformed request is a 400 there
                op.get("responses", {}).pop("422", None)
            r422 = op.get("responses", {}).get("422")
            if r422 and "HTTPValidationError" in json.dumps(r422):
                r422["description"] = "A parameter or the body is not valid: each wrong field is named."
                r422["content"] = {"application/json": {"schema": ref, "example": {"error": {
                    "code": "invalid_request", "message": "the request body is not valid",
                    "problems": [{"path": "format", "line": None, "message": "Input should be 'json', "
                                                                            "'markdown' or 'html'"}]}}}}
            for status, response in op.get("responses", {}).items():
                content = response.get("content") or {}
                if int(status) >= 400 and "application/json" in content:  # errors are JSON, whatever
                    json_content = content["application/json"]            # the route sends otherwise
                    if not path.startswith("/access/") and "schema" not in json_content:
                        json_content = {"schema": ref, **json_content}
                    response["content"] = {"application/json": json_content}
            r401 = op.get("responses", {}).get("401")
            if r401 is not None and not path.startswith("/access/"):
                r401["headers"] = {"WWW-Authenticate": {"schema": {"type": "string"},
                                                        "description": "`Bearer`"}}
    for name in ("HTTPValidationError", "ValidationError"):
        spec["components"]["schemas"].pop(name, None)


def _add_examples(spec: dict, ex: Examples) -> None:
    paths = spec["paths"]
    provisions = ex.provision_examples()
    for path, status, recorded in (("/v1/check", "200", False), ("/v1/decisions", "201", True)):
        op = paths[path]["post"]
        _request(op, provisions)
        _set_many(op, status, ex.decision_examples(recorded))
    op = paths["/v1/decisions/batch"]["post"]
    req, resp = ex.batch()
    _request(op, {"mixed": {"summary": "a good provision and a broken one", "value": req}})
    _set(op, "200", resp)
    op = paths["/v1/decisions/{key}"]["get"]
    _set_many(op, "200", ex.decision_examples(True))
    _set(op, "200", "# wivcheck: ESCALATE\n...", "text/markdown")
    _set(op, "200", "<!doctype html>\n<html lang=\"nl\">...</html>", "text/html")
    record, queue = ex.approvals()
    _set(paths["/v1/approvals"]["post"], "201", record)
    _set(paths["/v1/approvals/{reference}"]["get"], "200", record)
    _set(paths["/v1/escalations"]["get"], "200", queue)
    listed, detail = ex.rulesets()
    _set(paths["/v1/rulesets"]["get"], "200", listed)
    _set(paths["/v1/rulesets/{name}/{version}"]["get"], "200", detail)
    op = paths["/v1/rulesets/impact"]["post"]
    req, resp = ex.impact()
    _request(op, {"provisions": {"summary": "a candidate replayed over given provisions", "value": req}})
    _set(op, "200", resp)
    for kind in ("stix", "misp"):
        op = paths[f"/v1/gate/{kind}"]["post"]
        req, resp = ex.gate(kind)
        _request(op, {kind: {"summary": f"an envelope and a {'STIX 2.1 bundle' if kind == 'stix' else 'MISP event'}",
                             "value": req}})
        _set(op, "200", resp)
    state = ex.state
    _set(paths["/healthz"]["get"], "200", {"status": "ok", "rulesets": [v.ref for v in state.library.all()],
                                           "log": "/var/lib/wivcheck/decisions.sqlite3"})
    in_force = ", ".join(v.ref for v in state.library.select(dt.date.today(), ()))
    _set(paths["/readyz"]["get"], "200", {"status": "ready", "checks": {
        "rules": {"ok": True, "detail": f"{len(state.library.all())} versions compiled; in force today: {in_force}"},
        "log": {"ok": True, "detail": "reachable and writable"}}})
    _set(paths["/readyz"]["get"], "503", {"status": "not_ready", "checks": {
        "rules": {"ok": True, "detail": f"{len(state.library.all())} versions compiled; in force today: {in_force}"},
        "log": {"ok": False, "detail": "log_unavailable: cannot write to the decision log at "
                                       "/var/lib/wivcheck/decisions.sqlite3: the log is locked by another process "
                                       "and stayed locked past the wait; nothing was recorded"}}})
    _set(paths["/metrics"]["get"], "200", "# HELP wivcheck_decisions_total Decisions taken, by route and outcome\n"
                                          "# TYPE wivcheck_decisions_total counter\n"
                                          'wivcheck_decisions_total{outcome="allow",route="check"} 12.0\n',
         "text/plain")
    az = ex.authzen()
    op = paths["/access/v1/evaluation"]["post"]
    _request(op, az["single"])
    _set_many(op, "200", az["answers"])
    op = paths["/access/v1/evaluations"]["post"]
    _request(op, {"batch": {"summary": "two provisions, one subject and action", "value": az["batch"]}})
    _set(op, "200", az["batch_answer"])
    _set(paths["/.well-known/authzen-configuration"]["get"], "200", {
        "policy_decision_point": "https://wivcheck.example",
        "access_evaluation_endpoint": "https://wivcheck.example/access/v1/evaluation",
        "access_evaluations_endpoint": "https://wivcheck.example/access/v1/evaluations"})


def install(app: FastAPI, state) -> None:
    """Serve the completed description as the app's `/openapi.json`."""
    def openapi() -> dict:
        if app.openapi_schema is None:
            spec = get_openapi(title=app.title, version=app.version, summary=app.summary,
                               description=app.description, routes=app.routes, tags=app.openapi_tags)
            _fix_errors(spec)
            _add_examples(spec, Examples(state))
            app.openapi_schema = spec
        return app.openapi_schema
    app.openapi = openapi  # type: ignore[method-assign]
