"""Fourth round of forms (docs/gate.md, "Fourth round: bundle properties, encoded identifiers,
e-mail-shaped accounts, long patterns"): a bundle's own properties, identifiers in the encodings
phishing and intrusion indicators carry, e-mail-shaped accounts, patterns of thousands of
comparisons, and MISP organisation fields."""

from __future__ import annotations

import base64
import json
import subprocess
import uuid

import pytest
import stix2
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import ROOT, run_env, wivcheck_bin
from gate_util import TS, blocked, bundle, envelope, indicator, misp_doc, misp_event, raw, run
from wivcheck.engine import Engine, load_library
from wivcheck.engine.gate import encoded, mail_forms, read, stix_patterns
from wivcheck.engine.gate.items import PERSONAL, TLP_ORDER, PayloadError
from wivcheck.engine.gate.personal_text import scan
from pymisp import MISPEventReport, MISPObject


@pytest.fixture(scope="module")
def engine():
    return Engine(load_library())


RED = stix2.TLP_RED.id
GREEN = stix2.TLP_GREEN.id


def _b64(text: str, url: bool = False) -> str:
    raw_ = text.encode()
    return (base64.urlsafe_b64encode(raw_) if url else base64.b64encode(raw_)).decode().rstrip("=" if url else "")


def _jwt(claims: dict) -> str:
    part = lambda d: base64.urlsafe_b64encode(json.dumps(d).encode()).decode().rstrip("=")   # noqa: E731
    return f"{part({'alg': 'HS256', 'typ': 'JWT'})}.{part(claims)}.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c"


def _not_carried(result, secret: str) -> None:
    """The value is not in what may go: no stripped payload, or one without it."""
    assert result.decision.decision != "allow"
    assert not result.may_go_stripped or secret not in json.dumps(result.stripped)


def _findings(result, key: str) -> list[str]:
    return next(o.findings for o in result.objects if o.id == key)


# -- A. the bundle's own properties -------------------------------------------------------------------

@pytest.mark.parametrize("how", ["object_marking_refs", "granular_markings", "x_tlp"])
def test_a_red_bundle_makes_every_object_red_and_contradicts_a_green_envelope(engine, how):
    ind = indicator(marking=GREEN)
    doc = bundle(ind)
    doc.update({"object_marking_refs": {"object_marking_refs": [RED]},
                "granular_markings": {"granular_markings": [{"marking_ref": RED, "selectors": ["objects"]}]},
                "x_tlp": {"x_tlp": "red"}}[how])
    r = run(engine, doc, envelope(tlp="GREEN"))
    assert r.decision.decision == "deny"
    contradiction = next(x for x in r.decision.reasons if x.rule == "gate.envelope-contradiction")
    assert f"{ind['id']} is marked TLP:RED" in contradiction.message.en
    assert not r.may_go_stripped


def test_a_red_bundle_to_a_private_party_goes_to_the_head_of_service(engine):
    doc = bundle(indicator(marking=GREEN))
    doc["object_marking_refs"] = [RED]
    r = run(engine, doc, envelope(tlp=None))
    assert "gate.tlp-red-private" in {x.rule for x in r.decision.reasons}
    assert r.provision.data.tlp == "RED"


@given(st.sampled_from(TLP_ORDER[:4]), st.sampled_from(TLP_ORDER[:4]))
@settings(max_examples=30, deadline=None)
def test_an_object_carries_the_strictest_of_its_own_and_the_bundles_tlp(own, outer):
    from gate_util import tlp2
    mine, theirs = tlp2(own.lower() if own != "AMBER+STRICT" else "amber+strict"), \
        tlp2(outer.lower() if outer != "AMBER+STRICT" else "amber+strict")
    ind = indicator(marking=mine["id"])
    doc = bundle(mine, theirs, ind)
    doc["object_marking_refs"] = [theirs["id"]]
    got = {it.key: it.tlp for it in read("stix", doc).items}
    assert got[ind["id"]] == max(own, outer, key=TLP_ORDER.index)


@pytest.mark.parametrize("prop,value", [("x_contact", "jan.devries@gmail.com"),
                                        ("x_acme_source", "Received from jan.devries(a)acme-hosting.nl"),
                                        ("x_acme_meta", {"analyst": "Jan de Vries"}),
                                        ("x_feed", {"url": "https://bad.example/?email=" + _b64("jan.devries@acme.nl")})])
def test_bundle_custom_properties_are_scanned_and_never_passed_out(engine, prop, value):
    doc = bundle(indicator())
    doc[prop] = value
    r = run(engine, doc)
    assert r.decision.decision != "allow"
    assert any(f.startswith(prop) for f in _findings(r, "bundle"))
    assert "bundle" in r.remove_note and r.stripped is None


