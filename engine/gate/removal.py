"""The removal set, closed over references, and the stripped payload.

`plan(payload, keys)` takes the objects that must go and adds what cannot stay without them:

STIX (STIX 2.1 §3.1 identifiers, §5 relationships and sightings, §4.13 report, §4.9 grouping,
§4.11 note, §4.12 opinion, §4.14 observed-data): every reference property (`*_ref`, `*_refs`, also
inside extensions) that points at an id none of whose versions stays is mended. A required single
reference that dangles takes its object with it (`relationship.source_ref`/`target_ref`,
`sighting.sighting_of_ref`, `language-content.object_ref`): the object is *removed*. A list loses the
entries (`object_refs`, `where_sighted_refs`, `observed_data_refs`, …): the object is *edited*; a
required list left empty (`object_refs` of reports, groupings, notes, opinions, observed-data) takes
its object with it. An optional single reference (`created_by_ref`, `sample_ref`, `from_ref` …) is
dropped: *edited*. Edited objects keep their id and `modified`: the stripped bundle is what this
recipient may see, not a new version by the objects' creators. One version of an object going does
not take a clean newer version with the same id: references to that id stay. Marking and extension
definitions are never stripped (objects would lose or change their markings).

MISP: an object whose attributes all go goes too; what sits inside a part that goes (proposals,
notes, clusters) goes with it; `ObjectReference`s to a part that goes are dropped (the object is
edited); an analyst note, opinion or relationship about a part that goes (`object_uuid`,
`related_object_uuid`) goes, wherever it sits; a proposal (`ShadowAttribute`) whose `old_uuid` names
a part that goes goes; a galaxy cluster that goes takes the
`misp-galaxy:` tag that names it. The event itself is never stripped.

`strip(doc, drop)` copies only the containers it changes; the rest of the document is shared.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .items import Item, Payload
from .stix_types import REQUIRED_REF_LISTS, REQUIRED_REFS


@dataclass
class Plan:
    """remove: the keys asked for; dependents: [{"id", "action": removed|edited, "properties",
    "because"}]; gone: every key that goes (asked for and dependent); drop: document paths to delete."""

    remove: list[str]
    dependents: list[dict] = field(default_factory=list)
    gone: set[str] = field(default_factory=set)
    drop: set[tuple] = field(default_factory=set)


def plan(payload: Payload, keys: list[str]) -> Plan:
    """The removal set `keys` closed over references (see the module docstring)."""
    if payload.format == "stix":
        return _plan_stix(payload, keys)
    return _plan_misp(payload, keys)


_NOT_REFS = frozenset({"object_marking_refs", "granular_markings", "external_references", "kill_chain_phases",
                       "hashes", "objects"})   # observed-data's embedded objects refer to each other by key


def _refs(node: dict, path: tuple, out: list | None = None) -> list[tuple[tuple, str, bool]]:
    """(path, target id, is a list entry) of every reference in a STIX object, markings excepted."""
    if out is None:
        out = []
    kinds = _REF_KINDS
    for k, v in node.items():
        kind = kinds.get(k)
        if kind is None:
            kind = _ref_kind(k)
        if kind == _PLAIN:
            if type(v) is dict:
                _refs(v, path + (k,), out)
            elif type(v) is list and v and type(v[0]) is dict:
                for i, x in enumerate(v):
                    if isinstance(x, dict):
                        _refs(x, path + (k, i), out)
        elif kind == _ONE:
            if isinstance(v, str):
                out.append((path + (k,), v, False))
        elif kind == _LIST:
            if isinstance(v, list):
                out.extend((path + (k, i), r, True) for i, r in enumerate(v) if isinstance(r, str))
    return out


_SKIP, _ONE, _LIST, _PLAIN = 0, 1, 2, 3
_REF_KINDS: dict[str, int] = {}


def _ref_kind(k: str) -> int:
    """What `_refs` does with a property of this name (cached per name): skip it (`_NOT_REFS`), take
    its value as one reference (`*_ref`) or a list of them (`*_refs`), or look inside it."""
    kind = _SKIP if k in _NOT_REFS else _ONE if k.endswith("_ref") else _LIST if k.endswith("_refs") else _PLAIN
    if len(_REF_KINDS) > 50_000:
        _REF_KINDS.clear()
    _REF_KINDS[k] = kind
    return kind


def _prop_text(path: tuple, base: int) -> str:
    out = ""
    for p in path[base:]:
        out += f"[{p}]" if isinstance(p, int) else (f".{p}" if out else str(p))
    return out


def _plan_stix(payload: Payload, keys: list[str]) -> Plan:
    objects = payload.doc["objects"]
    items = payload.items
    order = {it.key: n for n, it in enumerate(items)}
    versions: dict[str, list[str]] = {}
    for it in items:
        versions.setdefault(it.id, []).append(it.key)
    referrers: dict[str, list[tuple[Item, tuple, bool]]] = {}     # target id -> who refers to it, where
    for it in items:
        if not it.path:
            continue                       # the bundle's own properties (`bundle_props`): no references
        for path, target, in_list in _refs(objects[it.path[1]], it.path):
            referrers.setdefault(target, []).append((it, path, in_list))
    lists: dict[tuple, int] = {}           # list path -> number of references in it, counted when asked

    def entries(list_path: tuple) -> int:
        got = lists.get(list_path)
        if got is None:
            node = payload.doc
            for step in list_path:
                node = node[step]
            got = lists[list_path] = sum(1 for r in node if isinstance(r, str))
        return got

    result = Plan(remove=list(keys), gone=set(keys))
    edits: dict[str, dict[str, str]] = {}
    removed_because: dict[str, str] = {}
    dropped_entries: dict[tuple, int] = {}
    # ids every version of which is removed (only the removed keys' ids can be)
    queue = [i for i in dict.fromkeys(items[order[k]].id for k in keys if k in order)
             if all(k in result.gone for k in versions[i])]
    done: set[str] = set()
    while queue:
        target = queue.pop()
        if target in done:
            continue
        done.add(target)
        for it, path, in_list in referrers.get(target, ()):
            if it.key in result.gone:
                continue
            kind = objects[it.path[1]].get("type")
            top = path[2]
            if not in_list and len(path) == 3 and top in REQUIRED_REFS.get(kind, ()):
                gone_now = f"its {top} refers to {target}, which is removed"
            elif in_list:
                result.drop.add(path)
                edits.setdefault(it.key, {})[_prop_text(path[:-1], 2)] = target
                list_path = path[:-1]
                dropped_entries[list_path] = dropped_entries.get(list_path, 0) + 1
                if dropped_entries[list_path] < entries(list_path):
                    continue
                if len(list_path) == 3 and top in REQUIRED_REF_LISTS.get(kind, ()):
                    gone_now = f"every entry of its {top} is removed"
                else:
                    result.drop.add(list_path)            # an optional list left empty goes altogether
                    continue
            else:
                result.drop.add(path)
                edits.setdefault(it.key, {})[_prop_text(path, 2)] = target
                continue
            result.gone.add(it.key)
            removed_because[it.key] = gone_now
            if all(k in result.gone for k in versions[it.id]):
                queue.append(it.id)
    for key in result.gone:
        result.drop.add(items[order[key]].path)
    for key in sorted(result.gone - set(keys), key=order.__getitem__):
        result.dependents.append({"id": key, "action": "removed", "properties": [],
                                  "because": removed_because.get(key, "")})
    for key, props in sorted(edits.items(), key=lambda kv: order[kv[0]]):
        if key not in result.gone:
            result.dependents.append({"id": key, "action": "edited", "properties": sorted(props),
                                      "because": "references to removed objects dropped: "
                                                 + ", ".join(sorted(set(props.values())))})
    return result


# MISP parts that point at another part by uuid and cannot stay without it: analyst data
# (`object_uuid`: what a note or opinion is about; `related_object_uuid`: a relationship's other end)
# and proposals (`old_uuid`: the attribute a ShadowAttribute proposes to change)
_MISP_POINTERS = {"analyst-relationship": ("related_object_uuid", "object_uuid"),
                  "analyst-note": ("object_uuid",), "analyst-opinion": ("object_uuid",)}


def _node(doc: Any, path: tuple) -> Any:
    for p in path:
        doc = doc[p]
    return doc


def _plan_misp(payload: Payload, keys: list[str]) -> Plan:
    items = payload.items
    by_key = {it.key: it for it in items}
    children: dict[str, list[Item]] = {}
    for it in items:
        if it.parent is not None and it.parent != it.event:
            children.setdefault(it.parent, []).append(it)
    result = Plan(remove=list(keys), gone=set(keys))
    because: dict[str, str] = {}
    edits: dict[str, set[str]] = {}
    changed = True
    while changed:
        changed = False
        for it in items:
            if it.key in result.gone:
                continue
            if it.parent in result.gone and it.parent != it.event:
                result.gone.add(it.key)
                because[it.key] = f"it sits inside {it.parent}, which is removed"
                changed = True
                continue
            if it.type.startswith("object "):
                attrs = [c for c in children.get(it.key, []) if c.path[-2] == "Attribute"]
                if attrs and all(c.key in result.gone for c in attrs):
                    result.gone.add(it.key)
                    because[it.key] = "every attribute of the object is removed"
                    changed = True
            pointers = _MISP_POINTERS.get(it.type) or (("old_uuid",) if "(proposal)" in it.type else ())
            if pointers:
                node = _node(payload.doc, it.path)
                gone_uuids = {by_key[k].uuid for k in result.gone if by_key[k].uuid}
                target = next((node.get(p) for p in pointers if node.get(p) in gone_uuids), None)
                if target is not None:
                    result.gone.add(it.key)
                    because[it.key] = f"it {'relates to' if it.type == 'analyst-relationship' else 'is about'} " \
                                      f"{target}, which is removed"
                    changed = True
    gone_uuids = {by_key[k].uuid for k in result.gone if by_key[k].uuid}
    for it in items:
        if it.key in result.gone:
            result.drop.add(it.path)
            continue
        if it.type.startswith("object "):
            node = _node(payload.doc, it.path)
            for j, ref in enumerate(node.get("ObjectReference") or ()):
                if isinstance(ref, dict) and ref.get("referenced_uuid") in gone_uuids:
                    result.drop.add(it.path + ("ObjectReference", j))
                    edits.setdefault(it.key, set()).add(f"ObjectReference[{j}]")
    for key in result.gone:
        it = by_key[key]
        if it.type.startswith("galaxy-cluster"):
            cluster = _node(payload.doc, it.path)
            galaxy_path = it.path[:-2]
            galaxy = _node(payload.doc, galaxy_path)
            if all(galaxy_path + ("GalaxyCluster", j) in result.drop
                   for j in range(len(galaxy.get("GalaxyCluster") or ()))):
                result.drop.add(galaxy_path)
            holder_path = galaxy_path[:-2]
            holder = _node(payload.doc, holder_path)
            for j, tag in enumerate(holder.get("Tag") or ()):
                if isinstance(tag, dict) and tag.get("name") == cluster.get("tag_name"):
                    result.drop.add(holder_path + ("Tag", j))
                    owner = next((x.key for x in items if x.path == holder_path), payload.events[0])
                    edits.setdefault(owner, set()).add(f"Tag[{j}]")
    order = {it.key: i for i, it in enumerate(items)}
    for key in sorted(result.gone - set(keys), key=order.__getitem__):
        result.dependents.append({"id": key, "action": "removed", "properties": [], "because": because.get(key, "")})
    for key, props in edits.items():
        if key not in result.gone:
            result.dependents.append({"id": key, "action": "edited", "properties": sorted(props),
                                      "because": "references to removed parts dropped"})
    return result


def strip(doc: Any, drop: set[tuple]) -> Any:
    """The document without the parts at the paths in `drop`; containers on the way to a dropped
    part are copied, everything else is shared with `doc` (do not change either afterwards)."""
    on_the_way = {p[:i] for p in drop for i in range(len(p))}

    def rebuild(node: Any, path: tuple) -> Any:
        if path not in on_the_way:
            return node
        if isinstance(node, dict):
            return {k: rebuild(v, path + (k,)) for k, v in node.items() if path + (k,) not in drop}
        if isinstance(node, list):
            return [rebuild(v, path + (i,)) for i, v in enumerate(node) if path + (i,) not in drop]
        return node

    return rebuild(doc, ())
