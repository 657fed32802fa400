"""Free text as a reader sees it, before the gate scans it for personal identifiers.

Obfuscation that a person reads through must not hide an identifier from the scan, so every text
is first brought to the form it is read in:
1. Unicode NFKC (full-width `＠` U+FF20 and small `﹫` U+FE6B become `@`, full-width digits and
   letters become ASCII, `．` becomes `.`), and the ideographic full stops `。` `｡` read as `.` (in a
   text with an `@`, the middle dot, bullets and dot operators `·` `•` `∙` `⋅` `・` `‧` too);
2. invisible characters removed: every format character (Unicode category Cf: zero-width space,
   joiners U+200B–U+200D, word joiner U+2060, byte order mark U+FEFF, soft hyphen U+00AD, bidi
   controls, …), variation selectors, the combining grapheme joiner and the Hangul fillers;
3. HTML character references (`jan&#64;example.nl`, `&commat;`) and percent-encoded at-signs
   (`mailto:jan%40example.nl`) decoded (and 1–2 again on what they decode to);
4. written-out at-signs and dots: bracketed forms (`[at]`, `(at)`, `{at}`, `<at>`, `[@]`, `[dot]`,
   `(dot)`, `[.]`, `[punt]`) anywhere, and the word forms `jan at example dot nl` (`_at_`, `-at-`, `AT`, …)
   when the domain is written with at least one written-out dot: `jan at example.nl` is left as
   it is, because "the C2 server at evil.example" is the same words in threat intelligence;
5. spaces around an `@` (`jan @ example.nl`) and before a dot in the domain (`example . nl`).

The result serves only the scan (personal_text); the payload itself is never changed.

Own code: the standard library does 1–3 (`html`, `unicodedata`); no well-kept library
de-obfuscates written-out addresses (the defang tools do the reverse, for URLs and IP addresses).
The patterns run on text the sender controls, so they are RE2 (google-re2, as the rule language's
`matches`): linear in the text whatever it holds.
"""

from __future__ import annotations

import html
import unicodedata

import re2

_OPTIONS = re2.Options()
_OPTIONS.max_mem = 8 << 20


def _re(pattern: str):
    return re2.compile(pattern, options=_OPTIONS)


# format characters (Cf) and the other invisible code points readers skip
INVISIBLE = _re(r"[\p{Cf}\x{2800}\x{034F}\x{115F}\x{1160}\x{17B4}\x{17B5}\x{180B}-\x{180F}\x{3164}\x{FE00}-\x{FE0F}"
                r"\x{FFA0}\x{E0100}-\x{E01EF}]+")
_LABEL = r"[\p{L}\p{N}\-]+"
# a dot written out: ` dot `, `_dot_`, `[dot]`, `(.)`, `{punt}`, … or a dot with a space before it
_DOTSEP = r"(?:[\s_\-]+(?:dot|punt|punkt)[\s_\-]+|\s*[\[\(\{<]\s*(?:dot|punt|punkt|\.)\s*[\]\)\}>]\s*|\s+\.\s*)"
# the word form needs a dot written as a word (` dot `, `[dot]`, `(punt)`): `[.]` alone is how URLs are
# defanged ("the C2 at evil[.]example"), and a word that says where something is hosted is no mailbox
_WORD_DOT = r"(?:[\s_\-]+(?:dot|punt|punkt)[\s_\-]+|\s*[\[\(\{<]\s*(?:dot|punt|punkt)\s*[\]\)\}>]\s*)"
_WORD_AT = _re(r"(?i)([a-z0-9._%+\-]+?)[\s_\-]+at[\s_\-]+(" + _LABEL + r"(?:(?:\.|" + _DOTSEP + r")" + _LABEL + r")*"
               + _WORD_DOT + _LABEL + ")")
_NOT_A_MAILBOX = frozenset({
    "c2", "cnc", "c&c", "server", "servers", "host", "hosts", "hosted", "located", "found", "available", "online",
    "live", "registered", "domain", "domains", "site", "website", "page", "resolves", "resolved", "points",
    "pointing", "staged", "seen", "observed", "beacon", "beacons", "beaconing", "connects", "connecting",
    "callback", "callbacks", "panel", "infrastructure", "redirects", "redirected", "downloaded", "served",
    "stored", "uploaded", "exfiltrated", "sent", "kit", "payload", "payloads", "malware", "file", "files",
    "loader", "dropper", "implant", "backdoor", "botnet", "proxy", "relay", "mirror", "look", "looking",
    "aimed", "targeted", "directed", "is", "was", "are", "were", "be", "been", "and", "or", "the", "a", "an"})
_BRACKET_AT = _re(r"(?i)\s*[\[\(\{<]\s*(?:at|@)\s*[\]\)\}>]\s*")
_SPACED_AT = _re(r"\s+@\s*|@\s+")
# a domain after an @ with at least one dot written out (plain addresses are left as they are)
_DOMAIN = _re(r"(?i)@(" + _LABEL + r"(?:\." + _LABEL + r")*" + _DOTSEP + _LABEL + r"(?:(?:\.|" + _DOTSEP + r")"
              + _LABEL + r")*)")
