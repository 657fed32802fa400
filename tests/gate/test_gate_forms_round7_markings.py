"""TLP:RED through the forms the seventh attack found allowed (docs/gate.md, "Seventh round:
markings and keys"): a statement `TLP.RED`; the colour in other languages (`TLP:ROOD`, `TLP-ROT`);
look-alike Cyrillic or Greek letters (`ТLР:RED`, MISP tag `tІp:red`); `RED (TLP)` and spaced-out
letters; FIRST IEP's `definition.tlp`; custom properties about sharing (`x_acme_traffic_light`,
`x_sharing.traffic_light_protocol`, `x_acme_handling.sharing_level`), on the object or its marking
definition. And a key that is itself a value (`{"jan@…": 4}`) is never repeated in the answer."""

from __future__ import annotations

import json
import uuid

import pytest
import stix2
from hypothesis import given, settings
from hypothesis import strategies as st

from gate_util import bundle, indicator, misp_doc, misp_event, raw, run, statement
from wivcheck.engine import Engine, load_library
from wivcheck.engine.gate import markings
from wivcheck.engine.gate.stix_read import read_stix


@pytest.fixture(scope="module")
def engine():
    return Engine(load_library())


def _red(r) -> bool:
    return "gate.tlp-red-private" in {x.rule for x in r.decision.reasons} and r.decision.decision != "allow"


LABELS = ["TLP.RED", "TLP:ROOD - alleen voor de genoemde ontvangers", "Rubricering: TLP-ROOD", "TLP:ROT – nur intern",
          "TLP: ROUGE", "ТLР:RED. Do not share.", "Handling: RED (TLP) – recipients only", "T L P : R E D",
          "tІp:red"]


@pytest.mark.parametrize("text", LABELS)
def test_a_statement_with_the_label_makes_its_objects_red(engine, text):
    mark = statement(text)
    obj = raw("malware", name="loader", is_family=True)
    obj["object_marking_refs"] = [stix2.TLP_AMBER.id, mark["id"]]
    r = run(engine, bundle(mark, indicator(), obj))
    assert _red(r) and obj["id"] in {o.id for o in r.objects if o.decision not in ("allow", "metadata")}


@pytest.mark.parametrize("text", LABELS)
def test_the_label_in_a_description_makes_its_object_red(engine, text):
    obj = raw("malware", name="loader", is_family=True, description=text)
    r = run(engine, bundle(indicator(), obj))
    assert _red(r) and r.may_go_stripped and text not in json.dumps(r.stripped, ensure_ascii=False)


@pytest.mark.parametrize("info", ["[TLP:ROOD] Phishing campaign", "TLP: ROT – nur für den internen Gebrauch"])
def test_the_label_in_a_misp_info_makes_the_event_red(engine, info):
    doc = misp_doc(misp_event("tlp:amber"))
    doc["Event"]["info"] = info
    r = run(engine, doc)
    assert _red(r) and r.provision.data.tlp == "RED"


@pytest.mark.parametrize("tag", ["tІp:red", "ТLP:RED", "tlp:rood", "ΤLΡ:RED"])
def test_a_misp_tag_with_look_alike_letters_or_another_language_is_red(engine, tag):
    doc = misp_doc(misp_event("tlp:green"))
    doc["Event"]["Attribute"][0]["Tag"] = [{"name": tag}]
    r = run(engine, doc)
    assert _red(r)


def test_an_iep_marking_with_tlp_red_is_red(engine):
    iep = {"type": "marking-definition", "spec_version": "2.1", "id": f"marking-definition--{uuid.uuid4()}",
           "created": "2025-02-01T10:00:00.000Z", "name": "ACME IEP", "definition_type": "iep",
           "definition": {"tlp": "RED", "encrypt_in_transit": "MUST"}}
    obj = raw("malware", name="loader", is_family=True)
    obj["object_marking_refs"] = [iep["id"]]
    assert _red(run(engine, bundle(iep, indicator(), obj)))


@pytest.mark.parametrize("custom", [{"x_acme_traffic_light": "RED"}, {"x_sharing": {"traffic_light_protocol": "RED"}},
                                    {"x_acme_handling": {"sharing_level": "RED", "distribution": "named recipients"}},
                                    {"x_classification": "TLP:ROOD"}, {"x_acme": {"handling": {"tlp": "red"}}}])
def test_a_custom_property_about_sharing_that_says_red_makes_the_object_red(engine, custom):
    obj = raw("malware", name="loader", is_family=True, **custom)
    assert _red(run(engine, bundle(indicator(), obj)))


def test_a_custom_property_on_the_marking_definition_makes_its_objects_red(engine):
    mark = statement("Copyright ACME")
    mark["x_acme_traffic_light"] = "RED"
    obj = raw("malware", name="loader", is_family=True)
    obj["object_marking_refs"] = [mark["id"]]
    assert _red(run(engine, bundle(mark, indicator(), obj)))


