"""Persons' names inside file names and other tokens whose words are joined by underscores, dots or
hyphens: `CV_Jan_de_Vries_2025.pdf`, `Paspoort_J_de_Vries.jpg`, `Sollicitatie-Pieter-van-Dijk.docx`,
`Jan.de.Vries.scan.pdf`; in `file.name`, in patterns (`[file:name = '…']`), in MISP `filename`
attributes and in every other text `personal_text.scan` reads.

A token (no spaces, quotes or path separators; an extension and digit runs are ignored) is split at
`_`, `.` and `-` into parts, and names a person when, among its parts, in order:
- a capitalised given name (`name_gazetteer`: Faker's given names) is followed by surname particles
  (`de`, `van`, `der`, …) and a capitalised part that is a known surname or no common word (`Jan_de_Vries`,
  `Pieter_Bakker`); a given name that is itself a common word (`Will`, `Mark`) only before a known
  surname;
- or a single capital letter (an initial) is followed by particles and a capitalised known surname,
  or by particles and any capitalised part (`J_de_Vries`, `J_Jansen`).
Codename and product words (`person_names`' group words, `prose_names`' product words) never count
as the surname. Tokens in lower case only are left to `person_names._joined` (two or three parts).

What it says: "a person's name (in a file name or a joined token)", possible personal data.

Own code: a vocabulary lookup over a split; no library reads names out of file names. One RE2
pre-filter (`rx.Hint`: a capital letter, a joiner and another capital) rules most text out.
"""

from __future__ import annotations

import re

from . import name_gazetteer
from .person_names import _GROUP_WORDS
from .rx import Hint

_HINT = Hint(r"\p{Lu}\p{Ll}*[_.\-](?:\p{Ll}{1,4}[_.\-]){0,3}\p{Lu}\p{Ll}")
_TOKEN = re.compile(r"[^\s/\\:'\"<>|,;()\[\]]+")
_PARTS = re.compile(r"[_.\-]+")
_PARTICLES = frozenset({"de", "den", "der", "van", "von", "vom", "ter", "ten", "te", "da", "di", "del", "della",
                        "dos", "du", "des", "la", "le", "al", "el", "bin", "ibn", "ben", "y", "het", "in", "t"})
_NOT_SURNAMES = frozenset({"pdf", "doc", "docx", "jpg", "jpeg", "png", "exe", "dll", "zip", "rar", "txt", "xls",
                           "xlsx", "lnk", "iso", "img", "scan", "copy", "final", "update", "setup", "install",
                           "windows", "office", "microsoft", "google", "chrome", "adobe", "reader", "invoice"})


def find(text: str) -> str | None:
    """"a person's name (in a file name or a joined token)" or None; see the module docstring."""
    if not _HINT(text):
        return None
    for tok in _TOKEN.findall(text):
        if ("_" in tok or "." in tok or "-" in tok) and _names(tok):
            return "a person's name (in a file name or a joined token)"
    return None


def _cap(p: str) -> bool:
    return p[:1].isupper() and p[1:].islower() and p.isalpha()


def _names(token: str) -> bool:
    parts = [p for p in _PARTS.split(token) if p]
    if len(parts) < 2 or len(parts) > 12:
        return False
    given, family, words = name_gazetteer.given_names(), name_gazetteer.surnames(), name_gazetteer.common_words()
    for i, p in enumerate(parts[:-1]):
        initial = len(p) == 1 and p.isupper()
        low = p.lower()
        if not initial and not (_cap(p) and low in given and low not in _GROUP_WORDS):
            continue
        j = i + 1
        while j < len(parts) and parts[j].lower() in _PARTICLES and not _cap(parts[j]):
            j += 1
        if j >= len(parts) or not _cap(parts[j]):
            continue
        last = parts[j].lower()
        if last in _GROUP_WORDS or last in _NOT_SURNAMES:
            continue
        particles = j > i + 1
        known = last in family
        if initial and (known or particles) and (known or last not in words):
            return True
        if not initial and (known or (last not in words and (low not in words))):
            return True
    return False
