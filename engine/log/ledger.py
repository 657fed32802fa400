"""The decision log: an append-only, hash-chained record of decisions, behind one interface with two
backends, SQLite (`sqlite.py`, the embedded default) and PostgreSQL (`postgres.py`, for several
service instances on one log). `Ledger(target)` picks the backend by the target: a URL
`postgresql://user@host:port/db` is PostgreSQL, a plain path (or `sqlite:///path`) is SQLite.

Each entry holds its sequence number, the decision id, the time recorded, the provision and the
decision (trace included) as canonical JSON, the rule-set ids, versions and hashes, who recorded it,
the previous entry's hash, and its own hash over all of that. Both backends store the same columns,
the same canonical JSON and the same hashes, so a log copied from one to the other verifies alike.
An append takes the chain's write lock inside its transaction (SQLite's `BEGIN IMMEDIATE`,
PostgreSQL's advisory lock), reads the head, chains onto it and commits, and returns only once the
commit is durable. The database refuses UPDATE and DELETE (and TRUNCATE) by triggers, and refuses an
entry that does not extend the head (the sequence number is the primary key and each new entry must
name the head's hash), so a writer that skips the lock cannot fork the chain. `verify` recomputes the
chain and names the first entry that does not fit; checkpoints signed outside the log
(`checkpoint.py`) catch a log rewritten and re-chained, cut off, or with a backdated entry appended.

It never rewrites an entry, and a failure (locked, full, unreachable, unreadable, newer schema)
raises LedgerError with what went wrong and whether anything was recorded.
"""

from __future__ import annotations

import abc
import datetime as dt
import hashlib
import json
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, Sequence

import orjson

from wivcheck.policy.errors import WivcheckError

GENESIS = "0" * 64
DEFAULT_TIMEOUT = 30.0

FIELDS = ("seq", "decision_id", "provision_id", "recorded_at", "outcome", "rulesets", "provision",
          "decision", "prev_hash")
COLUMNS = FIELDS + ("hash", "recorded_by")
assert COLUMNS == ("seq", "decision_id", "provision_id", "recorded_at", "outcome", "rulesets", "provision",
                   "decision", "prev_hash", "hash", "recorded_by")   # read by position in _Stored


class LedgerError(WivcheckError):
    """The log could not be opened, read or written. Nothing was recorded (unless the message says
    the outcome of a commit is unknown)."""

    code = "log_unavailable"
    http_status = 503


class InvalidHead(LedgerError):
    """An expected head that cannot be looked for: not hexadecimal, shorter than a prefix may be, or
    a prefix that fits more than one entry."""

    code = "invalid_head"
    http_status = 422


MIN_HEAD_PREFIX = 12   # 48 bits: a clash among a log's hashes is never to be expected


def head_prefix(text: str) -> str:
    """An expected head as written down: the whole hash (64 hex digits) or a prefix of at least
    MIN_HEAD_PREFIX, in either case; returned in lower case. Raises InvalidHead saying what to give."""
    value = text.strip().lower()
    if not value or any(c not in "0123456789abcdef" for c in value):
        raise InvalidHead(f"the expected head {text!r} is not a hash: give the hexadecimal hash `log head` "
                          f"printed (or its first {MIN_HEAD_PREFIX} digits or more)")
    if len(value) > 64:
        raise InvalidHead(f"the expected head has {len(value)} digits; a hash has 64: check the hash")
    if len(value) < MIN_HEAD_PREFIX:
        raise InvalidHead(f"the expected head {value} is too short to be sure of: give at least "
                          f"{MIN_HEAD_PREFIX} digits of the hash")
    return value


class EntryNotFound(LedgerError):
    """No entry with that sequence number, decision id or provision id is in the log."""

    code = "not_found"
    http_status = 404


class EntryTampered(LedgerError):
    """A stored entry does not fit its hash or its place in the chain: it was changed after it was
    recorded. It is not shown as a decision."""

    code = "log_tampered"
    http_status = 500


