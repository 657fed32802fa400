"""Personal identifiers in free text: descriptions, names, notes, comments, custom properties,
pattern values, MISP `text`/`comment`/`other` attributes.

What is found, and by what:
- e-mail addresses: candidate tokens around an `@` (after `normalise`, below) checked by
  `email-validator` (syntax only, no DNS, special-use domains allowed). Role mailboxes of RFC 2142
  and their CSIRT kin (abuse@, security@, soc@, cert@ …) name a function, not a person, and are not
  counted; an account at an IP address (`jan@10.0.0.1`) may be a person's; a machine-made
  Message-ID (`Message-ID: <20250201.abc@mail.example>`, a `message_id` property) is no mailbox.
- phone numbers: `phonenumbers` (Google's libphonenumber), `PhoneNumberMatcher` with leniency VALID,
  Dutch numbers without a country code, and numbers written in the national format of the countries
  in `FOREIGN_REGIONS` (`(202) 555-0143`, `020 7946 0958`, `8 (495) 123-45-67`, `01 42 68 53 00`):
  with leniency EXACT_GROUPING (grouped as that country groups them) and written in at least two
  groups, or with leniency VALID when the text says it is a phone number (`tel`, `phone`, `call`, `bel`,
  `mobile`, `whatsapp`, … within a few words before it) or the property does (`context_for`: `phone`,
  `contact`, `fax`, …). CVE ids, ATT&CK ids, dates, IPv4 addresses and digit runs glued to letters
  (hashes) are never read as numbers. Mobile and personal numbers are personal data; fixed lines
  and others may be (a person's direct line or a switchboard: a person judges); toll-free, premium
  and shared-cost numbers belong to organisations (unless another country of the list reads the
  same digits as a line). Also the WHOIS form `+44.7911123456`, digits of any script, and, after a
  phone word, a number with its country code but no `+` (`mobile 4915123456789`).
- IBANs in any case and grouping (`NL91ABNA0417164300`, `nl91 abna 0417 1643 00`, `NL 91 ABNA …`,
  with spaces, dashes or dots between the groups; a space after the country code only in capitals)
  and Dutch citizen service numbers (BSN, only where the text calls it one): `python-stdnum` checks
  the country's format and the mod-97 (ISO 7064) or eleven-test check digits, so a word or a hash
  that only has the shape is not counted (`schwifty` checks the same; stdnum was here already). A BSN is personal data; an
  IBAN may be a company's, so a person judges.
- payment card numbers: 13–19 digits with a card scheme's prefix and a valid Luhn digit
  (`python-stdnum`).
- street addresses and postcodes (`addresses`): a home's or an organisation's, a person judges.
- Windows and Unix home folders (`C:\\Users\\<name>\\`, `/home/<name>/`) name an account, which may be
  a person's (placeholders such as `<user>` or `%USERNAME%` and the system's own accounts excepted).
- Windows security identifiers of accounts (`S-1-5-21-<three sub-authorities>-<RID>` with a relative id
  of 1000 or more, also as `HKEY_USERS\\S-1-5-21-…_Classes` and in patterns; Entra ID's
  `S-1-12-1-…`) name one account of one domain or machine, which may be a person's. Well-known SIDs
  (`S-1-5-18`, `S-1-5-32-544`) and the domain's built-in accounts and groups (relative ids below
  1000: Administrator 500, Guest 501, krbtgt 502, Domain Admins 512, …) are no person's
  ([MS-DTYP] 2.4.2.4, "Well-Known SID Structures").

Every text is first normalised (`normalise`: NFKC, invisible characters removed, `[at]`, `(at)`,
`jan at example dot nl` and spaces around `@` read as an address), so obfuscation a reader sees
through does not hide an identifier; findings are per text, never the value. A text built to wear
the scan out (more than 1,000 rewrites, IBAN or postcode candidates) is reported as not read to the
end: possible personal data, never a pass.

Own code here is only the cheap pre-filters that decide whether a text is worth giving to the
libraries (an `@`, a run of digits, two capitals followed by digits), the role
mailbox list and the home-folder pattern: the libraries cost 40–150 µs a text, and most text in a
bundle has none of these. Scans are cached per distinct text, and each distinct text first gets one
RE2 pass that answers every reading's pre-filter at once (`rx.prime`); a text that is one IPv4
address is answered at once (no reading finds anything in one). The e-mail candidate pattern is RE2
(Python's engine backtracks quadratically on it); the other pre-filters are Python's `re` (they need
look-behind, which RE2 lacks) and have no nested unbounded repetition, so they stay linear; the newer
patterns (`normalise`, `addresses`) are RE2.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass

import phonenumbers
import re2

from . import rx
from .rx import PY_DIGIT, PY_SPACE, Hint
from email_validator import EmailNotValidError, validate_email
from phonenumbers import Leniency, PhoneNumberType
from stdnum import iban, luhn, numdb
from stdnum.nl import bsn

from . import addresses, binary, identifiers, joined_names, person_keys, prose_names_more
from .normalise import MAX_REWRITES, normalise_checked

PERSONAL = "personal"
POSSIBLE = "possible"

# RE2: with Python's engine this pattern backtracks quadratically on a long word before an `@`
# that is no address (`aaaa…a@b`: 20,000 letters took half a second, 200,000 would take a minute)
_RE2_OPTIONS = re2.Options()
_RE2_OPTIONS.max_mem = 8 << 20
_EMAIL_CANDIDATE = re2.compile(r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~\x{00a0}-\x{ffff}-]+@[A-Za-z0-9\x{00a0}-\x{ffff}-]+"
                               r"(?:\.[A-Za-z0-9\x{00a0}-\x{ffff}-]+)+", options=_RE2_OPTIONS)
_ANY_DIGIT = re.compile(r"\d")
_MESSAGE_ID_BEFORE = re.compile(r"(?i)(?:message-?id|in-reply-to|references|thread-index)\s*[:=]?\s*<$")
_DIGIT_RUN = re.compile(r"\+?\(?\d(?:[\s().\-/]{0,2}\d){6,}")
# IPv4 addresses and ISO dates and timestamps: runs of digits that are no phone number
_OCTET = r"(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)"
_NOT_A_NUMBER = re.compile(rf"(?<![\d.]){_OCTET}(?:\.{_OCTET}){{3}}(?![\d.])|\b\d{{4}}-\d{{2}}-\d{{2}}(?:[T ][\d:.]+Z?)?\b"
                           r"|(?i:\bCVE-\d{4}-\d{4,})|\b[TS]\d{4}(?:\.\d{3})?\b")
# supersets in RE2 of the `re` pre-filters around them, for the shared pass (`rx.prime`): Python's
# look-arounds dropped, its Unicode `\s` and `\d` spelled out (`rx.PY_SPACE`, `rx.PY_DIGIT`), so they
# say yes wherever the pattern they stand before may match; that pattern then decides
_DIGIT_RUN_HINT = Hint(rf"{PY_DIGIT}(?:[{PY_SPACE}().\-/]{{0,2}}{PY_DIGIT}){{6}}")
_PREFIX_SUPERSET = Hint(rf"(?:\+|00)[{PY_SPACE}]?\(?{PY_DIGIT}|0[{PY_SPACE}]?6(?:[{PY_SPACE}.\-/)]{{0,2}}{PY_DIGIT}){{8}}")
# a text that is one IPv4 address in ASCII digits: no reading finds anything in it (tests/gate/test_shared_pass.py)
_ASCII_OCTET = r"(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])"
_IPV4_WHOLE = re.compile(rf"{_ASCII_OCTET}(?:\.{_ASCII_OCTET}){{3}}")
_IPV4_OR_DATE = re.compile(r"^(?:\d{1,3}(?:\.\d{1,3}){3}|\d{4}-\d{2}-\d{2}|\d{1,2}[-/]\d{1,2}[-/]\d{2,4})$")
_IP_OR_DATE_SHAPED = re.compile(r"\d{1,4}[.\-/]\d{1,3}[.\-/]\d{1,4}")
# a country prefix followed by a digit, or 06 followed by eight digits with separators (a pre-filter:
# only such texts are read again with their IPv4- and date-shaped runs left in)
_PREFIX_HINT = re.compile(r"(?:\+|(?<![\d.])00)\s?\(?\d|(?<![\d.\-/])\(?0\s?6(?:[\s.\-/)]{0,2}\d){8}(?!\d)")
# the national formats of the countries whose numbers threat data most often carries besides the
# Netherlands (neighbours, the Five Eyes, the states behind most reported intrusions)
FOREIGN_REGIONS = ("US", "GB", "DE", "BE", "FR", "RU", "UA", "CN", "IR", "TR", "KP", "BY", "IL", "IN")
# words that say a number is a phone number (a few words before it)
_PHONE_WORDS = re.compile(r"(?i)(?:\b(?:tel|tél|phone|telephone|telefoon|telefon|call|called|calls|bel|bellen|mobile|"
                          r"mobiel|mob|gsm|cell|cellphone|whatsapp|signal|telegram|viber|sms|text|fax|contact|"
                          r"contacted|hotline|ring|nummer|номер|тел|телефон)\b|☎|📞)[^0-9]{0,25}$")
_LONGEST_NUMBER = 32          # a national number written out with separators is shorter; longer runs are no one number
_GROUPED = re.compile(r"\d[\s().\-/]+\d")
_PHONE_BUDGET = 32 * 1024          # characters of digit runs given to libphonenumber per text
_WHOIS_DOT = re.compile(r"\+(\d{1,3})\.(?=\d)")
_PREFIXED = re.compile(r"^\s*(?:\+|00|\(?0\s*6)")
# two letters, two check digits, then 11 to 30 letters and digits in groups (any case; spaces, dashes
# or dots between groups): candidates only, stdnum decides
_IBAN_CANDIDATE = re.compile(r"(?i)(?<![A-Za-z0-9])[A-Z]{2}[\s.\-_/]{0,3}\d{2}(?:[\s.\-_/]{0,3}[A-Z0-9]){11,30}"
                             r"(?![A-Za-z0-9])")
# ... and only where the two letters are a country of the IBAN registry (stdnum checks no other: an
# IBAN of another country is never valid), in either case
_IBAN_SUPERSET = Hint("(?i)(?:" + "|".join(sorted(p[1] for p in numdb.get("iban").prefixes)) + rf")"
                      rf"[{PY_SPACE}._/-]{{0,3}}{PY_DIGIT}{{2}}(?:[{PY_SPACE}._/-]{{0,3}}[\p{{L}}\p{{N}}]){{11}}")
_IBAN_GROUP = re.compile(r"[\s.\-_/]+")
# IBAN lengths by country (SWIFT IBAN registry), to find an IBAN with a BIC or other text glued on
# (`NL91ABNA0417164300ABNANL2A`)
_IBAN_LENGTH = {"AD": 24, "AT": 20, "BE": 16, "BG": 22, "CH": 21, "CY": 28, "CZ": 24, "DE": 22, "DK": 18, "EE": 20,
                "ES": 24, "FI": 18, "FR": 27, "GB": 22, "GI": 23, "GR": 27, "HR": 21, "HU": 28, "IE": 22, "IS": 26,
                "IT": 27, "LI": 21, "LT": 20, "LU": 20, "LV": 21, "MC": 27, "MT": 31, "NL": 18, "NO": 15, "PL": 28,
                "PT": 25, "RO": 24, "SE": 24, "SI": 19, "SK": 24, "SM": 27, "TR": 26, "UA": 29}
# two letters that are also a word: lower case with a space after it (`at 12 3456 …`) is no IBAN
_WORD_NOT_COUNTRY = frozenset({"at", "be", "de", "is", "it", "me", "no", "in", "to", "as", "so", "by", "or", "an",
                               "on", "us", "we", "he", "do", "go", "al", "es", "et", "en", "op", "te", "er", "of",
                               "si", "li", "lu", "mt", "pt", "se", "sk", "ch", "fr", "gr", "hr"})
_BSN = re.compile(r"(?i)\b(?:bsn|burgerservicenummer|sofi-?nummer)\b\D{0,20}?(\d(?:[ .]?\d){7,8})\b")
_LONG_DIGITS = re.compile(r"\d[\d -]{11,}\d")
_CARD_CANDIDATE = re.compile(r"(?<!\d)(?<!\d\.)(?:\d[ -]?){12,18}\d(?!\d|\.\d)")
_CARD_PREFIX = re.compile(r"^(?:4\d{12}(?:\d{3}){0,2}|5[1-5]\d{14}|2[2-7]\d{14}|3[47]\d{13}|6(?:011|5\d\d)\d{12,15}"
                          r"|35\d{14}|3(?:0[0-5]|[68]\d)\d{11})$")
# a domain's or machine's account (RID 1000 and up) or an Entra ID user: candidates on a pre-filter `s-1-`
_SID = re.compile(r"(?i)(?<![\w-])S-1-(?:5-21(?:-\d{1,10}){3}-(\d{1,10})|12-1(?:-\d{1,10}){4})(?![\d-])")
# a Unix or macOS home (`/home/jan/`, `/Users/jan/`) only where a path starts (not `/api/users/list`, a
# web path's component): at the start, after a space, a quote, `=`, `:` or `//` (`file:///home/jan`)
_HOME = re.compile(r"(?i:[a-z]:\\+users\\+)([^\\/\s'\"<>%$*{}]+)"
                   r"|(?<![\w.\-~])(?:/home/|/Users/|/users/)([^\\/\s'\"<>%$*{}]+)")
_SYSTEM_ACCOUNTS = {"public", "default", "default user", "all users", "administrator", "admin", "guest",
                    "user", "username", "root", "defaultapppool", "localservice", "networkservice",
                    "systemprofile", "wdagutilityaccount", "test", "example", "john.doe", "ubuntu", "kali"}
ROLE_MAILBOXES = frozenset({
    # RFC 2142
    "info", "marketing", "sales", "support", "abuse", "noc", "security", "postmaster", "hostmaster",
    "usenet", "news", "webmaster", "www", "uucp", "ftp",
    # incident response and common functional boxes
    "cert", "csirt", "cirt", "soc", "incident", "incidents", "psirt", "secops", "helpdesk", "servicedesk",
    "contact", "noreply", "no-reply", "donotreply", "do-not-reply", "mailer-daemon", "privacy", "legal",
    "press", "media", "office", "team", "admin-c", "tech-c"})


@dataclass(frozen=True)
class TextFinding:
    """kind: personal | possible; what: e.g. "e-mail address", "mobile phone number";
    category: the data category it adds when personal."""

    kind: str
    what: str
    category: str


_cache: dict[str, tuple[TextFinding, ...]] = {}
_lock = threading.Lock()
_LIMIT = 200_000


def scan(text: str, context: str = "") -> tuple[TextFinding, ...]:
    """What personal identifiers a text holds (each kind once). `context`: what the property holding
    the text says it holds (`context_for`: "phone", "address" or ""), which lets forms count that
    would be too often something else in other text. Cached per text and context; thread-safe."""
    if len(text) < 5 and not worth_reading(text):
        return ()
    key = (context, text) if context else text
    got = _cache.get(key)
    if got is None:
        got = _scan(text, context)
        with _lock:
            if len(_cache) >= _LIMIT:
                _cache.clear()
            _cache[key] = got
    return got


def worth_reading(text: str) -> bool:
    """Whether a text is long enough to hold an identifier: five characters or more, or two or more
    outside ASCII (a person's name in Chinese, Japanese or Korean script is two to four: `王伟`)."""
    return len(text) >= 5 or (len(text) >= 2 and not text.isascii())


_PHONE_KEYS = frozenset({"phone", "phones", "telephone", "tel", "mobile", "cell", "cellphone", "gsm", "msisdn", "fax",
                         "whatsapp", "signal", "telegram", "viber", "contact", "contacts", "callback", "hotline",
                         "telefoon", "telefoonnummer", "mobiel", "telefon", "phonenumber"})
_ADDRESS_KEYS = frozenset({"address", "addresses", "adres", "adressen", "street", "straat", "location", "locations",
                           "woonplaats", "residence", "city", "place", "postal", "postadres", "huisadres", "domicile",
                           "anschrift", "adresse", "strasse", "straße", "streetaddress", "homeaddress",
                           "postaladdress", "locality", "plaats", "woonadres", "verblijfplaats"})
_NOT_ADDRESS_KEYS = frozenset({"ip", "ipv4", "ipv6", "mac", "email", "mail", "url", "uri", "web", "btc", "bitcoin",
                               "wallet", "memory", "hardware", "src", "dst", "return", "base", "entry", "virtual",
                               "physical", "ref", "refs", "file", "path", "registry", "key"})
_CONTEXTS: dict[str, str] = {}


def context_for(prop: str) -> str:
    """What a property's name says its text is: "phone" (`x_phone`, `contact_information`,
    `callback`, `telefoon`), "address" (`x_home_address`, `adres`, `street`, `location`,
    `woonplaats`, but not `ip_address`, `email_address`), "message-id" (`message_id`: `<id@host>`
    there names a message, not a mailbox) or "". `prop` may be a path
    (`x_acme.contact[0]`): its last name decides. Cached."""
    got = _CONTEXTS.get(prop)
    if got is None:
        last = re.sub(r"\[\d+\]", "", prop).rsplit(".", 1)[-1]
        ws = set(person_keys.words(last))
        if ws & _ADDRESS_KEYS and not ws & _NOT_ADDRESS_KEYS:
            got = "address"
        elif ws & _PHONE_KEYS and not {"count", "type", "id", "hash", "version", "port", "size"} & ws:
            got = "phone"
        elif {"message", "id"} <= ws or "messageid" in ws or "msgid" in ws:
            got = "message-id"            # STIX email-message `message_id`: `<id@host>` is no mailbox
        else:
            got = ""
        if len(_CONTEXTS) > 50_000:
            _CONTEXTS.clear()
        _CONTEXTS[prop] = got
    return got


# a hash digest written in hex (MD5, SHA-1, SHA-224, SHA-256, SHA-384, SHA-512 and the like): random
# digits and letters a-f, which only the hex-encoded reading (`encoded`) has anything to look at in
_DIGEST = re.compile(r"(?=[0-9a-fA-F]*[a-fA-F])(?=[0-9a-fA-F]*[0-9])[0-9a-fA-F]{32,128}")
_DIGEST_LENGTHS = frozenset({32, 40, 56, 64, 96, 128})


def _scan(text: str, context: str = "") -> tuple[TextFinding, ...]:
    if len(text) in _DIGEST_LENGTHS and _DIGEST.fullmatch(text):
        return encoded.hidden(text)     # a digest: no address, number or name can stand in it
    if len(text) <= 15 and _IPV4_WHOLE.fullmatch(text):
        return ()                       # an IPv4 address and nothing else (its category counts, not its text)
    rx.prime(text)                      # one pass answers every reading's pre-filter (`rx`)
    got = _scan_text(text, context) + tuple(TextFinding(s.kind, s.what, s.category) for s in identifiers.scan(text))
    if len(text) >= 24 and ("base64," in text or _B64_HINT(text)):
        what = binary.embedded(text)     # a document or image carried as base64 in the text
        if what:
            got = got + (TextFinding(POSSIBLE, f"{what}: it may hold personal data the gate cannot read",
                                     "personal_data"),)
    return got + tuple(f for f in encoded.hidden(text) + mail_forms.findings(text) if f not in got)


# the starts of base64 documents, images and archives (`binary.embedded` reads them)
_B64_HINT = Hint(r"JVBERi0|UEsDB|UEsFB|iVBORw0|/9j/|R0lGOD|0M8R4|H4sI|/Td6WFo|Qlpo[MNO]|U1FMaXRl|e1xydGY")


def _scan_text(text: str, context: str = "") -> tuple[TextFinding, ...]:
    found: dict[str, TextFinding] = {}
    normalised, complete = normalise_checked(text)
    if normalised is not text:
        rx.prime(normalised)
    text = normalised
    if not complete:
        found["unread"] = TextFinding(POSSIBLE, f"text with more than {MAX_REWRITES} written-out or spaced at-signs "
                                                "or dots: not read to the end", "personal_data")
    lowered = text.lower()
    if "@" in text:                       # written-out forms are `@` by now (normalise)
        for f in _emails(text, message_id=context == "message-id"):
            found.setdefault(f.what, f)
    said = joined_names.find(text)        # a file name, another joined token, a CamelCase name
    if said:
        found.setdefault(said, TextFinding(POSSIBLE, said, "personal_data"))
    if not text.isascii():                # a name in Arabic, Hebrew, Chinese, Japanese or Korean script
        said = prose_names_more.script_name(text)
        if said:
            found.setdefault(said, TextFinding(POSSIBLE, said, "personal_data"))
    has_digit = _ANY_DIGIT.search(text) is not None
    if has_digit and "s-1-" in lowered:
        _sids(text, found)
    if not has_digit:
        if "users" in lowered or "home/" in lowered:
            _home(text, found)
        return tuple(found.values())
    has_run = _DIGIT_RUN_HINT(text) and _DIGIT_RUN.search(text) is not None
    if has_run and _runs_all_removed(text):
        surviving, changed = False, True       # what the substitution below would find, without it
    elif has_run:
        digits = _NOT_A_NUMBER.sub(" ", text)
        surviving, changed = _DIGIT_RUN.search(digits) is not None, digits != text
    else:
        surviving = changed = False
    if surviving:
        for f in _phones(digits, context=context):
            found.setdefault(f.what, f)
        for f in _numbers(text):
            found.setdefault(f.what, f)
    if has_run and (changed or _IP_OR_DATE_SHAPED.search(text)) and _PREFIX_SUPERSET(text) \
            and _PREFIX_HINT.search(text):
        # IPv4- or date-shaped text that is also a phone number written with dots or dashes
        # (+31 6 12.34.56.78, 0612-34-56-78): counted when it carries a country prefix or a
        # national mobile prefix
        for f in _phones(text, prefixed=True):
            found.setdefault(f.what, f)
    if "users" in lowered or "home/" in lowered:
        _home(text, found)
    if _IBAN_SUPERSET(text) and _IBAN_CANDIDATE.search(text):
        for f in _ibans(text):
            found.setdefault(f.what, f)
    where = addresses.found(text)
    if not where and (context == "address" and addresses.in_address_property(text) or addresses.with_place(text)):
        where = "a street address"
    if where:
        found.setdefault(where, TextFinding(POSSIBLE, f"{where} (a home's or an organisation's)", "personal_data"))
    return tuple(found.values())


def _runs_all_removed(text: str) -> bool:
    """Whether every digit run of `text` (`_DIGIT_RUN`) is an IPv4 address, a date or another
    `_NOT_A_NUMBER` form from its first character to its last: then `_NOT_A_NUMBER.sub` removes
    every run and leaves none (the runs are maximal, so no two digit groups left join into a new
    one), and the substitution need not be made. False when in doubt (the substitution is then
    made). tests/gate/test_shared_pass.py holds this to the substitution."""
    for m in _DIGIT_RUN.finditer(text):
        n = _NOT_A_NUMBER.match(text, m.start())
        if n is None or n.end() < m.end():
            return False
    return True


def _home(text: str, found: dict) -> None:
    for m in _HOME.finditer(text):
        name = (m.group(1) or m.group(2)).strip().rstrip(".").lower()
        if name and name not in _SYSTEM_ACCOUNTS and not name.startswith(("<", "[", "(", "{")):
            found.setdefault("home folder", TextFinding(POSSIBLE, "an account's home folder name", "account_names"))
            break


def _sids(text: str, found: dict) -> None:
    for m in _SID.finditer(text):
        if m.group(1) is None or int(m.group(1)) >= 1000:
            found.setdefault("sid", TextFinding(POSSIBLE, "a Windows account's security identifier (SID; a person's "
                                                          "account?)", "account_names"))
            break


def scan_number(number: int) -> tuple[TextFinding, ...]:
    """A whole number of 10 to 15 digits that reads as a phone number written with its country code
    and without the `+` (`31612345678`: a phone number stored as a JSON number). Mobile and personal
    numbers only: a number that happens to be a valid fixed line is too likely a size or an id."""
    more = tuple(TextFinding(s.kind, s.what, s.category) for s in identifiers.scan_number(number))
    if more:
        return more
    digits = str(number)
    if not 10 <= len(digits) <= 15:
        return ()
    try:
        parsed = phonenumbers.parse("+" + digits, None)
    except phonenumbers.NumberParseException:
        return ()
    if not phonenumbers.is_valid_number(parsed):
        return ()
    if phonenumbers.number_type(parsed) in (PhoneNumberType.MOBILE, PhoneNumberType.PERSONAL_NUMBER,
                                            PhoneNumberType.PAGER):
        return (TextFinding(POSSIBLE, "a number that reads as a mobile phone number", "personal_data"),)
    return ()


def _emails(text: str, message_id: bool = False) -> list[TextFinding]:
    """E-mail addresses among the candidates (module docstring). A Message-ID is no mailbox: after a
    header word (`Message-ID: <…>`), or anywhere in a property that holds one (`message_id`), a
    candidate whose local part has a digit or 16 characters or more (`20250201.abc123@mail.example`,
    machine-made) is skipped; `<jan.devries@gmail.com>` there is still an address."""
    out = []
    for n, m in enumerate(_EMAIL_CANDIDATE.finditer(text)):
        local_part = m.group(0).split("@", 1)[0]
        machine_made = len(local_part) >= 16 or any(c.isdigit() for c in local_part)
        if machine_made and (message_id or (m.start() and text[m.start() - 1] == "<" and
                                            _MESSAGE_ID_BEFORE.search(text, max(0, m.start() - 30), m.start()))):
            continue
        if n == MAX_REWRITES:
            out.append(TextFinding(POSSIBLE, f"more than {MAX_REWRITES} address-shaped tokens: not checked to the end",
                                   "personal_data"))
            break
        candidate = m.group(0).strip(".-'")
        local, domain = candidate.lower().split("@", 1)
        if domain.rsplit(".", 1)[-1].isdigit():     # user@10.0.0.1: an account at a host, no mailbox
            if local not in _SYSTEM_ACCOUNTS and local not in ROLE_MAILBOXES:
                out.append(TextFinding(POSSIBLE, "an account name at an IP address (a person's?)", "account_names"))
            continue
        try:
            validate_email(candidate, check_deliverability=False, test_environment=True,
                           globally_deliverable=False, allow_smtputf8=True)
        except EmailNotValidError:
            continue
        if local in ROLE_MAILBOXES:
            continue
        out.append(TextFinding(PERSONAL, "e-mail address", "email_addresses"))
        break
    return out


def _phones(text: str, prefixed: bool = False, context: str = "") -> list[TextFinding]:
    """Phone numbers in digit runs: Dutch ones, and those of `FOREIGN_REGIONS` in their national
    format (module docstring). `prefixed`: IPv4- and date-shaped runs are read too, and only
    numbers written with a country prefix (+ or 00) or a Dutch mobile prefix (06) count.
    `context`: `phone` when the property says it holds a phone number."""
    out = []
    budget = _PHONE_BUDGET
    for n, m in enumerate(_DIGIT_RUN.finditer(text)):
        budget -= len(m.group(0))
        if n == MAX_REWRITES or budget < 0:
            # a text built to wear the scan out: libphonenumber reads about 40 kB a second, so the runs
            # it is given are bounded in number and in characters
            out.append(TextFinding(POSSIBLE, f"more than {MAX_REWRITES} phone-number-shaped digit runs or "
                                             f"{_PHONE_BUDGET // 1024} kB of them: not checked to the end",
                                   "personal_data"))
            break
        if not prefixed and _IPV4_OR_DATE.match(m.group(0).strip()):
            continue
        start, end = max(0, m.start() - 1), min(len(text), m.end() + 1)
        window = text[start:end]
        if "+" in window:
            window = _WHOIS_DOT.sub(r"+\1 ", window)      # `+44.7700900123`, as WHOIS records write numbers
        matches = list(phonenumbers.PhoneNumberMatcher(window, "NL", leniency=Leniency.VALID))
        if prefixed:
            matches = [x for x in matches if _PREFIXED.match(x.raw_string)]
        elif not matches and len(m.group(0)) <= _LONGEST_NUMBER:
            said = context == "phone" or _PHONE_WORDS.search(text, max(0, m.start() - 40), m.start()) is not None
            grouped = _GROUPED.search(m.group(0)) is not None
            if said or grouped:
                leniency = Leniency.VALID if said else Leniency.EXACT_GROUPING
                for region in FOREIGN_REGIONS:
                    kinds = [k for x in phonenumbers.PhoneNumberMatcher(window, region, leniency=leniency)
                             if said or _GROUPED.search(x.raw_string) if (k := _phone_kind(x)) is not None]
                    if kinds:            # the first region that reads it as a person's or a line's number;
                        out.extend(kinds)    # a service number in one (GB 09…) may be a mobile in another
                        break
                else:
                    if said and m.group(0).isdigit() and 10 <= len(m.group(0)) <= 15:
                        # `mobile 4915123456789`: the number with its country code but without `+`
                        out.extend(scan_number(int(m.group(0))))
                continue
        out.extend(_phone_kind(match) for match in matches)
    return [f for f in out if f is not None]


def _phone_kind(match) -> TextFinding | None:
    """What a matched number is: a mobile or personal number, another (a person's or an
    organisation's), or None for numbers of organisations (toll-free, premium, shared-cost)."""
    T = PhoneNumberType
    kind = phonenumbers.number_type(match.number)
    if kind in (T.MOBILE, T.PERSONAL_NUMBER, T.FIXED_LINE_OR_MOBILE, T.PAGER):
        return TextFinding(PERSONAL, "mobile or personal phone number", "personal_data")
    if kind in (T.TOLL_FREE, T.PREMIUM_RATE, T.SHARED_COST):
        return None
    return TextFinding(POSSIBLE, "phone number (a person's or an organisation's)", "personal_data")


def _numbers(text: str) -> list[TextFinding]:
    out = []
    lowered = text.lower()
    if "bsn" in lowered or "burgerservice" in lowered or "sofi" in lowered:
        for m in _BSN.finditer(text):
            if bsn.is_valid(m.group(1)):
                out.append(TextFinding(PERSONAL, "citizen service number (BSN)", "personal_data"))
                break
    if not _LONG_DIGITS.search(text):
        return out
    for m in _CARD_CANDIDATE.finditer(text):
        digits = re.sub(r"[ -]", "", m.group(0))
        if _CARD_PREFIX.match(digits) and luhn.is_valid(digits):
            out.append(TextFinding(PERSONAL, "payment card number", "personal_data"))
            break
    return out


def _ibans(text: str) -> list[TextFinding]:
    """An IBAN among the candidates: the groups of a candidate are taken one by one (a candidate
    may run on into the next word, `NL91 ABNA 0417 1643 00 now`), and each prefix of 15 to 34
    characters that ends at a group's end is checked by stdnum (format of the country, mod 97)."""
    for n, m in enumerate(_IBAN_CANDIDATE.finditer(text)):
        if n == MAX_REWRITES:
            return [TextFinding(POSSIBLE, f"more than {MAX_REWRITES} IBAN-shaped numbers: not checked to the end",
                                "personal_data")]
        if not m.group(0)[2].isalnum() and not m.group(0)[:2].isupper() and m.group(0)[:2].lower() in _WORD_NOT_COUNTRY:
            continue                  # "at 12 3456 …", "me 12 …": a word and digits; `NL 91 …`, `nl 91 abna …` are IBANs
        compact = ""
        for group in _IBAN_GROUP.split(m.group(0)):
            compact += group
            if len(compact) > 34:
                break
            if len(compact) >= 15 and iban.is_valid(compact.upper(), check_country=False):
                return [TextFinding(POSSIBLE, "bank account number (IBAN; a person's or an organisation's)",
                                    "personal_data")]
        whole = _IBAN_GROUP.sub("", m.group(0)).upper()
        length = _IBAN_LENGTH.get(whole[:2])
        if iban.is_valid(whole, check_country=False) \
                or (length and len(whole) > length and iban.is_valid(whole[:length], check_country=False)):
            return [TextFinding(POSSIBLE, "bank account number (IBAN; a person's or an organisation's)",
                                "personal_data")]
    return []


# encoded and e-mail-shaped forms (`encoded`, `mail_forms`) read their decodings back through `scan`:
# imported last, once this module's names exist
from . import encoded, mail_forms  # noqa: E402
