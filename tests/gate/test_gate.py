"""The gate end to end: STIX bundles and MISP events built with the ecosystem's libraries, decided
whole and per object; the handed field cases; the command line (with --stripped and --record, and
`log show`) and the HTTP routes (with the stripped payload on request)."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
import stix2

from conftest import ROOT, run_env, wivcheck_bin
from gate_util import ENVELOPE, blocked, bundle, envelope, indicator, misp_doc, misp_event, raw, run, tlp2
from server_util import Server
from wivcheck.engine import Engine, load_library
from wivcheck.engine.gate import PayloadError, read_misp, read_stix

# the handed field cases live in shared/ beside the checkout (CI), or beside the worktrees
CASES = next((p / "cases" / "gate" for p in (ROOT.parent / "shared", ROOT.parent.parent / "shared", Path("/work/shared"))
              if (p / "cases" / "gate").is_dir()), Path("/nonexistent"))
FIELD = pytest.mark.skipif(not CASES.is_dir(), reason="the handed field cases are not on this machine")


@pytest.fixture(scope="module")
def engine():
    return Engine(load_library())


def test_indicators_and_a_malware_analysis_are_allowed(engine):
    analysis = stix2.MalwareAnalysis(product="sandbox", result="malicious", object_marking_refs=[stix2.TLP_GREEN])
    r = run(engine, bundle(indicator("[domain-name:value = 'a.evil.example']"),
                           indicator("[domain-name:value = 'b.evil.example']"), analysis))
    assert r.decision.decision == "allow", [x.rule for x in r.decision.reasons]
    p = r.provision
    assert p.data.categories == ["domain_names", "malware_analysis"] and p.data.volume == 3 and p.data.tlp == "AMBER"
    assert r.remove == [] and r.may_go_stripped


def test_one_email_address_is_named_and_removal_is_computed(engine):
    email = stix2.EmailAddress(value="operator@evil.example", object_marking_refs=[stix2.TLP_AMBER])
    r = run(engine, bundle(indicator(), email), envelope(personal_data=False))
    assert r.provision.data.personal_data is True  # the payload wins over the lower self-declaration
    assert r.decision.decision == "deny"
    assert list(blocked(r)) == [email.id]
    assert "wiv2017.personal-data-written" in next(o for o in r.objects if o.id == email.id).reasons
    assert r.remove == [email.id] and r.stripped_decision.decision == "allow"


def test_tlp_2_markings_and_red_to_a_private_party(engine):
    red, strict = tlp2("red"), tlp2("amber+strict")
    a = indicator("[domain-name:value = 'a.evil.example']", marking=strict["id"])
    b = indicator("[domain-name:value = 'b.evil.example']", marking=red["id"])
    r = run(engine, bundle(red, strict, a, b))
    assert r.provision.data.tlp == "RED"
    assert r.decision.decision == "escalate" and "diensthoofd" in r.decision.escalate_to
    reason = next(x for x in r.decision.reasons if x.rule == "gate.tlp-red-private")
    assert "TLP:RED" in reason.message.en and b["id"] in reason.message.en
    assert r.remove == [b["id"]]
    admin = {**ENVELOPE, "context": "ad_hoc", "recipient": {**ENVELOPE["recipient"], "kind": "administrative_body"}}
    admin.pop("partnership")
    assert run(engine, bundle(red, strict, a, b), admin).decision.decision == "allow"


def test_unknown_object_type_escalates_naming_it(engine):
    custom = raw("x-acme-widget", object_marking_refs=[stix2.TLP_GREEN.id])
    r = run(engine, bundle(indicator(), custom))
    assert r.decision.decision == "escalate"
    reason = next(x for x in r.decision.reasons if x.rule == "gate.unknown-object-type")
    assert "x-acme-widget" in reason.message.en and reason.escalate_to == "teamleider"
    assert r.remove == [custom["id"]]


def test_payload_contradicting_its_envelope_is_denied(engine):
    r = run(engine, bundle(indicator(marking=stix2.TLP_RED)), envelope(categories=["urls"], tlp="GREEN"))
    assert r.decision.decision == "deny"
    reason = next(x for x in r.decision.reasons if x.rule == "gate.envelope-contradiction")
    assert "domain_names, not in data.categories ['urls']" in reason.message.en
    assert "TLP:RED, data.tlp says GREEN" in reason.message.en
    assert r.remove is None


def test_declared_bounds_the_payload_keeps_are_no_contradiction(engine):
    r = run(engine, bundle(indicator()), envelope(categories=["domain_names", "urls"], volume=5, tlp="RED"))
    assert not [x for x in r.decision.reasons if x.rule == "gate.envelope-contradiction"]
    r = run(engine, bundle(indicator(), indicator("[url:value = 'http://evil.example/a']")), envelope(volume=1))
    assert any(x.rule == "gate.envelope-contradiction" and "data.volume says 1" in x.message.en
               for x in r.decision.reasons)


def test_misp_event_built_with_pymisp(engine):
    event = misp_event("tlp:green")
    event.add_attribute("ip-dst", "203.0.113.9")
    r = run(engine, misp_doc(event))
    assert r.decision.decision == "allow" and r.provision.data.tlp == "GREEN"
    assert r.provision.data.categories == ["domain_names", "ip_addresses"]
    email = event.add_attribute("email-src", "someone@example.org")
    r = run(engine, misp_doc(event))
    assert r.decision.decision != "allow" and r.remove == [str(email.uuid)]
    red = event.add_attribute("url", "http://evil.example/a")
    red.add_tag("tlp:red")
    assert {it.tlp for it in read_misp(event.to_json()) if it.carries} == {"GREEN", "RED"}


@pytest.mark.parametrize("payload,needle", [
    ("{not json", "not JSON"),
    ('{"type": "report"}', "not a STIX 2.1 bundle"),
    ('{"type": "bundle", "id": "bundle--1", "objects": [{"type": "indicator", "id": "indicator--x"}]}', "indicator--x"),
])
def test_unreadable_stix_is_an_error(payload, needle):
    with pytest.raises(PayloadError, match=needle):
        read_stix(payload)


def test_metadata_only_payload_is_an_error(engine):
    with pytest.raises(PayloadError, match="no data objects"):
        run(engine, bundle(stix2.Identity(name="ACME", identity_class="organization")))


def test_envelope_takes_the_provision_data_fields_and_no_others(engine):
    with pytest.raises(Exception, match="data.colour"):
        run(engine, bundle(indicator()), envelope(colour=1))


def test_recorded_gate_decision_holds_digest_ids_outcomes_and_removal(engine, tmp_path):
    from wivcheck.engine.log import Ledger, recording
    email = stix2.EmailAddress(value="operator@evil.example", object_marking_refs=[stix2.TLP_AMBER])
    b = bundle(indicator(), email)
    r = run(engine, b)
    ledger = Ledger(tmp_path / "log.sqlite3", create=True)
    d = recording.record(ledger, [r.provision], [r.decision.model_copy(update={"gate": r.record()})])[0]
    _, back = recording.stored(ledger.get(str(d.log.sequence)))
    g = back.gate
    assert g.payload_sha256 == read_stix(json.dumps(b)).sha256 and g.payload_ids == [b["id"]]
    assert {o.id: o.decision for o in g.objects} == {b["objects"][0]["id"]: "allow", email.id: "deny"}
    assert g.remove == [email.id] and g.stripped_decision == "allow"
    assert ledger.verify()[1] is None
    # the decision contract of check stays without a gate key
    assert "gate" not in r.decision.model_dump(mode="json")


# -- the handed field cases, each one instance of a kind --------------------------------------------

def _env(name: str) -> dict:
    """The case's envelope with the contract v1.1 facts of `v11-extra.yaml` (benign values) added
    where it lacks them, as the cases' own runner does: the rules need those facts (an unknown fact
    fails closed), and a control must stay a control."""
    import yaml
    env = json.loads(json.dumps(yaml.safe_load((CASES / name).read_text()), default=str))
    extra = CASES.parent / "v11-extra.yaml"

    def merge(a: dict, b: dict) -> None:
        for k, v in b.items():
            if isinstance(v, dict) and isinstance(a.get(k), dict):
                merge(a[k], v)
            elif k not in a:
                a[k] = v
    if extra.exists():
        merge(env, json.loads(json.dumps(yaml.safe_load(extra.read_text()), default=str)))
    return env


@FIELD
@pytest.mark.parametrize("name,fmt,env,want", [
    ("clean.json", "stix", "envelope.yaml", "allow"),
    ("f01-pattern-or.json", "stix", "envelope.yaml", "deny"),
    ("f03-granular-red.json", "stix", "envelope-green.yaml", "not allow"),
    ("f05-dangling-refs.json", "stix", "envelope.yaml", "deny"),
    ("f06-misp-shadow-attribute-in-object.json", "misp", "envelope.yaml", "not allow"),
    ("f08-misp-object-tag-red.json", "misp", "envelope.yaml", "escalate"),
    ("f09-response-two-events.json", "misp", "envelope.yaml", "not allow"),
    ("f11-identity-no-class.json", "stix", "envelope.yaml", "not allow"),
    ("f11-location-home-address.json", "stix", "envelope.yaml", "not allow"),
    ("f19-misp-attribute-distribution-0.json", "misp", "envelope.yaml", "not allow"),
])
def test_handed_cases(engine, name, fmt, env, want):
    from wivcheck.engine.gate import gate, read
    r = gate(engine, _env(env), read(fmt, (CASES / name).read_bytes()))
    assert r.decision.decision != "allow" if want == "not allow" else r.decision.decision == want


@FIELD
def test_handed_impossible_timestamp_is_an_error_naming_object_and_property():
    with pytest.raises(PayloadError) as exc:
        read_stix((CASES / "f10-created-feb29-nonleap.json").read_bytes())
    assert exc.value.where == "indicator--0a0a0a0a-0000-4000-8000-000000000002"
    assert "created" in exc.value.message and "February 2025 has 28 days" in exc.value.message


# -- the command line ---------------------------------------------------------------------------------

def _cli(*args, env=None):
    return subprocess.run([wivcheck_bin(), "gate", *args], capture_output=True, text=True, env=env or run_env(),
                          timeout=120)


def test_gate_on_the_command_line(tmp_path):
    env = run_env()
    env["WIVCHECK_DB"] = str(tmp_path / "log.sqlite3")
    base = ["--envelope", str(ROOT / "examples" / "gate" / "envelope.yaml")]
    r = _cli(*base, "--stix", str(ROOT / "examples" / "gate" / "bundle.json"), "--record", env=env)
    assert r.returncode == 0 and "recorded: #1" in r.stdout or "vastgelegd: #1" in r.stdout
    r = _cli(*base, "--stix", str(ROOT / "examples" / "gate" / "bundle-with-email.json"), "--format", "json", env=env)
    out = json.loads(r.stdout)
    assert r.returncode == 3 and out["remove"] == ["email-addr--33333333-3333-4333-8333-333333333333"]
    assert out["payload"]["format"] == "stix" and len(out["payload"]["sha256"]) == 64
    bad = tmp_path / "bad.json"
    bad.write_text("[1, 2")
    r = _cli(*base, "--misp", str(bad), env=env)
    assert r.returncode == 1 and "not JSON" in r.stderr
    r = _cli(*base, "--misp", str(bad), "--format", "json", env=env)
    err = json.loads(r.stdout)
    assert r.returncode == 1 and err["error"]["code"] == "invalid_payload" and err["source"] == str(bad)
    r = _cli(*base, "--misp", str(bad), "--stix", str(bad), env=env)
    assert r.returncode == 2


def test_stripped_is_written_only_when_it_may_go_and_log_show_renders_the_record(tmp_path):
    env = run_env()
    env["WIVCHECK_DB"] = str(tmp_path / "log.sqlite3")
    person = raw("identity", name="Kees Smit", identity_class="individual")
    email = raw("email-addr", value="k.smit@mail.example")
    ind = indicator()
    rel = raw("relationship", relationship_type="related-to", source_ref=ind["id"], target_ref=email["id"])
    rep = raw("report", name="Campaign", published=TS_, object_refs=[ind["id"], email["id"], person["id"]])
    src = tmp_path / "b.json"
    src.write_text(json.dumps(bundle(ind, email, person, rel, rep)))
    out = tmp_path / "stripped.json"
    r = _cli("--stix", str(src), "--envelope", str(ROOT / "examples" / "gate" / "envelope.yaml"),
             "--stripped", str(out), "--record", "--format", "json", env=env)
    assert r.returncode == 3, r.stderr
    got = json.loads(out.read_text())
    ids = {o["id"] for o in got["objects"]}
    assert ids == {ind["id"], rep["id"]}
    assert next(o for o in got["objects"] if o["id"] == rep["id"])["object_refs"] == [ind["id"]]
    again = _cli("--stix", str(out), "--envelope", str(ROOT / "examples" / "gate" / "envelope.yaml"), env=env)
    assert again.returncode == 0
    show = subprocess.run([wivcheck_bin(), "log", "show", "1", "--lang", "en"], capture_output=True, text=True,
                          env=env, timeout=60)
    assert show.returncode == 0
    assert json.loads(r.stdout)["payload"]["sha256"] in show.stdout
    assert f"{email['id']} (email-addr): deny" in show.stdout and f"{ind['id']} (indicator): allow" in show.stdout
    assert f"{rel['id']} removed" in show.stdout and "stripped payload: allow" in show.stdout
    html = subprocess.run([wivcheck_bin(), "log", "show", "1", "--format", "html"], capture_output=True,
                          text=True, env=env, timeout=60).stdout
    assert '<section class="gate">' in html and email["id"] in html
    # a payload that cannot be stripped into something allowed writes nothing
    only = tmp_path / "only.json"
    only.write_text(json.dumps(bundle(email)))
    out2 = tmp_path / "none.json"
    r = _cli("--stix", str(only), "--envelope", str(ROOT / "examples" / "gate" / "envelope.yaml"),
             "--stripped", str(out2), env=env)
    assert r.returncode == 3 and not out2.exists() and "not written" in r.stderr


TS_ = "2025-03-01T00:00:00Z"


# -- HTTP ---------------------------------------------------------------------------------------------

def test_gate_over_http_is_recorded_and_gives_the_stripped_payload_on_request(tmp_path):
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
        assert body["stripped"] is None and body["stripped_decision"]["may_go"] is True
        r = c.post("/v1/gate/stix?stripped=true", json={"envelope": ENVELOPE, "bundle": b})
        stripped = r.json()["stripped"]
        assert "email-addr--33333333-3333-4333-8333-333333333333" not in {o["id"] for o in stripped["objects"]}
        assert r.json()["stripped_decision"]["sha256"] == read_stix(stripped).sha256
        shown = c.get("/v1/decisions/2").json()
        assert shown["gate"]["payload_sha256"] == body["payload"]["sha256"]
        assert shown["gate"]["remove"] == body["remove"]
        md = c.get("/v1/decisions/2?format=markdown&lang=en").text
        assert "## Gate" in md and body["payload"]["sha256"] in md
        assert '<section class="gate">' in c.get("/v1/decisions/2?format=html").text
        event = misp_event()
        r = c.post("/v1/gate/misp", json={"envelope": ENVELOPE, "event": misp_doc(event)})
        assert r.status_code == 200 and r.json()["decision"]["decision"] == "allow"
        assert r.json()["decision"]["log"]["sequence"] == 3
        r = c.post("/v1/gate/stix", json={"envelope": ENVELOPE, "bundle": {"type": "report"}})
        assert r.status_code == 422 and r.json()["error"]["code"] == "invalid_payload"
        r = c.post("/v1/gate/stix", json={"envelope": {**ENVELOPE, "data": {"colour": 1}}, "bundle": b})
        assert r.status_code == 422 and r.json()["error"]["code"] == "invalid_provision"
        bad = json.loads(json.dumps(b))
        bad["objects"][0]["created"] = "2025-04-31T00:00:00.000Z"
        r = c.post("/v1/gate/stix", json={"envelope": ENVELOPE, "bundle": bad})
        err = r.json()["error"]
        assert r.status_code == 422 and err["problems"][0]["path"] == bad["objects"][0]["id"]
        assert "April 2025 has 30 days" in err["problems"][0]["message"]
    finally:
        server.stop()


def test_cli_and_http_give_the_same_answer(tmp_path, engine):
    """The same payload and envelope: the same decision, objects, removal set and digest."""
    b = json.loads((ROOT / "examples" / "gate" / "bundle-with-email.json").read_text())
    cli = json.loads(_cli("--stix", str(ROOT / "examples" / "gate" / "bundle-with-email.json"), "--envelope",
                          str(ROOT / "examples" / "gate" / "envelope.yaml"), "--format", "json").stdout)
    server = Server("--db", str(tmp_path / "log.sqlite3"))
    try:
        api = server.client().post("/v1/gate/stix", json={"envelope": ENVELOPE, "bundle": b}).json()
    finally:
        server.stop()
    for key in ("objects", "remove", "payload", "dependents"):
        assert cli[key] == api[key], key
    assert cli["decision"]["decision"] == api["decision"]["decision"]
    assert [x["rule"] for x in cli["decision"]["reasons"]] == [x["rule"] for x in api["decision"]["reasons"]]


def test_gate_routes_take_bundles_larger_than_other_bodies(tmp_path):
    """Exchange tooling sends whole bundles: the gate routes have their own, larger body limit."""
    server = Server("--db", str(tmp_path / "log.sqlite3"),
                    env={"WIVCHECK_MAX_BODY": "100000", "WIVCHECK_MAX_GATE_BODY": "1000000"})
    try:
        c = server.client()
        objects = [indicator(f"[domain-name:value = 'd{i}.evil.example']") for i in range(600)]
        body = {"envelope": ENVELOPE, "bundle": bundle(*objects)}
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
