"""Request and response bodies of the HTTP service (the OpenAPI is generated from them), and the
example provision the API description shows (package data `wivcheck.examples`)."""

from __future__ import annotations

import datetime as dt
from importlib import resources
from typing import Annotated, Any, Literal, Optional

from fastapi import Body
from pydantic import BaseModel, ConfigDict, Field, SkipValidation, WithJsonSchema

from wivcheck.engine import Decision, Provision
from wivcheck.engine.tools.impact import Change
from wivcheck.policy import RuleSetFile
from wivcheck.policy.model import Rule

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


# A provision in a list whose items are answered one by one: documented as a Provision, validated
# by the route itself (a bad item gets its own error and never fails the others)
ProvisionItem = SkipValidation[Provision]


class BatchRequest(BaseModel):
    provisions: list[ProvisionItem] = Field(description="Each item is a provision; each is answered "
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
    superseded_by: Optional[str] = None
    valid_from: dt.date
    valid_until: Optional[dt.date]
    sha256: str
    title: dict[str, str]
    rules: int


class ImpactRequest(BaseModel):
    base: str = Field(pattern=r"^[a-z][a-z0-9-]*@[0-9A-Za-z][0-9A-Za-z.-]*$",
                      description="The version in use, NAME@VERSION.")
    # a shipped rule file is about 30 KB; YAML is read in pure Python at about 100 KB/s
    candidate: str = Field(max_length=262_144, description="The candidate rule file, as YAML (or JSON) text "
                           "of at most 256 KiB; validated like any rule file, never activated.")
    corpus: Literal["log", "provisions"] = "log"
    provisions: list[ProvisionItem] = Field(default_factory=list, max_length=10_000,
                                            description="The corpus when corpus is `provisions`.")


class ImpactError(BaseModel):
    source: str = Field(description="Where the provision came from: a log sequence number or provisions[i].")
    provision_id: Optional[str] = None
    error: str


class LoggedChange(BaseModel):
    """A logged decision the candidate would change, named by its decision id and log sequence only
    (the policy role does not read provision contents)."""

    decision_id: str
    sequence: int
    before: str
    after: str
    now_open: list[str]
    no_longer_open: list[str]


class ImpactResponse(BaseModel):
    base: str
    candidate: str
    replayed: int
    changed: list[Change | LoggedChange] = Field(description="Over given provisions: each changed provision. "
                                                 "Over the log: each changed decision by id, without contents.")
    totals: dict[str, int]
    errors: list[ImpactError]


class RuleDetail(Rule):
    qualified_id: str = Field(description="`<ruleset>.<id>`, as reasons and approvals name it.")


class RuleSetDetail(RuleSetFile):
    """One rule-set version as its file has it, with its sha256 and each rule's qualified id."""

    sha256: str
    rules: list[RuleDetail]


# The gate checks envelopes and payloads itself, with errors that name the object and property; the
# schemas below document their shape without a second validation in front of the gate's own
_ENVELOPE = {"type": "object", "title": "Envelope", "required": ["id", "service", "date", "context", "recipient",
                                                                 "purpose", "data"],
             "description": "A provision (contract v1.1) whose `data` holds only what the payload cannot say "
                            "(classification, origin, reliability_indicated, onward_provision_barred, ...): "
                            "categories, TLP, volume and personal data come from the payload.",
             "properties": {"id": {"type": "string"}, "service": {"enum": ["AIVD", "MIVD"]},
                            "date": {"type": "string", "format": "date"}, "context": {"enum": ["structural", "ad_hoc"]},
                            "recipient": {"type": "object"}, "partnership": {"type": "object"},
                            "purpose": {"type": "object"}, "data": {"type": "object"},
                            "handling": {"type": "object"}, "approvals": {"type": "array"}}}
_STIX_BUNDLE = {"type": "object", "title": "StixBundle", "required": ["type", "id", "objects"],
                "description": "A STIX 2.1 bundle (OASIS STIX 2.1, 8. Bundle); every object is checked "
                               "against the OASIS schemas by the gate.",
                "properties": {"type": {"const": "bundle"}, "id": {"type": "string", "pattern": "^bundle--"},
                               "objects": {"type": "array", "items": {"type": "object", "required": ["type", "id"]}}}}
_MISP_EVENT = {"type": "object", "title": "MispEvent",
               "description": "A MISP event, with or without the outer `Event` key: attributes, objects, "
                              "tags, proposals, event reports, notes and opinions, distribution and sharing groups.",
               "properties": {"Event": {"type": "object"}, "info": {"type": "string"},
                              "Attribute": {"type": "array"}, "Object": {"type": "array"}, "Tag": {"type": "array"}}}


class GateStixRequest(BaseModel):
    envelope: Annotated[dict[str, Any], WithJsonSchema(_ENVELOPE)]
    bundle: Annotated[dict[str, Any], WithJsonSchema(_STIX_BUNDLE)]


class GateMispRequest(BaseModel):
    envelope: Annotated[dict[str, Any], WithJsonSchema(_ENVELOPE)]
    event: Annotated[dict[str, Any], WithJsonSchema(_MISP_EVENT)]


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




# -- approvals (DESIGN.md, "Approvals") -----------------------------------------------------------

class ApprovalRequest(BaseModel):
    """An approval of one escalated rule of a recorded provision."""

    model_config = ConfigDict(extra="forbid")
    provision_id: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9._/:-]{0,127}$",
                              description="The provision whose recorded escalation is approved.")
    rule: str = Field(pattern=r"^[a-z][a-z0-9-]*\.[a-z][a-z0-9-]*$",
                      description="The qualified id of the escalated rule, e.g. waarborgen-pps.residual-risk.")
    decision_id: Optional[str] = Field(None, min_length=1, max_length=128,
                                       description="The recorded decision that escalated (default: the "
                                                   "provision's latest).")
    note: Optional[str] = Field(None, max_length=2000, description="The approver's reasons, kept in the log.")
    role: Optional[Literal["teamleider", "diensthoofd", "minister"]] = Field(
        None, description="With a token: omit it (the token's role approves) or give the token's role. "
                          "Without tokens (loopback): the role approving (default: the rule's level).")


