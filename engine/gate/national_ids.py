"""National identification numbers of other countries after their word, and dates of birth in
prose, and travel documents' machine-readable zones (docs/gate.md, "Fifth round: markings, national
numbers, accounts" and "Seventh round: national identity numbers, documents, dates of birth"). Called by
`identifiers.scan` for every text the gate scans (STIX and MISP alike).

| word (within 60 characters before the number) | number | check |
|---|---|---|
| `SSN`, `social security number/no/#` | US SSN `078-05-1120` | `stdnum.us.ssn` |
| `national insurance number`, `NINO`, `NI number` | UK NINO `QQ 12 34 56 C` | the HMRC format (python-stdnum has no NINO) |
| `Steuer-ID`, `Steueridentifikationsnummer`, `IdNr` | German tax id | `stdnum.de.idnr` |
| `numéro de sécurité sociale`, `NIR`, `INSEE`, `carte vitale` | French NIR | `stdnum.fr.nir` |
| `rijksregisternummer`, `numéro de registre national`, `INSZ`, `NISS` | Belgian national number | `stdnum.be.nn` |
| `PESEL` / `CPR` / `henkilötunnus`, `HETU` / `personnummer` / `DNI`, `NIE` / `codice fiscale` | PL, DK, FI, SE, ES, IT | `stdnum.pl.pesel`, `.dk.cpr`, `.fi.hetu`, `.se.personnummer`, `.es.dni`/`.es.nie`, `.it.codicefiscale` |
| `fødselsnummer`, `personnummer` / `Sozialversicherungsnummer`, `SVNR`, `VSNR` / `SIN`, `social insurance number` | NO, AT, CA | `stdnum.no.fodselsnummer`, `.at.vnr`, `.ca.sin` |
| `CPF`, `Cadastro de Pessoas Físicas` | Brazilian CPF `529.982.247-25` | `stdnum.br.cpf` |
| `TC Kimlik No`, `T.C. Kimlik Numarası`, `TCKN`, `kimlik` | Turkish identity number | `stdnum.tr.tckimlik` |
| `身份证号`, `身份證`, `身分證`, `公民身份号码`, `resident identity (card) number` | Chinese resident identity number | `stdnum.cn.ric` |
| `주민등록번호`, `주민번호`, `resident registration number`, `RRN` | Korean RRN `850315-1234567` | `stdnum.kr.rrn` |
| `Aadhaar`, `Aadhar`, `आधार`, `UIDAI` | Indian Aadhaar `2341 2341 2346` | `stdnum.in_.aadhaar` |
| `CURP`, `Clave Única de Registro de Población` | Mexican CURP | `stdnum.mx.curp` |
| `AHV`, `AHV-Nr.`, `AHVN13`, `AVS`, `numéro AVS` | Swiss social security number `756.9217.0769.85` | `stdnum.ch.ssn` |

Any of these words makes every number kind of the table a candidate (a German text may quote a
French NIR). A number whose check digits pass is a national identification number: personal data
(GDPR Art. 87). One in the number's format whose check digits do not pass (a typo, or a publicised
example number such as `078-05-1120`, which real people used as theirs; 11 to 15 digits, a CURP's or a
Chinese resident identity number's shape) is still read after its word: possible personal data, a
person judges. Without a word no number is read: threat data is full
of nine- and eleven-digit ids.

Dates of birth, decided: `born on 14 March 1987`, `geboren op 3 mei 1990`, `geboren am 01.02.1985`,
`geb. 14.03.1987`, `né le 5 juin 1980`, `nació el 14 de marzo de 1987`, `дата рождения 14.03.1987`,
`date of birth: 1987-03-14`, `DOB 14/03/1987` (English, Dutch, German, French, Spanish, Russian words;
numeric, ISO and written-out month dates, Spanish `14 de marzo de 1987` too) are a person's date of birth: personal
data. Seventh round, more words: Italian `nato il`/`nata il` (also `nato a Napoli il …`; `NATO il …` is no
birth), `data di nascita`; Polish `data urodzenia`, `ur.`, `urodzony`/`urodzona`, `urodził(a) się`;
Turkish `doğum tarihi` (`DOĞUM TARİHİ`); Russian `род.`, `родился`/`родилась`, `дата рожд.`; Portuguese
`data de nascimento`, `nascido/nascida em`, `nasceu em`; Chinese `出生日期`/`出生于`, Japanese `生年月日`,
Korean `생년월일`; months in those languages, `1987/03/14`, `1987.03.14`, `1987年3月14日`, `1987년 3월 14일`.
A year alone (`born in 1987`, `1987 г.р.`) is not read.

Machine-readable zones of passports and ID cards (ICAO 9303): a name line by its shape (a document
code and issuing state then `SURNAME<<GIVEN`, `P<NLDDE<VRIES<<JAN<<<…`, `P<D<<MUSTERMANN<<ERIKA`; an
ID card's third line of exactly 30 characters `ERIKSSON<<ANNA<MARIA<<<…`) is a holder's name: personal.
A data line (TD3/TD2: document number, check digit, nationality, birth date, check, sex, expiry,
check; TD1: birth date, check, sex, expiry, check, nationality) whose birth and expiry check digits
pass (ICAO's 7-3-1 weights, a few lines of own code: python-stdnum has no MRZ, and the `mrz` package
is unmaintained since 2020) is personal; one whose check digits do not pass but whose dates are
dates and which holds the filler `<` is possible. `AAAA<<BBBB`, `cout<<endl`, heredocs and upper-case
hex digests are no zone.

Own code is only the words and candidate patterns (RE2); every check digit is python-stdnum's. The
pre-filter (`HINT`, asked by `identifiers` through `rx.Hint`) rules out text without any word first.
"""

