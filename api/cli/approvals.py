"""`wivcheck approve` and `wivcheck log escalations`: approving an escalated rule of a recorded
provision in the decision log, as the local user, and the queue of escalations still open at a level
(DESIGN.md, "Approvals"; the service's `POST /v1/approvals` and `GET /v1/escalations`)."""

from __future__ import annotations

import json
from typing import Optional

import typer
import yaml

from wivcheck.engine.log import Ledger, approvals as log_approvals
from wivcheck.engine.log.approvals import LogApprovals
from wivcheck.engine.log.recording import local_recorder
from wivcheck.policy.errors import WivcheckError

from .common import DbPath, Lang, LockWait, db_target, echo, fail, ledger_or_exit

class LogWhenNeeded:
    """The named decision log as approval register, opened only when a provision names an approval
    (checking provisions without approvals needs no log). A log that cannot be opened is an error
    for the provision that needed it, never an approval taken as written."""

    def __init__(self, db, lock_wait: float):
        self.db, self.lock_wait, self.register = db, lock_wait, None

    def find(self, references):
        if self.register is None:
            try:
                self.register = LogApprovals(Ledger(db_target(self.db), timeout=self.lock_wait))
            except WivcheckError as exc:
                raise type(exc)(f"{exc.message}; the provision names approvals, which are checked against "
                                "the decision log (--offline takes them as written, unverified)") from None
        return self.register.find(references)


ROLE_HELP = "teamleider, diensthoofd or minister"
ROLE_WORDS = {"nl": {"teamleider": "teamleider", "diensthoofd": "diensthoofd", "minister": "minister"},
              "en": {"teamleider": "team leader", "diensthoofd": "head of service", "minister": "Minister"}}


def _role(value: Optional[str]) -> Optional[str]:
    if value is not None and value not in log_approvals.ROLE_RANK:
        raise typer.BadParameter(ROLE_HELP, param_hint="--role")
    return value


def approve(provision: str = typer.Option(..., "--provision", metavar="ID", help="The provision's id."),
            rule: str = typer.Option(..., "--rule", metavar="QID",
                                     help="The escalated rule, qualified: e.g. waarborgen-pps.residual-risk."),
            role: Optional[str] = typer.Option(None, "--role", callback=_role,
                                               help=f"The approving role ({ROLE_HELP}); default: the rule's level."),
            note: Optional[str] = typer.Option(None, "--note", help="Your reasons, kept in the log."),
            decision: Optional[str] = typer.Option(None, "--decision", metavar="DECISION_ID",
                                                   help="The recorded decision approved (default: the latest)."),
            fmt: str = typer.Option("text", "--format", metavar="text|json", help="text or json."),
            db: Optional[str] = DbPath, lock_wait: float = LockWait):
    """Approve an escalated rule of a recorded provision, as the local user; the log records who,
    which role, when, and the decision approved. Prints the reference and the entry to write in the
    provision's `approvals`. Refused, with the reason, for a deny-rule, a rule the decision did not
    escalate, a role below the rule's level, or a rule already approved."""
    if fmt not in ("text", "json"):
        raise typer.BadParameter("text or json", param_hint="--format")
    with ledger_or_exit(db, timeout=lock_wait) as ledger:
        try:
            record = log_approvals.give(ledger, provision_id=provision, rule=rule, role=role,
                                        approver=local_recorder(), note=note, decision_id=decision)
        except WivcheckError as exc:
            fail(exc)
    if fmt == "json":
        echo(json.dumps(record, ensure_ascii=False))
        return
    echo(f"approved: {record['rule']} of provision {record['provision_id']} by the {record['role']} "
         f"({record['approver'].get('local_user')}@{record['approver'].get('host')}) on {record['date']}")
    echo(f"reference: {record['reference']}  (log entry {record['log']['sequence']})")
    echo("write this in the provision, then check it again:")
    entry = yaml.safe_dump({"approvals": [record["approvals_entry"]]}, sort_keys=False, allow_unicode=True)
    echo("".join(f"  {line}\n" for line in entry.splitlines()).rstrip("\n"))


def escalations(role: str = typer.Option(..., "--role", callback=_role, help=f"The level: {ROLE_HELP}."),
                below: bool = typer.Option(False, "--below", help="Also escalations to lower levels."),
                limit: int = typer.Option(100, "--limit", min=1, max=10_000, help="At most this many."),
                fmt: str = typer.Option("text", "--format", metavar="text|json", help="text or json."),
                lang: Lang = typer.Option(Lang.nl, "--lang"), db: Optional[str] = DbPath):
    """Recorded escalations still open at a level, newest first: the provision, what it escalated on
    and why (the same list as GET /v1/escalations)."""
    if fmt not in ("text", "json"):
        raise typer.BadParameter("text or json", param_hint="--format")
    with ledger_or_exit(db) as ledger:
        try:
            items = log_approvals.open_escalations(ledger, role, below=below, limit=limit)
        except WivcheckError as exc:
            fail(exc)
    if fmt == "json":
        echo(json.dumps({"role": role, "below": below, "items": items}, ensure_ascii=False))
        return
    nl = lang is Lang.nl
    if not items:
        echo(f"geen open escalaties voor de {ROLE_WORDS['nl'][role]}" if nl
             else f"no open escalations for the {ROLE_WORDS['en'][role]}")
        return
    for it in items:
        s = it["summary"]
        rec = s.get("recipient", {})
        echo(f"#{it['sequence']} {it['provision_id']} ({s.get('service')}, {s.get('date')}) → "
             f"{rec.get('name', '?')} [{rec.get('kind', '?')}], {it['recorded_at']}")
        for r in it["reasons"]:
            msg = (r.get("message") or {}).get(lang.value, "")
            echo(f"   {r['rule']} → {ROLE_WORDS[lang.value].get(r.get('escalate_to'), '?')}: {msg}")
        echo(f"   wivcheck approve --provision {it['provision_id']} --rule {it['rules'][0]}")
