"""Reading a STIX 2.1 bundle into the gate's items: every object and every property.

Per object, in this order, and the first problem is an error naming the object and the property:
1. the OASIS STIX 2.1 schemas (`stix_schema`);
2. timestamps: real calendar instants, in the order the specification sets (`timestamps`);
3. markings: canonical TLP ids keep their meaning (`markings`);
4. an indicator's pattern by the STIX pattern grammar (`stix_patterns`).
Then what the object carries: its type's data categories (`stix_types`), the comparisons of its
pattern (through references), its embedded `observed-data` objects, its TLP (object and granular
markings), persons wherever they hide (identities of a class that is not exactly an organisation's,
locations with a street address, threat actors and intrusion sets whose names or aliases may name a
person, note and opinion authors, custom `x_` properties about persons, a threat actor or identity
OpenCTI types as an individual: `x_opencti_type` `Threat-Actor-Individual` or `Individual`, read as
`resource_level: individual` and `identity_class: individual` are) and personal identifiers in
every free-text property (`personal_text`). Several objects with one id are versions: each is an
item of its own (key `id@modified`).
"""

from __future__ import annotations

import hashlib
import json
import re
from typing import Any

import orjson

from . import (binary, bundle_props, collector, coordinates, markings, person_keys, prose_names, stix_patterns,
               stix_schema, timestamps)
from .items import PERSONAL, POSSIBLE, UNKNOWN, Finding, Item, Payload, PayloadError, unique_keys
from .person_names import may_name_a_person
from .prose_names import is_prose
from .personal_text import context_for, scan, scan_number, worth_reading
from .person_keys import SHOWN_KEY
from .stix_types import CATEGORIES, METADATA, PERSONAL_TYPES, REF_TARGETS

_BUNDLE_ID = re.compile(r"^bundle--[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
_ORGANISATION_CLASSES = {"organization", "organisation", "class", "system", "group"}
_PERSON_CLASSES = {"individual", "person", "natural person", "human"}
_PERSON_HINTS = {"contributor", "contributors", "author", "authors", "person", "persons", "people", "analyst",
                 "analysts", "contact", "contacts", "email", "mail", "phone", "telephone", "mobile", "owner",
                 "employee", "firstname", "lastname", "surname", "fullname", "username", "user", "users",
                 "birth", "dob", "birthday", "passport", "address", "street", "victim", "victims", "reporter",
                 "creator", "handle", "nickname", "realname", "name", "names", "member", "members"}
_PERSON_TOKENS_WITH = ("first_name", "last_name", "full_name", "real_name", "display_name", "user_name")


MAX_DEPTH = 64
"""The deepest nesting of objects and lists a payload may have (STIX bundles and MISP events nest
about 8 deep; the limit keeps every reader's walk far from Python's recursion limit)."""


def parse_json(raw: bytes | str | dict | list, what: str) -> Any:
    """The payload as JSON values (a dict given is taken as it is). Raises PayloadError when it is
    not JSON, when an object names a key twice (RFC 8259 §4: names SHOULD be unique; readers
    disagree on which value counts, so the gate refuses to choose), or when it nests deeper than
    `MAX_DEPTH`."""
    if isinstance(raw, (dict, list)):
        doc = raw
    else:
        raw = strip_bom(raw)
        try:
            doc = orjson.loads(raw)
        except orjson.JSONDecodeError as exc:
            raise PayloadError(f"the {what} is not JSON: {exc}") from None
        _depth(doc, what)
        _duplicate_keys(raw, what)
        return doc
    _depth(doc, what)
    return doc


def strip_bom(raw: bytes | str) -> bytes | str:
    """The text without a leading UTF-8 byte order mark (RFC 8259 §8.1: a parser MAY ignore one;
    editors on Windows write it), so a file, a request body and a pasted text read alike."""
    if isinstance(raw, str):
        return raw[1:] if raw[:1] == "\ufeff" else raw
    if isinstance(raw, memoryview):
        raw = bytes(raw)
    return raw[3:] if raw[:3] == b"\xef\xbb\xbf" else raw


class _DuplicateKey(Exception):
    pass


def _no_duplicates(pairs: list) -> None:
    seen = set()
    for k, _ in pairs:
        if k in seen:
            raise _DuplicateKey(k)
        seen.add(k)
    return None                          # nothing is built: this pass only checks


def _duplicate_keys(raw: bytes | str, what: str) -> None:
    """PayloadError naming a key an object gives twice (the stdlib parser's object_pairs_hook sees
    every object's pairs before they collapse into a dict; orjson has no such hook)."""
    if isinstance(raw, (bytes, bytearray, memoryview)):
        raw = bytes(raw).decode("utf-8")
    try:
        json.loads(raw, object_pairs_hook=_no_duplicates)
    except _DuplicateKey as exc:
        raise PayloadError(f"the {what} names the key {exc.args[0]!r} twice in one object "
                           "(which value counts is not defined)") from None


def _depth(doc: Any, what: str) -> None:
    """PayloadError naming the object and property where the payload passes `MAX_DEPTH`."""
    stack = [(doc, 1)] if isinstance(doc, (dict, list)) else []
    while stack:
        node, depth = stack.pop()
        if depth > MAX_DEPTH:
            break
        for child in (node.values() if isinstance(node, dict) else node):
            if type(child) is dict or type(child) is list:
                stack.append((child, depth + 1))
    else:
        return
    stack = [(doc, ())]                      # too deep: find where (only then are paths kept)
    while stack:
        node, path = stack.pop()
        if len(path) >= MAX_DEPTH:
            where = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in path).lstrip(".")
            top = doc["objects"][path[1]] if (len(path) > 1 and path[0] == "objects" and isinstance(doc, dict)
                                              and isinstance(doc.get("objects"), list)) else None
            ident = top.get("id") if isinstance(top, dict) and isinstance(top.get("id"), str) else None
            raise PayloadError(f"the {what} nests objects and lists more than {MAX_DEPTH} deep "
                               f"(at {where[:200]}{'…' if len(where) > 200 else ''})", ident or where[:200])
        items = node.items() if isinstance(node, dict) else enumerate(node)
        for k, child in items:
            if isinstance(child, (dict, list)):
                stack.append((child, path + (k,)))


