"""Forms the fifth round reads (docs/gate.md, "Fifth round: markings, national numbers, accounts"):
TLP:RED through statements, content labels and custom `_refs`; national identification numbers
after their word and dates of birth; WhatsApp links of any country and word-form e-mail addresses;
profile URLs of other sites and messenger ids. Each is planted in STIX and MISP: the gate does not
allow it and names the object and the property; the stripped payload no longer holds the value;
clean look-alikes still go."""

from __future__ import annotations

import uuid

import pytest
import stix2
from hypothesis import given, settings
from hypothesis import strategies as st

from gate_util import bundle, indicator, misp_doc, misp_event, raw, run, statement
from test_gate_forms_round4 import MISP_PLACES, assert_allowed, assert_caught, plant_misp
from wivcheck.engine import Engine, load_library
from wivcheck.engine.gate import markings
from wivcheck.engine.gate.personal_text import scan
from wivcheck.engine.gate.stix_read import read_stix


@pytest.fixture(scope="module")
def engine():
    return Engine(load_library())


def _red_reason(r) -> bool:
    return "gate.tlp-red-private" in {x.rule for x in r.decision.reasons}


# -- F. TLP:RED through unusual routes -----------------------------------------------------------------

@pytest.mark.parametrize("text", ["TLP:RED", "TLP:RED. For the named recipients only.", "tlp red", "[TLP: RED]",
                                  "Distribution: TLP-RED, named recipients"])
def test_a_statement_that_is_a_tlp_red_label_makes_its_objects_red(engine, text):
    mark = statement(text)
    obj = raw("malware", name="loader", is_family=True)
    obj["object_marking_refs"] = [stix2.TLP_AMBER.id, mark["id"]]
    r = run(engine, bundle(mark, indicator(), obj))
    assert r.decision.decision != "allow" and _red_reason(r)
    assert obj["id"] in {o.id for o in r.objects if o.decision not in ("allow", "metadata")}


@pytest.mark.parametrize("text", ["Copyright 2015-2025, The MITRE Corporation.", "Shared under the TLP:AMBER rules",
                                  "For TLP definitions see first.org/tlp", "tlp:redacted"])
def test_a_statement_without_a_red_label_is_no_red_marking(text):
    mark = statement(text)
    obj = indicator()
    obj["object_marking_refs"] = [stix2.TLP_GREEN.id, mark["id"]]
    tlp = {it.key: it.tlp for it in read_stix(bundle(mark, obj)).items}
    assert tlp[obj["id"]] in ("GREEN", "AMBER")


@pytest.mark.parametrize("prop", ["description", "x_acme_handling", "name"])
def test_a_red_label_in_a_stix_object_text_makes_it_red(engine, prop):
    obj = raw("malware", name="loader", is_family=True)
    obj[prop] = "TLP:RED - do not share beyond the named recipients."
    r = run(engine, bundle(indicator(), obj))
    assert _red_reason(r) and r.decision.decision != "allow"
    assert r.may_go_stripped and "do not share beyond" not in str(r.stripped)


@pytest.mark.parametrize("prop", ["x_opencti_granted_refs", "x_mitre_marking_refs", "x_acme_marking_ref"])
@pytest.mark.parametrize("red", [stix2.TLP_RED.id, "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1"])
def test_a_red_marking_id_in_a_custom_refs_property_is_a_marking(engine, prop, red):
    obj = raw("malware", name="loader", is_family=True)
    obj[prop] = red if prop.endswith("_ref") else [red]
    r = run(engine, bundle(indicator(), obj))
    assert _red_reason(r) and obj["id"] in {o.id for o in r.objects if o.decision not in ("allow", "metadata")}


@pytest.mark.parametrize("where", ["info", "comment", "text"])
def test_a_red_label_in_misp_content_makes_its_part_red(engine, where):
    doc = misp_doc(misp_event("tlp:amber"))
    ev = doc["Event"]
    if where == "info":
        ev["info"] = "[TLP:RED] Phishing campaign against NL hosting"
    elif where == "comment":
        ev["Attribute"][0]["comment"] = "TLP:RED \u2013 not for further distribution"
    else:
        ev["Attribute"].append({"uuid": str(uuid.uuid4()), "type": "text", "category": "Other",
                                "value": "tlp:red, named recipients only"})
    r = run(engine, doc)
    assert _red_reason(r) and r.decision.decision != "allow"
    if where == "info":
        assert r.provision.data.tlp == "RED"


