"""Street addresses and postcodes in free text (after `normalise`): a home address names where a
person lives, so the gate must see one wherever it is written.

What counts:
- a Dutch, Flemish or German street name with its house number, in any case: one word ending in a
  street word (`Kerkstraat 12`, `kerkstraat 12a`, `Vlugtlaan 3-5`, `Hauptstr. 5`, `Lindenallee 7`),
  a street word followed by its particles and name (`Laan van Meerdervoort 3a`), or a capitalised
  word and a street word (`Grote Markt 1`); a street name without a street word (`Damrak 1`) is
  found only with its postcode;
- an English house number before a capitalised street name and its street word (`221B Baker
  Street`, `10 Downing St`, `1600 Pennsylvania Avenue`);
- a French house number before `rue`, `avenue`, `boulevard`, `chemin`, `impasse`, `quai`, `allée`
  (`12 rue de la Paix`);
- a Dutch postcode (`1234 AB`, `1234AB`) standing alone as the whole text, or starting an address
  line (at the start, after a comma, a semicolon, a colon or a line break) and followed by a place
  name (`Postbus 12, 3500 AB Utrecht`); the letters SA, SD and SS are never given out, and digits
  before a common abbreviation (`2024 EU`) are not read as a postcode.

- a street name without a street word and its house number followed by a place (`Voorhout 9, Den
  Haag`, `LANGE VOORHOUT 9 'S-GRAVENHAGE`, `Damrak 1 Amsterdam`): the place one of Faker's Dutch,
  Belgian, German, Austrian, Swiss, Polish, Czech, Danish, Swedish, Portuguese and Italian cities
  (`faker.providers.address.<locale>.Provider.cities`) or a European capital in its usual
  spellings (`_CAPITALS`: Faker lacks `Den Haag`, `Brussels`, `Paris`, …), the name no common word and
  no product's (`Windows 10, Paris` is not one), the number no year;
- in a property named for an address (`personal_text.context_for`: `address`, `adres`, `street`,
  `straat`, `location`, `woonplaats`, …) or in a `location` object, any name followed by a house
  number (`LANGE VOORHOUT 9`, `Voorhout 9`) or a house number followed by a name (`9 Lange
  Voorhout`): `in_address_property`.

What it says: "a street address" or "a postcode"; whose (a home's or an organisation's) the scan
cannot tell, so a person judges (`personal_text` reports them as possible personal data).

Own code: no well-kept library parses addresses without a trained model (libpostal needs a model of
about 2 GB; `usaddress` knows only United States addresses). The patterns are RE2 (google-re2),
linear in the text the sender controls, and each needs a street word or a postcode's exact shape,
so names of malware, ATT&CK techniques, domains, versions (`Windows 10`, `Server 2019`) and ports
are left alone (tests/gate/test_personal_text.py).
"""

from __future__ import annotations

import importlib
import re
import threading

import re2

from . import addresses_world
from .rx import PY_DIGIT, PY_SPACE, Hint

_OPTIONS = re2.Options()
_OPTIONS.max_mem = 8 << 20
# the patterns searched as one (`_ANY`, `_MORE`) have larger automata: with RE2's default 8 MB they
# run out of DFA memory on address-dense text (RE2 then falls back to its slower NFA and logs each
# time), with 64 MB they do not
_ANY_OPTIONS = re2.Options()
_ANY_OPTIONS.max_mem = 64 << 20


def _re(pattern: str):
    return re2.compile(pattern, options=_OPTIONS)


# street words that end a Dutch, Flemish or German street name (one word with the name before it)
_NL_SUFFIX = (r"straat|str\.?|laan|weg|plein|gracht|kade|singel|dijk|dreef|steeg|hof|markt|plantsoen|"
              r"boulevard|baan|straße|strasse|gasse|allee|platz|damm|steenweg|lei|dreve")
