"""Recording through the HTTP service, on a real uvicorn on 127.0.0.1 over SQLite and over PostgreSQL:
Idempotency-Key (a retry records once, across restarts, concurrent retries too), who recorded each
entry, one bad item in a batch fails that item only, a tampered entry is never explained as a
decision, a database that cannot be reached gets 503 and records nothing, and a tokens file every
user may write is refused."""

from __future__ import annotations

import concurrent.futures
import json
import os
import subprocess
import time
import uuid

import pytest

from conftest import BACKENDS, EXAMPLES, RawLog, _fresh_target, patched, pg_drop, run_env, wivcheck_bin
from server_util import Server
from wivcheck.engine.log import Ledger


def example(name: str = "allow-structural.yaml", **patch) -> dict:
    data = json.loads(json.dumps(__import__("yaml").safe_load((EXAMPLES / name).read_text()), default=str))
    return patched({"id": f"PRV-{uuid.uuid4().hex[:10]}", **patch}, data)


@pytest.fixture(scope="module")
def tokens(tmp_path_factory):
    folder = tmp_path_factory.mktemp("tokens")
    out, lines = {}, []
    for role in ("analyst", "gate"):
        r = subprocess.run([wivcheck_bin(), "tokens", "new", "--role", role, "--name", f"svc-{role}"],
                           capture_output=True, text=True, env=run_env(), check=True)
        out[role] = r.stdout.split("token: ")[1].split()[0]
        lines.append(r.stdout.split("entry for the tokens file:\n")[1])
    path = folder / "tokens.yaml"
    path.write_text("".join(lines))
    os.chmod(path, 0o600)
    return path, out


@pytest.fixture(scope="module", params=BACKENDS)
def service(request, tokens, tmp_path_factory):
    target, drop = _fresh_target(request, request.param, tmp_path_factory.mktemp("svc"))
    server = Server("--tokens", str(tokens[0]), "--db", target, env={"WIVCHECK_LOCK_WAIT": "2"})
    yield server, target
    server.stop()
    if drop:
        pg_drop(*drop)


def entries_of(target: str, provision_id: str) -> list:
    with Ledger(target) as ledger:
        return [e for e in ledger.entries() if e.provision_id == provision_id]


def test_a_retry_with_the_same_key_gets_the_first_answer_and_records_once(service, tokens):
    server, target = service
    c = server.client(tokens[1]["analyst"])
    body = example()
    first = c.post("/v1/decisions", json=body, headers={"Idempotency-Key": "retry-1"})
    assert first.status_code == 201, first.text
    again = c.post("/v1/decisions", json=body, headers={"Idempotency-Key": "retry-1"})
    assert again.status_code == 201 and again.headers.get("idempotent-replayed") == "true"
    assert again.json() == first.json()
    assert len(entries_of(target, body["id"])) == 1
    # the same key with another body is an error; another caller's same key is its own
    other = c.post("/v1/decisions", json=example(), headers={"Idempotency-Key": "retry-1"})
    assert other.status_code == 422 and other.json()["error"]["code"] == "idempotency_key_reused"
    gate = server.client(tokens[1]["gate"]).post("/v1/decisions", json=body, headers={"Idempotency-Key": "retry-1"})
    assert gate.status_code == 201 and gate.json()["decision_id"] != first.json()["decision_id"]
    bad = c.post("/v1/decisions", json=body, headers={"Idempotency-Key": "x" * 256})
    assert bad.status_code == 400 and bad.json()["error"]["code"] == "invalid_idempotency_key"
    # without a key every request is recorded
    assert c.post("/v1/decisions", json=body).status_code == 201
    assert len(entries_of(target, body["id"])) == 3


def test_concurrent_retries_record_once(service, tokens):
    server, target = service
    body = example("deny-foreign-origin.yaml")
    key = str(uuid.uuid4())

    def send(_):
        with server.client(tokens[1]["analyst"]) as c:
            return c.post("/v1/decisions", json=body, headers={"Idempotency-Key": key})
    with concurrent.futures.ThreadPoolExecutor(6) as pool:
        answers = list(pool.map(send, range(6)))
    assert {a.status_code for a in answers} == {201}
    assert len({a.json()["log"]["hash"] for a in answers}) == 1
    assert len(entries_of(target, body["id"])) == 1


def test_a_batch_retry_and_a_bad_item(service, tokens):
    server, target = service
    c = server.client(tokens[1]["gate"])
    good = [example(), example("deny-foreign-origin.yaml")]
    items = [good[0], 5, {"id": "broken"}, ["not", "an", "object"], good[1]]
    first = c.post("/v1/decisions/batch", json={"provisions": items}, headers={"Idempotency-Key": "batch-1"})
    assert first.status_code == 200, first.text
    res = first.json()["results"]
    assert [r["decision"] is not None for r in res] == [True, False, False, False, True]
    assert res[1]["error"]["code"] == "invalid_provision" and "not a provision object" in json.dumps(res[1])
    again = c.post("/v1/decisions/batch", json={"provisions": items}, headers={"Idempotency-Key": "batch-1"})
    assert again.json() == first.json() and again.headers.get("idempotent-replayed") == "true"
    for p in good:
        found = entries_of(target, p["id"])
        assert len(found) == 1 and found[0].recorder() == {"token": "svc-gate", "role": "gate"}


