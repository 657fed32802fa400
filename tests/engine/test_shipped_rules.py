"""Every shipped rule, seen violated and satisfied, on both evaluators, with its reason explained."""

from __future__ import annotations

import pytest

from conftest import provision

DRAFT = "beleidsregels-pps@concept-2026-02"

# Personal data that pass every personal-data rule of wiv2017.
PD = {"data": {"personal_data": True, "personal_data_oldest": "2021-06-01",
               "personal_data_verifiable": True, "categories": ["domain_names", "email_addresses"]},
      "recipient": {"can_take_measures": False},
      "partnership": {"permitted_categories": ["domain_names", "email_addresses"]}}
PD_MEASURES = {**PD, "recipient": {"can_take_measures": True}, "handling": {"form": "written"}}
SPECIAL = {**PD, "data": {**PD["data"], "special_categories": True, "special_categories_supplementary": True}}
AD_HOC = {"context": "ad_hoc", "partnership": None}
FOREIGN = {**AD_HOC, "recipient": {"kind": "foreign_service", "country": "DE", "relationship": "regular"}}
IB = {**AD_HOC, "recipient": {"kind": "international_body", "country": "BE", "relationship": "regular"}}
OM = {**AD_HOC, "recipient": {"kind": "public_prosecutor"}, "handling": {"form": "written"},
      "data": {"lawyer_client": False}}
URGENT = "An attack is under way and the recipient must block these servers within hours to stay up."
BODY = {**AD_HOC, "recipient": {"kind": "designated_public_body"}, "handling": {"form": "written"},
        "purpose": {"urgent_reason": URGENT}}
REQUEST = {**AD_HOC, "purpose": {"task": "8.2.f"}, "request": {"form": "written", "designated": True}}

