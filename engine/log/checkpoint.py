"""Checkpoints: the log's head signed outside the log, with a key its writers do not hold.

A checkpoint is a small JSON file: the sequence number and hash of the head, and the time it was read
(under the writers' lock, in the log's own clock: every later entry is recorded at or after it),
signed with Ed25519 (RFC 8032) by the `cryptography` library. The signed message is
`wivcheck-checkpoint-v1\nseq:N\nhead:HASH\ntime:ISO-8601\n`. Against any earlier checkpoint,
`verify` then catches a log rewritten and re-chained by someone with write access (entry N has another
hash), cut off (there is no entry N), or with a backdated entry appended (an entry after N dated
before the checkpoint). Keys are PEM files (PKCS#8 private key, SubjectPublicKeyInfo public key); the
private key is written 0600 and refused when others may read it.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import os
import stat
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from .ledger import Anchor, Ledger, LedgerError

FORMAT = "wivcheck-checkpoint-v1"


class CheckpointError(LedgerError):
    """A key or checkpoint file is missing, unreadable, malformed, unsafe, or not signed by the key."""

    code = "invalid_checkpoint"
    http_status = 422


def write_private(path: Path, data: bytes | str, *, overwrite: bool = False) -> None:
    """Write a file readable by its owner only (0600), whatever the umask; refuses to replace an
    existing file unless `overwrite`. Raises OSError."""
    flags = os.O_WRONLY | os.O_CREAT | (os.O_TRUNC if overwrite else os.O_EXCL)
    fd = os.open(path, flags, 0o600)
    try:
        os.fchmod(fd, 0o600)
        os.write(fd, data.encode("utf-8") if isinstance(data, str) else data)
        os.fsync(fd)
    finally:
        os.close(fd)


def open_private(path: Path):
    """A new text file (UTF-8) readable by its owner only (0600), whatever the umask; replaces an
    existing one. Raises OSError."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.fchmod(fd, 0o600)
    return os.fdopen(fd, "w", encoding="utf-8", newline="")


def keygen(key: Path, public_key: Path) -> str:
    """Make an Ed25519 key pair: the private key to `key` (0600), the public key to `public_key`.
    Refuses to overwrite either. Returns the public key's fingerprint (sha256 of its raw bytes)."""
    for p in (key, public_key):
        if p.exists():
            raise CheckpointError(f"{p} exists; a key is never overwritten")
    private = Ed25519PrivateKey.generate()
    pem = private.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
    pub = private.public_key().public_bytes(serialization.Encoding.PEM,
                                            serialization.PublicFormat.SubjectPublicKeyInfo)
    try:
        write_private(key, pem)
        write_private(public_key, pub)
    except OSError as exc:
        raise CheckpointError(f"cannot write the key: {exc.strerror}: {exc.filename}") from None
    return fingerprint(private.public_key())


def fingerprint(public: Ed25519PublicKey) -> str:
    raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()


def load_private(path: Path) -> Ed25519PrivateKey:
    """The signing key; refused when group or others may read it (like ssh), or not Ed25519."""
    try:
        mode = path.stat().st_mode
        data = path.read_bytes()
    except OSError as exc:
        raise CheckpointError(f"cannot read the key {path}: {exc.strerror}") from None
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise CheckpointError(f"the key {path} may be read by other users (mode {stat.filemode(mode)}); "
                              f"keep it 0600 (chmod 600 {path})")
    try:
        key = serialization.load_pem_private_key(data, password=None)
    except (ValueError, TypeError) as exc:
        raise CheckpointError(f"{path} is not an unencrypted PEM private key ({exc})") from None
    if not isinstance(key, Ed25519PrivateKey):
        raise CheckpointError(f"{path} is not an Ed25519 key")
    return key


def load_public(path: Path) -> Ed25519PublicKey:
    try:
        key = serialization.load_pem_public_key(path.read_bytes())
    except OSError as exc:
        raise CheckpointError(f"cannot read the public key {path}: {exc.strerror}") from None
    except ValueError as exc:
        raise CheckpointError(f"{path} is not a PEM public key ({exc})") from None
    if not isinstance(key, Ed25519PublicKey):
        raise CheckpointError(f"{path} is not an Ed25519 public key")
    return key


def message(seq: int, head: str, time: str) -> bytes:
    """The bytes a checkpoint signs."""
    return f"{FORMAT}\nseq:{seq}\nhead:{head}\ntime:{time}\n".encode("utf-8")


def make(ledger: Ledger, key: Ed25519PrivateKey) -> dict:
    """Sign the log's head: `{"format", "seq", "head", "time", "public_key_sha256", "signature"}`
    (signature base64). The head and time are read under the writers' lock."""
    seq, head, time = ledger.head_locked()
    return {"format": FORMAT, "seq": seq, "head": head, "time": time,
            "public_key_sha256": fingerprint(key.public_key()),
            "signature": base64.b64encode(key.sign(message(seq, head, time))).decode("ascii")}


def read(path: Path, public: Ed25519PublicKey) -> Anchor:
    """A checkpoint file checked against the public key, as an anchor for `Ledger.verify`. Raises
    CheckpointError naming the file when it is malformed or its signature does not fit."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise CheckpointError(f"cannot read the checkpoint {path}: {exc.strerror}") from None
    except ValueError as exc:
        raise CheckpointError(f"{path} is not a checkpoint (not JSON: {exc})") from None
    try:
        if data["format"] != FORMAT:
            raise CheckpointError(f"{path}: format {data['format']!r} is not {FORMAT}")
        seq, head, time, signature = data["seq"], data["head"], data["time"], data["signature"]
        if not (isinstance(seq, int) and seq >= 0 and isinstance(head, str) and isinstance(time, str)):
            raise TypeError("seq, head or time")
        when = dt.datetime.fromisoformat(time)
        raw = base64.b64decode(signature, validate=True)
    except CheckpointError:
        raise
    except (KeyError, TypeError, ValueError) as exc:
        raise CheckpointError(f"{path} is not a checkpoint ({type(exc).__name__}: {exc})") from None
    try:
        public.verify(raw, message(seq, head, time))
    except InvalidSignature:
        raise CheckpointError(f"{path}: the signature does not fit this public key (the checkpoint was "
                              "altered, or signed with another key)") from None
    return Anchor(seq=seq, hash=head, time=when, source=f"checkpoint {path.name}")
