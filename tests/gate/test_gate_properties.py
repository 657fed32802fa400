"""Properties of the gate (hypothesis): arbitrary JSON never allows; adding any object never loosens
the decision, and a contradiction with the envelope is reported whatever else the payload holds; a
personal-data object anywhere (top level, embedded, in a pattern, in a proposal, in free text) is
named."""

from __future__ import annotations

import base64
import json
import uuid

import pytest
import stix2
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gate_util import ENVELOPE, TS, bundle, envelope, indicator, raw, run
from wivcheck.engine import Engine, load_library
from wivcheck.engine.gate import PayloadError, read_misp, read_stix
from wivcheck.engine.gate.decide import RANK

SETTINGS = dict(deadline=None, suppress_health_check=list(HealthCheck))


@pytest.fixture(scope="module")
def engine():
    return Engine(load_library())


json_values = st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=10),
                           lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
                           max_leaves=20)
keys = st.sampled_from(["type", "id", "objects", "Event", "Attribute", "Object", "value", "info", "Tag", "name",
                        "pattern", "response", "distribution", "uuid", "spec_version"])
shaped = st.recursive(st.none() | st.booleans() | st.integers(-2, 6) | st.sampled_from(
    ["bundle", "indicator", "domain", "tlp:clear", "c2.evil.example", "[domain-name:value = 'a.example']", "5"]),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(keys, inner, max_size=5), max_leaves=25)


def _gate_or_error(engine, reader, payload):
    from wivcheck.engine.gate import gate
    try:
        return gate(engine, ENVELOPE, reader(json.dumps(payload)))
    except PayloadError as exc:
        assert exc.message and "Traceback" not in str(exc)
        for internal in ("KeyError", "list index out of range", "NoneType", "object has no attribute"):
            assert internal not in str(exc)
        return None


@settings(max_examples=300, **SETTINGS)
@given(value=json_values, wrap=st.booleans())
def test_arbitrary_json_never_yields_an_allow(engine, value, wrap):
    payload = ({"type": "bundle", "id": f"bundle--{uuid.uuid4()}", "objects": value if isinstance(value, list) else [value]}
               if wrap else value)
    for reader in (read_stix, read_misp):
        result = _gate_or_error(engine, reader, payload)
        assert result is None or result.decision.decision != "allow"


@settings(max_examples=300, **SETTINGS)
@given(value=shaped)
def test_payload_shaped_junk_is_an_error_or_a_decision_never_a_crash(engine, value):
    """JSON built from the formats' own keys and values: a clear error or a decision; an allow only
    for a payload every object of which is allowed."""
    for reader in (read_stix, read_misp):
        result = _gate_or_error(engine, reader, value)
        if result is not None and result.decision.decision == "allow":
            assert all(o.decision in ("allow", "metadata") for o in result.objects)
            assert all(it.tlp and not it.findings for it in result.payload.items if it.carries)


# -- a pool of objects of every kind --------------------------------------------------------------------

def _pool(i: int) -> list[dict]:
    ind = indicator(f"[domain-name:value = 'd{i}.evil.example']")
    return [
        ind,
        indicator(f"[ipv4-addr:value = '198.51.100.{i % 250}']", marking=stix2.TLP_GREEN),
        indicator(f"[url:value = 'http://e{i}.example/x'] AND [domain-name:value = 'x{i}.example']"),
        indicator(f"[domain-name:value = 'a{i}.example' OR email-addr:value = 'u{i}@corp.example']"),
        indicator(f"[domain-name:value = 'r{i}.example']", marking=stix2.TLP_RED),
        raw("email-addr", value=f"p{i}@corp.example"),
        raw("identity", name="Anna de Boer"),
        raw("identity", name=f"Org {i}", identity_class="organization"),
        raw("location", street_address=f"Kerkstraat {i}", country="NL"),
        raw("malware", name=f"m{i}", is_family=True, description=f"Contact the author at +31 6 1234 56{i % 90 + 10}"),
        raw("malware", name=f"clean{i}", is_family=True),
        raw("x-acme-widget"),
        raw("note", content="ok", authors=["Jan Jansen"], object_refs=[ind["id"]]),
        raw("observed-data", first_observed=TS, last_observed=TS, number_observed=1, objects={
            "0": {"type": "user-account", "spec_version": "2.1", "account_login": f"u{i}",
                  "id": f"user-account--{uuid.uuid4()}"}}),
        raw("threat-actor", name="Ivan Petrov"),
        raw("report", name="r", published="2025-03-01T00:00:00Z", object_refs=[ind["id"]],
            object_marking_refs=[stix2.TLP_RED.id]),
        # the second round of issue 12: the same kinds in other forms
        raw("identity", name=f"иван петров{'а' * (i % 3)}", identity_class="organization"),
        raw("malware", name=f"n{i}", is_family=True, description=f"mail jan{i} [at] corp dot example"),
        raw("malware", name=f"o{i}", is_family=True, description="refund to nl91 abna 0417 1643 00"),
        raw("malware", name=f"p{i}", is_family=True, description=f"drop at Kerkstraat {i}, 1234 AB Utrecht"),
        {**indicator(f"[domain-name:value = 'k{i}.example']"), "x_acme_login": f"jj{i}", "x_phone": 31612345678},
        {**raw("domain-name", value=f"ext{i}.example"), "extensions": {"x-acme-ext": {"contact": "jan"}}},
        raw("artifact", payload_bin=base64.b64encode(b"%PDF-1.7 x").decode(), hashes={"SHA-256": "c" * 64}),
        raw("artifact", payload_bin=base64.b64encode(b"MZ" + bytes(64)).decode(), hashes={"SHA-256": "d" * 64}),
    ]


