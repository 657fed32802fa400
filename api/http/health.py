"""Liveness and readiness. `/healthz` says the worker answers; `/readyz` says it can do its work
now: every rule-set version compiled, a rule set in force today, and the decision log reachable and
writable, checked through the log object's own `ready()` (SQLite or PostgreSQL alike), which writes
nothing. A failing check is a 503 naming the check and why; the change between ready and not ready is
logged once (warning), not at every probe.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel

from wivcheck.policy.errors import WivcheckError

from .. import logs

READY_TIMEOUT = 1.0  # seconds a probe may wait for the log's write lock


class Check(BaseModel):
    ok: bool
    detail: str


class Readiness(BaseModel):
    status: Literal["ready", "not_ready"]
    checks: dict[str, Check]


def readiness(state) -> Readiness:
    """The readiness of a worker's state (`State`): checks `rules` and `log`."""
    checks: dict[str, Check] = {}
    try:
        state.engine.warm()  # compiled at start-up: a look-up per version, unless one was dropped
        versions = state.library.all()
        in_force = [v.ref for v in state.engine.select(dt.date.today())]
        checks["rules"] = Check(ok=True, detail=f"{len(versions)} versions compiled; in force today: "
                                                + ", ".join(in_force))
    except WivcheckError as exc:
        checks["rules"] = Check(ok=False, detail=f"{exc.code}: {exc}")
    log = state.ledger
    ready = getattr(log, "ready", None)
    if ready is None:
        checks["log"] = Check(ok=False, detail=f"{type(log).__name__} has no ready() check")
    else:
        try:
            ready(timeout=min(READY_TIMEOUT, state.settings.lock_wait or READY_TIMEOUT))
            checks["log"] = Check(ok=True, detail="reachable and writable")
        except WivcheckError as exc:
            checks["log"] = Check(ok=False, detail=f"{exc.code}: {exc.message}")
    ok = all(c.ok for c in checks.values())
    result = Readiness(status="ready" if ok else "not_ready", checks=checks)
    if getattr(state, "_was_ready", None) is not ok:
        if not ok:
            logs.get("wivcheck.health").warning("not_ready", **{k: c.detail for k, c in checks.items() if not c.ok})
        elif getattr(state, "_was_ready", None) is False:
            logs.get("wivcheck.health").info("ready_again")
        state._was_ready = ok
    return result
