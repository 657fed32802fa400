"""Reading every part of a MISP event: attributes in objects, proposals at every level, event
reports, analyst notes and opinions, tags at every level, galaxy clusters, the creator's address,
deleted attributes, distribution and sharing groups, responses with several events, parts without a
uuid; and errors that name the path without Python's own text."""

from __future__ import annotations

import json

import pytest
from pymisp import MISPEventReport, MISPObject, MISPShadowAttribute

from gate_util import blocked, misp_doc, misp_event, run
from wivcheck.engine import Engine, load_library
from wivcheck.engine.gate import PayloadError, read_misp
from wivcheck.engine.gate.items import PERSONAL, POSSIBLE, RESTRICTED


@pytest.fixture(scope="module")
def engine():
    return Engine(load_library())


def items(doc):
    return {it.key: it for it in read_misp(doc).items}


def test_attributes_inside_objects_are_read(engine):
    event = misp_event()
    obj = MISPObject("person", standalone=False)
    a = obj.add_attribute("first-name", value="Kees")
    event.add_object(obj)
    r = run(engine, misp_doc(event))
    assert str(a.uuid) in blocked(r) and r.decision.decision == "deny"
    assert r.remove is not None and str(obj.uuid) in r.remove or str(a.uuid) in r.remove


def test_a_person_template_or_relation_makes_text_attributes_personal():
    event = misp_event()
    ua = MISPObject("user-account", standalone=False)
    login = ua.add_attribute("username", value="jdoe", type="text")
    event.add_object(ua)
    other = MISPObject("x-acme-record", standalone=False)
    phone = other.add_attribute("phone", value="ok", type="text")
    event.add_object(other)
    got = items(misp_doc(event))
    assert got[str(login.uuid)].personal and got[str(phone.uuid)].personal


@pytest.mark.parametrize("level", ["event", "attribute", "object-attribute"])
def test_proposals_at_every_level_carry_data(engine, level):
    event = misp_event()
    doc = misp_doc(event)
    proposal = {"type": "email-src", "category": "Payload delivery", "value": "x@corp.example",
                "uuid": "5a5a5a5a-0000-4000-8000-0000000000aa"}
    ev = doc["Event"]
    if level == "event":
        ev["ShadowAttribute"] = [proposal]
    elif level == "attribute":
        ev["Attribute"][0]["ShadowAttribute"] = [proposal]
    else:
        ev["Object"] = [{"name": "domain-ip", "uuid": "5a5a5a5a-0000-4000-8000-0000000000ab",
                         "Attribute": [{"type": "domain", "value": "b.evil.example", "object_relation": "domain",
                                        "ShadowAttribute": [proposal]}]}]
    r = run(engine, doc)
    assert blocked(r) == {proposal["uuid"]: "deny"}
    assert r.remove == [proposal["uuid"]] and r.may_go_stripped
    assert "x@corp.example" not in json.dumps(r.stripped)


def test_tags_at_every_level_give_the_strictest_tlp(engine):
    event = misp_event("tlp:green")
    obj = MISPObject("file", standalone=False)
    h = obj.add_attribute("sha256", value="b" * 64)
    event.add_object(obj)
    a = event.add_attribute("url", "http://evil.example/x")
    a.add_tag("tlp:amber+strict")
    doc = misp_doc(event)
    doc["Event"]["Object"][0]["Tag"] = [{"name": "TLP:RED"}]
    got = items(doc)
    assert got[str(h.uuid)].tlp == "RED" and got[str(a.uuid)].tlp == "AMBER+STRICT"
    r = run(engine, doc)
    assert r.decision.decision == "escalate" and str(h.uuid) in blocked(r)
    assert set(r.remove) == {str(obj.uuid), str(h.uuid)}


