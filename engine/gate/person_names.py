"""Does a name look like a person's name? Used for the names and aliases of threat actors and
intrusion sets, the names of organisations (a one-person business is named after its owner),
MISP threat-actor galaxy clusters and note authors.

A name may name a person when it is two to five words of letters of any script (Latin, Cyrillic,
Greek, Arabic, Hebrew, …), in any case (`Ivan Petrov`, `ivan petrov`, `IVAN PETROV`; camel case
such as `PowerShell` is a product's), initials such as `J.` and surname particles such as `de`,
`van der`, `al`, `bin` allowed, and no word belongs to the vocabularies vendors name groups with
(`Bear`, `Panda`, `Kitten`, `Typhoon`, `Blizzard`, `Group`, `Team`, `Gang`, metals and colours,
...); or, in the scripts that write names without spaces (Chinese, Japanese, Korean), two to six
letters of those scripts (`王伟`, `김민준`). Codenames with digits (`APT28`, `FIN7`, `UNC2452`) and
single words of other scripts (`Turla`) are not read as persons' names.

A group word does not clear a name whose first word is a given name (`name_gazetteer`: Faker's
given names of many locales) when the group word is also a surname (colours, metals, a few animals
and weather words: `Walter White`, `Jack Black`, `Tom Gold`); the codename words proper (`Bear`,
`Panda`, `Kitten`, `Typhoon`, `Sleet`, `Team`, `Group`, …) still do (`Jade Sleet`, `Lazarus Group`).
A single token of two or three parts joined by dots, underscores or hyphens (`ivan.petrov`,
`ivan_petrov`, `j.smith`, `petrov.ivan`) names a person when one part is a given name and the other
a surname or a word that is no common word, or when an initial stands before a surname.

Own code: no well-kept library tells a person's name from a group's codename (a name classifier such
as probablepeople reads `Fancy Bear` as a person and `Evgeniy Bogachev` as a company). The rule is
deliberately wide: a name it cannot settle escalates for a person to judge, naming the object and
the property, and never passes silently.
"""

from __future__ import annotations

import re
import unicodedata

from . import name_gazetteer
from .normalise import INVISIBLE

_PARTICLES = {"de", "den", "der", "van", "von", "vom", "zu", "ten", "ter", "te", "het", "'t", "da", "das", "do",
              "dos", "di", "del", "della", "du", "des", "la", "le", "al", "el", "bin", "ibn", "bint", "ben", "abu",
              "y", "e", "mac", "st.", "op", "in"}
_GROUP_WORDS = {
    # generic
    "group", "groups", "team", "gang", "crew", "corp", "corporation", "inc", "ltd", "llc", "squad", "army",
    "club", "collective", "syndicate", "cartel", "network", "operation", "operations", "campaign", "actor",
    "actors", "hackers", "hacker", "unit", "brigade", "company", "labs", "lab", "bureau", "agency",
    "ministry", "service", "services", "foundation", "institute", "university", "bank", "security",
    "cyber", "cert", "csirt", "soc", "council", "association", "partners", "holding", "systems",
    "technologies", "solutions", "industries", "industry", "enterprises", "international", "consulting",
    "incident", "response", "center", "centre", "department", "office", "helpdesk", "desk", "software",
    "hosting", "telecom", "b.v.", "bv", "n.v.", "nv", "gmbh",
    "ag", "sa", "s.a.", "plc", "kitten", "kittens", "bears", "pandas", "spiders",
    # CrowdStrike's animals
    "bear", "panda", "chollima", "spider", "jackal", "tiger", "buffalo", "crane", "leopard", "lynx", "ocelot",
    "wolf", "hawk", "kangaroo", "saiga", "chinchilla", "libra", "mantis",
    # Unit 42's constellations
    "ursa", "serpens", "taurus", "scorpius", "pisces", "draco", "aries", "lupus", "cancer", "capricorn", "gemini",
    "virgo", "sagittarius", "aquarius",
    # Microsoft's weather
    "typhoon", "blizzard", "sleet", "sandstorm", "tempest", "hail", "cyclone", "flood", "dust", "tsunami",
    "storm", "rain", "snow", "lightning", "thunder",
    # Secureworks' metals and Proofpoint/Mandiant words
    "gold", "bronze", "iron", "cobalt", "nickel", "tin", "zinc", "platinum", "copper", "silver", "aluminum",
    "bismuth", "mercury", "lead", "tungsten", "carbon", "titanium",
    # colours and the like used in codenames
    "red", "blue", "green", "black", "white", "brown", "gray", "grey", "dark", "shadow", "ghost", "night", "midnight", "cozy", "fancy",
    "charming", "wizard", "scattered", "mustang", "volt", "deep", "rocket", "sand", "sandworm", "equation",
    "lazarus", "cloud", "hat", "hats", "apt", "ransomware", "botnet", "malware", "kit", "panel", "market",
    "forum", "leaks", "leak", "news", "media", "bot", "bots", "worm", "rat", "loader", "stealer",
    # animals, creatures and other nouns of codenames
    "the", "tribe", "turtle", "hound", "eagle", "staff", "librarian", "dragon", "dragons", "cat", "dog", "fox",
    "owl", "snake", "viper", "cobra", "scorpion", "falcon", "raven", "crow", "bee", "hornet", "wasp", "shark",
    "whale", "grizzly", "lion", "jaguar", "puma", "panther", "bat", "rabbit", "dolphin", "octopus", "kraken", "hydra",
    "phoenix", "unicorn", "goblin", "troll", "elephant", "rhino", "gorilla", "monkey", "ape", "mole", "rats",
    "sparrow", "pigeon", "swan", "heron", "pelican", "cricket", "locust", "beetle", "ant", "ants", "tick",
    # more codename nouns (`Winter Vivern`, `Lotus Blossom`, `Tropic Trooper`, `Vice Society`, `Bouncing Golf`,
    # `Volatile Cedar`, `Gaza Cybergang`, `Desert Falcons`, `Beagle Boys`, `Inky Squid`)
    "vivern", "blossom", "trooper", "troopers", "society", "golf", "cedar", "cybergang", "falcons", "boys", "squid",
    # Trend Micro's Earth/Void/Water, Kaspersky's adjective+animal, PwC's colour+creature, Microsoft's
    # elements (older) and colour/texture words, self-chosen names of groups (`Anonymous Sudan`,
    # `Guardians of Peace`, `Agent Racoon`, `Lord Nemesis`)
    "earth", "void", "water", "crouching", "hidden", "silent", "energetic", "venomous", "yeti", "teal", "yellow",
    "orange", "purple", "pink", "crimson", "scarlet", "azure", "indigo", "cyan", "magenta", "mint", "peach",
    "lace", "cotton", "citrine", "onyx", "aqua", "raspberry", "mulberry", "vanilla", "pumpkin", "sangria",
    "gingham", "plaid", "brass", "marbled", "periwinkle", "velvet", "manatee", "octo", "strontium", "nobelium",
    "phosphorus", "holmium", "gallium", "hafnium", "iridium", "cerium", "europium", "curium", "neodymium",
    "polonium", "promethium", "thallium", "yttrium", "barium", "radium", "osmium", "krypton", "anonymous",
    "guardians", "guardian", "peace", "agent", "agents", "racoon", "raccoon", "nemesis", "legion", "kurma",
    "apollo", "scylla", "kelpie", "garuda", "djinn", "naga", "vulture", "menshen", "dev", "akhlut"}
