"""Approvals in the decision log, on SQLite and PostgreSQL: given only for a recorded escalation at
the right level, found by reference, closed in the queue, in the same chain as the decisions (so
`log verify`, export and replay take them in their stride), and never trusted once changed."""

from __future__ import annotations

import datetime as dt
import json
import subprocess

import pytest

from conftest import RawLog, patched, run_env, wivcheck_bin
from wivcheck.engine import provision_from_data
from wivcheck.engine.log import EntryTampered, Ledger, recording
from wivcheck.engine.log import approvals as ap
from wivcheck.engine.tools.impact import replay_log

RULE = "waarborgen-pps.residual-risk"
DAY = dt.date(2025, 6, 2)


def escalated(pid: str) -> dict:
    return patched({"id": pid, "date": DAY.isoformat(),
                    "partnership": {"residual_risk": "open", "assessed_on": "2025-01-01",
                                    "valid_until": "2026-01-01", "secrecy_until": "2026-01-01"}})


def recorded(ledger, durable, pid: str) -> dict:
    p = provision_from_data(escalated(pid))
    d = durable.decide_data([p])
    assert d[0]["decision"] == "escalate"
    return recording.record_data(ledger, [p], d, recorded_by={"token": "an", "role": "analyst"})[0]


BOSS = {"token": "hoofd", "role": "diensthoofd"}


def test_giving_finding_and_the_queue(log_target, durable):
    with Ledger(log_target, create=True) as ledger:
        first = recorded(ledger, durable, "P-1")
        recorded(ledger, durable, "P-2")
        assert [i["provision_id"] for i in ap.open_escalations(ledger, "diensthoofd")] == ["P-2", "P-1"]
        assert ap.open_escalations(ledger, "teamleider") == []
        assert len(ap.open_escalations(ledger, "minister", below=True)) == 2
        assert len(ap.open_escalations(ledger, "diensthoofd", limit=1)) == 1

        with pytest.raises(ap.RoleTooLow, match="needs the diensthoofd or higher"):
            ap.give(ledger, provision_id="P-1", rule=RULE, role="teamleider", approver=BOSS)
        given = ap.give(ledger, provision_id="P-1", rule=RULE, role="diensthoofd", approver=BOSS,
                        note="accepted", today=DAY)
        assert given["escalation"] == {"decision_id": first["decision_id"], "sequence": first["log"]["sequence"]}
        assert [i["provision_id"] for i in ap.open_escalations(ledger, "diensthoofd")] == ["P-2"]
        with pytest.raises(ap.ApprovalRefused, match="already approved"):
            ap.give(ledger, provision_id="P-1", rule=RULE, role="minister", approver=BOSS)

        found = ap.LogApprovals(ledger).find([given["reference"], "apr-none"])
        assert list(found) == [given["reference"]]
        g = found[given["reference"]]
        assert (g.provision_id, g.rule, g.role, g.date, g.approver) == ("P-1", RULE, "diensthoofd", DAY, BOSS)

        # the provision's latest *decision* is what `get` by provision id gives, not the approval
        assert ledger.get("P-1").decision_id == first["decision_id"]
        with pytest.raises(recording.NotADecision, match="records approval"):
            recording.shown(ledger, given["reference"])

        # a decision recorded after the approval re-opens the queue (a new escalation needs a new approval)
        recorded(ledger, durable, "P-1")
        assert {i["provision_id"] for i in ap.open_escalations(ledger, "diensthoofd")} == {"P-1", "P-2"}

        n, fault = ledger.verify()
        assert fault is None and n == 4
        # replaying the log decides the provisions, not the approval, and checks approvals in the log
        impact = replay_log(ledger, durable, [])
        assert impact.replayed == 3 and not impact.errors


def test_an_escalation_that_lacks_facts_or_a_named_decision_of_another_provision_is_refused(log_target, durable):
    with Ledger(log_target, create=True) as ledger:
        other = recorded(ledger, durable, "P-9")
        recorded(ledger, durable, "P-1")
        with pytest.raises(ap.ApprovalRefused, match="is of provision P-9"):
            ap.give(ledger, provision_id="P-1", rule=RULE, role="minister", approver=BOSS,
                    decision_id=other["decision_id"])
        with pytest.raises(ap.NoEscalation):
            ap.give(ledger, provision_id="P-1", rule=RULE, role="minister", approver=BOSS, decision_id="nope")
        assert ledger.count() == 2