def test_a_tampered_entry_is_not_explained(service, tokens):
    server, target = service
    c = server.client(tokens[1]["analyst"])
    denied = c.post("/v1/decisions", json=example("deny-foreign-origin.yaml")).json()
    seq = denied["log"]["sequence"]
    with RawLog(target) as raw:
        raw.execute("UPDATE entries SET outcome = 'allow', decision = replace(decision, '\"deny\"', '\"allow\"') "
                    "WHERE seq = ?", (seq,))
    for fmt in ("json", "html"):
        r = c.get(f"/v1/decisions/{seq}", params={"format": fmt})
        assert r.status_code == 500 and r.json()["error"]["code"] == "log_tampered", r.text
        assert f"entry {seq}" in r.json()["error"]["message"]
    assert c.get("/v1/decisions/1").status_code == 200


def test_recorded_by_on_the_service_without_tokens(tmp_path):
    server = Server("--db", str(tmp_path / "log.sqlite3"))
    try:
        r = server.client().post("/v1/decisions", json=example())
        assert r.status_code == 201
    finally:
        server.stop()
    who = Ledger(tmp_path / "log.sqlite3").get("1").recorder()
    import getpass
    assert who["via"] == "http" and who["local_user"] == getpass.getuser() and who["host"]


def test_an_unreachable_database_gets_503_and_records_nothing(pg_admin, tokens):
    import psycopg

    from conftest import pg_database
    name = f"wivcheck_test_{uuid.uuid4().hex[:10]}"
    target = pg_database(pg_admin, name)
    server = Server("--tokens", str(tokens[0]), "--db", target, env={"WIVCHECK_LOCK_WAIT": "1"})
    try:
        c = server.client(tokens[1]["analyst"])
        assert c.post("/v1/decisions", json=example()).status_code == 201
        with psycopg.connect(pg_admin, autocommit=True) as admin:
            admin.execute(f'ALTER DATABASE "{name}" WITH ALLOW_CONNECTIONS false')
            admin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", (name,))
        lost = example()
        for route, body in (("/v1/decisions", lost), ("/v1/decisions/batch", {"provisions": [lost]})):
            r = server.client(tokens[1]["gate"]).post(route, json=body)
            assert r.status_code == 503 and r.json()["error"]["code"] == "log_unavailable", r.text
            assert "nothing was recorded" in r.json()["error"]["message"]
        assert c.post("/v1/check", json=lost).status_code == 200  # checking needs no log
        with psycopg.connect(pg_admin, autocommit=True) as admin:
            admin.execute(f'ALTER DATABASE "{name}" WITH ALLOW_CONNECTIONS true')
        assert entries_of(target, lost["id"]) == []
        # the pool reconnects once the database takes connections again (psycopg_pool backs off
        # between attempts, so the first request after may still find it reconnecting)
        deadline = time.monotonic() + 15
        back = c.post("/v1/decisions", json=lost)
        while back.status_code == 503 and time.monotonic() < deadline:
            time.sleep(0.5)
            back = c.post("/v1/decisions", json=lost)
        assert back.status_code == 201 and back.json()["log"]["sequence"] == 2
    finally:
        server.stop()
        pg_drop(pg_admin, name)


def test_a_tokens_file_every_user_may_write_is_refused(tokens, tmp_path):
    path = tmp_path / "tokens.yaml"
    path.write_text(tokens[0].read_text())
    os.chmod(path, 0o666)
    r = subprocess.run([wivcheck_bin(), "serve", "--tokens", str(path), "--db", str(tmp_path / "l.sqlite3"),
                        "--port", "1"], capture_output=True, text=True, env=run_env(), timeout=60)
    assert r.returncode == 1 and "writable by every user" in r.stderr
    os.chmod(path, 0o644)
    from wivcheck.api.http.tokens import load_tokens
    assert len(load_tokens(path)) == 2


def test_an_idempotency_key_outlives_a_restart(tokens, tmp_path):
    db = tmp_path / "log.sqlite3"
    body = example("deny-foreign-origin.yaml")
    server = Server("--tokens", str(tokens[0]), "--db", str(db))
    try:
        first = server.client(tokens[1]["gate"]).post("/v1/decisions", json=body, headers={"Idempotency-Key": "k"})
        assert first.status_code == 201
    finally:
        server.kill()  # no clean shutdown
    server = Server("--tokens", str(tokens[0]), "--db", str(db))
    try:
        again = server.client(tokens[1]["gate"]).post("/v1/decisions", json=body, headers={"Idempotency-Key": "k"})
    finally:
        server.stop()
    assert again.status_code == 201 and again.json() == first.json()
    assert again.headers["idempotent-replayed"] == "true" and Ledger(db).count() == 1
