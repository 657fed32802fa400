"""Routes for rules: every rule-set version, one version with its rules and citations, and the impact of a candidate rule set (policy staff)."""

from __future__ import annotations

from fastapi import FastAPI

from wivcheck.engine import FACT_SCHEMA, ProvisionError, provision_from_data
from wivcheck.policy import PolicyError, PolicyErrors, load_text

from wivcheck.engine import EngineError
from wivcheck.engine.compile import compile_ruleset

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
        return [{"id": v.name, "version": v.version, "status": v.model.status,
                 "superseded_by": v.model.superseded_by, "valid_from": v.model.valid_from,
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
              summary="What a candidate rule set would change, replayed over the log (counts and decision ids, "
                      "no provision contents) or over given provisions",
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
        try:  # what validates must also compile onto durable_rules (term and slot limits)
            compile_ruleset(candidate)
        except EngineError as exc:
            raise ApiError(422, "invalid_ruleset", "the candidate rule set cannot be compiled",
                           [{"path": "candidate", "message": exc.message}])
        decision_ids: dict[str, str] = {}
        if body.corpus == "log":
            reading = impact_mod.new_free_text_conditions(state.library, candidate)
            if reading:
                raise ApiError(422, "free_text_over_log", "over the decision log, a candidate may read free text "
                               "(names, ids, justifications) only as the rules in use already do: a new condition "
                               "on it would disclose the text of past provisions; replay it over given provisions",
                               [{"path": f"rule {rule}", "message": f"a new condition on {fact}"}
                                for rule, fact in reading])
            corpus = impact_mod.corpus_from_log(state.ledger, decision_ids)
        else:
            def items():
                for i, data in enumerate(body.provisions):
                    try:
                        yield f"provisions[{i}]", provision_from_data(data)
                    except ProvisionError as exc:
                        yield f"provisions[{i}]", exc
            corpus = items()
        result = impact_mod.impact(state.library, body.base, candidate, corpus)
        if body.corpus == "log":  # least privilege: counts and decision ids, no provision contents
            changed = [{"decision_id": decision_ids[c.source], "sequence": int(c.source.split("#")[1]),
                        "before": c.before, "after": c.after, "now_open": c.now_open,
                        "no_longer_open": c.no_longer_open} for c in result.changes]
            errors = [{"decision_id": decision_ids.get(e["source"]), "error": "not replayed: no rule set selected"}
                      for e in result.errors]
        else:
            changed, errors = result.changes, result.errors
        return {"base": result.base, "candidate": result.candidate, "replayed": result.replayed,
                "changed": changed, "totals": result.totals, "errors": errors}