from __future__ import annotations

import re2
from stdnum.be import nn as be_nn
from stdnum.de import idnr as de_idnr
from stdnum.dk import cpr as dk_cpr
from stdnum.es import dni as es_dni, nie as es_nie
from stdnum.fi import hetu as fi_hetu
from stdnum.fr import nir as fr_nir
from stdnum.at import vnr as at_vnr
from stdnum.br import cpf as br_cpf
from stdnum.ca import sin as ca_sin
from stdnum.ch import ssn as ch_ssn
from stdnum.cn import ric as cn_ric
from stdnum.in_ import aadhaar as in_aadhaar
from stdnum.kr import rrn as kr_rrn
from stdnum.mx import curp as mx_curp
from stdnum.tr import tckimlik as tr_tckimlik
from stdnum.it import codicefiscale as it_cf
from stdnum.no import fodselsnummer as no_fnr
from stdnum.pl import pesel as pl_pesel
from stdnum.se import personnummer as se_pnr
from stdnum.us import ssn as us_ssn


PERSONAL = "personal"
POSSIBLE = "possible"

_OPTIONS = re2.Options()
_OPTIONS.max_mem = 8 << 20

_WORDS = (r"\bssn\b|social\s+security\s+(?:number|no\b|nr\b|#)|national\s+insurance\s+(?:number|no\b)|\bnino\b|"
          r"\bni\s+(?:number|no\b)|steuer-?\s*id|steuer-?\s*identifikationsnummer|identifikationsnummer|\bidnr\b|"
          r"num[ée]ro\s+de\s+s[ée]curit[ée]\s+sociale|\bnir\b|\binsee\b|carte\s+vitale|rijksregister(?:nummer)?|"
          r"registre\s+national|national\s+regist(?:er|ry)\s+number|\binsz\b|\bniss\b|\bpesel\b|\bcpr\b|"
          r"henkil[öo]tunnus|\bhetu\b|personnummer|\bdni\b|\bnie\b|codice\s+fiscale|national\s+id(?:entity)?\s+"
          r"(?:number|no\b)|personal\s+id(?:entity|entification)?\s+(?:number|code|no\b)|f[øo]dselsnummer|"
          r"sozialversicherungsnummer|\bsvnr\b|\bvsnr\b|social\s+insurance\s+(?:number|no\b)|\bsin\b|"
          # seventh round: Brazil, Turkey, China, Korea, India, Mexico, Switzerland (English and their own words)
          r"\bcpf(?:$|[^\w.]|\.(?:$|\s))|cadastro\s+de\s+pessoas\s+f[ií]sicas|kimlik|\btckn\b|\bt\.?\s?c\.?\s+(?:no\b|numaras)|"
          r"身份证|身份證|身分證|公民身份号码|resident\s+id(?:entity)?\s+(?:card\s+)?(?:number|no\b)|"
          r"주민\s*등록\s*번호|주민\s*번호|resident\s+registration\s+(?:number|no\b)|\brrn\b|"
          r"\baadhaa?r\b|आधार|\buidai\b|\bcurp\b|clave\s+[uú]nica\s+de\s+registro|\bahv(?:n13)?\b|\bavs\b|"
          r"\bahv-?\s?(?:nr|nummer)|num[ée]ro\s+avs\b")
