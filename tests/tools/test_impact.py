"""`wivcheck rules diff` and POST /v1/rulesets/impact: a candidate that drops a deny rule shows up as
the provisions whose decision changes, over a folder of provisions and over the decision log."""

from __future__ import annotations

import json
import shutil
import subprocess

import pytest

from conftest import EXAMPLES, ROOT, run_env, wivcheck_bin
from server_util import Server


def run(*args, db=None):
    env = run_env()
    if db:
        env["WIVCHECK_DB"] = str(db)
    return subprocess.run([wivcheck_bin(), *args], capture_output=True, text=True, env=env, cwd=ROOT, timeout=300)


N_EXAMPLES = len(list(EXAMPLES.glob("*.yaml")))


@pytest.fixture()
def candidate(tmp_path):
    """praktijk without its third-party rule (originator-consent, a deny rule)."""
    text = (ROOT / "rules" / "praktijk" / "2018-05-01.yaml").read_text()
    start = text.index("  - id: originator-consent")
    path = tmp_path / "candidate.yaml"
    path.write_text(text[:start] + text[text.index("  - id: onward-provision-private"):])
    return path


@pytest.fixture()
def corpus(tmp_path):
    folder = tmp_path / "corpus"
    folder.mkdir()
    for f in EXAMPLES.glob("*.yaml"):
        shutil.copy(f, folder / f.name)
    (folder / "broken.yaml").write_text("id: x\n")
    return folder


def test_dropping_a_deny_rule_shows_in_the_diff(candidate, corpus):
    r = run("rules", "diff", "--base", "praktijk@2018-05-01", "--candidate", str(candidate),
            "--corpus", str(corpus), "--format", "json")
    report = json.loads(r.stdout)
    assert report["replayed"] == N_EXAMPLES
    assert report["totals"] == {"deny -> allow": 1}
    change = report["changed"][0]
    assert change["provision_id"] == "PRV-2025-0043" and change["no_longer_open"] == ["praktijk.originator-consent"]
    assert report["errors"][0]["source"].endswith("broken.yaml") and r.returncode == 1  # named, not hidden
    text = run("rules", "diff", "--base", "praktijk@2018-05-01", "--candidate", str(candidate),
               "--corpus", str(corpus)).stdout
    assert "PRV-2025-0043" in text and "deny -> allow: 1" in text
    md = run("rules", "diff", "--base", "praktijk@2018-05-01", "--candidate", str(candidate),
             "--corpus", str(corpus), "--format", "markdown").stdout
    assert "| deny | allow | 1 |" in md


def test_a_changed_rule_with_the_same_id(tmp_path):
    text = (ROOT / "rules" / "waarborgen-pps" / "2025-02-17-r2.yaml").read_text()
    cand = tmp_path / "cand.yaml"
    cand.write_text(text.replace("valid_until, gt: {fact: date}}", "valid_until, ge: {fact: date}}"))
    folder = tmp_path / "corpus"
    folder.mkdir()
    import yaml
    data = yaml.safe_load((EXAMPLES / "allow-structural.yaml").read_text())
    data["partnership"]["valid_until"] = data["date"].isoformat()  # expires on the provision date
    (folder / "boundary.yaml").write_text(yaml.safe_dump(data))
    report = json.loads(run("rules", "diff", "--base", "waarborgen-pps@2025-02-17-r2", "--candidate", str(cand),
                            "--corpus", str(folder), "--format", "json").stdout)
    assert report["totals"] == {"deny -> allow": 1}
    assert report["changed"][0]["no_longer_open"] == ["waarborgen-pps.partner-weighed"]


