"""The decision log through the installed console script, on SQLite and on PostgreSQL: record, show,
head, verify, export, import, replay, checkpoint and keygen, migrate and copy, and the errors."""

from __future__ import annotations

import csv
import io
import json
import os
import stat
import subprocess

import pytest
import yaml

from conftest import EXAMPLES, ROOT, RawLog, patched, run_env, wivcheck_bin
from log_util import flip_deny, rechain

EXAMPLE_FILES = [str(f) for f in sorted(EXAMPLES.glob("*.yaml"))]


def run(*args, db=None, stdin=None):
    env = run_env()
    env.pop("WIVCHECK_DB", None)
    if db is not None:
        env["WIVCHECK_DB"] = str(db)
    return subprocess.run([wivcheck_bin(), *args], input=stdin, capture_output=True, text=True,
                          env=env, cwd=ROOT, timeout=120)


@pytest.fixture()
def db(log_target):
    return log_target


def test_record_then_show_verify_head(db):
    r = run("check", "--record", "--format", "json", *EXAMPLE_FILES, db=db)
    assert r.returncode == 3, r.stderr  # the deny example is the strictest
    decisions = [json.loads(x) for x in r.stdout.splitlines()]
    assert [d["log"]["sequence"] for d in decisions] == [1, 2, 3, 4]
    head = run("log", "head", db=db).stdout.split()
    assert head == ["4", decisions[-1]["log"]["hash"]]
    v = run("log", "verify", "--expect-head", head[1], db=db)
    assert v.returncode == 0 and "intact: 4 entries" in v.stdout
    for key in ("3", decisions[2]["decision_id"], decisions[2]["provision_id"]):
        s = run("log", "show", key, "--format", "json", db=db)
        shown = json.loads(s.stdout)
        assert shown["decision_id"] == decisions[2]["decision_id"] and shown["log"]["sequence"] == 3
    md = run("log", "show", "4", "--format", "markdown", "--lang", "en", db=db).stdout
    assert "**ESCALATE**" in md and decisions[3]["log"]["hash"] in md and "| Recipient | Example Hosting B.V. |" in md
    html = run("log", "show", "4", "--format", "html", db=db).stdout
    assert html.startswith("<!doctype html>") and "waarborgen-pps.residual-risk" in html
    text = run("log", "show", "1", "--db", str(db)).stdout
    assert "TOESTAAN" in text and "vastgelegd: #1" in text
    import getpass
    assert f"vastgelegd door: {getpass.getuser()}@" in text


def test_verify_names_the_changed_entry(db):
    run("check", "--record", *EXAMPLE_FILES, db=db)
    with RawLog(db) as raw:
        raw.execute("UPDATE entries SET decision = replace(decision, '\"deny\"', '\"allow\"') WHERE seq = 3")
    r = run("log", "verify", db=db)
    assert r.returncode == 1 and "entry 3" in r.stderr and "NOT INTACT" in r.stderr


def test_a_tampered_entry_is_not_shown(db):
    """A deny turned into an allow by someone with write access: show and export say so, exit 1."""
    run("check", "--record", *EXAMPLE_FILES, db=db)
    with RawLog(db, keep_triggers=False) as raw:
        raw.execute("UPDATE entries SET outcome = 'allow', decision = replace(decision, '\"deny\"', '\"allow\"') "
                    "WHERE seq = 3")
    r = run("log", "show", "3", db=db)
    assert r.returncode == 1 and "entry 3" in r.stderr and "does not fit" in r.stderr
    assert "TOESTAAN" not in r.stdout and r.stdout == ""
    e = run("log", "export", "--format", "csv", db=db)
    assert e.returncode == 1 and "NOT INTACT" in e.stderr
    rows = list(csv.DictReader(io.StringIO(e.stdout)))
    assert [row["verified"].split(":")[0] for row in rows] == ["true", "true", "false", "true"]


def test_verify_finds_a_dropped_trigger(db):
    run("check", "--record", EXAMPLE_FILES[0], db=db)
    with RawLog(db, keep_triggers=True) as raw:
        raw.execute("DROP TRIGGER entries_no_update" + (" ON entries" if db.startswith("postgresql") else ""))
    r = run("log", "verify", db=db)
    assert r.returncode == 1 and "entries_no_update is missing" in r.stderr


