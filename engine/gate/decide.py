"""Deciding a read payload with its envelope: whole, per object, per MISP event, and stripped.

The envelope is a provision whose `data` holds only what the payload cannot say (it may declare
`tlp`, used for objects without a TLP marking, and `categories` and `volume`, which the payload must
not exceed). From the items come `data.categories` (every object's), `data.tlp` (the strictest of
every object, metadata too), `data.volume` (the objects carrying data) and `data.personal_data`
(personal data found anywhere wins over a lower self-declaration). The whole payload is decided as
one provision on the rule sets; on top of the rules, the gate's own checks open reasons that name
each object and property:

| check | outcome | when |
|---|---|---|
| gate.envelope-contradiction | deny | an object's categories or TLP exceed what the envelope declares, or the volume does |
| gate.distribution-restricted | deny | MISP distribution 0 or a sharing group: the payload forbids passing it on |
| gate.possible-personal-data | escalate (teamleider) | what may be personal data and cannot be settled |
| gate.unknown-object-type | escalate (teamleider) | a type, pattern language or marking the gate cannot classify |
| gate.tlp-red-private | escalate (diensthoofd) | TLP:RED content to a private party |

Monotone: every check is per object or grows with the payload (categories, TLP, volume, personal
data only grow when objects are added), so adding objects never makes the decision less strict
(given rule sets that never loosen when data are added; tests/test_invariants holds them to it).

Every object is also decided on its own (the envelope with that object alone; objects alike in
category, TLP and personal data share one evaluation). The objects not allowed on their own must
go; `removal.plan` closes that set over references, the payload is stripped, and the stripped
payload is read (`stix_read.reread`: the objects the strip edited from the start, the others as they
were read) and decided again: it may go only if that decision is allow.
"""

from __future__ import annotations

import copy
import dataclasses
from dataclasses import dataclass, field
from typing import Any, Iterable

from wivcheck.policy import ROLE_RANK

from ..approvals import ApprovalRegister, GrantedApproval
from ..decision import Decision, GateRecord, Reason
from ..errors import ProvisionError
from ..evaluate import Engine
from ..load import provision_from_data
from ..provision import Data, Provision
from . import collector, removal
from .items import POSSIBLE, RESTRICTED, TLP_ORDER, UNKNOWN, Item, Payload, PayloadError, strictest

DERIVED = ("categories", "volume", "tlp")     # what the payload says; the envelope may only declare bounds
RANK = {"allow": 0, "metadata": 0, "escalate": 1, "deny": 2}
_SHOWN = 8   # objects named in a reason's message; the facts list them all

CHECKS = {
    # rule: (outcome, escalate_to, cites, nl title, en title)
    "gate.envelope-contradiction": ("deny", None, ["Art. 18(2) Wiv 2017"],
                                    "De payload spreekt de envelop tegen", "The payload contradicts its envelope"),
    "gate.distribution-restricted": ("deny", None, ["Art. 18(2) Wiv 2017", "MISP distribution"],
                                     "De payload zelf verbiedt doorgeven", "The payload itself forbids passing it on"),
    "gate.possible-personal-data": ("escalate", "teamleider", ["Art. 68(1) Wiv 2017", "Art. 18(2) Wiv 2017"],
                                    "Mogelijk persoonsgegevens", "Possibly personal data"),
    "gate.unknown-object-type": ("escalate", "teamleider", ["Art. 18(2) Wiv 2017"],
                                 "Onbekende inhoud in de payload", "Content the gate cannot classify"),
    "gate.tlp-red-private": ("escalate", "diensthoofd", ["Art. 18(2) Wiv 2017", "FIRST TLP 2.0"],
                             "TLP:RED naar een private partij", "TLP:RED to a private party"),
}
_MESSAGES = {
    "gate.envelope-contradiction": ("De payload spreekt de envelop tegen: {list}.",
                                    "The payload contradicts its envelope: {list}."),
    "gate.distribution-restricted": ("De payload verbiedt zelf dat deze delen worden doorgegeven: {list}.",
                                     "The payload itself forbids passing these parts on: {list}."),
    "gate.possible-personal-data": ("Mogelijk persoonsgegevens; een mens beoordeelt: {list}.",
                                    "Possibly personal data; a person judges: {list}."),
    "gate.unknown-object-type": ("Inhoud die de gate niet kan indelen; een mens beoordeelt: {list}.",
                                 "Content the gate cannot classify; a person judges: {list}."),
    "gate.tlp-red-private": ("{n} object(en) met TLP:RED gaan naar een private partij; het diensthoofd beslist: {list}.",
                             "{n} object(s) marked TLP:RED go to a private party; the head of service decides: {list}."),
}
_FIXES = {
    "gate.envelope-contradiction": ("Pas de envelop aan of haal de genoemde objecten uit de payload.",
                                    "Correct the envelope, or remove the objects named from the payload."),
    "gate.distribution-restricted": ("Haal de genoemde delen uit de payload.",
                                     "Remove the parts named from the payload."),
}
_FIX = ("Haal de genoemde objecten uit de payload of leg voor.",
        "Remove the objects named from the payload, or escalate.")
