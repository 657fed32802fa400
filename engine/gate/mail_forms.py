"""E-mail-shaped accounts the address validator does not take, and obfuscations of an address that
the normaliser (`normalise`) leaves alone on purpose or does not know.

`personal_text` checks address candidates with `email-validator`, which (rightly, for mail) refuses
special-use domains and address literals. For the gate those are accounts all the same:

- special-use domains the validator refuses (RFC 6761 `.localhost`, `.test`, `.invalid`; RFC 6762
  `.local`; RFC 8375 `.home.arpa`; RFC 7686 `.onion`): an Active Directory user principal name
  `jdevries@acme.local`, `jdevries@localhost`, `jdevries@host.localhost`, `jdevries@nas.home.arpa`
  is an account at a private name, which may be a person's (a person judges), as an account at an
  IP address is; `jdevries@…onion` is a mailbox at an onion mail host (personal data). The other
  private names (`.internal`, `.lan`, `.corp`, `.intranet`, `.home`) the validator takes, so
  `personal_text` counts them as e-mail addresses already;
- address literals (RFC 5321 §4.1.3): `jan@[192.0.2.10]`, `jan@[IPv6:2001:db8::1]`: an account at a host;
- `(a)`, `[a]`, `{a}` for `@` between address characters (`jan.devries(a)acme-hosting.nl`), common
  in German and Dutch texts; the bracketed `at` forms are `normalise`'s;
- regex-escaped addresses as in a STIX `MATCHES` comparison or a YARA or Sigma rule
  (`jan\\.devries@gmail\\.com`, `jan\\.devries\\@gmail\\.com`);
- the word form `jan.devries at gmail.com` when the part before `at` is a dotted name
  (`first.last`, not a file name or a host name) or the domain is a known mail provider
  (`jdevries at gmail.com`). `jan at example.nl` and "the C2 server at evil.example" stay prose:
  the same words name where something is hosted (docs/gate.md, "Fourth round").

Each rewritten text is read again by the address scan (`personal_text.scan`), so role mailboxes
(`abuse(a)example.nl`) stay functions and not persons. Own code: these are the gate's readings,
no library makes them. The patterns are RE2 (linear whatever the text holds); each runs only
when a cheap test finds its marker (`@`, `(a)`, `\\.`, `… at x.y`).
"""

from __future__ import annotations

import re

import re2

from .normalise import _NOT_A_MAILBOX
from .rx import PY_SPACE, Hint
from .personal_text import PERSONAL, POSSIBLE, ROLE_MAILBOXES, TextFinding, scan

_OPTIONS = re2.Options()
_OPTIONS.max_mem = 8 << 20


def _re(pattern: str):
    return re2.compile(pattern, options=_OPTIONS)


_LOCAL = r"[A-Za-z0-9._%+\-]+"
_SPECIAL = _re(r"(?i)(?:^|[^A-Za-z0-9._%+\-])(" + _LOCAL + r")@((?:[A-Za-z0-9\-]+\.)*"
               r"(?:local|localhost|home\.arpa|onion|test|invalid))"
               r"(?:$|[^A-Za-z0-9\-.]|\.(?:$|[^A-Za-z0-9\-]))")
_LITERAL = _re(r"(?i)(?:^|[^A-Za-z0-9._%+\-])(" + _LOCAL + r")@\[(?:IPv6:[0-9a-f:.]+|\d{1,3}(?:\.\d{1,3}){3})\]")
_A_PAREN = _re(r"(" + _LOCAL + r")\s?[\(\[\{]a[\)\]\}]\s?([A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)+)")
_ESCAPED = _re(r"\\+([.@+\-_])")
_WORD_AT = _re(r"(?i)(?:^|[\s(<\"':;,])(" + _LOCAL + r")\s+at\s+([A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)+)")
# cheap pre-filters (Python's engine, no nested repetition: linear) before the RE2 rewrites
_ESCAPED_HINT = Hint(r"\\[.@]")
# a word, `at` and a domain: in RE2 for the shared pass (`rx.prime`), a superset of the `(?i)` form in
# Python's `re` (any letter or digit where it allowed a-z and 0-9 in either case, Python's `\s`)
_WORD_AT_HINT = Hint(rf"(?i)[\p{{L}}\p{{N}}][{PY_SPACE}]+at[{PY_SPACE}]+[\p{{L}}\p{{N}}\-]+\.\p{{L}}")
_NAME_PART = _re(r"^[A-Za-z][A-Za-z'\-]*[A-Za-z0-9]$|^[A-Za-z]$")
_NOT_A_NAME_END = frozenset({
    # file extensions and top-level domains: `dropper.exe at …`, `update.example.com at …` are no addresses
    "exe", "dll", "sys", "js", "jse", "vbs", "vbe", "ps1", "psm1", "bat", "cmd", "hta", "lnk", "iso", "img", "msi",
    "scr", "jar", "apk", "zip", "rar", "7z", "gz", "tar", "doc", "docx", "docm", "xls", "xlsx", "xlsm", "ppt",
    "pptx", "pdf", "rtf", "txt", "html", "htm", "php", "asp", "aspx", "jsp", "py", "sh", "bin", "dat", "tmp",
    "log", "cfg", "ini", "json", "xml", "yaml", "yml", "png", "jpg", "gif", "svg", "one", "chm", "cpl", "ocx",
    "com", "net", "org", "nl", "be", "de", "eu", "uk", "ru", "cn", "io", "info", "biz", "xyz", "top", "co", "me",
    "us", "fr", "it", "es", "pl", "ua", "su", "tk", "cc", "ws", "onion", "local", "lan", "internal", "example"})
