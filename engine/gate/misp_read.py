"""Reading MISP events into the gate's items: every part an event carries (MISP core format,
draft-dulaunoy-misp-core-format; analyst data of MISP 2.5).

Accepted: `{"Event": {…}}`, a bare event, `{"response": [{"Event": …}, …]}` (several events are
gated together, and each is also answered for on its own), or a list of those.

Items: the event itself (its `info`, organisations, related events and tags are read; it cannot be
stripped), `event_creator_email`, every attribute at event level and inside objects, every proposal
(`ShadowAttribute`) at every level, every object, every event report, every analyst note, opinion and
relationship at every level, and every galaxy cluster. Every string under a part is scanned,
whatever its key and at any depth (sightings, organisations, related events, cryptographic keys,
cluster meta and relations, unknown keys), and every `Tag` list and `distribution` met on the way
counts for the part (`_Reader._walk`). Attributes and other parts without a uuid are
keyed by their path (`Event.Object[0].Attribute[2]`), so a removal set can be applied.

TLP: the strictest `tlp:` tag of the part, its object and its event. Distribution: 0 ("your
organisation only") or 4 (a sharing group) on a part, its object or its event means the payload
itself forbids passing it on. Deleted attributes (`deleted: true`) travel in the payload like any
other and count like any other; the answer marks them.

Own reading rather than PyMISP's `MISPEvent.load`: the gate must see parts PyMISP's model drops or
reshapes (proposals inside objects, analyst data, unknown keys), keep the document as written so a
stripped copy can be written, and name the path of every problem; PyMISP's loader raises bare
Python errors (`KeyError: 'PersonV2'`, "Incorrect padding" when it decodes attachments) that must
not reach a user. PyMISP is used to build events in the tests.
"""

from __future__ import annotations

import datetime
import re
from typing import Any

from . import binary, collector, identifiers, markings, person_keys, prose_names
from .items import PERSONAL, POSSIBLE, RESTRICTED, UNKNOWN, Finding, Item, Payload, PayloadError, strictest
from .misp_types import (DISTRIBUTION, PERSONAL_CATEGORIES, PERSONAL_RELATIONS, PERSONAL_TEMPLATES,
                         POSSIBLE_TYPES, RESTRICTED_DISTRIBUTION, TYPES)
from .person_names import may_name_a_person
from .prose_names import is_prose
from .personal_text import context_for, scan, scan_number, worth_reading
from .person_keys import SHOWN_KEY
from .stix_read import parse_json, sha256_of

_ASCII_DIGITS = re.compile(r"^[0-9]+$")
_UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
_NUMERIC_KEYS = frozenset({"id", "event_id", "object_id", "org_id", "orgc_id", "sharing_group_id", "galaxy_id",
                           "tag_id", "user_id", "attribute_id", "collection_id", "timestamp", "publish_timestamp",
                           "sighting_timestamp", "date_sighting", "distribution", "threat_level_id", "analysis",
                           "attribute_count", "date_created", "date_modified", "created", "modified", "type_id"})
# parts read as items of their own (their strings belong to them, not to the part above)
_CHILD_ITEMS = frozenset({"Attribute", "Object", "ShadowAttribute", "EventReport", "Note", "Opinion",
                          "Relationship"})
# keys MISP defines whose meaning the reader reads itself (not by the property-name rule)
_READ_OTHERWISE = frozenset({"authors", "event_creator_email", "object_relation"})
# attribute types whose value is running text (a person's name in it is read, `prose_names`)
_PROSE_TYPES = frozenset({"text", "comment", "other", "annotation"})
_GALAXY_TAG = re.compile(r'^misp-galaxy:([a-z0-9-]+)="(.*)"$', re.S)
_ORGANISATIONS = frozenset({"Org", "Orgc", "Organisation", "Organization"})
# the fields of MISP's Organisation model (app/Model/Organisation.php): an organisation's, never a
# person's, so their names do not count (`nationality`, `contacts`, `type`); their values are scanned
# as every value is, so a person's e-mail address in `contacts` is still found
_ORGANISATION_FIELDS = frozenset({"id", "name", "uuid", "local", "type", "nationality", "sector", "contacts",
                                  "description", "date_created", "date_modified", "created_by",
                                  "restricted_to_domain", "landingpage"})
