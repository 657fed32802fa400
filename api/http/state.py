"""What a worker holds for its life: the settings, the rule library and its compiled engine, the
decision log (counted by `metrics.ObservedLog`) and the approvals recorded in it, the tokens, the page's session signer and the
metrics. Built once at start-up, in every worker (uvicorn calls the app factory per worker, and again
for a worker it restarts): a broken rule set, log or tokens file stops that worker's start with its
error, and so does a service without tokens on an address that is not loopback. Nothing here falls
back to "every caller has every role"."""

from __future__ import annotations

import ipaddress

from fastapi import Request

from wivcheck.engine import Engine, load_library
from wivcheck.engine.gate import warm as warm_gate
from wivcheck.engine.log import Ledger
from wivcheck.engine.log.approvals import LogApprovals

from ..settings import Settings
from .auth import identify
from .. import logs
from .metrics import Metrics, ObservedLog
from .sessions import Sessions
from .tokens import Identity, TokenFileError, load_tokens


def is_loopback(host: str | None) -> bool:
    """Whether a bind address reaches this machine only: 127.0.0.0/8, ::1 or `localhost`."""
    if host is None:
        return False
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def check_access_settings(settings: Settings) -> dict[str, Identity]:
    """The tokens of the service; {} means local mode. Raises TokenFileError for a named tokens file
    that cannot be used, and when no tokens file is named and the bind address (`WIVCHECK_HOST`) is
    not known to be loopback."""
    if settings.tokens_path is not None:
        return load_tokens(settings.tokens_path)
    if not is_loopback(settings.bind_host):
        raise TokenFileError(
            "no tokens file is named, so every caller would have every role; that is allowed only on "
            f"loopback (127.0.0.1, ::1), and this service is bound to {settings.bind_host or 'an unknown address'}"
            " (WIVCHECK_HOST). Name a tokens file (--tokens, WIVCHECK_TOKENS; `wivcheck tokens new`)")
    return {}


class State:
    """What a worker holds: the compiled engine, the log, the tokens, the sessions, the metrics."""

    def __init__(self, settings: Settings):
        self.settings = settings
        self.tokens = check_access_settings(settings)  # first: nothing is built for a refused start
        self.local = not self.tokens
        key = settings.session_key.get_secret_value() if settings.session_key else None
        self.sessions = Sessions(key)
        self.library = load_library(settings.rules_dir)
        self.engine = Engine(self.library)
        self.engine.warm()
        warm_gate()  # the gate's schemas, gazetteer and pre-filters, built before the first payload
        self.ledger = Ledger(settings.db, create=True, timeout=settings.lock_wait)
        self.metrics = Metrics()
        self.ledger = ObservedLog(self.ledger)
        # approvals named in provisions are checked against the log: only recorded ones close escalations
        # with tokens, only approvals given with an approver's token: not a local user's `wivcheck approve`
        self.approvals = LogApprovals(self.ledger, accept_local=self.local)
        self.metrics.build_info(self.library)

    def identify(self, request: Request, *, page: bool = False) -> Identity:
        """The caller (see `auth.identify`), kept on the request for its access-log line (the role,
        never the token or the holder's name)."""
        ident = identify(self, request.scope, page=page)
        request.state.identity = ident
        return ident

    def decided(self, route: str, decisions: list, seconds: float) -> None:
        """Report a request's decisions (decision data or Decision models) and the time they took:
        to the metrics, and one `decision` log line each."""
        self.metrics.decided(route, decisions, seconds)
        logs.decisions(route, decisions)