MAIL_PROVIDERS = frozenset({
    "gmail.com", "googlemail.com", "outlook.com", "hotmail.com", "live.com", "msn.com", "yahoo.com", "ymail.com",
    "icloud.com", "me.com", "aol.com", "proton.me", "protonmail.com", "pm.me", "tutanota.com", "tuta.io",
    "gmx.com", "gmx.net", "gmx.de", "web.de", "mail.ru", "yandex.ru", "yandex.com", "qq.com", "163.com",
    "ziggo.nl", "kpnmail.nl", "planet.nl", "hetnet.nl", "home.nl", "xs4all.nl", "casema.nl", "upcmail.nl",
    "telfort.nl", "onsbrabantnet.nl", "zonnet.nl", "t-online.de", "orange.fr", "free.fr", "skynet.be",
    "telenet.be", "cock.li", "onionmail.org", "mail.com", "zoho.com", "fastmail.com", "hushmail.com"})
_NOT_PERSONS = frozenset({"root", "admin", "administrator", "user", "username", "guest", "test", "example",
                          "nobody", "daemon", "system", "localhost", "john.doe", "jane.doe", "user.name",
                          "first.last", "firstname.lastname", "name.surname"})


def findings(text: str) -> tuple[TextFinding, ...]:
    """The accounts and addresses of the module docstring found in a text, each kind once. Pure."""
    found: dict[str, TextFinding] = {}
    if "@" in text:
        for m in _SPECIAL.finditer(text):
            if _person_local(m.group(1)):
                domain = m.group(2).lower()
                if domain.endswith(".onion"):
                    _add(found, TextFinding(PERSONAL, "e-mail address at an onion mail host", "email_addresses"))
                else:
                    _add(found, TextFinding(POSSIBLE, "an account name at a local or private host name "
                                                      "(a person's?)", "account_names"))
        if "[" in text:
            for m in _LITERAL.finditer(text):
                if _person_local(m.group(1)):
                    _add(found, TextFinding(POSSIBLE, "an account name at an address literal (a person's?)",
                                            "account_names"))
    rewritten = []
    if "a)" in text or "a]" in text or "a}" in text:
        rewritten.append(_A_PAREN.sub(lambda m: m.group(1) + "@" + m.group(2), text))
    if "\\" in text and _ESCAPED_HINT(text):
        rewritten.append(_ESCAPED.sub(lambda m: m.group(1), text))
    if (" at" in text or " AT" in text or " At" in text or "\tat" in text or "\nat" in text) \
            and _WORD_AT_HINT(text):
        rewritten.append(_WORD_AT.sub(_word_at, text))
    for again in rewritten:
        if again != text:             # the rewrites are idempotent: reading `again` rewrites nothing more
            for f in scan(again):
                _add(found, f)
    return tuple(found.values())


def _add(found: dict, f: TextFinding) -> None:
    found.setdefault(f.what, f)


def _person_local(local: str) -> bool:
    lowered = local.lower().strip(".")
    return bool(lowered) and lowered not in ROLE_MAILBOXES and lowered not in _NOT_PERSONS


def _word_at(m) -> str:
    local, domain = m.group(1), m.group(2)
    lead = m.group(0)[: m.start(1) - m.start(0)]
    if local.lower() in _NOT_A_MAILBOX:
        return m.group(0)
    parts = local.split(".")
    dotted_name = (len(parts) in (2, 3) and parts[-1].lower() not in _NOT_A_NAME_END
                   and all(_NAME_PART.match(p) for p in parts))
    if dotted_name or domain.lower() in MAIL_PROVIDERS:
        return lead + local + "@" + domain
    return m.group(0)
