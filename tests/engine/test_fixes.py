"""Fixes first (issue 17): a reason says first what to do. An escalation asks the named role for an
approval and gives the `approvals` entry to paste, before changing the facts; missing facts name the
fields to fill in with what they mean; any fix names its fields. The decision contract only grows:
`fix_fields` and `fix_approval` are added, nothing is renamed."""

from __future__ import annotations

import copy

import pytest
import yaml

from conftest import EXAMPLES, base_data, patched
from wivcheck.engine import provision_from_data, render_html, render_markdown, render_text
from wivcheck.engine.render import approvals_yaml

ESCALATING = [EXAMPLES / "escalate-residual-risk.yaml", *sorted((EXAMPLES / "routes").glob("escalate-*.yaml"))]


def decide(engine, data):
    return engine.decide_many([provision_from_data(data)])[0]


def test_an_escalation_asks_for_approval_first(durable):
    d = decide(durable, yaml.safe_load((EXAMPLES / "escalate-residual-risk.yaml").read_text()))
    [r] = d.reasons
    assert r.fix.en.startswith("Ask the head of service (or higher) to approve waarborgen-pps.residual-risk")
    assert r.fix.nl.startswith("Vraag het diensthoofd (of hoger) om goedkeuring voor waarborgen-pps.residual-risk")
    assert r.fix.en.index("Ask the") < r.fix.en.index("Or change the facts")
    assert r.fix_approval.model_dump(mode="json") == {"role": "diensthoofd", "rule": "waarborgen-pps.residual-risk",
                                                      "reference": "TODO", "date": "2025-03-14"}
    assert [h.path for h in r.fix_fields] == ["partnership.residual_risk"]
    assert r.fix_fields[0].label.nl == "Restrisico"


@pytest.mark.parametrize("example", ESCALATING, ids=lambda p: p.name)
def test_the_pasted_approvals_close_every_escalation(durable, example):
    """Property over every escalating example: the `approvals` block as rendered, pasted into the
    provision with a reference filled in, closes every escalation it names (approvals already there
    stay)."""
    data = yaml.safe_load(example.read_text())
    d = decide(durable, data)
    block = yaml.safe_load(approvals_yaml(d).replace("reference: TODO", "reference: DH-2025-9"))
    assert block["approvals"], example
    pasted = copy.deepcopy(data)
    pasted.setdefault("approvals", []).extend(block["approvals"])
    after = decide(durable, pasted)
    closed = {a["rule"] for a in block["approvals"]}
    assert not closed & {r.rule for r in after.reasons}
    assert closed <= {t.rule for t in after.approved}


def test_missing_facts_name_the_fields_with_what_they_mean(durable):
    data = base_data()
    del data["purpose"]["measures"]
    d = decide(durable, data)
    [r] = [r for r in d.reasons if r.status == "missing"]
    assert [h.path for h in r.fix_fields] == ["purpose.measures"]
    assert r.fix.en.startswith("Fill in: purpose.measures (What the recipient does with it: none, defensive")
    assert r.fix.nl.startswith("Vul in: purpose.measures (Wat de ontvanger ermee doet: none, defensive")
    # an escalate-rule: the approval comes after the facts, and is never offered for a missing fact
    assert r.fix.en.endswith(f"If the rule is still violated then, ask the Minister to approve {r.rule}.")
    assert r.fix_approval is None and approvals_yaml(d) == ""


def test_a_violated_deny_rule_names_its_fields(durable):
    d = decide(durable, patched({"partnership": {"assessed_on": "2025-03-20", "valid_until": "2026-03-20"}}))
    [r] = [r for r in d.reasons if r.rule.endswith("partner-weighed")]
    assert [h.path for h in r.fix_fields] == ["partnership.assessed_on", "partnership.valid_until"]
    assert "Fields: partnership.assessed_on (Weighed on: The date the partner was weighed" in r.fix.en
    assert r.fix_approval is None


def test_every_reason_of_the_examples_names_a_field(durable):
    """No fix leaves the reader to guess which field it is about (partner-weighed named none once)."""
    for f in sorted(EXAMPLES.glob("*.yaml")) + sorted((EXAMPLES / "routes").glob("*.yaml")):
        for r in decide(durable, yaml.safe_load(f.read_text())).reasons:
            assert r.fix_fields, (f.name, r.rule)


def test_every_rendering_shows_the_block_to_paste(durable):
    d = decide(durable, yaml.safe_load((EXAMPLES / "escalate-residual-risk.yaml").read_text()))
    block = approvals_yaml(d)
    text = render_text(d, "en")
    assert "\n" + block + "\n" in text   # flush left, as it is pasted
    assert f"```yaml\n{block}\n```" in render_markdown(d, "nl")
    assert "<pre><code>approvals:\n  - role: diensthoofd" in render_html(d, None, "nl")
    allowed = decide(durable, base_data())
    assert approvals_yaml(allowed) == "" and "approvals:" not in render_text(allowed, "nl")
