"""Conditions as data: `all`, `any`, `not` and leaves `{fact: PATH, <op>: VALUE}`.

A value is a literal, a list of literals (`in`, `not_in`, `subset_of`) or another fact, optionally
shifted by a date offset: `{fact: date, offset: -10y}`. Exactly one operator per leaf. Two operators
take something else: `min_letters: N` (the text holds at least N visible letters or digits, the
length proxy of a substantiation; policy/text.py) and `in_list: NAME` (the value is on the rule
set's dated list NAME on the provision date, e.g. the allies). These pydantic models are the parsed
form; the JSON Schema of rule files is generated from them.
"""

from __future__ import annotations

from typing import Annotated, Any, Iterator, Union

from pydantic import BaseModel, ConfigDict, Discriminator, Field, StrictBool, StrictInt, StrictStr, Tag, model_validator

OPERATORS = ("equals", "not_equals", "in", "not_in", "contains", "not_contains", "subset_of",
             "lt", "le", "gt", "ge", "exists", "matches", "min_letters", "in_list")

# strict: a value keeps the type it was written with (the canonical reading, policy/yamlsafe.py)
Scalar = Union[StrictBool, StrictInt, StrictStr]
LIST_DATE_FACT = "date"   # `in_list` judges membership on the provision date


class FactRef(BaseModel):
    """Another fact as the value to compare with, optionally a date offset from it."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    fact: str = Field(description="Dotted fact path, e.g. `date` or `partnership.valid_until`.")
    offset: str | None = Field(None, pattern=r"^[+-](?:\d{1,2}y|\d{1,3}m|\d{1,5}d)$",
                               description="Date offset such as `-10y`, `+6m`, `-30d` "
                                           "(at most 99 years, 999 months, 99999 days).")


Value = Union[FactRef, Scalar, list[Scalar]]


class Leaf(BaseModel):
    """`{fact: PATH, <operator>: VALUE}` with exactly one operator."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)
    fact: str = Field(description="Dotted fact path of the provision.")
    equals: Value | None = None
    not_equals: Value | None = None
    in_: list[Scalar] | None = Field(None, alias="in")
    not_in: list[Scalar] | None = None
    contains: Scalar | None = None
    not_contains: Scalar | None = None
    subset_of: FactRef | list[Scalar] | None = None
    lt: Value | None = None
    le: Value | None = None
    gt: Value | None = None
    ge: Value | None = None
    exists: StrictBool | None = None
    matches: str | None = Field(None, description="RE2 regular expression (no backreferences or lookaround), matched in full, in time linear in the text.")
    min_letters: int | None = Field(None, ge=1, le=4000, strict=True,
                                    description="At least this many visible letters or digits "
                                                "(Unicode L* and N*); other characters count for nothing.")
    in_list: str | None = Field(None, pattern=r"^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$",
                                description="On the rule set's dated list of this name, on the "
                                            "provision date (`lists:` of the rule-set file).")

    @model_validator(mode="after")
    def _one_operator(self):
        ops = [op for op in OPERATORS if getattr(self, _attr(op)) is not None]
        if len(ops) != 1:
            raise ValueError("a condition leaf needs exactly one operator "
                             f"({', '.join(OPERATORS)}); found {ops or 'none'}")
        return self

    @property
    def op(self) -> str:
        for op in OPERATORS:
            if getattr(self, _attr(op)) is not None:
                return op
        raise AssertionError("validated leaf without operator")

    @property
    def value(self) -> Any:
        return getattr(self, _attr(self.op))


class All(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    all: list["Condition"] = Field(min_length=1)


class AnyOf(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    any: list["Condition"] = Field(min_length=1)


class Not(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)
    not_: "Condition" = Field(alias="not")


def _kind(value: Any) -> str | None:
    if isinstance(value, dict):
        for key in ("all", "any", "not"):
            if key in value:
                return "@" + key
        return "@leaf"
    if isinstance(value, BaseModel):
        return {All: "@all", AnyOf: "@any", Not: "@not", Leaf: "@leaf"}.get(type(value))
    return None


Condition = Annotated[
    Union[Annotated[All, Tag("@all")], Annotated[AnyOf, Tag("@any")], Annotated[Not, Tag("@not")],
          Annotated[Leaf, Tag("@leaf")]],
    Discriminator(_kind, custom_error_type="condition",
                  custom_error_message="a condition is a mapping: all, any, not, or {fact, <op>}"),
]

All.model_rebuild()
AnyOf.model_rebuild()
Not.model_rebuild()


def _attr(op: str) -> str:
    return "in_" if op == "in" else op


def children(cond) -> list:
    if isinstance(cond, All):
        return list(cond.all)
    if isinstance(cond, AnyOf):
        return list(cond.any)
    if isinstance(cond, Not):
        return [cond.not_]
    return []


def child_key(cond) -> str:
    return {All: "all", AnyOf: "any", Not: "not"}[type(cond)]


def walk_leaves(cond, path: tuple = ()) -> Iterator[tuple[Leaf, tuple]]:
    """Every leaf with its path inside the condition (as in the YAML: `all`, 2, ...)."""
    if isinstance(cond, Leaf):
        yield cond, path
        return
    key = child_key(cond)
    if isinstance(cond, Not):
        yield from walk_leaves(cond.not_, path + (key,))
    else:
        for i, c in enumerate(children(cond)):
            yield from walk_leaves(c, path + (key, i))


def facts_of(cond) -> list[str]:
    """Every fact path a condition reads, in order of first appearance."""
    seen: dict[str, None] = {}
    for leaf, _ in walk_leaves(cond):
        seen[leaf.fact] = None
        if isinstance(leaf.value, FactRef):
            seen[leaf.value.fact] = None
        elif leaf.op == "in_list":
            seen[LIST_DATE_FACT] = None
    return list(seen)
