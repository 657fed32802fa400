"""The gate: STIX bundles and MISP events built with the ecosystem's libraries, decided whole and per
object; fail-closed paths; over the command line and HTTP."""

from __future__ import annotations

import json
import subprocess
import uuid

import pytest
import stix2
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pymisp import MISPEvent

from conftest import ROOT, run_env, wivcheck_bin
from wivcheck.engine import Engine, load_library
from wivcheck.engine.gate import PayloadError, gate, misp_items, stix_items
from server_util import Server

ENVELOPE = yaml.safe_load((ROOT / "examples" / "gate" / "envelope.yaml").read_text())
ENVELOPE = json.loads(json.dumps(ENVELOPE, default=str))
TLP2_EXT = "extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d"


@pytest.fixture(scope="module")
def engine():
    return Engine(load_library())


def indicator(domain: str, marking=stix2.TLP_AMBER):
    return stix2.Indicator(pattern=f"[domain-name:value = '{domain}']", pattern_type="stix",
                           valid_from="2025-01-01T00:00:00Z", object_marking_refs=[marking])


def bundle(*objects) -> str:
    return stix2.Bundle(*objects, allow_custom=True).serialize()


def tlp2(level: str) -> dict:
    return {"type": "marking-definition", "spec_version": "2.1", "id": f"marking-definition--{uuid.uuid4()}",
            "created": "2022-10-01T00:00:00.000Z", "name": f"TLP:{level.upper()}",
            "extensions": {TLP2_EXT: {"extension_type": "property-extension", "tlp_2_0": level}}}


def test_indicators_and_a_malware_analysis_are_allowed(engine):
    analysis = stix2.MalwareAnalysis(product="sandbox", result="malicious", object_marking_refs=[stix2.TLP_GREEN])
    r = gate(engine, ENVELOPE, stix_items(bundle(indicator("a.evil.example"), indicator("b.evil.example"), analysis)))
    assert r.decision.decision == "allow", [x.rule for x in r.decision.reasons]
    p = r.provision
    assert p.data.categories == ["domain_names", "malware_analysis"] and p.data.volume == 3 and p.data.tlp == "AMBER"
    assert r.remove == []


def test_one_email_address_is_named_and_removal_is_computed(engine):
    email = stix2.EmailAddress(value="operator@evil.example", object_marking_refs=[stix2.TLP_AMBER])
    items = stix_items(bundle(indicator("a.evil.example"), email))
    r = gate(engine, {**ENVELOPE, "data": {**ENVELOPE["data"], "personal_data": False}}, items)
    assert r.provision.data.personal_data is True  # the payload wins over the lower self-declaration
    assert r.decision.decision == "deny"
    bad = [o for o in r.objects if o.decision != "allow"]
    assert [o.id for o in bad] == [email.id] and "wiv2017.personal-data-written" in bad[0].reasons
    assert r.remove == [email.id]


def test_tlp_2_markings_and_red_to_a_private_party(engine):
    red, strict = tlp2("red"), tlp2("amber+strict")
    objs = [indicator("a.evil.example", marking=strict["id"]), indicator("b.evil.example", marking=red["id"])]
    raw = json.dumps({"type": "bundle", "id": f"bundle--{uuid.uuid4()}", "objects": [red, strict] +
                      [json.loads(o.serialize()) for o in objs]})
    items = stix_items(raw)
    assert {it.tlp for it in items if it.data} == {"AMBER+STRICT", "RED"}
    r = gate(engine, ENVELOPE, items)
    assert r.provision.data.tlp == "RED"
    assert r.decision.decision == "escalate" and "diensthoofd" in r.decision.escalate_to
    reason = next(x for x in r.decision.reasons if x.rule == "gate.tlp-red-private")
    assert "TLP:RED" in reason.message.en
    assert r.remove == [objs[1].id]
    admin = {**ENVELOPE, "context": "ad_hoc", "recipient": {**ENVELOPE["recipient"], "kind": "administrative_body"}}
    admin.pop("partnership")
    assert gate(engine, admin, items).decision.decision == "allow"


def test_tlp_1_markings_take_the_strictest(engine):
    i = stix2.Indicator(pattern="[url:value = 'http://evil.example/x']", pattern_type="stix",
                        valid_from="2025-01-01T00:00:00Z", object_marking_refs=[stix2.TLP_GREEN, stix2.TLP_AMBER])
    items = stix_items(bundle(i))
    assert items[0].tlp == "AMBER" and items[0].categories == {"urls"}