def test_export_import_roundtrip_and_csv(db, second_target, tmp_path):
    run("check", "--record", *EXAMPLE_FILES, db=db)   # the approved example's approval is in no log
    out = tmp_path / "export.jsonl"
    assert run("log", "export", "--out", str(out), db=db).returncode == 0
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    r = run("log", "import", str(out), db=second_target)
    assert r.returncode == 0 and "imported 4 entries; chain intact" in r.stdout, r.stderr
    assert run("log", "head", db=second_target).stdout == run("log", "head", db=db).stdout
    r = run("log", "export", "--format", "csv", "--redact", "recipient.name", "--redact", "purpose.necessity", db=db)
    rows = list(csv.DictReader(io.StringIO(r.stdout)))
    assert [row["outcome"] for row in rows] == ["allow", "escalate", "deny", "escalate"]
    assert rows[3]["reasons"] == "waarborgen-pps.residual-risk" and "Example Hosting" not in r.stdout
    assert json.loads(rows[0]["recorded_by"])["local_user"]
    assert run("log", "import", str(out), db=second_target).returncode == 1  # only into an empty log


def test_export_by_date(db):
    run("check", "--record", EXAMPLE_FILES[0], db=db)
    assert run("log", "export", "--to", "2020-01-01", db=db).stdout == ""
    assert len(run("log", "export", "--from", "2020-01-01", db=db).stdout.splitlines()) == 1
    assert run("log", "export", "--redact", "recipient.colour", db=db).returncode == 1


def test_replay_reports_what_a_draft_would_change(db, tmp_path):
    big = tmp_path / "big.yaml"
    big.write_text(yaml.safe_dump(patched({"id": "PRV-BIG", "data": {"volume": 50000}})))
    run("check", "--record", *EXAMPLE_FILES, str(big), db=db)
    r = run("log", "replay", "--ruleset", "beleidsregels-pps@concept-2026-02", "--format", "json", db=db)
    assert r.returncode == 0, r.stderr
    report = json.loads(r.stdout)
    assert report["replayed"] == len(EXAMPLE_FILES) + 1
    changed = {c["provision_id"]: c for c in report["changed"]}
    assert changed["PRV-BIG"]["before"] == "allow" and changed["PRV-BIG"]["after"] == "escalate"
    assert changed["PRV-BIG"]["now_open"] == ["beleidsregels-pps.bulk-volume"]
    assert changed["PRV-BIG"]["source"].startswith("log #")
    assert report["totals"]["allow -> escalate"] == 1
    same = run("log", "replay", db=db)
    assert f"{len(EXAMPLE_FILES) + 1} replayed against the decisions recorded and the rules in force: 0 change" in same.stdout


def test_log_errors(db):
    for args in (["log", "head"], ["log", "verify"], ["log", "show", "1"], ["log", "export"]):
        r = run(*args, db=db)
        assert r.returncode == 1 and "no decision log" in r.stderr
    if not db.startswith("postgresql"):
        assert not os.path.exists(db)
    run("check", "--record", EXAMPLE_FILES[0], db=db)
    r = run("log", "show", "77", db=db)
    assert r.returncode == 1 and "no entry '77'" in r.stderr
    with RawLog(db, keep_triggers=True) as raw:
        raw.execute("UPDATE alembic_version SET version_num = '0005'")
    r = run("check", "--record", EXAMPLE_FILES[0], db=db)
    assert r.returncode == 1 and "newer wivcheck" in r.stderr and "TOESTAAN" not in r.stdout


def test_record_into_a_locked_log_fails_without_a_decision(db):
    run("check", "--record", EXAMPLE_FILES[0], db=db)
    holder = RawLog(db, keep_triggers=True)
    if db.startswith("postgresql"):
        from wivcheck.engine.log.postgres import CHAIN_LOCK
        holder.db.autocommit = False
        holder.execute(f"SELECT pg_advisory_xact_lock({CHAIN_LOCK})")
    else:
        holder.execute("BEGIN EXCLUSIVE")
    try:
        r = run("check", "--record", "--lock-wait", "0.5", EXAMPLE_FILES[0], db=db)
    finally:
        holder.db.rollback() if db.startswith("postgresql") else holder.execute("ROLLBACK")
        holder.close()
    assert r.returncode == 1 and "locked" in r.stderr and "nothing was recorded" in r.stderr
    assert r.stdout == ""
    assert run("log", "head", db=db).stdout.startswith("1 ")


