"""Issue 12: the gate reads every string of every part, whatever the property is called; MISP TLP
and distribution count wherever a Tag list or a distribution appears; vocabularies are compared
case- and space-insensitively; phone numbers shaped like IPv4 addresses or dates are found; and
payloads that are ambiguous or malformed (several top-level parts, a key given twice, non-ASCII
digits, nesting past the limit, impossible dates) are errors naming where."""

from __future__ import annotations

import json
import string

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gate_util import bundle, misp_doc, misp_event, raw, run
from wivcheck.engine import Engine, load_library
from wivcheck.engine.gate import PayloadError, read_misp, read_stix
from wivcheck.engine.gate.items import PERSONAL, RESTRICTED
from wivcheck.engine.gate.personal_text import scan
from wivcheck.engine.gate.stix_read import MAX_DEPTH

EMAIL = "jan.jansen@mail.example"
KEYS = st.text(string.ascii_lowercase + "_", min_size=1, max_size=12)


@pytest.fixture(scope="module")
def engine():
    return Engine(load_library())


def nest(keys: list[str], value, as_list: list[bool]):
    node = value
    for k, wrap in zip(reversed(keys), reversed(as_list)):
        node = {k: [node] if wrap else node}
    return node


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(keys=st.lists(KEYS, min_size=1, max_size=5), wraps=st.lists(st.booleans(), min_size=5, max_size=5))
def test_a_stix_string_is_read_whatever_its_property_is_called(keys, wraps):
    inner = nest(keys, f"reach {EMAIL}", wraps)
    obj = raw("attack-pattern", name="T1", x_acme=inner)
    item = read_stix(bundle(obj)).items[0]
    assert item.personal, keys


@pytest.mark.parametrize("props", [
    {"external_references": [{"source_name": f"tip from {EMAIL}", "external_id": "X-1"}]},
    {"external_references": [{"source_name": "acme", "external_id": "+31 6 12 34 56 78"}]},
    {"kill_chain_phases": [{"kill_chain_name": "acme", "phase_name": f"handed over by {EMAIL}"}]},
    {"x_acme_profile": {"context": f"boss {EMAIL}", "version": "1"}},
    {"x_acme_ticket_ref": f"mail {EMAIL}"},
    {"extensions": {"extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d":
                    {"extension_type": "property-extension", "tlp_2_0": "amber", "x_note": EMAIL}}},
])
def test_named_and_structural_properties_are_read_too(props):
    obj = raw("attack-pattern", name="T1", **props)
    assert read_stix(bundle(obj)).items[0].personal


def test_threat_actor_roles_and_motivations_are_read():
    obj = raw("threat-actor", name="Grey Fox", roles=[f"agent {EMAIL}"], personal_motivations=["+31 6 12345678"])
    item = read_stix(bundle(obj)).items[0]
    assert {f.prop for f in item.of_kind(PERSONAL)} >= {"roles[0]", "personal_motivations[0]"}


@pytest.mark.parametrize("level", ["Individual", " individual", "INDIVIDUAL ", "individual\t"])
def test_resource_level_individual_in_any_case_or_spacing(level):
    obj = raw("threat-actor", name="Grey Fox", resource_level=level)
    item = read_stix(bundle(obj)).items[0]
    assert "resource_level" in {f.prop for f in item.of_kind(PERSONAL)}


@pytest.mark.parametrize("kind", ["Insider-Disgruntled", " insider-accidental", "INSIDER_DISGRUNTLED"])
def test_insider_types_in_any_case_or_spacing(kind):
    obj = raw("threat-actor", name="Grey Fox", threat_actor_types=[kind])
    assert "threat_actor_types" in {f.prop for f in read_stix(bundle(obj)).items[0].findings}


@pytest.mark.parametrize("text", ["bel +31 6 12.34.56.78", "mobiel 0612-34-56-78", "+31 6 1234-56-78",
                                  "tel. 0031 6 12.34.56.78", "06.12.34.56.78 (privé)"])
def test_phone_numbers_shaped_like_addresses_or_dates_are_found(text):
    assert any(f.kind == PERSONAL for f in scan(text)), text


@pytest.mark.parametrize("text", ["beacon to 10.12.34.56 on 2024-01-02", "seen 12.34.56.78",
                                  "build 2024-12-06T10:11:12Z from 192.168.100.200", "on 06-12-2024"])
def test_addresses_and_dates_alone_are_no_phone_numbers(text):
    assert not scan(text), text


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(keys=st.lists(KEYS.map(str.capitalize), min_size=1, max_size=4), wraps=st.lists(st.booleans(), min_size=4, max_size=4),
       where=st.sampled_from(["event", "attribute", "cluster"]))