_HOUSE_NUMBER = r"(?:(?:nr|no|n°|nummer)\.?\s*)?\d{1,5}(?:\s?[a-z]{1,2}\b|\s?-\s?\d{1,4}\b|\s(?:bis|hs|huis|boven|rood)\b)?"
_END = r"(?:[^\d.,:/]|[.,]\D|[.,]?$)"
_NL_STREET_P = r"(?i:\b\p{L}[\p{L}'\-]*(?:" + _NL_SUFFIX + r")\s?,?\s" + _HOUSE_NUMBER + _END + ")"
_NL_STREET = _re(_NL_STREET_P)
_NL_STREET_WORD_P = (r"(?i:\b(?:laan|weg|plein|kade|dijk|singel|gracht|straat|dreef|steeg|hof|markt)\s+"
                     r"(?:van|der|de|den|het|'t|ter|te|op|aan|bij|naar|in|voor|over|achter|tussen)"
                     r"(?:\s+\p{L}[\p{L}'.\-]*){1,4}\s+" + _HOUSE_NUMBER + _END + ")")
_NL_STREET_WORD = _re(_NL_STREET_WORD_P)
_NL_TWO_WORDS_P = (r"\b\p{Lu}\p{L}+\s+(?:Markt|Plein|Laan|Kade|Dijk|Singel|Gracht|Weg|Straat|Steenweg|Dreef|Hof|Wal)\s+"
                   + _HOUSE_NUMBER + _END)
_NL_TWO_WORDS = _re(_NL_TWO_WORDS_P)
_EN_SUFFIX = (r"Street|St\.?|Road|Rd\.?|Avenue|Ave\.?|Lane|Ln\.?|Drive|Boulevard|Blvd\.?|Court|Ct\.?|Place|"
              r"Square|Sq\.?|Terrace|Close|Crescent|Way|Parkway|Highway|Gardens|Row|Mews|Walk")
_EN_STREET_P = r"\b\d{1,5}[A-Za-z]?,?\s+(?:(?:\p{Lu}[\p{L}'\-]*|\d{1,3}(?:st|nd|rd|th)|of|the|de|la)\s+){1,4}(?:" + _EN_SUFFIX + r")(?:\W|$)"
_EN_STREET = _re(_EN_STREET_P)
_NOT_STREETS = frozenset({"google", "hard", "usb", "flash", "network", "cloud", "shared", "mapped", "removable",
                         "disk", "external", "virtual", "test", "one", "the", "of"})
_FR_STREET_P = (r"(?i:\b\d{1,4}(?:\s?(?:bis|ter))?,?\s+(?:rue|avenue|boulevard|bd|chemin|impasse|quai|allée)"
                r"\s+(?:de\s+la\s+|de\s+l'|du\s+|des\s+|de\s+|d')?\p{L}[\p{L}'\-]+)")
_FR_STREET = _re(_FR_STREET_P)
_POSTCODE_P = r"\b([1-9]\d{3})\s?([A-Z]{2})\b"
_POSTCODE = _re(_POSTCODE_P)
# the same forms in lower case, and forms that need a place or a line of their own to be told from
# other text: a lower-case English street with its full street word and a comma or the end after it
# (`221b baker street, london`, `14 high st, …`); a lower-case Dutch two-word street and a place
# (`grote markt 1, groningen`); a lower-case Dutch postcode and a place after a comma
# (`damrak 1, 1012 lg amsterdam`); a P.O. box (`postbus 123`, `Postfach 12`, `PO Box 7`); a German,
# French or Belgian postcode and a capitalised place after a comma (`…, 10117 Berlin`, `…, 75008
# Paris`); a British postcode after a comma (`…, SW1A 2AA`); French, Belgian and Swiss street-first
# forms with a capitalised name (`Rue de la Loi 16`, `3 place de la Concorde`, `18 route de Ferney`)
_EN_LOWER_P = (r"(?i:\b\d{1,5}[a-z]?,?\s+(?:[a-z][a-z'\-]*\s+){1,3}(?:street|road|avenue|lane|drive|boulevard|st|rd|"
               r"ave)\.?\s*(?:,|\n|$))")
_NL_LOWER_TWO_P = (r"(?i:\b\p{L}{3,}\s+(?:markt|plein|laan|kade|dijk|singel|gracht|weg|straat|steenweg|dreef|hof|wal)"
                   r"\s+\d{1,5}[a-z]?\s*,\s*\p{L}{3,})")