# -- checkpoints (the attacks one by one: test_checkpoint.py) -------------------------------------

def test_keygen_checkpoint_and_verify_catch_a_rechained_log(db, tmp_path):
    key, pub = tmp_path / "cp.key", tmp_path / "cp.pub"
    r = run("log", "keygen", "--key", str(key), "--public-key", str(pub))
    assert r.returncode == 0 and stat.S_IMODE(key.stat().st_mode) == 0o600, r.stderr
    run("check", "--record", *EXAMPLE_FILES, db=db)
    cp = tmp_path / "cp-1.json"
    r = run("log", "checkpoint", "--key", str(key), "--out", str(cp), db=db)
    assert r.returncode == 0 and "checkpoint: entry 4" in r.stdout, r.stderr
    assert stat.S_IMODE(cp.stat().st_mode) == 0o600
    ok = run("log", "verify", "--checkpoint", str(cp), "--public-key", str(pub), db=db)
    assert ok.returncode == 0 and "1 checkpoint(s) hold" in ok.stdout, ok.stderr
    rechain(db, flip_deny)  # the deny made an allow, every hash after it recomputed
    assert run("log", "verify", db=db).returncode == 0  # the chain alone fits again
    r = run("log", "verify", "--checkpoint", str(cp), "--public-key", str(pub), db=db)
    assert r.returncode == 1 and "rewritten and re-chained" in r.stderr and "cp-1.json" in r.stderr, r.stderr
    assert run("log", "verify", "--checkpoint", str(cp), db=db).returncode == 2  # needs --public-key
    os.chmod(key, 0o644)
    r = run("log", "checkpoint", "--key", str(key), db=db)
    assert r.returncode == 1 and "may be read by other users" in r.stderr


# -- migrate and copy ------------------------------------------------------------------------------

def test_migrate_creates_and_reports(db):
    r = run("log", "migrate", db=db)
    assert r.returncode == 0 and "log schema 0002 (applied 0001, 0002)" in r.stdout, r.stderr
    assert "(nothing to apply)" in run("log", "migrate", db=db).stdout
    assert run("log", "verify", db=db).stdout.startswith("intact: 0 entries")


def test_copy_sqlite_into_postgresql(tmp_path, pg_admin):
    from conftest import pg_database, pg_drop
    source = tmp_path / "log.sqlite3"
    run("check", "--record", *EXAMPLE_FILES, db=source)
    target = pg_database(pg_admin, "wivcheck_test_copy")
    try:
        r = run("log", "copy", "--from", str(source), "--to", target)
        assert r.returncode == 0 and "copied 4 entries" in r.stdout and "chain intact on both sides" in r.stdout, r.stderr
        assert run("log", "head", db=target).stdout == run("log", "head", db=source).stdout
        assert run("log", "export", db=target).stdout == run("log", "export", db=source).stdout
        r = run("log", "copy", "--from", str(source), "--to", target)
        assert r.returncode == 1 and "not empty" in r.stderr
        # a broken source is not copied
        broken = tmp_path / "broken.sqlite3"
        run("check", "--record", *EXAMPLE_FILES, db=broken)
        with RawLog(str(broken)) as raw:
            raw.execute("UPDATE entries SET provision_id = 'X' WHERE seq = 2")
        r = run("log", "copy", "--from", str(broken), "--to", str(tmp_path / "new.sqlite3"))
        assert r.returncode == 1 and "not intact" in r.stderr and "nothing was copied" in r.stderr
    finally:
        pg_drop(pg_admin, "wivcheck_test_copy")


