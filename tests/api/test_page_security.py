"""The analyst page against cross-site requests, on a real server (docs/security.md): CSRF tokens on
every form, login CSRF closed, a signed session instead of the token in the cookie, SameSite=Strict and
Secure cookies, and the security headers on every response. The attack of the issue is replayed in a
real Chromium: a page on another port of the same host tries to record as the signed-in analyst."""

from __future__ import annotations

import base64
import http.server
import re
import subprocess
import threading
from pathlib import Path

import httpx
import pytest

from conftest import EXAMPLES, run_env, wivcheck_bin
from browser_util import needs_chromium
from server_util import Server, free_port

CSRF = re.compile(r'name="csrf" value="([0-9a-f]{64})"')


def _token(role: str) -> tuple[str, str]:
    r = subprocess.run([wivcheck_bin(), "tokens", "new", "--role", role, "--name", f"sec-{role}"],
                       capture_output=True, text=True, env=run_env(), check=True)
    return r.stdout.split("token: ")[1].split()[0], r.stdout.split("entry for the tokens file:\n")[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    folder = tmp_path_factory.mktemp("pagesec")
    analyst, entry = _token("analyst")
    (folder / "tokens.yaml").write_text(entry)
    s = Server("--tokens", str(folder / "tokens.yaml"), "--db", str(folder / "log.sqlite3"))
    s.token, s.db = analyst, folder / "log.sqlite3"
    yield s
    s.stop()


def _entries(db: Path) -> int:
    from wivcheck.engine.log import Ledger
    return Ledger(db).count() if db.exists() else 0


def _signed_in(server) -> tuple[httpx.Client, str, httpx.Response]:
    c = httpx.Client(base_url=server.url, timeout=30)
    login = c.get("/login")
    r = c.post("/login", data={"token": server.token, "csrf": CSRF.search(login.text).group(1)}, follow_redirects=False)
    assert r.status_code == 303
    return c, CSRF.search(c.get("/").text).group(1), r


def test_the_cookie_holds_a_signed_session_not_the_token(server):
    c, _, r = _signed_in(server)
    cookie = r.headers["set-cookie"]
    value = c.cookies["wivcheck_session"]
    assert server.token not in cookie and server.token not in base64.urlsafe_b64decode(value.split(".")[0] + "==").decode()
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie and "Path=/" in cookie
    assert "Secure" not in cookie  # plain http on 127.0.0.1: see below for HTTPS
    # an altered session is no session
    c.cookies.set("wivcheck_session", value[:-2] + ("AA" if value[-2:] != "AA" else "BB"))
    assert c.get("/").status_code == 401


def test_cookies_are_secure_over_https(server):
    """Behind a TLS-terminating proxy uvicorn trusts (127.0.0.1, X-Forwarded-Proto), cookies are Secure."""
    with httpx.Client(base_url=server.url, headers={"x-forwarded-proto": "https"}) as c:
        login = c.get("/login")
        assert "Secure" in login.headers["set-cookie"] and "SameSite=strict" in login.headers["set-cookie"]
        assert "max-age" in login.headers["strict-transport-security"]
        c.cookies.set("wivcheck_login", login.cookies["wivcheck_login"])
        r = c.post("/login", data={"token": server.token, "csrf": CSRF.search(login.text).group(1)},
                   follow_redirects=False)
        assert r.status_code == 303 and "Secure" in r.headers["set-cookie"]


def test_over_plain_http_only_this_machine_may_sign_in(server):
    with httpx.Client(base_url=server.url, headers={"x-forwarded-for": "203.0.113.9"}) as c:
        login = c.get("/login")
        r = c.post("/login", data={"token": server.token, "csrf": CSRF.search(login.text).group(1)})
        assert r.status_code == 403 and "geweigerd: meld u aan via HTTPS" in r.text  # Dutch, the page's default
        login = c.get("/login?lang=en")
        r = c.post("/login", data={"token": server.token, "csrf": CSRF.search(login.text).group(1), "lang": "en"})
        assert r.status_code == 403 and "refused: sign in over HTTPS" in r.text


def test_forms_without_the_sessions_csrf_token_change_nothing(server):
    c, csrf, _ = _signed_in(server)
    text = (EXAMPLES / "allow-structural.yaml").read_text()
    before = _entries(server.db)
    for data, headers in (({"text": text, "action": "record"}, {}),
                          ({"text": text, "action": "record", "csrf": "0" * 64}, {}),
                          ({"text": text, "action": "record", "csrf": csrf}, {"sec-fetch-site": "same-site"}),
                          ({"text": text, "action": "record", "csrf": csrf}, {"sec-fetch-site": "cross-site"}),
                          ({"text": text, "action": "record", "csrf": csrf}, {"origin": "http://127.0.0.1:1"})):
        r = c.post("/", data=data, headers=headers)
        assert r.status_code == 403 and "Formulier geweigerd" in r.text and "geweigerd: het " in r.text, \
            (data.get("csrf"), headers)
    r = c.post("/?lang=en", data={"text": text, "action": "record", "csrf": csrf}, headers={"sec-fetch-site": "cross-site"})
    assert r.status_code == 403 and "refused: the form was sent from another site (cross-site)" in r.text
    other, other_csrf, _ = _signed_in(server)  # another session's token does not fit this one
    assert c.post("/", data={"text": text, "action": "record", "csrf": other_csrf}).status_code == 403
    assert _entries(server.db) == before
    r = c.post("/", data={"text": text, "action": "record", "csrf": csrf})
    assert r.status_code == 200 and 'id="recorded"' in r.text and _entries(server.db) == before + 1
    assert c.post("/logout", data={}).status_code == 403  # sign-out needs the token too
    assert c.post("/logout", data={"csrf": csrf}, follow_redirects=False).status_code == 303


def test_login_csrf_is_closed(server):
    """Nobody can sign a browser in under their own token: the sign-in form needs the sign-in
    cookie's CSRF token, which a page elsewhere can neither read nor make."""
    with httpx.Client(base_url=server.url) as c:
        r = c.post("/login", data={"token": server.token}, follow_redirects=False)
        assert r.status_code == 403 and "wivcheck_session" not in r.headers.get("set-cookie", "")
        login = c.get("/login")
        r = c.post("/login", data={"token": server.token, "csrf": CSRF.search(login.text).group(1)},
                   headers={"sec-fetch-site": "cross-site"}, follow_redirects=False)
        assert r.status_code == 403
    with httpx.Client(base_url=server.url) as fresh:  # a token from another browser's form
        r = fresh.post("/login", data={"token": server.token, "csrf": CSRF.search(login.text).group(1)},
                       follow_redirects=False)
        assert r.status_code == 403


@pytest.mark.parametrize("path, method", [("/", "GET"), ("/login", "GET"), ("/v1/check", "POST"), ("/healthz", "GET"),
                                          ("/nowhere", "GET"), ("/docs", "GET"), ("/openapi.json", "GET")])
def test_security_headers_on_every_response(server, path, method):
    r = httpx.request(method, server.url + path)
    assert "frame-ancestors 'none'" in r.headers["content-security-policy"]
    assert r.headers["x-frame-options"] == "DENY" and r.headers["x-content-type-options"] == "nosniff"
    assert r.headers["referrer-policy"] == "same-origin" and r.headers["cache-control"] == "no-store"
    if path != "/docs":
        assert "script-src" not in r.headers["content-security-policy"]  # the page runs no script


@needs_chromium
def test_a_page_on_another_port_cannot_record_as_the_signed_in_analyst(server, browser):
    """In a real browser: the analyst is signed in; a page served from another port of 127.0.0.1 (same
    site, other origin) submits a recording form to the service, with the browser's cookies. Nothing is
    recorded, and the page cannot be framed either."""
    text = (EXAMPLES / "allow-structural.yaml").read_text().replace("\n", "&#10;")
    evil = (f'<!doctype html><html><body><iframe id="f" src="{server.url}/"></iframe>'
            f'<form id="x" method="post" action="{server.url}/" enctype="multipart/form-data">'
            f'<input name="action" value="record"><textarea name="text">{text}</textarea></form>'
            '<script>document.getElementById("x").submit()</script></body></html>').encode()

    class Evil(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200)
            self.send_header("content-type", "text/html")
            self.end_headers()
            self.wfile.write(evil)

        def log_message(self, *args):
            pass
    port = free_port()
    httpd = http.server.HTTPServer(("127.0.0.1", port), Evil)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        page = browser.new_context().new_page()
        page.goto(server.url + "/")
        page.fill("#token", server.token)
        page.click("button[type=submit]")
        page.wait_for_url(server.url + "/?lang=nl")
        before = _entries(server.db)
        page.goto(f"http://127.0.0.1:{port}/")
        page.wait_for_load_state("load")
        page.wait_for_timeout(1500)
        assert page.url.startswith(server.url)  # the form was sent, with the browser's cookies
        assert "geweigerd" in page.content() and 'id="recorded"' not in page.content()
        assert _entries(server.db) == before
        # the signed-in page still records when the analyst uses it
        page.goto(server.url + "/")
        page.fill("#text", (EXAMPLES / "allow-structural.yaml").read_text())
        page.click("button[value=record]")
        assert page.inner_text("#recorded").startswith("Vastgelegd")
        assert _entries(server.db) == before + 1
    finally:
        httpd.shutdown()
