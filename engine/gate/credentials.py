"""Leaked credentials and account names in the forms captured traffic, malware configurations and
attackers' command lines write them (seventh round; docs/gate.md "Seventh round: leaked credentials
and account names"). `identifiers.scan` calls `scan` for every text it reads.

| form | read | finding |
|---|---|---|
| `Authorization: NTLM <base64>` (also `Negotiate` with NTLM inside SPNEGO, a bare `TlRMTVNTUAAD…` value) | the AUTHENTICATE message (type 3): its user name by offset and length (UTF-16LE or OEM), its NT response | a user with a response: personal (the response is cracked offline to the password, a leaked credential); a user alone: possible; a message whose fields cannot be read: possible; an anonymous logon: nothing |
| `Authorization: Digest username="…", …, response="…"` (also `username*=UTF-8''…`) | the user name and the response | as NTLM (the response is an MD5 of the password: crackable) |
| WordPress's login cookies `wordpress_logged_in_<hash>=user%7C…`, `wordpress_<hash>=`, `wordpress_sec_<hash>=` | the user name before `|` | possible (an account) |
| command lines of the tools attackers use with credentials (table `_TOOLS`: psexec, paexec, curl, wget, mysql, sshpass, smbclient, rpcclient, winexe, smbmap, crackmapexec/netexec, evil-winrm, rdesktop, xfreerdp, `net use`, runas, wmic, schtasks, sqlcmd, osql, plink, pscp, mimikatz's `/user: /password: /ntlm:`, impacket's `domain/user:password@host` and `-hashes`) | the user switch's value and the password's (or hash's) | a user with a password: personal (a leaked credential); a user alone: possible |
| connection strings: `User Id=…;Password=…` (ADO.NET, ODBC with spaced keys `User ID`, `User Name`, `Login Id`), Oracle's `jdbc:oracle:thin:user/password@host` | the user and the password | as command lines |

(`Uid=`/`Pwd=`, `user=`/`password=` in JDBC URLs and query strings are `encoded`'s pairs; HTTP Basic
credentials are `encoded`'s too.)

Placeholders are no one's account: `accounts`' system accounts (`root`, `admin`, `administrator`,
`guest`, `user`, …), `sa`, `%USERNAME%`, `$USER`, `<user>`, `{user}`, values without a letter. A
password that is a placeholder (`*`, `<password>`, `%PASS%`, `xxx`, `[REDACTED]`) or missing
makes no credential (only the account remains). A password without a user identifies no one and is
not read. A user switch is read only on the command line of a tool in the table (the tools' own
switches: `mysql -p` counts only with the password attached, `-pSecret`, since `-p db` names a
database; `sshpass -p`'s user is ssh's `user@host` or `-l user`); `python -u script.py`,
`git push -u origin`, `sort -u` name no tool here and are not read.

Decided and left: `net user <name> <password> /add` (an account the attacker creates, rarely a
person's), Kerberos tickets (the client's name is encrypted in an AP-REQ), PowerShell
`New-Object PSCredential('user', …)` and `-Credential` objects (the password is a SecureString,
rarely in clear) are not read.

Own code: no library finds these forms in free text. NTLM messages are decoded with `base64` and
`struct` by the field layout of [MS-NLMP] 2.2.1.3, bounded (a few kilobytes) and never raising. The
patterns are RE2 pre-filters (`rx.Hint`, most text has no tool's name) and Python `re` without
nested unbounded repetition (linear); a command line is read token by token after the tool's name,
at most `_SEGMENT` characters.
"""

from __future__ import annotations

import base64
import binascii
import re
import struct
from urllib.parse import unquote

from .accounts import counted
from .rx import PY_SPACE, Hint

PERSONAL = "personal"
POSSIBLE = "possible"
CATEGORY = "account_names"

LEAKED = "a login with its password {where} (a leaked credential)"
ACCOUNT = "an account name {where} (a person's?)"

