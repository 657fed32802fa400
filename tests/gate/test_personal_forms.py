"""Personal data in the forms a sender can write it in (issue 12, second round): names in any case
and script, obfuscated e-mail addresses, IBANs in any case and grouping, street addresses. Each kind
is a property over generated instances, not a list of strings; what must be left alone is a property
too (threat intelligence as feeds write it)."""

from __future__ import annotations

import string

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from stdnum import iban

from wivcheck.engine.gate.addresses import found as address_found
from wivcheck.engine.gate.normalise import _NOT_A_MAILBOX, normalise
from wivcheck.engine.gate.person_names import _GROUP_WORDS, _PARTICLES, may_name_a_person
from wivcheck.engine.gate.personal_text import PERSONAL, POSSIBLE, scan, scan_number

SETTINGS = dict(deadline=None, suppress_health_check=list(HealthCheck))
EMAIL = "e-mail address"
IBAN = "bank account number (IBAN; a person's or an organisation's)"

# -- names in any case and script ----------------------------------------------------------------------

ALPHABETS = {
    "latin": "abcdefghijklmnopqrstuvwxyzéëïöüçñ",
    "cyrillic": "абвгдежзийклмнопрстуфхцчшщыэюя",
    "greek": "αβγδεζηθικλμνξοπρστυφχψω",
    "arabic": "ابتثجحخدذرزسشصضطظعغفقكلمنهوي",
    "hebrew": "אבגדהוזחטיכלמנסעפצקרשת",
    "armenian": "աբգդեզէըթժիլխծկհձղճմյնշոչպջռսվտրցւփքօֆ",
}
CJK = "王李张刘陈杨黄赵吴周伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞山田太郎佐藤김이박최민준서연"


@st.composite
def person_names(draw):
    """Two or three words of one script, each in one of the cases a name is written in."""
    script = draw(st.sampled_from(sorted(ALPHABETS)))
    words = []
    for _ in range(draw(st.integers(2, 3))):
        w = draw(st.text(ALPHABETS[script], min_size=2, max_size=9))
        assume(w.lower() not in _GROUP_WORDS and w.lower() not in _PARTICLES)
        words.append(draw(st.sampled_from([w.lower(), w.upper(), w.capitalize()])))
    return " ".join(words)


@settings(max_examples=200, **SETTINGS)
@given(name=person_names())
def test_a_name_in_any_script_and_case_may_be_a_person(name):
    assert may_name_a_person(name), name


@settings(max_examples=100, **SETTINGS)
@given(name=st.text(CJK, min_size=2, max_size=4))
def test_a_name_in_a_script_without_spaces_may_be_a_person(name):
    assert may_name_a_person(name)


@pytest.mark.parametrize("name", [
    "Fancy Bear", "APT28", "Sandworm Team", "Turla", "Volt Typhoon", "lazarus group", "cozy bear", "FANCY BEAR",
    "PowerShell Empire", "WannaCry", "Cobalt Strike", "Mimikatz", "T1059.001", "UNC2452", "Comment Crew",
    "OilRig", "Scattered Spider", "Midnight Blizzard", "Gold Southfield", "TA505", "Emotet",
])
def test_group_codenames_products_and_techniques_are_not_names(name):
    assert not may_name_a_person(name)


# -- e-mail addresses, obfuscated ------------------------------------------------------------------------

# a local part or domain label that is itself a word for the at-sign (`arobase@a0 dot nl`) reads as a
# second at-sign: no address a sender writes
AT_WORDS = ("apenstaartje", "klammeraffe", "arobase", "arroba")
LOCAL = st.text(string.ascii_lowercase, min_size=3, max_size=10).filter(lambda s: not any(w in s for w in AT_WORDS)).filter(
    lambda s: s not in ("abuse", "info", "admin", "security", "support", "contact", "office", "press", "sales", "team",
                        "media", "legal", "cert", "soc", "noc", "www", "ftp", "news", "csirt", "cirt", "psirt",
                        "privacy", "secops", "incident", "incidents", "helpdesk", "noreply", "marketing", "usenet",
                        "uucp", "webmaster", "hostmaster", "postmaster", "servicedesk", "donotreply")
    and s not in _NOT_A_MAILBOX)     # words that say where something is hosted: "the C2 at evil dot example"