# rule -> (patch that violates it, patch under which it is satisfied)
CASES: dict[str, tuple[dict, dict]] = {
    "wiv2017.route-minister": ({**AD_HOC, "recipient": {"kind": "minister", "concern": "none"}},
                               {**AD_HOC, "recipient": {"kind": "minister"}}),
    "wiv2017.route-administrative-body": ({**AD_HOC, "recipient": {"kind": "administrative_body", "concern": "none"}},
                                          {**AD_HOC, "recipient": {"kind": "administrative_body"}}),
    "wiv2017.route-private-party": ({"recipient": {"concern": "none"}}, {}),
    "wiv2017.route-foreign-service": ({**FOREIGN, "recipient": {**FOREIGN["recipient"], "relationship": "none"},
                                       "purpose": {"urgent_reason": "Spoed." + "\u200b" * 50}}, FOREIGN),
    "wiv2017.route-international-body": ({**IB, "recipient": {**IB["recipient"], "relationship": "restricted"}}, IB),
    "wiv2017.route-public-prosecutor": ({**OM, "handling": {"form": "oral", "urgent": False}}, OM),
    "wiv2017.route-designated-public-body": ({**BODY, "purpose": {"urgent_reason": "Spoed."}}, BODY),
    "wiv2017.route-request-designated": ({**REQUEST, "request": {"form": "oral", "designated": True}}, REQUEST),
    "wiv2017.urgent-foreign-service-minister": (
        {**FOREIGN, "recipient": {**FOREIGN["recipient"], "relationship": "none"}, "purpose": {"urgent_reason": URGENT}},
        FOREIGN),
    "wiv2017.prosecutor-by-head": (OM, {}),
    "wiv2017.request-by-head": (REQUEST, {}),
    "wiv2017.unevaluated-partner-service": ({**FOREIGN, "data": {"evaluated": False}}, FOREIGN),
    "wiv2017.unevaluated-international-body": ({**IB, "data": {"evaluated": False}}, IB),
    "wiv2017.statutory-task": ({"purpose": {"task": "10.2.c"}}, {"service": "MIVD", "purpose": {"task": "10.2.d"}}),
    "wiv2017.necessity-substantiated": ({"purpose": {"necessity": "n.v.t." + "\u200b" * 60}}, {}),
    "wiv2017.proportionality-substantiated": ({"purpose": {"proportionality": "proportioneel"}}, {}),
    "wiv2017.reliability-indicated": ({"data": {"reliability_indicated": False}}, {}),
    "wiv2017.special-categories-because-of": (
        {**SPECIAL, "data": {**SPECIAL["data"], "special_categories_supplementary": False}}, SPECIAL),
    "wiv2017.special-categories-supplementary": (SPECIAL, PD),
    "wiv2017.automated-selection-measures": (
        {"purpose": {"measures": "against_persons"}, "data": {"automated_selection": True}},
        {"purpose": {"measures": "against_persons"}, "data": {"automated_selection": False}}),
    "wiv2017.minister-nature-publication": ({"purpose": {"measures": "publication"}}, {}),
    "wiv2017.state-secret-private-party": (
        {"data": {"classification": "stg_geheim"}, "recipient": {"cleared_until": "2025-01-01"},
         "partnership": {"secrecy_until": "2025-03-14"}},
        {"data": {"classification": "stg_geheim"}}),
    "wiv2017.source-protection": ({"data": {"origin": "partner"}}, {}),
    "wiv2017.onward-provision-foreign": ({**FOREIGN, "data": {"onward_provision_barred": False}}, FOREIGN),
    "wiv2017.prosecutor-lawyer-client": ({**OM, "data": {"lawyer_client": True},
                                          "handling": {"form": "written", "court_consent": False}},
                                         {**OM, "data": {"lawyer_client": True},
                                          "handling": {"form": "written", "court_consent": True}}),
    "wiv2017.designated-body-written": ({**BODY, "handling": {"form": "oral"}}, BODY),
    "wiv2017.designated-body-interests": ({**BODY, "recipient": {"kind": "designated_public_body",
                                                                 "concern": "none"}}, BODY),
    "wiv2017.personal-data-written": ({**PD_MEASURES, "handling": {"form": "oral", "urgent": False}}, PD_MEASURES),
    "wiv2017.personal-data-head-of-service": (PD_MEASURES, PD),
    "wiv2017.personal-data-age-accuracy": ({**PD, "data": {**PD["data"], "personal_data_oldest": "2015-03-13"}}, PD),
    "wiv2017.personal-data-exception-statement": (
        {**PD, "data": {**PD["data"], "personal_data_verifiable": False, "reliability_indicated": False}},
        {**PD, "data": {**PD["data"], "personal_data_verifiable": False}}),
    "praktijk.originator-consent": (
        {**AD_HOC, "data": {"origin": "foreign_service", "originator_consent": False}},
        {**AD_HOC, "data": {"origin": "foreign_service", "originator_consent": True}}),
    "praktijk.onward-provision-private": ({"data": {"onward_provision_barred": False}},
                                          {"data": {"onward_provision_barred": False, "origin": "open_source"}}),
    "praktijk.foreign-private-party": ({"recipient": {"country": "BE"}}, {}),
    "praktijk.top-secret-minister": ({"data": {"classification": "stg_zeer_geheim"}}, {}),
    "waarborgen-pps.partner-weighed": ({"partnership": {"valid_until": "2025-03-14"}}, {}),
    "waarborgen-pps.residual-risk": ({"partnership": {"residual_risk": "open"}}, {}),
    "waarborgen-pps.data-type-weighed": ({"data": {"categories": ["domain_names", "urls"]}}, {}),
    "waarborgen-pps.partner-secrecy": ({"partnership": {"secrecy_until": "2025-03-14"}}, {}),
    "waarborgen-pps.digital-resilience": ({"purpose": {"aim": "other"}}, {}),
    "waarborgen-pps.allies": ({"recipient": {"country": "AT"}}, {"recipient": {"country": "FI"}}),
    "beleidsregels-pps.partner-reweighed": ({"partnership": {"assessed_on": "2023-03-13"}}, {}),
    "beleidsregels-pps.onward-provision-mandatory": ({"data": {"onward_provision_barred": False}}, {}),
    "beleidsregels-pps.tlp-shareable-private": ({"data": {"tlp": "GREEN"}}, {"data": {"tlp": "RED"}}),
    "beleidsregels-pps.personal-data-structural": (PD, {}),
    "beleidsregels-pps.bulk-volume": ({"data": {"volume": 10001}}, {"data": {"volume": 10000}}),
}


def test_every_shipped_rule_has_a_case(library):
    shipped = {f"{v.name}.{r.id}" for v in library.all() if v.model.status != "withdrawn" for r in v.model.rules}
    assert shipped == set(CASES), "add a violated and a satisfied case for every shipped rule"


def _status(engine, patch, rule):
    d = engine.decide(provision(patch), rulesets=[DRAFT])
    return d, {t.rule: t.status for t in d.trace}[rule]


