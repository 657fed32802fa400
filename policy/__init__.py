"""The rule language of wivcheck: rule-set files, their validation, and selecting versions.

Knows nothing of durable_rules, of HTTP, or of the provision model: the caller passes the fact
schema that rules are checked against.
"""

from .conditions import All, AnyOf, Condition, FactRef, Leaf, Not, facts_of, walk_leaves
from .errors import LoadError, PolicyError, PolicyErrors, SelectionError, ValidationError
from .library import Library, RuleSetVersion, default_rules_dir, load_file, load_text
from .model import Advice, Cite, DatedList, Obligation, Rule, RuleSetFile, Text
from .terms import (OPEN, OUTCOME_RANK, OUTCOMES, ROLE_RANK, ROLES, Outcome, Role, Status, applies_conditions,
                    qualified, strictest)
from .schema import FactSchema, FieldType

__all__ = [
    "OPEN", "OUTCOMES", "OUTCOME_RANK", "Outcome", "Role", "Status", "applies_conditions", "qualified", "strictest",
    "Advice", "All", "AnyOf", "Cite", "Condition", "DatedList", "FactRef", "FactSchema", "FieldType", "Leaf",
    "Library", "LoadError", "Not", "Obligation", "PolicyError", "PolicyErrors", "ROLES", "ROLE_RANK", "Rule",
    "RuleSetFile",
    "RuleSetVersion", "SelectionError", "Text", "ValidationError", "default_rules_dir", "facts_of",
    "load_file", "load_text", "walk_leaves",
]
