"""The decision log on real databases and real processes, each test on SQLite and on PostgreSQL: one
chain under concurrent writers, nothing acknowledged is lost when a writer is killed, every kind of
tampering is found (and the database refuses it where it can), exports re-import exactly, who
recorded each entry is in its hash, idempotency keys are kept with their entries, and faults give
clear errors that record nothing."""

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

from conftest import ROOT, RawLog, provision
from log_util import WHO, fake
from wivcheck.engine.log import AnswerExists, Ledger, LedgerError, Once
from wivcheck.engine.log import recording
from wivcheck.engine.log.ledger import GENESIS, EntryTampered, entry_hash

WRITER = str(ROOT / "tests" / "ledger_writer.py")


def filled(target, n=6) -> Ledger:
    ledger = Ledger(target, create=True)
    for i in range(n):
        ledger.append(*fake(i), recorded_by=WHO)
    return ledger


def is_pg(target) -> bool:
    return str(target).startswith("postgresql")


def test_append_chain_and_head(log_target):
    ledger = filled(log_target, 3)
    entries = list(ledger.entries())
    assert [e.seq for e in entries] == [1, 2, 3]
    assert entries[0].prev_hash == GENESIS and entries[1].prev_hash == entries[0].hash
    assert ledger.head() == (3, entries[-1].hash)
    assert ledger.verify() == (3, None) and ledger.check_database() == []
    assert entries[0].recorder() == WHO
    if not is_pg(log_target):
        mode = sqlite3.connect(log_target).execute("PRAGMA journal_mode").fetchone()[0]
        assert mode == "wal"


def test_entries_cannot_be_changed_or_removed(log_target):
    """Even the owner (the superuser, on PostgreSQL) is refused by the triggers."""
    filled(log_target, 2).close()
    statements = ["UPDATE entries SET outcome = 'deny' WHERE seq = 1", "DELETE FROM entries WHERE seq = 2"]
    if is_pg(log_target):
        statements.append("TRUNCATE entries")
    for sql in statements:
        with RawLog(log_target, keep_triggers=True) as db, pytest.raises(Exception, match="append-only"):
            db.execute(sql)
    assert Ledger(log_target).verify() == (2, None)


def test_an_entry_that_does_not_extend_the_head_is_refused(log_target):
    """A writer that skips wivcheck (and its lock) cannot fork the chain: the next number and the
    head's hash, or nothing."""
    ledger = filled(log_target, 3)
    first, _, third = list(ledger.entries())
    for seq, prev in ((3, first.hash), (5, third.hash), (4, first.hash)):  # a fork, a gap, a wrong link
        row = {**third.as_row(), "seq": seq, "prev_hash": prev, "decision_id": str(uuid.uuid4())}
        row["hash"] = entry_hash(row)
        with RawLog(log_target, keep_triggers=True) as db, pytest.raises(Exception):
            db.execute("INSERT INTO entries (seq, decision_id, provision_id, recorded_at, outcome, rulesets, "
                       "provision, decision, prev_hash, hash, recorded_by) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                       tuple(row[c] for c in ("seq", "decision_id", "provision_id", "recorded_at", "outcome",
                                              "rulesets", "provision", "decision", "prev_hash", "hash",
                                              "recorded_by")))
    assert ledger.count() == 3 and ledger.verify() == (3, None)


def test_a_decision_id_is_recorded_once(log_target):
    ledger = Ledger(log_target, create=True)
    p, d = fake(1)
    ledger.append(p, d)
    with pytest.raises(LedgerError, match="already recorded"):
        ledger.append(p, d)
    assert ledger.count() == 1


def test_four_processes_five_hundred_appends_each(log_target):
    Ledger(log_target, create=True).close()
    procs = [subprocess.Popen([sys.executable, WRITER, log_target, "500", f"w{i}"],
                              stdout=subprocess.PIPE, text=True) for i in range(4)]
    acks = []
    for p in procs:
        out, _ = p.communicate(timeout=300)
        assert p.returncode == 0
        acks += out.split("\n")[:-1]
    assert len(acks) == 2000
    ledger = Ledger(log_target)
    assert ledger.count() == 2000
    assert ledger.verify() == (2000, None)
    assert sorted(int(a.split()[1]) for a in acks) == list(range(1, 2001))


def test_threads_share_one_chain(log_target):
    ledger = Ledger(log_target, create=True)
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


