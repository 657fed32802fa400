"""Reading provisions from YAML or JSON text, with errors that name the field path and line."""

from __future__ import annotations

import copy
import json
import re

import pydantic

from wivcheck.policy import PolicyError
from wivcheck.policy.errors import Problem
from wivcheck.policy.yamlsafe import Located, parse_text

from .errors import ProvisionError
from .messages import EMPTY_LIST, NOT_A_MAPPING, NOT_VALID, provision_problems, reading_problem
from .provision import Provision

# the largest valid provision (4,000-character justifications, 100 approvals) is about 30 KB; YAML is
# read in pure Python at about 100 KB/s, so one provision's text is bounded well below a second
MAX_PROVISION_BYTES = 64 * 1024
MAX_PROVISION_DEPTH = 8


def merge_patch(target: dict, patch: dict) -> None:
    """Merge a patch into provision data in place: mappings merge, other values replace, and a value
    of null removes the key (rule tests, invariants and the test suite patch provisions this way)."""
    for k, v in patch.items():
        if v is None:
            target.pop(k, None)
        elif isinstance(v, dict) and isinstance(target.get(k), dict):
            merge_patch(target[k], v)
        else:
            target[k] = copy.deepcopy(v)


def provision_from_data(data, located: Located | None = None, source: str = "<input>",
                        lang: str = "en") -> Provision:
    """A provision from plain data (parsed YAML or JSON). Raises ProvisionError whose problems name
    each field (with its line when `located` says it), in `lang` (nl or en): "did you mean" for an
    unknown field, type and allowed values for a missing or wrong one (engine/messages.py)."""
    if not isinstance(data, dict):
        raise ProvisionError([NOT_A_MAPPING.get(lang, NOT_A_MAPPING["en"])], source, _not_valid(lang))
    try:
        return Provision.model_validate(data)
    except pydantic.ValidationError as exc:
        raise ProvisionError(provision_problems(exc, located, lang), source, _not_valid(lang)) from None


def _not_valid(lang: str) -> str:
    return NOT_VALID.get(lang, NOT_VALID["en"])


def looks_like_json(text: str | bytes, source: str) -> bool:
    """Whether an input is JSON: its name ends in .json, or it opens as JSON does (`{"`, `[{`, `["`,
    `{}`, `[]`; a YAML flow mapping's keys are seldom quoted)."""
    if source.lower().endswith(".json"):
        return True
    head = text[:64].decode("utf-8", "replace") if isinstance(text, bytes) else text[:64]
    return _JSON_START.match(head) is not None


_JSON_START = re.compile(r'^[\ufeff \t\r\n]*(\{\s*["}]|\[\s*[{\["\]])')


def _json_syntax(text: str | bytes) -> Problem | None:
    """The first JSON syntax error of the text (with its line), or None when it is JSON."""
    try:
        json.loads(text)
    except json.JSONDecodeError as exc:
        return Problem(f"JSON syntax: {exc.msg} (column {exc.colno})", "", exc.lineno)
    except (UnicodeDecodeError, RecursionError):
        return None  # the reader below names these
    return None


def parse_provisions(text: str | bytes, source: str = "<input>", *,
                     max_bytes: int = MAX_PROVISION_BYTES * 64, lang: str = "en") -> list[Provision]:
    """One provision, or a list of them, from YAML or JSON text of at most `max_bytes` (the page
    reads one provision: MAX_PROVISION_BYTES). Raises ProvisionError naming field and line, in
    `lang`; an error of reading JSON input says JSON, not YAML."""
    is_json = looks_like_json(text, source)
    try:
        syntax = _json_syntax(text) if is_json and len(text) <= max_bytes else None
        if syntax is not None:
            raise ProvisionError([syntax], source)
        located = parse_text(text, source, max_bytes=max_bytes, max_depth=MAX_PROVISION_DEPTH + 1)
    except (PolicyError, ProvisionError) as exc:
        problem = exc.problems[0] if isinstance(exc, ProvisionError) else Problem(exc.message, exc.path or "", exc.line)
        raise ProvisionError([Problem(reading_problem(problem.message, lang, is_json), problem.path, problem.line)],
                             source, _not_valid(lang)) from None
    data = located.data
    if isinstance(data, list):
        out, problems = [], []
        for i, item in enumerate(data):
            sub = Located(item, {k[1:]: v for k, v in located.lines.items() if k[:1] == (i,)}, source)
            try:
                out.append(provision_from_data(item, sub, source, lang))
            except ProvisionError as exc:
                problems += [Problem(p.message, f"[{i}]" + ("." + p.path if p.path else ""), p.line)
                             for p in exc.problems]
        if problems:
            raise ProvisionError(problems, source, _not_valid(lang))
        if not out:
            raise ProvisionError([EMPTY_LIST.get(lang, EMPTY_LIST["en"])], source, _not_valid(lang))
        return out
    return [provision_from_data(data, located, source, lang)]
