"""Escalations closed by the people who decide, on a real uvicorn with a real log (SQLite and
PostgreSQL): an analyst records an escalated provision; it waits in the head of service's queue; a
`diensthoofd` token approves it; the provision naming the reference is then allowed with the
approval verified, and the queue is empty. An invented reference, a team leader approving a
head-of-service rule, an approval dated after the provision, one whose written role or date differ
from the log's, a deny-rule and a rule that did not escalate are each refused with the reason. The
same provision through the CLI without a log gives the approval `unverified`; with the service's log
it gives the service's answer."""

from __future__ import annotations

import copy
import datetime as dt
import json
import os
import subprocess
import uuid

import pytest

from conftest import BACKENDS, _fresh_target, patched, pg_drop, run_env, wivcheck_bin
from server_util import Server, make_tokens
from wivcheck.engine.log import Ledger

ROLES = ("analyst", "gate", "auditor", "teamleider", "diensthoofd", "minister")
RULE = "waarborgen-pps.residual-risk"


def today() -> dt.date:
    return dt.datetime.now(dt.timezone.utc).date()


def escalated(**patch) -> dict:
    """A provision dated today whose only open rule is the residual risk (head of service)."""
    day = today()
    data = patched({"id": f"PRV-{uuid.uuid4().hex[:10]}", "date": day.isoformat(),
                    "partnership": {"residual_risk": "open",
                                    "assessed_on": (day - dt.timedelta(days=30)).isoformat(),
                                    "valid_until": (day + dt.timedelta(days=300)).isoformat(),
                                    "secrecy_until": (day + dt.timedelta(days=300)).isoformat()}})
    return json.loads(json.dumps(patched(patch, data), default=str))


@pytest.fixture(scope="module")
def tokens(tmp_path_factory):
    path, out = make_tokens(tmp_path_factory.mktemp("tokens"), roles=ROLES,
                            names={"diensthoofd": "hoofd-aivd", "teamleider": "tl-cyber"})
    os.chmod(path, 0o600)
    return path, out


@pytest.fixture(scope="module", params=BACKENDS)
def service(request, tokens, tmp_path_factory):
    target, drop = _fresh_target(request, request.param, tmp_path_factory.mktemp("svc"))
    server = Server("--tokens", str(tokens[0]), "--db", target)
    yield server, target
    server.stop()
    if drop:
        pg_drop(*drop)


def record(server, tokens, provision) -> dict:
    r = server.client(tokens["analyst"]).post("/v1/decisions", json=provision)
    assert r.status_code == 201, r.text
    return r.json()


def queue(server, token, **params) -> list[str]:
    r = server.client(token).get("/v1/escalations", params=params)
    assert r.status_code == 200, r.text
    return [it["provision_id"] for it in r.json()["items"]]