def test_killed_writer_loses_nothing_it_acknowledged(log_target):
    rnd = random.Random(4)
    acked: dict[int, str] = {}
    Ledger(log_target, create=True).close()
    for round_ in range(10):
        p = subprocess.Popen([sys.executable, WRITER, log_target, "100000", f"k{round_}"],
                             stdout=subprocess.PIPE, text=True)
        deadline = time.monotonic() + rnd.uniform(0.5, 1.2)
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
    ledger = Ledger(log_target)
    n, fault = ledger.verify()
    assert fault is None and n >= len(acked) > 0
    stored = {e.seq: e.hash for e in ledger.entries()}
    assert all(stored.get(seq) == digest for seq, digest in acked.items())


@pytest.mark.parametrize("tamper,seq,problem", [
    ("byte", 3, "content does not match its hash"),
    ("delete", 4, "sequence jumps from 2 to 4: entry 3 is missing"),
    ("swap", 2, "previous-hash does not match"),
    ("insert", 3, "previous-hash does not match"),
    ("recorder", 2, "content does not match its hash"),
])
def test_tampering_is_found(log_target, tamper, seq, problem):
    filled(log_target, 6).close()
    cols = "seq, decision_id, provision_id, recorded_at, outcome, rulesets, provision, decision, prev_hash, hash, recorded_by"
    insert = f"INSERT INTO entries ({cols}) VALUES (?,?,?,?,?,?,?,?,?,?,?)"
    with RawLog(log_target) as db:
        if tamper == "byte":
            text = db.execute("SELECT provision FROM entries WHERE seq = 3")[0][0]
            db.execute("UPDATE entries SET provision = ? WHERE seq = 3", (text.replace("AIVD", "AIVE"),))
        elif tamper == "delete":
            db.execute("DELETE FROM entries WHERE seq = 3")
        elif tamper == "swap":
            a = db.execute(f"SELECT {cols} FROM entries WHERE seq = 2")[0]
            b = db.execute(f"SELECT {cols} FROM entries WHERE seq = 3")[0]
            db.execute("DELETE FROM entries WHERE seq IN (2, 3)")
            db.execute(insert, (2, *b[1:]))
            db.execute(insert, (3, *a[1:]))
        elif tamper == "insert":
            rows = db.execute(f"SELECT {cols} FROM entries WHERE seq >= 3 ORDER BY seq DESC")
            for r in rows:
                db.execute("UPDATE entries SET seq = seq + 1 WHERE seq = ?", (r[0],))
            forged = list(db.execute(f"SELECT {cols} FROM entries WHERE seq = 2")[0])
            forged[0], forged[1], forged[9] = 3, str(uuid.uuid4()), "f" * 64
            db.execute(insert, forged)
        elif tamper == "recorder":  # who recorded it, changed or taken away, changes the hash
            db.execute("UPDATE entries SET recorded_by = NULL WHERE seq = 2")
    n, fault = Ledger(log_target).verify()
    assert fault is not None and fault.seq == seq and problem in fault.problem


def test_dropped_or_disabled_triggers_are_found(log_target):
    filled(log_target, 2).close()
    with RawLog(log_target, keep_triggers=True) as db:
        db.execute("DROP TRIGGER entries_no_delete" + (" ON entries" if is_pg(log_target) else ""))
        if is_pg(log_target):
            db.execute("ALTER TABLE entries DISABLE TRIGGER entries_no_update")
            db.execute("GRANT DELETE ON entries TO PUBLIC")
    problems = Ledger(log_target).check_database()
    assert any("entries_no_delete is missing" in p for p in problems), problems
    if is_pg(log_target):
        assert any("entries_no_update is disabled" in p for p in problems)
        assert any("PUBLIC may DELETE" in p for p in problems)
    assert Ledger(log_target).verify() == (2, None)  # the entries themselves still fit


def test_sqlite_integrity_check_finds_a_damaged_file(tmp_path):
    """An index whose content no longer fits its table (the file edited around SQLite): the chain
    still verifies, the integrity check does not."""
    path = tmp_path / "log.sqlite3"
    filled(path, 40).close()
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA writable_schema = ON")
    db.execute("UPDATE sqlite_master SET sql = 'CREATE INDEX entries_recorded ON entries (provision_id)' "
               "WHERE name = 'entries_recorded'")
    db.close()
    ledger = Ledger(path)
    assert ledger.verify() == (40, None)
    problems = ledger.check_database()
    assert any("SQLite integrity check" in p and "entries_recorded" in p for p in problems), problems


