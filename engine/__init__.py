"""Provisions in, decisions out (DESIGN.md, "Layout").

The decision core lives in this package's own modules: the provision model (`provision`, `load`),
compiling rule sets onto durable_rules (`compile`, `durable_core`), the plain-Python oracle
(`oracle`), the backends over both (`backends`), evaluating (`evaluate`), approvals (`approvals`: what
a recorded approval is and the register the engine checks it in) and combining (`combine`), the decision (`decision`) and its reasons (`reasons`); `render` turns a decision into
text, Markdown, HTML or JSON. The subpackages build on the core and the core never imports them:
`log` (the hash-chained decision log), `gate` (STIX 2.1 bundles and MISP events) and `tools` (rule
tests, impact of a change, invariants, for policy staff). Knows nothing of HTTP.
"""

from wivcheck.policy import Library, default_rules_dir

from .approvals import ApprovalRegister, GrantedApproval
from .decision import Decision, Reason, TraceEntry
from .errors import EngineError, InputError, ProvisionError
from .evaluate import Engine
from .load import parse_provisions, provision_from_data
from .provision import FACT_SCHEMA, Provision
from .render import markdown_text, render_html, render_json, render_markdown, render_text, terminal_text


def load_library(root=None) -> Library:
    """The rule library at root (default: the shipped rules, package data `wivcheck.rules`),
    validated against the provision's fact schema. Raises PolicyError naming file, line and rule."""
    return Library.load(root or default_rules_dir(), FACT_SCHEMA)


__all__ = ["ApprovalRegister", "GrantedApproval", "Decision", "Engine", "EngineError", "InputError", "FACT_SCHEMA", "Provision", "ProvisionError",
           "Reason", "TraceEntry", "load_library", "parse_provisions", "provision_from_data",
           "render_html", "render_json", "render_markdown", "render_text", "markdown_text", "terminal_text"]