def test_the_flow_from_escalation_to_approval(service, tokens):
    server, target = service
    t = tokens[1]
    p = escalated()
    first = record(server, t, p)
    assert first["decision"] == "escalate" and first["escalate_to"] == ["diensthoofd"]

    # the queue: the head of service's, not the team leader's; the Minister's only with below
    assert p["id"] in queue(server, t["diensthoofd"])
    assert p["id"] not in queue(server, t["teamleider"])
    assert p["id"] not in queue(server, t["minister"])
    assert p["id"] in queue(server, t["minister"], below="true")
    assert p["id"] in queue(server, t["auditor"], role="diensthoofd")
    item = next(it for it in server.client(t["diensthoofd"]).get("/v1/escalations").json()["items"]
                if it["provision_id"] == p["id"])
    assert item["rules"] == [RULE] and item["decision_id"] == first["decision_id"]
    assert item["summary"]["recipient"]["name"] == p["recipient"]["name"]
    assert item["reasons"][0]["message"]["en"]

    # the approver reads the explanation of what they are asked to approve
    assert server.client(t["diensthoofd"]).get(f"/v1/decisions/{first['decision_id']}").status_code == 200

    # a team leader cannot approve a head-of-service rule
    r = server.client(t["teamleider"]).post("/v1/approvals", json={"provision_id": p["id"], "rule": RULE})
    assert r.status_code == 403 and "diensthoofd or higher" in r.json()["error"]["message"], r.text
    # an analyst has no approving role at all
    r = server.client(t["analyst"]).post("/v1/approvals", json={"provision_id": p["id"], "rule": RULE})
    assert r.status_code == 403

    r = server.client(t["diensthoofd"]).post("/v1/approvals", json={"provision_id": p["id"], "rule": RULE,
                                                                      "note": "risk weighed and accepted"})
    assert r.status_code == 201, r.text
    given = r.json()
    assert given["reference"].startswith("apr-") and given["role"] == "diensthoofd"
    assert given["approver"] == {"token": "hoofd-aivd", "role": "diensthoofd"}
    assert given["escalation"] == {"decision_id": first["decision_id"], "sequence": first["log"]["sequence"]}
    assert given["approvals_entry"] == {"rule": RULE, "role": "diensthoofd", "reference": given["reference"],
                                       "date": today().isoformat()}
    # read back; approving it twice is refused, naming the first
    back = server.client(t["auditor"]).get(f"/v1/approvals/{given['reference']}").json()
    assert back["note"] == "risk weighed and accepted" and back["log"] == given["log"]
    r = server.client(t["minister"]).post("/v1/approvals", json={"provision_id": p["id"], "rule": RULE})
    assert r.status_code == 409 and given["reference"] in r.json()["error"]["message"]

    # the queue no longer shows it
    assert p["id"] not in queue(server, t["diensthoofd"])

    # the provision naming the reference is allowed, with the approval verified
    approved = record(server, t, {**p, "approvals": [given["approvals_entry"]]})
    assert approved["decision"] == "allow", approved
    ap = approved["approved"][0]["approved_by"]
    assert ap["verified"] is True and ap["approver"] == "hoofd-aivd" and ap["sequence"] == given["log"]["sequence"]
    assert approved["warnings"] == []
    md = server.client(t["analyst"]).get(f"/v1/decisions/{approved['decision_id']}",
                                         params={"format": "markdown", "lang": "en"}).text
    assert "verified in the decision log" in md and "hoofd-aivd" in md

    # the log still verifies, approvals included, and export carries the approval
    with Ledger(target) as ledger:
        n, fault = ledger.verify()
        assert fault is None and n >= 3
        assert any(e.outcome == "approval" for e in ledger.entries())


def _approved(server, tokens) -> tuple[dict, dict]:
    t = tokens[1]
    p = escalated()
    record(server, t, p)
    r = server.client(t["diensthoofd"]).post("/v1/approvals", json={"provision_id": p["id"], "rule": RULE})
    assert r.status_code == 201, r.text
    return p, r.json()


def _check(server, tokens, provision) -> dict:
    r = server.client(tokens[1]["analyst"]).post("/v1/check", json=provision)
    assert r.status_code == 200, r.text
    return r.json()


def test_an_invented_reference_leaves_the_escalation_open(service, tokens):
    server, _ = service
    p = escalated(approvals=[{"rule": RULE, "role": "diensthoofd", "reference": "apr-invented",
                              "date": today().isoformat()}])
    d = _check(server, tokens, p)
    assert d["decision"] == "escalate" and d["approved"] == []
    assert any("apr-invented" in w and "holds no approval with this reference" in w for w in d["warnings"])


def test_a_reference_written_with_another_role_date_or_provision_is_refused(service, tokens):
    server, _ = service
    p, given = _approved(server, tokens)
    entry = given["approvals_entry"]
    cases = {
        "minister": ({**p, "approvals": [{**entry, "role": "minister"}]}, "not the minister"),
        "earlier date": ({**p, "approvals": [{**entry, "date": (today() - dt.timedelta(days=1)).isoformat()}]},
                         "as given on"),
        "other provision": ({**escalated(), "approvals": [entry]}, f"for provision {p['id']}"),
    }
    for name, (provision, why) in cases.items():
        d = _check(server, tokens, provision)
        assert d["decision"] == "escalate", name
        assert any(why in w for w in d["warnings"]), (name, d["warnings"])


def test_an_approval_dated_after_the_provision_is_refused(service, tokens):
    server, _ = service
    p, given = _approved(server, tokens)
    earlier = (today() - dt.timedelta(days=1)).isoformat()
    d = _check(server, tokens, {**p, "date": earlier, "approvals": [given["approvals_entry"]]})
    assert d["decision"] == "escalate"
    assert any("after the provision date" in w for w in d["warnings"]), d["warnings"]


