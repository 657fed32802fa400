"""The nesting-depth measure behind the 422 `too_deep` answer: the fast path (parse, then walk)
and the text scan it falls back on must agree on every JSON text."""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from wivcheck.api.http.limits import _text_depth, json_depth

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(alphabet='[]{}"\\ab,:é'),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(alphabet='[]{}"\\a', max_size=4), inner,
                                                                 max_size=4),
    max_leaves=30)


def depth_of(value) -> int:
    if isinstance(value, dict):
        return 1 + max((depth_of(v) for v in value.values()), default=0)
    if isinstance(value, list):
        return 1 + max((depth_of(v) for v in value), default=0)
    return 0


@settings(max_examples=500)
@given(value=json_values, indent=st.sampled_from([None, 1]))
def test_depth_is_the_nesting_of_the_value(value, indent):
    body = json.dumps(value, indent=indent, ensure_ascii=False).encode()
    assert json_depth(body) == _text_depth(body) == depth_of(value)


def test_what_the_parser_refuses_is_still_measured():
    assert json_depth(b"[" * 3000 + b"]" * 3000) == 3000   # beyond orjson's own limit
    assert json_depth(b'{"a": [NaN, {"b": 1}]}') == 3      # not strict JSON
    assert json_depth(b'{"a": [1, ') == 2                  # cut off
