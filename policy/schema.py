"""The shape of the facts a rule may look at: each fact path with its type and value set.

The rule language does not know the provision model; whoever loads rules passes a FactSchema (the
engine derives one from its provision model). Here are the types and which operators fit each.
"""

from __future__ import annotations

from dataclasses import dataclass, field

KINDS = ("enum", "str", "date", "bool", "int", "list", "object")

# Which operators fit which kind of fact. `exists` fits every kind.
OPS_BY_KIND: dict[str, frozenset[str]] = {
    "enum": frozenset({"equals", "not_equals", "in", "not_in", "in_list", "exists"}),
    "str": frozenset({"equals", "not_equals", "in", "not_in", "matches", "min_letters", "in_list", "exists"}),
    "date": frozenset({"equals", "not_equals", "lt", "le", "gt", "ge", "exists"}),
    "int": frozenset({"equals", "not_equals", "in", "not_in", "lt", "le", "gt", "ge", "exists"}),
    "bool": frozenset({"equals", "not_equals", "exists"}),
    "list": frozenset({"contains", "not_contains", "subset_of", "exists"}),
    "object": frozenset({"exists"}),
}


@dataclass(frozen=True)
class FieldType:
    kind: str
    values: tuple[str, ...] = ()      # enum values, or the item values of a list of enums
    description: str = ""
    required: bool = False            # present in a valid provision whenever its parent object is

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ValueError(f"unknown field kind {self.kind!r}")


@dataclass(frozen=True)
class FactSchema:
    """Fact paths (dotted, e.g. `partnership.secrecy_until`) and their types."""

    fields: dict[str, FieldType] = field(default_factory=dict)

    def get(self, path: str) -> FieldType | None:
        return self.fields.get(path)

    def paths(self) -> list[str]:
        return sorted(self.fields)

    def parent_objects(self, path: str) -> list[str]:
        """The object paths that must be present for path to be present (`partnership` for
        `partnership.id`)."""
        parts = path.split(".")
        return [".".join(parts[:i]) for i in range(1, len(parts))
                if self.fields.get(".".join(parts[:i]), FieldType("object")).kind == "object"]
