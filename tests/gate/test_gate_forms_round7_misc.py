"""Seventh round, the rest (docs/gate.md, "Seventh round: names in other orders and scripts, phone
numbers, addresses"): an unknown MISP attribute type named for persons (`place-birth`) is possible
personal data as well as unknown; false positives the attack found are gone: vendors' codenames
(`Winter Vivern`, `Vice Society` …), a mail's Message-ID (in prose after its header word, in a
`message_id` property, as MISP `email-message-id`) and an `email` object's subject."""

from __future__ import annotations

import uuid

import pytest

from gate_util import bundle, indicator, misp_doc, misp_event, raw, run
from test_gate_forms_round4 import assert_allowed
from wivcheck.engine import Engine, load_library
from wivcheck.engine.gate.person_names import may_name_a_person
from wivcheck.engine.gate.personal_text import scan


@pytest.fixture(scope="module")
def engine():
    return Engine(load_library())


def test_an_unknown_misp_type_named_for_persons_is_personal_data_too(engine):
    doc = misp_doc(misp_event("tlp:amber"))
    doc["Event"]["Attribute"].append({"uuid": str(uuid.uuid4()), "type": "place-birth", "category": "Other",
                                      "value": "Utrecht"})
    r = run(engine, doc)
    assert r.decision.decision != "allow"
    findings = [f for o in r.objects for f in o.findings]
    assert any("named for persons" in f for f in findings) and any("does not know" in f for f in findings)


@pytest.mark.parametrize("name", ["Winter Vivern", "Lotus Blossom", "Tropic Trooper", "Vice Society", "Bouncing Golf",
                                  "Volatile Cedar", "Gaza Cybergang", "Desert Falcons", "Beagle Boys", "Inky Squid"])
def test_vendor_codenames_are_no_persons(engine, name):
    assert not may_name_a_person(name)
    actor = raw("intrusion-set", name=name, aliases=[name.upper()])
    assert_allowed(engine, bundle(indicator(), actor))


@pytest.mark.parametrize("text", ["Message-ID: <20250201.abc123@mail.evil.example> was in the headers",
                                  "In-Reply-To: <CAFx7y8Yq9c2xL0@mail.gmail.com>"])
def test_a_message_id_after_its_header_word_is_no_address(text):
    assert not any("e-mail" in f.what for f in scan(text))


def test_an_address_after_the_header_word_is_still_an_address():
    assert any("e-mail" in f.what for f in scan("Message-ID: <jan.devries@gmail.com>"))
    assert any("e-mail" in f.what for f in scan("<jan.devries@gmail.com>", "message-id"))


def test_a_stix_message_id_is_no_address(engine):
    mail = raw("email-message", is_multipart=False, message_id="<20250201.abc123@mail.evil.example>",
               subject="Factuur")
    r = run(engine, bundle(indicator(), mail))
    assert not any("e-mail address" in f for o in r.objects for f in o.findings)


def test_a_misp_message_id_and_an_email_subject_go(engine):
    doc = misp_doc(misp_event("tlp:amber"))
    ev = doc["Event"]
    ev["Attribute"].append({"uuid": str(uuid.uuid4()), "type": "email-message-id", "category": "Payload delivery",
                            "value": "<20250201.abc123@mail.evil.example>"})
    ev["Object"] = [{"name": "email", "meta-category": "network", "uuid": str(uuid.uuid4()), "Attribute": [
        {"uuid": str(uuid.uuid4()), "type": "email-subject", "object_relation": "subject", "category": "Payload delivery",
         "value": "Factuur"}]}]
    r = run(engine, doc)
    assert not [f for o in r.objects for f in o.findings], [o.findings for o in r.objects]


def test_an_email_object_with_a_sender_is_still_personal(engine):
    doc = misp_doc(misp_event("tlp:amber"))
    doc["Event"]["Object"] = [{"name": "email", "meta-category": "network", "uuid": str(uuid.uuid4()), "Attribute": [
        {"uuid": str(uuid.uuid4()), "type": "email-src", "object_relation": "from", "category": "Payload delivery",
         "value": "jan.devries@gmail.com"},
        {"uuid": str(uuid.uuid4()), "type": "email-subject", "object_relation": "subject",
         "category": "Payload delivery", "value": "Factuur"}]}]
    r = run(engine, doc)
    assert r.decision.decision != "allow" and r.may_go_stripped
    assert "jan.devries@gmail.com" not in str(r.stripped)


# -- the eighth attack's slow inputs and false positives ------------------------------------------------

def test_a_very_long_property_name_is_read_in_linear_time(engine):
    import json as _json
    import time
    obj = raw("malware", name="loader", is_family=True)
    obj["x_" + "a" * 400_000] = "value"
    t0 = time.perf_counter()
    r = run(engine, _json.dumps(bundle(indicator(), obj)), fmt="stix")
    assert time.perf_counter() - t0 < 20 and r.decision.decision in ("allow", "deny", "escalate")


@pytest.mark.parametrize("text", ["0612345678 " * 20_000, "10 " * 60_000])
def test_a_text_of_endless_digit_runs_is_not_read_to_the_end_and_escalates(text):
    said = [f.what for f in scan(text)]
    assert any("not checked to the end" in w for w in said), said


@pytest.mark.parametrize("text", ["(Citation: Cybereason Conti Jan 2021)",
                                  "It targeted Taiwan, the Philippines, and Hong Kong.",
                                  "Adversaries may read C:\\Users\\(username)\\.ssh\\ for keys."])
def test_citations_places_and_placeholders_are_no_persons(engine, text):
    obj = raw("attack-pattern", name="Private Keys", description=text)
    assert_allowed(engine, bundle(indicator(), obj))
