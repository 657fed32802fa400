"""Routes for approvals (DESIGN.md, "Approvals"): giving one with the approver's own token, reading
one back, and the queue of recorded escalations still open at a level.

`POST /v1/approvals` records, in the decision log, who approved which rule of which provision's
escalation; the answer's `reference` (and its ready-to-write `approvals_entry`) is what the provision
then names. Approving roles: teamleider < diensthoofd < minister, each at its own level and below.
A service without tokens (loopback only) records the local user and takes the role from the body
(default: the rule's own level)."""

from __future__ import annotations

from typing import Literal, Optional

from fastapi import FastAPI, Query
from starlette.concurrency import run_in_threadpool

from wivcheck.engine.log import approvals as log_approvals
from wivcheck.engine.log.approvals import NoEscalation
from wivcheck.policy import ROLES as APPROVER_ROLES

from . import idempotency
from .auth import access, allow
from .errors import AUTH_ERRORS, BODY_ERRORS, FAULT_ERRORS, ApiError, documented
from .responses import data_response
from .schemas import ApprovalBody, ApprovalRecord, EscalationQueue
from .state import State
from .tokens import Identity

READERS = ("analyst", "gate", "auditor", *APPROVER_ROLES)
QUEUE_READERS = ("analyst", "auditor", *APPROVER_ROLES)


def add_routes(app: FastAPI, state: State) -> None:
    """Add these routes to the app, on the worker's state."""

    @app.post("/v1/approvals", response_model=ApprovalRecord, status_code=201, tags=["approvals"],
              summary="Approve an escalated rule of a recorded provision (recorded in the decision log)",
              responses={**AUTH_ERRORS, **BODY_ERRORS, **FAULT_ERRORS,
                         404: documented(404, "not_found", "The log holds no decision of that provision."),
                         409: documented(409, "approval_refused", "Not escalated, a deny-rule, already approved."),
                         },
              **access(*APPROVER_ROLES))
    async def approve(body: ApprovalBody, who: Identity = allow(*APPROVER_ROLES)):
        if not who.local and body.role is not None and body.role != who.role:
            raise ApiError(403, "approval_role_too_low" if _rank(body.role) > _rank(who.role) else "forbidden",
                           f"this token approves as the {who.role}; it cannot approve as the {body.role}",
                           [{"path": "role", "message": f"omit it, or give {who.role}"}])
        role = body.role if who.local else who.role
        return data_response(await run_in_threadpool(
            log_approvals.give, state.ledger, provision_id=body.provision_id, rule=body.rule, role=role,
            approver=idempotency.recorder_of(who), note=body.note, decision_id=body.decision_id), 201)

    @app.get("/v1/approvals/{reference}", response_model=ApprovalRecord, tags=["approvals"],
             summary="A recorded approval",
             responses={**AUTH_ERRORS, 404: documented(404, "not_found", "No such approval in the log."),
                        503: FAULT_ERRORS[503]},
             **access(*READERS))
    def show(reference: str, _: Identity = allow(*READERS)):
        entry = state.ledger.get_checked(reference) if reference.startswith("apr-") else None
        if entry is None or not log_approvals.is_approval(entry):
            raise NoEscalation(f"the decision log holds no approval {reference}")
        rec = entry.decision_data()["approval"]
        return data_response({**rec, "log": {"sequence": entry.seq, "hash": entry.hash},
                              "approvals_entry": {k: rec[k] for k in ("rule", "role", "reference", "date")}})

    @app.get("/v1/escalations", response_model=EscalationQueue, tags=["approvals"],
             summary="Recorded escalations still open at a level, newest first",
             responses={**AUTH_ERRORS, 503: FAULT_ERRORS[503]}, **access(*QUEUE_READERS))
    def queue(role: Optional[str] = Query(None, description="teamleider, diensthoofd or minister; default: the "
                                                             "token's own role (required for other roles)."),
              below: Literal["true", "false"] = Query("false", description="`true`: also the escalations to "
                                                                         "lower levels, which this role may approve too."),
              limit: int = Query(100, ge=1, le=1000, description="At most this many items."),
              who: Identity = allow(*QUEUE_READERS)):
        level = role or (who.role if who.role in APPROVER_ROLES else None)
        if level is None:
            raise ApiError(422, "invalid_request", "name the level: ?role=teamleider, diensthoofd or minister",
                           [{"path": "role", "message": "required for this token's role"}])
        if level not in APPROVER_ROLES:
            raise ApiError(422, "invalid_request", f"role {level!r} is not an approving role",
                           [{"path": "role", "message": f"one of {', '.join(APPROVER_ROLES)}"}])
        items = log_approvals.open_escalations(state.ledger, level, below=below == "true", limit=limit)
        return data_response({"role": level, "below": below == "true", "items": items})


def _rank(role: str) -> int:
    return APPROVER_ROLES.index(role) if role in APPROVER_ROLES else -1