_LOWER_POSTCODE_P = r"(?:^|[,;:\n]\s*)[1-9]\d{3}\s?[a-z]{2}\s+\p{L}{3,}"
_PO_BOX_P = r"(?i:\b(?:postbus|postfach|po\s+box|p\.\s?o\.\s+box|boîte\s+postale|apartado)\s+\d{1,6}\b)"
_EU_POSTCODE_P = r"[,;\n]\s*\d{4,5}\s+\p{Lu}\p{Ll}{2,}"
_UK_POSTCODE_P = r"(?:^|[,;\n]\s*)[A-Z]{1,2}\d[A-Z\d]?\s\d[A-Z]{2}\b"
_FR_FIRST_P = (r"\b(?:Rue|Avenue|Boulevard|Chaussée|Place|Chemin|Quai|Route|Cours|Allée|Impasse|Via|Calle|Rua|Piazza)"
               r"\s+(?:(?:de|la|du|des|del|della|di)\s+|d'|l')*\p{Lu}[\p{L}'\-]+(?:\s+\p{L}[\p{L}'\-]+){0,3}\s+\d{1,4}[a-z]?\b")
_FR_NUMBER_FIRST_P = (r"(?i:\b\d{1,4}(?:\s?(?:bis|ter))?,?\s+)(?:place|route|cours|chaussée|square|passage|via)"
                      r"\s+(?:(?:de|la|du|des|del|della|di)\s+|d'|l')*\p{Lu}[\p{L}'\-]+")
_MORE = Hint("|".join([_EN_LOWER_P, _NL_LOWER_TWO_P, _LOWER_POSTCODE_P, _PO_BOX_P, _EU_POSTCODE_P, _UK_POSTCODE_P,
                      _FR_FIRST_P, _FR_NUMBER_FIRST_P]), options=_ANY_OPTIONS)
# all of them in one pattern: one search tells most texts apart (each call into RE2 costs a few µs).
# Its automaton is larger than the others': with RE2's default 8 MB it runs out of DFA memory on
# address-dense text (RE2 then falls back to its slower NFA and logs each time), with 64 MB it does not
_ANY = Hint("|".join([_NL_STREET_P, _NL_STREET_WORD_P, _NL_TWO_WORDS_P, _EN_STREET_P, _FR_STREET_P,
                             _POSTCODE_P]), options=_ANY_OPTIONS)
_PLACE_AFTER = _re(r"^,?\s+\p{Lu}[\p{L}'\-]{2,}")
_MAX_CANDIDATES = 1000
_NOT_POSTCODE_LETTERS = frozenset({"SA", "SD", "SS"})
_ABBREVIATIONS = frozenset({
    "EU", "US", "UK", "UN", "AD", "BC", "CE", "AM", "PM", "MB", "GB", "KB", "TB", "PB", "NT", "XP", "OS", "IP",
    "ID", "IT", "AI", "HQ", "TV", "PC", "CA", "DC", "UA", "RU", "CN", "IR", "KP", "NL", "DE", "FR", "BE", "Q1",
    "Q2", "Q3", "Q4", "H1", "H2", "ML", "VM", "CVE", "OR", "AND", "TO", "BY", "OF", "ON", "IN", "AT", "AS", "IS",
    "NO", "SP", "R2", "LT", "EN", "DNS", "MS", "HP", "GO", "JS", "UI", "AV", "ED", "ET", "AL"})


