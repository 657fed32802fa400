"""The installed `wivcheck` console script, run as a subprocess: exit codes, formats, errors."""

from __future__ import annotations

import json
import subprocess

import pytest
import yaml

from conftest import EXAMPLES, ROOT, patched, run_env, wivcheck_bin


def run(*args, stdin: str | None = None):
    return subprocess.run([wivcheck_bin(), *args], input=stdin, capture_output=True, text=True,
                          env=run_env(), cwd=ROOT, timeout=60)


@pytest.mark.parametrize("example,code,word", [
    ("allow-structural.yaml", 0, "TOESTAAN"),
    ("deny-foreign-origin.yaml", 3, "WEIGEREN"),
    ("escalate-residual-risk.yaml", 4, "VOORLEGGEN"),
    ("approved-residual-risk.yaml", 0, "TOESTAAN"),
])
def test_examples_exit_codes(example, code, word):
    r = run("check", str(EXAMPLES / example))
    assert r.returncode == code, r.stderr
    assert word in r.stdout


@pytest.mark.parametrize("example,code,grounds,roles,obligations", [
    ("allow-partner-service.yaml", 0, ["Art. 62(1)(d) Wiv 2017"], [],
     ["wiv2017.attach-onward-condition", "wiv2017.record-personal-data"]),
    ("escalate-public-prosecutor.yaml", 4, ["Art. 66(1) Wiv 2017"], ["diensthoofd"],
     ["wiv2017.record-personal-data", "wiv2017.state-reliability-age"]),
    ("escalate-urgent-foreign-service.yaml", 4, ["Art. 64(1) Wiv 2017"], ["minister"],
     ["wiv2017.attach-onward-condition"]),
    ("deny-no-route.yaml", 3, [], [], []),
    ("escalate-onward-waived.yaml", 4, ["Art. 62(1)(c) Wiv 2017"], ["diensthoofd"], []),
])
def test_route_examples(example, code, grounds, roles, obligations):
    """Each route of the law: its ground, who decides, and what must be done."""
    r = run("check", "--format", "json", str(EXAMPLES / "routes" / example))
    assert r.returncode == code, r.stderr
    d = json.loads(r.stdout)
    assert [g["cite"] for g in d["grounds"]] == grounds and d["escalate_to"] == roles
    assert sorted(o["id"] for o in d["obligations"]) == sorted(obligations)


def test_every_rendering_shows_grounds_obligations_and_advice():
    f = str(EXAMPLES / "allow-structural.yaml")
    text = run("check", "--lang", "en", f).stdout
    md = run("check", "--lang", "en", "--format", "markdown", f).stdout
    for out in (text, md):
        assert "Art. 62(1)(c) Wiv 2017" in out
        assert "wiv2017.attach-onward-condition" in out and "waarborgen-pps.ctivd-view" in out
    nl = run("check", f).stdout
    assert "grondslag: Art. 62(1)(c) Wiv 2017" in nl and "verplichtingen:" in nl and "advies:" in nl


def test_text_shows_reason_citation_and_fix_in_english():
    r = run("check", "--lang", "en", str(EXAMPLES / "deny-foreign-origin.yaml"))
    assert r.returncode == 3
    assert "DENY" in r.stdout and "praktijk.originator-consent" in r.stdout
    assert "Art. 23(b) Wiv 2017" in r.stdout and "<policy>" in r.stdout
    assert ("What would have to change: Ask the foreign service for consent and record it "
            "(data.originator_consent true)") in r.stdout
    assert "grounds: Art. 62(1)(c) Wiv 2017" in r.stdout


def test_json_is_one_decision_per_line_and_strictest_exit():
    files = [str(EXAMPLES / f) for f in ("allow-structural.yaml", "escalate-residual-risk.yaml",
                                          "deny-foreign-origin.yaml")]
    r = run("check", "--format", "json", *files)
    assert r.returncode == 3
    lines = [json.loads(line) for line in r.stdout.splitlines()]
    assert [d["decision"] for d in lines] == ["allow", "escalate", "deny"]
    d = lines[2]
    assert {rs["id"] for rs in d["rulesets"]} == {"wiv2017", "waarborgen-pps", "praktijk"}
    assert all(len(rs["sha256"]) == 64 for rs in d["rulesets"])
    assert d["reasons"][0]["cites"] and d["trace"]
    assert lines[1]["escalate_to"] == ["diensthoofd"]


def test_escalate_beats_allow():
    r = run("check", str(EXAMPLES / "allow-structural.yaml"), str(EXAMPLES / "escalate-residual-risk.yaml"))
    assert r.returncode == 4


