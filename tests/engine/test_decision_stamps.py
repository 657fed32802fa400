"""What every decision is stamped with: its id (a random UUID, version 4, as `str(uuid.uuid4())`
writes it) and the time it was made (ISO 8601 UTC with `Z`, as pydantic writes it), made faster
than by the standard library's objects, and the same text."""

from __future__ import annotations

import datetime as dt
import os
import uuid

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from wivcheck.engine import evaluate
from wivcheck.engine.evaluate import _Clock, _DecisionIds, _utc_text

EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc)


def test_decision_ids_are_random_uuid4_text_and_never_repeat():
    ids = _DecisionIds()
    made = [ids() for _ in range(20_000)]   # many draws of 256
    assert len(set(made)) == len(made)
    for text in made:
        u = uuid.UUID(text)
        assert str(u) == text and u.version == 4 and u.variant == uuid.RFC_4122


def test_a_forked_child_makes_its_own_ids():
    """After fork the child must not hand out the ids the parent has drawn and not used yet."""
    ids = _DecisionIds()
    ids()   # the parent has drawn 256 and used one
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:   # the child: its next id, then gone without running anything else
        os.write(w, ids().encode())
        os._exit(0)
    os.close(w)
    os.waitpid(pid, 0)
    child = os.read(r, 100).decode()
    os.close(r)
    assert uuid.UUID(child).version == 4
    assert child != ids()   # the parent's next one


def test_each_thread_draws_its_own():
    import threading
    ids, got = _DecisionIds(), []
    threads = [threading.Thread(target=lambda: got.extend(ids() for _ in range(300))) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(set(got)) == 1200


@settings(max_examples=500, deadline=None)
@given(st.integers(min_value=0, max_value=2**62))
@example(1_764_000_000_000_000_000)      # a whole second: no fraction written
@example(1_764_000_000_000_999_999)      # rounded down to the microsecond
@example(1_764_000_000_000_001_000)
def test_the_clock_writes_what_pydantic_writes(ns):
    expected = _utc_text(EPOCH + dt.timedelta(microseconds=ns // 1000))
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(evaluate.time, "time_ns", lambda: ns)
        clock = _Clock()
        assert clock() == expected
        assert clock() == expected   # the second remembered


def test_decisions_carry_them(durable):
    from conftest import provision
    d = durable.decide_data([provision()])[0]
    assert uuid.UUID(d["decision_id"]).version == 4
    moment = dt.datetime.fromisoformat(d["evaluated_at"].replace("Z", "+00:00"))
    assert abs(moment - dt.datetime.now(dt.timezone.utc)) < dt.timedelta(seconds=60)
