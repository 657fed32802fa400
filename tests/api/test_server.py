"""The HTTP service on a real uvicorn on 127.0.0.1: routes, roles from the app's own route table,
errors in one shape, limits, metrics, start-up refusals."""

from __future__ import annotations

import json
import subprocess

import httpx
import pytest
from fastapi.routing import APIRoute

from conftest import EXAMPLES, patched, run_env, wivcheck_bin
from server_util import Server

ROLES = ("analyst", "gate", "policy", "auditor", "teamleider", "diensthoofd", "minister")


def example(name: str) -> dict:
    return json.loads(json.dumps(__import__("yaml").safe_load((EXAMPLES / name).read_text()), default=str))


@pytest.fixture(scope="module")
def tokens(tmp_path_factory):
    folder = tmp_path_factory.mktemp("tokens")
    out, lines = {}, []
    for role in ROLES:
        r = subprocess.run([wivcheck_bin(), "tokens", "new", "--role", role, "--name", f"test-{role}"],
                           capture_output=True, text=True, env=run_env(), check=True)
        token = r.stdout.split("token: ")[1].split()[0]
        lines.append(r.stdout.split("entry for the tokens file:\n")[1])
        out[role] = token
    path = folder / "tokens.yaml"
    path.write_text("".join(lines))
    return path, out


@pytest.fixture(scope="module")
def server(tokens, tmp_path_factory):
    db = tmp_path_factory.mktemp("db") / "log.sqlite3"
    s = Server("--tokens", str(tokens[0]), "--db", str(db), "--workers", "2", env={"WIVCHECK_MAX_BATCH": "50"})
    yield s
    s.stop()


def app_routes():
    from wivcheck.api.http.app import create_app
    from wivcheck.api.settings import Settings
    import tempfile
    app = create_app(Settings(db=tempfile.mktemp(suffix=".sqlite3"), bind_host="127.0.0.1"))
    return [r for r in app.routes if isinstance(r, APIRoute)], app


def test_every_route_declares_who_may_use_it():
    routes, app = app_routes()
    for r in routes:
        extra = r.openapi_extra or {}
        assert ("x-roles" in extra) != bool(extra.get("x-public")), f"{r.path} {r.methods}"
        assert set(extra.get("x-roles", [])) <= set(ROLES)
    public = {(r.path, m) for r in routes for m in r.methods if (r.openapi_extra or {}).get("x-public")}
    assert public == {("/healthz", "GET"), ("/readyz", "GET"), ("/.well-known/authzen-configuration", "GET"),
                      ("/login", "GET"), ("/login", "POST"), ("/logout", "POST")}
    others = {r.path for r in app.routes if not isinstance(r, APIRoute)}
    assert others == {"/openapi.json", "/docs", "/docs/assets"}


def test_no_token_401_wrong_role_403_right_role_passes(server, tokens):
    _, tok = tokens
    routes, _ = app_routes()
    checked = 0
    for r in routes:
        roles = (r.openapi_extra or {}).get("x-roles")
        if roles is None:
            continue
        path = (r.path.replace("{key}", "1").replace("{name}", "wiv2017").replace("{version}", "2018-05-01")
                .replace("{seq}", "1"))
        for method in r.methods:
            body = {"json": example("allow-structural.yaml")} if method == "POST" else {}
            if r.path == "/v1/decisions/batch":
                body = {"json": {"provisions": []}}
            resp = server.client().request(method, path, **body)
            assert resp.status_code == 401, (method, path)
            if path.startswith("/v1") or path == "/metrics":
                assert resp.json()["error"]["code"] == "unauthorized"
            assert server.client("wvc_not-a-token").request(method, path, **body).status_code == 401
            for role in ROLES:
                resp = server.client(tok[role]).request(method, path, **body)
                if role in roles:
                    assert resp.status_code not in (401, 403) and resp.status_code < 500, \
                        (method, path, role, resp.status_code, resp.text[:200])
                else:
                    assert resp.status_code == 403, (method, path, role)
            checked += 1
    assert checked == 20  # check, decisions, batch, show, rulesets x2, impact, gate x2, metrics, page GET, POST,
    #                       AuthZEN evaluation and evaluations, approvals POST and GET, escalations, the
    #                       page's queue GET and POST, the page's dossier


