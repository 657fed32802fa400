"""One canonical reading of input on every front end (DESIGN.md, the provision; docs/security.md):
booleans are true/false only, numbers decimal only, no duplicate keys, UTF-8 only, text in NFC.
Each kind of lax value is tried in several forms, side by side on the CLI (YAML and JSON files), the
API (JSON bodies) and the page (pasted text, an uploaded file, a form field), and must be an error
naming the field everywhere, never a decision."""

from __future__ import annotations

import json
import re
import subprocess
import unicodedata
from pathlib import Path

import httpx
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import EXAMPLES, ROOT, run_env, wivcheck_bin
from server_util import Server
from wivcheck.engine import ProvisionError, parse_provisions
from wivcheck.policy import PolicyError, load_text
from wivcheck.engine import FACT_SCHEMA

BASE_YAML = (EXAMPLES / "allow-structural.yaml").read_text()


def _yaml_with(line_pattern: str, replacement: str) -> str:
    out, n = re.subn(line_pattern, lambda m: replacement, BASE_YAML, count=1, flags=re.M)
    assert n == 1, line_pattern
    return out


def _json_base() -> dict:
    return json.loads(json.dumps(yaml.safe_load(BASE_YAML), default=str))


def _json_with(section: str, key: str, raw: str) -> bytes:
    """The base provision as JSON text with `section.key` written as the raw JSON text `raw`."""
    data = _json_base()
    data[section][key] = "@@"
    return json.dumps(data).replace('"@@"', raw).encode("utf-8", "surrogateescape")


# (kind, field, YAML texts, JSON bodies); every form must be refused, naming the field
NUMBERS = ["012000", "0x2EE0", "0o27340", "1:2", "+12", "1_200", "12.0", "'12'", ".inf", "1e400"]
BOOLEANS = ["no", "yes", "on", "off", "True", "FALSE", "1", "0", "'false'", "y"]
CASES = (
    [("number", "data.volume", _yaml_with(r"^  volume: .*$", f"  volume: {v}"), None) for v in NUMBERS]
    + [("number", "data.volume", None, _json_with("data", "volume", v)) for v in ('"12"', "12.0", "1.2e1", '"0x0C"', "true")]
    + [("boolean", "data.personal_data", _yaml_with(r"^  personal_data: .*$", f"  personal_data: {v}"), None)
       for v in BOOLEANS]
    + [("boolean", "data.personal_data", None, _json_with("data", "personal_data", v))
       for v in ("0", "1", '"false"', '"no"', "null")]
    + [("duplicate key", "data.volume", _yaml_with(r"^  volume: .*$", "  volume: 12\n  volume: 5"), None),
       ("duplicate key", "data.volume", None, _json_with("data", "volume", '12, "volume": 5')),
       ("duplicate key", "recipient.name", None, _json_with("recipient", "name", '"A", "name": "B"')),
       ("not UTF-8", "", _yaml_with(r"^  name: .*$", "  name: Caf\udcff"), None),
       ("not UTF-8", "", None, _json_with("recipient", "name", '"Caf\udcff"')),
       ("lone surrogate", "recipient.name", _yaml_with(r"^  name: .*$", '  name: "Caf\\ud800"'), None),
       ("lone surrogate", "recipient.name", None, _json_with("recipient", "name", '"Caf\\ud800"')),
       ("not a number", "", None, _json_with("data", "volume", "NaN")),
       ("not a number", "", None, _json_with("data", "volume", "Infinity"))]
)


def _bytes(text: str | bytes) -> bytes:
    return text if isinstance(text, bytes) else text.encode("utf-8", "surrogateescape")


def _ids(case) -> str:
    kind, field, y, j = case
    return f"{kind}-{'yaml' if y is not None else 'json'}-{CASES.index(case)}"


def _named(text: str, field: str) -> bool:
    return field in text if field else True


def _errors(html: str) -> str:
    """The page's list of problems (the form shows every field's path as a hint, so the field must be
    named among the errors, not just anywhere on the page)."""
    found = re.search(r'<section class="errors".*?</section>', html, re.S)
    return found.group(0) if found else ""


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    folder = tmp_path_factory.mktemp("canon")
    r = subprocess.run([wivcheck_bin(), "tokens", "new", "--role", "analyst", "--name", "canon"],
                       capture_output=True, text=True, env=run_env(), check=True)
    token = r.stdout.split("token: ")[1].split()[0]
    (folder / "tokens.yaml").write_text(r.stdout.split("entry for the tokens file:\n")[1])
    s = Server("--tokens", str(folder / "tokens.yaml"), "--db", str(folder / "log.sqlite3"))
    s.token, s.db = token, folder / "log.sqlite3"
    yield s
    s.stop()


