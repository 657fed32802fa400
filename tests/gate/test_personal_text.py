"""The free-text scan and the name rule: what they find, and what they must leave alone."""

from __future__ import annotations

import pytest

from wivcheck.engine.gate.person_names import may_name_a_person
from wivcheck.engine.gate.personal_text import PERSONAL, POSSIBLE, scan


@pytest.mark.parametrize("text,kind,what", [
    ("mail a.deboer@mail.example today", PERSONAL, "e-mail address"),
    ("contact j.devries[at]mail[.]example", PERSONAL, "e-mail address"),
    ("contact j.devries (at) mail (dot) example", PERSONAL, "e-mail address"),
    ("bel +31 6 1234 5678", PERSONAL, "mobile or personal phone number"),
    ("bel 06-12345678", PERSONAL, "mobile or personal phone number"),
    ("06.12.34.56.78", PERSONAL, "mobile or personal phone number"),
    ("call 020-5550123", POSSIBLE, "phone number (a person's or an organisation's)"),
    ("paid to NL91ABNA0417164300", POSSIBLE, "bank account number (IBAN; a person's or an organisation's)"),
    ("BSN: 111222333", PERSONAL, "citizen service number (BSN)"),
    ("card 5500 0000 0000 0004.", PERSONAL, "payment card number"),
    (r"dropped in C:\Users\jdevries\AppData\x.exe", POSSIBLE, "an account's home folder name"),
    ("ls /home/pieter/.ssh", POSSIBLE, "an account's home folder name"),
])
def test_found(text, kind, what):
    assert any(f.kind == kind and f.what == what for f in scan(text)), scan(text)


@pytest.mark.parametrize("text", [
    "abuse@hosting.example and soc@cert.example",             # role mailboxes
    "Observed on 2025-03-01 contacting 198.51.100.23:8080",    # dates, addresses, ports
    "CVE-2021-44228 exploited; build 10.0.19041.1; epoch 1709251200000",
    "SHA-256 aec070645fe53ee3b3763059376134f058cc337247c978add178b6ccdfb0019f",
    r"C:\Users\<username>\AppData\Roaming and %USERPROFILE%",
    "Copyright 2015-2024, The MITRE Corporation.",
    "free phone 0800-0432",
])
def test_left_alone(text):
    assert scan(text) == ()


@pytest.mark.parametrize("name,person", [
    ("Ivan Petrov", True), ("Anna de Boer", True), ("J. van der Berg", True), ("Maksim Yakubets", True),
    ("Fancy Bear", False), ("APT28", False), ("Sandworm Team", False), ("Turla", False), ("Volt Typhoon", False),
    ("The Dukes", False), ("Iron Hemlock", False), ("lazarus group", False), ("", False), (None, False),
])
def test_names(name, person):
    assert may_name_a_person(name) is person
