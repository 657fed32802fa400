"""Reading provisions from YAML or JSON text, with errors that name the field path and line."""

from __future__ import annotations

import copy

import pydantic

from wivcheck.policy import PolicyError
from wivcheck.policy.errors import Problem
from wivcheck.policy.library import pydantic_problems
from wivcheck.policy.yamlsafe import Located, parse_text

from .errors import ProvisionError
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


def _problems(exc: pydantic.ValidationError, located: Located | None) -> list[Problem]:
    return [Problem(e.message, e.path or "(provision)", e.line)
            for e in pydantic_problems(exc, located, located.file if located else "<input>")]


def provision_from_data(data, located: Located | None = None, source: str = "<input>") -> Provision:
    if not isinstance(data, dict):
        raise ProvisionError(["a provision is a mapping of fields (id, service, date, ...)"], source)
    try:
        return Provision.model_validate(data)
    except pydantic.ValidationError as exc:
        raise ProvisionError(_problems(exc, located), source) from None


def parse_provisions(text: str | bytes, source: str = "<input>", *,
                     max_bytes: int = MAX_PROVISION_BYTES * 64) -> list[Provision]:
    """One provision, or a list of them, from YAML or JSON text of at most `max_bytes` (the page
    reads one provision: MAX_PROVISION_BYTES). Raises ProvisionError naming field and line."""
    try:
        located = parse_text(text, source, max_bytes=max_bytes, max_depth=MAX_PROVISION_DEPTH + 1)
    except PolicyError as exc:
        raise ProvisionError([Problem(exc.message, exc.path or "", exc.line)], source) from None
    data = located.data
    if isinstance(data, list):
        out, problems = [], []
        for i, item in enumerate(data):
            sub = Located(item, {k[1:]: v for k, v in located.lines.items() if k[:1] == (i,)}, source)
            try:
                out.append(provision_from_data(item, sub, source))
            except ProvisionError as exc:
                problems += [Problem(p.message, f"[{i}]" + ("." + p.path if p.path else ""), p.line)
                             for p in exc.problems]
        if problems:
            raise ProvisionError(problems, source)
        if not out:
            raise ProvisionError(["the list holds no provision"], source)
        return out
    return [provision_from_data(data, located, source)]
