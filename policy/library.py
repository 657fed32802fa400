"""Loading rule-set files and choosing which versions apply.

`load_file` reads one version (safe YAML, limits), checks it against the rule-set model and the fact
schema, and hashes the file's bytes. `Library` holds every version under a rules folder and selects
versions by date (status in_force, valid_from <= date < valid_until) or by name `NAME@VERSION`
(drafts included). Errors name the file, the line and the rule.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import pydantic

from .errors import LoadError, PolicyError, PolicyErrors, SelectionError, ValidationError
from .model import RuleSetFile
from .schema import FactSchema
from .validate import check_ruleset
from .yamlsafe import MAX_BYTES, Located, parse_text, read_regular_file


@dataclass(frozen=True)
class RuleSetVersion:
    """One loaded, validated version of a rule set."""

    model: RuleSetFile
    path: str
    sha256: str

    @property
    def name(self) -> str:
        return self.model.ruleset

    @property
    def version(self) -> str:
        return self.model.version

    @property
    def ref(self) -> str:
        return f"{self.model.ruleset}@{self.model.version}"


def default_rules_dir() -> Path:
    """The shipped rule sets: the package data `wivcheck.rules` (the `rules/` folder of the
    repository, installed inside the wheel). Read from disk; wivcheck is not run from a zip."""
    return Path(str(resources.files("wivcheck.rules")))


# the canonical reading (yamlsafe, strict models): what each strict type error asks for
_STRICT_TYPES = {"bool_type": "only true or false", "int_type": "a whole number in decimal digits",
                 "string_type": "text", "float_type": "a number", "list_type": "a list"}


def _shown(value) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def error_message(err: dict) -> str:
    """The words for one of pydantic's errors, the same on every front end (CLI, API, page)."""
    if err["type"] == "extra_forbidden":
        return "unknown field"
    if err["type"] == "missing":
        return "field required"
    if err["type"] == "model_type":
        return "must be a mapping of fields"
    if err["type"] in _STRICT_TYPES:
        return f"{_STRICT_TYPES[err['type']]}, not {_shown(err.get('input'))}"
    return err["msg"].removeprefix("Value error, ")


def pydantic_problems(exc: pydantic.ValidationError, located: Located | None,
                      file: str, rule_ids: dict[tuple, str] | None = None,
                      prefix: str = "") -> list[PolicyError]:
    """Turn pydantic's errors into PolicyErrors with a clean path, its line, and the rule id.
    Also used for provisions (no rule ids there)."""
    grouped: dict[tuple, list[str]] = {}
    for err in exc.errors():
        path = tuple(p for p in err["loc"] if not (isinstance(p, str) and (
            p.startswith("@") or "[" in p or p in ("bool", "int", "str", "FactRef"))))
        msg = error_message(err)
        grouped.setdefault(path, [])
        if msg not in grouped[path]:
            grouped[path].append(msg)
    out = []
    for path, msgs in grouped.items():
        rule = None
        if rule_ids is not None and len(path) >= 2 and isinstance(path[1], int):
            rule = rule_ids.get((path[0], path[1]))
        line = located.line_of(path) if located else None
        dotted = prefix + ".".join(str(p) for p in path)
        out.append(ValidationError("; ".join(msgs[:3]), file=file, line=line, rule=rule,
                                   path=dotted or None))
    return out


def load_text(raw: bytes, file: str, schema: FactSchema, *, check_location: bool = True) -> RuleSetVersion:
    """Parse, validate and hash one rule-set file given as bytes."""
    located = parse_text(raw, file, max_bytes=MAX_BYTES)
    data = located.data
    if not isinstance(data, dict):
        raise ValidationError("a rule-set file is a mapping (ruleset, version, rules, ...)",
                              file=file, line=1)
    rule_ids = {}
    for section in ("rules", "obligations", "advice"):
        items = data.get(section)
        for i, r in enumerate(items if isinstance(items, list) else []):
            if isinstance(r, dict) and isinstance(r.get("id"), str):
                rule_ids[(section, i)] = f"{data.get('ruleset', '?')}.{r['id']}"
    try:
        model = RuleSetFile.model_validate(data)
    except pydantic.ValidationError as exc:
        raise PolicyErrors(pydantic_problems(exc, located, file, rule_ids)) from None
    problems = [ValidationError(p.message, file=file, line=located.line_of(p.path), rule=p.rule,
                                path=".".join(str(x) for x in p.path))
                for p in check_ruleset(model, schema)]
    if check_location:
        p = Path(file)
        if p.parent.name != model.ruleset or p.stem != model.version:
            problems.append(ValidationError(
                f"file must be at rules/{model.ruleset}/{model.version}.yaml to match its "
                f"ruleset and version", file=file, line=1))
    if problems:
        raise PolicyErrors(problems)
    return RuleSetVersion(model=model, path=file, sha256=hashlib.sha256(raw).hexdigest())