def test_a_changed_approval_is_never_trusted(log_target, durable):
    with Ledger(log_target, create=True) as ledger:
        recorded(ledger, durable, "P-1")
        given = ap.give(ledger, provision_id="P-1", rule=RULE, role="diensthoofd",
                        approver={"token": "tl", "role": "teamleider"}, today=DAY)
    # an insider raises the role in the stored record (and cannot recompute the hash unnoticed)
    with RawLog(log_target) as raw:
        stored = raw.execute("SELECT decision FROM entries WHERE decision_id = ?", (given["reference"],))[0][0]
        raw.execute("UPDATE entries SET decision = ? WHERE decision_id = ?",
                    (stored.replace('"role":"diensthoofd"', '"role":"minister"'), given["reference"]))
    with Ledger(log_target) as ledger:
        with pytest.raises(EntryTampered):
            ap.LogApprovals(ledger).find([given["reference"]])
        p = provision_from_data({**escalated("P-1"), "approvals": [
            {"rule": RULE, "role": "minister", "reference": given["reference"], "date": DAY.isoformat()}]})
        with pytest.raises(EntryTampered):
            durable.decide(p, register=ap.LogApprovals(ledger))


def test_the_cli_approves_lists_and_exports(tmp_path, durable):
    db = str(tmp_path / "log.sqlite3")
    with Ledger(db, create=True) as ledger:
        recorded(ledger, durable, "P-1")

    def run(*args):
        return subprocess.run([wivcheck_bin(), *args, "--db", db], capture_output=True, text=True, env=run_env())

    r = run("log", "escalations", "--role", "diensthoofd", "--lang", "en")
    assert r.returncode == 0 and "P-1" in r.stdout and f"--rule {RULE}" in r.stdout
    r = run("approve", "--provision", "P-1", "--rule", "wiv2017.no-such-rule")
    assert r.returncode == 1 and "did not evaluate rule wiv2017.no-such-rule" in r.stderr
    r = run("approve", "--provision", "P-1", "--rule", RULE, "--role", "teamleider")
    assert r.returncode == 1 and "needs the diensthoofd or higher" in r.stderr
    r = run("approve", "--provision", "P-1", "--rule", RULE, "--note", "ok", "--format", "json")
    assert r.returncode == 0, r.stderr
    given = json.loads(r.stdout)
    assert given["role"] == "diensthoofd" and "local_user" in given["approver"]
    r = run("log", "escalations", "--role", "diensthoofd", "--format", "json")
    assert json.loads(r.stdout)["items"] == []
    r = run("log", "show", given["reference"])
    assert r.returncode == 0 and "Goedkeuring " + given["reference"] in r.stdout
    r = run("log", "export")
    rows = [json.loads(line) for line in r.stdout.splitlines()]
    assert [row["outcome"] for row in rows] == ["escalate", "approval"] and all(row["verified"] for row in rows)
    assert run("log", "verify").returncode == 0


def test_show_and_export_read_approvals(tmp_path, durable):
    db = str(tmp_path / "log.sqlite3")
    with Ledger(db, create=True) as ledger:
        recorded(ledger, durable, "P-1")
        given = ap.give(ledger, provision_id="P-1", rule=RULE, role="diensthoofd", approver=BOSS,
                        note="Naam van de bron: J. Jansen", today=DAY)

    def run(*args):
        return subprocess.run([wivcheck_bin(), *args, "--db", db], capture_output=True, text=True, env=run_env())

    r = run("log", "show", given["reference"], "--lang", "en")
    assert r.returncode == 0 and "approved by diensthoofd hoofd" in r.stdout and "#1" in r.stdout
    r = run("log", "show", "--provision", "P-1", "--lang", "en")
    assert r.returncode == 0 and "2 recorded entries" in r.stdout and "approval" in r.stdout
    r = run("log", "show", "--provision", "P-1", "--format", "json")
    assert [("approval" in e, "decision" in e) for e in json.loads(r.stdout)] == [(False, True), (True, False)]
    r = run("log", "export", "--format", "csv")
    assert r.returncode == 0 and f"diensthoofd {RULE} {given['reference']}" in r.stdout and "J. Jansen" in r.stdout
    r = run("log", "export", "--format", "csv", "--redact", "approvals")
    assert "J. Jansen" not in r.stdout and "[redacted]" in r.stdout