# -- pre-filters ---------------------------------------------------------------------------------------

_TOOL_WORDS = (r"[\w-]+\.py|impacket-\w+|psexec(?:64)?|paexec|curl|wget|mysql\w*|sshpass|smbclient|rpcclient|"
               r"winexe|smbmap|crackmapexec|netexec|nxc|cme|evil-winrm|rdesktop|[xw]freerdp|runas|wmic|schtasks|"
               r"sqlcmd|osql|bcp|plink|pscp|mimikatz")
_NTLM_HINT = Hint(r"TlRMTVNTUAAD|(?i:negotiate)[" + PY_SPACE + r"]+[A-Za-z0-9+/]{40}")
_DIGEST_HINT = Hint(r"(?i)digest[" + PY_SPACE + r"]+[a-z]+\*?[" + PY_SPACE + r"]*=")
_COOKIE_HINT = Hint(r"(?i)wordpress_\w*=")
_COMMAND_HINT = Hint(r"(?i)\b(?:" + _TOOL_WORDS + r")\b|\bnet1?(?:\.exe)?[" + PY_SPACE + r"]+use\b|"
                     r"\b(?:sekurlsa|lsadump|kerberos|dpapi)::")
_CONNECTION_HINT = Hint(r"(?i)(?:user|login)[" + PY_SPACE + r"]+(?:id|name)[" + PY_SPACE + r"]*=|"
                        r"jdbc:oracle:\w+:[^@/" + PY_SPACE + r"]+/")
# one pattern for `identifiers._HINT`: says yes wherever `scan` may find something
HINT = "|".join(f"(?:{h.pattern.pattern})" for h in (_NTLM_HINT, _DIGEST_HINT, _COOKIE_HINT, _COMMAND_HINT,
                                                       _CONNECTION_HINT))


def scan(text: str) -> list[tuple[str, str, str]]:
    """(kind, what, category) of every credential and account form of the module docstring in
    `text`, each `what` once. Never raises."""
    out: dict[str, tuple[str, str, str]] = {}

    def add(kind: str, what: str) -> None:
        if what not in out or (kind == PERSONAL and out[what][0] != PERSONAL):
            out[what] = (kind, what, CATEGORY)

    for hint, reading in ((_NTLM_HINT, _ntlm), (_DIGEST_HINT, _digest), (_COOKIE_HINT, _cookies),
                          (_COMMAND_HINT, _commands), (_CONNECTION_HINT, _connections)):
        if hint(text):
            for kind, what in reading(text):
                add(kind, what)
    return list(out.values())


def _cookies(text: str) -> list[tuple[str, str]]:
    """A WordPress login cookie's user name (before `|`): an account (possible)."""
    for m in _WORDPRESS.finditer(text):
        if _account(unquote(m.group(1))):
            return [(POSSIBLE, ACCOUNT.format(where="in a WordPress login cookie"))]
    return []


# -- what counts as an account and as a password -------------------------------------------------------

_NOT_ACCOUNTS = frozenset({"sa", "anonymous", "nobody", "dbo", "sys", "oracle", "scott", "demo", "x", "xx", "xxx",
                           "foo", "bar", "name", "login", "account", "domain\\user", "user@domain", "usr",
                           "username", "your_username", "yourusername", "myuser", "testuser", "null", "none",
                           "true", "false", "redacted"})
_NOT_PASSWORDS = frozenset({"*", "**", "***", "****", "x", "xx", "xxx", "xxxx", "password", "pass", "passwd",
                            "pwd", "secret", "redacted", "[redacted]", "<redacted>", "(redacted)", "...", "…",
                            "null", "none", "changeme", "yourpassword", "your_password", "mypassword", "-"})
_PLACEHOLDER_START = ("<", "[", "{", "%", "$", "(", "*")
# a word list given to a spraying tool (`-u users.txt -p passwords.txt`): no one's account or password
_LIST_FILE = re.compile(r"(?i).*\.(?:txt|lst|list|dic|dict|csv|wordlist)")


