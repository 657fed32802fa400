"""The decision log (DESIGN.md, "Decision log"): an append-only, hash-chained record of decisions
(`ledger`), and deciding-and-recording, reading back, exporting and replaying on top of it
(`recording`). Builds on the decision core; the core never imports it."""

from . import recording
from .ledger import Entry, EntryNotFound, Fault, Ledger, LedgerError, canonical, default_path, entry_hash

__all__ = ["Entry", "EntryNotFound", "Fault", "Ledger", "LedgerError", "canonical", "default_path", "entry_hash", "recording"]
