"""Approvals checked against a register (DESIGN.md, "Approvals"), as properties over generated
provisions: a register that holds nothing approves nothing; one that holds exactly what the
provisions write approves what an offline check approves, but verified; and whatever a register
holds, the decision is never less strict than offline and never stricter than with no approvals."""

from __future__ import annotations

import dataclasses
import datetime as dt

from hypothesis import HealthCheck, given, settings, strategies as st

from wivcheck.engine import GrantedApproval, Provision
from wivcheck.engine.tools.strategies import provision_data
from wivcheck.policy import OUTCOME_RANK, ROLES

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


class Register:
    """An approval register over a fixed dict; counts lookups."""

    def __init__(self, found: dict[str, GrantedApproval]):
        self.found, self.calls = found, 0

    def find(self, references):
        self.calls += 1
        return {r: self.found[r] for r in references if r in self.found}


def as_written(p: Provision) -> dict[str, GrantedApproval]:
    return {ap.reference: GrantedApproval(ap.reference, p.id, ap.rule, ap.role, ap.date,
                                          {"token": "hoofd", "role": ap.role}, 7)
            for ap in p.approvals}


def with_approvals(data: dict) -> bool:
    """Approvals, on a day some rule set is in force (the generator also draws days before any)."""
    return bool(data["approvals"]) and data["date"] >= "2018-05-01"


@SETTINGS
@given(provision_data().filter(with_approvals))
def test_an_empty_register_approves_nothing(durable, data):
    p = Provision.model_validate(data)
    bare = Provision.model_validate({**data, "approvals": []})
    d = durable.decide(p, register=Register({}))
    assert d.approved == []
    assert d.decision == durable.decide(bare).decision
    assert [r.rule for r in d.reasons] == [r.rule for r in durable.decide(bare).reasons]


@SETTINGS
@given(provision_data().filter(with_approvals))
def test_a_register_holding_what_is_written_approves_what_offline_approves_verified(durable, data):
    p = Provision.model_validate(data)
    # one approval per reference: the generator reuses one reference, the register holds one record each
    p = p.model_copy(update={"approvals": p.approvals[:1]})
    offline = durable.decide(p)
    checked = durable.decide(p, register=Register(as_written(p)))
    assert checked.decision == offline.decision
    assert [t.rule for t in checked.approved] == [t.rule for t in offline.approved]
    assert all(t.approved_by.verified and t.approved_by.approver == "hoofd" and t.approved_by.sequence == 7
               for t in checked.approved)
    assert all(not t.approved_by.verified and t.approved_by.approver is None for t in offline.approved)


FIELDS = st.sampled_from(["role", "date", "provision_id", "rule", "none"])


@SETTINGS
@given(provision_data().filter(with_approvals), FIELDS, st.sampled_from(ROLES), st.integers(-3, 3))
def test_whatever_the_register_holds_the_decision_lies_between_offline_and_no_approvals(
        durable, data, field, role, days):
    p = Provision.model_validate(data)
    found = as_written(p)
    ref = p.approvals[0].reference
    change = {"role": {"role": role}, "date": {"date": p.approvals[0].date + dt.timedelta(days=days)},
              "provision_id": {"provision_id": p.id + "-other"}, "rule": {"rule": "wiv2017.other-rule"},
              "none": {}}[field]
    found[ref] = dataclasses.replace(found[ref], **change)
    reg = Register(found)
    checked = durable.decide(p, register=reg)
    assert reg.calls == 1          # one lookup per batch, whatever the number of approvals
    offline = durable.decide(p)
    bare = durable.decide(Provision.model_validate({**data, "approvals": []}))
    rank = OUTCOME_RANK.__getitem__
    assert rank(offline.decision) <= rank(checked.decision) <= rank(bare.decision)
    if change:
        assert not any(t.approved_by.reference == ref and t.rule == p.approvals[0].rule
                       and (field != "role" or role != p.approvals[0].role)
                       and (field != "date" or days != 0) for t in checked.approved)
    # every approval that closes nothing says why
    assert len(checked.approved) + len(checked.warnings) == len(p.approvals)
