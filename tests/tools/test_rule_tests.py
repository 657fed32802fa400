"""`wivcheck rules test`: the shipped rule tests pass with full coverage; failures show the
difference; coverage below a threshold fails; broken test files are reported."""

from __future__ import annotations

import json
import subprocess

from conftest import ROOT, run_env, wivcheck_bin


def run(*args):
    return subprocess.run([wivcheck_bin(), *args], capture_output=True, text=True, env=run_env(), cwd=ROOT,
                          timeout=120)


def test_shipped_tests_pass_with_full_coverage():
    r = run("rules", "test", "--min-coverage", "100", "--min-condition-coverage", "100", "--format", "json")
    assert r.returncode == 0, r.stdout[-2000:] + r.stderr
    report = json.loads(r.stdout)
    assert report["failed"] == [] and report["passed"] >= 50
    assert report["rule_coverage"]["percent"] == 100.0 and report["condition_coverage"]["percent"] == 100.0
    counts = report["rule_coverage"]["counts"]["waarborgen-pps.residual-risk"]
    assert counts["violated"] >= 1 and counts["satisfied"] >= 1 and counts["not_applicable"] >= 1


def test_a_wrong_expectation_is_reported_with_the_difference(rules_copy):
    f = rules_copy / "waarborgen-pps" / "tests" / "rules.yaml"
    text = f.read_text()
    marker = "- name: 'residual-risk: violated'"
    head, tail = text.split(marker)
    tail = tail.replace("decision: escalate", "decision: deny", 1).replace(
        "waarborgen-pps.residual-risk", "waarborgen-pps.partner-secrecy", 1)
    f.write_text(head + marker + tail)
    r = run("rules", "test", str(rules_copy), "--rules", str(rules_copy))
    assert r.returncode == 1
    line = text[: text.index(marker)].count("\n") + 1
    assert f"FAIL {f}:{line} residual-risk: violated" in r.stdout
    assert "decision: expected deny, got escalate" in r.stdout
    assert "expected open but were not: waarborgen-pps.partner-secrecy" in r.stdout
    assert "open but not expected: waarborgen-pps.residual-risk" in r.stdout
    assert "1 failed" in r.stdout


def test_coverage_below_threshold_fails_naming_the_rule(rules_copy):
    f = rules_copy / "praktijk" / "tests" / "rules.yaml"
    text = f.read_text()
    start = text.index("- name: 'top-secret-minister: violated'")
    end = text.find("- name:", start + 5)
    f.write_text(text[:start] + (text[end:] if end != -1 else ""))
    r = run("rules", "test", str(rules_copy / "praktijk"), "--rules", str(rules_copy), "--min-coverage", "100")
    assert r.returncode == 1
    assert "praktijk.top-secret-minister never violated (Art. 62(2) Wiv 2017)" in r.stdout
    assert "below --min-coverage 100%" in r.stderr
    assert run("rules", "test", str(rules_copy / "praktijk"), "--rules", str(rules_copy)).returncode == 0


def test_broken_test_file(rules_copy):
    f = rules_copy / "wiv2017" / "tests" / "broken.yaml"
    f.write_text("tests:\n  - name: x\n    base: nothing\n    expect: {decision: allow}\n  - name: y\n    expect: {decision: maybe}\n")
    r = run("rules", "test", str(f), "--rules", str(rules_copy))
    assert r.returncode == 1
    assert "tests.1.expect.decision" in r.stdout and "broken.yaml:6" in r.stdout
    f.write_text("tests:\n  - name: x\n    base: nothing\n    expect: {decision: allow}\n")
    r = run("rules", "test", str(f), "--rules", str(rules_copy))
    assert "no base 'nothing' in this file" in r.stdout


_RULESET = """\
ruleset: volume-check
version: '2025-01-01'
status: in_force
valid_from: 2025-01-01
title: {nl: Omvang, en: Volume}
source: {note: a rule set made for this test}
rules:
  - id: small-enough
    title: {nl: Niet te veel items, en: Not too many items}
    cites: [{source: Wiv 2017, article: '18', lid: '1'}]
    basis: policy
    requires: {fact: data.volume, le: 100}
    on_fail: escalate
    escalate_to: teamleider
    message: {nl: 'Te veel items: {data.volume}.', en: 'Too many items: {data.volume}.'}
"""


