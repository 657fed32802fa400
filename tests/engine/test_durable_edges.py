"""durable_rules' sharp edges, each owned by the engine: a test per edge that would catch a change."""

from __future__ import annotations

import subprocess
import sys
import threading
import textwrap

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import ROOT, provision
from wivcheck.engine import Engine
import json

import durable_rules_engine
import pytest

from wivcheck.engine.compile import C_STACK, STACK_BOUND, compile_ruleset, stack_height
from strategies import library_of, provisions, rulesets, version_of


def _rule(i: int, requires: dict, on_fail: str = "deny") -> dict:
    return {"id": f"r{i}", "title": {"nl": "t", "en": "t"}, "cites": [{"source": "x", "article": "1"}],
            "basis": "policy", "requires": requires, "on_fail": on_fail, "message": {"nl": "m", "en": "m"}}


def test_many_range_tests_on_one_fact_do_not_overflow_the_c_stack():
    # 100 rules of `volume < n`: one unsharded network overflows durable's alpha stack (error 303).
    version = version_of([_rule(i, {"fact": "data.volume", "lt": i * 10}) for i in range(100)])
    compiled = compile_ruleset(version)
    shards = compiled.shards()
    assert len(shards) > 1 and sum(map(len, shards)) == compiled.term_count()
    assert all(stack_height([_chain(r) for r in s.values()]) <= STACK_BOUND for s in shards)
    d = Engine(library_of(version), "durable").decide(provision({"data": {"volume": 495}}))
    violated = sorted(int(t.rule.split(".r")[1]) for t in d.trace if t.status == "violated")
    assert violated == list(range(50))


def _chain(rule: dict) -> tuple[str, ...]:
    return tuple(json.dumps(x, sort_keys=True) for x in rule["all"][0]["m"]["$and"])


@pytest.mark.parametrize("width", [C_STACK - 1, C_STACK, C_STACK + 1])
def test_the_stack_height_is_where_the_c_core_overflows(width):
    """`stack_height` against the C core itself: `width` terms of one test each under the anchor,
    a fact that matches them all. The core fails with error 303 exactly when the height passes its
    stack (C_STACK); shards are packed to STACK_BOUND, below it."""
    rules = {f"r{i}": {"all": [{"m": {"$and": [{"_f": 1}, {f"s{i}": 1}]}}]} for i in range(width)}
    assert stack_height([_chain(r) for r in rules.values()]) == width
    handle = durable_rules_engine.create_ruleset(f"stack-probe-{width}", json.dumps(rules))
    fact = json.dumps({"id": "f1", "_f": 1, **{f"s{i}": 1 for i in range(width)}})
    try:
        if width > C_STACK:
            with pytest.raises(Exception, match="error code: 303"):
                durable_rules_engine.assert_fact(handle, fact)
        else:
            _, state = durable_rules_engine.assert_fact(handle, fact)
            fired, message = 0, (durable_rules_engine.start_action_for_state(handle, state) or (0, None))[1]
            while message:
                fired += 1
                message = durable_rules_engine.complete_and_start_action(handle, state)
            assert fired == width
            durable_rules_engine.retract_fact(handle, fact)
    finally:
        durable_rules_engine.delete_ruleset(handle)
    assert STACK_BOUND < C_STACK


def test_the_stack_height_of_shared_and_deep_chains():
    """Chains that start alike share nodes; the height counts the siblings left waiting above the
    deepest branch: a root with children a (two children, one with three) and b."""
    chains = [("a", "x"), ("a", "y", "1"), ("a", "y", "2"), ("a", "y", "3"), ("b",)]
    assert stack_height(chains) == 1 + 1 + 3   # b waits, x waits, then 1, 2, 3
    assert stack_height([("a",), ("a",)]) == 1


