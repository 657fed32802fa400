"""Pausing Python's cyclic garbage collector while the gate reads and decides a payload.

Reading a 10,000-object bundle allocates a few hundred thousand containers (the parsed JSON, the
items); none of them takes part in a reference cycle, so reference counting frees them all, but the
cyclic collector still walks them again and again as they pile up (a third of the time of a
10,000-object bundle in the run of bench/bench_gate.py). `paused()` switches it off for the duration
and back on afterwards; a counter keeps nested and concurrent uses (threads of the HTTP service)
right: the collector comes back on when the last user leaves, and only if it was on before the first.
"""

from __future__ import annotations

import contextlib
import gc
import threading

_lock = threading.Lock()
_users = 0
_was_enabled = False


@contextlib.contextmanager
def paused():
    """The cyclic collector off inside the block (reference counting still frees everything)."""
    global _users, _was_enabled
    with _lock:
        if _users == 0:
            _was_enabled = gc.isenabled()
            gc.disable()
        _users += 1
    try:
        yield
    finally:
        with _lock:
            _users -= 1
            if _users == 0 and _was_enabled:
                gc.enable()
