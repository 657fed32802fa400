"""schemathesis against the live service's own OpenAPI: no 5xx and no response that breaks the
schema (status codes, content types, bodies), for generated valid and invalid requests on every
operation. Run through schemathesis' command line: its pytest plugin does not load on this pytest."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from conftest import ROOT, run_env
from server_util import Server

CHECKS = "not_a_server_error,response_schema_conformance,status_code_conformance,content_type_conformance"


def test_no_server_errors_and_responses_fit_the_schema(tmp_path):
    # no tokens: a loopback-only server where every role is allowed, so every operation is reachable
    server = Server("--db", str(tmp_path / "log.sqlite3"))
    try:
        st = Path(sys.executable).parent / "schemathesis"
        r = subprocess.run([str(st), "run", server.url + "/openapi.json", "--checks", CHECKS,
                            "--max-examples", "40", "--report-dir", str(tmp_path / "report")],
                           capture_output=True, text=True, env=run_env(), cwd=ROOT, timeout=900)
    finally:
        server.stop()
    tail = r.stdout[-4000:]
    assert r.returncode == 0, tail
    import re
    selected = re.search(r"Selected: (\d+)/(\d+)", r.stdout)
    assert selected and selected.group(1) == selected.group(2) and int(selected.group(1)) >= 9, tail
    assert " passed" in r.stdout and "failures" not in tail.lower(), tail
