"""Identifiers the gate reads since the fourth round (docs/gate.md, "Fourth round: identifiers"):
profile URLs, certificates and keys, account-name forms, coordinates, national, document, device and
wallet numbers, JSON numbers, and what a MISP attribute's relation, template or comment says. Each is
planted in STIX and MISP and must escalate or deny, naming the object and the property, with the
stripped payload free of it; look-alikes common in threat data must still be allowed."""

from __future__ import annotations

import base64
import datetime
import json

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from stdnum import luhn

from gate_util import MISPObject, bundle, envelope, indicator, misp_doc, misp_event, raw, envelope_permitting
from gate_util import run as _run
from wivcheck.engine import Engine, load_library
from wivcheck.engine.gate import accounts, coordinates, identifiers, profiles, read_misp
from wivcheck.engine.gate.personal_text import scan

SETTINGS = dict(deadline=None, suppress_health_check=list(HealthCheck), max_examples=60)


@pytest.fixture(scope="module")
def engine():
    return Engine(load_library())


def _envelope():
    return envelope_permitting("ttp_description", "vulnerability", "malware_analysis")


ENV = _envelope()


def run(engine, payload, **kw):
    """Gate with an envelope that permits every category the payloads here carry."""
    return _run(engine, payload, ENV, **kw)


def whats(text: str) -> list[str]:
    return [f.what for f in scan(text)]


def named(r) -> str:
    """What the answer names: the gate's reasons (possible personal data) and every object's findings
    (personal data, which the rule sets decide on), each as `key property: what`."""
    return " ".join([x.message.en for x in r.decision.reasons]
                    + [f"{o.id} {f}" for o in r.objects for f in o.findings])


def gated_stix(engine, obj, value: str):
    """Gate a bundle of a clean indicator and `obj`; the answer must not allow, must name `obj` and the
    property, and the stripped bundle (when it may go) must not hold `value`."""
    r = run(engine, bundle(indicator(), obj))
    assert r.decision.decision in ("escalate", "deny"), r.decision.decision
    said = named(r)
    assert obj["id"] in said
    assert obj["id"] in (r.remove or [])
    assert r.may_go_stripped and value not in json.dumps(r.stripped)
    return said


def gated_misp(engine, doc, value: str):
    r = run(engine, doc)
    assert r.decision.decision in ("escalate", "deny"), r.decision.decision
    if r.may_go_stripped:
        assert value not in json.dumps(r.stripped)
    else:
        assert r.stripped is None
    return named(r)


def malware(**props) -> dict:
    return raw("malware", name="Loader", is_family=True, **props)


# -- D. profile URLs -----------------------------------------------------------------------------------

PROFILES = ["https://t.me/jdevries_1987", "https://github.com/jdevries1987", "github.com/jdevries1987?tab=repositories",
            "https://www.linkedin.com/in/jan-de-vries-4b1a2c3/", "https://twitter.com/jandevries/status/1234567890",
            "https://x.com/jandevries", "https://medium.com/@jandevries/how-i-found-it-1a2b", "https://facebook.com/jan.devries.77",
            "https://www.facebook.com/profile.php?id=100004", "https://instagram.com/jan_devries", "https://vk.com/id12345",
            "https://www.youtube.com/@jandevries", "https://www.tiktok.com/@jandevries", "https://reddit.com/u/jandevries",
            "https://gitlab.com/jdevries", "https://keybase.io/jdevries"]
NOT_PROFILES = ["https://github.com/gentilkiwi/mimikatz", "https://github.com/fortra/impacket/blob/master/x.py",
                "https://github.com/mitre/cti", "https://github.com/features/actions", "https://t.me/joinchat/AAAAAE",
                "https://t.me/+AbCdEf123", "https://twitter.com/i/web/status/1", "https://www.linkedin.com/company/acme",
                "https://www.youtube.com/watch?v=dQw4w9WgXcQ", "https://facebook.com/sharer.php?u=x",
                "https://attack.mitre.org/techniques/T1566/001/", "https://inbox.com/jdevries", "https://gitlab.com/gitlab-org/gitlab"]


