"""Persons' names in the orders and cases the running-text readings (`prose_names`,
`prose_names_more`) do not take: names in capitals, the surname first, after a Slavic title, and in
scripts without capital letters (Devanagari, Thai, Georgian). Seventh round of forms (docs/gate.md).

What counts (`in_prose`, asked by `prose_names` for running text):
- two words in capitals that are a given name and a surname Faker knows, in either order
  (`IVAN PETROV`, `PETROV IVAN`), a surname in capitals before a capitalised given name (`DUPONT
  Jean`, as French and Belgian records write it), and a capitalised surname before a given name
  (`Nagy László`, Hungarian and East Asian order); never when either word is a common word, a
  codename's or a product's (`SECURITY UPDATE`, `COBALT STRIKE`, `Fancy Bear`);
- a Vietnamese surname written with its diacritics (`Nguyễn`, `Trần`, `Phạm`) before one to three
  capitalised words (`Nguyễn Văn An`);
- a Russian, Ukrainian or Polish title of address before a capitalised word, declined or not
  (`г-н Петров`, `гражданином Петровым`, `госпожа Иванова`, `пан Kowalski`);
- a romanised Chinese or Korean name: one of the commonest surnames (`Zhu`, `Wang`, `Park`, `Kim`)
  before a given name of one or two syllables in one word (`Zhu Hua`, `Zhang Shilong`), or two
  capitalised or hyphenated syllables (`Park Jin Hyok`, `Park Jin-hyok`), no part a common word.

What counts in ANY text (`script_pair`, asked by `personal_text` through `prose_names_more.script_name`):
Devanagari, Thai and Georgian words (scripts without capitals, where a name cannot be told by its
case): a given name of Faker's hi_IN, th_TH or ka_GE lists followed by a surname of those lists
(`राहुल शर्मा`, `გიორგი ბერიძე`); both, because many given names are also words (`भारत सरकार`, the
Government of India, is no name). Thai names Faker's short lists lack (`สมชาย ใจดี`) are not read.

What it says: a finding per text (never the name); possible personal data, a person judges.

Own code for the reasons `prose_names` gives (no named-entity recogniser small and fast enough for
every text of a 10,000-object bundle). Every form first asks an RE2 pre-filter (`rx.Hint`); the closer
looks are Python `re` without nested unbounded repetition (linear).
"""

from __future__ import annotations

import re

from . import name_gazetteer
from .person_names import _GROUP_WORDS
from .rx import Hint

_UP = "A-ZÀ-ÖØ-ÞĀ-ɏА-ЯЁІЇЄҐ"
_LO = "a-zß-öø-ÿĀ-ɏа-яёіїєґ"

# two words in capitals, or capitals then a capitalised word
_CAPS_HINT = Hint(rf"[{_UP}]{{2,}}\s+[{_UP}][{_UP}{_LO}]|[{_UP}][{_LO}]+\s+[{_UP}]{{2}}")
_CAPS = re.compile(rf"(?<![\w@.\\/-])([{_UP}]{{2,}}(?:-[{_UP}]{{2,}})?|[{_UP}][{_LO}]+)\s+([{_UP}][{_LO}]+|[{_UP}]{{2,}})"
                   rf"(?![\w@\\/]|[.-]\w)")
# a capitalised word then another (for the surname-first order)
_PAIR_HINT = Hint(rf"[{_UP}][{_LO}]+\s+[{_UP}][{_LO}]")
_PAIR = re.compile(rf"(?<![\w@.\\/-])(?=([{_UP}][{_LO}]+)\s+([{_UP}][{_LO}]+)(?![\w@\\/]|[.-]\w))")
# Vietnamese surnames written with their diacritics, before capitalised words
_VIET_HINT = Hint(r"(?:Nguyễn|Trần|Lê|Phạm|Hoàng|Huỳnh|Vũ|Võ|Đặng|Bùi|Đỗ|Hồ|Ngô|Dương|Lý)\s+\p{Lu}")
_VIET = re.compile(r"(?<!\w)(?:Nguyễn|Trần|Lê|Phạm|Hoàng|Huỳnh|Vũ|Võ|Đặng|Bùi|Đỗ|Hồ|Ngô|Dương|Lý)"
                   r"((?:\s+[A-ZÀ-ỹĐ][a-zà-ỹđ]+){1,3})")
