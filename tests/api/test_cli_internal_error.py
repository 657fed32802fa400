"""An unexpected fault in wivcheck itself (not in its input) is an error, never an allow, and is told
in words: no Python exception text reaches the user unless asked for (WIVCHECK_DEBUG=1)."""

from __future__ import annotations

import json
import subprocess
import sys

from conftest import EXAMPLES, run_env

# the real entry point, with one function of the decision path made to fail as a bug would
FAULT = """
import sys
import wivcheck.engine.evaluate as ev
def broken(*a, **k):
    raise KeyError("PersonV2")
ev.Engine.decide_many = broken
from wivcheck.api.cli.main import main
sys.argv = ["wivcheck", *sys.argv[1:]]
main()
"""


def _run(*args, debug: bool = False):
    env = run_env()
    if debug:
        env["WIVCHECK_DEBUG"] = "1"
    else:
        env.pop("WIVCHECK_DEBUG", None)
    return subprocess.run([sys.executable, "-c", FAULT, *args], capture_output=True, text=True, env=env)


def test_an_internal_fault_is_an_error_in_words_with_no_python_text():
    r = _run("check", str(EXAMPLES / "allow-structural.yaml"))
    assert r.returncode == 1, (r.returncode, r.stdout, r.stderr)
    assert "internal error" in r.stderr and "not in what it was given" in r.stderr
    assert "PersonV2" not in r.stderr + r.stdout and "KeyError" not in r.stderr + r.stdout
    assert "allow" not in r.stdout.lower()


def test_with_json_output_the_fault_is_a_json_error_on_stdout():
    r = _run("check", "--format", "json", str(EXAMPLES / "allow-structural.yaml"))
    assert r.returncode == 1
    answer = json.loads(r.stdout.strip().splitlines()[-1])
    assert "internal error" in json.dumps(answer) and "PersonV2" not in r.stdout


def test_the_details_are_shown_when_asked_for():
    r = _run("check", str(EXAMPLES / "allow-structural.yaml"), debug=True)
    assert r.returncode == 1 and "KeyError" in r.stderr and "PersonV2" in r.stderr and "Traceback" in r.stderr