@pytest.mark.parametrize("url", PROFILES)
def test_profile_urls_name_an_account(url):
    assert profiles.profile_account(url) is not None
    assert any("profile URL" in w for w in whats(f"See {url} for the operator"))


@pytest.mark.parametrize("url", NOT_PROFILES)
def test_repositories_and_site_pages_are_no_profile(url):
    assert profiles.profile_account(url) is None
    assert not any("profile URL" in w for w in whats(url))


HANDLES = st.from_regex(r"[a-z][a-z0-9_]{2,20}", fullmatch=True).filter(
    lambda h: h not in {"features", "about", "orgs", "topics", "joinchat", "login", "search", "explore", "settings",
                        "security", "sponsors", "marketplace", "enterprise", "pricing", "collections", "site", "apps",
                        "contact", "readme", "issues", "pulls", "codespaces", "github", "microsoft", "mitre", "misp",
                        "google", "apache", "share", "proxy", "socks", "iv", "join", "advisories", "trending",
                        "organizations", "notifications", "mandiant", "fireeye", "cisagov", "addstickers",
                        "setlanguage", "addtheme", "customer_stories"})


@given(HANDLES, st.sampled_from(["https://t.me/{}", "https://github.com/{}", "http://www.github.com/{}/",
                                 "https://gitlab.com/{}", "https://medium.com/@{}/post-1",
                                 "https://www.tiktok.com/@{}", "hxxps://t.me/{}"]))
@settings(**SETTINGS)
def test_any_handle_on_a_profile_site_is_an_account(handle, form):
    assert profiles.profile_account(f"contact: {form.format(handle)} (seller)") is not None


@given(HANDLES, st.from_regex(r"[A-Za-z][A-Za-z0-9_.-]{1,30}", fullmatch=True))
@settings(**SETTINGS)
def test_any_repository_on_a_code_host_is_no_account(owner, repo):
    if repo.lower() in {"followers", "following", "stars", "repositories", "projects", "packages"}:
        repo += "x"
    assert profiles.profile_account(f"see https://github.com/{owner}/{repo} and https://gitlab.com/{owner}/{repo}") \
        is None


@pytest.mark.parametrize("where", ["external_references", "description", "url"])
def test_a_profile_url_in_stix_escalates_and_is_stripped(engine, where):
    url = "https://t.me/jdevries_1987"
    if where == "external_references":
        obj = raw("threat-actor", name="Actor X", external_references=[{"source_name": "tg", "url": url}])
    elif where == "description":
        obj = malware(description=f"Sold by {url}")
    else:
        obj = raw("url", value=url)
    named = gated_stix(engine, obj, url)
    assert "profile URL on t.me" in named


def test_a_linkedin_profile_is_personal_data(engine):
    url = "https://www.linkedin.com/in/jan-de-vries-4b1a2c3/"
    obj = raw("identity", name="ACME", identity_class="organization", contact_information=f"security lead {url}")
    r = run(engine, bundle(indicator(), obj))
    assert r.decision.decision == "deny"
    assert f"{obj['id']} contact_information: a LinkedIn profile URL" in named(r)


@pytest.mark.parametrize("kind", ["url", "link"])
def test_a_profile_url_in_misp_escalates(engine, kind):
    event = misp_event()
    a = event.add_attribute(kind, "https://github.com/jdevries1987")
    named = gated_misp(engine, misp_doc(event), "jdevries1987")
    assert f"{a.uuid} value: a profile URL on github.com" in named


