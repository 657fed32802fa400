"""The plain-Python evaluator of a rule-set version: the oracle the durable_rules path is tested
against. The semantics themselves are in policy/semantics.py."""

from __future__ import annotations

from wivcheck.policy import All, RuleSetVersion, applies_conditions, qualified
from wivcheck.policy.semantics import Facts, compile_condition, rule_status

class OracleRuleSet:
    """One rule-set version compiled to closures; `statuses` gives every rule's status."""

    def __init__(self, version: RuleSetVersion):
        self.version = version
        model = version.model
        self.rules = []
        for rule in model.rules:
            applies = applies_conditions(model, rule)
            self.rules.append((qualified(model.ruleset, rule.id),
                               compile_condition(All(all=applies) if applies else None),
                               compile_condition(rule.requires)))

    def statuses(self, facts: Facts) -> dict[str, str]:
        out = {}
        for qid, applies, requires in self.rules:
            a = applies(facts)
            out[qid] = rule_status(a, requires(facts) if a is not False else True)
        return out