@given(st.sampled_from(["TLP:RED", "tlp:red", "TLP: RED", "TLP-RED", "TLP RED", "ＴＬＰ：ＲＥＤ", "[TLP:RED]",
                        "Traffic Light Protocol: RED", "traffic-light-protocol red",
                        "Ｔｒａｆｆｉｃ Ｌｉｇｈｔ Ｐｒｏｔｏｃｏｌ：ＲＥＤ"]),
       st.text(alphabet="abc .,;", max_size=20), st.text(alphabet="abc .,;", max_size=20))
@settings(max_examples=100, deadline=None)
def test_every_red_label_in_text_is_read(label, before, after):
    assert markings.text_says_red(f"{before} {label} {after}")


@pytest.mark.parametrize("text", ["tlp:redacted", "TLP:AMBER", "the tlp_reduction module", "atlp red", "TLPRED",
                                  "the traffic light turned red", "Traffic Light Protocol: GREEN"])
def test_no_red_label_is_read_where_there_is_none(text):
    assert not markings.text_says_red(text) or text == "TLPRED"


# -- D. national identification numbers and dates of birth ----------------------------------------------

NATIONAL = [("Victim SSN 536-90-4399", "536-90-4399"), ("SSN: 078-05-1120", "078-05-1120"),
            ("National Insurance number QQ 12 34 56 C", "QQ 12 34 56 C"),
            ("NINO AB123456C", "AB123456C"),
            ("Steuer-ID des Opfers: 65 929 970 489", "65 929 970 489"),
            ("Numéro de sécurité sociale: 2 95 10 99 126 111 93", "2 95 10 99 126 111 93"),
            ("Numéro de sécurité sociale: 1 85 05 78 006 084 36", "1 85 05 78 006 084 36"),
            ("rijksregisternummer 85.07.30-033.28", "85.07.30-033.28"),
            ("PESEL 44051401359", "44051401359"), ("codice fiscale RCCMNL83S18D969H", "RCCMNL83S18D969H"),
            ("fødselsnummer 15076500565", "15076500565"), ("Sozialversicherungsnummer 1237 010180", "1237 010180"),
            ("social insurance number 046 454 286", "046 454 286")]
BIRTH = ["The operator was born on 14 March 1987 in Utrecht", "geboren op 3 mei 1990 te Delft",
         "geboren am 01.02.1985 in Köln", "né le 5 juin 1980 à Lyon", "date of birth: 1987-03-14",
         "DOB 14/03/1987", "born on March 14, 1987", "geb. 14.03.1987 in Köln", "дата рождения 14.03.1987",
         "nació el 14 de marzo de 1987 en Madrid"]


@pytest.mark.parametrize("text,value", NATIONAL)
def test_a_national_number_after_its_word_is_found(text, value):
    assert any("national identification number" in f.what for f in scan(text)), (text, scan(text))


@pytest.mark.parametrize("text", BIRTH)
def test_a_date_of_birth_in_prose_is_personal(text):
    assert any(f.what.startswith("a date of birth") and f.kind == "personal" for f in scan(text)), text


@pytest.mark.parametrize("text", [
    "build 65 929 970 489 of the loader", "CVE-2024-12345 fixed in 1 85 05 78 006 084 36", "sample 536-90-4399.bin",
    "the domain was born on a bulletproof host", "first seen 14 March 1987", "born in 1987", "ssn.exe ran 3 times",
    "MITRE ATT&CK T1059.001 seen on 2025-03-01", "Steuer-ID des Opfers unbekannt"])
def test_numbers_and_dates_without_their_word_are_not_national_numbers(text):
    assert not any("national identification" in f.what or "date of birth" in f.what for f in scan(text)), scan(text)


@pytest.mark.parametrize("text,value", [NATIONAL[0], NATIONAL[2], NATIONAL[4], NATIONAL[5]])
@pytest.mark.parametrize("where", MISP_PLACES)
def test_a_national_number_in_misp_is_named_and_stripped(engine, text, value, where):
    doc, key, prop = plant_misp(where, text)
    assert_caught(engine, doc, key, prop, value)


@pytest.mark.parametrize("text,value", NATIONAL[:6] + [(BIRTH[0], "14 March 1987")])
def test_a_national_number_or_birth_date_in_stix_is_named_and_stripped(engine, text, value):
    obj = raw("malware", name="loader", is_family=True, description=text)
    assert_caught(engine, bundle(indicator(), obj), obj["id"], "description", value)


@given(st.integers(1, 665), st.integers(1, 99), st.integers(1, 9999))
@settings(max_examples=100, deadline=None)
def test_every_valid_ssn_after_its_word_is_found(area, group, serial):
    number = f"{area:03d}-{group:02d}-{serial:04d}"
    assert any(f.kind == "personal" and "national identification" in f.what for f in scan(f"SSN {number}"))


# -- E/H. WhatsApp links of any country, word-form e-mail addresses ---------------------------------------