def test_a_profile_url_in_galaxy_refs_escalates(engine):
    event = misp_event()
    doc = misp_doc(event)
    doc["Event"]["Galaxy"] = [{"type": "threat-actor", "name": "Threat Actor", "GalaxyCluster": [{
        "uuid": "7cdb4e9a-0000-4000-8000-000000000001", "type": "threat-actor", "value": "APT-X",
        "meta": {"refs": ["https://t.me/jdevries_1987"]}}]}]
    assert "meta.refs[0]: a profile URL on t.me" in gated_misp(engine, doc, "jdevries_1987")


def test_attack_style_data_citing_tool_repositories_is_allowed(engine):
    tool = raw("tool", name="Mimikatz", description="Credential dumper, see https://github.com/gentilkiwi/mimikatz.",
               external_references=[{"source_name": "mitre-attack", "external_id": "S0002",
                                     "url": "https://attack.mitre.org/software/S0002"},
                                    {"source_name": "GitHub Mimikatz", "url": "https://github.com/gentilkiwi/mimikatz"},
                                    {"source_name": "Impacket", "url": "https://github.com/fortra/impacket"}])
    assert run(engine, bundle(indicator(), tool)).decision.decision == "allow"


# -- E. certificates and keys --------------------------------------------------------------------------

def certificate(cn: str, email: str | None = None, san_email: str | None = None) -> x509.Certificate:
    key = ec.generate_private_key(ec.SECP256R1())
    attrs = [x509.NameAttribute(NameOID.COMMON_NAME, cn)]
    if email:
        attrs.append(x509.NameAttribute(NameOID.EMAIL_ADDRESS, email))
    name = x509.Name(attrs)
    now = datetime.datetime(2025, 1, 1, tzinfo=datetime.timezone.utc)
    b = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
         .serial_number(x509.random_serial_number()).not_valid_before(now)
         .not_valid_after(now + datetime.timedelta(days=30)))
    if san_email:
        b = b.add_extension(x509.SubjectAlternativeName([x509.RFC822Name(san_email), x509.DNSName("x.example")]), False)
    return b.sign(key, hashes.SHA256())


def pem(cert: x509.Certificate) -> str:
    return cert.public_bytes(serialization.Encoding.PEM).decode()


def der64(cert: x509.Certificate) -> str:
    return base64.b64encode(cert.public_bytes(serialization.Encoding.DER)).decode()


@pytest.mark.parametrize("form", [pem, der64])
@pytest.mark.parametrize("cn,email,san,kind", [
    ("Jan de Vries", "jan.devries@gmail.com", None, "personal"), ("c2.evil.example", None, "jan.devries@gmail.com", "personal"),
    ("Jan de Vries", None, None, "possible"),
])
def test_a_certificate_is_read_like_its_cleartext_subject(form, cn, email, san, kind):
    found = [f for f in scan(f"certificate: {form(certificate(cn, email, san))}") if "certificate" in f.what]
    assert found and ("personal" if any(f.kind == "personal" for f in found) else "possible") == kind


@pytest.mark.parametrize("form", [pem, der64])
def test_a_servers_certificate_is_no_finding(form):
    assert scan(form(certificate("c2.evil.example", "security@evil.example", "abuse@evil.example"))) == ()


def test_a_pem_in_a_stix_description_and_in_a_misp_x509_object_is_stripped(engine):
    text = pem(certificate("Jan de Vries", "jan.devries@gmail.com"))
    obj = raw("infrastructure", name="C2", description=f"Served certificate:\n{text}")
    assert "description: a certificate's subject e-mail address" in gated_stix(engine, obj, text[40:80])
    for relation, value in [("pem", text), ("raw-base64", der64(certificate("Jan de Vries", "jan.devries@gmail.com")))]:
        event = misp_event()
        o = MISPObject("x509", standalone=False)
        o.add_attribute(relation, value=value, type="text")
        event.add_object(o)
        named = gated_misp(engine, misp_doc(event), value[40:80])
        assert "certificate's subject e-mail address" in named


