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


def test_a_fault_in_the_service_is_a_500_in_words_with_a_reference_in_the_log(tmp_path, monkeypatch, capsys):
    """The API's last line of defence: a fault of the service (not of the request) is a 500
    `engine_fault` that names no Python exception, with a reference the operator's log holds with
    the exception itself."""
    from starlette.testclient import TestClient

    import wivcheck.engine.evaluate as ev
    from wivcheck.api.http.app import create_app
    from wivcheck.api.settings import Settings

    def broken(*a, **k):
        raise KeyError("PersonV2")
    app = create_app(Settings(bind_host="127.0.0.1", db=str(tmp_path / "log.sqlite3")))
    monkeypatch.setattr(ev.Engine, "decide_data", broken)
    monkeypatch.setattr(ev.Engine, "decide_many", broken)
    import yaml
    body = json.loads(json.dumps(yaml.safe_load((EXAMPLES / "allow-structural.yaml").read_text()), default=str))
    with TestClient(app, raise_server_exceptions=False) as c:
        r = c.post("/v1/check", json=body)
    assert r.status_code == 500, r.text
    error = r.json()["error"]
    assert error["code"] == "engine_fault" and "PersonV2" not in r.text and "KeyError" not in r.text
    ref = error["message"].rsplit(" ", 1)[-1]
    logged = capsys.readouterr()
    assert ref in logged.out + logged.err and "PersonV2" in logged.out + logged.err