def default_path() -> Path:
    """`WIVCHECK_DB` when it is a path, else `$XDG_DATA_HOME/wivcheck/decisions.sqlite3`
    (~/.local/share/...)."""
    if os.environ.get("WIVCHECK_DB") and not is_url(os.environ["WIVCHECK_DB"]):
        return Path(os.environ["WIVCHECK_DB"])
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "wivcheck" / "decisions.sqlite3"


def default_target() -> str:
    """`WIVCHECK_DB` (a path or a URL), else the default SQLite path."""
    return os.environ.get("WIVCHECK_DB") or str(default_path())


def is_url(target: str) -> bool:
    return "://" in target


def is_postgres(target: str | Path | None) -> bool:
    """A `postgresql://` (or `postgres://`) URL."""
    return isinstance(target, str) and target.split("://", 1)[0] in ("postgresql", "postgres")


def sqlite_path(target: str | Path) -> Path:
    """The file of an SQLite target: a plain path or `sqlite:///path`. Raises LedgerError for any
    other URL scheme."""
    if isinstance(target, Path):
        return target
    if target.startswith("sqlite:///"):
        return Path(target[len("sqlite://"):])
    if is_url(target):
        raise LedgerError(f"cannot open the decision log {redact_url(target)}: a log is a file path, "
                          "sqlite:///PATH or postgresql://USER@HOST:PORT/DATABASE")
    return Path(target)


def redact_url(target: str) -> str:
    """A URL fit for messages: any password replaced by `***`."""
    if not is_url(target):
        return target
    scheme, rest = target.split("://", 1)
    netloc, sep, tail = rest.partition("/")
    if "@" in netloc:
        user, host = netloc.rsplit("@", 1)
        if ":" in user:
            user = user.split(":", 1)[0] + ":***"
        netloc = f"{user}@{host}"
    return re.sub(r"(password=)[^&]*", r"\1***", f"{scheme}://{netloc}{sep}{tail}")


def canonical(value: Any) -> str:
    """The one JSON text of a value: sorted keys, no spaces, UTF-8 kept (what
    `json.dumps(sort_keys=True, separators=(",", ":"), ensure_ascii=False)` writes, fifteen times faster)."""
    return orjson.dumps(value, option=orjson.OPT_SORT_KEYS).decode("utf-8")


_FIELD_NAMES = tuple((name, name.encode()) for name in FIELDS)


def entry_hash(row: dict[str, Any]) -> str:
    """sha256 over every stored field, each length-prefixed so no two rows can run together:
    `wivcheck-log-v1\n` then, per field of FIELDS, `name:length:value\n` (length in UTF-8 bytes).

    An entry that says who recorded it (`recorded_by` not None, every entry since log schema 0002)
    is hashed by the same rule with the prefix `wivcheck-log-v2\n` and `recorded_by` as the last
    field; entries recorded before keep their v1 hashes and verify as they always did. The two
    prefixes differ, so removing or adding `recorded_by` always changes the hash."""
    by = row.get("recorded_by")
    return _hash_of([str(row[name]).encode("utf-8") for name in FIELDS],
                    None if by is None else str(by).encode("utf-8"))


def _hash_of(fields: list[bytes], by: bytes | None) -> str:
    """`entry_hash` of the fields of FIELDS (and `recorded_by`) as UTF-8, fed piece by piece: the
    provision and the decision (kilobytes each) are not copied again."""
    h = hashlib.sha256(b"wivcheck-log-v1\n" if by is None else b"wivcheck-log-v2\n")
    for (_, label), data in zip(_FIELD_NAMES, fields):
        h.update(b"%s:%d:" % (label, len(data)))
        h.update(data)
        h.update(b"\n")
    if by is not None:
        h.update(b"recorded_by:%d:" % len(by))
        h.update(by)
        h.update(b"\n")
    return h.hexdigest()