LABEL = st.text(string.ascii_lowercase + string.digits, min_size=2, max_size=10).filter(
    lambda s: s[0].isalpha() and not any(w in s for w in AT_WORDS))
TLD = st.sampled_from(["nl", "com", "org", "de", "co.uk", "eu", "be"])
ZERO_WIDTH = ["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad", "\u034f", "\ufe0f"]


def _at_forms():
    return st.sampled_from(["@", " @ ", " [at] ", "[at]", "(at)", " (at) ", " {at} ", " <at> ", "[@]", " AT ",
                            " at ", "_at_", "-at-", "＠", "﹫", " ＠ ", "&#64;", "&commat;", "%40"])


def _dot_forms(word_at: bool):
    forms = [" dot ", " DOT ", "_dot_", "-dot-", "[dot]", " (dot) ", "(punt)"]
    return st.sampled_from(forms if word_at else forms + [".", "[.]", " . ", "．", "。", "(.)", "·", "•", "․"])


@st.composite
def obfuscated_emails(draw):
    local, label, tld = draw(LOCAL), draw(LABEL), draw(TLD)
    at = draw(_at_forms())
    word_at = at.strip().lower() in ("at", "_at_", "-at-")
    dots = [draw(_dot_forms(word_at)) for _ in tld.split(".")]
    domain = label + "".join(d + part for d, part in zip(dots, tld.split(".")))
    text = local + at + domain
    # invisible characters anywhere inside the address
    for _ in range(draw(st.integers(0, 3))):
        i = draw(st.integers(1, len(text) - 1))
        text = text[:i] + draw(st.sampled_from(ZERO_WIDTH)) + text[i:]
    return draw(st.sampled_from(["mail {} today", "Contact: {}", "{}", "registrant {}, paid in cash"])).format(text)


@settings(max_examples=400, **SETTINGS)
@given(text=obfuscated_emails())
def test_an_obfuscated_e_mail_address_is_found(text):
    assert any(f.what == EMAIL and f.kind == PERSONAL for f in scan(text)), (text, normalise(text))


@pytest.mark.parametrize("text", [
    "the C2 server at evil.example", "C2 at update-check[.]example", "hosted at evil[.]example since May",
    "beacons to a C2 at 198.51.100[.]7", "abuse [at] hosting [dot] example", "meet at 10 at the office",
    "seen at 2025-03-01 at 10:00", "look at the dot in hxxp://evil[.]example", "available at github dot com",
])
def test_defanged_urls_and_role_mailboxes_are_no_personal_address(text):
    assert not [f for f in scan(text) if f.what == EMAIL], normalise(text)


# -- IBANs --------------------------------------------------------------------------------------------------

@st.composite
def ibans(draw):
    country, bban = draw(st.sampled_from([
        ("NL", lambda d: d(st.sampled_from(["ABNA", "INGB", "RABO", "TRIO", "SNSB"])) + d(st.text("0123456789", min_size=10, max_size=10))),
        ("DE", lambda d: d(st.text("0123456789", min_size=18, max_size=18))),
        ("BE", lambda d: d(st.text("0123456789", min_size=12, max_size=12))),
    ]))
    body = bban(draw)
    number = country + "00" + body
    number = country + iban.calc_check_digits(number) + body
    assume(iban.is_valid(number))
    groups = [number[i:i + 4] for i in range(0, len(number), 4)]
    if draw(st.booleans()):
        groups = [number[:2], number[2:4]] + [number[i:i + 4] for i in range(4, len(number), 4)]   # NL 91 ABNA …
    sep = draw(st.sampled_from(["", " ", "-", ".", "  ", "\u00a0", "\u200b"]))
    written = sep.join(groups)
    cases = [written, written.upper()] if groups[0] == number[:2] else [written, written.lower(), written.upper(),
                                                                       written.title()]
    return number, draw(st.sampled_from(cases))     # `NL 91 …` apart is written in capitals


@settings(max_examples=300, **SETTINGS)
@given(pair=ibans(), frame=st.sampled_from(["pay to {} now", "{}", "IBAN: {}.", "rekening {}, t.n.v. x",
                                            "IBAN {} (NL)"]))
