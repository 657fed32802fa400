"""False positives in check: threat intelligence as feeds and MISP instances send it (malware and
group names, ATT&CK techniques with their citations, domains, IP addresses, hashes, versions, ports,
registry keys, defanged URLs, MISP galaxy clusters with their metadata, organisations, sightings,
taxonomy tags, an encrypted malware sample) has no findings and is allowed, while the same payload
with one planted item of each new kind is not."""

from __future__ import annotations

import base64
import io
import uuid
import zipfile

import pytest

from gate_util import TS, bundle, envelope, indicator, raw, run, envelope_permitting
from wivcheck.engine import Engine, load_library
from wivcheck.engine.gate import read_misp, read_stix

CITATIONS = [
    "Lastname, F. (2021, March 4). Operation Example: a loader in the supply chain. Retrieved May 1, 2021.",
    "Vendor Threat Research. (2019, October). Group 74 returns with new tooling. Retrieved November 2, 2019.",
    "CISA. (2023, May 24). People's Republic of China State-Sponsored Cyber Actor Living off the Land. "
    "Retrieved July 27, 2023.",
]
DESCRIPTIONS = [
    "[APT28](https://attack.mitre.org/groups/G0007) is a threat group attributed to military unit 26165. "
    "(Citation: Vendor APT28 2017) This group has been active since at least 2004.",
    "Adversaries may abuse PowerShell commands and scripts for execution (T1059.001). PowerShell is a powerful "
    "interactive command-line interface and scripting environment included in the Windows operating system.",
    "The loader beacons every 60 s to hxxps://cdn-update[.]example/api/v2 over port 443 and falls back to "
    "198.51.100[.]23:8080; the C2 at static-cdn[.]example resolves to 203.0.113.7.",
    "Drops %APPDATA%\\Microsoft\\Crypto\\svchost.exe and adds HKCU\\Software\\Microsoft\\Windows\\CurrentVersion"
    "\\Run\\Updater; mutex Global\\{4f3a2b1c-9d8e-4f7a-b6c5-d4e3f2a1b0c9}.",
    "Affected: Windows Server 2019 build 17763.1, Exchange 2016 CU23, FortiOS 7.2.4, Ivanti Connect Secure 22.3R1.",
    "Ransom note README.txt asks for 2 BTC; the leak site lists 412 victims since 2023-01 (see the sector galaxy).",
    "Sandbox: process rundll32.exe (pid 4242) spawned by winword.exe; 3 files written, 12 DNS queries.",
]


@pytest.fixture(scope="module")
def engine():
    return Engine(load_library())


def _envelope():
    return envelope_permitting("ttp_description", "vulnerability")


def _zip_sample() -> str:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08", b"MZ" + bytes(512))
    return base64.b64encode(buf.getvalue()).decode()


