"""The gate for exchange tooling: a STIX 2.1 bundle or a MISP event, plus an envelope (a provision
without what the payload says), decided as a whole and per object.

From the payload come the data categories (object types, indicator patterns, MISP attribute types
and categories), the TLP (STIX TLP 1.0 and 2.0 markings, MISP `tlp:` tags), the volume (data objects)
and personal data (email addresses, user accounts, individuals, MISP person attributes), which never
yields to a lower self-declaration in the envelope. Every data object is also decided on its own
(the envelope with that object alone); with rules that never loosen when data are added, an object
that is not allowed alone is not allowed in any company, so removing exactly those is the smallest
removal, if what remains is allowed.

Fail closed: an unparsable payload is an error; unknown object types escalate, naming them; a
payload that contradicts its envelope is denied; TLP:RED to a private party escalates.
"""

from __future__ import annotations

import copy
import json
import re
from dataclasses import dataclass, field
from typing import Any

import orjson

from . import stix_schema
from wivcheck.policy import ROLE_RANK
from wivcheck.policy.errors import WivcheckError

from ..decision import Decision
from ..errors import ProvisionError
from ..evaluate import Engine
from ..load import provision_from_data

TLP_ORDER = ["CLEAR", "GREEN", "AMBER", "AMBER+STRICT", "RED"]
ENVELOPE_DATA = {"classification", "origin", "originator_consent", "reliability_indicated",
                 "onward_provision_barred", "personal_data", "special_categories",
                 "special_categories_supplementary", "personal_data_oldest", "personal_data_verifiable",
                 "tlp", "categories", "volume"}

# STIX TLP 1.0 marking definitions (stix2.TLP_WHITE and friends)
_TLP1 = {"marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9": "CLEAR",
         "marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da": "GREEN",
         "marking-definition--f88d31f6-486f-44da-b317-01333bde0b82": "AMBER",
         "marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed": "RED"}
# TLP 2.0 (FIRST's STIX extension). The stix2 library parses these marking definitions but has no
# notion of TLP 2.0 (no constants, no interpretation of the extension), so they are read here.
_TLP2_EXTENSION = "extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d"
_TLP2 = {"marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487": "CLEAR",
         "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb": "GREEN",
         "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421": "AMBER",
         "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003": "AMBER+STRICT",
         "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1": "RED"}

_STIX_CATEGORIES = {
    "domain-name": ("domain_names",), "ipv4-addr": ("ip_addresses",), "ipv6-addr": ("ip_addresses",),
    "network-traffic": ("ip_addresses",), "url": ("urls",), "file": ("file_hashes",),
    "artifact": ("malware_sample",), "malware": ("malware_analysis",), "malware-analysis": ("malware_analysis",),
    "vulnerability": ("vulnerability",), "attack-pattern": ("ttp_description",),
    "infrastructure": ("ttp_description",), "intrusion-set": ("ttp_description",),
    "campaign": ("ttp_description",), "threat-actor": ("ttp_description",), "tool": ("ttp_description",),
    "course-of-action": ("ttp_description",),
    "email-addr": ("email_addresses",), "user-account": ("account_names",),
}
_STIX_PERSONAL = {"email-addr", "user-account"}
_STIX_METADATA = {"marking-definition", "extension-definition", "relationship", "sighting", "report", "grouping",
                  "note", "opinion", "language-content", "location", "observed-data", "identity", "indicator"}
_PATTERN_TYPES = re.compile(r"\[\s*([a-z0-9-]+):")

_MISP_TYPES = {
    "domain": "domain_names", "hostname": "domain_names", "domain|ip": "domain_names",
    "ip-src": "ip_addresses", "ip-dst": "ip_addresses", "ip-src|port": "ip_addresses", "ip-dst|port": "ip_addresses",
    "AS": "ip_addresses", "url": "urls", "uri": "urls", "link": "urls",
    "md5": "file_hashes", "sha1": "file_hashes", "sha256": "file_hashes", "sha512": "file_hashes",
    "ssdeep": "file_hashes", "imphash": "file_hashes", "tlsh": "file_hashes", "filename": "file_hashes",
    "filename|md5": "file_hashes", "filename|sha1": "file_hashes", "filename|sha256": "file_hashes",
    "malware-sample": "malware_sample", "attachment": "malware_sample", "malware-type": "malware_analysis",
    "vulnerability": "vulnerability", "weakness": "vulnerability",
    "text": "ttp_description", "comment": "ttp_description", "other": "ttp_description",
    "email": "email_addresses", "email-src": "email_addresses", "email-dst": "email_addresses",
    "target-email": "email_addresses", "whois-registrant-email": "email_addresses",
    "target-user": "account_names", "github-username": "account_names", "twitter-id": "account_names",
    "jabber-id": "account_names", "target-machine": "account_names",
    "first-name": "personal_data", "last-name": "personal_data", "full-name": "personal_data",
    "phone-number": "personal_data", "passport-number": "personal_data", "date-of-birth": "personal_data",
    "whois-registrant-name": "personal_data", "whois-registrant-phone": "personal_data",
}
_MISP_PERSONAL_CATEGORIES = {"Person", "Social network", "Targeting data"}
_PERSONAL_CATEGORIES = {"email_addresses", "account_names", "personal_data"}