def test_an_iban_in_any_case_and_grouping_is_found(pair, frame):
    assert any(f.what == IBAN for f in scan(frame.format(pair[1]))), pair


@settings(max_examples=200, **SETTINGS)
@given(pair=ibans())
def test_a_wrong_check_digit_is_no_iban(pair):
    number, _ = pair
    wrong = number[:2] + f"{(int(number[2:4]) + 1) % 97:02d}" + number[4:]
    assume(not iban.is_valid(wrong))
    assert not any(f.what == IBAN for f in scan(f"ref {wrong.lower()} ok"))


# -- street addresses ------------------------------------------------------------------------------------------

STREET_NAME = st.text("abcdefghijklmnoprstuvwz", min_size=3, max_size=9)


@st.composite
def dutch_addresses(draw):
    name = draw(STREET_NAME)
    suffix = draw(st.sampled_from(["straat", "laan", "weg", "plein", "gracht", "kade", "singel", "dijk", "dreef",
                                   "steeg", "straße", "allee", "str."]))
    number = str(draw(st.integers(1, 999))) + draw(st.sampled_from(["", "a", "b", " B", "-2", " hs", " bis"]))
    street = draw(st.sampled_from([(name + suffix).capitalize(), (name + suffix).lower(), (name + suffix).upper()]))
    tail = draw(st.sampled_from(["", ", Amsterdam", ", 1234 AB Utrecht", ".", " in Zwolle"]))
    return f"{street} {number}{tail}"


@settings(max_examples=300, **SETTINGS)
@given(address=dutch_addresses(), frame=st.sampled_from(["woont aan de {}", "{}", "Adres: {}", "moved to {} last year"]))
def test_a_dutch_street_address_is_found(address, frame):
    text = frame.format(address)
    assert address_found(normalise(text)), text
    assert any(f.kind == POSSIBLE and "street address" in f.what for f in scan(text))


@settings(max_examples=200, **SETTINGS)
@given(number=st.integers(1, 9999), letter=st.sampled_from(["", "A", "B"]),
       words=st.lists(st.sampled_from(["Baker", "Downing", "Pennsylvania", "Elm", "Oak", "High", "Church", "Mill"]),
                      min_size=1, max_size=2),
       suffix=st.sampled_from(["Street", "St", "Road", "Avenue", "Lane", "Boulevard", "Place", "Square", "Way"]))
def test_an_english_street_address_is_found(number, letter, words, suffix):
    text = f"lives at {number}{letter} {' '.join(words)} {suffix}, London"
    assert address_found(text), text


@pytest.mark.parametrize("text", [
    "1234 AB Amsterdam", "Postbus 12, 3500 AB Utrecht", "1234AB", "Laan van Meerdervoort 3a", "Grote Markt 1",
    "12 rue de la Paix, Paris", "Hauptstr. 5, 10115 Berlin",
])
def test_postcodes_and_other_street_forms_are_found(text):
    assert address_found(text)


# -- numbers -----------------------------------------------------------------------------------------------------

@settings(max_examples=200, **SETTINGS)
@given(rest=st.integers(10_000_000, 99_999_999), country=st.sampled_from(["316", "447", "491"]))
def test_a_mobile_number_stored_as_a_number_is_found(rest, country):
    number = int(country + str(rest)) if country != "491" else int("4915" + str(rest) + "1")
    assume(scan_number(number) or country == "491")
    if country != "491":
        assert scan_number(number)[0].what == "a number that reads as a mobile phone number"


@pytest.mark.parametrize("number", [1700000000, 1709251200000, 4294967295, 12345678901, 18446744073709551615])
def test_timestamps_sizes_and_ids_are_no_phone_numbers(number):
    assert scan_number(number) == ()


# -- what feeds write stays clean ---------------------------------------------------------------------------------

