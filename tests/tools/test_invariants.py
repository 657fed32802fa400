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
    ids = {x["id"] for x in results}
    assert {"no-allow-without-grounds", "minister-level-articles-escalate-to-the-minister"} <= ids
    assert len(results) == 18 and all(x["counterexample"] is None for x in results)
    assert all(x["examples"] >= 300 for x in results)


def _drop_rule(path, rule_id: str) -> None:
    text = path.read_text()
    start = text.index(f"  - id: {rule_id}\n")
    nxt = text.find("\n  - id: ", start + 1)
    end = nxt + 1 if nxt != -1 else text.index("\nobligations:", start) + 1
    path.write_text(text[:start] + text[end:])


def test_dropping_a_deny_rule_breaks_an_invariant_with_a_counterexample(rules_copy):
    _drop_rule(rules_copy / "praktijk" / "2018-05-01.yaml", "originator-consent")
    r = run("rules", "verify", "--rules", str(rules_copy), "--max-examples", "500")
    assert r.returncode == 1
    assert "BROKEN foreign-origin-needs-consent" in r.stdout
    cx = r.stdout.split("counterexample:\n")[1].split("  decision:")[0]
    data = yaml.safe_load(cx)
    assert data["data"]["origin"] == "foreign_service"
    assert data["data"].get("originator_consent") is not True
    assert "decision: allow" in r.stdout


def test_dropping_a_route_breaks_no_allow_without_grounds(rules_copy):
    """Without the route of Art. 62(1)(c) a private party's provision has no ground: the engine
    refuses the allow (fail closed), and the invariant names the provision."""
    _drop_rule(rules_copy / "wiv2017" / "2018-05-01-r2.yaml", "route-private-party")
    r = run("rules", "verify", "--rules", str(rules_copy), "--max-examples", "300", "--format", "json")
    results = {x["id"]: x for x in json.loads(r.stdout)}
    broken = results["no-allow-without-grounds"]
    assert r.returncode == 1 and broken["counterexample"]["recipient"]["kind"] == "private_party"
    assert broken["decision"] is None and "allow without a ground" in broken["error"]


def test_a_minister_level_article_escalating_lower_breaks_an_invariant(rules_copy):
    f = rules_copy / "wiv2017" / "2018-05-01-r2.yaml"
    text = f.read_text()
    start = text.index("  - id: personal-data-age-accuracy")
    f.write_text(text[:start] + text[start:].replace("escalate_to: minister", "escalate_to: diensthoofd", 1))
    r = run("rules", "verify", "--rules", str(rules_copy), "--max-examples", "500", "--format", "json")
    results = {x["id"]: x for x in json.loads(r.stdout)}
    broken = results["minister-level-articles-escalate-to-the-minister"]
    assert r.returncode == 1 and broken["counterexample"]["data"]["personal_data"] is True
    reason = next(x for x in broken["decision"]["reasons"] if x["rule"] == "wiv2017.personal-data-age-accuracy")
    assert reason["escalate_to"] == "diensthoofd"


def test_an_invariant_the_rules_do_not_meet(tmp_path):
    f = tmp_path / "inv.yaml"
    f.write_text("""invariants:
  - id: no-personal-data-abroad
    text: never allow personal data to a foreign service (the law allows it under 62(1)(d))
    kind: never
    when: {all: [{fact: recipient.kind, equals: foreign_service}, {fact: data.personal_data, equals: true}]}
    never: [allow]
""")
    r = run("rules", "verify", "--invariants", str(f), "--max-examples", "2000", "--format", "json")
    result = json.loads(r.stdout)[0]
    assert r.returncode == 1 and result["counterexample"] is not None
    cx = result["counterexample"]
    assert cx["recipient"]["kind"] == "foreign_service" and result["decision"]["decision"] == "allow"
    assert [g["cite"] for g in result["decision"]["grounds"]] in (["Art. 62(1)(d) Wiv 2017"],
                                                                 ["Art. 64(1) Wiv 2017"])


def test_broken_invariants_file(tmp_path):
    f = tmp_path / "inv.yaml"
    f.write_text("invariants:\n  - id: x\n    text: t\n    kind: sometimes\n")
    r = run("rules", "verify", "--invariants", str(f))
    assert r.returncode == 1 and "inv.yaml:4" in r.stderr and "kind" in r.stderr
