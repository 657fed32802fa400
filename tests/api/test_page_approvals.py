"""The approval flow on the page, in Debian's headless Chromium against the real server: an analyst
records an escalated provision; the head of service signs in, lands on the queue, reads why, and
approves with a note (by keyboard); the page shows the reference and the entry to write; the queue
is empty; the analyst's provision naming the reference is allowed, the approval shown as verified.
The approve form is CSRF-protected and a team leader cannot approve a head-of-service rule."""

from __future__ import annotations

import datetime as dt
import json
import os
import re

import httpx
import pytest
import yaml

from conftest import patched
from server_util import Server, make_tokens
from browser_util import needs_chromium, shot
from test_page import csrf_of, sign_in_http

pytestmark = needs_chromium
RULE = "waarborgen-pps.residual-risk"


def escalated_yaml(pid: str, approvals: list | None = None) -> str:
    day = dt.datetime.now(dt.timezone.utc).date()
    data = patched({"id": pid, "date": day.isoformat(),
                    "partnership": {"residual_risk": "open", "assessed_on": (day - dt.timedelta(days=30)).isoformat(),
                                    "valid_until": (day + dt.timedelta(days=300)).isoformat(),
                                    "secrecy_until": (day + dt.timedelta(days=300)).isoformat()}})
    if approvals:
        data["approvals"] = approvals
    return yaml.safe_dump(json.loads(json.dumps(data, default=str)), sort_keys=False, allow_unicode=True)


@pytest.fixture(scope="module")
def setup(tmp_path_factory):
    folder = tmp_path_factory.mktemp("page-approvals")
    path, tokens = make_tokens(folder, roles=("analyst", "teamleider", "diensthoofd"),
                               names={"diensthoofd": "hoofd-aivd"})
    os.chmod(path, 0o600)
    s = Server("--tokens", str(path), "--db", str(folder / "log.sqlite3"))
    yield s, tokens
    s.stop()


def sign_in(page, server, token, lands: str):
    page.goto(server.url + "/")
    page.fill("#token", token)
    page.click("button[type=submit]")
    page.wait_for_url(server.url + lands)


def test_escalation_to_approval_in_the_browser(setup, browser):
    server, tokens = setup
    analyst = browser.new_page()
    sign_in(analyst, server, tokens["analyst"], "/?lang=nl")
    analyst.fill("#text", escalated_yaml("PRV-PAGE-APR"))
    analyst.click("button[value=record]")
    assert analyst.inner_text("#decision") == "VOORLEGGEN"

    boss = browser.new_page()
    sign_in(boss, server, tokens["diensthoofd"], "/escalations?lang=nl")
    assert "PRV-PAGE-APR" in boss.inner_text("#queue-title + article, article.escalation")
    item = boss.locator("article.escalation", has_text="PRV-PAGE-APR")
    assert RULE in item.inner_text() and "Kamerbrief 2025-02-17" in item.inner_text()
    shot(boss, "approver-queue.png")
    # by keyboard: focus the note, type, tab to the button, press Enter
    note = item.locator("textarea.note").first
    note.focus()
    boss.keyboard.type("Restrisico gewogen en aanvaard.")
    boss.keyboard.press("Tab")
    assert boss.evaluate("document.activeElement.tagName") == "BUTTON"
    boss.keyboard.press("Enter")
    boss.wait_for_selector("#given")
    reference = boss.inner_text("#reference")
    assert reference.startswith("apr-")
    entry = yaml.safe_load(boss.inner_text("#approvals-entry"))["approvals"]
    assert entry[0]["reference"] == reference and entry[0]["role"] == "diensthoofd"
    assert boss.locator("article.escalation", has_text="PRV-PAGE-APR").count() == 0
    shot(boss, "approver-given.png")

    analyst.fill("#text", escalated_yaml("PRV-PAGE-APR", entry))
    analyst.click("button[value=check]")
    assert analyst.inner_text("#decision") == "TOESTAAN"
    assert "geverifieerd in het beslislog" in analyst.inner_text("#approvals")
    assert "hoofd-aivd" in analyst.inner_text("#approvals")
    shot(analyst, "analyst-approved-verified.png")
    # every field of the queue is labelled
    unlabelled = boss.evaluate("""() => [...document.querySelectorAll('input:not([type=hidden]):not([type=checkbox]), select, textarea')]
        .filter(e => !e.id || !document.querySelector(`label[for="${e.id}"]`)).map(e => e.name)""")
    assert unlabelled == []
    analyst.close()
    boss.close()


def test_the_approve_form_is_csrf_protected_and_checks_the_level(setup):
    server, tokens = setup
    with httpx.Client(base_url=server.url) as c:
        csrf = sign_in_http(c, tokens["analyst"])
        r = c.post("/", data={"text": escalated_yaml("PRV-PAGE-CSRF"), "action": "record", "csrf": csrf})
        assert r.status_code == 200 and "VOORLEGGEN" in r.text
        assert c.get("/escalations").status_code == 403       # an analyst has no queue
    with httpx.Client(base_url=server.url) as c:
        sign_in_http(c, tokens["teamleider"])
        page = c.get("/escalations?role=diensthoofd")
        assert page.status_code == 200 and "PRV-PAGE-CSRF" in page.text
        form = {"provision_id": "PRV-PAGE-CSRF", "rule": RULE, "note": ""}
        r = c.post("/escalations", data={**form, "csrf": csrf_of(page.text)})
        assert r.status_code == 403 and "needs the diensthoofd or higher" in r.text
    with httpx.Client(base_url=server.url) as c:
        sign_in_http(c, tokens["diensthoofd"])
        r = c.post("/escalations", data=form)                  # no CSRF token
        assert r.status_code == 403 and "CSRF" in r.text
        r = c.post("/escalations", data={**form, "csrf": "0" * 64})
        assert r.status_code == 403
        queue = c.get("/escalations").text
        assert "PRV-PAGE-CSRF" in queue                        # nothing was approved
        r = c.post("/escalations", data={**form, "csrf": csrf_of(queue)})
        assert r.status_code == 200 and re.search(r'id="reference">apr-', r.text)
