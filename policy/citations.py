"""The sources a rule may cite, and which articles, leden and onderdelen of them exist.

Wiv 2017 articles are those the legal reference (shared/domain/wiv2017-reference.md) covers, with
their leden and onderdelen as far as it lists them; `None` means the article is known but its
subdivision was not checked, so any lid is accepted. Sections of the ministers' letter are its
headings. The draft policy rules have no published text, so any section is accepted there.
"""

from __future__ import annotations

import datetime as dt

from .model import Cite

WIV2017_BWB = "BWBR0039896"

# article -> {lid -> onderdelen}; None: subdivision not checked
WIV2017: dict[str, dict[str, str] | None] = {
    "1": {"": "abcdefgh"}, "4": None, "6": None, "8": {"2": "abcdef"}, "10": {"2": "abcdefg"},
    "12": None, "15": None, "17": None, "18": {"1": "", "2": "", "3": ""},
    "19": {"1": "abcdefgh", "2": "abcdefghij", "3": "", "4": "", "5": ""},
    "20": None, "23": {"": "abc"}, "24": None, "25": None, "26": None, "28": None, "30": None,
    "31": None, "32": None, "38": None, "39": {"1": "", "2": "", "3": "", "4": "", "5": "", "6": ""},
    "59": None, "60": {"3": ""}, "61": None,
    "62": {"1": "abcd", "2": "", "3": ""}, "63": None, "64": None, "65": {"1": "", "2": "", "3": ""},
    "66": {"1": "", "2": "", "3": "", "4": ""}, "67": {"1": "", "2": "", "3": ""},
    "68": {"1": "", "2": "", "3": ""}, "69": {"1": "", "2": "abc", "3": "", "4": ""}, "70": {"": ""},
    "73": None, "77": None, "84": None, "86": None, "87": None,
    "88": {"1": "", "2": "", "3": "abcde", "4": "", "5": ""}, "89": None, "90": None, "91": None,
    "92": None, "93": None, "94": None, "95": None, "96": {"1": "", "2": "abcde"}, "97": None,
    "98": None, "107": None, "112": None, "113": None, "135": None, "136": None, "137": None,
    "138": None, "145": None, "169": None,
}
LETTER_SECTIONS = {
    "Verkorte weergave standpunt CTIVD", "Visie op samenwerking",
    "Het wettelijk kader voor publiek-private samenwerkingen", "Vergroten voorzienbaarheid",
    "Beleidsregels samenwerkingsverbanden", "Herziening Wiv 2017 en publiek-private samenwerking",
}
SOURCES = ("Wiv 2017", "Kamerbrief 2025-02-17", "Beleidsregels PPS (concept)")

# Articles under which the Minister decides personally: Art. 62(2) (the nature of the communication),
# 64(2) (urgent provision to a foreign service outside a regular relationship), 69(2)(c) (old or
# unverifiable personal data in a special case) and 89(2) (unevaluated data to a partner service).
# A rule citing one of them that escalates escalates to the Minister (lint checks it; an invariant
# checks the decisions). (article, lid, onderdeel or None)
MINISTER_LEVEL = (("62", "2", None), ("64", "2", None), ("69", "2", "c"), ("89", "2", None))


def minister_level(cite: Cite) -> bool:
    """Whether the citation names one of the Minister-level provisions (MINISTER_LEVEL)."""
    return cite.source == "Wiv 2017" and any(
        cite.article == a and cite.lid == lid and (o is None or cite.onderdeel == o)
        for a, lid, o in MINISTER_LEVEL)


def check_cite(cite: Cite) -> str | None:
    """Why the citation is not a known one, or None."""
    if cite.source not in SOURCES:
        return f"unknown source {cite.source!r} (known: {', '.join(SOURCES)})"
    if cite.source == "Kamerbrief 2025-02-17":
        if cite.article or cite.section not in LETTER_SECTIONS:
            return f"the letter of 17 February 2025 has no section {cite.section!r}"
        return None
    if cite.source == "Beleidsregels PPS (concept)":
        return None if cite.section and not cite.article else "cite a section of the draft policy rules"
    if not cite.article:
        return "a Wiv 2017 citation names an article"
    if cite.article not in WIV2017:
        return f"Art. {cite.article} Wiv 2017 is not among the articles of the legal reference"
    parts = WIV2017[cite.article]
    if parts is None:
        return None
    lid = cite.lid or ""
    if lid not in parts:
        return f"Art. {cite.article} Wiv 2017 has no lid {cite.lid!r} in the reference"
    if cite.onderdeel and cite.onderdeel not in parts[lid]:
        return f"Art. {cite.article}({cite.lid}) Wiv 2017 has no onderdeel {cite.onderdeel!r} in the reference"
    return None


def law_url(cite: Cite, on: dt.date | None = None) -> str | None:
    """The cited article of the Wiv 2017 on wetten.overheid.nl, or None for another source.

    The link is the site's persistent Juriconnect form (jci 1.3), which names the article itself
    (`&artikel=62&lid=1&onderdeel=c`) rather than its place in the chapters: the page anchors
    (`#Hoofdstuk3_Paragraaf3.4_..._Artikel62`) spell out the whole structure and change with it.
    With `on`, the text valid on that date (`&z=` and `&g=`); else the text valid today. Example:
    https://wetten.overheid.nl/jci1.3:c:BWBR0039896&artikel=62&lid=1&onderdeel=c&z=2026-01-01&g=2026-01-01"""
    if cite.source != "Wiv 2017" or not cite.article:
        return None
    url = f"https://wetten.overheid.nl/jci1.3:c:{WIV2017_BWB}&artikel={cite.article}"
    if cite.lid:
        url += f"&lid={cite.lid}"
    if cite.onderdeel:
        url += f"&onderdeel={cite.onderdeel}"
    if on is not None:
        url += f"&z={on.isoformat()}&g={on.isoformat()}"
    return url
