"""Errors of the engine, on the common base (`wivcheck.policy.errors.WivcheckError`). None of them
is ever turned into a decision, let alone an allow."""

from __future__ import annotations

from wivcheck.policy.errors import Problem, WivcheckError


class EngineError(WivcheckError):
    """Evaluation failed (internal fault, inconsistent trace): there is no decision (DESIGN.md,
    "Fail closed")."""

    code = "engine_fault"
    http_status = 500


class ProvisionError(WivcheckError):
    """A provision is malformed. `problems` name the field path and, for text input, the line;
    `source` names the input (a file, `-`, `envelope`)."""

    code = "invalid_provision"
    http_status = 422

    def __init__(self, problems: list[Problem | str], source: str = "<input>",
                 message: str = "the provision is not valid"):
        self.source = source
        items = [p if isinstance(p, Problem) else Problem(p) for p in problems]
        super().__init__(message, items)
        self.args = ("\n".join(f"{source}: {p}" for p in items),)

    def __str__(self) -> str:
        return self.args[0]


class InputError(ProvisionError):
    """An input file or stream could not be read at all (missing, unreadable): no provision."""

    code = "cannot_read"