def clean_bundle() -> list[dict]:
    objs = [indicator(f"[domain-name:value = 'cdn{i}.update.example']", description=d, name=f"C2 domain {i}")
            for i, d in enumerate(DESCRIPTIONS)]
    objs.append(raw("intrusion-set", name="APT28", aliases=["IRON TWILIGHT", "Pawn Storm", "Fancy Bear", "Sednit",
                                                            "Group 74", "Threat Group-4127", "STRONTIUM"],
                    description=DESCRIPTIONS[0],
                    external_references=[{"source_name": "mitre-attack", "external_id": "G0007",
                                          "url": "https://attack.mitre.org/groups/G0007"}]
                    + [{"source_name": f"Vendor report {i}", "description": c, "url": f"https://vendor.example/r/{i}"}
                       for i, c in enumerate(CITATIONS)]))
    objs.append(raw("attack-pattern", name="PowerShell", description=DESCRIPTIONS[1],
                    kill_chain_phases=[{"kill_chain_name": "mitre-attack", "phase_name": "execution"}],
                    x_mitre_platforms=["Windows"], x_mitre_version="1.4", x_mitre_detection="Monitor command lines.",
                    x_mitre_data_sources=["Command: Command Execution", "Process: Process Creation"]))
    objs.append(raw("malware", name="Zebrocy", is_family=True, malware_types=["downloader"],
                    description=DESCRIPTIONS[2], implementation_languages=["go", "delphi"]))
    objs.append(raw("vulnerability", name="CVE-2021-44228", description=DESCRIPTIONS[4],
                    external_references=[{"source_name": "cve", "external_id": "CVE-2021-44228"}]))
    objs.append(raw("file", name="svchost.exe", size=3_221_225_472, hashes={"SHA-256": "a" * 64, "MD5": "b" * 32}))
    objs.append(raw("artifact", payload_bin=_zip_sample(), hashes={"SHA-256": "c" * 64}, mime_type="application/zip",
                    encryption_algorithm="mime-type-indicated", decryption_key="infected"))
    objs.append(raw("identity", name="Example Hosting B.V.", identity_class="organization", sectors=["technology"],
                    contact_information="Security Operations Center, https://hosting.example/security"))
    ip = {"type": "ipv4-addr", "spec_version": "2.1", "id": f"ipv4-addr--{uuid.uuid4()}", "value": "203.0.113.7",
          "object_marking_refs": objs[0]["object_marking_refs"]}
    objs.append(ip)
    objs.append({"type": "network-traffic", "spec_version": "2.1", "id": f"network-traffic--{uuid.uuid4()}",
                 "dst_ref": ip["id"], "protocols": ["tcp", "http"], "dst_port": 443, "src_byte_count": 4_294_967_295,
                 "object_marking_refs": objs[0]["object_marking_refs"],
                 "extensions": {"http-request-ext": {"request_method": "get", "request_value": "/api/v2",
                                                     "request_header": {"User-Agent": ["Mozilla/5.0 (Windows NT 10.0)"],
                                                                        "Host": ["cdn0.update.example"]}}}})
    return objs


def test_a_bundle_as_feeds_write_it_has_no_findings_and_is_allowed(engine):
    b = bundle(*clean_bundle())
    payload = read_stix(b)
    assert [(it.key, f.text()) for it in payload.items for f in it.findings] == []
    r = run(engine, b, _envelope())
    assert r.decision.decision == "allow", [(x.rule, x.message.en) for x in r.decision.reasons]


PLANTED = {
    "lowercase name": lambda: raw("threat-actor", name="evgeniy bogachev", threat_actor_types=["criminal"]),
    "cyrillic name": lambda: raw("identity", name="Евгений Богачёв", identity_class="organization"),
    "obfuscated mail": lambda: raw("malware", name="x", is_family=True, description="ops: j.doe (at) mail dot example"),
    "lower iban": lambda: raw("malware", name="x", is_family=True, description="mule nl91 abna 0417 1643 00"),
    "address": lambda: raw("malware", name="x", is_family=True, description="courier to Dorpsstraat 7, Ede"),
    "login key": lambda: {**indicator(), "x_acme_login": "bogachev"},
    "phone number": lambda: {**indicator(), "x_acme_callback": 31612345678},
    "extension contact": lambda: {**raw("domain-name", value="x.example"),
                                  "extensions": {"x-acme-whois-ext": {"registrant": "E. Bogachev"}}},
    "document": lambda: raw("artifact", payload_bin=base64.b64encode(b"%PDF-1.4 invoice").decode(),
                            hashes={"MD5": "d" * 32}),
}


@pytest.mark.parametrize("kind", sorted(PLANTED))
def test_one_planted_item_of_each_kind_is_named_and_only_it_goes(engine, kind):
    planted = PLANTED[kind]()
    r = run(engine, bundle(*clean_bundle(), planted), _envelope())
    assert r.decision.decision != "allow"
    assert [o.id for o in r.objects if o.decision not in ("allow", "metadata")] == [planted["id"]]
    assert r.remove == [planted["id"]] and r.may_go_stripped


