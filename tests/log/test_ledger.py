"""The decision log on real SQLite files and real processes: one chain under concurrent writers,
nothing acknowledged is lost when a writer is killed, every kind of tampering is found, exports
re-import exactly, and faults give clear errors that record nothing."""

from __future__ import annotations

import json
import random
import signal
import sqlite3
import subprocess
import sys
import threading
import time
import uuid

import pytest

from conftest import ROOT, provision
from wivcheck.engine.log import Ledger, LedgerError
from wivcheck.engine.log import recording
from wivcheck.engine.log.ledger import GENESIS

WRITER = str(ROOT / "tests" / "ledger_writer.py")


def fake(i: int) -> tuple[dict, dict]:
    return ({"id": f"P-{i}", "service": "AIVD"},
            {"decision": "allow", "decision_id": str(uuid.uuid4()), "provision_id": f"P-{i}",
             "rulesets": [{"id": "wiv2017", "version": "2018-05-01", "sha256": "a" * 64}],
             "reasons": [], "trace": []})


@pytest.fixture()
def log_path(tmp_path):
    return tmp_path / "log.sqlite3"


def filled(path, n=6) -> Ledger:
    ledger = Ledger(path, create=True)
    for i in range(n):
        ledger.append(*fake(i))
    return ledger


def raw(path) -> sqlite3.Connection:
    """A connection that goes around wivcheck, as someone tampering would."""
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("DROP TRIGGER entries_no_update")
    db.execute("DROP TRIGGER entries_no_delete")
    return db


def test_append_chain_and_head(log_path):
    ledger = filled(log_path, 3)
    entries = list(ledger.entries())
    assert [e.seq for e in entries] == [1, 2, 3]
    assert entries[0].prev_hash == GENESIS and entries[1].prev_hash == entries[0].hash
    assert ledger.head() == (3, entries[-1].hash)
    assert ledger.verify() == (3, None)
    mode = sqlite3.connect(log_path).execute("PRAGMA journal_mode").fetchone()[0]
    assert mode == "wal"


def test_entries_cannot_be_changed_or_removed(log_path):
    filled(log_path, 2)
    db = sqlite3.connect(log_path, isolation_level=None)
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        db.execute("UPDATE entries SET outcome = 'deny' WHERE seq = 1")
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        db.execute("DELETE FROM entries WHERE seq = 2")


def test_a_decision_id_is_recorded_once(log_path):
    ledger = Ledger(log_path, create=True)
    p, d = fake(1)
    ledger.append(p, d)
    with pytest.raises(LedgerError, match="already recorded"):
        ledger.append(p, d)
    assert ledger.count() == 1


def test_four_processes_five_hundred_appends_each(log_path):
    Ledger(log_path, create=True).close()
    procs = [subprocess.Popen([sys.executable, WRITER, str(log_path), "500", f"w{i}"],
                              stdout=subprocess.PIPE, text=True) for i in range(4)]
    acks = []
    for p in procs:
        out, _ = p.communicate(timeout=300)
        assert p.returncode == 0
        acks += out.split("\n")[:-1]
    assert len(acks) == 2000
    ledger = Ledger(log_path)
    assert ledger.count() == 2000
    assert ledger.verify() == (2000, None)
    assert sorted(int(a.split()[1]) for a in acks) == list(range(1, 2001))