_SEPARATOR = _re(r"(?i)" + _DOTSEP)
# encodings of `@` and `.` a reader decodes on sight: percent (`%40`, `%2E`, twice: `%2540`),
# quoted-printable (`=40`, `=2E` between address characters), escapes written out (`\u0040`,
# `\x40`, `\100`), Dutch, German, French and Spanish words for the at-sign
_PERCENT = _re(r"%(?:25)*(40|2[eE])")
_QP = _re(r"([A-Za-z0-9._%+\-])=(40|2[eE])([A-Za-z0-9])")
_ESCAPED = _re(r"(?i)\\+(?:u0*(40|2e)|x0*(40|2e)|(100|056))")
_AT_WORD = _re(r"(?i)[\s_\-\[\(]*\b(?:apenstaartje|klammeraffe|arobase|arroba)\b[\s_\-\]\)]*")
# a line break inside the domain: `jan@gm⏎ail.com`, `jan@gmail.⏎com`
_BROKEN_DOMAIN = _re(r"(@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*)[ \t]*\r?\n[ \t]*([A-Za-z0-9\-]*\.[A-Za-z])"
                     r"|(@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.)[ \t]*\r?\n[ \t]*([A-Za-z])")
# `#` for `@` before a domain with a common top-level domain (`jan.devries#gmail.com`), not in a URL
_HASH_AT = _re(r"(^|[\s:;,<>(\[\"'])([A-Za-z0-9._%+\-]+)#([A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*"
               r"\.(?:com|net|org|nl|be|de|fr|uk|eu|ru|info|io|me|biz|ch|at|lu|es|it|pl|ua))([\s,;:)>\]\"'!?]|\.(?:\s|$)|$)")


def _visible(text: str) -> str:
    """NFKC, invisible characters removed, ideographic full stops read as dots."""
    text = unicodedata.normalize("NFKC", text)
    return INVISIBLE.sub("", text).replace("\u3002", ".").replace("\uff61", ".")


def _word_at(m) -> str:
    if m.group(1).lower() in _NOT_A_MAILBOX:
        return m.group(0)
    return m.group(1) + "@" + m.group(2)


# dashes of other code points read as the hyphen-minus (`+31‑6‑12345678` with U+2011, `06–12345678`)
_DASH_LIKE = str.maketrans({c: "-" for c in "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe63\uff0d"})
_PERCENT_PLUS = _re(r"%2[bB]([0-9])")
_DOT_LIKE = str.maketrans({"\u00b7": ".", "\u2219": ".", "\u22c5": ".", "\u30fb": ".", "\u2022": ".",
                           "\u2027": "."})
MAX_REWRITES = 1000
"""Rewrites of one kind in one text before the text counts as not read to the end (`normalise`
says so, and the scan reports it: a sender cannot hide an address behind a thousand decoys)."""


def normalise(text: str) -> str:
    """The text as the scan reads it (module docstring): references decoded, NFKC, invisible
    characters removed, written-out at-signs and dots read as `@` and `.`, spaces around `@` gone.
    Pure; costs a few string checks for plain ASCII text without any of these."""
    return normalise_checked(text)[0]


def normalise_checked(text: str) -> tuple[str, bool]:
    """(`normalise(text)`, whether it was read to the end): false when a rewrite of one kind was
    needed more than MAX_REWRITES times, so that what follows may not have been rewritten."""
    if not text.isascii():
        text = _visible(text).translate(_DASH_LIKE)
    if "&" in text and ";" in text:
        text = html.unescape(text)
        if not text.isascii():
            text = _visible(text)
    if "%" in text:
        text = _PERCENT.sub(lambda m: "@" if m.group(1) == "40" else ".", text)
        if "%2" in text:
            text = _PERCENT_PLUS.sub(r"+\1", text)      # `?phone=%2B31612345678`
    if "=" in text:
        text = _QP.sub(lambda m: m.group(1) + ("@" if m.group(2) == "40" else ".") + m.group(3), text)
    if "\\" in text:
        text = _ESCAPED.sub(lambda m: "@" if (m.group(1) or m.group(2) or m.group(3)) in ("40", "100") else ".",
                            text)
    if "#" in text:
        text = _HASH_AT.sub(lambda m: m.group(1) + m.group(2) + "@" + m.group(3) + m.group(4), text)
    lowered = text.lower()
    if "apenstaartje" in lowered or "klammeraffe" in lowered or "arobase" in lowered or "arroba" in lowered:
        text = _AT_WORD.sub("@", text)
    lowered = text.lower()
    bracketed = "[" in text or "(" in text or "{" in text or "<" in text
    complete = True
    if "at" in lowered and ("dot" in lowered or "punt" in lowered or "punkt" in lowered):
        text, n = _WORD_AT.subn(_word_at, text, count=MAX_REWRITES)
        complete = complete and n < MAX_REWRITES
    if bracketed and ("at" in lowered or "@" in text):
        text, n = _BRACKET_AT.subn("@", text, count=MAX_REWRITES)
        complete = complete and n < MAX_REWRITES
    if "@" in text:
        if "\n" in text:
            text = _BROKEN_DOMAIN.sub(lambda m: (m.group(1) or m.group(3)) + (m.group(2) or m.group(4)), text)
        if not text.isascii():            # dots NFKC leaves as they are: middle dot, bullet and dot operators
            text = text.translate(_DOT_LIKE)
        if _SPACED_AT.search(text):
            text, n = _SPACED_AT.subn("@", text, count=MAX_REWRITES)
            complete = complete and n < MAX_REWRITES
        text, n = _DOMAIN.subn(lambda m: "@" + _SEPARATOR.sub(".", m.group(1)), text, count=MAX_REWRITES)
        complete = complete and n < MAX_REWRITES
    return text, complete
