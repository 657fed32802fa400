"""Reading every part of a STIX 2.1 bundle: patterns by their grammar, embedded observed-data,
markings (object, granular, canonical ids, statements), timestamps, versions, and persons wherever
they hide. Each test builds new forms of a kind the field found, not the handed file."""

from __future__ import annotations

import json

import pytest
import stix2

from gate_util import TS, blocked, bundle, envelope, indicator, raw, run, statement, tlp2
from wivcheck.engine import Engine, load_library
from wivcheck.engine.gate import PayloadError, read_stix
from wivcheck.engine.gate import stix_patterns
from wivcheck.engine.gate.items import PERSONAL, POSSIBLE, UNKNOWN


@pytest.fixture(scope="module")
def engine():
    return Engine(load_library())


def item(obj, *others):
    """The gate's item for obj, read in a bundle with the others."""
    payload = read_stix(bundle(*others, obj))
    return next(it for it in payload.items if it.id == obj["id"])


# -- patterns -----------------------------------------------------------------------------------------

@pytest.mark.parametrize("pattern,personal", [
    ("[domain-name:value = 'c2.evil.example' OR email-addr:value = 'x@mail.example']", True),
    ("[email-addr:value = 'x@mail.example' AND domain-name:value = 'c2.evil.example']", True),
    ("[domain-name:value = 'a.example'] AND [ipv4-addr:value = '198.51.100.1'] FOLLOWEDBY "
     "[user-account:account_login = 'jdoe']", True),
    ("([domain-name:value = 'a.example'] OR [url:value = 'http://a.example/x']) WITHIN 600 SECONDS", False),
    ("[email-message:from_ref.value = 'boss@corp.example']", True),
    ("[email-message:to_refs[*].value MATCHES '^.+@corp\\\\.example$']", True),
    ("[domain-name:resolves_to_refs[*].value = '198.51.100.7']", False),
    ("[network-traffic:dst_ref.value ISSUBSET '198.51.100.0/24'] REPEATS 3 TIMES", False),
    ("[process:creator_user_ref.account_login = 'svc']", True),
    ("[url:value = 'https://evil.example/?to=jan.devries@mail.example']", True),
    ("[file:name = 'invoice.pdf' AND file:hashes.'SHA-256' = "
     "'aec070645fe53ee3b3763059376134f058cc337247c978add178b6ccdfb0019f'] START t'2025-01-01T00:00:00Z' "
     "STOP t'2025-02-01T00:00:00Z'", False),
])
def test_every_comparison_counts(engine, pattern, personal):
    it = item(indicator(pattern))
    assert it.personal is personal, [f.text() for f in it.findings]
    r = run(engine, bundle(indicator(pattern)))
    assert (r.decision.decision == "allow") is not personal


def test_pattern_paths_through_references_give_the_target_categories():
    it = item(indicator("[domain-name:resolves_to_refs[*].value = '198.51.100.7']"))
    assert it.categories == {"domain_names", "ip_addresses"}
    it = item(indicator("[email-message:from_ref.value = 'a@corp.example']"))
    assert "email_addresses" in it.categories and any("from_ref" in f.prop for f in it.of_kind(PERSONAL))


def test_pattern_on_a_type_or_reference_the_gate_cannot_follow_escalates(engine):
    it = item(indicator("[mutex:name = 'Global\\\\abc']"))
    assert it.of_kind(UNKNOWN) and "mutex" in it.of_kind(UNKNOWN)[0].what
    it = item(indicator("[x-acme-thing:owner_ref.value = 'q']"))
    assert it.of_kind(UNKNOWN)


@pytest.mark.parametrize("pattern,needle", [
    ("[domain-name:value = 'x'", "mismatched input"),
    ("[domain-name:value = 'x'] AND", "1:"),
    ("[file:hashes.'SHA-256' = 'abc']", "not a valid SHA-256 hash"),
    ("[domain-name:value = 'x'] WITHIN 5 SECONDS WITHIN 6 SECONDS", "Duplicate qualifier"),
    ("[domain-name:value = 'x'] START t'2025-02-29T00:00:00Z' STOP t'2025-03-01T00:00:00Z'", "February 2025"),
    ("[file:name = 'a\\qb']", "1:"),
])
def test_a_pattern_the_grammar_rejects_is_an_error_naming_the_object(pattern, needle):
    obj = raw("indicator", pattern=pattern, pattern_type="stix", valid_from="2025-01-01T00:00:00Z")
    with pytest.raises(PayloadError) as exc:
        read_stix(bundle(obj))
    assert exc.value.where == obj["id"] and "pattern" in exc.value.message and needle in exc.value.message