def _csrf(html: str) -> str:
    found = re.search(r'name="csrf" value="([0-9a-f]{64})"', html)
    return found.group(1) if found else ""  # (the page's CSRF tokens are tested in test_page_security)


def _page(server) -> tuple[httpx.Client, str]:
    c = httpx.Client(base_url=server.url, timeout=30)
    r = c.post("/login", data={"token": server.token, "csrf": _csrf(c.get("/login").text)}, follow_redirects=False)
    assert r.status_code == 303
    return c, _csrf(c.get("/").text)


def test_the_base_is_allowed_on_every_front_end(server, tmp_path):
    f = tmp_path / "base.yaml"
    f.write_text(BASE_YAML)
    assert subprocess.run([wivcheck_bin(), "check", str(f)], env=run_env(), capture_output=True).returncode == 0
    api = httpx.post(server.url + "/v1/check", content=json.dumps(_json_base()),
                     headers={"authorization": f"Bearer {server.token}", "content-type": "application/json"})
    assert api.json()["decision"] == "allow"
    c, csrf = _page(server)
    assert 'id="decision">TOESTAAN' in c.post("/", data={"text": BASE_YAML, "action": "check", "csrf": csrf}).text


def test_lax_values_are_refused_alike_by_cli_api_and_page(server, tmp_path):
    """The table, side by side: the CLI reads every YAML and JSON form (one run, one file each), the
    API every JSON form, the page every form as pasted text and as an uploaded file."""
    files = []
    for i, (kind, field, y, j) in enumerate(CASES):
        f = tmp_path / (f"c{i}.yaml" if y is not None else f"c{i}.json")
        f.write_bytes(_bytes(y if y is not None else j))
        files.append(f)
    r = subprocess.run([wivcheck_bin(), "check", "--format", "json", *map(str, files)], capture_output=True,
                       text=True, env=run_env(), timeout=120)
    assert r.returncode == 1
    lines = {json.loads(x)["source"]: json.loads(x) for x in r.stdout.splitlines()}
    c, csrf = _page(server)
    api = httpx.Client(base_url=server.url, headers={"authorization": f"Bearer {server.token}"}, timeout=30)
    tried = {"cli": 0, "api": 0, "page": 0}
    for f, (kind, field, y, j) in zip(files, CASES):
        out = lines[str(f)]
        assert "error" in out and "decision" not in out, (kind, f.read_bytes()[:60], out)
        assert _named(json.dumps(out), field), (kind, out)
        tried["cli"] += 1
        raw = f.read_bytes()
        if j is not None:
            resp = api.post("/v1/check", content=raw, headers={"content-type": "application/json"})
            assert resp.status_code == 422, (kind, raw[-80:], resp.text)
            assert _named(resp.text, field), (kind, resp.text)
            tried["api"] += 1
        resp = c.post("/", files={"file": (f.name, raw)}, data={"action": "check", "csrf": csrf})
        assert resp.status_code == 422 and 'id="decision"' not in resp.text, (kind, resp.status_code)
        assert _named(_errors(resp.text), field), (kind, field)
        tried["page"] += 1
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:  # pasted text: the browser sends the bytes as they are
            resp = c.post("/", content=b"action=check&csrf=" + csrf.encode() + b"&text=" + raw.replace(b"\n", b"%0A"),
                          headers={"content-type": "application/x-www-form-urlencoded"})
            assert resp.status_code == 422 and "not UTF-8" in resp.text
            continue
        resp = c.post("/", data={"text": text, "action": "check", "csrf": csrf})
        assert resp.status_code == 422 and 'id="decision"' not in resp.text, (kind, text[-60:])
        assert _named(_errors(resp.text), field)
    assert tried == {"cli": len(CASES), "api": sum(j is not None for *_, j in CASES), "page": len(CASES)}


