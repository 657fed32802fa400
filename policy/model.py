"""The rule-set file: a versioned set of rules, each with citations, messages and conditions.

One YAML file per version, at `rules/<ruleset>/<version>.yaml`. Besides its rules a file may hold
obligations and advice (statements that travel with a decision without changing it, each with its
own condition; DESIGN.md, the decision), dated lists (e.g. the allies, for `in_list`), and notes.
A rule may name the statutory route (`ground`) it establishes when satisfied. These models are the
contract of the format; `wivcheck rules schema` prints the JSON Schema generated from them.
"""

from __future__ import annotations

import datetime as dt
import re
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


_BASIS = ("statute: what the law text says (verified); interpretation: our reading of the law, "
          "not stated in it; safeguard: practice the ministers' letter describes; policy: a policy "
          "choice, e.g. the draft policy rules.")


class Ground(_Strict):
    """A statutory route a rule establishes when it is satisfied (or approved), where `when` holds
    (default: always). A rule covering two routes (a foreign service under Art. 62(1)(d) or Art. 64)
    names both, each with its own `when`."""

    cite: Cite
    when: Condition | None = None


class Rule(_Strict):
    id: str = Field(pattern=NAME, max_length=64)
    title: Text
    cites: list[Cite] = Field(min_length=1)
    basis: Basis = Field(description=_BASIS)
    proxy: bool = Field(False, description=(
        "The check stands in for a judgement it cannot make (e.g. a minimum length for "
        "'substantiated'); the note says what it stands for. Shown with every reason."))
    grounds: list[Ground] = Field(default_factory=list, max_length=8, description=(
        "The statutory routes this rule establishes: when the rule is satisfied (or approved), the "
        "decision names each ground whose `when` holds among its `grounds`."))
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


class Obligation(_Strict):
    """What whoever carries out an allowed (or approved) provision must do, when `applies_if` holds.
    Never changes the outcome; it travels with it (DESIGN.md, `obligations`)."""

    id: str = Field(pattern=NAME, max_length=64)
    title: Text
    cites: list[Cite] = Field(min_length=1)
    basis: Basis = Field(description=_BASIS)
    note: str | None = Field(None, description="Why this reading; the status of the source.")
    applies_if: Condition | None = None
    message: Text


class Advice(Obligation):
    """What the decision maker should know, when `applies_if` holds; binds nothing (DESIGN.md,
    `advice`)."""


class ListItem(_Strict):
    """One member of a dated list: on the list from `since` (inclusive) until `until` (exclusive)."""

    value: str = Field(min_length=1, max_length=64)
    since: dt.date | None = None
    until: dt.date | None = None
    note: str | None = None

    @model_validator(mode="after")
    def _period(self):
        if self.since and self.until and self.until <= self.since:
            raise ValueError("until must come after since")
        return self


class DatedList(_Strict):
    """A list whose members change over time (e.g. the allies), for `{fact: ..., in_list: NAME}`."""

    title: Text
    cites: list[Cite] = Field(min_length=1)
    basis: Basis = Field(description=_BASIS)
    note: str | None = None
    items: list[ListItem] = Field(min_length=1, max_length=1000)

    def members_on(self, day: dt.date) -> list[str]:
        return sorted({i.value for i in self.items if (i.since is None or i.since <= day)
                       and (i.until is None or day < i.until)})


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
    superseded_by: str | None = Field(None, pattern=r"^[0-9A-Za-z][0-9A-Za-z.-]*$", max_length=40,
                                      description="With status withdrawn: the version of this rule "
                                                  "set that replaces it.")
    valid_from: dt.date
    valid_until: dt.date | None = None
    title: Text
    source: Source
    scope: Condition | None = Field(None, description="Applies to every rule in the set.")
    rules: list[Rule] = Field(min_length=1, max_length=2000)
    obligations: list[Obligation] = Field(default_factory=list, max_length=500)
    advice: list[Advice] = Field(default_factory=list, max_length=500)
    lists: dict[str, DatedList] = Field(default_factory=dict, description=(
        "Dated lists by name (lowercase-with-dashes), read by `in_list` conditions."))
    notes: list[Note] = Field(default_factory=list)

    @model_validator(mode="after")
    def _dates(self):
        if self.valid_until is not None and self.valid_until <= self.valid_from:
            raise ValueError("valid_until must come after valid_from")
        if self.superseded_by is not None and self.status != "withdrawn":
            raise ValueError("superseded_by goes with status withdrawn")
        if self.superseded_by == self.version:
            raise ValueError("a version cannot supersede itself")
        for name in self.lists:
            if not re.fullmatch(NAME, name):
                raise ValueError(f"list name {name!r} is not lowercase-with-dashes")
        return self

    def evaluated_items(self) -> list[tuple[str, object, object]]:
        """(id, applies_if, requires) of everything a backend evaluates, in a fixed order: the rules,
        the obligations, the advice (requires None), and each conditional ground of a rule as
        `<rule id>#ground<k>` (applies_if its `when`, requires None). The rule set's scope applies to
        all of them."""
        out = [(r.id, r.applies_if, r.requires) for r in self.rules]
        out += [(o.id, o.applies_if, None) for o in [*self.obligations, *self.advice]]
        out += [(ground_item(r.id, k), g.when, None) for r in self.rules
                for k, g in enumerate(r.grounds) if g.when is not None]
        return out

    def in_force_on(self, day: dt.date) -> bool:
        return (self.status == "in_force" and self.valid_from <= day
                and (self.valid_until is None or day < self.valid_until))


def ground_item(rule_id: str, k: int) -> str:
    """The id under which the `when` of a rule's k-th ground is evaluated."""
    return f"{rule_id}#ground{k}"
