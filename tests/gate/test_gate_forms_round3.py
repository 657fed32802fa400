"""Forms of TLP markings, person keys, e-mail encodings, embedded base64 content, IBANs, street
addresses and threat-actor aliases the gate reads (docs/gate.md, "Third round of forms")."""

from __future__ import annotations

import base64
import gzip

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gate_util import bundle, envelope, indicator, misp_doc, misp_event, raw, run, zip_of
from wivcheck.engine import Engine, load_library
from wivcheck.engine.gate import addresses, binary, markings, person_keys
from wivcheck.engine.gate.items import PERSONAL, POSSIBLE
from wivcheck.engine.gate.normalise import normalise
from wivcheck.engine.gate.person_names import may_name_a_person
from wivcheck.engine.gate.personal_text import scan


@pytest.fixture(scope="module")
def engine():
    return Engine(load_library())


# -- TLP ----------------------------------------------------------------------------------------------

@pytest.mark.parametrize("name,level", [
    ("tlp : red", "RED"), ("TLP RED", "RED"), ("TLP-RED", "RED"), ("tlp=red", "RED"), ("TLP_AMBER", "AMBER"),
    ("tlp / green", "GREEN"), ("TLP - AMBER+STRICT", "AMBER+STRICT"), ("tlp = white", "CLEAR"),
    ("TLP RED ONLY", "RED"), ("tlp:ex:chr", "RED"), ("tlp:red", "RED"),
])
def test_a_tlp_name_with_any_separator_has_its_level(name, level):
    assert markings.misp_tag_level([{"name": name}]) == level
    assert markings.definition_level({"type": "marking-definition", "name": name,
                                      "definition_type": "statement", "definition": {"statement": "x"}}) == level


@pytest.mark.parametrize("name", ["tlpfoo", "misp:tlp=red", "atlp:red", "topic:red", "TLPX"])
def test_a_name_outside_the_tlp_namespace_is_no_tlp_marking(name):
    assert markings.misp_tag_level([{"name": name}]) is None


def test_misp_tags_given_as_a_list_of_names_are_read_as_tags(engine):
    doc = misp_doc(misp_event("tlp:green"))
    doc["Event"]["Tag"] = ["tlp:red", "osint"]
    r = run(engine, doc, envelope(tlp="AMBER"))
    assert "gate.tlp-red-private" in {x.rule for x in r.decision.reasons}


@pytest.mark.parametrize("extra,level", [
    ({"labels": ["tlp:red"]}, "RED"), ({"labels": ["TLP AMBER", "phishing"]}, "AMBER"),
    ({"x_tlp": "RED"}, "RED"), ({"x_acme_tlp_level": "amber"}, "AMBER"), ({"x_tlp": "unknown"}, "RED"),
])
def test_tlp_labels_and_custom_tlp_properties_mark_the_object(extra, level):
    table = markings.marking_table([])
    got, _ = markings.object_markings(dict({"type": "malware", "id": "malware--1"}, **extra), table)
    assert got == level


@pytest.mark.parametrize("written,level", [("RED", "RED"), ("Amber", "AMBER"), ("green", "GREEN"),
                                           ("purple", "RED")])
def test_a_tlp_definition_of_the_bundle_in_any_case_is_read(engine, written, level):
    md = {"type": "marking-definition", "spec_version": "2.1", "id": "marking-definition--" + "1" * 8 + "-1111-4111-8111-"
          + "1" * 12, "created": "2025-03-01T00:00:00.000Z", "definition_type": "tlp", "definition": {"tlp": written}}
    ind = indicator(marking=md["id"])
    r = run(engine, bundle(md, ind), envelope(tlp=level))
    assert r.provision.data.tlp == level


# -- person keys ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("key", ["x_operator", "x_suspects", "verdachte", "x_naam", "vorname", "nachname", "nom",
                                 "prenom", "x_observer", "x_telegram", "whatsapp", "x_signal", "skype_id",
                                 "x_jabber", "who", "x_created_by_nick", "report_author", "x_admin_c", "tech-c",
                                 "nic-hdl", "x_leaked_credentials", "creds", "x_operator_name", "poster"])
