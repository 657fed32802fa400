"""Names and phone numbers in the forms the seventh attack found allowed (docs/gate.md, "Seventh
round: names in other orders and scripts, phone numbers"): names in capitals, the surname first,
Vietnamese names, after Slavic titles, romanised Chinese and Korean names, Devanagari and Georgian
names, lower-case joined names (`victim:jan-de-vries`), a reversed name in a file name (`Vries, Jan
de - paspoort.pdf`), a file name with spaces (`CV Jan de Vries 2025.docx`), a MISP sighting's
`source`; phone numbers in the WHOIS form `+44.7911123456`, with Persian digits, and ones one country
reads as a service number and another as a line. Each planted in STIX and MISP is not allowed, named,
and gone from the stripped payload; clean look-alikes go."""

from __future__ import annotations

import uuid

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gate_util import bundle, indicator, misp_doc, misp_event, raw, run
from test_gate_forms_round4 import assert_allowed, assert_caught, plant_misp, plant_stix
from wivcheck.engine import Engine, load_library
from wivcheck.engine.gate import name_gazetteer, name_orders
from wivcheck.engine.gate.personal_text import scan
from wivcheck.engine.gate.prose_names import find


@pytest.fixture(scope="module")
def engine():
    return Engine(load_library())


PROSE = [("The operator IVAN PETROV registered the domain.", "IVAN PETROV"),
         ("Registrant: DUPONT Jean, Lyon.", "DUPONT Jean"),
         ("Contact person Nagy László of Budapest paid.", "Nagy László"),
         ("Operator Nguyễn Văn An rented the server.", "Nguyễn Văn An"),
         ("Сервер арендован гражданином Петровым.", "Петровым"),
         ("г-н Петров оплатил хостинг.", "Петров"),
         ("Umowę podpisał pan Kowalski z Gdańska.", "Kowalski"),
         ("According to the indictment Zhu Hua ran the servers.", "Zhu Hua"),
         ("Park Jin Hyok wrote the loader.", "Park Jin Hyok")]
ANYWHERE = ["राहुल शर्मा", "გიორგი ბერიძე", "victim:jan-de-vries", "pieter_jansen", "Vries, Jan de - paspoort.pdf",
            "CV Jan de Vries 2025.docx"]
PHONES = ["Registrant Phone: +44.7911123456", "Operator phone: ۰۹۱۲ ۳۴۵ ۶۷۸۹", "Operator phone: 0912 345 6789",
          "whois +49.15123456789"]


@pytest.mark.parametrize("text,name", PROSE)
def test_names_in_more_orders_are_found_in_running_text(text, name):
    assert find(text), text


@pytest.mark.parametrize("text,name", PROSE)
@pytest.mark.parametrize("where", ["description", "custom"])
def test_names_in_more_orders_are_caught_in_stix(engine, text, name, where):
    doc, key, prop = plant_stix(where, text)
    assert_caught(engine, doc, key, prop, name)


@pytest.mark.parametrize("text,name", PROSE[:4])
@pytest.mark.parametrize("where", ["comment", "object"])
def test_names_in_more_orders_are_caught_in_misp(engine, text, name, where):
    doc, key, prop = plant_misp(where, text)
    assert_caught(engine, doc, key, prop, name)


@pytest.mark.parametrize("text", ANYWHERE)
def test_names_read_in_any_text(text):
    assert any("name" in f.what for f in scan(text)), text


@pytest.mark.parametrize("text", ANYWHERE)
@pytest.mark.parametrize("where", ["pattern", "observed"])
def test_names_read_in_any_text_are_caught(engine, text, where):
    doc, key, prop = plant_stix(where, text)
    assert_caught(engine, doc, key, prop, text)


def test_a_label_naming_a_victim_is_caught(engine):
    obj = raw("malware", name="loader", is_family=True, labels=["victim:jan-de-vries", "ransomware"])
    assert_caught(engine, bundle(indicator(), obj), obj["id"], "labels[0]", "jan-de-vries")