def test_a_clean_bundle_custom_property_passes(engine):
    doc = bundle(indicator())
    doc["x_generator"] = "OpenCTI 6.0 export"
    doc["spec_version"] = "2.1"
    r = run(engine, doc)
    assert r.decision.decision == "allow" and "bundle" not in {o.id for o in r.objects}


def test_a_bundle_with_a_clean_custom_property_is_stripped_of_its_personal_objects(engine):
    bad = raw("malware", name="x", is_family=True, description="contact jan.devries@gmail.com")
    doc = bundle(indicator(), bad)
    doc["x_generator"] = "feed 2.0"
    r = run(engine, doc)
    assert r.may_go_stripped and r.remove == [bad["id"]]
    assert "jan.devries" not in json.dumps(r.stripped)


@pytest.mark.parametrize("key", ["created", "labels", "description", "extensions"])
def test_other_bundle_keys_are_refused_naming_them(key):
    doc = bundle(indicator())
    doc[key] = "x"
    with pytest.raises(PayloadError) as exc:
        read("stix", doc)
    assert exc.value.where == "bundle" and repr(key) in exc.value.message


def test_a_bundle_marking_that_resolves_to_nothing_escalates_naming_the_bundle(engine):
    doc = bundle(indicator())
    doc["object_marking_refs"] = [f"marking-definition--{uuid.uuid4()}"]
    r = run(engine, doc)
    assert r.decision.decision == "escalate"
    assert any(f.startswith("object_marking_refs[0]") for f in _findings(r, "bundle"))


# -- B. identifiers in encodings -----------------------------------------------------------------------

EMAIL = "jan.devries@acme-hosting.nl"
ENCODED = {
    "query-b64": f"https://login-microsoftonline.bad.example/owa/?email={_b64(EMAIL)}",
    "query-b64url": f"https://bad.example/r?x=1&u={_b64(EMAIL, url=True)}&t=2",
    "fragment-b64": f"https://login.bad.example/#{_b64(EMAIL)}",
    "padding-percent": f"https://bad.example/?e={_b64('piet.jansen@kpnmail.nl').replace('=', '%3D')}",
    "jwt-url": "https://login.bad.example/callback?id_token=" + _jwt({"sub": "1234", "email": EMAIL,
                                                                     "name": "Jan de Vries"}),
    "jwt-upn": "stolen session token " + _jwt({"upn": "jdevries@acme-hosting.nl", "iss": "sts"}),
    "jwt-preferred": _jwt({"preferred_username": "jdevries", "exp": 1}),
    "basic": "Basic " + base64.b64encode(b"jdevries:Zomer2024!").decode(),
    "query-credentials": "https://bad.example/gate.php?user=jdevries&pass=Zomer2024!",
    "query-login-pwd": "POST /panel/login.php login=m.bakker&pwd=Welkom01",
    "cookie": "ESTSAUTH=0.AR8A; user=jdevries; remember=1",
    "cookie-username": "sid=9f8e; username=m.bakker",
    "hex": "Contact: " + "jan.devries@mail.nl".encode().hex(),
}


@pytest.mark.parametrize("name", sorted(ENCODED))
def test_encoded_identifiers_are_found_in_text(name):
    got = scan(ENCODED[name])
    assert any(f.category in ("email_addresses", "account_names") for f in got), got


@pytest.mark.parametrize("text", [
    "https://bad.example/?id=12345&campaign=spring", "https://www.facebook.com/l.php?u=https%3A%2F%2Fevil.example",
    "https://bad.example/#" + base64.b64encode(bytes(range(40))).decode(),
    "https://bad.example/dl?file=" + _b64("invoice_2024_05.pdf"), "WWW-Authenticate: Basic realm=\"panel\"",
    _jwt({"iss": "https://sts.example", "exp": 1735689600, "aud": "app"}), "https://bad.example/?login=true&lang=nl",
    "[file:hashes.MD5 = 'd41d8cd98f00b204e9800998ecf8427e']", "https://evil.example/wp-content/uploads/2024/invoice.php",
    "https://bad.example/?user=%USERNAME%", "cookie: session=abc123; theme=dark",
    "sha256 e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855 and md5 d41d8cd98f00b204e9800998ecf8427e",
    "build 00112233445566778899aabbccddeeff",
])
def test_clean_encoded_look_alikes_are_not(text):
    assert not any(f.category in ("email_addresses", "account_names") for f in scan(text)), scan(text)


