"""Errors of the engine. None of them is ever turned into an allow."""

from __future__ import annotations


class EngineError(Exception):
    """Evaluation failed (internal fault, inconsistent trace): there is no decision."""


class ProvisionError(Exception):
    """A provision is malformed: each problem names the field path (and file and line, if known)."""

    def __init__(self, problems: list[str], source: str = "<input>"):
        self.problems = problems
        self.source = source
        super().__init__("\n".join(f"{source}: {p}" for p in problems))
