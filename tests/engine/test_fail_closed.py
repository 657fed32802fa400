"""Fail closed: faults give no decision (an error), never an allow."""

from __future__ import annotations

import datetime as dt

import pytest

import wivcheck.engine.durable_core as core
from conftest import provision
from wivcheck.engine import Engine, EngineError, load_library
from wivcheck.engine.compile import MAX_TERMS
from wivcheck.policy import PolicyError, SelectionError
from strategies import library_of, version_of


def test_no_rule_set_in_force_is_an_error(durable):
    with pytest.raises(SelectionError, match="no rule set is in force on 2018-04-30"):
        durable.decide(provision({"date": "2018-04-30"}))


def test_as_of_before_any_rule_set_is_an_error(durable):
    with pytest.raises(SelectionError):
        durable.decide(provision(), as_of=dt.date(2010, 1, 1))


def test_broken_rule_file_stops_loading(rules_copy):
    f = rules_copy / "wiv2017" / "2018-05-01.yaml"
    f.write_text(f.read_text().replace("fact: data.reliability_indicated", "fact: data.reliable"))
    with pytest.raises(PolicyError) as exc:
        load_library(rules_copy)
    assert "2018-05-01.yaml" in str(exc.value) and "wiv2017.reliability-indicated" in str(exc.value)


@pytest.mark.parametrize("fn", ["assert_fact", "start_action_for_state", "complete_and_start_action"])
def test_engine_fault_in_the_c_core_is_an_error(library, monkeypatch, fn):
    eng = Engine(library, "durable")
    eng.decide(provision())  # compiled and working

    def boom(*args):
        raise core._core.error("Could not assert fact, error code: 101")
    monkeypatch.setattr(core._core, fn, boom)
    with pytest.raises(EngineError, match="out of memory"):
        eng.decide(provision())


def test_fact_not_retracted_makes_the_ruleset_refuse_work(library, monkeypatch):
    eng = Engine(library, "durable")
    monkeypatch.setattr(core._core, "retract_fact", lambda *a: (_ for _ in ()).throw(core._core.error("x")))
    with pytest.raises(EngineError):
        eng.decide(provision())
    monkeypatch.undo()
    with pytest.raises(EngineError, match="unusable"):
        eng.decide(provision())


@pytest.mark.parametrize("tamper", ["drop", "contradict"])
@pytest.mark.parametrize("batch", [False, True])
def test_inconsistent_trace_is_an_error(library, monkeypatch, tamper, batch):
    """One provision goes through `fire_one`, a batch through `fire`: both are checked."""
    eng = Engine(library, "durable")
    real, real_one = core.DurableRuleset.fire, core.DurableRuleset.fire_one

    def spoil(names):
        if tamper == "drop":
            first = names[0].split("_")[0] + "_"
            names[:] = [n for n in names if not n.startswith(first)]
        else:
            idx = names[0].split("_")[0]
            names.append(f"{idx}_s_0" if "_s_" not in names[0] else f"{idx}_v_0")

    def fire(self, facts, *args):
        out = real(self, facts, *args)
        for names in out.values():
            spoil(names)
        return out

    def fire_one(self, *args):
        names = real_one(self, *args)
        spoil(names)
        return names
    monkeypatch.setattr(core.DurableRuleset, "fire", fire)
    monkeypatch.setattr(core.DurableRuleset, "fire_one", fire_one)
    with pytest.raises(EngineError, match="inconsistent trace"):
        eng.decide_many([provision(), provision({"id": "PRV-2"})] if batch else [provision()])


def test_a_rule_fired_for_another_fact_is_an_error(library, monkeypatch):
    eng = Engine(library, "durable")
    eng.decide(provision())
    monkeypatch.setattr(core._core, "start_action_for_state",
                        lambda handle, state: (state, '{"r0_s_0":{"m":{"id":"f-other","_f":1}}}'))
    with pytest.raises(EngineError, match="r0_s_0 for fact 'f-other', which was not asserted"):
        eng.decide(provision())


def test_rule_too_large_for_durable_is_refused_naming_it():
    leaf = lambda i: {"any": [{"fact": "data.volume", "gt": i}, {"fact": "service", "equals": "AIVD"},  # noqa: E731
                              {"fact": "recipient.country", "equals": "NL"}]}
    rule = {"id": "huge", "title": {"nl": "t", "en": "t"}, "cites": [{"source": "x", "article": "1"}],
            "basis": "policy", "requires": {"all": [leaf(i) for i in range(8)]}, "on_fail": "deny",
            "message": {"nl": "m", "en": "m"}}
    with pytest.raises(EngineError, match=f"gen.huge: its conditions expand to more than {MAX_TERMS}"):
        Engine(library_of(version_of([rule])), "durable").decide(provision())


def test_absent_fact_alone_does_not_hang():
    # durable_rules hangs on a rule whose only test is $nex; every compiled term is anchored.
    rule = {"id": "absent", "title": {"nl": "t", "en": "t"}, "cites": [{"source": "x", "article": "1"}],
            "basis": "policy", "requires": {"fact": "handling", "exists": False}, "on_fail": "deny",
            "message": {"nl": "m", "en": "m"}}
    eng = Engine(library_of(version_of([rule])), "durable")
    assert eng.decide(provision()).decision == "allow"
    assert eng.decide(provision({"handling": {"form": "oral"}})).decision == "deny"


def test_unknown_approval_is_reported_and_closes_nothing(durable):
    d = durable.decide(provision({"partnership": {"residual_risk": "open"}, "approvals": [
        {"role": "minister", "rule": "waarborgen-pps.residual-risc", "reference": "A-1", "date": "2025-03-01"},
        {"role": "teamleider", "rule": "waarborgen-pps.residual-risk", "reference": "A-2", "date": "2025-03-01"},
        {"role": "minister", "rule": "waarborgen-pps.residual-risk", "reference": "A-3", "date": "2025-03-15"},
        {"role": "minister", "rule": "praktijk.top-secret-minister", "reference": "A-4", "date": "2025-03-01"},
    ]}))
    assert d.decision == "escalate"
    text = "\n".join(d.warnings)
    assert "A-1" in text and "no such rule" in text
    assert "A-2" in text and "needs diensthoofd or higher" in text
    assert "A-3" in text and "after the provision date" in text
    assert "A-4" in text and "nothing to approve" in text


def test_approval_cannot_set_aside_a_deny(durable):
    d = durable.decide(provision({"data": {"origin": "foreign_service", "originator_consent": False},
                                  "approvals": [{"role": "minister", "rule": "praktijk.originator-consent",
                                                 "reference": "M-1", "date": "2025-03-01"}]}))
    assert d.decision == "deny"
    assert any("deny rule" in w for w in d.warnings)


def test_higher_role_approves_a_lower_escalation(durable):
    d = durable.decide(provision({"data": {"onward_provision_barred": False}, "approvals": [
        {"role": "minister", "rule": "praktijk.onward-provision-private", "reference": "M-2", "date": "2025-03-14"}]}))
    assert d.decision == "allow"
    assert d.approved[0].rule == "praktijk.onward-provision-private"
    assert d.approved[0].approved_by.reference == "M-2"