def test_check_and_record(server, tokens):
    _, tok = tokens
    c = server.client(tok["analyst"])
    r = c.post("/v1/check", json=example("deny-foreign-origin.yaml"))
    assert r.status_code == 200 and r.json()["decision"] == "deny" and r.json()["log"] is None
    assert r.json()["reasons"][0]["cites"] == ["Art. 23(b) Wiv 2017", "Art. 18(2) Wiv 2017"]
    r = c.post("/v1/decisions", json=example("escalate-residual-risk.yaml"))
    assert r.status_code == 201
    d = r.json()
    assert d["decision"] == "escalate" and d["log"]["sequence"] >= 1 and len(d["log"]["hash"]) == 64
    for key in (d["decision_id"], str(d["log"]["sequence"])):
        got = c.get(f"/v1/decisions/{key}")
        assert got.status_code == 200 and got.json()["decision_id"] == d["decision_id"]
    md = c.get(f"/v1/decisions/{d['decision_id']}", params={"format": "markdown", "lang": "en"})
    assert md.headers["content-type"].startswith("text/markdown") and "**ESCALATE**" in md.text
    html = c.get(f"/v1/decisions/{d['decision_id']}", params={"format": "html"})
    assert html.text.startswith("<!doctype html>") and d["log"]["hash"] in html.text
    assert c.get("/v1/decisions/nope").json()["error"]["code"] == "not_found"
    assert c.get("/v1/decisions/³").json()["error"]["code"] == "not_found"  # a digit, not a number


def test_bad_provisions_are_422_naming_the_field(server, tokens):
    c = server.client(tokens[1]["gate"])
    for patch, path in (({"recipient": {"kind": "company"}}, "recipient.kind"),
                        ({"colour": "red"}, "colour"), ({"date": "2025-02-30"}, "date"),
                        ({"purpose": {"necessity": " "}}, "purpose.necessity")):
        r = c.post("/v1/check", json=patched(patch, example("allow-structural.yaml")))
        assert r.status_code == 422, r.text
        err = r.json()["error"]
        assert err["code"] == "invalid_provision" and path in [p["path"] for p in err["problems"]]
    r = c.post("/v1/check", content=b"{not json", headers={"content-type": "application/json"})
    assert r.status_code == 422 and "error" in r.json()
    r = c.post("/v1/check", json=patched({"date": "2017-01-01"}, example("allow-structural.yaml")))
    assert r.status_code == 422 and r.json()["error"]["code"] == "no_rules_in_force"


def test_limits(server, tokens):
    c = server.client(tokens[1]["gate"])
    big = example("allow-structural.yaml")
    big["purpose"]["necessity"] = "x" * (3 * 1024 * 1024)
    r = c.post("/v1/check", json=big)
    assert r.status_code == 413 and r.json()["error"]["code"] == "body_too_large"
    deep = {"a": 1}
    for _ in range(40):
        deep = {"x": deep}
    r = c.post("/v1/check", json=deep)
    assert r.status_code == 422 and r.json()["error"]["code"] == "too_deep"
    r = c.post("/v1/decisions/batch", json={"provisions": [example("allow-structural.yaml")] * 51})
    assert r.status_code == 413 and r.json()["error"]["code"] == "batch_too_large"


def test_batch_answers_each_item_on_its_own(server, tokens):
    c = server.client(tokens[1]["gate"])
    items = [example("allow-structural.yaml"), {"id": "broken"}, example("deny-foreign-origin.yaml"),
             patched({"date": "2016-01-01"}, example("allow-structural.yaml"))]
    r = c.post("/v1/decisions/batch", json={"provisions": items})
    assert r.status_code == 200
    res = r.json()["results"]
    assert [x["index"] for x in res] == [0, 1, 2, 3]
    assert res[0]["decision"]["decision"] == "allow" and res[0]["decision"]["log"]["sequence"] >= 1
    assert res[1]["error"]["code"] == "invalid_provision" and res[1]["decision"] is None
    assert res[2]["decision"]["decision"] == "deny"
    assert res[3]["error"]["code"] == "no_rules_in_force"


def test_rulesets(server, tokens):
    c = server.client(tokens[1]["policy"])
    listed = {f"{r['id']}@{r['version']}": r for r in c.get("/v1/rulesets").json()}
    assert listed["wiv2017@2018-05-01"]["rules"] == 15 and listed["beleidsregels-pps@concept-2026-02"]["status"] == "draft"
    assert listed["wiv2017@2018-05-01"]["status"] == "withdrawn"
    assert listed["wiv2017@2018-05-01"]["superseded_by"] == "2018-05-01-r2"
    one = c.get("/v1/rulesets/wiv2017/2018-05-01-r2").json()
    rule = next(r for r in one["rules"] if r["id"] == "route-private-party")
    assert rule["qualified_id"] == "wiv2017.route-private-party" and rule["cites"][0]["article"] == "62"
    assert rule["grounds"][0]["cite"]["onderdeel"] == "c"
    assert {o["id"] for o in one["obligations"]} >= {"record-personal-data", "attach-onward-condition"}
    assert c.get("/v1/rulesets/wiv2017/1999").status_code == 404