class ApprovalsEntry(BaseModel):
    """What the provision writes in `approvals` to use the approval."""

    rule: str
    role: str
    reference: str
    date: dt.date


class ApprovalRecord(BaseModel):
    """A recorded approval: who gave it, for which rule of which provision's escalation, when."""

    reference: str = Field(description="`apr-` and a UUID: the provision names it in `approvals`.")
    provision_id: str
    rule: str
    role: str = Field(description="The approving role (teamleider, diensthoofd, minister).")
    date: dt.date = Field(description="The UTC day it was given; a provision dated earlier cannot use it.")
    note: Optional[str] = None
    approver: dict[str, Any] = Field(description="Who gave it: the token's name and role, or the local user.")
    escalation: dict[str, Any] = Field(description="The recorded decision approved: decision_id and sequence.")
    log: dict[str, Any] = Field(description="Its entry in the decision log: sequence and hash.")
    approvals_entry: ApprovalsEntry


class EscalationItem(BaseModel):
    provision_id: str
    decision_id: str
    sequence: int
    recorded_at: str
    recorded_by: Optional[str] = None
    summary: dict[str, Any] = Field(description="id, service, date, context, recipient, purpose, data.")
    rules: list[str] = Field(description="The rules still open at this level.")
    reasons: list[dict[str, Any]] = Field(description="Their reasons, as the decision gave them.")
    approved: list[str] = Field(description="Rules of this decision already approved.")


class EscalationQueue(BaseModel):
    role: str
    below: bool
    items: list[EscalationItem]


ApprovalBody = Annotated[ApprovalRequest, Body(openapi_examples={"approve": {
    "summary": "The head of service accepts the residual risk of a recorded provision",
    "value": {"provision_id": "PRV-2025-0044", "rule": "waarborgen-pps.residual-risk",
              "note": "Residual risk weighed and accepted for this campaign."}}})]
