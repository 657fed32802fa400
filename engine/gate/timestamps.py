"""STIX 2.1 timestamps (STIX 2.1 §3.2): real calendar instants, and in order.

The OASIS schemas only match a timestamp's shape, so `2025-02-29T00:00:00Z`, `2025-04-31T…`,
second 60 and year 0000 pass them. Here every timestamp property of an object (and of the objects embedded in it,
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
from typing import Any

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


_instants: dict[str, tuple | None] = {}
_problems: dict[str, str | None] = {}


def instant(value: str) -> tuple | None:
    """The instant as a comparable tuple (year, month, day, hour, minute, second, fraction), or
    None when it has not the shape of a STIX timestamp. Cached per text."""
    got = _instants.get(value, 0)
    if got == 0:
        m = _SHAPE.match(value)
        got = None if m is None else (int(m.group(1)), int(m.group(2)), int(m.group(3)), int(m.group(4)),
                                      int(m.group(5)), int(m.group(6)), float(m.group(7) or 0))
        if len(_instants) > 100_000:
            _instants.clear()
        _instants[value] = got
    return got


def problem(value: Any) -> str | None:
    """What is wrong with a timestamp value, in words, or None when it is a real UTC instant."""
    if not isinstance(value, str):
        return "not a timestamp (text YYYY-MM-DDTHH:MM:SS[.s]Z)"
    got = _problems.get(value, 0)
    if got == 0:
        got = _problem(value)
        if len(_problems) > 100_000:
            _problems.clear()
        _problems[value] = got
    return got


def _problem(value: str) -> str | None:
    t = instant(value)
    if t is None:
        return f"{value!r} is not a STIX timestamp (YYYY-MM-DDTHH:MM:SS[.s]Z, in UTC)"
    y, mo, d, h, mi, s, _ = t
    if y == 0:
        return (f"{value!r}: year 0000 is not a year of the calendar STIX timestamps are read in "
                "(0001 to 9999; ISO 8601 allows 0000 only by agreement, and no STIX or MISP tool reads it)")
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


def check_object(obj: dict, prefix: str = "") -> tuple[str, str] | None:
    """The first timestamp problem of a STIX object as (property path, what is wrong), or None. Looks
    at the object's own timestamp properties, its extensions and its embedded objects; custom (`x_`)
    properties are not STIX's and are left to their owners."""
    found: dict[str, tuple] = {}
    for name in sorted(obj.keys() & TIMESTAMP_PROPERTIES):   # sorted: the same error every time
        value = obj[name]
        if isinstance(value, (dict, list)):
            continue
        why = problem(value)
        if why:
            return prefix + name, why
        found[name] = instant(value)
    for early, late, strict in ORDERED:
        if early in found and late in found:
            a, b = found[early], found[late]
            if b < a:
                return prefix + late, f"{_fmt(b)} lies before {early} ({_fmt(a)})"
            if strict and b == a:
                return prefix + late, f"must lie after {early}, not at the same instant ({_fmt(a)})"
    for container in ("extensions", "objects"):
        inner = obj.get(container)
        if inner and isinstance(inner, dict):
            for k, sub in inner.items():
                if isinstance(sub, dict) and not str(k).startswith("x_"):
                    got = check_object(sub, f"{prefix}{container}.{k}.")
                    if got:
                        return got
    return None


def _fmt(t: tuple) -> str:
    y, mo, d, h, mi, s, frac = t
    return f"{y:04d}-{mo:02d}-{d:02d}T{h:02d}:{mi:02d}:{s:02d}" + (f"{frac:.3f}"[1:] if frac else "") + "Z"
