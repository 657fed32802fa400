"""Forms the seventh round reads (docs/gate.md, "Seventh round: national identity numbers, documents,
dates of birth"): Brazilian, Turkish, Chinese, Korean, Indian, Mexican and Swiss national numbers
after their word (English and the country's own language), travel documents' machine-readable zones,
and dates of birth after Italian, Polish, Turkish, Russian, Portuguese, Chinese, Japanese and Korean
words. Each is planted in STIX and MISP: the gate does not allow it and names the object and the
property; the stripped payload no longer holds the value; clean look-alikes still go."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from stdnum.br import cpf
from stdnum.tr import tckimlik

from gate_util import bundle, indicator, misp_doc, misp_event, raw
from test_gate_forms_round4 import (MISP_PLACES, STIX_PLACES, assert_allowed, assert_caught, plant_misp,
                                    plant_stix)
from wivcheck.engine import Engine, load_library
from wivcheck.engine.gate import identifiers, national_ids
from wivcheck.engine.gate.personal_text import scan


@pytest.fixture(scope="module")
def engine():
    return Engine(load_library())


def _national(text: str) -> list:
    return [f for f in scan(text) if "national identification" in f.what]


def _birth(text: str) -> list:
    return [f for f in scan(text) if f.what.startswith("a date of birth")]


def _zone(text: str) -> list:
    return [f for f in scan(text) if "machine-readable zone" in f.what]


# -- national numbers after their word --------------------------------------------------------------------

VALID = [  # check digits pass: personal
    ("Vítima: CPF 529.982.247-25, conta no Itaú", "529.982.247-25", "Brazilian CPF"),
    ("Cadastro de Pessoas Físicas 52998224725", "52998224725", "Brazilian CPF"),
    ("Kurban TC Kimlik No: 10000000146", "10000000146", "Turkish"),
    ("T.C. Kimlik Numarası 10000000146", "10000000146", "Turkish"),
    ("受害者身份证号 11010519491231002X", "11010519491231002X", "Chinese"),
    ("resident identity card number: 11010519491231002X", "11010519491231002X", "Chinese"),
    ("Victim Aadhaar 2341 2341 2346 leaked", "2341 2341 2346", "Aadhaar"),
    ("आधार संख्या 234123412346", "234123412346", "Aadhaar"),
    ("Opfer AHV-Nr. 756.9217.0769.85", "756.9217.0769.85", "Swiss"),
    ("numéro AVS 7569217076985", "7569217076985", "Swiss"),
]
FORMATTED = [  # the number's format after its word, check digits failing: possible
    ("피해자 주민등록번호 850315-1234567", "850315-1234567"),
    ("resident registration number 850315-1234567", "850315-1234567"),
    ("Víctima CURP BADD110313HCMLNS09", "BADD110313HCMLNS09"),
    ("公民身份号码 110105194912310021", "110105194912310021"),
]


@pytest.mark.parametrize("text,value,what", VALID)
def test_a_valid_national_number_after_its_word_is_personal(text, value, what):
    got = _national(text)
    assert got and got[0].kind == "personal" and what in got[0].what, (text, scan(text))


@pytest.mark.parametrize("text,value", FORMATTED)
def test_a_formatted_number_failing_its_check_after_its_word_is_possible(text, value):
    got = [f for f in scan(text) if "national identification number's format" in f.what]
    assert got and got[0].kind == "possible", (text, scan(text))


def test_the_readings_check_digits_are_python_stdnums():
    assert "Korean" in national_ids._valid("971013-9019902")
    assert "CURP" in national_ids._valid("BOXW310820HNERXN09")
    assert national_ids._valid("BOXW310820HNERXN08") is None and national_ids._formatted("BOXW310820HNERXN08")
    for text in ("주민등록번호 971013-9019902", "CURP: BOXW310820HNERXN09"):
        assert _national(text)[0].kind == "personal", text


@pytest.mark.parametrize("text", [
    "CPF loader v2 build 20240301", "cpf.dll wrote 52998224725 bytes", "52998224725 bytes sent",
    "sample 10000000146 seen", "11010519491231002X", "850315-1234567 in the log", "2341 2341 2346 packets",
    "BADD110313HCMLNS09", "756.9217.0769.85", "AVS check failed for order 4111", "KIMLIK phishing kit, 2025-03-01",
    "身份验证绕过漏洞 CVE-2024-1234", "주민센터 사칭 피싱 2024-03-01", "UIDAI themed lure build 1234",
    "T1059.001 and CVE-2024-12345", "RRN retrieval reference", "CURP_LOADER sample",
    "Turkish TC lure, 11 samples"])
def test_look_alikes_without_their_word_are_not_national_numbers(text):
    assert not _national(text) and not [f for f in scan(text) if "national identification" in f.what], scan(text)


@pytest.mark.parametrize("where", STIX_PLACES)
@pytest.mark.parametrize("text,value", [VALID[0][:2], VALID[2][:2], VALID[4][:2], FORMATTED[0], VALID[6][:2],
                                        FORMATTED[2], VALID[8][:2]])
def test_a_national_number_in_stix_is_named_and_stripped(engine, where, text, value):
    doc, key, prop = plant_stix(where, text)
    assert_caught(engine, doc, key, prop, value)


@pytest.mark.parametrize("where", MISP_PLACES)
@pytest.mark.parametrize("text,value", [VALID[0][:2], VALID[3][:2], VALID[5][:2], FORMATTED[0], VALID[7][:2],
                                        FORMATTED[2], VALID[9][:2]])
def test_a_national_number_in_misp_is_named_and_stripped(engine, where, text, value):
    doc, key, prop = plant_misp(where, text)
    assert_caught(engine, doc, key, prop, value)


@given(st.integers(0, 999_999_999))
@settings(max_examples=100, deadline=None)
def test_every_valid_cpf_after_its_word_is_personal(base):
    digits = f"{base:09d}"
    valid = [digits + f"{s:02d}" for s in range(100) if cpf.is_valid(digits + f"{s:02d}")]
    if not valid:                         # stdnum refuses a few (all digits alike)
        return
    number = valid[0]
    formatted = cpf.format(number)
    got = _national(f"Vítima CPF {formatted}")
    assert got and got[0].kind == "personal", formatted


@given(st.integers(100_000_000, 999_999_999))
@settings(max_examples=100, deadline=None)
def test_every_valid_tc_kimlik_after_its_word_is_personal(base):
    number = str(base) + tckimlik.calc_check_digits(str(base))
    got = _national(f"TC Kimlik No: {number}")
    assert got and got[0].kind == "personal", number


# -- machine-readable zones -------------------------------------------------------------------------------

MRZ_TD3 = "P<NLDDE<VRIES<<JAN<<<<<<<<<<<<<<<<<<<<<<<<<<"
MRZ_TD3_DATA_FAKE = "NXC12D4K<8NLD8703149M3001017123456782<<<<<02"     # the check digits do not pass
MRZ_TD3_ICAO = ["P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<", "L898902C36UTO7408122F1204159ZE184226B<<<<<10"]
MRZ_TD1_ICAO = ["I<UTOD231458907<<<<<<<<<<<<<<<", "7408122F1204159UTO<<<<<<<<<<<6", "ERIKSSON<<ANNA<MARIA<<<<<<<<<<"]


@pytest.mark.parametrize("text", [
    f"Scanned passport in dump: {MRZ_TD3}\\n{MRZ_TD3_DATA_FAKE}", MRZ_TD3, "P<D<<MUSTERMANN<<ERIKA<<<<<<<<<<<<<<<<<<<<<<",
    MRZ_TD3_ICAO[0], MRZ_TD3_ICAO[1], " ".join(MRZ_TD3_ICAO), MRZ_TD1_ICAO[1], MRZ_TD1_ICAO[2], "\n".join(MRZ_TD1_ICAO),
    f"line 2: {MRZ_TD3_ICAO[1]}", "I<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<"])
def test_a_machine_readable_zone_line_is_personal(text):
    got = _zone(text)
    assert got and got[0].kind == "personal", (text, scan(text))


def test_a_data_line_failing_its_check_digits_is_possible():
    got = _zone(MRZ_TD3_DATA_FAKE)
    assert got and got[0].kind == "possible"


@pytest.mark.parametrize("text", [
    "cout<<endl; x<<y", "cat <<EOF", "IOC list <<<<<< end", "AAAA<<BBBB", "MSG<<HEADER<<<", "P<html> text <<EOF",
    "sha256 " + "ABCDEF0123" * 6 + "ABCD", "hash 8703149F3001017ABC", "1<<SHIFT|FLAG<<BITS",
    "template Map<String<<Int>>", "build 8703149M3001017"])
def test_look_alikes_are_no_machine_readable_zone(text):
    assert not _zone(text), scan(text)


@pytest.mark.parametrize("where", STIX_PLACES)
def test_a_machine_readable_zone_in_stix_is_named_and_stripped(engine, where):
    doc, key, prop = plant_stix(where, f"passport scan {MRZ_TD3}")
    assert_caught(engine, doc, key, prop, "DE<VRIES<<JAN")


@pytest.mark.parametrize("where", MISP_PLACES)
def test_a_machine_readable_zone_in_misp_is_named_and_stripped(engine, where):
    doc, key, prop = plant_misp(where, MRZ_TD3_ICAO[1])
    assert_caught(engine, doc, key, prop, MRZ_TD3_ICAO[1])


def _check(field: str) -> str:
    return national_ids._mrz_check(field)


@given(st.dates(), st.dates(), st.sampled_from("MF<"), st.text("ABCDEFGHJKLMNPRSTUVWXYZ0123456789", min_size=9,
                                                               max_size=9))
@settings(max_examples=100, deadline=None)
def test_every_data_line_with_passing_check_digits_is_personal(birth, expiry, sex, doc):
    b, e = birth.strftime("%y%m%d"), expiry.strftime("%y%m%d")
    line = f"{doc}{_check(doc)}NLD{b}{_check(b)}{sex}{e}{_check(e)}<<<<<<<<<<<<<<0"
    line += _check(line[0:10] + line[13:20] + line[21:43])
    got = _zone(f"mrz: {line}")
    assert got and got[0].kind == "personal", line


def test_icao_check_digit():
    assert _check("L898902C3") == "6" and _check("740812") == "2" and _check("120415") == "9"


# -- dates of birth ---------------------------------------------------------------------------------------

BIRTH = [
    ("L'operatore è nato il 14/03/1987 a Napoli", "14/03/1987"), ("Operatore nato il 14/03/1987 a Napoli", "14/03/1987"),
    ("nata a Roma il 3 aprile 1990", "3 aprile 1990"), ("Data di nascita: 14/03/1987", "14/03/1987"),
    ("Sprawca, data urodzenia: 14.03.1987", "14.03.1987"), ("ur. 14 marca 1987 r. w Gdańsku", "14 marca 1987"),
    ("urodzony 14.03.1987", "14.03.1987"), ("urodził się dnia 14.03.1987", "14.03.1987"),
    ("Şüpheli doğum tarihi 14.03.1987", "14.03.1987"), ("DOĞUM TARİHİ: 14 Mart 1987", "14 Mart 1987"),
    ("Оператор, род. 14.03.1987, проживает в Москве", "14.03.1987"), ("родился 14 марта 1987 года", "14 марта 1987"),
    ("родилась 01.02.1990", "01.02.1990"), ("дата рожд. 14.03.1987", "14.03.1987"),
    ("Suspeito, data de nascimento 14/03/1987", "14/03/1987"), ("nascido em 14 de março de 1987", "14 de março de 1987"),
    ("nasceu em 14/03/1987", "14/03/1987"), ("出生日期：1987年3月14日", "1987年3月14日"),
    ("生年月日 1987/03/14", "1987/03/14"), ("생년월일 1987년 3월 14일", "1987년 3월 14일"),
]


@pytest.mark.parametrize("text,value", BIRTH)
def test_a_date_of_birth_after_its_word_is_personal(text, value):
    got = _birth(text)
    assert got and got[0].kind == "personal", (text, scan(text))


@pytest.mark.parametrize("text", [
    "NATO il 14/03/2024 ha annunciato", "La NATO il 4 aprile 1949 fu fondata", "the sample was compiled 14.03.1987",
    "ur.example.com 1.2.3", "tour. 14/03/2019", "род войск 2020", "Тип: род. программ", "nato nel 1987",
    "1987 г.р.", "urodzony w 1987", "doğum tarihi bilinmiyor", "data de nascimento desconhecida",
    "first seen 2025/03/01", "CVE-2024-12345 published 2024年3月14日", "T1059.001 seen 14.03.2024"])
def test_dates_and_look_alikes_without_a_birth_word_are_no_birth_date(text):
    assert not _birth(text), scan(text)


@pytest.mark.parametrize("where", STIX_PLACES)
@pytest.mark.parametrize("i", [0, 4, 8, 10, 14])
def test_a_date_of_birth_in_stix_is_named_and_stripped(engine, where, i):
    text, value = BIRTH[i]
    doc, key, prop = plant_stix(where, text)
    assert_caught(engine, doc, key, prop, value)


@pytest.mark.parametrize("where", MISP_PLACES)
@pytest.mark.parametrize("i", [1, 5, 9, 11, 16])
def test_a_date_of_birth_in_misp_is_named_and_stripped(engine, where, i):
    text, value = BIRTH[i]
    doc, key, prop = plant_misp(where, text)
    assert_caught(engine, doc, key, prop, value)


@given(st.dates(), st.sampled_from(["nato il", "data urodzenia:", "doğum tarihi", "род.", "data de nascimento",
                                    "nata a Roma il", "родилась", "nascido em"]),
       st.sampled_from(["%d/%m/%Y", "%d.%m.%Y", "%Y-%m-%d"]))
@settings(max_examples=100, deadline=None)
def test_every_numeric_date_after_a_birth_word_is_personal(day, word, fmt):
    text = f"Operator, {word} {day.strftime(fmt)}, lives abroad"
    if day.year < 1900 or day.year > 2099:
        return
    assert _birth(text), text


# -- the pre-filter still says yes wherever the reading finds something -------------------------------------

@pytest.mark.parametrize("text", [t for t, *_ in VALID + FORMATTED + BIRTH] + [
    MRZ_TD3, MRZ_TD3_DATA_FAKE, MRZ_TD1_ICAO[1], MRZ_TD1_ICAO[2], "ur.: 14.03.1987", "numéro AVS 7569217076985"])
def test_the_pre_filter_says_yes_wherever_a_reading_finds_something(text):
    assert national_ids.scan(text), text
    assert identifiers._HINT.search(text) and identifiers._MORE_HINT.search(text), text


# -- clean threat data still goes -------------------------------------------------------------------------

def test_clean_threat_data_with_look_alikes_still_goes(engine):
    doc = bundle(indicator("[file:name = 'cpf_loader_10000000146.bin']"),
                 raw("malware", name="loader", is_family=True, description="The NATO il 14/03/2024 lure drops "
                     "cpf.dll; shellcode shifts 1<<SHIFT; heredoc cat <<EOF; build 8703149M3001017; AVS check "
                     "bypass in the carding kit; T1059.001, CVE-2024-12345; compiled 14.03.1987."))
    assert_allowed(engine, doc)


def test_clean_misp_with_look_alikes_still_goes(engine):
    doc = misp_doc(misp_event("tlp:green"))
    doc["Event"]["Attribute"][0]["comment"] = "KIMLIK-themed phishing kit, 2025-03-01; 身份验证绕过; UIDAI lure"
    assert_allowed(engine, doc)
