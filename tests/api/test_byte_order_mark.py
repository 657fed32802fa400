"""A UTF-8 byte order mark at the start of a JSON payload (Windows editors write one) is dropped by
every front end alike: the command line, the HTTP service and the analyst page give the same answer
for the payload with and without it (a provision; a STIX bundle and a MISP event at the gate)."""

from __future__ import annotations

import json
import subprocess

import pytest
import yaml

from conftest import EXAMPLES, run_env, wivcheck_bin
from server_util import Server

BOM = b"\xef\xbb\xbf"


def _token(role: str) -> tuple[str, str]:
    r = subprocess.run([wivcheck_bin(), "tokens", "new", "--role", role, "--name", f"bom-{role}"],
                       capture_output=True, text=True, env=run_env(), check=True)
    return r.stdout.split("token: ")[1].split()[0], r.stdout.split("entry for the tokens file:\n")[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    folder = tmp_path_factory.mktemp("bom")
    analyst, e1 = _token("analyst")
    gate, e2 = _token("gate")
    (folder / "tokens.yaml").write_text(e1 + e2)
    s = Server("--tokens", str(folder / "tokens.yaml"), "--db", str(folder / "log.sqlite3"))
    yield s, {"analyst": analyst, "gate": gate}
    s.stop()


def _cli(*args) -> tuple[int, dict]:
    r = subprocess.run([wivcheck_bin(), *args, "--format", "json"], capture_output=True, text=True, env=run_env())
    return r.returncode, json.loads(r.stdout.splitlines()[0] if r.stdout else r.stderr)


def test_a_provision_with_a_byte_order_mark_gets_the_same_decision_everywhere(server, tmp_path):
    srv, tokens = server
    body = json.dumps(yaml.safe_load((EXAMPLES / "deny-foreign-origin.yaml").read_text()), default=str).encode()
    plain, marked = tmp_path / "plain.json", tmp_path / "marked.json"
    plain.write_bytes(body)
    marked.write_bytes(BOM + body)
    code_plain, cli_plain = _cli("check", str(plain))
    code_marked, cli_marked = _cli("check", str(marked))
    assert code_plain == code_marked == 3 and cli_plain["decision"] == cli_marked["decision"] == "deny"
    with srv.client(tokens["analyst"]) as c:
        for raw in (body, BOM + body):
            r = c.post("/v1/check", content=raw, headers={"Content-Type": "application/json"})
            assert r.status_code == 200, r.text
            assert r.json()["decision"] == "deny"
            assert [x["rule"] for x in r.json()["reasons"]] == [x["rule"] for x in cli_plain["reasons"]]
    from test_page import sign_in_http            # the page as a browser without JavaScript uses it
    import httpx
    with httpx.Client(base_url=srv.url) as c:
        csrf = sign_in_http(c, tokens["analyst"])
        for raw in (body, BOM + body):
            r = c.post("/", files={"file": ("p.json", raw)}, data={"action": "check", "lang": "en", "csrf": csrf})
            assert r.status_code == 200 and "DENY" in r.text and "praktijk.originator-consent" in r.text


@pytest.mark.parametrize("fmt,payload_file", [("stix", EXAMPLES / "gate" / "bundle-with-email.json"),
                                              ("misp", None)])
def test_a_gate_payload_with_a_byte_order_mark_gets_the_same_answer_on_the_command_line_and_over_http(
        server, tmp_path, fmt, payload_file):
    srv, tokens = server
    if payload_file is None:
        doc = {"Event": {"uuid": "5a5a5a5a-0000-4000-8000-00000000b0b0", "info": "campaign",
                         "Tag": [{"name": "tlp:amber"}],
                         "Attribute": [{"type": "domain", "value": "c2.evil.example",
                                        "uuid": "5a5a5a5a-0000-4000-8000-00000000b0b1"},
                                       {"type": "email-src", "value": "jan@corp.example",
                                        "uuid": "5a5a5a5a-0000-4000-8000-00000000b0b2"}]}}
        raw = json.dumps(doc).encode()
    else:
        raw = payload_file.read_bytes()
    plain, marked = tmp_path / "plain.json", tmp_path / "marked.json"
    plain.write_bytes(raw)
    marked.write_bytes(BOM + raw)
    envelope = EXAMPLES / "gate" / "envelope.yaml"
    code_plain, cli_plain = _cli("gate", f"--{fmt}", str(plain), "--envelope", str(envelope))
    code_marked, cli_marked = _cli("gate", f"--{fmt}", str(marked), "--envelope", str(envelope))
    assert code_plain == code_marked == 3                         # the e-mail address: deny
    for key in ("objects", "remove", "payload", "dependents"):
        assert cli_plain[key] == cli_marked[key], key
    env = json.loads(json.dumps(yaml.safe_load(envelope.read_text()), default=str))
    part = "bundle" if fmt == "stix" else "event"
    body = b'{"envelope": ' + json.dumps(env).encode() + b', "' + part.encode() + b'": ' + raw + b"}"
    with srv.client(tokens["gate"]) as c:
        for sent in (body, BOM + body):
            r = c.post(f"/v1/gate/{fmt}", content=sent, headers={"Content-Type": "application/json"})
            assert r.status_code == 200, r.text
            api = r.json()
            assert api["decision"]["decision"] == cli_plain["decision"]["decision"] == "deny"
            for key in ("objects", "remove", "payload", "dependents"):
                assert api[key] == cli_plain[key], key