# Slavic titles of address, declined (`гражданином Петровым`), before a capitalised word
_TITLE_HINT = Hint(r"(?i)г-[нж]|господ|госпож|гражда|пан[іиеа]?\s|пані\s|pan[ai]?\s")
_TITLE = re.compile(r"(?<!\w)(?i:г-н|г-жа|господин[ауом]*|госпож[аеиу]|гражданин[ауом]*|гражданк[аеиу]|"
                    r"пан[аеиі]?|пані|pan[ai]?)\.?\s+([А-ЯЁІЇЄҐA-ZŁŚŻŹĆŃÓ][а-яёіїєґa-ząćęłńóśźż]{2,})")
# romanised Chinese and Korean surnames (the commonest) before one or two short capitalised syllables
_ROMANISED_SURNAMES = ("Wang", "Li", "Zhang", "Liu", "Chen", "Yang", "Huang", "Zhao", "Wu", "Zhou", "Xu", "Sun",
                       "Ma", "Zhu", "Hu", "Guo", "He", "Lin", "Luo", "Gao", "Zheng", "Liang", "Xie", "Tang", "Han",
                       "Cao", "Deng", "Xiao", "Feng", "Zeng", "Cheng", "Cai", "Peng", "Pan", "Yuan", "Yu", "Dong",
                       "Su", "Ye", "Lu", "Wei", "Jiang", "Tian", "Du", "Ding", "Shen", "Zhong", "Kim", "Lee", "Park",
                       "Choi", "Jung", "Jeong", "Kang", "Cho", "Yoon", "Jang", "Lim", "Shin", "Yoo", "Kwon", "Hwang",
                       "Ahn", "Song", "Jeon", "Hong", "Ko", "Moon", "Yang", "Son", "Bae", "Baek", "Heo", "Nam")
_ROMANISED_HINT = Hint(r"\b(?:" + "|".join(_ROMANISED_SURNAMES) + r")\s+\p{Lu}\p{Ll}{1,5}\b")
_ROMANISED = re.compile(r"(?<![\w@.\\/-])(?:" + "|".join(_ROMANISED_SURNAMES) + r")\s+([A-Z][a-z]{1,9})"
                        r"(?:\s([A-Z][a-z]{1,5})|-([a-z]{1,5}))?(?![\w@\\/]|[.-]\w)")
# syllables a romanised given name is made of: an initial consonant (or none) and a final
_SYLLABLE = re.compile(r"(?:b|p|m|f|d|t|n|l|g|k|h|j|q|x|zh|ch|sh|r|z|c|s|y|w|ny|ts|dz)?"
                       r"(?:a|ai|an|ang|ao|e|ei|en|eng|er|i|ia|ian|iang|iao|ie|in|ing|iong|iu|o|ong|ou|u|ua|uai|uan|"
                       r"uang|ue|ui|un|uo|yu|yeon|yeong|yun|yong|yeol|yu|hyok|hyuk|eok|eon|eong|eun|eum|ae|oe|wan|"
                       r"won|wook|uk|ook|oo|ul|il|al|ol|el|ok|ak|ik|ek|ho|hee|hye|hwa|hun|hoon|soo|su|min|jin|jun)")


_SYLLABLE_1_2 = re.compile(f"(?:{_SYLLABLE.pattern}){{1,2}}")     # `Hua`, `Shilong` (shi-long), `Jin`


def in_prose(text: str) -> str | None:
    """"a person's name (…)" for one of the running-text forms of the module docstring, or None."""
    if _CAPS_HINT(text) and _caps(text):
        return "a person's name (in capitals)"
    if _PAIR_HINT(text) and _surname_first(text):
        return "a person's name (the surname first)"
    if _COMMA_HINT(text) and _surname_comma(text):
        return "a person's name (the surname first)"
    if _VIET_HINT(text) and _VIET.search(text):
        return "a person's name (a Vietnamese name)"
    if _TITLE_HINT(text) and _titled(text):
        return "a person's name (after a title)"
    if _ROMANISED_HINT(text) and _romanised(text):
        return "a person's name (a romanised Chinese or Korean name)"
    return None


def _plain_word(w: str, words: frozenset[str]) -> bool:
    """A word that is no part of a name here: a common word, a codename's or a product's."""
    from .prose_names import _PRODUCT_WORDS         # imported here: prose_names imports this module
    return w in words or w in _GROUP_WORDS or w in _PRODUCT_WORDS


def _caps(text: str) -> bool:
    given, family, words = name_gazetteer.given_names(), name_gazetteer.surnames(), name_gazetteer.common_words()
    for m in _CAPS.finditer(text):
        a, b = m.group(1).lower(), m.group(2).lower()
        if _plain_word(a, words) or _plain_word(b, words) or a == b:
            continue
        if not m.group(2).isupper():
            if a in family and b in given:
                return True               # `DUPONT Jean`: the surname in capitals first
        elif not m.group(1).isupper():
            if a in given and b in family:
                return True               # `Ivan PETROV`: the surname in capitals after
        elif (a in given and b in family) or (a in family and b in given):
            return True                   # `IVAN PETROV`, `PETROV IVAN`
    return False


