"""Approvals as the decision core sees them: what a recorded approval says, where the engine looks one
up, and whether an approval written in a provision may close the escalation it names.

An escalation says who must decide (teamleider < diensthoofd < minister; Art. 62(2), 64(2), 69(2)(c)
and 89(2) Wiv 2017 reserve decisions to the Minister). In the service an approval is given with the
approver's own token and recorded in the decision log (`wivcheck.engine.log.approvals`); a provision
names it by its `reference`, and the engine accepts it only when the log's record matches it
(DESIGN.md, "Approvals"). Without a log (the CLI offline) an approval written in the provision still
closes its escalation, but it is marked unverified in the decision and every rendering.

The core defines the register as a protocol and never imports the log: the log subpackage builds on
the core, not the other way round (DESIGN.md, "Layout").
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from typing import Iterable, Protocol

import orjson

from wivcheck.policy import ROLE_RANK, Rule


@dataclass(frozen=True)
class GrantedApproval:
    """An approval as the decision log records it.

    `reference` is the approval's id in the log (`apr-…`); `role` the approving role of the token (or
    the role a local user gave, offline); `date` the day it was given (UTC); `approver` who gave it,
    as `recorded_by` data (`{"token", "role"}` or `{"local_user", "host"[, "via"]}`); `sequence` its
    entry in the log; `escalation` the log entry of the escalated decision it approves; `content_sha256` the `content_fingerprint` of the provision the approver was
    shown (the recorded escalation); `payload_sha256` the payload's, when that was a gate decision.
    `refused`, when set, is why the register will not let this approval close anything (a local
    approval in a service with tokens, a gate payload other than the one approved)."""

    reference: str
    provision_id: str
    rule: str
    role: str
    date: dt.date
    approver: dict
    sequence: int
    content_sha256: str | None = None
    payload_sha256: str | None = None
    escalation: int | None = None
    refused: str | None = None


def content_fingerprint(provision: dict) -> str:
    """sha256 (hex) of what an approval approves: the provision as JSON data (`exclude_none`), without
    its `approvals` and its `date`, in canonical JSON (sorted keys, no spaces, UTF-8). The date is left
    out so that a provision approved after its planned date can be re-dated and used; everything else
    the approver was shown must be the same."""
    body = {k: v for k, v in provision.items() if k not in ("approvals", "date")}
    return hashlib.sha256(orjson.dumps(body, option=orjson.OPT_SORT_KEYS)).hexdigest()


class ApprovalRegister(Protocol):
    """Where the engine looks approvals up (the decision log, `LogApprovals`)."""

    def find(self, references: Iterable[str]) -> dict[str, GrantedApproval]:
        """The recorded approvals among `references`, by reference; those not recorded are absent.
        Raises LedgerError (a WivcheckError) when the register cannot be read: an approval that
        cannot be checked never closes an escalation."""
        ...


def approver_name(approver: dict | None) -> str:
    """Who gave an approval, for people: the token's name, or `user@host` for a local user."""
    if not approver:
        return "?"
    if "token" in approver:
        return str(approver["token"])
    return f"{approver.get('local_user', '?')}@{approver.get('host', '?')}"


def refusal(written, provision_id: str, provision_date: dt.date, rule: Rule,
            granted: GrantedApproval | None, content: str | None = None) -> str | None:
    """Why a verified approval written in a provision may not close `rule`'s escalation, or None when
    it may. `written` is the provision's approvals entry (role, rule, reference, date); `content` the
    provision's `content_fingerprint`.

    The log's record must exist and match the provision (its id and its content as the approver saw
    it, date aside), the rule, the role and the date written in the provision; its role must be the
    rule's `escalate_to` or above, and it must be dated on or before the provision (DESIGN.md,
    "Approvals")."""
    if granted is None:
        return "the decision log holds no approval with this reference (mistyped or invented)"
    if granted.refused:
        return granted.refused
    if granted.provision_id != provision_id:
        return f"the log records it for provision {granted.provision_id}, not {provision_id}"
    if granted.content_sha256 is not None and content is not None and granted.content_sha256 != content:
        return (f"it approves the provision as recorded in log entry #{granted.escalation}, and this one differs "
                "from it (only the date may change): record it and ask for a new approval")
    if granted.rule != written.rule:
        return f"the log records it for rule {granted.rule}"
    if granted.role != written.role:
        return f"the log records it as given by the {granted.role}, not the {written.role}"
    if ROLE_RANK[granted.role] < ROLE_RANK[rule.escalate_to]:
        return f"the rule needs {rule.escalate_to} or higher, the log records {granted.role}"
    if granted.date != written.date:
        return f"the log records it as given on {granted.date}, not {written.date}"
    if granted.date > provision_date:
        return f"given on {granted.date}, after the provision date {provision_date}"
    return None
