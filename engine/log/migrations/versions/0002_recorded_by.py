"""0002: who recorded each entry (`recorded_by`, canonical JSON; entries from before keep NULL and
their v1 hashes), a trigger refusing any entry that does not extend the head (the next sequence
number and the head's hash), and the idempotency keys of recording requests."""

from alembic import op

from wivcheck.engine.log.schema import GENESIS, SQLITE_TRIGGERS, driver, postgres_trigger, run

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

KEYS = """CREATE TABLE idempotency_keys (
    scope          TEXT NOT NULL,
    key            TEXT NOT NULL,
    request_sha256 TEXT NOT NULL,
    answer         TEXT NOT NULL,
    first_seq      BIGINT,
    recorded_at    TEXT NOT NULL,
    PRIMARY KEY (scope, key)
)"""

SQLITE = [
    "ALTER TABLE entries ADD COLUMN recorded_by TEXT",
    SQLITE_TRIGGERS["entries_extend_head"],
    KEYS,
    "PRAGMA user_version = 2",
]

EXTEND_HEAD = f"""CREATE FUNCTION wivcheck_extend_head() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  head_seq bigint := 0;
  head_hash text := '{GENESIS}';
BEGIN
  SELECT seq, hash INTO head_seq, head_hash FROM entries ORDER BY seq DESC LIMIT 1;
  IF NOT FOUND THEN
    head_seq := 0;
    head_hash := '{GENESIS}';
  END IF;
  IF NEW.seq <> head_seq + 1 OR NEW.prev_hash <> head_hash THEN
    RAISE EXCEPTION 'the decision log is a chain: entry % must follow entry % and name its hash', NEW.seq, head_seq
      USING ERRCODE = 'integrity_constraint_violation';
  END IF;
  RETURN NEW;
END
$$"""

POSTGRES = [
    "ALTER TABLE entries ADD COLUMN recorded_by text",
    EXTEND_HEAD,
    postgres_trigger("entries_extend_head"),
    KEYS,
    "REVOKE ALL ON idempotency_keys FROM PUBLIC",
]


def upgrade() -> None:
    dialect, _ = driver(op)
    run(op, SQLITE if dialect == "sqlite" else POSTGRES)


def downgrade() -> None:
    raise NotImplementedError("the decision log is never migrated down")
