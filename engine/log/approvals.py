"""Approvals in the decision log: giving one, looking them up for the engine, and the queue of
escalations still open (DESIGN.md, "Approvals"; issue: escalations closed by the people who decide).

An approval is an entry of the same hash chain as the decisions, so it is as hard to alter unnoticed
as they are and `log verify`, checkpoints, export and copy cover it without anything new. Its
columns: `decision_id` is the approval's reference (`apr-` and a UUID, unique like every decision
id), `provision_id` the provision it approves, `outcome` the word `approval`; the stored provision is
`{"id": …}` only, the stored decision is

    {"decision": "approval", "decision_id": REF, "provision_id": ID, "rulesets": [the rule's set],
     "approval": {"reference", "provision_id", "rule", "role", "date", "note",
                  "approver": {who, as recorded_by}, "escalation": {"decision_id", "sequence"},
                  "content_sha256": …, "payload_sha256": … (a gate decision's payload, else null)}}

An approval may be given only for an escalation the log holds: the named recorded decision (or the
provision's latest) must be an escalation (a denied provision is fixed, not approved) and have
escalated on that rule (violated, `on_fail: escalate`); a deny-rule, a rule that lacks facts, or one
that did not escalate cannot be approved, and the approver's role must be the rule's `escalate_to`
or above (teamleider < diensthoofd < minister). The approval approves what the approver was shown:
the escalated provision's content (`engine.approvals.content_fingerprint`, its date aside) and, for a
gate decision, the payload; a provision or payload that differs cannot use it.

Who may be trusted: an approval given with an approver's token names the token; one given with
`wivcheck approve` names the local user (the operating system's account, not `$USER`). A service
with tokens accepts only token-given approvals (`LogApprovals(accept_local=False)`): anyone who can
write the log could otherwise record a Minister's approval. The command line and a service without
tokens (one user, loopback) accept both. Refusals raise
ApprovalRefused (HTTP 409; 403 for a role below the level, 404 when the log holds no decision)
with the reason and record nothing.

The date of an approval is the UTC calendar day it is recorded; a provision dated before that day
cannot use it (an approval cannot precede itself).
"""

from __future__ import annotations

import datetime as dt
import json
import unicodedata
import uuid
from typing import Iterable

from wivcheck.engine.approvals import GrantedApproval, approver_name, content_fingerprint
from wivcheck.policy import ROLE_RANK, ROLES  # noqa: F401 - ROLE_RANK is used by the CLI too
from wivcheck.policy.errors import WivcheckError

from .ledger import Entry, EntryNotFound, EntryTampered, Ledger

OUTCOME = "approval"
"""The `outcome` column of an approval entry."""

MAX_NOTE = 2000


class ApprovalRefused(WivcheckError):
    """An approval that may not be given: the reason says why (the rule is a deny-rule, the decision
    did not escalate on it, the role is below the rule's level, it is already approved). Nothing is
    recorded. HTTP 409, or 403 when the approver's role is below the level (`RoleTooLow`)."""

    code = "approval_refused"
    http_status = 409


class RoleTooLow(ApprovalRefused):
    """The approver's role is below the level the rule escalates to."""

    code = "approval_role_too_low"
    http_status = 403


class NoEscalation(ApprovalRefused):
    """The log holds no recorded decision of that provision (or with that decision id) to approve."""

    code = "not_found"
    http_status = 404


def new_reference() -> str:
    """A fresh approval reference: `apr-` and a random UUID (RFC 4122 version 4)."""
    return f"apr-{uuid.uuid4()}"


def _checked(entry: Entry) -> Entry:
    problem = entry.problem()
    if problem:
        raise EntryTampered(f"entry {entry.seq} does not fit the log: {problem} (run `wivcheck log verify`)")
    return entry


