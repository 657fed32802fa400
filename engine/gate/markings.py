"""Markings: which TLP level an object carries (STIX 2.1 §7.2, FIRST TLP 2.0; MISP `tlp:` tags).

STIX: the canonical TLP 1.0 marking definitions (STIX 2.1 §7.2.1.4, the ids stix2 ships as
`stix2.TLP_WHITE` …) and FIRST's TLP 2.0 definitions (extension
`extension-definition--60a3c5c5-…`; the stix2 library has no notion of TLP 2.0) keep their meaning
whatever a bundle says: a bundle that defines one of those ids with another level is an error.
A marking definition of the bundle itself is a TLP marking when its TLP 2.0 extension,
`definition_type: tlp` or its name (`TLP:RED`) says so (the strictest, if they disagree); other
markings (PAP, a vendor's own) say nothing about TLP and are left alone; a `statement` marking
whose text holds a TLP label (`"TLP:RED"`, `"TLP:RED. For the named recipients only."`) carries that
level (the strictest label in it), as producers that predate TLP objects write TLP. An object's
TLP is the strictest of its `object_marking_refs`, of its `granular_markings` (a property marked
RED makes its object RED) and of marking ids in custom `*_ref`/`*_refs` properties
(`x_opencti_granted_refs`): a reference to a TLP marking definition is a marking, whatever the
property is called. A TLP:RED label written in an object's own text (`"TLP:RED - do not share"` in
a description) is a handling instruction: the object counts as RED (`text_says_red`, called by the
readers for every text they scan; marking definitions and MISP tag names excepted). A reference that resolves to no marking definition at all cannot be
settled: the gate escalates it, naming the object and the property.

MISP: a tag is a TLP marking when its name is in the `tlp:` namespace of MISP's TLP taxonomy. An
exact TLP tag (`tlp:clear`, `tlp:white` read as CLEAR, `tlp:green`, `tlp:amber`, `tlp:amber+strict`,
`tlp:red`; any case, spaces around it trimmed, after NFKC and with invisible characters removed, so
`ＴＬＰ：ＲＥＤ` and `tlp:\u200bred` are `tlp:red`) has its level; any other name in the namespace
(`tlp:ex:chr`, `tlp:unclear`, `tlp: red`, `tlp:redacted`) is a TLP marking whose level the gate
cannot read exactly, and is read as RED, the strictest. A tag in another namespace is no TLP
marking, whatever text it holds: `misp-galaxy:threat-actor="… tlp:red …"`, a galaxy cluster's
`tag_name`, `misp:tlp="red"`. A TLP:RED label in free text is a handling instruction, as in STIX:
the attribute whose `comment` or `text` value holds it counts as RED, and an event whose `info`
holds it (`[TLP:RED] …`) counts as RED with everything under it. What TLP:RED then
means is the gate's check `gate.tlp-red-private` and the rules' (docs/gate.md).
"""

from __future__ import annotations

import re2
import unicodedata
from typing import Any

from .items import TLP_ORDER, PayloadError
from .normalise import INVISIBLE
from .rx import Hint

TLP1 = {"marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9": "CLEAR",
        "marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da": "GREEN",
        "marking-definition--f88d31f6-486f-44da-b317-01333bde0b82": "AMBER",
        "marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed": "RED"}
TLP2_EXTENSION = "extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d"
TLP2 = {"marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487": "CLEAR",
        "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb": "GREEN",
        "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421": "AMBER",
        "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003": "AMBER+STRICT",
        "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1": "RED"}
CANONICAL = {**TLP1, **TLP2}
NOT_TLP = "not-tlp"   # a marking definition of the bundle that says nothing about TLP


# the colour words of TLP:RED in the languages of the Netherlands' partners (`TLP:ROOD`, `TLP-ROT`,
# `TLP:ROUGE` …): producers write the label in their own language
RED_WORDS = ("red", "rood", "rot", "rouge", "rojo", "roja", "rosso", "vermelho", "czerwony", "czerwona", "červená",
             "cervena", "röd", "rød", "punainen", "kırmızı", "kirmizi", "красный", "червоний", "אדום", "أحمر",
             "roșu", "rosu", "piros", "punane", "sarkans", "raudona", "crvena", "crveno", "червен", "κόκκινο",
             "κοκκινο", "红色", "紅色", "赤色", "红", "紅", "赤", "レッド", "레드", "빨강", "빨간색")