_KIND_CHECK = {UNKNOWN: "gate.unknown-object-type", POSSIBLE: "gate.possible-personal-data",
               RESTRICTED: "gate.distribution-restricted"}


@dataclass
class ObjectResult:
    """One object's decision on its own. id: the item's key; decision: allow | deny | escalate |
    metadata; reasons: qualified rule ids and gate checks; findings: `property: what` texts."""

    id: str
    type: str
    decision: str
    reasons: list[str]
    findings: list[str] = field(default_factory=list)


@dataclass
class GateResult:
    """The answer of the gate. remove: the keys to strip (None when stripping cannot make the payload
    go); dependents: what goes with them or loses references to them; stripped: the stripped
    document when it may go; stripped_decision: the decision on the stripped payload."""

    decision: Decision
    objects: list[ObjectResult]
    remove: list[str] | None
    remove_note: str
    provision: Provision
    payload: Payload
    dependents: list[dict] = field(default_factory=list)
    stripped: Any = None
    stripped_decision: Decision | None = None
    stripped_sha256: str | None = None
    events: list[dict] = field(default_factory=list)

    @property
    def may_go_stripped(self) -> bool:
        return self.stripped_decision is not None and self.stripped_decision.decision == "allow"

    def record(self) -> GateRecord:
        """What the decision log keeps of this gate decision (DESIGN.md, "The gate")."""
        return GateRecord.model_validate({
            "format": self.payload.format, "payload_sha256": self.payload.sha256,
            "payload_ids": self.payload.ids,
            "objects": [o.__dict__ for o in self.objects], "remove": self.remove,
            "remove_note": self.remove_note, "dependents": self.dependents,
            "stripped_decision": self.stripped_decision.decision if self.stripped_decision else None,
            "stripped_sha256": self.stripped_sha256, "events": self.events})

    def answer(self, decision: Decision | None = None, with_stripped: bool = False) -> dict:
        """The gate's JSON answer (command line `--format json`, HTTP): the decision (without its
        gate record, which the other keys repeat), every object, the removal set, the stripped
        payload's decision and, on request, the stripped payload itself."""
        d = (decision or self.decision).model_copy(update={"gate": None})
        out = {"decision": d.model_dump(mode="json"),
               "payload": {"format": self.payload.format, "sha256": self.payload.sha256, "ids": self.payload.ids},
               "objects": [o.__dict__ for o in self.objects], "remove": self.remove,
               "remove_note": self.remove_note, "dependents": self.dependents,
               "stripped_decision": (None if self.stripped_decision is None else
                                     {"decision": self.stripped_decision.decision,
                                      "reasons": [r.rule for r in self.stripped_decision.reasons],
                                      "sha256": self.stripped_sha256, "may_go": self.may_go_stripped})}
        if self.events:
            out["events"] = self.events
        if with_stripped:
            out["stripped"] = self.stripped if self.may_go_stripped else None
        return out


def envelope_fields() -> set[str]:
    """The `data` fields an envelope may give: every field of the provision's data (contract v1 or
    v1.1, whichever the provision model has)."""
    return set(Data.model_fields)


def gate(engine: Engine, envelope: dict, payload: Payload, rulesets: Iterable[str] = (), *,
         strip: bool = True, per_object: bool = True, register: ApprovalRegister | None = None) -> GateResult:
    """Decide a read payload with its envelope: whole, per object, per MISP event, and (strip=True)
    the removal set and the stripped payload decided again.

    Raises ProvisionError (the envelope is not a provision, or names a data field that does not
    exist), PayloadError (no data objects; objects without a TLP and no `data.tlp`), SelectionError
    (no rule set in force), EngineError. Never returns an allow on an error. per_object=False leaves
    the objects' own decisions out (the stripped payload's decision needs only the whole). The cyclic collector is paused meanwhile (`collector`).
    `register`: where the envelope's approvals are checked (the decision log, in the service;
    `Engine.decide_data`); None takes them as written, marked unverified."""
    with collector.paused():
        return _gate(engine, envelope, payload, rulesets, strip=strip, per_object=per_object, register=register)


