"""One error base for everything wivcheck raises, and the errors of the rule language.

`WivcheckError` carries a stable `code`, the CLI exit code, the HTTP status and structured
`problems` (path, line, message). The command line and the HTTP service each map errors in one
place (`api/cli/common.py`, `api/http/errors.py`) from these attributes alone, so a new error kind
needs no change there. It lives in `policy`, the lowest layer, so that every layer can derive from
it. No error is ever turned into a decision, let alone an allow.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One thing wrong: where (`path`, a dotted field path such as `recipient.kind`, or a file;
    empty when it is the whole input), the 1-based `line` in the source text when known, and what."""

    message: str
    path: str = ""
    line: int | None = None

    def __str__(self) -> str:
        return self.text()

    def text(self, lang: str = "en") -> str:
        """`line N: path: message` (Dutch: `regel N: ...`)."""
        word = "regel" if lang == "nl" else "line"
        where = (f"{word} {self.line}: " if self.line else "") + (f"{self.path}: " if self.path else "")
        return where + self.message

    def as_dict(self) -> dict:
        """`{"path", "line", "message"}`: the shape of a problem in every JSON error (CLI and API)."""
        return {"path": self.path, "line": self.line, "message": self.message}


class WivcheckError(Exception):
    """Base of every error the product raises.

    Class attributes: `code` (stable machine-readable word), `exit_code` (CLI: 1 for errors; 0, 3
    and 4 are outcomes, 2 usage), `http_status`. Instances: `message` and `problems`.
    """

    code = "error"
    exit_code = 1
    http_status = 500

    def __init__(self, message: str, problems: list[Problem] | tuple[Problem, ...] = ()):
        self.message = message
        self.problems = list(problems)
        super().__init__(message)

    def problem_list(self) -> list[Problem]:
        """The problems, or the message as the one problem when there are none."""
        return self.problems or [Problem(self.message)]

    def as_dict(self) -> dict:
        """`{"error": {"code", "message", "problems": [...]}}`: one JSON error shape for CLI and API."""
        return {"error": {"code": self.code, "message": self.message,
                          "problems": [p.as_dict() for p in self.problems]}}


class PolicyError(WivcheckError):
    """A rule file or rule-set selection is wrong. Never leads to a decision."""

    code = "invalid_ruleset"
    http_status = 422

    def __init__(self, message: str, *, file: str | None = None, line: int | None = None,
                 rule: str | None = None, path: str | None = None):
        self.file = file
        self.line = line
        self.rule = rule
        self.path = path
        super().__init__(message)
        self.message = message
        self.args = (self.__str__(),)

    @property
    def problems(self) -> list[Problem]:
        where = " ".join(x for x in ((self.file or ""), (f"rule {self.rule}" if self.rule else ""),
                                     (self.path or "")) if x)
        return [Problem(self.message, where, self.line)]

    @problems.setter
    def problems(self, value) -> None:  # set by the base; a PolicyError's problem is itself
        pass

    def location(self) -> str:
        where = ""
        if self.file:
            where = self.file + (f":{self.line}" if self.line else "")
        if self.rule:
            where += (" " if where else "") + f"rule {self.rule}"
        if self.path:
            where += (" " if where else "") + f"at {self.path}"
        return where

    def __str__(self) -> str:
        loc = self.location()
        return f"{loc}: {self.message}" if loc else self.message


class LoadError(PolicyError):
    """A file could not be read or parsed (size, depth, YAML syntax, aliases, duplicate keys)."""


class ValidationError(PolicyError):
    """A rule file parsed but does not fit the rule language or the provision schema."""


class SelectionError(PolicyError):
    """No rule-set version fits the date or the name asked for (DESIGN.md: no rule set in force on
    the provision's date is an error, never an allow)."""

    code = "no_rules_in_force"


class NotFound(PolicyError):
    """A rule set, version or rule that was named does not exist."""

    code = "not_found"
    http_status = 404


class PolicyErrors(PolicyError):
    """Several errors found in one pass; all are reported, not just the first."""

    def __init__(self, errors: list[PolicyError]):
        self.errors = errors
        super().__init__("\n".join(str(e) for e in errors))

    @property
    def problems(self) -> list[Problem]:
        return [p for e in self.errors for p in e.problems]

    @problems.setter
    def problems(self, value) -> None:
        pass

    def __str__(self) -> str:
        return "\n".join(str(e) for e in self.errors)