def found(text: str) -> str | None:
    """`a street address`, `a postcode`, or None. Expects normalised text (`normalise`)."""
    if " " not in text and "\n" not in text and "\t" not in text:
        # every form but a postcode standing alone (`1234AB`) has a space (after NFKC)
        m = _POSTCODE.search(text) if len(text) == 6 else None
        if m and m.group(2) not in _NOT_POSTCODE_LETTERS:
            return "a postcode"
        return None if text.isascii() else addresses_world.found(text)    # `東京都千代田区千代田1-1`
    if not _ANY(text):                 # one RE2 call rules most text out
        return _more(text)
    if _NL_STREET.search(text) or _NL_STREET_WORD.search(text) or _NL_TWO_WORDS.search(text) \
            or _FR_STREET.search(text):
        return "a street address"
    for m in _EN_STREET.finditer(text):
        words = m.group(0).split()[1:-1]
        if not all(w.lower().strip(",") in _NOT_STREETS for w in words):
            return "a street address"
    for n, m in enumerate(_POSTCODE.finditer(text)):
        if n == _MAX_CANDIDATES:
            return "a postcode"         # more postcode-shaped text than is checked: read as one (fail closed)
        digits, letters = m.group(1), m.group(2)
        if letters in _NOT_POSTCODE_LETTERS:
            continue
        whole = text.strip() == m.group(0)
        if whole:
            return "a postcode"
        if 1900 <= int(digits) <= 2099 and letters in _ABBREVIATIONS:
            continue
        if letters in _ABBREVIATIONS:
            continue
        before = text[max(0, m.start() - 40):m.start()].rstrip(" \t")
        if (before or m.start() > 40) and (not before or before[-1] not in ",;:(\n"):
            continue                    # an address line starts the text or follows a comma or a colon
        if _PLACE_AFTER.search(text[m.end():m.end() + 40]):
            return "a postcode"
    return _more(text)


def _more(text: str) -> str | None:
    """The forms of `_MORE` (see there); one RE2 search."""
    if not _MORE(text):
        return addresses_world.found(text)
    m = _MORE.pattern.search(text)
    words = m.group(0).lower().split()
    if any(w in ("to", "ways", "and", "or", "than", "per") for w in words):
        return None                     # "5 ways to drive", "3 times per road": counting, not a street
    return "a street address"


# -- street names without a street word (fourth round) --------------------------------------------------

_CITY_LOCALES = ("nl_NL", "nl_BE", "de_DE", "de_AT", "de_CH", "pl_PL", "cs_CZ", "da_DK", "sv_SE", "pt_PT", "it_IT")
_CAPITALS = frozenset({
    "den haag", "the hague", "'s-gravenhage", "amsterdam", "rotterdam", "utrecht", "brussel", "brussels", "bruxelles",
    "antwerpen", "antwerp", "gent", "luxembourg", "luxemburg", "paris", "lyon", "marseille", "london", "berlin",
    "hamburg", "münchen", "munich", "köln", "cologne", "frankfurt", "wien", "vienna", "bern", "zürich", "zurich",
    "genève", "geneva", "madrid", "barcelona", "lisboa", "lisbon", "roma", "rome", "milano", "milan", "dublin",
    "kopenhagen", "copenhagen", "københavn", "stockholm", "oslo", "helsinki", "warszawa", "warsaw", "praha",
    "prague", "budapest", "bratislava", "ljubljana", "zagreb", "athens", "athína", "bucharest", "bucurești",
    "sofia", "vilnius", "riga", "tallinn", "kyiv", "kiev", "moscow", "moskva", "minsk", "ankara", "istanbul"})
# words before a number that make it a version, a count or a port, not a house number
_NOT_STREET_NAMES = frozenset({
    "windows", "server", "office", "exchange", "build", "version", "release", "port", "ports", "chrome", "firefox",
    "android", "ios", "ubuntu", "debian", "fedora", "centos", "rhel", "macos", "linux", "kernel", "python", "java",
    "net", "iis", "apache", "nginx", "php", "tls", "ssl", "smb", "smbv", "http", "vlan", "pid", "cve", "rfc", "iso",
    "phase", "stage", "step", "level", "section", "chapter", "page", "item", "part", "wave", "group", "team", "unit",
    "apt", "fin", "unc", "ta", "as", "asn", "top", "day", "week", "month", "year", "q", "h", "v", "rule", "event",
    "id", "no", "number", "figure", "table", "appendix", "annex", "article", "art", "lid", "sid", "uid", "gid"})