def test_patterns_of_one_shape_are_parsed_once_and_read_right():
    stix_patterns.clear_cache()
    readings = [stix_patterns.read(f"[domain-name:value = 'd{i}.example' OR email-addr:value = 'u{i}@x.example']")
                for i in range(50)]
    assert len(stix_patterns._shapes) == 1
    assert readings[7].comparisons[1].text_values() == ["u7@x.example"]
    quoted = stix_patterns.read("[file:name = 'it\\'s' AND file:hashes.'SHA-1' = "
                                "'2fd4e1c67a2d28fced849ee1bb76e7391b93eb12']")
    assert quoted.comparisons[0].text_values() == ["it's"]
    assert quoted.comparisons[1].path == ("hashes", "SHA-1")


def test_a_non_stix_pattern_escalates_and_its_text_is_still_scanned(engine):
    yara = raw("indicator", pattern='rule x { meta: author = "jan.devries@mail.example" strings: $a = "x" '
                                    'condition: $a }', pattern_type="yara", valid_from="2025-01-01T00:00:00Z")
    it = item(yara)
    assert it.of_kind(UNKNOWN) and it.personal


# -- observed-data, markings ----------------------------------------------------------------------------

def test_observed_data_with_embedded_objects_is_read(engine):
    od = raw("observed-data", first_observed=TS, last_observed=TS, number_observed=1,
             objects={"0": {"type": "email-addr", "spec_version": "2.1", "value": "x@corp.example",
                            "id": "email-addr--2f1bfd67-85fa-4f9c-a219-4eb8ad869ceb"},
                      "1": {"type": "domain-name", "spec_version": "2.1", "value": "c2.evil.example",
                            "id": "domain-name--2f1bfd67-85fa-4f9c-a219-4eb8ad869cec"}})
    it = item(od)
    assert it.categories >= {"email_addresses", "domain_names"} and it.personal
    assert any(f.prop.startswith("objects.0") for f in it.of_kind(PERSONAL))
    assert blocked(run(engine, bundle(indicator(), od))) == {od["id"]: "deny"}


def test_a_granular_red_marking_makes_its_object_red(engine):
    ind = indicator()
    ind["granular_markings"] = [{"marking_ref": stix2.TLP_RED.id, "selectors": ["description"]}]
    ind["description"] = "seen at a victim"
    assert item(ind).tlp == "RED"
    r = run(engine, bundle(ind), envelope(tlp="GREEN"))
    assert r.decision.decision == "deny"
    two = tlp2("red")
    ind2 = indicator()
    ind2["granular_markings"] = [{"marking_ref": two["id"], "selectors": ["pattern"]}]
    assert item(ind2, two).tlp == "RED"


def test_tlp_on_metadata_counts_a_red_report_is_red(engine):
    ind = indicator()
    report = raw("report", name="Campaign", published=TS, object_refs=[ind["id"]],
                 object_marking_refs=[stix2.TLP_RED.id])
    r = run(engine, bundle(ind, report))
    assert r.provision.data.tlp == "RED" and r.decision.decision == "escalate"
    assert blocked(r) == {report["id"]: "escalate"}


def test_redefining_a_canonical_tlp_id_is_an_error():
    fake = {"type": "marking-definition", "spec_version": "2.1", "id": stix2.TLP_RED.id, "created": TS,
            "definition_type": "tlp", "definition": {"tlp": "white"}, "name": "TLP:WHITE"}
    with pytest.raises(PayloadError) as exc:
        read_stix(bundle(fake, indicator(marking=stix2.TLP_RED)))
    assert exc.value.where == stix2.TLP_RED.id and "canonical" in exc.value.message
    same = json.loads(stix2.TLP_RED.serialize())          # restating it as it is is fine
    assert read_stix(bundle(same, indicator(marking=stix2.TLP_RED)))


