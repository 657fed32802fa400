"""`wivcheck rules verify`: the shipped invariants hold; dropping a deny rule breaks one with a shrunk
counterexample; an invariant the rules do not meet is reported; a broken invariants file is an error."""

from __future__ import annotations

import json
import subprocess

import yaml

from conftest import ROOT, run_env, wivcheck_bin


def run(*args):
    return subprocess.run([wivcheck_bin(), *args], capture_output=True, text=True, env=run_env(), cwd=ROOT,
                          timeout=300)


def test_shipped_invariants_hold():
    r = run("rules", "verify", "--max-examples", "300", "--format", "json")
    results = json.loads(r.stdout)
    assert r.returncode == 0, r.stdout[-3000:]
    assert len(results) == 6 and all(x["counterexample"] is None for x in results)
    assert all(x["examples"] >= 300 for x in results)


def test_dropping_a_deny_rule_breaks_an_invariant_with_a_counterexample(rules_copy):
    f = rules_copy / "waarborgen-pps" / "2025-02-17.yaml"
    text = f.read_text()
    start = text.index("  - id: originator-consent")
    f.write_text(text[:start].rstrip() + "\n" + text[text.index("\nnotes:"):])
    r = run("rules", "verify", "--rules", str(rules_copy), "--max-examples", "3000")  # the search stops at the first counterexample
    assert r.returncode == 1
    assert "BROKEN foreign-origin-needs-consent-structural" in r.stdout
    assert "holds  foreign-origin-needs-consent-draft" in r.stdout  # the draft still covers it
    cx = r.stdout.split("counterexample:\n")[1].split("  decision:")[0]
    data = yaml.safe_load(cx)
    assert data["context"] == "structural" and data["data"]["origin"] == "foreign_service"
    assert data["data"].get("originator_consent") is not True
    assert "decision: allow" in r.stdout


def test_an_invariant_the_rules_do_not_meet(tmp_path):
    f = tmp_path / "inv.yaml"
    f.write_text("""invariants:
  - id: ad-hoc-foreign
    text: never allow foreign-service data without consent, ad hoc included, on the rules in force
    kind: never
    when: {all: [{fact: data.origin, equals: foreign_service}, {any: [{fact: data.originator_consent, exists: false}, {fact: data.originator_consent, equals: false}]}]}
    never: [allow]
""")
    r = run("rules", "verify", "--invariants", str(f), "--max-examples", "2000", "--format", "json")
    result = json.loads(r.stdout)[0]
    assert r.returncode == 1 and result["counterexample"] is not None
    cx = result["counterexample"]
    assert cx["data"]["origin"] == "foreign_service" and result["decision"]["decision"] == "allow"
    # the shrunk example is an ad hoc provision, or one dated before the safeguards
    assert cx["context"] == "ad_hoc" or cx["date"] < "2025-02-17"


def test_broken_invariants_file(tmp_path):
    f = tmp_path / "inv.yaml"
    f.write_text("invariants:\n  - id: x\n    text: t\n    kind: sometimes\n")
    r = run("rules", "verify", "--invariants", str(f))
    assert r.returncode == 1 and "inv.yaml:4" in r.stderr and "kind" in r.stderr
