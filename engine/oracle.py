"""The plain-Python evaluator of a rule-set version: the oracle the durable_rules path is tested
against. The semantics themselves are in policy/semantics.py."""

from __future__ import annotations

from wivcheck.policy import All, RuleSetVersion, qualified
from wivcheck.policy.semantics import Facts, compile_condition, rule_status

class OracleRuleSet:
    """One rule-set version compiled to closures; `statuses` gives every rule's status, and every
    obligation's and advice's (not_applicable, satisfied or missing: their `requires` is always true)."""

    def __init__(self, version: RuleSetVersion):
        self.version = version
        model = version.model
        scope, lists = model.scope, model.lists
        self.rules = []
        for item_id, applies_if, requires in model.evaluated_items():
            applies = [c for c in (scope, applies_if) if c is not None]
            self.rules.append((qualified(model.ruleset, item_id),
                               compile_condition(All(all=applies) if applies else None, lists),
                               compile_condition(requires, lists)))

    def statuses(self, facts: Facts) -> dict[str, str]:
        out = {}
        for qid, applies, requires in self.rules:
            a = applies(facts)
            out[qid] = rule_status(a, requires(facts) if a is not False else True)
        return out