def test_statement_and_other_markings_do_not_make_objects_unknown(engine):
    s = statement()
    ind = indicator()
    ind["object_marking_refs"] = [stix2.TLP_GREEN.id, s["id"]]
    it = item(ind, s)
    assert not it.of_kind(UNKNOWN) and it.tlp == "GREEN"
    assert run(engine, bundle(s, ind)).decision.decision == "allow"


def test_a_marking_that_resolves_to_nothing_escalates_naming_the_property():
    ind = indicator()
    ind["object_marking_refs"].append("marking-definition--0b5bf3d5-3a5c-4f0a-9a53-2b6c3f0c7e11")
    f = item(ind).of_kind(UNKNOWN)
    assert f and f[0].prop == "object_marking_refs[1]"


# -- timestamps, versions ---------------------------------------------------------------------------

@pytest.mark.parametrize("prop,value,needle", [
    ("created", "2025-02-29T00:00:00.000Z", "February 2025 has 28 days"),
    ("modified", "2025-04-31T00:00:00.000Z", "April 2025 has 30 days"),
    ("created", "2024-12-31T23:59:60.000Z", "second 60"),
    ("valid_until", "2024-12-31T00:00:00Z", "lies before valid_from"),
    ("valid_until", "2025-01-01T00:00:00Z", "not at the same instant"),
])
def test_timestamps_are_real_and_ordered(prop, value, needle):
    ind = indicator()
    ind[prop] = value
    if prop == "created":
        ind["modified"] = "2025-03-01T00:00:00.000Z"
    with pytest.raises(PayloadError) as exc:
        read_stix(bundle(ind))
    assert exc.value.where == ind["id"] and prop in exc.value.message and needle in exc.value.message


def test_modified_before_created_is_an_error():
    ind = indicator()
    ind["created"], ind["modified"] = "2025-03-02T00:00:00.000Z", "2025-03-01T00:00:00.000Z"
    with pytest.raises(PayloadError, match="modified: .* lies before created"):
        read_stix(bundle(ind))


def test_a_leap_day_in_a_leap_year_is_fine():
    ind = indicator()
    ind["created"] = ind["modified"] = "2024-02-29T12:00:00.000Z"
    assert read_stix(bundle(ind))


def test_duplicate_ids_are_versions_decided_each(engine):
    old = indicator("[domain-name:value = 'a.example' OR email-addr:value = 'x@corp.example']")
    old["created"] = old["modified"] = "2025-03-01T00:00:00.000Z"
    new = dict(old, modified="2025-06-01T00:00:00.000Z", pattern="[domain-name:value = 'a.example']")
    r = run(engine, bundle(old, new))
    keys = [o.id for o in r.objects]
    assert keys == [f"{old['id']}@{old['modified']}", f"{old['id']}@2025-06-01T00:00:00.000Z"]
    assert blocked(r) == {keys[0]: "deny"}
    assert r.remove == [keys[0]]
    kept = r.stripped["objects"]
    assert len(kept) == 1 and kept[0]["modified"] == "2025-06-01T00:00:00.000Z"


# -- persons wherever they hide -----------------------------------------------------------------------

@pytest.mark.parametrize("props,kind", [
    ({"name": "Anna de Boer"}, POSSIBLE),                                      # no class at all
    ({"name": "Anna de Boer", "identity_class": "Individual"}, PERSONAL),      # not exactly, but a person
    ({"name": "A. de Boer", "identity_class": "unspecified"}, POSSIBLE),
    ({"name": "A. de Boer", "identity_class": "unknown"}, POSSIBLE),
    ({"name": "Jan Jansen", "identity_class": "individual"}, PERSONAL),
    ({"name": "Jansen Installatietechniek", "identity_class": "organization",
      "contact_information": "j.jansen@installatie.example"}, PERSONAL),      # a person's contact data
    ({"name": "Pieter Bakker", "identity_class": "organization"}, POSSIBLE),   # a one-person business?
    ({"name": "ACME", "identity_class": "organization", "contact_information": "call +31 6 1234 5678"}, PERSONAL),
])
def test_identities_that_may_be_persons(props, kind):
    it = item(raw("identity", **props))
    assert it.of_kind(kind), [f.text() for f in it.findings]


def test_an_organisation_with_a_role_mailbox_is_not_a_person(engine):
    org = raw("identity", name="ACME Hosting", identity_class="organization",
              contact_information="abuse@acme.example, soc@acme.example")
    assert not item(org).findings


