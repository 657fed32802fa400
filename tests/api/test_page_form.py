"""The analyst page's form (api/http/form.py) without a server: every field has its place once, the
conditions name real fields and values, and a provision survives the way through the form and back
(data -> form values -> data, and data -> YAML -> data), whatever its content."""

from __future__ import annotations

import datetime as dt

import yaml
from hypothesis import HealthCheck, given, settings

from conftest import EXAMPLES
from strategies import any_provision_data
from wivcheck.api.http import form
from wivcheck.engine import parse_provisions, provision_from_data
from wivcheck.engine.provision import FIELD_TYPES


class Posted:
    """Form values as a browser sends them (`FormData`'s reading: last value, or all of a name)."""

    def __init__(self, values: dict):
        self.values = values

    def get(self, name, default=None):
        v = self.values.get(name, default)
        return v[-1] if isinstance(v, list) and v else v

    def getlist(self, name):
        v = self.values.get(name)
        return [] if v is None else list(v) if isinstance(v, list) else [v]

    def keys(self):
        return self.values.keys()


def _posted(filled: form.Filled) -> Posted:
    """The filled form as a browser posts it: a text area's line breaks as CRLF."""
    values = dict(filled.values)
    for path in form.TEXT_AREAS:
        if "f." + path in values:
            values["f." + path] = _lf(values["f." + path]).replace("\n", "\r\n")
    values["show"] = sorted(filled.forced)
    return Posted(values)


def _lf(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


def test_every_field_has_one_place_in_the_analysts_order():
    fields = [p for p, ft in FIELD_TYPES.items() if ft.kind != "object" and not p.startswith("approvals")]
    placed = form.form_paths()
    assert sorted(placed) == sorted(fields) and len(placed) == len(set(placed))
    order = [s.key for s in form.SECTIONS]
    assert order == ["who", "recipient", "why", "data", "how", "partnership"]
    assert placed[:4] == ["service", "id", "date", "context"]


def test_conditions_name_real_fields_and_values():
    """A condition on a value the field cannot have would hide its part for ever, silently."""
    for g in form.groups():
        assert g.when or g.toggle, g.key
        if g.when:
            ft = FIELD_TYPES[g.when]
            allowed = ("true", "false") if ft.kind == "bool" else ft.values
            assert set(g.values) <= set(allowed), g.key
            assert form.input_id(g.when) in form.hiding_css()
    css = form.hiding_css()
    assert "script" not in css and css.count("display: none") >= len(form.groups())


def test_hidden_parts_are_not_part_of_the_provision():
    values = {"f.context": "ad_hoc", "f.recipient.kind": "private_party", "f.partnership.id": "SB-1",
              "f.recipient.relationship": "regular", "f.recipient.cleared_until": "2026-01-01", "a.rows": "1"}
    data = form.data_from_form(Posted(values))
    assert "partnership" not in data and "relationship" not in data["recipient"]
    assert data["recipient"]["cleared_until"] == "2026-01-01"          # shown for a private party
    data = form.data_from_form(Posted({**values, "t.partnership": "true", "f.recipient.kind": "foreign_service"}))
    assert data["partnership"] == {"id": "SB-1"} and data["recipient"]["relationship"] == "regular"
    data = form.data_from_form(Posted({**values, "show": ["foreign"]}))   # forced open by pasted data
    assert data["recipient"]["relationship"] == "regular"


def test_approval_rows_and_text_areas():
    values = {"a.rows": "3", "a.0.rule": "waarborgen-pps.residual-risk", "a.0.role": "diensthoofd",
              "a.0.reference": "apr-1", "a.0.date": "2025-03-10", "a.1.rule": "", "a.2.reference": "x",
              "f.purpose.necessity": "line one\r\nline two"}
    data = form.data_from_form(Posted(values))
    assert data["approvals"] == [{"rule": "waarborgen-pps.residual-risk", "role": "diensthoofd",
                                  "reference": "apr-1", "date": "2025-03-10"}, {"reference": "x"}]
    assert data["purpose"]["necessity"] == "line one\nline two"
    assert form.approval_rows(Posted({"a.rows": "100000"})) == form.MAX_APPROVAL_ROWS
    assert form.approval_rows(Posted({"a.rows": "-1"})) == 1 and form.approval_rows(Posted({})) == 1


def test_pasted_data_fill_the_form_as_it_would_send_them():
    data = yaml.safe_load((EXAMPLES / "escalate-residual-risk.yaml").read_text())
    filled = form.values_from_data(data)
    v = filled.values
    assert v["f.id"] == "PRV-2025-0044" and v["f.date"] == "2025-03-14" and v["f.data.volume"] == "12"
    assert v["f.data.personal_data"] == "false" and v["f.partnership.residual_risk"] == "open"
    assert v["f.data.categories"] == ["domain_names", "malware_analysis"] and v["t.partnership"] == "true"
    assert v["a.rows"] == "1" and not filled.forced
    assert form.values_from_data(["not", "a", "mapping"]).values == {}


def test_problems_point_at_their_inputs():
    assert form.problem_target("purpose.necessity") == "f-purpose-necessity"
    assert form.problem_target("approvals[0].rule") == "a-0-rule"
    assert form.problem_target("approvals.2.date") == "a-2-date"
    assert form.problem_target("approvals") == "s-approvals"
    assert form.problem_target("partnership") == "s-partnership"
    assert form.problem_target("purpose") == "s-why"
    assert form.problem_target("colour") is None and form.problem_target("") is None


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(any_provision_data())
def test_a_provision_survives_the_form_and_the_yaml(data):
    """Paste -> form -> check gives the provision that was pasted; the text area's YAML reads back as
    the same provision: the two views of the page never disagree."""
    data = yaml.safe_load(yaml.safe_dump(data, sort_keys=False))   # as pasted YAML would read
    for key in ("necessity", "proportionality", "urgent_reason"):   # a text area has LF line breaks
        if key in data["purpose"]:
            data["purpose"][key] = _lf(data["purpose"][key])
    pasted = provision_from_data(data)
    back = form.data_from_form(_posted(form.values_from_data(data)))
    assert provision_from_data(back) == pasted
    text = form.provision_yaml(back)
    assert parse_provisions(text.encode(), "text")[0] == pasted
    assert "date: '" not in text and "_until: '" not in text   # dates unquoted


def test_yaml_keeps_the_contracts_order_and_plain_dates():
    text = form.provision_yaml({"data": {"volume": 2}, "id": "P-1", "date": "2025-03-14",
                                "recipient": {"name": "true"}})
    assert text.splitlines()[0] == "id: P-1" and "date: 2025-03-14" in text
    assert yaml.safe_load(text)["recipient"]["name"] == "true"    # text that looks like a boolean stays text
    assert yaml.safe_load(text)["date"] == dt.date(2025, 3, 14)


def test_yaml_line_break_characters_stay_in_the_text():
    """YAML reads NEL, U+2028 and U+2029 as line breaks: such text is written quoted and escaped."""
    for ch in "\x85\u2028\u2029":
        text = form.provision_yaml({"recipient": {"name": f"A{ch}B"}})
        assert yaml.safe_load(text)["recipient"]["name"] == f"A{ch}B" and ch not in text
