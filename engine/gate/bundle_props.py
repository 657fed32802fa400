"""A STIX bundle's own properties: what the bundle says about every object it holds.

STIX 2.1 §8 gives a bundle three properties: `type`, `id` and `objects` (STIX 2.0 bundles also
carried `spec_version`, which is still emitted by producers and is read as text here). Anything else
a bundle carries is read, never passed over (issue 12, "every part of a payload"):

- `object_marking_refs` and `granular_markings` on the bundle (not in the specification, but a
  producer who puts TLP:RED on the bundle means the whole bundle): each marking counts for every
  object of the bundle (marking and extension definitions excepted: markings are not marked), so a
  RED bundle makes every object RED, opens `gate.tlp-red-private` and contradicts a GREEN envelope
  exactly as an object's own RED marking does. A granular marking's selectors point into the bundle,
  whose content is its objects, so it counts for all of them (the strict reading). A reference that
  resolves to no marking definition escalates, named `bundle object_marking_refs[i]`.
- custom properties (`x_…`) are scanned as an object's custom property is (every string, property
  names about persons, numbers that read as phone numbers), their findings named `bundle x_…`; the
  bundle cannot be stripped of them, so a bundle with such a finding has no stripped payload.
- any other key is refused with an error naming it: the gate does not know what it means, and
  passing it out unread would pass out whatever it holds.
"""

from __future__ import annotations

from typing import Any, Callable

from . import markings
from .items import UNKNOWN, Finding, Item, PayloadError, strictest

SPEC = frozenset({"type", "id", "objects"})
"""The properties of a STIX 2.1 bundle (STIX 2.1 §8)."""
READ_AS_TEXT = frozenset({"spec_version"})
"""Properties of STIX 2.0 bundles still emitted: read as text, like a custom property."""
MARKINGS = frozenset({"object_marking_refs", "granular_markings"})
_UNMARKED = ("marking-definition", "extension-definition")


def read(doc: dict, table: dict[str, str], items: list[Item],
         scan: Callable[[Any, str, Item, set], None]) -> Item | None:
    """Read the bundle's own properties into `items`: the bundle's TLP is put on every object
    (strictest of the object's own and the bundle's), and an item keyed `bundle` is returned when
    the bundle's custom properties or markings hold something to decide (None otherwise).

    doc: the parsed bundle; table: the marking table (`markings.marking_table`); items: the objects
    read so far, changed in place; scan: the reader's property scan (`stix_read._scan`).
    Raises PayloadError naming a key that is neither STIX's nor custom, or markings of the wrong shape."""
    extra = [k for k in doc if k not in SPEC]
    if not extra:
        return None
    unknown = [k for k in extra if k not in READ_AS_TEXT and k not in MARKINGS
               and not (isinstance(k, str) and k.startswith("x_"))]
    if unknown:
        raise PayloadError(f"bundle property {unknown[0]!r} is not a STIX 2.1 bundle property (type, id, objects; "
                           "custom properties start with x_): the gate does not pass on what it cannot read",
                           "bundle")
    marks = {k: doc[k] for k in extra if k in MARKINGS or k.startswith("x_")}   # x_tlp as on an object
    if "object_marking_refs" in marks and not _list_of(marks["object_marking_refs"], str):
        raise PayloadError("object_marking_refs: a list of marking definition ids", "bundle")
    if "granular_markings" in marks and not _list_of(marks["granular_markings"], dict):
        raise PayloadError("granular_markings: a list of granular markings", "bundle")
    level, unresolved = markings.object_markings(marks, table)
    if level is not None:
        for it in items:
            if it.type not in _UNMARKED:
                it.tlp = strictest((it.tlp, level))
    item = Item(key="bundle", id=doc["id"], type="bundle", path=(), data=False, removable=False,
                tlp=level or strictest(it.tlp for it in items))
    for prop in unresolved:
        item.add(Finding(UNKNOWN, prop, "refers to a marking definition that is neither in the bundle nor "
                                        "a canonical TLP marking"))
    custom = {k: v for k, v in doc.items() if k not in SPEC and k not in MARKINGS}
    if custom:
        scan(custom, "", item, set())
    return item if item.findings else None


def _list_of(value: Any, kind: type) -> bool:
    return isinstance(value, list) and all(isinstance(v, kind) for v in value)
