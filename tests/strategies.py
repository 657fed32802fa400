"""Hypothesis strategies: valid provisions across the whole schema, and random rules over it."""

from __future__ import annotations

import datetime as dt
import hashlib
import json

from hypothesis import strategies as st

from wivcheck.engine import FACT_SCHEMA
from wivcheck.engine import Provision
from wivcheck.engine.tools.strategies import DAYS, ROLES, any_provision_data

# near-allowed and uniformly drawn provisions: every outcome occurs often
provisions = any_provision_data().map(Provision.model_validate)
from wivcheck.policy import Library, RuleSetFile, RuleSetVersion

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
    from wivcheck.policy.schema import OPS_BY_KIND
    op = draw(st.sampled_from(sorted(OPS_BY_KIND[ft.kind] - ({"in_list"} if ft.kind == "enum" else set()))))
    if op == "min_letters":
        return {"fact": path, op: draw(st.sampled_from([1, 5, 39, 40]))}
    if op == "in_list":
        return {"fact": path, op: "gl"}
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


# A dated list for `in_list` leaves on text facts: members change on dates the provisions hit.
DATED_LIST = {"title": {"nl": "lijst", "en": "list"}, "cites": [{"source": "Wiv 2017", "article": "62"}],
              "basis": "policy", "items": [
                  {"value": "NL"}, {"value": "BE", "since": "2024-02-29"},
                  {"value": "NO", "since": "2018-05-01", "until": "2025-02-17"}, {"value": "US", "until": "2026-01-01"},
                  {"value": "r-1", "since": "2025-03-14"}]}


def version_of(rules: list[dict], name: str = "gen", scope: dict | None = None,
               obligations: list[dict] = (), advice: list[dict] = ()) -> RuleSetVersion:
    doc = {"ruleset": name, "version": "v1", "status": "in_force", "valid_from": "2000-01-01",
           "title": {"nl": "gegenereerd", "en": "generated"}, "source": {"note": "hypothesis"},
           "rules": rules, "lists": {"gl": DATED_LIST}}
    if scope:
        doc["scope"] = scope
    if obligations:
        doc["obligations"] = list(obligations)
    if advice:
        doc["advice"] = list(advice)
    model = RuleSetFile.model_validate(doc)
    from wivcheck.policy.validate import check_ruleset
    problems = check_ruleset(model, FACT_SCHEMA)
    assert not problems, [p.message for p in problems]
    raw = json.dumps(doc, sort_keys=True).encode()
    return RuleSetVersion(model=model, path="<generated>", sha256=hashlib.sha256(raw).hexdigest())


@st.composite
def statement_dicts(draw, prefix: str, i: int) -> dict:
    """An obligation or advice with a random condition (or none)."""
    item = {"id": f"{prefix}{i}", "title": {"nl": "t", "en": "t"},
            "cites": [{"source": "Wiv 2017", "article": "70"}], "basis": "statute",
            "message": {"nl": "doe {data.volume}", "en": "do {data.volume}"}}
    if draw(st.integers(0, 3)):
        item["applies_if"] = draw(conditions(3))
    return item


GROUND_CITES = [{"source": "Wiv 2017", "article": "62", "lid": "1", "onderdeel": "c"},
                {"source": "Wiv 2017", "article": "64", "lid": "1"}]


@st.composite
def rulesets(draw, min_rules: int = 1, max_rules: int = 6, extras: bool = False) -> RuleSetVersion:
    """Random rule sets; with `extras`, also obligations, advice and grounds (some conditional)."""
    n = draw(st.integers(min_rules, max_rules))
    rules = [draw(rule_dicts(i)) for i in range(n)]
    scope = draw(conditions(2)) if draw(st.integers(0, 3)) == 0 else None
    if not extras:
        return version_of(rules, scope=scope)
    for rule in rules:
        if draw(st.integers(0, 2)) == 0:
            rule["grounds"] = [{"cite": c, **({"when": draw(conditions(2))} if draw(st.booleans()) else {})}
                               for c in draw(st.lists(st.sampled_from(GROUND_CITES), min_size=1, max_size=2))]
    obligations = [draw(statement_dicts("o", i)) for i in range(draw(st.integers(0, 3)))]
    advice = [draw(statement_dicts("a", i)) for i in range(draw(st.integers(0, 2)))]
    return version_of(rules, scope=scope, obligations=obligations, advice=advice)


def library_of(*versions: RuleSetVersion) -> Library:
    return Library(list(versions))
