"""Hardening of the HTTP service, on a real uvicorn on 127.0.0.1 (docs/security.md): authentication
never fails open and is decided before a body is read; no request can hang a worker (a held log lock,
a deep or large YAML text); least privilege (the impact report over the log, /healthz, the docs UI)."""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import sqlite3
import subprocess
import threading
import time
from pathlib import Path

import httpx
import pytest

from conftest import EXAMPLES, ROOT, run_env, wivcheck_bin
from server_util import Server

ROLES = ("analyst", "gate", "policy", "auditor")


def example(name: str) -> dict:
    return json.loads(json.dumps(__import__("yaml").safe_load((EXAMPLES / name).read_text()), default=str))


def new_token(role: str) -> tuple[str, str]:
    r = subprocess.run([wivcheck_bin(), "tokens", "new", "--role", role, "--name", f"h-{role}"],
                       capture_output=True, text=True, env=run_env(), check=True)
    return r.stdout.split("token: ")[1].split()[0], r.stdout.split("entry for the tokens file:\n")[1]


@pytest.fixture(scope="module")
def tokens(tmp_path_factory):
    folder = tmp_path_factory.mktemp("tokens")
    out, lines = {}, []
    for role in ROLES:
        token, entry = new_token(role)
        out[role] = token
        lines.append(entry)
    path = folder / "tokens.yaml"
    path.write_text("".join(lines))
    return path, out


@pytest.fixture(scope="module")
def server(tokens, tmp_path_factory):
    db = tmp_path_factory.mktemp("db") / "log.sqlite3"
    s = Server("--tokens", str(tokens[0]), "--db", str(db))
    yield s
    s.stop()


# -- 1. authentication never fails open --------------------------------------------------------------

def _serve(*args, env=None) -> subprocess.CompletedProcess:
    return subprocess.run([wivcheck_bin(), "serve", "--port", "9", *args], capture_output=True, text=True,
                          env={**run_env(), **(env or {})}, timeout=120)


@pytest.mark.parametrize("content, mode, says", [
    ("[]\n", 0o600, "names no token"),
    ("", 0o600, "empty"),
    ("# nobody yet\n", 0o600, "empty"),
    ("- {name: a, role: gate, sha256: 'x'}\n", 0o600, "64 lowercase hex"),
    (None, 0o600, "a directory"),
    ("GOOD", 0o666, "writable by every user"),
])
def test_a_named_tokens_file_that_cannot_be_used_stops_start_up(tmp_path, content, mode, says):
    """Empty, broken, not a file, or world-writable: `serve` refuses, and so does every worker start
    (the app factory, which uvicorn calls per worker and again for each worker it restarts)."""
    path = tmp_path / "tokens.yaml"
    if content is None:
        path.mkdir()
    else:
        path.write_text(new_token("gate")[1] if content == "GOOD" else content)
        os.chmod(path, mode)
    r = _serve("--tokens", str(path))
    assert r.returncode == 1 and says in r.stderr, r.stderr
    from wivcheck.api.http.app import create_app
    from wivcheck.api.settings import Settings
    from wivcheck.api.http.tokens import TokenFileError
    with pytest.raises(TokenFileError, match=re.escape(says)):
        create_app(Settings(tokens_path=path, bind_host="127.0.0.1", db=str(tmp_path / "log.sqlite3")))


def test_without_tokens_a_worker_starts_only_on_loopback(tmp_path):
    """Local mode (every role) is for a loopback bind only, and each worker checks it itself."""
    from wivcheck.api.http.app import create_app
    from wivcheck.api.settings import Settings
    from wivcheck.api.http.tokens import TokenFileError
    for host in ("0.0.0.0", "192.0.2.1", "::", None):
        with pytest.raises(TokenFileError, match="loopback"):
            create_app(Settings(bind_host=host, db=str(tmp_path / "log.sqlite3")))
    for host in ("127.0.0.1", "::1", "localhost"):
        assert create_app(Settings(bind_host=host, db=str(tmp_path / "log.sqlite3")))


def _workers(server: Server) -> list[int]:
    out = subprocess.run(["pgrep", "-P", str(server.proc.pid)], capture_output=True, text=True).stdout.split()
    return [int(p) for p in out if Path(f"/proc/{p}/cmdline").read_bytes().find(b"spawn_main") >= 0] or \
        [int(p) for p in out]


def test_a_worker_restarted_after_the_tokens_file_was_emptied_admits_nobody(tmp_path):
    """Two workers with a tokens file; the file is emptied and a worker killed, so uvicorn starts a
    new one. No request without a token is ever answered by a route (today's bug: the new worker read
    the empty file as "no tokens" and gave every caller every role)."""
    token, entry = new_token("analyst")
    path = tmp_path / "tokens.yaml"
    path.write_text(entry)
    server = Server("--tokens", str(path), "--db", str(tmp_path / "log.sqlite3"), "--workers", "2")
    try:
        workers = _workers(server)
        assert len(workers) == 2, workers
        path.write_text("[]\n")
        os.kill(workers[0], signal.SIGKILL)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and set(_workers(server)) & {workers[0]}:
            time.sleep(0.1)
        time.sleep(3)  # uvicorn has tried to start the replacement by now
        statuses = []
        for _ in range(60):
            try:
                r = httpx.post(server.url + "/v1/check", json=example("allow-structural.yaml"), timeout=5)
                statuses.append(r.status_code)
            except httpx.TransportError:
                statuses.append("no answer")
        assert 200 not in statuses and set(statuses) <= {401, "no answer"}, statuses
        assert statuses.count(401) > 0  # the worker that kept its tokens still answers, with 401
    finally:
        server.stop()
    assert "names no token" in server.log_text()