def _account(value: str) -> bool:
    """A value that may be a person's account: a domain or realm stripped (`ACME\\user`,
    `acme/user`, `user@ACME`), it has a letter, and is no system account or placeholder."""
    value = value.strip().strip("'\"`")
    if not value or value.startswith(_PLACEHOLDER_START) or _LIST_FILE.fullmatch(value):
        return False
    for sep in ("\\", "/"):
        if sep in value:
            value = value.rsplit(sep, 1)[1]
    name = value.lower()
    if not name or name in _NOT_ACCOUNTS or not any(c.isalpha() for c in name) or len(name) > 64:
        return False
    return not name.startswith(_PLACEHOLDER_START) and counted(name)


def _password(value: str | None) -> bool:
    """A value that may be a real password: not empty, no placeholder or prompt."""
    if value is None:
        return False
    value = value.strip().strip("'\"`")
    if not value or len(value) > 256 or _LIST_FILE.fullmatch(value):
        return False
    lowered = value.lower()
    if lowered in _NOT_PASSWORDS or (value.startswith(_PLACEHOLDER_START)
                                     and value.endswith((">", "]", "}", "%", ")"))):
        return False
    return not (value.startswith("$") and re.fullmatch(r"\$\{?\w+\}?", value))


# -- NTLM ([MS-NLMP] 2.2.1.3 AUTHENTICATE_MESSAGE) -------------------------------------------------------

_NTLM_B64 = re.compile(r"(?:\b(?i:ntlm|negotiate)\s+)?(TlRMTVNTUAAD[A-Za-z0-9+/]*={0,2})|"
                       r"\b(?i:negotiate)\s+([A-Za-z0-9+/]{40,}={0,2})")
_SIGNATURE = b"NTLMSSP\x00\x03\x00\x00\x00"
_MAX_MESSAGE = 16 << 10
_UTF16_TEXT = re.compile(rb"(?:[\x21-\x7e]\x00){3}")


def _ntlm(text: str) -> list[tuple[str, str]]:
    out = []
    for m in _NTLM_B64.finditer(text):
        blob = _b64(m.group(1) or m.group(2))
        if not blob:
            continue
        at = blob.find(_SIGNATURE)              # SPNEGO wraps the message in ASN.1 (`Negotiate`)
        if at < 0:
            continue
        said = _authenticate(blob[at:])
        if said:
            out.append(said)
            if said[0] == PERSONAL:
                break
    return out


def _b64(value: str) -> bytes | None:
    value = value.rstrip("=")
    if len(value) > _MAX_MESSAGE * 4 // 3 + 4 or len(value) % 4 == 1:
        return None
    try:
        return base64.b64decode(value + "=" * (-len(value) % 4), validate=True)
    except (binascii.Error, ValueError):
        return None


def _authenticate(msg: bytes) -> tuple[str, str] | None:
    """What an AUTHENTICATE message says: its user with an NT response (a crackable credential),
    a user alone, an unreadable message (possible), or an anonymous logon (None)."""
    unreadable = (POSSIBLE, "an NTLM logon message whose fields cannot be read (it names an account)")
    if len(msg) < 52:
        return unreadable if len(msg) > 12 else None
    flags = struct.unpack_from("<I", msg, 60)[0] if len(msg) >= 64 else 1

    def field(offset: int) -> bytes | None:
        length, _, start = struct.unpack_from("<HHI", msg, offset)
        if length == 0:
            return b""
        if start < 52 or start + length > len(msg) or length > 1024:
            return None
        return msg[start:start + length]

    nt, domain, user, host = field(20), field(28), field(36), field(44)
    if user is None or nt is None:
        return unreadable
    if not user:
        # anonymous (no user, no response): unless text stands in the message outside its domain and
        # host fields, which is a message whose descriptors were left empty or broken
        rest = bytearray(msg[52:])
        for part, offset in ((domain, 28), (host, 44)):
            if part:
                start = struct.unpack_from("<I", msg, offset + 4)[0] - 52
                rest[start:start + len(part)] = bytes(len(part))
        return unreadable if _UTF16_TEXT.search(bytes(rest)) else None
    name = user.decode("utf-16-le", "replace") if flags & 1 else user.decode("latin-1")
    if not _account(name):
        return None
    if len(nt) >= 24:
        return PERSONAL, "a login with its NTLM response (a crackable credential)"
    return POSSIBLE, ACCOUNT.format(where="in an NTLM logon message")


