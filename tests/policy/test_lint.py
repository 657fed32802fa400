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
             nl="Bericht", en="Message", ruleset="waarborgen-pps/2025-02-17-r2.yaml"):
    f = rules_copy / ruleset
    text = f.read_text()
    rule = RULE.format(id=id, requires=requires, applies=applies, on_fail=on_fail, cite=cite, nl=nl, en=en)
    end = min(i for i in (text.find("\nobligations:"), text.find("\nadvice:"), text.find("\nnotes:")) if i != -1)
    f.write_text(text[:end] + rule + text[end:])


def findings(path):
    r = run("rules", "lint", str(path), "--format", "json")
    return r.returncode, json.loads(r.stdout)


def test_shipped_rules_have_no_errors():
    code, found = findings(ROOT / "rules")
    assert code == 0 and found == []


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
    v1 = rules_copy / "waarborgen-pps" / "2025-02-17-r2.yaml"
    v1.write_text(v1.read_text().replace("valid_from: 2025-02-17", "valid_from: 2025-02-17\nvalid_until: 2026-01-01"))
    later = v1.read_text().replace("version: 2025-02-17-r2", "version: 2026-06-01").replace(
        "valid_from: 2025-02-17\nvalid_until: 2026-01-01", "valid_from: 2026-06-01")
    (rules_copy / "waarborgen-pps" / "2026-06-01.yaml").write_text(later)
    draft = later.replace("version: 2026-06-01", "version: concept-x").replace("status: in_force", "status: draft")
    (rules_copy / "waarborgen-pps" / "concept-x.yaml").write_text(draft)
    code, found = findings(rules_copy)
    messages = {f["where"]: f["message"] for f in found if f["kind"] == "versions"}
    assert "gap: waarborgen-pps@2025-02-17-r2 ends 2026-01-01" in messages["waarborgen-pps@2026-06-01"]
    assert "overlaps waarborgen-pps@2026-06-01" in messages["waarborgen-pps@concept-x"]


def test_minister_level_article_must_escalate_to_the_minister(rules_copy):
    add_rule(rules_copy, id="nature-head", requires="{fact: purpose.measures, not_equals: publication}",
             on_fail="escalate\n    escalate_to: diensthoofd", cite='{source: Wiv 2017, article: "62", lid: "2"}')
    code, found = findings(rules_copy)
    hit = [f for f in found if f["kind"] == "minister-level"]
    assert code == 1 and hit and hit[0]["where"] == "waarborgen-pps.nature-head"
    assert "Art. 62(2) Wiv 2017" in hit[0]["message"] and "diensthoofd" in hit[0]["message"]


def test_a_ground_must_be_an_article_of_the_law(rules_copy):
    f = rules_copy / "waarborgen-pps" / "2025-02-17-r2.yaml"
    text = f.read_text()
    f.write_text(text.replace(
        "  - id: residual-risk\n",
        "  - id: residual-risk\n    grounds:\n      - cite: {source: Kamerbrief 2025-02-17, article: \"62\"}\n", 1))
    code, found = findings(rules_copy)
    assert code == 1 and any(f["kind"] == "ground" and f["where"] == "waarborgen-pps.residual-risk" for f in found)
    f.write_text(text.replace(
        "  - id: residual-risk\n",
        "  - id: residual-risk\n    grounds:\n      - cite: {source: Kamerbrief 2025-02-17, section: Visie op samenwerking}\n", 1))
    r = run("rules", "validate", str(rules_copy))
    assert r.returncode == 1 and "a ground names an article of the law" in r.stderr


def test_a_dangling_successor_and_a_withdrawal_without_one(rules_copy):
    f = rules_copy / "wiv2017" / "2018-05-01.yaml"
    f.write_text(f.read_text().replace("superseded_by: 2018-05-01-r2", "superseded_by: 2018-05-01-r9"))
    g = rules_copy / "waarborgen-pps" / "2025-02-17.yaml"
    g.write_text(g.read_text().replace("superseded_by: 2025-02-17-r2\n", ""))
    code, found = findings(rules_copy)
    versions = {f["where"]: f for f in found if f["kind"] == "versions"}
    assert code == 1 and versions["wiv2017@2018-05-01"]["level"] == "error"
    assert "2018-05-01-r9: no such version" in versions["wiv2017@2018-05-01"]["message"]
    assert versions["waarborgen-pps@2025-02-17"]["level"] == "warning"