def _gate(engine: Engine, envelope: dict, payload: Payload, rulesets: Iterable[str] = (), *,
          strip: bool = True, per_object: bool = True, register: ApprovalRegister | None = None) -> GateResult:
    """The work of `gate`."""
    if not isinstance(envelope, dict):
        raise ProvisionError(["the envelope is a provision without the data the payload carries"], "envelope")
    declared = envelope.get("data") if isinstance(envelope.get("data"), dict) else {}
    if envelope.get("data") is not None and not isinstance(envelope.get("data"), dict):
        raise ProvisionError(["data: an object (the envelope's data)"], "envelope")
    extra = set(declared) - envelope_fields()
    if extra:
        raise ProvisionError([f"data.{k}: not a field of the provision's data" for k in sorted(extra)], "envelope")
    rulesets = tuple(rulesets)
    env = copy.deepcopy(envelope)
    env["data"] = {k: v for k, v in declared.items() if k not in DERIVED}
    default_tlp = declared.get("tlp") if declared.get("tlp") in TLP_ORDER else None
    if "tlp" in declared and default_tlp is None:
        raise ProvisionError([f"data.tlp: one of {', '.join(TLP_ORDER)}"], "envelope")

    decidable = [it for it in payload.items if it.carries or it.findings or (it.tlp or default_tlp) == "RED"]
    if not decidable:
        raise PayloadError("the payload holds no data objects, only metadata")
    untagged = [it.key for it in decidable if it.carries and it.tlp is None and default_tlp is None
                and it.type not in ("marking-definition", "extension-definition")]   # markings are not marked
    if untagged:
        raise PayloadError("objects without a TLP marking and no data.tlp in the envelope: "
                           + ", ".join(untagged[:10]) + (f" and {len(untagged) - 10} more" if len(untagged) > 10 else ""))

    if register is not None and not isinstance(register, _Found):
        register = _bound_to(register, env, payload)
    judge = _Judge(engine, env, declared, default_tlp, rulesets, register)
    provision, decision = judge.whole(payload.items)
    if register is not None:
        # what the whole payload's decision accepted also covers its objects, its events and the
        # payload stripped of what may not go: those are parts of what the approver was shown
        used = {t.approved_by.reference for t in decision.approved}
        judge.register = _Found({r: dataclasses.replace(g, content_sha256=None) if r in used else g
                                 for r, g in register.found.items()})

    objects, blocking = [], []
    for it in (payload.items if per_object else ()):
        outcome, reasons = judge.single(it, provision.recipient.kind)
        shown = [f.text() for f in it.findings] if outcome != "allow" or it.personal else []
        objects.append(ObjectResult(it.key, it.type, outcome, reasons, shown))
        if outcome not in ("allow", "metadata"):
            blocking.append(it)

    events = []
    if payload.format == "misp" and len(payload.events) > 1:
        for key in payload.events:
            part = [it for it in payload.items if it.event == key]
            if any(it.carries or it.findings for it in part):
                _, d = judge.whole(part)
                events.append({"id": key, "decision": d.decision, "reasons": [r.rule for r in d.reasons]})

    result = GateResult(decision, objects, None, "", provision, payload, events=events)
    if decision.decision == "allow":
        result.remove, result.remove_note = [], "nothing to remove"
        result.stripped, result.stripped_decision, result.stripped_sha256 = payload.doc, decision, payload.sha256
        return result
    if not strip:
        return result
    fixed = [it for it in blocking if not it.removable]
    if fixed:
        result.remove_note = ("not allowed, and cannot be stripped without breaking the payload: "
                              + ", ".join(f"{it.key} ({it.type})" for it in fixed[:5]))
        return result
    if judge.volume_contradiction and not blocking:
        result.remove_note = "the payload holds more objects than the envelope declares"
        return result
    _strip(engine, envelope, payload, rulesets, blocking, result, judge.register)
    return result


