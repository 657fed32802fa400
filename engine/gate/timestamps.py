"""STIX 2.1 timestamps (STIX 2.1 §3.2): real calendar instants, and in order.

The OASIS schemas only match a timestamp's shape, so `2025-02-29T00:00:00Z`, `2025-04-31T…` and
second 60 pass them. Here every timestamp property of an object (and of the objects embedded in it,
and of its extensions) must be a real instant, and the pairs the specification orders must be in
order: `modified` ≥ `created` (§3.2), `valid_until` > `valid_from` (§4.7), `last_seen` ≥
`first_seen`, `last_observed` ≥ `first_observed`, `analysis_ended` ≥ `analysis_started`, `end` ≥
`start` (network-traffic), `validity_not_after` ≥ `validity_not_before` (x509-certificate).

Own code rather than a date library: the check is the shape the specification fixes (UTC, `Z`) plus
`calendar.monthrange`, and the errors must name the property and say in words what is wrong
(a library's "day is out of range for month" is Python's text, not the user's).
"""

from __future__ import annotations

import calendar
import re
from typing import Any, Iterator

_SHAPE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d+)?Z$")
_MONTHS = ["", "January", "February", "March", "April", "May", "June", "July", "August", "September",
           "October", "November", "December"]

# timestamp properties of STIX 2.1 objects, observables and their extensions
TIMESTAMP_PROPERTIES = frozenset({
    "created", "modified", "valid_from", "valid_until", "first_seen", "last_seen", "first_observed",
    "last_observed", "published", "submitted", "analysis_started", "analysis_ended", "ctime", "mtime",
    "atime", "date", "start", "end", "created_time", "account_created", "account_expires",
    "credential_last_changed", "account_first_login", "account_last_login", "modified_time",
    "validity_not_before", "validity_not_after", "object_modified", "time_date_stamp",
    "creation_date", "modification_date"})
# (earlier, later, strictly later)
ORDERED = [("created", "modified", False), ("valid_from", "valid_until", True),
           ("first_seen", "last_seen", False), ("first_observed", "last_observed", False),
           ("analysis_started", "analysis_ended", False), ("start", "end", False),
           ("validity_not_before", "validity_not_after", False)]


def instant(value: str) -> tuple | None:
    """The instant as a comparable tuple (year, month, day, hour, minute, second, fraction), or
    None when it has not the shape of a STIX timestamp."""
    m = _SHAPE.match(value)
    if m is None:
        return None
    y, mo, d, h, mi, s = (int(x) for x in m.groups()[:6])
    frac = float(m.group(7) or 0)
    return (y, mo, d, h, mi, s, frac)


def problem(value: Any) -> str | None:
    """What is wrong with a timestamp value, in words, or None when it is a real UTC instant."""
    if not isinstance(value, str):
        return "not a timestamp (text YYYY-MM-DDTHH:MM:SS[.s]Z)"
    t = instant(value)
    if t is None:
        return f"{value!r} is not a STIX timestamp (YYYY-MM-DDTHH:MM:SS[.s]Z, in UTC)"
    y, mo, d, h, mi, s, _ = t
    if not 1 <= mo <= 12:
        return f"{value!r}: there is no month {mo}"
    days = calendar.monthrange(y, mo)[1]
    if not 1 <= d <= days:
        return f"{value!r}: {_MONTHS[mo]} {y} has {days} days, not {d}"
    if h > 23:
        return f"{value!r}: there is no hour {h}"
    if mi > 59:
        return f"{value!r}: there is no minute {mi}"
    if s == 60:
        return f"{value!r}: second 60 (a leap second) is not a valid STIX timestamp"
    if s > 59:
        return f"{value!r}: there is no second {s}"
    return None


def _timestamps(node: Any, path: str) -> Iterator[tuple[str, str, Any]]:
    """(path, property name, value) of every timestamp property in an object, its embedded objects
    and its extensions; custom (`x_`) properties are not STIX's and are left to their owners."""
    if isinstance(node, dict):
        for k, v in node.items():
            if not isinstance(k, str) or k.startswith("x_"):
                continue
            p = f"{path}.{k}" if path else k
            if k in TIMESTAMP_PROPERTIES and not isinstance(v, (dict, list)):
                yield p, k, v
            elif isinstance(v, (dict, list)) and k not in ("external_references", "kill_chain_phases"):
                yield from _timestamps(v, p)
    elif isinstance(node, list):
        for i, v in enumerate(node):
            if isinstance(v, dict):
                yield from _timestamps(v, f"{path}[{i}]")


def check_object(obj: dict) -> tuple[str, str] | None:
    """The first timestamp problem of a STIX object as (property path, what is wrong), or None."""
    seen: dict[str, dict[str, tuple]] = {}
    for p, name, value in _timestamps(obj, ""):
        why = problem(value)
        if why:
            return p, why
        parent = p.rsplit(".", 1)[0] if "." in p else ""
        seen.setdefault(parent, {})[name] = instant(value)
    for parent, props in seen.items():
        for early, late, strict in ORDERED:
            if early in props and late in props:
                a, b = props[early], props[late]
                if b < a or (strict and b == a):
                    where = f"{parent}.{late}" if parent else late
                    if b < a:
                        return where, f"{_fmt(b)} lies before {early} ({_fmt(a)})"
                    return where, f"must lie after {early}, not at the same instant ({_fmt(a)})"
    return None


def _fmt(t: tuple) -> str:
    y, mo, d, h, mi, s, frac = t
    return f"{y:04d}-{mo:02d}-{d:02d}T{h:02d}:{mi:02d}:{s:02d}" + (f"{frac:.3f}"[1:] if frac else "") + "Z"
