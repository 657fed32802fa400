"""Properties, searched with hypothesis: durable_rules and the oracle agree on every trace (shipped
and random rules; single, batched, from eight threads); rule order never matters; adding a deny rule
never makes a decision more permissive."""

from __future__ import annotations

import random
import threading

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from wivcheck.engine import Engine, EngineError
from strategies import library_of, provisions, rule_dicts, rulesets, version_of

DRAFT = "beleidsregels-pps@concept-2026-02"
RANK = {"allow": 0, "escalate": 1, "deny": 2}
SETTINGS = dict(deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                                    HealthCheck.large_base_example])


def comparable(d) -> dict:
    return d.model_dump(mode="json", exclude={"decision_id", "evaluated_at"})


def decide_on(version, ps):
    """Durable decisions on a generated rule set, or None where a rule is too large to compile
    (the one refusal allowed, and it must say so)."""
    try:
        return Engine(library_of(version), "durable").decide_many(ps)
    except EngineError as exc:
        assert "terms on durable_rules" in str(exc)
        return None


def each_outcome(engine, ps) -> list:
    """Per provision the comparable decision, or the engine's refusal: an allow without a ground
    on rule sets that name grounds (both backends must refuse the same provisions). Decided as a
    batch first; one by one when the batch is refused."""
    try:
        return [comparable(d) for d in engine.decide_many(ps)]
    except EngineError as exc:
        if "terms on durable_rules" in str(exc):
            raise
        assert "without a ground" in str(exc), exc
    out = []
    for p in ps:
        try:
            out.append(comparable(engine.decide(p)))
        except EngineError as exc:
            assert "without a ground" in str(exc), exc
            out.append("refused: allow without a ground")
    return out


@settings(max_examples=1500, **SETTINGS)
@given(p=provisions)
def test_durable_and_oracle_agree_on_shipped_rules(durable, oracle, p):
    a = durable.decide(p, rulesets=[DRAFT])
    b = oracle.decide(p, rulesets=[DRAFT])
    assert comparable(a) == comparable(b)


@settings(max_examples=300, **SETTINGS)
@given(ps=st.lists(provisions, min_size=1, max_size=6))
def test_decision_data_is_exactly_the_decision_contract(durable, ps):
    """The HTTP service answers and records `decide_data` without building models: that data must be
    what the Decision model would have written, field for field."""
    import orjson
    from wivcheck.engine.decision import Decision
    for data in durable.decide_data(ps, rulesets=[DRAFT]):
        model = Decision.model_validate(data)
        assert model.model_dump(mode="json") == data
        assert orjson.loads(orjson.dumps(data)) == orjson.loads(model.model_dump_json())


@settings(max_examples=150, **SETTINGS)
@given(ps=st.lists(provisions, min_size=2, max_size=40))
def test_batches_agree_with_single_decisions(durable, oracle, ps):
    batch = durable.decide_many(ps, rulesets=[DRAFT])
    for p, d in zip(ps, batch):
        assert comparable(d) == comparable(oracle.decide(p, rulesets=[DRAFT]))


@settings(max_examples=250, **SETTINGS)
@given(version=rulesets(extras=True), ps=st.lists(provisions, min_size=1, max_size=12))
def test_random_rules_agree(version, ps):
    """Rules, obligations, advice and conditional grounds, on dated lists and letter counts too."""
    try:
        fast = each_outcome(Engine(library_of(version), "durable"), ps)
    except EngineError as exc:
        assert "terms on durable_rules" in str(exc)
        return
    assert fast == each_outcome(Engine(library_of(version), "oracle"), ps)


@settings(max_examples=8, **SETTINGS)
@given(ps=st.lists(provisions, min_size=25, max_size=25))
def test_eight_threads_get_right_answers(durable, oracle, ps):
    expected = [comparable(oracle.decide(p, rulesets=[DRAFT])) for p in ps]
    failures: list = []

    def worker(seed: int):
        order = list(range(len(ps))) * 8  # 200 decisions batched and 8 single per thread
        random.Random(seed).shuffle(order)
        try:
            for start in range(0, len(order), 25):
                chunk = order[start:start + 25]
                batch = durable.decide_many([ps[i] for i in chunk], rulesets=[DRAFT])
                for i, d in zip(chunk, batch):
                    if comparable(d) != expected[i]:
                        failures.append((seed, ps[i].id))
                i = order[start]
                if comparable(durable.decide(ps[i], rulesets=[DRAFT])) != expected[i]:
                    failures.append((seed, ps[i].id))
        except Exception as exc:  # noqa: BLE001 - any fault in a thread is a failure
            failures.append((seed, repr(exc)))

    threads = [threading.Thread(target=worker, args=(s,)) for s in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not failures, failures[:5]


@settings(max_examples=150, **SETTINGS)
@given(version=rulesets(min_rules=2), ps=st.lists(provisions, min_size=1, max_size=8), seed=st.integers())
def test_rule_order_never_changes_a_decision(version, ps, seed):
    rules = list(version.model.rules)
    random.Random(seed).shuffle(rules)
    shuffled = version_of([r.model_dump(by_alias=True, exclude_none=True) for r in rules],
                          scope=version.model.scope.model_dump(by_alias=True, exclude_none=True)
                          if version.model.scope else None)
    a, b = decide_on(version, ps), decide_on(shuffled, ps)
    if a is None or b is None:
        assert a is b is None
        return
    for x, y in zip(a, b):
        assert x.decision == y.decision
        assert {t.rule: t.status for t in x.trace} == {t.rule: t.status for t in y.trace}
        assert sorted(r.rule for r in x.reasons) == sorted(r.rule for r in y.reasons)
        assert x.escalate_to == y.escalate_to


@settings(max_examples=150, **SETTINGS)
@given(version=rulesets(), extra=rule_dicts(99, on_fail="deny"), ps=st.lists(provisions, min_size=1, max_size=8))
def test_adding_a_deny_rule_never_makes_a_decision_more_permissive(version, extra, ps):
    rules = [r.model_dump(by_alias=True, exclude_none=True) for r in version.model.rules]
    scope = version.model.scope.model_dump(by_alias=True, exclude_none=True) if version.model.scope else None
    stricter = version_of(rules + [extra], scope=scope)
    before, after = decide_on(version, ps), decide_on(stricter, ps)
    if before is None or after is None:
        return
    for b, a in zip(before, after):
        assert RANK[a.decision] >= RANK[b.decision]
        if b.decision == "deny":
            assert a.decision == "deny"
