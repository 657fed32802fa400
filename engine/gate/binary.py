"""Binary content a payload carries as base64: a STIX `artifact`'s `payload_bin` (and any other
`*_bin` property, STIX 2.1 §3.1 binary), a MISP `malware-sample` or `attachment` attribute's `data`.

The gate does not read what is inside such content: a document, a mail, a screenshot or a text may
hold anything about anyone. Exchanging malware samples is the point of the exchange, though, so the
gate tells samples from the rest by the first bytes (the file's magic number; the declared MIME type
only where the bytes are encrypted):

| what the bytes are | what the gate says |
|---|---|
| an executable (PE `MZ`, ELF, Mach-O, Java class, DEX, APK/JAR) or a script (`#!`, or a declared script type: PowerShell, JavaScript, VBScript, batch, shell, Python) | a malware sample: normal content (a script's text is scanned like free text) |
| an archive (zip, tar, 7z, rar, gzip, xz, bzip2, cab) holding executables, scripts or bytes of no known kind; a zip whose entries are encrypted is read by its directory; 7z, rar and cab by their magic alone | a malware sample: normal content (MISP wraps every malware-sample in a zip with the password `infected`) |
| a document (PDF, Office, OpenDocument, RTF, HTML), a mail (RFC 5322, Outlook), an image, a SQLite database, or an archive holding one | may hold personal data the gate cannot read: escalates, naming the property |
| plain text that is not a script, alone or in an archive (a combo list of addresses and passwords, gzip-, xz-, bzip2- or tar-wrapped, is text), unknown bytes, or bytes encrypted with a key (`encryption_algorithm` other than `mime-type-indicated`) | content the gate cannot classify: escalates, naming the property |

Inside an archive a text entry is a script when it starts with `#!` or its name ends the way script
files do (`.js`, `.vbs`, `.ps1`, `.bat`, `.hta`, …); other text is text. gzip, xz and bzip2 streams
are judged by the head of what they hold (at most MAX_HEAD bytes decompressed: a bomb costs
nothing); a tar archive, bare or compressed, by the heads of its first MAX_ENTRIES members.

A declared MIME type of a document, mail, image, audio or video counts too, whatever the bytes say
(and for an artifact that points at its content by `url`, it is all the gate has). A STIX artifact
is a sample only when it also carries `hashes` (the specification requires them with
`url`; with `payload_bin` they identify the sample): without them it escalates. Text that is not
base64 (RFC 4648) is an error naming the property.

Own code: the magic numbers are a handful of fixed byte strings (the `file` command's database,
libmagic, is a C library with a data file and says nothing a short table does not); archives are
opened with the standard library (`zipfile`, which lists a zip's entries even when they are
encrypted; `tarfile`; `zlib`, `lzma` and `bz2` with a bound on the output).
"""

from __future__ import annotations

import base64
import binascii
import bz2
import io
import lzma
import tarfile
import zipfile
import zlib

import re2

EXECUTABLE, ARCHIVE, SCRIPT, DOCUMENT, TEXT, UNKNOWN = "executable", "archive", "script", "document", "text", "unknown"