class PayloadError(WivcheckError):
    """The payload cannot be read: there is no decision."""

    code = "invalid_payload"
    http_status = 422


@dataclass
class Item:
    """One object of the payload, as the gate sees it."""

    id: str
    type: str
    categories: set[str] = field(default_factory=set)
    tlp: str | None = None
    personal: bool = False
    unknown: bool = False

    @property
    def data(self) -> bool:
        return bool(self.categories) or self.unknown


# -- reading the formats ------------------------------------------------------------------------

def _strictest(levels) -> str | None:
    levels = [x for x in levels if x]
    return max(levels, key=TLP_ORDER.index) if levels else None


def stix_items(raw: bytes | str) -> list[Item]:
    try:
        doc = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise PayloadError(f"the STIX bundle is not JSON: {exc}") from None
    if not isinstance(doc, dict) or doc.get("type") != "bundle" or not isinstance(doc.get("objects"), list):
        raise PayloadError("not a STIX 2.1 bundle (type bundle with a list of objects)")
    bad = [(i, why) for i, obj in enumerate(doc["objects"]) if (why := stix_schema.problem(obj))]
    if bad:
        i, error = bad[0]
        obj = doc["objects"][i]
        ident = obj.get("id", f"objects[{i}]") if isinstance(obj, dict) else f"objects[{i}]"
        raise PayloadError(f"STIX object {ident} is not valid: {error}"
                           + (f" (and {len(bad) - 1} more)" if len(bad) > 1 else ""))
    markings: dict[str, str] = dict(_TLP1) | dict(_TLP2)
    for obj in doc["objects"]:
        if obj.get("type") == "marking-definition":
            ext = (obj.get("extensions") or {}).get(_TLP2_EXTENSION) or {}
            level = str(ext.get("tlp_2_0", "")).upper() or None
            if level is None and obj.get("definition_type") == "tlp":
                level = str((obj.get("definition") or {}).get("tlp", "")).upper().replace("WHITE", "CLEAR") or None
            if level in TLP_ORDER:
                markings[obj["id"]] = level
    items = []
    for obj in doc["objects"]:
        kind = obj["type"]
        refs = obj.get("object_marking_refs") or []
        unknown_refs = [r for r in refs if r not in markings and r.startswith("marking-definition--")]
        tlp = _strictest(markings.get(r) for r in refs)
        item = Item(id=obj["id"], type=kind, tlp=tlp)
        if unknown_refs and tlp is None:
            item.unknown, item.type = True, f"{kind} (marking {unknown_refs[0]} is not a TLP marking in the bundle)"
        if kind == "indicator":
            seen_types = _PATTERN_TYPES.findall(str(obj.get("pattern", "")))
            if not seen_types or obj.get("pattern_type") != "stix":
                item.unknown, item.type = True, f"indicator with a {obj.get('pattern_type')} pattern the gate cannot read"
            for seen in seen_types:
                if seen in _STIX_CATEGORIES:
                    item.categories.update(_STIX_CATEGORIES[seen])
                    item.personal |= seen in _STIX_PERSONAL
                else:
                    item.unknown, item.type = True, f"indicator pattern on {seen}"
        elif kind == "identity" and obj.get("identity_class") == "individual":
            item.categories.add("personal_data")
            item.personal = True
        elif kind in _STIX_CATEGORIES:
            item.categories.update(_STIX_CATEGORIES[kind])
            item.personal = kind in _STIX_PERSONAL
        elif kind not in _STIX_METADATA:
            item.unknown = True
        items.append(item)
    return items