def test_a_misp_string_is_read_wherever_it_hangs(keys, wraps, where):
    doc = misp_doc(misp_event())
    ev = doc["Event"]
    ev["Galaxy"] = [{"type": "tool", "name": "Tool", "GalaxyCluster": [
        {"uuid": "5a5a5a5a-0000-4000-8000-0000000000e1", "value": "Cobalt", "description": "a tool"}]}]
    target = {"event": ev, "attribute": ev["Attribute"][0], "cluster": ev["Galaxy"][0]["GalaxyCluster"][0]}[where]
    target.update(nest(keys, f"source {EMAIL}", wraps))
    try:
        items = read_misp(doc).items
    except PayloadError as exc:
        # a key MISP itself defines (Note, Sighting, ...) holding text instead of its objects: the
        # reader refuses the event, naming where; an error is never an allow
        assert keys[0] in str(exc), (where, keys, str(exc))
        return
    assert any(it.personal for it in items), (where, keys)


@pytest.mark.parametrize("part", [
    {"Sighting": [{"source": EMAIL, "type": "0"}]},
    {"Attribute": [{"type": "domain", "value": "a.example", "Sighting": [{"Organisation": {"name": "x", "contact": EMAIL}}]}]},
    {"RelatedEvent": [{"Event": {"info": "other", "Orgc": {"name": "acme", "contacts": EMAIL}}}]},
    {"CryptographicKey": [{"type": "pgp", "key_data": f"-----BEGIN PGP----- {EMAIL}"}]},
    {"Galaxy": [{"type": "tool", "GalaxyCluster": [{"value": "X", "authors": [EMAIL], "meta": {"refs": [EMAIL]}}]}]},
    {"Galaxy": [{"type": "tool", "GalaxyCluster": [{"value": "X", "Note": [{"note": "+31 6 12.34.56.78"}]}]}]},
])
def test_every_misp_part_is_read(part):
    doc = misp_doc(misp_event())
    for k, v in part.items():
        doc["Event"].setdefault(k, []).extend(v) if isinstance(v, list) else doc["Event"].update({k: v})
    assert any(it.personal for it in read_misp(doc).items), part


@pytest.mark.parametrize("cluster", [
    {"Tag": [{"name": "TLP:RED"}]},
    {"Tag": [{"name": " tlp:Red "}]},
    {"distribution": "0"},
    {"distribution": 4, "sharing_group_id": "7"},
    {"sharing_group_id": "9"},
    {"GalaxyClusterRelation": [{"referenced_galaxy_cluster_uuid": "5a5a5a5a-0000-4000-8000-0000000000e9",
                                "distribution": "0"}]},
    {"GalaxyClusterRelation": [{"distribution": "3", "Tag": [{"name": "tlp:red"}]}]},
])
def test_galaxy_clusters_keep_their_own_tlp_and_distribution(engine, cluster):
    doc = misp_doc(misp_event())
    doc["Event"]["Galaxy"] = [{"type": "tool", "name": "Tool", "GalaxyCluster": [
        dict({"uuid": "5a5a5a5a-0000-4000-8000-0000000000e1", "value": "Cobalt"}, **cluster)]}]
    item = next(it for it in read_misp(doc).items if it.key == "5a5a5a5a-0000-4000-8000-0000000000e1")
    assert item.tlp == "RED" or item.of_kind(RESTRICTED)
    assert run(engine, doc).decision.decision != "allow"


@pytest.mark.parametrize("doc", [
    lambda d: {"Event": d["Event"], "response": [d]},
    lambda d: {"Event": d["Event"], "Attribute": [{"type": "email-src", "value": EMAIL}]},
    lambda d: {"response": [{"Event": d["Event"], "Attribute": []}]},
])
def test_several_top_level_parts_are_an_error_naming_them(doc):
    with pytest.raises(PayloadError) as exc:
        read_misp(doc(misp_doc(misp_event())))
    assert "more than one" in str(exc.value) and "'Event'" in str(exc.value)


@pytest.mark.parametrize("fmt", ["stix", "misp"])
def test_a_key_given_twice_is_an_error_naming_it(fmt):
    if fmt == "stix":
        text = json.dumps(bundle(raw("attack-pattern", name="T1")))
        text = text.replace('"name": "T1"', '"name": "T1", "name": "other"')
        reader = read_stix
    else:
        text = json.dumps(misp_doc(misp_event())).replace('"info": "campaign"', '"info": "campaign", "info": "x"')
        reader = read_misp
    with pytest.raises(PayloadError) as exc:
        reader(text)
    assert "'name'" in str(exc.value) or "'info'" in str(exc.value)