def _bound_to(register: ApprovalRegister, env: dict, payload: Payload) -> "_Found":
    """The envelope's approvals, looked up once (every object's decision names them), each bound to
    this payload: an approval closes a gate escalation only if it was given for the recorded gate
    decision of this very payload (its sha256), not for a provision checked on its own or another
    payload (DESIGN.md, "Approvals")."""
    refs = [a.get("reference") for a in env.get("approvals") or [] if isinstance(a, dict)]
    bound = {}
    for ref, g in register.find([r for r in refs if isinstance(r, str)]).items():
        if g.refused is None and g.payload_sha256 is None:
            g = dataclasses.replace(g, refused="it approves a provision checked on its own, not a gate payload: the "
                                               "gate takes only an approval of this payload's recorded gate decision")
        elif g.refused is None and g.payload_sha256 != payload.sha256:
            g = dataclasses.replace(g, refused=f"it approves another payload (sha256 {g.payload_sha256[:12]}…), "
                                               f"not this one ({payload.sha256[:12]}…)")
        bound[ref] = g
    return _Found(bound)


def _strip(engine, envelope, payload: Payload, rulesets, blocking: list[Item], result: GateResult,
           register: "_Found | None" = None) -> None:
    from .misp_read import read_misp
    from .stix_read import reread
    p = removal.plan(payload, [it.key for it in blocking])
    result.dependents = p.dependents
    stripped_doc = removal.strip(payload.doc, p.drop)
    edited = {d["id"] for d in p.dependents if d["action"] == "edited"}
    try:
        again = (reread(payload, p.gone, edited, stripped_doc) if payload.format == "stix"
                 else read_misp(stripped_doc))
        second = gate(engine, envelope, again, rulesets, strip=False, per_object=False, register=register)
    except PayloadError as exc:
        result.remove_note = f"nothing that may go is left once the objects not allowed are removed ({exc.message})"
        return
    result.stripped_decision, result.stripped_sha256 = second.decision, again.sha256
    if second.decision.decision == "allow":
        result.remove = [it.key for it in blocking] + [d["id"] for d in p.dependents if d["action"] == "removed"]
        result.stripped = stripped_doc
        result.remove_note = ("remove these objects" + (" (with their dependents)" if p.dependents else "")
                              + " and the stripped payload is allowed")
    else:
        result.remove_note = ("the stripped payload is not allowed either ("
                              + ", ".join(r.rule for r in second.decision.reasons)
                              + "): the envelope itself or the objects together are the problem")


class _Found:
    """An approval register answered once (the envelope's approvals), for the many decisions of a gate."""

    def __init__(self, found: dict[str, GrantedApproval]):
        self.found = found

    def find(self, references: Iterable[str]) -> dict[str, GrantedApproval]:
        return {r: self.found[r] for r in references if r in self.found}