# -- HTTP Digest (RFC 7616) ---------------------------------------------------------------------------

_DIGEST = re.compile(r"(?i)\bdigest\s+([^\r\n]{1,2048})")
_DIGEST_USER = re.compile(r"(?i)(?:^|[\s,])username\s*=\s*(?:\"([^\"]{1,128})\"|([^\s,\"]{1,128}))|"
                          r"(?:^|[\s,])username\*\s*=\s*[\w-]*'[\w-]*'([^\s,]{1,256})")
_DIGEST_RESPONSE = re.compile(r"(?i)(?:^|[\s,])response\s*=\s*\"?[0-9a-f]{32,128}")


def _digest(text: str) -> list[tuple[str, str]]:
    for m in _DIGEST.finditer(text):
        params = m.group(1)
        u = _DIGEST_USER.search(params)
        if not u:
            continue
        name = u.group(1) or u.group(2) or unquote(u.group(3) or "")
        if not _account(name):
            continue
        if _DIGEST_RESPONSE.search(params):
            return [(PERSONAL, "a login with its HTTP Digest response (a crackable credential)")]
        return [(POSSIBLE, ACCOUNT.format(where="in HTTP Digest credentials"))]
    return []


# -- WordPress login cookies ---------------------------------------------------------------------------

# `wordpress_logged_in_<md5 of the site URL>=<user>|<expiry>|<token>|<hmac>` (also `wordpress_` and
# `wordpress_sec_`: the authentication cookies), `|` percent-encoded as `%7C` in a Cookie header
_WORDPRESS = re.compile(r"(?i)\bwordpress_(?:logged_in_|sec_)?[0-9a-f]{0,64}\s*=\s*([^;|%\s]{1,128}"
                        r"(?:%[0-9a-f]{2}[^;|%\s]{0,64}){0,8}?)(?:\||%7c)")


# -- command lines -------------------------------------------------------------------------------------

_SEGMENT = 600
# a tool's name where a command starts or a path ends (`C:\tools\PsExec64.exe`, `/usr/bin/curl`)
_TOOL = re.compile(r"(?i)(?<![\w-])(" + _TOOL_WORDS + r")(?:\.exe)?(?![\w-])|(?<![\w-])(net1?)(?:\.exe)?\s+use\b|"
                   r"(?<![\w-])(sekurlsa|lsadump|kerberos|dpapi)::")
_END = re.compile(r"\r|\n|&&|\|\||(?<!\\)\|(?!\|)|(?<![\\])[;&](?=\s)")


class _Tool:
    """A tool's credential switches: `users` take a user, `passwords` a password or hash; `joined`:
    the character joining a user to its password in one value (`curl -u user:pass`,
    `smbclient -U user%pass`); `attached`: switches whose value may follow without a space
    (`mysql -ujan -pSecret`) and, for `mysql`, must; `case`: whether switches are case-sensitive."""

    __slots__ = ("users", "passwords", "joined", "attached", "attached_only", "case", "at_host", "positional")

    def __init__(self, users, passwords=(), joined="", attached=(), attached_only=(), case=True, at_host=False,
                 positional=False):
        self.users, self.passwords, self.joined = frozenset(users), frozenset(passwords), joined
        self.attached, self.attached_only, self.case = tuple(attached), frozenset(attached_only), case
        self.at_host, self.positional = at_host, positional