@pytest.mark.parametrize("value", ["²", "٣", "1²", " ", "0x1"])
def test_non_ascii_or_odd_distributions_are_errors_naming_the_property(value):
    doc = misp_doc(misp_event())
    doc["Event"]["Attribute"][0]["distribution"] = value
    with pytest.raises(PayloadError) as exc:
        read_misp(json.dumps(doc))
    text = str(exc.value) + str(exc.value.where if hasattr(exc.value, "where") else "")
    assert "distribution" in text and "invalid literal" not in text


@pytest.mark.parametrize("fmt", ["stix", "misp"])
def test_nesting_past_the_limit_is_an_error_not_a_recursion_error(fmt):
    n = MAX_DEPTH + 930                      # about 990 deep: past Python's own recursion limit
    deep = '{"x_d": ' * n + '"x"' + "}" * n
    if fmt == "stix":
        doc, reader = bundle(raw("attack-pattern", name="T1", x_deep="DEEP")), read_stix
    else:
        doc = misp_doc(misp_event())
        doc["Event"]["Attribute"][0]["x_deep"] = "DEEP"
        reader = read_misp
    with pytest.raises(PayloadError) as exc:
        reader(json.dumps(doc).replace('"DEEP"', deep))
    assert f"more than {MAX_DEPTH} deep" in str(exc.value)


@pytest.mark.parametrize("where,prop,value", [
    ("event", "date", "2025-02-30"), ("event", "date", "yesterday"), ("event", "timestamp", "garbage"),
    ("event", "timestamp", "99999999999999"), ("attribute", "first_seen", "2025-02-30T00:00:00Z"),
    ("attribute", "last_seen", "2025-13-01"), ("attribute", "timestamp", "-5"),
])
def test_impossible_misp_times_are_errors_naming_the_property(where, prop, value):
    doc = misp_doc(misp_event())
    node = doc["Event"] if where == "event" else doc["Event"]["Attribute"][0]
    node[prop] = value
    with pytest.raises(PayloadError) as exc:
        read_misp(doc)
    assert prop in str(exc.value) or prop in str(getattr(exc.value, "where", ""))


@pytest.mark.parametrize("pointer", [
    ("Note", {"uuid": "5a5a5a5a-0000-4000-8000-0000000000f1", "note": "checked", "object_type": "Attribute"}, "object_uuid"),
    ("Opinion", {"uuid": "5a5a5a5a-0000-4000-8000-0000000000f1", "opinion": 70, "object_type": "Attribute"}, "object_uuid"),
    ("ShadowAttribute", {"uuid": "5a5a5a5a-0000-4000-8000-0000000000f1", "type": "domain", "value": "b.example",
                         "category": "Network activity"}, "old_uuid"),
])
def test_event_level_parts_about_a_removed_attribute_go_with_it(engine, pointer):
    kind, part, prop = pointer
    doc = misp_doc(misp_event())
    target = "5a5a5a5a-0000-4000-8000-0000000000f0"
    doc["Event"]["Attribute"].append({"uuid": target, "type": "email-src", "value": EMAIL,
                                      "category": "Payload delivery"})
    doc["Event"].setdefault(kind, []).append(dict(part, **{prop: target}))
    r = run(engine, doc)
    assert r.may_go_stripped, r.decision
    text = json.dumps(r.stripped)
    assert target not in text and "5a5a5a5a-0000-4000-8000-0000000000f1" not in text
    assert "c2.evil.example" in text


def test_analyst_data_inside_a_galaxy_cluster_is_read_with_its_authors(engine):
    doc = misp_doc(misp_event())
    doc["Event"]["Galaxy"] = [{"type": "tool", "name": "Tool", "GalaxyCluster": [
        {"uuid": "5a5a5a5a-0000-4000-8000-0000000000e1", "value": "Cobalt", "Note": [
            {"uuid": "5a5a5a5a-0000-4000-8000-0000000000e2", "note": "x", "authors": "Jan de Vries"}]}]}]
    got = {it.key: it for it in read_misp(doc).items}
    note = got["5a5a5a5a-0000-4000-8000-0000000000e2"]
    assert note.personal and note.parent == "5a5a5a5a-0000-4000-8000-0000000000e1"
    r = run(engine, doc)
    assert r.decision.decision == "deny"
    if r.may_go_stripped:
        assert "Jan de Vries" not in json.dumps(r.stripped)
