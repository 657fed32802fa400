"""What a worker holds for its life: the settings, the rule library and its compiled engine, the
decision log, the tokens and the metrics. Built once at start-up; a broken rule set, log or tokens file
stops start-up with its error."""

from __future__ import annotations

from fastapi import Request

from wivcheck.engine import Engine, load_library
from wivcheck.engine.gate import stix_schema
from wivcheck.engine.log import Ledger

from ..settings import Settings
from .auth import identify
from .metrics import Metrics
from .tokens import Identity, load_tokens


class State:
    """What a worker holds: the compiled engine, the log, the tokens, the metrics."""

    def __init__(self, settings: Settings):
        self.settings = settings
        self.library = load_library(settings.rules_dir)
        self.engine = Engine(self.library)
        self.engine.warm()
        stix_schema.validators()  # the gate's STIX schemas, compiled before the first bundle
        self.ledger = Ledger(settings.db_path, create=True, timeout=settings.lock_wait)
        self.tokens = load_tokens(settings.tokens_path) if settings.tokens_path else {}
        self.metrics = Metrics()

    def identify(self, request: Request) -> Identity:
        """The caller (see `auth.identify`)."""
        return identify(self.tokens, request)
