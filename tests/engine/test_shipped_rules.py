"""Every shipped rule, seen violated and satisfied, on both evaluators, with its reason explained."""

from __future__ import annotations

import pytest

from conftest import provision

DRAFT = "beleidsregels-pps@concept-2026-01"

# Personal data that pass every personal-data rule of wiv2017.
PD = {"data": {"personal_data": True, "personal_data_oldest": "2021-06-01",
               "personal_data_verifiable": True, "categories": ["domain_names", "email_addresses"]},
      "recipient": {"can_take_measures": False}}
PD_MEASURES = {"data": PD["data"], "recipient": {"can_take_measures": True},
               "handling": {"form": "written"}}
SPECIAL = {"data": {**PD["data"], "special_categories": True, "special_categories_supplementary": True},
           "recipient": {"can_take_measures": False}}
FOREIGN = {"recipient": {"kind": "foreign_service", "country": "DE"}}

# rule -> (patch that violates it, patch under which it is satisfied)
CASES: dict[str, tuple[dict, dict]] = {
    "wiv2017.recipient-basis": (FOREIGN, {}),
    "wiv2017.recipient-concerned": ({"recipient": {"concern": "none"}}, {}),
    "wiv2017.foreign-private-party": ({"recipient": {"country": "BE"}}, {}),
    "wiv2017.statutory-task": ({"purpose": {"task": "10.2.c"}}, {"service": "MIVD", "purpose": {"task": "10.2.d"}}),
    "wiv2017.necessity-substantiated": ({"purpose": {"necessity": "n.v.t."}}, {}),
    "wiv2017.proportionality-substantiated": ({"purpose": {"proportionality": "proportioneel"}}, {}),
    "wiv2017.reliability-indicated": ({"data": {"reliability_indicated": False}}, {}),
    "wiv2017.special-categories-because-of": (
        {**SPECIAL, "data": {**SPECIAL["data"], "special_categories_supplementary": False}}, SPECIAL),
    "wiv2017.special-categories-supplementary": (SPECIAL, PD),
    "wiv2017.minister-decides": ({"data": {"classification": "stg_zeer_geheim"}}, {}),
    "wiv2017.personal-data-written": ({**PD_MEASURES, "handling": {"form": "oral", "urgent": False}}, PD_MEASURES),
    "wiv2017.personal-data-head-of-service": (PD_MEASURES, PD),
    "wiv2017.personal-data-age-accuracy": ({"data": {**PD["data"], "personal_data_oldest": "2014-03-13"},
                                            "recipient": PD["recipient"]}, PD),
    "wiv2017.onward-provision-foreign": ({**FOREIGN, "data": {"onward_provision_barred": False}}, FOREIGN),
    "wiv2017.onward-provision-private": ({"data": {"onward_provision_barred": False}}, {}),
    "waarborgen-pps.partner-weighed": ({"partnership": {"valid_until": "2025-03-14"}}, {}),
    "waarborgen-pps.residual-risk": ({"partnership": {"residual_risk": "open"}}, {}),
    "waarborgen-pps.data-type-weighed": ({"data": {"categories": ["domain_names", "urls"]}}, {}),
    "waarborgen-pps.partner-secrecy": ({"partnership": {"secrecy_until": "2025-03-14"}}, {}),
    "waarborgen-pps.digital-resilience": ({"purpose": {"aim": "other"}}, {}),
    "waarborgen-pps.originator-consent": (
        {"data": {"origin": "foreign_service", "originator_consent": False}},
        {"data": {"origin": "foreign_service", "originator_consent": True}}),
    "beleidsregels-pps.partner-reweighed": ({"partnership": {"assessed_on": "2023-03-13"}}, {}),
    "beleidsregels-pps.onward-provision-mandatory": ({"data": {"onward_provision_barred": False}}, {}),
    "beleidsregels-pps.originator-consent-any-context": (
        {"context": "ad_hoc", "data": {"origin": "foreign_service", "originator_consent": False}},
        {"context": "ad_hoc", "data": {"origin": "foreign_service", "originator_consent": True}}),
    "beleidsregels-pps.tlp-red-private": ({"data": {"tlp": "RED"}}, {}),
    "beleidsregels-pps.personal-data-structural": (PD, {"context": "ad_hoc", **PD}),
    "beleidsregels-pps.bulk-volume": ({"data": {"volume": 10001}}, {"data": {"volume": 10000}}),
}


def test_every_shipped_rule_has_a_case(library):
    shipped = {f"{v.name}.{r.id}" for v in library.all() for r in v.model.rules}
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
    spec = next(r for v in library.all() for r in v.model.rules if f"{v.name}.{r.id}" == rule)
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
    assert {r.id for r in d.rulesets} == {"wiv2017", "waarborgen-pps", "beleidsregels-pps"}


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