class _Judge:
    """Decisions of sets of items on one envelope: the whole, and single objects (cached)."""

    def __init__(self, engine: Engine, env: dict, declared: dict, default_tlp: str | None, rulesets: tuple,
                 register: ApprovalRegister | None = None):
        self.engine, self.env, self.declared, self.default_tlp, self.rulesets = engine, env, declared, default_tlp, rulesets
        self.register = register
        self.cache: dict[tuple, tuple[str, list[str]]] = {}
        self.checked: dict[int, dict[str, list[str]]] = {}
        self.volume_contradiction = False

    def tlp(self, it: Item) -> str | None:
        return it.tlp or self.default_tlp

    def provision_data(self, items: list[Item], declared_personal: bool = True) -> dict:
        data = copy.deepcopy(self.env)
        d = data["data"]
        categories = set()
        for it in items:
            categories |= it.categories
        d["categories"] = sorted(categories) or ["ttp_description"]
        d["tlp"] = strictest(self.tlp(it) for it in items) or self.default_tlp or "CLEAR"
        d["volume"] = max(1, sum(1 for it in items if it.carries))
        if any(it.personal for it in items):
            d["personal_data"] = True
        d.setdefault("personal_data", False)
        d.setdefault("special_categories", False)
        return data

    def checks(self, it: Item, recipient_kind: str) -> dict[str, list[str]]:
        """Gate check -> the `key property: what` texts this object opens it with (worked out once)."""
        got = self.checked.get(id(it))
        if got is None:
            got = self.checked[id(it)] = self._checks(it, recipient_kind)
        return got

    def _checks(self, it: Item, recipient_kind: str) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        if not it.findings and self.tlp(it) != "RED" and "categories" not in self.declared \
                and self.declared.get("tlp") not in TLP_ORDER:
            return out
        for f in it.findings:
            check = _KIND_CHECK.get(f.kind)
            if check:
                out.setdefault(check, []).append(f"{it.key} {f.text()}")
        if self.tlp(it) == "RED" and recipient_kind == "private_party":
            out.setdefault("gate.tlp-red-private", []).append(f"{it.key} ({it.type})")
        said = self.declared.get("categories")
        if isinstance(said, list) and it.categories - set(said):
            out.setdefault("gate.envelope-contradiction", []).append(
                f"{it.key} carries {', '.join(sorted(it.categories - set(said)))}, not in data.categories {sorted(said)}")
        level = self.declared.get("tlp")
        if level in TLP_ORDER and it.tlp and TLP_ORDER.index(it.tlp) > TLP_ORDER.index(level):
            out.setdefault("gate.envelope-contradiction", []).append(f"{it.key} is marked TLP:{it.tlp}, "
                                                                      f"data.tlp says {level}")
        return out

    def whole(self, items: list[Item]) -> tuple[Provision, Decision]:
        data = self.provision_data(items)
        provision = provision_from_data(data, source="gate")
        decision = self.engine.decide(provision, rulesets=self.rulesets, register=self.register)
        found: dict[str, list[str]] = {}
        for it in items:
            for check, texts in self.checks(it, provision.recipient.kind).items():
                found.setdefault(check, []).extend(texts)
        said = self.declared.get("volume")
        if isinstance(said, int) and not isinstance(said, bool) and data["data"]["volume"] > said:
            self.volume_contradiction = True
            found.setdefault("gate.envelope-contradiction", []).append(
                f"the payload carries {data['data']['volume']} data objects, data.volume says {said}")
        reasons = [_reason(rule, texts) for rule, texts in sorted(found.items(), key=lambda kv: list(CHECKS).index(kv[0]))]
        return provision, _with(decision, reasons)

    def single(self, it: Item, recipient_kind: str) -> tuple[str, list[str]]:
        checks = self.checks(it, recipient_kind)
        outcome, reasons = "metadata", []
        if it.categories:
            key = (tuple(sorted(it.categories)), self.tlp(it), it.personal)
            if key not in self.cache:
                p = provision_from_data(self.provision_data([it]), source=f"gate object {it.key}")
                d = self.engine.decide(p, rulesets=self.rulesets, register=self.register)
                self.cache[key] = (d.decision, [r.rule for r in d.reasons])
            outcome, reasons = self.cache[key][0], list(self.cache[key][1])
        for check in checks:
            reasons.append(check)
            said = CHECKS[check][0]
            if outcome == "metadata" or RANK[said] > RANK[outcome]:
                outcome = said
        return outcome, reasons


def _reason(rule: str, texts: list[str]) -> dict:
    outcome, role, cites, nl_title, en_title = CHECKS[rule]
    shown = "; ".join(texts[:_SHOWN]) + (f"; … ({len(texts) - _SHOWN} more)" if len(texts) > _SHOWN else "")
    nl, en = _MESSAGES[rule]
    fix = _FIXES.get(rule, _FIX)
    return {"rule": rule, "title": {"nl": nl_title, "en": en_title}, "outcome": outcome, "status": "violated",
            "cites": cites, "basis": "policy",
            "message": {"nl": nl.format(list=shown, n=len(texts)), "en": en.format(list=shown, n=len(texts))},
            "fix": {"nl": fix[0], "en": fix[1]}, "facts": {"objects": texts}, "missing_facts": [],
            "escalate_to": role}


def _with(decision: Decision, extra: list[dict]) -> Decision:
    if not extra:
        return decision
    reasons = [Reason.model_validate(r) for r in extra] + list(decision.reasons)
    outcomes = {r.outcome for r in reasons}
    outcome = "deny" if "deny" in outcomes else ("escalate" if "escalate" in outcomes else "allow")
    roles = sorted({r.escalate_to for r in reasons if r.outcome == "escalate" and r.escalate_to},
                   key=ROLE_RANK.__getitem__) if outcome == "escalate" else []
    # a denied provision is not carried out: it carries no obligations (DESIGN.md, the decision)
    obligations = [] if outcome == "deny" else decision.obligations
    return decision.model_copy(update={"reasons": reasons, "decision": outcome, "escalate_to": roles,
                                       "obligations": obligations})