def escalation_of(ledger: Ledger, provision_id: str, decision_id: str | None = None) -> tuple[Entry, dict]:
    """The recorded decision an approval is for: the one with `decision_id`, or the provision's
    latest decision. Returns (entry, decision data). Raises NoEscalation when there is none, and
    EntryTampered when the entry does not fit its hash."""
    if decision_id is not None:
        found = ledger._rows("WHERE decision_id = ? AND outcome <> ?", (decision_id, OUTCOME))
        if not found:
            raise NoEscalation(f"the decision log holds no decision {decision_id}")
        if found[0].provision_id != provision_id:
            raise ApprovalRefused(f"decision {decision_id} is of provision {found[0].provision_id}, "
                                  f"not {provision_id}")
    else:
        found = ledger._rows("WHERE provision_id = ? AND outcome <> ? ORDER BY seq DESC LIMIT 1",
                             (provision_id, OUTCOME))
        if not found:
            raise NoEscalation(f"the decision log holds no decision of provision {provision_id}: record "
                               "the escalated provision first (POST /v1/decisions, `wivcheck check --record`)")
    entry = _checked(found[0])
    return entry, entry.decision_data()


def rule_level(decision: dict, rule: str) -> str:
    """The role a recorded decision escalated `rule` to. Raises ApprovalRefused naming why the rule
    cannot be approved on that decision: not evaluated, a deny-rule, lacking facts, not escalated."""
    step = next((t for t in decision.get("trace", []) if t.get("rule") == rule), None)
    if step is None:
        raise ApprovalRefused(f"decision {decision.get('decision_id')} did not evaluate rule {rule}")
    if step.get("on_fail") == "deny":
        raise ApprovalRefused(f"{rule} is a deny rule: an approval cannot set it aside")
    if step.get("status") == "missing":
        raise ApprovalRefused(f"{rule} lacks facts in decision {decision.get('decision_id')}: supply them; "
                              "an approval cannot replace them")
    if step.get("status") != "violated":
        raise ApprovalRefused(f"decision {decision.get('decision_id')} did not escalate on {rule} (it is "
                              f"{str(step.get('status')).replace('_', ' ')}): nothing to approve")
    level = next((r.get("escalate_to") for r in decision.get("reasons", []) if r.get("rule") == rule), None)
    if level not in ROLE_RANK:
        raise ApprovalRefused(f"decision {decision.get('decision_id')} names no level for {rule}")
    return level


def give(ledger: Ledger, *, provision_id: str, rule: str, role: str | None, approver: dict,
         note: str | None = None, decision_id: str | None = None, today: dt.date | None = None) -> dict:
    """Record an approval of `rule` for the escalation of `provision_id` (its latest recorded
    decision, or `decision_id`) by `approver` (recorded_by data) acting as `role` (None: the rule's
    own level, for a local user). Returns the approval record with its `log` reference
    (`{"sequence", "hash"}`) and `approvals_entry`, the entry to write in the provision.

    Raises ApprovalRefused (409; RoleTooLow 403; NoEscalation 404) with the reason, recording nothing;
    LedgerError when the log cannot be read or written."""
    if role is not None and role not in ROLE_RANK:
        raise ApprovalRefused(f"role {role!r} cannot approve; approving roles: {', '.join(ROLES)}")
    note = check_note(note)
    entry, decision = escalation_of(ledger, provision_id, decision_id)
    if decision.get("decision") != "escalate":
        raise ApprovalRefused(f"decision {entry.decision_id} (log entry #{entry.seq}) is {decision.get('decision')}, "
                              "not an escalation: a denied provision is fixed and recorded again, not approved")
    level = rule_level(decision, rule)
    role = role or level
    if ROLE_RANK[role] < ROLE_RANK[level]:
        raise RoleTooLow(f"{rule} needs the {level} or higher; an approval by the {role} cannot close it")
    for earlier in _approvals_of(ledger, [provision_id]):
        rec = earlier.decision_data()["approval"]
        if rec["rule"] == rule and rec["escalation"]["sequence"] == entry.seq:
            raise ApprovalRefused(f"{rule} of decision {entry.decision_id} is already approved: "
                                  f"{rec['reference']} by the {rec['role']} on {rec['date']}")
    reference = new_reference()
    day = (today or dt.datetime.now(dt.timezone.utc).date()).isoformat()
    ruleset = rule.split(".", 1)[0]
    gate = decision.get("gate") or {}
    record = {"reference": reference, "provision_id": provision_id, "rule": rule, "role": role, "date": day,
              "note": note, "approver": approver,
              "escalation": {"decision_id": entry.decision_id, "sequence": entry.seq},
              "content_sha256": content_fingerprint(entry.provision_data()),
              "payload_sha256": gate.get("payload_sha256")}
    data = {"decision": OUTCOME, "decision_id": reference, "provision_id": provision_id, "approval": record,
            "rulesets": [r for r in decision.get("rulesets", []) if r.get("id") == ruleset]}
    stored = ledger.append({"id": provision_id}, data, recorded_by=approver)
    return {**record, "log": {"sequence": stored.seq, "hash": stored.hash},
            "approvals_entry": {"rule": rule, "role": role, "reference": reference, "date": day}}