def test_stdin_and_markdown():
    text = (EXAMPLES / "escalate-residual-risk.yaml").read_text()
    r = run("check", "--format", "markdown", "--lang", "en", "-", stdin=text)
    assert r.returncode == 4
    assert "## PRV-2025-0044: **ESCALATE**" in r.stdout and "| `waarborgen-pps.residual-risk` |" in r.stdout


def test_draft_only_when_named():
    data = patched({"data": {"volume": 50000}})
    text = yaml.safe_dump(data)
    assert run("check", "-", stdin=text).returncode == 0
    r = run("check", "--ruleset", "beleidsregels-pps@concept-2026-02", "--format", "json", "-", stdin=text)
    assert r.returncode == 4
    d = json.loads(r.stdout)
    assert [x["rule"] for x in d["reasons"]] == ["beleidsregels-pps.bulk-volume"]
    assert {"id": "beleidsregels-pps", "status": "draft"}.items() <= d["rulesets"][0].items()


def test_as_of_selects_other_rules():
    """Before the letter of 17 February 2025 the safeguards are not in force; the third-party rule
    (praktijk, every provision) denies all the same."""
    r = run("check", "--as-of", "2025-02-16", "--format", "json", str(EXAMPLES / "deny-foreign-origin.yaml"))
    d = json.loads(r.stdout)
    assert [x["id"] for x in d["rulesets"]] == ["praktijk", "wiv2017"] and d["as_of"] == "2025-02-16"
    assert [x["rule"] for x in d["reasons"]] == ["praktijk.originator-consent"]
    assert r.returncode == 3


def test_withdrawn_version_replays_only_when_named():
    """The first reading of wiv2017 stays for replay: named, it decides as it did (no grounds, no
    obligations), while the date pick takes the second reading."""
    text = (EXAMPLES / "allow-structural.yaml").read_text()
    old = json.loads(run("check", "--format", "json", "--ruleset", "wiv2017@2018-05-01",
                         "--ruleset", "waarborgen-pps@2025-02-17", "-", stdin=text).stdout)
    assert {(r["id"], r["status"]) for r in old["rulesets"]} >= {("wiv2017", "withdrawn"),
                                                                  ("waarborgen-pps", "withdrawn")}
    assert old["decision"] == "allow" and old["grounds"] == []
    new = json.loads(run("check", "--format", "json", "-", stdin=text).stdout)
    assert {(r["id"], r["version"]) for r in new["rulesets"]} == {
        ("wiv2017", "2018-05-01-r2"), ("waarborgen-pps", "2025-02-17-r2"), ("praktijk", "2018-05-01")}
    assert [g["cite"] for g in new["grounds"]] == ["Art. 62(1)(c) Wiv 2017"]


def test_bad_provision_is_an_error_naming_the_field(tmp_path):
    f = tmp_path / "p.yaml"
    f.write_text(yaml.safe_dump(patched({"recipient": {"kind": "company"}, "colour": "red"})))
    r = run("check", "--lang", "en", str(f))
    assert r.returncode == 1
    assert "recipient.kind" in r.stderr and "colour: unknown field" in r.stderr
    assert r.stdout == ""


def test_error_beats_allow_and_json_reports_it(tmp_path):
    f = tmp_path / "bad.json"
    f.write_text("{not json")
    r = run("check", "--format", "json", str(EXAMPLES / "allow-structural.yaml"), str(f))
    assert r.returncode == 1
    lines = [json.loads(x) for x in r.stdout.splitlines()]
    assert lines[0]["decision"] == "allow" and lines[1]["error"]["code"] == "invalid_provision"
    assert lines[1]["source"] == str(f) and lines[1]["error"]["problems"][0]["line"] == 1


def test_missing_file_and_no_rules_in_force(tmp_path):
    assert run("check", str(tmp_path / "nope.yaml")).returncode == 1
    f = tmp_path / "old.yaml"
    f.write_text(yaml.safe_dump(patched({"date": "2017-01-01", "partnership": None, "context": "ad_hoc"})))
    r = run("check", str(f))
    assert r.returncode == 1 and "no rule set is in force on 2017-01-01" in r.stderr


@pytest.mark.parametrize("args", [
    ["check"], ["check", "--format", "yaml", "x"], ["check", "--as-of", "14-03-2025", "x"],
    ["check", "--ruleset", "wiv2017", "x"], ["frobnicate"], ["check", "--lang", "de", "x"],
])
def test_usage_errors_exit_2(args):
    assert run(*args).returncode == 2


def test_unknown_ruleset_version_is_an_error():
    r = run("check", "--ruleset", "wiv2017@1999", str(EXAMPLES / "allow-structural.yaml"))
    assert r.returncode == 1 and "no rule set wiv2017@1999" in r.stderr