def test_a_term_several_rules_share_is_one_durable_rule_giving_each_its_status():
    """Rules under one scope share its terms: out of scope, one durable rule fires for all of them
    (named for each), and every rule still comes out not_applicable; in scope each has its own."""
    rules = [_rule(i, {"fact": "data.volume", "lt": 10 * (i + 1)}) for i in range(3)]
    version = version_of(rules, scope={"fact": "service", "equals": "AIVD"})
    compiled = compile_ruleset(version)
    shared = [n for n in compiled.definition if n.startswith("r0r1r2_n_")]
    assert shared and not any(n.startswith(("r0_n_", "r1_n_", "r2_n_")) for n in compiled.definition)
    eng = Engine(library_of(version), "durable")
    out = eng.decide(provision({"service": "MIVD", "data": {"volume": 15}}))
    assert {t.rule: t.status for t in out.trace} == {f"gen.r{i}": "not_applicable" for i in range(3)}
    inside = eng.decide(provision({"service": "AIVD", "data": {"volume": 15}}))
    assert {t.rule: t.status for t in inside.trace} == {"gen.r0": "violated", "gen.r1": "satisfied",
                                                         "gen.r2": "satisfied"}


def test_six_hundred_equalities_on_one_fact_do_not_hang():
    # One durable node with 512 hashed children loops forever; run in a child with a time limit.
    code = textwrap.dedent("""
        import sys; sys.path.insert(0, "tests")
        from conftest import provision
        from wivcheck.engine import Engine
        from strategies import library_of, version_of
        rules = [{"id": f"r{i}", "title": {"nl": "t", "en": "t"}, "cites": [{"source": "x", "article": "1"}],
                  "basis": "policy", "requires": {"fact": "data.volume", "not_equals": i},
                  "on_fail": "deny", "message": {"nl": "m", "en": "m"}} for i in range(1, 601)]
        d = Engine(library_of(version_of(rules)), "durable").decide(provision({"data": {"volume": 77}}))
        print([t.rule for t in d.trace if t.status == "violated"])
    """)
    r = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "['gen.r77']"


@settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck))
@given(version=rulesets(min_rules=40, max_rules=90), ps=st.lists(provisions, min_size=1, max_size=10))
def test_large_random_rule_sets_agree_with_the_oracle(version, ps):
    lib = library_of(version)
    try:
        fast = Engine(lib, "durable").decide_many(ps)
    except Exception as exc:  # only the documented refusal of an over-large rule
        assert "terms on durable_rules" in str(exc)
        return
    slow = Engine(lib, "oracle").decide_many(ps)
    assert [{t.rule: t.status for t in d.trace} for d in fast] == [{t.rule: t.status for t in d.trace} for d in slow]


def test_no_background_thread_and_no_host(durable):
    before = threading.active_count()
    for _ in range(20):
        durable.decide(provision())
    assert threading.active_count() == before
    assert "durable.lang" not in sys.modules and "durable.engine" not in sys.modules


def test_null_is_missing_not_present(durable):
    # JSON null counts as present for durable's $ex; the engine leaves nulls out of the fact.
    d = durable.decide(provision({"data": {"origin": "foreign_service"}}))  # originator_consent absent
    reason = next(r for r in d.reasons if r.rule == "praktijk.originator-consent")
    assert reason.status == "missing" and reason.missing_facts == ["data.originator_consent"]


def test_comparison_with_an_absent_fact_is_not_true(durable):
    # durable treats `a < b` as true when b is absent; here b (partnership.*) is absent.
    d = durable.decide(provision({"partnership": None}))
    secrecy = {t.rule: t.status for t in d.trace}["waarborgen-pps.partner-secrecy"]
    assert secrecy == "missing"


def test_booleans_do_not_match_numbers():
    version = version_of([_rule(0, {"fact": "data.volume", "equals": 1}),
                          _rule(1, {"fact": "data.reliability_indicated", "equals": True})])
    for backend in ("durable", "oracle"):
        d = Engine(library_of(version), backend).decide(provision({"data": {"volume": 2}}))
        assert {t.rule: t.status for t in d.trace} == {"gen.r0": "violated", "gen.r1": "satisfied"}


def test_same_provision_id_twice_in_a_batch(durable):
    # facts are keyed by id in durable_rules; every evaluation gets a fresh internal id.
    p = provision()
    a, b = durable.decide_many([p, p])
    assert a.decision == b.decision == "allow" and a.trace == b.trace
