"""The decision's v1.1 parts in every rendering and in the log: grounds, obligations (with facts that
could not settle them), advice, and the basis and proxy marks of reasons."""

from __future__ import annotations

import json

from conftest import provision
from wivcheck.engine import render_html, render_json, render_markdown, render_text
from wivcheck.engine.log import Ledger, recording

NAME = "<b>Vendor</b> & Co"


def _decision(durable, patch=None):
    p = provision(patch or {})
    return p, durable.decide(p)


def test_text_markdown_html_and_json_show_the_v11_parts(durable):
    p, d = _decision(durable, {"recipient": {"name": NAME, "can_take_measures": False}, "data": {"personal_data": True,
                               "categories": ["domain_names", "email_addresses"],
                               "personal_data_oldest": "2022-01-01", "personal_data_verifiable": True},
                               "partnership": {"permitted_categories": ["domain_names", "email_addresses"]}})
    assert d.decision == "allow", [r.rule for r in d.reasons]
    for out in (render_text(d, "en"), render_markdown(d, "en", p), render_html(d, p, "en")):
        assert "Art. 62(1)(c) Wiv 2017" in out
        assert "wiv2017.record-personal-data" in out and "waarborgen-pps.ctivd-view" in out
    html = render_html(d, p, "en")
    assert NAME not in html and "&lt;b&gt;Vendor&lt;/b&gt; &amp; Co" in html
    data = json.loads(render_json(d))
    assert data["grounds"][0] == {"cite": "Art. 62(1)(c) Wiv 2017", "rule": "wiv2017.route-private-party",
                                  "title": data["grounds"][0]["title"]}
    assert {o["id"] for o in data["obligations"]} >= {"wiv2017.record-personal-data"}


def test_proxy_and_basis_are_marked(durable):
    p, d = _decision(durable, {"purpose": {"necessity": "Te kort."}})
    reason = next(r for r in d.reasons if r.rule == "wiv2017.necessity-substantiated")
    assert reason.basis == "statute" and reason.proxy
    assert "<statute, proxy>" in render_text(d, "en")
    assert "statute, proxy" in render_html(d, p, "en")


def test_an_unsettled_obligation_names_the_missing_fact(durable):
    p, d = _decision(durable, {"context": "ad_hoc", "partnership": None,
                               "recipient": {"kind": "foreign_service", "country": "DE", "relationship": "regular"},
                               "data": {"evaluated": None}})
    ctivd = next(o for o in d.obligations if o.id == "wiv2017.inform-ctivd-unevaluated")
    assert ctivd.missing_facts == ["data.evaluated"]
    assert "condition not settled, missing: data.evaluated" in render_text(d, "en")


def test_the_log_records_grounds_obligations_and_advice(durable, tmp_path):
    p, d = _decision(durable)
    ledger = Ledger(tmp_path / "log.sqlite3", create=True)
    recorded = recording.record(ledger, [p], [d])[0]
    entry = next(iter(ledger.entries()))
    stored = entry.decision_data()
    assert stored["grounds"] == [g.model_dump() for g in d.grounds]
    assert [o["id"] for o in stored["obligations"]] == [o.id for o in d.obligations]
    assert [a["id"] for a in stored["advice"]] == [a.id for a in d.advice]
    _, back = recording.stored(entry)
    assert back.grounds == d.grounds and back.log.sequence == recorded.log.sequence
    rows = list(recording.to_csv(recording.export_rows(ledger, None, None, [])))
    assert "Art. 62(1)(c) Wiv 2017" in rows[1] and "wiv2017.attach-onward-condition" in rows[1]


def test_decisions_recorded_before_v11_still_read(durable):
    """A decision logged before grounds, obligations and advice existed reads with them empty."""
    from wivcheck.engine.decision import Decision
    _, d = _decision(durable)
    old = d.model_dump(mode="json")
    for key in ("grounds", "obligations", "advice"):
        old.pop(key)
    for r in old["reasons"]:
        r.pop("proxy", None)
    back = Decision.model_validate(old)
    assert back.grounds == [] and back.obligations == [] and back.advice == []


def test_warnings_and_obligations_render_together(durable):
    """A decision with a warning (an approval that closes nothing) and obligations renders in every
    format (the warnings' loop once shadowed the words of the obligations' heading)."""
    p, d = _decision(durable, {"approvals": [{"role": "teamleider", "rule": "waarborgen-pps.residual-risk",
                                              "reference": "TL-1", "date": "2025-03-01"}]})
    assert d.warnings and d.obligations
    for lang in ("nl", "en"):
        text, md = render_text(d, lang), render_markdown(d, lang, p)
        assert "TL-1" in text and "wiv2017.attach-onward-condition" in text
        assert "TL-1" in md and "wiv2017.attach-onward-condition" in md
    assert "**Grounds**: Art. 62(1)(c) Wiv 2017" in render_markdown(d, "en", p)
