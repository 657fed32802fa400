"""No rule file can hang wivcheck (docs/rule-language.md, "Regular expressions"; docs/security.md):
`matches` is RE2 syntax, validated with RE2 and run by it in linear time on both paths (the
plain-Python semantics and the durable_rules compile); a pattern RE2 cannot run is a validation
error naming file, line and rule, and is never run; a named pipe in a rules folder is refused by
name instead of being waited on."""

from __future__ import annotations

import os
import subprocess

import pytest

from conftest import EXAMPLES, ROOT, run_env, wivcheck_bin
from wivcheck.engine import FACT_SCHEMA, Engine, load_library, parse_provisions
from wivcheck.policy import PolicyError, load_text

WIV = ROOT / "rules" / "wiv2017" / "2018-05-01.yaml"
NECESSITY = 'requires: {fact: purpose.necessity, matches: "(?s).{40,}"}'


def _with_pattern(pattern: str) -> str:
    text = WIV.read_text()
    assert NECESSITY in text
    return text.replace(NECESSITY, "requires: {fact: purpose.necessity, matches: '%s'}" % pattern.replace("'", "''"))


@pytest.mark.parametrize("pattern, why", [
    (r"(a+)+\1", "backreference"),
    (r"(?=a)(a|a)*b", "lookahead"),
    (r"(?<!x)a+", "lookbehind"),
    (r"a{2000}", "repetition"),
])
def test_a_pattern_re2_cannot_run_is_a_validation_error_naming_file_line_and_rule(pattern, why):
    text = _with_pattern(pattern)
    line = next(i for i, x in enumerate(text.splitlines(), 1) if "fact: purpose.necessity, matches" in x)
    with pytest.raises(PolicyError) as exc:
        load_text(text.encode(), "rules/wiv2017/2018-05-01.yaml", FACT_SCHEMA)
    message = str(exc.value)
    assert f"rules/wiv2017/2018-05-01.yaml:{line}" in message, message
    assert "wiv2017.necessity-substantiated" in message and "RE2" in message, message


def test_patterns_catastrophic_for_backtracking_run_in_linear_time_on_both_paths(tmp_path, rules_copy):
    """`^(a|aa)*$` against 60 a's and a b takes a backtracking engine about 2^41 steps; RE2 is linear.
    Through the CLI with `--rules DIR` (a subprocess that would never end on a backtracking engine)
    and in process on the durable and oracle paths, the answer is the same deny."""
    (rules_copy / "wiv2017" / "2018-05-01.yaml").write_text(_with_pattern("(a|aa)*"))
    provision = (EXAMPLES / "allow-structural.yaml").read_text()
    start = provision.index("  necessity:")
    end = provision.index("  proportionality:")
    provision = provision[:start] + "  necessity: " + "a" * 60 + "b\n" + provision[end:]
    f = tmp_path / "p.yaml"
    f.write_text(provision)
    # the first reading (withdrawn, named explicitly) holds the `matches` rule the pattern goes into
    r = subprocess.run([wivcheck_bin(), "check", "--rules", str(rules_copy), "--ruleset", "wiv2017@2018-05-01",
                        "--format", "json", str(f)],
                       capture_output=True, text=True, env=run_env(), timeout=120)
    assert r.returncode == 3, r.stderr
    library = load_library(rules_copy)
    p = parse_provisions(provision.encode())
    outcomes = {backend: Engine(library, backend).decide_many(p, rulesets=["wiv2017@2018-05-01"])[0]
                for backend in ("durable", "oracle")}
    for d in outcomes.values():
        assert d.decision == "deny" and "wiv2017.necessity-substantiated" in [x.rule for x in d.reasons]


def test_a_named_pipe_in_a_rules_folder_is_refused_by_name(rules_copy):
    pipe = rules_copy / "wiv2017" / "2030-01-01.yaml"
    os.mkfifo(pipe)
    for args in (["rules", "list"], ["rules", "validate", str(rules_copy)],
                 ["check", str(EXAMPLES / "allow-structural.yaml")]):
        extra = ["--rules", str(rules_copy)] if args[0] != "rules" or args[1] == "list" else []
        r = subprocess.run([wivcheck_bin(), *args, *extra], capture_output=True, text=True, env=run_env(),
                           timeout=120)
        assert r.returncode == 1 and str(pipe) in r.stderr and "named pipe" in r.stderr, (args, r.stderr)
