"""The decision (output contract, DESIGN.md): what was decided, why, on which rule-set versions."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal, Optional

from pydantic import BaseModel, ConfigDict, SerializationInfo, SerializerFunctionWrapHandler, model_serializer

from wivcheck.policy.terms import OutcomeName, StatusName

Status = StatusName


class _Out(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Bilingual(_Out):
    nl: str
    en: str


class RuleSetRef(_Out):
    id: str
    version: str
    status: str
    sha256: str


class ApprovalRef(_Out):
    """The approval that closed an escalation (DESIGN.md, "Approvals"): as written in the provision,
    whether the decision log's record of it was checked (`verified`; false offline, where it is
    taken as written), and, verified, who gave it and its entry in the log."""

    role: str
    reference: str
    date: dt.date
    verified: bool = False
    approver: Optional[str] = None
    sequence: Optional[int] = None


class TraceEntry(_Out):
    model_config = ConfigDict(extra="forbid", frozen=True)  # shared between decisions (see evaluate)
    rule: str
    status: Status
    on_fail: Literal["deny", "escalate"]
    approved_by: Optional[ApprovalRef] = None


class FieldHint(_Out):
    """A field a fix asks to fill in or change, with its label and help from the field reference
    (engine/provision_fields.yaml), so the reader need not look it up."""

    path: str
    label: Bilingual
    help: Bilingual


class ApprovalEntry(_Out):
    """A ready-to-paste `approvals` entry (the provision's input contract) that closes an open
    escalation once the person named gives it: `reference` is TODO until they do; `date` is the
    provision date (an approval must be dated on or before it)."""

    role: str
    rule: str
    reference: str
    date: dt.date


class Reason(_Out):
    rule: str
    title: Bilingual
    outcome: Literal["deny", "escalate"]
    status: Literal["violated", "missing"]
    cites: list[str]
    basis: str
    proxy: bool = False
    message: Bilingual
    fix: Bilingual
    facts: dict[str, Any]
    missing_facts: list[str] = []
    escalate_to: Optional[str] = None
    # fixes first: the fields the fix names, and for a violated escalate-rule the approvals entry
    # that would close it (added to the contract; decisions recorded before them have neither)
    fix_fields: list[FieldHint] = []
    fix_approval: Optional[ApprovalEntry] = None


class Ground(_Out):
    """A statutory route the provision rests on (v1.1): the citation, and the rule that found it."""

    cite: str
    rule: str
    title: Bilingual


class Statement(_Out):
    """An obligation or advice (v1.1): what to do, or to know, with its citations. `missing_facts`
    names absent facts when its condition could not be settled (listed all the same)."""

    id: str
    title: Bilingual
    cites: list[str]
    basis: str
    message: Bilingual
    missing_facts: list[str] = []


class LogRef(_Out):
    sequence: int
    hash: str


class GateObjectOutcome(_Out):
    """One object of a gated payload: its key (id, `id@modified`, or MISP path), type, its decision on
    its own (`metadata`: it carries no data and nothing the gate objects to), the rules and gate checks
    it opens, and what the gate found in which property (never the value itself)."""
    id: str
    type: str
    decision: Literal["allow", "deny", "escalate", "metadata"]
    reasons: list[str] = []
    findings: list[str] = []


class GateDependent(_Out):
    """An object that goes with the removal set (`removed`) or loses references to it (`edited`)."""
    id: str
    action: Literal["removed", "edited"]
    properties: list[str] = []
    because: str


class GateEventOutcome(_Out):
    """One MISP event of a payload holding several, decided on its own."""
    id: str
    decision: Literal["allow", "deny", "escalate"]
    reasons: list[str] = []


class GateRecord(_Out):
    """What a recorded gate decision holds besides the decision (DESIGN.md, "The gate"): the payload's
    format, sha256 (of its canonical JSON) and identifiers (the bundle id, or the event uuids), every
    object's outcome, the removal set with its dependents, and the decision on the stripped payload."""
    format: Literal["stix", "misp"]
    payload_sha256: str
    payload_ids: list[str]
    objects: list[GateObjectOutcome]
    remove: Optional[list[str]] = None
    remove_note: str = ""
    dependents: list[GateDependent] = []
    stripped_decision: Optional[Literal["allow", "deny", "escalate"]] = None
    stripped_sha256: Optional[str] = None
    events: list[GateEventOutcome] = []


class Decision(_Out):
    decision: OutcomeName
    provision_id: str
    decision_id: str
    evaluated_at: dt.datetime
    as_of: dt.date
    rulesets: list[RuleSetRef]
    grounds: list[Ground] = []
    reasons: list[Reason]
    obligations: list[Statement] = []
    advice: list[Statement] = []
    escalate_to: list[str]
    approved: list[TraceEntry] = []
    trace: list[TraceEntry]
    warnings: list[str] = []
    log: Optional[LogRef] = None
    gate: Optional[GateRecord] = None

    @model_serializer(mode="wrap")
    def _without_empty_gate(self, handler: SerializerFunctionWrapHandler, info: SerializationInfo):
        """A decision that is not a gate decision has no `gate` key at all (the decision contract of
        check and batch stays as it was)."""
        data = handler(self)
        if isinstance(data, dict) and data.get("gate", 0) is None:
            del data["gate"]
        return data