_WORD = re2.compile(r"(?i)(?:" + _WORDS + r")", options=_OPTIONS)
# a token of capitals and digits with single separators between them, as national numbers are written
_CANDIDATE = re2.compile(r"[0-9A-Z](?:[0-9A-Z]|[ .\-/+](?:[0-9A-Z])){5,24}", options=_OPTIONS)
_NINO = re2.compile(r"^([A-Z]{2})(\d{6})([A-D])$")
_NINO_BAD_PREFIX = frozenset({"BG", "GB", "KN", "NK", "NT", "TN", "ZZ"})
_SSN = re2.compile(r"^(\d{3})-?(\d{2})-?(\d{4})$")

_VALIDATORS = (
    ("a US social security number (SSN)", us_ssn.is_valid),
    ("a German tax identification number (Steuer-ID)", de_idnr.is_valid),
    ("a French social security number (NIR)", fr_nir.is_valid),
    ("a Belgian national number", be_nn.is_valid),
    ("a Polish PESEL", pl_pesel.is_valid),
    ("a Danish CPR number", dk_cpr.is_valid),
    ("a Finnish personal identity code (HETU)", fi_hetu.is_valid),
    ("a Swedish personnummer", se_pnr.is_valid),
    ("a Spanish DNI", es_dni.is_valid),
    ("a Spanish NIE", es_nie.is_valid),
    ("an Italian codice fiscale", it_cf.is_valid),
    ("a Norwegian fødselsnummer", no_fnr.is_valid),
    ("an Austrian social insurance number", at_vnr.is_valid),
    ("a Canadian social insurance number (SIN)", ca_sin.is_valid),
    ("a Brazilian CPF", br_cpf.is_valid),
    ("a Turkish identity number (T.C. Kimlik No)", tr_tckimlik.is_valid),
    ("a Chinese resident identity number", cn_ric.is_valid),
    ("a Korean resident registration number", kr_rrn.is_valid),
    ("an Indian Aadhaar number", in_aadhaar.is_valid),
    ("a Mexican CURP", mx_curp.is_valid),
    ("a Swiss social security number (AHV/AVS)", ch_ssn.is_valid),
)
# a CURP's shape (four letters, birth date, sex, state, consonants, a check digit) and a Chinese
# resident identity number's (17 digits and a digit or X): read after their word when the check fails
_CURP = re2.compile(r"^[A-Z]{4}\d{6}[HMX][A-Z]{5}[0-9A-Z]\d$")
_RIC = re2.compile(r"^\d{17}[\dX]$")

