"""Messenger accounts, WhatsApp links, profile URLs of sites outside `profiles`' table, and the
Russian word form of an e-mail address (docs/gate.md, "Fifth round: markings, national numbers,
accounts"). Called by `identifiers.scan` for every text the gate scans (STIX and MISP alike).

| form | read as | finding |
|---|---|---|
| `wa.me/<number>`, `api.whatsapp.com/send?phone=<number>`, `whatsapp://send?phone=` (any country; `phonenumbers` says the number is possible) | a phone number | possible (as a phone number in text) |
| `https://<any host>/@<user>` (Mastodon and the fediverse; the user's page, a status `/@user/<digits>` or its tabs) | an account | possible |
| `steamcommunity.com/id/…`, `/profiles/…`; `ok.ru/profile/<digits>` | an account | possible |
| forum profiles: `member.php?…u=`/`uid=`, `memberlist.php?mode=viewprofile&u=`, `showuser=`, `/members/<name>.<id>/`, `/user/<name>` | an account | possible |
| after its word: Telegram `@handle` (or `Telegram: handle` with a colon), Signal `name.42`, Discord `name#1234` or `@name`, Skype `skype:<name>`, `live:.cid.<hex>`, WeChat id, QQ number, ICQ number, Threema id | a messenger account | possible |
| a Tox ID (60 to 80 hex digits after `tox`, a mistyped one too, or with a valid checksum anywhere), a Session id (`05` + 64 hex digits; after `session`, 60 to 70) | a messenger account | possible |
| `ivan собака mail точка ru` (`собака`/`sobaka`, `małpa`, `kukac`, `chiocciola`, `zavináč` for `@`; `точка`, `tochka`, `kropka`, `pont`, `punto`, `tečka` for `.`) | an e-mail address | personal |

Decided and not counted: `/@scope/package` on a package CDN (`unpkg.com/@babel/core`: a path after
the name that is not a status number or a profile tab), `/user/login`, `/user/register` and other
site pages, a `#1234` without the word Discord (issue and pull-request numbers).

Own code: no library knows these sites' paths or messengers' id formats; the patterns are RE2
(linear) behind one pre-filter (`HINT`, asked by `identifiers` through `rx.Hint`); `phonenumbers` judges the WhatsApp numbers.
"""

from __future__ import annotations

import phonenumbers
import re2


PERSONAL = "personal"
POSSIBLE = "possible"

_OPTIONS = re2.Options()
_OPTIONS.max_mem = 8 << 20


def _rx(pattern: str):
    return re2.compile(pattern, options=_OPTIONS)


_WHATSAPP = _rx(r"(?i)(?:wa\.me/|whatsapp\.com/send/?\?(?:[^\s\"'<>]*&)?phone=|whatsapp://send/?\?(?:[^\s\"'<>]*&)?"
                r"phone=)(?:\+|%2b)?(\d{7,15})")
_FEDIVERSE = _rx(r"(?i)(?:^|[^A-Za-z0-9.\-@])(?:https?://)?((?:[a-z0-9\-]+\.)+[a-z]{2,})/@([A-Za-z0-9_.\-]{1,64})"
                 r"(?:@[a-z0-9.\-]+)?((?:/[^\s\"'<>?#/]*)?)")
_PROFILE_TABS = frozenset({"", "with_replies", "media", "following", "followers", "tagged"})
_NOT_FEDIVERSE = frozenset({"medium.com", "youtube.com", "tiktok.com", "threads.net", "unpkg.com", "esm.sh",
                            "cdn.jsdelivr.net", "www.npmjs.com", "npmjs.com", "cdn.skypack.dev", "deno.land"})
_SITES = _rx(r"(?i)steamcommunity\.com/(?:id|profiles)/[A-Za-z0-9_\-]{2,64}|\bok\.ru/profile/\d{5,}|"
             r"member\.php\?(?:[^\s\"'<>]*&)?(?:u|uid|userid)=\d+|mode=viewprofile&(?:amp;)?u=\d+|"
             r"showuser=\d+|/members/[^/\s\"'<>?#]{1,64}\.\d+/?")
_USER_PATH = _rx(r"(?i)[a-z0-9]\.[a-z]{2,}(?::\d+)?(?:/[^\s\"'<>?#]*)?/users?/([A-Za-z0-9_\-.]{2,40})/?(?:$|[\s\"'<>?#])")
_SITE_USER_PAGES = frozenset({"login", "logout", "signin", "signup", "register", "auth", "profile", "settings",
                              "account", "admin", "api", "me", "self", "new", "edit", "list", "search", "reset",
                              "password", "forgot", "verify", "activate", "info", "status", "update", "delete",
                              "create", "check", "upload", "download", "index", "home", "config", "data"})
