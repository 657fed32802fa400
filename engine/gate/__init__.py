"""The gate for exchange tooling (DESIGN.md, "The gate"): a STIX 2.1 bundle or MISP event(s) plus an
envelope, decided as a whole, per object and per event, with the removal set closed over references
and the stripped payload decided again. Builds on the decision core; the core never imports it.

Modules: `items` (what the gate reads of any payload), `stix_schema`, `timestamps`, `markings`,
`stix_patterns`, `stix_types` and `stix_read` (STIX 2.1), `misp_types` and `misp_read` (MISP),
`normalise`, `personal_text`, `addresses`, `person_names` and `person_keys` (persons in free text, in
names and in property names), `binary` (base64 content: samples and attachments), `removal` (the
removal set and stripping), `decide` (deciding), `record` (the gate record as the log shows it),
`rx` (the RE2 pre-filters and the one pass that answers them all for a text).
"""

from . import stix_schema
from .decide import GateResult, ObjectResult, gate
from .items import Finding, Item, Payload, PayloadError
from .misp_read import read_misp
from .stix_read import read_stix


def warm() -> None:
    """Build once per process what the first payload would otherwise wait for: the OASIS schemas
    (0.1–0.4 s), the names and places of the gazetteer (Faker's lists, 0.2–0.6 s) and the shared pass
    of the pre-filters (`rx`). Raises stix_schema.SchemaUnavailable when the schemas are missing."""
    from . import name_gazetteer, rx
    stix_schema.validators()
    name_gazetteer.given_names()
    name_gazetteer.surnames()
    rx.prime("warm")
    rx.forget()


def read(fmt: str, raw) -> Payload:
    """Read a payload of format `stix` or `misp` (JSON text or parsed JSON). Raises PayloadError."""
    return read_stix(raw) if fmt == "stix" else read_misp(raw)


__all__ = ["Finding", "GateResult", "Item", "ObjectResult", "Payload", "PayloadError", "gate", "read",
           "read_misp", "read_stix", "stix_schema", "warm"]
