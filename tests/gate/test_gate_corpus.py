"""A corpus of the size of MITRE ATT&CK (about 2,000 objects, from tests/attack_corpus.py) decides
correctly: the copyright statement on every object does not turn them unknown, the custom object types
and the persons in `x_mitre_contributors` (personal data: the property names persons) or an alias
(may be a person) are named, and nothing else."""

from __future__ import annotations

import pytest

from attack_corpus import attack_bundle
from gate_util import envelope, run
from wivcheck.engine import Engine, load_library
from wivcheck.engine.gate import read_stix
from wivcheck.engine.gate.items import PERSONAL, POSSIBLE, UNKNOWN

PUBLIC = dict(tlp="CLEAR", origin="open_source")


@pytest.fixture(scope="module")
def engine():
    return Engine(load_library())


def attack_envelope() -> dict:
    env = envelope(**PUBLIC)
    env["partnership"] = dict(env["partnership"], permitted_categories=["ttp_description", "malware_analysis"])
    return env


def test_an_attack_sized_bundle_is_allowed_and_the_statement_is_no_unknown(engine):
    b = attack_bundle(2000)
    assert 1900 <= len(b["objects"]) <= 2000
    payload = read_stix(b)
    assert not [f for it in payload.items for f in it.findings], "a clean corpus has no findings"
    r = run(engine, b, attack_envelope())
    assert r.decision.decision == "allow", [x.rule for x in r.decision.reasons]
    assert r.provision.data.categories == ["malware_analysis", "ttp_description"]
    assert r.provision.data.tlp == "CLEAR" and r.remove == []


def test_the_persons_and_custom_types_in_an_attack_bundle_are_named(engine):
    b = attack_bundle(2000, custom_types=True, contributors=5, person_alias_at=3)
    payload = read_stix(b)
    personal = {it.key: [f.prop for f in it.of_kind(PERSONAL)] for it in payload.items if it.of_kind(PERSONAL)}
    possible = {it.key: [f.prop for f in it.of_kind(POSSIBLE)] for it in payload.items if it.of_kind(POSSIBLE)}
    unknown = {it.key for it in payload.items if it.of_kind(UNKNOWN)}
    assert len(personal) == 5 and all(props == ["x_mitre_contributors"] for props in personal.values())
    assert len(possible) == 1 and list(possible.values())[0][0].startswith("aliases[")
    assert unknown == {o["id"] for o in b["objects"] if o["type"] == "x-mitre-tactic"}
    r = run(engine, b, attack_envelope())
    assert r.decision.decision == "deny"             # personal data the envelope does not provide for
    rules = {x.rule for x in r.decision.reasons}
    assert {"gate.possible-personal-data", "gate.unknown-object-type"} <= rules
    assert all(rule.startswith("gate.") or "personal-data" in rule or rule == "waarborgen-pps.data-type-weighed"
               for rule in rules), rules
    assert r.may_go_stripped and set(r.remove) >= set(personal) | set(possible) | unknown
