"""Prometheus metrics (prometheus-client), served at /metrics. With several uvicorn workers,
`wivcheck serve` sets PROMETHEUS_MULTIPROC_DIR so that /metrics adds up every worker.

| metric | type | labels |
|---|---|---|
| `wivcheck_http_requests_total` | counter | method, route (the route's template), status |
| `wivcheck_http_request_seconds` | histogram | method, route |
| `wivcheck_decisions_total` | counter | route, outcome |
| `wivcheck_decision_seconds` | histogram | route (time to decide one request, all its provisions) |
| `wivcheck_ruleset_decisions_total` | counter | ruleset, version, outcome |
| `wivcheck_log_appends_total` | counter | (transactions appended to the decision log) |
| `wivcheck_log_entries_total` | counter | (decisions appended) |
| `wivcheck_log_append_seconds` | histogram | (time of one append transaction, durable commit included) |
| `wivcheck_log_errors_total` | counter | operation (append, read, ready) |
| `wivcheck_build_info` | gauge, 1 | version, python |
| `wivcheck_ruleset_info` | gauge, 1 | ruleset, version, status, sha256 |

Route labels are route templates (`/v1/decisions/{key}`), never raw paths, so their number is
bounded; a request that matches no route is counted under `unmatched`. Counts per decision are summed
per request before they reach a counter (a batch of 1,000 costs a few label look-ups, not 3,000).
"""

from __future__ import annotations

import os
import platform
import time
from collections import Counter as Tally
from importlib import metadata
from typing import Any, Iterable

from prometheus_client import (CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Gauge, Histogram,
                               generate_latest, multiprocess)

from wivcheck.engine.log import EntryNotFound, LedgerError

_REGISTRY = CollectorRegistry()
_FAST = (0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5)
_SLOW = (0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10)

_REQUESTS = Counter("wivcheck_http_requests", "HTTP requests answered, by method, route and status",
                    ["method", "route", "status"], registry=_REGISTRY)
_REQUEST_SECONDS = Histogram("wivcheck_http_request_seconds", "Time from a request's arrival to the end of "
                             "its answer, by method and route", ["method", "route"], registry=_REGISTRY,
                             buckets=_SLOW)
_DECISIONS = Counter("wivcheck_decisions", "Decisions taken, by route and outcome", ["route", "outcome"],
                     registry=_REGISTRY)
_LATENCY = Histogram("wivcheck_decision_seconds", "Time to decide one request (all its provisions)",
                     ["route"], registry=_REGISTRY, buckets=_FAST)
_RULESET_DECISIONS = Counter("wivcheck_ruleset_decisions", "Decisions by the rule-set versions they were "
                             "taken on, and outcome", ["ruleset", "version", "outcome"], registry=_REGISTRY)
_LOG_APPENDS = Counter("wivcheck_log_appends", "Append transactions committed to the decision log",
                       registry=_REGISTRY)
_LOG_ENTRIES = Counter("wivcheck_log_entries", "Decisions appended to the decision log", registry=_REGISTRY)
_LOG_SECONDS = Histogram("wivcheck_log_append_seconds", "Time of one append transaction to the decision "
                         "log, durable commit included", registry=_REGISTRY, buckets=_SLOW)
_LOG_ERRORS = Counter("wivcheck_log_errors", "Decision-log operations that failed (nothing was recorded "
                      "by a failed append)", ["operation"], registry=_REGISTRY)
_BUILD = Gauge("wivcheck_build_info", "The running wivcheck: version and Python", ["version", "python"],
               registry=_REGISTRY, multiprocess_mode="max")
_RULESETS = Gauge("wivcheck_ruleset_info", "Every rule-set version loaded, with its status and sha256",
                  ["ruleset", "version", "status", "sha256"], registry=_REGISTRY, multiprocess_mode="max")


class Metrics:
    """The metrics of one worker (the collectors are the process's)."""

    content_type = CONTENT_TYPE_LATEST

    def build_info(self, library) -> None:
        """Set the build and rule-set info gauges (at start-up)."""
        _BUILD.labels(metadata.version("wivcheck"), platform.python_version()).set(1)
        for v in library.all():
            _RULESETS.labels(v.name, v.version, v.model.status, v.sha256).set(1)

    def request(self, method: str, route: str, status: int, seconds: float) -> None:
        """One answered request."""
        _REQUESTS.labels(method, route, str(status)).inc()
        _REQUEST_SECONDS.labels(method, route).observe(seconds)

    def observe(self, route: str, outcomes: list[str], seconds: float) -> None:
        """Outcomes of one request's decisions and the time they took."""
        for outcome, n in Tally(outcomes).items():
            _DECISIONS.labels(route, outcome).inc(n)
        _LATENCY.labels(route).observe(seconds)

    def decided(self, route: str, decisions: Iterable[Any], seconds: float) -> None:
        """Like `observe`, from the decisions themselves (decision data or Decision models), also
        counting them per rule-set version."""
        outcomes: list[str] = []
        per_ruleset: Tally = Tally()
        for d in decisions:
            outcome = d["decision"] if isinstance(d, dict) else d.decision
            outcomes.append(outcome)
            refs = d["rulesets"] if isinstance(d, dict) else [r.model_dump() for r in d.rulesets]
            for r in refs:
                per_ruleset[(r["id"], r["version"], outcome)] += 1
        self.observe(route, outcomes, seconds)
        for labels, n in per_ruleset.items():
            _RULESET_DECISIONS.labels(*labels).inc(n)

    def exposition(self) -> bytes:
        if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
            registry = CollectorRegistry()
            multiprocess.MultiProcessCollector(registry)
            return generate_latest(registry)
        return generate_latest(_REGISTRY)


_APPENDS = frozenset({"append", "append_many", "import_entries"})


class ObservedLog:
    """The decision log as the service uses it, counted: appends, their entries and time, and every
    operation that fails with LedgerError (a missing entry is an answer, not a failure). Everything
    else is the wrapped log object's own (SQLite, PostgreSQL: whatever `State` opened)."""

    def __init__(self, log):
        self._log = log

    @property
    def wrapped(self):
        return self._log

    def __getattr__(self, name: str):
        attr = getattr(self._log, name)
        if not callable(attr):
            return attr
        operation = "append" if name in _APPENDS else "ready" if name == "ready" else "read"

        def call(*args, **kwargs):
            started = time.perf_counter()
            try:
                result = attr(*args, **kwargs)
            except EntryNotFound:
                raise
            except LedgerError:
                _LOG_ERRORS.labels(operation).inc()
                raise
            if operation == "append":
                _LOG_APPENDS.inc()
                _LOG_SECONDS.observe(time.perf_counter() - started)
                _LOG_ENTRIES.inc(len(result) if isinstance(result, list) else
                                 result if isinstance(result, int) else 1)
            return result
        return call

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self._log.close()
