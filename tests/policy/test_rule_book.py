"""`wivcheck rules doc`: every rule readable with its citation, conditions, outcome and messages; the
changes between two versions."""

from __future__ import annotations

import subprocess
from html.parser import HTMLParser

from conftest import ROOT, run_env, wivcheck_bin
from wivcheck.engine import load_library


def run(*args):
    return subprocess.run([wivcheck_bin(), *args], capture_output=True, text=True, env=run_env(), cwd=ROOT,
                          timeout=120)


def test_markdown_book_shows_every_rule():
    md = run("rules", "doc").stdout
    for v in load_library().all():
        assert f"## {v.ref}" in md and v.sha256 in md
        for rule in v.model.rules:
            assert f"### `{v.name}.{rule.id}`: {rule.title.en}" in md
            assert rule.message.nl.split("{")[0].strip()[:30] in md
    assert "| requires | partnership.secrecy_until > date |" in md
    assert "| otherwise | escalate to diensthoofd |" in md
    assert ("| cites | [Art. 62(1)(c) Wiv 2017](https://wetten.overheid.nl/jci1.3:c:BWBR0039896&artikel=62&lid=1"
            "&onderdeel=c&z=2026-01-01&g=2026-01-01) |") in md


def test_html_book_is_written_and_well_formed(tmp_path):
    r = run("rules", "doc", "--format", "html", "--out", str(tmp_path))
    page = (tmp_path / "rulebook.html").read_text()
    assert r.returncode == 0 and page.startswith("<!doctype html>")
    ids = []

    class P(HTMLParser):
        def handle_starttag(self, tag, attrs):
            ids.extend(v for k, v in attrs if k == "id")
    P().feed(page)
    assert "wiv2017.recipient-concerned" in ids and "waarborgen-pps@2025-02-17" in ids


def test_diff_between_two_versions(tmp_path):
    text = (ROOT / "rules" / "waarborgen-pps" / "2025-02-17.yaml").read_text()
    start = text.index("  - id: originator-consent")
    changed = text[:start].rstrip() + "\n" + text[text.index("\nnotes:"):]
    changed = changed.replace("valid_until, gt: {fact: date}}", "valid_until, ge: {fact: date}}")
    changed = changed.replace("\nnotes:", """
  - id: new-rule
    title: {nl: Nieuw, en: New}
    cites: [{source: Wiv 2017, article: "18", lid: "1"}]
    basis: policy
    requires: {fact: data.volume, le: 100}
    on_fail: deny
    message: {nl: Te veel, en: Too many}

notes:""", 1)
    f = tmp_path / "candidate.yaml"
    f.write_text(changed)
    md = run("rules", "doc", "--diff", "waarborgen-pps@2025-02-17", "--diff", str(f)).stdout
    assert "- added: `new-rule`" in md and "- removed: `originator-consent`" in md
    assert "- changed: `partner-weighed`" in md
    assert ("| requires | partnership is given and partnership.assessed_on ≤ date and partnership.valid_until > date "
            "| partnership is given and partnership.assessed_on ≤ date and partnership.valid_until ≥ date |") in md
    same = run("rules", "doc", "--diff", "wiv2017@2018-05-01", "--diff", "wiv2017@2018-05-01").stdout
    assert "No rule differs." in same


def test_the_legal_coverage_matrix_covers_every_row():
    """`rules doc` opens with the matrix: every row of legal-coverage.yaml, what encodes it (current
    versions only), its basis, the recipient kinds it bites on and the tests that showed each outcome;
    a row nothing encodes shows its reason."""
    from wivcheck.policy.matrix import load_rows
    rows = load_rows(ROOT / "rules" / "legal-coverage.yaml").rows
    md = run("rules", "doc").stdout
    matrix = md[md.index("## Legal coverage matrix"):md.index("\n## ", md.index("## Legal coverage matrix") + 5)]
    for row in rows:
        assert f"| {row.cite.label()} |" in matrix
    private = [x for x in matrix.splitlines() if "`wiv2017.route-private-party` rule" in x]
    assert private and all("| private_party |" in x for x in private)
    routes = [x for x in matrix.splitlines() if "`wiv2017.route-foreign-service` rule" in x]
    assert routes and all("| foreign_service |" in x and "violated: " in x and "violated: none" not in x
                          for x in routes)
    assert "`wiv2017.route-private-party` ground" in matrix
    assert "wiv2017@2018-05-01`" not in matrix and "recipient-basis" not in matrix   # withdrawn: not current
    unencoded = next(x for x in matrix.splitlines() if x.startswith("| Art. 61 Wiv 2017 |"))
    assert "| none |" in unencoded and "Out of scope" in unencoded
    assert "statute, proxy" in matrix and "(draft)" in matrix


def test_every_citation_of_the_law_links_to_its_article():
    """Each Wiv 2017 citation in the HTML book is a link to that article (lid, onderdeel) on
    wetten.overheid.nl, in the site's Juriconnect form; other sources are plain text."""
    import re

    from wivcheck.policy import book
    from wivcheck.policy.citations import law_url
    page = book.book_html(load_library().all(), [])
    links = dict((label, url) for url, label in re.findall(r'<a href="([^"]+)">([^<]+)</a>', page))
    seen = 0
    for v in load_library().all():
        for rule in v.model.rules:
            for c in rule.cites:
                if c.source != "Wiv 2017":
                    assert law_url(c) is None
                    continue
                seen += 1
                url = links[c.label()].replace("&amp;", "&")
                assert url.startswith(f"https://wetten.overheid.nl/jci1.3:c:BWBR0039896&artikel={c.article}")
                assert (f"&lid={c.lid}" in url) == bool(c.lid) and (f"&onderdeel={c.onderdeel}" in url) == bool(c.onderdeel)
    assert seen > 20


def test_the_link_names_the_text_the_rules_were_checked_against():
    from wivcheck.policy.book import law_date
    by_ref = {v.ref: v for v in load_library().all()}
    assert str(law_date(by_ref["wiv2017@2018-05-01-r2"])) == "2026-01-01"
    assert law_date(by_ref["waarborgen-pps@2025-02-17-r2"]) is None   # its date is the letter's, not the law's


def test_the_book_puts_the_law_first_and_drafts_last():
    md = run("rules", "doc").stdout
    heads = [line.split("@")[0][3:] for line in md.splitlines() if line.startswith("## ") and "@" in line
             and not line.startswith("## Changes")]
    order = list(dict.fromkeys(heads))
    assert order[0] == "wiv2017" and order[-1] == "beleidsregels-pps", order
