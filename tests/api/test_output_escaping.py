"""Output that cannot be used against its reader (docs/security.md): a value from input shows as
text in every rendering. The terminal gets no control or escape sequence, Markdown no HTML and no line
of its own (a recipient name cannot make a "## ALLOW" heading), Rich no markup from input, HTML and
the page no markup at all."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import httpx
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import EXAMPLES, patched, provision, run_env, wivcheck_bin
from server_util import Server
from wivcheck.engine import render_html, render_markdown, render_text

XSS = "<script>alert(1)</script><img src=x onerror=alert(2)>"
SCREEN = "Evil B.V.\x1b[2J\x1b[H\x1b[1;32mALLOW\x1b[0m\r\n## ALLOW\u202e [bold red]x[/]"
CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def _files(tmp_path: Path, name: str) -> Path:
    data = json.loads(json.dumps(__import__("yaml").safe_load((EXAMPLES / "escalate-residual-risk.yaml").read_text()),
                                 default=str))
    data["recipient"]["name"] = name
    f = tmp_path / "p.json"
    f.write_text(json.dumps(data))
    return f


def test_a_name_with_markup_shows_as_text_in_every_cli_rendering(tmp_path):
    f = _files(tmp_path, XSS)
    md = subprocess.run([wivcheck_bin(), "check", "--format", "markdown", str(f)], capture_output=True, text=True,
                        env=run_env()).stdout
    assert "<script>" not in md and "<img" not in md and "&lt;script&gt;alert(1)&lt;/script&gt;" in md
    db = tmp_path / "log.sqlite3"
    subprocess.run([wivcheck_bin(), "check", "--record", "--db", str(db), str(f)], env=run_env(), capture_output=True)
    html = subprocess.run([wivcheck_bin(), "log", "show", "1", "--format", "html", "--db", str(db)],
                          capture_output=True, text=True, env=run_env()).stdout
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "default-src 'none'" in html  # a saved dossier page runs no script either


def test_escape_sequences_never_reach_the_terminal(tmp_path):
    """Decisions, their reasons and error messages that quote input: every byte the CLI prints is
    free of control characters but its own line breaks."""
    f = _files(tmp_path, SCREEN)
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"id": "P\x1b[2J", "colour\x1b[31m": "x\x07"}))
    weird = tmp_path / "[bold red]x[blink]\x1b[2J.yaml"
    weird.write_text("id: [")
    for args in (["check", str(f)], ["check", "--format", "markdown", str(f)], ["check", str(bad)],
                 ["check", str(weird)], ["check", str(tmp_path / "missing\x1b[2J.yaml")]):
        r = subprocess.run([wivcheck_bin(), *args], capture_output=True, env=run_env())
        for stream in (r.stdout, r.stderr):
            text = stream.decode("utf-8")
            assert not CONTROL.search(text), (args, text[:300])
            assert "ALLOW\n" not in text and "\n## ALLOW" not in text
    err = subprocess.run([wivcheck_bin(), "check", str(weird)], capture_output=True, text=True, env=run_env()).stderr
    assert "[bold red]x[blink]" in err  # Rich markup in a file name is printed, not obeyed
    assert "\\x1b[2J" in err


def test_the_handed_name_shows_as_text_in_the_api_renderings_and_on_the_page(tmp_path):
    cases = Path("/work/shared/cases/provisions/f21-xss-name.yaml")
    text = cases.read_text() if cases.exists() else (EXAMPLES / "allow-structural.yaml").read_text().replace(
        "name: Example Hosting B.V.", f'name: "{XSS}"')
    server = Server("--db", str(tmp_path / "log.sqlite3"))
    try:
        with httpx.Client(base_url=server.url, timeout=30) as c:
            data = __import__("yaml").safe_load(text)
            d = c.post("/v1/decisions", json=json.loads(json.dumps(data, default=str))).json()
            for fmt, escaped in (("markdown", "&lt;script&gt;"), ("html", "&lt;script&gt;")):
                body = c.get(f"/v1/decisions/{d['decision_id']}", params={"format": fmt}).text
                assert "<script>" not in body and "<img" not in body and escaped in body, fmt
            page = c.get("/")
            csrf = re.search(r'name="csrf" value="([0-9a-f]{64})"', page.text).group(1)
            r = c.post("/", data={"text": text, "action": "check", "csrf": csrf})
            assert r.status_code == 200 and 'id="decision"' in r.text
            assert "<script>alert" not in r.text and "&lt;script&gt;alert(1)&lt;/script&gt;" in r.text
    finally:
        server.stop()


names = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), min_size=1, max_size=60)


@settings(max_examples=200, deadline=None)
@given(name=names, ref=names)
def test_any_text_stays_text_in_text_and_markdown(durable, name, ref):
    # a visible letter first: a reference or name of invisible characters alone is refused as empty
    p = provision(patched({"recipient": {"name": "N " + name},
                           "approvals": [{"role": "diensthoofd", "rule": "waarborgen-pps.residual-risk",
                                          "reference": "R " + ref, "date": "2025-03-01"}]}))
    d = durable.decide_many([p])[0]
    text = render_text(d, "en")
    assert not CONTROL.search(text)
    md = render_markdown(d, "en", p)
    assert not CONTROL.search(md)
    ours = {"## ", "### ", "| ", "|---", "- ", "<details>", "</details>", "Escalate to", "**", ""}
    for line in md.splitlines():
        assert any(line.startswith(x) for x in ours if x) or line == "", line
    # the value changes no structure: against a plain name and reference, the same lines start the same
    plain = provision(patched({"recipient": {"name": "N"},
                               "approvals": [{"role": "diensthoofd", "rule": "waarborgen-pps.residual-risk",
                                              "reference": "R", "date": "2025-03-01"}]}))
    base = render_markdown(durable.decide_many([plain])[0], "en", plain)
    start = re.compile(r"^(#+ |\| |\|---|- |\*\*|<|\d+\. |>)?")
    assert [start.match(x).group(0) for x in md.splitlines()] == [start.match(x).group(0) for x in base.splitlines()]
    for line in md.splitlines():
        if line.startswith("| Recipient |"):
            assert "<" not in line and line.replace("\\|", "").count("|") == 3, line  # two cells, no more
    html = render_html(d, p, "en")
    assert "<script" not in html.lower().replace("&lt;script", "")


def test_the_escaping_helpers():
    from wivcheck.engine import markdown_text, terminal_text
    assert terminal_text("a\x1b[2Jb\r\nc\u202ed") == "a\\x1b[2Jb\\x0d\\x0ac\\u202ed"
    assert terminal_text("line\nnext", keep_lines=True) == "line\nnext"
    assert markdown_text("x\n## ALLOW <b>|</b> *y* [l](http://e)") == (
        "x ## ALLOW &lt;b&gt;\\|&lt;/b&gt; \\*y\\* \\[l\\](http://e)")