_PLACE_WORD = r"[A-ZÀ-ÖØ-ÞĀ-ɏ'][\w'’\-]*"
_NAME_WORD = r"[A-ZÀ-ÖØ-ÞĀ-ɏ][^\W\d_]+"
_WITH_PLACE = re.compile(rf"(?<![\w.])((?:{_NAME_WORD}\s+){{0,2}}{_NAME_WORD})\s+(\d{{1,4}})\s?[a-zA-Z]?(?:-\d{{1,4}})?"
                         rf"\s*,?\s+(?:\d{{4}}\s?[A-Z]{{2}}\s+|\d{{4,5}}\s+)?({_PLACE_WORD}(?:[\s\-]{_PLACE_WORD}){{0,2}})")
# a number, then a capitalised word: in RE2 for the shared pass (`rx.prime`), with Python's `\s` and `\d`
_PLACE_HINT = Hint(rf"[A-Za-zÀ-ɏ]{{3}}[{PY_SPACE}]+{PY_DIGIT}{{1,4}}[a-zA-Z]?(?:-{PY_DIGIT}{{1,4}})?[{PY_SPACE}]*,?"
                   rf"[{PY_SPACE}]+[{PY_DIGIT}A-ZÀ-ÖØ-ÞĀ-ɏ']")
_IN_PROPERTY = re.compile(r"(?<![\w.])([^\W\d_][\w'’.\-]*(?:\s+[^\W\d_][\w'’.\-]*){0,4})\s+(?:nr\.?\s*|no\.?\s*)?"
                          r"(\d{1,5})\s?[a-zA-Z]{0,2}(?![\w.:/])"
                          r"|(?<![\w.:/])(\d{1,5})[a-zA-Z]?,?\s+([^\W\d_]{3,})")
_lock = threading.Lock()
_places: set[str] = set()


def _cities() -> set[str]:
    """The places `_WITH_PLACE` accepts, lower-cased: Faker's cities of `_CITY_LOCALES` and `_CAPITALS`
    (loaded once, on first use)."""
    if not _places:
        with _lock:
            if not _places:
                got = set(_CAPITALS)
                for locale in _CITY_LOCALES:
                    try:
                        got.update(c.lower() for c in importlib.import_module(
                            f"faker.providers.address.{locale}").Provider.cities)
                    except (ImportError, AttributeError):
                        continue
                _places.update(got)
    return _places


def _street_name(words: str) -> bool:
    """Words that may be a street's name: the last no product's or counting word and no common word."""
    from .name_gazetteer import common_words
    last = words.split()[-1].lower()
    return last not in _NOT_STREET_NAMES and last not in common_words() and len(last) >= 3


def with_place(text: str) -> bool:
    """A street name without a street word, its house number and a known place after it (`Voorhout 9,
    Den Haag`, `LANGE VOORHOUT 9 'S-GRAVENHAGE`); see the module docstring. Expects normalised text."""
    if not _PLACE_HINT(text):                 # a number, then a capitalised word: most text has none
        return False
    for n, m in enumerate(_WITH_PLACE.finditer(text)):
        if n == _MAX_CANDIDATES:
            return True                   # more candidates than are checked: read as one (fail closed)
        number = int(m.group(2))
        if 1900 <= number <= 2099 or not _street_name(m.group(1)):
            continue
        place = m.group(3).lower()
        words = place.split()
        cities = _cities()
        if any(" ".join(words[:k]).strip(",.") in cities for k in range(len(words), 0, -1)):
            return True
    return False


def in_address_property(text: str) -> bool:
    """In a property named for an address, or in a `location` object: a name followed by a house
    number (`LANGE VOORHOUT 9`, `Voorhout 9a`, `Dorpsstraat nr. 7`) or a house number followed by a
    name (`9 Lange Voorhout`). Versions, ports and counts (`Windows 10`, `port 443`) are not."""
    if not any(c.isdigit() for c in text):
        return False
    for n, m in enumerate(_IN_PROPERTY.finditer(text)):
        if n == _MAX_CANDIDATES:
            return True
        if m.group(1) is not None:
            last = m.group(1).split()[-1].lower().rstrip(".")
            if last not in _NOT_STREET_NAMES and len(last) >= 3:
                return True
        elif m.group(4).lower() not in _NOT_STREET_NAMES:
            return True
    return False
