"""Identifiers hidden in the encodings real phishing and intrusion indicators carry, read back.

A victim's address in a phishing URL is most often base64 (`…/owa/?email=amFu…`, `…/#amFu…`); an
adversary-in-the-middle report carries session tokens (JWTs) whose payload names the person; a
captured HTTP request carries `Authorization: Basic <base64 of user:password>`; a panel URL or a
cookie carries `user=…&pass=…`. The free-text scan (`personal_text`) reads text as a person reads
it, and these forms are text a person decodes on sight with a tool. So:

- runs of hexadecimal digits (`6a616e2e…`) are decoded the same way (a digest decodes to bytes
  that are no text and is left alone);
- base64 and base64url values in a URL's query string, path parameters and fragment
  (`?email=<b64>`, `&u=<b64>`, `#<b64>`), and a value that is wholly base64, are decoded; when the
  bytes are UTF-8 text, the text is scanned by `personal_text.scan` (findings marked
  "base64-encoded"). Bytes that are no text (hash digests, random tokens) are left alone;
- JWTs (RFC 7519: three base64url parts, the first two JSON objects starting `eyJ`): a payload
  with `email`, `upn`, `preferred_username`, `unique_name` or `name`-like claims names a person
  (personal data); one with only `sub` or `oid` identifies an account (possibly a person's); the
  decoded payload is scanned as well;
- HTTP Basic credentials (RFC 7617, `Basic <base64>`): decoded, `user:password` is a login with
  its password, personal data as the `{user, pass}` dictionary is (docs/gate.md);
- query strings and cookies (`user=jdevries&pass=…`, `username`, `login`, `password`, `pwd`; a
  cookie's `user=`, `username=`, `email=`): a login with a password is a leaked credential
  (personal data); a login alone is an account name (a person's? a person judges). Values that
  are placeholders, numbers or yes/no are not account names.

Seventh round (all behind one RE2 pre-filter, `_MORE_HINT`, which most text fails):

- PowerShell's encoded command (`-EncodedCommand`, any prefix of it down to `-e`, `-ec`, `/enc`):
  base64 of UTF-16LE text ("base64-encoded command"). Bytes with a NUL at 80 % or more of the odd
  positions, or a UTF-16LE byte order mark, are read as UTF-16LE wherever base64 or hex is decoded
  (a wholly base64 `x_command_line`, too);
- hexadecimal bytes with a space or a colon between them (YARA's `{ 6a 61 6e … }`, a hex dump,
  `6a:61:6e:…`) or escaped (`\x6a\x61…`), at least eight bytes: six colon-separated bytes are a MAC
  address and EUI-64's eight decode to no text ("hex-encoded");
- character codes a script builds text from: `String.fromCharCode(106,97,…)`, PowerShell's
  `[char[]](106,97,…)`, runs of four or more `chr(106)`, `ChrW(106)`, `Chr$(106)` or `[char]106` joined
  by `+`, `&`, `.` or `,` (decimal or `0x…`; "written as character codes"). A bare list of numbers is
  not read (ports, ids and counts are lists of numbers too);
- MIME encoded-words (RFC 2047, `=?UTF-8?B?…?=`, `=?…?Q?…?=`, decoded by `email.header.decode_header`),
  read in their line so a display name stands next to its address ("MIME-encoded"); what the line
  says without the encoded words is not repeated;
- base64 broken over lines (a mail body: two or more lines of 16 or more base64 characters, the last
  possibly shorter), joined, in the first 1 MB of a text;
- base64 or base64url as a URL path segment of 12 or more characters (`/o/amFu…/pixel.gif`);
- base32 (RFC 4648, either case, padding up to six `=`) as a URL's query or fragment value, a path
  segment or a whole value ("base32-encoded");
- a base64 token standing alone that ends in padding (`… amFuQGdt…bQ== …`): the padding says base64;
- a zlib or gzip stream inside any decoded base64 (`eJ…`, `H4sI…`) is decompressed, at most 64 kB of
  output a stream and 256 kB for all the streams of one text, one level.

Not read, on purpose: unpadded base64 standing alone in prose without one of the contexts above
(every long word and identifier would be decoded, for nothing); raw deflate without a zlib or gzip
header (no magic says it is one); ROT13 and other ciphers; a bare comma-separated list of numbers.

Own code: the standard library decodes (`base64`, `binascii`, `json`, `urllib.parse`); no
well-kept library finds these forms in free text (JWT libraries verify a token given to them,
they do not find one). The patterns are RE2 (linear whatever the text holds; the one-class
whole-value pattern is Python's, linear too, and so are the base32, path-segment and encoded-word
patterns: no nested repetition), and a text is read only when a cheap pre-filter finds `=`, `#`, `://`,
`eyJ` or `Basic` in it, or the seventh round's RE2 pre-filter says yes. Decodings are read to a depth of
three.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
import threading
import zlib
from email.header import decode_header
from urllib.parse import unquote

import re2

from .personal_text import PERSONAL, POSSIBLE, TextFinding, scan
from .rx import Hint

_OPTIONS = re2.Options()
_OPTIONS.max_mem = 8 << 20


def _re(pattern: str):
    return re2.compile(pattern, options=_OPTIONS)


# a base64, base64url or base32 value after a query, path-parameter or fragment delimiter (padding may
# be percent-encoded: `%3D`; base32 pads with up to six)
_URL_B64 = _re(r"[?&;#=/]([A-Za-z0-9+/_\-]{8,}(?:={1,6}|(?:%3[dD]){1,6})?)(?:[&#;'\"\s\]),]|\.?$|\.\s)")
_URL_B64_HINT = Hint(_URL_B64.pattern)        # yes or no first (`rx`): most URLs carry no such value
# one character class then padding: Python's engine is linear on it, and cheaper to call than RE2
_WHOLE_B64 = re.compile(r"\s*([A-Za-z0-9+/_\-]{16,}={0,6})\s*")
# a run of hexadecimal digits (even length, at least 8 bytes) standing alone in the text
_HEX = re.compile(r"(?<![0-9A-Za-z])((?:[0-9a-fA-F]{2}){8,})(?![0-9A-Za-z])")
_HEX_HINT = Hint(r"[0-9a-fA-F]{16}")
_JWT = _re(r"(eyJ[A-Za-z0-9_\-]{4,})\.(eyJ[A-Za-z0-9_\-]{4,})\.([A-Za-z0-9_\-]*)")
_BASIC = _re(r"(?i)\bbasic\s+([A-Za-z0-9+/]{4,}={0,2})")
# key=value pairs of query strings, form bodies and cookies
_PAIR = _re(r"(?:^|[?&;#\s,\"'{])\s*([A-Za-z_][A-Za-z0-9_.\-]{0,40})\s*=\s*([^&;#\s'\"<>,}]{1,256})")
_PAIR_HINT = Hint(_PAIR.pattern)
_USER_KEYS = frozenset({"user", "username", "user_name", "usr", "uname", "login", "loginname", "login_name",
                        "userid", "user_id", "account", "acct", "email", "mail", "e-mail", "upn", "logon",
                        "uid", "u"})
_PASS_KEYS = frozenset({"pass", "password", "passwd", "pwd", "pw", "passw", "passcode", "p"})
_NOT_A_LOGIN = frozenset({"1", "0", "true", "false", "yes", "no", "on", "off", "null", "none", "undefined",
                          "guest", "anonymous", "test", "user", "username", "admin", "administrator", "root",
                          "login", "email", "%username%", "$user", "${user}", "{user}", "<user>", "xxx"})
_JWT_PERSON = ("email", "upn", "preferred_username", "unique_name", "name", "given_name", "family_name",
               "nickname", "phone_number", "emails")
_JWT_ACCOUNT = ("sub", "oid", "login", "username", "user", "uid")
_DEPTH = 3          # decodings inside decodings read at most this deep
_MAX_INFLATED = 64 << 10     # bytes a zlib or gzip stream in a decoding is decompressed to, at most
_MAX_INFLATED_TEXT = 256 << 10   # … and all the streams one text holds (its decodings' included) together
_budget = threading.local()
_MAX_BLOCK = 1 << 20         # characters of a text searched for multi-line base64 and MIME encoded-words

# a base64 or base64url segment of a URL's path (`https://track.example/o/amFu…/pixel.gif`)
_URL_PATH = _re(r"(?i)\b[a-z][a-z0-9+.\-]{0,15}://[^/\s'\"<>?#]{1,253}(/[^\s'\"<>?#]{12,})")
_URL_PATH_HINT = Hint(r"://[^/\s'\"<>?#]{1,253}/(?:[^\s'\"<>?#]*/)?[A-Za-z0-9_\-+=]{12}")
_SEGMENT = re.compile(r"[A-Za-z0-9_\-+]{12,}={0,6}")
# base32 (RFC 4648): upper case letters and 2-7 (a query value `?id=NJQW4LTE…======`)
_B32 = re.compile(r"[A-Za-z2-7]{8,}={0,6}")
# hexadecimal bytes with a space or colon between them (YARA's `{ 6a 61 6e … }`, a hex dump, `6a:61:6e`),
# or escaped (`\x6a\x61\x6e`), at least eight; six colon-separated bytes are a MAC address and too few
_SPACED_HEX = _re(r"(?:^|[^0-9A-Za-z:\\])((?:[0-9a-fA-F]{2} ){7,}[0-9a-fA-F]{2}|(?:[0-9a-fA-F]{2}:){7,}"
                  r"[0-9a-fA-F]{2})(?:$|[^0-9A-Za-z:])|((?:\\[xX][0-9a-fA-F]{2}){8,})")
_SPACED_HEX_HINT = Hint(r"(?:[0-9a-fA-F]{2}[ :]){7}[0-9a-fA-F]{2}|(?:\\[xX][0-9a-fA-F]{2}){8}")
# character codes: a call's list (`String.fromCharCode(106,97)`, PowerShell `[char[]](106,97)`) or a
# run of single conversions joined by `+`, `&`, `.` or `,` (`chr(106)+chr(97)`, `[char]106+[char]97`)
_NUM = r"(?:0[xX][0-9a-fA-F]{1,6}|[0-9]{1,7})"
_FROM_CHAR_CODES = _re(r"(?i)(?:fromcharcode|\[char\[\]\])\s*@?\(\s*(?:" + _NUM + r"\s*,\s*){3,}" + _NUM)
_CHR_RUN = _re(r"(?i)(?:(?:\bchrw?\$?\s*\(\s*" + _NUM + r"\s*\)|\[char\]\s*\(?\s*" + _NUM + r"\s*\)?)"
               r"\s*[+&.,]?\s*){4,}")
_CHAR_CODES_HINT = Hint(r"(?i)fromcharcode|\[char\[?\]?\]|\bchrw?\$?\s*\(\s*[0-9]")
_CODE = re.compile(r"0[xX][0-9a-fA-F]{1,6}|[0-9]{1,7}")
# MIME encoded-words (RFC 2047)
_MIME_WORD = re.compile(r"=\?[A-Za-z0-9_\-.:*]{1,40}\?[bBqQ]\?[^?\s]{1,1000}\?=")
_MIME_WORD_HINT = Hint(r"=\?[A-Za-z0-9_\-.:*]{1,40}\?[bBqQ]\?")
# PowerShell's encoded command (`-EncodedCommand`, `-enc`, `-e`, `-ec`, any prefix; `/enc` too): base64 of
# UTF-16LE text
_PS_ENC = _re(r"(?i)(?:^|[\s\"'])(?:-|/|\x{2013}|\x{2014})e(?:c|n[a-z]{0,13})?\s+[\"']?([A-Za-z0-9+/]{8,}={0,2})")
_PS_ENC_HINT = Hint(_PS_ENC.pattern)
# base64 broken over lines (a mail body, a PEM-like block): at least two full lines of one alphabet
_B64_LINES = _re(r"(?m)^[ \t]*(?:[A-Za-z0-9+/]{16,}[ \t]*\r?\n[ \t]*)+[A-Za-z0-9+/]{2,}={0,2}[ \t.,;:)\]'\"]*\r?$")
_B64_LINES_HINT = Hint(r"[A-Za-z0-9+/]{16}[ \t]*\r?\n[ \t]*[A-Za-z0-9+/]{2}")
# a standalone base64 token ending in padding (`… amFuLmRl…bQ== …`): the padding says base64
_B64_PADDED = _re(r"(?:^|[\s'\"(\[:,>])([A-Za-z0-9+/]{14,}[A-Za-z0-9+/]={1,2})(?:$|[\s'\")\],.;<])")
_B64_PADDED_HINT = Hint(r"[A-Za-z0-9+/]{15}={1,2}")
_MORE_HINT = Hint("|".join(h.pattern.pattern for h in (_URL_PATH_HINT, _SPACED_HEX_HINT, _CHAR_CODES_HINT,
                                                        _MIME_WORD_HINT, _PS_ENC_HINT, _B64_LINES_HINT,
                                                        _B64_PADDED_HINT)))


def hidden(text: str, depth: int = 0) -> tuple[TextFinding, ...]:
    """What personal identifiers a text holds in encoded form (module docstring), each kind once.
    Never raises on any text; an undecodable value is simply not read further."""
    if depth >= _DEPTH:
        return ()
    if depth == 0:
        _budget.inflated = 0             # zlib and gzip output this text may still decompress to
    found: dict[str, TextFinding] = {}
    seen: set[str] = set()           # base64 values read once, whichever reading finds them first
    if "eyJ" in text:
        _jwts(text, found, depth)
    if "asic" in text or "ASIC" in text:
        for m in _BASIC.finditer(text):
            decoded = _b64_text(m.group(1))
            if decoded and ":" in decoded:
                login, _, password = decoded.partition(":")
                if login.strip() and password:
                    _add(found, TextFinding(PERSONAL, "a login with its password (HTTP Basic credentials)",
                                            "account_names"))
                _decoded(decoded, "in HTTP Basic credentials", found, depth)
    if ("=" in text or "#" in text or "://" in text) and _URL_B64_HINT(text):
        for m in _URL_B64.finditer(text):
            _value(m.group(1), found, depth, seen)
    if "=" in text and _PAIR_HINT(text):
        _pairs(text, found)
    if len(text) >= 16 and _HEX_HINT(text):
        for m in _HEX.finditer(text):
            decoded = _text_of(bytes.fromhex(m.group(1)))
            if decoded:
                _decoded(decoded, "hex-encoded", found, depth)
    if len(text) >= 11 and _MORE_HINT(text):     # one yes or no for the readings below (most text: no)
        _more(text, found, depth, seen)
    m = _WHOLE_B64.fullmatch(text) if len(text) >= 16 else None
    if m:
        _value(m.group(1), found, depth, seen)
    return tuple(found.values())


def _more(text: str, found: dict, depth: int, seen: set) -> None:
    """The seventh round's readings (module docstring): URL path segments, spaced or escaped hex,
    character codes, MIME encoded-words, PowerShell's encoded command, base64 over several lines and
    padded base64 standing alone."""
    if "://" in text and _URL_PATH_HINT(text):
        _url_paths(text, found, depth, seen)
    if len(text) >= 23 and _SPACED_HEX_HINT(text):
        for m in _SPACED_HEX.finditer(text):
            digits = m.group(1) or m.group(2).replace("\\x", "").replace("\\X", "")
            try:
                decoded = _text_of(bytes.fromhex(digits.replace(" ", "").replace(":", "")))
            except ValueError:
                continue
            if decoded:
                _decoded(decoded, "hex-encoded", found, depth)
    if _CHAR_CODES_HINT(text):
        _char_codes(text, found, depth)
    if "=?" in text and _MIME_WORD_HINT(text):
        _mime_words(text, found, depth)
    if _PS_ENC_HINT(text):
        for m in _PS_ENC.finditer(text):
            _value(m.group(1), found, depth, seen, "base64-encoded command")
    if "\n" in text and _B64_LINES_HINT(text):
        for m in _B64_LINES.finditer(text[:_MAX_BLOCK]):
            decoded = _b64_text("".join(m.group(0).split()))
            if decoded:
                _decoded(decoded, "base64-encoded", found, depth)
    if "=" in text and _B64_PADDED_HINT(text):
        for m in _B64_PADDED.finditer(text):
            _value(m.group(1), found, depth, seen)


def _add(found: dict, f: TextFinding) -> None:
    found.setdefault(f.what, f)


def _decoded(decoded: str, how: str, found: dict, depth: int, known: frozenset = frozenset()) -> None:
    """Scan decoded text (and what it hides in turn), each finding marked with how it was hidden;
    findings in `known` (those of the text around an encoded part) are not repeated."""
    for f in scan(decoded) + hidden(decoded, depth + 1):
        if f.what in known:
            continue
        _add(found, f if f.what.endswith(f"({how})") else TextFinding(f.kind, f"{f.what} ({how})", f.category))


def _value(value: str, found: dict, depth: int, seen: set, how: str = "base64-encoded") -> None:
    """Read a base64, base64url or base32 value (`_b64_text`, `_b32_text`) once per text."""
    if value in seen:
        return
    seen.add(value)
    decoded = _b64_text(value)
    if not decoded and _B32.fullmatch(unquote(value)):
        decoded, how = _b32_text(value), "base32-encoded"
    if decoded:
        _decoded(decoded, how, found, depth)


def _b64_text(value: str) -> str | None:
    """The text a base64 or base64url value decodes to (`_bytes_text`), or None when it is not base64
    or the bytes are not mostly printable text."""
    value = unquote(value).rstrip("=")
    if len(value) < 8 or len(value) % 4 == 1:
        return None
    padded = value + "=" * (-len(value) % 4)
    try:
        raw = (base64.urlsafe_b64decode(padded) if ("-" in value or "_" in value)
               else base64.b64decode(padded, validate=True))
    except (binascii.Error, ValueError):
        return None
    return _bytes_text(raw)


def _b32_text(value: str) -> str | None:
    """The text a base32 value (RFC 4648, padding optional, either case) decodes to, or None."""
    value = value.rstrip("=").upper()
    if len(value) < 8 or len(value) % 8 in (1, 3, 6):
        return None
    try:
        raw = base64.b32decode(value + "=" * (-len(value) % 8))
    except (binascii.Error, ValueError):
        return None
    return _bytes_text(raw)


def _bytes_text(raw: bytes) -> str | None:
    """Decoded bytes as text (`_text_of`); a zlib or gzip stream in them is decompressed first (at most
    `_MAX_INFLATED` bytes of output, one level)."""
    if len(raw) >= 8 and (raw[:2] == b"\x1f\x8b" or (raw[0] & 0x0F == 8 and raw[0] >> 4 <= 7
                                                      and (raw[0] << 8 | raw[1]) % 31 == 0)):
        left = min(_MAX_INFLATED, _MAX_INFLATED_TEXT - getattr(_budget, "inflated", 0))
        if left > 0:
            try:
                inflater = zlib.decompressobj(16 + zlib.MAX_WBITS if raw[0] == 0x1F else zlib.MAX_WBITS)
                out = inflater.decompress(raw, left)
                _budget.inflated = getattr(_budget, "inflated", 0) + len(out)
                return _text_of(out)
            except zlib.error:
                pass
    return _text_of(raw)


def _text_of(raw: bytes) -> str | None:
    """The bytes as UTF-8 text when they are mostly printable, else None. Bytes with a NUL at most odd
    positions (or a UTF-16LE byte order mark) are read as UTF-16LE, as Windows writes text
    (PowerShell's `-EncodedCommand`)."""
    if b"\x00" in raw and len(raw) >= 8:
        odd = raw[1::2]
        if raw[:2] == b"\xff\xfe" or (len(raw) % 2 == 0 and odd.count(0) >= 0.8 * len(odd)):
            try:
                return _printable(raw.decode("utf-16-le").lstrip("\ufeff"))
            except UnicodeDecodeError:
                return None
    try:
        decoded = raw.decode("utf-8")
    except UnicodeDecodeError:
        return None
    return _printable(decoded)


def _printable(decoded: str) -> str | None:
    printable = sum(1 for c in decoded if c.isprintable() or c in "\r\n\t")
    return decoded if decoded and printable >= 0.95 * len(decoded) else None


def _url_paths(text: str, found: dict, depth: int, seen: set) -> None:
    """Each segment of a URL's path that is base64 or base64url (`/o/amFu…/pixel.gif`)."""
    for m in _URL_PATH.finditer(text):
        for segment in m.group(1).split("/"):
            if len(segment) >= 12 and _SEGMENT.fullmatch(segment):
                _value(segment, found, depth, seen)


def _char_codes(text: str, found: dict, depth: int) -> None:
    """Character codes written out in a script (`String.fromCharCode(106,97,…)`, `[char[]](106,…)`,
    `chr(106)+chr(97)`, `[char]106+[char]97`, `Chr(106) & Chr(97)`), read back as the text they build."""
    for rx_ in (_FROM_CHAR_CODES, _CHR_RUN):
        for m in rx_.finditer(text):
            codes = [int(n, 16) if n[:2] in ("0x", "0X") else int(n) for n in _CODE.findall(m.group(0))]
            if len(codes) >= 4 and all(0 < c < 0x110000 for c in codes):
                decoded = _printable("".join(map(chr, codes)))
                if decoded:
                    _decoded(decoded, "written as character codes", found, depth)


def _mime_words(text: str, found: dict, depth: int) -> None:
    """MIME encoded-words (RFC 2047, `=?UTF-8?B?…?=`, `=?UTF-8?Q?…?=`), decoded in their line (a
    display name next to its address reads as one); what the line holds without them is not repeated."""
    for line in text[:_MAX_BLOCK].splitlines():
        if "=?" not in line or not _MIME_WORD.search(line):
            continue
        decoded = _MIME_WORD.sub(lambda w: _mime_word(w.group(0)), line)
        if decoded != line:
            known = frozenset(f.what for f in scan(_MIME_WORD.sub(" ", line)))
            _decoded(decoded, "MIME-encoded", found, depth, known)


def _mime_word(word: str) -> str:
    try:
        parts = decode_header(word)
    except (ValueError, LookupError, binascii.Error):
        return word
    out = []
    for raw, charset in parts:
        if isinstance(raw, str):
            out.append(raw)
            continue
        try:
            out.append(raw.decode(charset or "utf-8", "replace"))
        except LookupError:
            out.append(raw.decode("utf-8", "replace"))
    return "".join(out)


def _jwts(text: str, found: dict, depth: int) -> None:
    for m in _JWT.finditer(text):
        header, payload = _b64_text(m.group(1)), _b64_text(m.group(2))
        if not header or not payload:
            continue
        try:
            claims = json.loads(payload)
        except ValueError:
            continue
        if not isinstance(claims, dict):
            continue
        person = [k for k in _JWT_PERSON if _filled(claims.get(k))]
        account = [k for k in _JWT_ACCOUNT if _filled(claims.get(k))]
        if person:
            _add(found, TextFinding(PERSONAL, f"a token (JWT) whose claims name a person ({', '.join(person)})",
                                    "account_names"))
        elif account:
            _add(found, TextFinding(POSSIBLE, f"a token (JWT) whose claims identify an account ({', '.join(account)})",
                                    "account_names"))
        _decoded(payload, "in a JWT", found, depth)


def _filled(value) -> bool:
    return (isinstance(value, str) and bool(value.strip())) or (isinstance(value, list) and bool(value))


def _pairs(text: str, found: dict) -> None:
    logins, passwords = False, False
    for m in _PAIR.finditer(text):
        key, value = m.group(1).lower(), unquote(m.group(2)).strip()
        if not value:
            continue
        if key in _PASS_KEYS:
            passwords = True
        elif key in _USER_KEYS and _login(value):
            logins = True
    if logins and passwords:
        _add(found, TextFinding(PERSONAL, "a login with its password in a query string or cookie "
                                          "(a leaked credential)", "account_names"))
    elif logins:
        _add(found, TextFinding(POSSIBLE, "an account name in a query string or cookie (a person's?)",
                                "account_names"))


def _login(value: str) -> bool:
    """A value that may be an account name: it has a letter, and is no placeholder, yes/no or URL."""
    lowered = value.lower()
    return (any(c.isalpha() for c in value) and lowered not in _NOT_A_LOGIN and not lowered.startswith(("$", "%", "{"))
            and "/" not in value)             # `?u=https://…`: a redirect target, no login