def _stix_places(value: str) -> dict:
    return {
        "sco": lambda: raw("url", value=value),
        "observed-data": lambda: raw("observed-data", first_observed=TS, last_observed=TS, number_observed=1,
                                     objects={"0": {"type": "url", "spec_version": "2.1", "id": f"url--{uuid.uuid4()}",
                                                  "value": value}}),
        "pattern": lambda: indicator(pattern="[url:value = '" + value.replace("\\", "\\\\").replace("'", "\\'") + "']"),
        "custom": lambda: raw("malware", name="x", is_family=True, x_acme_seen=[value]),
        "description": lambda: raw("malware", name="x", is_family=True, description=f"Phishing lure: {value} seen."),
    }


@pytest.mark.parametrize("place", ["sco", "observed-data", "pattern", "custom", "description"])
@pytest.mark.parametrize("name", ["query-b64", "jwt-url", "basic", "query-credentials", "cookie"])
def test_encoded_identifiers_in_stix_are_named_and_stripped(engine, place, name):
    value = ENCODED[name]
    obj = _stix_places(value)[place]()
    r = run(engine, bundle(indicator(), obj))
    assert obj["id"] in blocked(r)
    prop = {"sco": "value", "observed-data": "objects.0.value", "pattern": "pattern", "custom": "x_acme_seen[0]",
            "description": "description"}[place]
    assert any(f.startswith(prop + ":") for f in _findings(r, obj["id"])), _findings(r, obj["id"])
    _not_carried(r, value.split("?")[-1].split(" ")[-1])


def test_a_basic_authorization_header_in_a_network_traffic_extension_is_a_credential(engine):
    header = "Basic " + base64.b64encode(b"jdevries:Zomer2024!").decode()
    ip = raw("ipv4-addr", value="198.51.100.7")
    nt = raw("network-traffic", dst_ref=ip["id"], protocols=["tcp", "http"], extensions={"http-request-ext": {
        "request_method": "get", "request_value": "/", "request_header": {"Authorization": [header]}}})
    r = run(engine, bundle(indicator(), ip, nt))
    assert any("HTTP Basic" in f for f in _findings(r, nt["id"]))
    _not_carried(r, header)


def _misp_places(event, kind: str, value: str, misp_type: str = "text"):
    """Put a value in an attribute, an object attribute, a proposal or an event report; returns the
    key of the part that holds it."""
    if kind == "attribute":
        return str(event.add_attribute(misp_type, value).uuid)
    if kind == "object":
        obj = MISPObject("url", standalone=False)
        a = obj.add_attribute("url", value=value)
        event.add_object(obj)
        return str(a.uuid)
    if kind == "report":
        report = MISPEventReport()
        report.from_dict(name="Report", content=f"## Lure\n\nThe kit used {value} today.")
        return str(event.add_event_report(**report.to_dict()).uuid)
    raise AssertionError(kind)


@pytest.mark.parametrize("place", ["attribute", "object", "report", "proposal"])
@pytest.mark.parametrize("name", ["query-b64", "jwt-upn", "basic", "query-credentials", "cookie"])
def test_encoded_identifiers_in_misp_are_named_and_stripped(engine, place, name):
    value = ENCODED[name]
    event = misp_event()
    if place == "proposal":
        doc = misp_doc(event)
        key = "5a5a5a5a-0000-4000-8000-0000000004aa"
        doc["Event"]["Attribute"][0]["ShadowAttribute"] = [{"type": "text", "category": "Other", "value": value,
                                                            "uuid": key}]
    else:
        key = _misp_places(event, place, value)
        doc = misp_doc(event)
    r = run(engine, doc)
    assert key in blocked(r)
    prop = "content" if place == "report" else "value"
    assert any(f.startswith(prop + ":") for f in _findings(r, key)), _findings(r, key)
    _not_carried(r, value.split("?")[-1].split(" ")[-1])


def test_a_misp_cookie_attribute_with_an_account_escalates(engine):
    event = misp_event()
    key = _misp_places(event, "attribute", ENCODED["cookie"], "cookie")
    r = run(engine, misp_doc(event))
    assert blocked(r) == {key: "escalate"}
    assert "user=jdevries" not in json.dumps(r.stripped)


@given(st.emails())
@settings(max_examples=60, deadline=None)
def test_any_address_the_scan_finds_is_found_in_base64_in_a_query_string(address):
    if not any(f.category == "email_addresses" for f in scan(address)):
        return                            # a role mailbox, or a local part the scan does not take (`'@a.ae`)
    got = encoded.hidden(f"https://bad.example/owa/?email={_b64(address)}")
    assert any(f.category == "email_addresses" and "base64" in f.what for f in got)


