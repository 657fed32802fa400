"""Deciding and recording together, reading decisions back from the log, exporting them for
oversight. Replaying logged provisions against other rules is `engine.tools.impact.replay_log`."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from typing import Iterable, Iterator

from ..decision import Decision, LogRef
from .ledger import Entry, Ledger, LedgerError, canonical
from ..provision import FACT_SCHEMA, Provision

REDACTED = "[redacted]"


def record(ledger: Ledger, provisions: list[Provision], decisions: list[Decision]) -> list[Decision]:
    """Append the decisions (one transaction) and return them with their log sequence and hash."""
    data = record_data(ledger, provisions, [d.model_dump(mode="json") for d in decisions])
    return [d.model_copy(update={"log": LogRef(**x["log"])}) for d, x in zip(decisions, data)]


def record_data(ledger: Ledger, provisions: list[Provision], decisions: list[dict]) -> list[dict]:
    """Append decision data (`Engine.decide_data`, or a Decision dumped as JSON) in one transaction,
    and give the same data back with its `log` reference filled in."""
    entries = ledger.append_many([(p.model_dump(mode="json", exclude_none=True), d)
                                  for p, d in zip(provisions, decisions)])
    for d, e in zip(decisions, entries):
        d["log"] = {"sequence": e.seq, "hash": e.hash}
    return decisions


def stored(entry: Entry) -> tuple[Provision, Decision]:
    """The provision and the decision of a log entry, the decision carrying its log reference."""
    provision = Provision.model_validate(entry.provision_data())
    decision = Decision.model_validate(entry.decision_data())
    return provision, decision.model_copy(update={"log": LogRef(sequence=entry.seq, hash=entry.hash)})


# -- export -----------------------------------------------------------------------------------

def check_redact_fields(fields: Iterable[str]) -> list[str]:
    known = set(FACT_SCHEMA.paths()) | {"approvals"}
    bad = [f for f in fields if f not in known]
    if bad:
        raise LedgerError(f"cannot redact {', '.join(bad)}: not a provision field "
                          f"(e.g. recipient.name, purpose.necessity, approvals)")
    return list(fields)


def _scalars(value) -> Iterator[str]:
    if isinstance(value, dict):
        for v in value.values():
            yield from _scalars(v)
    elif isinstance(value, list):
        for v in value:
            yield from _scalars(v)
    elif isinstance(value, str) and value:
        yield value


def _scrub(value, secrets: list[str]):
    if isinstance(value, dict):
        return {k: _scrub(v, secrets) for k, v in value.items()}
    if isinstance(value, list):
        return [_scrub(v, secrets) for v in value]
    if isinstance(value, str):
        for s in secrets:
            value = value.replace(s, REDACTED)
    return value


def redact(provision: dict, decision: dict, fields: list[str]) -> tuple[dict, dict]:
    """Blank the named provision fields, and every place their values were copied into the decision
    (reason facts, filled-in messages)."""
    provision = json.loads(json.dumps(provision))
    secrets: list[str] = []
    for path in fields:
        parts = path.split(".")
        node = provision
        for p in parts[:-1]:
            node = node.get(p) if isinstance(node, dict) else None
        if isinstance(node, dict) and parts[-1] in node:
            secrets.extend(s for s in _scalars(node[parts[-1]]) if len(s) > 1)
            node[parts[-1]] = REDACTED
    secrets.sort(key=len, reverse=True)
    decision = _scrub(decision, secrets)
    for reason in decision.get("reasons", []):
        for key in list(reason.get("facts", {})):
            if any(key == f or key.startswith(f + ".") for f in fields):
                reason["facts"][key] = REDACTED
    return provision, decision


def export_rows(ledger: Ledger, since: dt.date | None, until: dt.date | None,
                redact_fields: list[str]) -> Iterator[dict]:
    for e in ledger.entries(since, until):
        provision, decision = e.provision_data(), e.decision_data()
        row = {"seq": e.seq, "decision_id": e.decision_id, "provision_id": e.provision_id,
               "recorded_at": e.recorded_at, "outcome": e.outcome, "rulesets": json.loads(e.rulesets),
               "provision": provision, "decision": decision, "prev_hash": e.prev_hash, "hash": e.hash}
        if redact_fields:
            row["provision"], row["decision"] = redact(provision, decision, redact_fields)
            row["redacted"] = redact_fields
        yield row


def to_jsonl(rows: Iterable[dict]) -> Iterator[str]:
    for row in rows:
        yield json.dumps(row, ensure_ascii=False, sort_keys=True) + "\n"


CSV_COLUMNS = ["seq", "recorded_at", "decision_id", "provision_id", "outcome", "escalate_to", "reasons",
               "rulesets", "provision", "prev_hash", "hash"]


def to_csv(rows: Iterable[dict]) -> Iterator[str]:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(CSV_COLUMNS)
    yield buf.getvalue()
    for row in rows:
        buf.seek(0)
        buf.truncate()
        d = row["decision"]
        w.writerow([row["seq"], row["recorded_at"], row["decision_id"], row["provision_id"],
                    row["outcome"], " ".join(d.get("escalate_to", [])),
                    " ".join(r["rule"] for r in d.get("reasons", [])),
                    " ".join(f"{r['id']}@{r['version']}" for r in row["rulesets"]),
                    canonical(row["provision"]), row["prev_hash"], row["hash"]])
        yield buf.getvalue()


def rows_from_jsonl(lines: Iterable[str], source: str = "<export>") -> list[dict]:
    """Exported JSONL back into stored rows, byte for byte; refuses redacted exports."""
    out = []
    for n, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            if row.get("redacted"):
                raise LedgerError(f"{source}:{n}: a redacted export cannot be imported (its hashes "
                                  "no longer match)")
            out.append({"seq": row["seq"], "decision_id": row["decision_id"],
                        "provision_id": row["provision_id"], "recorded_at": row["recorded_at"],
                        "outcome": row["outcome"], "rulesets": canonical(row["rulesets"]),
                        "provision": canonical(row["provision"]), "decision": canonical(row["decision"]),
                        "prev_hash": row["prev_hash"], "hash": row["hash"]})
        except (ValueError, KeyError, TypeError) as exc:
            raise LedgerError(f"{source}:{n}: not an exported log entry ({exc})") from None
    return out