def test_migrate_grant_gives_the_service_role_select_and_insert_only(pg_admin):
    import uuid

    import psycopg

    from conftest import pg_database, pg_drop
    name, role = f"wivcheck_test_{uuid.uuid4().hex[:8]}", f"wivcheck_app_{uuid.uuid4().hex[:8]}"
    owner_url = pg_database(pg_admin, name)
    with psycopg.connect(pg_admin, autocommit=True) as admin:
        admin.execute(f'CREATE ROLE "{role}" LOGIN')
    try:
        r = run("log", "migrate", "--grant", role, db=owner_url)
        assert r.returncode == 0 and f"{role} may SELECT and INSERT only" in r.stdout, r.stderr
        app_url = owner_url.replace("postgres@", f"{role}@")
        rec = run("check", "--record", "--format", "json", EXAMPLE_FILES[0], db=app_url)
        assert rec.returncode == 0, rec.stderr
        with psycopg.connect(app_url, autocommit=True) as app:
            for sql in ("UPDATE entries SET outcome = 'deny'", "DELETE FROM entries", "TRUNCATE entries",
                        "DROP TRIGGER entries_no_update ON entries", "CREATE TABLE x (y int)"):
                with pytest.raises(psycopg.errors.InsufficientPrivilege):
                    app.execute(sql)
        v = run("log", "verify", db=app_url)
        assert v.returncode == 0 and "intact: 1 entries" in v.stdout, v.stderr
        # the owner may grant more; verify says so
        with psycopg.connect(owner_url, autocommit=True) as owner:
            owner.execute(f'GRANT UPDATE ON entries TO "{role}"')
        v = run("log", "verify", db=owner_url)
        assert v.returncode == 1 and f"role {role} may UPDATE entries" in v.stderr
    finally:
        pg_drop(pg_admin, name)
        with psycopg.connect(pg_admin, autocommit=True) as admin:
            admin.execute(f'DROP ROLE IF EXISTS "{role}"')


def test_an_sqlite_log_has_no_grants(tmp_path):
    r = run("log", "migrate", "--grant", "someone", db=tmp_path / "log.sqlite3")
    assert r.returncode == 1 and "--grant is for PostgreSQL logs" in r.stderr


def test_a_url_of_another_scheme_is_an_error_naming_it():
    r = run("log", "head", db="mysql://root:secret@db/x")
    assert r.returncode == 1 and "WIVCHECK_DB" in r.stderr and "secret" not in r.stderr


# -- oversight (issue 17) --------------------------------------------------------------------------

def test_expect_head_takes_the_first_digits_or_says_what_to_give(db):
    run("check", "--record", *EXAMPLE_FILES, db=db)
    head = run("log", "head", db=db).stdout.split()[1]
    ok = run("log", "verify", "--expect-head", head[:12], db=db)
    assert ok.returncode == 0 and "intact: 4 entries" in ok.stdout, ok.stderr
    short = run("log", "verify", "--expect-head", head[:8], db=db)
    assert short.returncode == 1 and "give at least 12 digits of the hash" in short.stderr
    wrong = run("log", "verify", "--expect-head", "0123456789abcdef", db=db)
    assert wrong.returncode == 1 and "is not in the log" in wrong.stderr and "check it" in wrong.stderr


def test_public_key_without_checkpoints_checks_nothing_and_says_so(db, tmp_path):
    key, pub = tmp_path / "cp.key", tmp_path / "cp.pub"
    run("log", "keygen", "--key", str(key), "--public-key", str(pub))
    run("check", "--record", EXAMPLE_FILES[0], db=db)
    r = run("log", "verify", "--public-key", str(pub), db=db)
    assert r.returncode == 2 and "--public-key checks nothing on its own" in r.stderr
    cp = tmp_path / "cp.json"
    run("log", "checkpoint", "--key", str(key), "--out", str(cp), db=db)
    r = run("log", "verify", "--checkpoints", str(cp), "--public-key", str(pub), db=db)  # DESIGN's spelling
    assert r.returncode == 0 and "1 checkpoint(s) hold" in r.stdout, r.stderr