@given(st.text(max_size=200))
@settings(max_examples=200, deadline=None)
def test_reading_encodings_never_fails(text):
    encoded.hidden(text)
    mail_forms.findings(text)


# -- C. e-mail-shaped accounts -------------------------------------------------------------------------

@pytest.mark.parametrize("text", [
    "account jdevries@acme.local", "Author: Jan de Vries <jdevries@acme.local>", "jdevries@localhost",
    "login jdevries@build01.localhost", "user jdevries@nas.home.arpa",
    "jdevries@" + "a" * 56 + ".onion", "jan@[192.0.2.10]", "jan@[IPv6:2001:db8::1]", "jan.devries(a)acme-hosting.nl",
    "piet[a]kpnmail.nl", "jan\\.devries@gmail\\.com", "^.*e=jan\\.devries\\@gmail\\.com$",
    "mail jan.devries at gmail.com", "contact jdevries at protonmail.com", "write to m.bakker at ziggo.nl",
])
def test_e_mail_shaped_accounts_are_found(text):
    assert any(f.category in ("email_addresses", "account_names") for f in scan(text)), text


@pytest.mark.parametrize("text", [
    "the C2 server at evil.example", "jan at example.nl", "dropper.exe at cdn.example.com",
    "update.microsoft.com at 10.0.0.1", "root@localhost", "abuse(a)cert.example.nl", "(a) first item, (b) second",
    "postmaster@mail.local", "hosted at gmail.com", "payload.bin at files.example.org", "see ^[a-z]+\\.example\\.com$",
])
def test_e_mail_shaped_look_alikes_are_not(text):
    assert not any(f.category in ("email_addresses", "account_names") for f in scan(text)), scan(text)


@pytest.mark.parametrize("value", ["jdevries@acme.local", "jan@[192.0.2.10]", "jan.devries(a)acme-hosting.nl",
                                   "jan.devries at gmail.com"])
def test_e_mail_shaped_accounts_in_stix_and_misp_do_not_pass(engine, value):
    obj = raw("malware", name="x", is_family=True, description=f"Built by {value}.")
    r = run(engine, bundle(indicator(), obj))
    assert obj["id"] in blocked(r) and any(f.startswith("description:") for f in _findings(r, obj["id"]))
    _not_carried(r, value)
    event = misp_event()
    key = str(event.add_attribute("text", f"operator {value}").uuid)
    r = run(engine, misp_doc(event))
    assert key in blocked(r)
    _not_carried(r, value)


def test_a_regex_escaped_address_in_a_matches_pattern_is_found(engine):
    ind = indicator(pattern="[url:value MATCHES '^https://bad\\\\.example/\\\\?e=jan\\\\.devries@gmail\\\\.com$']")
    r = run(engine, bundle(ind))
    assert r.decision.decision != "allow"
    assert any(f.startswith("pattern:") and "e-mail" in f for f in _findings(r, ind["id"]))


@given(st.sampled_from(sorted(mail_forms.MAIL_PROVIDERS)), st.from_regex(r"[a-z]{2,8}\.[a-z]{3,10}", fullmatch=True))
@settings(max_examples=50, deadline=None)
def test_a_dotted_name_at_a_mail_provider_in_words_is_an_address(domain, local):
    assert any(f.kind == PERSONAL and "e-mail" in f.what for f in scan(f"contact {local} at {domain} now"))


# -- K. long patterns --------------------------------------------------------------------------------

def _big_indicator(pattern: str) -> dict:
    """An indicator written by hand: stix2 validates patterns with the library's recursive walk."""
    return raw("indicator", pattern=pattern, pattern_type="stix", valid_from=TS)


@pytest.mark.parametrize("op", ["OR", "AND", "FOLLOWEDBY"])
def test_a_pattern_of_thousands_of_comparisons_is_decided(engine, op):
    n = 2000
    if op == "AND":
        pattern = "[" + " AND ".join(f"file:hashes.MD5 = '{i:032x}'" for i in range(n)) + "]"
    else:
        pattern = f" {op} ".join(f"[file:hashes.MD5 = '{i:032x}']" for i in range(n))
    ind = _big_indicator(pattern)
    assert len(stix_patterns.read(pattern).comparisons) == n
    assert run(engine, bundle(ind)).decision.decision == "allow"
    stix_patterns.clear_cache()


def test_an_address_at_the_end_of_a_long_pattern_is_found(engine):
    pattern = " OR ".join([f"[file:hashes.MD5 = '{i:032x}']" for i in range(1500)]
                          + ["[email-message:from_ref.value = 'jan.devries@gmail.com']"])
    ind = _big_indicator(pattern)
    r = run(engine, bundle(indicator(), ind))
    assert blocked(r)[ind["id"]] in ("deny", "escalate")


