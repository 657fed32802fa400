"""0001: the entries table, its indexes, and the triggers refusing UPDATE and DELETE (and, in
PostgreSQL, TRUNCATE, by a statement-level trigger); no privileges for PUBLIC.

On SQLite every statement is `IF NOT EXISTS`: a log made before migrations is at this revision."""

from alembic import op

from wivcheck.engine.log.schema import SQLITE_TRIGGERS, driver, postgres_trigger, run

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

SQLITE = [
    """CREATE TABLE IF NOT EXISTS entries (
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
)""",
    "CREATE INDEX IF NOT EXISTS entries_provision ON entries (provision_id)",
    "CREATE INDEX IF NOT EXISTS entries_recorded ON entries (recorded_at)",
    *(SQLITE_TRIGGERS[name].replace("CREATE TRIGGER", "CREATE TRIGGER IF NOT EXISTS")
      for name in ("entries_no_update", "entries_no_delete")),
    "PRAGMA user_version = 1",
]

REFUSE_CHANGE = """CREATE FUNCTION wivcheck_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'the decision log is append-only: entries are never changed or removed (% refused)', TG_OP;
END
$$"""

POSTGRES = [
    """CREATE TABLE entries (
    seq          bigint PRIMARY KEY CHECK (seq > 0),
    decision_id  text NOT NULL UNIQUE,
    provision_id text NOT NULL,
    recorded_at  text NOT NULL,
    outcome      text NOT NULL,
    rulesets     text NOT NULL,
    provision    text NOT NULL,
    decision     text NOT NULL,
    prev_hash    text NOT NULL,
    hash         text NOT NULL UNIQUE
)""",
    "CREATE INDEX entries_provision ON entries (provision_id)",
    "CREATE INDEX entries_recorded ON entries (recorded_at)",
    REFUSE_CHANGE,
    *(postgres_trigger(name) for name in ("entries_no_update", "entries_no_delete", "entries_no_truncate")),
    "REVOKE ALL ON entries FROM PUBLIC",
]


def upgrade() -> None:
    dialect, _ = driver(op)
    run(op, SQLITE if dialect == "sqlite" else POSTGRES)


def downgrade() -> None:
    raise NotImplementedError("the decision log is never migrated down")
