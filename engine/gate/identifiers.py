"""Identifiers of persons, their documents, devices, money and whereabouts in free text and in
JSON numbers, read on top of `personal_text` (which calls `scan` for every text it scans, so STIX and
MISP read them alike), and what a MISP attribute's relation, template or comment says of its value
(`misp_attribute`). The forms and the decisions taken (docs/gate.md, "Fourth round: identifiers"):

| what | read as | finding |
|---|---|---|
| profile URL (`t.me/…`, `github.com/<user>`, `linkedin.com/in/…` …, `profiles`) | an account | possible; LinkedIn `/in/` personal |
| X.509 / PGP / SSH keys (`certificates`) | their subject, user IDs, comment | as a cleartext subject |
| `DOMAIN\\user`, `uid=…(name)`, UNC homes, `~user/` … (`accounts`) | an account name | possible |
| NTLM and Digest logons, WordPress login cookies, tools' `-u`/`-p` switches, connection strings (`credentials`) | a login with its password or crackable response; an account | personal; an account alone possible |
| coordinates to a building (`coordinates`) | a home? | possible |
| BSN (`bsn`, `burgerservicenummer`, `sofinummer`, `citizen service number` within 80 characters before it) | eleven-test (`stdnum.nl.bsn`) | personal |
| passport / identity card number (a context word, then the Dutch document number format or a number of 6–12 letters and digits) | a travel document | personal |
| licence plate (a context word, then a Dutch side code) | a vehicle, its owner | possible |
| IMEI (15 digits, Luhn by `stdnum.imei`; without the word only with a real reporting-body prefix) | a handset | possible |
| IMSI (with the word; country code checked by `stdnum.imsi`) | a subscriber | personal |
| MAC address (`3C:22:FB:12:34:56`, `3c22.fb12.3456`) | a device inside a network | possible |
| bitcoin (`bc1…` bech32 by `bech32`, `1…`/`3…` base58check by `base58`) and ether (`0x` + 40 hex) addresses | a wallet | possible |
| a JSON number that is a card number (Luhn and scheme prefix) or an IMEI | as in text | as in text |
| other countries' national numbers after their word, dates of birth, passport and ID card machine-readable zones (`national_ids`) | a person | personal (a zone line failing its check digits: possible) |
| WhatsApp links, other sites' profiles, messenger ids, word-form e-mail (`messengers`) | an account, a number | possible; e-mail personal |

A nine-digit number is a BSN only where a context word says so (the word in the same text, or a
MISP attribute's comment for its value): one nine-digit number in eleven passes the eleven-test, and
threat data is full of nine-digit ids, sizes and counters. Likewise an IMSI needs its word (any
15 digits with a valid country code would do), and a licence plate and a passport number need theirs.

MAC addresses, decided: the gate leaves IP addresses to the rule sets (category ip_addresses)
because in threat data they name servers on the Internet, reachable and shared by many. A MAC address
never crosses a router: one in threat data was taken from a device inside a network, a victim's
laptop or phone as often as not, and it identifies that one device for its life (an online
identifier, GDPR recital 30). So it escalates (possible personal data) in text, as MISP
`mac-address`/`mac-eui-64` and as a STIX `mac-addr`; broadcast, all-zero and multicast addresses
are not counted.

Own code here is only the context words and candidate patterns (RE2 where no look-behind is
needed); every check digit is a library's (`python-stdnum`, `base58`, `bech32`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import base58
import bech32
import re2

from .rx import Hint
from stdnum import imei, imsi, luhn
from stdnum.nl import bsn

from . import accounts, certificates, coordinates, credentials, messengers, national_ids, profiles
from .person_names import may_name_a_person

PERSONAL = "personal"
POSSIBLE = "possible"

_OPTIONS = re2.Options()
_OPTIONS.max_mem = 8 << 20


@dataclass(frozen=True)
class Said:
    """kind: personal | possible; what: what was found; category: the data category when personal."""

    kind: str
    what: str
    category: str = "personal_data"


_BSN_WORD = re.compile(r"(?i)\b(?:bsn|burger\s*service\s*nummer|sofi-?\s*nummer|citizen\s+service\s+number|"
                       r"social\s+security\s+number\s+\(?nl\)?)\b")
_NINE = re.compile(r"(?<![\d.,])(\d(?:[ .]?\d){7,8})(?![\d]|[.,]\d)")
_DOCUMENT_WORD = re.compile(r"(?i)\b(?:passport|paspoort|reisdocument|travel\s+document|id[\s-]*card|"
                            r"identity\s+card|identiteitskaart|id[\s-]*kaart|identiteitsbewijs|document\s*(?:nr|"
                            r"nummer|number)|rijbewijs|driv(?:er'?s|ing)\s+licen[cs]e)")
# Dutch passports and identity cards since 2001: two letters, six letters or digits, one digit, no O
_NL_DOCUMENT = re.compile(r"\b[A-NP-Z]{2}[A-NP-Z0-9]{6}\d\b")
_DOCUMENT_AFTER = re.compile(r"(?i)^[^\w]{0,3}(?:no\.?|nr\.?|number|nummer|num\.?|#)?[\s:#.]{0,3}"
                             r"([A-Z0-9]{6,12})\b")
_PLATE_WORD = re.compile(r"(?i)\b(?:kenteken(?:plaat)?|licen[cs]e[\s-]*plate|number[\s-]*plate|registration[\s-]*"
                         r"plate|nummerplaat|nummerbord|plate\s+(?:no|number|nr))")
_NL_PLATE = re.compile(r"\b(?=[A-Z0-9-]{8}\b)[A-Z0-9]{1,3}-[A-Z0-9]{1,3}-[A-Z0-9]{1,3}\b")
_IMEI = re.compile(r"(?<![\d.])(\d{2}[ -]?\d{6}[ -]?\d{6}[ -]?\d)(?![\d])")
_IMSI = re.compile(r"(?<![\d.])(\d{15})(?!\d)")
# reporting bodies that hand out type allocation codes (GSMA): an IMEI without its word must start so
_IMEI_BODIES = frozenset({"01", "10", "30", "33", "35", "44", "45", "49", "50", "51", "52", "53", "54", "86",
                          "91", "98", "99"})
_MAC = re2.compile(r"(?:^|[^0-9A-Fa-f:.\-])((?:[0-9A-Fa-f]{2}[:\-]){5}[0-9A-Fa-f]{2}|"
                   r"[0-9A-Fa-f]{4}\.[0-9A-Fa-f]{4}\.[0-9A-Fa-f]{4})(?:$|[^0-9A-Fa-f:.\-]|\.(?:$|[^0-9A-Fa-f]))",
                   options=_OPTIONS)
_BECH32 = re2.compile(r"(?i)(?:^|[^a-z0-9])(bc1[ac-hj-np-z02-9]{8,87})(?:$|[^a-z0-9])", options=_OPTIONS)
_BASE58 = re2.compile(r"(?:^|[^A-Za-z0-9])([13][1-9A-HJ-NP-Za-km-z]{25,34})(?:$|[^A-Za-z0-9])", options=_OPTIONS)
_ETHER = re2.compile(r"(?:^|[^A-Za-z0-9])(0x[0-9a-fA-F]{40})(?:$|[^A-Za-z0-9])", options=_OPTIONS)
_CARD_PREFIX = re.compile(r"^(?:4\d{12}(?:\d{3}){0,2}|5[1-5]\d{14}|2[2-7]\d{14}|3[47]\d{13}|6(?:011|5\d\d)\d{12,15}"
                          r"|35\d{14}|3(?:0[0-5]|[68]\d)\d{11})$")


# one pass over a text says whether any reading below may find something: a site of `profiles`, a
# key's or certificate's start, a backslash, `id=`, `~name`, a decimal with four places, a degree sign,
# a context word, fifteen digits, a MAC-, bitcoin- or ether-shaped token, a word or site of `national_ids` or
# `messengers` (most text has none of these; `_MORE_HINT` then says whether those two may find anything)
_HINT = Hint(
    r"(?i)t\.me/|telegram\.me/|github\.com/|gitlab\.com/|linkedin\.com/in|twitter\.com/|x\.com/|medium\.com/@|"
    r"facebook\.com/|fb\.com/|instagram\.com/|vk\.com/|youtube\.com/|tiktok\.com/@|reddit\.com/u|keybase\.io/|"
    r"threads\.net/@|cn\s*=|-----begin|mii[a-z0-9+/]{300}|aaaa[a-z0-9+/]{20}|\\|id=\d|~[a-z_]|"
    r"s-(?:macbook|mbp|imac|mac-|iphone|ipad)|\d\.\d{4}|°|º|geo:|bsn|burger|sofi|citizen|social\s+security|"
    r"passport|paspoort|reisdoc|travel\s+doc|id[\s-]*card|identity\s*card|identiteit|id[\s-]*kaart|document|rijbewijs|licen[cs]e|"
    r"driv|kenteken|plate|nummerplaat|nummerbord|imei|imsi|\d{2}[ -]?\d{6}[ -]?\d{6}[ -]?\d|"
    r"[0-9a-f]{2}[:-][0-9a-f]{2}[:-][0-9a-f]{2}[:-]|[0-9a-f]{4}\.[0-9a-f]{4}\.[0-9a-f]{4}|"
    r"bc1|[13][1-9a-z]{25}|0x[0-9a-f]{40}|/var/(?:spool/)?(?:mail|cron)/|" + national_ids.HINT + "|" + messengers.HINT +
    "|" + credentials.HINT, options=_OPTIONS)
_ANY_DIGIT = re.compile(r"\d")
_MORE_HINT = Hint(r"(?i)" + national_ids.HINT + "|" + messengers.HINT, options=_OPTIONS)


def scan(text: str) -> tuple[Said, ...]:
    """Every identifier of the table above in `text` (each kind once). Not cached here: the caller
    (`personal_text.scan`) caches per text."""
    if not _HINT(text):
        return ()
    more = [Said(*t) for t in national_ids.scan(text) + messengers.scan(text)] if _MORE_HINT(text) else []
    out: dict[str, Said] = {}

    def add(s: Said) -> None:
        out.setdefault(s.what, s)

    for s in more:
        add(s)

    site = profiles.profile_account(text)
    if site:
        if site == "linkedin.com/in":
            add(Said(PERSONAL, "a LinkedIn profile URL (a person's account)", "account_names"))
        else:
            add(Said(POSSIBLE, f"a profile URL on {site.split('/')[0]} (an account: a person's?)", "account_names"))
    for kind, what in certificates.scan(text):
        add(Said(kind, what, "email_addresses" if "e-mail" in what else "personal_data"))
    for what in accounts.scan(text):
        add(Said(POSSIBLE, what, "account_names"))
    for kind, what, category in credentials.scan(text):
        add(Said(kind, what, category))
    where = coordinates.scan(text)
    if where:
        add(Said(POSSIBLE, where))
    if _ANY_DIGIT.search(text):
        for s in _numbers(text):
            add(s)
    if ":" in text or "-" in text or "." in text:
        for m in _MAC.finditer(text):
            if _device_mac(m.group(1)):
                add(Said(POSSIBLE, "a MAC address (a device inside a network: a person's?)"))
                break
    for s in _wallets(text):
        add(s)
    return tuple(out.values())


def _numbers(text: str) -> list[Said]:
    out = []
    lowered = text.lower()
    if "bsn" in lowered or "burger" in lowered or "sofi" in lowered or "citizen" in lowered or "social" in lowered:
        for w in _BSN_WORD.finditer(text):
            for m in _NINE.finditer(text, w.end(), min(len(text), w.end() + 80)):
                if bsn.is_valid(m.group(1)):
                    out.append(Said(PERSONAL, "citizen service number (BSN)"))
                    break
            if out:
                break
    if _DOCUMENT_WORD.search(text):
        for w in _DOCUMENT_WORD.finditer(text):
            window = text[w.end():w.end() + 60]
            after = _DOCUMENT_AFTER.match(window)
            if _NL_DOCUMENT.search(window) or (after and _letters_and_digits(after.group(1))):
                out.append(Said(PERSONAL, "a passport or identity document number"))
                break
    if _PLATE_WORD.search(text):
        for w in _PLATE_WORD.finditer(text):
            for m in _NL_PLATE.finditer(text, w.end(), min(len(text), w.end() + 40)):
                if _letters_and_digits(m.group(0)):
                    out.append(Said(POSSIBLE, "a licence plate (a vehicle and its owner)"))
                    break
            if out and out[-1].what.startswith("a licence"):
                break
    if len(text) >= 15:
        worded = "imei" in lowered
        for m in _IMEI.finditer(text):
            digits = re.sub(r"[ -]", "", m.group(1))
            if imei.is_valid(digits) and (worded or digits[:2] in _IMEI_BODIES):
                out.append(Said(POSSIBLE, "a handset's IMEI (its user's?)"))
                break
        if "imsi" in lowered:
            for m in _IMSI.finditer(text):
                if imsi.is_valid(m.group(1)):
                    out.append(Said(PERSONAL, "a subscriber's IMSI"))
                    break
    return out


def _letters_and_digits(token: str) -> bool:
    return any(c.isdigit() for c in token) and any(c.isalpha() for c in token)


def _device_mac(mac: str) -> bool:
    digits = re.sub(r"[:.\-]", "", mac).lower()
    if digits in ("000000000000", "ffffffffffff"):
        return False
    return not int(digits[:2], 16) & 1            # multicast: the group bit of the first octet


def _wallets(text: str) -> list[Said]:
    found = False
    if "bc1" in text or "BC1" in text:
        for m in _BECH32.finditer(text):
            version, program = bech32.decode("bc", m.group(1).lower())
            if version is not None and program is not None:
                found = True
                break
    if not found and ("1" in text or "3" in text):
        for m in _BASE58.finditer(text):
            try:
                raw = base58.b58decode_check(m.group(1))
            except ValueError:
                continue
            if len(raw) == 21 and raw[0] in (0x00, 0x05):
                found = True
                break
    if not found and "0x" in text:
        found = _ETHER.search(text) is not None
    return [Said(POSSIBLE, "a crypto-currency address (a person's?)")] if found else []


def scan_number(number: int) -> tuple[Said, ...]:
    """A whole JSON number that is a payment card number (13–19 digits, a scheme's prefix and a valid
    Luhn digit: personal, as in text and in MISP) or an IMEI (15 digits, Luhn, a reporting body's
    prefix: possible)."""
    digits = str(number)
    if 13 <= len(digits) <= 19 and _CARD_PREFIX.match(digits) and luhn.is_valid(digits):
        return (Said(PERSONAL, "payment card number"),)
    if len(digits) == 15 and digits[:2] in _IMEI_BODIES and imei.is_valid(digits):
        return (Said(POSSIBLE, "a number that reads as a handset's IMEI (its user's?)"),)
    return ()


_NAMES = frozenset({"text"})
_PARTICLES = frozenset({"de", "den", "der", "van", "von", "te", "ten", "ter", "da", "di", "du", "la", "le", "al",
                        "el", "bin", "ibn", "'t"})
# words of the names of tactics, techniques and tools that are written like a person's name in title
# case (`Initial Access`, `Lateral Movement`, `Remote Services`): a whole value of these is no name
_INTEL_WORDS = frozenset({
    "access", "initial", "lateral", "movement", "command", "control", "execution", "persistence", "privilege",
    "escalation", "defense", "evasion", "credential", "credentials", "discovery", "collection", "exfiltration",
    "impact", "reconnaissance", "resource", "development", "remote", "services", "service", "phishing",
    "spearphishing", "attachment", "link", "exploit", "exploitation", "injection", "process", "scheduled", "task",
    "valid", "accounts", "account", "data", "file", "files", "system", "network", "server", "client", "user",
    "domain", "web", "shell", "script", "scripting", "interpreter", "loader", "dropper", "backdoor", "beacon",
    "payload", "stage", "sample", "malware", "tool", "tools", "strike", "framework", "agent", "implant", "module",
    "windows", "linux", "macos", "android", "office", "word", "excel", "outlook", "exchange", "active", "directory",
    "cloud", "mail", "email", "dns", "http", "https", "ssh", "vpn", "proxy", "tunnel", "traffic", "protocol",
    "encrypted", "encryption", "obfuscated", "packed", "signed", "unsigned", "unknown", "other", "none", "true",
    "false", "test", "example", "sample", "report", "analysis", "campaign", "wave", "phase", "victim", "victims",
    "target", "targets", "sector", "government", "financial", "energy", "health", "healthcare", "education",
    "north", "south", "east", "west", "new", "old", "first", "second", "last", "high", "medium", "low", "critical"})


def _whole_name(text: str) -> bool:
    """A whole value that is a person's name: two to four words, each capitalised (or a surname
    particle), none of a tactic's or tool's name, and `may_name_a_person` says so."""
    words = text.split()
    if not 2 <= len(words) <= 4 or len(text) > 80:
        return False
    for w in words:
        if w.lower() in _PARTICLES:
            continue
        if w.lower() in _INTEL_WORDS or not (w[:1].isupper() or not w[:1].isalpha() or w[:1].lower() == w[:1].upper()):
            return False
    return may_name_a_person(text)
_COORDINATE_RELATIONS = frozenset({"latitude", "longitude", "lat", "lon", "lng"})


def misp_attribute(kind: str, value: object, relation: object, comment: object) -> list[Said]:
    """What a MISP attribute says beyond its text: a `text` value that is wholly a person's name, the
    value half of a `regkey|value` that is one, a coordinate precise to a building (relation
    `latitude`/`longitude`, the `geolocation` object) or an `accuracy-radius` of 100 m or less, and a
    nine-digit value passing the eleven-test whose comment calls it a BSN."""
    out = []
    text = str(value).strip()
    if kind in _NAMES and _whole_name(text):
        out.append(Said(POSSIBLE, "a value that is a name that may be a person's"))
    if kind == "regkey|value" and "|" in text and _whole_name(text.split("|", 1)[1].strip()):
        out.append(Said(POSSIBLE, "a registry value that is a name that may be a person's"))
    rel = relation.lower() if isinstance(relation, str) else ""
    if rel in _COORDINATE_RELATIONS and coordinates.precise_decimal(value):
        out.append(Said(POSSIBLE, "coordinates precise to a building (a home?)"))
    if rel == "accuracy-radius":
        try:
            if 0 <= float(text) <= 0.1:
                out.append(Said(POSSIBLE, "a location precise to a building (a home?)"))
        except ValueError:
            pass
    if isinstance(comment, str) and _BSN_WORD.search(comment) and _NINE.fullmatch(text) and bsn.is_valid(text):
        out.append(Said(PERSONAL, "citizen service number (BSN; the attribute's comment says so)"))
    return out
