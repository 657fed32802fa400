"""Persons' names in running text: descriptions, report texts, comments, notes, opinions, MISP
`text`/`comment` attributes and custom `x_` properties (`is_prose` says which properties).

A name is found in three forms:
- an alias of two or three parts joined by dots or underscores standing alone (`ivan.petrov`,
  `j.smith`, `ivan_petrov`; `person_names`' rule for such tokens, not inside domains or paths);
- a given name (`name_gazetteer`: Faker's given names of many locales), capitalised, followed by a
  capitalised surname, surname particles allowed between them (`Jan de Vries`, `Pieter van der Berg`,
  `Mohammed bin Salman`, `Sergey Ivanov`, `Сергей Иванов`). The surname must be no common word (of
  English, Dutch, German or French), no codename word (`person_names`: `Bear`, `Spider`, `Group`, …)
  and no product word (`_PRODUCT_WORDS`); a given name that is itself a common word (`Will`, `May`,
  `Mark`, `Grant`, `Rose`) counts only before a surname the gazetteer knows (`Mark Russinovich`
  is not read, `Mark Smith` is): so `Windows Defender`, `Cobalt Strike`, `Grant Access`, `May
  Microsoft` and ATT&CK's prose are not names;
- a title or a role word followed by capitalised name words (`Mr`, `Mrs`, `Ms`, `Dr`, `dhr.`,
  `mevr.`, `de heer`, `mevrouw`, `Herr`, `Frau`; `operator`, `owner`, `employee`, `named`, `genaamd`,
  `alias`, `aka`): two or more words that `person_names.may_name_a_person` reads as a name, or one
  word the gazetteer knows (a surname after a title, a given name after a role word).

What it says: a finding per text (never the name). Possible personal data: a person judges (the
gate escalates, naming the object and the property).

Own code: no maintained named-entity recogniser is small and fast enough to run over every text of
a 10,000-object bundle (spaCy's smallest model takes milliseconds a text and 50 MB); this is a
gazetteer lookup around one regular expression (Python's `re`, no nested unbounded repetition:
linear), cached per text.
"""

from __future__ import annotations

import re
import threading

from . import name_gazetteer, name_orders, person_keys, prose_names_more, rx
from .rx import PY_SPACE, Hint
from .person_names import _GROUP_WORDS, _SURNAME_LIKE, _joined, may_name_a_person

_UPPER = "A-ZÀ-ÖØ-ÞĀ-ɏА-ЯЁІЇЄҐΑ-Ω"       # Latin Extended-A and -B hold both cases (Ş, ı, Ł, ž)
_LOWER = "a-zß-öø-ÿĀ-ɏа-яёіїєґα-ωάέήίόύώ"
_CAP = rf"[{_UPPER}][{_LOWER}]+(?:['’][{_UPPER}][{_LOWER}]+)?(?:-[{_UPPER}][{_LOWER}]+)?"
_PARTICLE = r"(?:de|den|der|van|von|vom|ter|ten|te|da|di|del|della|dos|du|des|la|le|al|el|bin|ibn|bint|ben|abu|y)"
# every capitalised word followed by particles and a capitalised word (a lookahead, so that
# `Will Jan Jansen` is tried at `Will` and at `Jan`)
_PAIR = re.compile(rf"(?<![\w@.\\/\-])(?=({_CAP})\s+((?:{_PARTICLE}\s+){{0,3}})({_CAP})(?![\w@\\/]|[.\-][\w]))")
# cheap first looks: two capitalised words in a row (particles between), and a title or role word
_PAIR_HINT = re.compile(rf"[{_UPPER}][{_LOWER}]+\s+(?:[a-z]{{1,4}}\s+){{0,3}}[{_UPPER}][{_LOWER}]")
# (each word's first letter in both cases rather than `(?i)`, which makes Python's `re` twice as slow here)
_CUE_HINT = re.compile(r"\b(?:[Mm](?:rs?|s|x|me|lle|evr|w|evrouw|edewerker)|[Dd](?:r|hr)|[Pp]rof|[Hh]e(?:rr|er)|[Ff]rau"
                       r"|[Oo](?:perator|wner)|[Ee](?:mployee|igenaar)|[Nn]amed|[Gg]enaamd|[Aa](?:lias|ka|\.k\.a))\b")
