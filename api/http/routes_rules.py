"""Routes for rules: every rule-set version, one version with its rules and citations, and the impact of a candidate rule set (policy staff)."""

from __future__ import annotations

from fastapi import FastAPI

from wivcheck.engine import FACT_SCHEMA, ProvisionError, provision_from_data
from wivcheck.policy import PolicyError, PolicyErrors, load_text

from .auth import access, allow
from .errors import AUTH_ERRORS, BODY_ERRORS, FAULT_ERRORS, ApiError, documented
from .schemas import ImpactRequest, ImpactResponse, RuleSetDetail, RuleSetInfo
from .state import State
from .tokens import Identity


def add_routes(app: FastAPI, state: State) -> None:
    """Add these routes to the app, on the worker's state."""
    @app.get("/v1/rulesets", response_model=list[RuleSetInfo], tags=["rules"], summary="Every rule-set version",
             responses=AUTH_ERRORS, **access("analyst", "gate", "policy", "auditor"))
    def rulesets(_: Identity = allow("analyst", "gate", "policy", "auditor")):
        return [{"id": v.name, "version": v.version, "status": v.model.status, "valid_from": v.model.valid_from,
                 "valid_until": v.model.valid_until, "sha256": v.sha256, "title": v.model.title.model_dump(),
                 "rules": len(v.model.rules)} for v in state.library.all()]

    @app.get("/v1/rulesets/{name}/{version}", tags=["rules"], summary="One version with its rules and citations",
             response_model=RuleSetDetail, response_model_exclude_none=True, response_model_by_alias=True,
             responses={**AUTH_ERRORS, 404: documented(404, "not_found", "No such rule-set version.")},
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
