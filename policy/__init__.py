"""The rule language of wivcheck: rule-set files, their validation, and selecting versions.

Knows nothing of durable_rules, of HTTP, or of the provision model: the caller passes the fact
schema that rules are checked against.
"""

from .conditions import All, AnyOf, Condition, FactRef, Leaf, Not, facts_of, walk_leaves
from .errors import LoadError, PolicyError, PolicyErrors, SelectionError, ValidationError
from .library import Library, RuleSetVersion, default_rules_dir, load_file, load_text
from .model import ROLE_RANK, ROLES, Cite, Rule, RuleSetFile, Text
from .schema import FactSchema, FieldType

__all__ = [
    "All", "AnyOf", "Cite", "Condition", "FactRef", "FactSchema", "FieldType", "Leaf", "Library",
    "LoadError", "Not", "PolicyError", "PolicyErrors", "ROLES", "ROLE_RANK", "Rule", "RuleSetFile",
    "RuleSetVersion", "SelectionError", "Text", "ValidationError", "default_rules_dir", "facts_of",
    "load_file", "load_text", "walk_leaves",
]