def _surname_first(text: str) -> bool:
    given, family, words = name_gazetteer.given_names(), name_gazetteer.surnames(), name_gazetteer.common_words()
    for m in _PAIR.finditer(text):
        a, b = m.group(1).lower(), m.group(2).lower()
        if a == b or _plain_word(a, words) or _plain_word(b, words):
            continue
        if b in _MONTHS and _YEAR_AFTER.match(text, m.start() + len(m.group(1)) + 1 + len(m.group(2))):
            continue              # `(Citation: Cybereason Conti Jan 2021)`: a month and its year
        if a in family and a not in given and b in given:
            return True           # `Nagy László`; `Jan Jansen` is read by `prose_names` in its own order
    return False


def _titled(text: str) -> bool:
    """A Slavic title before a word: any capitalised Cyrillic word (declined, so no list knows it), a
    Latin one only when it is a known surname and no common word (`pan Kowalski`, not `Pan American`)."""
    family, words = name_gazetteer.surnames(), name_gazetteer.common_words()
    for m in _TITLE.finditer(text):
        w = m.group(1)
        if not w.isascii() and w[0] in "АБВГДЕЁЖЗИЙКЛМНОПРСТУФХЦЧШЩЭЮЯІЇЄҐ":
            return True
        low = w.lower()
        if low in family and low not in words and low not in _GROUP_WORDS:
            return True
    return False


_MONTHS = frozenset({"jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec"})
_YEAR_AFTER = re.compile(r"\s*,?\s*(?:\d{1,2},?\s+)?(?:19|20)\d\d\b")
# places whose names are romanised Chinese, Korean or Vietnamese syllables (`Hong Kong`, `Ho Chi Minh`)
_ROMANISED_PLACES = re.compile(r"Hong\s+Kong|Kowloon|Ho\s+Chi\s+Minh|Kim\s+Il\s+Sung\s+(?:Square|University)|"
                               r"Wan\s+Chai|Sha\s+Tin|Tsim\s+Sha\s+Tsui|Guang\s*dong|Jiang\s*su|Zhe\s*jiang")


# `Müller, Hans-Peter`: a known surname, a comma and a known given name (not initials: `Schroeder, W.`)
_COMMA_HINT = Hint(r"\p{Lu}\p{Ll}+,\s+\p{Lu}\p{Ll}{2}")
_COMMA = re.compile(rf"(?<![\w@.\\/-])([{_UP}][{_LO}]+),\s+([{_UP}][{_LO}]+)(?:-([{_UP}][{_LO}]+))?(?![\w@\\/]|[.-]\w)")


def _surname_comma(text: str) -> bool:
    given, family, words = name_gazetteer.given_names(), name_gazetteer.surnames(), name_gazetteer.common_words()
    for m in _COMMA.finditer(text):
        a, b = m.group(1).lower(), m.group(2).lower()
        if a != b and a in family and b in given and not _plain_word(a, words) and not _plain_word(b, words):
            return True
    return False


def _romanised(text: str) -> bool:
    words = name_gazetteer.common_words()
    if _ROMANISED_PLACES.search(text):
        text = _ROMANISED_PLACES.sub(" ", text)
    for m in _ROMANISED.finditer(text):
        parts = [p.lower() for p in m.groups() if p]
        if all(_SYLLABLE_1_2.fullmatch(p) and p not in words and p not in _GROUP_WORDS for p in parts):
            return True
    return False


# Devanagari, Thai and Georgian: scripts without capital letters
_NO_CASE_HINT = Hint(r"[\x{0900}-\x{097F}\x{0E00}-\x{0E7F}\x{10A0}-\x{10FF}\x{1C90}-\x{1CBF}]")
_NO_CASE_WORD = re.compile(r"[\u0900-\u097f]+|[\u0e00-\u0e7f]+|[\u10a0-\u10ff\u1c90-\u1cbf]+")


def script_pair(text: str) -> str | None:
    """"a person's name (in Devanagari, Thai or Georgian script)" for a known given name followed by a
    known surname of the script, or None."""
    if not _NO_CASE_HINT(text):
        return None
    ws = _NO_CASE_WORD.findall(text)
    if len(ws) < 2:
        return None
    given, family = name_gazetteer.given_names(), name_gazetteer.surnames()
    for w, nxt in zip(ws, ws[1:]):
        if len(w) > 1 and len(nxt) > 1 and w in given and nxt in family:
            return "a person's name (in Devanagari, Thai or Georgian script)"
    return None
