"""The decision log's schema: numbered migrations run by alembic (`migrations/versions/NNNN_*.py`,
one revision each, the same numbers for SQLite and PostgreSQL), recorded in alembic's one
applied-migration table, `alembic_version`.

Opening a log reads that table with plain SQL (alembic is imported only to migrate). A revision this
code does not know is a log written by a newer wivcheck: refused, nothing changed. A log from before
migrations (SQLite, `PRAGMA user_version = 1`, no `alembic_version`) is at revision 0001, whose
statements are all `IF NOT EXISTS`, so upgrading it runs 0001 as a no-op and then the rest.
Migrations run in one transaction under the log's own lock (SQLite `BEGIN IMMEDIATE`, PostgreSQL an
advisory lock), so two processes creating or upgrading one log at once apply each step once.

SQLite logs also carry the revision number in `PRAGMA user_version` (0002 sets 2), so that a wivcheck
from before migrations refuses a newer log instead of writing v1 entries into it.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any, Callable

REVISIONS = ("0001", "0002")
HEAD = REVISIONS[-1]
MIGRATIONS = Path(__file__).resolve().parent / "migrations"
#: pg_advisory_xact_lock key serialising migrations ("wivm"), apart from the chain's lock
MIGRATE_LOCK = 0x7769766D
# alembic's `context` and `op` are module-wide proxies: one migration at a time in a process (processes
# queue on the database's own lock)
_PROCESS_LOCK = threading.Lock()


GENESIS = "0" * 64

#: the triggers of the log at HEAD, as SQLite stores their SQL (`sqlite_master.sql`): `log verify`
#: finds one that is missing or was replaced. The migrations that create them take the text from
#: here; a later migration that changes a trigger first copies the old text into the older migration.
SQLITE_TRIGGERS = {
    "entries_no_update": "CREATE TRIGGER entries_no_update BEFORE UPDATE ON entries\n"
                         "BEGIN SELECT RAISE(ABORT, 'the decision log is append-only: entries are never changed'); END",
    "entries_no_delete": "CREATE TRIGGER entries_no_delete BEFORE DELETE ON entries\n"
                         "BEGIN SELECT RAISE(ABORT, 'the decision log is append-only: entries are never removed'); END",
    "entries_extend_head": (
        "CREATE TRIGGER entries_extend_head BEFORE INSERT ON entries\n"
        "WHEN NEW.seq IS NOT (SELECT coalesce(max(seq), 0) + 1 FROM entries)\n"
        f"  OR NEW.prev_hash IS NOT coalesce((SELECT hash FROM entries WHERE seq = NEW.seq - 1), '{GENESIS}')\n"
        "BEGIN SELECT RAISE(ABORT, 'the decision log is a chain: a new entry must extend the head "
        "(the next sequence number, the head''s hash)'); END"),
}

#: the triggers of the log at HEAD in PostgreSQL: name -> (timing and event, level, function)
POSTGRES_TRIGGERS = {
    "entries_no_update": ("BEFORE UPDATE", "STATEMENT", "wivcheck_refuse_change"),
    "entries_no_delete": ("BEFORE DELETE", "STATEMENT", "wivcheck_refuse_change"),
    "entries_no_truncate": ("BEFORE TRUNCATE", "STATEMENT", "wivcheck_refuse_change"),
    "entries_extend_head": ("BEFORE INSERT", "ROW", "wivcheck_extend_head"),
}


def postgres_trigger(name: str) -> str:
    when, level, function = POSTGRES_TRIGGERS[name]
    return f"CREATE TRIGGER {name} {when} ON entries FOR EACH {level} EXECUTE FUNCTION {function}()"


def newer(revision: str | None) -> bool:
    """A revision this code does not know (written by a newer wivcheck)."""
    return revision is not None and revision not in REVISIONS


def upgrade(connect: Callable[[], Any], dialect: str) -> list[str]:
    """Apply every migration after the log's current revision, in one transaction; returns the
    revisions applied (empty when the log is current). `connect` makes a new DB-API connection
    (sqlite3 or psycopg) to the log; `dialect` is "sqlite" or "postgresql". Raises what the database
    raises (the backends turn it into LedgerError)."""
    import sqlalchemy as sa
    from alembic.config import Config
    from alembic.runtime.environment import EnvironmentContext
    from alembic.script import ScriptDirectory
    from sqlalchemy.pool import NullPool

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    script = ScriptDirectory.from_config(config)
    engine = sa.create_engine("sqlite://" if dialect == "sqlite" else "postgresql+psycopg://",
                              creator=connect, poolclass=NullPool)
    if dialect == "sqlite":
        # pysqlite would leave DDL outside any transaction: begin one ourselves, holding the write lock
        @sa.event.listens_for(engine, "connect")
        def _autocommit(dbapi_connection, _record):
            dbapi_connection.isolation_level = None

        @sa.event.listens_for(engine, "begin")
        def _begin(connection):
            connection.exec_driver_sql("BEGIN IMMEDIATE")
    applied: list[str] = []

    def steps(current, _context):
        todo = script._upgrade_revs("head", current)
        applied.extend(step.revision.revision for step in todo)
        return todo

    try:
        with _PROCESS_LOCK, engine.connect() as connection:
            env = EnvironmentContext(config, script, fn=steps, destination_rev="head")
            with env:
                env.configure(connection=connection, transactional_ddl=True)
                with env.begin_transaction():
                    if dialect == "postgresql":
                        connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({MIGRATE_LOCK})")
                    env.run_migrations()
    finally:
        engine.dispose()
    return applied


def driver(op) -> tuple[str, Any]:
    """In a migration: the dialect name and the DB-API connection, for running SQL as written
    (no bind-parameter parsing of `:` or `%`)."""
    bind = op.get_bind()
    return bind.dialect.name, bind.connection.driver_connection


def run(op, statements: list[str]) -> None:
    """Run each statement on the migration's connection, inside its transaction."""
    _, raw = driver(op)
    for sql in statements:
        cur = raw.cursor()
        cur.execute(sql)
        cur.close()