_FLAGS = frozenset({"", "0", "1", "true", "false", "yes", "no", "none", "null", "n/a"})
_NUMBER_WORDS = frozenset({"size", "count", "port", "bytes", "timestamp", "time", "epoch", "id", "version", "number",
                           "level", "score", "offset", "length", "total", "index", "order"})


def _json_type(value: Any) -> str:
    """The JSON name of a value's type (never Python's)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "text"
    return "a list" if isinstance(value, list) else "an object"


_LATEST_EPOCH = 4_102_444_800          # 2100-01-01T00:00:00Z


def _times(node: dict, path: tuple, event_level: bool = False) -> None:
    """A part's times are real (MISP core format §2.2.1, §2.3.1): an event's `date` a calendar date
    (YYYY-MM-DD), `first_seen`/`last_seen` ISO 8601 instants on real dates, `timestamp` and
    `publish_timestamp` whole seconds since 1970 before 2100. Raises PayloadError naming the part
    and the property."""
    if event_level and node.get("date") not in (None, ""):
        d = node["date"]
        try:
            if not isinstance(d, str) or not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", d):
                raise ValueError
            datetime.date.fromisoformat(d)
        except ValueError:
            raise PayloadError(f"{d!r} is not a calendar date (YYYY-MM-DD)", _where(path + ("date",))) from None
    for k in ("first_seen", "last_seen"):
        v = node.get(k)
        if v in (None, ""):
            continue
        try:
            if not isinstance(v, str) or not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}([T ][0-9:.]+)?(Z|[+-][0-9]{2}:?[0-9]{2})?", v):
                raise ValueError
            datetime.datetime.fromisoformat(v.replace("Z", "+00:00").replace(" ", "T"))
        except ValueError:
            raise PayloadError(f"{v!r} is not an ISO 8601 date and time on a real calendar date",
                               _where(path + (k,))) from None
    for k in ("timestamp", "publish_timestamp"):
        v = node.get(k)
        if v in (None, ""):
            continue
        text = str(v).strip() if isinstance(v, (int, str)) and not isinstance(v, bool) else ""
        if not _ASCII_DIGITS.match(text) or int(text) > _LATEST_EPOCH:
            raise PayloadError(f"{v!r} is not a time in whole seconds since 1970 (before 2100)",
                               _where(path + (k,)))


def _where(path: tuple) -> str:
    """The path as the answer shows it; a key that is itself a value (`person_keys.key_is_text`:
    `{"jan@ziggo.nl": 4}`) is shown as `<key>`, never as written: the answer never repeats what it found."""
    out = ""
    for p in path:
        if isinstance(p, int):
            out += f"[{p}]"
        else:
            p = SHOWN_KEY if person_keys.key_is_text(str(p)) else str(p)
            out += f".{p}" if out else p
    return out or "(the event)"


_TAG_NAME = re.compile(r"(?:Tag(?:\[\d+\])?\.name|tag_name)$")   # a tag's name: read as a marking only by `markings`


# attribute types whose value is a mail's Message-ID or thread index: `<id@host>` there is no mailbox
_MESSAGE_ID_TYPES = frozenset({"email-message-id", "email-thread-index"})
# MISP keys whose values are free text written by people though their names are no prose words: a
# sighting's `source` ("Reported by Pieter Jansen")
_FREE_TEXT_KEYS = (".source", "].source")


class _Reader:
    def __init__(self) -> None:
        self.items: list[Item] = []

    # -- shapes ------------------------------------------------------------------------------

    @staticmethod
    def _list(node: dict, key: str, path: tuple) -> list[tuple[tuple, dict]]:
        value = node.get(key)
        if value is None:
            return []
        if isinstance(value, dict) and key in ("Galaxy", "Tag"):
            value = [value]
        if not isinstance(value, list):
            raise PayloadError(f"{key} must be a list of objects, not {_json_type(value)}", _where(path))
        out = []
        for i, v in enumerate(value):
            if key == "Tag" and isinstance(v, str):
                v = {"name": v}            # `"Tag": ["tlp:red"]`: a tag given by its name alone
            if not isinstance(v, dict):
                raise PayloadError(f"not an object ({_json_type(v)})", _where(path + (key, i)))
            out.append((path + (key, i), v))
        return out

    @staticmethod
    def _distribution(node: dict, path: tuple, event_level: bool = False) -> int | None:
        value = node.get("distribution")
        if value is None or value == "":
            return None
        if isinstance(value, bool) or not isinstance(value, (int, str)) or not _ASCII_DIGITS.match(str(value).strip()) \
                or int(str(value).strip()) not in DISTRIBUTION:
            raise PayloadError(f"{value!r} is not a MISP distribution level (0 to 5)", _where(path + ("distribution",)))
        level = int(str(value).strip())
        if event_level and level == 5:
            raise PayloadError("an event cannot inherit its distribution (5); events take 0 to 4",
                               _where(path + ("distribution",)))
        return level

    @staticmethod
    def _uuid(node: dict, path: tuple) -> str | None:
        value = node.get("uuid")
        if value is None or value == "":
            return None
        if not isinstance(value, str):
            raise PayloadError(f"uuid must be text, not {_json_type(value)}", _where(path + ("uuid",)))
        return value

    # -- reading -----------------------------------------------------------------------------

    def event(self, path: tuple, ev: dict) -> str:
        uuid = self._uuid(ev, path)
        key = uuid or _where(path)
        level = self._distribution(ev, path, event_level=True)
        tlp = markings.misp_tag_level(self._tags(ev, path))
        item = Item(key=key, id=key, type="event", path=path, removable=False, uuid=uuid)
        item.tlp = tlp
        item.event = key
        self._restricted(item, level, "distribution")
        _times(ev, path, event_level=True)
        self._tag_text(item, ev, path, path)
        self._walk(item, ev, path, _CHILD_ITEMS | {"Tag", "event_creator_email"})
        self.items.append(item)
        chain = (item.tlp, level)                 # RED when `info` carries a TLP:RED label
        creator = ev.get("event_creator_email")
        if creator not in (None, ""):
            c = Item(key=f"{key}/event_creator_email", id=f"{key}/event_creator_email", type="event_creator_email",
                     path=path + ("event_creator_email",), tlp=tlp, event=key, parent=key)
            if not isinstance(creator, str):
                raise PayloadError("event_creator_email must be text", _where(path + ("event_creator_email",)))
            c.add(Finding(PERSONAL, "event_creator_email", "the e-mail address of the event's creator",
                          ("email_addresses",)))
            self.items.append(c)
        self._parts(ev, path, key, key, chain, template=None)
        return key

    def _parts(self, node: dict, path: tuple, event: str, parent: str, chain: tuple, template: str | None) -> None:
        """Everything that can hang under an event, an object or an attribute."""
        for p, a in self._list(node, "Attribute", path):
            self.attribute(p, a, event, parent, chain, template)
        for p, o in self._list(node, "Object", path):
            self.object(p, o, event, parent, chain)
        for p, s in self._list(node, "ShadowAttribute", path):
            self.attribute(p, s, event, parent, chain, template, proposal=True)
        for p, r in self._list(node, "EventReport", path):
            self.report(p, r, event, parent, chain)
        self._galaxies(node, path, event, parent, chain)
        self._analyst(node, path, event, parent, chain)

    def _tags(self, node: dict, path: tuple) -> list[dict]:
        tags = [t for _, t in self._list(node, "Tag", path)]
        for _, et in self._list(node, "EventTag", path) + self._list(node, "AttributeTag", path):
            if isinstance(et.get("Tag"), dict):
                tags.append(et["Tag"])
        return tags

    def _tag_text(self, item: Item, node: dict, path: tuple, base: tuple) -> None:
        for p, t in self._list(node, "Tag", path):
            name = t.get("name")
            if not isinstance(name, str):
                raise PayloadError("a tag needs a name (text)", _where(p))
            prop = _where(p[len(base):] + ("name",))
            self._text(item, prop, name)
            m = _GALAXY_TAG.match(name.strip())
            if m and m.group(1) in ("threat-actor", "ransomware-group") and may_name_a_person(m.group(2)):
                item.add(Finding(POSSIBLE, prop, "a threat actor named like a person"))

    def _restricted(self, item: Item, level: int | None, prop: str) -> None:
        if level in RESTRICTED_DISTRIBUTION:
            item.add(Finding(RESTRICTED, prop, f"distribution {level} ({DISTRIBUTION[level]})"))

    def _text(self, item: Item, prop: str, value: str, context: str = "", prose: bool = False) -> None:
        """The personal identifiers of a text at `prop`, and persons' names when it is running text
        (`prose`, or the property says so: `comment`, `content`, `note`, …)."""
        if prose or is_prose(prop) or prop.endswith(_FREE_TEXT_KEYS):
            said = prose_names.find(value)
            if said:
                item.add(Finding(POSSIBLE, prop, said))
        if markings.text_says_red(value) and not _TAG_NAME.search(prop):
            item.tlp = "RED"                      # a RED handling label in the content (`markings`)
        for f in scan(value, context or context_for(prop)):
            if f.kind == PERSONAL:
                item.add(Finding(PERSONAL, prop, f.what, (f.category,)))
            else:
                item.add(Finding(POSSIBLE, prop, f.what))

    def _chain(self, node: dict, path: tuple, chain: tuple, item: Item) -> tuple:
        parent_tlp, parent_level = chain
        own = self._distribution(node, path)
        tlp = strictest([markings.misp_tag_level(self._tags(node, path)), parent_tlp])
        item.tlp = tlp
        restricted = [lv for lv in (own, parent_level) if lv in RESTRICTED_DISTRIBUTION]
        if restricted:
            which = "distribution" if own in RESTRICTED_DISTRIBUTION else "distribution (inherited)"
            self._restricted(item, restricted[0], which)
        level = own if own is not None and own != 5 else parent_level
        if parent_level in RESTRICTED_DISTRIBUTION:
            level = parent_level
        return tlp, level

    def attribute(self, path: tuple, a: dict, event: str, parent: str, chain: tuple, template: str | None,
                  proposal: bool = False) -> None:
        uuid = self._uuid(a, path)
        kind = a.get("type")
        if not isinstance(kind, str) or not kind:
            raise PayloadError("type is required (a MISP attribute type, text)", _where(path + ("type",)))
        value = a.get("value")
        if isinstance(value, bool) or not isinstance(value, (str, int, float)):
            raise PayloadError("value is required (text)", _where(path + ("value",)))
        category = a.get("category")
        if category is not None and not isinstance(category, str):
            raise PayloadError("category must be text", _where(path + ("category",)))
        label = kind + (" (proposal)" if proposal else "") + (" (deleted)" if a.get("deleted") in (True, 1, "1") else "")
        item = Item(key=uuid or _where(path), id=uuid or _where(path), type=label, path=path, event=event,
                    parent=parent, uuid=uuid)
        inner = self._chain(a, path, chain, item)
        cat = TYPES.get(kind)
        if cat is None:
            item.add(Finding(UNKNOWN, "type", f"attribute type {kind} the gate does not know"))
            about = person_keys.about_persons(kind)        # `place-birth`, `x-home-phone`: named for persons
            if about:
                k, what, category = about
                item.add(Finding(k, "type", f"an attribute of a type named for persons: {what.split(' (')[0]}",
                                 (category,) if k == PERSONAL else ()))
        else:
            item.categories.add(cat)
            if cat in ("email_addresses", "account_names", "personal_data"):
                item.add(Finding(PERSONAL, "value", f"{'an' if kind[:1] in 'aeiou' else 'a'} {kind} attribute (personal data)", (cat,)))
        if kind in POSSIBLE_TYPES:
            item.add(Finding(POSSIBLE, "value", POSSIBLE_TYPES[kind]))
        if category in PERSONAL_CATEGORIES:
            item.add(Finding(PERSONAL, "category", f"category {category} (personal data)", ("personal_data",)))
        relation = a.get("object_relation")
        if template in PERSONAL_TEMPLATES:
            item.add(Finding(PERSONAL, "object_relation", f"part of a {template} object (personal data)",
                             ("personal_data",)))
        elif isinstance(relation, str) and relation.lower() in PERSONAL_RELATIONS:
            item.add(Finding(PERSONAL, "object_relation", f"object relation {relation} (personal data)",
                             ("personal_data",)))
        elif isinstance(relation, str) and person_keys.about_persons(relation) \
                and str(value).strip().lower() not in _FLAGS:
            # a relation of a template the tables above do not list, named for a person's detail: the
            # attribute's type says what the value is, the name only hints, so a person judges
            item.add(Finding(POSSIBLE, "object_relation", f"object relation {relation}: "
                             + person_keys.about_persons(relation)[1].split(" (")[0]))
        if kind == "threat-actor" and may_name_a_person(str(value)):
            item.add(Finding(POSSIBLE, "value", "a threat actor named like a person"))
        for s in identifiers.misp_attribute(kind, value, relation, a.get("comment")):
            item.add(Finding(s.kind, "value", s.what, (s.category,) if s.kind == PERSONAL else ()))
        _times(a, path)
        context = "message-id" if kind in _MESSAGE_ID_TYPES else (
            context_for(relation) if isinstance(relation, str) else "")
        self._text(item, "value", str(value), context, prose=kind in _PROSE_TYPES)
        if isinstance(value, (int, float)):
            self._number(item, "value", "value", value)
        self._binary(item, a, path, kind)
        self._tag_text(item, a, path, path)
        self._walk(item, a, path, _CHILD_ITEMS | {"Tag", "value", "data"})
        self.items.append(item)
        self._parts({k: v for k, v in a.items() if k != "Attribute"}, path, event, item.key, inner, template)

    def object(self, path: tuple, o: dict, event: str, parent: str, chain: tuple) -> None:
        uuid = self._uuid(o, path)
        name = o.get("name")
        if not isinstance(name, str) or not name:
            raise PayloadError("name is required (the object template's name)", _where(path + ("name",)))
        item = Item(key=uuid or _where(path), id=uuid or _where(path), type=f"object {name}", path=path,
                    event=event, parent=parent, uuid=uuid)
        inner = self._chain(o, path, chain, item)
        _times(o, path)
        for i, ref in enumerate(o.get("ObjectReference") or ()):     # a link to a person-like object
            target = ref.get("Object") if isinstance(ref, dict) else None
            if isinstance(target, dict) and target.get("name") in PERSONAL_TEMPLATES:
                item.add(Finding(POSSIBLE, f"ObjectReference[{i}].Object.name", f"a reference ({ref.get('uuid')}, "
                                 f"{ref.get('relationship_type')}) to a {target['name']} object (a person)"))
        self._tag_text(item, o, path, path)
        self._walk(item, o, path, _CHILD_ITEMS | {"Tag"})
        self.items.append(item)
        self._parts(o, path, event, item.key, inner, template=name)

    def report(self, path: tuple, r: dict, event: str, parent: str, chain: tuple) -> None:
        uuid = self._uuid(r, path)
        item = Item(key=uuid or _where(path), id=uuid or _where(path), type="event-report", path=path,
                    event=event, parent=parent, uuid=uuid, categories={"ttp_description"})
        inner = self._chain(r, path, chain, item)
        for k in ("name", "content"):
            if r.get(k) is not None and not isinstance(r.get(k), str):
                raise PayloadError(f"{k} must be text", _where(path + (k,)))
        _times(r, path)
        self._walk(item, r, path, _CHILD_ITEMS)
        self.items.append(item)
        self._analyst(r, path, event, item.key, inner)

    def _galaxies(self, node: dict, path: tuple, event: str, parent: str, chain: tuple) -> None:
        for gp, galaxy in self._list(node, "Galaxy", path):
            gtype = galaxy.get("type") if isinstance(galaxy.get("type"), str) else "galaxy"
            for cp, cluster in self._list(galaxy, "GalaxyCluster", gp):
                uuid = self._uuid(cluster, cp)
                item = Item(key=uuid or _where(cp), id=uuid or _where(cp), type=f"galaxy-cluster {gtype}",
                            path=cp, event=event, parent=parent, uuid=uuid, categories={"ttp_description"})
                inner = self._chain(cluster, cp, chain, item)
                self._walk(item, cluster, cp, {"Note", "Opinion", "Relationship"})
                authors = cluster.get("authors")
                if isinstance(authors, list) and any(isinstance(x, str) and x.strip() for x in authors):
                    item.add(Finding(POSSIBLE, "authors", "the authors of the galaxy cluster (persons or organisations)"))
                if gtype in ("threat-actor", "ransomware-group") or "actor" in gtype:
                    names = [("value", cluster.get("value"))]
                    meta = cluster.get("meta") if isinstance(cluster.get("meta"), dict) else {}
                    names += [(f"meta.synonyms[{i}]", s) for i, s in enumerate(meta.get("synonyms") or ())
                              if isinstance(meta.get("synonyms"), list)]
                    for prop, n in names:
                        if may_name_a_person(n):
                            item.add(Finding(POSSIBLE, prop, "a threat actor named like a person"))
                self.items.append(item)
                self._analyst(cluster, cp, event, item.key, inner)

    def _analyst(self, node: dict, path: tuple, event: str, parent: str, chain: tuple) -> None:
        for kind in ("Note", "Opinion", "Relationship"):
            for p, n in self._list(node, kind, path):
                uuid = self._uuid(n, p)
                item = Item(key=uuid or _where(p), id=uuid or _where(p), type=f"analyst-{kind.lower()}",
                            path=p, event=event, parent=parent, uuid=uuid)
                inner = self._chain(n, p, chain, item)
                _times(n, p)
                self._walk(item, n, p, _CHILD_ITEMS)
                authors = n.get("authors")
                if isinstance(authors, str) and authors.strip() or isinstance(authors, list) and any(authors):
                    item.add(Finding(PERSONAL, "authors", "the names or addresses of the authors (persons)",
                                     ("personal_data",)))
                self.items.append(item)
                self._analyst(n, p, event, item.key, inner)

    def _walk(self, item: Item, node: dict, path: tuple, children: frozenset | set) -> None:
        """EVERY string value under a part (issue 12), at any depth, except the keys in `children`
        at its top level (parts read as items of their own) and the `GalaxyCluster` lists of its
        galaxies (items of their own too). Keys are not read; values that are wholly a UUID, or the
        digits of a numeric id, a distribution or a timestamp under those MISP keys, are skipped on
        purpose. On the way, every `Tag` list (TLP, names case-insensitive) and every
        `distribution`/`sharing_group_id` met (Sighting, Org, GalaxyClusterRelation, unknown keys)
        counts for the part, as its own would."""
        stack: list[tuple[Any, tuple, bool]] = [(node, path, True)]
        levels: list[str | None] = []
        while stack:
            cur, where, top = stack.pop()
            if isinstance(cur, dict):
                if not top and person_keys.credential_pair(cur):
                    item.add(Finding(PERSONAL, _where(where[len(path):]),
                                     "a login with its password (a leaked credential)", ("account_names",)))
                if not top:
                    if "Tag" in cur:
                        levels.append(markings.misp_tag_level(self._tags(cur, where)))
                    level = self._distribution(cur, where)
                    if level in RESTRICTED_DISTRIBUTION:
                        self._restricted(item, level, _where(where[len(path):] + ("distribution",)))
                    self._sharing_group(item, cur, where, path, level)
                elif "sharing_group_id" in cur:
                    self._sharing_group(item, cur, where, path, self._distribution(cur, where))
                for k, v in cur.items():
                    if top and k in children:
                        continue
                    if k == "GalaxyCluster" and len(where) > len(path) and where[len(path)] == "Galaxy":
                        continue
                    if k in _ORGANISATIONS and isinstance(v, dict) and may_name_a_person(v.get("name")):
                        item.add(Finding(POSSIBLE, _where(where[len(path):] + (k, "name")),
                                         "an organisation named like a person (a one-person business?)"))
                    numeric = k in _NUMERIC_KEYS and (isinstance(v, int) or isinstance(v, str) and _ASCII_DIGITS.match(v))
                    if isinstance(k, str) and not numeric and not (top and k in _READ_OTHERWISE) \
                            and not (k in _ORGANISATION_FIELDS and where and where[-1] in _ORGANISATIONS):
                        self._key(item, k, v, _where(where[len(path):] + (k,)))
                    if isinstance(k, str) and person_keys.key_is_text(k):
                        self._text(item, _where(where[len(path):] + (k,)), k)   # a value used as a key
                    if isinstance(v, str):
                        if (len(v) >= 5 or worth_reading(v)) and not (_UUID.match(v) or numeric):
                            self._text(item, _where(where[len(path):] + (k,)), v)
                    elif isinstance(v, (dict, list)):
                        stack.append((v, where + (k,), False))
                    elif isinstance(v, (int, float)) and not isinstance(v, bool) and not numeric:
                        self._number(item, _where(where[len(path):] + (k,)), k, v)
            elif isinstance(cur, list):
                for i, v in enumerate(cur):
                    if isinstance(v, str):
                        if (len(v) >= 5 or worth_reading(v)) and not _UUID.match(v):
                            self._text(item, _where(where[len(path):] + (i,)), v)
                    elif isinstance(v, (dict, list)):
                        stack.append((v, where + (i,), False))
                    elif isinstance(v, (int, float)) and not isinstance(v, bool):
                        self._number(item, _where(where[len(path):] + (i,)), "", v)
        if any(levels):
            item.tlp = strictest([item.tlp] + levels)

    @staticmethod
    def _key(item: Item, k: str, v: Any, prop: str) -> None:
        """A key MISP does not define, or defines for a person's detail (a proposal's `email`), whose
        name says it is about persons (`person_keys`), whatever its value's type."""
        if person_keys.says_nothing(k, v):
            return
        about = person_keys.about_persons(k) or person_keys.name_part(k, v)
        if about:
            kind, what, category = about
            item.add(Finding(kind, prop, what, (category,) if kind == PERSONAL else ()))

    @staticmethod
    def _number(item: Item, prop: str, k: str, v: int | float) -> None:
        """A number that reads as a phone number with its country code (stored as a JSON number)."""
        if isinstance(v, float):
            if not v.is_integer():
                return
            v = int(v)
        if v < 1_000_000_000 or any(w in _NUMBER_WORDS for w in person_keys.words(k)):
            return
        for f in scan_number(v):
            item.add(Finding(f.kind, prop, f.what))

    def _binary(self, item: Item, a: dict, path: tuple, kind: str) -> None:
        """An attribute's `data` (base64: a malware-sample's zip, an attachment's file): samples pass,
        the rest escalates (`binary`); text that is not base64 is an error naming the path."""
        data = a.get("data")
        if data in (None, ""):
            return
        try:
            said = binary.finding(data, identified=kind in ("malware-sample", "attachment"))
        except binary.NotBase64 as exc:
            raise PayloadError(f"data {exc}", _where(path + ("data",))) from None
        if said is None:
            return
        verdict, what, text = said
        if verdict == "sample":
            if text:
                self._text(item, "data", text)
        else:
            item.add(Finding(POSSIBLE if verdict == "possible" else UNKNOWN, "data", what))

    def _sharing_group(self, item: Item, node: dict, where: tuple, base: tuple, level: int | None) -> None:
        """A sharing group named (sharing_group_id other than 0/empty) restricts like distribution 4."""
        sg = node.get("sharing_group_id")
        if sg in (None, "", 0, "0") or level == 4:
            return
        item.add(Finding(RESTRICTED, _where(where[len(base):] + ("sharing_group_id",)) or "sharing_group_id",
                         f"sharing group {sg!r} (distribution 4: {DISTRIBUTION[4]})"))


