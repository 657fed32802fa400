"""The wheel installs wivcheck as a user would: built from the checkout, installed into a fresh
virtual environment outside it, run from another folder. Everything the product reads at run time
(templates, shipped rules, schemas, examples) must travel inside the wheel, and only the `wivcheck`
namespace may land in site-packages."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from server_util import free_port

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.slow


def _run(*cmd, cwd, env=None, timeout=600, check=True):
    return subprocess.run([str(c) for c in cmd], cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=timeout, check=check)


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """(venv, a folder outside the checkout): the wheel built and installed there."""
    base = tmp_path_factory.mktemp("wheel")
    dist = base / "dist"
    _run(sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", dist, ROOT,
         cwd=base)
    wheels = list(dist.glob("wivcheck-*.whl"))
    assert len(wheels) == 1, wheels
    venv = base / "venv"
    _run(sys.executable, "-m", "venv", venv, cwd=base)
    _run(venv / "bin" / "pip", "install", "-q", wheels[0], cwd=base)
    elsewhere = base / "elsewhere"
    elsewhere.mkdir()
    return venv, elsewhere


def _env(tmp: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("WIVCHECK_")}
    env["WIVCHECK_DB"] = str(tmp / "log.sqlite3")
    return env


def test_site_packages_holds_only_the_namespace(installed):
    venv, elsewhere = installed
    site = Path(_run(venv / "bin" / "python", "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])",
                     cwd=elsewhere).stdout.strip())
    assert (site / "wivcheck" / "engine" / "templates" / "explanation.html").is_file()
    assert (site / "wivcheck" / "rules" / "wiv2017").is_dir()
    assert (site / "wivcheck" / "engine" / "py.typed").is_file()
    for generic in ("engine", "api", "policy", "rules", "examples"):
        assert not (site / generic).exists(), f"top-level {generic} in site-packages"


def test_commands_run_from_another_folder(installed):
    venv, elsewhere = installed
    exe, env = venv / "bin" / "wivcheck", _env(elsewhere)
    version = _run(exe, "--version", cwd=elsewhere, env=env).stdout
    assert version.startswith("wivcheck ")
    listing = _run(exe, "rules", "list", cwd=elsewhere, env=env).stdout
    assert "wiv2017@" in listing
    example = ROOT / "examples" / "deny-foreign-origin.yaml"
    out = _run(exe, "check", "--format", "json", example, cwd=elsewhere, env=env, check=False)
    assert out.returncode == 3, out.stderr
    assert json.loads(out.stdout)["decision"] == "deny"
    html = _run(exe, "check", "--format", "markdown", example, cwd=elsewhere, env=env, check=False)
    assert html.returncode == 3 and "WEIGEREN" in html.stdout


def test_serve_answers_healthz(installed):
    venv, elsewhere = installed
    port = free_port()
    proc = subprocess.Popen([str(venv / "bin" / "wivcheck"), "serve", "--port", str(port)], cwd=elsewhere,
                            env=_env(elsewhere), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as r:
                    assert json.loads(r.read())["status"] == "ok"
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5) as r:
                    assert b"<form" in r.read()  # the page's templates came with the wheel
                break
            except OSError:
                assert proc.poll() is None, proc.stderr.read()
                assert time.monotonic() < deadline, "serve did not answer in 60 s"
                time.sleep(0.3)
    finally:
        proc.terminate()
        proc.wait(timeout=30)