def test_threads_share_one_chain(log_path):
    ledger = Ledger(log_path, create=True)
    errors = []

    def work():
        try:
            for i in range(100):
                ledger.append(*fake(i))
        except Exception as exc:  # noqa: BLE001
            errors.append(exc)
    threads = [threading.Thread(target=work) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors and ledger.verify() == (800, None)


def test_killed_writer_loses_nothing_it_acknowledged(log_path):
    rnd = random.Random(4)
    acked: dict[int, str] = {}
    for round_ in range(12):
        p = subprocess.Popen([sys.executable, WRITER, str(log_path), "100000", f"k{round_}"],
                             stdout=subprocess.PIPE, text=True)
        deadline = time.monotonic() + rnd.uniform(0.3, 1.2)
        while time.monotonic() < deadline:
            line = p.stdout.readline()
            if not line:
                break
            _, seq, digest = line.split()
            acked[int(seq)] = digest
        p.send_signal(signal.SIGKILL)
        p.wait()
        for line in p.stdout:  # acks already written before the kill
            if line.count(" ") == 2:
                _, seq, digest = line.split()
                acked[int(seq)] = digest
    ledger = Ledger(log_path)
    n, fault = ledger.verify()
    assert fault is None and n >= len(acked) > 0
    stored = {e.seq: e.hash for e in ledger.entries()}
    assert all(stored.get(seq) == digest for seq, digest in acked.items())


@pytest.mark.parametrize("tamper,seq,problem", [
    ("byte", 3, "content does not match its hash"),
    ("delete", 4, "sequence jumps from 2 to 4: entry 3 is missing"),
    ("swap", 2, "previous-hash does not match"),
    ("insert", 3, "previous-hash does not match"),
])
def test_tampering_is_found(log_path, tamper, seq, problem):
    filled(log_path, 6).close()
    db = raw(log_path)
    if tamper == "byte":
        text = db.execute("SELECT provision FROM entries WHERE seq = 3").fetchone()[0]
        db.execute("UPDATE entries SET provision = ? WHERE seq = 3", (text.replace("AIVD", "AIVE"),))
    elif tamper == "delete":
        db.execute("DELETE FROM entries WHERE seq = 3")
    elif tamper == "swap":
        a = db.execute("SELECT * FROM entries WHERE seq = 2").fetchone()
        b = db.execute("SELECT * FROM entries WHERE seq = 3").fetchone()
        db.execute("DELETE FROM entries WHERE seq IN (2, 3)")
        db.execute("INSERT INTO entries VALUES (2,?,?,?,?,?,?,?,?,?)", b[1:])
        db.execute("INSERT INTO entries VALUES (3,?,?,?,?,?,?,?,?,?)", a[1:])
    elif tamper == "insert":
        rows = db.execute("SELECT * FROM entries WHERE seq >= 3 ORDER BY seq DESC").fetchall()
        for r in rows:
            db.execute("UPDATE entries SET seq = seq + 1 WHERE seq = ?", (r[0],))
        forged = list(db.execute("SELECT * FROM entries WHERE seq = 2").fetchone())
        forged[0], forged[1], forged[-1] = 3, str(uuid.uuid4()), "f" * 64
        db.execute("INSERT INTO entries VALUES (?,?,?,?,?,?,?,?,?,?)", forged)
    db.close()
    n, fault = Ledger(log_path).verify()
    assert fault is not None and fault.seq == seq and problem in fault.problem


def test_cut_off_tail_needs_the_written_down_head(log_path):
    ledger = filled(log_path, 6)
    _, head = ledger.head()
    ledger.close()
    db = raw(log_path)
    db.execute("DELETE FROM entries WHERE seq >= 5")
    db.close()
    ledger = Ledger(log_path)
    assert ledger.verify() == (4, None)  # on its own a shorter chain is still a chain
    n, fault = ledger.verify(expect_head=head)
    assert fault is not None and "not in the log" in fault.problem
    ledger.append(*fake(99))  # a head written down earlier stays valid as the log grows
    early = list(ledger.entries())[1].hash
    assert ledger.verify(expect_head=early)[1] is None


def test_export_then_import_reproduces_every_entry(log_path, tmp_path, durable):
    ledger = Ledger(log_path, create=True)
    ps = [provision(), provision({"partnership": {"residual_risk": "open"}}),
          provision({"recipient": {"name": "Ünïcødé \"B.V.\" | x"}, "data": {"onward_provision_barred": False}})]
    recording.record(ledger, ps, durable.decide_many(ps))
    lines = list(recording.to_jsonl(recording.export_rows(ledger, None, None, [])))
    fresh = Ledger(tmp_path / "fresh.sqlite3", create=True)
    fresh.import_entries(recording.rows_from_jsonl(lines))
    assert [e.as_row() for e in fresh.entries()] == [e.as_row() for e in ledger.entries()]
    assert fresh.verify() == (3, None)
    redacted = list(recording.to_jsonl(recording.export_rows(ledger, None, None, ["recipient.name"])))
    with pytest.raises(LedgerError, match="redacted export cannot be imported"):
        recording.rows_from_jsonl(redacted)


def test_redaction_reaches_messages_and_facts(log_path, durable):
    ledger = Ledger(log_path, create=True)
    p = provision({"recipient": {"name": "Geheim Hosting B.V.", "country": "BE"}})
    recording.record(ledger, [p], [durable.decide(p)])
    row = next(recording.export_rows(ledger, None, None, ["recipient.name"]))
    text = json.dumps(row, ensure_ascii=False)
    assert "Geheim Hosting" not in text and "[redacted]" in text
    assert row["redacted"] == ["recipient.name"]
    with pytest.raises(LedgerError, match="not a provision field"):
        recording.check_redact_fields(["recipient.nmae"])


def test_stored_decision_renders_with_its_log_reference(log_path, durable):
    from wivcheck.engine import render_html, render_markdown
    ledger = Ledger(log_path, create=True)
    p = provision({"partnership": {"residual_risk": "open"}})
    recorded = recording.record(ledger, [p], [durable.decide(p)])[0]
    prov, dec = recording.stored(ledger.get("1"))
    assert dec.log.sequence == 1 and dec.log.hash == recorded.log.hash
    assert ledger.get(dec.decision_id).seq == 1 and ledger.get(p.id).seq == 1
    with pytest.raises(LedgerError, match="no entry"):
        ledger.get("9" * 30)  # beyond SQLite's integers: not found, not a fault
    md = render_markdown(dec, "en", prov)
    html = render_html(dec, prov, "en")
    for text in (md, html):
        assert recorded.log.hash in text and "waarborgen-pps.residual-risk" in text
        assert "Example Hosting B.V." in text and dec.rulesets[0].sha256 in text
        assert "Kamerbrief 2025-02-17, Visie op samenwerking" in text


# -- faults ------------------------------------------------------------------------------------

def test_missing_log_is_not_created_by_readers(log_path):
    with pytest.raises(LedgerError, match="no decision log at"):
        Ledger(log_path)
    assert not log_path.exists()


def test_newer_schema_is_refused_untouched(log_path):
    filled(log_path, 1).close()
    sqlite3.connect(log_path).execute("PRAGMA user_version = 9")
    before = log_path.read_bytes()
    with pytest.raises(LedgerError, match="newer wivcheck"):
        Ledger(log_path, create=True)
    assert log_path.read_bytes() == before


def test_not_a_database(log_path):
    log_path.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(LedgerError, match="not a readable SQLite database"):
        Ledger(log_path, create=True)


def test_other_sqlite_database_is_refused(log_path):
    sqlite3.connect(log_path).execute("CREATE TABLE customers (x)")
    with pytest.raises(LedgerError, match="not a wivcheck decision log"):
        Ledger(log_path, create=True)


def test_full_disk_records_nothing(log_path):
    ledger = filled(log_path, 2)
    ledger._db.execute("PRAGMA max_page_count = %d" % ledger._db.execute("PRAGMA page_count").fetchone()[0])
    big = ({"id": "P-big", "blob": "x" * 200_000}, fake(1)[1])
    with pytest.raises(LedgerError, match="full.*nothing was recorded"):
        ledger.append(*big)
    assert ledger.count() == 2 and ledger.verify() == (2, None)


def test_locked_log_records_nothing(log_path):
    filled(log_path, 1).close()
    holder = sqlite3.connect(log_path, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        ledger = Ledger(log_path, timeout=0.3)
        with pytest.raises(LedgerError, match="locked by another process.*nothing was recorded"):
            ledger.append(*fake(5))
    finally:
        holder.execute("ROLLBACK")
    assert Ledger(log_path).count() == 1


def test_log_path_that_cannot_be_opened(tmp_path):
    with pytest.raises(LedgerError, match="cannot be opened"):
        Ledger(tmp_path, create=True)  # a folder, not a file


def test_canonical_json_is_the_standard_librarys_sorted_compact_form():
    from wivcheck.engine.log.ledger import canonical
    value = {"b": [1, {"z": None, "a": "Ünïcødé \"q\" \\ \n \u2028 \x01"}], "a": True, "c": -3}
    assert canonical(value) == json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def test_entry_hash_format_is_stable():
    """Logs written by any earlier version must still verify: the hash is sha256 over
    `wivcheck-log-v1\\n` and `name:length:value\\n` per field, length in UTF-8 bytes."""
    import hashlib

    from wivcheck.engine.log.ledger import FIELDS, entry_hash
    row = {name: f"wáarde-{name}" for name in FIELDS} | {"seq": 7}
    h = hashlib.sha256(b"wivcheck-log-v1\n")
    for name in FIELDS:
        data = str(row[name]).encode("utf-8")
        h.update(f"{name}:{len(data)}:".encode() + data + b"\n")
    assert entry_hash(row) == h.hexdigest()
    # and one value written down (by the first version of the log), so neither side can drift
    assert entry_hash({name: "x" for name in FIELDS}) == \
        "d4fac9738c706fc1d3e86350bce42c87b200a410b6edf211a7e5cd889cd1cc12"


def test_ready_writes_nothing_and_names_why_the_log_cannot_be_written(tmp_path):
    """`ready()` (the readiness probe's check) passes on a writable log, fails while another writer
    holds the lock past its wait, and fails once the file was moved away; it never appends."""
    import sqlite3 as sq

    from wivcheck.engine.log import Ledger as L, LedgerError as LE
    path = tmp_path / "log.sqlite3"
    log = L(path, create=True, timeout=5)
    log.ready(timeout=0.2)
    holder = sq.connect(path, timeout=0, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        with pytest.raises(LE, match="locked"):
            log.ready(timeout=0.2)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    log.ready(timeout=0.2)
    assert log.count() == 0 and log.head()[0] == 0
    path.rename(tmp_path / "moved.sqlite3")
    with pytest.raises(LE, match="gone"):
        log.ready(timeout=0.2)
    log.close()
