"""Persons' names in running text in the forms `prose_names` does not read: initials before a
surname, names in the Arabic, Hebrew, Chinese, Japanese and Korean scripts, and the role words and
titles of French, German and Spanish. Called by `prose_names.find` on every running text it does
not already find a name in (so cached with it).

A name is found in these forms:
- initials and a surname: one to three capital initials with dots (`J.`, `J.P.`, `J. P.`) before a
  surname the gazetteer knows (`name_gazetteer`: Faker's surnames, whole or one part of a double
  name: `J.P. Balkenende-Smit`) or before surname particles and a capitalised word (`J. de Vries`,
  `J.P. van der Berg`); and reversed, a surname with particles or a known surname, a comma and
  initials (`de Vries, J.`, `Smith, J.P.`) in running text;
- a given name before an Arabic surname written in Latin letters with its article or kinship word
  joined by a hyphen (`Mohammed Al-Otaibi`, `Ahmed el-Sayed`);
- Arabic and Persian script (`محمد عبد الله العتيبي`, `علی رضایی`) and Hebrew script (`יוסי כהן`):
  a given name of Faker's ar_*/fa_IR/he_IL locales followed by a word of the same script, a word of
  the script followed by a known surname of it, or a role word or title of those languages
  (`المشغل`, `السيد`, `اپراتور`, `آقای`, `המפעיל`, `מר`) followed by two words of the script;
- Chinese, Japanese and Korean (decided: only after a role word, or, for Japanese and Korean, a
  surname and a given name of Faker's ja_JP/ko_KR lists written together): a role word of those
  languages (`运营者`, `注册人`, `负责人`, `担当者`, `運営者`, `登録者`, `운영자`, `등록자`, …), an
  optional `的`/`の`/`:`/space, then a surname of Faker's zh_CN/ja_JP/ko_KR lists (`王`, `田中`,
  `김`) followed by one or two letters of the script (`王伟`, `田中太郎`, `김민준`); or a Japanese or
  Korean token that is a known surname followed by a known given name (`田中太郎`, `김민준이`, a
  Korean particle after it allowed). A Chinese surname without a role word is not read (every
  character of the commonest surnames is also a common word);
- a French, German or Spanish role word or title (`l'opérateur`, `propriétaire`, `gérant`,
  `exploitant`, `né`/`née`, `M.`, `Mme`; `Betreiber`, `Inhaber`, `Geschäftsführer`; `operador`,
  `propietario`, `titular`, `Sr.`, `Sra.`, `don`, `doña`) followed by two capitalised words that
  `person_names.may_name_a_person` reads as a name, or by one given name the gazetteer knows.

What it says: a finding per text (never the name); possible personal data, a person judges.

Own code for the reasons `prose_names` gives (no named-entity recogniser small and fast enough for
every text of a 10,000-object bundle). Every form first asks an RE2 pre-filter (`rx.Hint`) whether
its letters or cue words occur at all, so most text costs a few microseconds; the closer looks are
Python `re` without nested unbounded repetition (linear).
"""

from __future__ import annotations

import re

from . import name_gazetteer
from .person_names import _GROUP_WORDS, may_name_a_person
from .rx import Hint

_UPPER = "A-ZÀ-ÖØ-ÞĀ-ɏА-ЯЁІЇЄҐΑ-Ω"
_LOWER = "a-zß-öø-ÿĀ-ɏа-яёіїєґα-ωάέήίόύώ"
_CAP = rf"[{_UPPER}][{_LOWER}]+(?:['’][{_UPPER}][{_LOWER}]+)?(?:-[{_UPPER}][{_LOWER}]+)?"
_PARTICLE = r"(?:de|den|der|van|von|vom|ter|ten|te|da|di|del|della|dos|du|des|la|le|al|el|bin|ibn|ben|y)"
_INITIALS = rf"(?:[{_UPPER}]\.\s?){{1,3}}"

# initials then particles then a capitalised word; and reversed
_INIT_HINT = Hint(r"(?:^|[^\w.])\p{Lu}\.")
_INIT_NAME = re.compile(rf"(?<![\w.])({_INITIALS})\s*((?:{_PARTICLE}\s+){{0,3}})({_CAP})(?![\w@\\/]|\.[\w])")
_NAME_INIT = re.compile(rf"(?<![\w.@\\/\-])((?:{_PARTICLE}\s+){{0,3}})({_CAP}),\s*((?:[{_UPPER}]\.\s?){{1,3}})(?!\w)")