# an armored OpenPGP key (ed25519) with the user ID "Jan de Vries <jan.devries@gmail.com>"
PGP_KEY = ("-----BEGIN PGP PUBLIC KEY BLOCK-----\n\nmDMEawyXMBYJKwYBBAHaRw8BAQdAX5JWt8QBoiHMAN7Gq29ZVlSvRGR+bNNQuSms\n"
           "WBOxk+O0JEphbiBkZSBWcmllcyA8amFuLmRldnJpZXNAZ21haWwuY29tPoiQBBMW\n"
           "CAA4FiEEKVz/NkckCgZz2oNEi/psCrGqULIFAmsMlzACGwMFCwkIBwIGFQoJCAsC\n"
           "BBYCAwECHgECF4AACgkQi/psCrGqULJqVgEAkmfWBDFTDYypeKvowqZec6iwplaL\n"
           "h66sjuH0JDdKsGsA/i4oAB71qmiptwJlTCKRLbh9RYoeWJ1Sc1EZmV1isrQN\n=jA3W\n-----END PGP PUBLIC KEY BLOCK-----\n")


def pgp_block(uid: bytes) -> str:
    """An armored key block: a (dummy) public-key packet and a User ID packet, new packet format."""
    body = bytes([0xC6, 6]) + b"\x04abcde" + bytes([0xCD, len(uid)]) + uid
    return "-----BEGIN PGP PUBLIC KEY BLOCK-----\nVersion: x\n\n" + base64.b64encode(body).decode() \
        + "\n=abcd\n-----END PGP PUBLIC KEY BLOCK-----"


def test_a_pgp_key_is_read_by_its_user_ids(engine):
    assert {"a PGP key's user ID e-mail address", "a PGP key's user ID name that may be a person's"} <= set(whats(PGP_KEY))
    assert "a PGP key's user ID e-mail address" in whats(pgp_block(b"<jdevries@acme.nl>"))
    assert not any("PGP" in w for w in whats(pgp_block(b"CIRCL <security@circl.lu>")))
    assert any("cannot read" in w for w in whats("-----BEGIN PGP PUBLIC KEY BLOCK-----\n\n!!!!\n-----END PGP PUBLIC KEY BLOCK-----"))
    obj = malware(x_acme_pgp_key=PGP_KEY)
    assert "x_acme_pgp_key: a PGP key's user ID e-mail address" in gated_stix(engine, obj, "mDMEawyXMBYJ")


@pytest.mark.parametrize("text,counted", [("subject: CN=Jan de Vries, O=Private", True),
                                          ("/C=NL/O=Acme/CN=Jan de Vries", True), ("CN=c2.evil.example, O=Evil Corp", False),
                                          ("CN=Microsoft Windows Production PCA 2011", False),
                                          ("CN = DigiCert Global Root CA", False)])
def test_a_distinguished_name_written_out_is_read_for_its_common_name(text, counted):
    assert any("common name" in w for w in whats(text)) is counted


@pytest.mark.parametrize("line,counted", [
    ("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl jdevries@jans-laptop", True),
    ("ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQC7 ivan.petrov@vps-1", True),
    ("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl root@kali", False),
    ("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl backdoor-key", False),
])
def test_an_ssh_key_comment_naming_an_account(line, counted):
    assert any("SSH key" in w for w in whats(f"authorized_keys: {line}")) is counted


def test_an_ssh_key_in_misp_text_escalates(engine):
    event = misp_event()
    a = event.add_attribute("text", "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl "
                                    "jdevries@jans-laptop")
    assert f"{a.uuid} value: an SSH key's comment" in gated_misp(engine, misp_doc(event), "jdevries@")


# -- F. account names ----------------------------------------------------------------------------------