def _parsed(data: bytes) -> Any:
    """A stored JSON text's value, from its UTF-8: orjson, and the standard library where orjson
    refuses it (it reads less than the standard library does: NaN, Infinity, 1e400, a lone
    surrogate escape), so that what parses is exactly what parsed before. Only whether it parses
    and the ids and outcome in it are used (orjson reads an integer past 64 bits as a float). Raises
    ValueError when neither reads it."""
    try:
        return orjson.loads(data)
    except orjson.JSONDecodeError:
        return json.loads(data.decode("utf-8"))


_PROVISION, _DECISION = FIELDS.index("provision"), FIELDS.index("decision")


def _problem(fields: list[bytes], by: bytes | None, stored_hash: str, decision_id: str, outcome: str,
             provision_id: str) -> str | None:
    """What is wrong with an entry on its own (`Entry.problem`), from its fields of FIELDS and its
    `recorded_by` as UTF-8 (each encoded once, for the hash and for the JSON reader)."""
    if _hash_of(fields, by) != stored_hash:
        return "its content does not match its hash (the entry was changed)"
    try:
        decision, provision = _parsed(fields[_DECISION]), _parsed(fields[_PROVISION])
        if by is not None:
            _parsed(by)
    except ValueError:
        return "its stored JSON does not parse"
    if (not isinstance(decision, dict) or not isinstance(provision, dict)
            or decision.get("decision_id") != decision_id or decision.get("decision") != outcome
            or provision.get("id") != provision_id):
        return "its columns do not match its stored decision"
    return None


def rulesets_of(text: Any) -> list:
    """The rule-set versions a stored rule-set column names (`ruleset_uses`): its JSON list, or an
    empty list when it does not parse or is not a list (`verify` names such an entry)."""
    try:
        sets = json.loads(text)
    except (TypeError, ValueError):
        return []
    return sets if isinstance(sets, list) else []


@dataclass(frozen=True)
class Entry:
    """One stored entry: the columns of the log, JSON fields as their canonical text."""

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
    recorded_by: str | None = None

    def as_row(self) -> dict[str, Any]:
        return {k: getattr(self, k) for k in COLUMNS}

    def provision_data(self) -> dict:
        return json.loads(self.provision)

    def decision_data(self) -> dict:
        return json.loads(self.decision)

    def recorder(self) -> dict | None:
        """Who recorded it (`{"token", "role"}` or `{"local_user", "host"[, "via"]}`); None for
        entries recorded before log schema 0002."""
        return json.loads(self.recorded_by) if self.recorded_by is not None else None

    def problem(self) -> str | None:
        """What is wrong with the entry on its own (its hash, its JSON, its columns), or None."""
        return _problem([str(getattr(self, name)).encode("utf-8") for name in FIELDS],
                        None if self.recorded_by is None else str(self.recorded_by).encode("utf-8"),
                        self.hash, self.decision_id, self.outcome, self.provision_id)


class _Stored:
    """A row of the log as `verify` reads it (`Ledger._checked_entries`): the columns of COLUMNS, the
    provision and the decision as the UTF-8 bytes stored."""

    __slots__ = ("seq", "recorded_at", "rulesets", "prev_hash", "hash", "_row")

    def __init__(self, row: tuple):
        self.seq, self.recorded_at, self.rulesets, self.prev_hash, self.hash = row[0], row[3], row[5], row[8], row[9]
        self._row = row

    def problem(self) -> str | None:
        """`Entry.problem` of the row."""
        r = self._row
        return _problem([str(r[0]).encode("utf-8"), str(r[1]).encode("utf-8"), str(r[2]).encode("utf-8"),
                         str(r[3]).encode("utf-8"), str(r[4]).encode("utf-8"), str(r[5]).encode("utf-8"),
                         bytes(r[6]), bytes(r[7]), str(r[8]).encode("utf-8")],
                        None if r[10] is None else str(r[10]).encode("utf-8"), r[9], r[1], r[4], r[2])


