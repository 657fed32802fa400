"""Keys and certificates that carry their holder's identity, inside any text: X.509 certificates
(PEM, or base64 DER as MISP's x509 object keeps it in `raw-base64`) and certificate requests, PGP
armored key blocks, and SSH public keys with a `user@host` comment.

- X.509 (RFC 5280) is parsed with `cryptography`: the subject's and issuer's attributes (CN,
  emailAddress, givenName, surname, pseudonym, …) and the subject alternative names (rfc822Name) are
  read as a cleartext subject would be: an e-mail address that is not a role mailbox is personal data,
  a common name that may name a person (`person_names.may_name_a_person`) may be personal data.
- PGP (RFC 4880/9580): the armor is undone and the packets walked to their User ID packets (tag 13),
  which hold `Name <address>`; each is read like the subject above. A key block whose user IDs cannot
  be read may name a person (a person judges). Own code: the packet framing is a few lines, and the
  OpenPGP libraries for Python (PGPy, pysequoia) are either unmaintained or a native toolchain for
  this one read.
- a distinguished name written out in text (`CN=Jan de Vries, O=…`, `/CN=…/O=…`, as STIX
  `x509-certificate.subject` or MISP's x509 `subject` holds it): a common name that may name a person
  escalates, as in a parsed certificate.
- SSH public keys (RFC 4253 wire names; OpenSSH `authorized_keys` lines): the comment after the key is
  `user@host` by default, so it names an account; a comment that is a name may name a person.

What is returned are `(kind, what)` pairs, kind `personal` or `possible`; the caller adds the
property. A certificate or key the gate cannot parse is reported as not read (possible), never passed.
"""

from __future__ import annotations

import base64
import binascii

import re2
from cryptography import x509
from cryptography.x509.oid import ExtensionOID, NameOID

from .person_names import may_name_a_person

PERSONAL = "personal"
POSSIBLE = "possible"

_OPTIONS = re2.Options()
_OPTIONS.max_mem = 8 << 20
_PEM = re2.compile(r"-----BEGIN (CERTIFICATE|TRUSTED CERTIFICATE|X509 CERTIFICATE|CERTIFICATE REQUEST|NEW CERTIFICATE "
                   r"REQUEST)-----([A-Za-z0-9+/=\s\\n]{20,}?)-----END [A-Z0-9 ]+-----", options=_OPTIONS)
# base64 DER: a SEQUENCE with a two-byte length (`MII`) and at least a few hundred characters
_DER = re2.compile(r"(?:^|[^A-Za-z0-9+/])(MII[A-Za-z0-9+/]{300,}={0,2})", options=_OPTIONS)
_PGP = re2.compile(r"(?s)-----BEGIN PGP (PUBLIC|PRIVATE) KEY BLOCK-----(.*?)-----END PGP \w+ KEY BLOCK-----",
                   options=_OPTIONS)
_SSH = re2.compile(r"(?:ssh-(?:rsa|dss|ed25519)|ecdsa-sha2-nistp\d{3}|sk-ssh-ed25519@openssh\.com|"
                   r"sk-ecdsa-sha2-nistp256@openssh\.com)\s+AAAA[A-Za-z0-9+/]{20,}={0,2}[ \t]+([^\s\"'<>]{2,100})",
                   options=_OPTIONS)
# a distinguished name written out (RFC 4514 `CN=…,O=…`, OpenSSL's `/CN=…/O=…`): the common name
_DN_NAME = re2.compile(r"(?:^|[\s,/;+\"'])(?:CN|cn)\s*=\s*([^,/;+=\"'\n]{2,64})", options=_OPTIONS)
_SYSTEM = frozenset({"root", "admin", "administrator", "user", "ubuntu", "ec2-user", "centos", "debian", "kali",
                     "git", "deploy", "ansible", "vagrant", "pi", "test", "nobody", "www-data", "backup", "jenkins"})
_NAME_OIDS = (NameOID.COMMON_NAME, NameOID.GIVEN_NAME, NameOID.SURNAME, NameOID.PSEUDONYM)


def scan(text: str) -> list[tuple[str, str]]:
    """Findings of the certificates and keys in `text` (see the module docstring)."""
    out: list[tuple[str, str]] = []
    if "-----BEGIN" in text:
        if "CERTIFICATE" in text:
            for m in _PEM.finditer(text):
                der = _b64(m.group(2).replace("\\n", ""))
                out += _x509(der, request="REQUEST" in m.group(1)) if der else [
                    (POSSIBLE, "a PEM certificate the gate cannot read")]
        if "PGP" in text:
            for m in _PGP.finditer(text):
                out += _pgp(m.group(2))
    if "MII" in text:
        for m in _DER.finditer(text):
            der = _b64(m.group(1))
            if der:
                out += _x509(der, request=False, quiet=True)
    if "CN=" in text or "cn=" in text:
        for m in _DN_NAME.finditer(text):
            if may_name_a_person(m.group(1).strip()):
                out.append((POSSIBLE, "a distinguished name's common name that may be a person's"))
                break
    if "AAAA" in text and ("ssh-" in text or "ecdsa-" in text):
        for m in _SSH.finditer(text):
            out += _ssh_comment(m.group(1))
    return out


