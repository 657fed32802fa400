"""The redesigned analyst page as an analyst meets it, in Debian's headless Chromium against the real
server (docs/http.md, "The analyst page"): the first visit is the sign-in form; the form is filled by
hand for an allowed, a denied and an escalated provision, with JavaScript switched off; the answer
is the API's; the escalated one is recorded and its dossier opened; the pasted YAML and the form stay
in sync; conditional parts show only when they apply; a keyboard-only run; contrast and focus.
Screenshots go to build/screenshots/ (page-after*.png; page-before*.png were taken from the page as
it was)."""

from __future__ import annotations

import os
import re

import httpx
import pytest
import yaml

from conftest import EXAMPLES
from server_util import Server, make_tokens
from browser_util import needs_chromium, shot
from test_page import csrf_of

pytestmark = needs_chromium


@pytest.fixture(scope="module")
def setup(tmp_path_factory):
    folder = tmp_path_factory.mktemp("page-analyst")
    path, tokens = make_tokens(folder, roles=("analyst", "policy", "auditor", "diensthoofd"))
    os.chmod(path, 0o600)
    s = Server("--tokens", str(path), "--db", str(folder / "log.sqlite3"))
    yield s, tokens
    s.stop()


def _page(browser, script: bool = True):
    return browser.new_context(java_script_enabled=script, viewport={"width": 1280, "height": 900}).new_page()


def sign_in(page, server, token):
    page.goto(server.url + "/")
    page.fill("#token", token)
    page.click("button[type=submit]")
    page.wait_for_url(server.url + "/?lang=nl")


ALLOWED = yaml.safe_load((EXAMPLES / "allow-structural.yaml").read_text())


def fill_allowed(page) -> None:
    """The allowed example typed into the form by hand, section by section."""
    p = ALLOWED
    page.select_option("#f-service", p["service"])
    page.fill("#f-id", "PRV-FORM-ALLOW")
    page.fill("#f-date", p["date"].isoformat())
    assert not page.is_visible("#s-partnership")                  # no context yet: no partnership part
    page.select_option("#f-context", p["context"])
    assert page.is_visible("#s-partnership")                      # structural: the partnership part shows
    r = p["recipient"]
    page.select_option("#f-recipient-kind", r["kind"])
    assert not page.is_visible("#f-recipient-relationship")       # not a foreign recipient
    page.fill("#f-recipient-name", r["name"])
    page.fill("#f-recipient-id", r["id"])
    page.fill("#f-recipient-country", r["country"])
    page.select_option("#f-recipient-concern", r["concern"])
    pu = p["purpose"]
    page.select_option("#f-purpose-task", pu["task"])
    page.select_option("#f-purpose-aim", pu["aim"])
    page.fill("#f-purpose-necessity", pu["necessity"])
    page.fill("#f-purpose-proportionality", pu["proportionality"])
    page.select_option("#f-purpose-measures", pu["measures"])
    d = p["data"]
    for c in d["categories"]:
        page.check(f"input[name='f.data.categories'][value={c}]")
    page.select_option("#f-data-classification", d["classification"])
    page.select_option("#f-data-tlp", d["tlp"])
    page.fill("#f-data-volume", str(d["volume"]))
    page.select_option("#f-data-origin", d["origin"])
    for key in ("personal_data", "special_categories", "evaluated", "automated_selection", "reliability_indicated",
                "onward_provision_barred"):
        page.select_option(f"#f-data-{key}", "true" if d[key] else "false")
    ps = p["partnership"]
    page.fill("#f-partnership-id", ps["id"])
    for key in ("assessed_on", "valid_until", "secrecy_until"):
        page.fill(f"#f-partnership-{key}", ps[key].isoformat())
    page.select_option("#f-partnership-residual_risk", ps["residual_risk"])
    for c in ps["permitted_categories"]:
        page.check(f"input[name='f.partnership.permitted_categories'][value={c}]")


def _api_check(server, token: str, text: str) -> dict:
    data = yaml.safe_load(text)
    body = __import__("json").loads(__import__("json").dumps(data, default=str))
    r = httpx.post(server.url + "/v1/check", json=body, headers={"authorization": f"Bearer {token}"}, timeout=30)
    assert r.status_code == 200, r.text
    return r.json()