# a given name before an Arabic surname written with its article or kinship word (`Mohammed Al-Otaibi`,
# `Ahmed el-Sayed`, `Omar Bin-Laden`)
_PREFIXED_HINT = Hint(r"(?i)\b(?:al|el|abu|bin|ibn|ben)-\p{Lu}")
_PREFIXED = re.compile(rf"({_CAP})\s+(?i:al|el|abu|bin|ibn|ben)-[{_UPPER}][{_LOWER}]{{2,}}")

# Arabic (with Persian letters) and Hebrew words
_ARABIC = "\u0600-\u06ff\u0750-\u077f\ufb50-\ufdff\ufe70-\ufeff"
_HEBREW = "\u0590-\u05ff"
_RTL_HINT = Hint(r"[\x{0590}-\x{06FF}\x{0750}-\x{077F}\x{FB50}-\x{FDFF}\x{FE70}-\x{FEFF}]")
_AR_WORD = re.compile(rf"[{_ARABIC}]+")
_HE_WORD = re.compile(rf"[{_HEBREW}]+")
_RTL_ROLES = frozenset({
    # Arabic: operator, owner, registrant, the accused, mister, madam, named
    "المشغل", "مشغل", "المالك", "مالك", "المسجل", "مسجل", "المتهم", "السيد", "السيدة", "المدعو", "المدعوة",
    "صاحب", "المستخدم", "الموظف",
    # Persian: operator, owner, registrant, mister, madam, named
    "اپراتور", "مالک", "ثبت‌کننده", "آقای", "خانم", "به‌نام", "کاربر", "کارمند",
    # Hebrew: the operator, the owner, the registrant, mister, madam, the suspect, named
    "המפעיל", "מפעיל", "הבעלים", "בעל", "הרושם", "מר", "גב'", "גברת", "החשוד", "בשם", "העובד"})

# Chinese, Japanese, Korean
_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_HANGUL = "\uac00-\ud7af"
_EAST_HINT = Hint(r"[\x{3040}-\x{30FF}\x{3400}-\x{4DBF}\x{4E00}-\x{9FFF}\x{F900}-\x{FAFF}\x{AC00}-\x{D7AF}]")
_EAST_ROLES = (
    # Chinese: operator, registrant, owner, person in charge, contact, suspect, employee, user, named
    "运营者", "運營者", "注册人", "註冊人", "所有者", "所有人", "负责人", "負責人", "联系人", "聯繫人", "嫌疑人",
    "员工", "用户", "名为", "先生", "女士", "经营者", "控制人", "实际控制人", "持有人",
    # Japanese: operator, registrant, person in charge, owner, representative, suspect, user
    "運営者", "運用者", "登録者", "担当者", "代表者", "容疑者", "所有者", "利用者", "社員", "氏名",
    # Korean: operator, registrant, owner, person in charge, representative, suspect, user, named
    "운영자", "등록자", "소유자", "담당자", "대표", "용의자", "사용자", "직원", "명의자")
_EAST_ROLE = re.compile("(?:" + "|".join(sorted(map(re.escape, _EAST_ROLES), key=len, reverse=True))
                        + rf")(?:[的の:：\s]|\s*은\s|\s*는\s)?\s*([{_CJK}{_HANGUL}]{{2,4}})")
_EAST_TOKEN = re.compile(rf"(?<![{_CJK}])[{_CJK}]{{3,4}}(?![{_CJK}])|(?<![{_HANGUL}])[{_HANGUL}]{{3,5}}(?![{_HANGUL}])")
_KO_PARTICLES = ("에게", "이", "가", "은", "는", "을", "를", "의", "씨", "님")

# French, German and Spanish role words and titles
_ROLE_HINT = Hint(r"(?i)(?:op[ée]rat|propri[ée]t|g[ée]rant|exploitant|\bn[ée]e?\b|\bM\.|\bMmes?\b|betreiber|inhaber"
                  r"|gesch[äa]ftsf[üu]hrer|operador|titular|\bSra?\.|\bdo[nñ]a?\b)")
_ROLE = re.compile(rf"(?:(?i:\b(?:l['’])?(?:op[ée]rat(?:eur|rice)|propri[ée]taire|g[ée]rante?|exploitante?|n[ée]e?|"
                   rf"betreiber(?:in)?|inhaber(?:in)?|gesch[äa]ftsf[üu]hrer(?:in)?|operador(?:a)?|propietari[oa]|"
                   rf"titular|do[nñ]a?))|\bM\.|\bMmes?\b\.?|\bSra?\.)[:,]?\s+((?:{_CAP})(?:\s+(?:{_CAP}|{_PARTICLE})){{0,3}})")


# every pre-filter above as one: one RE2 call rules most text out
_ANY_HINT = Hint("|".join(f"(?:{h.pattern.pattern})" for h in (_INIT_HINT, _PREFIXED_HINT, _ROLE_HINT)))


