"""The free-text scan and the name rule: what they find, and what they must leave alone."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

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


@given(st.integers(min_value=0, max_value=2 ** 512 - 1), st.sampled_from([32, 40, 56, 64, 96, 128]))
@settings(max_examples=200, deadline=None)
def test_a_hex_digest_is_read_only_for_hex_encoded_text(n, width):
    """A digest is read by the hex-encoded reading alone (personal_text's shortcut), and what that
    finds is what the full scan found: random digests carry nothing."""
    from wivcheck.engine.gate import encoded
    digest = f"{n:0{width}x}"[-width:]
    if not (any(c.isdigit() for c in digest) and any(c.isalpha() for c in digest)):
        return
    assert scan(digest) == encoded.hidden(digest)


def test_a_digest_long_hex_encoded_address_is_still_found():
    text = b"jan.devries@acme-hosting.nl;x=12".hex()[:64]   # 64 hex digits, the length of a SHA-256
    assert len(text) == 64 and any("e-mail" in f.what for f in scan(text))