def _same_as_api(page, server, token) -> None:
    """The page's decision on the YAML it shows is the API's on the same YAML."""
    api = _api_check(server, token, page.input_value("#text"))
    word = {"allow": "TOESTAAN", "deny": "WEIGEREN", "escalate": "VOORLEGGEN"}[api["decision"]]
    assert page.inner_text("#decision") == word
    shown = page.locator("li.reason code.rule").all_inner_texts()
    assert shown == [r["rule"] for r in api["reasons"]]


def test_the_first_visit_is_the_sign_in_page(setup):
    server, tokens = setup
    with httpx.Client(base_url=server.url) as c:
        r = c.get("/")
        assert r.status_code == 401 and 'id="token"' in r.text and "autofocus" in r.text
        assert "Meld u aan met uw persoonlijke token" in r.text and 'role="alert"' not in r.text
        assert '"error"' not in r.text                                # no API error shape
        assert "Sign in with your personal token" in c.get("/?lang=en").text
        r = c.get("/dossier/1")                                       # a dossier link: sign in, then there
        assert r.status_code == 401 and 'name="next" value="/dossier/1"' in r.text
        r = c.post("/login", data={"token": "wvc_wrong", "csrf": csrf_of(r.text), "next": "/"})
        assert r.status_code == 401 and 'role="alert"' in r.text and "niet bekend" in r.text
        for target, lands in (("/dossier/1", "/dossier/1?lang=nl"), ("//evil.example/", "/?lang=nl"),
                              ("https://evil.example/", "/?lang=nl"), ("/escalations", "/escalations?lang=nl")):
            login = c.get("/login")
            r = c.post("/login", data={"token": tokens["analyst"], "csrf": csrf_of(login.text), "next": target},
                       follow_redirects=False)
            assert r.status_code == 303 and r.headers["location"] == lands, target


def test_an_analyst_fills_the_form_allowed_denied_escalated_records_and_opens_the_dossier(setup, browser):
    """Without JavaScript: the page must work with forms and CSS alone."""
    server, tokens = setup
    page = _page(browser, script=False)
    sign_in(page, server, tokens["analyst"])
    shot(page, "page-after-empty.png")
    fill_allowed(page)
    page.click("#form-check")
    assert page.inner_text("#decision") == "TOESTAAN"
    assert page.locator("li.reason").count() == 0 and "Art. 62(1)(c)" in page.inner_text("#grounds")
    assert "Verplichtingen" in page.inner_text("#result")
    # the text area holds the YAML of the form's provision: the example, field for field (the ticked
    # categories in the form's order)
    got = yaml.safe_load(page.input_value("#text"))
    assert sorted(got["partnership"].pop("permitted_categories")) == sorted(ALLOWED["partnership"]["permitted_categories"])
    want = yaml.safe_load((EXAMPLES / "allow-structural.yaml").read_text())
    del want["partnership"]["permitted_categories"]
    assert got == {**want, "id": "PRV-FORM-ALLOW"}
    _same_as_api(page, server, tokens["analyst"])
    shot(page, "page-after-allow.png")

    page.select_option("#f-recipient-concern", "none")                # the data do not concern the recipient
    page.click("#form-check")
    assert page.inner_text("#decision") == "WEIGEREN"
    _same_as_api(page, server, tokens["analyst"])
    reason = page.locator("li.reason", has_text="wiv2017.route-private-party").first
    assert "Wat moet veranderen" in reason.inner_text()
    link = reason.locator(".fix a[href='#f-recipient-concern']")      # the fix leads to the field
    assert link.count() == 1 and link.inner_text() == "Waarom gaat het de ontvanger aan"
    shot(page, "page-after-deny.png")

    page.select_option("#f-recipient-concern", "victim")
    page.select_option("#f-partnership-residual_risk", "open")
    page.click("#form-check")
    assert page.inner_text("#decision") == "VOORLEGGEN"
    assert "goedgekeurd door: diensthoofd" in page.inner_text("#result .lead")
    _same_as_api(page, server, tokens["analyst"])
    entry = yaml.safe_load(page.inner_text("li.reason pre.approval-entry"))["approvals"][0]
    assert entry == {"role": "diensthoofd", "rule": "waarborgen-pps.residual-risk", "reference": "TODO",
                     "date": ALLOWED["date"]}
    page.click("#form-record")
    assert page.inner_text("#recorded").startswith("Vastgelegd in het beslislog: #")
    seq = re.search(r"#(\d+)", page.inner_text("#recorded")).group(1)
    shot(page, "page-after.png")
    page.click("#dossier-link")
    page.wait_for_url(f"{server.url}/dossier/{seq}?lang=nl")
    dossier = page.inner_text("#dossier")
    assert "PRV-FORM-ALLOW" in dossier and "VOORLEGGEN" in dossier and "waarborgen-pps.residual-risk" in dossier
    assert "Example Hosting B.V." in dossier and f"volgnummer {seq}" in dossier
    shot(page, "page-after-dossier.png")
    page.close()


