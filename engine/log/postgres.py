"""The decision log in PostgreSQL, for several service instances (on several hosts) on one log.

Connections come from psycopg 3's pool (`psycopg_pool.ConnectionPool`), checked before use, so a
restarted database is reconnected without a failed request. Every session sets
`synchronous_commit = on` (an acknowledged entry is durable whatever the server's default) and
`lock_timeout` to the log's wait. An append takes the chain's transaction-level advisory lock
(`pg_advisory_xact_lock`, key CHAIN_LOCK), reads the head and the database's clock, inserts its
entries and commits: writers on every host form one chain, recorded in the database's time. The
schema backs this up without the lock: the sequence number is the primary key, the hash is unique,
and a row trigger refuses an entry that is not the next number or does not name the head's hash, so
a writer that skips the lock fails instead of forking the chain. Statement-level triggers refuse
UPDATE, DELETE and TRUNCATE, and `wivcheck log migrate --grant ROLE` gives the service's role only
SELECT and INSERT.

`verify` reads the log in batches on a thread of its own, a batch ahead of the one it checks, so
the server reads and sends rows while the client hashes and parses. New provisions and decisions are
compressed with lz4 where the server has it (`default_toast_compression`; about a third less of the
server's time to read them back than its default pglz); entries stored before keep their pglz.

A connection lost while committing leaves the outcome unknown: the error says so (a retry with the
same Idempotency-Key then records once).
"""

from __future__ import annotations

import datetime as dt
import json
import queue
import threading
from contextlib import contextmanager
from typing import Iterator, Sequence

import psycopg
from psycopg import errors as pgerrors
from psycopg_pool import ConnectionPool, PoolTimeout

from . import schema
from .ledger import DEFAULT_TIMEOUT, Ledger, LedgerError, StoredAnswer, Tx, redact_url

#: pg_advisory_xact_lock key of the chain ("wivc")
CHAIN_LOCK = 0x77697663
#: batches `verify` reads ahead of the one it checks (besides the one being read): with
#: `PostgresLedger.verify_batch` entries of about 15 kB each, some 45 MB in memory at most
READ_AHEAD = 1


def _sql(text: str) -> str:
    return text.replace("?", "%s")


class _PgTx(Tx):
    def __init__(self, conn: psycopg.Connection):
        self.conn = conn
        self.cur = conn.cursor()

    def one(self, sql: str, args: Sequence = ()):
        self.cur.execute(_sql(sql), args)
        return self.cur.fetchone()

    def run(self, sql: str, args: Sequence = ()) -> None:
        self.cur.execute(_sql(sql), args)

    def many(self, sql: str, rows: list[Sequence]) -> None:
        if rows:
            self.cur.executemany(_sql(sql), rows)


