"""Builders the gate tests share: envelopes, STIX objects (built with stix2) and bundles, MISP events
(built with pymisp), and reading a payload and gating it in one call."""

from __future__ import annotations

import io
import json
import uuid
import zipfile

import stix2
import yaml
from pymisp import MISPEvent, MISPObject

from conftest import ROOT
from wivcheck.engine.gate import gate, read

ENVELOPE = json.loads(json.dumps(yaml.safe_load((ROOT / "examples" / "gate" / "envelope.yaml").read_text()),
                                 default=str))
TLP2_EXT = "extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d"
TS = "2025-03-01T00:00:00.000Z"


def envelope(**data) -> dict:
    """The example envelope with data fields set (None removes one)."""
    env = json.loads(json.dumps(ENVELOPE))
    for k, v in data.items():
        if v is None:
            env["data"].pop(k, None)
        else:
            env["data"][k] = v
    return env


def envelope_permitting(*categories: str) -> dict:
    """The example envelope whose partnership also permits these data categories."""
    env = envelope()
    env["partnership"] = dict(env["partnership"], permitted_categories=sorted(
        set(env["partnership"]["permitted_categories"]) | set(categories)))
    return env


def zip_of(entries: dict[str, bytes]) -> bytes:
    """A zip archive (bytes) holding these entries (name -> bytes)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for name, data in entries.items():
            z.writestr(name, data)
    return buf.getvalue()


def sdo(obj) -> dict:
    """A stix2 object as plain JSON data."""
    return json.loads(obj.serialize()) if not isinstance(obj, dict) else obj


def indicator(pattern: str = "[domain-name:value = 'c2.evil.example']", marking=stix2.TLP_AMBER, **kw) -> dict:
    return sdo(stix2.Indicator(pattern=pattern, pattern_type="stix", valid_from="2025-01-01T00:00:00Z",
                               object_marking_refs=[marking], **kw))


def raw(kind: str, **props) -> dict:
    """A STIX object written by hand (for what stix2 refuses to build)."""
    obj = {"type": kind, "spec_version": "2.1", "id": f"{kind}--{uuid.uuid4()}"}
    if kind not in ("email-addr", "user-account", "domain-name", "ipv4-addr", "url", "file"):
        obj.update({"created": TS, "modified": TS})
    obj.setdefault("object_marking_refs", [stix2.TLP_AMBER.id])
    obj.update(props)
    return obj


def bundle(*objects) -> dict:
    return {"type": "bundle", "id": f"bundle--{uuid.uuid4()}", "objects": [sdo(o) for o in objects]}


def tlp2(level: str) -> dict:
    return {"type": "marking-definition", "spec_version": "2.1", "id": f"marking-definition--{uuid.uuid4()}",
            "created": "2022-10-01T00:00:00.000Z", "name": f"TLP:{level.upper()}",
            "extensions": {TLP2_EXT: {"extension_type": "property-extension", "tlp_2_0": level}}}


def statement(text: str = "Copyright 2015-2025, The MITRE Corporation.") -> dict:
    return sdo(stix2.MarkingDefinition(definition_type="statement", definition={"statement": text}))


def misp_event(tlp: str = "tlp:amber") -> MISPEvent:
    event = MISPEvent()
    event.info = "campaign"
    event.add_tag(tlp)
    event.add_attribute("domain", "c2.evil.example")
    return event


def misp_doc(event: MISPEvent) -> dict:
    """The event as MISP exports it: {"Event": {...}}."""
    return {"Event": json.loads(event.to_json())}


def run(engine, payload, env=None, fmt=None, **kw):
    """Read and gate a payload (dict/str) with an envelope (the example envelope by default)."""
    fmt = fmt or ("stix" if isinstance(payload, dict) and payload.get("type") == "bundle" else "misp")
    return gate(engine, env or ENVELOPE, read(fmt, payload), **kw)


def blocked(result) -> dict[str, str]:
    """The objects not allowed on their own: key -> decision."""
    return {o.id: o.decision for o in result.objects if o.decision not in ("allow", "metadata")}


__all__ = ["ENVELOPE", "MISPEvent", "MISPObject", "TS", "blocked", "bundle", "envelope", "envelope_permitting",
           "indicator", "misp_doc", "zip_of",
           "misp_event", "raw", "run", "sdo", "statement", "stix2", "tlp2"]