def test_the_pasted_yaml_and_the_form_stay_in_sync(setup, browser):
    server, tokens = setup
    page = _page(browser, script=False)
    sign_in(page, server, tokens["analyst"])
    pasted = (EXAMPLES / "escalate-residual-risk.yaml").read_text()
    page.fill("#text", pasted)
    page.click("button[value=check]")
    assert page.inner_text("#decision") == "VOORLEGGEN"
    # the form holds the pasted provision
    assert page.input_value("#f-id") == "PRV-2025-0044"
    assert page.input_value("#f-partnership-residual_risk") == "open"
    assert page.input_value("#f-date") == "2025-03-14" and page.input_value("#f-data-volume") == "12"
    assert page.input_value("#f-purpose-necessity").startswith("The domains are used as command-and-control")
    assert page.is_checked("input[name='f.data.categories'][value=malware_analysis]")
    assert page.input_value("#text") == pasted.replace("\r\n", "\n") or "# A structural" in page.input_value("#text")
    # the form changed and checked: the text area follows
    page.select_option("#f-partnership-residual_risk", "accepted")
    page.click("#form-check")
    assert page.inner_text("#decision") == "TOESTAAN"
    expected = yaml.safe_load(pasted)
    expected["partnership"]["residual_risk"] = "accepted"
    assert yaml.safe_load(page.input_value("#text")) == expected
    # an approval row more, without script; what was typed stays
    assert page.locator("table.rows tbody tr").count() == 1
    page.click("button[value=add_row]")
    assert page.locator("table.rows tbody tr").count() == 2 and page.input_value("#f-id") == "PRV-2025-0044"
    # a misspelt field in pasted YAML: named, with the nearest known one, in the page's language; the
    # form is filled from the rest
    page.fill("#text", pasted.replace("  concern: victim", "  concrn: victim").replace("PRV-2025-0044", "PRV-TYPO"))
    page.click("button[value=check]")
    errors = page.inner_text("#errors")
    assert "recipient.concrn" in errors and "bedoelt u recipient.concern" in errors
    assert page.input_value("#f-id") == "PRV-TYPO"
    # a form error sits at its field and is linked from the list
    page.fill("#f-purpose-necessity", "")
    page.click("#form-check")
    assert page.locator("#errors a[href='#f-purpose-necessity']").count() == 1
    assert page.get_attribute("#f-purpose-necessity", "aria-invalid") == "true"
    page.close()