_RED_WORD = "(?:" + "|".join(RED_WORDS) + ")"


def tlp_level(word: Any) -> str | None:
    """A TLP level from a word (`red`, `TLP:AMBER+STRICT`, `TLP RED`, `tlp=red`, `white`, `rood`), or
    None when it names none."""
    if not isinstance(word, str):
        return None
    w = _plain(word).upper()
    m = _TLP_NAME.match(w.casefold())
    if m:
        w = m.group(1).upper()
    w = w.replace("WHITE", "CLEAR").replace(" ", "")
    if w.casefold() in RED_WORDS:
        return "RED"
    return w if w in TLP_ORDER else None


# A name in the TLP namespace whatever separates `tlp` from the level: `tlp:red`, `tlp : red`,
# `TLP RED`, `TLP-RED`, `tlp=red`, `tlp_red`, `tlp/red` (after _plain: NFKC, case-folded).
_TLP_NAME = re2.compile(r"(?s)^(?:tlp(?:\s*v?\s*2(?:\.0)?)?|traffic[\s\-_]*light[\s\-_]*protocol)"
                        r"\s*[:=\-_/|.,;\s\x{2010}-\x{2015}]\s*(.*)$")
_TLP_LEVEL_WORD = re2.compile(r"^(clear|white|green|amber|amber\s*\+\s*strict|" + _RED_WORD + r")$")


def is_tlp_name(text: str) -> bool:
    """Whether a name (a marking definition's, a MISP tag's, a label) is in the TLP namespace: `tlp`
    then a separator (`:`, `=`, `-`, `_`, `/`, a space …), as `tlp:red`, `TLP RED`, `tlp=red`."""
    return bool(_TLP_NAME.match(_plain(text)))


def name_level(text: str) -> str | None:
    """The level a TLP-namespace name carries: the level it names (`TLP - RED` is RED), RED when the
    rest names no level exactly (`tlp:ex:chr`, `tlp:redacted`); None when not a TLP name."""
    m = _TLP_NAME.match(_plain(text))
    if not m:
        return None
    rest = m.group(1).strip()
    if _TLP_LEVEL_WORD.match(rest):
        return tlp_level(rest)
    return "RED"


def definition_level(obj: dict) -> str:
    """The TLP level a marking-definition object carries, or NOT_TLP."""
    levels = []
    extensions = obj.get("extensions")
    ext = extensions.get(TLP2_EXTENSION) if isinstance(extensions, dict) else None
    if isinstance(ext, dict):
        levels.append(tlp_level(ext.get("tlp_2_0")) or "RED")   # a TLP 2.0 marking with no level we know
    if isinstance(obj.get("definition_type"), str) and _plain(obj["definition_type"]) == "tlp":
        definition = obj.get("definition") if isinstance(obj.get("definition"), dict) else {}
        levels.append(tlp_level(definition.get("tlp")) or "RED")
    if isinstance(obj.get("definition_type"), str) and _plain(obj["definition_type"]) == "statement":
        definition = obj.get("definition") if isinstance(obj.get("definition"), dict) else {}
        levels.extend(text_levels(definition.get("statement")))
    elif isinstance(obj.get("definition"), dict):
        # another definition type holding a TLP field (FIRST IEP's `definition.tlp`, a vendor's
        # `traffic_light_protocol`): that field is a TLP marking
        levels.extend(lv or "RED" for k, v in obj["definition"].items() if _names_tlp(k) for lv in [tlp_level(v)])
    name = obj.get("name")
    if isinstance(name, str) and is_tlp_name(name):
        levels.append(name_level(name) or "RED")
    levels.extend(custom_levels(obj))
    if not levels:
        return NOT_TLP
    return max(levels, key=TLP_ORDER.index)


def marking_table(objects: list) -> dict[str, str]:
    """Every marking id the bundle can refer to, with its TLP level or NOT_TLP. Raises PayloadError
    when the bundle gives a canonical TLP id another level."""
    table: dict[str, str] = dict(CANONICAL)
    for obj in objects:
        if obj.get("type") != "marking-definition":
            continue
        ident = obj["id"]
        level = definition_level(obj)
        if ident in CANONICAL:
            if level != CANONICAL[ident]:
                said = "no TLP level" if level == NOT_TLP else f"TLP:{level}"
                raise PayloadError(f"redefines the canonical TLP:{CANONICAL[ident]} marking as {said}; "
                                   "canonical TLP marking ids keep their meaning", ident)
            continue
        if ident in table and table[ident] != level:
            level = max(table[ident], level, key=lambda x: TLP_ORDER.index(x) if x in TLP_ORDER else -1)
        table[ident] = level
    return table


