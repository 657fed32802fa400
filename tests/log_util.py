"""Helpers of the decision-log tests: made-up entries, and what an insider with write access does to a
log (change entries, then recompute every hash so that the chain verifies again)."""

from __future__ import annotations

import uuid

from conftest import RawLog
from wivcheck.engine.log.ledger import entry_hash

WHO = {"token": "gateway-1", "role": "gate"}


def fake(i: int) -> tuple[dict, dict]:
    return ({"id": f"P-{i}", "service": "AIVD"},
            {"decision": "allow", "decision_id": str(uuid.uuid4()), "provision_id": f"P-{i}",
             "rulesets": [{"id": "wiv2017", "version": "2018-05-01", "sha256": "a" * 64}],
             "reasons": [], "trace": []})


def rechain(db, change):
    """What an insider with write access does: change entries, then recompute every hash so that the
    chain verifies again (and put the triggers back)."""
    cols = ["seq", "decision_id", "provision_id", "recorded_at", "outcome", "rulesets", "provision",
            "decision", "prev_hash", "hash", "recorded_by"]
    with RawLog(db) as raw:
        rows = [dict(zip(cols, r)) for r in raw.execute(f"SELECT {', '.join(cols)} FROM entries ORDER BY seq")]
        rows = change(rows)
        raw.execute("DELETE FROM entries")
        prev = "0" * 64
        for row in rows:
            row["prev_hash"] = prev
            row["hash"] = prev = entry_hash(row)
            raw.execute(f"INSERT INTO entries ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})",
                        tuple(row[c] for c in cols))


def flip_deny(rows):
    for row in rows:
        if row["outcome"] == "deny":
            row["outcome"] = "allow"
            row["decision"] = row["decision"].replace('"decision":"deny"', '"decision":"allow"')
    return rows