ACCOUNT_FORMS = ["Logon by ACME\\jdevries from 10.1.2.3", "runas /user:CORP\\\\j.devries cmd",
                 "uid=1001(jdevries) gid=1001(jdevries) groups=1001(jdevries),27(sudo)",
                 "Staged on \\\\fs01\\home$\\jdevries\\upd.exe", "\\\\\\\\fs01\\\\users\\\\jdevries\\\\a.exe",
                 "\\\\nas\\profiles$\\pjansen\\AppData", "C:\\Documents and Settings\\jdevries\\Application Data\\upd.exe",
                 "Config in ~jdevries/.config/agent.conf", "http://uni.example/~pjansen/x.sh",
                 "beacon from jans-macbook-pro.local"]
NOT_ACCOUNTS = ["HKCU\\Software\\Microsoft\\Windows\\CurrentVersion\\Run", "NT AUTHORITY\\SYSTEM", "BUILTIN\\administrators",
                "SOFTWARE\\microsoft", "C:\\Windows\\System32\\cmd.exe", "Global\\{4f3a2b1c-9d8e}", "uid=0(root) gid=0(root)",
                "C:\\Documents and Settings\\All Users\\Start Menu", "%APPDATA%\\Microsoft\\Crypto\\svc.exe", "~/.bashrc",
                "C:\\PROGRA~1\\Common", "\\\\fs01\\share\\tools\\x.exe", "WORKGROUP\\guest", "IIS APPPOOL\\defaultapppool",
                "D:\\Work\\jdevries\\stealer\\Release\\stealer.pdb", "its-iphonelike"]


@pytest.mark.parametrize("text", ACCOUNT_FORMS)
def test_account_name_forms_are_found(text):
    assert accounts.scan(text)


@pytest.mark.parametrize("text", NOT_ACCOUNTS)
def test_system_accounts_paths_and_registry_keys_are_not(text):
    assert accounts.scan(text) == []


def test_accounts_in_a_pattern_and_a_misp_attribute_escalate(engine):
    ind = indicator("[file:name = '\\\\\\\\fs01\\\\home$\\\\jdevries\\\\upd.exe']")
    r = run(engine, bundle(indicator(), ind))
    assert r.decision.decision == "escalate" and f"{ind['id']} pattern: an account's home folder" in named(r)
    assert r.may_go_stripped and "jdevries" not in json.dumps(r.stripped)
    event = misp_event()
    a = event.add_attribute("text", "ACME\\jdevries")
    assert f"{a.uuid} value: an account name as DOMAIN\\user" in gated_misp(engine, misp_doc(event), "jdevries")


# -- G. coordinates ------------------------------------------------------------------------------------

@pytest.mark.parametrize("text", ["Operator's home at 52.373112, 4.892201", "52°22'23.2\"N 4°53'32.0\"E",
                                  "geo:52.373112,4.892201;u=10", "maps.example/@52.3731,4.8922,17z",
                                  "lat/lon -33.8688; 151.2093"])
def test_precise_coordinates_in_text_are_found(text):
    assert coordinates.scan(text)


@pytest.mark.parametrize("text", ["Amsterdam (52.37, 4.89)", "geo:52.37,4.89", "confidence 0.9876, 0.1234",
                                  "build 10.0.19041.1234, 6.1.7601", "198.51.100.23, 203.0.113.7", "version 1.2345",
                                  "52° north", "ratio 95.1234, 200.5678"])
def test_coarse_coordinates_versions_and_scores_are_not(text):
    assert coordinates.scan(text) is None


@given(st.floats(-89.9, 89.9), st.floats(-179.9, 179.9), st.integers(4, 8))
@settings(**SETTINGS)
def test_any_pair_with_four_or_more_decimals_is_found(lat, lon, places):
    if abs(lat) < 1 and abs(lon) < 1:
        lat = lat + 1.5 if lat >= 0 else lat - 1.5     # both below 1 in size: read as scores, not a place
    text = f"seen at {lat:.{places}f}, {lon:.{places}f} yesterday"
    assert coordinates.scan(text)


