"""`wivcheck rules lint`: the shipped rules have no errors; each kind of finding is found on a
deliberately broken copy."""

from __future__ import annotations

import json
import subprocess

import pytest

from conftest import ROOT, run_env, wivcheck_bin

RULE = """
  - id: {id}
    title: {{nl: Test, en: Test}}
    cites:
      - {cite}
    basis: policy
{applies}    requires: {requires}
    on_fail: {on_fail}
    message: {{nl: "{nl}", en: "{en}"}}
"""


def run(*args):
    return subprocess.run([wivcheck_bin(), *args], capture_output=True, text=True, env=run_env(), cwd=ROOT,
                          timeout=120)


def add_rule(rules_copy, id, requires, applies="", on_fail="deny", cite='{source: Wiv 2017, article: "18", lid: "1"}',
             nl="Bericht", en="Message", ruleset="waarborgen-pps/2025-02-17.yaml"):
    f = rules_copy / ruleset
    text = f.read_text()
    rule = RULE.format(id=id, requires=requires, applies=applies, on_fail=on_fail, cite=cite, nl=nl, en=en)
    f.write_text(text.replace("\nnotes:", rule + "\nnotes:", 1))


def findings(path):
    r = run("rules", "lint", str(path), "--format", "json")
    return r.returncode, json.loads(r.stdout)


def test_shipped_rules_have_no_errors():
    code, found = findings(ROOT / "rules")
    assert code == 0 and not [f for f in found if f["level"] == "error"]
    assert {(f["kind"], f["where"]) for f in found} == {("overlap", "beleidsregels-pps.onward-provision-mandatory")}


@pytest.mark.parametrize("kind,level,args", [
    ("never-applies", "error", dict(id="dead", requires="{fact: data.volume, ge: 1}",
                                    applies="    applies_if: {all: [{fact: service, equals: AIVD}, {fact: service, equals: MIVD}]}\n")),
    ("never-violated", "error", dict(id="always", requires="{fact: id, exists: true}")),
    ("never-violated", "error", dict(id="always-volume", requires="{fact: data.volume, ge: 1}")),
    ("citation", "error", dict(id="cited", requires="{fact: data.volume, le: 5}",
                               cite='{source: Wiv 2017, article: "999"}')),
    ("citation", "error", dict(id="cited-lid", requires="{fact: data.volume, le: 5}",
                               cite='{source: Wiv 2017, article: "62", lid: "1", onderdeel: e}')),
    ("message", "warning", dict(id="same-text", requires="{fact: data.volume, le: 5}", nl="Same", en="Same")),
    ("message", "warning", dict(id="placeholders", requires="{fact: data.volume, le: 5}", nl="{data.volume}", en="volume")),
    ("duplicate", "warning", dict(id="secrecy-again", requires="{fact: partnership.secrecy_until, gt: {fact: date}}",
                                  cite="{source: Kamerbrief 2025-02-17, section: Visie op samenwerking}")),
    ("overlap", "warning", dict(id="secrecy-escalate", requires="{fact: partnership.secrecy_until, gt: {fact: date}}",
                                on_fail="escalate\n    escalate_to: diensthoofd",
                                cite="{source: Kamerbrief 2025-02-17, section: Visie op samenwerking}")),
])
def test_each_kind_of_finding(rules_copy, kind, level, args):
    add_rule(rules_copy, **args)
    code, found = findings(rules_copy)
    qid = f"waarborgen-pps.{args['id']}"
    hits = [f for f in found if f["kind"] == kind and (f["where"] == qid or qid in f["message"])]
    assert hits and hits[0]["level"] == level, found
    assert code == (1 if level == "error" else 0)


def test_version_gap_and_overlapping_draft(rules_copy):
    v1 = rules_copy / "waarborgen-pps" / "2025-02-17.yaml"
    v1.write_text(v1.read_text().replace("valid_from: 2025-02-17", "valid_from: 2025-02-17\nvalid_until: 2026-01-01"))
    later = v1.read_text().replace("version: 2025-02-17", "version: 2026-06-01").replace(
        "valid_from: 2025-02-17\nvalid_until: 2026-01-01", "valid_from: 2026-06-01")
    (rules_copy / "waarborgen-pps" / "2026-06-01.yaml").write_text(later)
    draft = later.replace("version: 2026-06-01", "version: concept-x").replace("status: in_force", "status: draft")
    (rules_copy / "waarborgen-pps" / "concept-x.yaml").write_text(draft)
    code, found = findings(rules_copy)
    messages = {f["where"]: f["message"] for f in found if f["kind"] == "versions"}
    assert "gap: waarborgen-pps@2025-02-17 ends 2026-01-01" in messages["waarborgen-pps@2026-06-01"]
    assert "overlaps waarborgen-pps@2026-06-01" in messages["waarborgen-pps@concept-x"]