def test_event_reports_analyst_data_and_galaxies_are_read(engine):
    event = misp_event()
    report = MISPEventReport()
    report.from_dict(name="Report", content="Victim contact: +31 6 1234 5678")
    event.add_event_report(**report.to_dict())
    doc = misp_doc(event)
    ev = doc["Event"]
    ev["Note"] = [{"uuid": "5a5a5a5a-0000-4000-8000-0000000000c1", "note": "checked",
                   "authors": "analyst@cert.example", "object_type": "Event"}]
    ev["Attribute"][0]["Opinion"] = [{"uuid": "5a5a5a5a-0000-4000-8000-0000000000c2", "opinion": 80,
                                      "comment": "likely", "authors": "Jan Jansen"}]
    ev["Galaxy"] = [{"type": "threat-actor", "name": "Threat Actor", "GalaxyCluster": [
        {"uuid": "5a5a5a5a-0000-4000-8000-0000000000c3", "value": "Ivan Petrov", "tag_name":
         'misp-galaxy:threat-actor="Ivan Petrov"', "description": "an actor", "meta": {"synonyms": ["IP-1"]}}]}]
    ev["Tag"].append({"name": 'misp-galaxy:threat-actor="Ivan Petrov"'})
    got = items(doc)
    rep = next(it for it in got.values() if it.type == "event-report")
    assert rep.personal and "content" in {f.prop for f in rep.of_kind(PERSONAL)}
    assert got["5a5a5a5a-0000-4000-8000-0000000000c1"].personal
    assert got["5a5a5a5a-0000-4000-8000-0000000000c2"].personal
    assert got["5a5a5a5a-0000-4000-8000-0000000000c3"].of_kind(POSSIBLE)
    r = run(engine, doc)
    assert r.decision.decision == "deny"
    if r.may_go_stripped:
        text = json.dumps(r.stripped)
        assert "Ivan Petrov" not in text and "analyst@cert.example" not in text


def test_the_creator_address_is_personal_data_and_can_be_stripped(engine):
    doc = misp_doc(misp_event())
    doc["Event"]["event_creator_email"] = "analyst@service.example"
    r = run(engine, doc)
    key = f"{doc['Event']['uuid']}/event_creator_email"
    assert blocked(r) == {key: "deny"}
    assert r.may_go_stripped and "event_creator_email" not in r.stripped["Event"]


def test_deleted_attributes_count_like_any_other(engine):
    doc = misp_doc(misp_event())
    doc["Event"]["Attribute"].append({"uuid": "5a5a5a5a-0000-4000-8000-0000000000d1", "type": "email-src",
                                      "value": "gone@corp.example", "deleted": True})
    r = run(engine, doc)
    assert blocked(r) == {"5a5a5a5a-0000-4000-8000-0000000000d1": "deny"}
    assert next(o for o in r.objects if o.id == "5a5a5a5a-0000-4000-8000-0000000000d1").type == "email-src (deleted)"


@pytest.mark.parametrize("where,level", [("attribute", "0"), ("attribute", 4), ("object", "0"), ("event", 0),
                                         ("event", "4")])
def test_distribution_0_or_a_sharing_group_forbids_passing_on(engine, where, level):
    doc = misp_doc(misp_event())
    ev = doc["Event"]
    ev["Object"] = [{"name": "domain-ip", "uuid": "5a5a5a5a-0000-4000-8000-0000000000e1", "distribution": "5",
                     "Attribute": [{"type": "ip-dst", "value": "198.51.100.1", "distribution": "5",
                                    "uuid": "5a5a5a5a-0000-4000-8000-0000000000e2"}]}]
    target = {"attribute": ev["Attribute"][0], "object": ev["Object"][0], "event": ev}[where]
    target["distribution"] = level
    r = run(engine, doc)
    assert r.decision.decision == "deny"
    assert any(x.rule == "gate.distribution-restricted" for x in r.decision.reasons)
    if where == "event":
        assert r.remove is None
    else:
        assert r.may_go_stripped


def test_distribution_must_be_a_level():
    doc = misp_doc(misp_event())
    doc["Event"]["Attribute"][0]["distribution"] = "7"
    with pytest.raises(PayloadError) as exc:
        read_misp(doc)
    assert exc.value.where == "Event.Attribute[0].distribution" and "0 to 5" in exc.value.message


def test_a_response_with_several_events_is_gated_whole_and_per_event(engine):
    one, two = misp_doc(misp_event()), misp_doc(misp_event())
    two["Event"]["Attribute"].append({"type": "target-email", "value": "victim@corp.example", "category": "Targeting data"})
    r = run(engine, {"response": [one, two]})
    assert r.decision.decision == "deny"
    assert [e["decision"] for e in r.events] == ["allow", "deny"]
    assert r.payload.ids == [one["Event"]["uuid"], two["Event"]["uuid"]]
    r = run(engine, [one, one])                                     # a list of events too
    assert r.decision.decision == "allow" and len(r.events) == 2


