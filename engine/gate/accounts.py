"""Account names in the forms incident data writes them, other than `C:\\Users\\<name>` and
`/home/<name>` (which `personal_text` reads):

- `DOMAIN\\user` (a Windows logon: the NetBIOS domain in capitals, the account in lower case, not
  followed by a further path segment, so registry keys and paths such as `SOFTWARE\\Microsoft` or
  `HKCU\\Software` are not read as one). Seventh round: also the forms people type, the domain in
  lower case (`acme\\jdevries`) and an account in mixed case after a domain in capitals
  (`ACME\\Jan.deVries`); never a folder's or a file's name (`system32\\cmd.exe`, `src\\main`,
  `$env:USERPROFILE\\Desktop`, `ACME\\Domain Admins`), nor, after a lower-case word and one
  backslash, an account starting with an escape's letter (`error\\nretry`, `\\t`, `\\r`, `\\x41`,
  `\\u00e9`: so `acme\\tjansen` is not read either). Not read: a domain in title case
  (`Projects\\Report`, `Windows\\System32` look the same), an account in capitals (`ACME\\JDEVRIES`,
  like `HKLM\\SOFTWARE`). Two lower-case words joined by a backslash in prose (`input\\output`) are
  read: rare in threat data, and a logon looks the same;
- an account's mailbox or crontab: `/var/mail/<name>`, `/var/spool/mail/<name>`,
  `/var/spool/cron/crontabs/<name>`, `/var/spool/cron/<name>`, `/var/spool/cron/tabs/<name>`
  (seventh round; where a path starts, like a home folder);
- `uid=1001(name)` / `gid=…(name)` / `groups=…(name)` (the output of `id`);
- UNC home shares: `\\\\host\\home$\\user\\`, `\\\\host\\homes\\user`, `\\\\host\\users\\user`,
  `\\\\host\\profiles$\\user`;
- `C:\\Documents and Settings\\user\\` (Windows XP and 2003 profiles);
- `~user/` (a Unix home by its owner's name, also in URLs `example.org/~user/`);
- macOS default host names `<name>s-MacBook-Pro`, `<name>s-iMac`, `<name>s-iPhone` (`jans-macbook-pro.local`):
  the system writes its owner's first name into them.

Each may name a person's account (possible personal data, category account_names); the system's own
accounts (`root`, `administrator`, `SYSTEM`, `NT AUTHORITY`, …) and placeholders (`<user>`,
`%USERNAME%`) are not counted.

Decided and left: a developer's folder under another drive in a PDB path
(`D:\\Work\\jdevries\\stealer\\Release\\x.pdb`) cannot be told from a project's folder
(`D:\\Work\\stealer\\…`) by its shape, and PDB paths are in nearly every malware report: not read.
Windows host names such as `LAPTOP-JDEVRIES` are not read either: `DESKTOP-`/`LAPTOP-` followed by
seven random capitals is Windows' default, and the shape cannot tell it from a surname.

Own code (no library parses these forms); the patterns are Python's `re` without nested unbounded
repetition (they need look-behind), so they stay linear.
"""

from __future__ import annotations

import re

_DOMAIN_USER = re.compile(r"(?<![\w\\/.$%-])([A-Za-z][A-Za-z0-9-]{1,14})(\\{1,2})"
                          r"([A-Za-z][A-Za-z0-9._-]{1,30}[A-Za-z0-9])(?![\w\\/.$-])")
