"""The decision log through the installed console script: record, show, head, verify, export,
import, replay, and the errors."""

from __future__ import annotations

import csv
import io
import json
import sqlite3
import subprocess

import yaml

from conftest import EXAMPLES, ROOT, patched, run_env, wivcheck_bin

EXAMPLE_FILES = [str(f) for f in sorted(EXAMPLES.glob("*.yaml"))]


def run(*args, db=None, stdin=None):
    env = run_env()
    env.pop("WIVCHECK_DB", None)
    if db is not None:
        env["WIVCHECK_DB"] = str(db)
    return subprocess.run([wivcheck_bin(), *args], input=stdin, capture_output=True, text=True,
                          env=env, cwd=ROOT, timeout=120)


def test_record_then_show_verify_head(tmp_path):
    db = tmp_path / "log.sqlite3"
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


def test_verify_names_the_changed_entry(tmp_path):
    db = tmp_path / "log.sqlite3"
    run("check", "--record", *EXAMPLE_FILES, db=db)
    con = sqlite3.connect(db, isolation_level=None)
    con.execute("DROP TRIGGER entries_no_update")
    con.execute("UPDATE entries SET decision = replace(decision, '\"deny\"', '\"allow\"') WHERE seq = 3")
    con.close()
    r = run("log", "verify", db=db)
    assert r.returncode == 1 and "entry 3" in r.stderr and "NOT INTACT" in r.stderr


def test_export_import_roundtrip_and_csv(tmp_path):
    db = tmp_path / "log.sqlite3"
    run("check", "--record", *EXAMPLE_FILES, db=db)
    out = tmp_path / "export.jsonl"
    assert run("log", "export", "--out", str(out), db=db).returncode == 0
    fresh = tmp_path / "fresh.sqlite3"
    r = run("log", "import", str(out), db=fresh)
    assert r.returncode == 0 and "imported 4 entries; chain intact" in r.stdout
    assert run("log", "head", db=fresh).stdout == run("log", "head", db=db).stdout
    r = run("log", "export", "--format", "csv", "--redact", "recipient.name", "--redact", "purpose.necessity", db=db)
    rows = list(csv.DictReader(io.StringIO(r.stdout)))
    assert [row["outcome"] for row in rows] == ["allow", "allow", "deny", "escalate"]
    assert rows[3]["reasons"] == "waarborgen-pps.residual-risk" and "Example Hosting" not in r.stdout
    assert run("log", "import", str(out), db=fresh).returncode == 1  # only into an empty log


def test_export_by_date(tmp_path):
    db = tmp_path / "log.sqlite3"
    run("check", "--record", EXAMPLE_FILES[0], db=db)
    assert run("log", "export", "--to", "2020-01-01", db=db).stdout == ""
    assert len(run("log", "export", "--from", "2020-01-01", db=db).stdout.splitlines()) == 1
    assert run("log", "export", "--redact", "recipient.colour", db=db).returncode == 1


def test_replay_reports_what_a_draft_would_change(tmp_path):
    db = tmp_path / "log.sqlite3"
    big = tmp_path / "big.yaml"
    big.write_text(yaml.safe_dump(patched({"id": "PRV-BIG", "data": {"volume": 50000}})))
    run("check", "--record", *EXAMPLE_FILES, str(big), db=db)
    r = run("log", "replay", "--ruleset", "beleidsregels-pps@concept-2026-01", "--format", "json", db=db)
    assert r.returncode == 0, r.stderr
    report = json.loads(r.stdout)
    assert report["replayed"] == 5
    changed = {c["provision_id"]: c for c in report["changed"]}
    assert changed["PRV-BIG"]["before"] == "allow" and changed["PRV-BIG"]["after"] == "escalate"
    assert changed["PRV-BIG"]["now_open"] == ["beleidsregels-pps.bulk-volume"]
    assert changed["PRV-BIG"]["source"].startswith("log #")
    assert report["totals"]["allow -> escalate"] == 1
    same = run("log", "replay", db=db)
    assert "5 replayed against the decisions recorded and the rules in force: 0 change" in same.stdout


def test_log_errors(tmp_path):
    missing = tmp_path / "none.sqlite3"
    for args in (["log", "head"], ["log", "verify"], ["log", "show", "1"], ["log", "export"]):
        r = run(*args, db=missing)
        assert r.returncode == 1 and "no decision log at" in r.stderr
    assert not missing.exists()
    db = tmp_path / "log.sqlite3"
    run("check", "--record", EXAMPLE_FILES[0], db=db)
    r = run("log", "show", "77", db=db)
    assert r.returncode == 1 and "no entry '77'" in r.stderr
    sqlite3.connect(db).execute("PRAGMA user_version = 5")
    r = run("check", "--record", EXAMPLE_FILES[0], db=db)
    assert r.returncode == 1 and "newer wivcheck" in r.stderr and "TOESTAAN" not in r.stdout


def test_record_into_a_locked_log_fails_without_a_decision(tmp_path):
    db = tmp_path / "log.sqlite3"
    run("check", "--record", EXAMPLE_FILES[0], db=db)
    holder = sqlite3.connect(db, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        r = run("check", "--record", "--lock-wait", "0.5", EXAMPLE_FILES[0], db=db)
    finally:
        holder.execute("ROLLBACK")
    assert r.returncode == 1 and "locked" in r.stderr and "nothing was recorded" in r.stderr
    assert r.stdout == ""
    assert run("log", "head", db=db).stdout.startswith("1 ")
