"""`Idempotency-Key` on the recording routes (IETF draft-ietf-httpapi-idempotency-key-header): a
retried request gets the first answer and records nothing more.

The key is scoped to the caller (the token's name, or the local identity) and the route. It is kept
in the log's own database (table `idempotency_keys`), written in the same transaction as the entries
it answers for, so it lasts across restarts, is shared by every instance on one PostgreSQL log, and
exists exactly when its entries do. What is kept is the answer with each recorded decision replaced
by its sequence number (`{"$entry": 12}`); a replay reads those entries back, checked against their
hashes, so a kept answer is small and cannot drift from the log. The same key with another body is
an error (422 `idempotency_key_reused`); a request that failed recorded nothing and kept nothing, so
its retry is decided afresh. A replayed answer carries `Idempotent-Replayed: true`.
"""

from __future__ import annotations

import hashlib
from typing import Any, Callable

from fastapi import Request
from fastapi.responses import Response

from wivcheck.engine.log import Entry, Ledger, LedgerError, Once, StoredAnswer
from wivcheck.engine.log.ledger import EntryTampered

from .errors import ApiError
from .responses import data_response
from .tokens import Identity

HEADER = "idempotency-key"
MAX_KEY = 255


def key_of(request: Request) -> str | None:
    """The request's Idempotency-Key, or None. A key is 1 to 255 visible ASCII characters (a
    structured-field string: the quotes around it are optional). Raises ApiError 400 otherwise."""
    raw = request.headers.get(HEADER)
    if raw is None:
        return None
    key = raw.strip()
    if len(key) >= 2 and key[0] == key[-1] == '"':
        key = key[1:-1]
    if not (1 <= len(key) <= MAX_KEY) or any(not 0x21 <= ord(c) <= 0x7E for c in key):
        raise ApiError(400, "invalid_idempotency_key", "Idempotency-Key must be 1 to 255 visible ASCII "
                       "characters", [{"path": "Idempotency-Key", "message": "not a valid key"}])
    return key


def scope_of(who: Identity, route: str) -> str:
    return f"{'local' if who.local else 'token:' + who.name}|{route}"


async def claim(request: Request, who: Identity, route: str) -> tuple[str, str, str] | None:
    """(scope, key, sha256 of the body) when the request has a key, else None."""
    key = key_of(request)
    if key is None:
        return None
    return scope_of(who, route), key, hashlib.sha256(await request.body()).hexdigest()


def _check(stored: StoredAnswer, request_sha256: str) -> None:
    if stored.request_sha256 != request_sha256:
        raise ApiError(422, "idempotency_key_reused", "this Idempotency-Key was used with another request body "
                       f"(first at {stored.recorded_at}); use a new key for a new request",
                       [{"path": "Idempotency-Key", "message": "used before with another body"}])


def earlier(ledger: Ledger, claimed: tuple[str, str, str] | None) -> Response | None:
    """The first answer for a claimed key, rebuilt from the log, or None when the key is new."""
    if claimed is None:
        return None
    scope, key, sha = claimed
    stored = ledger.find_answer(scope, key)
    if stored is None:
        return None
    _check(stored, sha)
    return replay(ledger, stored)


def once(claimed: tuple[str, str, str] | None, status: int, body: Callable[[list[Entry]], Any]) -> Once | None:
    """The `Once` to append with: the answer kept is `{"status", "body"}` with `body(entries)`, whose
    decisions are `{"$entry": seq}`."""
    if claimed is None:
        return None
    scope, key, sha = claimed
    return Once(scope, key, sha, lambda entries: {"status": status, "body": body(entries)})


def replay_existing(ledger: Ledger, claimed: tuple[str, str, str], stored: StoredAnswer) -> Response:
    """The answer of a concurrent request that stored the key first."""
    _check(stored, claimed[2])
    return replay(ledger, stored)


def replay(ledger: Ledger, stored: StoredAnswer) -> Response:
    """The kept answer with its decisions read back from the log (each checked first)."""
    refs: list[int] = []
    _refs(stored.answer["body"], refs)
    found: dict[int, dict] = {}
    if refs:
        for e in ledger.entries(after=min(refs) - 1):
            if e.seq > max(refs):
                break
            if e.seq in refs:
                problem = e.problem()
                if problem:
                    raise EntryTampered(f"entry {e.seq} does not fit the log: {problem}; the kept answer is "
                                        "not given")
                found[e.seq] = {**e.decision_data(), "log": {"sequence": e.seq, "hash": e.hash}}
    missing = sorted(set(refs) - set(found))
    if missing:
        raise LedgerError(f"the kept answer names entries {missing} that are not in {ledger.where}")
    response = data_response(_fill(stored.answer["body"], found), stored.answer["status"])
    response.headers["Idempotent-Replayed"] = "true"
    return response


def _refs(node, out: list[int]) -> None:
    if isinstance(node, dict):
        if set(node) == {"$entry"}:
            out.append(node["$entry"])
        else:
            for v in node.values():
                _refs(v, out)
    elif isinstance(node, list):
        for v in node:
            _refs(v, out)


def _fill(node, found: dict[int, dict]):
    if isinstance(node, dict):
        if set(node) == {"$entry"}:
            return found[node["$entry"]]
        return {k: _fill(v, found) for k, v in node.items()}
    if isinstance(node, list):
        return [_fill(v, found) for v in node]
    return node


def recorder_of(who: Identity) -> dict:
    """What `recorded_by` says for a caller of the service: the token's name and role, or, without
    tokens (loopback only), the local user of the service's host."""
    from wivcheck.engine.log.recording import local_recorder
    if who.local:
        return local_recorder(via="http")
    return {"token": who.name, "role": who.role}
