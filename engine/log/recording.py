"""Deciding and recording together (with who recorded it), reading decisions back from the log
(checked against their hashes first), and exporting them for oversight. Replaying logged provisions
against other rules is `engine.tools.impact.replay_log`."""

from __future__ import annotations

import csv
import datetime as dt
import pwd
import io
import json
import os
import socket
from typing import Iterable, Iterator

from wivcheck.policy import Library
from wivcheck.policy.lint import Finding

from ..decision import Decision, LogRef
from .ledger import Entry, EntryNotFound, EntryTampered, Ledger, LedgerError, Once, canonical, rulesets_of
from ..provision import FACT_SCHEMA, Provision

REDACTED = "[redacted]"


def local_recorder(via: str | None = None) -> dict:
    """Who records when no token says so: `{"local_user", "host"}` (the operating-system account
    of this process, from the password database rather than `$USER`, and the machine's name), with `"via": "http"` for the service without tokens (its
    callers are local processes of that host)."""
    try:   # the account of this process, not $USER or $LOGNAME, which anyone may set
        user = pwd.getpwuid(os.getuid()).pw_name
    except (KeyError, OSError):  # no name for this uid (a container without an entry in passwd)
        user = f"uid {os.getuid()}"
    who = {"local_user": user, "host": socket.gethostname()}
    return {**who, "via": via} if via else who


def record(ledger: Ledger, provisions: list[Provision], decisions: list[Decision], *,
           recorded_by: dict | None = None, once: Once | None = None) -> list[Decision]:
    """Append the decisions (one transaction) and return them with their log sequence and hash.
    `recorded_by` defaults to the local user (`local_recorder`)."""
    data = record_data(ledger, provisions, [d.model_dump(mode="json") for d in decisions],
                       recorded_by=recorded_by, once=once)
    return [d.model_copy(update={"log": LogRef(**x["log"])}) for d, x in zip(decisions, data)]


def record_data(ledger: Ledger, provisions: list[Provision], decisions: list[dict], *,
                recorded_by: dict | None = None, once: Once | None = None) -> list[dict]:
    """Append decision data (`Engine.decide_data`, or a Decision dumped as JSON) in one transaction,
    saying who recorded it (default: the local user), and give the same data back with its `log`
    reference filled in. With `once` (an idempotency key) raises AnswerExists, recording nothing,
    when the key was used meanwhile."""
    entries = ledger.append_many([(p.model_dump(mode="json", exclude_none=True), d)
                                  for p, d in zip(provisions, decisions)],
                                 recorded_by=recorded_by if recorded_by is not None else local_recorder(),
                                 once=once)
    for d, e in zip(decisions, entries):
        d["log"] = {"sequence": e.seq, "hash": e.hash}
    return decisions


class NotADecision(EntryNotFound):
    """The entry asked for records an approval, not a decision."""


def shown(ledger: Ledger, key: str) -> tuple[Provision, Decision, Entry]:
    """A recorded decision to show: the entry by sequence number, decision id or provision id,
    checked against its hash and its neighbours first (`Ledger.get_checked`; raises EntryTampered),
    then its provision and decision."""
    entry = ledger.get_checked(key)
    provision, decision = stored(entry)
    return provision, decision, entry


def stored(entry: Entry) -> tuple[Provision, Decision]:
    """The provision and the decision of a log entry, the decision carrying its log reference.
    Raises EntryTampered when the entry does not fit its own hash."""
    problem = entry.problem()
    if problem:
        raise EntryTampered(f"entry {entry.seq} does not fit the log: {problem}; it is not shown "
                            "(run `wivcheck log verify`)")
    if entry.outcome == "approval":
        rec = entry.decision_data().get("approval") or {}
        raise NotADecision(f"entry {entry.seq} records approval {entry.decision_id}, not a decision: "
                           f"{rec.get('rule')} of provision {entry.provision_id} approved by the {rec.get('role')} "
                           f"on {rec.get('date')} (GET /v1/approvals/{entry.decision_id}; `log show "
                           f"{entry.provision_id}` shows the provision's latest decision)")
    provision = Provision.model_validate(entry.provision_data())
    decision = Decision.model_validate(entry.decision_data())
    return provision, decision.model_copy(update={"log": LogRef(sequence=entry.seq, hash=entry.hash)})