@pytest.mark.parametrize("rule", sorted(CASES))
@pytest.mark.parametrize("backend", ["durable", "oracle"])
def test_rule_violated_and_satisfied(rule, backend, request, library):
    engine = request.getfixturevalue(backend)
    bad, good = CASES[rule]
    d, status = _status(engine, bad, rule)
    assert status == "violated"
    assert d.decision != "allow"
    reason = next(r for r in d.reasons if r.rule == rule)
    spec = next(r for v in library.all() if v.model.status != "withdrawn"
                for r in v.model.rules if f"{v.name}.{r.id}" == rule)
    assert reason.outcome == spec.on_fail
    assert reason.cites and all(reason.cites)
    assert "{" not in reason.message.nl and "{" not in reason.message.en
    assert reason.fix.nl and reason.fix.en
    assert "(not given)" not in reason.fix.en and "(niet ingevuld)" not in reason.fix.nl
    if spec.on_fail == "escalate":
        assert spec.escalate_to in d.escalate_to or d.decision == "deny"
    _, status = _status(engine, good, rule)
    assert status == "satisfied"


def test_base_provision_allows_on_all_rule_sets(durable):
    d = durable.decide(provision(), rulesets=[DRAFT])
    assert d.decision == "allow", [r.rule for r in d.reasons]
    assert {r.id for r in d.rulesets} == {"wiv2017", "waarborgen-pps", "beleidsregels-pps", "praktijk"}
    assert [g.cite for g in d.grounds] == ["Art. 62(1)(c) Wiv 2017"]


def test_waarborgen_do_not_apply_to_ad_hoc(durable):
    d = durable.decide(provision({"context": "ad_hoc", "partnership": None}))
    assert d.decision == "allow"
    assert {t.status for t in d.trace if t.rule.startswith("waarborgen-pps.")} == {"not_applicable"}


def test_structural_without_partnership_is_denied_naming_the_safeguard(durable):
    d = durable.decide(provision({"partnership": None}))
    assert d.decision == "deny"
    weighed = next(r for r in d.reasons if r.rule == "waarborgen-pps.partner-weighed")
    assert weighed.status == "violated"
    missing = {r.rule: r for r in d.reasons if r.status == "missing"}
    assert "partnership.residual_risk" in missing["waarborgen-pps.residual-risk"].missing_facts


def test_message_fills_in_the_provision_values(durable):
    d = durable.decide(provision({"partnership": {"secrecy_until": "2025-01-01"}}))
    reason = next(r for r in d.reasons if r.rule == "waarborgen-pps.partner-secrecy")
    assert "2025-01-01" in reason.message.en and "2025-03-14" in reason.message.en
    assert reason.facts["partnership.secrecy_until"] == "2025-01-01"


def test_ten_year_boundary_is_exact(durable):
    # 2015-03-14 is exactly ten years before the provision date: still allowed; one day older is not.
    on = {"data": {**PD["data"], "personal_data_oldest": "2015-03-14"}, "recipient": PD["recipient"]}
    d = durable.decide(provision(on))
    assert {t.rule: t.status for t in d.trace}["wiv2017.personal-data-age-accuracy"] == "satisfied"
    before = {"data": {**PD["data"], "personal_data_oldest": "2015-03-13"}, "recipient": PD["recipient"]}
    d = durable.decide(provision(before))
    assert d.decision == "escalate" and "minister" in d.escalate_to
    assert "wiv2017.personal-data-age-accuracy" in {r.rule for r in d.reasons}


def test_missing_fact_is_never_satisfied(durable):
    # can_take_measures unknown: both Art. 68 rules must fail closed, naming the fact.
    d = durable.decide(provision({"data": PD["data"], "recipient": {"can_take_measures": None}}))
    assert d.decision == "deny"
    written = next(r for r in d.reasons if r.rule == "wiv2017.personal-data-written")
    assert written.status == "missing" and "recipient.can_take_measures" in written.missing_facts