_MAGIC = [
    (b"MZ", EXECUTABLE, "a Windows executable"), (b"\x7fELF", EXECUTABLE, "an ELF executable"),
    (b"\xfe\xed\xfa\xce", EXECUTABLE, "a Mach-O executable"), (b"\xfe\xed\xfa\xcf", EXECUTABLE, "a Mach-O executable"),
    (b"\xce\xfa\xed\xfe", EXECUTABLE, "a Mach-O executable"), (b"\xcf\xfa\xed\xfe", EXECUTABLE, "a Mach-O executable"),
    (b"\xca\xfe\xba\xbe", EXECUTABLE, "a Mach-O or Java class file"), (b"dex\n", EXECUTABLE, "an Android DEX file"),
    (b"7z\xbc\xaf\x27\x1c", ARCHIVE, "a 7-Zip archive"), (b"Rar!\x1a\x07", ARCHIVE, "a RAR archive"),
    (b"\x1f\x8b", ARCHIVE, "a gzip archive"), (b"\xfd7zXZ\x00", ARCHIVE, "an xz archive"),
    (b"BZh", ARCHIVE, "a bzip2 archive"), (b"MSCF", ARCHIVE, "a cabinet archive"),
    (b"%PDF", DOCUMENT, "a PDF document"), (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", DOCUMENT, "an Office document or Outlook mail"),
    (b"{\\rtf", DOCUMENT, "an RTF document"), (b"\x89PNG", DOCUMENT, "an image (PNG)"),
    (b"\xff\xd8\xff", DOCUMENT, "an image (JPEG)"), (b"GIF8", DOCUMENT, "an image (GIF)"),
    (b"BM", DOCUMENT, "an image (BMP)"), (b"II*\x00", DOCUMENT, "an image (TIFF)"), (b"MM\x00*", DOCUMENT, "an image (TIFF)"),
    (b"SQLite format 3\x00", DOCUMENT, "a SQLite database"),
]
_MAIL_HEADERS = (b"from:", b"received:", b"return-path:", b"mime-version:", b"message-id:", b"delivered-to:",
                 b"to:", b"subject:", b"date:", b"x-")
_HTML = (b"<!doctype html", b"<html", b"<?xml")
_SCRIPT_TYPES = ("powershell", "javascript", "ecmascript", "vbscript", "x-sh", "shellscript", "x-bat", "batch",
                 "x-python", "x-perl", "x-php", "x-msdos", "jscript", "x-csh", "x-ruby", "x-lua")
_DOCUMENT_EXTENSIONS = (".pdf", ".doc", ".docx", ".docm", ".xls", ".xlsx", ".xlsm", ".ppt", ".pptx", ".odt", ".ods",
                        ".odp", ".rtf", ".txt", ".csv", ".eml", ".msg", ".mbox", ".pst", ".ost", ".vcf", ".png", ".jpg",
                        ".jpeg", ".gif", ".bmp", ".tif", ".tiff", ".heic", ".webp", ".htm", ".html", ".xml", ".json",
                        ".sqlite", ".db", ".kdbx")


class NotBase64(ValueError):
    """The text is not base64 (RFC 4648); the message says what is wrong, in words."""


def decode(text: object) -> bytes:
    """The bytes of base64 text (line breaks and spaces between groups allowed). Raises NotBase64."""
    if not isinstance(text, str):
        raise NotBase64("is not base64 text (it is not text at all)")
    compact = "".join(text.split())
    if len(compact) % 4:
        raise NotBase64(f"is not base64 text: {len(compact)} characters, not a multiple of 4")
    try:
        return base64.b64decode(compact, validate=True)
    except (binascii.Error, ValueError):
        bad = next((c for c in compact.rstrip("=") if not (c.isascii() and (c.isalnum() or c in "+/"))), None)
        raise NotBase64("is not base64 text" + (f": {bad!r} is not a base64 character" if bad else
                                               ": '=' may stand only at the end")) from None


def kind_of(data: bytes, mime: str | None = None, encrypted: str | None = None) -> tuple[str, str]:
    """(EXECUTABLE | ARCHIVE | SCRIPT | DOCUMENT | TEXT | UNKNOWN, what it is in words)."""
    mime = mime.lower().strip() if isinstance(mime, str) else ""
    if encrypted and encrypted.lower() != "mime-type-indicated":
        return UNKNOWN, f"bytes encrypted with {encrypted}"
    return _kind(data, mime, 0)


def _kind(data: bytes, mime: str, depth: int) -> tuple[str, str]:
    head = data[:16]
    if head.startswith(b"PK\x03\x04") or head.startswith(b"PK\x05\x06"):
        return _zip(data, depth)
    if head.startswith(b"\x1f\x8b"):
        return _stream(data, depth, "gzip", lambda d: zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(d, MAX_HEAD))
    if head.startswith(b"\xfd7zXZ\x00"):
        return _stream(data, depth, "xz", lambda d: lzma.LZMADecompressor().decompress(d, MAX_HEAD))
    if head.startswith(b"BZh"):
        return _stream(data, depth, "bzip2", lambda d: bz2.BZ2Decompressor().decompress(d, MAX_HEAD))
    if data[257:262] == b"ustar":
        return _tar(data, depth)
    for magic, kind, what in _MAGIC:
        if head.startswith(magic):
            return kind, what
    text = _text(data)
    if text is not None:
        lowered = text[:2048].lower().lstrip()
        if lowered.startswith("#!") or any(t in mime for t in _SCRIPT_TYPES):
            return SCRIPT, "a script"
        if lowered.encode().startswith(_HTML):
            return DOCUMENT, "an HTML or XML document"
        first = lowered.encode().split(b"\n", 1)[0]
        if first.startswith(_MAIL_HEADERS) or first.startswith(b"from "):
            return DOCUMENT, "a mail message"
        return TEXT, "plain text"
    if mime.startswith(("application/zip", "application/x-zip")) and encrypted:
        return ARCHIVE, "an encrypted archive"
    return UNKNOWN, "bytes of a type the gate does not know"


def _text(data: bytes) -> str | None:
    for bom, codec in ((b"\xef\xbb\xbf", "utf-8"), (b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be")):
        if data.startswith(bom):
            try:
                return data[len(bom):].decode(codec)
            except UnicodeDecodeError:
                return None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return None
    printable = sum(1 for c in text[:4096] if c.isprintable() or c in "\r\n\t")
    return text if printable >= 0.95 * min(len(text), 4096) else None


MAX_DEPTH = 3            # archives inside archives opened, at most
MAX_ENTRIES = 64         # entries of one zip whose bytes are read, at most
MAX_HEAD = 64 << 10      # bytes of an entry, or of a gzip stream, decompressed to judge it, at most


def _stream(data: bytes, depth: int, name: str, head_of) -> tuple[str, str]:
    """A gzip, xz or bzip2 stream judged by the head of what it holds (`head_of(data)`: at most
    MAX_HEAD bytes decompressed, no more, so a bomb costs nothing): a document inside is a document,
    text inside is text, a tar inside is judged by its members."""
    an = "an" if name[0] in "aeiouxAEIOUX" else "a"
    if depth >= MAX_DEPTH:
        return ARCHIVE, f"{an} {name} archive"
    try:
        inner = head_of(data)
    except (zlib.error, lzma.LZMAError, OSError, EOFError, ValueError):
        return UNKNOWN, f"{an} damaged {name} archive"
    if inner[257:262] == b"ustar":
        kind, what = _tar(inner, depth + 1, complete=False)
        return kind, f"{an} {name}-compressed {what.removeprefix('a ')}"
    kind, what = _kind(inner, "", depth + 1)
    if kind in (DOCUMENT, TEXT):
        return kind, f"{an} {name} archive holding {what}"
    if kind in (EXECUTABLE, SCRIPT):
        return ARCHIVE, f"{an} {name} archive holding {what}"
    return ARCHIVE, f"{an} {name} archive"


_SCRIPT_NAMES = (".js", ".jse", ".vbs", ".vbe", ".wsf", ".wsh", ".ps1", ".psm1", ".bat", ".cmd", ".hta", ".sh",
                 ".py", ".pl", ".php", ".rb", ".lua", ".applescript", ".scpt", ".au3", ".ahk", ".lnk", ".sct")


def _member(head: bytes, name: str, depth: int) -> tuple[str, str] | None:
    """What one archive member is when it makes the archive more than a sample: (DOCUMENT | TEXT,
    words), or None (a sample, an archive of samples, bytes of no known kind)."""
    kind, what = _kind(head, "", depth + 1)
    if kind == TEXT and name.lower().endswith(_SCRIPT_NAMES):
        return None
    if kind in (DOCUMENT, TEXT):
        return kind, f"{what} ({name!r})"
    return None


def _tar(data: bytes, depth: int, complete: bool = True) -> tuple[str, str]:
    """A tar archive judged by the heads of its first MAX_ENTRIES members. `complete`: `data` is the
    whole archive (otherwise only its decompressed head, whose last member may be cut short)."""
    found = None
    try:
        with tarfile.open(fileobj=io.BytesIO(data), mode="r:") as archive:
            for i, info in enumerate(archive):
                if i >= MAX_ENTRIES:
                    break
                if not info.isfile():
                    continue
                f = archive.extractfile(info)
                head = f.read(MAX_HEAD) if f is not None else b""
                got = _member(head, info.name, depth)
                if got and (found is None or got[0] == DOCUMENT):
                    found = got
                    if got[0] == DOCUMENT:
                        break
    except (tarfile.TarError, OSError, EOFError, ValueError):
        if complete and found is None:
            return UNKNOWN, "a damaged tar archive"
    if found:
        return found[0], f"a tar archive holding {found[1]}"
    return ARCHIVE, "a tar archive"


def _entries(archive: zipfile.ZipFile, depth: int) -> tuple[str, str] | None:
    """The first entry whose bytes are a document, mail or image (else the first that is plain
    text, not a script), judged by the bytes (the head of each of the first MAX_ENTRIES entries;
    archives inside opened to MAX_DEPTH), not by the name an entry is given; None when none is.
    Encrypted entries cannot be read and are left to their names."""
    found = None
    for info in archive.infolist()[:MAX_ENTRIES]:
        if info.is_dir() or info.flag_bits & 0x1:
            continue
        try:
            with archive.open(info) as f:
                head = f.read(MAX_HEAD)
        except (zipfile.BadZipFile, ValueError, OSError, EOFError, NotImplementedError, RuntimeError, zlib.error):
            continue
        got = _member(head, info.filename, depth)
        if got and got[0] == DOCUMENT:
            return DOCUMENT, f"an archive holding {got[1]}"
        if got and found is None:
            found = TEXT, f"an archive holding {got[1]}"
    return found


def _zip(data: bytes, depth: int = 0) -> tuple[str, str]:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        names = archive.namelist()
    except (zipfile.BadZipFile, ValueError, OSError, EOFError, NotImplementedError):
        return UNKNOWN, "a damaged zip archive"
    lowered = [n.lower() for n in names]
    if any(n.startswith(("word/", "xl/", "ppt/")) for n in lowered) or "mimetype" in lowered and \
            any(n == "content.xml" for n in lowered):
        return DOCUMENT, "an Office or OpenDocument document"
    if "androidmanifest.xml" in lowered or "classes.dex" in lowered:
        return EXECUTABLE, "an Android application (APK)"
    docs = [n for n in names if n.lower().endswith(_DOCUMENT_EXTENSIONS)]
    if docs:
        return DOCUMENT, f"an archive holding documents, mails or images ({len(docs)} of {len(names)} entries)"
    if depth < MAX_DEPTH:
        inside = _entries(archive, depth)
        if inside:
            return inside
    return ARCHIVE, "a zip archive"


_DOCUMENT_TYPES = ("application/pdf", "application/msword", "application/rtf", "application/vnd.openxmlformats",
                   "application/vnd.ms-", "application/vnd.oasis.opendocument", "application/xhtml", "application/json",
                   "application/xml", "text/", "message/", "image/", "audio/", "video/", "multipart/")


def declared_document(mime: object) -> str | None:
    """What a declared MIME type says when it names a document, mail, image, audio or video (which
    may hold personal data), or None: the content is then judged by its bytes, where there are any."""
    if not isinstance(mime, str):
        return None
    m = mime.strip().lower()
    if any(m.startswith(t) for t in _DOCUMENT_TYPES) and not any(t in m for t in _SCRIPT_TYPES):
        return f"declared as {m}"
    return None


def finding(text: object, mime: str | None = None, encrypted: str | None = None, *,
            identified: bool = True) -> tuple[str, str, str | None] | None:
    """What the gate says of base64 content: None for a malware sample (normal content); otherwise
    ("possible" | "unknown", what, the script text to scan or None). A script is a sample and its
    text is returned for scanning: ("sample", what, text). `identified`: the content carries hashes
    (a STIX artifact needs them to count as a sample). Raises NotBase64."""
    data = decode(text)
    kind, what = kind_of(data, mime, encrypted)
    said = declared_document(mime)
    if said and kind in (EXECUTABLE, ARCHIVE, SCRIPT, UNKNOWN, TEXT):
        kind, what = DOCUMENT, f"{what}, {said}"
    if kind in (EXECUTABLE, ARCHIVE, SCRIPT):
        if not identified:
            return "unknown", f"{what} without hashes: the gate cannot identify it as a sample", None
        if kind == SCRIPT:
            return "sample", what, _text(data)
        return None
    if kind == DOCUMENT:
        return "possible", f"{what}: it may hold personal data the gate cannot read", None
    return "unknown", f"{what}: content the gate cannot classify", None


# base64 content inside free text or a custom property: a `data:` URI, or base64 that starts the
# way a document, image or archive does (`JVBERi0` %PDF, `UEsDB` PK zip, `iVBORw0` PNG, `/9j/` JPEG,
# `R0lGOD` GIF, `0M8R4` OLE, `H4sI` gzip, `/Td6WFo` xz, `Qlpo[MNO]` bzip2, `U1FMaXRl` SQLite, `e1xydGY` {\rtf)
_EMBEDDED = re2.compile(r"(?i:data:([a-z0-9.+\-]+/[a-z0-9.+\-]+)?(?:;[a-z0-9=.\-]+)*;base64,)([A-Za-z0-9+/\r\n]{16,}={0,2})"
                        r"|((?:JVBERi0|UEsDB|UEsFB|iVBORw0|/9j/|R0lGOD|0M8R4|H4sI|/Td6WFo|Qlpo[MNO]|U1FMaXRl|e1xydGY)"
                        r"[A-Za-z0-9+/\r\n]{12,}={0,2})")
MAX_EMBEDDED = 8 << 20   # characters of one embedded run decoded, at most


def embedded(text: str) -> str | None:
    """What base64 content embedded in a text is, when it is a document, mail or image (or an
    archive holding one, or holding plain text) or a `data:` URI declaring one: words for the
    finding; None otherwise (no such run, a sample, or text that only looks like the start of one)."""
    for m in _EMBEDDED.finditer(text):
        mime, run = (m.group(1), m.group(2)) if m.group(2) else (None, m.group(3))
        compact = "".join(run[:MAX_EMBEDDED].split())
        compact = compact[:len(compact) // 4 * 4]
        try:
            data = base64.b64decode(compact, validate=True)
        except (binascii.Error, ValueError):
            continue
        kind, what = kind_of(data, mime)
        said = declared_document(mime)
        if kind == DOCUMENT or kind == TEXT and "archive" in what:
            return f"base64 content in the text: {what}"
        if said:
            return f"base64 content in the text, {said}"
    return None