# -- rule files against the log ------------------------------------------------------------------

def edited_in_place(ledger: Ledger, library: Library,
                    uses: dict[str, list[int]] | None = None) -> list[Finding]:
    """Rule-set versions the log recorded decisions under whose file now has another sha256: the file
    was edited in place instead of being given a new version, and those decisions can no longer be
    replayed with the rules they were made under (DESIGN.md, "Rule sets"). One error finding per
    version, naming the file, the hashes and the entries. A version the log names that is not in
    the library is not judged here (another rules folder may hold it). `uses` (each text of the
    rule-set column and its entries, as `Ledger.verify` collects them) spares reading the column
    again; without it the log is read."""
    recorded: dict[str, dict[str, list[int]]] = {}
    named: dict[int, tuple[list, list]] = {}   # per list of rule sets (ruleset_uses repeats them): where its seqs go
    pairs = ledger.ruleset_uses() if uses is None else (
        (seq, sets) for text, seqs in uses.items() for sets in (rulesets_of(text),) for seq in seqs)
    for seq, sets in pairs:
        known = named.get(id(sets))
        if known is None or known[0] is not sets:
            known = named[id(sets)] = (sets, [
                recorded.setdefault(f"{r['id']}@{r['version']}", {}).setdefault(r["sha256"], [])
                for r in sets if isinstance(r, dict) and {"id", "version", "sha256"} <= r.keys()])
        for seqs in known[1]:
            seqs.append(seq)
    out = []
    for v in library.all():
        hashes = recorded.get(v.ref)
        if not hashes:
            continue
        other = {h: seqs for h, seqs in hashes.items() if h != v.sha256}
        if not other:
            continue
        n = sum(len(seqs) for seqs in other.values())
        seqs = sorted(s for ss in other.values() for s in ss)
        shown = ", ".join(map(str, seqs[:5])) + (", ..." if len(seqs) > 5 else "")
        before = " and ".join(sorted(other))
        out.append(Finding("error", "edited-in-place", v.ref,
                           f"{v.path} was edited in place: the decision log holds {n} decision(s) made under "
                           f"{v.ref} with sha256 {before} (entries {shown}); the file now has sha256 {v.sha256}. "
                           f"Restore the file and make the change a new version of {v.name}.",
                           v.path, 1))
    return out


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
    (reason facts, filled-in messages). `approvals` also blanks the approver's note of an approval
    entry (free text)."""
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
    if "approvals" in fields and isinstance(decision.get("approval"), dict) and decision["approval"].get("note"):
        decision["approval"]["note"] = REDACTED
    return provision, decision


def export_rows(ledger: Ledger, since: dt.date | None, until: dt.date | None,
                redact_fields: list[str]) -> Iterator[dict]:
    """Entries as export rows, each checked before it is written: `verified` is true when the entry
    fits its hash and names the hash of the entry before it; else false, with `problem`."""
    prev: Entry | None = None
    for e in ledger.entries(since, until):
        problem = e.problem()
        if problem is None and e.seq > 1:
            before = prev.hash if prev is not None and prev.seq == e.seq - 1 else _hash_of(ledger, e.seq - 1)
            if before != e.prev_hash:
                problem = "its previous-hash does not match the entry before it"
        prev = e
        try:
            provision, decision = e.provision_data(), e.decision_data()
            rulesets = json.loads(e.rulesets)
            recorder = e.recorder()
        except ValueError:
            provision, decision, rulesets, recorder = {}, {}, [], None
        row = {"seq": e.seq, "decision_id": e.decision_id, "provision_id": e.provision_id,
               "recorded_at": e.recorded_at, "recorded_by": recorder, "outcome": e.outcome,
               "rulesets": rulesets, "provision": provision, "decision": decision, "prev_hash": e.prev_hash,
               "hash": e.hash, "verified": problem is None}
        if problem:
            row["problem"] = problem
        if redact_fields:
            row["provision"], row["decision"] = redact(provision, decision, redact_fields)
            row["redacted"] = redact_fields
        yield row


def _hash_of(ledger: Ledger, seq: int) -> str | None:
    try:
        return ledger.get(str(seq)).hash
    except LedgerError:
        return None


def to_jsonl(rows: Iterable[dict]) -> Iterator[str]:
    for row in rows:
        yield json.dumps(row, ensure_ascii=False, sort_keys=True) + "\n"


CSV_COLUMNS = ["seq", "recorded_at", "recorded_by", "decision_id", "provision_id", "outcome", "escalate_to",
               "reasons", "grounds", "obligations", "rulesets", "provision", "prev_hash", "hash", "verified",
               # added for oversight: the reasons' messages, the approvals given and used, every hash
               "messages_nl", "messages_en", "approvals", "approved", "rulesets_sha256"]


def _messages(decision: dict, lang: str) -> str:
    """`rule: message` for every reason, one a line."""
    return "\n".join(f"{r.get('rule', '?')}: {(r.get('message') or {}).get(lang, '')}"
                     for r in decision.get("reasons", []))


def _approvals(provision: dict) -> str:
    """The provision's approvals, `role rule reference date`, one a line (`[redacted]` when redacted)."""
    given = provision.get("approvals", [])
    if not isinstance(given, list):
        return str(given)
    return "\n".join(" ".join(str(a.get(k, "")) for k in ("role", "rule", "reference", "date"))
                     for a in given if isinstance(a, dict))