def test_diff_over_the_decision_log(tmp_path):
    """What the first reading of wiv2017 (withdrawn) would have made of the logged provisions: a
    partner service escalated, an international body without a weighed relationship not denied."""
    db = tmp_path / "log.sqlite3"
    files = sorted(EXAMPLES.glob("*.yaml")) + sorted((EXAMPLES / "routes").glob("*.yaml"))
    run("check", "--record", *map(str, files), db=db)
    r = run("rules", "diff", "--base", "wiv2017@2018-05-01-r2", "--candidate", "wiv2017@2018-05-01",
            "--format", "json", db=db)
    report = json.loads(r.stdout)
    assert r.returncode == 0 and report["replayed"] == len(files)
    changed = {c["provision_id"]: c for c in report["changed"]}
    partner = changed["PRV-2025-0101"]
    assert (partner["before"], partner["after"]) == ("allow", "escalate")
    # the first reading knew no Art. 88 relationship and no newer data since (69(1), second limb)
    assert partner["now_open"] == ["wiv2017.personal-data-age-accuracy", "wiv2017.recipient-basis"]
    assert partner["source"] == f"log #{[f.name for f in files].index('allow-partner-service.yaml') + 1}"
    assert changed["PRV-2025-0104"]["before"] == "deny"   # no route for the international body


def test_an_invalid_candidate_is_refused_naming_line_and_rule(candidate, corpus):
    candidate.write_text(candidate.read_text().replace("fact: recipient.country", "fact: recipient.countri"))
    r = run("rules", "diff", "--base", "praktijk@2018-05-01", "--candidate", str(candidate), "--corpus", str(corpus))
    assert r.returncode == 1 and "praktijk.foreign-private-party" in r.stderr and "recipient.countri" in r.stderr


def test_impact_over_http_for_the_policy_role(tmp_path, candidate):
    tokens = {}
    lines = []
    for role in ("policy", "gate"):
        out = subprocess.run([wivcheck_bin(), "tokens", "new", "--role", role, "--name", role], capture_output=True,
                             text=True, env=run_env(), check=True).stdout
        tokens[role] = out.split("token: ")[1].split()[0]
        lines.append(out.split("entry for the tokens file:\n")[1])
    (tmp_path / "t.yaml").write_text("".join(lines))
    server = Server("--tokens", str(tmp_path / "t.yaml"), "--db", str(tmp_path / "log.sqlite3"))
    try:
        import yaml
        provisions = [json.loads(json.dumps(yaml.safe_load(f.read_text()), default=str))
                      for f in sorted(EXAMPLES.glob("*.yaml"))]
        body = {"base": "praktijk@2018-05-01", "candidate": candidate.read_text(), "corpus": "provisions",
                "provisions": provisions}
        r = server.client(tokens["policy"]).post("/v1/rulesets/impact", json=body)
        assert r.status_code == 200, r.text
        assert r.json()["totals"] == {"deny -> allow": 1}
        assert server.client(tokens["gate"]).post("/v1/rulesets/impact", json=body).status_code == 403
        body["candidate"] = body["candidate"].replace("on_fail: escalate", "on_fail: maybe", 1)
        r = server.client(tokens["policy"]).post("/v1/rulesets/impact", json=body)
        assert r.status_code == 422 and r.json()["error"]["code"] == "invalid_ruleset"
        assert "candidate:" in r.json()["error"]["problems"][0]["path"]
        r = server.client(tokens["policy"]).get("/v1/rulesets")  # nothing was activated
        assert [x["sha256"] for x in r.json() if x["id"] == "praktijk"] == [
            __import__("hashlib").sha256((ROOT / "rules/praktijk/2018-05-01.yaml").read_bytes()).hexdigest()]
    finally:
        server.stop()


def test_fail_on_change_for_ci(candidate, corpus):
    """`--fail-on-change` turns any changed decision into exit 1; a candidate identical to the base
    exits 0 with it."""
    (corpus / "broken.yaml").unlink()
    changed = run("rules", "diff", "--base", "waarborgen-pps@2025-02-17", "--candidate", str(candidate),
                  "--corpus", str(corpus), "--fail-on-change")
    assert changed.returncode == 1 and "1 provisions would change (--fail-on-change)" in changed.stderr
    without = run("rules", "diff", "--base", "waarborgen-pps@2025-02-17", "--candidate", str(candidate),
                  "--corpus", str(corpus))
    assert without.returncode == 0
    same = run("rules", "diff", "--base", "waarborgen-pps@2025-02-17", "--candidate",
               str(ROOT / "rules" / "waarborgen-pps" / "2025-02-17.yaml"), "--corpus", str(corpus), "--fail-on-change")
    assert same.returncode == 0, same.stdout + same.stderr