def load_file(path: str | Path, schema: FactSchema, *, check_location: bool = True) -> RuleSetVersion:
    raw = read_regular_file(str(path), MAX_BYTES)  # a named pipe is refused, never waited on
    return load_text(raw, str(path), schema, check_location=check_location)


class Library:
    """Every version of every rule set under one folder."""

    def __init__(self, versions: list[RuleSetVersion]):
        self.versions: dict[str, list[RuleSetVersion]] = {}
        for v in sorted(versions, key=lambda v: (v.name, v.model.valid_from, v.version)):
            self.versions.setdefault(v.name, []).append(v)
        problems = []
        for name, vs in self.versions.items():
            seen = {}
            for v in vs:
                if v.version in seen:
                    problems.append(ValidationError(f"version {v.version} defined twice "
                                                    f"(also {seen[v.version]})", file=v.path))
                seen[v.version] = v.path
            live = [v for v in vs if v.model.status == "in_force"]
            for a, b in zip(live, live[1:]):
                if a.model.valid_until is None or a.model.valid_until > b.model.valid_from:
                    problems.append(ValidationError(
                        f"in force from {b.model.valid_from} while {a.ref} is still in force "
                        f"(until {a.model.valid_until or 'open end'})", file=b.path, line=1))
        if problems:
            raise PolicyErrors(problems)

    @classmethod
    def load(cls, root: str | Path, schema: FactSchema) -> "Library":
        root = Path(root)
        if not root.is_dir():
            raise LoadError("rules folder not found", file=str(root))
        versions, problems = [], []
        for path in sorted(root.glob("*/*.yaml")):
            try:
                versions.append(load_file(path, schema))
            except PolicyErrors as exc:
                problems.extend(exc.errors)
            except PolicyError as exc:
                problems.append(exc)
        if problems:
            raise PolicyErrors(problems)
        if not versions:
            raise LoadError("no rule-set files (rules/<ruleset>/<version>.yaml)", file=str(root))
        return cls(versions)

    def all(self) -> list[RuleSetVersion]:
        return [v for vs in self.versions.values() for v in vs]

    def get(self, ref: str) -> RuleSetVersion:
        name, sep, version = ref.partition("@")
        if not sep or not name or not version:
            raise SelectionError(f"{ref!r}: name a rule set as NAME@VERSION")
        for v in self.versions.get(name, []):
            if v.version == version:
                return v
        known = ", ".join(v.ref for v in self.all())
        raise SelectionError(f"no rule set {ref} (known: {known})")

    def in_force(self, day: dt.date) -> list[RuleSetVersion]:
        return [v for vs in self.versions.values() for v in vs if v.model.in_force_on(day)]

    def select(self, day: dt.date, named: list[str] | tuple = ()) -> list[RuleSetVersion]:
        """The versions to evaluate: each named one, and for every other rule set the version in
        force on `day`. Nothing selected is an error, never an empty evaluation."""
        chosen: dict[str, RuleSetVersion] = {}
        for ref in named:
            v = self.get(ref)
            if v.name in chosen and chosen[v.name] is not v:
                raise SelectionError(f"two versions of {v.name} named: {chosen[v.name].ref} and {ref}")
            chosen[v.name] = v
        for v in self.in_force(day):
            chosen.setdefault(v.name, v)
        if not chosen:
            raise SelectionError(f"no rule set is in force on {day.isoformat()}")
        return [chosen[k] for k in sorted(chosen)]
