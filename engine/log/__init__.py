"""The decision log (DESIGN.md, "Decision log"): an append-only, hash-chained record of decisions
behind one interface (`ledger.Ledger`) with an SQLite backend (`sqlite`, the embedded default) and a
PostgreSQL backend (`postgres`, several service instances on one log), its schema and numbered
migrations (`schema`, `migrations/`), checkpoints signed outside the log (`checkpoint`), and
deciding-and-recording, reading back, exporting and replaying on top of it (`recording`), and
approvals recorded in the same chain with the queue of open escalations (`approvals`). Builds on
the decision core; the core never imports it."""

from . import approvals, recording
from .ledger import (AnswerExists, Anchor, Entry, EntryNotFound, EntryTampered, Fault, Ledger, LedgerError, Once,
                     StoredAnswer, canonical, default_path, default_target, entry_hash, redact_url)

__all__ = ["AnswerExists", "Anchor", "Entry", "EntryNotFound", "EntryTampered", "Fault", "Ledger", "LedgerError",
           "Once", "StoredAnswer", "canonical", "default_path", "default_target", "entry_hash", "recording",
           "redact_url", "approvals"]
