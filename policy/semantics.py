"""The semantics of conditions, as plain Python: three-valued (Kleene) evaluation.

A leaf is True, False or None (unknown) when a fact it needs is absent; `exists` is never unknown.
`all` is False if any part is False, else unknown if any part is unknown; `any` is True if any part is
True, else unknown if any part is unknown; `not` keeps unknown. A rule is not_applicable when
scope+applies_if is False, missing when that or `requires` is unknown, else satisfied or violated.
This is the reference the durable_rules path is tested against (engine/oracle.py) and what lint and
coverage evaluate conditions with.

`min_letters: N` is true when the text holds at least N visible letters or digits (policy/text.py).
`in_list: NAME` is true when the value is on the rule set's dated list NAME on the provision date
(`date`); both are unknown when a fact they read is absent. The lists come with the rule set
(`lists=`); a condition naming a list that is not given is a programming error (validation catches
it in rule files).
"""

from __future__ import annotations

from typing import Any, Callable

from .conditions import LIST_DATE_FACT, All, AnyOf, FactRef, Leaf, Not
from .dates import shift
from .patterns import compile_pattern
from .text import visible_letters

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


ListTable = tuple  # ((value, since ISO or None, until ISO or None), ...)


def list_table(dated_list) -> ListTable:
    """A DatedList as the plain table `on_list` reads (hashable, so it can key a compiled slot)."""
    return tuple((i.value, i.since.isoformat() if i.since else None,
                  i.until.isoformat() if i.until else None) for i in dated_list.items)


def on_list(table: ListTable, value, day: str) -> bool:
    """Whether value is on the list on day (ISO date): since <= day < until."""
    return any(v == value and (since is None or since <= day) and (until is None or day < until)
               for v, since, until in table)


def compile_condition(cond, lists: dict | None = None) -> Tri:
    """The condition as a function of the flat facts giving True, False or None (unknown).
    `lists` maps list names to the rule set's DatedLists, for `in_list` leaves."""
    if cond is None:
        return lambda facts: True
    if isinstance(cond, All):
        return _join([compile_condition(c, lists) for c in cond.all], decisive=False)
    if isinstance(cond, AnyOf):
        return _join([compile_condition(c, lists) for c in cond.any], decisive=True)
    if isinstance(cond, Not):
        inner = compile_condition(cond.not_, lists)

        def not_(facts):
            v = inner(facts)
            return None if v is None else not v
        return not_
    return _leaf(cond, lists)


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


def _leaf(leaf: Leaf, lists: dict | None) -> Tri:
    path, op, value = leaf.fact, leaf.op, leaf.value
    if op == "exists":
        return lambda f: (path in f) == value
    if op == "matches":
        rx = compile_pattern(value)  # RE2: linear in the text, whatever the pattern
        return lambda f: None if f.get(path) is None else rx.fullmatch(f[path]) is not None
    if op == "min_letters":
        return lambda f: None if f.get(path) is None else visible_letters(f[path]) >= value
    if op == "in_list":
        if not lists or value not in lists:
            raise KeyError(f"in_list: no list {value!r} given with the condition")
        table = list_table(lists[value])

        def listed(f):
            v, day = f.get(path), f.get(LIST_DATE_FACT)
            return None if v is None or day is None else on_list(table, v, day)
        return listed
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
