"""The removal set closed over references, and the stripped payload: valid STIX with no reference
left dangling, decided again, and a clean newer version of a stripped object kept."""

from __future__ import annotations

import pytest
import stix2

from gate_util import TS, bundle, indicator, raw, run
from wivcheck.engine import Engine, load_library
from wivcheck.engine.gate import read_stix, stix_schema

PUBLISHED = "2025-03-01T00:00:00Z"


@pytest.fixture(scope="module")
def engine():
    return Engine(load_library())


def dangling(doc: dict) -> list[str]:
    ids = {o["id"] for o in doc["objects"]}
    bad = []

    def walk(v, where):
        if isinstance(v, dict):
            for k, x in v.items():
                if k in ("object_marking_refs", "granular_markings"):
                    continue
                if k.endswith("_ref") and isinstance(x, str) and x not in ids:
                    bad.append(f"{where}.{k}")
                elif k.endswith("_refs") and isinstance(x, list):
                    bad.extend(f"{where}.{k}" for r in x if r not in ids)
                else:
                    walk(x, where)
        elif isinstance(v, list):
            for x in v:
                walk(x, where)
    for o in doc["objects"]:
        walk(o, o["id"])
    return bad


def test_every_kind_of_reference_is_closed(engine):
    ind = indicator()
    person = raw("identity", name="Kees Smit", identity_class="individual")
    email = raw("email-addr", value="k.smit@mail.example")
    mal = raw("malware", name="x", is_family=False, created_by_ref=person["id"])
    rel1 = raw("relationship", relationship_type="indicates", source_ref=ind["id"], target_ref=mal["id"])
    rel2 = raw("relationship", relationship_type="related-to", source_ref=email["id"], target_ref=ind["id"])
    rel_on_rel = raw("note", content="about the link", object_refs=[rel2["id"]])
    sight = raw("sighting", sighting_of_ref=ind["id"], where_sighted_refs=[person["id"]])
    sight_of = raw("sighting", sighting_of_ref=email["id"])
    report = raw("report", name="r", published=PUBLISHED, object_refs=[ind["id"], email["id"], person["id"]])
    only = raw("report", name="only", published=PUBLISHED, object_refs=[email["id"]])
    group = raw("grouping", context="suspicious-activity", object_refs=[email["id"], mal["id"]])
    note = raw("note", content="see", object_refs=[person["id"]])
    od = raw("observed-data", first_observed=TS, last_observed=TS, number_observed=1,
             object_refs=[email["id"]])
    r = run(engine, bundle(ind, person, email, mal, rel1, rel2, rel_on_rel, sight, sight_of, report, only, group,
                           note, od))
    assert r.may_go_stripped, r.remove_note
    action = {d["id"]: d["action"] for d in r.dependents}
    assert action == {rel2["id"]: "removed", rel_on_rel["id"]: "removed", sight_of["id"]: "removed",
                      only["id"]: "removed", note["id"]: "removed", od["id"]: "removed",
                      mal["id"]: "edited", sight["id"]: "edited", report["id"]: "edited", group["id"]: "edited"}
    kept = {o["id"]: o for o in r.stripped["objects"]}
    assert set(kept) == {ind["id"], mal["id"], rel1["id"], sight["id"], report["id"], group["id"]}
    assert "created_by_ref" not in kept[mal["id"]] and "where_sighted_refs" not in kept[sight["id"]]
    assert kept[report["id"]]["object_refs"] == [ind["id"]] and kept[group["id"]]["object_refs"] == [mal["id"]]
    assert dangling(r.stripped) == []
    assert all(stix_schema.problem(o) is None for o in r.stripped["objects"])
    assert set(r.remove) == {person["id"], email["id"], rel2["id"], rel_on_rel["id"], sight_of["id"], only["id"],
                             note["id"], od["id"]}
    assert run(engine, r.stripped).decision.decision == "allow"
    # the original is untouched
    assert len(read_stix(bundle(ind, person)).doc["objects"]) == 2


def test_a_clean_newer_version_stays_and_keeps_its_references(engine):
    old = indicator("[domain-name:value = 'a.example' OR email-addr:value = 'x@corp.example']")
    old["created"] = old["modified"] = "2025-03-01T00:00:00.000Z"
    new = dict(old, modified="2025-06-01T00:00:00.000Z", pattern="[domain-name:value = 'a.example']")
    rep = raw("report", name="r", published=PUBLISHED, object_refs=[old["id"]])
    r = run(engine, bundle(old, new, rep))
    assert r.may_go_stripped and r.dependents == []
    kept = {(o["id"], o.get("modified")) for o in r.stripped["objects"]}
    assert (old["id"], "2025-06-01T00:00:00.000Z") in kept and (rep["id"], rep["modified"]) in kept


def test_marking_definitions_are_never_stripped(engine):
    bad = stix2.MarkingDefinition(definition_type="statement",
                                  definition={"statement": "Questions to jan.devries@mail.example"})
    ind = indicator()
    ind["object_marking_refs"] = [stix2.TLP_AMBER.id, bad.id]
    r = run(engine, bundle(bad, ind))
    assert r.decision.decision == "deny" and r.remove is None and "cannot be stripped" in r.remove_note


def test_when_the_rest_is_not_allowed_there_is_no_removal_set(engine):
    from gate_util import envelope
    email = raw("email-addr", value="x@corp.example")
    two = [indicator(f"[domain-name:value = 'd{i}.example']") for i in range(2)]
    r = run(engine, bundle(*two, email), envelope(volume=1))
    assert r.remove is None and "not allowed either" in r.remove_note
    assert r.stripped_decision is not None and r.stripped_decision.decision == "deny"
    r = run(engine, bundle(email))
    assert r.remove is None and "nothing that may go" in r.remove_note