def sha256_of(doc: Any) -> str:
    """sha256 of the canonical JSON of a payload (keys sorted, no whitespace, UTF-8)."""
    return hashlib.sha256(orjson.dumps(doc, option=orjson.OPT_SORT_KEYS)).hexdigest()


def read_stix(raw):
    """A STIX 2.1 bundle (JSON text, or already parsed) read into items. Raises PayloadError naming
    the object and the property; stix_schema.SchemaUnavailable when the schemas are missing. The cyclic collector is paused meanwhile (`collector`)."""
    with collector.paused():
        return _read_stix(raw)


def _read_stix(raw: bytes | str | dict) -> Payload:
    """The work of `read_stix`."""
    doc = parse_json(raw, "STIX bundle")
    if not isinstance(doc, dict) or doc.get("type") != "bundle" or not isinstance(doc.get("objects"), list):
        raise PayloadError("not a STIX 2.1 bundle (an object of type bundle with a list of objects)")
    objects = doc["objects"]
    table = markings.marking_table([o for o in objects if isinstance(o, dict) and isinstance(o.get("id"), str)])
    bad = [(i, why) for i, obj in enumerate(objects) if (why := stix_schema.problem(obj))]
    if bad:
        i, error = bad[0]
        obj = objects[i]
        ident = obj.get("id") if isinstance(obj, dict) and isinstance(obj.get("id"), str) else f"objects[{i}]"
        more = f" (and {len(bad) - 1} more objects)" if len(bad) > 1 else ""
        raise PayloadError(f"not valid STIX 2.1: {error}{more}", ident)
    bundle_id = doc.get("id")
    if not isinstance(bundle_id, str) or not _BUNDLE_ID.match(bundle_id):
        raise PayloadError(f"the bundle's id {bundle_id!r} is not bundle--<UUID>", "bundle")
    for obj in objects:
        problem = timestamps.check_object(obj)
        if problem:
            raise PayloadError(f"{problem[0]}: {problem[1]}", obj["id"])
    keys = unique_keys([o["id"] for o in objects], [o.get("modified") for o in objects])
    items = []
    for i, (obj, key) in enumerate(zip(objects, keys)):
        item = Item(key=key, id=obj["id"], type=obj["type"], path=("objects", i),
                    removable=obj["type"] not in ("marking-definition", "extension-definition"))
        _read_object(obj, item, table)
        items.append(item)
    _bundle(doc, table, items)
    return Payload("stix", doc, items, [bundle_id], sha256_of(doc))