def test_the_form_takes_only_true_false_and_decimal_digits(server):
    c, csrf = _page(server)
    base = {"f.id": "PRV-F-1", "f.service": "AIVD", "f.date": "2025-03-14", "f.context": "ad_hoc",
            "f.recipient.kind": "private_party", "f.recipient.id": "p", "f.recipient.name": "N",
            "f.recipient.country": "NL", "f.recipient.concern": "victim", "f.purpose.task": "8.2.c",
            "f.purpose.aim": "digital_resilience", "f.purpose.necessity": "n" * 50,
            "f.purpose.proportionality": "p" * 50, "f.data.categories": "domain_names",
            "f.data.classification": "stg_confidentieel", "f.data.personal_data": "false",
            "f.data.special_categories": "false", "f.data.origin": "own", "f.data.reliability_indicated": "true",
            "f.data.onward_provision_barred": "true", "f.data.volume": "2", "f.data.tlp": "GREEN",
            "action": "form", "csrf": csrf}
    assert c.post("/", data=base).status_code == 200
    for field, value in (("f.data.personal_data", "yes"), ("f.data.personal_data", "1"),
                         ("f.data.volume", "012"), ("f.data.volume", "+2"), ("f.data.volume", "2.0")):
        r = c.post("/", data={**base, field: value})
        assert r.status_code == 422 and field.removeprefix("f.") in _errors(r.text), (field, value)


def test_text_is_normalised_to_nfc_on_every_front_end(server, tmp_path):
    """The same name typed decomposed (NFD) and composed (NFC) is the same recorded value."""
    nfd = unicodedata.normalize("NFD", "Café Ångström B.V.")
    assert nfd != unicodedata.normalize("NFC", nfd)
    text = _yaml_with(r"^  name: .*$", f"  name: {nfd}")
    f = tmp_path / "nfd.yaml"
    f.write_text(text)
    db = tmp_path / "cli.sqlite3"
    subprocess.run([wivcheck_bin(), "check", "--record", "--db", str(db), str(f)], env=run_env(), check=True,
                   capture_output=True)
    data = _json_base()
    data["recipient"]["name"] = nfd
    httpx.post(server.url + "/v1/decisions", json=data, headers={"authorization": f"Bearer {server.token}"})
    c, csrf = _page(server)
    c.post("/", data={"text": text, "action": "record", "csrf": csrf})
    from wivcheck.engine.log import Ledger
    names = [e.provision_data()["recipient"]["name"] for d in (db, server.db) for e in Ledger(d).entries()]
    assert len(names) == 3 and set(names) == {unicodedata.normalize("NFC", nfd)}, names


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), min_size=1, max_size=12))
def test_every_plain_scalar_has_one_reading_or_is_refused(word):
    """Whatever is typed unquoted, the loader either refuses it or reads it as JSON would read the same
    text (a number only in JSON's decimal form, true/false/null only in lower case), never as YAML 1.1."""
    from wivcheck.policy.yamlsafe import parse_text
    text = "v: " + word + "\n"
    try:
        got = parse_text(text).data
    except PolicyError:
        return
    value = got["v"] if isinstance(got, dict) and "v" in got else None
    if isinstance(value, bool) or value is None:
        assert word.strip() in ("true", "false", "null", "~", "") or not isinstance(got, dict) or word.strip().startswith("#"), word
    elif isinstance(value, (int, float)):
        assert json.loads(word.strip()) == value, word


def test_rule_files_read_the_same_way():
    """Lax values in a rule file are refused too, naming the line (and the rule where known)."""
    rules = (ROOT / "rules/wiv2017/2018-05-01.yaml").read_text()
    for old, new, says in (("valid_from: 2018-05-01", "valid_from: 2018-05-01\nvalid_from: 2018-05-02", "duplicate key"),
                           ("{fact: recipient.concern, not_equals: none}", "{fact: data.volume, gt: 012}", "not a decimal"),
                           ("{fact: recipient.concern, not_equals: none}", "{fact: data.personal_data, exists: yes}", "true or false"),
                           ("{fact: recipient.concern, not_equals: none}", "{fact: data.personal_data, equals: on}", "true or false"),
                           ("{fact: recipient.concern, not_equals: none}", "{fact: data.volume, gt: '12'}", "whole number")):
        with pytest.raises(PolicyError) as exc:
            load_text(rules.replace(old, new, 1).encode(), "rules/wiv2017/2018-05-01.yaml", FACT_SCHEMA)
        assert says in str(exc.value) and ":" in str(exc.value), (new, str(exc.value))


def test_the_handed_lax_provisions_are_errors():
    cases = Path("/work/shared/cases/provisions")
    if not cases.is_dir():
        pytest.skip("handed cases not present")
    for name, field in (("f15-volume-octal.yaml", "data.volume"), ("f15-personal-no.yaml", "data.personal_data")):
        with pytest.raises(ProvisionError) as exc:
            parse_provisions((cases / name).read_bytes(), name)
        assert any(p.path == field and p.line for p in exc.value.problems), exc.value