def check_note(note: str | None) -> str | None:
    """The approver's note, trimmed (blank is none). Raises ApprovalRefused for a note over MAX_NOTE
    characters or holding control or format characters (other than line breaks and tabs): the note
    is shown to people and oversight as written."""
    if note is None or not note.strip():
        return None
    note = note.strip()
    if len(note) > MAX_NOTE:
        raise ApprovalRefused(f"the note is {len(note)} characters; at most {MAX_NOTE}")
    bad = next((ch for ch in note if ch not in "\n\t" and unicodedata.category(ch) in ("Cc", "Cf")), None)
    if bad is not None:
        raise ApprovalRefused(f"the note holds the invisible or control character U+{ord(bad):04X}; write it "
                              "as plain text")
    return note


def _approvals_of(ledger: Ledger, provision_ids: Iterable[str]) -> list[Entry]:
    ids = list(dict.fromkeys(provision_ids))
    out: list[Entry] = []
    for i in range(0, len(ids), 500):
        part = ids[i:i + 500]
        out += ledger._rows(f"WHERE outcome = ? AND provision_id IN ({','.join('?' * len(part))}) ORDER BY seq",
                            (OUTCOME, *part))
    return [_checked(e) for e in out]


def granted_of(entry: Entry, accept_local: bool = True) -> GrantedApproval:
    """The approval an approval entry records; with `accept_local` False, one given by a local user
    (not with a token) carries the reason it is refused."""
    rec = entry.decision_data()["approval"]
    refused = None
    if not accept_local and "token" not in (rec.get("approver") or {}):
        refused = (f"it was given by the local user {approver_name(rec.get('approver'))} with `wivcheck approve`, "
                   "not with an approver's token; this service accepts only approvals given with a token")
    return GrantedApproval(reference=rec["reference"], provision_id=rec["provision_id"], rule=rec["rule"],
                           role=rec["role"], date=dt.date.fromisoformat(rec["date"]), approver=rec["approver"],
                           sequence=entry.seq, content_sha256=rec.get("content_sha256"),
                           payload_sha256=rec.get("payload_sha256"),
                           escalation=(rec.get("escalation") or {}).get("sequence"), refused=refused)


class LogApprovals:
    """The decision log as the engine's approval register (`engine.approvals.ApprovalRegister`):
    finds recorded approvals by reference, each checked against its own hash first (an entry that
    does not fit raises EntryTampered: a changed approval never closes an escalation). With
    `accept_local` False (a service with tokens), approvals a local user gave are found but refused."""

    def __init__(self, ledger: Ledger, accept_local: bool = True):
        self.ledger = ledger
        self.accept_local = accept_local

    def find(self, references: Iterable[str]) -> dict[str, GrantedApproval]:
        refs = [r for r in dict.fromkeys(references) if isinstance(r, str)]
        out: dict[str, GrantedApproval] = {}
        for i in range(0, len(refs), 500):
            part = refs[i:i + 500]
            for e in self.ledger._rows(f"WHERE outcome = ? AND decision_id IN ({','.join('?' * len(part))})",
                                       (OUTCOME, *part)):
                out[e.decision_id] = granted_of(_checked(e), self.accept_local)
        return out