def test_show_lists_every_entry_of_a_provision(db):
    for _ in range(2):
        run("check", "--record", *EXAMPLE_FILES, db=db)
    pid = yaml.safe_load((EXAMPLES / "escalate-residual-risk.yaml").read_text())["id"]
    r = run("log", "show", "--provision", pid, "--format", "json", db=db)
    assert r.returncode == 0, r.stderr
    listed = json.loads(r.stdout)
    assert [e["seq"] for e in listed] == [4, 8] and {e["outcome"] for e in listed} == {"escalate"}
    assert listed[0]["decision"]["reasons"][0]["rule"] == "waarborgen-pps.residual-risk"
    text = run("log", "show", "--provision", pid, "--lang", "en", db=db).stdout
    assert text.startswith(f"{pid}: 2 recorded entries") and "#4 " in text and "#8 " in text
    assert run("log", "show", "--provision", "PRV-NONE", db=db).returncode == 1
    assert run("log", "show", "4", "--provision", pid, db=db).returncode == 2


def test_the_csv_export_carries_messages_approvals_and_hashes(db, tmp_path):
    import datetime as dt
    day = dt.datetime.now(dt.timezone.utc).date()
    data = yaml.safe_load((EXAMPLES / "escalate-residual-risk.yaml").read_text())
    data["date"] = day.isoformat()
    data["partnership"].update(valid_until=(day + dt.timedelta(days=300)).isoformat(),
                               secrecy_until=(day + dt.timedelta(days=300)).isoformat())
    first = tmp_path / "p.yaml"
    first.write_text(yaml.safe_dump(data))
    run("check", "--record", str(first), db=db)
    r = run("approve", "--provision", data["id"], "--rule", "waarborgen-pps.residual-risk", "--format", "json", db=db)
    given = json.loads(r.stdout)["approvals_entry"]
    approved = tmp_path / "approved.yaml"
    approved.write_text(yaml.safe_dump({**data, "approvals": [given]}))
    run("check", "--record", str(approved), db=db)
    rows = list(csv.DictReader(io.StringIO(run("log", "export", "--format", "csv", db=db).stdout)))
    assert [row["outcome"] for row in rows] == ["escalate", "approval", "allow"]
    assert rows[0]["messages_en"].startswith("waarborgen-pps.residual-risk: The residual risk of cooperation")
    assert rows[0]["messages_nl"].startswith("waarborgen-pps.residual-risk: Het restrisico")
    assert rows[1]["approvals"].startswith(f"{given['role']} {given['rule']} {given['reference']} {given['date']}")
    assert rows[2]["approvals"] == f"{given['role']} {given['rule']} {given['reference']} {given['date']}"
    assert rows[2]["approved"].startswith("waarborgen-pps.residual-risk diensthoofd ")
    shas = dict(x.split("=") for x in rows[0]["rulesets_sha256"].split())
    listed = {f"{r['ruleset']}@{r['version']}": r["sha256"] for r in json.loads(run("rules", "list", "--format", "json").stdout)}
    assert shas and all(listed[k] == v for k, v in shas.items())
    assert rows[0]["hash"] and rows[1]["prev_hash"] == rows[0]["hash"]


def test_a_rule_file_edited_in_place_is_caught(db, rules_copy):
    """The log holds decisions under wiv2017@2018-05-01-r2; then the file is changed without a new
    version: `log verify` and `rules lint --db` say so, naming the file and the entries."""
    run("check", "--record", "--rules", str(rules_copy), EXAMPLE_FILES[0], db=db)
    assert run("log", "verify", "--rules", str(rules_copy), db=db).returncode == 0
    f = rules_copy / "wiv2017" / "2018-05-01-r2.yaml"
    f.write_text(f.read_text().replace("min_letters: 40", "min_letters: 30", 1))
    r = run("log", "verify", "--rules", str(rules_copy), db=db)
    assert r.returncode == 1 and "intact: 1 entries" in r.stdout
    assert "RULE FILE CHANGED: wiv2017@2018-05-01-r2:" in r.stderr and f"{f} was edited in place" in r.stderr
    assert "(entries 1)" in r.stderr
    lint = run("rules", "lint", str(rules_copy), "--db", str(db), "--format", "json")
    [hit] = [x for x in json.loads(lint.stdout) if x["kind"] == "edited-in-place"]
    assert lint.returncode == 1 and hit["file"] == str(f) and hit["where"] == "wiv2017@2018-05-01-r2"
