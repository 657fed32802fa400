"""Addresses in the formats the seventh attack found allowed (docs/gate.md, "Seventh round: names in
other orders and scripts, phone numbers, addresses"): Persian and Arabic streets with a number in any
digits, Indian addresses with a PIN code, Russian addresses in Latin letters, Greek streets. Planted in
STIX and MISP, each is not allowed, named and gone from the stripped payload; look-alikes go."""

from __future__ import annotations

import pytest

from gate_util import bundle, indicator, raw
from test_gate_forms_round4 import assert_allowed, assert_caught, plant_misp, plant_stix
from wivcheck.engine import Engine, load_library
from wivcheck.engine.gate.personal_text import scan


@pytest.fixture(scope="module")
def engine():
    return Engine(load_library())


ADDRESSES = ["خیابان آزادی، پلاک ۱۲", "شارع الملك فهد 12", "Flat 12, 4th Cross, MG Road, Bengaluru 560001",
             "12 Linking Road, Bandra, Mumbai 400050", "ul. Lenina d. 5 kv. 12, Moskva", "pr. Mira, d. 3",
             "Οδός Ερμού 12, Αθήνα", "Λεωφόρος Συγγρού 150"]


@pytest.mark.parametrize("address", ADDRESSES)
def test_the_address_is_read(address):
    assert any("street address" in f.what for f in scan(address)), address


@pytest.mark.parametrize("address", ADDRESSES)
@pytest.mark.parametrize("where", ["description", "custom", "nested"])
def test_the_address_is_caught_in_stix(engine, address, where):
    doc, key, prop = plant_stix(where, address)
    assert_caught(engine, doc, key, prop, address)


@pytest.mark.parametrize("address", ADDRESSES[::2])
@pytest.mark.parametrize("where", ["comment", "attribute"])
def test_the_address_is_caught_in_misp(engine, address, where):
    doc, key, prop = plant_misp(where, address)
    assert_caught(engine, doc, key, prop, address)


@pytest.mark.parametrize("text", ["The main loader, Version 202401", "cross-site scripting, Mumbai 400001 office",
                                  "Road map, Build 2024 100200", "Περιγραφή της επίθεσης 2025",
                                  "استخدمت المجموعة 12 خادما", "pr. 5 of the report", "d. 5 of the appendix"])
def test_look_alikes_go(engine, text):
    obj = raw("malware", name="loader", is_family=True, description=f"Seen on 2025-03-01: {text}.")
    assert_allowed(engine, bundle(indicator(), obj))