def misp_items(raw: bytes | str) -> list[Item]:
    from pymisp import MISPEvent
    try:
        doc = json.loads(raw)
    except ValueError as exc:
        raise PayloadError(f"the MISP event is not JSON: {exc}") from None
    event = MISPEvent()
    try:
        event.load(doc)
    except Exception as exc:  # pymisp raises its own and plain errors for malformed events
        raise PayloadError(f"not a MISP event: {exc}") from None
    def tlp_of(tags) -> str | None:
        levels = []
        for t in tags or []:
            name = (getattr(t, "name", None) or "").lower()
            if name.startswith("tlp:"):
                level = name[4:].upper().replace("WHITE", "CLEAR")
                levels.append(level if level in TLP_ORDER else "RED")  # an unknown tlp tag: the strictest
        return _strictest(levels)
    event_tlp = tlp_of(event.tags)
    attributes = list(event.attributes)
    for obj in event.objects:
        attributes += list(obj.attributes)
    items = []
    for a in attributes:
        kind = a.type
        item = Item(id=str(a.uuid), type=kind, tlp=_strictest([tlp_of(a.tags), event_tlp]))
        if kind in _MISP_TYPES:
            item.categories.add(_MISP_TYPES[kind])
        else:
            item.unknown = True
        if a.category in _MISP_PERSONAL_CATEGORIES:
            item.categories.add("personal_data")
        item.personal = bool(item.categories & _PERSONAL_CATEGORIES)
        items.append(item)
    if not items:
        raise PayloadError("the MISP event has no attributes")
    return items


# -- deciding -----------------------------------------------------------------------------------

@dataclass
class ObjectResult:
    id: str
    type: str
    decision: str            # allow | deny | escalate | metadata
    reasons: list[str]       # qualified ids of the rules (or gate checks) it opens


@dataclass
class GateResult:
    decision: Decision
    objects: list[ObjectResult]
    remove: list[str] | None             # the smallest set of object ids to remove, if the rest is allowed
    remove_note: str
    provision: Any


def _gate_reason(rule: str, outcome: str, nl: str, en: str, escalate_to: str | None = None,
                 facts: dict | None = None) -> dict:
    return {"rule": rule, "title": {"nl": nl.split(":")[0], "en": en.split(":")[0]}, "outcome": outcome,
            "status": "violated", "cites": ["Art. 18(2) Wiv 2017"], "basis": "policy",
            "message": {"nl": nl, "en": en},
            "fix": {"nl": "Haal de genoemde objecten uit de payload of leg voor.",
                    "en": "Remove the objects named from the payload, or escalate."},
            "facts": facts or {}, "missing_facts": [], "escalate_to": escalate_to}


def _provision(envelope: dict, items: list[Item], default_tlp: str | None) -> dict:
    data = copy.deepcopy(envelope)
    d = data.setdefault("data", {})
    categories = sorted({c for it in items for c in it.categories}) or ["ttp_description"]
    d["categories"] = categories
    d["tlp"] = _strictest([it.tlp or default_tlp for it in items])
    d["volume"] = max(1, sum(1 for it in items if it.data))
    if any(it.personal for it in items):
        d["personal_data"] = True   # the payload's evidence wins over a lower self-declaration
    d.setdefault("personal_data", False)
    d.setdefault("special_categories", False)
    return data


