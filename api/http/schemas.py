"""Request and response bodies of the HTTP service (the OpenAPI is generated from them), and the
example provision the API description shows (package data `wivcheck.examples`)."""

from __future__ import annotations

import datetime as dt
from importlib import resources
from typing import Annotated, Any, Literal, Optional

from fastapi import Body
from pydantic import BaseModel, Field

from wivcheck.engine import Decision, Provision
from wivcheck.engine.tools.impact import Change

from .errors import ErrorBody


def _example() -> dict:

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
    id: str = Field(description="The object's id (`id@modified` for one of several versions; a MISP uuid or path).")
    type: str
    decision: Literal["allow", "deny", "escalate", "metadata"]
    reasons: list[str]
    findings: list[str] = Field([], description="What the gate found, as `property: what` (never the value).")


class GatePayload(BaseModel):
    format: Literal["stix", "misp"]
    sha256: str = Field(description="sha256 of the payload's canonical JSON (keys sorted, no whitespace).")
    ids: list[str] = Field(description="The bundle id, or the MISP event uuids.")


class GateStripped(BaseModel):
    decision: Literal["allow", "deny", "escalate"]
    reasons: list[str]
    sha256: Optional[str] = None
    may_go: bool


class GateResponse(BaseModel):
    decision: Decision
    payload: GatePayload
    objects: list[GateObject]
    remove: Optional[list[str]] = Field(description="The objects to strip (closed over references) for the rest "
                                                    "to be allowed; null when there is none.")
    remove_note: str
    dependents: list[dict[str, Any]] = Field([], description="Objects removed or edited with the removal set.")
    stripped_decision: Optional[GateStripped] = None
    events: list[dict[str, Any]] = Field([], description="MISP: each event's own decision, when there are several.")
    stripped: Optional[dict[str, Any]] = Field(None, description="With ?stripped=true: the payload minus the "
                                                                 "removal set, when it may go (else null).")


class Health(BaseModel):
    status: Literal["ok"]
    rulesets: list[str]
    log: str


