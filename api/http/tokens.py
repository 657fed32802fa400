"""Bearer tokens and roles. The tokens file holds only sha256 hashes of tokens, never the tokens:

    - {name: gateway-1, role: gate, sha256: <hex sha256 of the token>}

Roles: analyst, gate, policy, auditor, and the approving roles teamleider, diensthoofd and minister
(the Minister's office), each of which may approve escalations at its own level and below (DESIGN.md,
"Approvals"). `wivcheck tokens new` makes a token and its entry.
"""

from __future__ import annotations

import hashlib
import os
import secrets
import stat
from dataclasses import dataclass
from pathlib import Path

from wivcheck.policy.yamlsafe import load_file
from wivcheck.policy import ROLES as APPROVER_ROLES, PolicyError
from wivcheck.policy.errors import WivcheckError

ROLES = ("analyst", "gate", "policy", "auditor", *APPROVER_ROLES)


class TokenFileError(WivcheckError):
    """The tokens file is missing, unreadable, malformed or unsafe: the service does not start."""

    code = "invalid_tokens"


@dataclass(frozen=True)
class Identity:
    name: str
    role: str
    local: bool = False   # no tokens configured: a loopback-only server, every role allowed

    def may(self, roles: tuple[str, ...]) -> bool:
        return self.local or self.role in roles


def digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def new_token(role: str, name: str) -> tuple[str, dict]:
    if role not in ROLES:
        raise TokenFileError(f"role must be one of {', '.join(ROLES)}")
    token = "wvc_" + secrets.token_urlsafe(32)
    return token, {"name": name, "role": role, "sha256": digest(token)}


def load_tokens(path: Path) -> dict[str, Identity]:
    """sha256 -> identity. Fails closed: a tokens file that is named but missing, unreadable, not a
    regular file, writable by every user, empty (no entry at all), or malformed raises TokenFileError
    naming the file (and line); nothing starts on it. A named file never means "no tokens"."""
    try:
        st = os.stat(path)
    except OSError as exc:
        raise TokenFileError(f"{path}: cannot read the tokens file: {exc.strerror}") from None
    if st.st_mode & stat.S_IWOTH:
        raise TokenFileError(f"{path}: the tokens file is writable by every user (mode "
                             f"{stat.S_IMODE(st.st_mode):o}); anyone could add a token. chmod o-w it")
    try:
        located = load_file(str(path))
    except PolicyError as exc:
        raise TokenFileError(f"tokens file {exc}") from None
    data = located.data
    if not isinstance(data, list):
        raise TokenFileError(f"{path}:1: a tokens file is a list of {{name, role, sha256}}")
    if not data:
        raise TokenFileError(f"{path}:1: the tokens file names no token (for local use on loopback, name "
                             "no tokens file at all)")
    out: dict[str, Identity] = {}
    names = set()
    for i, item in enumerate(data):
        where = f"{path}:{located.line_of((i,))}"
        if not isinstance(item, dict) or set(item) != {"name", "role", "sha256"}:
            raise TokenFileError(f"{where}: each entry has exactly name, role and sha256")
        name, role, sha = item["name"], item["role"], item["sha256"]
        if not isinstance(name, str) or not name.strip():
            raise TokenFileError(f"{where}: name must be text")
        if role not in ROLES:
            raise TokenFileError(f"{where}: role {role!r} is not one of {', '.join(ROLES)}")
        if not (isinstance(sha, str) and len(sha) == 64 and all(c in "0123456789abcdef" for c in sha)):
            raise TokenFileError(f"{where}: sha256 must be 64 lowercase hex digits (the hash, not the token)")
        if name in names or sha in out:
            raise TokenFileError(f"{where}: name or token listed twice")
        names.add(name)
        out[sha] = Identity(name=name, role=role)
    return out