def _bundle(doc: dict, table: dict[str, str], items: list[Item]) -> None:
    """The bundle's own properties (`bundle_props`): its markings on every item, its custom
    properties as an item keyed `bundle`."""
    extra = bundle_props.read(doc, table, items, _scan)
    if extra is not None:
        items.append(extra)


def reread(payload: Payload, gone: set[str], edited: set[str], doc: dict) -> Payload:
    """The stripped bundle `doc` (the payload minus the items in `gone`, with the items in `edited`
    changed) read again. What is read of an object depends on nothing but the object and the
    bundle's marking definitions, which stripping never removes: objects the strip left as they were
    keep what was read of them, edited objects are read again from the start (schemas, timestamps,
    everything), and keys and paths are worked out anew. Raises PayloadError."""
    objects = doc["objects"]
    kept = [it for it in payload.items if it.key not in gone and it.path]
    if len(kept) != len(objects):
        raise PayloadError("the stripped bundle does not match its removal set")   # never expected
    table = markings.marking_table(objects)
    keys = unique_keys([o["id"] for o in objects], [o.get("modified") for o in objects])
    items = []
    for i, (old, obj, key) in enumerate(zip(kept, objects, keys)):
        if old.key in edited:
            why = stix_schema.problem(obj) or ("{}: {}".format(*timestamps.check_object(obj))
                                              if timestamps.check_object(obj) else None)
            if why:
                raise PayloadError(f"the stripped object is not valid STIX 2.1: {why}", obj["id"])
            item = Item(key=key, id=obj["id"], type=obj["type"], path=("objects", i),
                        removable=obj["type"] not in ("marking-definition", "extension-definition"))
            _read_object(obj, item, table)
        else:
            item = Item.__new__(Item)      # what was read of it is never changed afterwards: shared
            item.__dict__.update(old.__dict__)
            item.key, item.path = key, ("objects", i)
        items.append(item)
    _bundle(doc, table, items)
    return Payload("stix", doc, items, payload.ids, sha256_of(doc))


def _read_object(obj: dict, item: Item, table: dict[str, str]) -> None:
    kind = obj["type"]
    item.tlp, unresolved = markings.object_markings(obj, table)
    for prop in unresolved:
        item.add(Finding(UNKNOWN, prop, "refers to a marking definition that is neither in the bundle nor "
                                        "a canonical TLP marking"))
    skip = set()
    if kind == "indicator":
        skip = _indicator(obj, item)
    elif kind == "observed-data":
        _observed(obj, item)
    elif kind == "identity":
        _identity(obj, item)
    elif kind == "location":
        _location(obj, item)
    elif kind in ("threat-actor", "intrusion-set", "campaign"):
        _actor(obj, item)
    elif kind in ("note", "opinion"):
        _authors(obj, item)
    elif kind == "artifact" and "payload_bin" not in obj and binary.declared_document(obj.get("mime_type")):
        item.add(Finding(POSSIBLE, "mime_type", f"content {binary.declared_document(obj['mime_type'])} at its url: "
                                                "it may hold personal data the gate cannot read"))
    _type(kind, "", item)
    _scan(obj, "", item, skip, _READ_OTHERWISE.get(kind, frozenset()))


# top-level properties the gate reads by their meaning (above), not by their name: the property-name
# rule (`person_keys`) leaves them alone; their values are scanned like any other
_READ_OTHERWISE = {"identity": frozenset({"contact_information"}), "note": frozenset({"authors"}),
                   "opinion": frozenset({"authors"}), "location": frozenset({"street_address"})}
for _personal_type in PERSONAL_TYPES:          # personal data as a whole: each property need not say so
    _READ_OTHERWISE[_personal_type] = frozenset({"*"})


def _a(word: str) -> str:
    return "an" if word[:1] in "aeiou" else "a"