def test_unknown_object_type_escalates_naming_it(engine):
    custom = {"type": "x-acme-widget", "spec_version": "2.1", "id": f"x-acme-widget--{uuid.uuid4()}",
              "created": "2025-01-01T00:00:00.000Z", "modified": "2025-01-01T00:00:00.000Z",
              "object_marking_refs": [stix2.TLP_GREEN.id]}
    raw = json.dumps({"type": "bundle", "id": f"bundle--{uuid.uuid4()}",
                      "objects": [json.loads(indicator("a.evil.example").serialize()), custom]})
    r = gate(engine, ENVELOPE, stix_items(raw))
    assert r.decision.decision == "escalate"
    reason = next(x for x in r.decision.reasons if x.rule == "gate.unknown-object-type")
    assert "x-acme-widget" in reason.message.en and reason.escalate_to == "teamleider"
    assert r.remove == [custom["id"]]


def test_payload_contradicting_its_envelope_is_denied(engine):
    items = stix_items(bundle(indicator("a.evil.example", marking=stix2.TLP_RED)))
    env = {**ENVELOPE, "data": {**ENVELOPE["data"], "categories": ["urls"], "tlp": "GREEN"}}
    r = gate(engine, env, items)
    assert r.decision.decision == "deny"
    reason = next(x for x in r.decision.reasons if x.rule == "gate.envelope-contradiction")
    assert "categories ['urls'] vs ['domain_names']" in reason.message.en and "tlp GREEN vs RED" in reason.message.en
    assert r.remove is None and "contradicts" in r.remove_note


def test_misp_event_built_with_pymisp(engine):
    event = MISPEvent()
    event.info = "campaign"
    event.add_attribute("domain", "c2.evil.example")
    event.add_attribute("ip-dst", "203.0.113.9")
    event.add_tag("tlp:green")
    r = gate(engine, ENVELOPE, misp_items(event.to_json()))
    assert r.decision.decision == "allow" and r.provision.data.tlp == "GREEN"
    assert r.provision.data.categories == ["domain_names", "ip_addresses"]
    email = event.add_attribute("email-src", "someone@example.org")
    r = gate(engine, ENVELOPE, misp_items(event.to_json()))
    assert r.decision.decision != "allow" and r.remove == [str(email.uuid)]
    red = event.add_attribute("url", "http://evil.example/a")
    red.add_tag("tlp:red")
    assert {it.tlp for it in misp_items(event.to_json())} == {"GREEN", "RED"}


@pytest.mark.parametrize("raw,needle", [
    ("{not json", "not JSON"),
    ('{"type": "report"}', "not a STIX 2.1 bundle"),
    ('{"type": "bundle", "id": "bundle--1", "objects": [{"type": "indicator", "id": "indicator--x"}]}', "indicator--x"),
])
def test_unparsable_stix_is_an_error(raw, needle):
    with pytest.raises(PayloadError, match=needle):
        stix_items(raw)


def test_metadata_only_payload_is_an_error(engine):
    with pytest.raises(PayloadError, match="no data objects"):
        gate(engine, ENVELOPE, stix_items(bundle(stix2.Identity(name="ACME", identity_class="organization"))))


json_values = st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=10),
                           lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
                           max_leaves=20)


@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
@given(value=json_values, wrap=st.booleans())
def test_arbitrary_json_never_yields_an_allow(engine, value, wrap):
    raw = json.dumps({"type": "bundle", "id": "bundle--x", "objects": value if isinstance(value, list) else [value]}
                     if wrap else value)
    for reader in (stix_items, misp_items):
        try:
            result = gate(engine, ENVELOPE, reader(raw))
        except PayloadError:
            continue
        assert result.decision.decision != "allow"


@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
@given(n=st.integers(1, 6), position=st.integers(0, 6))
def test_one_personal_data_object_is_named(engine, n, position):
    objs = [indicator(f"d{i}.evil.example") for i in range(n)]
    email = stix2.EmailAddress(value="someone@example.org", object_marking_refs=[stix2.TLP_AMBER])
    objs.insert(min(position, n), email)
    r = gate(engine, ENVELOPE, stix_items(bundle(*objs)))
    assert [o.id for o in r.objects if o.decision != "allow"] == [email.id]
    assert r.remove == [email.id]