def test_a_stix_location_precise_to_a_building_and_a_misp_geolocation_escalate(engine):
    loc = raw("location", latitude=52.373, longitude=4.892, precision=5.0)
    rel = raw("relationship", relationship_type="located-at", source_ref="malware--" + "1" * 8 + "-1111-4111-8111-"
              + "1" * 12, target_ref=loc["id"])
    mal = malware(id="malware--" + "1" * 8 + "-1111-4111-8111-" + "1" * 12)
    r = run(engine, bundle(indicator(), mal, loc, rel))
    assert f"{loc['id']} precision: a location precise to a building" in named(r)
    assert r.may_go_stripped and loc["id"] not in json.dumps(r.stripped)
    assert run(engine, bundle(indicator(), raw("location", latitude=52.3, longitude=4.8, precision=20000.0))
               ).decision.decision == "allow"
    event = misp_event()
    o = MISPObject("geolocation", standalone=False)
    o.add_attribute("latitude", value="52.373112", type="float")
    o.add_attribute("longitude", value="4.892201", type="float")
    event.add_object(o)
    assert "value: coordinates precise to a building" in gated_misp(engine, misp_doc(event), "52.373112")
    event = misp_event()
    o = MISPObject("geolocation", standalone=False)
    o.add_attribute("latitude", value="52.37", type="float")
    o.add_attribute("city", value="Amsterdam", type="text")
    event.add_object(o)
    assert run(engine, misp_doc(event)).decision.decision == "allow"


# -- H. national, document, device and wallet numbers ------------------------------------------------

def bsn_numbers():
    """Nine-digit numbers passing the eleven-test (python-stdnum computes nothing here: the test does)."""
    def valid(d):
        return sum((9 - i) * int(c) for i, c in enumerate(d[:8])) - int(d[8]) if len(d) == 9 else -1
    return st.text("0123456789", min_size=9, max_size=9).filter(lambda d: d[0] != "0" and valid(d) % 11 == 0)


@given(bsn_numbers(), st.sampled_from(["Burgerservicenummer van het slachtoffer: {}", "BSN {}", "sofinummer: {}",
                                       "citizen service number of the victim is {}", "burger service nummer {}"]))
@settings(**SETTINGS)
def test_a_bsn_with_its_word_is_personal(number, form):
    assert "citizen service number (BSN)" in whats(form.format(number))


@given(bsn_numbers())
@settings(**SETTINGS)
def test_a_nine_digit_number_without_the_word_is_no_bsn(number):
    assert not any("BSN" in w for w in whats(f"Victim record 1: {number}, size {number} bytes"))


@pytest.mark.parametrize("text,what", [
    ("Stolen passport no. NXC3P2F84 was used", "a passport or identity document number"),
    ("paspoort: NW1234567", "a passport or identity document number"),
    ("ID card IR2T4K6L8", "a passport or identity document number"),
    ("identiteitskaart nr IR2T4K6L8", "a passport or identity document number"),
    ("kenteken 12-ABC-3", "a licence plate (a vehicle and its owner)"),
    ("licence plate: XV-123-K", "a licence plate (a vehicle and its owner)"),
    ("IMEI 356938035643809", "a handset's IMEI (its user's?)"),
    ("handset 35-693803-564380-9 seen", "a handset's IMEI (its user's?)"),
    ("IMSI 204080123456789", "a subscriber's IMSI"),
    ("Victim laptop MAC 3C:22:FB:12:34:56 seen", "a MAC address (a device inside a network: a person's?)"),
    ("mac 3c22.fb12.3456", "a MAC address (a device inside a network: a person's?)"),
    ("Ransom paid to bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq", "a crypto-currency address (a person's?)"),
    ("wallet 1BoatSLRHtKNngkdXEeobR76b53LETtpyT", "a crypto-currency address (a person's?)"),
    ("wallet 3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy", "a crypto-currency address (a person's?)"),
    ("eth 0x52908400098527886E0F7030069857D2E4169EE7", "a crypto-currency address (a person's?)"),
])
def test_document_device_and_wallet_identifiers_are_found(text, what):
    assert what in whats(text)


