"""The domain's words, defined once: the roles that decide an escalation and their order, the
outcomes of a decision and their order, the status a rule ends in, qualified rule ids, and which
conditions make a rule apply (DESIGN.md, "Evaluation semantics").

Every other module takes these from here; the enums are `str` enums, so their members compare equal
to the bare strings of the contract (`Role.minister == "minister"`) and serialise as them.
"""

from __future__ import annotations

import enum
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from .conditions import Condition
    from .model import Rule, RuleSetFile


class Role(enum.StrEnum):
    """Who decides an escalation, lowest first (DESIGN.md: teamleider < diensthoofd < minister).
    An approval by a role closes escalations to that role and to every role below it."""

    teamleider = "teamleider"
    diensthoofd = "diensthoofd"
    minister = "minister"

    @property
    def rank(self) -> int:
        return ROLE_RANK[self.value]


class Outcome(enum.StrEnum):
    """A decision, least strict first: allow < escalate < deny (DESIGN.md, "Combining")."""

    allow = "allow"
    escalate = "escalate"
    deny = "deny"

    @property
    def severity(self) -> int:
        return OUTCOME_RANK[self.value]


class Status(enum.StrEnum):
    """What one rule ends in for one provision (DESIGN.md, "Evaluation semantics")."""

    satisfied = "satisfied"
    violated = "violated"
    not_applicable = "not_applicable"
    missing = "missing"      # a fact it needs is absent: treated as violated
    approved = "approved"    # a violated escalate-rule closed by an approval


ROLES: tuple[str, ...] = tuple(r.value for r in Role)
ROLE_RANK: dict[str, int] = {role: i for i, role in enumerate(ROLES)}
OUTCOMES: tuple[str, ...] = tuple(o.value for o in Outcome)
OUTCOME_RANK: dict[str, int] = {o: i for i, o in enumerate(OUTCOMES)}
OPEN: frozenset[str] = frozenset({Status.violated.value, Status.missing.value})
"""Statuses that keep a rule's outcome (deny or escalate) in force."""

RoleName = Literal["teamleider", "diensthoofd", "minister"]
OutcomeName = Literal["allow", "deny", "escalate"]
FailOutcome = Literal["deny", "escalate"]
StatusName = Literal["satisfied", "violated", "not_applicable", "missing", "approved"]


def qualified(ruleset: str, rule_id: str) -> str:
    """The id of a rule everywhere outside its file: `<ruleset>.<id>`, e.g.
    `wiv2017.recipient-concerned` (DESIGN.md, "Rule sets")."""
    return f"{ruleset}.{rule_id}"


def strictest(outcomes) -> str:
    """The strictest of some outcomes (deny > escalate > allow); `allow` for none."""
    return max(outcomes, key=OUTCOME_RANK.__getitem__, default=Outcome.allow.value)


def applies_conditions(model: "RuleSetFile", rule: "Rule") -> list["Condition"]:
    """What must hold for a rule to apply at all: its rule set's `scope` and its own `applies_if`
    (either may be absent). A rule that does not apply is `not_applicable`."""
    return [c for c in (model.scope, rule.applies_if) if c is not None]