def test_conditional_parts_show_only_when_they_apply(setup, browser):
    """By CSS alone (script off): the partnership for structural provision or when ticked, the
    relationship for a foreign recipient, the originator's consent for data from a foreign service,
    the request when ticked; hidden parts are not part of the provision."""
    server, tokens = setup
    page = _page(browser, script=False)
    sign_in(page, server, tokens["policy"])
    page.select_option("#f-context", "ad_hoc")
    assert not page.is_visible("#s-partnership") and page.is_visible("#t-partnership")
    page.check("#t-partnership")
    assert page.is_visible("#s-partnership")
    page.select_option("#f-context", "structural")
    assert page.is_visible("#s-partnership") and not page.is_visible("#t-partnership")
    assert not page.is_visible("#f-recipient-relationship")
    page.select_option("#f-recipient-kind", "foreign_service")
    assert page.is_visible("#f-recipient-relationship") and page.is_visible("#f-recipient-cleared_until")
    page.select_option("#f-recipient-kind", "minister")
    assert not page.is_visible("#f-recipient-relationship") and not page.is_visible("#f-recipient-cleared_until")
    assert not page.is_visible("#f-data-originator_consent")
    page.select_option("#f-data-origin", "foreign_service")
    assert page.is_visible("#f-data-originator_consent")
    assert not page.is_visible("#f-request-form")
    page.check("#t-request")
    assert page.is_visible("#f-request-form")
    # a pasted provision with a part the form would hide shows it all the same, so the form holds it all
    data = yaml.safe_load((EXAMPLES / "allow-structural.yaml").read_text())
    data["recipient"]["relationship"] = "regular"                    # legal for a private party, if odd
    page.fill("#text", yaml.safe_dump(data, sort_keys=False))
    page.click("button[value=check]")
    assert page.is_visible("#f-recipient-relationship")
    page.click("#form-check")
    assert yaml.safe_load(page.input_value("#text"))["recipient"]["relationship"] == "regular"
    page.close()


def test_keyboard_only(setup, browser):
    """Sign in, reach a field, fill it, reach the check button and press it, with Tab and Enter only;
    the order of the fields is the order of the sections; focus is always visible."""
    server, tokens = setup
    page = _page(browser)
    page.goto(server.url + "/")
    assert page.evaluate("document.activeElement.id") == "token"      # the token field has the focus
    page.keyboard.type(tokens["analyst"])
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Aanmelden"
    page.keyboard.press("Enter")
    page.wait_for_url(server.url + "/?lang=nl")
    order = []
    for _ in range(200):
        page.keyboard.press("Tab")
        for _ in range(40):   # focus may sit inside a date input (its parts, its calendar button)
            if page.evaluate("document.activeElement.matches(':focus-within')"):
                break
            page.wait_for_timeout(25)
        ident = page.evaluate("document.activeElement.id || document.activeElement.name || document.activeElement.tagName")
        outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
        assert outline != "none", (ident, page.evaluate("[document.activeElement.matches(':focus'), document.activeElement.matches(':focus-visible'), document.activeElement.outerHTML, document.hasFocus(), document.activeElement.value]"))
        order.append(ident)
        if ident == "f-id":
            page.keyboard.type("PRV-KEYBOARD-1")
        if ident == "form-check":
            break
    assert order[-1] == "form-check"
    firsts = [order.index(i) for i in ("f-service", "f-recipient-kind", "f-purpose-task", "f-data-classification",
                                       "f-handling-form", "a-0-rule", "form-check")]
    assert firsts == sorted(firsts)                                   # the sections' order
    assert "f-recipient-relationship" not in order and "f-partnership-id" not in order   # hidden: not reached
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.locator("#errors").is_visible()                       # nothing else was filled in
    assert "Dienst" in page.inner_text("#errors") and page.input_value("#f-id") == "PRV-KEYBOARD-1"
    # the pasted text by keyboard too: into the text area, then to its check button
    page.focus("#f-id")
    for _ in range(300):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "text":
            break
    page.keyboard.press("Control+A")
    page.keyboard.insert_text((EXAMPLES / "allow-structural.yaml").read_text())
    page.keyboard.press("Tab")      # the file input
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.value") == "check"
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.inner_text("#decision") == "TOESTAAN"
    page.close()