_CAPITAL = re.compile(rf"[{_UPPER}](?:[{_LOWER}]|\.\s)")
# the same looks in RE2 for the shared pass (`rx.prime`): supersets of the three above (Python's `\s`
# spelled out, the cue words without their word boundaries) and of `_JOINED` below (a letter, a dot
# or an underscore, a letter; any non-ASCII character counts as a letter there)
_CAPITAL_HINT = Hint(rf"[{_UPPER}](?:[{_LOWER}]|\.[{PY_SPACE}])")
_PAIR_SUPERSET = Hint(rf"[{_UPPER}][{_LOWER}]+[{PY_SPACE}]+(?:[a-z]{{1,4}}[{PY_SPACE}]+){{0,3}}[{_UPPER}][{_LOWER}]")
_CUE_SUPERSET = Hint(_CUE_HINT.pattern.replace(r"\b", ""))
_JOINED_HINT = Hint(r"[^\x00-\x40\x5b-\x60\x7b-\x7f][._][^\x00-\x40\x5b-\x60\x7b-\x7f]")  # ASCII letters, any non-ASCII
# a token of two or three parts of letters joined by a dot or an underscore, standing alone (not part
# of a domain, a path, an address or a longer dotted name): `ivan.petrov`, `j.smith`, `ivan_petrov`
_JOINED = re.compile(r"(?<![\w.@/\\\-])[^\W\d_]+(?:[._][^\W\d_]+){1,2}(?![\w@/\\\-]|\.[^\W\d_])")
_TITLE = re.compile(rf"(?<![\w.])(?:(Mr|mr|Mrs|Ms|Mx|Dr|Prof|Herr|Frau|Mme|Mlle|dhr|Dhr|mevr|Mevr|mw|Mw)\.?|"
                    rf"(de heer|De heer|mevrouw|Mevrouw))\s+((?:{_CAP}|{_PARTICLE}(?!\w)|[{_UPPER}]\.)(?:\s+(?:{_CAP}|{_PARTICLE}(?!\w)|[{_UPPER}]\.)){{0,3}})")
_ROLE = re.compile(rf"(?i:\b(?:operator|owner|employee|medewerker|eigenaar|named|genaamd|alias|aka|a\.k\.a\.)"
                   rf"[:,]?\s+)((?:{_CAP})(?:\s+(?:{_CAP}|{_PARTICLE})){{0,3}})")
# words of product, vendor and technique names that follow given names in threat reports
_PRODUCT_WORDS = frozenset({
    "windows", "defender", "office", "exchange", "outlook", "server", "studio", "edge", "chrome", "explorer",
    "shell", "script", "scripts", "access", "directory", "desktop", "services", "protocol", "strike", "beacon",
    "stealer", "loader", "ransomware", "backdoor", "trojan", "dropper", "botnet", "framework", "toolkit", "kit",
    "exploit", "exploits", "rat", "panel", "gate", "locker", "crypter", "miner", "worm", "wiper", "spyware",
    "agent", "client", "console", "platform", "cloud", "portal", "gateway", "firewall", "router", "update",
    "updater", "installer", "manager", "monitor", "center", "centre", "security", "secure", "antivirus",
    "endpoint", "sentinel", "intelligence", "research", "labs", "systems", "networks", "technologies",
    "software", "hardware", "foundation", "university", "institute", "ministry", "government", "police",
    "army", "navy", "force", "command", "agency", "bureau", "department", "corporation", "company", "inc", "ltd",
    "airport", "station", "street", "square", "bridge", "river", "valley", "island", "islands", "city",
    "county", "state", "province", "region", "district", "harbour", "harbor", "falls", "beach", "park",
    "hotel", "hospital", "bank", "church", "school", "college", "times", "post", "journal", "news", "herald",
    "tribune", "express", "mail", "tech", "apt", "unc", "cve", "api", "sdk", "dns", "http", "https"})

_cache: dict[str, bool] = {}
_lock = threading.Lock()
_LIMIT = 200_000


