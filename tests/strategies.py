"""Hypothesis strategies: valid provisions across the whole schema, and random rules over it."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import typing

from hypothesis import strategies as st

from engine import FACT_SCHEMA, Provision
from engine import provision as pm
from policy import Library, RuleSetFile, RuleSetVersion

CATEGORIES = list(typing.get_args(pm.Category))
TASKS = list(typing.get_args(pm.Task))
ROLES = ["teamleider", "diensthoofd", "minister"]
SHIPPED_IDS = [
    "wiv2017.recipient-basis", "wiv2017.foreign-private-party", "wiv2017.minister-decides",
    "wiv2017.personal-data-head-of-service", "wiv2017.personal-data-age-accuracy",
    "wiv2017.onward-provision-private", "wiv2017.special-categories-supplementary",
    "wiv2017.reliability-indicated", "waarborgen-pps.residual-risk", "waarborgen-pps.data-type-weighed",
    "beleidsregels-pps.partner-reweighed", "beleidsregels-pps.tlp-red-private",
    "beleidsregels-pps.personal-data-structural", "beleidsregels-pps.bulk-volume", "x-set.no-rule",
]
DAYS = [dt.date(2018, 4, 30), dt.date(2018, 5, 1), dt.date(2025, 2, 16), dt.date(2025, 2, 17),
        dt.date(2025, 3, 14), dt.date(2024, 2, 29), dt.date(2026, 1, 1)]


def near(day: dt.date, spread: int = 800):
    """Dates at and around a day (boundaries matter most), and some far away."""
    return st.one_of(
        st.sampled_from([0, -1, 1, -365, 365, -3652, -3653, -730, -731]).map(lambda n: day + dt.timedelta(days=n)),
        st.integers(-spread, spread).map(lambda n: day + dt.timedelta(days=n)))


TEXTS = st.one_of(st.sampled_from(["n.v.t.", "x" * 39, "y" * 40, "Nodig om de infectie te vinden: " * 2]),
                  st.text(min_size=1, max_size=60).filter(lambda s: s.strip()))


@st.composite
def provision_data(draw) -> dict:
    day = draw(st.one_of(st.sampled_from(DAYS), st.dates(dt.date(2018, 5, 1), dt.date(2030, 12, 31))))
    personal = draw(st.booleans())
    cats = draw(st.lists(st.sampled_from([c for c in CATEGORIES if personal or c != "personal_data"]),
                         min_size=1, max_size=4, unique=True))
    data = {
        "categories": cats,
        "classification": draw(st.sampled_from(typing.get_args(typing.get_type_hints(pm.Data)["classification"]))),
        "personal_data": personal,
        "special_categories": draw(st.booleans()) if personal else False,
        "origin": draw(st.sampled_from(["own", "foreign_service", "informant", "open_source", "partner"])),
        "reliability_indicated": draw(st.booleans()),
        "onward_provision_barred": draw(st.booleans()),
        "volume": draw(st.one_of(st.sampled_from([1, 10000, 10001]), st.integers(1, 10**6))),
        "tlp": draw(st.sampled_from(["CLEAR", "GREEN", "AMBER", "AMBER+STRICT", "RED"])),
    }
    for key in ("originator_consent", "special_categories_supplementary", "personal_data_verifiable"):
        v = draw(st.one_of(st.none(), st.booleans()))
        if v is not None and (personal or key == "originator_consent"):
            data[key] = v
    if personal and draw(st.booleans()):
        data["personal_data_oldest"] = min(draw(near(day - dt.timedelta(days=3652))), day).isoformat()
    recipient = {
        "kind": draw(st.sampled_from(["private_party", "administrative_body", "minister",
                                      "foreign_service", "international_body"])),
        "id": "r-1", "name": draw(st.sampled_from(["Example B.V.", "Ünïcødé \"Ltd\" {x}"])),
        "country": draw(st.sampled_from(["NL", "BE", "NO", "US"])),
        "concern": draw(st.sampled_from(["victim", "infrastructure_operator", "can_mitigate", "none"])),
    }
    ctm = draw(st.one_of(st.none(), st.booleans()))
    if ctm is not None:
        recipient["can_take_measures"] = ctm
    out = {
        "id": f"PRV-{draw(st.integers(0, 10**6))}", "service": draw(st.sampled_from(["AIVD", "MIVD"])),
        "date": day.isoformat(), "context": draw(st.sampled_from(["structural", "ad_hoc"])),
        "recipient": recipient,
        "purpose": {"task": draw(st.sampled_from(TASKS)),
                    "aim": draw(st.sampled_from(["digital_resilience", "other"])),
                    "necessity": draw(TEXTS), "proportionality": draw(TEXTS)},
        "data": data,
    }
    if draw(st.integers(0, 3)):
        assessed = draw(near(day, 1200))
        valid_until = max(draw(near(day, 900)), assessed + dt.timedelta(days=1))
        out["partnership"] = {
            "id": "SB-1", "assessed_on": assessed.isoformat(), "valid_until": valid_until.isoformat(),
            "residual_risk": draw(st.sampled_from(["none", "accepted", "open"])),
            "secrecy_until": draw(near(day, 400)).isoformat(),
            "permitted_categories": draw(st.lists(st.sampled_from(CATEGORIES), max_size=6, unique=True)),
        }
    if draw(st.booleans()):
        out["handling"] = {"form": draw(st.sampled_from(["written", "oral"])), "urgent": draw(st.booleans())}
    out["approvals"] = draw(st.lists(st.fixed_dictionaries({
        "role": st.sampled_from(ROLES), "rule": st.sampled_from(SHIPPED_IDS),
        "reference": st.just("AP-1"), "date": near(day, 30).map(dt.date.isoformat)}), max_size=3))
    return out


provisions = provision_data().map(Provision.model_validate)


# ---- random rules over the fact schema -------------------------------------------------------

def _literal(ft, draw):
    if ft.kind == "enum":
        return draw(st.sampled_from(ft.values))
    if ft.kind == "bool":
        return draw(st.booleans())
    if ft.kind == "int":
        return draw(st.sampled_from([1, 12, 10000, 10001, 500000]))
    if ft.kind == "date":
        return draw(st.sampled_from(DAYS + [dt.date(2015, 3, 14), dt.date(2026, 11, 1)])).isoformat()
    return draw(st.sampled_from(["NL", "BE", "r-1", "SB-1", "x"]))


@st.composite
def leaves(draw) -> dict:
    paths = [p for p in FACT_SCHEMA.paths()]
    path = draw(st.sampled_from(paths))
    ft = FACT_SCHEMA.get(path)
    from policy.schema import OPS_BY_KIND
    op = draw(st.sampled_from(sorted(OPS_BY_KIND[ft.kind])))
    if op == "exists":
        return {"fact": path, "exists": draw(st.booleans())}
    if op in ("contains", "not_contains"):
        return {"fact": path, op: draw(st.sampled_from(ft.values))}
    if op == "subset_of":
        if draw(st.booleans()):
            return {"fact": path, op: {"fact": draw(st.sampled_from(["data.categories", "partnership.permitted_categories"]))}}
        return {"fact": path, op: draw(st.lists(st.sampled_from(ft.values), max_size=5, unique=True))}
    if op == "matches":
        return {"fact": path, op: draw(st.sampled_from(["(?s).{40,}", "[A-Z]{2}", "N.*", ".*\\{.*"]))}
    if op in ("in", "not_in"):
        return {"fact": path, op: [_literal(ft, draw) for _ in range(draw(st.integers(1, 3)))]}
    same = [p for p in paths if FACT_SCHEMA.get(p) == ft and p != path]
    if same and draw(st.integers(0, 2)) == 0:
        ref = {"fact": draw(st.sampled_from(same))}
        if ft.kind == "date" and draw(st.booleans()):
            ref["offset"] = draw(st.sampled_from(["-10y", "+1m", "-1d", "-2y", "+29d", "-12m"]))
        return {"fact": path, op: ref}
    return {"fact": path, op: _literal(ft, draw)}


def conditions(max_leaves: int = 5):
    return st.recursive(
        leaves(),
        lambda inner: st.one_of(
            st.lists(inner, min_size=1, max_size=3).map(lambda xs: {"all": xs}),
            st.lists(inner, min_size=1, max_size=3).map(lambda xs: {"any": xs}),
            inner.map(lambda x: {"not": x})),
        max_leaves=max_leaves)


@st.composite
def rule_dicts(draw, i: int, on_fail=None) -> dict:
    fail = on_fail or draw(st.sampled_from(["deny", "escalate"]))
    rule = {"id": f"g{i}", "title": {"nl": "t", "en": "t"},
            "cites": [{"source": "Wiv 2017", "article": "62"}], "basis": "policy",
            "requires": draw(conditions()), "on_fail": fail,
            "message": {"nl": "m {date}", "en": "m {date}"}}
    if fail == "escalate":
        rule["escalate_to"] = draw(st.sampled_from(ROLES))
    if draw(st.booleans()):
        rule["applies_if"] = draw(conditions(3))
    return rule


def version_of(rules: list[dict], name: str = "gen", scope: dict | None = None) -> RuleSetVersion:
    doc = {"ruleset": name, "version": "v1", "status": "in_force", "valid_from": "2000-01-01",
           "title": {"nl": "gegenereerd", "en": "generated"}, "source": {"note": "hypothesis"},
           "rules": rules}
    if scope:
        doc["scope"] = scope
    model = RuleSetFile.model_validate(doc)
    from policy.validate import check_ruleset
    problems = check_ruleset(model, FACT_SCHEMA)
    assert not problems, [p.message for p in problems]
    raw = json.dumps(doc, sort_keys=True).encode()
    return RuleSetVersion(model=model, path="<generated>", sha256=hashlib.sha256(raw).hexdigest())


@st.composite
def rulesets(draw, min_rules: int = 1, max_rules: int = 6) -> RuleSetVersion:
    n = draw(st.integers(min_rules, max_rules))
    rules = [draw(rule_dicts(i)) for i in range(n)]
    scope = draw(conditions(2)) if draw(st.integers(0, 3)) == 0 else None
    return version_of(rules, scope=scope)


def library_of(*versions: RuleSetVersion) -> Library:
    return Library(list(versions))