def test_metrics_count_decisions_by_outcome(server, tokens):
    c = server.client(tokens[1]["gate"])
    for _ in range(3):
        c.post("/v1/check", json=example("escalate-residual-risk.yaml"))
    text = server.client(tokens[1]["auditor"]).get("/metrics").text
    line = next(x for x in text.splitlines() if x.startswith('wivcheck_decisions_total{outcome="escalate",route="check"}'))
    assert float(line.split()[-1]) >= 3
    assert "wivcheck_decision_seconds_bucket" in text


def test_openapi_documents_errors_examples_and_roles(server):
    spec = httpx.get(server.url + "/openapi.json").json()
    op = spec["paths"]["/v1/check"]["post"]
    assert {"401", "403", "413", "422", "500"} <= set(op["responses"])
    assert op["x-roles"] == ["analyst", "gate", "policy"]
    assert "escalate" in op["requestBody"]["content"]["application/json"]["examples"]
    assert "ErrorResponse" in spec["components"]["schemas"]


def test_no_tokens_means_loopback_only():
    r = subprocess.run([wivcheck_bin(), "serve", "--host", "0.0.0.0", "--port", "9"], capture_output=True,
                       text=True, env=run_env(), timeout=60)
    assert r.returncode == 1 and "loopback" in r.stderr and "tokens" in r.stderr


def test_broken_rules_stop_start_up(rules_copy):
    f = rules_copy / "wiv2017" / "2018-05-01.yaml"
    f.write_text(f.read_text().replace("fact: recipient.concern", "fact: recipient.concerns"))
    r = subprocess.run([wivcheck_bin(), "serve", "--rules", str(rules_copy), "--port", "9"], capture_output=True,
                       text=True, env=run_env(), timeout=60)
    assert r.returncode == 1 and "wiv2017.recipient-concerned" in r.stderr and "recipient.concerns" in r.stderr


def test_broken_tokens_file_stops_start_up(tmp_path):
    f = tmp_path / "tokens.yaml"
    f.write_text("- {name: a, role: admin, sha256: " + "a" * 64 + "}\n")
    r = subprocess.run([wivcheck_bin(), "serve", "--tokens", str(f), "--port", "9"], capture_output=True,
                       text=True, env=run_env(), timeout=60)
    assert r.returncode == 1 and "tokens.yaml:1" in r.stderr and "admin" in r.stderr


def test_healthz_needs_no_token(server):
    r = httpx.get(server.url + "/healthz")
    assert r.status_code == 200 and r.json()["status"] == "ok"


def test_a_single_check_is_not_held_up_by_a_large_batch(tmp_path):
    """One worker: a check sent while an 8,000-provision batch is being decided is answered long before
    the batch is (the batch runs on a thread; the event loop keeps serving)."""
    import threading
    import time
    server = Server("--db", str(tmp_path / "log.sqlite3"), "--workers", "1",
                    env={"WIVCHECK_MAX_BATCH": "8000", "WIVCHECK_MAX_BODY": str(32 * 1024 * 1024)})
    try:
        base = example("allow-structural.yaml")
        items = [dict(base, id=f"B-{i}") for i in range(8000)]
        done: dict[str, float] = {}

        def send_batch():
            with server.client() as c:
                r = c.post("/v1/decisions/batch", json={"provisions": items}, timeout=300)
                done["batch"] = time.monotonic()
                done["status"] = r.status_code
        t = threading.Thread(target=send_batch)
        t.start()
        time.sleep(0.25)  # the body is on the server and being decided (for a second or more)
        with server.client() as c:
            sent = time.monotonic()
            r = c.post("/v1/check", json=example("allow-structural.yaml"), timeout=300)
            answered = time.monotonic()
        assert r.status_code == 200 and r.json()["decision"] == "allow"
        t.join()
        assert done["status"] == 200
        assert sent < done["batch"], "the batch was over before the check was sent: nothing was shown"
        # served in between, not queued behind it: the check's wait is a small part of the batch's rest
        assert answered - sent < (done["batch"] - sent) / 3, (answered - sent, done["batch"] - sent)
    finally:
        server.stop()