def test_a_deny_rule_or_a_rule_that_did_not_escalate_cannot_be_approved(service, tokens):
    server, _ = service
    t = tokens[1]
    p = escalated()
    d = record(server, t, p)
    deny_rule = next(s["rule"] for s in d["trace"] if s["on_fail"] == "deny")
    calm = next(s["rule"] for s in d["trace"] if s["on_fail"] == "escalate" and s["status"] != "violated")
    c = server.client(t["minister"])
    r = c.post("/v1/approvals", json={"provision_id": p["id"], "rule": deny_rule})
    assert r.status_code == 409 and "deny rule" in r.json()["error"]["message"]
    r = c.post("/v1/approvals", json={"provision_id": p["id"], "rule": calm})
    assert r.status_code == 409 and "did not escalate" in r.json()["error"]["message"]
    r = c.post("/v1/approvals", json={"provision_id": "PRV-never-recorded", "rule": RULE})
    assert r.status_code == 404 and "record the escalated provision first" in r.json()["error"]["message"]
    r = c.post("/v1/approvals", json={"provision_id": p["id"], "rule": RULE, "role": "diensthoofd"})
    assert r.status_code == 403 and "approves as the minister" in r.json()["error"]["message"]
    r = c.post("/v1/approvals", json={"provision_id": p["id"], "rule": RULE, "extra": 1})
    assert r.status_code == 422
    with Ledger(service[1]) as ledger:
        assert not [e for e in ledger.entries() if e.provision_id == p["id"] and e.outcome == "approval"]


def test_the_cli_offline_marks_the_approval_unverified_and_with_the_log_agrees_with_the_service(
        service, tokens, tmp_path):
    server, target = service
    p, given = _approved(server, tokens)
    provision = {**p, "approvals": [given["approvals_entry"]]}
    path = tmp_path / "p.json"
    path.write_text(json.dumps(provision))

    def cli(*args):
        r = subprocess.run([wivcheck_bin(), "check", "--format", "json", *args, str(path)],
                           capture_output=True, text=True, env=run_env())
        return r.returncode, json.loads(r.stdout.splitlines()[0])

    code, offline = cli()
    assert code == 0 and offline["decision"] == "allow"
    assert offline["approved"][0]["approved_by"]["verified"] is False
    text = subprocess.run([wivcheck_bin(), "check", "--lang", "en", str(path)], capture_output=True, text=True,
                          env=run_env()).stdout
    assert "NOT verified" in text
    code, logged = cli("--db", target)
    service_answer = _check(server, tokens, provision)
    assert code == 0 and logged["approved"] == service_answer["approved"]
    assert logged["approved"][0]["approved_by"]["verified"] is True
    # an invented reference: offline it closes (unverified), with the log it does not
    invented = copy.deepcopy(provision)
    invented["approvals"][0]["reference"] = "apr-typo"
    path.write_text(json.dumps(invented))
    assert cli()[0] == 0
    assert cli("--db", target)[0] == 4


def test_an_approval_covers_the_content_the_approver_saw_not_other_content_under_the_same_id(service, tokens):
    server, _ = service
    p, given = _approved(server, tokens)
    entry = given["approvals_entry"]
    other = copy.deepcopy(p)
    other["recipient"]["name"] = "Totally Different Corp"
    other["data"]["volume"] = 100000
    d = record(server, tokens[1], {**other, "approvals": [entry]})
    assert d["decision"] == "escalate" and d["approved"] == []
    assert any("differs from it" in w for w in d["warnings"]), d["warnings"]
    # the same content re-dated later (the approval day stays on or before it) still uses it
    later = (today() + dt.timedelta(days=3)).isoformat()
    d = _check(server, tokens, {**p, "date": later, "approvals": [entry]})
    assert d["decision"] == "allow", d["warnings"]
    # listed twice: one closes the rule, the other says so
    d = _check(server, tokens, {**p, "approvals": [entry, entry]})
    assert d["decision"] == "allow" and any("already approved by" in w for w in d["warnings"])


def test_a_denied_decision_is_not_approved_and_notes_are_plain_text(service, tokens):
    server, _ = service
    t = tokens[1]
    p = escalated()
    p["partnership"]["secrecy_until"] = (today() - dt.timedelta(days=1)).isoformat()
    assert record(server, t, p)["decision"] == "deny"
    r = server.client(t["diensthoofd"]).post("/v1/approvals", json={"provision_id": p["id"], "rule": RULE})
    assert r.status_code == 409 and "not an escalation" in r.json()["error"]["message"]
    q = escalated()
    record(server, t, q)
    c = server.client(t["diensthoofd"])
    r = c.post("/v1/approvals", json={"provision_id": q["id"], "rule": RULE, "note": "ok \u202e evil"})
    assert r.status_code == 409 and "U+202E" in r.json()["error"]["message"]
    r = c.post("/v1/approvals", json={"provision_id": q["id"], "rule": RULE, "note": "   "})
    assert r.status_code == 201 and r.json()["note"] is None
    assert c.get("/v1/escalations", params={"below": "yes"}).status_code == 422


