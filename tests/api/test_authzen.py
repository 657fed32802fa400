"""The OpenID AuthZEN 1.0 routes on a real server: single and batch evaluations of an allowed, a
denied and an escalated provision, evaluation semantics, defaults, errors in AuthZEN's shape, the
same roles as /v1/check, and the same answer as the native API."""

from __future__ import annotations

import copy

import pytest

from server_util import Server, make_tokens, provision_json

ALLOW, DENY, ESCALATE = "allow-structural.yaml", "deny-foreign-origin.yaml", "escalate-residual-risk.yaml"


def request_for(name: str) -> dict:
    p = provision_json(name)
    service = p.pop("service")
    return {"subject": {"type": "service", "id": service}, "action": {"name": "provide"},
            "resource": {"type": "provision", "id": p["id"], "properties": p}}


@pytest.fixture(scope="module")
def tokens(tmp_path_factory):
    return make_tokens(tmp_path_factory.mktemp("tokens"))


@pytest.fixture(scope="module")
def server(tokens, tmp_path_factory):
    s = Server("--tokens", str(tokens[0]), "--db", str(tmp_path_factory.mktemp("db") / "log.sqlite3"),
               env={"WIVCHECK_MAX_BATCH": "5"})
    yield s
    s.stop()


@pytest.fixture()
def gate(server, tokens):
    with server.client(tokens[1]["gate"]) as c:
        yield c


@pytest.mark.parametrize("name,outcome", [(ALLOW, "allow"), (DENY, "deny"), (ESCALATE, "escalate")])
def test_single_evaluation_is_true_only_for_allow_with_the_native_decision(gate, name, outcome):
    r = gate.post("/access/v1/evaluation", json=request_for(name), headers={"X-Request-ID": "pep-42"})
    assert r.status_code == 200, r.text
    assert r.headers["x-request-id"] == "pep-42"  # AuthZEN: the PEP's request id comes back
    body = r.json()
    assert body["decision"] is (outcome == "allow")
    ctx = body["context"]
    native = gate.post("/v1/check", json=provision_json(name)).json()
    assert ctx["outcome"] == native["decision"] == outcome
    assert ctx["provision_id"] == native["provision_id"]
    assert ctx["reasons"] == native["reasons"] and ctx["escalate_to"] == native["escalate_to"]
    assert ctx["rulesets"] == native["rulesets"] and isinstance(ctx["obligations"], list)
    assert "trace" not in ctx
    if outcome == "escalate":
        assert ctx["escalate_to"] and all(x["outcome"] == "escalate" for x in ctx["reasons"])
    if outcome == "deny":
        assert any(x["outcome"] == "deny" for x in ctx["reasons"])


def test_batch_with_defaults_answers_in_order(gate):
    allow, deny, esc = request_for(ALLOW), request_for(DENY), request_for(ESCALATE)
    body = {"subject": allow["subject"], "action": allow["action"],
            "evaluations": [{"resource": allow["resource"]}, {"resource": deny["resource"]},
                            {"resource": esc["resource"]}]}
    r = gate.post("/access/v1/evaluations", json=body)
    assert r.status_code == 200, r.text
    got = r.json()["evaluations"]
    assert [e["decision"] for e in got] == [True, False, False]
    assert [e["context"]["outcome"] for e in got] == ["allow", "deny", "escalate"]
    # an item's own subject replaces the default whole: MIVD is not this provision's service in
    # the deny example, and the answer follows the provision as sent
    mivd = copy.deepcopy(body)
    mivd["evaluations"][0]["subject"] = {"type": "service", "id": "MIVD"}
    first = gate.post("/access/v1/evaluations", json=mivd).json()["evaluations"][0]
    assert first["context"]["provision_id"] == allow["resource"]["id"]


def test_batch_semantics_stop_at_the_first_deny_or_permit(gate):
    allow, deny, esc = request_for(ALLOW), request_for(DENY), request_for(ESCALATE)
    items = [allow, deny, esc, allow]

    def run(semantic):
        body = {"evaluations": items, "options": {"evaluations_semantic": semantic}}
        r = gate.post("/access/v1/evaluations", json=body)
        assert r.status_code == 200, r.text
        return [e["decision"] for e in r.json()["evaluations"]]
    assert run("execute_all") == [True, False, False, True]
    assert run("deny_on_first_deny") == [True, False]
    assert run("permit_on_first_permit") == [True]
    r = gate.post("/access/v1/evaluations", json={"evaluations": [deny, esc, allow, deny],
                                                  "options": {"evaluations_semantic": "permit_on_first_permit"}})
    assert [e["decision"] for e in r.json()["evaluations"]] == [False, False, True]