# group words that are also surnames: they do not clear a name whose first word is a given name
_SURNAME_LIKE = frozenset({"gold", "silver", "copper", "nickel", "tin", "iron", "lead", "bronze", "red", "blue",
                           "green", "black", "white", "brown", "gray", "grey", "fox", "wolf", "hawk", "crane", "swan",
                           "crow", "sparrow", "eagle", "lion", "storm", "rain", "snow", "hail", "cloud", "dust",
                           "stone", "lynx", "tiger", "mole", "falcon", "raven", "cobra", "rocket", "night", "sand",
                           "deep", "dark", "shadow", "ghost", "mercury", "lightning", "thunder", "flood", "bee",
                           "hunter", "mason", "bishop", "king", "carter"})
_TOKEN_PARTS = re.compile(r"[._\-]")
_NOT_NAME_PARTS = frozenset({"exe", "dll", "com", "net", "org", "nl", "ru", "txt", "bat", "ps1", "vbs", "js", "jar",
                             "zip", "rar", "bin", "dat", "log", "tmp", "sys", "doc", "docx", "pdf", "xls", "xlsx",
                             "lnk", "hta", "scr", "msi", "iso", "img", "html", "htm", "php", "asp", "aspx", "py",
                             "sh", "elf", "apk", "onion", "io", "info", "biz", "top", "xyz", "online", "site"})
_JOINERS = str.maketrans({"'": "", "’": "", "-": "", "‐": "", "·": ""})


def _cased_word(w: str) -> bool:
    """A word of a name in a script with case: all lower, all upper, or capitalised (parts joined by
    an apostrophe or a hyphen each so: `O'Brien`, `Jean-Luc`, `van`); `Mc`/`Mac` names too. Camel
    case (`PowerShell`, `WannaCry`, `iPhone`) is how products and codenames are written, not names."""
    if w == w.lower() or w == w.upper():
        return True
    if w[:2] == "Mc" or w[:3] == "Mac":
        return _cased_word(w[2:] if w[:2] == "Mc" else w[3:])
    parts = [p for p in re.split(r"['’\-‐]", w) if p]
    return all(p == p.capitalize() or p.lower() in _PARTICLES or len(p) == 1 for p in parts)


def _name_word(w: str) -> bool:
    """A word of letters of any script (apostrophes and hyphens inside), or an initial (`J.`)."""
    if len(w) == 2 and w[1] == "." and w[0].isalpha():
        return True
    core = w.translate(_JOINERS)
    if not core.isalpha():
        return False
    has_case = any(c.lower() != c.upper() for c in core)
    return _cased_word(w) if has_case else True