def _names_tlp(key: Any) -> bool:
    """A property name that names the TLP: `tlp`, `x_tlp`, `traffic_light`, `traffic-light-protocol`."""
    if not isinstance(key, str):
        return False
    k = key.casefold().replace("-", "_")
    return "tlp" in k.split("_") or "tlp" in k or "traffic_light" in k or "trafficlight" in k


# words of custom property names that say what a value about sharing is (`x_sharing`, `x_acme_handling`,
# `sharing_level`, `classification`)
_SHARING_WORDS = frozenset({"sharing", "share", "handling", "classification", "marking", "markings", "rubricering",
                            "traffic", "tlp", "dissemination", "releasability"})
_CUSTOM_DEPTH = 4


def _about_sharing(key: Any) -> bool:
    if not isinstance(key, str):
        return False
    k = key.casefold().replace("-", "_")
    return _names_tlp(k) or any(w in _SHARING_WORDS for w in k.split("_"))


def custom_levels(obj: dict) -> list[str]:
    """The TLP levels an object's custom properties give it: a custom property (`x_…`) named for
    the TLP or for sharing or handling (`x_tlp`, `x_acme_traffic_light`, `x_sharing`,
    `x_acme_handling`), whose value, or the value of a key inside it named so (`{"sharing_level":
    "RED"}`, `{"traffic_light_protocol": "RED"}`, to a depth of 4), names a TLP level or colour
    (`RED`, `TLP:AMBER`, `rood`). A custom property named for the TLP whose text names no level is
    read as RED (it says something about TLP the gate cannot read)."""
    out: list[str] = []
    for key, value in obj.items():
        if not (isinstance(key, str) and key[:2] == "x_"):
            continue
        if _about_sharing(key):
            found: list[str] = []
            _sharing_values(key, value, found, 0)
            if not found and _names_tlp(key) and value not in (None, "", [], {}):
                found.append("RED")       # named for the TLP, and no level the gate reads: the strictest
            out.extend(found)
        elif isinstance(value, dict):
            _sharing_values("", value, out, 1, named=False)
    return out


def _sharing_values(key: str, value: Any, out: list[str], depth: int, named: bool = True) -> None:
    if isinstance(value, str) and named:
        level = tlp_level(value)
        if level:
            out.append(level)
        elif _names_tlp(key):
            out.append("RED")             # `x_tlp: "restricted"`: about the TLP, no level the gate reads
    elif isinstance(value, dict) and depth < _CUSTOM_DEPTH:
        for k, v in value.items():
            if _about_sharing(k) or named and k in ("level", "value", "color", "colour"):
                _sharing_values(k, v, out, depth + 1)
            elif isinstance(v, dict):
                _sharing_values(k, v, out, depth + 1, named=False)
    elif isinstance(value, list) and named and depth < _CUSTOM_DEPTH:
        for v in value[:64]:
            _sharing_values(key, v, out, depth + 1)


_REFS, _CUSTOM_TLP = 1, 2
_KEY_KINDS: dict = {}


def _key_kind(key) -> int:
    """What `object_markings` reads of a top-level property, by its name (cached per name): `_REFS`
    for a reference property other than the core ones (`*_ref`, `*_refs`), `_CUSTOM_TLP` for a custom
    property whose name holds `tlp`, 0 for any other (and for a key that is no text)."""
    if not isinstance(key, str):
        return 0
    kind = 0
    if key not in _CORE_REFS and (key[-5:] == "_refs" or key[-4:] == "_ref"):
        kind |= _REFS
    if key[:2] == "x_":
        kind |= _CUSTOM_TLP               # every custom property: `custom_levels` reads those about sharing
    if len(_KEY_KINDS) > 50_000:
        _KEY_KINDS.clear()
    _KEY_KINDS[key] = kind
    return kind


