"""The service's own logs, with structlog: one JSON object a line on standard error by default, or
`key=value` text for people (`--log-format text`, `WIVCHECK_LOG_FORMAT`), at a chosen level
(`--log-level`, `WIVCHECK_LOG_LEVEL`). Other libraries' records (uvicorn's start-up and its error
log, warnings) go through the same renderer, so every line of a worker is in one format.

What is logged (see docs/http.md, "Logs"): per request a `request` line (request id, method, the
route's template, role, status, duration); per decision a `decision` line (request id, route,
provision id, decision, decision id, rule-set versions). What is never logged: tokens, token
holders' names, client addresses, query strings, request or response bodies, provision text. The
request id is on every line written while a request is served (`REQUEST_ID`, a context variable
that threads started for the request inherit).

Two processors are our own instead of structlog's, for speed, since a batch writes a line per
decision: `_context` reads the one context variable instead of copying every one
(`structlog.contextvars.merge_contextvars` cost 7 µs a line), and `_time` formats the UTC time
directly (`TimeStamper` cost 6 µs). This module only configures logging and names the events; it
must never log a value it is handed without knowing what it is.
"""

from __future__ import annotations

import contextvars
import datetime as dt
import logging
import sys
from typing import Any, Iterable, TextIO

import orjson
import structlog

LEVELS = {"debug": logging.DEBUG, "info": logging.INFO, "warning": logging.WARNING, "error": logging.ERROR}

REQUEST_ID: contextvars.ContextVar[str | None] = contextvars.ContextVar("wivcheck_request_id", default=None)
_UTC = dt.timezone.utc


def _context(_logger, _name, event: dict) -> dict:
    rid = REQUEST_ID.get()
    if rid is not None:
        event["request_id"] = rid
    return event


def _time(_logger, _name, event: dict) -> dict:
    event["time"] = dt.datetime.now(_UTC).isoformat().replace("+00:00", "Z")
    return event


_SHARED: list = [_context, structlog.processors.add_log_level, _time]


def _drop_color(_logger, _name, event: dict) -> dict:
    event.pop("color_message", None)  # uvicorn's copy of its message with terminal colours
    return event


def _json(obj: Any, **_: Any) -> str:
    return orjson.dumps(obj, default=str).decode("utf-8")


_CONFIGURED = [False]


def configured() -> bool:
    """Whether `configure` ran in this process."""
    return _CONFIGURED[0]


def configure(fmt: str = "json", level: str = "info", stream: TextIO | None = None) -> None:
    """Set up structlog and the standard library's logging for this process.

    `fmt` is `json` or `text`; `level` one of LEVELS; `stream` defaults to standard error. Safe to
    call again (the last call wins); loggers are looked up per call, not cached, so it also holds for
    loggers made before it."""
    stream = stream or sys.stderr
    threshold = LEVELS[level]
    _CONFIGURED[0] = True
    renderer = (structlog.processors.JSONRenderer(serializer=_json) if fmt == "json"
                else structlog.dev.ConsoleRenderer(colors=False))
    structlog.configure(
        processors=[*_SHARED, structlog.processors.format_exc_info, renderer],
        wrapper_class=structlog.make_filtering_bound_logger(threshold),
        logger_factory=structlog.WriteLoggerFactory(file=stream),
        cache_logger_on_first_use=True)
    _LOGGERS.clear()
    formatter = structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=[*_SHARED, structlog.stdlib.add_logger_name, structlog.stdlib.ExtraAdder(),
                           _drop_color],
        processors=[structlog.stdlib.ProcessorFormatter.remove_processors_meta, renderer])
    handler = logging.StreamHandler(stream)
    handler.setFormatter(formatter)
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(threshold)
    # uvicorn's own loggers keep no handlers of their own: their records reach the root's; its
    # access log stays off (it writes client addresses; wivcheck writes its own, `request`)
    for name in ("uvicorn", "uvicorn.error"):
        logging.getLogger(name).handlers.clear()
        logging.getLogger(name).propagate = True
    logging.getLogger("uvicorn.access").handlers.clear()
    logging.getLogger("uvicorn.access").propagate = False
    logging.captureWarnings(True)


_LOGGERS: dict[str, Any] = {}


def get(name: str = "wivcheck"):
    """A structlog logger whose lines carry `logger: name`, made once per configuration."""
    log = _LOGGERS.get(name)
    if log is None:
        log = _LOGGERS[name] = structlog.get_logger().bind(logger=name)
    return log


_ACCESS = "wivcheck.access"
_DECISIONS = "wivcheck.decision"
PROBES = frozenset({"/healthz", "/readyz"})


def request(*, method: str, route: str | None, status: int, seconds: float, role: str | None) -> None:
    """The access-log line of one request. Probes (`/healthz`, `/readyz`) log at debug level, so a
    load balancer's polling does not drown the rest."""
    log = get(_ACCESS)
    emit = log.debug if route in PROBES else log.info
    emit("request", method=method, route=route, status=status, duration_ms=round(seconds * 1000, 3), role=role)


def decisions(route: str, items: Iterable[Any]) -> None:
    """One `decision` line per decision (the engine's decision data, or a Decision model): the
    provision id, the outcome, the decision id and the rule-set versions, nothing else of it."""
    log = get(_DECISIONS)
    if not log.is_enabled_for(logging.INFO):
        return
    for d in items:
        data = d if isinstance(d, dict) else d.model_dump(mode="json", include={"provision_id", "decision",
                                                                                "decision_id", "rulesets"})
        log.info("decision", route=route, provision_id=data["provision_id"],
                 decision=data["decision"], decision_id=data["decision_id"],
                 rulesets=[f"{r['id']}@{r['version']}" for r in data["rulesets"]])
