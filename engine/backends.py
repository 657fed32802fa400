"""The two evaluators of a rule-set version, behind one interface: `statuses_many(list of facts)`
gives each rule's status per provision. `DurableBackend` is the product path; `OracleBackend` the
plain-Python reference it is tested against."""

from __future__ import annotations

from typing import Any

from wivcheck.policy import RuleSetVersion

from .compile import compile_ruleset, parse_rule_name
from .durable_core import DurableRuleset, encode, next_fact_id
from .errors import EngineError
from .oracle import OracleRuleSet


class OracleBackend:
    def __init__(self, version: RuleSetVersion):
        self.version = version
        self._rs = OracleRuleSet(version)

    def statuses_many(self, facts_list: list[dict[str, Any]]) -> list[dict[str, str]]:
        return [self._rs.statuses(f) for f in facts_list]


class DurableBackend:
    def __init__(self, version: RuleSetVersion):
        self.version = version
        self.compiled = compile_ruleset(version)
        label = f"{version.ref}-{version.sha256[:12]}"
        self._shards = [DurableRuleset(f"{label}-{i}", d) for i, d in enumerate(self.compiled.shards())]
        self._names = {name: parse_rule_name(name) for name in self.compiled.definition}

    def statuses_many(self, facts_list: list[dict[str, Any]]) -> list[dict[str, str]]:
        plan = self.compiled.plan
        if len(facts_list) == 1:
            return [self._statuses_one(plan.flatten(facts_list[0], next_fact_id()))]
        flat = [plan.flatten(f, next_fact_id()) for f in facts_list]
        fired: dict[str, list[str]] = {f["id"]: [] for f in flat}
        payload = encode(flat)
        for shard in self._shards:
            for fid, names in shard.fire(flat, payload).items():
                fired[fid].extend(names)
        return [self._statuses(fired[fact["id"]]) for fact in flat]

    def _statuses_one(self, fact: dict[str, Any]) -> dict[str, str]:
        """`statuses_many` of one flat fact, without the bookkeeping of a batch."""
        fid, payload = fact["id"], encode([fact])
        fired: list[str] = []
        for shard in self._shards:
            fired.extend(shard.fire_one(fid, payload))
        return self._statuses(fired)

    def _statuses(self, fired: list[str]) -> dict[str, str]:
        """Every rule's status from the names of the durable rules one fact fired (a name may stand
        for several rules that share a term). Fail closed: a name that is none of the compiled rules,
        a rule that came out two ways, or a rule with no outcome is an EngineError."""
        ids, names = self.compiled.rule_ids, self._names
        seen: dict[int, str] = {}
        for name in fired:
            hits = names.get(name)
            if hits is None:
                raise EngineError(f"inconsistent trace on {self.version.ref}: durable_rules fired "
                                  f"{name!r}, which is none of its rules")
            for idx, status in hits:
                if seen.setdefault(idx, status) != status:
                    raise EngineError(f"inconsistent trace on {self.version.ref}: rule {ids[idx]} "
                                      f"came out both {seen[idx]} and {status}")
        if len(seen) != len(ids):
            silent = [ids[i] for i in range(len(ids)) if i not in seen]
            raise EngineError(f"inconsistent trace on {self.version.ref}: no outcome for "
                              f"{', '.join(silent[:5])}" + (" ..." if len(silent) > 5 else ""))
        return {ids[i]: seen[i] for i in range(len(ids))}

    def close(self) -> None:
        for shard in self._shards:
            shard.close()


BACKENDS = {"durable": DurableBackend, "oracle": OracleBackend}