_MONTHS = (r"jan(?:uary|uari|uar|vier)?|feb(?:ruary|ruari|ruar)?|f[ée]v(?:rier)?|m[aä]r(?:ch|t|z|s)?|maart|"
           r"apr(?:il)?|avr(?:il)?|ma[iy]|mei|juin|jun[ei]?|juli?|juil(?:let)?|jul[iy]?|aug(?:ust|ustus)?|ao[uû]t|"
           r"sep(?:t|tember|tembre)?|o[ck]t(?:ober|obre)?|nov(?:ember|embre)?|d[eé][cz](?:ember|embre)?|"
           r"enero|febrero|marzo|abril|mayo|junio|julio|agosto|septiembre|octubre|noviembre|diciembre|"
           # Italian, Portuguese, Polish (genitive), Turkish, Russian (genitive)
           r"gennaio|febbraio|aprile|maggio|giugno|luglio|settembre|ottobre|dicembre|"
           r"janeiro|fevereiro|mar[çc]o|maio|junho|julho|setembro|outubro|novembro|dezembro|"
           r"stycznia|lutego|marca|kwietnia|maja|czerwca|lipca|sierpnia|wrze[śs]nia|pa[źz]dziernika|listopada|"
           r"grudnia|ocak|[şs]ubat|nisan|may[ıi]s|haziran|temmuz|a[ğg]ustos|eyl[üu]l|ekim|kas[ıi]m|aral[ıi]k|"
           r"января|февраля|марта|апреля|мая|июня|июля|августа|сентября|октября|ноября|декабря")
_DATE = (r"(?:\d{1,2}[./\-]\d{1,2}[./\-](?:19|20)?\d{2}|(?:19|20)\d{2}[-./]\d{1,2}[-./]\d{1,2}|"
         r"(?:19|20)\d{2}\s*[年년]\s*\d{1,2}\s*[月월]\s*\d{1,2}|"
         r"\d{1,2}(?:st|nd|rd|th|er|e)?\.?\s+(?:of\s+|de\s+)?(?:" + _MONTHS + r")\.?,?\s+(?:de\s+)?(?:19|20)\d{2}|"
         r"(?:" + _MONTHS + r")\.?\s+\d{1,2}(?:st|nd|rd|th)?,?\s+(?:19|20)\d{2})")
_BIRTH = re2.compile(
    r"(?i)(?:\bborn\s+(?:on\s+)?|\bgeboren\s+(?:op\s+|am\s+|den\s+)?|\bgeb\.\s*|\bn[ée]e?\s+le\s+|"
    r"\bnaci[óo]\s+el\s+|\bnacid[oa]\s+el\s+|дата\s+рожд(?:ения|\.)|родил(?:ся|ась)\s+|date\s+of\s+birth|"
    r"\bd\.?o\.?b\.?(?:\s|:)|geboortedatum|geburtsdatum|date\s+de\s+naissance|fecha\s+de\s+nacimiento|birth\s*date|"
    # seventh round: Italian, Polish, Turkish, Russian, Portuguese; Chinese, Japanese, Korean
    r"\b(?-i:[Nn]at[oa])\s+(?:a\s+[^\d\n]{1,40}?\s+)?il\s+|data\s+di\s+nascita|data\s+urodzenia|\bur\.\s*|"
    r"urodzon[ya]\s+(?:dnia\s+)?|urodzi[łl]a?\s+si[ęe]\s+(?:dnia\s+)?|do[gğ]um\s+tar[iıİ]h[iıİ]|"
    r"(?:^|[^\p{L}])род\.\s*|data\s+de\s+nascimento|\bnascid[oa]\s+(?:em|a|no\s+dia)\s+|\bnasceu\s+(?:em|a)\s+|"
    r"出生日期|出生于|出生於|生年月日|생년월일)"
    r"[\s:：=\-]*(?:the\s+|dia\s+|dnia\s+)?" + _DATE + r"(?:$|[^0-9])", options=_OPTIONS)