def clean_event() -> dict:
    cluster = {
        "uuid": str(uuid.uuid4()), "type": "threat-actor", "value": "Sofacy", "tag_name": 'misp-galaxy:threat-actor="Sofacy"',
        "description": "The Sofacy Group (also known as APT28, Pawn Storm, Fancy Bear and Sednit) is a cyber "
                       "espionage group believed to have ties with the Russian government.",
        "source": "MISPProject", "authors": ["Alexandre Dulaunoy", "Florian Roth", "Thomas Schreck"], "version": "308",
        "meta": {"synonyms": ["APT 28", "APT28", "Pawn Storm", "PawnStorm", "Fancy Bear", "Sednit", "SNAKEMACKEREL",
                              "TsarTeam", "Tsar Team", "TG-4127", "Group-4127", "STRONTIUM", "Grizzly Steppe"],
                 "country": "RU", "cfr-suspected-state-sponsor": "Russian Federation",
                 "cfr-suspected-victims": ["Georgia", "France", "Jordan", "United States", "Hungary"],
                 "cfr-target-category": ["Government", "Military"], "cfr-type-of-incident": "Espionage",
                 "attribution-confidence": "90", "refs": ["https://en.wikipedia.org/wiki/Sofacy_Group"]},
        "GalaxyClusterRelation": [{"referenced_galaxy_cluster_type": "similar", "Tag": [{"name": "estimative-language:likelihood-probability=\"likely\""}]}],
    }
    return {"Event": {
        "uuid": str(uuid.uuid4()), "info": "Sofacy phishing wave targeting ministries, March 2025", "date": "2025-03-01",
        "threat_level_id": "2", "analysis": "2", "distribution": "1", "published": True, "timestamp": "1740787200",
        "proposal_email_lock": False, "disable_correlation": False, "attribute_count": "4",
        "Org": {"id": "1", "name": "CERT-EXAMPLE", "uuid": str(uuid.uuid4()), "local": True},
        "Orgc": {"id": "2", "name": "CIRCL", "uuid": str(uuid.uuid4()), "local": False},
        "Tag": [{"name": "tlp:amber", "colour": "#FFC000", "exportable": True, "user_id": "0", "hide_tag": False},
                {"name": 'misp-galaxy:threat-actor="Sofacy"', "colour": "#0088cc", "user_id": "0"},
                {"name": 'admiralty-scale:source-reliability="b"'}, {"name": "workflow:state=\"complete\""}],
        "Galaxy": [{"uuid": str(uuid.uuid4()), "name": "Threat Actor", "type": "threat-actor",
                    "description": "Threat actors are characteristics of malicious actors.", "namespace": "misp",
                    "GalaxyCluster": [cluster]}],
        "Attribute": [
            {"type": "domain", "category": "Network activity", "value": "cdn-update.example", "uuid": str(uuid.uuid4()),
             "to_ids": True, "comment": "C2, resolves to 203.0.113.7 since 2025-02-27", "timestamp": "1740787200",
             "Sighting": [{"type": "0", "source": "sensor-17", "date_sighting": "1740787300",
                           "Organisation": {"name": "CERT-EXAMPLE", "uuid": str(uuid.uuid4())}}]},
            {"type": "ip-dst|port", "category": "Network activity", "value": "198.51.100.23|8080", "uuid": str(uuid.uuid4())},
            {"type": "sha256", "category": "Payload delivery", "value": "e" * 64, "uuid": str(uuid.uuid4())},
            {"type": "malware-sample", "category": "Payload delivery", "value": "loader.exe|" + "f" * 32,
             "data": _zip_sample(), "uuid": str(uuid.uuid4())},
        ],
        "Object": [{"name": "file", "meta-category": "file", "uuid": str(uuid.uuid4()), "template_version": "24",
                    "description": "File object describing a file with meta-information",
                    "Attribute": [{"type": "filename", "object_relation": "filename", "value": "invoice.exe"},
                                  {"type": "size-in-bytes", "object_relation": "size-in-bytes", "value": "48128"}],
                    "ObjectReference": [{"relationship_type": "drops", "referenced_type": "Attribute"}]}],
    }}


def test_a_misp_event_as_instances_export_it_has_no_findings_and_is_allowed(engine):
    doc = clean_event()
    payload = read_misp(doc)
    found = [(it.key, f.text()) for it in payload.items for f in it.findings
             if not f.prop.startswith("authors")]       # galaxy authors: persons or organisations, by design
    assert found == []
    r = run(engine, doc, _envelope())
    blocked = [o for o in r.objects if o.decision not in ("allow", "metadata")]
    assert [o.findings for o in blocked] == [["authors: the authors of the galaxy cluster (persons or organisations)"]]