def _unspaced(text: str) -> bool:
    """A name written without spaces in a script that writes names so (Chinese, Japanese, Korean):
    two to six letters of those scripts, with a middle dot or a hyphen at most."""
    core = text.translate(_JOINERS).replace("・", "")
    if not 2 <= len(core) <= 6 or not core.isalpha():
        return False
    return all(_CJK(c) for c in core)


def _CJK(c: str) -> bool:
    o = ord(c)
    return (0x3040 <= o <= 0x30FF or 0x3400 <= o <= 0x4DBF or 0x4E00 <= o <= 0x9FFF or 0xAC00 <= o <= 0xD7AF
            or 0x1100 <= o <= 0x11FF or 0xF900 <= o <= 0xFAFF or 0x20000 <= o <= 0x2FA1F)


# what may stand around a name without making it less of one: a nickname in quotes
# (`Evgeniy “Slavik” Bogachev`), an age or a year in brackets (`Ivan Petrov (34)`), a title before it
# (`Mr. Maksim Yakubets`, `dhr. Jansen`, `Dr`)
_NICKNAME = re.compile(r"[\"“”„«»‹›「」『』]+[^\"“”„«»‹›「」『』]{1,40}[\"“”„«»‹›「」『』]+|(?<!\w)'[^']{1,40}'(?!\w)")
_AGE = re.compile(r"[(\[]\s*(?:age\s*|aged\s*|leeftijd\s*|b\.\s*|born\s*|geb\.\s*)?\d{1,4}\s*(?:y\.?o\.?|jr|jaar|years?)?\s*[)\]]"
                  r"|,\s*\d{1,3}\s*$", re.I)
_TITLES = frozenset({"mr", "mrs", "ms", "miss", "mx", "dr", "prof", "sir", "dame", "dhr", "mw", "mevr", "herr", "frau",
                     "m", "mme", "mlle", "sr", "sra", "srta", "gospodin", "attn", "ir", "ing", "drs", "mr.", "st"})


def _bare(name: str) -> str:
    """The name without what may stand around it (`_NICKNAME`, `_AGE`, `_TITLES`), after NFKC and
    with invisible characters (zero-width joiners and spaces, soft hyphens) removed."""
    text = INVISIBLE.sub("", unicodedata.normalize("NFKC", name)).strip()
    if len(text) > 200:
        return text
    text = _AGE.sub(" ", _NICKNAME.sub(" ", text))
    words = text.split()
    while len(words) > 2 and words[0].lower().rstrip(".") in _TITLES:
        words = words[1:]
    return " ".join(words)


def may_name_a_person(name: object) -> bool:
    """True when the text has the shape of a person's name in any script and case (`Ivan Petrov`,
    `ivan petrov`, `Иван Петров`, `Γιώργος Παπαδόπουλος`, `محمد علي`, `王伟`) and no word of a
    group's codename."""
    if not isinstance(name, str):
        return False
    text = _bare(name)
    words = text.replace(",", " ").split()
    if len(words) == 1:
        return _unspaced(words[0]) or _joined(words[0])
    if not 2 <= len(words) <= 5:
        return False
    proper = 0
    given_first = None
    for w in words:
        lw = w.lower()
        if lw in _GROUP_WORDS:
            if given_first is None:
                given_first = words[0].lower() not in _GROUP_WORDS and name_gazetteer.is_given_name(words[0])
            if not (given_first and lw in _SURNAME_LIKE and lw != words[0].lower()):
                return False
        if lw in _PARTICLES:
            continue
        if not _name_word(w):
            return False
        proper += 1
    return proper >= 2


def _joined(token: str) -> bool:
    """A person's name written as one token, its parts joined by dots, underscores or hyphens
    (`ivan.petrov`, `Ivan_Petrov`, `j.smith`, `petrov.ivan`): two or three parts of letters, one a
    given name and the last a surname or no common word (or the reverse), or an initial and a
    surname. File names, domains and codenames (`loader.exe`, `mark.example`, `Group-4127`) are not."""
    if len(token) > 60 or not any(c in token for c in "._-"):
        return False
    parts = [p for p in _TOKEN_PARTS.split(token) if p]
    if not 2 <= len(parts) <= 3 or not all(p.isalpha() and _cased_word(p) for p in parts):
        return False
    lowered = [p.lower() for p in parts]
    first, last = lowered[0], lowered[-1]
    if any(p in _NOT_NAME_PARTS for p in lowered) or any(p in _GROUP_WORDS for p in lowered[:-1]):
        return False
    if last in _GROUP_WORDS and not (last in _SURNAME_LIKE and name_gazetteer.is_given_name(first)):
        return False
    words = name_gazetteer.common_words()

    def surname(p: str) -> bool:
        return name_gazetteer.is_surname(p) or p in _SURNAME_LIKE

    if len(first) == 1:
        return surname(last)
    if name_gazetteer.is_given_name(first) and (surname(last) or (len(last) >= 3 and last not in words)):
        return first not in words or surname(last)
    return name_gazetteer.is_surname(first) and name_gazetteer.is_given_name(last) and last not in words
