"""The decision log: an append-only, hash-chained record of decisions in SQLite.

Each entry holds its sequence number, the decision id, the time recorded, the provision and the
decision (trace included) as canonical JSON, the rule-set ids, versions and hashes, the previous
entry's hash, and its own hash over all of that. Appends run in `BEGIN IMMEDIATE` transactions, so
concurrent writers (threads and processes) queue on SQLite's lock and extend one unbroken chain; the
database is in WAL mode with `synchronous=FULL`, so an entry is on disk before `append` returns.
Triggers refuse UPDATE and DELETE; `verify` recomputes the chain and names the first entry that does
not fit, so changes made around the triggers are found too. A cut-off tail is found by checking a
head hash written down elsewhere (`expect_head`).

It never rewrites an entry, and a failure (locked, full, unreadable, newer schema) raises
LedgerError with what went wrong and the fact that nothing was recorded.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import sqlite3
import threading
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

import orjson

from wivcheck.policy.errors import WivcheckError

SCHEMA_VERSION = 1
GENESIS = "0" * 64
DEFAULT_TIMEOUT = 30.0

_SCHEMA = f"""
CREATE TABLE IF NOT EXISTS entries (
    seq          INTEGER PRIMARY KEY,
    decision_id  TEXT NOT NULL UNIQUE,
    provision_id TEXT NOT NULL,
    recorded_at  TEXT NOT NULL,
    outcome      TEXT NOT NULL,
    rulesets     TEXT NOT NULL,
    provision    TEXT NOT NULL,
    decision     TEXT NOT NULL,
    prev_hash    TEXT NOT NULL,
    hash         TEXT NOT NULL UNIQUE
);
CREATE INDEX IF NOT EXISTS entries_provision ON entries (provision_id);
CREATE INDEX IF NOT EXISTS entries_recorded ON entries (recorded_at);
CREATE TRIGGER IF NOT EXISTS entries_no_update BEFORE UPDATE ON entries
BEGIN SELECT RAISE(ABORT, 'the decision log is append-only: entries are never changed'); END;
CREATE TRIGGER IF NOT EXISTS entries_no_delete BEFORE DELETE ON entries
BEGIN SELECT RAISE(ABORT, 'the decision log is append-only: entries are never removed'); END;
PRAGMA user_version = {SCHEMA_VERSION};
"""

FIELDS = ("seq", "decision_id", "provision_id", "recorded_at", "outcome", "rulesets", "provision",
          "decision", "prev_hash")
_INSERT = ("INSERT INTO entries (seq, decision_id, provision_id, recorded_at, outcome, rulesets, "
           "provision, decision, prev_hash, hash) VALUES (:seq, :decision_id, :provision_id, "
           ":recorded_at, :outcome, :rulesets, :provision, :decision, :prev_hash, :hash)")


class LedgerError(WivcheckError):
    """The log could not be opened, read or written. Nothing was recorded."""

    code = "log_unavailable"
    http_status = 503


class EntryNotFound(LedgerError):
    """No entry with that sequence number, decision id or provision id is in the log."""

    code = "not_found"
    http_status = 404


def default_path() -> Path:
    """`WIVCHECK_DB`, else `$XDG_DATA_HOME/wivcheck/decisions.sqlite3` (~/.local/share/...)."""
    if os.environ.get("WIVCHECK_DB"):
        return Path(os.environ["WIVCHECK_DB"])
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "wivcheck" / "decisions.sqlite3"


def canonical(value: Any) -> str:
    """The one JSON text of a value: sorted keys, no spaces, UTF-8 kept (what
    `json.dumps(sort_keys=True, separators=(",", ":"), ensure_ascii=False)` writes, fifteen times faster)."""
    return orjson.dumps(value, option=orjson.OPT_SORT_KEYS).decode("utf-8")


_FIELD_NAMES = tuple((name, name.encode()) for name in FIELDS)


def entry_hash(row: dict[str, Any]) -> str:
    """sha256 over every stored field, each length-prefixed so no two rows can run together:
    `wivcheck-log-v1\n` then, per field, `name:length:value\n` (length in UTF-8 bytes)."""
    parts = [b"wivcheck-log-v1\n"]
    for name, label in _FIELD_NAMES:
        data = str(row[name]).encode("utf-8")
        parts.append(b"%s:%d:%s\n" % (label, len(data), data))
    return hashlib.sha256(b"".join(parts)).hexdigest()


@dataclass(frozen=True)
class Entry:
    seq: int
    decision_id: str
    provision_id: str
    recorded_at: str
    outcome: str
    rulesets: str
    provision: str
    decision: str
    prev_hash: str
    hash: str

    def as_row(self) -> dict[str, Any]:
        return {k: getattr(self, k) for k in FIELDS + ("hash",)}

    def provision_data(self) -> dict:
        return json.loads(self.provision)

    def decision_data(self) -> dict:
        return json.loads(self.decision)


@dataclass(frozen=True)
class Fault:
    """The first entry that does not fit the chain."""

    seq: int
    problem: str


class Ledger:
    """One decision log file. Safe to share between threads; processes share it through SQLite."""

    def __init__(self, path: str | Path | None = None, *, create: bool = False,
                 timeout: float = DEFAULT_TIMEOUT):
        self.path = Path(path) if path else default_path()
        self._lock = threading.Lock()
        self._timeout = timeout
        if not self.path.exists():
            if not create:
                raise LedgerError(f"no decision log at {self.path} (record a decision first, or "
                                  "name the log with --db / WIVCHECK_DB)")
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise LedgerError(f"cannot create the folder of {self.path}: {exc.strerror}") from None
        elif not os.access(self.path, os.R_OK):
            raise LedgerError(f"cannot read the decision log at {self.path}: permission denied")
        try:
            self._db = sqlite3.connect(self.path, timeout=timeout, isolation_level=None,
                                       check_same_thread=False)
            self._db.execute("PRAGMA busy_timeout = %d" % int(timeout * 1000))
            version = self._db.execute("PRAGMA user_version").fetchone()[0]
            if version > SCHEMA_VERSION:
                raise LedgerError(f"{self.path} was written by a newer wivcheck (log schema {version}; "
                                  f"this version reads up to {SCHEMA_VERSION}); nothing was changed")
            tables = {r[0] for r in self._db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
            if version == 0 and tables - {"entries"}:
                raise LedgerError(f"{self.path} is an SQLite database but not a wivcheck decision log")
            if version == 0:
                if not os.access(self.path, os.W_OK):
                    raise LedgerError(f"{self.path} is not a wivcheck decision log and cannot be set up "
                                      "(read-only)")
                # an entry is 4-6 KB: in 16 KiB pages it stays on its page instead of spilling to
                # overflow pages, which cuts the cost of an insert (bench/bench_ledger.py); only a
                # new, empty file takes a page size, an existing log keeps its own
                self._db.execute("PRAGMA page_size = 16384")
                self._db.execute("PRAGMA journal_mode = WAL")
                self._db.executescript("BEGIN IMMEDIATE;" + _SCHEMA + "COMMIT;")
            self._db.execute("PRAGMA synchronous = FULL")
            opened = os.stat(self.path)
            self._file = (opened.st_dev, opened.st_ino)
        except sqlite3.DatabaseError as exc:
            raise LedgerError(_explain(exc, self.path, "open")) from None

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def ready(self, timeout: float = 1.0) -> None:
        """Check, writing nothing, that a decision could be recorded now; raise LedgerError saying
        why not. The file at the path must still be the one opened (not removed, moved away or
        replaced: appends would go to a file nobody reads), the file and its folder writable, and a
        write transaction must begin within `timeout` seconds (another writer holding the lock
        longer, a read-only or broken file refuse it); it is rolled back at once."""
        try:
            now = os.stat(self.path)
        except OSError as exc:
            raise LedgerError(f"the decision log at {self.path} is gone ({exc.strerror}): "
                              "nothing can be recorded") from None
        if (now.st_dev, now.st_ino) != self._file:
            raise LedgerError(f"{self.path} is no longer the file this process opened (moved or "
                              "replaced): nothing can be recorded until the service is restarted")
        for p in (self.path, self.path.parent):
            if not os.access(p, os.W_OK):
                raise LedgerError(f"{p} is not writable: nothing can be recorded")
        with self._lock:
            try:
                self._db.execute("PRAGMA busy_timeout = %d" % int(timeout * 1000))
                try:
                    self._db.execute("BEGIN IMMEDIATE")
                    self._db.execute("ROLLBACK")
                finally:
                    self._db.execute("PRAGMA busy_timeout = %d" % int(self._timeout * 1000))
            except sqlite3.DatabaseError as exc:
                raise LedgerError(_explain(exc, self.path, "write to")) from None

    def __enter__(self) -> "Ledger":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # -- writing -------------------------------------------------------------------------------

    def append(self, provision: dict, decision: dict) -> Entry:
        """Record one decision; returns the entry once it is durable on disk."""
        return self.append_many([(provision, decision)])[0]

    def append_many(self, items: list[tuple[dict, dict]]) -> list[Entry]:
        """Record several decisions in one transaction (all or none)."""
        recorded_at = dt.datetime.now(dt.timezone.utc).isoformat(timespec="microseconds")
        prepared = []
        for provision, decision in items:
            if decision.get("log"):
                raise LedgerError(f"decision {decision.get('decision_id')} is already recorded")
            prepared.append({
                "decision_id": decision["decision_id"], "provision_id": provision["id"],
                "recorded_at": recorded_at, "outcome": decision["decision"],
                "rulesets": canonical([{k: r[k] for k in ("id", "version", "sha256")}
                                       for r in decision["rulesets"]]),
                "provision": canonical(provision), "decision": canonical(decision)})
        with self._write("record"):
            head = self._db.execute("SELECT seq, hash FROM entries ORDER BY seq DESC LIMIT 1").fetchone()
            seq, prev = head if head else (0, GENESIS)
            rows = []
            for row in prepared:
                seq += 1
                row["seq"], row["prev_hash"] = seq, prev
                row["hash"] = prev = entry_hash(row)
                rows.append(row)
            self._db.executemany(_INSERT, rows)
        return [Entry(**row) for row in rows]

    @contextmanager
    def _write(self, action: str):
        """One write transaction holding SQLite's write lock from the start: all or nothing."""
        with self._lock:
            try:
                self._db.execute("BEGIN IMMEDIATE")
                try:
                    yield
                    self._db.execute("COMMIT")
                except BaseException:
                    if self._db.in_transaction:
                        self._db.execute("ROLLBACK")
                    raise
            except sqlite3.DatabaseError as exc:
                raise LedgerError(_explain(exc, self.path, action)) from None

    def import_entries(self, entries: list[dict]) -> int:
        """Load exported entries verbatim into an empty log (for a fresh reader); the chain is then
        checked by `verify` like any other."""
        with self._write("import into"):
            if self._db.execute("SELECT count(*) FROM entries").fetchone()[0]:
                raise LedgerError(f"{self.path} is not empty; import only into a new log")
            for e in entries:
                self._db.execute(_INSERT, e)
        return len(entries)

    # -- reading -------------------------------------------------------------------------------

    def _rows(self, sql: str, args: tuple = ()) -> Iterator[Entry]:
        try:
            with self._lock:
                rows = self._db.execute(sql, args).fetchall()
        except sqlite3.DatabaseError as exc:
            raise LedgerError(_explain(exc, self.path, "read")) from None
        for r in rows:
            yield Entry(*r)

    _SELECT = ("SELECT seq, decision_id, provision_id, recorded_at, outcome, rulesets, provision, "
               "decision, prev_hash, hash FROM entries")

    def get(self, key: str) -> Entry:
        """An entry by sequence number, decision id, or (its latest) provision id."""
        if key.isascii() and key.isdigit():  # "³" is a digit to str.isdigit, not to int()
            seq = int(key)
            found = list(self._rows(self._SELECT + " WHERE seq = ?", (seq,))) if seq < 2 ** 63 else []
        else:
            found = list(self._rows(self._SELECT + " WHERE decision_id = ?", (key,))) or list(
                self._rows(self._SELECT + " WHERE provision_id = ? ORDER BY seq DESC LIMIT 1", (key,)))
        if not found:
            raise EntryNotFound(f"no entry {key!r} in {self.path}")
        return found[0]

    def head(self) -> tuple[int, str]:
        """(sequence number, hash) of the last entry; (0, GENESIS) for an empty log."""
        last = list(self._rows(self._SELECT + " ORDER BY seq DESC LIMIT 1"))
        return (last[0].seq, last[0].hash) if last else (0, GENESIS)

    def count(self) -> int:
        with self._lock:
            return self._db.execute("SELECT count(*) FROM entries").fetchone()[0]

    def entries(self, since: dt.date | None = None, until: dt.date | None = None,
                batch: int = 2000) -> Iterator[Entry]:
        """Entries in sequence order, optionally recorded from `since` to `until` (inclusive days),
        read in batches so a large log is never held in memory at once."""
        last = 0
        cond, args = "", []
        if since:
            cond += " AND recorded_at >= ?"
            args.append(since.isoformat())
        if until:
            cond += " AND recorded_at < ?"
            args.append((until + dt.timedelta(days=1)).isoformat())
        while True:
            chunk = list(self._rows(self._SELECT + " WHERE seq > ?" + cond + " ORDER BY seq LIMIT ?",
                                    (last, *args, batch)))
            if not chunk:
                return
            yield from chunk
            last = chunk[-1].seq

    def verify(self, expect_head: str | None = None) -> tuple[int, Fault | None]:
        """Recompute the chain. Returns (entries checked, first fault or None)."""
        expected_seq, prev, seen_head = 1, GENESIS, expect_head is None
        n = 0
        for e in self.entries():
            n += 1
            if e.seq != expected_seq:
                gap = (f"entry {expected_seq} is" if e.seq == expected_seq + 1
                       else f"entries {expected_seq}..{e.seq - 1} are")
                return n, Fault(e.seq, f"sequence jumps from {expected_seq - 1} to {e.seq}: "
                                       f"{gap} missing (removed)")
            if e.prev_hash != prev:
                return n, Fault(e.seq, "its previous-hash does not match the entry before it "
                                       "(an entry was removed, inserted or reordered)")
            if entry_hash(e.as_row()) != e.hash:
                return n, Fault(e.seq, "its content does not match its hash (the entry was changed)")
            try:
                decision = json.loads(e.decision)
                provision = json.loads(e.provision)
            except ValueError:
                return n, Fault(e.seq, "its stored JSON does not parse")
            if (decision.get("decision_id") != e.decision_id or decision.get("decision") != e.outcome
                    or provision.get("id") != e.provision_id):
                return n, Fault(e.seq, "its columns do not match its stored decision")
            if e.hash == expect_head:
                seen_head = True
            prev, expected_seq = e.hash, expected_seq + 1
        if not seen_head:
            return n, Fault(expected_seq - 1, f"the expected head {expect_head} is not in the log: "
                                              "entries were cut off the end, or the log was replaced")
        return n, None


def _explain(exc: sqlite3.DatabaseError, path: Path, action: str) -> str:
    text = str(exc)
    if "locked" in text or "busy" in text:
        why = "the log is locked by another process and stayed locked past the wait"
    elif "full" in text:
        why = "the disk (or the database's size limit) is full"
    elif "file is not a database" in text or "malformed" in text:
        why = "the file is not a readable SQLite database"
    elif "readonly" in text or "read-only" in text:
        why = "the log is read-only"
    elif "unable to open" in text:
        why = "the file cannot be opened"
    elif "UNIQUE" in text:
        why = "an entry with this decision id is already recorded"
    elif "append-only" in text:
        why = text
    else:
        why = text
    suffix = "; nothing was recorded" if action in ("record", "import into") else ""
    return f"cannot {action} the decision log at {path}: {why} ({text}){suffix}"