def _mutation_rules(tmp_path, volumes: dict[int, str]):
    """Only the shipped rule sets' folders plus a rule set with one threshold (volume <= 100), and
    tests with the given volumes and expected decisions."""
    import shutil

    import yaml
    root = tmp_path / "rules"
    shutil.copytree(ROOT / "rules", root)
    for d in list(root.iterdir()):
        if d.is_dir() and d.name != "__pycache__":
            shutil.rmtree(d / "tests", ignore_errors=True)
    (root / "volume-check" / "tests").mkdir(parents=True)
    (root / "volume-check" / "2025-01-01.yaml").write_text(_RULESET)
    base = yaml.safe_load((ROOT / "examples" / "allow-structural.yaml").read_text())
    tests = {"bases": {"b": base}, "tests": [
        {"name": f"volume {v}", "base": "b", "patch": {"data": {"volume": v}},
         "expect": {"decision": d, "violated": ["volume-check.small-enough"] if d == "escalate" else []}}
        for v, d in volumes.items()]}
    (root / "volume-check" / "tests" / "t.yaml").write_text(yaml.safe_dump(tests, sort_keys=False))
    return root


def test_a_threshold_change_no_test_notices_is_reported(tmp_path):
    """Tests far from the boundary (10 and 5000) pass whether the rule says 100, 101 or `lt 100`:
    each such change is reported as unnoticed; tests at the boundary (100 and 101) notice them all."""
    far = _mutation_rules(tmp_path / "far", {10: "allow", 5000: "escalate"})
    r = run("rules", "test", str(far), "--rules", str(far), "--format", "json")
    assert r.returncode == 0, r.stderr
    found = {m["change"] for m in json.loads(r.stdout)["mutations"]["unnoticed"]
             if m["rule"] == "volume-check.small-enough"}
    assert found == {"data.volume le 100 -> lt 100 (boundary)", "data.volume le 100 -> le 101",
                     "data.volume le 100 -> le 99"}
    strict = run("rules", "test", str(far), "--rules", str(far), "--fail-on-unnoticed")
    assert strict.returncode == 1 and "unnoticed: volume-check.small-enough requires" in strict.stdout
    near = _mutation_rules(tmp_path / "near", {100: "allow", 101: "escalate"})
    r = run("rules", "test", str(near), "--rules", str(near), "--format", "json", "--fail-on-unnoticed")
    assert r.returncode == 0, r.stdout + r.stderr
    report = json.loads(r.stdout)
    assert report["mutations"]["tried"] >= 3 and report["mutations"]["unnoticed"] == []


def test_filter_verbose_and_failure_details(tmp_path):
    near = _mutation_rules(tmp_path, {100: "allow", 101: "allow"})   # the second expectation is wrong
    r = run("rules", "test", str(near), "--rules", str(near), "--filter", "volume 10", "--verbose")
    assert r.returncode == 1
    assert "ok   " in r.stdout and "volume 100 (allow)" in r.stdout
    assert "FAIL " in r.stdout and "volume 101 (escalate)" in r.stdout
    # the failing rule with the value it looked at and its message
    assert "volume-check.small-enough: violated; looked at data.volume=101; message: Too many items: 101." in r.stdout
    none = run("rules", "test", str(near), "--rules", str(near), "--filter", "no such test")
    assert none.returncode == 1 and "no rule test matches --filter" in none.stderr


def test_wrong_grounds_obligations_and_advice_are_reported(rules_copy):
    """A test that names grounds, obligations or advice expects exactly those; a difference fails
    the test and says what was expected and got."""
    f = rules_copy / "wiv2017" / "tests" / "rules.yaml"
    text = f.read_text()
    marker = "- name: 'legal read: open-source indicators without a bar on onward provision - allowed (65(1) optional)'"
    head, tail = text.split(marker)
    tail = tail.replace("Art. 62(1)(c) Wiv 2017", "Art. 62(1)(a) Wiv 2017", 1).replace(
        "obligations: []", "obligations: [wiv2017.record-personal-data]", 1)
    f.write_text(head + marker + tail)
    r = run("rules", "test", str(f), "--rules", str(rules_copy))
    assert r.returncode == 1
    assert "grounds: expected ['Art. 62(1)(a) Wiv 2017'], got ['Art. 62(1)(c) Wiv 2017']" in r.stdout
    assert "obligations: expected ['wiv2017.record-personal-data'], got []" in r.stdout


def test_coverage_counts_obligations_and_advice(rules_copy):
    r = run("rules", "test", "--format", "json")
    counts = json.loads(r.stdout)["rule_coverage"]["counts"]
    assert counts["wiv2017.record-personal-data"]["listed"] >= 1
    assert counts["wiv2017.record-personal-data"]["not_listed"] >= 1
    assert counts["waarborgen-pps.ctivd-view"]["listed"] >= 1