@dataclass(frozen=True)
class Fault:
    """The first entry that does not fit the chain."""

    seq: int
    problem: str


@dataclass(frozen=True)
class Anchor:
    """A head written down outside the log: entry `seq` had hash `hash`, and (when `time` is set) no
    entry after it was recorded before `time` (a signed checkpoint). `source` names it in faults."""

    seq: int
    hash: str
    time: dt.datetime | None
    source: str


@dataclass(frozen=True)
class Once:
    """An idempotency key for an append: `(scope, key)` is stored with the request's sha256 and the
    answer (`answer(entries)`, JSON data) in the same transaction as the entries, so a retried
    request finds the first answer and records nothing."""

    scope: str
    key: str
    request_sha256: str
    answer: Callable[[list[Entry]], Any]


@dataclass(frozen=True)
class StoredAnswer:
    """The answer kept for an idempotency key."""

    request_sha256: str
    answer: Any
    recorded_at: str


class AnswerExists(Exception):
    """Raised by an append whose idempotency key was stored meanwhile (by a concurrent request);
    nothing was appended. `stored` is the first answer."""

    def __init__(self, stored: StoredAnswer):
        super().__init__("idempotency key already used")
        self.stored = stored


def now_utc() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="microseconds")


def parse_time(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text)


class Tx(abc.ABC):
    """One transaction of a backend. SQL is written with `?` placeholders."""

    @abc.abstractmethod
    def one(self, sql: str, args: Sequence = ()) -> tuple | None: ...

    @abc.abstractmethod
    def run(self, sql: str, args: Sequence = ()) -> None: ...

    @abc.abstractmethod
    def many(self, sql: str, rows: list[Sequence]) -> None: ...


_INSERT = (f"INSERT INTO entries ({', '.join(COLUMNS)}) VALUES ({', '.join('?' * len(COLUMNS))})")
_INSERT_KEY = ("INSERT INTO idempotency_keys (scope, key, request_sha256, answer, first_seq, recorded_at) "
               "VALUES (?, ?, ?, ?, ?, ?)")