def test_a_bad_item_is_false_with_its_error_and_fails_no_other(gate):
    bad = request_for(ALLOW)
    bad["resource"]["properties"]["recipient"]["kind"] = "company"
    r = gate.post("/access/v1/evaluations", json={"evaluations": [request_for(ALLOW), bad, "nonsense"]})
    assert r.status_code == 200, r.text
    first, second, third = r.json()["evaluations"]
    assert first["decision"] is True
    assert second == {"decision": False, "context": {"error": {"status": 400, "message": second["context"]["error"]["message"]}}}
    assert "evaluations[1]" in second["context"]["error"]["message"]
    assert "resource.properties.recipient.kind" in second["context"]["error"]["message"]
    assert third["decision"] is False and third["context"]["error"]["status"] == 400
    # under deny_on_first_deny an error is a deny: the run stops there
    r = gate.post("/access/v1/evaluations", json={"evaluations": [bad, request_for(ALLOW)],
                                                  "options": {"evaluations_semantic": "deny_on_first_deny"}})
    assert len(r.json()["evaluations"]) == 1


def test_evaluations_without_items_is_one_evaluation(gate):
    r = gate.post("/access/v1/evaluations", json=request_for(DENY))
    assert r.status_code == 200 and r.json()["decision"] is False and "evaluations" not in r.json()


@pytest.mark.parametrize("mutate,where", [
    (lambda b: b["resource"]["properties"]["recipient"].update(kind="company"), "resource.properties.recipient.kind"),
    (lambda b: b["subject"].update(id="NCTV"), "subject.id"),
    (lambda b: b["action"].update(name="read"), "action.name"),
    (lambda b: b["resource"].update(type="document"), "resource.type"),
    (lambda b: b["resource"]["properties"].update(service="AIVD"), "resource.properties.service"),
    (lambda b: b["resource"]["properties"].update(id="OTHER-1"), "resource.properties.id"),
    (lambda b: b["resource"]["properties"].update(colour="red"), "resource.properties.colour"),
    (lambda b: b.pop("subject"), "subject"),
    (lambda b: b["resource"]["properties"].update(date="2016-01-01"), "resource.properties.date"),
])
def test_malformed_request_is_400_with_a_message_string_naming_the_field(gate, mutate, where):
    body = request_for(ALLOW)
    mutate(body)
    r = gate.post("/access/v1/evaluation", json=body)
    assert r.status_code == 400, r.text
    assert r.headers["content-type"].startswith("application/json")
    message = r.json()
    assert isinstance(message, str) and where in message, message


def test_not_json_and_bad_semantic_are_400(gate):
    r = gate.post("/access/v1/evaluation", content=b"{nope", headers={"content-type": "application/json"})
    assert r.status_code == 400 and isinstance(r.json(), str)
    r = gate.post("/access/v1/evaluations", json={"evaluations": [request_for(ALLOW)],
                                                  "options": {"evaluations_semantic": "first_come"}})
    assert r.status_code == 400 and "evaluations_semantic" in r.json()


def test_same_roles_and_limits_as_check(server, tokens):
    body = request_for(ALLOW)
    for role, status in (("analyst", 200), ("gate", 200), ("policy", 200), ("auditor", 403)):
        with server.client(tokens[1][role]) as c:
            r = c.post("/access/v1/evaluation", json=body)
        assert r.status_code == status, (role, r.text)
        if status == 403:
            assert isinstance(r.json(), str) and r.json().startswith("forbidden:")
    with server.client() as c:
        r = c.post("/access/v1/evaluation", json=body)
    assert r.status_code == 401 and isinstance(r.json(), str) and r.json().startswith("unauthorized:")
    with server.client(tokens[1]["gate"]) as c:
        r = c.post("/access/v1/evaluations", json={"evaluations": [body] * 6})
        assert r.status_code == 413 and r.json().startswith("batch_too_large:")
        big = request_for(ALLOW)
        big["resource"]["properties"]["purpose"]["necessity"] = "x" * (3 * 1024 * 1024)
        r = c.post("/access/v1/evaluation", json=big)
        assert r.status_code == 413 and r.json().startswith("body_too_large:")


def test_nothing_is_recorded_and_metadata_names_the_endpoints(server, tokens):
    with server.client(tokens[1]["gate"]) as c:
        c.post("/access/v1/evaluation", json=request_for(ESCALATE))
        r = c.get("/v1/decisions/" + request_for(ESCALATE)["resource"]["id"])
    assert r.status_code == 404
    with server.client() as c:
        meta = c.get("/.well-known/authzen-configuration").json()
    assert meta["access_evaluation_endpoint"] == server.url + "/access/v1/evaluation"
    assert meta["access_evaluations_endpoint"] == server.url + "/access/v1/evaluations"
    assert meta["policy_decision_point"] == server.url
