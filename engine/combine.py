"""From every rule's status to one decision: approvals close escalations, deny > escalate > allow.

An approval closes a violated escalate-rule when it names that rule (qualified id), its role is the
rule's `escalate_to` or above (teamleider < diensthoofd < minister), and it is dated on or before the
provision date. A deny-rule cannot be approved away, and neither can a missing fact: the fact has to be
supplied. Approvals that close nothing are reported as warnings, never ignored silently.

With a register (the decision log, in the service), an approval closes an escalation only when the
log's record of its reference matches it (`approvals.refusal`), and the trace says who gave it and
that it was verified; without one (offline) the approval is taken as written and marked unverified.
"""

from __future__ import annotations

from wivcheck.policy import ROLE_RANK, Rule

from .approvals import GrantedApproval, approver_name, content_fingerprint, refusal
from .provision import Provision


def apply_approvals(provision: Provision, rules: dict[str, Rule], statuses: dict[str, str],
                    granted: dict[str, GrantedApproval] | None = None) -> tuple[list[dict], list[str]]:
    """The trace (one entry per rule, as TraceEntry data) and warnings about unused approvals.

    `granted`: the recorded approvals the register found for this provision's references (None:
    no register, offline; every approval then counts as written and is marked unverified)."""
    trace: list[dict] = []
    used: set[int] = set()
    refused: dict[int, str] = {}
    warnings: list[str] = []
    content = None
    if granted:   # what the approvals were given for must be what is decided now
        content = content_fingerprint(provision.model_dump(mode="json", exclude_none=True))
    for qid, status in statuses.items():
        rule = rules[qid]
        entry = {"rule": qid, "status": status, "on_fail": rule.on_fail}
        if status == "violated" and rule.on_fail == "escalate":
            for i, ap in enumerate(provision.approvals):
                if i in used or not (ap.rule == qid and ROLE_RANK[ap.role] >= ROLE_RANK[rule.escalate_to]
                                     and ap.date <= provision.date):
                    continue
                approved_by = {"role": ap.role, "reference": ap.reference, "date": ap.date, "verified": False,
                               "approver": None, "sequence": None}
                if granted is not None:
                    found = granted.get(ap.reference)
                    why = refusal(ap, provision.id, provision.date, rule, found, content)
                    if why is not None:
                        refused[i] = why
                        continue
                    approved_by.update(verified=True, approver=approver_name(found.approver),
                                       sequence=found.sequence)
                entry = {"rule": qid, "status": "approved", "on_fail": rule.on_fail, "approved_by": approved_by}
                used.add(i)
                break
        trace.append(entry)
    closed = {t["rule"]: t["approved_by"]["reference"] for t in trace if "approved_by" in t}
    for i, ap in enumerate(provision.approvals):
        if i in used:
            continue
        if i in refused:
            warnings.append(f"approval {ap.reference} ({ap.role}) for {ap.rule} closes nothing: it is not "
                            f"verified: {refused[i]}")
            continue
        rule = rules.get(ap.rule)
        status = statuses.get(ap.rule)
        if rule is None:
            why = "no such rule in the rule sets evaluated"
        elif rule.on_fail == "deny":
            why = "it is a deny rule; an approval cannot set it aside"
        elif ROLE_RANK[ap.role] < ROLE_RANK[rule.escalate_to]:
            why = f"the rule needs {rule.escalate_to} or higher, the approval is by {ap.role}"
        elif ap.date > provision.date:
            why = f"dated {ap.date}, after the provision date {provision.date}"
        elif status == "missing":
            why = "the rule lacks facts; supply them, an approval cannot replace them"
        elif ap.rule in closed:
            why = f"the rule is already approved by {closed[ap.rule]}"
        else:
            why = f"the rule is {status.replace('_', ' ')}, nothing to approve"
        warnings.append(f"approval {ap.reference} ({ap.role}) for {ap.rule} closes nothing: {why}")
    return trace, warnings


def combine(trace: list[dict], rules: dict[str, Rule]) -> tuple[str, list[str]]:
    """The decision and the roles to escalate to (lowest rank first)."""
    open_ = [t for t in trace if t["status"] in ("violated", "missing")]
    if any(t["on_fail"] == "deny" for t in open_):
        return "deny", []
    roles = sorted({rules[t["rule"]].escalate_to for t in open_}, key=ROLE_RANK.__getitem__)
    if roles:
        return "escalate", roles
    return "allow", []
