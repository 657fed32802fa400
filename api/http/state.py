"""What a worker holds for its life: the settings, the rule library and its compiled engine, the
decision log (counted by `metrics.ObservedLog`), the tokens and the metrics. Built once at start-up;
a broken rule set, log or tokens file stops start-up with its error."""

from __future__ import annotations

from fastapi import Request

from wivcheck.engine import Engine, load_library
from wivcheck.engine.gate import stix_schema
from wivcheck.engine.log import Ledger

from ..settings import Settings
from .auth import identify
from .. import logs
from .metrics import Metrics, ObservedLog
from .tokens import Identity, load_tokens


class State:
    """What a worker holds: the compiled engine, the log, the tokens, the metrics."""

    def __init__(self, settings: Settings):
        self.settings = settings
        self.library = load_library(settings.rules_dir)
        self.engine = Engine(self.library)
        self.engine.warm()
        stix_schema.validators()  # the gate's STIX schemas, compiled before the first bundle
        self.ledger = Ledger(settings.db, create=True, timeout=settings.lock_wait)
        self.tokens = load_tokens(settings.tokens_path) if settings.tokens_path else {}
        self.metrics = Metrics()
        self.ledger = ObservedLog(self.ledger)
        self.metrics.build_info(self.library)

    def identify(self, request: Request) -> Identity:
        """The caller (see `auth.identify`), kept on the request for its access-log line (the role,
        never the token or the holder's name)."""
        ident = identify(self.tokens, request)
        request.state.identity = ident
        return ident

    def decided(self, route: str, decisions: list, seconds: float) -> None:
        """Report a request's decisions (decision data or Decision models) and the time they took:
        to the metrics, and one `decision` log line each."""
        self.metrics.decided(route, decisions, seconds)
        logs.decisions(route, decisions)