_MESSENGER = _rx(
    r"(?i)\b(?:telegram|telegramm|tg|телеграм|телеграмм)\b[\s:\-]*(?:id|handle|account|username|user|contact)?"
    r"[\s:]*@([A-Za-z][A-Za-z0-9_]{4,31})\b|"
    r"\b(?:telegram|telegramm|телеграм|телеграмм)\b\s*(?:id|handle|account|username|user|contact)?\s*[:：]\s*"
    r"([A-Za-z][A-Za-z0-9_]{4,31})\b|"
    r"\bsignal\b\s*(?:id|handle|account|username|user|contact)?\s*[:：]?\s*([A-Za-z][A-Za-z0-9_]{2,31}\.\d{2,9})\b|"
    r"\bdiscord\b[^\n]{0,40}?(?:\b([A-Za-z0-9_.]{2,32}#\d{4})\b|(?:id|user(?:name)?|handle|tag)?[\s:]+@([a-z0-9_.]{2,32}))|"
    r"\bskype:([A-Za-z][A-Za-z0-9._,\-]{4,31})|\blive:(?:\.cid\.[0-9a-f]{6,}|[A-Za-z][A-Za-z0-9._\-]{3,31})|"
    r"\bskype\b\s*(?:id|name)?\s*[:：]\s*([A-Za-z][A-Za-z0-9._,\-]{4,31})|"
    r"(?:\b(?:wechat|weixin)|微信)\s*(?:id|号)?\s*[:：]?\s*([A-Za-z][A-Za-z0-9_\-]{5,19})\b|"
    r"\bQQ\s*(?:number|no\.?|id|号|#)?\s*[:：#]?\s*([1-9]\d{4,10})\b|"
    r"\bICQ\s*(?:number|no\.?|id|uin|#)?\s*[:：#]?\s*(\d{5,10})\b|"
    r"\bthreema\s*(?:id)?\s*[:：]?\s*([A-Z0-9*][A-Z0-9]{7})\b")
_TOX_WORD = _rx(r"(?i)\btox\b[^\n]{0,20}?\b([0-9A-Fa-f]{60,80})\b|\bsession\b[^\n]{0,30}?\b(05[0-9A-Fa-f]{58,68})\b")
_TOX = _rx(r"(?:^|[^0-9A-Fa-f])([0-9A-Fa-f]{76})(?:$|[^0-9A-Fa-f])")
_SESSION = _rx(r"(?:^|[^0-9A-Fa-f])(05[0-9a-fA-F]{64})(?:$|[^0-9A-Fa-f])")
_AT_WORDS = r"собака|sobaka|ma[łl]pa|kukac|chiocciola|zavin[áa][čc]|snabel-?a"
_DOT_WORDS = r"точка|tochka|kropka|pont|punto|te[čc]ka|punkt|dot"
_WORD_MAIL = _rx(r"(?i)([A-Za-z0-9._%+\-]{1,64})\s*[\[\(]?\s*(?:" + _AT_WORDS + r")\s*[\]\)]?\s*"
                 r"([A-Za-z0-9\-]{1,63})\s*(?:[\[\(]?\s*(?:" + _DOT_WORDS + r")\s*[\]\)]?|\.)\s*([A-Za-z]{2,24})\b")

HINT = (r"wa\.me/|whatsapp|/@|steamcommunity|ok\.ru/|member\.php|viewprofile|showuser|/members/|/users?/|"
        r"telegra|\btg\b|телеграм|\bsignal\b|discord|skype|live:|wechat|weixin|微信|\bqq\b|icq|threema|\btox\b|session|"
        r"[0-9a-f]{65}|" + _AT_WORDS)
"""The pre-filter's pattern (case-insensitive; a SHA-256 digest, 64 hex digits, does not pass it):
text without any of these has nothing `scan` reads. `identifiers` asks it together with
`national_ids.HINT` in one pass."""


def scan(text: str) -> tuple[tuple[str, str, str], ...]:
    """(kind, what, category) for each form of the module docstring's table found in `text` (each
    kind once); () for text without any. kind: "personal" | "possible". The caller asks `HINT`
    first."""
    out: list[tuple[str, str, str]] = []
    if _whatsapp_number(text):
        out.append((POSSIBLE, "phone number in a WhatsApp link (a person's or an organisation's)", "personal_data"))
    site = _profile_site(text)
    if site:
        out.append((POSSIBLE, f"a profile URL on {site} (an account: a person's?)", "account_names"))
    if _MESSENGER.search(text) or _tox_or_session(text):
        out.append((POSSIBLE, "a messenger account id (a person's?)", "account_names"))
    if _WORD_MAIL.search(text):
        out.append((PERSONAL, "e-mail address (written with words for @ and .)", "email_addresses"))
    return tuple(out)


def _whatsapp_number(text: str) -> bool:
    for m in _WHATSAPP.finditer(text):
        try:
            number = phonenumbers.parse("+" + m.group(1), None)
        except phonenumbers.NumberParseException:
            continue
        if phonenumbers.is_possible_number(number):
            return True
    return False


def _profile_site(text: str) -> str | None:
    if "/@" in text:
        for m in _FEDIVERSE.finditer(text):
            host = m.group(1).lower()
            rest = m.group(3).strip("/")
            if host in _NOT_FEDIVERSE or host.removeprefix("www.") in _NOT_FEDIVERSE:
                continue
            if rest.lower() in _PROFILE_TABS or rest.isdigit():
                return host
    m = _SITES.search(text)
    if m:
        found = m.group(0).lower()
        return found.split("/")[0] if "." in found.split("/")[0] else "a forum"
    for m in _USER_PATH.finditer(text):
        name = m.group(1).lower()
        if name not in _SITE_USER_PAGES and "." not in name.strip("."):
            return "a site (/user/<name>)"
    return None


def _tox_or_session(text: str) -> bool:
    if _TOX_WORD.search(text) or _SESSION.search(text):
        return True
    for m in _TOX.finditer(text):
        raw = bytes.fromhex(m.group(1))
        check = [0, 0]
        for i, b in enumerate(raw[:36]):
            check[i % 2] ^= b
        if bytes(check) == raw[36:]:
            return True
    return False