def test_locations_with_a_street_address_or_a_building_are_persons_data():
    assert item(raw("location", street_address="Kerkstraat 1", city="Ergens", country="NL")).of_kind(PERSONAL)
    assert item(raw("location", latitude=52.37402, longitude=4.88969)).of_kind(POSSIBLE)
    assert not item(raw("location", country="NL", region="europe")).findings


@pytest.mark.parametrize("kind,props,prop", [
    ("threat-actor", {"name": "Ivan Petrov", "threat_actor_types": ["criminal"]}, "name"),
    ("threat-actor", {"name": "Wizard Spider", "aliases": ["Grim Spider", "Maksim Yakubets"]}, "aliases[1]"),
    ("intrusion-set", {"name": "APT-X", "aliases": ["Jan van der Berg"]}, "aliases[0]"),
    ("threat-actor", {"name": "Lone Wolf", "resource_level": "individual"}, "resource_level"),
])
def test_actor_names_and_aliases_that_may_name_a_person(kind, props, prop):
    it = item(raw(kind, **props))
    assert prop in {f.prop for f in it.findings if f.kind in (PERSONAL, POSSIBLE)}


def test_group_codenames_are_not_persons():
    for name in ("APT28", "Fancy Bear", "Sandworm Team", "Lazarus Group", "Volt Typhoon", "Turla"):
        assert not item(raw("intrusion-set", name=name)).findings, name


@pytest.mark.parametrize("prop,value,kind", [
    ("x_acme_contributors", ["Jan Jansen, ACME"], PERSONAL),       # the property's name says: persons
    ("x_mitre_contributors", ["Someone Else"], PERSONAL),
    ("x_acme_analyst_email", "an.alyst@acme.example", PERSONAL),
    ("x_acme_notes", "phoned +31 6 1234 5678 about it", PERSONAL),
    ("x_acme_reporter", "Piet", PERSONAL),
    ("x_acme_victim", "Piet", POSSIBLE),                            # the older, wider x_ hints
    ("x_acme_owner", "Acme B.V.", POSSIBLE),                        # a role an organisation may fill
])
def test_custom_properties_about_persons(prop, value, kind):
    ind = indicator()
    ind[prop] = value
    assert prop in {f.prop.split("[")[0] for f in item(ind).of_kind(kind)}


@pytest.mark.parametrize("prop,value", [
    ("description", "Phishing sent by j.devries[at]mail[.]example to staff."),
    ("name", "C2 of mark.jansen@mail.example"),
    ("description", "Actor reachable on 06-12345678."),
    ("description", "Paid with card 4111 1111 1111 1111."),
])
def test_free_text_is_scanned_for_personal_identifiers(engine, prop, value):
    ind = indicator()
    ind[prop] = value
    it = item(ind)
    assert it.personal and prop in {f.prop for f in it.of_kind(PERSONAL)}
    assert blocked(run(engine, bundle(ind))) == {ind["id"]: "deny"}


def test_notes_and_opinions_name_their_authors(engine):
    ind = indicator()
    note = raw("note", content="Confirmed by our analyst.", authors=["Jan Jansen"], object_refs=[ind["id"]])
    r = run(engine, bundle(ind, note))
    assert blocked(r) == {note["id"]: "deny"}
    assert r.remove == [note["id"]] and r.may_go_stripped


def test_external_references_and_kill_chain_text_are_read():
    ind = indicator()
    ind["external_references"] = [{"source_name": "blog", "description": "mail henk@blog.example for the sample"}]
    assert item(ind).personal


def test_timestamps_inside_embedded_objects_and_extensions_are_checked():
    od = raw("observed-data", first_observed=TS, last_observed=TS, number_observed=1,
             objects={"0": {"type": "file", "spec_version": "2.1", "name": "a.exe",
                            "id": "file--2f1bfd67-85fa-4f9c-a219-4eb8ad869ced",
                            "ctime": "2023-02-29T10:00:00.000Z"}})
    with pytest.raises(PayloadError) as exc:
        read_stix(bundle(od))
    assert exc.value.where == od["id"] and exc.value.message.startswith("objects.0.ctime: ")
    assert "February 2023 has 28 days" in exc.value.message