@pytest.mark.parametrize("text", [
    "passport.js middleware", "The document was opened", "kenteken unknown", "build 12-345-6 of the plate module",
    "IMEI-like 356938035643808 (bad check digit)", "PE size 123456789012345", "MAC ff:ff:ff:ff:ff:ff broadcast",
    "multicast 01:00:5e:00:00:fb", "time 12:30:45", "wallet 1BoatSLRHtKNngkdXEeobR76b53LETtpyU",
    "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdz", "sha1 3f786850e387550fdab836ed7e6dc881de23001b",
    "ipv6 2001:db8::1 and fe80::1:2:3:4", "id 111222333 and 123456782", "IMSI unknown, 20408 network",
])
def test_look_alikes_are_no_identifiers(text):
    assert identifiers.scan(text) == ()


@given(st.text("0123456789", min_size=12, max_size=12))
@settings(**SETTINGS)
def test_any_imei_with_a_reporting_body_prefix_is_found_with_or_without_its_word(body):
    number = "35" + body
    number += luhn.calc_check_digit(number)
    assert "a handset's IMEI (its user's?)" in whats(f"handset {number} seen")
    assert identifiers.scan_number(int(number))


def test_json_numbers_card_and_imei_in_stix_custom_properties(engine):
    for key, number, outcome in [("x_acme_card", 4111111111111111, "deny"), ("x_acme_imei", 356938035643809, "escalate")]:
        obj = malware(**{key: number})
        r = run(engine, bundle(indicator(), obj))
        assert r.decision.decision == outcome
        assert f"{obj['id']} {key}:" in named(r)
        assert str(number) not in json.dumps(r.stripped)
    assert run(engine, bundle(indicator(), malware(x_acme_events=356938035643808))).decision.decision == "allow"


@pytest.mark.parametrize("text", ["Burgerservicenummer van het slachtoffer: 111222333",
                                  "passport no. NXC3P2F84 and ID card IR2T4K6L8", "kenteken 12-ABC-3",
                                  "IMEI 356938035643809, IMSI 204080123456789", "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq",
                                  "Victim laptop MAC 3C:22:FB:12:34:56"])
def test_identifiers_in_stix_text_do_not_pass(engine, text):
    gated_stix(engine, malware(description=f"Note: {text}."), text)


def test_misp_bsn_by_comment_vehicle_mac_and_soa_email(engine):
    event = misp_event()
    a = event.add_attribute("text", "111222333", comment="bsn van het slachtoffer")
    doc = misp_doc(event)
    for att in doc["Event"]["Attribute"]:
        if att["uuid"] == a.uuid:
            att["value"] = 111222333                 # a JSON number
    assert f"{a.uuid} value: citizen service number (BSN; the attribute's comment says so)" in \
        gated_misp(engine, doc, "111222333")
    event = misp_event()
    event.add_attribute("text", "111222333", comment="sample count")
    assert run(engine, misp_doc(event)).decision.decision == "allow"
    event = misp_event()
    o = MISPObject("vehicle", standalone=False)
    o.add_attribute("license-plate-number", value="12-ABC-3", type="text")
    event.add_object(o)
    assert "part of a vehicle object" in gated_misp(engine, misp_doc(event), "12-ABC-3")
    for kind, value in [("mac-address", "3c:22:fb:12:34:56"), ("mac-eui-64", "3c:22:fb:ff:fe:12:34:56"),
                        ("dns-soa-email", "jan.devries.gmail.com")]:
        event = misp_event()
        a = event.add_attribute(kind, value)
        assert f"{a.uuid} value:" in gated_misp(engine, misp_doc(event), value)


# -- I. names as whole MISP values ---------------------------------------------------------------------

@pytest.mark.parametrize("kind,value", [("text", "Jan de Vries"),
                                        ("regkey|value", "HKCU\\Software\\Acme\\UserInfo\\UserName|Jan de Vries")])