def test_cut_off_tail_needs_the_written_down_head(log_target):
    ledger = filled(log_target, 6)
    _, head = ledger.head()
    ledger.close()
    with RawLog(log_target) as db:
        db.execute("DELETE FROM entries WHERE seq >= 5")
    ledger = Ledger(log_target, create=True)
    assert ledger.verify() == (4, None)  # on its own a shorter chain is still a chain
    n, fault = ledger.verify(expect_head=head)
    assert fault is not None and "not in the log" in fault.problem
    ledger.append(*fake(99))  # a head written down earlier stays valid as the log grows
    early = list(ledger.entries())[1].hash
    assert ledger.verify(expect_head=early)[1] is None


def test_export_then_import_reproduces_every_entry(log_target, second_target, durable):
    ledger = Ledger(log_target, create=True)
    ps = [provision(), provision({"partnership": {"residual_risk": "open"}}),
          provision({"recipient": {"name": "Ünïcødé \"B.V.\" | x"}, "data": {"onward_provision_barred": False}})]
    recording.record(ledger, ps, durable.decide_many(ps), recorded_by=WHO)
    lines = list(recording.to_jsonl(recording.export_rows(ledger, None, None, [])))
    assert all(json.loads(line)["verified"] is True for line in lines)
    assert json.loads(lines[0])["recorded_by"] == WHO
    fresh = Ledger(second_target, create=True)
    fresh.import_entries(recording.rows_from_jsonl(lines))
    assert [e.as_row() for e in fresh.entries()] == [e.as_row() for e in ledger.entries()]
    assert fresh.verify() == (3, None)
    redacted = list(recording.to_jsonl(recording.export_rows(ledger, None, None, ["recipient.name"])))
    with pytest.raises(LedgerError, match="redacted export cannot be imported"):
        recording.rows_from_jsonl(redacted)


def test_export_marks_entries_that_do_not_fit(log_target):
    filled(log_target, 4).close()
    with RawLog(log_target) as db:
        db.execute("UPDATE entries SET outcome = 'deny', decision = replace(decision, '\"allow\"', '\"deny\"') "
                   "WHERE seq = 2")
    rows = list(recording.export_rows(Ledger(log_target), None, None, []))
    assert [r["verified"] for r in rows] == [True, False, True, True]
    assert "does not match its hash" in rows[1]["problem"]


def test_redaction_reaches_messages_and_facts(log_target, durable):
    ledger = Ledger(log_target, create=True)
    p = provision({"recipient": {"name": "Geheim Hosting B.V.", "country": "BE"}})
    recording.record(ledger, [p], [durable.decide(p)])
    row = next(recording.export_rows(ledger, None, None, ["recipient.name"]))
    text = json.dumps(row, ensure_ascii=False)
    assert "Geheim Hosting" not in text and "[redacted]" in text
    assert row["redacted"] == ["recipient.name"]
    with pytest.raises(LedgerError, match="not a provision field"):
        recording.check_redact_fields(["recipient.nmae"])


def test_stored_decision_renders_with_its_log_reference(log_target, durable):
    from wivcheck.engine import render_html, render_markdown
    ledger = Ledger(log_target, create=True)
    p = provision({"partnership": {"residual_risk": "open"}})
    recorded = recording.record(ledger, [p], [durable.decide(p)])[0]
    prov, dec, entry = recording.shown(ledger, "1")
    assert dec.log.sequence == 1 and dec.log.hash == recorded.log.hash
    assert entry.recorder()["local_user"] and entry.recorder()["host"]  # the CLI's default: the local user
    assert ledger.get(dec.decision_id).seq == 1 and ledger.get(p.id).seq == 1
    with pytest.raises(LedgerError, match="no entry"):
        ledger.get("9" * 30)  # beyond the databases' integers: not found, not a fault
    md = render_markdown(dec, "en", prov)
    html = render_html(dec, prov, "en")
    for text in (md, html):
        assert recorded.log.hash in text and "waarborgen-pps.residual-risk" in text
        assert "Example Hosting B.V." in text and dec.rulesets[0].sha256 in text
        assert "Kamerbrief 2025-02-17, Visie op samenwerking" in text