def _type(kind: str, prop: str, item: Item) -> None:
    """What an object's type (or an embedded object's, at `prop`) carries."""
    if kind in CATEGORIES:
        item.categories.update(CATEGORIES[kind])
        if kind in PERSONAL_TYPES:
            item.add(Finding(PERSONAL, prop or "type", f"{_a(kind)} {kind} object (personal data)", CATEGORIES[kind]))
    elif kind not in METADATA:
        where = f"{prop}.type" if prop else "type"
        item.add(Finding(UNKNOWN, where, f"object type {kind} the gate does not know"))
        about = person_keys.about_persons(kind)
        if about:
            k, what, category = about
            item.add(Finding(k, where, f"an object of a type named for persons: {what.split(' (')[0]}",
                             (category,) if k == PERSONAL else ()))


def _indicator(obj: dict, item: Item) -> set[str]:
    pattern, language = obj.get("pattern"), obj.get("pattern_type")
    if language != "stix":
        item.add(Finding(UNKNOWN, "pattern_type", f"a {language} pattern the gate cannot read"))
        return set()                         # its text is scanned like any other
    version = obj.get("pattern_version") or "2.1"
    try:
        reading = stix_patterns.read(pattern, "2.0" if str(version).startswith("2.0") else "2.1")
    except stix_patterns.PatternError as exc:
        raise PayloadError(f"pattern: not valid STIX patterning: {exc}", obj["id"]) from None
    except RecursionError:
        raise PayloadError("pattern: nested too deeply for the gate to read", obj["id"]) from None
    for c in reading.comparisons:
        path = f"pattern ({c.object_type}:{_path_text(c.path)})"
        for kind in _types_on_path(c.object_type, c.path):
            if kind == "*":
                item.add(Finding(UNKNOWN, path, "a reference the gate cannot follow"))
            elif kind in CATEGORIES:
                item.categories.update(CATEGORIES[kind])
                if kind in PERSONAL_TYPES:
                    item.add(Finding(PERSONAL, path, f"compares {_a(kind)} {kind} (personal data)", CATEGORIES[kind]))
            else:
                item.add(Finding(UNKNOWN, path, f"compares {_a(kind)} {kind}, a type the gate does not know"))
        for value in c.text_values():
            _text(value, "pattern", item)
    return {"pattern"}


def _path_text(path: tuple) -> str:
    out = ""
    for step in path:
        if isinstance(step, int) or step == "*":
            out += f"[{step}]"
        else:
            out += ("." if out else "") + str(step)
    return out


def _types_on_path(root: str, path: tuple) -> list[str]:
    """The object types a comparison touches: its own and every type its references lead to."""
    current, seen = {root}, [root]
    for step in path:
        if isinstance(step, str) and (step.endswith("_ref") or step.endswith("_refs")):
            following: set[str] = set()
            for kind in current:
                following.update(REF_TARGETS.get((kind, step), ("*",)))
            known = {k for k in following if k in CATEGORIES}
            current = known or following       # of several possible targets, those the gate can classify
            seen.extend(sorted(current))
    return list(dict.fromkeys(seen))


def _observed(obj: dict, item: Item) -> None:
    embedded = obj.get("objects")
    if isinstance(embedded, dict):
        for k, sco in embedded.items():
            if isinstance(sco, dict) and isinstance(sco.get("type"), str):
                _type(sco["type"], f"objects.{k}", item)
            else:
                item.add(Finding(UNKNOWN, f"objects.{k}", "an embedded object without a type"))


_SEGMENTS = re.compile(r"[,;\n\r\t|/()\[\]<>:]+")


def _identity(obj: dict, item: Item) -> None:
    contact = obj.get("contact_information")
    if isinstance(contact, str) and any(may_name_a_person(part) for part in _SEGMENTS.split(contact)):
        item.add(Finding(POSSIBLE, "contact_information", "a name that may be a person's"))
    cls = obj.get("identity_class")
    norm = cls.strip().lower() if isinstance(cls, str) else None
    if norm in _PERSON_CLASSES:
        item.add(Finding(PERSONAL, "identity_class", "an identity of a person", ("personal_data",)))
    elif _opencti_individual(obj):
        item.add(Finding(PERSONAL, "x_opencti_type", "an identity of a person (OpenCTI's type Individual)",
                         ("personal_data",)))
    elif norm in _ORGANISATION_CLASSES:
        if may_name_a_person(obj.get("name")):
            item.add(Finding(POSSIBLE, "name", "an organisation named like a person (a one-person business?)"))
    else:
        said = "absent" if cls is None else f"{cls!r}, not a class the gate can settle"
        item.add(Finding(POSSIBLE, "identity_class", f"identity_class {said}: the identity may be a person"))


