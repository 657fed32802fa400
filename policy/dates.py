"""Dates and date offsets (`-10y`, `+6m`, `-30d`) as the rule language uses them.

Periods count the way the law counts them (as Regulation 1182/71 art. 3(2)(c) writes it down): a
period of months or years that runs from a day its last month lacks ends on that month's last day.
So ten years from 29 February 2016 end on 28 February 2026, and "more than ten years" begins on
1 March. A step back is the exact inverse of a step forward: `a >= date - N` holds exactly when
`a + N >= date`, whichever of the two forms a rule is written in.
"""

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
    """day (ISO) moved by offset, as ISO text; raises ValueError outside the calendar.

    Forward, a month or year step from a day the target month lacks lands on the month's last day:
    2016-02-29 + 10y = 2026-02-28, 2025-01-31 + 1m = 2025-02-28. Backward, the step gives the
    earliest day from which the same step forward reaches `day`: 2024-02-29 - 10y = 2014-03-01
    (2014-02-28 + 10y is 2024-02-28, one day short), 2025-03-31 - 1m = 2025-03-01. Day steps are
    plain arithmetic."""
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
    if d.day <= last:
        return dt.date(year, month, d.day).isoformat()
    if n >= 0:
        return dt.date(year, month, last).isoformat()
    # backward from a day the target month lacks: no day of that month reaches `day` going
    # forward again (each lands on an earlier day), so the first day of the next month is the answer
    if month == 12:
        year, month = year + 1, 1
    else:
        month += 1
    return dt.date(year, month, 1).isoformat()
