"""Prometheus metrics: decisions by route and outcome, and decision latency. With several uvicorn
workers, `wivcheck serve` sets PROMETHEUS_MULTIPROC_DIR so that /metrics adds up every worker."""

from __future__ import annotations

import os

from prometheus_client import (CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram,
                               generate_latest, multiprocess)

_REGISTRY = CollectorRegistry()
_DECISIONS = Counter("wivcheck_decisions", "Decisions taken, by route and outcome", ["route", "outcome"],
                     registry=_REGISTRY)
_LATENCY = Histogram("wivcheck_decision_seconds", "Time to decide one request (all its provisions)",
                     ["route"], registry=_REGISTRY,
                     buckets=(0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5))


class Metrics:
    content_type = CONTENT_TYPE_LATEST

    def observe(self, route: str, outcomes: list[str], seconds: float) -> None:
        for outcome in outcomes:
            _DECISIONS.labels(route, outcome).inc()
        _LATENCY.labels(route).observe(seconds)

    def exposition(self) -> bytes:
        if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
            registry = CollectorRegistry()
            multiprocess.MultiProcessCollector(registry)
            return generate_latest(registry)
        return generate_latest(_REGISTRY)
