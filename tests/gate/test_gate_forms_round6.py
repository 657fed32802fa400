"""Forms the sixth attack found allowed and the gate reads now (docs/gate.md, "Sixth round"): a
person's name in Arabic, Hebrew, Chinese, Japanese or Korean script in any text (a STIX `name`, a
file name, a label), Turkish street addresses and postcodes, and a given name glued to a surname in
CamelCase (`CV JohnSmith 2025.docm`). Each is planted in STIX (`name` of a non-actor object, a
custom property, a pattern) and MISP: the gate does not allow it, names the object and the property,
and the stripped payload no longer holds the value; clean look-alikes still go."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gate_util import bundle, indicator, raw
from test_gate_forms_round4 import assert_allowed, assert_caught, plant_misp, plant_stix
from wivcheck.engine import Engine, load_library
from wivcheck.engine.gate import name_gazetteer
from wivcheck.engine.gate.personal_text import scan


@pytest.fixture(scope="module")
def engine():
    return Engine(load_library())


SCRIPT_NAMES = ["محمد عبد الله العتيبي", "علی رضایی", "יוסי כהן", "田中太郎", "김민준"]
TURKISH = ["Atatürk Cad. No:15 Daire 3, Kadıköy/İstanbul", "Bağdat Caddesi No. 5, Kadıköy", "Kemal Sk. 12",
           "Gazi Mustafa Kemal Bulvarı No: 101", "Merkez, 34710 Kadıköy/İstanbul"]
CAMEL = ["CV JohnSmith 2025.docm", "Scan AhmetYilmaz paspoort.pdf", "Sollicitatie MariaGarcia.docx"]


def _named_infrastructure(name: str) -> tuple[dict, str, str]:
    """An infrastructure object whose `name` (not running text, not an actor's) holds `name`."""
    obj = raw("infrastructure", name=name, infrastructure_types=["command-and-control"])
    return bundle(indicator(), obj), obj["id"], "name"


@pytest.mark.parametrize("name", SCRIPT_NAMES)
def test_a_name_in_another_script_is_read_in_a_name_property(engine, name):
    doc, key, prop = _named_infrastructure(name)
    assert_caught(engine, doc, key, prop, name)


@pytest.mark.parametrize("name", SCRIPT_NAMES)
@pytest.mark.parametrize("where", ["custom", "pattern"])
def test_a_name_in_another_script_is_read_wherever_text_is(engine, name, where):
    doc, key, prop = plant_stix(where, name)
    assert_caught(engine, doc, key, prop, name)


@pytest.mark.parametrize("name", SCRIPT_NAMES[:3])
@pytest.mark.parametrize("where", ["attribute", "object", "proposal"])
def test_a_name_in_another_script_is_read_in_misp(engine, name, where):
    doc, key, prop = plant_misp(where, name)
    assert_caught(engine, doc, key, prop, name)


@pytest.mark.parametrize("address", TURKISH)
@pytest.mark.parametrize("where", ["description", "custom", "nested"])
def test_a_turkish_address_is_read(engine, address, where):
    doc, key, prop = plant_stix(where, address)
    assert_caught(engine, doc, key, prop, address)


@pytest.mark.parametrize("address", TURKISH[:2])
def test_a_turkish_address_is_read_in_misp(engine, address):
    doc, key, prop = plant_misp("comment", address)
    assert_caught(engine, doc, key, prop, address)


@pytest.mark.parametrize("file_name", CAMEL)
@pytest.mark.parametrize("where", ["observed", "pattern", "custom"])
def test_a_camelcase_name_in_a_file_name_with_spaces_is_read(engine, file_name, where):
    doc, key, prop = plant_stix(where, file_name)
    assert_caught(engine, doc, key, prop, file_name)


CLEAN = ["Infrastructure of Lazarus Group", "مجموعة لازاروس استخدمت برنامجا ضارا", "该组织使用了新的后门程序",
         "TeamViewer session from MarkMonitor range", "DanaBot and CobaltStrike loaders", "SamSam ransomware",
         "PowerShell script run by WannaCry", "The campaign used No: 5 servers", "Sample 2025 Emotet/Trickbot",
         "PinchDuke, CosmicDuke and GoldMax", "IsaacWiper and HermeticWiper hit Kyiv"]


@pytest.mark.parametrize("text", CLEAN)
def test_clean_look_alikes_go(engine, text):
    obj = raw("malware", name=text, is_family=True, description=f"Seen on 2025-03-01: {text}.")
    assert_allowed(engine, bundle(indicator(), obj))


@given(st.sampled_from(sorted(w for w in name_gazetteer.given_names() if w.isascii() and w.isalpha()
                              and len(w) > 2 and w not in name_gazetteer.common_words())),
       st.sampled_from(sorted(w for w in name_gazetteer.surnames() if w.isascii() and w.isalpha()
                              and len(w) > 3 and w not in name_gazetteer.common_words())))
@settings(max_examples=150, deadline=None)
def test_any_known_given_name_glued_to_a_known_surname_is_read(given_name, surname):
    from wivcheck.engine.gate.joined_names import _NOT_SURNAMES, _product_words
    from wivcheck.engine.gate.person_names import _GROUP_WORDS
    if given_name == surname or {given_name, surname} & (_GROUP_WORDS | _NOT_SURNAMES | _product_words()):
        return
    text = f"Bewijs {given_name.capitalize()}{surname.capitalize()} 2025.pdf"
    assert any("name" in f.what for f in scan(text)), text


@pytest.mark.parametrize("path", ["GET /api/users/list HTTP/1.1", "https://c2.example/home/index.php",
                                  "hxxp://panel.example/admin/users/edit?id=3"])
def test_a_web_path_through_users_or_home_is_no_home_folder(engine, path):
    assert not any("home folder" in f.what for f in scan(path))
    obj = raw("malware", name="loader", is_family=True, description=f"The panel answers {path}.")
    assert_allowed(engine, bundle(indicator(), obj))


@pytest.mark.parametrize("path", ["/home/jdevries/.ssh/id_rsa", "file:///home/jan/notes.txt", "cd '/Users/pieter/Library'",
                                  "C:\\Users\\jdevries\\AppData", "HOME=/home/kees"])
def test_a_home_folder_where_a_path_starts_is_read(path):
    assert any("home folder" in f.what for f in scan(path)), path