def test_a_misp_sighting_source_naming_a_reporter_is_caught(engine):
    doc = misp_doc(misp_event("tlp:amber"))
    attr = doc["Event"]["Attribute"][0]
    attr["Sighting"] = [{"uuid": str(uuid.uuid4()), "source": "Reported by Pieter Jansen", "type": "0"}]
    r = run(engine, doc)
    assert r.decision.decision != "allow"
    assert any("source" in f for o in r.objects for f in o.findings)


@pytest.mark.parametrize("text", PHONES)
def test_phone_numbers_in_more_forms_are_found(text):
    assert any("phone" in f.what for f in scan(text)), text


@pytest.mark.parametrize("text", PHONES[:2])
@pytest.mark.parametrize("where", ["description", "custom"])
def test_phone_numbers_in_more_forms_are_caught(engine, text, where):
    doc, key, prop = plant_stix(where, text)
    assert_caught(engine, doc, key, prop, text.split(": ")[-1])


CLEAN = ["The SECURITY UPDATE for COBALT STRIKE BEACON", "Pan American airlines", "Fancy Bear and Cozy Bear",
         "Volt Typhoon used Salt Typhoon tools", "Palo Alto Networks and Cisco Talos", "Mustang Panda",
         "Microsoft Edge and Google Chrome", "APT GROUP ALERT", "भारत में साइबर हमला", "mark-as-read", "john-the-ripper",
         "spear-phishing-attachment", "command-and-control", "Invoice March 2025.pdf", "Cobalt Strike beacon.exe",
         "version 1.2.3.4567 build +1.2345678", "WANNA CRY RANSOMWARE"]


@pytest.mark.parametrize("text", CLEAN)
def test_clean_look_alikes_go(engine, text):
    obj = raw("malware", name="loader", is_family=True, description=f"Seen on 2025-03-01: {text}.",
              x_acme_note=text)
    assert_allowed(engine, bundle(indicator(), obj))


@given(st.sampled_from(sorted(w for w in name_gazetteer.given_names() if w.isascii() and w.isalpha() and len(w) > 2
                              and w not in name_gazetteer.common_words())),
       st.sampled_from(sorted(w for w in name_gazetteer.surnames() if w.isascii() and w.isalpha() and len(w) > 3
                              and w not in name_gazetteer.common_words())))
@settings(max_examples=150, deadline=None)
def test_any_known_name_in_capitals_is_read(given_name, surname):
    if given_name == surname or name_orders._plain_word(given_name, frozenset()) \
            or name_orders._plain_word(surname, frozenset()):
        return
    assert find(f"The server was paid by {given_name.upper()} {surname.upper()} last year."), (given_name, surname)


@pytest.mark.parametrize("text", ["The indictment names Zhu Hua and Zhang Shilong as members of APT10.",
                                  "Park Jin-hyok wrote the loader."])
def test_romanised_names_of_one_or_two_syllables_are_read(text):
    assert find(text), text


def test_a_number_with_its_country_code_but_no_plus_after_a_phone_word_is_read():
    assert any("mobile" in f.what for f in scan("actor mobile 4915123456789"))
    assert not scan("build 4915123456789")


# -- the eighth attack's forms ----------------------------------------------------------------------------

@pytest.mark.parametrize("text", ["CV-JAN-DE-VRIES.pdf", "PETROV_IVAN_passport.jpg", "jan.de.vries.cv.pdf",
                                  "Смирнов_Дмитрий_резюме.docx", "+31‑6‑12345678", "06–12345678",
                                  "viber://chat?number=%2B31612345678"])
def test_eighth_attack_forms_in_any_text(text):
    assert scan(text), text


@pytest.mark.parametrize("text", ["The operator Ivan PETROV paid.", "Author: Müller, Hans-Peter"])
def test_eighth_attack_forms_in_running_text(text):
    assert find(text), text


@pytest.mark.parametrize("text", ["Cobalt_Strike_Beacon.exe", "Spear-Phishing-Attachment.doc", "John_The_Ripper.zip",
                                  "Paris, France", "Madison, Wisconsin", "range 2019–2024", "KILL-CHAIN"])
def test_eighth_attack_look_alikes_go(engine, text):
    obj = raw("malware", name="loader", is_family=True, description=f"Seen: {text}.", x_acme_file=text)
    assert_allowed(engine, bundle(indicator(), obj))