def _b64(text: str) -> bytes | None:
    try:
        return base64.b64decode("".join(text.split()), validate=True)
    except (binascii.Error, ValueError):
        return None


def _x509(der: bytes, request: bool, quiet: bool = False) -> list[tuple[str, str]]:
    """A certificate's (or request's) subject, issuer and subject alternative e-mail names."""
    try:
        cert = x509.load_der_x509_csr(der) if request else x509.load_der_x509_certificate(der)
        names = [("subject", cert.subject)] + ([] if request else [("issuer", cert.issuer)])
    except ValueError:          # `cryptography` parses names lazily: a broken name fails here
        return [] if quiet else [(POSSIBLE, "a certificate the gate cannot read")]
    out = []
    for where, name in names:
        for attr in name:
            value = attr.value if isinstance(attr.value, str) else ""
            if attr.oid == NameOID.EMAIL_ADDRESS:
                out += _address(value, f"a certificate's {where} e-mail address")
            elif attr.oid in _NAME_OIDS and may_name_a_person(value):
                out.append((POSSIBLE, f"a certificate's {where} name that may be a person's"))
    try:
        san = cert.extensions.get_extension_for_oid(ExtensionOID.SUBJECT_ALTERNATIVE_NAME).value
        for address in san.get_values_for_type(x509.RFC822Name):
            out += _address(address, "a certificate's alternative name e-mail address")
    except (x509.ExtensionNotFound, ValueError):
        pass
    return out


def _address(value: str, what: str) -> list[tuple[str, str]]:
    from .personal_text import ROLE_MAILBOXES       # personal_text reads this module's findings
    local = value.split("@", 1)[0].strip().lower()
    if "@" not in value or local in ROLE_MAILBOXES:
        return []
    return [(PERSONAL, what)]


def _pgp(armored: str) -> list[tuple[str, str]]:
    """The User ID packets of an armored key block, read as `Name <address>`."""
    lines = [ln.strip() for ln in armored.replace("\\n", "\n").splitlines()]
    # armor headers (`Version: …`) hold a colon, the checksum line starts with `=`
    body = "".join(ln for ln in lines if ln and not ln.startswith("=") and ":" not in ln)
    data = _b64(body)
    uids = _user_ids(data) if data else None
    if not uids:
        return [(POSSIBLE, "a PGP key block whose user IDs the gate cannot read (they name the key's holder)")]
    out = []
    for uid in uids:
        name, _, rest = uid.partition("<")
        if "@" in rest:
            out += _address(rest.rstrip(">").strip(), "a PGP key's user ID e-mail address")
        if may_name_a_person(name.split("(")[0].strip()):
            out.append((POSSIBLE, "a PGP key's user ID name that may be a person's"))
    return out


def _user_ids(data: bytes) -> list[str] | None:
    """User ID packets (tag 13) of an OpenPGP packet sequence (RFC 4880 §4.2, old and new packet
    formats); None when the framing is broken."""
    i, uids = 0, []
    while i < len(data):
        head = data[i]
        if not head & 0x80:
            return None
        if head & 0x40:                                  # new format
            tag, i = head & 0x3F, i + 1
            if i >= len(data):
                return None
            first = data[i]
            if first < 192:
                length, i = first, i + 1
            elif first < 224:
                if i + 1 >= len(data):
                    return None
                length, i = ((first - 192) << 8) + data[i + 1] + 192, i + 2
            elif first == 255:
                length, i = int.from_bytes(data[i + 1:i + 5], "big"), i + 5
            else:
                return uids or None                      # partial lengths occur in data packets, not keys
        else:                                            # old format
            tag, kind, i = (head >> 2) & 0x0F, head & 0x03, i + 1
            if kind == 3:
                return uids or None
            size = (1, 2, 4)[kind]
            length, i = int.from_bytes(data[i:i + size], "big"), i + size
        if i + length > len(data):
            return None
        if tag == 13:
            uids.append(data[i:i + length].decode("utf-8", "replace"))
        i += length
    return uids


def _ssh_comment(comment: str) -> list[tuple[str, str]]:
    user = comment.split("@", 1)[0].lower()
    if "@" in comment and user and user not in _SYSTEM:
        return [(POSSIBLE, "an SSH key's comment naming an account (user@host)")]
    return []