@pytest.mark.parametrize("rehash", [False, True])
def test_an_entry_that_does_not_fit_is_never_shown(log_target, rehash):
    """A deny turned into an allow: refused by its own hash, or (re-hashed) by the next entry's link."""
    ledger = filled(log_target, 3)
    e = ledger.get("2")
    row = {**e.as_row(), "outcome": "deny", "decision": e.decision.replace('"allow"', '"deny"')}
    new_hash = entry_hash(row) if rehash else e.hash
    with RawLog(log_target) as db:
        db.execute("UPDATE entries SET outcome = ?, decision = ?, hash = ? WHERE seq = 2",
                   (row["outcome"], row["decision"], new_hash))
    with pytest.raises(EntryTampered, match="entry 2 .*does not fit") as info:
        recording.shown(ledger, "2")
    assert ("the entry after it names another hash" if rehash else "does not match its hash") in str(info.value)
    assert ledger.get_checked("1").outcome == "allow"


def test_idempotency_key_is_kept_with_its_entries(log_target):
    ledger = Ledger(log_target, create=True)
    once = Once("token:gw|/v1/decisions", "key-1", "b" * 64, lambda entries: {"seq": entries[0].seq})
    first = ledger.append_many([fake(1)], recorded_by=WHO, once=once)
    with pytest.raises(AnswerExists) as info:
        ledger.append_many([fake(2)], recorded_by=WHO, once=once)
    assert info.value.stored.answer == {"seq": first[0].seq} and ledger.count() == 1
    ledger.close()
    again = Ledger(log_target, create=True)  # durable: another process, another day
    assert again.find_answer("token:gw|/v1/decisions", "key-1").answer == {"seq": 1}
    assert again.find_answer("token:other|/v1/decisions", "key-1") is None


# -- schema and migrations ------------------------------------------------------------------------

def test_revisions_are_alembics():
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    from wivcheck.engine.log import schema
    config = Config()
    config.set_main_option("script_location", str(schema.MIGRATIONS))
    found = [s.revision for s in ScriptDirectory.from_config(config).walk_revisions()]
    assert tuple(reversed(found)) == schema.REVISIONS


V1_SCHEMA = """
CREATE TABLE entries (seq INTEGER PRIMARY KEY, decision_id TEXT NOT NULL UNIQUE, provision_id TEXT NOT NULL,
    recorded_at TEXT NOT NULL, outcome TEXT NOT NULL, rulesets TEXT NOT NULL, provision TEXT NOT NULL,
    decision TEXT NOT NULL, prev_hash TEXT NOT NULL, hash TEXT NOT NULL UNIQUE);
CREATE INDEX entries_provision ON entries (provision_id);
CREATE INDEX entries_recorded ON entries (recorded_at);
CREATE TRIGGER IF NOT EXISTS entries_no_update BEFORE UPDATE ON entries
BEGIN SELECT RAISE(ABORT, 'the decision log is append-only: entries are never changed'); END;
CREATE TRIGGER IF NOT EXISTS entries_no_delete BEFORE DELETE ON entries
BEGIN SELECT RAISE(ABORT, 'the decision log is append-only: entries are never removed'); END;
PRAGMA user_version = 1;
"""


def test_a_log_from_before_migrations_is_read_as_it_is_and_upgraded_by_a_writer(tmp_path):
    """A v1 log (the schema and hashes of wivcheck 0.2): readers change nothing; a writer migrates it,
    its entries keep their v1 hashes, new entries say who recorded them, and the chain runs on."""
    path = tmp_path / "v1.sqlite3"
    db = sqlite3.connect(path, isolation_level=None)
    db.executescript(V1_SCHEMA)
    prev = GENESIS
    for seq in (1, 2):
        p, d = fake(seq)
        row = {"seq": seq, "decision_id": d["decision_id"], "provision_id": p["id"],
               "recorded_at": "2026-01-0%dT10:00:00.000000+00:00" % seq, "outcome": "allow",
               "rulesets": '[{"id":"wiv2017","sha256":"' + "a" * 64 + '","version":"2018-05-01"}]',
               "provision": recording.canonical(p), "decision": recording.canonical(d), "prev_hash": prev}
        row["hash"] = prev = entry_hash(row)
        db.execute("INSERT INTO entries VALUES (:seq,:decision_id,:provision_id,:recorded_at,:outcome,:rulesets,"
                   ":provision,:decision,:prev_hash,:hash)", row)
    db.close()
    before = path.read_bytes()
    reader = Ledger(path)
    assert reader.verify() == (2, None) and reader.check_database() == []
    assert reader.get("1").recorded_by is None
    reader.close()
    assert path.read_bytes() == before
    writer = Ledger(path, create=True)
    assert writer.migrated == ["0001", "0002"]
    writer.append(*fake(3), recorded_by=WHO)
    assert writer.verify() == (3, None) and writer.check_database() == []
    assert [e.recorded_by is None for e in writer.entries()] == [True, True, False]
    con = sqlite3.connect(path)
    assert con.execute("PRAGMA user_version").fetchone()[0] == 2
    assert con.execute("SELECT version_num FROM alembic_version").fetchall() == [("0002",)]