def _raw_request(url: str, head: bytes, body_part: bytes, wait: float) -> bytes:
    host, port = url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=wait) as s:
        s.sendall(head + body_part)
        s.settimeout(wait)
        data = b""
        try:
            while b"\r\n\r\n" not in data:
                chunk = s.recv(65536)
                if not chunk:
                    break
                data += chunk
        except socket.timeout:
            pass
        return data


def test_an_unauthenticated_60_mb_post_is_refused_before_its_body_is_read(server):
    """The 401 comes while the client is still sending: the server has read the headers only."""
    head = (b"POST /v1/gate/stix HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            b"Content-Length: %d\r\n\r\n" % (60 * 1024 * 1024))
    answer = _raw_request(server.url, head, b'{"envelope": {}, "bundle": {"objects": [' + b"1," * 1000, wait=20)
    assert answer.startswith(b"HTTP/1.1 401"), answer[:200]
    # and with the whole body sent, the answer is at once as well
    body = b'{"envelope": {}, "bundle": {"type": "bundle", "objects": [' + b'{"a": 1},' * 7_000_000 + b"1]}}"
    assert 60 * 1024 * 1024 < len(body) < 64 * 1024 * 1024  # under the gate routes' body limit
    started = time.monotonic()
    r = httpx.post(server.url + "/v1/gate/stix", content=body, headers={"content-type": "application/json"},
                   timeout=60)
    assert r.status_code == 401 and r.json()["error"]["code"] == "unauthorized"
    assert time.monotonic() - started < 1.0
    # a known token of a role that may not use the route is refused before the body too
    answer = _raw_request(server.url, head.replace(b"\r\n\r\n", b"\r\nAuthorization: Bearer wvc_nope\r\n\r\n"),
                          b"{", wait=20)
    assert answer.startswith(b"HTTP/1.1 401")


def test_a_wrong_role_is_refused_before_the_body_is_read(server, tokens):
    head = (b"POST /v1/decisions/batch HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            b"Authorization: Bearer %s\r\nContent-Length: 1000000\r\n\r\n" % tokens[1]["auditor"].encode())
    answer = _raw_request(server.url, head, b'{"provisions": [', wait=20)
    assert answer.startswith(b"HTTP/1.1 403"), answer[:200]


def test_unknown_paths_need_a_token_too(server, tokens):
    assert httpx.post(server.url + "/v1/nothing-here", content=b"x" * 1000).status_code == 401
    assert server.client(tokens[1]["gate"]).post("/v1/nothing-here").status_code == 404


# -- 2. no request can hang a worker -------------------------------------------------------------------

def test_a_held_log_lock_stalls_only_the_recording_request(tmp_path):
    """One worker; another process holds the log's write lock. A recording request waits for it, and
    meanwhile the same worker still answers checks (recording runs off the event loop)."""
    db = tmp_path / "log.sqlite3"
    server = Server("--db", str(db), "--workers", "1", env={"WIVCHECK_LOCK_WAIT": "30"})
    holder = sqlite3.connect(db, isolation_level=None)
    try:
        holder.execute("BEGIN IMMEDIATE")
        result: dict = {}

        def record():
            with server.client() as c:
                result["record"] = c.post("/v1/decisions", json=example("allow-structural.yaml"), timeout=60)
        t = threading.Thread(target=record)
        t.start()
        time.sleep(1.0)
        with server.client() as c:
            r = c.post("/v1/check", json=example("deny-foreign-origin.yaml"), timeout=20)
        assert r.status_code == 200 and r.json()["decision"] == "deny"
        assert t.is_alive() and "record" not in result  # still waiting for the lock
        holder.execute("ROLLBACK")
        t.join(60)
        assert result["record"].status_code == 201
    finally:
        holder.close()
        server.stop()


def test_deep_or_large_yaml_is_refused_on_the_impact_route_and_the_page(server, tokens):
    policy = server.client(tokens[1]["policy"])
    deep = "ruleset: x\nrules: " + "[" * 5000 + "]" * 5000 + "\n"
    r = policy.post("/v1/rulesets/impact", json={"base": "wiv2017@2018-05-01", "candidate": deep,
                                                 "corpus": "provisions"})
    assert r.status_code == 422 and "nesting deeper than 32" in r.text, r.text
    nested = {"fact": "data.volume", "gt": 1}
    for _ in range(14):
        nested = {"any": [{"all": [nested, {"fact": "data.volume", "lt": 9}]}, {"fact": "data.tlp", "equals": "RED"}]}
    candidate = (ROOT / "rules/wiv2017/2018-05-01.yaml").read_text().replace(
        "requires: {fact: recipient.concern, not_equals: none}", "requires: " + json.dumps(nested))
    r = policy.post("/v1/rulesets/impact", json={"base": "wiv2017@2018-05-01", "candidate": candidate,
                                                 "corpus": "provisions"})
    assert r.status_code == 422 and r.json()["error"]["code"] == "invalid_ruleset", r.text
    r = policy.post("/v1/rulesets/impact", json={"base": "wiv2017@2018-05-01", "candidate": "a: b\n" * 60_000,
                                                 "corpus": "provisions"})
    assert r.status_code == 422  # over 256 KiB
    with httpx.Client(base_url=server.url) as c:
        csrf = _sign_in(c, tokens[1]["analyst"])
        big = ("id: P-1\n" + "# " + "x" * 200 + "\n") * 9000  # 1.9 MB of YAML
        r = c.post("/", files={"file": ("big.yaml", big.encode())}, data={"action": "check", "lang": "en", "csrf": csrf})
        assert r.status_code == 422 and "over the limit of 65536" in r.text
        r = c.post("/", files={"file": ("big.yaml", big.encode())}, data={"action": "check", "csrf": csrf})
        assert r.status_code == 422 and "meer dan de grens van 65536" in r.text   # the page's language
        r = c.post("/", data={"text": "a: " + "[" * 3000 + "]" * 3000, "action": "check", "lang": "en", "csrf": csrf})
        assert r.status_code == 422 and "nesting deeper" in r.text


# -- 8. least privilege ----------------------------------------------------------------------------------

def _sign_in(c: httpx.Client, token: str) -> str:
    login = c.get("/login")
    csrf = re.search(r'name="csrf" value="([0-9a-f]{64})"', login.text).group(1)
    r = c.post("/login", data={"token": token, "csrf": csrf}, follow_redirects=False)
    assert r.status_code == 303, r.text
    return re.search(r'name="csrf" value="([0-9a-f]{64})"', c.get("/").text).group(1)


def test_the_impact_report_over_the_log_shows_counts_and_decision_ids_only(server, tokens):
    analyst, policy = server.client(tokens[1]["analyst"]), server.client(tokens[1]["policy"])
    secret = example("allow-structural.yaml")
    secret["id"], secret["recipient"]["name"] = "PRV-SECRET-77", "Geheime Partner B.V."
    recorded = analyst.post("/v1/decisions", json=secret).json()
    base = (ROOT / "rules/waarborgen-pps/2025-02-17.yaml").read_text()
    # a candidate that changes the outcome of every structural provision (an enum condition)
    changed = base.replace("fact: partnership.residual_risk, in: [none, accepted]",
                           "fact: partnership.residual_risk, in: [none]")
    assert changed != base
    r = policy.post("/v1/rulesets/impact", json={"base": "waarborgen-pps@2025-02-17", "candidate": changed})
    assert r.status_code == 200, r.text
    report = r.json()
    assert report["replayed"] >= 1 and sum(report["totals"].values()) == len(report["changed"]) >= 1
    ids = {c["decision_id"] for c in report["changed"]}
    assert recorded["decision_id"] in ids
    assert "PRV-SECRET-77" not in r.text and "Geheime" not in r.text
    assert all("provision_id" not in c and "source" not in c for c in report["changed"])
    # a new condition on free text would read the names one question at a time: refused over the log
    probe = base.replace("fact: partnership.residual_risk, in: [none, accepted]",
                         "fact: recipient.name, matches: \"G.*\"")
    r = policy.post("/v1/rulesets/impact", json={"base": "waarborgen-pps@2025-02-17", "candidate": probe})
    assert r.status_code == 422 and r.json()["error"]["code"] == "free_text_over_log"
    assert "recipient.name" in r.text
    # over provisions the caller gives, it is their own data: allowed
    r = policy.post("/v1/rulesets/impact", json={"base": "waarborgen-pps@2025-02-17", "candidate": probe,
                                                 "corpus": "provisions", "provisions": [secret]})
    assert r.status_code == 200 and r.json()["replayed"] == 1


def test_healthz_does_not_show_where_the_log_is(server):
    body = httpx.get(server.url + "/healthz").json()
    assert body["status"] == "ok" and "log" not in body and "sqlite3" not in json.dumps(body)


def test_the_api_description_loads_no_script_from_elsewhere(server):
    page = httpx.get(server.url + "/docs")
    assert page.status_code == 200
    sources = re.findall(r'(?:src|href)="([^"]+)"', page.text)
    assert sources and all(s.startswith("/") and not s.startswith("//") for s in sources), sources
    for s in sources:
        assert httpx.get(server.url + s).status_code == 200, s
    csp = page.headers["content-security-policy"]
    assert "script-src 'self' 'sha256-" in csp and "http" not in csp
    assert httpx.get(server.url + "/openapi.json").json()["paths"]["/v1/check"]