THREAT_INTEL = [
    "APT28 (Fancy Bear) used X-Agent and Zebrocy against ministries in 2024.",
    "T1059.001 Command and Scripting Interpreter: PowerShell; T1566.001 Spearphishing Attachment",
    "Cobalt Strike beacon 4.9 on 198.51.100.23:443 with watermark 305419896; sleep 60000 jitter 37",
    "SHA-256 aec070645fe53ee3b3763059376134f058cc337247c978add178b6ccdfb0019f, MD5 44d88612fea8a8f36de82e1278abb02f",
    "hxxps://login-microsoftonline[.]example/common/oauth2 and update-check[.]net resolve to 203.0.113.5",
    "CVE-2021-44228 (Log4Shell) exploited against VMware Horizon 8 2111; build 10.0.19041.1415",
    "Emotet epoch 4 spam with ZIP attachments; QakBot botnet id obama203; IcedID 1.0.0 loader",
    "LockBit 3.0 ransom note Restore-My-Files.txt; TOR site lockbitapt2d73krlbewgv27tquljgxr33xbwwsp6rkyieto7u4ncead.onion",
    "Windows Server 2019, Exchange 2016 CU23, Office 365, Windows 10 21H2, port 3389 RDP",
    "Registry Run key HKCU\\Software\\Microsoft\\Windows\\CurrentVersion\\Run\\OneDrive",
    "The actor staged tools in C:\\ProgramData\\Microsoft\\ and %TEMP%\\svchost.exe; mutex Global\\M1234",
    "Mandiant tracks this cluster as UNC2452; Microsoft as Midnight Blizzard (NOBELIUM).",
    "User-Agent: Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/120.0.0.0",
    "Sigma rule: EventID 4688 and CommandLine contains 'rundll32.exe' and ParentImage endswith '\\winword.exe'",
    "YARA rule APT_MAL_Sunburst { strings: $a = \"SolarWinds.Orion.Core.BusinessLayer\" condition: $a }",
    "In 2024 EU member states reported 3389 RD Gateway exposures on port 3389",
    "JA3 72a589da586844d7f0818ce684948eea, JARM 07d14d16d21d21d07c42d41d00041d24a458a375eef0c576d23a7bab9a9fb1",
    "Scattered Spider used SIM swapping and help desk social engineering against Okta tenants",
]


@pytest.mark.parametrize("text", THREAT_INTEL)
def test_threat_intelligence_as_feeds_write_it_has_no_findings(text):
    assert scan(text) == ()


# -- text built to wear the scan out -----------------------------------------------------------------------

@pytest.mark.parametrize("unit,count", [("1 ", 100_000), ("@ ", 100_000), ("x@y.", 50_000), ("1234 AB ", 25_000),
                                        ("nl91 ", 40_000), ("[at](dot)", 20_000), ("a-at-b-dot-", 20_000),
                                        ("a", 200_000), ("abuse@x.example ", 12_000), ("Kerkstraat aa 12 ", 12_000)])
def test_a_long_crafted_text_is_scanned_in_linear_time(unit, count):
    import time
    started = time.perf_counter()
    scan(unit * count + ("@b" if unit == "a" else " " + str(count)))
    assert time.perf_counter() - started < 5       # about 200 kB: well under a second on a quiet machine


def test_address_dense_text_runs_in_re2s_fast_automaton_without_logging(capfd):
    """RE2 writes "DFA out of memory" on the process's stderr (and falls back to a slower automaton)
    when a pattern's memory budget is too small for the text: the command line's output would carry it."""
    import random
    rnd = random.Random(3)
    parts = ["Kerkstraat 12", "1234 AB", "Laan van x y 3", "221B Baker Street", "12 rue de la x", "Grote Markt 1",
             "straße 5", "ééé", "Иван", ",", "a1", "St", "Way 4"]
    for _ in range(60):
        scan(" ".join(rnd.choice(parts) for _ in range(rnd.randint(10, 2000))) + f" {rnd.random()}")
    assert "out of memory" not in capfd.readouterr().err


def test_an_address_behind_a_thousand_decoys_is_not_passed_silently():
    assert any(f.what == EMAIL for f in scan("x @ y " * 10 + "jan @ example.nl"))
    hidden = scan("x @ y " * 1001 + "jan @ example.nl")
    assert hidden and all(f.kind == POSSIBLE for f in hidden) and "not read to the end" in hidden[0].what
