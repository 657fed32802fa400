"""The installed `wivcheck` as a new user meets it (issue 17): `provision template`, `provision
schema`, `provision doc`, and the errors of `check` one by one, in Dutch and English, each message
checked."""

from __future__ import annotations

import json
import subprocess

import pytest
import yaml

from conftest import EXAMPLES, ROOT, run_env, wivcheck_bin
from wivcheck.engine.reference import ROUTES, markdown, provision_schema


def run(*args, stdin: str | None = None):
    return subprocess.run([wivcheck_bin(), *args], input=stdin, capture_output=True, text=True,
                          env={**run_env(), "COLUMNS": "200"}, cwd=ROOT, timeout=120)


def test_every_template_checks_without_error_as_printed(tmp_path):
    files = []
    for route in sorted(ROUTES):
        for lang in ("nl", "en"):
            r = run("provision", "template", "--route", route, "--lang", lang, "--date", "2025-03-14")
            assert r.returncode == 0 and r.stderr == "", r.stderr
            f = tmp_path / f"{route}-{lang}.yaml"
            f.write_text(r.stdout)
            files.append(str(f))
    r = run("check", "--format", "json", *files)
    assert r.returncode == 3 and r.stderr == "", r.stderr   # denied, never an error: TODO is no substantiation
    decisions = [json.loads(line) for line in r.stdout.splitlines()]
    assert len(decisions) == len(files) and {d["decision"] for d in decisions} == {"deny"}


def test_the_template_is_in_the_chosen_language():
    nl = run("provision", "template").stdout
    en = run("provision", "template", "--lang", "en").stdout
    assert "# Soort ontvanger (verplicht):" in nl and "# Kind of recipient (required):" in en
    assert yaml.safe_load(nl)["context"] == "structural"   # the default route
    assert run("provision", "template", "--route", "no-such-route").returncode == 2


def test_schema_and_doc_print_the_reference():
    r = run("provision", "schema")
    assert r.returncode == 0 and json.loads(r.stdout) == json.loads(json.dumps(provision_schema()))
    r = run("provision", "doc")
    assert r.returncode == 0 and r.stdout == markdown() == (ROOT / "docs" / "provision.md").read_text()


def _base_text() -> str:
    return (EXAMPLES / "allow-structural.yaml").read_text()


def _line(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


# the error table: (name, file name, text, lang, lines that must be on stderr)
TYPO = _base_text().replace("  kind: private_party", "  kindd: private_party")
CASES = [
    ("typo", "p.yaml", TYPO, "en",
     [f"line {_line(TYPO, 'kindd')}: recipient.kindd: unknown field; did you mean recipient.kind?",
      "recipient.kind: field required: one of private_party, administrative_body, minister, foreign_service, "
      "international_body, public_prosecutor, designated_public_body. Decides the statutory route"]),
    ("typo-nl", "p.yaml", TYPO, "nl",
     [f"regel {_line(TYPO, 'kindd')}: recipient.kindd: onbekend veld; bedoelt u recipient.kind?",
      "recipient.kind: verplicht veld: een van private_party,"]),
    ("wrong level", "p.yaml", _base_text() + "tlp: RED\n", "en", ["tlp: unknown field; did you mean data.tlp?"]),
    ("enum", "p.yaml", _base_text().replace("tlp: AMBER", "tlp: ORANGE"), "nl",
     ["data.tlp: 'ORANGE' is niet toegestaan; toegestaan: CLEAR, GREEN, AMBER, AMBER+STRICT, RED"]),
    ("json syntax", "p.json", '{"id": "X-1",\n  "service": }\n', "en", ["line 2: JSON syntax: Expecting value"]),
    ("json syntax nl", "p.json", '{"id": "X-1",\n  "service": }\n', "nl", ["regel 2: JSON-syntaxis: Expecting value"]),
    ("yaml syntax", "p.yaml", "id: [\n", "en", ["YAML syntax:"]),
    ("cross-field", "p.yaml", _base_text().replace("  personal_data: false",
                                                   "  personal_data: false\n  personal_data_oldest: 2020-01-01"), "en",
     ["data.personal_data_oldest: personal_data_oldest is set but personal_data is false"]),
]


@pytest.mark.parametrize("name,file,text,lang,expected", CASES, ids=[c[0] for c in CASES])
def test_error_table(tmp_path, name, file, text, lang, expected):
    f = tmp_path / file
    f.write_text(text)
    r = run("check", "--lang", lang, str(f))
    assert r.returncode == 1 and r.stdout == "", r.stdout
    head = "fout (invalid_provision)" if lang == "nl" else "error (invalid_provision)"
    assert r.stderr.startswith(f"{head} in {f}: " + ("de verstrekking is niet geldig" if lang == "nl"
                                                      else "the provision is not valid")), r.stderr
    for line in expected:
        assert line in r.stderr, (line, r.stderr)
    if file.endswith(".json"):
        assert "YAML" not in r.stderr


def test_a_cross_field_error_names_the_fields_own_line(tmp_path):
    text = _base_text().replace("  personal_data: false", "  personal_data: false\n  personal_data_oldest: 2020-01-01")
    f = tmp_path / "p.yaml"
    f.write_text(text)
    r = run("check", "--lang", "en", str(f))
    assert f"line {_line(text, 'personal_data_oldest')}: data.personal_data_oldest:" in r.stderr


def test_a_missing_file_cannot_be_read_in_either_language(tmp_path):
    missing = tmp_path / "nope.yaml"
    r = run("check", "--lang", "en", str(missing))
    assert r.returncode == 1 and f"error (cannot_read) in {missing}: cannot read {missing}" in r.stderr
    r = run("check", str(missing))
    assert r.returncode == 1 and f"fout (cannot_read) in {missing}: kan {missing} niet lezen" in r.stderr


def test_json_errors_carry_the_chosen_language(tmp_path):
    f = tmp_path / "p.yaml"
    f.write_text(TYPO)
    r = run("check", "--format", "json", str(f))
    data = json.loads(r.stdout)
    assert data["error"]["code"] == "invalid_provision" and data["error"]["message"] == "de verstrekking is niet geldig"
    problems = {p["path"]: p for p in data["error"]["problems"]}
    assert problems["recipient.kindd"]["message"] == "onbekend veld; bedoelt u recipient.kind?"
    assert problems["recipient.kindd"]["line"] == _line(TYPO, "kindd")


def _pasted_block(text_output: str) -> str:
    """The approvals block as `check` prints it: the flush-left lines after the paste line."""
    lines = text_output.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("approvals:"))
    block = [lines[start]]
    for line in lines[start + 1:]:
        if not (line.startswith("  - ") or line.startswith("    ")):
            break
        block.append(line)
    return "\n".join(block) + "\n"