# folders and files a relative Windows path names (`system32\\cmd.exe`, `src\\main`,
# `$env:USERPROFILE\\Desktop`): neither a domain nor an account (compared in lower case)
_FOLDERS = frozenset({
    "windows", "system32", "syswow64", "sysnative", "winsxs", "drivers", "etc", "users", "public", "temp", "tmp",
    "appdata", "localappdata", "local", "locallow", "roaming", "programdata", "program", "desktop", "documents",
    "downloads", "music", "pictures", "videos", "favorites", "startup", "tasks", "prefetch", "fonts", "assembly",
    "microsoft", "software", "config", "inetpub", "wwwroot", "logs", "log", "boot", "recovery", "perflogs",
    "userprofile", "allusersprofile", "homepath", "homedrive", "systemroot", "windir", "programfiles", "comspec",
    "commonprogramfiles", "src", "lib", "bin", "obj", "build", "debug", "release", "scripts", "tools", "docs",
    "data", "cache", "packages", "modules", "node_modules", "vendor", "include", "resources", "assets", "images",
    "static", "private", "backup", "backups", "tests", "home", "var", "opt", "usr", "x64", "x86", "amd64",
    "i386", "arm64", "policies", "sysvol", "netlogon", "ntds", "repair", "spool", "tasks", "run", "runonce",
    "services", "classes", "currentversion", "explorer", "shell", "parameters", "control", "enum", "setup",
    "sam", "security", "default", "desktop.ini", "domain", "enterprise", "schema", "everyone", "authenticated"})
# file names: the last segment of a relative path, not an account
_FILE_NAME = re.compile(r"(?i).+\.(?:exe|dll|sys|drv|ocx|cpl|scr|com|bat|cmd|ps1|psm1|psd1|vbs|vbe|js|jse|wsf|"
                        r"hta|lnk|msi|msp|txt|log|ini|inf|cfg|conf|dat|db|tmp|bak|xml|json|yml|yaml|csv|zip|rar|7z|"
                        r"cab|iso|img|vhd|vhdx|doc|docx|xls|xlsx|ppt|pptx|pdf|rtf|htm|html|php|asp|aspx|jsp|py|sh|"
                        r"pl|rb|jar|class|pdb|dit|evtx|etl|pf|reg|hive|key|pem|crt|cer|pfx|sqlite|lock|old|new)")
# the letters a one-backslash escape starts with in code and strings (`\\n`, `\\t`, `\\r`, `\\x41`,
# `\\u00e9`): after a lower-case word, `error\\nretry` is a string, not a logon
_ESCAPES = frozenset("ntrxu")
_ID_OUTPUT = re.compile(r"\b(?:uid|gid|euid|groups)=\d+\(([^)\s]{1,32})\)")
_UNC_HOME = re.compile(r"(?i)\\{2,4}[\w.-]+\\{1,2}(?:home|homes|users|profiles|userdata|userhome|home\$|"
                       r"profiles\$|users\$|homedir\$?)\\{1,2}([^\\/\s'\"<>%$*{}]+)")
_XP_HOME = re.compile(r"(?i)[a-z]:\\{1,2}documents and settings\\{1,2}([^\\/\r\n\t'\"<>%$*{}]+)")
# a mailbox or crontab is its account's: /var/mail/<name>, /var/spool/mail/<name>,
# /var/spool/cron/crontabs/<name> (Debian), /var/spool/cron/<name> (Red Hat), /var/spool/cron/tabs/<name> (SUSE)
_SPOOL = re.compile(r"(?<![\w.~-])/var/(?:spool/)?(?:mail|cron(?:/crontabs|/tabs)?)/([a-z_][a-z0-9._-]{0,31})"
                    r"(?![\w-])")
_SPOOL_FILES = frozenset({"crontabs", "tabs", "atjobs", "atspool", "lastrun", "deny", "allow", "cron.deny",
                          "cron.allow", "mail", "spool"})
_TILDE = re.compile(r"(?<![\w~\\])~([a-z_][a-z0-9._-]{1,31})/")
_APPLE_HOST = re.compile(r"(?i)\b([a-z]{2,20})[’']?s-(?:macbook|mbp|imac|mac-mini|mac-pro|iphone|ipad)\b")
_SYSTEM_DOMAINS = frozenset({"NT AUTHORITY", "BUILTIN", "NT SERVICE", "WORKGROUP", "HKLM", "HKCU", "HKU", "HKCR",
                             "HKCC", "SOFTWARE", "SYSTEM", "SAM", "SECURITY", "HARDWARE", "WINDOWS", "IIS APPPOOL",
                             "NT VIRTUAL MACHINE", "WINDOW MANAGER", "FONT DRIVER HOST", "GLOBAL", "LOCAL",
                             "SESSION", "BASENAMEDOBJECTS", "DEVICE", "DOSDEVICES", "PIPE", "MAILSLOT", "REGISTRY",
                             "MACHINE", "USER", "CLASSES", "TEMP", "TMP", "APPDATA", "PROGRAMDATA", "CURRENTVERSION"})