def test_parts_without_uuid_are_keyed_by_their_path(engine):
    doc = {"Event": {"info": "x", "Tag": [{"name": "tlp:amber"}], "Attribute": [
        {"type": "domain", "value": "c2.evil.example"}, {"type": "full-name", "value": "Anna de Boer"}]}}
    r = run(engine, doc)
    assert blocked(r) == {"Event.Attribute[1]": "deny"}
    assert r.remove == ["Event.Attribute[1]"] and len(r.stripped["Event"]["Attribute"]) == 1


def test_an_object_whose_attributes_all_go_goes_and_references_to_it_are_dropped(engine):
    event = misp_event()
    keep = MISPObject("domain-ip", standalone=False)
    keep.add_attribute("domain", value="b.evil.example")
    person = MISPObject("person", standalone=False)
    person.add_attribute("full-name", value="Anna de Boer")
    event.add_object(keep)
    event.add_object(person)
    keep.add_reference(person.uuid, "related-to")
    r = run(engine, misp_doc(event))
    assert str(person.uuid) in r.remove
    edited = [d for d in r.dependents if d["action"] == "edited"]
    assert edited and edited[0]["id"] == str(keep.uuid)
    assert r.may_go_stripped and str(person.uuid) not in json.dumps(r.stripped)


@pytest.mark.parametrize("doc,where", [
    ({"Event": {"info": "x", "Attribute": {"type": "domain"}}}, "Event"),
    ({"Event": {"info": "x", "Attribute": [{"value": "a"}]}}, "Event.Attribute[0].type"),
    ({"Event": {"info": "x", "Attribute": [{"type": "domain", "value": None}]}}, "Event.Attribute[0].value"),
    ({"Event": {"info": "x", "Object": [{"Attribute": []}]}}, "Event.Object[0].name"),
    ({"Event": {"info": "x", "Attribute": [{"type": "domain", "value": "a", "Tag": [{"colour": "red"}]}]}},
     "Event.Attribute[0].Tag[0]"),
    ({"Event": {"info": "x", "distribution": 5, "Attribute": []}}, "Event.distribution"),
    ({"Event": {"info": "x", "Attribute": [{"type": "malware-sample", "value": "a|b", "data": "%%%"}],
                "Object": [{"name": "x", "Attribute": 3}]}}, "Event.Attribute[0].data"),
    ({"Event": {"info": "x", "Attribute": [{"type": "malware-sample", "value": "a|b", "data": "UEsDBA="}]}},
     "Event.Attribute[0].data"),
    ({"Event": {"info": "x", "Object": [{"name": "x", "Attribute": 3}]}}, "Event.Object[0]"),
])
def test_errors_name_the_path_and_no_python_text(doc, where):
    with pytest.raises(PayloadError) as exc:
        read_misp(doc)
    assert exc.value.where == where
    for internal in ("KeyError", "TypeError", "padding", "'NoneType'", "object has no attribute"):
        assert internal not in str(exc.value)


def test_an_unknown_attribute_type_escalates_naming_it(engine):
    doc = misp_doc(misp_event())
    doc["Event"]["Attribute"].append({"type": "x-acme-secret", "value": "q", "uuid": "5a5a5a5a-0000-4000-8000-0000000000f1"})
    r = run(engine, doc)
    assert r.decision.decision == "escalate"
    assert "x-acme-secret" in next(x for x in r.decision.reasons if x.rule == "gate.unknown-object-type").message.en


def test_restricted_is_a_finding_of_its_own():
    doc = misp_doc(misp_event())
    doc["Event"]["Attribute"][0]["distribution"] = 0
    it = items(doc)[doc["Event"]["Attribute"][0]["uuid"]]
    assert it.of_kind(RESTRICTED)[0].prop == "distribution"


def test_shadow_attribute_built_with_pymisp(engine):
    event = misp_event()
    sa = MISPShadowAttribute()
    sa.from_dict(type="passport-number", value="NX1234567", category="Person")
    event.attributes[0].shadow_attributes.append(sa)
    doc = misp_doc(event)
    assert any(it.type.startswith("passport-number (proposal)") for it in read_misp(doc).items)
    assert run(engine, doc).decision.decision == "deny"
