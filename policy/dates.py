"""Dates and date offsets (`-10y`, `+6m`, `-30d`) as the rule language uses them."""

from __future__ import annotations

import calendar
import datetime as dt
import re

_OFFSET = re.compile(r"^([+-])(\d{1,4})([dmy])$")


def parse_date(value: str) -> dt.date:
    """A strict ISO YYYY-MM-DD date (raises ValueError)."""
    if not isinstance(value, str) or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        raise ValueError(f"{value!r} is not a date YYYY-MM-DD")
    return dt.date.fromisoformat(value)


def parse_offset(text: str) -> tuple[int, str]:
    m = _OFFSET.match(text or "")
    if not m:
        raise ValueError(f"{text!r} is not an offset like -10y, +6m or -30d")
    n = int(m.group(2))
    return (-n if m.group(1) == "-" else n), m.group(3)


def shift(day: str, offset: str) -> str:
    """day moved by offset; month/year steps clamp to the month's last day (29 Feb - 1y = 28 Feb)."""
    n, unit = parse_offset(offset)
    d = parse_date(day)
    if unit == "d":
        return (d + dt.timedelta(days=n)).isoformat()
    months = d.year * 12 + (d.month - 1) + (n if unit == "m" else 12 * n)
    year, month = divmod(months, 12)
    month += 1
    if not 1 <= year <= 9999:
        raise ValueError(f"{day} {offset} is outside the calendar")
    last = calendar.monthrange(year, month)[1]
    return dt.date(year, month, min(d.day, last)).isoformat()
