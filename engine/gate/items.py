"""What the gate reads of a payload, whatever its format: one `Item` per object (STIX object, MISP
attribute, proposal, object, report, note, galaxy cluster, event), each with its data categories, its
TLP and its `Finding`s (what the gate found in which property), and the `Payload` that holds them
with the parsed document, its identifiers and its sha256.

The readers (`stix_read`, `misp_read`) fill these in; `decide` decides them; `removal` strips them.
Nothing here knows a format or a rule.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterable

from wivcheck.policy.errors import Problem, WivcheckError

TLP_ORDER = ["CLEAR", "GREEN", "AMBER", "AMBER+STRICT", "RED"]
PERSONAL_CATEGORIES = frozenset({"email_addresses", "account_names", "personal_data"})

# What a finding says (Finding.kind):
PERSONAL = "personal"        # personal data, settled: counts as personal data in the provision
POSSIBLE = "possible"        # may be personal data and cannot be settled: a person judges
UNKNOWN = "unknown"          # the gate cannot classify it (a type, a pattern language, a marking)
RESTRICTED = "restricted"    # the payload itself forbids passing it on (MISP distribution)


class PayloadError(WivcheckError):
    """The payload cannot be read: there is no decision. `where` names the object (a STIX id, a MISP
    path such as `Event.Attribute[3].distribution`), `message` the property and what is wrong."""

    code = "invalid_payload"
    http_status = 422

    def __init__(self, message: str, where: str = ""):
        self.where = where
        super().__init__(message, [Problem(message, where)])
        self.args = (f"{where}: {message}" if where else message,)

    def __str__(self) -> str:
        return self.args[0]


@dataclass(frozen=True)
class Finding:
    """What the gate found in one property of one object.

    kind: personal | possible | unknown | restricted (module constants); prop: the property path
    inside the object (`pattern`, `contact_information`, `objects.0.value`, `Tag[2].name`);
    what: a short phrase in English saying what was found, never the value itself (the answer and
    the log must not copy personal data); categories: the data categories it adds."""

    kind: str
    prop: str
    what: str
    categories: tuple[str, ...] = ()

    def text(self) -> str:
        return f"{self.prop}: {self.what}"


@dataclass
class Item:
    """One object of the payload as the gate sees it.

    key: unique in the payload (a STIX id, `id@modified` when the bundle holds several versions,
    a MISP uuid, or the object's path when it has no uuid); id: the object's own identifier;
    type: its STIX type or MISP type; path: where it sits in the parsed document (for stripping);
    data: it carries threat data (counts in `data.volume`); removable: stripping it leaves a
    valid payload of the same format (false for marking definitions and the MISP event itself)."""

    key: str
    id: str
    type: str
    path: tuple = ()
    categories: set[str] = field(default_factory=set)
    tlp: str | None = None
    findings: list[Finding] = field(default_factory=list)
    data: bool = True
    removable: bool = True
    event: str | None = None            # MISP: the key of the event it belongs to
    parent: str | None = None           # the key of the item it sits in (a MISP object, an attribute)
    uuid: str | None = None             # MISP: the uuid other parts refer to it by

    def add(self, finding: Finding) -> None:
        self.findings.append(finding)
        self.categories.update(finding.categories)

    @property
    def personal(self) -> bool:
        return not self.categories.isdisjoint(PERSONAL_CATEGORIES)

    def of_kind(self, kind: str) -> list[Finding]:
        return [f for f in self.findings if f.kind == kind]

    @property
    def carries(self) -> bool:
        """It counts as data: categories, or something the gate cannot classify."""
        return bool(self.categories) or bool(self.of_kind(UNKNOWN))


@dataclass
class Payload:
    """A read payload: format (stix | misp), the parsed document, its items, its identifiers (the
    bundle id, or the event uuids), its sha256 (of the canonical JSON: keys sorted, no spaces,
    UTF-8, so the command line and the HTTP service give the same digest for the same payload),
    and for MISP the keys of its events in order."""

    format: str
    doc: Any
    items: list[Item]
    ids: list[str]
    sha256: str
    events: list[str] = field(default_factory=list)

    def __iter__(self):
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)


def strictest(levels: Iterable[str | None]) -> str | None:
    """The strictest TLP level of those given (None ignored); None when there is none."""
    best = -1
    for level in levels:
        if level is not None:
            i = TLP_ORDER.index(level)
            if i > best:
                best = i
    return TLP_ORDER[best] if best >= 0 else None


def unique_keys(ids: list[str], versions: list[str | None]) -> list[str]:
    """A key per object: its id when the id is unique; `id@version` when the payload holds several
    versions of it (STIX: duplicate ids are versions, `modified` tells them apart); `#n` added when
    even that repeats."""
    if len(set(ids)) == len(ids):
        return list(ids)                  # every id once: the usual bundle
    count: dict[str, int] = {}
    for i in ids:
        count[i] = count.get(i, 0) + 1
    keys, seen = [], {}
    for i, v in zip(ids, versions):
        key = i if count[i] == 1 else f"{i}@{v or '-'}"
        n = seen.get(key, 0)
        seen[key] = n + 1
        keys.append(key)
    repeats = {k for k, n in seen.items() if n > 1}
    if repeats:
        numbered: dict[str, int] = {}
        for idx, key in enumerate(keys):
            if key in repeats:
                numbered[key] = numbered.get(key, 0) + 1
                keys[idx] = f"{key}#{numbered[key]}"
    return keys
