"""The decision log in one SQLite file: the embedded default.

Appends run in `BEGIN IMMEDIATE` transactions, so concurrent writers (threads and processes on this
machine) queue on SQLite's write lock and extend one unbroken chain; the database is in WAL mode with
`synchronous=FULL`, so an entry is on disk before `append` returns. A new file is created 0600 (its
WAL and shared-memory files take the same mode) in a folder created 0700. `check_database` runs
SQLite's integrity check and compares the triggers with those of the current schema.
"""

from __future__ import annotations

import os
import sqlite3
import threading
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Sequence

from . import schema
from .ledger import (DEFAULT_TIMEOUT, COLUMNS, Ledger, LedgerError, Tx, default_target, now_utc,
                     sqlite_path)


class _SqliteTx(Tx):
    def __init__(self, db: sqlite3.Connection):
        self.db = db

    def one(self, sql: str, args: Sequence = ()):
        return self.db.execute(sql, args).fetchone()

    def run(self, sql: str, args: Sequence = ()) -> None:
        self.db.execute(sql, args)

    def many(self, sql: str, rows: list[Sequence]) -> None:
        self.db.executemany(sql, rows)


class SqliteLedger(Ledger):
    """The decision log in one SQLite file (see the module docstring)."""

    backend = "sqlite"

    def __init__(self, target: str | Path | None = None, *, create: bool = False,
                 timeout: float = DEFAULT_TIMEOUT):
        self.path = sqlite_path(target if target is not None else default_target())
        self.where = str(self.path)
        self._lock = threading.Lock()
        self._timeout = timeout
        new = not self.path.exists()
        if new:
            if not create:
                raise LedgerError(f"no decision log at {self.path} (record a decision first, or "
                                  "name the log with --db / WIVCHECK_DB)")
            _create_private(self.path)
        elif not os.access(self.path, os.R_OK):
            raise LedgerError(f"cannot read the decision log at {self.path}: permission denied")
        try:
            self._db = self._connect()
            revision = self._revision()
            if schema.newer(revision):
                raise LedgerError(f"{self.path} was written by a newer wivcheck (log schema {revision}; "
                                  f"this version reads up to {schema.HEAD}); nothing was changed")
            if revision != schema.HEAD and create:
                if not os.access(self.path, os.W_OK):
                    raise LedgerError(f"{self.path} cannot be set up or upgraded (read-only)")
                revision = self._set_up(revision)
            if revision is None:
                raise LedgerError(f"{self.path} is an empty file, not a wivcheck decision log")
            if revision == "0001":  # read as it is: entries from before `recorded_by`
                self._select_list = ", ".join(COLUMNS[:-1]) + ", NULL"
            self._db.execute("PRAGMA synchronous = FULL")
            opened = os.stat(self.path)
            self._file = (opened.st_dev, opened.st_ino)
        except sqlite3.DatabaseError as exc:
            raise LedgerError(_explain(exc, self.path, "open")) from None

    def _set_up(self, revision: str | None) -> str | None:
        """Make a new file a log (page size, WAL) and migrate it to the current schema; returns the
        revision then. Several processes may set up one new file at once: switching to WAL can answer
        "locked" at once, without SQLite's busy wait, while another is doing the same, so a locked
        answer is retried, the state read again, until the lock wait runs out."""
        deadline = time.monotonic() + self._timeout
        while True:
            try:
                if revision is None:
                    # an entry is 4-6 KB: in 16 KiB pages it stays on its page instead of spilling to
                    # overflow pages, which cuts the cost of an insert (bench/bench_ledger.py); only a
                    # new, empty file takes a page size, an existing log keeps its own
                    self._db.execute("PRAGMA page_size = 16384")
                    self._db.execute("PRAGMA journal_mode = WAL")
                self.migrated = schema.upgrade(self._connect, "sqlite")
                return self._revision()
            except Exception as exc:  # sqlite3's, or SQLAlchemy's around it (alembic)
                if "database is locked" not in str(exc) or time.monotonic() > deadline:
                    raise
                time.sleep(0.05)
                revision = self._revision()
                if revision == schema.HEAD:
                    self.migrated = []
                    return revision

    def _connect(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path, timeout=self._timeout, isolation_level=None, check_same_thread=False)
        db.execute("PRAGMA busy_timeout = %d" % int(self._timeout * 1000))
        return db

    def _revision(self) -> str | None:
        """The schema revision: alembic's table, else `PRAGMA user_version` 1 for a log from before
        migrations; None for an empty file. Raises LedgerError for another SQLite database."""
        version = self._db.execute("PRAGMA user_version").fetchone()[0]
        tables = {r[0] for r in self._db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        if "alembic_version" in tables:
            row = self._db.execute("SELECT version_num FROM alembic_version").fetchone()
            return row[0] if row else None
        if version > len(schema.REVISIONS):
            return f"{version:04d}"
        if version == 1 and "entries" in tables:
            return "0001"
        if version == 0 and not tables:
            return None
        raise LedgerError(f"{self.path} is an SQLite database but not a wivcheck decision log")

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def ready(self, timeout: float = 1.0) -> None:
        """The file at the path must still be the one opened (not removed, moved away or replaced:
        appends would go to a file nobody reads), the file and its folder writable, and a write
        transaction must begin within `timeout` seconds (another writer holding the lock longer, a
        read-only or broken file refuse it); it is rolled back at once."""
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

    @contextmanager
    def _tx(self, action: str):
        """One write transaction holding SQLite's write lock from the start: all or nothing."""
        with self._lock:
            try:
                self._db.execute("BEGIN IMMEDIATE")
                try:
                    yield _SqliteTx(self._db)
                    self._db.execute("COMMIT")
                except BaseException:
                    if self._db.in_transaction:
                        self._db.execute("ROLLBACK")
                    raise
            except sqlite3.DatabaseError as exc:
                raise LedgerError(_explain(exc, self.path, action)) from None

    def _lock_chain(self, tx: Tx) -> None:
        pass  # BEGIN IMMEDIATE holds the database's one write lock

    def _clock(self, tx: Tx) -> str:
        return now_utc()

    def _utf8_of(self, column: str) -> str | None:
        # the stored bytes are UTF-8 only in a UTF-8 database (wivcheck makes no other)
        if self._query("PRAGMA encoding")[0][0] != "UTF-8":
            return None
        return f"CASE WHEN typeof({column}) = 'text' THEN CAST({column} AS BLOB) END"

    def _query(self, sql: str, args: Sequence = ()) -> list[tuple]:
        try:
            with self._lock:
                return self._db.execute(sql, args).fetchall()
        except sqlite3.DatabaseError as exc:
            raise LedgerError(_explain(exc, self.path, "read")) from None

    def check_database(self) -> list[str]:
        problems = [f"SQLite integrity check: {r[0]}" for r in self._query("PRAGMA integrity_check")
                    if r[0] != "ok"]
        found = dict(self._query("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' "
                                 "AND tbl_name = 'entries'"))
        revision = self._revision()
        expected = {name: sql for name, sql in schema.SQLITE_TRIGGERS.items()
                    if revision != "0001" or name != "entries_extend_head"}
        for name, sql in expected.items():
            if name not in found:
                problems.append(f"trigger {name} is missing (dropped): the log no longer refuses "
                                + ("changes" if "extend" not in name else "entries that do not extend the head"))
            elif found[name] != sql:
                problems.append(f"trigger {name} was replaced: it no longer reads as the schema wrote it")
        for name in sorted(set(found) - set(expected)):
            problems.append(f"trigger {name} on entries is not part of the log's schema")
        return problems


def _create_private(path: Path) -> None:
    """Create the log file 0600 (and its folder 0700), so no other user reads decisions."""
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    except FileExistsError:
        pass  # another process created it first: it is set up under SQLite's lock
    except IsADirectoryError:
        raise LedgerError(f"cannot open the decision log at {path}: the file cannot be opened "
                          "(it is a folder)") from None
    except OSError as exc:
        raise LedgerError(f"cannot create the decision log at {path}: {exc.strerror}") from None


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
    elif "UNIQUE" in text and "decision_id" in text:
        why = "an entry with this decision id is already recorded"
    else:
        why = text
    suffix = "; nothing was recorded" if action in ("record", "import into") else ""
    return f"cannot {action} the decision log at {path}: {why} ({text}){suffix}"
