"""The gate for exchange tooling (DESIGN.md, "The gate"): a STIX 2.1 bundle or MISP event(s) plus an
envelope, decided as a whole, per object and per event, with the removal set closed over references
and the stripped payload decided again. Builds on the decision core; the core never imports it.

Modules: `items` (what the gate reads of any payload), `stix_schema`, `timestamps`, `markings`,
`stix_patterns`, `stix_types` and `stix_read` (STIX 2.1), `misp_types` and `misp_read` (MISP),
`normalise`, `personal_text`, `addresses`, `person_names` and `person_keys` (persons in free text, in
names and in property names), `binary` (base64 content: samples and attachments), `removal` (the
removal set and stripping), `decide` (deciding), `record` (the gate record as the log shows it).
"""

from . import stix_schema
from .decide import GateResult, ObjectResult, gate
from .items import Finding, Item, Payload, PayloadError
from .misp_read import read_misp
from .stix_read import read_stix


def read(fmt: str, raw) -> Payload:
    """Read a payload of format `stix` or `misp` (JSON text or parsed JSON). Raises PayloadError."""
    return read_stix(raw) if fmt == "stix" else read_misp(raw)


__all__ = ["Finding", "GateResult", "Item", "ObjectResult", "Payload", "PayloadError", "gate", "read",
           "read_misp", "read_stix", "stix_schema"]