def _given(decision: dict) -> str:
    """An approval entry's record for the `approvals` column: `role rule reference date`, who gave it,
    the decision it approves and the note (`[redacted]` when redacted)."""
    rec = decision.get("approval") or {}
    if not isinstance(rec, dict):
        return str(rec)
    esc = rec.get("escalation") or {}
    return " ".join(str(rec.get(k, "")) for k in ("role", "rule", "reference", "date")) + (
        f"\nby {canonical(rec.get('approver'))}\nfor {esc.get('decision_id')} (#{esc.get('sequence')})"
        + (f"\nnote: {rec['note']}" if rec.get("note") else ""))


def _approved(decision: dict) -> str:
    """The escalations an approval closed, `rule role reference date`, one a line."""
    return "\n".join(" ".join([t.get("rule", "?")] + [str((t.get("approved_by") or {}).get(k, ""))
                                                       for k in ("role", "reference", "date")])
                     for t in decision.get("approved", []))


def to_csv(rows: Iterable[dict]) -> Iterator[str]:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(CSV_COLUMNS)
    yield buf.getvalue()
    for row in rows:
        buf.seek(0)
        buf.truncate()
        d = row["decision"]
        by = row["recorded_by"]
        w.writerow([row["seq"], row["recorded_at"], canonical(by) if by is not None else "", row["decision_id"],
                    row["provision_id"], row["outcome"], " ".join(d.get("escalate_to", [])),
                    " ".join(r["rule"] for r in d.get("reasons", [])),
                    "; ".join(g["cite"] for g in d.get("grounds", [])),   # absent in decisions before v1.1
                    " ".join(o["id"] for o in d.get("obligations", [])),
                    " ".join(f"{r['id']}@{r['version']}" for r in row["rulesets"]),
                    canonical(row["provision"]), row["prev_hash"], row["hash"],
                    "true" if row["verified"] else f"false: {row['problem']}",
                    _messages(d, "nl"), _messages(d, "en"),
                    _given(d) if row["outcome"] == "approval" else _approvals(row["provision"]), _approved(d),
                    " ".join(f"{r['id']}@{r['version']}={r.get('sha256', '')}" for r in row["rulesets"])])
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
                        "prev_hash": row["prev_hash"], "hash": row["hash"],
                        "recorded_by": canonical(row["recorded_by"]) if row.get("recorded_by") is not None else None})
        except (ValueError, KeyError, TypeError) as exc:
            raise LedgerError(f"{source}:{n}: not an exported log entry ({exc})") from None
    return out