def object_markings(obj: dict, table: dict[str, str]) -> tuple[str | None, list[str]]:
    """(the object's TLP level or None, the properties whose marking reference resolves to nothing)."""
    levels, unresolved = [], []
    for i, ref in enumerate(obj.get("object_marking_refs") or ()):
        level = table.get(ref)
        if level is None:
            unresolved.append(f"object_marking_refs[{i}]")
        elif level != NOT_TLP:
            levels.append(level)
    for i, g in enumerate(obj.get("granular_markings") or ()):
        ref = g.get("marking_ref") if isinstance(g, dict) else None
        if ref is None:
            continue                       # a language marking (`lang`), not a handling marking
        level = table.get(ref)
        if level is None:
            unresolved.append(f"granular_markings[{i}].marking_ref")
        elif level != NOT_TLP:
            levels.append(level)
    kinds = _KEY_KINDS
    custom = False
    for key, value in obj.items():
        kind = kinds.get(key)
        if kind is None:
            kind = _key_kind(key)
        if not kind:
            continue
        if kind & _REFS:
            for ref in (value if isinstance(value, list) else [value]):
                if isinstance(ref, str) and ref.startswith("marking-definition--") \
                        and table.get(ref) not in (None, NOT_TLP):
                    levels.append(table[ref])             # `x_opencti_granted_refs: [TLP:RED]`
        if kind & _CUSTOM_TLP:
            custom = True
    if custom:
        levels.extend(custom_levels(obj))                 # `x_tlp: "RED"`, `x_sharing: {"traffic_light_protocol": "RED"}`
    for i, label in enumerate(obj.get("labels") or ()) if isinstance(obj.get("labels"), list) else ():
        if isinstance(label, str) and is_tlp_name(label):
            levels.append(name_level(label) or "RED")     # `labels: ["tlp:red"]`: the author's marking
    best = max(levels, key=TLP_ORDER.index) if levels else None
    return best, unresolved


_CORE_REFS = frozenset({"object_marking_refs", "created_by_ref"})
# a TLP label in free text: `TLP:RED`, `[TLP: AMBER+STRICT]`, `TLP-RED`, `TLP RED` (not `tlp:redacted`),
# the protocol's name written out too (`Traffic Light Protocol: RED`)
# (also `TLP.RED`, the colour in other languages, `TLP:ROOD`; `RED (TLP)`; letters spaced out, `T L P : R E D`)
# `TLP`, `T.L.P.`, `T L P`, `ТЛП`, `Traffic Light Protocol (TLP)`, with a version (`TLP v2.0`, `TLP2`)
_TLP = (r"(?:t\.?\s?l\.?\s?p\.?|t\s+l\s+p|тлп|traffic[\s\-_]*light[\s\-_]*protocol(?:\s*\(\s*tlp\s*\))?)"
        r"(?:\s*v?\s*2(?:\.0)?)?")
# what may stand between it and the colour: punctuation and dashes of any kind, markup (`**`, `<b>`),
# entities and percent-escapes (`&#58;`, `%3A`), and the words level, colour, classification
_SEP = (r"(?:[\s:=\-_/.|;,~*()\[\]<>#'\"\x{2010}-\x{2015}\x{2236}\x{a789}]|&#x?[0-9a-f]{1,5};|%3a|</?[a-z]{1,6}>"
        r"|level|colou?r|classification){0,8}")
_EARLIER = r"(?:(?:clear|white|green|amber(?:\s*\+\s*strict)?)\s*[/|&]\s*)?"
_LABEL = re2.compile(r"(?i)(?:^|[^\pL\pN])" + _TLP + _SEP + _EARLIER + r"(clear|white|green|amber\s*\+\s*strict|amber|"
                     + _RED_WORD + r"|r\s+e\s+d)(?:$|[^\pL\pN])")
_RED_AFTER = r"(?i)(?:^|[^\pL\pN])(?:red|rood|rot)\s*[(\[]\s*tlp\s*[)\]]"
_RED_AFTER_RX = re2.compile(_RED_AFTER)
_LABEL_HINT = Hint(r"(?i)tlp|ｔｌｐ|t\.?\s?l\.?\s?p|тлп|traffic[\s\-_]*light")      # the full-width form before NFKC
_RED_LABEL = Hint(r"(?i)(?:^|[^\pL\pN])" + _TLP + _SEP + _EARLIER + "(?:" + _RED_WORD + r"|r\s+e\s+d)(?:$|[^\pL\pN])|"
                  + _RED_AFTER)


