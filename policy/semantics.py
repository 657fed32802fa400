"""The semantics of conditions, as plain Python: three-valued (Kleene) evaluation.

A leaf is True, False or None (unknown) when a fact it needs is absent; `exists` is never unknown.
`all` is False if any part is False, else unknown if any part is unknown; `any` is True if any part is
True, else unknown if any part is unknown; `not` keeps unknown. A rule is not_applicable when
scope+applies_if is False, missing when that or `requires` is unknown, else satisfied or violated.
This is the reference the durable_rules path is tested against (engine/oracle.py) and what lint and
coverage evaluate conditions with.
"""

from __future__ import annotations

from typing import Any, Callable

from .conditions import All, AnyOf, FactRef, Leaf, Not
from .dates import shift
from .patterns import compile_pattern

Facts = dict[str, Any]
Tri = Callable[[Facts], "bool | None"]


def _join(parts: list[Tri], decisive: bool) -> Tri:
    """Three-valued all (decisive False) or any (decisive True): one part with the decisive value
    settles it; otherwise an unknown part leaves it unknown."""
    def join(facts):
        unknown = False
        for p in parts:
            v = p(facts)
            if v is decisive:
                return decisive
            if v is None:
                unknown = True
        return None if unknown else not decisive
    return join


def compile_condition(cond) -> Tri:
    if cond is None:
        return lambda facts: True
    if isinstance(cond, All):
        return _join([compile_condition(c) for c in cond.all], decisive=False)
    if isinstance(cond, AnyOf):
        return _join([compile_condition(c) for c in cond.any], decisive=True)
    if isinstance(cond, Not):
        inner = compile_condition(cond.not_)

        def not_(facts):
            v = inner(facts)
            return None if v is None else not v
        return not_
    return _leaf(cond)


def _right(value) -> Callable[[Facts], Any]:
    if isinstance(value, FactRef):
        if value.offset:
            return lambda f: None if f.get(value.fact) is None else shift(f[value.fact], value.offset)
        return lambda f: f.get(value.fact)
    return lambda f: value


_CMP = {
    "equals": lambda a, b: a == b,
    "not_equals": lambda a, b: a != b,
    "lt": lambda a, b: a < b,
    "le": lambda a, b: a <= b,
    "gt": lambda a, b: a > b,
    "ge": lambda a, b: a >= b,
    "in": lambda a, b: a in b,
    "not_in": lambda a, b: a not in b,
    "contains": lambda a, b: b in a,
    "not_contains": lambda a, b: b not in a,
    "subset_of": lambda a, b: set(a) <= set(b),
}


def _leaf(leaf: Leaf) -> Tri:
    path, op, value = leaf.fact, leaf.op, leaf.value
    if op == "exists":
        return lambda f: (path in f) == value
    if op == "matches":
        rx = compile_pattern(value)  # RE2: linear in the text, whatever the pattern
        return lambda f: None if f.get(path) is None else rx.fullmatch(f[path]) is not None
    cmp, right = _CMP[op], _right(value)

    def leaf_(f):
        a = f.get(path)
        if a is None:
            return None
        b = right(f)
        if b is None:
            return None
        return cmp(a, b)
    return leaf_


def rule_status(applies: "bool | None", requires: "bool | None") -> str:
    if applies is False:
        return "not_applicable"
    if applies is None or requires is None:
        return "missing"
    return "satisfied" if requires else "violated"
