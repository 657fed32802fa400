"""The gate's STIX check (OASIS's JSON schemas, compiled by jsonschema-rs) against stix2's object
model: what stix2 builds passes, and every object missing a property stix2 calls required, or
carrying a malformed identifier, timestamp or reference, is refused with the property named."""

from __future__ import annotations

import json

import pytest
import stix2

from wivcheck.engine.gate import stix_schema

MARK = [stix2.TLP_AMBER]
T = "2025-01-01T00:00:00Z"
IND = stix2.Indicator(pattern="[domain-name:value = 'a.evil.example']", pattern_type="stix", valid_from=T,
                      object_marking_refs=MARK)
MAL = stix2.Malware(name="x", is_family=False, object_marking_refs=MARK)
IP = stix2.IPv4Address(value="198.51.100.7", object_marking_refs=MARK)
BUILT = [
    IND, MAL, IP,
    stix2.MalwareAnalysis(product="sandbox", result="malicious", object_marking_refs=MARK),
    stix2.Vulnerability(name="CVE-2025-0001"),
    stix2.AttackPattern(name="spearphishing"),
    stix2.Identity(name="A. Person", identity_class="individual"),
    stix2.Infrastructure(name="c2"), stix2.Tool(name="t"),
    stix2.ThreatActor(name="ta", threat_actor_types=["crime-syndicate"]),
    stix2.Campaign(name="c"), stix2.IntrusionSet(name="i"), stix2.CourseOfAction(name="block"),
    stix2.Location(country="NL"), stix2.Note(content="n", object_refs=[IND.id]),
    stix2.Opinion(opinion="agree", object_refs=[IND.id]),
    stix2.Report(name="r", published=T, object_refs=[IND.id]),
    stix2.Grouping(context="suspicious-activity", object_refs=[IND.id]),
    stix2.Relationship(IND, "indicates", MAL), stix2.Sighting(sighting_of_ref=IND.id),
    stix2.ObservedData(first_observed=T, last_observed=T, number_observed=1, object_refs=[IP.id]),
    stix2.DomainName(value="evil.example"), stix2.IPv6Address(value="2001:db8::1"),
    stix2.URL(value="http://evil.example/x"), stix2.File(hashes={"SHA-256": "a" * 64}),
    stix2.EmailAddress(value="someone@example.org"), stix2.UserAccount(user_id="1001"),
    stix2.TLP_RED,
]


def as_json(obj) -> dict:
    return json.loads(obj.serialize())


def required(obj) -> list[str]:
    props = type(obj)._properties
    return [name for name, prop in props.items() if prop.required and name in obj]


@pytest.mark.parametrize("obj", BUILT, ids=lambda o: o["type"])
def test_what_stix2_builds_is_valid(obj):
    assert stix_schema.problem(as_json(obj)) is None


CASES = [(o, name) for o in BUILT for name in required(o)]


@pytest.mark.parametrize("obj,name", CASES, ids=[f"{o['type']}-{n}" for o, n in CASES])
def test_each_required_property_is_required(obj, name):
    data = as_json(obj)
    del data[name]
    why = stix_schema.problem(data)
    assert why is not None and (name in why or name in ("type", "id")), why


@pytest.mark.parametrize("patch,needle", [
    ({"id": "indicator--not-a-uuid"}, "indicator--<UUID>"),
    ({"id": "malware--6b616fc1-1505-48e3-8b2c-0d19337bff38"}, "indicator--<UUID>"),
    ({"created": "yesterday"}, "created"),
    ({"valid_from": "2025-13-01T00:00:00Z"}, "valid_from"),
    ({"object_marking_refs": ["indicator--6b616fc1-1505-48e3-8b2c-0d19337bff38"]}, "object_marking_refs"),
    ({"pattern": 42}, "pattern"),
])
def test_malformed_values_are_refused_naming_the_property(patch, needle):
    data = {**as_json(IND), **patch}
    with pytest.raises(Exception):  # stix2 refuses these as well
        stix2.parse(data, allow_custom=True)
    why = stix_schema.problem(data)
    assert why is not None and needle in why, why


def test_stricter_than_stix2_where_the_spec_is():
    data = {**as_json(IND), "spec_version": "2.2"}
    stix2.parse(data, allow_custom=True)  # stix2 takes any spec_version on a 2.1 object
    why = stix_schema.problem(data)
    assert why is not None and "spec_version" in why, why


def test_unknown_types_need_only_a_well_formed_id():
    ident = "x-acme-thing--6b616fc1-1505-48e3-8b2c-0d19337bff38"
    assert stix_schema.problem({"type": "x-acme-thing", "id": ident}) is None
    assert "x-acme-thing--<UUID>" in stix_schema.problem({"type": "x-acme-thing", "id": "x-acme-thing--1"})
    assert stix_schema.problem("indicator") == "not a JSON object"


def test_missing_schemas_mean_no_decision(monkeypatch, tmp_path):
    """Without the schemas nothing can be checked: an engine error (HTTP 500), never a decision."""
    from wivcheck.engine import EngineError
    from wivcheck.engine.gate import read_stix as stix_items

    def missing():
        raise stix_schema.SchemaUnavailable(f"the OASIS STIX 2.1 schemas are not in {tmp_path}")
    monkeypatch.setattr(stix_schema, "_schema_dir", missing)
    stix_schema.validators.cache_clear()
    try:
        bundle = stix2.Bundle(IND, allow_custom=True).serialize()
        with pytest.raises(EngineError, match="schemas are not in"):
            stix_items(bundle)
    finally:
        monkeypatch.undo()
        stix_schema.validators.cache_clear()
    assert stix_items(bundle)  # and with them back, the bundle reads
