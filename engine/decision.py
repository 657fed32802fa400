"""The decision (output contract, DESIGN.md): what was decided, why, on which rule-set versions."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal, Optional

from pydantic import BaseModel, ConfigDict

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
    role: str
    reference: str
    date: dt.date


class TraceEntry(_Out):
    model_config = ConfigDict(extra="forbid", frozen=True)  # shared between decisions (see evaluate)
    rule: str
    status: Status
    on_fail: Literal["deny", "escalate"]
    approved_by: Optional[ApprovalRef] = None


class Reason(_Out):
    rule: str
    title: Bilingual
    outcome: Literal["deny", "escalate"]
    status: Literal["violated", "missing"]
    cites: list[str]
    basis: str
    message: Bilingual
    fix: Bilingual
    facts: dict[str, Any]
    missing_facts: list[str] = []
    escalate_to: Optional[str] = None


class LogRef(_Out):
    sequence: int
    hash: str


class Decision(_Out):
    decision: OutcomeName
    provision_id: str
    decision_id: str
    evaluated_at: dt.datetime
    as_of: dt.date
    rulesets: list[RuleSetRef]
    reasons: list[Reason]
    escalate_to: list[str]
    approved: list[TraceEntry] = []
    trace: list[TraceEntry]
    warnings: list[str] = []
    log: Optional[LogRef] = None