class Ledger(abc.ABC):
    """One decision log. `Ledger(target, create=..., timeout=...)` opens the backend the target
    names (see the module docstring); `create` makes a new log or upgrades an older schema (writers
    pass it), readers never change the database. `timeout` (s) bounds waiting for the write lock
    (and, for PostgreSQL, for a connection). Safe to share between threads.

    Raises LedgerError when the log cannot be opened, is not a wivcheck log, or was written by a
    newer wivcheck."""

    backend: str = ""
    #: where the log is, for messages: a path, or a URL without its password
    where: str = ""
    path: Path | None = None
    #: the migrations this open applied (create=True on an older or new log)
    migrated: list[str] = []

    def __new__(cls, target: str | Path | None = None, *, create: bool = False,
                timeout: float = DEFAULT_TIMEOUT):
        if cls is Ledger:
            if target is None:
                target = default_target()
            if is_postgres(str(target)) and not isinstance(target, Path):
                from .postgres import PostgresLedger
                cls = PostgresLedger
            else:
                sqlite_path(target)  # raises for a URL of another scheme
                from .sqlite import SqliteLedger
                cls = SqliteLedger
        return super().__new__(cls)

    # -- what a backend provides ------------------------------------------------------------------

    @abc.abstractmethod
    def _tx(self, action: str) -> Any:
        """A context manager: one write transaction (all or nothing), yielding a Tx."""

    @abc.abstractmethod
    def _lock_chain(self, tx: Tx) -> None:
        """Take the chain's write lock inside the transaction (held until it ends)."""

    @abc.abstractmethod
    def _clock(self, tx: Tx) -> str:
        """The time to record, read while holding the chain lock: ISO 8601 UTC, microseconds."""

    @abc.abstractmethod
    def _query(self, sql: str, args: Sequence = ()) -> list[tuple]:
        """Rows of one read (`?` placeholders)."""

    @abc.abstractmethod
    def check_database(self) -> list[str]:
        """What is wrong with the database itself (integrity, missing or disabled triggers, grants
        that allow changes), one message each; empty when nothing is."""

    @abc.abstractmethod
    def ready(self, timeout: float = 1.0) -> None:
        """Check, writing nothing, that a decision could be recorded now (the readiness probe);
        raise LedgerError saying why not. The chain's write lock must be had within `timeout`
        seconds; it is let go at once."""

    @abc.abstractmethod
    def close(self) -> None: ...

    #: the SELECT list of an entry (older logs without `recorded_by` select NULL for it)
    _select_list = ", ".join(COLUMNS)

    def __enter__(self) -> "Ledger":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # -- writing -----------------------------------------------------------------------------------

    def append(self, provision: dict, decision: dict, *, recorded_by: dict | None = None) -> Entry:
        """Record one decision; returns the entry once it is durable."""
        return self.append_many([(provision, decision)], recorded_by=recorded_by)[0]

    def append_many(self, items: list[tuple[dict, dict]], *, recorded_by: dict | None = None,
                    once: Once | None = None) -> list[Entry]:
        """Record several decisions in one transaction (all or none), each saying who recorded it
        (`recorded_by`, JSON data). With `once`, the idempotency key is checked under the chain lock
        and stored with the answer in the same transaction; raises AnswerExists (nothing appended)
        when it was stored meanwhile. Raises LedgerError when nothing could be recorded."""
        prepared = []
        by = canonical(recorded_by) if recorded_by is not None else None
        for provision, decision in items:
            if decision.get("log"):
                raise LedgerError(f"decision {decision.get('decision_id')} is already recorded")
            prepared.append({
                "decision_id": decision["decision_id"], "provision_id": provision["id"],
                "outcome": decision["decision"],
                "rulesets": canonical([{k: r[k] for k in ("id", "version", "sha256")}
                                       for r in decision["rulesets"]]),
                "provision": canonical(provision), "decision": canonical(decision), "recorded_by": by})
        with self._tx("record") as tx:
            head, recorded_at, stored = self._locked_head(tx, once)
            if stored is not None:
                raise AnswerExists(stored)
            seq, prev = head if head else (0, GENESIS)
            entries = []
            for row in prepared:
                seq += 1
                row["seq"], row["prev_hash"], row["recorded_at"] = seq, prev, recorded_at
                row["hash"] = prev = entry_hash(row)
                entries.append(Entry(**row))
            tx.many(_INSERT, [tuple(getattr(e, c) for c in COLUMNS) for e in entries])
            if once is not None:
                tx.run(_INSERT_KEY, (once.scope, once.key, once.request_sha256, canonical(once.answer(entries)),
                                     entries[0].seq if entries else None, recorded_at))
        return entries

    def import_entries(self, entries: Iterable[dict]) -> int:
        """Load exported entries (rows of COLUMNS) verbatim into an empty log, in one transaction (a
        fresh reader, or a copy to another backend); the chain is then checked by `verify` like any
        other. Raises LedgerError when the log is not empty or an entry does not extend the chain."""
        n = 0
        with self._tx("import into") as tx:
            self._lock_chain(tx)
            if tx.one("SELECT count(*) FROM entries")[0]:
                raise LedgerError(f"{self.where} is not empty; import only into a new log")
            chunk: list[tuple] = []
            for e in entries:
                chunk.append(tuple(e.get(c) for c in COLUMNS))
                if len(chunk) == 1000:
                    tx.many(_INSERT, chunk)
                    n, chunk = n + len(chunk), []
            tx.many(_INSERT, chunk)
            n += len(chunk)
        return n

    def grant(self, role: str) -> None:
        """Give the service's role only SELECT and INSERT on the log (PostgreSQL)."""
        raise LedgerError(f"{self.where} is an SQLite file: its access is the file's mode (0600), "
                          "not grants; --grant is for PostgreSQL logs")

    def _locked_head(self, tx: Tx, once: Once | None) -> tuple[tuple | None, str, StoredAnswer | None]:
        """Take the chain lock, then read the head row, the time to record and (with `once`) the
        answer kept for its key. A backend may send these together (PostgreSQL pipelines them)."""
        self._lock_chain(tx)
        stored = self._stored_answer(tx, once.scope, once.key) if once is not None else None
        head = tx.one("SELECT seq, hash FROM entries ORDER BY seq DESC LIMIT 1")
        return head, self._clock(tx), stored

    def head_locked(self) -> tuple[int, str, str]:
        """(seq, hash, time) of the head, read under the chain's write lock, so that every entry
        appended later is recorded at or after `time` (what a checkpoint signs)."""
        with self._tx("read the head of") as tx:
            self._lock_chain(tx)
            head = tx.one("SELECT seq, hash FROM entries ORDER BY seq DESC LIMIT 1")
            when = self._clock(tx)
        seq, digest = head if head else (0, GENESIS)
        return seq, digest, when

    # -- idempotency keys ----------------------------------------------------------------------------

    def _stored_answer(self, tx: Tx, scope: str, key: str) -> StoredAnswer | None:
        row = tx.one("SELECT request_sha256, answer, recorded_at FROM idempotency_keys "
                     "WHERE scope = ? AND key = ?", (scope, key))
        return StoredAnswer(row[0], json.loads(row[1]), row[2]) if row else None

    def find_answer(self, scope: str, key: str) -> StoredAnswer | None:
        """The answer stored for an idempotency key, or None."""
        rows = self._query("SELECT request_sha256, answer, recorded_at FROM idempotency_keys "
                           "WHERE scope = ? AND key = ?", (scope, key))
        return StoredAnswer(rows[0][0], json.loads(rows[0][1]), rows[0][2]) if rows else None

    # -- reading -----------------------------------------------------------------------------------

    def _rows(self, where: str = "", args: Sequence = ()) -> list[Entry]:
        return [Entry(*r) for r in self._query(f"SELECT {self._select_list} FROM entries {where}", args)]

    def get(self, key: str) -> Entry:
        """An entry by sequence number, decision id, or (its latest) provision id. Raises
        EntryNotFound."""
        if key.isascii() and key.isdigit():  # "³" is a digit to str.isdigit, not to int()
            seq = int(key)
            found = self._rows("WHERE seq = ?", (seq,)) if seq < 2 ** 63 else []
        else:
            found = self._rows("WHERE decision_id = ?", (key,)) or self._rows(
                "WHERE provision_id = ? AND outcome <> 'approval' ORDER BY seq DESC LIMIT 1", (key,))
        if not found:
            raise EntryNotFound(f"no entry {key!r} in the decision log")  # the path is not for every caller
        return found[0]

    def get_checked(self, key: str) -> Entry:
        """`get`, then the entry checked before anyone sees it: its hash fits its content, and the
        entry after it (if any) names its hash. Raises EntryTampered naming what does not fit."""
        entry = self.get(key)
        problem = entry.problem()
        if problem is None:
            nxt = self._query("SELECT prev_hash FROM entries WHERE seq = ?", (entry.seq + 1,))
            if nxt and nxt[0][0] != entry.hash:
                problem = "the entry after it names another hash (the entry was changed and re-hashed)"
            elif entry.seq > 1:
                before = self._query("SELECT hash FROM entries WHERE seq = ?", (entry.seq - 1,))
                if not before or before[0][0] != entry.prev_hash:
                    problem = "its previous-hash does not match the entry before it"
        if problem:
            raise EntryTampered(f"entry {entry.seq} in {self.where} does not fit the log: {problem}; it is "
                                "not shown (run `wivcheck log verify`)")
        return entry

    def head(self) -> tuple[int, str]:
        """(sequence number, hash) of the last entry; (0, GENESIS) for an empty log."""
        rows = self._query("SELECT seq, hash FROM entries ORDER BY seq DESC LIMIT 1")
        return (rows[0][0], rows[0][1]) if rows else (0, GENESIS)

    def count(self) -> int:
        return self._query("SELECT count(*) FROM entries")[0][0]

    def entries(self, since: dt.date | None = None, until: dt.date | None = None,
                batch: int = 2000, after: int = 0) -> Iterator[Entry]:
        """Entries in sequence order (after sequence number `after`), optionally recorded from
        `since` to `until` (inclusive days), read in batches so a large log is never held in memory."""
        last = after
        cond, args = "", []
        if since:
            cond += " AND recorded_at >= ?"
            args.append(since.isoformat())
        if until:
            cond += " AND recorded_at < ?"
            args.append((until + dt.timedelta(days=1)).isoformat())
        while True:
            chunk = self._rows("WHERE seq > ?" + cond + " ORDER BY seq LIMIT ?", (last, *args, batch))
            if not chunk:
                return
            yield from chunk
            last = chunk[-1].seq

    def _utf8_of(self, column: str) -> str | None:
        """SQL that reads a text column as the UTF-8 bytes stored (NULL where the value is not text),
        or None where the backend cannot say (the column is then read as text and encoded)."""
        return None

    def _query_stored(self, sql: str, args: Sequence = ()) -> list[tuple]:
        """`_query` for rows holding `_utf8_of` columns (a backend may read them another way)."""
        return self._query(sql, args)

    def _stored_batches(self, select: str, batch: int) -> Iterator[list[tuple]]:
        """The rows of `SELECT {select} FROM entries` (the sequence number first) in sequence order,
        `batch` at a time, each batch read after the one before it (a backend may read ahead)."""
        last = 0
        while True:
            rows = self._query_stored(f"SELECT {select} FROM entries WHERE seq > ? ORDER BY seq LIMIT ?",
                                      (last, batch))
            if not rows:
                return
            yield rows
            last = rows[-1][0]

    #: entries `verify` reads per query
    verify_batch = 2000

    def _checked_entries(self, batch: int | None = None) -> Iterator["Entry | _Stored"]:
        """Every entry in sequence order, as `verify` checks it (`seq`, `recorded_at`, `prev_hash`,
        `hash`, `problem()`): the provision and the decision read as the UTF-8 the log holds, so that
        kilobytes of text are neither decoded nor encoded again for the hash and the JSON reader. An
        entry whose provision or decision is not stored as text is read as an Entry."""
        batch = batch or self.verify_batch
        names = self._select_list.split(", ")
        raw = {n: self._utf8_of(n) for n in ("provision", "decision")}
        if None in raw.values() or not {"provision", "decision"} <= set(names):
            yield from self.entries(batch=batch)
            return
        select = ", ".join(raw.get(n, n) for n in names)
        for rows in self._stored_batches(select, batch):
            for r in rows:
                if r[6] is None or r[7] is None:
                    yield from self._rows("WHERE seq = ?", (r[0],))
                else:
                    yield _Stored(r)

    def verify(self, expect_head: str | None = None, anchors: Sequence[Anchor] = (),
               uses: dict[str, list[int]] | None = None) -> tuple[int, Fault | None]:
        """Recompute the chain. Returns (entries checked, first fault or None).

        `uses`, when given, is filled with each text of the rule-set column and the sequence numbers
        of the entries holding it, for every entry that fits (`recording.edited_in_place` reads it
        instead of reading the column again).

        `expect_head`: a hash written down earlier that must still be in the chain: the whole hash
        or a prefix of at least MIN_HEAD_PREFIX hex digits (`head_prefix`; InvalidHead when it is
        malformed, or when the prefix fits more than one entry). `anchors` (signed checkpoints):
        entry `seq` must still have that hash, and no entry after it may be dated before the
        anchor's time (a backdated entry appended later)."""
        prefix = head_prefix(expect_head) if expect_head is not None else None
        matched: list[int] = []
        expected_seq, prev = 1, GENESIS
        by_seq = {}
        for a in anchors:
            by_seq.setdefault(a.seq, []).append(a)
        timed = sorted((a for a in anchors if a.time is not None), key=lambda a: a.seq)
        n, ti, latest = 0, 0, None  # latest: the newest-dated anchor before the current entry
        for e in self._checked_entries():
            n += 1
            if e.seq != expected_seq:
                gap = (f"entry {expected_seq} is" if e.seq == expected_seq + 1
                       else f"entries {expected_seq}..{e.seq - 1} are")
                return n, Fault(e.seq, f"sequence jumps from {expected_seq - 1} to {e.seq}: "
                                       f"{gap} missing (removed)")
            if e.prev_hash != prev:
                return n, Fault(e.seq, "its previous-hash does not match the entry before it "
                                       "(an entry was removed, inserted or reordered)")
            problem = e.problem()
            if problem:
                return n, Fault(e.seq, problem)
            for a in by_seq.get(e.seq, ()):
                if a.hash != e.hash:
                    return n, Fault(e.seq, f"{a.source} signed entry {a.seq} with hash {a.hash}; the log "
                                           f"now has {e.hash} there (the log was rewritten and re-chained)")
            while ti < len(timed) and timed[ti].seq < e.seq:
                if latest is None or timed[ti].time > latest.time:
                    latest = timed[ti]
                ti += 1
            if latest is not None and parse_time(e.recorded_at) < latest.time:
                return n, Fault(e.seq, f"it is dated {e.recorded_at}, before {latest.source} (entry "
                                       f"{latest.seq}, signed at {latest.time.isoformat()}) that it "
                                       "follows: a backdated entry appended later")
            if prefix is not None and e.hash.startswith(prefix):
                matched.append(e.seq)
            if uses is not None:
                uses.setdefault(e.rulesets, []).append(e.seq)
            prev, expected_seq = e.hash, expected_seq + 1
        last = expected_seq - 1
        for a in anchors:
            if a.seq > last:
                return n, Fault(last, f"{a.source} signed entry {a.seq}, but the log ends at entry {last}: "
                                      "entries were cut off the end, or the log was replaced")
        if len(matched) > 1:
            raise InvalidHead(f"the expected head {prefix} fits entries {', '.join(map(str, matched))}: "
                              "give more digits of the hash")
        if prefix is not None and not matched:
            return n, Fault(last, f"the expected head {prefix} is not in the log: entries were cut off the "
                                  "end, or the log was replaced (or the hash was written down wrong: check it)")
        return n, None

    def entries_of(self, provision_id: str) -> list[Entry]:
        """Every entry of a provision id, in sequence order (each check of it that was recorded)."""
        return self._rows("WHERE provision_id = ? ORDER BY seq", (provision_id,))

    def ruleset_uses(self, batch: int = 5000) -> Iterator[tuple[int, list[dict]]]:
        """(sequence number, the rule-set versions its decision was made under: `{id, version, status,
        sha256}`) for every entry, read in batches without the provisions and decisions. An entry
        whose column does not parse gives an empty list (`verify` names it). Entries with the same
        text of the column get the same list (read it, do not change it)."""
        last = 0
        parsed: dict[str, list] = {}   # a log holds few distinct texts: each is read once
        while True:
            rows = self._query("SELECT seq, rulesets FROM entries WHERE seq > ? ORDER BY seq LIMIT ?", (last, batch))
            if not rows:
                return
            for seq, text in rows:
                sets = parsed.get(text) if isinstance(text, str) else None
                if sets is None:
                    sets = rulesets_of(text)
                    if isinstance(text, str) and len(parsed) < 1024:
                        parsed[text] = sets
                yield seq, sets
            last = rows[-1][0]

