"""Shared fixtures: the shipped library, engines on both backends, and a valid base provision."""

from __future__ import annotations

import copy
import os
import shutil
import sys
from pathlib import Path

import pytest
import yaml

from wivcheck.engine import Engine, load_library, provision_from_data
from wivcheck.engine.load import merge_patch

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
BIN = Path(sys.executable).parent


@pytest.fixture(scope="session")
def library():
    return load_library()


@pytest.fixture(scope="session")
def durable(library):
    return Engine(library, "durable")


@pytest.fixture(scope="session")
def oracle(library):
    return Engine(library, "oracle")


def base_data() -> dict:
    """The allow example as plain data: every shipped rule satisfied or not applicable."""
    return yaml.safe_load((EXAMPLES / "allow-structural.yaml").read_text())


def patched(patch: dict, base: dict | None = None) -> dict:
    """base with patch merged in; a value None removes the key."""
    out = copy.deepcopy(base if base is not None else base_data())
    merge_patch(out, patch)
    return out




def provision(patch: dict | None = None, base: dict | None = None):
    return provision_from_data(patched(patch or {}, base))


@pytest.fixture()
def rules_copy(tmp_path):
    """A writable copy of the shipped rules folder."""
    dst = tmp_path / "rules"
    shutil.copytree(ROOT / "rules", dst)
    return dst


def wivcheck_bin() -> str:
    exe = BIN / "wivcheck"
    assert exe.exists(), f"console script not installed at {exe}"
    return str(exe)


def run_env() -> dict:
    env = dict(os.environ)
    env.pop("WIVCHECK_RULES", None)
    return env


# -- decision-log backends: every log test runs on SQLite and on PostgreSQL ------------------------

PG_ADMIN = os.environ.get("WIVCHECK_TEST_PG", "postgresql://postgres@127.0.0.1:5432/postgres")
BACKENDS = ["sqlite", "postgresql"]


@pytest.fixture(scope="session")
def pg_admin() -> str:
    """A URL of the PostgreSQL server the tests use (WIVCHECK_TEST_PG, else 127.0.0.1:5432 as
    postgres, trust auth; `.ci/run` sets one up). Missing: the PostgreSQL tests skip, except under CI,
    where they fail."""
    import psycopg
    try:
        psycopg.connect(PG_ADMIN, connect_timeout=3).close()
    except psycopg.Error as exc:
        message = f"no PostgreSQL server at {PG_ADMIN} ({str(exc).strip()}); set WIVCHECK_TEST_PG"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return PG_ADMIN


def pg_database(admin: str, name: str) -> str:
    """A fresh database on the test server; its URL."""
    import psycopg
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    return admin.rsplit("/", 1)[0] + "/" + name


def pg_drop(admin: str, name: str) -> None:
    import psycopg
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _fresh_target(request, backend: str, tmp_path: Path, label: str = "log"):
    if backend == "sqlite":
        return str(tmp_path / f"{label}.sqlite3"), None
    admin = request.getfixturevalue("pg_admin")
    import uuid
    name = f"wivcheck_test_{uuid.uuid4().hex[:12]}"
    return pg_database(admin, name), (admin, name)


@pytest.fixture(params=BACKENDS)
def log_target(request, tmp_path):
    """Where a new decision log goes: an SQLite path, or the URL of an empty PostgreSQL database made
    for this test (dropped after it)."""
    target, drop = _fresh_target(request, request.param, tmp_path)
    yield target
    if drop:
        pg_drop(*drop)


@pytest.fixture()
def second_target(request, tmp_path, log_target):
    """A second new log on the same backend as `log_target` (for import and copy)."""
    backend = "postgresql" if log_target.startswith("postgresql") else "sqlite"
    target, drop = _fresh_target(request, backend, tmp_path, "second")
    yield target
    if drop:
        pg_drop(*drop)


class RawLog:
    """A connection that goes around wivcheck, as an insider with write access would: on SQLite the
    triggers dropped, on PostgreSQL (as the superuser) `session_replication_role = replica`, which
    switches triggers off for this session. SQL with `?` placeholders."""

    def __init__(self, target: str, keep_triggers: bool = False):
        self.pg = target.startswith("postgresql")
        self.dropped: list[str] = []
        if self.pg:
            import psycopg
            self.db = psycopg.connect(target, autocommit=True)
            if not keep_triggers:
                self.db.execute("SET session_replication_role = replica")
        else:
            import sqlite3
            self.db = sqlite3.connect(target, isolation_level=None)
            if not keep_triggers:  # dropped, and put back as they were when done (a careful insider)
                for name, sql in self.db.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'").fetchall():
                    self.db.execute(f"DROP TRIGGER {name}")
                    self.dropped.append(sql)

    def execute(self, sql: str, args=()) -> list[tuple]:
        cur = self.db.execute(sql.replace("?", "%s") if self.pg else sql, args)
        return cur.fetchall() if cur.description else []

    def close(self) -> None:
        for sql in self.dropped:
            self.db.execute(sql)
        self.db.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


@pytest.fixture(scope="module")
def browser():
    """A headless Debian Chromium for the page tests of one module (tests/browser_util.py); per
    module, so that no playwright event loop outlives the module's tests."""
    from browser_util import launch
    with launch() as b:
        yield b