# A travel document's machine-readable zone (ICAO 9303). The name line: a document code and issuing
# state, then surname `<<` given names (`P<NLDDE<VRIES<<JAN<<<…`, German `P<D<<MUSTERMANN<<ERIKA`); an
# ID card's (TD1) third line is the name alone, exactly 30 characters. The data line: TD3/TD2 document
# number, check digit, nationality, birth date, check digit, sex, expiry date, check digit; TD1 birth
# date, check, sex, expiry, check, nationality.
_MRZ_NAME = re2.compile(r"(?:^|[^A-Z0-9<])[PIACV][A-Z<][A-Z][A-Z<]{2}[A-Z]+(?:<[A-Z]+)*<<[A-Z]+", options=_OPTIONS)
_MRZ_TD1_NAME = re2.compile(r"(?:^|[^A-Z0-9<])([A-Z<]{30})(?:$|[^A-Z0-9<])", options=_OPTIONS)
_MRZ_NAME_SHAPE = re2.compile(r"^[A-Z]+(?:<[A-Z]+)*<<[A-Z]+(?:<{1,2}[A-Z]+)*<+$")
_MRZ_DATA = re2.compile(r"(?:^|[^A-Z0-9])(?:[A-Z0-9<]{9}\d[A-Z<]{3}(\d{6})(\d)[MFX<](\d{6})(\d)|"
                        r"(\d{6})(\d)[MFX<](\d{6})(\d)[A-Z<]{3})", options=_OPTIONS)
_MRZ_HINT = r"[a-z]<<[a-z]|\d{7}[mfx<]\d{7}"
_MRZ_WEIGHTS = (7, 3, 1)

HINT = (r"ssn|social\s+security|insurance|nino|\bni\s+n|steuer|identifikation|idnr|s[ée]curit[ée]|\bnir\b|"
        r"insee|vitale|rijksregister|registre\s+national|national\s+regist|\binsz\b|\bniss\b|pesel|\bcpr\b|"
        r"henkil|\bhetu\b|personnummer|\bdni\b|\bnie\b|fiscale|national\s+id|personal\s+id|born|geboren|"
        r"n[ée]e?\s+le|birth|\bd\.?o\.?b\b|geboorte|geburt|naissance|nacimiento|f[øo]dsel|sozialvers|svnr|vsnr|"
        r"insurance|\bsin\b|\bgeb\.|naci[óo]|nacid|рожд|родил|"
        r"\bcpf(?:$|[^\w.]|\.(?:$|\s))|cadastro\s+de\s+pessoas|kimlik|\btckn\b|\bt\.?\s?c\.?\s+n|身份|身分|resident\s+(?:id|registration)|"
        r"주민|\brrn\b|aadhaa?r|आधार|uidai|\bcurp\b|clave\s+[uú]nica|\bahv|\bavs\b|"
        r"\bnat[oa]\s+(?:il|a)\s|nascit|urodz|\bur\.|do[gğ]um|род\.|nascimento|nascid|nasceu|"
        r"出生|生年月日|생년월일|" + _MRZ_HINT)
"""The pre-filter's pattern (case-insensitive): text without any of these has nothing `scan` reads.
`identifiers` asks it together with `messengers.HINT` in one pass."""


def scan(text: str) -> tuple[tuple[str, str, str], ...]:
    """(kind, what, category) for each national number after its word, each date of birth and each
    machine-readable zone of a travel document in `text` (module docstring); () for text without
    any. kind: "personal" | "possible". The caller asks `HINT` first."""
    out: list[tuple[str, str, str]] = []
    found = _number_after_word(text)
    if found:
        out.append(found)
    if _BIRTH.search(text):
        out.append((PERSONAL, "a date of birth (a person's)", "personal_data"))
    if "<" in text or "M" in text or "F" in text or "X" in text:
        found = _machine_readable_zone(text)
        if found:
            out.append(found)
    return tuple(out)