def find(text: str) -> str | None:
    """What person's name in one of this module's forms for running text a text holds: "a person's
    name (initials and a surname)", "a person's name (a given name and a surname)", "a person's name
    (after a title or a role)", or None. Names in Arabic, Hebrew, Chinese, Japanese and Korean script
    are read in every text, running or not (`script_name`, asked by `personal_text`)."""
    if not _ANY_HINT(text):
        return None
    if _INIT_HINT(text) and _initials(text):
        return "a person's name (initials and a surname)"
    if _PREFIXED_HINT(text) and any(m.group(1).lower() in name_gazetteer.given_names()
                                    and m.group(1).lower() not in _GROUP_WORDS for m in _PREFIXED.finditer(text)):
        return "a person's name (a given name and a surname)"
    if _ROLE_HINT(text) and _role(text):
        return "a person's name (after a title or a role)"
    return None


def script_name(text: str) -> str | None:
    """A person's name in Arabic, Persian or Hebrew script, or in Chinese, Japanese or Korean script
    (the forms of the module docstring), or in Devanagari, Thai or Georgian (`name_orders.script_pair`),
    in ANY text: a name of those scripts is no codename or
    product word, so it is read in a STIX `name`, a file name or a label as in running text
    (`personal_text` asks it for every text). "a person's name (in Arabic or Hebrew script)", "a
    person's name (in Chinese, Japanese or Korean script)" or None."""
    if _RTL_HINT(text) and (_rtl(text, _AR_WORD) or _rtl(text, _HE_WORD)):
        return "a person's name (in Arabic or Hebrew script)"
    if _EAST_HINT(text) and _east(text):
        return "a person's name (in Chinese, Japanese or Korean script)"
    from .name_orders import script_pair          # imported here: name_orders builds on this module's peers
    return script_pair(text)


def _surname(word: str, family: frozenset[str]) -> bool:
    low = word.lower()
    if low in _GROUP_WORDS:
        return False
    return low in family or any(p in family and p not in name_gazetteer.common_words() for p in low.split("-") if len(p) > 2)


def _initials(text: str) -> bool:
    family, words = name_gazetteer.surnames(), name_gazetteer.common_words()
    for m in _INIT_NAME.finditer(text):
        word = m.group(3)
        if m.group(2) and word.lower() not in _GROUP_WORDS:
            return True                   # `J. de Vries`, `J.P. van der Berg`
        if _surname(word, family) and word.lower() not in words:
            return True                   # `J. Smith`, `J.P. Balkenende-Smit`
    for m in _NAME_INIT.finditer(text):
        word = m.group(2)
        if m.group(1) and word.lower() not in _GROUP_WORDS:
            return True                   # `de Vries, J.`
        if _surname(word, family) and word.lower() not in words:
            return True                   # `Smith, J.`
    return False


def _rtl(text: str, word_rx: re.Pattern) -> bool:
    ws = word_rx.findall(text)
    if len(ws) < 2:
        return False
    given, family = name_gazetteer.given_names(), name_gazetteer.surnames()
    for i, w in enumerate(ws[:-1]):
        nxt = ws[i + 1]
        if w in _RTL_ROLES and i + 2 < len(ws) and nxt not in _RTL_ROLES:
            return True                   # a role word, then two words of the script
        if w in given and len(nxt) > 1 and nxt not in _RTL_ROLES:
            return True                   # a given name, then another word
        if nxt in family and len(w) > 1 and w not in _RTL_ROLES and len(nxt) > 1:
            return True                   # a word, then a known surname
    return False


def _east(text: str) -> bool:
    family, given = name_gazetteer.surnames(), name_gazetteer.given_names()
    for m in _EAST_ROLE.finditer(text):
        run = m.group(1)
        if run[:2] in family or run[:1] in family:
            return True
    for tok in _EAST_TOKEN.findall(text):
        for p in _KO_PARTICLES:
            if tok.endswith(p) and len(tok) - len(p) >= 3:
                tok = tok[:-len(p)]
                break
        for cut in (1, 2):
            if tok[:cut] in family and tok[cut:] in given and len(tok[cut:]) >= 2:
                return True
    return False


def _role(text: str) -> bool:
    given = name_gazetteer.given_names()
    for m in _ROLE.finditer(text):
        ws = m.group(1).split()
        while ws and re.fullmatch(_PARTICLE, ws[-1]):
            ws.pop()
        if len(ws) >= 2 and may_name_a_person(" ".join(ws)):
            return True
        if ws and ws[0].lower() in given and ws[0].lower() not in name_gazetteer.common_words() \
                and ws[0].lower() not in _GROUP_WORDS:
            return True
    return False