def is_approval(entry: Entry) -> bool:
    """Whether a log entry records an approval rather than a decision."""
    return entry.outcome == OUTCOME


def summary(provision: dict) -> dict:
    """What an approver sees first of a provision: id, service, date, context, the recipient (name,
    kind, country), the purpose (task, aim) and the data (categories, classification, TLP, personal
    data, volume)."""
    def pick(part: str, keys: tuple[str, ...]) -> dict:
        got = provision.get(part) or {}
        return {k: got[k] for k in keys if got.get(k) is not None}
    return {"id": provision.get("id"), "service": provision.get("service"), "date": provision.get("date"),
            "context": provision.get("context"), "recipient": pick("recipient", ("name", "kind", "country")),
            "purpose": pick("purpose", ("task", "aim")),
            "data": pick("data", ("categories", "classification", "tlp", "personal_data", "volume"))}


def open_escalations(ledger: Ledger, role: str, *, below: bool = False, limit: int = 100) -> list[dict]:
    """Recorded escalations still open at `role`'s level, newest first: for every provision whose
    latest recorded decision escalated, the rules escalated to `role` (with `below`, to `role` or a
    lower level) that no approval recorded since that decision closes. Each item: provision_id,
    decision_id, sequence, recorded_at, recorded_by (who), summary, rules, reasons (as the decision
    gave them), and approved (the rules of that decision already approved). At most `limit` items.

    Raises ApprovalRefused for an unknown role; LedgerError when the log cannot be read."""
    if role not in ROLE_RANK:
        raise ApprovalRefused(f"role {role!r} is not an approving role; one of {', '.join(ROLES)}")
    rank = ROLE_RANK[role]
    latest = ledger._rows(
        "WHERE outcome = 'escalate' AND NOT EXISTS (SELECT 1 FROM entries later WHERE later.provision_id = "
        "entries.provision_id AND later.seq > entries.seq AND later.outcome <> ?) ORDER BY seq DESC", (OUTCOME,))
    approved: dict[tuple[str, int], set[str]] = {}
    for e in _approvals_of(ledger, [x.provision_id for x in latest]):
        rec = e.decision_data()["approval"]
        approved.setdefault((rec["provision_id"], rec["escalation"]["sequence"]), set()).add(rec["rule"])
    out: list[dict] = []
    for e in latest:
        decision = _checked(e).decision_data()
        done = approved.get((e.provision_id, e.seq), set())
        reasons = [r for r in decision.get("reasons", [])
                   if r.get("outcome") == "escalate" and r.get("status") == "violated" and r.get("rule") not in done
                   and r.get("escalate_to") in ROLE_RANK
                   and (ROLE_RANK[r["escalate_to"]] <= rank if below else ROLE_RANK[r["escalate_to"]] == rank)]
        if not reasons:
            continue
        by = json.loads(e.recorded_by) if e.recorded_by else None
        out.append({"provision_id": e.provision_id, "decision_id": e.decision_id, "sequence": e.seq,
                    "recorded_at": e.recorded_at, "recorded_by": approver_name(by) if by else None,
                    "summary": summary(e.provision_data()), "rules": [r["rule"] for r in reasons],
                    "reasons": reasons, "approved": sorted(done)})
        if len(out) >= limit:
            break
    return out


__all__ = ["ApprovalRefused", "LogApprovals", "NoEscalation", "OUTCOME", "RoleTooLow", "escalation_of", "give",
           "granted_of", "is_approval", "open_escalations", "rule_level", "summary", "EntryNotFound"]