def text_levels(text: Any) -> list[str]:
    """The TLP levels the labels in a text name (`"TLP:RED. For the named recipients only."` ->
    ["RED"]); [] for a text without one or a non-text."""
    if not isinstance(text, str) or (text.isascii() and not _LABEL_HINT(text)):
        return []
    plain = _plain(text)
    if not _LABEL_HINT(plain):
        return []
    levels = [lv for m in _LABEL.finditer(plain) if (lv := tlp_level(m.group(1).replace(" ", "")))]
    if _RED_AFTER_RX.search(plain):
        levels.append("RED")              # `RED (TLP)`
    return levels


def text_says_red(text: str) -> bool:
    """Whether a text holds a TLP:RED label (`TLP:RED`, `[TLP: RED]`, `tlp-red`, `Traffic Light
    Protocol: RED`; any case, after NFKC): a handling instruction that makes the object holding the
    text RED (module docstring)."""
    if text.isascii():
        lowered = text.lower()
        return ("tlp" in lowered or "traffic" in lowered or "t l p" in lowered or "t.l.p" in lowered) \
            and _RED_LABEL(text)
    if _LABEL_HINT(text) and _RED_LABEL(text):
        return True
    plain = _plain(text)                # full-width and other compatibility forms, after NFKC
    return plain != text and _LABEL_HINT(plain) and _RED_LABEL(plain)


MISP_TLP = {"tlp:clear": "CLEAR", "tlp:white": "CLEAR", "tlp:green": "GREEN", "tlp:amber": "AMBER",
            "tlp:amber+strict": "AMBER+STRICT", "tlp:red": "RED"}


# Cyrillic and Greek letters that look like the Latin ones of a TLP label (`ТLР:RED` with Cyrillic Т
# and Р, `tІp:red` with Cyrillic І): read as the Latin letter they pass for. Own table, and only here,
# where a label is matched: Unicode's confusables data (UTS #39) is meant for the same purpose, but no
# maintained Python library ships it in a form that maps to one letter, and the label has eleven letters.
_LOOK_ALIKES = str.maketrans({
    "А": "A", "В": "B", "Е": "E", "К": "K", "М": "M", "Н": "H", "О": "O", "Р": "P", "С": "C", "Т": "T", "Х": "X",
    "а": "a", "е": "e", "о": "o", "р": "p", "с": "c", "х": "x", "т": "t", "І": "l", "і": "l", "Ӏ": "l", "ӏ": "l",
    "Ј": "J", "ј": "j", "ԁ": "d", "Ԁ": "D", "Α": "A", "Β": "B", "Ε": "E", "Η": "H", "Ι": "l", "Κ": "K", "Μ": "M",
    "Ν": "N", "Ο": "O", "Ρ": "P", "Τ": "T", "Χ": "X", "ο": "o", "ρ": "p", "τ": "t", "ı": "l", "ǀ": "l", "ⅼ": "l",
    # small capitals (`ᴛʟᴘ:ʀᴇᴅ`) and colons of other blocks (`tlp∶red`, `tlp꞉red`)
    "ᴛ": "t", "ʟ": "l", "ᴘ": "p", "ʀ": "r", "ᴇ": "e", "ᴅ": "d", "ᴀ": "a", "ᴍ": "m", "ʙ": "b", "ɢ": "g", "ɴ": "n",
    "ᴄ": "c", "ᴡ": "w", "ɪ": "i", "ᴏ": "o", "∶": ":", "꞉": ":", "ː": ":"})


def _plain(text: str) -> str:
    """NFKC, invisible characters removed, look-alike letters read as Latin, trimmed, case-folded:
    how a reader sees a marking's name."""
    if not text.isascii():
        text = INVISIBLE.sub("", unicodedata.normalize("NFKC", text)).translate(_LOOK_ALIKES)
    return text.strip().casefold()


def misp_tag_level(tags: Any) -> str | None:
    """The strictest TLP level among MISP tags (a list of {"name": …}); None when none is a TLP tag.
    An exact TLP tag has its level; another name in the `tlp:` namespace is read as RED (module
    docstring); tags of other namespaces are no TLP marking."""
    best = None
    for t in tags or ():
        name = t.get("name") if isinstance(t, dict) else None
        if not isinstance(name, str):
            continue
        plain = _plain(name)
        if not is_tlp_name(plain):
            continue
        level = MISP_TLP.get(plain) or name_level(plain) or "RED"
        if best is None or TLP_ORDER.index(level) > TLP_ORDER.index(best):
            best = level
    return best
