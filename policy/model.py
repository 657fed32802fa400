"""The rule-set file: a versioned set of rules, each with citations, messages and conditions.

One YAML file per version, at `rules/<ruleset>/<version>.yaml`. These models are the contract of the
format; `wivcheck rules schema` prints the JSON Schema generated from them.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from .conditions import Condition
from .terms import ROLE_RANK, ROLES, FailOutcome, RoleName  # noqa: F401  (ROLES, ROLE_RANK re-exported)

NAME = r"^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class Text(_Strict):
    """The same text in Dutch and English; neither may be empty."""

    nl: str = Field(min_length=1, pattern=r"\S")
    en: str = Field(min_length=1, pattern=r"\S")


class Cite(_Strict):
    """A legal or policy source: an article (with lid and onderdeel) of a law, or a section of a
    document such as the ministers' letter or the policy rules."""

    source: str = Field(description="`Wiv 2017`, `Kamerbrief 2025-02-17` or `Beleidsregels PPS`.")
    article: str | None = Field(None, pattern=r"^\d+[a-z]?$")
    lid: str | None = Field(None, pattern=r"^\d+$")
    onderdeel: str | None = Field(None, pattern=r"^[a-z]$")
    section: str | None = None

    @model_validator(mode="after")
    def _anchor(self):
        if not self.article and not self.section:
            raise ValueError("a citation names an article or a section")
        return self

    def label(self) -> str:
        if self.article:
            out = f"Art. {self.article}"
            if self.lid:
                out += f"({self.lid})"
            if self.onderdeel:
                out += f"({self.onderdeel})"
            return f"{out} {self.source}" + (f", {self.section}" if self.section else "")
        return f"{self.source}, {self.section}"


Basis = Literal["statute", "interpretation", "safeguard", "policy"]


class Rule(_Strict):
    id: str = Field(pattern=NAME, max_length=64)
    title: Text
    cites: list[Cite] = Field(min_length=1)
    basis: Basis = Field(description=(
        "statute: what the law text says (verified); interpretation: our reading of the law, "
        "not stated in it; safeguard: practice the ministers' letter describes; policy: a policy "
        "choice, e.g. the draft policy rules."))
    note: str | None = Field(None, description="Why this reading; the status of the source.")
    applies_if: Condition | None = None
    requires: Condition
    on_fail: FailOutcome
    escalate_to: RoleName | None = None
    message: Text
    fix: Text | None = Field(None, description="What would have to change (else derived).")

    @model_validator(mode="after")
    def _escalation(self):
        if self.on_fail == "escalate" and not self.escalate_to:
            raise ValueError("on_fail escalate needs escalate_to")
        if self.on_fail == "deny" and self.escalate_to:
            raise ValueError("escalate_to only goes with on_fail escalate")
        return self


class Note(_Strict):
    """A statement about the rule set that is not a check: e.g. an obligation met by the decision log."""

    id: str = Field(pattern=NAME, max_length=64)
    title: Text
    cites: list[Cite] = Field(min_length=1)
    text: Text


class Source(_Strict):
    bwb_id: str | None = Field(None, pattern=r"^BWBR\d{7}$")
    url: str | None = None
    checked_against: dt.date | None = Field(None, description="Date of the text checked against.")
    note: str | None = None


class RuleSetFile(_Strict):
    ruleset: str = Field(pattern=NAME, max_length=64)
    version: str = Field(pattern=r"^[0-9A-Za-z][0-9A-Za-z.-]*$", max_length=40)
    status: Literal["in_force", "draft", "withdrawn"]
    valid_from: dt.date
    valid_until: dt.date | None = None
    title: Text
    source: Source
    scope: Condition | None = Field(None, description="Applies to every rule in the set.")
    rules: list[Rule] = Field(min_length=1, max_length=2000)
    notes: list[Note] = Field(default_factory=list)

    @model_validator(mode="after")
    def _dates(self):
        if self.valid_until is not None and self.valid_until <= self.valid_from:
            raise ValueError("valid_until must come after valid_from")
        return self

    def in_force_on(self, day: dt.date) -> bool:
        return (self.status == "in_force" and self.valid_from <= day
                and (self.valid_until is None or day < self.valid_until))