POOL = _pool(1) + _pool(2)
picks = st.lists(st.integers(0, len(POOL) - 1), min_size=1, max_size=6, unique=True)


def _decide(engine, objs, env=None):
    r = run(engine, bundle(*objs), env, strip=False)
    return r, {x.rule for x in r.decision.reasons}


@settings(max_examples=120, **SETTINGS)
@given(base=picks, extra=st.integers(0, len(POOL) - 1), declared=st.booleans())
def test_adding_an_object_never_loosens(engine, base, extra, declared):
    env = envelope(categories=["domain_names", "ip_addresses"], tlp="AMBER") if declared else None
    objs = [POOL[i] for i in base]
    try:
        before, rules_before = _decide(engine, objs, env)
    except PayloadError:
        return
    more = objs + ([POOL[extra]] if extra not in base else [])
    after, rules_after = _decide(engine, more, env)
    assert RANK[after.decision.decision] >= RANK[before.decision.decision]
    gate_before = {r for r in rules_before if r.startswith("gate.")}
    assert gate_before <= rules_after
    if "gate.envelope-contradiction" in rules_before:          # whatever else the payload holds
        assert "gate.envelope-contradiction" in rules_after and after.decision.decision == "deny"


@settings(max_examples=60, **SETTINGS)
@given(base=picks, where=st.sampled_from(["top", "embedded", "pattern", "text", "custom", "identity", "obfuscated",
                                         "key", "extension", "number", "document", "name"]),
       at=st.integers(0, 6))
def test_a_personal_data_object_anywhere_is_named(engine, base, where, at):
    objs = [POOL[i] for i in base]
    if where == "top":
        bad = raw("email-addr", value="hidden@corp.example")
    elif where == "embedded":
        bad = raw("observed-data", first_observed=TS, last_observed=TS, number_observed=1, objects={
            "0": {"type": "domain-name", "spec_version": "2.1", "value": "a.example",
                  "id": f"domain-name--{uuid.uuid4()}"},
            "1": {"type": "email-addr", "spec_version": "2.1", "value": "hidden@corp.example",
                  "id": f"email-addr--{uuid.uuid4()}"}})
    elif where == "pattern":
        bad = indicator("[domain-name:value = 'a.example'] FOLLOWEDBY [email-message:from_ref.value = "
                        "'hidden@corp.example']")
    elif where == "text":
        bad = indicator(description="Sent by hidden[at]corp[.]example")
    elif where == "custom":
        bad = indicator()
        bad["x_acme_victim"] = {"name": "Someone", "mail": "hidden@corp.example"}
    elif where == "obfuscated":
        bad = indicator(description="Sent by hidden\u200b＠corp . example")
    elif where == "key":
        bad = indicator()
        bad["x_acme_registrant"] = "hidden"
    elif where == "extension":
        bad = {**raw("domain-name", value="x.example"), "extensions": {"x-acme-ext": {"username": "hidden"}}}
    elif where == "number":
        bad = indicator()
        bad["x_acme_callback"] = 31612345678
    elif where == "document":
        bad = raw("artifact", payload_bin=base64.b64encode(b"%PDF-1.7 hidden").decode(), hashes={"MD5": "e" * 32})
    elif where == "name":
        bad = raw("threat-actor", name="иван петров")
    else:
        bad = raw("identity", name="Anna de Boer", identity_class="indiviDUAL ")
    objs.insert(min(at, len(objs)), bad)
    r = run(engine, bundle(*objs), strip=False)
    named = {o.id: o for o in r.objects}
    assert named[bad["id"]].decision in ("deny", "escalate") and named[bad["id"]].findings
    assert r.decision.decision != "allow"


@settings(max_examples=40, **SETTINGS)
@given(n=st.integers(0, 4), level=st.sampled_from(["event", "attribute", "object"]))
def test_personal_data_in_a_misp_proposal_is_named(engine, n, level):
    attrs = [{"type": "domain", "value": f"d{i}.example", "uuid": str(uuid.uuid4())} for i in range(n + 1)]
    proposal = {"type": "full-name", "value": "Anna de Boer", "uuid": str(uuid.uuid4())}
    ev = {"uuid": str(uuid.uuid4()), "info": "x", "Tag": [{"name": "tlp:amber"}], "Attribute": attrs}
    if level == "event":
        ev["ShadowAttribute"] = [proposal]
    elif level == "attribute":
        attrs[n]["ShadowAttribute"] = [proposal]
    else:
        ev["Object"] = [{"name": "file", "Attribute": [{"type": "sha256", "value": "a" * 64,
                                                         "ShadowAttribute": [proposal]}]}]
    r = run(engine, {"Event": ev})
    assert {o.id: o.decision for o in r.objects}[proposal["uuid"]] == "deny"
    assert r.decision.decision == "deny" and proposal["uuid"] in (r.remove or [])