CONTRAST = """() => {
  const lum = c => { const [r, g, b] = c.match(/[\\d.]+/g).slice(0, 3).map(Number).map(v => v / 255)
      .map(v => v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4)); return 0.2126 * r + 0.7152 * g + 0.0722 * b; };
  const bg = e => { for (; e; e = e.parentElement) { const c = getComputedStyle(e).backgroundColor;
      const a = c.match(/[\\d.]+/g); if (a && (a.length < 4 || Number(a[3]) > 0.5)) return c; } return 'rgb(255, 255, 255)'; };
  const out = [];
  for (const e of document.querySelectorAll('label, legend, p, li, a, button, code, h1, h2, h3, h4, th, td, option, span, strong, dt, dd, pre')) {
    if (!e.offsetParent || ![...e.childNodes].some(n => n.nodeType === 3 && n.textContent.trim())) continue;
    const l1 = lum(getComputedStyle(e).color), l2 = lum(bg(e));
    const ratio = (Math.max(l1, l2) + 0.05) / (Math.min(l1, l2) + 0.05);
    if (ratio < 4.5) out.push([e.tagName, e.className, e.textContent.trim().slice(0, 30), ratio.toFixed(2)]);
  }
  return out; }"""


def test_contrast_and_labels(setup, browser):
    """Every visible text on the page with a result, the sign-in page and the dossier has a contrast
    of at least 4.5:1 (WCAG AA) against its background; every input has a label tied to it."""
    server, tokens = setup
    page = _page(browser)
    page.goto(server.url + "/")
    assert page.evaluate(CONTRAST) == []
    sign_in(page, server, tokens["analyst"])
    page.fill("#text", (EXAMPLES / "escalate-residual-risk.yaml").read_text())
    page.click("button[value=record]")
    assert page.evaluate(CONTRAST) == []
    unlabelled = page.evaluate("""() => [...document.querySelectorAll('input:not([type=hidden]), select, textarea')]
        .filter(e => !e.labels || e.labels.length === 0).map(e => e.name)""")
    assert unlabelled == []
    page.click("#dossier-link")
    assert page.evaluate(CONTRAST) == []
    page.close()


def test_the_dossier_is_for_those_who_may_read_decisions(setup):
    server, tokens = setup

    def signed_in(role):
        c = httpx.Client(base_url=server.url, timeout=30)
        login = c.get("/login")
        c.post("/login", data={"token": tokens[role], "csrf": csrf_of(login.text)})
        return c
    c = signed_in("analyst")
    try:
        csrf = csrf_of(c.get("/").text)
        r = c.post("/", data={"text": (EXAMPLES / "deny-foreign-origin.yaml").read_text(), "action": "record",
                              "csrf": csrf})
        seq = re.search(r'href="/dossier/(\d+)\?lang=nl"', r.text).group(1)
        d = c.get(f"/dossier/{seq}")
        assert d.status_code == 200 and "WEIGEREN" in d.text and "praktijk.originator-consent" in d.text
        assert "DENY" in c.get(f"/dossier/{seq}?lang=en").text
        assert c.get("/dossier/999999").status_code == 404
        assert c.get("/dossier/abc").status_code == 404 and c.get("/dossier/0").status_code == 404
        assert "<script" not in d.text                                 # the CSP allows none anyway
    finally:
        c.close()
    for role, status in (("auditor", 200), ("diensthoofd", 200), ("policy", 403)):
        c = signed_in(role)
        r = c.get(f"/dossier/{seq}")
        c.close()
        assert r.status_code == status, role
        if status == 403:
            assert 'id="token"' in r.text and "WEIGEREN" not in r.text   # the sign-in page, not the decision


def test_an_empty_form_names_each_required_field(setup):
    """A first check of the empty form lists every required field by its label, each linked to its
    input (not "recipient: field required" for a whole part), in the page's language."""
    server, tokens = setup
    with httpx.Client(base_url=server.url, timeout=30) as c:
        login = c.get("/login")
        c.post("/login", data={"token": tokens["analyst"], "csrf": csrf_of(login.text)})
        r = c.post("/", data={"action": "form", "a.rows": "1", "csrf": csrf_of(c.get("/").text)})
        assert r.status_code == 422
        errors = re.search(r'<section class="errors".*?</section>', r.text, re.S).group(0)
        for target, label in (("f-service", "Dienst"), ("f-recipient-kind", "Soort ontvanger"),
                              ("f-purpose-necessity", "Noodzaak"), ("f-data-categories", "Soorten gegevens"),
                              ("f-data-tlp", "TLP")):
            assert f'href="#{target}">{label}: ' in errors, target
        assert 'href="#s-' not in errors and "verplicht veld" in errors