# obligation or advice -> (patch under which it is listed, patch under which it is not)
STATEMENTS: dict[str, tuple[dict, dict]] = {
    "wiv2017.attach-onward-condition": ({}, {"data": {"onward_provision_barred": False, "origin": "open_source"}}),
    "wiv2017.confirm-oral-in-writing": ({**OM, "handling": {"form": "oral", "urgent": True}}, OM),
    "wiv2017.inform-ctivd-unevaluated": ({**FOREIGN, "data": {"evaluated": False}}, FOREIGN),
    "wiv2017.state-reliability-age": ({**PD, "data": {**PD["data"], "personal_data_oldest": "2012-01-01"}}, PD),
    "wiv2017.record-personal-data": (PD, {}),
    "wiv2017.inspection-secrecy": (PD, {}),
    "wiv2017.promoting-measures": ({"purpose": {"measures": "against_persons"}}, {}),
    "waarborgen-pps.ctivd-view": ({}, AD_HOC),
    "waarborgen-pps.assess-both-legs": ({}, {"recipient": {"kind": "administrative_body"}}),
}


def test_every_obligation_and_advice_has_a_case(library):
    shipped = {f"{v.name}.{o.id}" for v in library.all() if v.model.status != "withdrawn"
               for o in [*v.model.obligations, *v.model.advice]}
    assert shipped == set(STATEMENTS)


@pytest.mark.parametrize("item", sorted(STATEMENTS))
@pytest.mark.parametrize("backend", ["durable", "oracle"])
def test_obligation_or_advice_listed_and_not(item, backend, request):
    """Listed where its condition holds (on an allowed or escalated provision), not listed where it
    does not, with its citations and the provision's values filled in."""
    engine = request.getfixturevalue(backend)
    listed, not_listed = STATEMENTS[item]
    d = engine.decide(provision(listed))
    entries = {s.id: s for s in [*d.obligations, *d.advice]}
    assert d.decision != "deny" and item in entries, (d.decision, [r.rule for r in d.reasons])
    assert entries[item].cites and "{" not in entries[item].message.en + entries[item].message.nl
    d = engine.decide(provision(not_listed))
    assert item not in {s.id for s in [*d.obligations, *d.advice]}


def test_a_deny_carries_no_obligations(durable):
    d = durable.decide(provision({"data": {"reliability_indicated": False, "personal_data": True,
                                           "categories": ["email_addresses"], "personal_data_oldest": "2021-01-01",
                                           "personal_data_verifiable": True},
                                  "recipient": {"can_take_measures": False}}))
    assert d.decision == "deny" and d.obligations == []
    assert "wiv2017.inspection-secrecy" in {a.id for a in d.advice}   # advice still informs


@pytest.mark.parametrize("backend", ["durable", "oracle"])
@pytest.mark.parametrize("day,oldest,newest,too_old", [
    ("2024-02-29", "2014-02-28", None, True),        # ten years and one day (the handed case)
    ("2024-02-28", "2014-02-28", None, False),       # ten years to the day
    ("2024-02-29", "2014-03-01", None, False),
    ("2026-02-28", "2016-02-29", None, False),       # from 29 February: ten years end on 28 February
    ("2026-03-01", "2016-02-29", None, True),        # ... and "more than" begins on 1 March
    ("2028-02-29", "2018-02-28", None, True),
    ("2028-02-29", "2018-03-01", None, False),
    ("2026-03-01", "2010-01-01", "2016-02-29", True),   # the newest data count (69(1), second limb)
    ("2026-02-28", "2010-01-01", "2016-02-29", False),
])
def test_ten_years_at_the_leap_day(backend, request, day, oldest, newest, too_old):
    engine = request.getfixturevalue(backend)
    data = {**PD["data"], "personal_data_oldest": oldest, "personal_data_newest": newest}
    d = engine.decide(provision({**AD_HOC, "date": day, "recipient": PD["recipient"], "data": data}))
    status = {t.rule: t.status for t in d.trace}["wiv2017.personal-data-age-accuracy"]
    assert status == ("violated" if too_old else "satisfied")
    assert (d.escalate_to == ["minister"]) == too_old


def test_withdrawn_versions_replay_when_named(durable):
    """A decision recorded under the first reading is replayed with exactly those rules."""
    d = durable.decide(provision({**FOREIGN}), rulesets=["wiv2017@2018-05-01", "waarborgen-pps@2025-02-17"])
    assert {(r.id, r.status) for r in d.rulesets} >= {("wiv2017", "withdrawn")}
    assert d.decision == "escalate" and [r.rule for r in d.reasons] == ["wiv2017.recipient-basis"]
    assert d.grounds == []
    now = durable.decide(provision({**FOREIGN}))
    assert now.decision == "allow" and [g.cite for g in now.grounds] == ["Art. 62(1)(d) Wiv 2017"]
