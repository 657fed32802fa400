"""Reading MISP events into the gate's items: every part an event carries (MISP core format,
draft-dulaunoy-misp-core-format; analyst data of MISP 2.5).

Accepted: `{"Event": {…}}`, a bare event, `{"response": [{"Event": …}, …]}` (several events are
gated together, and each is also answered for on its own), or a list of those.

Items: the event itself (its `info`, organisations, related events and tags are read; it cannot be
stripped), `event_creator_email`, every attribute at event level and inside objects, every proposal
(`ShadowAttribute`) at every level, every object, every event report, every analyst note, opinion and
relationship at every level, and every galaxy cluster. Attributes and other parts without a uuid are
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

import re
from typing import Any

from . import collector, markings
from .items import PERSONAL, POSSIBLE, RESTRICTED, UNKNOWN, Finding, Item, Payload, PayloadError, strictest
from .misp_types import (DISTRIBUTION, PERSONAL_CATEGORIES, PERSONAL_RELATIONS, PERSONAL_TEMPLATES,
                         POSSIBLE_TYPES, RESTRICTED_DISTRIBUTION, TYPES)
from .person_names import may_name_a_person
from .personal_text import scan
from .stix_read import parse_json, sha256_of

_GALAXY_TAG = re.compile(r'^misp-galaxy:([a-z0-9-]+)="(.*)"$', re.S)
_EVENT_STRUCTURAL = {"id", "uuid", "date", "timestamp", "publish_timestamp", "threat_level_id", "analysis",
                     "distribution", "sharing_group_id", "org_id", "orgc_id", "published", "attribute_count",
                     "proposal_email_lock", "locked", "disable_correlation", "extends_uuid", "protected",
                     "sighting_timestamp", "event_creator_email", "local", "user_id"}
_NESTED = ("Attribute", "Object", "ShadowAttribute", "EventReport", "Galaxy", "Note", "Opinion",
           "Relationship", "Tag", "Org", "Orgc", "RelatedEvent", "Sighting", "ObjectReference",
           "SharingGroup", "CryptographicKey", "EventTag", "AttributeTag")


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


def _where(path: tuple) -> str:
    out = ""
    for p in path:
        out += f"[{p}]" if isinstance(p, int) else (f".{p}" if out else str(p))
    return out or "(the event)"


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
            if not isinstance(v, dict):
                raise PayloadError(f"not an object ({_json_type(v)})", _where(path + (key, i)))
            out.append((path + (key, i), v))
        return out

    @staticmethod
    def _distribution(node: dict, path: tuple, event_level: bool = False) -> int | None:
        value = node.get("distribution")
        if value is None or value == "":
            return None
        if isinstance(value, bool) or not isinstance(value, (int, str)) or not str(value).strip().isdigit() \
                or int(value) not in DISTRIBUTION:
            raise PayloadError(f"{value!r} is not a MISP distribution level (0 to 5)", _where(path + ("distribution",)))
        level = int(value)
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
        for k, v in ev.items():
            if k in _EVENT_STRUCTURAL or k in _NESTED:
                continue
            if isinstance(v, str):
                self._text(item, k, v)
        for k in ("Org", "Orgc"):
            org = ev.get(k)
            if isinstance(org, dict):
                for name, v in org.items():
                    if isinstance(v, str) and name not in ("id", "uuid", "local", "date_created", "date_modified"):
                        self._text(item, f"{k}.{name}", v)
        for p, rel in self._list(ev, "RelatedEvent", path):
            inner = rel.get("Event") if isinstance(rel.get("Event"), dict) else rel
            if isinstance(inner.get("info"), str):
                self._text(item, _where(p[len(path):] + ("info",)), inner["info"])
        self._tag_text(item, ev, path, path)
        self.items.append(item)
        chain = (tlp, level)
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

    def _text(self, item: Item, prop: str, value: str) -> None:
        for f in scan(value):
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
        if kind == "threat-actor" and may_name_a_person(str(value)):
            item.add(Finding(POSSIBLE, "value", "a threat actor named like a person"))
        self._text(item, "value", str(value))
        if isinstance(a.get("comment"), str):
            self._text(item, "comment", a["comment"])
        self._tag_text(item, a, path, path)
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
        for k in ("comment", "description"):
            if isinstance(o.get(k), str):
                self._text(item, k, o[k])
        self._tag_text(item, o, path, path)
        for p, ref in self._list(o, "ObjectReference", path):
            if isinstance(ref.get("comment"), str):
                self._text(item, _where(p[len(path):] + ("comment",)), ref["comment"])
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
            if isinstance(r.get(k), str):
                self._text(item, k, r[k])
        self.items.append(item)
        self._analyst(r, path, event, item.key, inner)

    def _galaxies(self, node: dict, path: tuple, event: str, parent: str, chain: tuple) -> None:
        for gp, galaxy in self._list(node, "Galaxy", path):
            gtype = galaxy.get("type") if isinstance(galaxy.get("type"), str) else "galaxy"
            for cp, cluster in self._list(galaxy, "GalaxyCluster", gp):
                uuid = self._uuid(cluster, cp)
                item = Item(key=uuid or _where(cp), id=uuid or _where(cp), type=f"galaxy-cluster {gtype}",
                            path=cp, event=event, parent=parent, uuid=uuid, categories={"ttp_description"})
                item.tlp = chain[0]
                self._restricted(item, chain[1], "distribution (inherited)")
                self._strings(item, cluster, "", skip={"uuid", "id", "type", "collection_uuid", "galaxy_id",
                                                       "source", "authors", "version", "tag_name", "default",
                                                       "locked", "extends_uuid", "extends_version", "published",
                                                       "deleted", "distribution", "sharing_group_id", "org_id",
                                                       "orgc_id", "tag_id", "local", "relationship_type"})
                if gtype in ("threat-actor", "ransomware-group") or "actor" in gtype:
                    names = [("value", cluster.get("value"))]
                    meta = cluster.get("meta") if isinstance(cluster.get("meta"), dict) else {}
                    names += [(f"meta.synonyms[{i}]", s) for i, s in enumerate(meta.get("synonyms") or ())
                              if isinstance(meta.get("synonyms"), list)]
                    for prop, n in names:
                        if may_name_a_person(n):
                            item.add(Finding(POSSIBLE, prop, "a threat actor named like a person"))
                self.items.append(item)

    def _analyst(self, node: dict, path: tuple, event: str, parent: str, chain: tuple) -> None:
        for kind, text_keys in (("Note", ("note",)), ("Opinion", ("comment",)), ("Relationship", ())):
            for p, n in self._list(node, kind, path):
                uuid = self._uuid(n, p)
                item = Item(key=uuid or _where(p), id=uuid or _where(p), type=f"analyst-{kind.lower()}",
                            path=p, event=event, parent=parent, uuid=uuid)
                inner = self._chain(n, p, chain, item)
                for k in text_keys:
                    if isinstance(n.get(k), str):
                        self._text(item, k, n[k])
                authors = n.get("authors")
                if isinstance(authors, str) and authors.strip() or isinstance(authors, list) and any(authors):
                    item.add(Finding(PERSONAL, "authors", "the names or addresses of the authors (persons)",
                                     ("personal_data",)))
                self.items.append(item)
                self._analyst(n, p, event, item.key, inner)

    def _strings(self, item: Item, node: Any, prop: str, skip: set) -> None:
        if isinstance(node, dict):
            for k, v in node.items():
                if k in skip and not prop:
                    continue
                self._strings(item, v, f"{prop}.{k}" if prop else str(k), skip)
        elif isinstance(node, list):
            for i, v in enumerate(node):
                self._strings(item, v, f"{prop}[{i}]", skip)
        elif isinstance(node, str):
            self._text(item, prop, node)


def _events(doc: Any) -> list[tuple[tuple, dict]]:
    def one(node: Any, path: tuple) -> tuple[tuple, dict]:
        if isinstance(node, dict) and isinstance(node.get("Event"), dict):
            return path + ("Event",), node["Event"]
        if isinstance(node, dict) and ("info" in node or "Attribute" in node or "Object" in node):
            return path, node
        raise PayloadError('not a MISP event: expected {"Event": {...}}, an event, or {"response": [...]}',
                           _where(path) if path else "")
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