class PostgresLedger(Ledger):
    """The decision log in a PostgreSQL database (see the module docstring). `target` is a libpq
    URL, `postgresql://USER@HOST:PORT/DATABASE`."""

    backend = "postgresql"
    verify_batch = 1000

    def __init__(self, target: str | None = None, *, create: bool = False, timeout: float = DEFAULT_TIMEOUT,
                 pool_size: int = 8):
        self.url = str(target)
        self.where = redact_url(self.url)
        self._timeout = max(timeout, 0.05)
        self._closed = threading.Event()
        try:
            with self._connect() as conn:
                revision = self._revision(conn)
        except psycopg.Error as exc:
            raise LedgerError(_explain(exc, self.where, "open")) from None
        if schema.newer(revision):
            raise LedgerError(f"{self.where} was written by a newer wivcheck (log schema {revision}; "
                              f"this version reads up to {schema.HEAD}); nothing was changed")
        if revision != schema.HEAD:
            if not create:
                raise LedgerError(f"no decision log in {self.where} (record a decision first, or run "
                                  "`wivcheck log migrate`)" if revision is None else
                                  f"the decision log in {self.where} is at schema {revision}; run "
                                  f"`wivcheck log migrate` to upgrade it to {schema.HEAD}")
            self.migrated = self.migrate()
        self._pool = ConnectionPool(self.url, min_size=1, max_size=pool_size, open=False,
                                    timeout=self._timeout, configure=self._configure,
                                    check=ConnectionPool.check_connection, name="wivcheck-log",
                                    kwargs={"connect_timeout": max(1, int(self._timeout + 0.999))})
        self._pool.open(wait=False)

    def _connect(self) -> psycopg.Connection:
        conn = psycopg.connect(self.url, connect_timeout=max(1, int(self._timeout + 0.999)))
        self._configure(conn)
        return conn

    def _configure(self, conn: psycopg.Connection) -> None:
        conn.execute("SET synchronous_commit = on")
        conn.execute(f"SET lock_timeout = {int(self._timeout * 1000)}")
        conn.execute("SET TIME ZONE 'UTC'")
        conn.commit()
        # provisions and decisions (kilobytes of JSON) compressed with lz4 where the server has it:
        # `verify` reads every one back, and the server unpacks lz4 in about half the time of its
        # default pglz. Only how new values are stored changes, not what they hold; older servers
        # (before 14) or builds without lz4 keep their default.
        try:
            conn.execute("SET default_toast_compression = 'lz4'")
            conn.commit()
        except (pgerrors.UndefinedObject, pgerrors.InvalidParameterValue):
            conn.rollback()

    @staticmethod
    def _revision(conn: psycopg.Connection) -> str | None:
        version_table, entries = conn.execute(
            "SELECT to_regclass('alembic_version'), to_regclass('entries')").fetchone()
        if version_table is None:
            if entries is not None:
                raise LedgerError("the database has a table `entries` that is not a wivcheck decision log")
            return None
        row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
        conn.rollback()
        return row[0] if row else None

    def migrate(self) -> list[str]:
        """Create or upgrade the schema (needs the rights to create tables: the database owner).
        Returns the revisions applied."""
        try:
            return schema.upgrade(self._connect, "postgresql")
        except psycopg.errors.InsufficientPrivilege as exc:
            raise LedgerError(f"cannot create or upgrade the decision log in {self.where}: this role may not "
                              f"({exc.diag.message_primary}); run `wivcheck log migrate` as the database's owner"
                              ) from None
        except psycopg.Error as exc:
            raise LedgerError(_explain(exc, self.where, "set up")) from None
        except Exception as exc:  # sqlalchemy wraps the driver's errors
            orig = getattr(exc, "orig", None)
            if isinstance(orig, psycopg.errors.InsufficientPrivilege):
                raise LedgerError(f"cannot create or upgrade the decision log in {self.where}: this role may "
                                  f"not ({orig.diag.message_primary}); run `wivcheck log migrate` as the "
                                  "database's owner") from None
            if isinstance(orig, psycopg.Error):
                raise LedgerError(_explain(orig, self.where, "set up")) from None
            raise

    def grant(self, role: str) -> None:
        """Give `role` (the service's) SELECT and INSERT on the log's tables and nothing more: no
        UPDATE, DELETE or TRUNCATE."""
        from psycopg import sql
        try:
            with self._connect() as conn:
                ident = sql.Identifier(role)
                conn.execute(sql.SQL("GRANT USAGE ON SCHEMA {} TO {}").format(
                    sql.Identifier(conn.execute("SELECT current_schema()").fetchone()[0]), ident))
                for table in ("entries", "idempotency_keys", "alembic_version"):
                    conn.execute(sql.SQL("REVOKE ALL ON {} FROM {}").format(sql.Identifier(table), ident))
                conn.execute(sql.SQL("GRANT SELECT, INSERT ON entries, idempotency_keys TO {}").format(ident))
                conn.execute(sql.SQL("GRANT SELECT ON alembic_version TO {}").format(ident))
                conn.commit()
        except psycopg.Error as exc:
            raise LedgerError(_explain(exc, self.where, "grant on")) from None

    def close(self) -> None:
        self._closed.set()
        self._pool.close()

    def ready(self, timeout: float = 1.0) -> None:
        """A connection within `timeout`, a primary (not a standby in recovery), INSERT allowed on
        the entries for this role, and the chain's lock had within `timeout`; rolled back at once."""
        try:
            conn = self._pool.getconn(timeout=timeout)
        except PoolTimeout:
            raise LedgerError(f"the database of the decision log in {self.where} cannot be reached "
                              f"(no connection within {timeout:g} s): nothing can be recorded") from None
        try:
            try:
                recovering, may_insert = conn.execute(
                    "SELECT pg_is_in_recovery(), has_table_privilege('entries', 'INSERT')").fetchone()
                if recovering:
                    raise LedgerError(f"{self.where} is a standby (in recovery): nothing can be recorded")
                if not may_insert:
                    raise LedgerError(f"this role may not INSERT into the entries of {self.where}: "
                                      "nothing can be recorded")
                conn.execute(f"SET LOCAL lock_timeout = {max(1, int(timeout * 1000))}")
                conn.execute(f"SELECT pg_advisory_xact_lock({CHAIN_LOCK})")
            finally:
                if not conn.closed:
                    conn.rollback()
        except psycopg.Error as exc:
            raise LedgerError(_explain(exc, self.where, "write to")) from None
        finally:
            self._pool.putconn(conn)

    @contextmanager
    def _conn(self, action: str):
        try:
            with self._pool.connection() as conn:
                yield conn
        except PoolTimeout:
            raise LedgerError(f"cannot {action} the decision log in {self.where}: the database cannot be reached "
                              f"(no connection within {self._timeout:g} s)"
                              + ("; nothing was recorded" if action in ("record", "import into") else "")) from None
        except LedgerError:
            raise
        except psycopg.Error as exc:
            raise LedgerError(_explain(exc, self.where, action)) from None

    @contextmanager
    def _tx(self, action: str):
        with self._conn(action) as conn:
            tx = _PgTx(conn)
            try:
                yield tx
            except BaseException:
                if not conn.closed:
                    try:
                        conn.rollback()
                    except psycopg.Error:
                        pass  # the connection is gone: the pool replaces it; nothing was committed
                raise
            try:
                conn.commit()
            except psycopg.OperationalError as exc:
                raise LedgerError(f"cannot {action} the decision log in {self.where}: the connection was lost "
                                  f"while committing ({exc}); whether it was recorded is not known: look it up, "
                                  "or retry with the same Idempotency-Key") from None

    def _lock_chain(self, tx: Tx) -> None:
        tx.run(f"SELECT pg_advisory_xact_lock({CHAIN_LOCK})")

    def _locked_head(self, tx: Tx, once):
        """The lock, the head, the database's clock and the kept answer in one round trip (a
        pipeline: the statements still run in order, so the head is read under the lock)."""
        cur = tx.cur
        with tx.conn.pipeline():
            cur.execute(f"SELECT pg_advisory_xact_lock({CHAIN_LOCK})")
            head_cur = tx.conn.cursor()
            head_cur.execute("SELECT seq, hash FROM entries ORDER BY seq DESC LIMIT 1")
            clock_cur = tx.conn.cursor()
            clock_cur.execute("SELECT clock_timestamp()")
            key_cur = None
            if once is not None:
                key_cur = tx.conn.cursor()
                key_cur.execute("SELECT request_sha256, answer, recorded_at FROM idempotency_keys "
                                "WHERE scope = %s AND key = %s", (once.scope, once.key))
        head = head_cur.fetchone()
        now = clock_cur.fetchone()[0].astimezone(dt.timezone.utc).isoformat(timespec="microseconds")
        row = key_cur.fetchone() if key_cur is not None else None
        stored = StoredAnswer(row[0], json.loads(row[1]), row[2]) if row else None
        return head, now, stored

    def _clock(self, tx: Tx) -> str:
        now = tx.one("SELECT clock_timestamp()")[0]
        return now.astimezone(dt.timezone.utc).isoformat(timespec="microseconds")

    def _utf8_of(self, column: str) -> str | None:
        return f"convert_to({column}, 'UTF8')"

    def _query_stored(self, sql: str, args: Sequence = ()) -> list[tuple]:
        # in the binary protocol: bytea comes as it is, not as hex text twice its size to decode
        with self._conn("read") as conn:
            rows = conn.execute(_sql(sql), args, binary=True).fetchall()
            conn.rollback()
            return rows

    def _stored_batches(self, select: str, batch: int) -> Iterator[list[tuple]]:
        """`Ledger._stored_batches`, read ahead: a thread reads the next batches (at most
        READ_AHEAD waiting) while the caller checks this one, so the server reads and sends rows
        on one core while the hashes and the JSON are checked on another (psycopg waits for the
        server without the interpreter lock). The same queries in the same order as without it;
        an error of the read is raised to the caller where its batch would have come, and a caller
        that stops early (a fault found) stops the reader."""
        ready: queue.Queue = queue.Queue(maxsize=READ_AHEAD)
        stop = threading.Event()

        def hand(item) -> None:
            while not stop.is_set():
                try:
                    ready.put(item, timeout=0.1)
                    return
                except queue.Full:
                    continue

        def read() -> None:
            last = 0
            try:
                while not stop.is_set():
                    rows = self._query_stored(f"SELECT {select} FROM entries WHERE seq > ? ORDER BY seq "
                                              "LIMIT ?", (last, batch))
                    hand(rows)
                    if not rows:
                        return
                    last = rows[-1][0]
            except BaseException as exc:  # handed to the caller, raised there
                hand(exc)

        reader = threading.Thread(target=read, name="wivcheck-log-read-ahead", daemon=True)
        reader.start()
        try:
            while True:
                item = ready.get()
                if isinstance(item, BaseException):
                    raise item
                if not item:
                    return
                yield item
        finally:
            stop.set()
            reader.join()

    def _query(self, sql: str, args: Sequence = ()) -> list[tuple]:
        with self._conn("read") as conn:
            rows = conn.execute(_sql(sql), args).fetchall()
            conn.rollback()
            return rows

    def check_database(self) -> list[str]:
        problems = []
        found = {name: (enabled, function) for name, enabled, function in self._query(
            "SELECT t.tgname, t.tgenabled, p.proname FROM pg_trigger t JOIN pg_proc p ON p.oid = t.tgfoid "
            "WHERE t.tgrelid = 'entries'::regclass AND NOT t.tgisinternal")}
        for name, (_, _, function) in schema.POSTGRES_TRIGGERS.items():
            if name not in found:
                problems.append(f"trigger {name} is missing (dropped): the log no longer refuses "
                                + ("changes" if "extend" not in name else "entries that do not extend the head"))
            elif found[name][0] != "O":
                problems.append(f"trigger {name} is disabled (ALTER TABLE ... DISABLE TRIGGER)")
            elif found[name][1] != function:
                problems.append(f"trigger {name} was replaced: it runs {found[name][1]}, not {function}")
        for name in sorted(set(found) - set(schema.POSTGRES_TRIGGERS)):
            problems.append(f"trigger {name} on entries is not part of the log's schema")
        for grantee, privilege in self._query(
                "SELECT grantee, privilege_type FROM information_schema.role_table_grants "
                "WHERE table_name = 'entries' AND table_schema = current_schema() "
                "AND privilege_type IN ('UPDATE', 'DELETE', 'TRUNCATE') "
                "AND grantee <> (SELECT tableowner FROM pg_tables WHERE tablename = 'entries' "
                "AND schemaname = current_schema()) ORDER BY 1, 2"):
            problems.append(f"role {grantee} may {privilege} entries (grant only SELECT and INSERT)")
        return problems


def _explain(exc: psycopg.Error, where: str, action: str) -> str:
    diag = getattr(exc, "diag", None)
    text = (diag.message_primary if diag is not None and diag.message_primary else str(exc)).strip()
    if isinstance(exc, pgerrors.LockNotAvailable):
        why = "the log is locked by another writer and stayed locked past the wait"
    elif isinstance(exc, pgerrors.UniqueViolation) and "decision_id" in str(exc):
        why = "an entry with this decision id is already recorded"
    elif isinstance(exc, (pgerrors.UniqueViolation, pgerrors.IntegrityConstraintViolation)):
        why = "another writer extended the chain at the same time without the chain's lock"
    elif isinstance(exc, pgerrors.DiskFull):
        why = "the database's disk is full"
    elif isinstance(exc, pgerrors.InsufficientPrivilege):
        why = f"this role may not do that ({text})"
    elif isinstance(exc, pgerrors.ReadOnlySqlTransaction):
        why = "the database is read-only (a standby?)"
    elif isinstance(exc, psycopg.OperationalError):
        why = f"the database cannot be reached ({text})"
    else:
        why = text
    suffix = "; nothing was recorded" if action in ("record", "import into") else ""
    return f"cannot {action} the decision log in {where}: {why}{suffix}"
