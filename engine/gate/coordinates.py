"""Coordinates precise enough to point at one building, which may be a home: the location of a
person (possible personal data, a person judges).

Four decimals of a degree are about 11 m, so a latitude/longitude pair written with four or more
decimals points at a building; the gate already reads a STIX `location` so, and reads here:
- decimal pairs in text (`52.373112, 4.892201`, also inside map URLs `…/@52.373112,4.892201,17z`),
  each in range (|lat| ≤ 90, |lon| ≤ 180) and not both below 1 in size (scores and ratios);
- degrees, minutes and seconds (`52°22'23.2"N 4°53'32.0"E`): seconds are about 30 m;
- `geo:` URIs (RFC 5870) with four or more decimals;
- a STIX `location` whose `precision` (metres, STIX 2.1 §4.8) is 100 or less;
- a MISP attribute with relation `latitude`/`longitude` (the `geolocation` object) with four or
  more decimals, or an `accuracy-radius` (km) of 0.1 or less.

Own code: a coordinate is a number in a place; no library finds them in prose. The patterns are
Python's `re` (look-behind) without nested unbounded repetition.
"""

from __future__ import annotations

import re

_PAIR = re.compile(r"(?<![\d.])(-?\d{1,2}\.\d{4,})\s*[,;]\s*(-?\d{1,3}\.\d{4,})(?![\d.])")
_DMS = re.compile(r"(\d{1,3})\s*[°º]\s*(\d{1,2})\s*['′’]\s*(\d{1,2}(?:[.,]\d+)?)\s*(?:\"|″|''|”)\s*([NSEWnsewOo])")
_GEO_URI = re.compile(r"(?i)\bgeo:\s*(-?\d{1,2}\.\d+)\s*,\s*(-?\d{1,3}\.\d+)")
_PRECISE = 4          # decimals of a degree: ~11 m
_PRECISE_METRES = 100.0


def scan(text: str) -> str | None:
    """What kind of precise coordinates `text` holds, or None."""
    if "." in text:
        for m in _PAIR.finditer(text):
            lat, lon = float(m.group(1)), float(m.group(2))
            if abs(lat) <= 90 and abs(lon) <= 180 and (abs(lat) >= 1 or abs(lon) >= 1):
                return "coordinates precise to a building (a home?)"
        if "geo:" in text.lower():
            for m in _GEO_URI.finditer(text):
                if min(_decimals(m.group(1)), _decimals(m.group(2))) >= _PRECISE:
                    return "a geo: URI precise to a building (a home?)"
    if "°" in text or "º" in text:
        hemispheres = {m.group(4).upper() for m in _DMS.finditer(text)}
        if hemispheres & {"N", "S"} and hemispheres & {"E", "W", "O"}:
            return "coordinates in degrees, minutes and seconds (precise to a building: a home?)"
    return None


def _decimals(number: str) -> int:
    return len(number.partition(".")[2])


def precise_decimal(value: object) -> bool:
    """A coordinate written with four or more decimals (a number or its text)."""
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        return False
    text = repr(value) if isinstance(value, float) else str(value).strip()
    return _decimals(text) >= _PRECISE and text.lstrip("-").replace(".", "", 1).isdigit()


def precise_metres(value: object) -> bool:
    """A STIX `precision` (metres) of a building or less."""
    return isinstance(value, (int, float)) and not isinstance(value, bool) and 0 <= value <= _PRECISE_METRES