def test_a_local_users_approval_does_not_count_in_a_service_with_tokens(service, tokens, tmp_path):
    server, target = service
    p = escalated()
    record(server, tokens[1], p)
    r = subprocess.run([wivcheck_bin(), "approve", "--db", target, "--provision", p["id"], "--rule", RULE,
                        "--role", "minister", "--format", "json"],
                       capture_output=True, text=True, env={**run_env(), "USER": "hoofd-aivd", "LOGNAME": "hoofd-aivd"})
    assert r.returncode == 0, r.stderr
    given = json.loads(r.stdout)
    assert given["approver"]["local_user"] != "hoofd-aivd"        # the account, not $USER
    provision = {**p, "approvals": [given["approvals_entry"]]}
    d = _check(server, tokens, provision)
    assert d["decision"] == "escalate"
    assert any("not with an approver's token" in w for w in d["warnings"]), d["warnings"]
    # the command line, one user's tool, takes it (verified against the log)
    path = tmp_path / "p.json"
    path.write_text(json.dumps(provision))
    r = subprocess.run([wivcheck_bin(), "check", "--format", "json", str(path)], capture_output=True, text=True,
                       env={**run_env(), "WIVCHECK_DB": target})
    assert r.returncode == 0 and json.loads(r.stdout)["approved"][0]["approved_by"]["verified"] is True
    # a decision with approvals taken as written is never recorded
    r = subprocess.run([wivcheck_bin(), "check", "--record", "--offline", "--db", target, str(path)],
                       capture_output=True, text=True, env=run_env())
    assert r.returncode == 2 and "--offline cannot be used with --record" in r.stderr


def _envelope(pid: str) -> dict:
    import yaml
    from conftest import EXAMPLES
    env = yaml.safe_load((EXAMPLES / "gate" / "envelope.yaml").read_text())
    day = today()
    env["id"], env["date"] = pid, day.isoformat()
    env["partnership"].update(residual_risk="open", assessed_on=(day - dt.timedelta(days=30)).isoformat(),
                              valid_until=(day + dt.timedelta(days=300)).isoformat(),
                              secrecy_until=(day + dt.timedelta(days=300)).isoformat())
    return json.loads(json.dumps(env, default=str))


def test_a_gate_approval_covers_the_payload_approved_and_no_other(service, tokens):
    from conftest import EXAMPLES
    server, _ = service
    t = tokens[1]
    gate = server.client(t["gate"])
    bundle = json.loads((EXAMPLES / "gate" / "bundle.json").read_text())
    env = _envelope(f"GATE-{uuid.uuid4().hex[:8]}")
    r = gate.post("/v1/gate/stix", json={"envelope": env, "bundle": bundle})
    assert r.status_code == 200 and r.json()["decision"]["decision"] == "escalate", r.text
    assert env["id"] in queue(server, t["diensthoofd"])
    r = server.client(t["diensthoofd"]).post("/v1/approvals", json={"provision_id": env["id"], "rule": RULE})
    assert r.status_code == 201, r.text
    given = r.json()
    assert given["payload_sha256"] == server.client(t["auditor"]).get(
        f"/v1/decisions/{given['escalation']['decision_id']}").json()["gate"]["payload_sha256"]
    approved_env = {**env, "approvals": [given["approvals_entry"]]}
    r = gate.post("/v1/gate/stix", json={"envelope": approved_env, "bundle": bundle})
    d = r.json()["decision"]
    assert d["decision"] == "allow" and d["approved"][0]["approved_by"]["verified"] is True, d["warnings"]
    # another bundle under the same envelope and approval: not what the approver saw
    other = copy.deepcopy(bundle)
    other["objects"][-1]["value"] = "198.51.100.77"
    d = gate.post("/v1/gate/stix", json={"envelope": approved_env, "bundle": other}).json()["decision"]
    assert d["decision"] == "escalate" and any("another payload" in w for w in d["warnings"]), d["warnings"]
    # an approval given for a provision checked on its own does not open the gate
    p, plain = _approved(server, tokens)
    env2 = {**_envelope(p["id"]), "approvals": [plain["approvals_entry"]]}
    d = gate.post("/v1/gate/stix", json={"envelope": env2, "bundle": bundle}).json()["decision"]
    assert d["decision"] != "allow" and any("not a gate payload" in w for w in d["warnings"]), d["warnings"]
