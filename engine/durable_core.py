"""The one module that touches durable_rules: its C core, driven directly.

durable_rules' host (`durable.lang`) starts timer threads that run actions on their own thread and
keeps one global registry of ruleset names; its C core is not thread-safe and never releases the GIL.
So this module drives the C module `durable_rules_engine` itself (pinned at 2.0.28): it creates
rulesets under unique names, asserts facts with fresh ids, drains the fired actions on the caller's
thread, and retracts the facts, all under one process-wide lock. No background thread exists. Any
error of the C core becomes an EngineError that names the ruleset; a ruleset whose facts could not be
retracted is marked broken and refuses further work (fail closed).
"""

from __future__ import annotations

import itertools
import json
import re
import threading
from typing import Any

import durable_rules_engine as _core
import orjson

from .errors import EngineError

_LOCK = threading.Lock()
_NAMES = itertools.count()
_IDS = itertools.count()

# Codes seen from the C core, in words (rules.h of durable_rules 2.0.28).
_CODES = {
    101: "out of memory",
    202: "unsupported operator in a rule",
    302: "too many properties in a fact (at most 255)",
    303: "a fact property is too long",
}


def _explain(exc: Exception, what: str) -> EngineError:
    text = str(exc)
    code = next((c for c in _CODES if f"error code: {c}" in text), None)
    detail = f"{text} ({_CODES[code]})" if code else text
    return EngineError(f"durable_rules failed to {what}: {detail}")


# An action frame is `{"<rule>":{"m":{"id": "<fact id>", ...}}}`; rule names and ids are ours
# ([A-Za-z0-9_-]), so both are read off the text instead of decoding the whole fact per firing.
_FRAME = re.compile(r'^\{"([A-Za-z0-9_]+)":\{"m":\{"id":\s*"([A-Za-z0-9_-]+)"')


def encode(facts: list[dict[str, Any]]) -> str:
    """The JSON the C core reads: one fact as an object, several as an array."""
    return orjson.dumps(facts if len(facts) > 1 else facts[0]).decode("utf-8")


def next_fact_id() -> str:
    return f"f{next(_IDS)}"


class DurableRuleset:
    """One ruleset in the C core. `fire(facts)` returns the names of the rules each fact fired."""

    def __init__(self, label: str, definition: dict[str, Any]):
        self.name = f"wivcheck-{next(_NAMES)}-{label}"
        self.broken: str | None = None
        payload = json.dumps(definition, ensure_ascii=False)
        with _LOCK:
            try:
                self._handle = _core.create_ruleset(self.name, payload)
            except Exception as exc:  # the C core raises its own error type
                raise _explain(exc, f"create ruleset {label}") from None

    def fire(self, facts: list[dict[str, Any]], payload: str | None = None) -> dict[str, list[str]]:
        """Assert the facts, collect every rule they fire, retract them. Keys are fact ids.
        `payload` is the facts as `encode(facts)` writes them, when the caller has it already."""
        if self.broken:
            raise EngineError(f"ruleset {self.name} is unusable: {self.broken}")
        if payload is None:
            payload = encode(facts)
        fired: dict[str, list[str]] = {f["id"]: [] for f in facts}
        with _LOCK:
            try:
                try:
                    if len(facts) > 1:
                        status, state = _core.assert_facts(self._handle, payload)
                    else:
                        status, state = _core.assert_fact(self._handle, payload)
                    if status not in (0, 1):
                        raise EngineError(f"durable_rules refused the facts (status {status})")
                    started = _core.start_action_for_state(self._handle, state)
                    message = started[1] if started else None
                    while message:
                        m = _FRAME.match(message)
                        if m is None:  # not the shape we rely on: read it properly
                            for rule, frame in json.loads(message).items():
                                fired[frame["m"]["id"]].append(rule)
                        else:
                            fired[m.group(2)].append(m.group(1))
                        message = _core.complete_and_start_action(self._handle, state)
                finally:
                    self._retract(len(facts) > 1, payload)
            except EngineError:
                raise
            except Exception as exc:
                raise _explain(exc, f"evaluate on {self.name}") from None
        return fired

    def fire_one(self, fact_id: str, payload: str) -> list[str]:
        """`fire` for one fact (`payload` is `encode([fact])`, `fact_id` its id): the names of the
        rules it fired, in the order they fired. A fired rule that names another fact is an error."""
        if self.broken:
            raise EngineError(f"ruleset {self.name} is unusable: {self.broken}")
        fired: list[str] = []
        handle = self._handle
        tail = f'":{{"m":{{"id":"{fact_id}"'   # what follows the rule name in a frame of this fact
        with _LOCK:
            try:
                try:
                    status, state = _core.assert_fact(handle, payload)
                    if status not in (0, 1):
                        raise EngineError(f"durable_rules refused the facts (status {status})")
                    started = _core.start_action_for_state(handle, state)
                    message = started[1] if started else None
                    while message:
                        # `{"<rule>":{"m":{"id":"<fact id>"...`: the name up to its closing quote
                        end = message.find('"', 2)
                        if message.startswith('{"') and message.startswith(tail, end):
                            fired.append(message[2:end])
                        else:  # not the shape we rely on, or another fact: read it properly
                            for rule, frame in json.loads(message).items():
                                if frame["m"]["id"] != fact_id:
                                    raise EngineError(f"durable_rules fired {rule} for fact "
                                                      f"{frame['m']['id']!r}, which was not asserted")
                                fired.append(rule)
                        message = _core.complete_and_start_action(handle, state)
                finally:
                    self._retract(False, payload)
            except EngineError:
                raise
            except Exception as exc:
                raise _explain(exc, f"evaluate on {self.name}") from None
        return fired

    def _retract(self, many: bool, payload) -> None:
        try:
            if many:
                _core.retract_facts(self._handle, payload)
            else:
                _core.retract_fact(self._handle, payload)
        except Exception as exc:
            self.broken = f"facts could not be retracted ({exc})"
            raise _explain(exc, f"retract facts from {self.name}") from None

    def close(self) -> None:
        with _LOCK:
            if getattr(self, "_handle", None) is not None:
                _core.delete_ruleset(self._handle)
                self._handle = None
                self.broken = "closed"
