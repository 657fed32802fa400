"""Command-line conventions: examples in every command's --help, shell completion, --quiet, and
errors as JSON in the API's shape whenever a command was asked for JSON."""

from __future__ import annotations

import json
import subprocess

import pytest
import typer

from conftest import EXAMPLES, ROOT, run_env, wivcheck_bin
from wivcheck.api.cli import app
from wivcheck.api.http.errors import ErrorResponse


def run(*args: str, env: dict | None = None, **kw) -> subprocess.CompletedProcess:
    return subprocess.run([wivcheck_bin(), *args], capture_output=True, text=True, cwd=ROOT,
                          env={**run_env(), "COLUMNS": "200", **(env or {})}, timeout=120, **kw)


def commands() -> list[str]:
    root = typer.main.get_command(app)
    out = []
    for name, cmd in root.commands.items():
        if hasattr(cmd, "commands"):
            out += [f"{name} {sub}" for sub in cmd.commands]
        else:
            out.append(name)
    return sorted(out)


def test_there_are_commands_to_check():
    assert {"check", "gate", "serve", "healthcheck", "rules list", "log export", "tokens new"} <= set(commands())


@pytest.mark.parametrize("command", commands())
def test_every_command_help_shows_examples_of_itself(command):
    r = run(*command.split(), "--help")
    assert r.returncode == 0, r.stderr
    assert "Examples:" in r.stdout, command
    after = r.stdout.split("Examples:", 1)[1]
    assert f"wivcheck {command}" in after or f"wivcheck -q {command}" in after, command


def test_shell_completion_completes_commands():
    r = run(env={"_WIVCHECK_COMPLETE": "complete_bash", "COMP_WORDS": "wivcheck ru", "COMP_CWORD": "1"})
    assert r.returncode == 0 and r.stdout.split() == ["rules"]
    r = run(env={"_WIVCHECK_COMPLETE": "complete_bash", "COMP_WORDS": "wivcheck log ex", "COMP_CWORD": "2"})
    assert r.stdout.split() == ["export"]
    # the shell named, not detected from the parent processes (a test runner may have no shell above it)
    assert "_wivcheck_completion" in run("--show-completion", "bash",
                                         env={"_TYPER_COMPLETE_TEST_DISABLE_SHELL_DETECTION": "1"}).stdout


def test_quiet_prints_nothing_but_keeps_the_exit_code_and_errors():
    for name, code in (("allow-structural.yaml", 0), ("deny-foreign-origin.yaml", 3), ("escalate-residual-risk.yaml", 4)):
        r = run("-q", "check", str(EXAMPLES / name))
        assert (r.returncode, r.stdout) == (code, ""), r.stderr
    r = run("--quiet", "check", "--format", "json", "no-such-file.yaml")
    assert r.returncode == 1 and r.stdout == "" and "no-such-file.yaml" in r.stderr
    assert run("--quiet", "rules", "list").stdout == ""


def _json_error(r: subprocess.CompletedProcess) -> dict:
    assert r.returncode == 1, (r.returncode, r.stdout, r.stderr)
    (line,) = [x for x in r.stdout.splitlines() if x.startswith("{")]
    data = json.loads(line)
    ErrorResponse.model_validate({"error": data["error"]})  # the API's error shape, field for field
    assert set(data) == {"error", "source"} and set(data["error"]) == {"code", "message", "problems"}
    assert r.stderr.strip()  # and the same error for people, on stderr
    return data


def test_errors_are_json_in_the_api_shape_with_format_json(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("id: X-1\nservice: NSA\n")
    data = _json_error(run("check", "--format", "json", str(bad)))
    assert data["error"]["code"] == "invalid_provision" and data["source"] == str(bad)
    assert "service" in [p["path"] for p in data["error"]["problems"]]
    assert _json_error(run("rules", "list", "--rules", str(tmp_path / "none"), "--format", "json"))["error"]["code"] \
        == "invalid_ruleset"
    missing_log = str(tmp_path / "none.sqlite3")
    assert _json_error(run("log", "show", "1", "--db", missing_log, "--format", "json"))["error"]["code"] \
        == "log_unavailable"
    assert _json_error(run("log", "replay", "--db", missing_log, "--format", "json"))["error"]["code"] \
        == "log_unavailable"
    assert _json_error(run("log", "export", "--db", missing_log, "--format", "jsonl"))["error"]["code"] \
        == "log_unavailable"
    envelope = tmp_path / "envelope.json"
    envelope.write_text(json.dumps({"id": "G-1", "data": None}))
    data = _json_error(run("gate", "--stix", str(EXAMPLES / "gate" / "bundle.json"), "--envelope", str(envelope),
                           "--format", "json"))
    assert data["error"]["code"] == "invalid_provision"
    assert _json_error(run("rules", "lint", str(tmp_path / "none"), "--format", "json"))["error"]["code"] \
        == "invalid_ruleset"
    # text output keeps stdout free of errors
    r = run("check", str(bad))
    assert r.returncode == 1 and r.stdout == ""