_WINDOWS_STYLE = _Tool({"/user", "/u"}, {"/password", "/p", "/pass"}, case=False)
_SMB = _Tool({"-U", "-u", "--user", "--username"}, {"-p", "--password"}, joined="%")
_MIMIKATZ = _Tool({"/user"}, {"/password", "/ntlm", "/rc4", "/aes128", "/aes256"}, case=False)
_TOOLS: dict[str, _Tool] = {
    "psexec": _Tool({"-u"}, {"-p"}, case=False), "paexec": _Tool({"-u"}, {"-p"}, case=False),
    "curl": _Tool({"-u", "--user", "-U", "--proxy-user"}, joined=":"),
    "wget": _Tool({"--user", "--http-user", "--ftp-user", "--proxy-user"},
                  {"--password", "--http-password", "--http-passwd", "--ftp-password", "--proxy-password"}),
    "mysql": _Tool({"-u", "--user"}, {"-p", "--password"}, attached=("-u", "-p"), attached_only=("-p",)),
    "sshpass": _Tool({"-l"}, {"-p"}, attached=("-p",), at_host=True),
    "smbclient": _SMB, "rpcclient": _SMB, "winexe": _SMB, "pth-winexe": _SMB, "smbmap": _SMB,
    "crackmapexec": _Tool({"-u", "--username"}, {"-p", "--password", "-H", "--hash"}),
    "evil-winrm": _Tool({"-u", "--user"}, {"-p", "--password", "-H", "--hash"}),
    "rdesktop": _Tool({"-u"}, {"-p"}),
    "freerdp": _Tool({"/u", "-u"}, {"/p", "/pth", "-p"}, case=False),
    "net": _Tool({"/user", "/u"}, case=False, positional=True),
    "runas": _Tool({"/user", "/u"}, case=False), "wmic": _WINDOWS_STYLE,
    "schtasks": _Tool({"/u", "/ru"}, {"/p", "/rp"}, case=False),
    "sqlcmd": _Tool({"-U"}, {"-P"}), "plink": _Tool({"-l"}, {"-pw"}, at_host=True),
    "mimikatz": _MIMIKATZ,
    "impacket": _Tool((), {"-hashes"}, at_host=True),
}
_ALIASES = {"psexec64": "psexec", "mysqldump": "mysql", "mysqladmin": "mysql", "mysqlimport": "mysql",
            "mysqlshow": "mysql", "mariadb": "mysql", "netexec": "crackmapexec", "nxc": "crackmapexec",
            "cme": "crackmapexec", "xfreerdp": "freerdp", "wfreerdp": "freerdp", "osql": "sqlcmd", "bcp": "sqlcmd",
            "pscp": "plink", "net1": "net", "sekurlsa": "mimikatz", "lsadump": "mimikatz", "kerberos": "mimikatz",
            "dpapi": "mimikatz"}
# impacket's target `[domain/]user[:password]@host` (also `'acme/user:pa ss'@host` unquoted by the split)
_TARGET = re.compile(r"^(?:[\w.-]{1,64}/)?([^\s:/@]{1,64})(?::(.{0,128}))?@[\w.\-\[\]:]{1,255}$")
_DEVICE_OR_SHARE = re.compile(r"[A-Za-z]:|\*|\\\\.*|https?:.*|//.*")
_USER_AT = re.compile(r"^([A-Za-z_][\w.-]{0,63})@[\w.\-\[\]:]{1,255}$")


def _tool_of(m: re.Match) -> _Tool | None:
    word = (m.group(1) or m.group(2) or m.group(3) or "").lower()
    if word.endswith(".py") or word.startswith("impacket-"):
        return _TOOLS["impacket"]
    word = _ALIASES.get(word, word)
    if word.startswith("mysql"):
        word = "mysql"
    return _TOOLS.get(word)


