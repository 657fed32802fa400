"""OpenID AuthZEN Authorization API 1.0 over wivcheck's decision: the request and response models
and the mapping both ways. The routes are `routes_authzen`; docs/http.md ("AuthZEN") documents the
mapping for callers.

Mapping (a provision is one access request: may this service provide this data?):
- `subject` = the providing service: `{"type": "service", "id": "AIVD" | "MIVD"}` (`service`);
- `action` = `{"name": "provide"}`, the only action;
- `resource` = `{"type": "provision", "id": <provision id>, "properties": <the provision, contract
  v1.1, without service>}` (`properties.id`, when given, must equal `resource.id`);
- `context`: accepted and not used (the provision's own `date` selects the rules in force).
The answer (AuthZEN §"Access Evaluation API Response") is `{"decision": true}` for allow only;
deny and escalate are `false`. `context` carries the native decision without its trace: outcome,
reasons, escalate_to, obligations (and grounds and advice when the decision has them), ids, rule
sets. Obligations travel with an allow too: a policy enforcement point must carry them out.

Evaluations (AuthZEN §"Access Evaluations API"): top-level `subject`, `action`, `resource` and
`context` are defaults that an item's own key replaces whole; without `evaluations` (or with an
empty list) the request is a single evaluation and gets a single answer. `options.evaluations_semantic`
is `execute_all` (default), `deny_on_first_deny` or `permit_on_first_permit`; the answer stops after
the first `false` or the first `true` respectively. An item that is not a valid request is answered
`false` with `context.error: {"status": 400, "message"}` and, like any false, stops a
`deny_on_first_deny` run.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal, Optional

from pydantic import BaseModel, ConfigDict, Field, SkipValidation

from wivcheck.engine import Provision, ProvisionError, Reason, provision_from_data
from wivcheck.engine.decision import RuleSetRef

SEMANTICS = ("execute_all", "deny_on_first_deny", "permit_on_first_permit")


class AuthzenInputError(Exception):
    """A request (or one evaluation) that cannot be decided: its message names the field."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def _drop_service(schema: dict) -> None:
    schema.get("properties", {}).pop("service", None)
    schema["required"] = [k for k in schema.get("required", []) if k not in ("service", "id")]
    schema["description"] = ("The provision (input contract v1.1) without `service`, which is "
                             "`subject.id`; `id` may be left out (it is `resource.id`).")


class ProvisionProperties(Provision):
    """For the OpenAPI only: the provision as `resource.properties` (see `_drop_service`)."""

    model_config = ConfigDict(title="ProvisionProperties", json_schema_extra=_drop_service)


class Subject(BaseModel):
    model_config = ConfigDict(extra="forbid")
    type: Literal["service"] = Field(description="Always `service`.")
    id: str = Field(description="The providing service: `AIVD` or `MIVD`.", examples=["AIVD"])
    properties: Optional[dict[str, Any]] = Field(None, description="Not used.")


