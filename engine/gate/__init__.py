"""The gate for exchange tooling (DESIGN.md, "The gate"): a STIX 2.1 bundle or a MISP event plus an
envelope, decided as a whole and per object, with the smallest removal set. Builds on the decision
core; the core never imports it."""

from . import stix_schema
from .decide import GateResult, Item, ObjectResult, PayloadError, gate, misp_items, stix_items

__all__ = ["GateResult", "Item", "ObjectResult", "PayloadError", "gate", "misp_items", "stix_items",
           "stix_schema"]
