"""The served OpenAPI against itself and against the server: every operation has its security (or is
public), roles, typed bodies, an example for every request and answer that fits its own schema, and
every error it documents is sent in the documented shape (checked by triggering each one)."""

from __future__ import annotations

import sqlite3

import httpx
import jsonschema
import pytest

from server_util import Server, make_tokens, provision_json

PUBLIC = {("/healthz", "get"), ("/readyz", "get"), ("/.well-known/authzen-configuration", "get")}


@pytest.fixture(scope="module")
def tokens(tmp_path_factory):
    return make_tokens(tmp_path_factory.mktemp("tokens"), roles=("analyst", "gate", "policy", "auditor",
                                                                  "teamleider", "diensthoofd", "minister"))


@pytest.fixture(scope="module")
def server(tokens, tmp_path_factory):
    db = tmp_path_factory.mktemp("db") / "log.sqlite3"
    s = Server("--tokens", str(tokens[0]), "--db", str(db), env={"WIVCHECK_LOCK_WAIT": "0.5"})
    s.db = db
    yield s
    s.stop()


@pytest.fixture(scope="module")
def spec(server):
    return httpx.get(server.url + "/openapi.json").json()


def operations(spec):
    for path, ops in spec["paths"].items():
        for method, op in ops.items():
            yield path, method, op


def check_against(spec: dict, schema: dict, value) -> None:
    """Validate `value` against an OpenAPI 3.1 schema, its $refs resolved in the document."""
    jsonschema.validate(value, {**schema, "components": spec["components"]},
                        cls=jsonschema.Draft202012Validator)


def documented_examples(content: dict) -> list:
    if "example" in content:
        return [content["example"]]
    return [e["value"] for e in content.get("examples", {}).values()]


def test_every_operation_is_described(spec):
    scheme = spec["components"]["securitySchemes"]["bearer"]
    assert scheme["type"] == "http" and scheme["scheme"] == "bearer" and "role" in scheme["description"]
    assert "HTTPValidationError" not in str(spec)
    seen = set()
    for path, method, op in operations(spec):
        seen.add((path, method))
        assert op.get("summary"), (path, method)
        if (path, method) in PUBLIC:
            assert op.get("x-public") and not op.get("security"), (path, method)
        else:
            roles = op["x-roles"]
            assert op["security"] == [{"bearer": []}], (path, method)
            assert all(r in op["description"] for r in roles) and {"401", "403"} <= set(op["responses"])
        if "requestBody" in op:
            content = op["requestBody"]["content"]["application/json"]
            assert "$ref" in content["schema"], (path, method)  # a named, typed body
            body = spec["components"]["schemas"][content["schema"]["$ref"].rsplit("/", 1)[1]]
            assert body.get("properties"), (path, method)
            examples = documented_examples(content)
            assert examples, (path, method)
            for example in examples:
                check_against(spec, content["schema"], example)
        for status, response in op["responses"].items():
            assert response.get("content"), (path, method, status)
            for media, content in response["content"].items():
                examples = documented_examples(content)
                assert examples, (path, method, status, media)
                if "schema" in content and media == "application/json":
                    for example in examples:
                        check_against(spec, content["schema"], example)
            if int(status) >= 400 and not path.startswith("/access/") and path != "/readyz":
                assert response["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/ErrorResponse"}
    assert {("/v1/decisions/batch", "post"), ("/v1/gate/stix", "post"), ("/v1/rulesets/impact", "post"),
            ("/access/v1/evaluation", "post"), ("/access/v1/evaluations", "post")} <= seen
    batch = spec["components"]["schemas"]["BatchRequest"]["properties"]["provisions"]
    assert batch["items"].get("$ref") == "#/components/schemas/Provision" or (
        batch["items"]["title"] == "Provision" and "recipient" in batch["items"]["required"])
    gate = spec["components"]["schemas"]["GateStixRequest"]["properties"]
    assert gate["bundle"]["required"] == ["type", "id", "objects"] and "recipient" in gate["envelope"]["properties"]


def fill(path: str) -> str:
    return (path.replace("{key}", "1").replace("{name}", "wiv2017").replace("{version}", "2018-05-01"))


def body_for(path: str):
    if path == "/v1/approvals":   # a provision the log holds no decision of: 404
        return {"provision_id": "PRV-NEVER-RECORDED", "rule": "waarborgen-pps.residual-risk"}
    if path == "/v1/decisions/batch":
        return {"provisions": [provision_json("allow-structural.yaml")]}
    if path.startswith("/access/"):
        p = provision_json("allow-structural.yaml")
        service = p.pop("service")
        return {"subject": {"type": "service", "id": service}, "action": {"name": "provide"},
                "resource": {"type": "provision", "id": p["id"], "properties": p}}
    return provision_json("allow-structural.yaml")