def _location(obj: dict, item: Item) -> None:
    if isinstance(obj.get("street_address"), str) and obj["street_address"].strip():
        item.add(Finding(PERSONAL, "street_address", "a street address", ("personal_data",)))
    for prop, value in obj.items():           # a location's texts are read as addresses (`LANGE VOORHOUT 9`)
        if prop != "street_address" and isinstance(value, str) and len(value) >= 5 and not _identifier(value) \
                and not context_for(prop):
            said = [f for f in scan(value, "address") if "street address" in f.what]
            if said and not any("street address" in f.what for f in scan(value, context_for(prop))):
                item.add(Finding(POSSIBLE, prop, said[0].what))
    for prop in ("latitude", "longitude"):
        value = obj.get(prop)
        if isinstance(value, float) and len(repr(value).split(".")[-1]) >= 4:
            item.add(Finding(POSSIBLE, prop, "coordinates precise to a building"))
            break
    if "latitude" in obj and coordinates.precise_metres(obj.get("precision")):
        item.add(Finding(POSSIBLE, "precision", "a location precise to a building (a home?)"))


def _vocab(value: Any) -> str:
    """A vocabulary value as compared: case, spacing, `_` and `-` do not count ("Individual",
    " individual", "Insider_Disgruntled" read as the open vocabulary's terms)."""
    if not isinstance(value, str):
        return ""
    return re.sub(r"[\s_-]+", "-", value.strip().lower())


def _opencti_individual(obj: dict) -> bool:
    """OpenCTI's own type of the entity (`x_opencti_type`) names an individual: `Individual` (an
    identity), `Threat-Actor-Individual` (a threat actor who is one person)."""
    said = _vocab(obj.get("x_opencti_type"))
    return said == "individual" or said.endswith("-individual")


def _actor(obj: dict, item: Item) -> None:
    if _opencti_individual(obj):
        item.add(Finding(PERSONAL, "x_opencti_type", "a threat actor who is an individual (OpenCTI's type)",
                         ("personal_data",)))
    if obj["type"] == "threat-actor":
        if _vocab(obj.get("resource_level")) == "individual":
            item.add(Finding(PERSONAL, "resource_level", "a threat actor who is an individual", ("personal_data",)))
        types = obj.get("threat_actor_types")
        insiders = [t for t in (types if isinstance(types, list) else ()) if _vocab(t).startswith("insider")]
        if insiders:
            item.add(Finding(POSSIBLE, "threat_actor_types", f"{insiders[0]}: an insider may be one person"))
    names = [("name", obj.get("name"))] + [(f"aliases[{i}]", a) for i, a in enumerate(obj.get("aliases") or ())]
    names += [(f"x_mitre_aliases[{i}]", a) for i, a in enumerate(obj.get("x_mitre_aliases") or ())]
    for prop, name in names:
        if may_name_a_person(name):
            item.add(Finding(POSSIBLE, prop, "a name that may be a person's"))


def _authors(obj: dict, item: Item) -> None:
    authors = obj.get("authors")
    if isinstance(authors, list) and any(isinstance(a, str) and a.strip() for a in authors):
        item.add(Finding(PERSONAL, "authors", "the names of the authors (persons)", ("personal_data",)))


def _text(value: str, prop: str, item: Item, context: str = "") -> None:
    """The personal identifiers of a text, named at `prop`, and persons' names when the property
    holds running text (`prose_names`); `context` (the object's, a location's
    "address") or else the property's name (`context_for`) says what the text is meant to hold."""
    if is_prose(prop):
        said = prose_names.find(value)
        if said:
            item.add(Finding(POSSIBLE, prop, said))
    if item.type != "marking-definition" and markings.text_says_red(value):
        item.tlp = "RED"                          # a RED handling label in the content (`markings`)
    for f in scan(value, context or context_for(prop)):
        if f.kind == PERSONAL:
            item.add(Finding(PERSONAL, prop, f.what, (f.category,)))
        else:
            item.add(Finding(POSSIBLE, prop, f.what))


