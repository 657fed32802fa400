"""Server settings, read from the environment so that every uvicorn worker gets the same ones."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Settings:
    rules_dir: Path | None = None
    db_path: Path | None = None
    tokens_path: Path | None = None
    max_body_bytes: int = 2 * 1024 * 1024
    max_gate_body_bytes: int = 64 * 1024 * 1024   # a STIX bundle of 100,000 objects is about 33 MB
    max_batch: int = 1000
    max_depth: int = 32
    lock_wait: float = 10.0

    @classmethod
    def from_env(cls) -> "Settings":
        env = os.environ
        path = lambda k: Path(env[k]) if env.get(k) else None  # noqa: E731
        return cls(rules_dir=path("WIVCHECK_RULES"), db_path=path("WIVCHECK_DB"),
                   tokens_path=path("WIVCHECK_TOKENS"),
                   max_body_bytes=int(env.get("WIVCHECK_MAX_BODY", cls.max_body_bytes)),
                   max_gate_body_bytes=int(env.get("WIVCHECK_MAX_GATE_BODY", cls.max_gate_body_bytes)),
                   max_batch=int(env.get("WIVCHECK_MAX_BATCH", cls.max_batch)),
                   lock_wait=float(env.get("WIVCHECK_LOCK_WAIT", cls.lock_wait)))

    def to_env(self) -> dict[str, str]:
        out = {"WIVCHECK_MAX_BODY": str(self.max_body_bytes),
               "WIVCHECK_MAX_GATE_BODY": str(self.max_gate_body_bytes),
               "WIVCHECK_MAX_BATCH": str(self.max_batch), "WIVCHECK_LOCK_WAIT": str(self.lock_wait)}
        for key, value in (("WIVCHECK_RULES", self.rules_dir), ("WIVCHECK_DB", self.db_path),
                           ("WIVCHECK_TOKENS", self.tokens_path)):
            if value is not None:
                out[key] = str(value)
        return out