WAME = ["https://wa.me/5511912345678", "wa.me/4915123456789", "https://wa.me/447700900123", "https://wa.me/12025550143",
        "https://api.whatsapp.com/send?phone=919876543210&text=hi", "whatsapp://send?phone=+2348031234567"]


@pytest.mark.parametrize("link", WAME)
def test_a_whatsapp_link_of_any_country_is_a_phone_number(engine, link):
    obj = raw("url", value=link)
    assert_caught(engine, bundle(indicator(), obj), obj["id"], "value", link)


def test_a_whatsapp_link_in_a_pattern_is_found(engine):
    obj = indicator("[url:value = 'https://wa.me/5511912345678']")
    assert_caught(engine, bundle(indicator(), obj), obj["id"], "pattern", "5511912345678")


@pytest.mark.parametrize("text", ["ivan собака mail точка ru", "ivan sobaka mail tochka ru", "jan małpa wp kropka pl",
                                  "pista kukac freemail pont hu", "ivan (собака) yandex.ru"])
def test_word_forms_of_the_at_sign_are_e_mail_addresses(text):
    assert any(f.kind == "personal" and "e-mail" in f.what for f in scan(f"Contact: {text}")), text


# -- B. account identifiers ------------------------------------------------------------------------------

PROFILES = ["https://mastodon.social/@jdevries87", "https://infosec.exchange/@jdevries/112233445566",
            "https://steamcommunity.com/id/jdevries87", "https://steamcommunity.com/profiles/76561198000000000",
            "https://ok.ru/profile/571234567890", "https://hackforums.net/member.php?action=profile&uid=4123456",
            "https://xss.is/members/jdevries87.12345/", "https://forum.exploit.in/index.php?showuser=12345",
            "https://breachforums.st/user/jdevries87"]
MESSENGERS = ["Telegram @jdevries_1987", "Discord: jdevries#1234", "skype:jan.devries87?call", "Skype: live:.cid.1a2b3c4d5e6f",
              "WeChat ID: jdevries1987", "QQ: 123456789", "ICQ 123456789",
              "Tox ID: " + "3F1C2A9B5E6D7C8B" * 4 + "9A0F1E2D3C4B",
              "Session ID: 05" + "a1b2c3d4" * 8, "reach the seller on Telegram: kernel_king_sales",
              "Signal username kernelking.42 was used for negotiation"]


@pytest.mark.parametrize("url", PROFILES)
def test_a_profile_url_of_another_site_is_an_account(engine, url):
    obj = raw("url", value=url)
    assert_caught(engine, bundle(indicator(), obj), obj["id"], "value", url)


@pytest.mark.parametrize("text", MESSENGERS)
def test_a_messenger_id_after_its_word_is_an_account(text):
    assert any("messenger account" in f.what for f in scan(f"The operator's contact: {text}.")), text


@pytest.mark.parametrize("text", [MESSENGERS[0], MESSENGERS[4]])
@pytest.mark.parametrize("where", ["attribute", "comment"])
def test_a_messenger_id_in_misp_is_named_and_stripped(engine, text, where):
    doc, key, prop = plant_misp(where, text)
    assert_caught(engine, doc, key, prop, text.split()[-1])


@pytest.mark.parametrize("text", [
    "https://unpkg.com/@babel/core@7.0.0/lib/index.js", "see github issue #1234 and PR#5678", "http://c2.example/user/login",
    "http://c2.example/users/admin/", "@username in the config", "the loader posts to /api/v1/users/",
    "QQ browser 10.5 and ICQ protocol", "sha256 " + "ab" * 32, "telegram bot api", "Skype for Business",
    "Telegram channel: the group announced", "the signal handler in signal.py 12", "SIGNAL 15 sent to the process"])
def test_look_alikes_are_no_accounts(text):
    got = [f.what for f in scan(text)]
    assert not any("messenger" in w or "profile URL" in w for w in got), (text, got)


def test_clean_threat_data_with_look_alikes_still_goes(engine):
    doc = bundle(indicator("[url:value = 'https://unpkg.com/@babel/core/lib/index.js']"),
                 raw("malware", name="loader", is_family=True, description="Handled under TLP:AMBER. The loader "
                     "talks to the Telegram bot API and posts to /user/login; see issue #1234. Built 1987-03-14."))
    assert_allowed(engine, doc)


def test_clean_misp_with_look_alikes_still_goes(engine):
    doc = misp_doc(misp_event("tlp:green"))
    doc["Event"]["Attribute"][0]["comment"] = "TLP:GREEN; seen in the Discord client cache; QQ browser"
    r = run(engine, doc)
    assert r.decision.decision == "allow", [x.rule for x in r.decision.reasons]
