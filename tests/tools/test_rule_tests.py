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
    f = rules_copy / "wiv2017" / "tests" / "rules.yaml"
    text = f.read_text()
    start = text.index("- name: 'minister-decides: violated'")
    end = text.index("- name:", start + 5)
    f.write_text(text[:start] + text[end:])
    r = run("rules", "test", str(rules_copy / "wiv2017"), "--rules", str(rules_copy), "--min-coverage", "100")
    assert r.returncode == 1
    assert "wiv2017.minister-decides never violated (Art. 62(2) Wiv 2017)" in r.stdout
    assert "below --min-coverage 100%" in r.stderr
    assert run("rules", "test", str(rules_copy / "wiv2017"), "--rules", str(rules_copy)).returncode == 0


def test_broken_test_file(rules_copy):
    f = rules_copy / "wiv2017" / "tests" / "broken.yaml"
    f.write_text("tests:\n  - name: x\n    base: nothing\n    expect: {decision: allow}\n  - name: y\n    expect: {decision: maybe}\n")
    r = run("rules", "test", str(f), "--rules", str(rules_copy))
    assert r.returncode == 1
    assert "tests.1.expect.decision" in r.stdout and "broken.yaml:6" in r.stdout
    f.write_text("tests:\n  - name: x\n    base: nothing\n    expect: {decision: allow}\n")
    r = run("rules", "test", str(f), "--rules", str(rules_copy))
    assert "no base 'nothing' in this file" in r.stdout
