"""Running the service as operators do, on a real `wivcheck serve`: structured logs (one JSON line
per request, a line per decision, nothing secret or personal in any), readiness failing while the
log cannot be written, `wivcheck healthcheck`, and the metrics page read by prometheus-client's own
parser."""

from __future__ import annotations

import datetime as dt

import json
import re
import sqlite3
import subprocess
import time

import httpx
import pytest

from wivcheck.engine import load_library
from prometheus_client.parser import text_string_to_metric_families

from conftest import run_env, wivcheck_bin
from server_util import Server, make_tokens, provision_json

HOLDER = "Jolien de Vries-Bakker"          # a token holder's name: personal, never in a log line
NECESSITY = "Zeldzaam-Woord-Kwetsbaarheid-Qx7 in het netwerk van de ontvanger moet dringend worden gedicht"
RECIPIENT = "Ontvanger Unieknaam Holding B.V."


@pytest.fixture(scope="module")
def tokens(tmp_path_factory):
    return make_tokens(tmp_path_factory.mktemp("tokens"), {"analyst": HOLDER})


@pytest.fixture(scope="module")
def server(tokens, tmp_path_factory):
    db = tmp_path_factory.mktemp("db") / "log.sqlite3"
    s = Server("--tokens", str(tokens[0]), "--db", str(db), "--workers", "2",
               env={"WIVCHECK_LOCK_WAIT": "1", "WIVCHECK_LOG_LEVEL": "debug"})
    s.db = db
    yield s
    s.stop()


def marked(name: str) -> dict:
    p = provision_json(name)
    p["purpose"]["necessity"] = NECESSITY
    p["recipient"]["name"] = RECIPIENT
    return p


def lines_for(server: Server, request_id: str, timeout: float = 5) -> list[dict]:
    """The log lines of one request (they are written as the answer goes out)."""
    deadline = time.monotonic() + timeout
    while True:
        found = [json.loads(x) for x in server.log_text().splitlines() if request_id in x]
        if any(x["event"] == "request" for x in found) or time.monotonic() > deadline:
            return found
        time.sleep(0.05)


def test_every_line_is_json_one_request_line_each_and_nothing_secret(server, tokens):
    tok = tokens[1]
    sent = []
    with server.client(tok["analyst"]) as c:
        for i, name in enumerate(("allow-structural.yaml", "escalate-residual-risk.yaml")):
            rid = f"ops-test-{i}"
            r = c.post("/v1/decisions", json=marked(name), headers={"X-Request-ID": rid})
            assert r.status_code == 201 and r.headers["x-request-id"] == rid
            sent.append((rid, r.json()))
        bad = marked("allow-structural.yaml")
        bad["recipient"]["kind"] = RECIPIENT  # personal text in a bad value: the 422 names it, the log may not
        r = c.post("/v1/check", json=bad, headers={"X-Request-ID": "ops-test-bad"})
        assert r.status_code == 422
    with server.client(tok["auditor"]) as c:
        r = c.post("/v1/check", json=marked("allow-structural.yaml"), headers={"X-Request-ID": "ops-test-403"})
        assert r.status_code == 403
    r = httpx.get(server.url + "/v1/rulesets", headers={"Authorization": "Bearer wvc_wrong-token-value"})
    assert r.status_code == 401 and r.headers["x-request-id"]  # a request id of our own when none was sent

    for rid, decision in sent:
        lines = lines_for(server, rid)
        request = [x for x in lines if x["event"] == "request"]
        assert len(request) == 1, lines
        assert request[0] | {"duration_ms": 0, "time": ""} == {
            "event": "request", "logger": "wivcheck.access", "level": "info", "request_id": rid,
            "method": "POST", "route": "/v1/decisions", "status": 201, "role": "analyst", "duration_ms": 0,
            "time": ""}
        (d,) = [x for x in lines if x["event"] == "decision"]
        assert d["provision_id"] == decision["provision_id"] and d["decision"] == decision["decision"]
        assert d["decision_id"] == decision["decision_id"]
        assert d["rulesets"] == [f"{r['id']}@{r['version']}" for r in decision["rulesets"]]
    assert [x["status"] for x in lines_for(server, "ops-test-bad") if x["event"] == "request"] == [422]
    assert [(x["status"], x["role"]) for x in lines_for(server, "ops-test-403")
            if x["event"] == "request"] == [(403, "auditor")]

    text = server.log_text()
    records = [json.loads(line) for line in text.splitlines() if line.strip()]  # every line parses
    assert records and all(isinstance(x, dict) and "event" in x and "level" in x for x in records)
    for secret in (*tok.values(), "wvc_wrong-token-value", HOLDER, NECESSITY, RECIPIENT):
        assert secret not in text, secret
    assert not re.search(r'127\.0\.0\.1:\d+ - "', text)  # no client address (uvicorn's access line)
    assert not any("uvicorn.access" == x.get("logger") for x in records)


def test_text_format_for_people(tmp_path):
    s = Server("--db", str(tmp_path / "log.sqlite3"), "--log-format", "text")
    try:
        httpx.post(s.url + "/v1/check", json=provision_json("allow-structural.yaml"),
                   headers={"X-Request-ID": "people-1"})
        deadline = time.monotonic() + 5

        def access():
            return [x for x in s.log_text().splitlines() if "people-1" in x and "wivcheck.access" in x]
        while not access() and time.monotonic() < deadline:
            time.sleep(0.05)
        (line,) = access()
    finally:
        s.stop()
    assert not line.startswith("{") and "route=/v1/check" in line and "status=200" in line