def _machine_readable_zone(text: str) -> tuple[str, str, str] | None:
    """A line of a passport's or ID card's machine-readable zone: the name line by its shape, the
    data line by its shape with its birth and expiry check digits passing (personal); a data line
    whose check digits do not pass but whose dates are dates and which has the filler `<`: possible."""
    if "<<" in text:
        if _MRZ_NAME.search(text):
            return (PERSONAL, "a travel document's machine-readable zone (its holder's name)", "personal_data")
        for m in _MRZ_TD1_NAME.finditer(text):
            if _MRZ_NAME_SHAPE.match(m.group(1)):
                return (PERSONAL, "a travel document's machine-readable zone (its holder's name)", "personal_data")
    possible = None
    for m in _MRZ_DATA.finditer(text):
        birth, bcheck, expiry, echeck = m.group(1, 2, 3, 4) if m.group(1) else m.group(5, 6, 7, 8)
        if not (_yymmdd(birth) and _yymmdd(expiry)):
            continue
        if _mrz_check(birth) == bcheck and _mrz_check(expiry) == echeck:
            return (PERSONAL, "a travel document's machine-readable zone (its holder's birth date and document)",
                    "personal_data")
        if "<" in text[max(0, m.start() - 16):m.end() + 20]:      # a line of the zone has its filler
            possible = (POSSIBLE, "a line in the shape of a travel document's machine-readable zone (its check "
                                  "digits do not pass: a person's document?)", "personal_data")
    return possible


def _yymmdd(digits: str) -> bool:
    return 1 <= int(digits[2:4]) <= 12 and 1 <= int(digits[4:6]) <= 31


def _mrz_check(field: str) -> str:
    """ICAO 9303's check digit: weights 7, 3, 1 over the field's values (digits as themselves, A–Z
    as 10–35, the filler `<` as 0), modulo 10."""
    total = 0
    for i, c in enumerate(field):
        value = 0 if c == "<" else int(c) if c.isdigit() else ord(c) - 55
        total += value * _MRZ_WEIGHTS[i % 3]
    return str(total % 10)


def _number_after_word(text: str) -> tuple[str, str, str] | None:
    possible = None
    for w in _WORD.finditer(text):
        window = text[w.end():w.end() + 60]
        for m in _CANDIDATE.finditer(window):
            for token in _cuts(m.group(0)):
                what = _valid(token)
                if what:
                    return (PERSONAL, f"{what} (national identification number)", "personal_data")
                if possible is None and _formatted(token):
                    possible = (POSSIBLE, "a number in a national identification number's format after its word "
                                          "(its check digits do not pass: a person's?)", "personal_data")
    return possible


def _cuts(token: str) -> list[str]:
    """The token and its prefixes ending before a separator (`65 929 970 489 A` -> … `65 929 970 489`)."""
    cuts = [token]
    for i in range(len(token) - 1, 0, -1):
        if token[i] in " .-/+":
            cuts.append(token[:i])
    return cuts


def _valid(token: str) -> str | None:
    plain = token.replace(" ", "").replace(".", "")
    for what, is_valid in _VALIDATORS:
        try:
            if is_valid(token) or is_valid(plain):
                return what
        except Exception:                           # noqa: BLE001 - a library's odd input: not valid
            continue
    m = _NINO.match(plain)
    if m and m.group(1) not in _NINO_BAD_PREFIX and m.group(1)[0] not in "DFIQUV" and m.group(1)[1] not in "DFIOQUV":
        return "a UK National Insurance number"
    return None


def _formatted(token: str) -> bool:
    """In a national number's format without passing its check: SSN shape, NINO shape (any prefix,
    so HMRC's example prefix `QQ` too), CURP shape, Chinese resident identity number shape (17 digits
    and a digit or X), or 11 to 15 digits (NIR, Steuer-ID, PESEL, CPF, T.C. Kimlik, RRN, Aadhaar, AHV …
    lengths)."""
    plain = token.replace(" ", "").replace(".", "")
    if _SSN.match(plain) or _NINO.match(plain) or _CURP.match(plain) or _RIC.match(plain):
        return True
    digits = plain.replace("-", "").replace("/", "")
    return digits.isdigit() and 11 <= len(digits) <= 15 or (len(digits) == 15 and digits[:1] in "12"
                                                            and digits[5:7].upper() in ("2A", "2B"))