def _custom_about_persons(name: str) -> bool:
    lowered = name.lower()
    if any(t in lowered for t in _PERSON_TOKENS_WITH):
        return True
    return any(t in _PERSON_HINTS for t in lowered.removeprefix("x_").split("_"))


_STIX_ID = re.compile(r"[a-z0-9-]+--[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
_STIX_TIMESTAMP = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?Z")
_HEX_DIGEST = re.compile(r"[0-9a-fA-F]{32,128}")


def _identifier(value: str) -> bool:
    """A string that is wholly a STIX identifier, a STIX timestamp or a hash digest (32 to 128 hex
    digits): skipped on purpose (it cannot hold a personal identifier, and scanning it costs time)."""
    if len(value) < 20:
        return False
    last = value[-1]
    if last == "Z":
        return _STIX_TIMESTAMP.fullmatch(value) is not None
    if last not in _HEX_DIGITS:
        return False                      # each of the three forms ends in a hex digit or `Z`
    if value[-38:-36] == "--":
        return _STIX_ID.fullmatch(value) is not None
    return 32 <= len(value) <= 128 and _HEX_DIGEST.fullmatch(value) is not None


_HEX_DIGITS = frozenset("0123456789abcdefABCDEF")


_NUMBER_WORDS = frozenset({"size", "count", "port", "ports", "bytes", "byte", "packets", "pid", "ppid", "confidence",
                           "observed", "version", "timestamp", "time", "epoch", "offset", "length", "entropy",
                           "number", "sections", "subkeys", "score", "level", "seconds", "ms", "duration", "ttl",
                           "asn", "as", "serial", "crc", "checksum", "height", "width", "total", "index", "order"})


_KEYS: dict[str, tuple[str, str, tuple[str, ...]] | None] = {}


def _key_verdict(k: str) -> tuple[str, str, tuple[str, ...]] | None:
    """(finding kind, what, categories) for a property named for persons (`person_keys`), whatever
    its prefix; for `x_` properties also the older, wider hints (`_custom_about_persons`). Cached."""
    got = _KEYS.get(k, 0)
    if got != 0:
        return got
    about = person_keys.about_persons(k)
    if about:
        kind, what, category = about
        got = (kind, what, (category,) if kind == PERSONAL else ())
    elif k[:2] == "x_" and _custom_about_persons(k) and not person_keys.about_something_else(k):
        got = (POSSIBLE, "a custom property about persons", ())
    else:
        got = None
    if len(_KEYS) > 50_000:
        _KEYS.clear()
    _KEYS[k] = got
    return got


def _number(k: str, v: int | float, where: str, item: Item, shown: str | None = None) -> None:
    """A number that reads as a phone number with its country code (`31612345678`): a phone number
    stored as a JSON number. Counts, sizes, ports, times and the like are not read (by the key's
    words). `shown`: how the path names the key (`SHOWN_KEY` for a key that is itself a value)."""
    if isinstance(v, float):
        if not v.is_integer():
            return
        v = int(v)
    if v < 1_000_000_000 or any(w in _NUMBER_WORDS for w in person_keys.words(k)):
        return
    k_shown = k if shown is None else shown
    prop = (f"{where}.{k_shown}" if where else k_shown) if k else where
    for f in scan_number(v):
        item.add(Finding(f.kind, prop, f.what, (f.category,) if f.kind == PERSONAL else ()))


def _binary(cur: dict, k: str, v: str, where: str, item: Item) -> None:
    """Base64 content (`payload_bin` and every other `*_bin` property): samples pass, the rest
    escalates (`binary`); text that is not base64 is an error naming the property."""
    prop = f"{where}.{k}" if where else k
    artifact = cur.get("type") == "artifact" and k == "payload_bin"
    try:
        said = binary.finding(v, cur.get("mime_type") if artifact else None,
                              cur.get("encryption_algorithm") if artifact else None,
                              identified=artifact and bool(cur.get("hashes")))
    except binary.NotBase64 as exc:
        raise PayloadError(f"{prop} {exc}", item.id) from None
    if said is None:
        return
    kind, what, text = said
    if kind == "sample":
        if text:
            _text(text, prop, item)
    elif kind == "possible":
        item.add(Finding(POSSIBLE, prop, what))
    else:
        item.add(Finding(UNKNOWN, prop, what))


_KEY_PLANS: dict[str, tuple] = {}


def _key_plan(k: str) -> tuple:
    """What a key asks of `_scan`, cached per key: (its verdict, `_key_verdict`; flags). The flags:
    1 (a key not named for persons) its value may be a part of a name (`person_keys.name_part_key`);
    2 the key is itself a value (`key_is_text`: scanned, and shown as `person_keys.SHOWN_KEY` in paths);
    4 its value is base64 content (`*_bin`)."""
    verdict = _key_verdict(k)
    flags = (4 if k[-4:] == "_bin" else 0) | (2 if person_keys.key_is_text(k) else 0)
    if verdict is None:
        flags |= 1 if person_keys.name_part_key(k) else 0
    if len(_KEY_PLANS) > 50_000:
        _KEY_PLANS.clear()
    _KEY_PLANS[k] = got = (verdict, flags)
    return got


def _scan(node: Any, path: str, item: Item, skip: set[str], read_otherwise: frozenset = frozenset()) -> None:
    """EVERY string value of the object at any depth is scanned (issue 12): keys are not read, and
    only values that are wholly a STIX id, a STIX timestamp or a hash digest are skipped, so a
    property's name never decides whether its value is read (`external_references`, kill chain
    phases, vocabularies, custom dictionaries, the TLP 2.0 extension, custom `_ref` properties
    holding text). Every key at any depth, with or without `x_`, whose name says it is about
    persons is named whatever its value's type (`person_keys`); numbers that read as phone numbers
    are named; base64 content (`*_bin`) is judged as content, not scanned as text (`binary`).
    `skip`: top-level properties read otherwise (an indicator's parsed pattern); `read_otherwise`:
    top-level properties whose name the key rule leaves alone (`*`: all of them)."""
    stack = [(node, path)]
    plans = _KEY_PLANS
    while stack:
        cur, where = stack.pop()
        if type(cur) is dict:
            if where and person_keys.credential_pair(cur):
                item.add(Finding(PERSONAL, where, "a login with its password (a leaked credential)",
                                 ("account_names",)))
            for k, v in cur.items():
                if (not where and k in skip) or not isinstance(k, str):
                    continue
                plan = plans.get(k)
                if plan is None:
                    plan = _key_plan(k)
                verdict, flags = plan
                shown = SHOWN_KEY if flags & 2 else k      # a value used as a key is never repeated
                if verdict is not None:
                    if (where or (k not in read_otherwise and "*" not in read_otherwise)) \
                            and not person_keys.says_nothing(k, v):
                        item.add(Finding(verdict[0], f"{where}.{shown}" if where else shown, verdict[1], verdict[2]))
                elif flags & 3:
                    if flags & 1 and type(v) is str:
                        said = person_keys.name_part(k, v)
                        if said:
                            kind, what, category = said
                            item.add(Finding(kind, f"{where}.{k}" if where else k, what,
                                             (category,) if kind == PERSONAL else ()))
                if flags & 2:
                    _text(k, f"{where}.{shown}" if where else shown, item)     # a value used as a key
                if type(v) is str:
                    if flags & 4:
                        _binary(cur, k, v, where, item)
                    elif (len(v) >= 5 or worth_reading(v)) and not _identifier(v):
                        _text(v, f"{where}.{shown}" if where else shown, item)
                elif type(v) is dict or type(v) is list:
                    stack.append((v, f"{where}.{shown}" if where else shown))
                elif (type(v) is int or type(v) is float) and v >= 1_000_000_000:
                    _number(k, v, where, item, shown)
        else:
            for i, v in enumerate(cur):
                if type(v) is str:
                    if (len(v) >= 5 or worth_reading(v)) and not _identifier(v):
                        _text(v, f"{where}[{i}]", item)
                elif type(v) is dict or type(v) is list:
                    stack.append((v, f"{where}[{i}]"))
                elif (type(v) is int or type(v) is float) and v >= 1_000_000_000:
                    _number("", v, f"{where}[{i}]", item)