def _commands(text: str) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    for m in _TOOL.finditer(text):
        tool = _tool_of(m)
        if tool is None:
            continue
        segment = text[m.end():m.end() + _SEGMENT]
        end = _END.search(segment)
        if end:
            segment = segment[:end.start()]
        user, password = _read_switches(segment.split(), tool)
        if user:
            if password:
                return [(PERSONAL, LEAKED.format(where="on a command line"))]
            if not out:
                out.append((POSSIBLE, ACCOUNT.format(where="on a command line")))
    return out


def _read_switches(tokens: list[str], tool: _Tool) -> tuple[bool, bool]:
    """Whether the tokens after a tool's name give a person's account, and a password with it."""
    user = password = False
    positional: list[str] = []
    i = 0
    while i < len(tokens):
        token = tokens[i].strip("'\"")
        key = token if tool.case else token.lower()
        value: str | None = None
        switch = ""
        if key in tool.users or key in tool.passwords:
            switch = key
            if key not in tool.attached_only:
                value = tokens[i + 1].strip("'\"") if i + 1 < len(tokens) else None
                if value is not None and value.startswith(("-", "/")) and len(value) <= 12 and not value[1:2].isdigit():
                    value = None                 # the next switch: the tool prompts for it
                elif value is not None:
                    i += 1
        else:
            for sep in (":", "="):
                head, found, rest = key.partition(sep)
                if found and (head in tool.users or head in tool.passwords):
                    switch, value = head, token[len(head) + 1:]
                    break
            if not switch:
                for prefix in tool.attached:
                    if token.startswith(prefix) and len(token) > len(prefix) and token[len(prefix)] != "-":
                        switch, value = prefix, token[len(prefix):]
                        break
        if switch in tool.users and value is not None:
            name, secret = value, None
            if tool.joined and tool.joined in value:
                name, _, secret = value.partition(tool.joined)
            if _account(name):
                user = True
                password = password or _password(secret)
        elif switch in tool.passwords:
            password = password or _password(value)
        elif not switch and not token.startswith(("-", "/")):
            if tool.at_host:
                t = _TARGET.match(token) or _USER_AT.match(token)
                if t and _account(t.group(1)):
                    user = True
                    password = password or (t.re is _TARGET and _password(t.group(2)))
            positional.append(token)
        i += 1
    if tool.positional and user and not password:
        # `net use [Z:|*] [\\host\share] [password|*] /user:…`: the value that is no device nor share
        rest = [t for t in positional if not _DEVICE_OR_SHARE.fullmatch(t)]
        password = bool(rest) and _password(rest[0])
    return user, password


# -- connection strings --------------------------------------------------------------------------------

_CONNECTION_USER = re.compile(r"(?i)(?:^|[;\"'\s{])\s*(?:user\s+id|user\s*name|login\s+id|uid|user|username|"
                              r"userid)\s*=\s*([^;\"'\r\n]{1,128})")
_CONNECTION_PASSWORD = re.compile(r"(?i)(?:^|[;\"'\s{])\s*(?:password|pwd)\s*=\s*([^;\r\n]{1,256})")
_ORACLE = re.compile(r"(?i)jdbc:oracle:\w+:([^@/\s:]{1,64})/([^@\s]{1,128})@")


def _connections(text: str) -> list[tuple[str, str]]:
    for m in _ORACLE.finditer(text):
        if _account(m.group(1)):
            kind = PERSONAL if _password(m.group(2)) else POSSIBLE
            return [(kind, (LEAKED if kind == PERSONAL else ACCOUNT).format(where="in a connection string"))]
    user = any(_account(m.group(1)) for m in _CONNECTION_USER.finditer(text))
    if not user:
        return []
    if any(_password(m.group(1)) for m in _CONNECTION_PASSWORD.finditer(text)):
        return [(PERSONAL, LEAKED.format(where="in a connection string"))]
    return [(POSSIBLE, ACCOUNT.format(where="in a connection string"))]