def test_keys_naming_persons_are_personal(key):
    assert person_keys.about_persons(key)[0] == PERSONAL


@pytest.mark.parametrize("key", ["x_signal_strength", "signal_type", "operator_count", "created_by_ref",
                                 "user_agent", "email_subject", "x_who_is_lookup_url", "operator_type"])
def test_keys_about_something_else_are_not(key):
    assert person_keys.about_persons(key) is None


@pytest.mark.parametrize("node", [{"u": "marieke1985", "p": "Zomer2024!"}, {"user": "x", "pass": "y"},
                                  {"Login": "a@b", "Password": "z"}])
def test_a_login_with_its_password_is_a_leaked_credential(node):
    assert person_keys.credential_pair(node)


@pytest.mark.parametrize("node", [{"u": "x"}, {"p": "x", "q": "y"}, {"user": "", "pass": "y"}])
def test_no_credential_without_both_parts(node):
    assert not person_keys.credential_pair(node)


@pytest.mark.parametrize("value", [{"jan.devries@ziggo.nl": 4}, {"+31 6 12345678": "seen"},
                                   {"nested": {"piet@kpnmail.nl": True}}])
def test_a_key_that_is_a_value_is_scanned_as_text(engine, value):
    obj = raw("malware", name="x", is_family=True, x_hits=value)
    r = run(engine, bundle(obj))
    assert r.decision.decision != "allow"


@pytest.mark.parametrize("value", [[{"u": "marieke1985", "p": "Zomer2024!"}], {"acct": {"user": "j", "pwd": "k"}}])
def test_leaked_credentials_in_any_custom_property_do_not_pass(engine, value):
    r = run(engine, bundle(raw("malware", name="x", is_family=True, x_dump=value)))
    assert r.decision.decision != "allow"


# -- e-mail encodings ----------------------------------------------------------------------------------

@pytest.mark.parametrize("text", [
    "mailto:jan%40gmail%2Ecom", "piet%2540example.org", "piet%252540example.org", "From: an.de.vries=40kpn.nl",
    "an.de.vries=40kpn=2Enl", "x\\u0040y.nl is jan", "jan\\x40example.nl", "jan\\100example.nl",
    "jan&commat;example&period;nl", "jan.devries@gm\nail.com", "jan.devries@gmail.\ncom",
    "jan apenstaartje gmail punt com", "jan Klammeraffe web punkt de", "to jan.devries#gmail.com today",
    "jan\u2800@\u2800gmail.com",
])
def test_encoded_e_mail_addresses_are_read(text):
    assert any(f.kind == PERSONAL and "e-mail" in f.what for f in scan(text)), normalise(text)


@pytest.mark.parametrize("text", ["https://x.example/a#b.com", "page.html#intro.com/", "limit=40&offset=2",
                                  "the value 100%"])
def test_look_alikes_are_no_addresses(text):
    assert not any("e-mail" in f.what for f in scan(text))


@given(st.text(max_size=300))
@settings(max_examples=200, deadline=None)
def test_normalise_never_fails(text):
    normalise(text)


# -- embedded base64 content -------------------------------------------------------------------------

_zip = zip_of


PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 40
DOCX = _zip({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w:document/>"})
EXE = b"MZ" + b"\x00" * 100


@pytest.mark.parametrize("data,kind", [
    (gzip.compress(PDF), binary.DOCUMENT), (_zip({"sample.bin": PDF}), binary.DOCUMENT),
    (_zip({"payload.exe": DOCX}), binary.DOCUMENT), (_zip({"inner.zip": _zip({"a.bin": PNG})}), binary.DOCUMENT),
    (_zip({"a.exe": EXE}), binary.ARCHIVE), (gzip.compress(EXE), binary.ARCHIVE),
])
def test_archives_are_judged_by_the_bytes_inside(data, kind):
    assert binary.kind_of(data)[0] == kind


def test_nested_archives_are_opened_to_a_bounded_depth():
    data = PDF
    for _ in range(binary.MAX_DEPTH + 2):
        data = _zip({"x.bin": data})
    assert binary.kind_of(data)[0] == binary.ARCHIVE


@pytest.mark.parametrize("content", [PDF, PNG, DOCX, gzip.compress(PDF), b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 60,
                                     b"GIF89a" + b"\0" * 40, b"\xff\xd8\xff\xe0" + b"\0" * 40])
@pytest.mark.parametrize("wrap", ["plain", "data-uri", "in-sentence"])
def test_base64_documents_in_text_are_found(content, wrap):
    b = base64.b64encode(content).decode()
    text = {"plain": b, "data-uri": f"data:application/octet-stream;base64,{b}",
            "in-sentence": f"see attached {b} for details"}[wrap]
    assert any(f.kind == POSSIBLE and "base64 content" in f.what for f in scan(text))


@pytest.mark.parametrize("text", [base64.b64encode(EXE).decode(), "JVBERi0 is how a PDF starts in base64",
                                  "data:text/plain;base64,aGVsbG8gd29ybGQ=", "UEsDBxyz not base64 at all!!"])
def test_samples_and_look_alikes_in_text_are_no_documents(text):
    assert not any("base64 content" in f.what for f in scan(text))


def test_a_data_uri_declaring_an_image_is_content():
    assert any("base64 content" in f.what for f in scan("logo: data:image/png;base64,AAAAAAAAAAAAAAAAAAAAAAAA"))


# -- IBANs ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("text", ["NL91_ABNA_0417_1643_00", "ES91/2100/0418/4502/0005/1332",
                                  "NL91 ABNA\n0417 1643 00", "NL91ABNA0417164300ABNANL2A", "nl 91 abna 0417 1643 00",
                                  "BE68 5390 0754 7034", "DE89-3704-0044-0532-0130-00COBADEFFXXX"])
def test_ibans_with_other_separators_or_a_bic_glued_on_are_found(text):
    assert any("IBAN" in f.what for f in scan(f"pay to {text} now"))


@pytest.mark.parametrize("text", ["at 12 3456 7890 1234 5678 hits", "NL91ABNA0417164301", "me 12 345678901234"])
def test_iban_look_alikes_are_not(text):
    assert not any("IBAN" in f.what for f in scan(text))


# -- street addresses ----------------------------------------------------------------------------------

@pytest.mark.parametrize("text", [
    "Kerkstr 12, Haarlem", "Hauptstr 5, 80331 München", "Dorpsstraat nr. 7", "damrak 1, 1012 lg amsterdam",
    "postbus 123, 3500 ab utrecht", "Postfach 1234", "PO Box 77", "Unter den Linden 77, 10117 Berlin",
    "221b baker street, london", "350 5th Avenue, New York, NY 10118", "Flat 2, 14 high st, SW1A 2AA",
    "3 place de la Concorde, 75008 Paris", "18 route de Ferney, Genève", "Rue de la Loi 16, 1000 Bruxelles",
    "15 cours Mirabeau, Aix-en-Provence", "grote markt 1, groningen", "Avenue Louise 54",
])
def test_street_addresses_in_more_forms_are_found(text):
    assert addresses.found(text) is not None


@pytest.mark.parametrize("text", [
    "5 ways to drive, then", "Windows Server 2019, 10 users", "port 443, 80331 connections", "sent 2 cours de formation",
    "Avenue for attack 12", "3 times per road,", "version 2024 EU release", "SHA256 of 14 files, 2 new",
])
def test_address_look_alikes_are_not(text):
    assert addresses.found(text) is None


# -- threat-actor aliases -----------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["Evgeniy “Slavik” Bogachev", "Mr. Maksim Yakubets", "Mak\u200dsim Yak\u200dubets",
                                  "Ivan Petrov (34)", "dhr. Jan de Vries", "Dr. Anna 'Annie' Schmidt", "Ivan Petrov, 34",
                                  "Sergey Ivanov (aged 41)", "Ig\u00adnat Po\u200bpov"])
def test_aliases_with_titles_nicknames_ages_or_invisible_characters_name_persons(name):
    assert may_name_a_person(name)


@pytest.mark.parametrize("name", ["Mr. Robot", "Dr. Web", "Fancy Bear", "APT28 (2014)", "\"Sandworm\" Team"])
def test_codenames_around_those_forms_are_not_persons(name):
    assert not may_name_a_person(name)