def test_a_misp_value_that_is_a_persons_name_escalates(engine, kind, value):
    event = misp_event()
    a = event.add_attribute(kind, value)
    assert f"{a.uuid} value:" in gated_misp(engine, misp_doc(event), "Jan de Vries")


@pytest.mark.parametrize("kind,value", [("text", "Cobalt Strike"), ("text", "APT28"), ("text", "Fancy Bear"),
                                        ("regkey|value", "HKCU\\Software\\Microsoft\\Windows\\CurrentVersion\\Run|updater"),
                                        ("text", "Initial access via spearphishing")])
def test_misp_values_that_are_no_names_are_allowed(engine, kind, value):
    event = misp_event()
    event.add_attribute(kind, value)
    assert run(engine, misp_doc(event)).decision.decision == "allow"


def test_clean_misp_event_with_repository_links_and_registry_values_is_allowed(engine):
    event = misp_event()
    event.add_attribute("link", "https://github.com/fortra/impacket")
    event.add_attribute("regkey", "HKLM\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Run\\Updater")
    event.add_attribute("text", "Loader beacons to 203.0.113.7:443 every 60 s; build 17763.1 of Windows Server 2019.")
    event.add_attribute("x509-fingerprint-sha256", "a" * 64)
    assert read_misp(misp_doc(event)) and run(engine, misp_doc(event)).decision.decision == "allow"


# -- robustness ----------------------------------------------------------------------------------------

B64 = st.text("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=\n", min_size=0, max_size=600)


@given(st.one_of(
    st.text(max_size=300),
    B64.map(lambda b: f"-----BEGIN CERTIFICATE-----\n{b}\n-----END CERTIFICATE-----"),
    B64.map(lambda b: f"-----BEGIN PGP PUBLIC KEY BLOCK-----\n\n{b}\n-----END PGP PUBLIC KEY BLOCK-----"),
    B64.map(lambda b: "MII" + b.replace("\n", "") * 3),
    st.binary(min_size=0, max_size=400).map(lambda b: "MIIB" + base64.b64encode(b"\x30\x82\x01" + b).decode() * 2),
    B64.map(lambda b: f"ssh-ed25519 AAAA{b.replace(chr(10), '')}x jdevries@host"),
))
@settings(**SETTINGS)
def test_the_readings_never_fail_on_any_text(text):
    for s in identifiers.scan(text):
        assert s.kind in ("personal", "possible") and s.what


@given(st.integers(min_value=0, max_value=10 ** 25))
@settings(**SETTINGS)
def test_any_number_is_read_without_failing(number):
    for s in identifiers.scan_number(number):
        assert s.kind in ("personal", "possible")


# -- STIX and MISP agree --------------------------------------------------------------------------------

AGREE = ["https://t.me/jdevries_1987", "https://www.linkedin.com/in/jan-de-vries-4b1a2c3/", PGP_KEY,
         "Logon by ACME\\jdevries", "uid=1001(jdevries) gid=1001(jdevries)", "Operator's home at 52.373112, 4.892201",
         "BSN 111222333", "passport no. NXC3P2F84", "kenteken 12-ABC-3", "IMEI 356938035643809",
         "MAC 3C:22:FB:12:34:56", "paid to bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq",
         "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl jdevries@jans-laptop"]


@pytest.mark.parametrize("text", AGREE)
def test_stix_and_misp_find_the_same_in_the_same_text(engine, text):
    obj = malware(description=text)
    s = run(engine, bundle(indicator(), obj))
    event = misp_event()
    a = event.add_attribute("text", text)
    m = run(engine, misp_doc(event))
    assert s.decision.decision == m.decision.decision != "allow"
    in_stix = {f.split(": ", 1)[1] for o in s.objects if o.id == obj["id"] for f in o.findings}
    in_misp = {f.split(": ", 1)[1] for o in m.objects if o.id == a.uuid for f in o.findings}
    assert in_stix and in_stix == in_misp
