"""Forms of personal data the fifth round reads (docs/gate.md, "Fifth round: names in more scripts,
addresses, file names"): persons' names written with initials, in Arabic, Hebrew, Chinese, Japanese
and Korean script and after French, German and Spanish role words. Each is planted in STIX and MISP:
the gate does not allow it, names the object and the property, and the stripped payload no longer
holds the value; clean threat data of the same shape still goes."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gate_util import bundle, indicator, raw
from test_gate_forms_round4 import assert_allowed, assert_caught, plant_misp, plant_stix
from wivcheck.engine import Engine, load_library
from wivcheck.engine.gate import name_gazetteer
from wivcheck.engine.gate.person_names import _GROUP_WORDS
from wivcheck.engine.gate.prose_names import find as _find_in_prose
from wivcheck.engine.gate.prose_names_more import script_name


def find(text: str) -> str | None:
    """A name in running text: the running-text forms, or a name in another script (read in every
    text since the sixth round, `prose_names_more.script_name`)."""
    return _find_in_prose(text) or script_name(text)


@pytest.fixture(scope="module")
def engine():
    return Engine(load_library())


# -- 1. names in running text: initials, other scripts, role words -----------------------------------

# (text, the name in it)
NAMES = [
    ("The domain was registered by J. de Vries of Utrecht in 2023.", "de Vries"),
    ("Registrant according to the WHOIS history: de Vries, J. (Utrecht).", "de Vries, J."),
    ("Payments were traced to J.P. Balkenende-Smit.", "Balkenende-Smit"),
    ("De domeinnaam staat op naam van J.P. de Vries uit Utrecht.", "de Vries"),
    ("The invoice names K. Jansen as the payer.", "K. Jansen"),
    ("Smith, J.P. signed the lease for the server.", "Smith, J.P."),
    ("The domain was registered by Mohammed Al-Otaibi from Riyadh.", "Al-Otaibi"),
    ("قام المشغل محمد عبد الله العتيبي بتسجيل النطاق عبر موزع.", "العتيبي"),
    ("اپراتور علی رضایی دامنه را ثبت کرد.", "رضایی"),
    ("המפעיל יוסי כהן רשם את הדומיין.", "כהן"),
    ("运营者王伟通过经销商注册了该域名。", "王伟"),
    ("该域名的注册人李娜使用了假地址。", "李娜"),
    ("運営者の田中太郎がドメインを登録した。", "田中太郎"),
    ("운영자 김민준이 도메인을 등록했다.", "김민준"),
    ("L'opérateur, Jean-Baptiste Lefèvre, a enregistré le domaine auprès d'un revendeur.", "Lefèvre"),
    ("Le propriétaire du serveur est Mme Claire Dubois.", "Dubois"),
    ("Der Betreiber des Servers, Hans-Peter Weber, wurde ermittelt.", "Weber"),
    ("El propietario del dominio es Sr. Alejandro Gómez.", "Gómez"),
]

THREAT_PROSE = [
    "The U.S. Treasury sanctioned the group; see Fig. 3 and N. Korea's role.",
    "APT28 targeted the U.S. Army. Microsoft, E. (2020) describes the loader.",
    "Le groupe a utilisé un chargeur. L'opérateur du serveur C2 utilise Cobalt Strike.",
    "Die Gruppe nutzte Cobalt Strike. Der Betreiber des Servers ist unbekannt.",
    "El operador del servidor C2 usa Cobalt Strike contra el Gobierno.",
    "该组织使用了新的后门程序，攻击了政府机构。运营者使用了代理服务器。",
    "この攻撃者グループは日本の組織を標的にした。",
    "이 그룹은 한국 정부 기관을 공격했다. 운영자는 알려지지 않았다.",
    "استخدمت المجموعة برنامجا ضارا جديدا ضد الحكومة.",
    "הקבוצה השתמשה בנוזקה חדשה נגד משרדי ממשלה.",
    "گروه از بدافزار جدیدی علیه دولت استفاده کرد.",
]


@pytest.mark.parametrize("text,name", NAMES)
def test_names_in_more_forms_are_found(text, name):
    assert find(text), text


@pytest.mark.parametrize("text", THREAT_PROSE)
def test_threat_prose_in_those_languages_names_no_person(text):
    assert find(text) is None, text


@pytest.mark.parametrize("where", ["description", "custom"])
@pytest.mark.parametrize("text,name", NAMES[::3])
def test_such_a_name_in_stix_is_named_and_stripped(engine, where, text, name):
    doc, key, prop = plant_stix(where, text)
    assert_caught(engine, doc, key, prop, name)


@pytest.mark.parametrize("where", ["attribute", "comment", "report"])
@pytest.mark.parametrize("text,name", NAMES[1::4])
def test_such_a_name_in_misp_is_named_and_stripped(engine, where, text, name):
    doc, key, prop = plant_misp(where, text)
    assert_caught(engine, doc, key, prop, name)


def test_threat_prose_in_those_languages_still_goes(engine):
    objs = [raw("malware", name="loader", is_family=True, description=t) for t in THREAT_PROSE]
    assert_allowed(engine, bundle(indicator(), *objs))


_EAST_SURNAMES = sorted(n for n in name_gazetteer.surnames() if len(n) == 1 and "\u4e00" <= n <= "\u9fff")


@settings(max_examples=60, deadline=None)
@given(st.sampled_from(_EAST_SURNAMES), st.text(alphabet="伟芳娜敏静丽强磊军洋勇艳杰涛明", min_size=1, max_size=2),
       st.sampled_from(["运营者", "注册人", "负责人", "联系人"]))
def test_a_chinese_surname_after_a_role_word_is_a_name(surname, given_name, role):
    assert find(f"该域名的{role}{surname}{given_name}使用了假地址。")


@settings(max_examples=60, deadline=None)
@given(st.sampled_from(sorted(n for n in name_gazetteer.surnames() if n.isascii() and n.isalpha() and len(n) > 3
                              and n not in name_gazetteer.common_words() and n not in _GROUP_WORDS)),
       st.text(alphabet="ABCDEFGHJKLMNPRSTW", min_size=1, max_size=3))
def test_initials_before_any_known_surname_are_a_name(surname, initials):
    dotted = "".join(f"{c}." for c in initials)
    assert find(f"The server was rented by {dotted} {surname.capitalize()} last year.")


# -- 2. false positives: codenames of vendors' naming schemes, a country calling code under `Phone` ------

CODENAMES = ["Earth Lusca", "Earth Akhlut", "Void Rabisu", "Water Curupira", "Crouching Yeti", "Teal Kurma",
             "Anonymous Sudan", "Lord Nemesis", "Agent Racoon", "Guardians of Peace", "Mint Sandstorm",
             "Strontium Group"]
PERSONS = ["Jan de Vries", "Ivan Petrov", "Walter White", "Maksim Yakubets", "Evgeniy Bogachev", "Lord Byron"]


@pytest.mark.parametrize("name", CODENAMES)
def test_vendor_codenames_are_no_persons(name):
    from wivcheck.engine.gate.person_names import may_name_a_person
    assert not may_name_a_person(name)


@pytest.mark.parametrize("name", PERSONS)
def test_persons_names_still_are(name):
    from wivcheck.engine.gate.person_names import may_name_a_person
    assert may_name_a_person(name)


def test_intrusion_sets_with_vendor_codename_aliases_go(engine):
    objs = [raw("intrusion-set", name=n.split()[0] + "Group", aliases=[n]) for n in CODENAMES]
    assert_allowed(engine, bundle(indicator(), *objs))


@pytest.mark.parametrize("name", PERSONS[:4])
def test_a_person_as_an_alias_is_still_named(engine, name):
    obj = raw("intrusion-set", name="Earth Lusca", aliases=["Void Rabisu", name])
    assert_caught(engine, bundle(indicator(), obj), obj["id"], "aliases[1]", name)


def _galaxy_event(phone: object) -> dict:
    from gate_util import misp_doc, misp_event
    doc = misp_doc(misp_event())
    doc["Event"]["Galaxy"] = [{"uuid": "84668357-5a8c-4bdd-9f0f-6b50b253574a", "name": "Country", "type": "country",
                               "GalaxyCluster": [{"uuid": "84668357-5a8c-4bdd-9f0f-6b50b253574b", "type": "country",
                                                  "value": "netherlands", "meta": {"ISO": ["NL"],
                                                                                   "capital": ["Amsterdam"],
                                                                                   "Phone": phone}}]}]
    return doc


@pytest.mark.parametrize("code", [["31"], ["1-876"], "44", [358], ["+32"]])
def test_a_country_calling_code_under_phone_is_no_phone_number(engine, code):
    from gate_util import run
    r = run(engine, _galaxy_event(code))
    assert not any("Phone" in f for o in r.objects for f in o.findings), r.objects


@pytest.mark.parametrize("phone", [["+31 6 12345678"], "0612345678", [31612345678]])
def test_a_phone_number_under_phone_still_is(engine, phone):
    from gate_util import run
    r = run(engine, _galaxy_event(phone))
    assert r.decision.decision != "allow"
    assert any("Phone" in f for o in r.objects for f in o.findings), r.objects


@settings(max_examples=40, deadline=None)
@given(st.from_regex(r"\+?\d{1,3}(-\d{1,2})?", fullmatch=True))
def test_no_code_of_five_digits_or_fewer_is_personal_under_a_phone_key(code):
    from wivcheck.engine.gate.person_keys import says_nothing
    assert says_nothing("Phone", code) and says_nothing("x_acme_phone", [code])
    assert not says_nothing("x_acme_phone", code + "123456")


# -- 3. addresses in other countries' formats -------------------------------------------------------

# (text, a part of the address the stripped payload must not hold)
ADDRESSES = [
    ("postcode SW1A 2AA, London", "SW1A 2AA"),
    ("Registered office: EC1A 1BB, London", "EC1A 1BB"),
    ("ул. Ленина, д. 5, кв. 12, Москва, 101000", "Ленина"),
    ("вул. Хрещатик, 22, кв. 5, Київ, 01001", "Хрещатик"),
    ("проспект Мира 12, Москва", "Мира 12"),
    ("ul. Długa 5/12, 80-831 Gdańsk", "Długa"),
    ("Biuro: 00-950 Warszawa", "00-950"),
    ("Rua Augusta, 1500, apto 12, São Paulo - SP, 01304-001", "Rua Augusta"),
    ("Avenida da Liberdade, 110, Lisboa", "Liberdade, 110"),
    ("東京都千代田区千代田1-1", "千代田1-1"),
    ("大阪府大阪市北区梅田3-1-3", "梅田3"),
    ("住所は中山路100号です", "中山路100号"),
]
NOT_ADDRESSES = ["Version 10.2, 10-123 Release", "Группа использовала пр. 5 модулей", "ul. 5 was not found",
                 "東京都の組織が標的になった", "APT28 used port 443 and CVE-2024-12345, MS17-010",
                 "The T1 1AB test build", "hash 12345-678 of the sample", "Rua is a word, not a street"]


@pytest.mark.parametrize("text,part", ADDRESSES)
def test_addresses_in_other_formats_are_found(text, part):
    from wivcheck.engine.gate.addresses import found
    assert found(text), text


@pytest.mark.parametrize("text", NOT_ADDRESSES)
def test_threat_text_of_that_shape_is_no_address(text):
    from wivcheck.engine.gate.addresses import found
    assert found(text) is None, text


@pytest.mark.parametrize("where", ["description", "custom"])
@pytest.mark.parametrize("text,part", ADDRESSES[::2])
def test_such_an_address_in_stix_is_named_and_stripped(engine, where, text, part):
    doc, key, prop = plant_stix(where, text)
    assert_caught(engine, doc, key, prop, part)


@pytest.mark.parametrize("where", ["attribute", "comment"])
@pytest.mark.parametrize("text,part", ADDRESSES[1::3])
def test_such_an_address_in_misp_is_named_and_stripped(engine, where, text, part):
    doc, key, prop = plant_misp(where, text)
    assert_caught(engine, doc, key, prop, part)


def test_threat_text_of_address_shape_still_goes(engine):
    objs = [raw("malware", name="loader", is_family=True, description=t) for t in NOT_ADDRESSES]
    assert_allowed(engine, bundle(indicator(), *objs))


@settings(max_examples=50, deadline=None)
@given(st.from_regex(r"[A-Z]{1,2}[0-9][A-Z0-9]? [0-9][A-Z]{2}", fullmatch=True),
       st.sampled_from(["London", "Manchester", "Leeds", "Glasgow", "Cardiff"]))
def test_every_british_postcode_before_a_place_is_found(postcode, place):
    from wivcheck.engine.gate.addresses import found
    assert found(f"The invoice went to {postcode}, {place}.")


# -- 4. names in file names and split over custom properties ------------------------------------------

FILE_NAMES = [("CV_Jan_de_Vries_2025.pdf", "Jan_de_Vries"), ("Paspoort_J_de_Vries.jpg", "J_de_Vries"),
              ("Sollicitatie-Pieter-van-Dijk.docx", "Pieter-van-Dijk"), ("scan_Sergey_Ivanov.png", "Sergey_Ivanov")]
CLEAN_FILE_NAMES = ["Invoice_March_2025.pdf", "Cobalt_Strike_Beacon.exe", "Adobe_Reader_Update.exe",
                    "Setup_Chrome_x64.exe", "Mark_Of_The_Web.txt", "Win.Trojan.Agent-123",
                    "System.Management.Automation.dll", "Earth_Lusca_IOCs.csv", "Lazarus_Group.zip"]


@pytest.mark.parametrize("name,part", FILE_NAMES)
def test_a_file_name_with_a_persons_name_is_named_and_stripped(engine, name, part):
    sco = raw("file", name=name)
    sco.pop("created", None), sco.pop("modified", None)
    assert_caught(engine, bundle(indicator(), sco), sco["id"], "name", part)
    doc, key, prop = plant_stix("pattern", name)
    assert_caught(engine, doc, key, prop, part)


@pytest.mark.parametrize("name,part", FILE_NAMES[:2])
def test_a_misp_filename_with_a_persons_name_is_named_and_stripped(engine, name, part):
    import uuid as _uuid
    from gate_util import misp_doc, misp_event
    doc, uid = misp_doc(misp_event()), str(_uuid.uuid4())
    doc["Event"]["Attribute"].append({"uuid": uid, "type": "filename", "category": "Payload delivery",
                                      "value": name})
    assert_caught(engine, doc, uid, "value", part)


def test_clean_file_names_still_go(engine):
    objs = [raw("malware", name="loader", is_family=True, x_acme_samples=CLEAN_FILE_NAMES)]
    assert_allowed(engine, bundle(indicator(), *objs))


@settings(max_examples=40, deadline=None)
@given(st.sampled_from(["Jan", "Pieter", "Sergey", "Maria", "Anna"]), st.sampled_from(["Jansen", "Bakker", "Ivanov",
                                                                                       "Kowalski", "de_Vries"]),
       st.sampled_from(["CV_{}_{}.pdf", "{}.{}.docx", "Paspoort-{}-{}.jpg", "{}_{}_2025_final.pdf"]))
def test_every_given_name_and_surname_in_a_file_name_is_found(given_name, surname, form):
    from wivcheck.engine.gate.joined_names import find as find_joined
    name = form.format(given_name, surname.replace("_", form[2] if form[2] in "_.-" else "_"))
    assert find_joined(name), name


def test_a_name_split_over_custom_properties_is_named(engine):
    obj = raw("malware", name="loader", is_family=True, x_acme_given="Jan", x_acme_family="de Vries")
    assert_caught(engine, bundle(indicator(), obj), obj["id"], "x_acme_family", "de Vries")
    from gate_util import run
    r = run(engine, bundle(indicator(), obj))
    assert any(f.startswith("x_acme_given") for o in r.objects for f in o.findings)


def test_a_malware_family_under_a_family_key_still_goes(engine):
    obj = raw("malware", name="loader", is_family=True, x_acme_family="Emotet", x_acme_malware_family="Conti",
              x_first="2025-03-01")
    assert_allowed(engine, bundle(indicator(), obj))


# -- 5. a MISP object reference to a person-like object ------------------------------------------------

@pytest.mark.parametrize("template,personal", [("person", True), ("passport", True), ("employee", True),
                                               ("domain-ip", False), ("file", False)])
def test_a_reference_to_a_person_object_is_named(engine, template, personal):
    import uuid as _uuid
    from gate_util import misp_doc, misp_event, run
    doc, oid, target = misp_doc(misp_event()), str(_uuid.uuid4()), str(_uuid.uuid4())
    doc["Event"]["Object"] = [{"uuid": oid, "name": "domain-ip", "meta-category": "network", "Attribute": [
        {"uuid": str(_uuid.uuid4()), "type": "domain", "category": "Network activity", "value": "evil.example",
         "object_relation": "domain"}], "ObjectReference": [
        {"uuid": str(_uuid.uuid4()), "referenced_uuid": target, "relationship_type": "owned-by",
         "Object": {"name": template, "uuid": target}}]}]
    r = run(engine, doc)
    named = [f for o in r.objects if o.id == oid for f in o.findings if f.startswith("ObjectReference[0]")]
    assert bool(named) == personal, r.objects
    if personal:
        assert r.decision.decision != "allow" and target not in str(r.stripped)


# -- 6. observed-data's embedded objects without an id: refused by the OASIS schema, and the error says why --

@pytest.mark.parametrize("sco", [{"type": "email-addr", "value": "a@b.example"}, {"type": "file", "name": "x.docx"},
                                 {"type": "windows-registry-key", "key": "HKEY_CURRENT_USER\\Software"}])
def test_an_embedded_observable_without_an_id_is_refused_saying_so(sco):
    from wivcheck.engine.gate.stix_schema import problem
    od = raw("observed-data", first_observed="2025-03-01T00:00:00Z", last_observed="2025-03-01T00:00:00Z",
             number_observed=1, objects={"0": sco})
    said = problem(od)
    assert said and "has no id" in said and sco["type"] in said
    import uuid as _uuid
    assert problem(dict(od, objects={"0": dict(sco, id=f"{sco['type']}--{_uuid.uuid4()}")})) is None
