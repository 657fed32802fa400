"""Errors of the rule language: each names the file, the line and the rule where it can."""

from __future__ import annotations


class PolicyError(Exception):
    """A rule file or rule-set selection is wrong. Never leads to a decision."""

    def __init__(self, message: str, *, file: str | None = None, line: int | None = None,
                 rule: str | None = None, path: str | None = None):
        self.message = message
        self.file = file
        self.line = line
        self.rule = rule
        self.path = path
        super().__init__(self.__str__())

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
    """No rule-set version fits the date or the name asked for."""


class PolicyErrors(PolicyError):
    """Several errors found in one pass; all are reported, not just the first."""

    def __init__(self, errors: list[PolicyError]):
        self.errors = errors
        super().__init__("\n".join(str(e) for e in errors))

    def __str__(self) -> str:
        return "\n".join(str(e) for e in self.errors)
