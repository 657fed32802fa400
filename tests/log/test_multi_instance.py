"""Several service instances on one decision log in PostgreSQL: three `wivcheck serve` on three ports,
one database, a bounded recording load spread over them, one instance SIGKILLed and restarted during
each round. Every acknowledged decision is in the log, the chain is one and unbroken, `log verify`
says intact, and a request retried on another instance with its Idempotency-Key is recorded once.
Also: a writer that skips the chain's lock cannot fork the chain, and no one changes entries."""

from __future__ import annotations

import json
import random
import subprocess
import threading
import time
import uuid

import httpx
import pytest

from conftest import EXAMPLES, RawLog, patched, pg_database, pg_drop, run_env, wivcheck_bin
from server_util import Server
from wivcheck.engine.log import Ledger, LedgerError

ROUNDS, SECONDS, CLIENTS = 3, 4.0, 6


def provision(kind: str) -> dict:
    name = {"allow": "allow-structural.yaml", "deny": "deny-foreign-origin.yaml"}[kind]
    data = json.loads(json.dumps(__import__("yaml").safe_load((EXAMPLES / name).read_text()), default=str))
    return patched({"id": f"PRV-{uuid.uuid4().hex[:12]}"}, data)


@pytest.fixture()
def database(pg_admin):
    name = f"wivcheck_test_{uuid.uuid4().hex[:10]}"
    yield pg_database(pg_admin, name)
    pg_drop(pg_admin, name)


@pytest.fixture()
def gate_token(tmp_path):
    r = subprocess.run([wivcheck_bin(), "tokens", "new", "--role", "gate", "--name", "gw"],
                       capture_output=True, text=True, env=run_env(), check=True)
    path = tmp_path / "tokens.yaml"
    path.write_text(r.stdout.split("entry for the tokens file:\n")[1])
    path.chmod(0o600)
    return path, r.stdout.split("token: ")[1].split()[0]


def test_three_instances_one_chain_through_kills(database, gate_token):
    tokens, token = gate_token
    args = ("--tokens", str(tokens), "--db", database)
    servers = [Server(*args) for _ in range(3)]
    acked: dict[str, tuple[int, str, str]] = {}  # provision id -> (seq, hash, decision id)
    sent: set[str] = set()
    retried = [0]
    lock = threading.Lock()
    rnd = random.Random(15)

    def client(stop: threading.Event, seed: int) -> None:
        r = random.Random(seed)
        with httpx.Client(headers={"Authorization": f"Bearer {token}"}, timeout=20) as c:
            while not stop.is_set():
                batch = r.random() < 0.3
                items = [provision(r.choice(("allow", "deny"))) for _ in range(5 if batch else 1)]
                key = str(uuid.uuid4())
                with lock:
                    sent.update(p["id"] for p in items)
                for attempt in range(4):  # on a dropped connection: the same request, another instance
                    s = servers[r.randrange(3)]
                    try:
                        if batch:
                            resp = c.post(s.url + "/v1/decisions/batch", json={"provisions": items},
                                          headers={"Idempotency-Key": key})
                            results = [x["decision"] for x in resp.json()["results"]] if resp.status_code == 200 else []
                        else:
                            resp = c.post(s.url + "/v1/decisions", json=items[0], headers={"Idempotency-Key": key})
                            results = [resp.json()] if resp.status_code == 201 else []
                    except httpx.TransportError:
                        with lock:
                            retried[0] += attempt == 0
                        time.sleep(0.2)
                        continue
                    if resp.status_code >= 500 and resp.status_code != 503:
                        raise AssertionError(f"{resp.status_code} {resp.text}")
                    with lock:
                        for p, d in zip(items, results):
                            acked[p["id"]] = (d["log"]["sequence"], d["log"]["hash"], d["decision_id"])
                    break

    try:
        for round_ in range(ROUNDS):
            stop = threading.Event()
            clients = [threading.Thread(target=client, args=(stop, round_ * 100 + i)) for i in range(CLIENTS)]
            for t in clients:
                t.start()
            time.sleep(rnd.uniform(0.8, 1.6))
            victim = rnd.randrange(3)
            servers[victim].kill()  # mid-load: requests on it die unanswered
            time.sleep(0.5)
            servers[victim] = Server(*args, port=servers[victim].port)
            time.sleep(SECONDS)
            stop.set()
            for t in clients:
                t.join(timeout=60)
    finally:
        for s in servers:
            s.stop()
    assert len(acked) > 50, "the load recorded too little to mean anything"
    print(f"\n{len(acked)} acknowledged decisions, {ROUNDS} instances SIGKILLed, {retried[0]} requests retried "
          f"on another instance after a dropped connection")
    with Ledger(database) as ledger:
        n, fault = ledger.verify()
        assert fault is None and ledger.check_database() == []
        stored = {e.seq: e for e in ledger.entries()}
    assert n == len(stored) and sorted(stored) == list(range(1, n + 1))  # one chain, no gaps
    for pid, (seq, digest, decision_id) in acked.items():
        e = stored.get(seq)
        assert e is not None and e.hash == digest and e.decision_id == decision_id and e.provision_id == pid
    per_provision: dict[str, int] = {}
    for e in stored.values():
        per_provision[e.provision_id] = per_provision.get(e.provision_id, 0) + 1
    assert max(per_provision.values()) == 1, "a retried request was recorded twice"
    assert set(per_provision) <= sent
    r = subprocess.run([wivcheck_bin(), "log", "verify", "--db", database], capture_output=True, text=True,
                       env=run_env(), timeout=120)
    assert r.returncode == 0 and f"intact: {n} entries" in r.stdout, r.stderr
    # the owner cannot change what was recorded either
    for sql in ("UPDATE entries SET outcome = 'allow'", "DELETE FROM entries WHERE seq = 1", "TRUNCATE entries"):
        with RawLog(database, keep_triggers=True) as raw, pytest.raises(Exception, match="append-only"):
            raw.execute(sql)


def test_a_writer_without_the_lock_cannot_fork_the_chain(database):
    """Two writers that skip the chain's lock read the same head every time (a barrier makes sure),
    then both try to extend it: each time one is recorded and the other refused by the database."""
    from wivcheck.engine.log.postgres import PostgresLedger
    rounds = 10
    barrier = threading.Barrier(2, timeout=30)

    class NoLock(PostgresLedger):
        """A writer that skips the chain's lock (a bug, or someone's own tool)."""

        def _lock_chain(self, tx) -> None:
            pass

        def _locked_head(self, tx, once):
            head = Ledger._locked_head(self, tx, once)  # the head, read without the lock
            barrier.wait()
            return head

    Ledger(database, create=True).close()
    ok, refused, other = [0], [0], []
    lock = threading.Lock()

    def work(i: int) -> None:
        with NoLock(database) as ledger:
            for j in range(rounds):
                p = {"id": f"P-{i}-{j}", "service": "AIVD"}
                d = {"decision": "allow", "decision_id": str(uuid.uuid4()), "provision_id": p["id"],
                     "rulesets": [{"id": "wiv2017", "version": "2018-05-01", "sha256": "a" * 64}]}
                try:
                    ledger.append(p, d)
                    with lock:
                        ok[0] += 1
                except LedgerError as exc:
                    with lock:
                        if "without the chain's lock" in str(exc):
                            refused[0] += 1
                        else:
                            other.append(exc)
    threads = [threading.Thread(target=work, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not other, other
    assert ok[0] == refused[0] == rounds
    with Ledger(database) as ledger:
        assert ledger.verify() == (rounds, None) and ledger.count() == rounds