def test_gate_on_the_command_line(tmp_path):
    env = run_env()
    env["WIVCHECK_DB"] = str(tmp_path / "log.sqlite3")
    base = [wivcheck_bin(), "gate", "--envelope", str(ROOT / "examples" / "gate" / "envelope.yaml")]
    r = subprocess.run(base + ["--stix", str(ROOT / "examples" / "gate" / "bundle.json"), "--record"],
                       capture_output=True, text=True, env=env, timeout=60)
    assert r.returncode == 0 and "recorded: #1" in r.stdout
    r = subprocess.run(base + ["--stix", str(ROOT / "examples" / "gate" / "bundle-with-email.json"), "--format", "json"],
                       capture_output=True, text=True, env=env, timeout=60)
    out = json.loads(r.stdout)
    assert r.returncode == 3 and out["remove"] == ["email-addr--33333333-3333-4333-8333-333333333333"]
    bad = tmp_path / "bad.json"
    bad.write_text("[1, 2")
    r = subprocess.run(base + ["--misp", str(bad)], capture_output=True, text=True, env=env, timeout=60)
    assert r.returncode == 1 and "not JSON" in r.stderr
    r = subprocess.run(base + ["--misp", str(bad), "--stix", str(bad)], capture_output=True, text=True, env=env, timeout=60)
    assert r.returncode == 2


def test_gate_over_http_is_recorded(tmp_path):
    out = subprocess.run([wivcheck_bin(), "tokens", "new", "--role", "gate", "--name", "gw"], capture_output=True,
                         text=True, env=run_env(), check=True).stdout
    token = out.split("token: ")[1].split()[0]
    (tmp_path / "t.yaml").write_text(out.split("entry for the tokens file:\n")[1])
    server = Server("--tokens", str(tmp_path / "t.yaml"), "--db", str(tmp_path / "log.sqlite3"))
    try:
        c = server.client(token)
        b = json.loads((ROOT / "examples" / "gate" / "bundle-with-email.json").read_text())
        r = c.post("/v1/gate/stix", json={"envelope": ENVELOPE, "bundle": b})
        assert r.status_code == 200, r.text
        body = r.json()
        assert body["decision"]["decision"] == "deny" and body["decision"]["log"]["sequence"] == 1
        assert body["remove"] == ["email-addr--33333333-3333-4333-8333-333333333333"]
        event = MISPEvent()
        event.info = "x"
        event.add_attribute("domain", "c2.evil.example")
        event.add_tag("tlp:amber")
        r = c.post("/v1/gate/misp", json={"envelope": ENVELOPE, "event": json.loads(event.to_json())})
        assert r.status_code == 200 and r.json()["decision"]["decision"] == "allow"
        assert r.json()["decision"]["log"]["sequence"] == 2
        r = c.post("/v1/gate/stix", json={"envelope": ENVELOPE, "bundle": {"type": "report"}})
        assert r.status_code == 422 and r.json()["error"]["code"] == "invalid_payload"
        r = c.post("/v1/gate/stix", json={"envelope": {**ENVELOPE, "data": {"colour": 1}}, "bundle": b})
        assert r.status_code == 422 and r.json()["error"]["code"] == "invalid_provision"
    finally:
        server.stop()


def test_gate_routes_take_bundles_larger_than_other_bodies(tmp_path):
    """Exchange tooling sends whole bundles: the gate routes have their own, larger body limit."""
    server = Server("--db", str(tmp_path / "log.sqlite3"),
                    env={"WIVCHECK_MAX_BODY": "100000", "WIVCHECK_MAX_GATE_BODY": "1000000"})
    try:
        c = server.client()
        objects = [json.loads(indicator(f"d{i}.evil.example").serialize()) for i in range(600)]
        body = {"envelope": ENVELOPE, "bundle": {"type": "bundle", "id": "bundle--" + str(uuid.uuid4()),
                                                 "objects": objects}}
        size = len(json.dumps(body))
        assert 100_000 < size < 1_000_000
        r = c.post("/v1/gate/stix", json=body)
        assert r.status_code == 200 and r.json()["decision"]["decision"] == "allow", r.text
        assert r.json()["decision"]["log"]["sequence"] == 1
        r = c.post("/v1/check", json={**ENVELOPE, "purpose": {**ENVELOPE["purpose"], "necessity": "x" * size}})
        assert r.status_code == 413 and "100000" in r.json()["error"]["message"]
        body["bundle"]["objects"] = objects * 4
        text = json.dumps(body)
        assert len(text) > 1_000_000
        r = c.post("/v1/gate/stix", content=text, headers={"content-type": "application/json"})
        assert r.status_code == 413 and "1000000" in r.json()["error"]["message"]
        assert c.get("/v1/decisions/2").status_code == 404  # the refused bundle left no trace
    finally:
        server.stop()
