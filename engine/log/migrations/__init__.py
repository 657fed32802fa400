"""The numbered migrations of the decision log's schema (alembic revisions in `versions/`), for SQLite
and PostgreSQL alike; `wivcheck.engine.log.schema` runs them."""