@pytest.mark.parametrize("text", ["Tip: red flags in the logs", "Rot13 encoded strings", "TLP:ROTTERDAM office",
                                  "the traffic light turned red", "TLP:AMBER", "tlp:redacted", "RED team exercise",
                                  "rotated keys (TLP:GREEN)"])
def test_no_red_label_where_there_is_none(text):
    assert not markings.text_says_red(text)


@pytest.mark.parametrize("custom", [{"x_mitre_domains": ["enterprise-attack"]}, {"x_acme_color": "red"},
                                    {"x_sharing": {"allowed": True, "level": "GREEN"}}, {"x_opencti_score": 80}])
def test_custom_properties_that_do_not_say_red_leave_the_object_as_it_is(custom):
    obj = raw("malware", name="loader", is_family=True, **custom)
    tlp = {it.key: it.tlp for it in read_stix(bundle(indicator(), obj)).items}
    assert tlp[obj["id"]] in ("AMBER", "GREEN")


@given(st.sampled_from(markings.RED_WORDS), st.sampled_from([":", "-", " ", ".", "=", "/"]),
       st.text(alphabet="abc .,;", max_size=15))
@settings(max_examples=120, deadline=None)
def test_tlp_then_red_in_any_partner_language_is_read(red, sep, after):
    assert markings.text_says_red(f"TLP{sep}{red.upper()} {after}")


# -- a key that is itself a value is never repeated ------------------------------------------------

@pytest.mark.parametrize("key", ["jan.devries@gmail.com", "+31 6 12345678", "Jan de Vries"])
def test_a_key_holding_personal_data_is_shown_as_key(engine, key):
    obj = raw("sighting", sighting_of_ref=f"malware--{uuid.uuid4()}", x_by_mailbox={key: 3})
    r = run(engine, bundle(indicator(), obj))
    shown = json.dumps([o.findings for o in r.objects] + [x.model_dump(mode="json") for x in r.decision.reasons],
                       ensure_ascii=False)
    assert r.decision.decision != "allow"
    assert key not in shown and "<key>" in shown


def test_a_key_holding_personal_data_in_misp_is_shown_as_key(engine):
    doc = misp_doc(misp_event("tlp:amber"))
    doc["Event"]["Attribute"][0]["x_seen_by"] = {"jan.devries@gmail.com": 2}
    r = run(engine, doc)
    shown = json.dumps([o.findings for o in r.objects], ensure_ascii=False)
    assert r.decision.decision != "allow" and "jan.devries@gmail.com" not in shown and "<key>" in shown


# -- the eighth attack's TLP:RED forms -------------------------------------------------------------------

EIGHTH = ["TLP|RED", "TLP — RED", "TLP v2.0: RED", "TLP&#58;RED", "TLP:ROȘU", "TLP:AMBER/RED", "TLP;RED", "TLP,RED",
          "TLP::RED", "TLP~RED", "TLP(RED)", "TLP[RED]", "TLP–RED", "TLP: **RED**", "TLP:<b>RED</b>", "TLP%3ARED",
          "T.L.P. RED", "Traffic Light Protocol (TLP): RED", "TLP2:RED", "(TLP) RED", "TLP level red",
          "TLP color: red", "TLP:ΚΟΚΚΙΝΟ", "TLP:PIROS", "ТЛП:КРАСНЫЙ", "TLP:红色"]


@pytest.mark.parametrize("text", EIGHTH)
def test_more_ways_of_writing_the_label_in_a_description(engine, text):
    obj = raw("malware", name="loader", is_family=True, description=text)
    assert _red(run(engine, bundle(indicator(), obj))), text


@pytest.mark.parametrize("text", ["TLP|RED", "TLP — RED", "TLP&#58;RED"])
def test_more_ways_of_writing_the_label_in_a_statement(engine, text):
    mark = statement(text)
    obj = raw("malware", name="loader", is_family=True)
    obj["object_marking_refs"] = [mark["id"]]
    assert _red(run(engine, bundle(mark, indicator(), obj)))


@pytest.mark.parametrize("tag", ["TLP‐RED", "tlpv2:red", "tlp2:red", "traffic-light-protocol:red", "tlp∶red", "tlp꞉red",
                                 "ᴛʟᴘ:ʀᴇᴅ"])
def test_more_misp_tags_are_red(engine, tag):
    doc = misp_doc(misp_event("tlp:green"))
    doc["Event"]["Attribute"][0]["Tag"] = [{"name": tag}]
    assert _red(run(engine, doc))


@pytest.mark.parametrize("text", ["tlp: green, red team exercise later", "TLP:CLEAR", "TLP level: amber",
                                  "Tip: red flags", "TLP:ROTTERDAM"])
def test_no_label_in_these(text):
    assert not markings.text_says_red(text)
