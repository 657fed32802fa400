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

Own code: the standard library decodes (`base64`, `binascii`, `json`, `urllib.parse`); no
well-kept library finds these forms in free text (JWT libraries verify a token given to them,
they do not find one). The patterns are RE2 (linear whatever the text holds; the one-class
whole-value pattern is Python's, linear too), and a text is read only when a cheap pre-filter finds
`=`, `#`, `://`, `eyJ` or `Basic` in it.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from urllib.parse import unquote

import re2

from .personal_text import PERSONAL, POSSIBLE, TextFinding, scan
from .rx import Hint

_OPTIONS = re2.Options()
_OPTIONS.max_mem = 8 << 20


def _re(pattern: str):
    return re2.compile(pattern, options=_OPTIONS)


# a base64 or base64url value after a query, path-parameter or fragment delimiter (padding may be
# percent-encoded: `%3D`)
_URL_B64 = _re(r"[?&;#=/]([A-Za-z0-9+/_\-]{8,}(?:={1,2}|(?:%3[dD]){1,2})?)(?:[&#;'\"\s\]),]|$)")
_URL_B64_HINT = Hint(_URL_B64.pattern)        # yes or no first (`rx`): most URLs carry no such value
# one character class then padding: Python's engine is linear on it, and cheaper to call than RE2
_WHOLE_B64 = re.compile(r"\s*([A-Za-z0-9+/_\-]{16,}={0,2})\s*")
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


def hidden(text: str, depth: int = 0) -> tuple[TextFinding, ...]:
    """What personal identifiers a text holds in encoded form (module docstring), each kind once.
    Never raises on any text; an undecodable value is simply not read further."""
    if depth >= _DEPTH:
        return ()
    found: dict[str, TextFinding] = {}
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
            decoded = _b64_text(m.group(1))
            if decoded:
                _decoded(decoded, "base64-encoded", found, depth)
    if "=" in text and _PAIR_HINT(text):
        _pairs(text, found)
    if len(text) >= 16 and _HEX_HINT(text):
        for m in _HEX.finditer(text):
            decoded = _text_of(bytes.fromhex(m.group(1)))
            if decoded:
                _decoded(decoded, "hex-encoded", found, depth)
    m = _WHOLE_B64.fullmatch(text) if len(text) >= 16 else None
    if m:
        decoded = _b64_text(m.group(1))
        if decoded:
            _decoded(decoded, "base64-encoded", found, depth)
    return tuple(found.values())


def _add(found: dict, f: TextFinding) -> None:
    found.setdefault(f.what, f)


def _decoded(decoded: str, how: str, found: dict, depth: int) -> None:
    """Scan decoded text (and what it hides in turn), each finding marked with how it was hidden."""
    for f in scan(decoded) + hidden(decoded, depth + 1):
        _add(found, f if f.what.endswith(f"({how})") else TextFinding(f.kind, f"{f.what} ({how})", f.category))


def _b64_text(value: str) -> str | None:
    """The UTF-8 text a base64 or base64url value decodes to, or None when it is not base64 or the
    bytes are not mostly printable text."""
    value = unquote(value).rstrip("=")
    if len(value) < 8 or len(value) % 4 == 1:
        return None
    padded = value + "=" * (-len(value) % 4)
    try:
        raw = (base64.urlsafe_b64decode(padded) if ("-" in value or "_" in value)
               else base64.b64decode(padded, validate=True))
    except (binascii.Error, ValueError):
        return None
    return _text_of(raw)


def _text_of(raw: bytes) -> str | None:
    """The bytes as UTF-8 text when they are mostly printable, else None."""
    try:
        decoded = raw.decode("utf-8")
    except UnicodeDecodeError:
        return None
    printable = sum(1 for c in decoded if c.isprintable() or c in "\r\n\t")
    return decoded if decoded and printable >= 0.95 * len(decoded) else None


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