class Action(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: Literal["provide"] = Field(description="Always `provide`.")
    properties: Optional[dict[str, Any]] = Field(None, description="Not used.")


class Resource(BaseModel):
    model_config = ConfigDict(extra="forbid")
    type: Literal["provision"] = Field(description="Always `provision`.")
    id: str = Field(description="The provision's id.", examples=["PRV-2025-0042"])
    properties: SkipValidation[ProvisionProperties]


class EvaluationRequest(BaseModel):
    """One access evaluation (AuthZEN §"The Access Evaluation API Request")."""

    model_config = ConfigDict(extra="forbid")
    subject: Subject
    action: Action
    resource: Resource
    context: Optional[dict[str, Any]] = Field(None, description="Accepted, not used: the provision's "
                                                                "date selects the rules.")


class EvaluationItem(BaseModel):
    """One evaluation of a batch; keys left out come from the request's top level."""

    subject: Optional[Subject] = None
    action: Optional[Action] = None
    resource: Optional[Resource] = None
    context: Optional[dict[str, Any]] = None


class EvaluationsOptions(BaseModel):
    evaluations_semantic: Literal["execute_all", "deny_on_first_deny", "permit_on_first_permit"] = "execute_all"
    model_config = ConfigDict(extra="allow")


class EvaluationsRequest(BaseModel):
    """Several evaluations (AuthZEN §"The Access Evaluations API Request"). Items are checked one by
    one (a bad item is answered false with an error, never fails the others), so the request model
    validates only the envelope of the batch."""

    subject: SkipValidation[Optional[Subject]] = None
    action: SkipValidation[Optional[Action]] = None
    resource: SkipValidation[Optional[Resource]] = None
    context: SkipValidation[Optional[dict[str, Any]]] = None
    evaluations: Optional[list[SkipValidation[EvaluationItem]]] = None
    options: Optional[EvaluationsOptions] = None


class ItemError(BaseModel):
    status: int = Field(description="400 for an evaluation that is not a valid request.")
    message: str


class DecisionContext(BaseModel):
    """The native decision behind the boolean (no trace: read it with `GET /v1/decisions/{id}`
    after `POST /v1/decisions` when it must be recorded)."""

    outcome: Literal["allow", "deny", "escalate"]
    provision_id: str
    decision_id: str
    evaluated_at: dt.datetime
    as_of: dt.date
    rulesets: list[RuleSetRef]
    reasons: list[Reason]
    escalate_to: list[str]
    obligations: list[dict[str, Any]] = Field(default_factory=list, description="What whoever carries "
                                              "the provision out must do; empty when there is nothing.")
    grounds: Optional[list[Any]] = None
    advice: Optional[list[Any]] = None
    warnings: list[str] = []


class ErrorContext(BaseModel):
    error: ItemError


class EvaluationResponse(BaseModel):
    decision: bool = Field(description="true only for allow; deny and escalate are false.")
    context: DecisionContext | ErrorContext


class EvaluationsResponse(BaseModel):
    evaluations: list[EvaluationResponse]


class Configuration(BaseModel):
    """PDP metadata (AuthZEN §"Policy Decision Point Metadata")."""

    policy_decision_point: str
    access_evaluation_endpoint: str
    access_evaluations_endpoint: str


# -- mapping ----------------------------------------------------------------------------------

def _where(path: str) -> str:
    if path == "service":
        return "subject.id"
    if path == "id":
        return "resource.id"
    return "resource.properties" + ("." + path if path else "")


def _pydantic_message(exc) -> str:
    parts = []
    for e in exc.errors():
        loc = ".".join(str(p) for p in e["loc"])
        msg = {"extra_forbidden": "unknown field", "missing": "field required"}.get(e["type"], e["msg"])
        parts.append(f"{loc}: {msg}" if loc else msg)
    return "; ".join(parts)


def provision_of(request: dict | EvaluationRequest) -> Provision:
    """The provision an evaluation asks about. Raises AuthzenInputError naming every field that is
    wrong, in the request's own terms (`resource.properties.recipient.kind`, `subject.id`)."""
    import pydantic
    if isinstance(request, dict):
        try:
            request = EvaluationRequest.model_validate(request)
        except pydantic.ValidationError as exc:
            raise AuthzenInputError(_pydantic_message(exc)) from None
    props = request.resource.properties
    if not isinstance(props, dict):
        raise AuthzenInputError("resource.properties: the provision is an object of its fields")
    if "service" in props:
        raise AuthzenInputError("resource.properties.service: not here: the service is subject.id")
    if "id" in props and props["id"] != request.resource.id:
        raise AuthzenInputError(f"resource.properties.id ({props['id']!r}) differs from resource.id "
                                f"({request.resource.id!r})")
    data = {**props, "id": request.resource.id, "service": request.subject.id}
    try:
        return provision_from_data(data, source="resource")
    except ProvisionError as exc:
        raise AuthzenInputError("; ".join(f"{_where(p.path)}: {p.message}" for p in exc.problems)) from None


def merged(defaults: dict, item: Any) -> dict:
    """An item of `evaluations` with the top-level defaults filled in (an item's key wins whole)."""
    if not isinstance(item, dict):
        raise AuthzenInputError("each item of evaluations is an object")
    out = {k: v for k, v in defaults.items() if v is not None}
    out.update(item)
    return out


def answer(decision: dict) -> dict:
    """The AuthZEN answer to native decision data."""
    context = {k: decision[k] for k in ("provision_id", "decision_id", "evaluated_at", "as_of", "rulesets",
                                        "reasons", "escalate_to", "warnings")}
    context["outcome"] = decision["decision"]
    context["obligations"] = decision.get("obligations") or []
    for key in ("grounds", "advice"):
        if key in decision:
            context[key] = decision[key]
    return {"decision": decision["decision"] == "allow", "context": context}


def error_answer(message: str, status: int = 400) -> dict:
    """The answer to one evaluation of a batch that could not be decided (closed: false)."""
    return {"decision": False, "context": {"error": {"status": status, "message": message}}}
