"""Persons' names inside file names and other tokens whose words are joined by underscores, dots or
hyphens: `CV_Jan_de_Vries_2025.pdf`, `Paspoort_J_de_Vries.jpg`, `Sollicitatie-Pieter-van-Dijk.docx`,
`Jan.de.Vries.scan.pdf`, and a given name glued to a surname in CamelCase (`CV JohnSmith 2025.docm`,
in any text); in `file.name`, in patterns (`[file:name = '…']`), in MISP `filename`
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
    """"a person's name (in a file name or a joined token)" or None; see the module docstring.
    Joined tokens are read in a text with an underscore or without spaces; CamelCase pairs
    (`JohnSmith`) in any text."""
    if ("_" in text or " " not in text) and _HINT(text):
        for tok in _TOKEN.findall(text):
            if ("_" in tok or "." in tok or "-" in tok) and _names(tok):
                return "a person's name (in a file name or a joined token)"
    if _CAMEL_HINT(text) and _camel(text):
        return "a person's name (in a file name or a joined token)"
    if _REVERSED_HINT(text) and _reversed(text):
        return "a person's name (in a file name or a joined token)"
    if _LOWER_HINT(text) and any(_lower_names(tok) for tok in _TOKEN.findall(text)):
        return "a person's name (in a file name or a joined token)"
    if " " in text and _FILE_NAME_HINT(text):
        from .prose_names import find as in_prose   # imported here: prose_names reads through this module's callers
        if in_prose(_FILE_NAME.sub("", text)):
            return "a person's name (in a file name or a joined token)"
    return None





# a given name glued to a surname, each capitalised (`CV JohnSmith 2025.docm`, `AhmetYilmaz_scan.pdf`)
_UPPER = "A-ZÀ-ÖØ-ÞĀ-ɏ"
_LOWER = "a-zß-öø-ÿĀ-ɏ"
_CAMEL_HINT = Hint(rf"[{_UPPER}][{_LOWER}]+[{_UPPER}][{_LOWER}]{{2}}")
_CAMEL = re.compile(rf"(?<![{_UPPER}{_LOWER}])([{_UPPER}][{_LOWER}]+)([{_UPPER}][{_LOWER}]{{2,}})(?![{_LOWER}])")


def _camel(text: str) -> bool:
    """A CamelCase pair that is a given name and a surname Faker knows, neither a codename's or a
    product's word, not both common words (`MarkPower`) and not one word twice (`SamSam`);
    `MarkMonitor`, `DanaBot`, `TeamViewer` and `CobaltStrike` are no names."""
    given, family, words = name_gazetteer.given_names(), name_gazetteer.surnames(), name_gazetteer.common_words()
    for m in _CAMEL.finditer(text):
        first, last = m.group(1).lower(), m.group(2).lower()
        if first == last or first not in given or first in _GROUP_WORDS or last not in family:
            continue
        if last in _GROUP_WORDS or last in _NOT_SURNAMES or last in _product_words() \
                or (first + last) in _GROUP_WORDS:
            continue
        if first in words and last in words:
            continue
        return True
    return False


def _product_words() -> frozenset[str]:
    from .prose_names import _PRODUCT_WORDS      # imported here: prose_names reads through this module's callers
    return _PRODUCT_WORDS


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


# `Vries, Jan de - paspoort.pdf`: a surname, a comma, a given name and its particles after it (the Dutch
# and German order of registers and file names)
_REVERSED_HINT = Hint(r"\p{Lu}\p{Ll}+,\s+\p{Lu}\p{Ll}+\s+(?:de|van|der|den|ter|ten|von|vom|zu|du|le|la|da|di)(?:$|[^\pL])")
_REVERSED = re.compile(rf"([{_UPPER}][{_LOWER}]+),\s+([{_UPPER}][{_LOWER}]+)\s+(?:de|van|der|den|ter|ten|von|vom|zu|du|"
                       rf"le|la|da|di)(?![{_LOWER}])")


def _reversed(text: str) -> bool:
    given = name_gazetteer.given_names()
    return any(m.group(2).lower() in given and m.group(2).lower() not in _GROUP_WORDS for m in _REVERSED.finditer(text))


# a token in lower case joined by hyphens or underscores: `jan-de-vries`, `victim:pieter_jansen`
_LOWER_HINT = Hint(r"\p{L}{2,}[_\-](?:\p{L}{1,4}[_\-]){0,3}\p{L}{3,}"
                   # joined by dots only in a document's file name (a domain is no name: `jan.de.vries.cv.pdf`)
                   r"|\p{L}{2,}\.(?:\p{L}{1,4}\.){0,3}\p{L}{3,}\.(?:\p{L}{1,8}\.)?(?i:pdf|docx?|xlsx?|jpe?g|png|txt|zip|"
                   r"rar|7z|exe|msi|odt|rtf|pptx?|csv)(?:$|[^\pL\pN])")
_LOWER_PARTS = re.compile(r"[_.\-]+")


def _lower_names(token: str) -> bool:
    """A token read in lower case (its file extension dropped) of a given name, particles and a surname
    joined by `-`, `_` or dots, or a surname then a given name (`petrov_ivan`): the given name
    no common word; the surname a known one and no common word, or any word of three letters or more
    after particles (`jan-de-vries`, `pieter_jansen`; not `mark-as-read`, `john-the-ripper`)."""
    token = _FILE_NAME.sub("", token).lower()     # `CV-JAN-DE-VRIES.pdf`, `Смирнов_Дмитрий_резюме.docx`
    if not ("-" in token or "_" in token or token.count(".") >= 2):
        return False
    parts = [p for p in _LOWER_PARTS.split(token.split(":")[-1]) if p]
    if not 2 <= len(parts) <= 6:
        return False
    given, family, words = name_gazetteer.given_names(), name_gazetteer.surnames(), name_gazetteer.common_words()
    for i, p in enumerate(parts[:-1]):
        if p not in given or p in words or p in _GROUP_WORDS or not p.isalpha():
            continue
        j = i + 1
        while j < len(parts) - 1 and parts[j] in _PARTICLES:
            j += 1
        last = parts[j]
        if not last.isalpha() or last in words or last in _GROUP_WORDS or last in _NOT_SURNAMES or last == p:
            continue
        if last in family or (j > i + 1 and len(last) >= 3):
            return True
    for a, b in zip(parts, parts[1:]):        # the surname first: `petrov_ivan`, `смирнов_дмитрий_резюме`
        if a != b and a in family and b in given and a.isalpha() and b.isalpha() \
                and not {a, b} & (words | _GROUP_WORDS | _NOT_SURNAMES):
            return True
    return False


# a file name with spaces (`CV Jan de Vries 2025.docx`): its name read as running text
_FILE_NAME_HINT = Hint(r"\S\.[A-Za-z][A-Za-z0-9]{1,4}$")
_FILE_NAME = re.compile(r"\.[A-Za-z][A-Za-z0-9]{1,4}$")
