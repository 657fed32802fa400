"""Given names, surnames and common words of many languages, lower-cased: what the person-name
finders (`person_names`, `prose_names`) look names up in.

Source: Faker's per-locale person providers (`faker.providers.person.<locale>.Provider`:
`first_names`, `first_names_male`, `first_names_female`, `last_names`), a maintained set of the
given names and surnames common in each country, for the locales in `LOCALES` (the Netherlands
and Belgium, the English-, German-, French-, Spanish-, Italian- and Portuguese-speaking world,
Russia, Ukraine, Belarus' and the Balkans' Cyrillic, Poland, Turkey, Iran, the Arab world, Israel,
China, Korea, Japan, India, Vietnam); and Faker's lorem word lists (`faker.providers.lorem.<locale>`,
about a thousand of the commonest words of English, Dutch, German and French) for the common words.
Faker is a generator of test data, not a name database, but no other maintained package keeps
given names of this many locales (`names-dataset` ships 200 MB of scraped Facebook data; `gender-guesser`
is unmaintained since 2016). Loaded once, on first use (about 0.2 s), into frozensets.

Own code: Faker keeps Russian, Ukrainian and Bulgarian names in Cyrillic only, and threat reports
write them in Latin letters (`Sergey`, `Evgeniy`, `Maksim`), so Cyrillic names are also added in a
plain transliteration (BGN/PCGN-like, with the usual variants `-iy`/`-y`, `ks`/`x`, `kh`/`h`);
a few given names that are English words Faker's word lists do not hold (`will`, `grant`, `hunter`, …)
are listed in `_WORD_NAMES`: such a name needs a surname that is no common word to count.
"""

from __future__ import annotations

import importlib
import threading

LOCALES = ("nl_NL", "nl_BE", "en_US", "en_GB", "en_IE", "en_IN", "de_DE", "de_AT", "fr_FR", "es_ES", "es_MX",
           "it_IT", "pt_BR", "pt_PT", "pl_PL", "cs_CZ", "ro_RO", "hu_HU", "sv_SE", "da_DK", "fi_FI", "ru_RU",
           "uk_UA", "bg_BG", "el_GR", "tr_TR", "fa_IR", "ar_AA", "ar_SA", "he_IL", "zh_CN", "ko_KR", "ja_JP",
           "hi_IN", "vi_VN", "id_ID", "az_AZ", "ka_GE", "hy_AM", "th_TH")
_LOREM = ("en_US", "nl_NL", "de_DE", "fr_FR")
# given names that are also English words Faker's lorem lists lack (so that `Grant Access` is no name)
_WORD_NAMES = frozenset({"will", "may", "mark", "bill", "grant", "hunter", "frank", "rose", "georgia", "jordan",
                         "chad", "ray", "chase", "victor", "dawn", "summer", "hope", "guy", "page", "lane",
                         "miles", "art", "bob", "jack", "pat", "sue", "max", "faith", "joy", "grace", "hazel",
                         "ivy", "iris", "june", "april", "august", "autumn", "holly", "amber", "crystal", "penny",
                         "bishop", "king", "carter", "cook", "mason", "baker", "parker", "price", "rich", "sterling",
                         "dash", "drew", "gene", "rob", "sandy", "spring", "storm", "sky", "river", "forest",
                         "stone", "jade", "ruby", "pearl", "star", "diamond", "india", "china", "israel",
                         "kenya", "paris", "austin", "phoenix", "dallas", "florence", "victoria", "virginia",
                         "carolina", "lincoln", "washington", "trinity", "angel", "destiny", "justice",
                         "harmony", "melody", "liberty", "windows", "office", "edge", "teams"})
_CYRILLIC = dict(zip("абвгдеёжзийклмнопрстуфхцчшщъыьэюяіїєґ",
                     ["a", "b", "v", "g", "d", "e", "e", "zh", "z", "i", "y", "k", "l", "m", "n", "o", "p", "r",
                      "s", "t", "u", "f", "kh", "ts", "ch", "sh", "shch", "", "y", "", "e", "yu", "ya", "i", "yi",
                      "ye", "g"]))

_lock = threading.Lock()
_loaded: dict[str, frozenset[str]] = {}


def _latin(name: str) -> set[str]:
    """A Cyrillic name in Latin letters, with the variants reports write (`сергей` -> sergey;
    `дмитрий` -> dmitriy, dmitry; `алексей` -> aleksey, alexey; `михаил` -> mikhail, mihail)."""
    if not any(c in _CYRILLIC for c in name):
        return set()
    base = "".join(_CYRILLIC.get(c, c) for c in name)
    out = {base}
    if base.endswith("iy"):
        out.add(base[:-2] + "y")
        out.add(base[:-2] + "i")
    out |= {v.replace("ks", "x") for v in out} | {v.replace("kh", "h") for v in out}
    return out


def _load() -> dict[str, frozenset[str]]:
    given: set[str] = set()
    family: set[str] = set()
    for locale in LOCALES:
        try:
            provider = importlib.import_module(f"faker.providers.person.{locale}").Provider
        except ImportError:             # a locale a future Faker drops: the others still count
            continue
        # every list of names the locale has, whatever it calls it (`first_names_female`, pl_PL's
        # `male_last_names`, uk_UA's `last_names_male_only`): a feminine or a masculine surname alike
        for attr in dir(provider):
            if "first_names" not in attr and "last_names" not in attr:
                continue
            names = getattr(provider, attr, None)
            if not isinstance(names, (list, tuple, dict)):
                continue
            (given if "first_names" in attr else family).update(n.lower() for n in names if isinstance(n, str))
    given |= {v for n in list(given) for v in _latin(n)}
    family |= {v for n in list(family) for v in _latin(n)}
    words: set[str] = set()
    for locale in _LOREM:
        try:
            words.update(w.lower() for w in importlib.import_module(f"faker.providers.lorem.{locale}").Provider.word_list)
        except ImportError:
            continue
    return {"given": frozenset(given), "family": frozenset(family), "words": frozenset(words | _WORD_NAMES)}


def _get(kind: str) -> frozenset[str]:
    if not _loaded:
        with _lock:
            if not _loaded:
                _loaded.update(_load())
    return _loaded[kind]


def given_names() -> frozenset[str]:
    """Given names of every locale in `LOCALES`, lower-cased (Latin letters also for Cyrillic names)."""
    return _get("given")


def surnames() -> frozenset[str]:
    """Surnames of every locale in `LOCALES`, lower-cased (Latin letters also for Cyrillic names)."""
    return _get("family")


def common_words() -> frozenset[str]:
    """About four thousand common words of English, Dutch, German and French, lower-cased, and the
    given names that are also English words (`_WORD_NAMES`)."""
    return _get("words")


def is_given_name(word: str) -> bool:
    """`word` (any case) is a given name of some locale."""
    return word.lower() in given_names()


def is_surname(word: str) -> bool:
    """`word` (any case) is a surname of some locale."""
    return word.lower() in surnames()


def is_word_name(word: str) -> bool:
    """`word` is a given name that is also a common word (`Will`, `Mark`, `Grant`, `Rose`): it counts
    as a given name only before a surname that is no common word."""
    return word.lower() in common_words()