SUBSTANTIATION = {
    "purpose.necessity": "The domains are command servers of malware found on the recipient's own network; "
                         "without them it cannot find and block the infection.",
    "purpose.proportionality": "Only the domains seen in this campaign and one analysis are shared; no personal "
                               "data and nothing about sources or methods.",
}


def test_a_newcomer_reaches_allow_from_the_template_by_the_printed_fixes_alone(tmp_path):
    """From `provision template` alone, following only what `check` prints: write the text fields the
    fixes name, paste the approvals block it prints (with the approval's reference). Counts the runs
    of `check` a first allowed provision takes."""
    f = tmp_path / "provision.yaml"
    text = run("provision", "template", "--lang", "en", "--date", "2025-03-14").stdout
    text = text.replace("  id: TODO", "  id: partner-017").replace("  name: TODO", "  name: Example Hosting B.V.")
    text = text.replace("partnership:\n  # Cooperation description (required): The reference of the cooperation description.\n  id: TODO",
                        "partnership:\n  # Cooperation description (required): The reference of the cooperation description.\n  id: SB-2024-003")
    f.write_text(text)
    runs = 0
    for _ in range(5):
        runs += 1
        decision = json.loads(run("check", "--format", "json", str(f)).stdout)
        if decision["decision"] == "allow":
            break
        printed = run("check", "--lang", "en", str(f)).stdout
        data = yaml.safe_load(f.read_text())
        for reason in decision["reasons"]:
            assert reason["fix_fields"], reason["rule"]   # every fix names what to change
            for hint in reason["fix_fields"]:
                if hint["path"] in SUBSTANTIATION:
                    section, name = hint["path"].split(".")
                    assert data[section][name] == "TODO"
                    text = text.replace(f"  {name}: TODO", f"  {name}: {json.dumps(SUBSTANTIATION[hint['path']])}")
        if any(r["fix_approval"] for r in decision["reasons"]):
            assert "approvals:" not in text.replace("# approvals:", "")
            text += _pasted_block(printed).replace("reference: TODO", "reference: DH-2025-117")
        f.write_text(text)
    assert decision["decision"] == "allow", decision["reasons"]
    assert runs == 2   # the template, then the template with what its first check asked for
    assert [t["rule"] for t in decision["approved"]] == ["waarborgen-pps.residual-risk"]