def bad_body_for(path: str):
    if path == "/v1/rulesets/impact":
        return {"base": "nope", "candidate": 3}
    if path.startswith("/v1/gate/"):
        return {"envelope": 1}
    if path == "/v1/approvals":
        return {"provision_id": 3, "rule": "not a rule"}
    body = body_for(path)
    if path == "/v1/decisions/batch":
        return {"provisions": 7}
    if path.startswith("/access/"):
        body["action"]["name"] = "read"
        return body
    body["recipient"]["kind"] = "company"
    return body


def test_documented_errors_are_sent_in_the_documented_shape(server, spec, tokens):
    tok = tokens[1]
    checked: dict[str, int] = {}

    def expect(path, method, op, status, response):
        assert response.status_code == status, (path, method, response.status_code, response.text[:300])
        documented = op["responses"][str(status)]["content"]["application/json"]["schema"]
        check_against(spec, documented, response.json())
        checked[str(status)] = checked.get(str(status), 0) + 1

    for path, method, op in operations(spec):
        url = server.url + fill(path)
        roles = op.get("x-roles")
        statuses = set(op["responses"])
        kw = {"json": body_for(path)} if method == "post" else {}
        if roles:
            expect(path, method, op, 401, httpx.request(method, url, **kw))
            other = next((r for r in ("auditor", "analyst", "policy", "gate") if r not in roles), None)
            if other:  # (a route every role may use can answer no 403)
                expect(path, method, op, 403, httpx.request(method, url, headers=_auth(tok[other]), **kw))
        headers = _auth(tok[roles[0]]) if roles else {}
        if "404" in statuses:
            missing = path.replace("{key}", "999999").replace("{name}", "wiv2017").replace("{version}", "1999-01-01")
            expect(path, method, op, 404, httpx.request(method, server.url + missing, headers=headers, **kw))
        if "413" in statuses:
            big = b'{"x": "' + b"x" * (3 * 1024 * 1024 if "/gate/" not in path else 65 * 1024 * 1024) + b'"}'
            if "/gate/" not in path:
                expect(path, method, op, 413, httpx.request(method, url, headers={**headers, "content-type":
                                                                                  "application/json"}, content=big))
        for bad_status in ("422", "400"):
            if bad_status in statuses and method == "post":
                if bad_status == "400" and path.startswith("/v1/gate/"):
                    continue   # the gate routes share the recording routes' Idempotency-Key check (api/http/idempotency.py)
                if bad_status == "400" and not path.startswith("/access/"):
                    # a recording route's 400 is a malformed Idempotency-Key (over 255 characters)
                    expect(path, method, op, 400, httpx.request(method, url, json=body_for(path), timeout=30,
                                                                headers={**headers, "Idempotency-Key": "k" * 300}))
                    continue
                expect(path, method, op, int(bad_status), httpx.request(method, url, headers=headers,
                                                                        json=bad_body_for(path), timeout=30))
        if "422" in statuses and method == "get" and "{key}" in path:
            expect(path, method, op, 422, httpx.get(url, params={"format": "pdf"}, headers=headers))
        # the recording routes while another writer holds the log (the gate's own tests cover its 503)
        if "503" in statuses and path in ("/v1/decisions", "/v1/decisions/batch"):
            holder = sqlite3.connect(server.db, timeout=0, isolation_level=None)
            try:
                holder.execute("BEGIN IMMEDIATE")
                expect(path, method, op, 503, httpx.request(method, url, headers=headers, json=body_for(path),
                                                            timeout=30))
            finally:
                holder.execute("ROLLBACK")
                holder.close()
    # every kind of documented error was produced at least once
    assert {"400", "401", "403", "404", "413", "422", "503"} <= set(checked), checked


def _auth(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def test_readyz_503_fits_its_schema(server, spec):
    holder = sqlite3.connect(server.db, timeout=0, isolation_level=None)
    try:
        holder.execute("BEGIN IMMEDIATE")
        r = httpx.get(server.url + "/readyz", timeout=30)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert r.status_code == 503
    check_against(spec, spec["paths"]["/readyz"]["get"]["responses"]["503"]["content"]["application/json"]["schema"],
                  r.json())


def test_every_provision_field_is_described_in_both_languages(spec):
    """The field reference travels into the OpenAPI: every property of the provision's schemas has
    its English description and its Dutch title and description (`x-nl`)."""
    schemas = spec["components"]["schemas"]
    names = ("Provision", "Recipient", "Request", "Partnership", "Purpose", "Data", "Handling", "Approval")
    seen = 0
    for name in names:
        for prop, sub in schemas[name]["properties"].items():
            seen += 1
            assert sub.get("description") and sub["x-nl"]["description"] and sub["x-nl"]["title"], (name, prop)
    assert seen >= 50
    assert schemas["Data"]["properties"]["tlp"]["x-nl"]["title"] == "TLP"
