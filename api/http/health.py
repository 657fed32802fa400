"""Liveness and readiness. `/healthz` says the worker answers; `/readyz` says it can do its work
now: every rule-set version compiled, a rule set in force today, and the decision log reachable and
writable, checked through the log object's own `ready()` (SQLite or PostgreSQL alike), which writes
nothing. A failing check is a 503 naming the check and why; the change between ready and not ready is
logged once (warning), not at every probe.

`/readyz` answers without a token, so what it says of the log leaves out where the log is: file paths
and connection strings in a check's detail are replaced by `<log>` in the answer; the service's own
log line (`not_ready`) keeps them for the operator.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Literal

from pydantic import BaseModel

from wivcheck.policy.errors import WivcheckError

from .. import logs

READY_TIMEOUT = 1.0  # seconds a probe may wait for the log's write lock
# a connection string (postgresql://user:secret@host/db) or an absolute file path in an error's text
_WHERE = re.compile(r"\b[a-z][a-z0-9+.-]*://\S+|(?<![\w.])/(?:[^\s/:()'\"]+/)*[^\s/:()'\",]+")


def public(detail: str) -> str:
    """`detail` without file paths and connection strings (each becomes `<log>`): what an
    unauthenticated probe may read of a failing check."""
    return _WHERE.sub("<log>", detail)


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
    result = Readiness(status="ready" if ok else "not_ready",
                       checks={k: Check(ok=c.ok, detail=public(c.detail)) for k, c in checks.items()})
    if getattr(state, "_was_ready", None) is not ok:
        if not ok:
            logs.get("wivcheck.health").warning("not_ready", **{k: c.detail for k, c in checks.items() if not c.ok})
        elif getattr(state, "_was_ready", None) is False:
            logs.get("wivcheck.health").info("ready_again")
        state._was_ready = ok
    return result