def test_readyz_fails_while_the_log_cannot_be_written_and_healthcheck_says_so(server, tokens):
    assert httpx.get(server.url + "/readyz").json()["status"] == "ready"
    hc = [wivcheck_bin(), "healthcheck", "--url", server.url + "/readyz"]
    assert subprocess.run(hc, capture_output=True, text=True, env=run_env()).returncode == 0
    holder = sqlite3.connect(server.db, timeout=0, isolation_level=None)
    try:
        holder.execute("BEGIN IMMEDIATE")  # another writer holds the log's write lock
        r = httpx.get(server.url + "/readyz", timeout=30)
        assert r.status_code == 503, r.text
        body = r.json()
        assert body["status"] == "not_ready" and body["checks"]["rules"]["ok"]
        assert not body["checks"]["log"]["ok"] and "locked" in body["checks"]["log"]["detail"]
        with server.client(tokens[1]["analyst"]) as c:
            rec = c.post("/v1/decisions", json=provision_json("allow-structural.yaml"))
        assert rec.status_code == 503 and rec.json()["error"]["code"] == "log_unavailable"
        out = subprocess.run(hc, capture_output=True, text=True, env=run_env())
        assert out.returncode == 1 and "log" in out.stderr and "locked" in out.stderr
        live = subprocess.run(hc + ["--live"], capture_output=True, text=True, env=run_env())
        assert live.returncode == 0  # alive, though not ready
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert httpx.get(server.url + "/readyz").status_code == 200
    assert any(json.loads(x).get("event") == "not_ready" for x in server.log_text().splitlines())


def test_readyz_fails_when_the_log_file_is_moved_away(tmp_path):
    db = tmp_path / "log.sqlite3"
    s = Server("--db", str(db))
    try:
        assert httpx.get(s.url + "/readyz").status_code == 200
        db.rename(tmp_path / "elsewhere.sqlite3")
        r = httpx.get(s.url + "/readyz")
        assert r.status_code == 503 and "gone" in r.json()["checks"]["log"]["detail"]
        assert str(tmp_path) not in r.text and "<log>" in r.text  # answered without a token: no path
        assert str(db) in s.log_text()  # the operator's log line names it
    finally:
        s.stop()
    r = subprocess.run([wivcheck_bin(), "healthcheck", "--url", s.url + "/readyz", "--timeout", "1"],
                       capture_output=True, text=True, env=run_env())
    assert r.returncode == 1 and "not answering" in r.stderr


def test_metrics_parse_and_count_requests_decisions_log_and_build(server, tokens):
    with server.client(tokens[1]["gate"]) as c:
        c.post("/v1/decisions/batch", json={"provisions": [provision_json("allow-structural.yaml"),
                                                           provision_json("deny-foreign-origin.yaml")]})
        c.post("/v1/check", json=provision_json("escalate-residual-risk.yaml"))
    with server.client(tokens[1]["auditor"]) as c:
        text = c.get("/metrics").text
    families = {f.name: f for f in text_string_to_metric_families(text)}
    samples = {f.name: [(s.name, s.labels, s.value) for s in f.samples] for f in families.values()}

    def value(family: str, sample: str, **labels) -> float:
        return sum(v for n, lab, v in samples[family] if n == sample and labels.items() <= lab.items())
    assert families["wivcheck_http_requests"].type == "counter"
    assert value("wivcheck_http_requests", "wivcheck_http_requests_total", route="/v1/decisions/batch",
                 method="POST", status="200") >= 1
    assert value("wivcheck_http_request_seconds", "wivcheck_http_request_seconds_count", route="/v1/check") >= 1
    assert value("wivcheck_decisions", "wivcheck_decisions_total", route="batch", outcome="deny") >= 1
    assert value("wivcheck_decision_seconds", "wivcheck_decision_seconds_count", route="check") >= 1
    assert families["wivcheck_decision_seconds"].type == "histogram"
    in_force = load_library().select(dt.date.today())
    wiv = next(v for v in in_force if v.name == "wiv2017")
    assert value("wivcheck_ruleset_decisions", "wivcheck_ruleset_decisions_total", ruleset="wiv2017",
                 version=wiv.version, outcome="allow") >= 1
    assert value("wivcheck_log_appends", "wivcheck_log_appends_total") >= 1
    assert value("wivcheck_log_entries", "wivcheck_log_entries_total") >= 2
    assert value("wivcheck_log_append_seconds", "wivcheck_log_append_seconds_count") >= 1
    assert "wivcheck_log_errors" in families
    build = [lab for n, lab, v in samples["wivcheck_build_info"] if v == 1]
    assert build and build[0]["version"]
    hashes = {lab["ruleset"] + "@" + lab["version"]: lab["sha256"] for _, lab, _ in samples["wivcheck_ruleset_info"]}
    with server.client(tokens[1]["auditor"]) as c:
        listed = {f"{r['id']}@{r['version']}": r["sha256"] for r in c.get("/v1/rulesets").json()}
    assert hashes == listed


def test_log_errors_are_counted(server, tokens):
    holder = sqlite3.connect(server.db, timeout=0, isolation_level=None)
    try:
        holder.execute("BEGIN IMMEDIATE")
        with server.client(tokens[1]["gate"]) as c:
            assert c.post("/v1/decisions", json=provision_json("allow-structural.yaml")).status_code == 503
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    with server.client(tokens[1]["auditor"]) as c:
        text = c.get("/metrics").text
    errors = [s for f in text_string_to_metric_families(text) if f.name == "wivcheck_log_errors" for s in f.samples
              if s.name == "wivcheck_log_errors_total" and s.labels.get("operation") == "append"]
    assert errors and sum(s.value for s in errors) >= 1