_SYSTEM_ACCOUNTS = frozenset({
    "public", "default", "default user", "all users", "administrator", "admin", "guest", "user", "username",
    "root", "defaultapppool", "localservice", "local service", "networkservice", "network service", "system",
    "systemprofile", "wdagutilityaccount", "test", "example", "john.doe", "ubuntu", "kali", "daemon", "bin",
    "sys", "nobody", "www-data", "sudo", "adm", "wheel", "users", "staff", "docker", "lp", "mail", "games",
    "krbtgt", "svc", "service", "sshd", "postgres", "mysql", "nginx", "apache", "git", "ec2-user"})


def scan(text: str) -> list[str]:
    """What account-name forms `text` holds (each a `what` text; see the module docstring)."""
    out: list[str] = []
    if "\\" in text:
        for m in _DOMAIN_USER.finditer(text):
            if _logon(m.group(1), m.group(2), m.group(3)):
                out.append("an account name as DOMAIN\\user")
                break
        if "\\\\" in text:
            for m in _UNC_HOME.finditer(text):
                if _counted(m.group(1)):
                    out.append("an account's home folder on a file share")
                    break
        if "ettings" in text:
            for m in _XP_HOME.finditer(text):
                if _counted(m.group(1)):
                    out.append("an account's profile folder (Documents and Settings)")
                    break
    if "=" in text and "id=" in text:
        for m in _ID_OUTPUT.finditer(text):
            if _counted(m.group(1)):
                out.append("an account name in id output (uid=…(name))")
                break
    if "/var/" in text:
        for m in _SPOOL.finditer(text):
            if m.group(1).rstrip(".") not in _SPOOL_FILES and _counted(m.group(1)):
                out.append("an account's mailbox or crontab (/var/mail/<name>)")
                break
    if "~" in text:
        for m in _TILDE.finditer(text):
            if _counted(m.group(1)):
                out.append("an account's home folder (~name)")
                break
    if "s-" in text:
        for m in _APPLE_HOST.finditer(text):
            out.append("a host name holding its owner's first name (<name>s-MacBook)")
            break
    return out


def _logon(domain: str, slashes: str, user: str) -> bool:
    """Whether `DOMAIN\\user` is a logon: Windows' own form (the domain in capitals, the account in
    lower case), or the forms people type: the domain in lower case (`acme\\jdevries`, not after an
    escape's letter) or the account in mixed case after a domain in capitals (`ACME\\Jan.deVries`).
    A domain in title or mixed case (`Windows\\System32`, `Projects\\foo`) and an account in
    capitals (`ACME\\JDEVRIES`, `HKLM\\SOFTWARE`) are not read; folders and file names never count."""
    if domain.upper() in _SYSTEM_DOMAINS or domain.lower() in _FOLDERS or user.lower() in _FOLDERS \
            or _FILE_NAME.fullmatch(user) or not _counted(user):
        return False
    if domain.isupper():
        return any(c.islower() for c in user)            # ACME\\jdevries, ACME\\Jan.deVries (not ACME\\JAN)
    if domain.islower():
        return user.islower() and not (len(slashes) == 1 and user[0] in _ESCAPES)
    return False


def counted(name: str) -> bool:
    """Whether an account name counts: not empty, not a system account or placeholder."""
    return _counted(name)


def _counted(name: str) -> bool:
    name = name.strip().rstrip(".").lower()
    return bool(name) and name not in _SYSTEM_ACCOUNTS and not name.startswith(("<", "[", "%", "$"))
