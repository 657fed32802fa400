"""Static checks of a parsed rule set against the fact schema.

Every fact path must exist, every operator must fit its fact's type, every value must fit the
fact's value set, fact-to-fact comparisons must compare like with like, regular expressions must
be ones RE2 runs (linear time; policy/patterns.py), `in_list` must name a list of the file whose
values fit the fact, and message placeholders must name known facts; ids are unique across rules,
obligations and advice, and a ground names an article. All problems are collected, each with the
rule id and the path inside the file, so that one run reports them all.
"""

from __future__ import annotations

import difflib
import re

from .conditions import LIST_DATE_FACT, FactRef, Leaf, walk_leaves
from .dates import parse_date
from .model import RuleSetFile
from .patterns import PatternError, compile_pattern
from .schema import OPS_BY_KIND, FactSchema, FieldType
from .terms import qualified

PLACEHOLDER = re.compile(r"\{([^{}]*)\}")


class Problem:
    """One finding: the path inside the file (for the line), the rule id, and the message."""

    def __init__(self, path: tuple, rule: str | None, message: str):
        self.path, self.rule, self.message = path, rule, message


def check_ruleset(rs: RuleSetFile, schema: FactSchema) -> list[Problem]:
    problems: list[Problem] = []
    seen: dict[str, str] = {}
    lists = rs.lists
    if rs.scope is not None:
        problems += _check_condition(rs.scope, ("scope",), None, schema, lists)
    items = ([("rules", i, r) for i, r in enumerate(rs.rules)]
             + [("obligations", i, o) for i, o in enumerate(rs.obligations)]
             + [("advice", i, a) for i, a in enumerate(rs.advice)])
    for section, i, item in items:
        qid = qualified(rs.ruleset, item.id)
        base = (section, i)
        if item.id in seen:
            problems.append(Problem(base + ("id",), qid,
                                    f"duplicate {'rule ' if section == 'rules' else ''}id (also "
                                    f"{seen[item.id]}); ids are unique across rules, obligations and advice"))
        seen.setdefault(item.id, f"{section} #{i + 1}")
        if item.applies_if is not None:
            problems += _check_condition(item.applies_if, base + ("applies_if",), qid, schema, lists)
        if section == "rules":
            problems += _check_condition(item.requires, base + ("requires",), qid, schema, lists)
            for k, g in enumerate(item.grounds):
                if not g.cite.article:
                    problems.append(Problem(base + ("grounds", k), qid, "a ground names an article of the law"))
                if g.when is not None:
                    problems += _check_condition(g.when, base + ("grounds", k, "when"), qid, schema, lists)
        for key in ("message", "fix"):
            text = getattr(item, key, None)
            if text is None:
                continue
            for lang in ("nl", "en"):
                for name in PLACEHOLDER.findall(getattr(text, lang)):
                    ft = schema.get(name)
                    if ft is None or ft.kind == "object":
                        problems.append(Problem(base + (key, lang), qid,
                                                f"placeholder {{{name}}} is not a fact{_hint(name, schema)}"))
    return problems


def _hint(path: str, schema: FactSchema) -> str:
    close = difflib.get_close_matches(path, schema.paths(), n=3)
    return f" (did you mean {', '.join(close)}?)" if close else ""


def _check_condition(cond, base: tuple, rule: str | None, schema: FactSchema, lists: dict) -> list[Problem]:
    out = []
    for leaf, sub in walk_leaves(cond):
        for msg in _check_leaf(leaf, schema, lists):
            out.append(Problem(base + sub + (leaf.op if leaf.op != "in" else "in",), rule, msg))
    return out


def _check_leaf(leaf: Leaf, schema: FactSchema, lists: dict) -> list[str]:
    ft = schema.get(leaf.fact)
    if ft is None:
        return [f"unknown fact {leaf.fact!r}{_hint(leaf.fact, schema)}"]
    op, value = leaf.op, leaf.value
    if op not in OPS_BY_KIND[ft.kind]:
        fitting = ", ".join(sorted(OPS_BY_KIND[ft.kind]))
        return [f"operator {op!r} does not fit {leaf.fact} ({ft.kind}); use one of: {fitting}"]
    if op in ("exists", "min_letters"):
        return []
    if op == "in_list":
        if value not in lists:
            known = ", ".join(sorted(lists)) or "none"
            return [f"no list {value!r} in this file (lists: {known})"]
        if schema.get(LIST_DATE_FACT) is None:
            return [f"in_list needs the fact {LIST_DATE_FACT!r}, which the schema lacks"]
        return [m for item in lists[value].items for m in _check_literal(leaf.fact, ft, item.value)]
    if isinstance(value, FactRef):
        return _check_ref(leaf, ft, value, schema)
    if op in ("in", "not_in"):
        if not value:
            return [f"{op} needs at least one value"]
        return [m for v in value for m in _check_literal(leaf.fact, ft, v)]
    if op in ("contains", "not_contains"):
        return _check_item(leaf.fact, ft, value)
    if op == "subset_of":
        return [m for v in value for m in _check_item(leaf.fact, ft, v)]
    if op == "matches":
        try:
            compile_pattern(value)
        except PatternError as exc:
            return [f"regular expression {value!r} does not compile in RE2 ({exc}); patterns run in linear "
                    f"time, without backreferences or lookaround (docs/rule-language.md)"]
        return []
    if isinstance(value, list):
        return [f"{op} takes one value, not a list"]
    return _check_literal(leaf.fact, ft, value)


def _check_ref(leaf: Leaf, ft: FieldType, ref: FactRef, schema: FactSchema) -> list[str]:
    other = schema.get(ref.fact)
    if other is None:
        return [f"unknown fact {ref.fact!r}{_hint(ref.fact, schema)}"]
    if other.kind != ft.kind or other.values != ft.values:
        return [f"cannot compare {leaf.fact} ({ft.kind}) with {ref.fact} ({other.kind})"]
    if ref.offset and ft.kind != "date":
        return [f"an offset ({ref.offset}) only applies to dates"]
    return []


def _check_literal(path: str, ft: FieldType, v) -> list[str]:
    if ft.kind == "bool":
        return [] if isinstance(v, bool) else [f"{path} is true or false, not {v!r}"]
    if ft.kind == "int":
        ok = isinstance(v, int) and not isinstance(v, bool)
        return [] if ok else [f"{path} is a whole number, not {v!r}"]
    if not isinstance(v, str):
        return [f"{path} is text ({ft.kind}), not {v!r}"]
    if ft.kind == "enum" and v not in ft.values:
        return [f"{v!r} is not a value of {path} ({', '.join(ft.values)})"]
    if ft.kind == "date":
        try:
            parse_date(v)
        except ValueError as exc:
            return [f"{path}: {exc}"]
    return []


def _check_item(path: str, ft: FieldType, v) -> list[str]:
    if not isinstance(v, str) or v not in ft.values:
        return [f"{v!r} is not an item value of {path} ({', '.join(ft.values)})"]
    return []