@pytest.mark.parametrize("n", [1200, 3000])
def test_parentheses_too_deep_for_the_parser_are_a_clear_error_naming_the_object(n):
    ind = _big_indicator("(" * n + "[file:name = 'a.exe']" + ")" * n)
    with pytest.raises(PayloadError) as exc:
        read("stix", bundle(ind))
    assert exc.value.where == ind["id"] and "parentheses nested too deeply" in exc.value.message


@pytest.mark.parametrize("pattern,code", [
    (" OR ".join(f"[file:hashes.MD5 = '{i:032x}']" for i in range(1200)), 0),
    ("(" * 1200 + "[file:name = 'a.exe']" + ")" * 1200, 1),
])
def test_long_and_deep_patterns_on_the_command_line_answer_in_json(tmp_path, pattern, code):
    ind = _big_indicator(pattern)
    path = tmp_path / "b.json"
    path.write_text(json.dumps(bundle(ind)))
    out = subprocess.run([wivcheck_bin(), "gate", "--stix", str(path), "--envelope",
                          str(ROOT / "examples" / "gate" / "envelope.yaml"), "--format", "json"],
                         capture_output=True, text=True, env=run_env(), timeout=120)
    assert out.returncode == code, out.stderr
    answer = json.loads(out.stdout.splitlines()[0])
    if code:
        assert answer["error"]["problems"][0]["path"] == ind["id"]
    else:
        assert answer["decision"]["decision"] == "allow"
    assert "RecursionError" not in out.stdout + out.stderr


class _Events:
    """A listener that writes down every event, to compare walks."""

    def __init__(self):
        self.seen = []

    def __getattr__(self, name):
        if name.startswith(("enter", "exit", "visit")):
            return lambda node: self.seen.append((name, node.getText() if name.startswith("visit") else
                                                  type(node).__name__))
        raise AttributeError(name)


_COMPARISON = st.sampled_from(["[file:name = 'a.exe']", "[ipv4-addr:value = '10.0.0.1' AND file:size > 3]",
                               "[url:value LIKE 'http%'] WITHIN 5 SECONDS", "([domain-name:value IN ('a', 'b')])"])


@given(st.lists(_COMPARISON, min_size=1, max_size=8), st.lists(st.sampled_from(["OR", "AND", "FOLLOWEDBY"]),
                                                                 min_size=7, max_size=7))
@settings(max_examples=40, deadline=None)
def test_the_walk_without_recursion_gives_the_librarys_events_in_order(parts, ops):
    import antlr4
    from stix2patterns.v21.pattern import Pattern
    text = parts[0] + "".join(f" {op} {p}" for op, p in zip(ops, parts[1:]))
    tree = Pattern(text)._Pattern__parse_tree
    mine, theirs = _Events(), _Events()
    stix_patterns._walk(mine, tree)
    antlr4.ParseTreeWalker.DEFAULT.walk(theirs, tree)
    assert mine.seen == theirs.seen


# -- MISP organisation fields ---------------------------------------------------------------------------

ORGC = {"id": "2", "name": "CIRCL", "uuid": "55f6ea5e-2c60-40e5-964f-47a8950d210f", "local": True,
        "nationality": "Luxembourg", "sector": "Government", "type": "CSIRT", "description": "CERT of Luxembourg",
        "contacts": "https://www.circl.lu/contact/", "date_created": "2015-01-01 00:00:00"}


@pytest.mark.parametrize("contacts", ["https://www.circl.lu/contact/", "info@circl.lu"])
def test_misp_organisation_fields_are_an_organisations(engine, contacts):
    doc = misp_doc(misp_event())
    doc["Event"]["Orgc"] = dict(ORGC, contacts=contacts)
    doc["Event"]["Org"] = dict(ORGC, contacts=contacts)
    assert run(engine, doc).decision.decision == "allow"


def test_a_persons_address_in_an_organisations_contacts_still_escalates(engine):
    doc = misp_doc(misp_event())
    doc["Event"]["Orgc"] = dict(ORGC, contacts="jan.devries@gmail.com")
    r = run(engine, doc)
    assert r.decision.decision != "allow"
    assert any("Orgc.contacts" in f for o in r.objects for f in o.findings)


def test_a_persons_field_under_an_organisation_is_still_named(engine):
    doc = misp_doc(misp_event())
    doc["Event"]["Orgc"] = dict(ORGC, x_owner_phone="+31 6 12345678")
    assert run(engine, doc).decision.decision != "allow"