def test_two_writers_creating_one_log_apply_each_migration_once(log_target):
    results = []

    def open_and_append(i):
        try:
            with Ledger(log_target, create=True) as ledger:
                ledger.append(*fake(i))
                results.append(ledger.migrated)
        except Exception as exc:  # noqa: BLE001
            results.append(exc)
    threads = [threading.Thread(target=open_and_append, args=(i,)) for i in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not [r for r in results if isinstance(r, Exception)], results
    assert sorted(map(tuple, results)) == [(), (), ("0001", "0002")]
    assert Ledger(log_target).verify() == (3, None)


# -- faults ------------------------------------------------------------------------------------

def test_missing_log_is_not_created_by_readers(log_target):
    with pytest.raises(LedgerError, match="no decision log"):
        Ledger(log_target)
    if not is_pg(log_target):
        from pathlib import Path
        assert not Path(log_target).exists()
    else:
        with RawLog(log_target, keep_triggers=True) as db:
            assert db.execute("SELECT to_regclass('entries')") == [(None,)]


def test_newer_schema_is_refused_untouched(log_target):
    filled(log_target, 1).close()
    with RawLog(log_target, keep_triggers=True) as db:
        db.execute("UPDATE alembic_version SET version_num = '0009'")
    if not is_pg(log_target):
        from pathlib import Path
        before = Path(log_target).read_bytes()
    with pytest.raises(LedgerError, match="newer wivcheck"):
        Ledger(log_target, create=True)
    with RawLog(log_target, keep_triggers=True) as db:
        assert db.execute("SELECT version_num FROM alembic_version") == [("0009",)]
    if not is_pg(log_target):
        assert Path(log_target).read_bytes() == before


def test_newer_user_version_is_refused(tmp_path):
    """What a wivcheck from before migrations would have written as a newer log."""
    path = tmp_path / "log.sqlite3"
    sqlite3.connect(path).executescript(V1_SCHEMA + "PRAGMA user_version = 9;")
    with pytest.raises(LedgerError, match="newer wivcheck"):
        Ledger(path, create=True)


def test_not_a_database(tmp_path):
    path = tmp_path / "log.sqlite3"
    path.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(LedgerError, match="not a readable SQLite database"):
        Ledger(path, create=True)


def test_other_database_is_refused(log_target):
    with RawLog(log_target, keep_triggers=True) as db:
        db.execute("CREATE TABLE entries (x integer)" if is_pg(log_target) else "CREATE TABLE customers (x)")
    with pytest.raises(LedgerError, match="not a wivcheck decision log"):
        Ledger(log_target, create=True)


def test_full_disk_records_nothing(tmp_path):
    path = tmp_path / "log.sqlite3"
    ledger = filled(path, 2)
    ledger._db.execute("PRAGMA max_page_count = %d" % ledger._db.execute("PRAGMA page_count").fetchone()[0])
    big = ({"id": "P-big", "blob": "x" * 200_000}, fake(1)[1])
    with pytest.raises(LedgerError, match="full.*nothing was recorded"):
        ledger.append(*big)
    assert ledger.count() == 2 and ledger.verify() == (2, None)


def test_locked_log_records_nothing(log_target):
    filled(log_target, 1).close()
    holder = RawLog(log_target, keep_triggers=True)
    if is_pg(log_target):
        from wivcheck.engine.log.postgres import CHAIN_LOCK
        holder.db.autocommit = False
        holder.execute(f"SELECT pg_advisory_xact_lock({CHAIN_LOCK})")
    else:
        holder.execute("BEGIN EXCLUSIVE")
    try:
        ledger = Ledger(log_target, timeout=0.3)
        with pytest.raises(LedgerError, match="locked by another (process|writer).*nothing was recorded"):
            ledger.append(*fake(5))
    finally:
        holder.db.rollback() if is_pg(log_target) else holder.execute("ROLLBACK")
        holder.close()
    assert Ledger(log_target).count() == 1


def test_log_path_that_cannot_be_opened(tmp_path):
    with pytest.raises(LedgerError, match="cannot be opened"):
        Ledger(tmp_path, create=True)  # a folder, not a file


def test_unreachable_database_is_a_clear_error():
    from server_util import free_port
    with pytest.raises(LedgerError, match="cannot be reached"):
        Ledger(f"postgresql://postgres@127.0.0.1:{free_port()}/nothing", create=True, timeout=1)


def test_other_url_schemes_are_refused():
    with pytest.raises(LedgerError, match="a log is a file path, sqlite:///PATH or postgresql://"):
        Ledger("mysql://root:secret@db/x")


def test_files_are_created_for_their_owner_only(tmp_path):
    import os
    import stat
    path = tmp_path / "private" / "log.sqlite3"
    filled(path, 2).close()
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    for f in path.parent.iterdir():
        assert stat.S_IMODE(f.stat().st_mode) == 0o600, f
    old = os.umask(0)
    try:
        other = tmp_path / "umask0.sqlite3"
        filled(other, 1).close()
    finally:
        os.umask(old)
    assert stat.S_IMODE(other.stat().st_mode) == 0o600


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
    assert entry_hash({**row, "recorded_by": None}) == h.hexdigest()
    # and one value written down (by the first version of the log), so neither side can drift
    assert entry_hash({name: "x" for name in FIELDS}) == \
        "d4fac9738c706fc1d3e86350bce42c87b200a410b6edf211a7e5cd889cd1cc12"


def test_entry_hash_with_recorded_by_is_v2():
    """Entries that say who recorded them: prefix `wivcheck-log-v2\\n`, the same fields, then
    `recorded_by:length:value\\n`."""
    import hashlib

    from wivcheck.engine.log.ledger import FIELDS, entry_hash
    row = {name: "x" for name in FIELDS} | {"recorded_by": '{"role":"gate","token":"gw"}'}
    h = hashlib.sha256(b"wivcheck-log-v2\n")
    for name in FIELDS:
        h.update(f"{name}:1:x\n".encode())
    h.update(b'recorded_by:28:{"role":"gate","token":"gw"}\n')
    assert entry_hash(row) == h.hexdigest()
    assert entry_hash(row) == "762dee55b23957e5358b180a8d0d629d24fc1d6dfe65e7a803f4b916e3e873cb"


def test_ready_writes_nothing_and_names_why_the_log_cannot_be_written(log_target, tmp_path):
    """`ready()` (the readiness probe's check) passes on a writable log, fails while another writer
    holds the lock past its wait, and (SQLite) fails once the file was moved away; it never appends."""
    log = Ledger(log_target, create=True, timeout=5)
    log.ready(timeout=0.2)
    holder = RawLog(log_target, keep_triggers=True)
    if is_pg(log_target):
        from wivcheck.engine.log.postgres import CHAIN_LOCK
        holder.db.autocommit = False
        holder.execute(f"SELECT pg_advisory_xact_lock({CHAIN_LOCK})")
    else:
        holder.execute("BEGIN IMMEDIATE")
    try:
        with pytest.raises(LedgerError, match="locked"):
            log.ready(timeout=0.2)
    finally:
        holder.db.rollback() if is_pg(log_target) else holder.execute("ROLLBACK")
        holder.close()
    log.ready(timeout=0.2)
    assert log.count() == 0 and log.head()[0] == 0
    if not is_pg(log_target):
        from pathlib import Path
        Path(log_target).rename(tmp_path / "moved.sqlite3")
        with pytest.raises(LedgerError, match="gone"):
            log.ready(timeout=0.2)
    log.close()


# -- the expected head as written down, every entry of a provision, the rule sets used ------------

def test_the_expected_head_may_be_a_prefix(log_target):
    from wivcheck.engine.log.ledger import InvalidHead
    ledger = filled(log_target)
    seq, head = ledger.head()
    earlier = ledger.get("3").hash
    for written in (head, head[:12], head[:30].upper(), f"  {head[:16]}\n", earlier[:12]):
        assert ledger.verify(written) == (6, None), written
    n, fault = ledger.verify("f" * 12 if not head.startswith("f" * 12) else "e" * 12)
    assert fault is not None and "check it" in fault.problem
    for bad, words in (((head[:11]), "at least 12 digits"), ("xyz" + head[:12], "is not a hash"),
                       (head + "0", "a hash has 64")):
        with pytest.raises(InvalidHead, match=words):
            ledger.verify(bad)


def test_a_prefix_that_fits_two_entries_is_refused(log_target, monkeypatch):
    """No two hashes of a real log share twelve digits; entries made to share them show the refusal."""
    from wivcheck.engine.log.ledger import Entry, InvalidHead
    ledger = filled(log_target, n=2)
    real = list(ledger.entries())
    same = ["abcdef012345" + "1" * 52, "abcdef012345" + "2" * 52]
    forged = [Entry(**{**e.as_row(), "hash": h, "prev_hash": GENESIS if i == 0 else same[0]})
              for i, (e, h) in enumerate(zip(real, same))]
    monkeypatch.setattr(type(ledger), "_checked_entries", lambda self, *a, **k: iter(forged))  # what verify reads
    monkeypatch.setattr(Entry, "problem", lambda self: None)
    with pytest.raises(InvalidHead, match="fits entries 1, 2: give more digits"):
        ledger.verify("abcdef012345")
    assert ledger.verify("abcdef0123451") == (2, None)


def test_every_entry_of_a_provision_in_order(log_target):
    ledger = Ledger(log_target, create=True)
    for i in (1, 2, 1, 3, 1):
        ledger.append(*fake(i), recorded_by=WHO)
    assert [e.seq for e in ledger.entries_of("P-1")] == [1, 3, 5]
    assert ledger.entries_of("P-9") == []


def test_the_rule_sets_each_entry_was_decided_under(log_target):
    ledger = filled(log_target, n=3)
    uses = list(ledger.ruleset_uses(batch=2))
    assert [seq for seq, _ in uses] == [1, 2, 3]
    assert uses[0][1] == [{"id": "wiv2017", "version": "2018-05-01", "sha256": "a" * 64}]


def test_a_rule_file_edited_in_place_is_found(log_target, library):
    """The made-up entries were decided under wiv2017@2018-05-01 with another sha256 than the file
    has: as if the file had been edited in place since. The same finding from the rule-set column
    as `verify` collects it (what `log verify` passes on) as from reading the column again."""
    ledger = filled(log_target, n=3)
    uses: dict = {}
    assert ledger.verify(uses=uses) == (3, None) and sorted(s for seqs in uses.values() for s in seqs) == [1, 2, 3]
    assert recording.edited_in_place(ledger, library, uses) == recording.edited_in_place(ledger, library)
    [f] = recording.edited_in_place(ledger, library)
    v = library.get("wiv2017@2018-05-01")
    assert (f.level, f.kind, f.where, f.file, f.line) == ("error", "edited-in-place", v.ref, v.path, 1)
    assert f"sha256 {'a' * 64} (entries 1, 2, 3)" in f.message and f"now has sha256 {v.sha256}" in f.message
    right = Ledger(log_target + "-2" if not is_pg(log_target) else log_target, create=True) \
        if not is_pg(log_target) else None
    if right is not None:
        provision, decision = fake(9)
        decision["rulesets"] = [{"id": "wiv2017", "version": "2018-05-01", "sha256": v.sha256}]
        right.append(provision, decision, recorded_by=WHO)
        assert recording.edited_in_place(right, library) == []


@pytest.mark.parametrize("decision_text,problem", [
    ('{"decision":"allow","decision_id":"D-1","n":NaN}', None),             # only the standard library reads these
    ('{"decision":"allow","decision_id":"D-1","n":1e400,"s":"\\ud800"}', None),
    ('{"decision":"allow","decision_id":"D-1","n":123456789012345678901234567890}', None),
    ('{"decision":"allow","decision_id":"D-1","é":"ü…"}', None),
    ('{"decision":"allow","decision_id":"D-1",}', "its stored JSON does not parse"),
    ('{"decision":"allow","decision_id":"D-2"}', "its columns do not match its stored decision"),
])
def test_an_entry_is_judged_by_what_its_json_holds(decision_text, problem):
    """`Entry.problem` reads the stored JSON with orjson, and where orjson refuses it with the standard
    library: an entry that parsed before still parses (NaN, 1e400, a lone surrogate), one that did not
    still does not; and the hash comes first."""
    from wivcheck.engine.log.ledger import Entry
    row = {"seq": 1, "decision_id": "D-1", "provision_id": "P-1", "recorded_at": "2025-03-14T10:00:00Z",
           "outcome": "allow", "rulesets": "[]", "provision": '{"id":"P-1"}', "decision": decision_text,
           "prev_hash": GENESIS, "recorded_by": '{"role":"gate","token":"t"}'}
    entry = Entry(**row, hash=entry_hash(row))
    assert entry.problem() == problem
    assert Entry(**row, hash="0" * 64).problem() == "its content does not match its hash (the entry was changed)"


def test_verify_reads_the_stored_bytes_and_finds_every_change(log_target):
    """`verify` reads the provision and the decision as the UTF-8 the log holds (not decoded and
    encoded again): an intact log with non-ASCII text verifies, a changed character is a fault, and
    so is (SQLite) a decision stored as a blob instead of text, read the old way."""
    ledger = Ledger(log_target, create=True)
    for i in range(3):
        p, d = fake(i)
        ledger.append_many([({**p, "name": "Ünïcødé … B.V."}, {**d, "note": "één — ✓"})], recorded_by=WHO)
    assert ledger.verify() == (3, None)
    assert [e.problem() for e in ledger.entries()] == [None, None, None]
    with RawLog(log_target) as db:
        db.execute("UPDATE entries SET decision = replace(decision, '✓', '✗') WHERE seq = 2")
    n, fault = ledger.verify()
    assert (n, fault.seq, fault.problem) == (2, 2, "its content does not match its hash (the entry was changed)")
    if not is_pg(log_target):
        with RawLog(log_target) as db:
            db.execute("UPDATE entries SET decision = replace(decision, '✗', '✓') WHERE seq = 2")
        assert ledger.verify() == (3, None)
        with RawLog(log_target) as db:   # the same bytes, but not text: not what wivcheck wrote
            db.execute("UPDATE entries SET decision = CAST(decision AS BLOB) WHERE seq = 3")
        n, fault = ledger.verify()
        assert (n, fault.seq, fault.problem) == (3, 3, "its content does not match its hash (the entry was changed)")
    ledger.close()


def test_verify_in_many_batches_reads_every_entry_in_order_and_stops_at_a_change(log_target):
    """`verify` reads the log a batch at a time (PostgreSQL: read ahead on a thread): over batches
    of 3 every one of 11 entries is checked in order, a change in a later batch is named, and no
    reader is left behind once a fault stops the check."""
    ledger = filled(log_target, 11)
    ledger.verify_batch = 3
    assert ledger.verify() == (11, None)
    assert [e.seq for e in ledger._checked_entries()] == list(range(1, 12))
    with RawLog(log_target) as db:
        db.execute("UPDATE entries SET outcome = 'deny' WHERE seq = 8")
    before = {t.name for t in threading.enumerate()}
    n, fault = ledger.verify()
    assert (n, fault.seq, fault.problem) == (8, 8, "its content does not match its hash (the entry was changed)")
    assert {t.name for t in threading.enumerate()} <= before
    ledger.close()


def test_verify_names_a_read_that_fails_in_a_later_batch(log_target):
    """An error while reading a later batch (here the table is gone) is raised to the caller of
    `verify` as the log's error, not lost on the reader."""
    if not is_pg(log_target):
        pytest.skip("the read ahead is PostgreSQL's")
    ledger = filled(log_target, 30)   # more than the reader reads ahead of the first batch
    ledger.verify_batch = 3
    checked = ledger._checked_entries()
    first = next(checked)
    assert first.seq == 1
    with RawLog(log_target) as db:
        db.execute("ALTER TABLE entries RENAME TO entries_gone")
    with pytest.raises(LedgerError, match="cannot read the decision log"):
        for _ in checked:
            pass
    ledger.close()


def test_postgresql_stores_new_provisions_and_decisions_with_lz4(log_target):
    """Where the server has lz4, new provisions and decisions are compressed with it (`verify`
    reads them back faster); what they hold, and the chain, are the same."""
    if not is_pg(log_target):
        pytest.skip("PostgreSQL's storage")
    ledger = Ledger(log_target, create=True)
    p, d = fake(0)
    ledger.append_many([(p, {**d, "note": "x" * 5000 + "".join(map(str, range(2000)))})], recorded_by=WHO)
    with RawLog(log_target, keep_triggers=True) as db:
        try:
            db.execute("SET default_toast_compression = 'lz4'")
        except Exception:  # noqa: BLE001 - a server without lz4 keeps its default
            pytest.skip("this server has no lz4")
    with RawLog(log_target, keep_triggers=True) as db:
        assert db.execute("SELECT pg_column_compression(decision) FROM entries") == [("lz4",)]
    assert ledger.verify() == (1, None)
    ledger.close()