def _events(doc: Any) -> list[tuple[tuple, dict]]:
    def one(node: Any, path: tuple) -> tuple[tuple, dict]:
        if isinstance(node, dict) and "Event" in node and len(node) > 1:
            raise PayloadError("the entry has more than one part (" + ", ".join(repr(k) for k in node)
                               + '): an entry is {"Event": {...}}', _where(path) if path else "")
        if isinstance(node, dict) and isinstance(node.get("Event"), dict):
            return path + ("Event",), node["Event"]
        if isinstance(node, dict) and ("info" in node or "Attribute" in node or "Object" in node):
            return path, node
        raise PayloadError('not a MISP event: expected {"Event": {...}}, an event, or {"response": [...]}',
                           _where(path) if path else "")
    if isinstance(doc, dict) and ("Event" in doc or "response" in doc) and len(doc) > 1:
        raise PayloadError("the MISP document has more than one top-level part ("
                           + ", ".join(repr(k) for k in doc) + "): send one event, "
                           '{"Event": {...}}, or {"response": [...]}', "(the document)")
    if isinstance(doc, dict) and "response" in doc:
        resp = doc["response"]
        entries = [(("response", i), e) for i, e in enumerate(resp)] if isinstance(resp, list) else [(("response",), resp)]
    elif isinstance(doc, list):
        entries = [((i,), e) for i, e in enumerate(doc)]
    else:
        entries = [((), doc)]
    if not entries:
        raise PayloadError("the MISP response holds no events")
    return [one(node, path) for path, node in entries]


def read_misp(raw):
    """MISP event(s) (JSON text, or already parsed) read into items. Raises PayloadError naming the
    path of the part and the property. The cyclic collector is paused meanwhile (`collector`)."""
    with collector.paused():
        return _read_misp(raw)


def _read_misp(raw: bytes | str | dict | list) -> Payload:
    """The work of `read_misp`."""
    doc = parse_json(raw, "MISP event")
    reader = _Reader()
    keys = [reader.event(path, ev) for path, ev in _events(doc)]
    seen: dict[str, int] = {}
    for item in reader.items:                 # a uuid given twice: keep both, tell them apart
        n = seen.get(item.key, 0)
        seen[item.key] = n + 1
        if n:
            item.key = f"{item.key}#{n + 1}"
    if not any(it.carries for it in reader.items):
        raise PayloadError("the MISP event has no attributes or other data")
    return Payload("misp", doc, reader.items, keys, sha256_of(doc), events=keys)