def test_broken_rules_folder_is_an_error(rules_copy):
    f = rules_copy / "waarborgen-pps" / "2025-02-17.yaml"
    f.write_text(f.read_text().replace("on_fail: deny", "on_fail: allow", 1))
    r = run("check", "--rules", str(rules_copy), str(EXAMPLES / "allow-structural.yaml"))
    assert r.returncode == 1 and "2025-02-17.yaml" in r.stderr and "waarborgen-pps.partner-weighed" in r.stderr
    r = run("rules", "validate", str(rules_copy))
    assert r.returncode == 1 and "on_fail" in r.stderr


def test_rules_list_and_validate():
    r = run("rules", "list", "--format", "json", "--on", "2025-03-14")
    rows = {f"{x['ruleset']}@{x['version']}": x for x in json.loads(r.stdout)}
    assert rows["wiv2017@2018-05-01-r2"]["in_force"] and rows["praktijk@2018-05-01"]["in_force"]
    assert not rows["wiv2017@2018-05-01"]["in_force"] and rows["wiv2017@2018-05-01"]["status"] == "withdrawn"
    assert not rows["beleidsregels-pps@concept-2026-02"]["in_force"]
    r = run("rules", "validate")
    assert r.returncode == 0 and r.stdout.count("ok  ") == len(rows) == 7
    r = run("rules", "validate", str(ROOT / "rules" / "wiv2017" / "2018-05-01.yaml"))
    assert r.returncode == 0


def test_engine_backends_agree_from_the_command_line():
    a = run("check", "--format", "json", *map(str, sorted(EXAMPLES.glob("*.yaml"))))
    b = run("check", "--format", "json", "--backend", "oracle", *map(str, sorted(EXAMPLES.glob("*.yaml"))))
    strip = lambda out: [{k: v for k, v in json.loads(x).items() if k not in ("decision_id", "evaluated_at")}  # noqa: E731
                         for x in out.splitlines()]
    assert strip(a.stdout) == strip(b.stdout) and a.returncode == b.returncode


def test_published_json_schema_is_current_and_validates_shipped_rules():
    import jsonschema
    r = run("rules", "schema")
    published = json.loads((ROOT / "rules" / "ruleset.schema.json").read_text())
    assert json.loads(r.stdout) == published, "run `make schema` and commit rules/ruleset.schema.json"
    for f in (ROOT / "rules").glob("*/*.yaml"):
        doc = json.loads(json.dumps(yaml.safe_load(f.read_text()), default=str))
        jsonschema.validate(doc, published)
    broken = json.loads(json.dumps(yaml.safe_load((ROOT / "rules/wiv2017/2018-05-01.yaml").read_text()), default=str))
    broken["rules"][0]["on_fail"] = "allow"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(broken, published)


def test_settings_are_checked_for_every_command_and_name_their_source(tmp_path):
    """A bad setting stops every command, naming the variable, or the key of the config file it came
    from; a misspelt key in the config file is an error too; WIVCHECK_RULES is used by validate."""
    env = {k: v for k, v in run_env().items() if not k.startswith("WIVCHECK_")}
    bad = subprocess.run([wivcheck_bin(), "log", "verify", "--db", str(tmp_path / "x.sqlite3")],
                         capture_output=True, text=True, cwd=ROOT, env={**env, "WIVCHECK_LOCK_WAIT": "-1"})
    assert bad.returncode == 1 and "WIVCHECK_LOCK_WAIT: expected seconds" in bad.stderr
    config = tmp_path / "wivcheck.toml"
    config.write_text('max_body = "2M"\nmax_bdy = 3\n')
    r = subprocess.run([wivcheck_bin(), "rules", "list"], capture_output=True, text=True, cwd=ROOT,
                       env={**env, "WIVCHECK_CONFIG": str(config)})
    assert r.returncode == 1
    assert f"{config}: max_body: expected a whole number of bytes" in r.stderr
    assert f"{config}: max_bdy: unknown setting" in r.stderr
    broken = tmp_path / "rules"
    import shutil
    shutil.copytree(ROOT / "rules", broken)
    f = broken / "wiv2017" / "2018-05-01.yaml"
    f.write_text(f.read_text().replace("on_fail: deny", "on_fail: denyy", 1))
    v = subprocess.run([wivcheck_bin(), "rules", "validate"], capture_output=True, text=True, cwd=ROOT,
                       env={**env, "WIVCHECK_RULES": str(broken)})
    assert v.returncode == 1 and str(broken) in v.stderr and "on_fail" in v.stderr
