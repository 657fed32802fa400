"""A generator of bundles shaped like MITRE ATT&CK's enterprise release (STIX 2.1): attack patterns
with sub-techniques, intrusion sets with aliases, malware, tools, mitigations, the relationships
between them, MITRE's identity and its copyright statement marking on every object, `x_mitre_*`
properties and external references. Deterministic for a seed; no names of real persons."""

from __future__ import annotations

import random
import uuid

STATEMENT_ID = "marking-definition--fa42a846-8d90-4e51-bc29-71d5b4802168"
MITRE_ID = "identity--c78cb6e5-0c4b-4611-8297-d1b8b55e40b5"
TS = "2024-04-23T00:00:00.000Z"
TACTICS = ["reconnaissance", "resource-development", "initial-access", "execution", "persistence",
           "privilege-escalation", "defense-evasion", "credential-access", "discovery", "lateral-movement",
           "collection", "command-and-control", "exfiltration", "impact"]
GROUP_WORDS = ["Bear", "Panda", "Kitten", "Spider", "Typhoon", "Blizzard", "Sleet", "Team", "Group", "Chollima"]
ADJECTIVES = ["Fancy", "Cozy", "Mustang", "Wizard", "Volt", "Midnight", "Charming", "Stone", "Deep", "Scattered"]


def attack_bundle(n: int = 2000, seed: int = 7, custom_types: bool = False, contributors: int = 0,
                  person_alias_at: int | None = None) -> dict:
    """About n objects. custom_types adds MITRE's own `x-mitre-tactic` objects; contributors puts
    `x_mitre_contributors` (persons' names) on that many techniques; person_alias_at gives the
    intrusion set at that index an alias that is a person's name."""
    rnd = random.Random(seed)

    def ident(kind: str) -> str:
        return f"{kind}--{uuid.UUID(int=rnd.getrandbits(128), version=4)}"

    def common(kind: str) -> dict:
        return {"type": kind, "spec_version": "2.1", "id": ident(kind), "created": TS, "modified": TS,
                "created_by_ref": MITRE_ID, "object_marking_refs": [STATEMENT_ID],
                "x_mitre_version": "1.0", "x_mitre_attack_spec_version": "3.2.0", "x_mitre_domains": ["enterprise-attack"],
                "x_mitre_modified_by_ref": MITRE_ID}

    objects: list[dict] = [
        {"type": "marking-definition", "spec_version": "2.1", "id": STATEMENT_ID, "created": "2017-06-01T00:00:00.000Z",
         "created_by_ref": MITRE_ID, "definition_type": "statement",
         "definition": {"statement": "Copyright 2015-2024, The MITRE Corporation. MITRE ATT&CK and ATT&CK are "
                                     "registered trademarks of The MITRE Corporation."}},
        {"type": "identity", "spec_version": "2.1", "id": MITRE_ID, "created": "2017-06-01T00:00:00.000Z",
         "modified": "2017-06-01T00:00:00.000Z", "name": "The MITRE Corporation", "identity_class": "organization",
         "object_marking_refs": [STATEMENT_ID]},
    ]
    share = {"attack-pattern": 0.30, "malware": 0.25, "intrusion-set": 0.07, "tool": 0.04, "course-of-action": 0.12}
    techniques, software, groups, mitigations = [], [], [], []
    for kind, part in share.items():
        for i in range(int(n * part * 0.55)):
            obj = common(kind)
            number = f"{rnd.randint(1000, 1999)}"
            obj["external_references"] = [{"source_name": "mitre-attack", "external_id": f"T{number}",
                                           "url": f"https://attack.mitre.org/techniques/T{number}"}]
            if kind == "attack-pattern":
                obj.update(name=f"Technique {i}", description=f"Adversaries may abuse mechanism {i} to run code, "
                           f"for example by writing to C:\\Users\\<username>\\AppData\\Roaming.",
                           kill_chain_phases=[{"kill_chain_name": "mitre-attack", "phase_name": rnd.choice(TACTICS)}],
                           x_mitre_platforms=["Windows", "Linux"], x_mitre_is_subtechnique=i % 3 == 0,
                           x_mitre_detection="Monitor process creation and command-line arguments.")
                if len(techniques) < contributors:
                    obj["x_mitre_contributors"] = [f"Analyst Number{i}, Example Security"]
                techniques.append(obj)
            elif kind == "malware":
                obj.update(name=f"MalwareFamily{i}", is_family=True, description=f"MalwareFamily{i} is a backdoor.",
                           x_mitre_aliases=[f"MalwareFamily{i}", f"MF{i}"], x_mitre_platforms=["Windows"])
                software.append(obj)
            elif kind == "tool":
                obj.update(name=f"Tool{i}", description="A publicly available tool.")
                software.append(obj)
            elif kind == "intrusion-set":
                name = f"{rnd.choice(ADJECTIVES)} {rnd.choice(GROUP_WORDS)}"
                obj.update(name=f"G{i:04d}", aliases=[f"G{i:04d}", name, f"APT{i}"],
                           description=f"G{i:04d} is a threat group active since 20{10 + i % 14}.")
                if person_alias_at == len(groups):
                    obj["aliases"].append("Pieter Bakker")
                groups.append(obj)
            else:
                obj.update(name=f"Mitigation {i}", description="Use application control.")
                mitigations.append(obj)
            objects.append(obj)
    while len(objects) < n - (len(TACTICS) if custom_types else 0):
        kind = rnd.choice(["uses", "uses", "mitigates", "subtechnique-of"])
        if kind == "uses":
            source = rnd.choice(groups + software)
            target = rnd.choice(techniques)
        elif kind == "mitigates":
            source, target = rnd.choice(mitigations), rnd.choice(techniques)
        else:
            source, target = rnd.choice(techniques), rnd.choice(techniques)
        rel = common("relationship")
        rel.update(relationship_type=kind, source_ref=source["id"], target_ref=target["id"],
                   description="The group used the technique.")
        objects.append(rel)
    if custom_types:
        for t in TACTICS:
            tactic = common("x-mitre-tactic")
            tactic.update(name=t.replace("-", " ").title(), x_mitre_shortname=t, description="The adversary's goal.")
            objects.append(tactic)
    return {"type": "bundle", "id": f"bundle--{uuid.UUID(int=rnd.getrandbits(128), version=4)}", "objects": objects}