def test_an_obligation_that_can_never_apply(rules_copy):
    f = rules_copy / "praktijk" / "2018-05-01.yaml"
    f.write_text(f.read_text() + """
obligations:
  - id: never
    title: {nl: Nooit, en: Never}
    cites: [{source: Wiv 2017, article: "70"}]
    basis: policy
    applies_if: {all: [{fact: service, equals: AIVD}, {fact: service, equals: MIVD}]}
    message: {nl: Nooit, en: Never}
""")
    code, found = findings(rules_copy)
    assert code == 1 and any(f["kind"] == "never-applies" and f["where"] == "praktijk.never" for f in found)


def test_coverage_rows_need_a_rule_or_a_reason(rules_copy):
    """A row of the legal coverage matrix that nothing encodes needs a reason; a row citing what the
    reference does not hold is an error."""
    f = rules_copy / "legal-coverage.yaml"
    text = f.read_text()
    start = text.index('  - cite: {source: Wiv 2017, article: "61"}')
    end = text.index("  - cite:", start + 5)
    block = text[start:end]
    f.write_text(text[:start] + block[:block.index("    reason:")] + text[end:]
                 + '  - cite: {source: Wiv 2017, article: "999"}\n    topic: Not in the reference\n    reason: none\n')
    code, found = findings(rules_copy)
    coverage = {f["where"]: f["message"] for f in found if f["kind"] == "coverage"}
    assert code == 1 and "no rule" in coverage["Art. 61 Wiv 2017"]
    assert "does not hold" in coverage["Art. 999 Wiv 2017"]


def _rule_line(path, rule_id: str) -> int:
    return path.read_text().splitlines().index(f"  - id: {rule_id}") + 1


def test_every_finding_names_its_file_and_line(rules_copy):
    add_rule(rules_copy, id="always", requires="{fact: id, exists: true}")
    add_rule(rules_copy, id="same-text", requires="{fact: data.volume, le: 5}", nl="Same", en="Same")
    f = rules_copy / "waarborgen-pps" / "2025-02-17-r2.yaml"
    code, found = findings(rules_copy)
    by_where = {x["where"]: x for x in found}
    for rid in ("always", "same-text"):
        hit = by_where[f"waarborgen-pps.{rid}"]
        assert hit["file"] == str(f) and hit["line"] == _rule_line(f, rid), hit
    r = run("rules", "lint", str(rules_copy))
    assert f"{f}:{_rule_line(f, 'always')}: waarborgen-pps.always: can never be violated" in r.stdout


def test_a_rule_subsumed_by_another_is_reported(rules_copy):
    """A rule asking what another asks, with the same outcome, on more conditions: every provision it
    escalates the other escalates too (and more), so it adds no decision of its own."""
    add_rule(rules_copy, id="residual-risk-personal", requires="{fact: partnership.residual_risk, in: [none, accepted]}",
             applies="    applies_if: {fact: data.personal_data, equals: true}\n",
             on_fail="escalate\n    escalate_to: diensthoofd",
             cite="{source: Kamerbrief 2025-02-17, section: Visie op samenwerking}")
    code, found = findings(rules_copy)
    [hit] = [x for x in found if x["kind"] == "subsumed"]
    assert hit["where"] == "waarborgen-pps.residual-risk-personal" and hit["level"] == "warning"
    assert "is subsumed by waarborgen-pps.residual-risk" in hit["message"]
    f = rules_copy / "waarborgen-pps" / "2025-02-17-r2.yaml"
    assert hit["file"] == str(f) and hit["line"] == _rule_line(f, "residual-risk-personal")
    assert code == 0   # a warning


@pytest.mark.parametrize("on_fail", ["deny", "escalate\n    escalate_to: minister"])
def test_a_narrower_rule_with_another_outcome_is_not_subsumed(rules_copy, on_fail):
    """The narrower rule decides something the wider one does not (a denial, or a higher role)."""
    add_rule(rules_copy, id="residual-risk-personal", requires="{fact: partnership.residual_risk, in: [none, accepted]}",
             applies="    applies_if: {fact: data.personal_data, equals: true}\n", on_fail=on_fail,
             cite="{source: Kamerbrief 2025-02-17, section: Visie op samenwerking}")
    _, found = findings(rules_copy)
    assert not [x for x in found if x["kind"] == "subsumed"]
