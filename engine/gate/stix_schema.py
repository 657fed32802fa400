"""Is each object of a STIX 2.1 bundle valid STIX? Checked against OASIS's JSON schemas for STIX 2.1
(the copy shipped in stix2-validator, OASIS's own validator), compiled once by jsonschema-rs.

Why not stix2's object model, which the gate used first: building a stix2 object costs 130 to
370 µs (property by property in Python), so reading a 10,000-object bundle took well over a second
on two cores. The compiled schemas check the same structure (required properties, identifiers,
timestamps, vocabularies, references) in a few µs per object. stix2 stays in use where it does the
job well: building bundles (the test suite) and its TLP 1.0 marking constants.

Two limits are the schemas' own: an indicator's pattern is not parsed against the STIX pattern
grammar (`stix_patterns` does that, with OASIS's stix2-patterns), timestamps are matched by shape
only (`timestamps` checks the calendar and the order), and object types the schemas do not know are
checked only for a well-formed `type` and `id` (the gate escalates them, naming the type).
"""

from __future__ import annotations

import functools
import importlib.util
import json
import re
from pathlib import Path
from typing import Any

import jsonschema_rs

from .markings import CANONICAL

from ..errors import EngineError

SCHEMA_BASE = "http://raw.githubusercontent.com/oasis-open/cti-stix2-json-schemas/stix2.1/schemas/"
# the object types, by schema file; common/ holds the building blocks and these three
_OBJECT_FOLDERS = ("sdos", "sros", "observables")
_COMMON_OBJECTS = ("marking-definition", "extension-definition", "language-content")
_IDENTIFIER = re.compile(r"^([a-z][a-z0-9-]+[a-z0-9])--[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}"
                         r"-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")


class SchemaUnavailable(EngineError):
    """The OASIS schemas cannot be found or compiled: no payload can be checked, so no decision."""


def _schema_dir() -> Path:
    # the package's location only: importing stix2validator would pull in its whole validator
    spec = importlib.util.find_spec("stix2validator")
    if spec is None or not spec.submodule_search_locations:
        raise SchemaUnavailable("stix2-validator is not installed: it carries the OASIS STIX 2.1 schemas")
    folder = Path(list(spec.submodule_search_locations)[0]) / "schemas-2.1" / "schemas"
    if not (folder / "common" / "core.json").is_file():
        raise SchemaUnavailable(f"the OASIS STIX 2.1 schemas are not in {folder}")
    return folder


@functools.cache
def validators() -> dict[str, Any]:
    """A compiled validator per STIX object type (about 0.2 s, once per process)."""
    base = _schema_dir()

    def retrieve(uri: str):
        if not uri.startswith(SCHEMA_BASE):
            raise ValueError(f"{uri} is not one of the OASIS STIX 2.1 schemas")
        return json.loads((base / uri[len(SCHEMA_BASE):]).read_text())

    files = [f for folder in _OBJECT_FOLDERS for f in sorted((base / folder).glob("*.json"))]
    files += [base / "common" / f"{name}.json" for name in _COMMON_OBJECTS]
    out = {}
    for f in files:
        try:
            out[f.stem] = jsonschema_rs.validator_for(json.loads(f.read_text()), retriever=retrieve)
        except Exception as exc:  # a broken schema must not leave its type unchecked
            raise SchemaUnavailable(f"the schema {f.name} does not compile: {exc}") from None
    return out


def _tlp_level_lowercased(obj: dict) -> dict:
    """A TLP 1.0 marking definition (`definition_type: tlp`) as the schema is given it: the schema
    admits one only as one of the four canonical objects (STIX 2.1 §7.2.1.4), lower case. A level in
    capitals (`{"tlp": "RED"}`) is the same level, and a TLP definition under the bundle's own id is
    still the author's TLP marking: `markings` reads its level (RED when it names none), so the gate
    checks the rest of the object as a statement marking rather than refusing what it can read.
    A copy: the payload itself is not changed."""
    if kind_is_tlp(obj):
        level = obj["definition"]["tlp"]
        if obj.get("id") not in CANONICAL:
            return {**obj, "definition_type": "statement", "definition": {"statement": f"TLP:{level}"}}
        if level != level.lower():
            return {**obj, "definition": {**obj["definition"], "tlp": level.lower()}}
    return obj


def kind_is_tlp(obj: dict) -> bool:
    """Whether the object is a `definition_type: tlp` marking definition with a textual level."""
    return (obj.get("type") == "marking-definition" and obj.get("definition_type") == "tlp"
            and isinstance(obj.get("definition"), dict) and isinstance(obj["definition"].get("tlp"), str))


def problem(obj: Any) -> str | None:
    """Why the object is not valid STIX 2.1, or None when it is."""
    if not isinstance(obj, dict):
        return "not a JSON object"
    kind, ident = obj.get("type"), obj.get("id")
    if not isinstance(kind, str) or not isinstance(ident, str):
        return "a STIX object needs a type and an id (strings)"
    m = _IDENTIFIER.match(ident)
    if m is None or m.group(1) != kind:
        return f"id {ident!r} is not {kind}--<UUID>"
    validator = validators().get(kind)
    obj = _tlp_level_lowercased(obj)
    if validator is not None and not validator.is_valid(obj):   # is_valid first: it is the cheap path
        for error in validator.iter_errors(obj):
            where = "/".join(str(p) for p in error.instance_path)
            message = error.message
            if message.startswith(("{", "[")) and " is not valid under any of the " in message:
                # the schema's own text starts with the whole value; say what is wrong instead
                message = "does not match any of the forms STIX 2.1 allows here"
                inst = getattr(error, "instance", None)
                if isinstance(inst, dict) and isinstance(inst.get("type"), str) and "id" not in inst:
                    # the OASIS schema's cyber-observable core requires `id`, in observed-data's
                    # deprecated embedded `objects` map too (STIX 2.1 §3.1, §6)
                    message += (f": this {inst['type']} object has no id; STIX 2.1 requires one on every "
                                f"object, also inside observed-data's objects ({inst['type']}--<UUID>)")
            elif len(message) > 300:
                message = message[:300] + "…"
            return f"{where + ': ' if where else ''}{message}"
    # the schemas take any identifier here; the gate reads the TLP from these, so they must be markings
    refs = obj.get("object_marking_refs", [])
    if not isinstance(refs, list) or not all(isinstance(r, str) and r.startswith("marking-definition--")
                                             for r in refs):
        return "object_marking_refs: every entry must be a marking-definition id"
    return None  # valid, or a type the schemas do not know (the gate escalates it)