def gate(engine: Engine, envelope: dict, items: list[Item], rulesets=()) -> GateResult:
    if not isinstance(envelope, dict):
        raise ProvisionError(["the envelope is a provision without the data the payload carries"], "envelope")
    extra = set((envelope.get("data") or {})) - ENVELOPE_DATA
    if extra:
        raise ProvisionError([f"data.{k}: not part of an envelope" for k in sorted(extra)], "envelope")
    declared = envelope.get("data") or {}
    default_tlp = declared.get("tlp")
    data_items = [it for it in items if it.data]
    if not data_items:
        raise PayloadError("the payload holds no data objects, only metadata")
    if any(it.tlp is None for it in data_items) and default_tlp is None:
        raise PayloadError("objects without a TLP marking and no data.tlp in the envelope: "
                           + ", ".join(it.id for it in data_items if it.tlp is None)[:300])
    env = copy.deepcopy(envelope)
    env.setdefault("data", {})
    for k in ("categories", "volume", "tlp"):
        env["data"].pop(k, None)
    whole = _provision(env, data_items, default_tlp)
    provision = provision_from_data(whole, source="gate")
    decision = engine.decide(provision, rulesets=rulesets)

    gate_reasons = []
    unknown = [it for it in data_items if it.unknown]
    if unknown:
        types = sorted({it.type for it in unknown})
        gate_reasons.append(_gate_reason(
            "gate.unknown-object-type", "escalate",
            f"Onbekende objecttypen in de payload: {', '.join(types)}; een mens beoordeelt ze.",
            f"Unknown object types in the payload: {', '.join(types)}; a person judges them.",
            "teamleider", {"types": types}))
    contradictions = []
    if "categories" in declared and sorted(declared["categories"]) != whole["data"]["categories"]:
        contradictions.append(f"categories {sorted(declared['categories'])} vs {whole['data']['categories']}")
    if "volume" in declared and declared["volume"] != whole["data"]["volume"]:
        contradictions.append(f"volume {declared['volume']} vs {whole['data']['volume']}")
    if default_tlp and all(it.tlp for it in data_items) and TLP_ORDER.index(whole["data"]["tlp"]) > TLP_ORDER.index(default_tlp):
        contradictions.append(f"tlp {default_tlp} vs {whole['data']['tlp']} in the markings")
    if contradictions:
        gate_reasons.append(_gate_reason(
            "gate.envelope-contradiction", "deny",
            "De payload spreekt de envelop tegen: " + "; ".join(contradictions) + ".",
            "The payload contradicts its envelope: " + "; ".join(contradictions) + ".",
            facts={"contradictions": contradictions}))
    red = [it for it in data_items if (it.tlp or default_tlp) == "RED"]
    if red and provision.recipient.kind == "private_party":
        gate_reasons.append(_gate_reason(
            "gate.tlp-red-private", "escalate",
            f"{len(red)} object(en) met TLP:RED gaan naar een private partij; het diensthoofd beslist.",
            f"{len(red)} object(s) marked TLP:RED go to a private party; the head of service decides.",
            "diensthoofd", {"objects": [it.id for it in red][:20]}))
    decision = _with(decision, gate_reasons)

    objects, blocking = [], []
    # objects alike in what the gate reads of them get the same single-object decision: decide once
    seen: dict[tuple, tuple[str, list[str]]] = {}
    for it in items:
        if not it.data:
            objects.append(ObjectResult(it.id, it.type, "metadata", []))
            continue
        key = (tuple(sorted(it.categories)), it.tlp or default_tlp, it.personal)
        if key not in seen:
            single = provision_from_data(_provision(env, [it], default_tlp), source=f"gate object {it.id}")
            d = engine.decide(single, rulesets=rulesets)
            seen[key] = (d.decision, [r.rule for r in d.reasons])
        outcome, opened = seen[key][0], list(seen[key][1])
        if it.unknown:
            opened.append("gate.unknown-object-type")
            outcome = "deny" if outcome == "deny" else "escalate"
        if (it.tlp or default_tlp) == "RED" and provision.recipient.kind == "private_party":
            opened.append("gate.tlp-red-private")
            outcome = "deny" if outcome == "deny" else "escalate"
        objects.append(ObjectResult(it.id, it.type, outcome, opened))
        if outcome != "allow":
            blocking.append(it)

    remove, note = None, ""
    if decision.decision == "allow":
        remove, note = [], "nothing to remove"
    elif contradictions:
        note = "the envelope contradicts the payload; removing objects does not mend that"
    else:
        blocked = {id(it) for it in blocking}
        rest = [it for it in data_items if id(it) not in blocked]
        if not rest:
            note = "no object is allowed on its own"
        else:
            rest_prov = provision_from_data(_provision(env, rest, default_tlp), source="gate rest")
            rest_decision = engine.decide(rest_prov, rulesets=rulesets)
            if rest_decision.decision == "allow":
                remove = [it.id for it in blocking]
                note = "remove these objects and the rest is allowed"
            else:
                note = ("the rest is not allowed either (" + ", ".join(r.rule for r in rest_decision.reasons)
                        + "): the envelope itself or the objects together are the problem")
    return GateResult(decision, objects, remove, note, provision)


def _with(decision: Decision, extra: list[dict]) -> Decision:
    if not extra:
        return decision
    from ..decision import Reason
    reasons = [Reason.model_validate(r) for r in extra] + list(decision.reasons)
    outcomes = {r.outcome for r in reasons}
    outcome = "deny" if "deny" in outcomes else ("escalate" if "escalate" in outcomes else "allow")
    roles = sorted({r.escalate_to for r in reasons if r.outcome == "escalate" and r.escalate_to},
                   key=ROLE_RANK.__getitem__) if outcome == "escalate" else []
    return decision.model_copy(update={"reasons": reasons, "decision": outcome, "escalate_to": roles})
