"""Provisions in, decisions out: the provision model, compiling rule sets onto durable_rules,
evaluating, combining, explaining. Knows nothing of HTTP."""

from policy import Library, default_rules_dir

from .decision import Decision, Reason, TraceEntry
from .errors import EngineError, ProvisionError
from .evaluate import Engine
from .explain import render_html, render_json, render_markdown, render_text
from .ledger import Ledger, LedgerError
from .load import parse_provisions, provision_from_data
from .provision import FACT_SCHEMA, Provision


def load_library(root=None) -> Library:
    """The rule library at root (default: the shipped `rules/`), validated against the provision."""
    return Library.load(root or default_rules_dir(), FACT_SCHEMA)


__all__ = ["Decision", "Engine", "EngineError", "FACT_SCHEMA", "Provision", "ProvisionError",
           "Reason", "TraceEntry", "load_library", "parse_provisions", "provision_from_data",
           "render_html", "render_json", "render_markdown", "render_text", "Ledger", "LedgerError"]