def find(text: str) -> str | None:
    """What person's name a running text holds: "a person's name (a given name and a surname)",
    "a person's name (after a title or a role)", or None. Cached per text; thread-safe."""
    if len(text) < 5:
        return None
    got = _cache.get(text, 0)
    if got == 0:
        rx.prime(text)                        # one pass answers the pre-filters here and in `personal_text`
        got = _find(text) or prose_names_more.find(text) or name_orders.in_prose(text)
        with _lock:
            if len(_cache) >= _LIMIT:
                _cache.clear()
            _cache[text] = got
    return got


def _find(text: str) -> str | None:
    if ("." in text or "_" in text) and _JOINED_HINT(text) \
            and any(_joined(m.group(0)) for m in _JOINED.finditer(text)):
        return "a person's name (an alias joined by dots or underscores)"
    if not _CAPITAL_HINT(text) or not (_PAIR_SUPERSET(text) or _CUE_SUPERSET(text)) \
            or _CAPITAL.search(text) is None or (_PAIR_HINT.search(text) is None and _CUE_HINT.search(text) is None):
        return None                           # cheap looks rule out most text
    given, family, words = (name_gazetteer.given_names(), name_gazetteer.surnames(),
                            name_gazetteer.common_words())
    for m in (_PAIR.finditer(text) if _PAIR_HINT.search(text) else ()):
        first, last = m.group(1).lower(), m.group(3).lower()
        if first not in given or first in _GROUP_WORDS:
            continue
        core = last.split("-")[0]
        if (core in _GROUP_WORDS and core not in _SURNAME_LIKE) or core in _PRODUCT_WORDS \
                or (_common(core, words) and core not in family):
            continue
        if first in words and core not in family:
            continue               # `Will`, `May`, `Grant`: only before a known surname
        return "a person's name (a given name and a surname)"
    if _CUE_HINT.search(text):
        for m in _TITLE.finditer(text):
            if _named(m.group(3), family | given, title=True):
                return "a person's name (after a title or a role)"
        for m in _ROLE.finditer(text):
            if _named(m.group(1), given, title=False):
                return "a person's name (after a title or a role)"
    return None


def _common(word: str, words: frozenset[str]) -> bool:
    """A common word, or the plural of one (`Accounts`, `Services`, `Policies`)."""
    return word in words or (word[-1:] == "s" and (word[:-1] in words or word[-3:] == "ies" and word[:-3] + "y" in words
                                                   or word[-2:] == "es" and word[:-2] in words))


def _named(words_after: str, known: frozenset[str], title: bool) -> bool:
    """The capitalised words after a title or a role name a person: two or more that read as a
    name, or one the gazetteer knows (surname or given name after a title, given name after a role)."""
    ws = words_after.split()
    while ws and ws[-1].lower() in _PARTICLE_WORDS:
        ws.pop()
    if not ws:
        return False
    if len(ws) >= 2 and may_name_a_person(" ".join(ws)):
        return True
    w = ws[0].lower()
    return w in known and w not in _GROUP_WORDS and w not in _PRODUCT_WORDS \
        and (title or w not in name_gazetteer.common_words())


_PARTICLE_WORDS = frozenset(_PARTICLE.strip("(?:)").split("|"))

# properties holding running text (their last name's words), and every custom `x_` property
_PROSE_WORDS = frozenset({"description", "descriptions", "content", "contents", "comment", "comments", "text",
                          "note", "notes", "opinion", "explanation", "summary", "abstract", "body", "report",
                          "remark", "remarks", "details", "detail", "analysis", "info", "message", "narrative",
                          "context", "objective", "goals", "goal", "story", "statement", "toelichting",
                          "opmerking", "beschrijving", "omschrijving"})
_PROSE: dict[str, bool] = {}


def is_prose(prop: str) -> bool:
    """The property at `prop` (a path: `description`, `external_references[0].description`,
    `x_acme.notes[1]`) holds running text: its last name is a word of `_PROSE_WORDS`, or the path
    starts with a custom `x_` property. Cached."""
    got = _PROSE.get(prop)
    if got is None:
        last = re.sub(r"\[\d+\]", "", prop).rsplit(".", 1)[-1]
        got = prop.startswith("x_") or any(w in _PROSE_WORDS for w in person_keys.words(last))
        if len(_PROSE) > 50_000:
            _PROSE.clear()
        _PROSE[prop] = got
    return got
