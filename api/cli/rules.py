"""`wivcheck rules ...`: list, validate, test, diff, verify, lint, doc and schema of rule sets."""

from __future__ import annotations

import datetime as dt
import enum
import json
from pathlib import Path
from typing import Optional

import typer

from wivcheck.policy.errors import WivcheckError
from rich.console import Console
from rich.table import Table

from wivcheck.engine import FACT_SCHEMA, load_library

from wivcheck.engine.compile import compile_ruleset
from wivcheck.policy import PolicyError, RuleSetFile, default_rules_dir, load_file

from .common import (echo, ERROR, DbPath, Format, RulesDir, err, fail, ledger_or_exit, library_or_exit, parse_day,
                     parse_refs, print_impact, remember_format, settings)
from .examples import epilog

rules_app = typer.Typer(no_args_is_help=True, help="Inspect, test, compare, verify, lint and document rule sets.")

@rules_app.command("list", epilog=epilog("rules list"))
def rules_list(
    rules: Optional[Path] = RulesDir,
    fmt: Format = typer.Option(Format.text, "--format", callback=remember_format, help="text or json."),
    on: Optional[str] = typer.Option(None, "--on", metavar="DATE", help="Mark the versions in force on DATE (default today)."),
):
    """List every rule set and version, with status, validity and hash."""
    lib = library_or_exit(rules)
    day = parse_day(on) or dt.date.today()
    rows = [{"ruleset": v.name, "version": v.version, "status": v.model.status,
             "valid_from": v.model.valid_from.isoformat(),
             "valid_until": v.model.valid_until.isoformat() if v.model.valid_until else None,
             "in_force": v.model.in_force_on(day), "rules": len(v.model.rules),
             "sha256": v.sha256, "title": v.model.title.en} for v in lib.all()]
    if fmt is Format.json:
        echo(json.dumps(rows, ensure_ascii=False))
        return
    table = Table(title=f"Rule sets (in force on {day})")
    for col in ("ruleset@version", "status", "valid", "in force", "rules", "sha256"):
        table.add_column(col)
    for r in rows:
        table.add_row(f"{r['ruleset']}@{r['version']}", r["status"],
                      f"{r['valid_from']} .. {r['valid_until'] or ''}", "yes" if r["in_force"] else "",
                      str(r["rules"]), r["sha256"][:16])
    out = Console(highlight=False)
    if not out.is_terminal:
        out = Console(highlight=False, width=160)
    out.print(table)


@rules_app.command("validate", epilog=epilog("rules validate"))
def rules_validate(path: Optional[Path] = typer.Argument(None, help="A rule file or a rules folder "
                                                         "(default: WIVCHECK_RULES, else the shipped rules).")):
    """Validate rule files against the language and the provision schema, and compile them."""
    target = path or settings().rules_dir or default_rules_dir()
    try:
        if target.is_dir():
            versions = load_library(target).all()
        else:
            versions = [load_file(target, FACT_SCHEMA, check_location=False)]
        for v in versions:
            compile_ruleset(v)
    except WivcheckError as exc:
        err.print("[bold red]invalid[/]:" if isinstance(exc, PolicyError) else "[bold red]does not compile[/]:",
                  markup=True)
        err.print(str(exc), markup=False)
        raise typer.Exit(exc.exit_code)
    for v in versions:
        echo(f"ok  {v.ref}  {len(v.model.rules)} rules  sha256 {v.sha256}  {v.path}")


@rules_app.command("test", epilog=epilog("rules test"))
def rules_test(path: Optional[Path] = typer.Argument(None, help="Rules folder, a rule set's folder, or a test file."),
               ruleset: Optional[list[str]] = typer.Option(None, "--ruleset", metavar="NAME@VERSION",
                                                           help="Also evaluate this version (drafts too)."),
               min_coverage: float = typer.Option(0.0, "--min-coverage", min=0, max=100,
                                                  help="Fail below this % of rule outcomes seen."),
               min_condition_coverage: float = typer.Option(0.0, "--min-condition-coverage", min=0, max=100,
                                                            help="Fail below this % of leaf conditions seen true and false."),
               only: Optional[str] = typer.Option(None, "--filter", metavar="TEXT",
                                                  help="Run only tests whose name or file contains TEXT."),
               verbose: bool = typer.Option(False, "--verbose", "-v", help="List every test, passed ones too."),
               mutations: bool = typer.Option(True, "--mutations/--no-mutations",
                                              help="Change each threshold a little and warn when no test notices."),
               fail_unnoticed: bool = typer.Option(False, "--fail-on-unnoticed",
                                                   help="Fail when a changed threshold goes unnoticed."),
               fmt: Format = typer.Option(Format.text, "--format", callback=remember_format, help="text or json."),
               rules: Optional[Path] = RulesDir):
    """Run the YAML rule tests; report failures with the values and messages, coverage, and the
    thresholds no test would notice changing.

    Examples:

      wivcheck rules test --min-coverage 100

      wivcheck rules test --filter consent --verbose

      wivcheck rules test rules/wiv2017 --fail-on-unnoticed
    """
    from wivcheck.engine.tools.mutants import unnoticed
    from wivcheck.engine.tools.ruletests import run_tests, test_files
    library = library_or_exit(rules)
    target = path or (rules or settings().rules_dir or default_rules_dir())
    files = test_files(target)
    if not files:
        fail(f"no rule tests under {target} (expected <ruleset>/tests/*.yaml)")
    refs = parse_refs(ruleset)
    outcomes, cov = run_tests(library, files, refs, only=only)
    if only and not outcomes:
        fail(f"no rule test matches --filter {only!r}")
    failed = [o for o in outcomes if not o.passed]
    tried, missed = unnoticed(library, files, refs) if mutations and not only and not failed else (0, [])
    r_cov, r_total, r_gaps = cov.rule_items()
    l_cov, l_total, l_gaps = cov.leaf_items()
    r_pct = 100.0 * r_cov / r_total if r_total else 0.0  # nothing exercised is no coverage
    l_pct = 100.0 * l_cov / l_total if l_total else 0.0
    if fmt is Format.json:
        echo(json.dumps({
            "passed": len(outcomes) - len(failed), "failed": [o.as_dict() for o in failed],
            "tests": [o.as_dict() for o in outcomes] if verbose else None,
            "mutations": {"tried": tried, "unnoticed": [{"rule": m.mutant.rule, "where": m.mutant.where,
                                                         "change": m.mutant.change} for m in missed]},
            "rule_coverage": {"covered": r_cov, "total": r_total, "percent": round(r_pct, 2), "gaps": r_gaps,
                              "counts": cov.rules},
            "condition_coverage": {"covered": l_cov, "total": l_total, "percent": round(l_pct, 2), "gaps": l_gaps},
        }, ensure_ascii=False))
    else:
        for o in outcomes:
            if o.passed and verbose:
                echo(f"ok   {o.file}:{o.line or '?'} {o.name} ({o.decision})")
            elif not o.passed:
                echo(f"FAIL {o.file}:{o.line or '?'} {o.name}" + (f" ({o.decision})" if o.decision else ""))
                for p in o.problems + o.details:
                    echo(f"     {p}")
        echo(f"rule coverage: {r_cov}/{r_total} outcomes seen ({r_pct:.1f}%)")
        for g in r_gaps:
            echo(f"  not seen: {g}")
        echo(f"condition coverage: {l_cov}/{l_total} leaf values seen ({l_pct:.1f}%)")
        for g in l_gaps:
            echo(f"  not seen: {g}")
        for m in missed:
            echo(f"  unnoticed: {m.mutant.rule} {m.mutant.where}: {m.mutant.change}: every test still passes")
        if tried:
            echo(f"mutations: {tried - len(missed)}/{tried} changed thresholds noticed by a test")
        echo(f"rule tests: {len(outcomes) - len(failed)} passed, {len(failed)} failed")
    below = []
    if r_pct < min_coverage:
        below.append(f"rule coverage {r_pct:.1f}% is below --min-coverage {min_coverage:g}%")
    if l_pct < min_condition_coverage:
        below.append(f"condition coverage {l_pct:.1f}% is below --min-condition-coverage {min_condition_coverage:g}%")
    if missed:
        err.print(f"warning: {len(missed)} changed thresholds went unnoticed by every rule test "
                  "(add a test at each boundary)", markup=False)
        if fail_unnoticed:
            below.append(f"{len(missed)} mutations unnoticed (--fail-on-unnoticed)")
    for b in below:
        err.print(f"[bold red]{b}[/]", markup=True)
    raise typer.Exit(ERROR if failed or below else 0)


@rules_app.command("diff", epilog=epilog("rules diff"))
def rules_diff(base: str = typer.Option(..., "--base", metavar="NAME@VERSION", help="The rule-set version in use."),
               candidate: str = typer.Option(..., "--candidate", metavar="PATH|NAME@VERSION",
                                             help="A changed rule file (validated like any), or another version."),
               corpus: str = typer.Option("log", "--corpus", metavar="log|DIR",
                                          help="The decision log, or a folder of provision files."),
               fmt: Format = typer.Option(Format.text, "--format", callback=remember_format,
                                          help="text, json or markdown."),
               fail_on_change: bool = typer.Option(False, "--fail-on-change",
                                                   help="Exit 1 when any provision's decision or open rules change "
                                                        "(for CI: a change meant to alter nothing)."),
               db: Optional[str] = DbPath, rules: Optional[Path] = RulesDir):
    """What a rule change would do: every provision of the corpus whose decision changes.

    Examples:

      wivcheck rules diff --base wiv2017@2018-05-01 --candidate my-change.yaml --corpus log

      wivcheck rules diff --base waarborgen-pps@2025-02-17 --candidate edited.yaml --corpus my-provisions/ --fail-on-change
    """
    from rich.progress import Progress

    from wivcheck.engine.tools import impact as impact_mod
    parse_refs([base])
    library = library_or_exit(rules)
    try:
        cand = impact_mod.load_candidate(library, candidate)
        library.get(base)
    except (WivcheckError, OSError) as exc:
        fail(exc if isinstance(exc, PolicyError) else f"cannot read {candidate}: {exc}")
    if corpus == "log":
        ledger = ledger_or_exit(db)
        items, total = impact_mod.corpus_from_log(ledger), ledger.count()
    else:
        folder = Path(corpus)
        if not folder.is_dir():
            raise typer.BadParameter(f"{corpus!r} is neither `log` nor a folder", param_hint="--corpus")
        items, total = impact_mod.corpus_from_dir(folder), None
    with Progress(console=err, transient=True, disable=not err.is_terminal) as bar:
        task = bar.add_task("replaying", total=total)
        try:
            result = impact_mod.impact(library, base, cand, items, progress=lambda n: bar.advance(task, n))
        except WivcheckError as exc:
            fail(exc)
    if Path(candidate).exists():
        result.candidate = f"{candidate} ({cand.ref})"
    print_impact(result, fmt)
    if fail_on_change and result.changes:
        err.print(f"{len(result.changes)} provisions would change (--fail-on-change)", markup=False)
    raise typer.Exit(ERROR if result.errors or (fail_on_change and result.changes) else 0)


@rules_app.command("verify", epilog=epilog("rules verify"))
def rules_verify(invariants: Optional[Path] = typer.Option(None, "--invariants", metavar="FILE",
                                                           help="Invariants file (default: rules/invariants.yaml)."),
                 max_examples: int = typer.Option(1000, "--max-examples", min=10,
                                                  help="Provisions to generate per invariant."),
                 fmt: Format = typer.Option(Format.text, "--format", callback=remember_format, help="text or json."),
                 rules: Optional[Path] = RulesDir):
    """Search for provisions that break an invariant; print the shrunk counterexample."""
    import yaml

    from wivcheck.engine.tools.invariants import load_invariants, verify_all
    library = library_or_exit(rules)
    path = invariants or (rules or default_rules_dir()) / "invariants.yaml"
    try:
        spec = load_invariants(path)
    except WivcheckError as exc:
        fail(exc)
    try:
        results = verify_all(library, spec.invariants, max_examples)
    except WivcheckError as exc:
        fail(exc)
    broken = [r for r in results if r.counterexample is not None]
    if fmt is Format.json:
        echo(json.dumps([{"id": r.id, "text": r.text, "examples": r.examples, "seconds": round(r.seconds, 2),
                                "counterexample": r.counterexample,
                                "decision": r.decision.model_dump(mode="json") if r.decision else None,
                                "error": r.error,
                                "changed_decision": r.other.model_dump(mode="json") if r.other else None}
                               for r in results], ensure_ascii=False))
    else:
        for r in results:
            status = "BROKEN" if r.counterexample is not None else "holds"
            echo(f"{status:6} {r.id}: {r.text.strip()}")
            if r.counterexample is not None:
                echo("  counterexample:")
                echo("    " + yaml.safe_dump(r.counterexample, sort_keys=False, allow_unicode=True)
                           .replace("\n", "\n    ").rstrip())
                if r.decision is None:
                    echo(f"  no decision: {r.error}")
                else:
                    echo(f"  decision: {r.decision.decision}" + "".join(
                        f"\n    {x.outcome} {x.rule} ({'; '.join(x.cites)})" for x in r.decision.reasons))
                if r.other is not None:
                    echo(f"  after the change: {r.other.decision}")
        total = max((r.examples for r in results), default=0)
        seconds = max((r.seconds for r in results), default=0)
        echo(f"invariants: {len(results) - len(broken)} hold, {len(broken)} broken; each checked on "
                   f"{total} generated provisions in the last round, {seconds:.1f} s in all")
    raise typer.Exit(ERROR if broken else 0)


class DocFormat(str, enum.Enum):
    markdown = "markdown"
    html = "html"


@rules_app.command("doc", epilog=epilog("rules doc"))
def rules_doc(fmt: DocFormat = typer.Option(DocFormat.markdown, "--format", callback=remember_format),
              out: Optional[Path] = typer.Option(None, "--out", metavar="DIR", help="Write files here instead of stdout."),
              diff_refs: Optional[list[str]] = typer.Option(None, "--diff", metavar="NAME@VERSION|PATH",
                                                            help="Twice: show the changes from the first to the second."),
              rules: Optional[Path] = RulesDir):
    """The rule book: every rule set and version, readable; and the changes between versions."""
    from wivcheck.engine.tools.impact import load_candidate
    from wivcheck.policy import book
    library = library_or_exit(rules)
    versions = book.book_order(library.all())   # the law first, drafts last
    diffs = []
    if diff_refs:
        if len(diff_refs) != 2:
            raise typer.BadParameter("give --diff twice: the base and the changed version", param_hint="--diff")
        try:
            pair = [load_candidate(library, ref) for ref in diff_refs]
        except (WivcheckError, OSError) as exc:
            fail(exc)
        d = book.diff(*pair)
        d.base, d.candidate = (f"{ref} ({v.ref})" if Path(ref).exists() else v.ref for ref, v in zip(diff_refs, pair))
        diffs.append(d)
    else:
        for name in dict.fromkeys(v.name for v in versions):
            vs = library.versions[name]
            diffs += [book.diff(a, b) for a, b in zip(vs, vs[1:])]
    matrix, reference, evidence = [], "", None
    if not diff_refs:
        matrix, reference, evidence = _coverage_matrix(library, rules)
    if fmt is DocFormat.html:
        from wivcheck.policy import matrix as matrix_mod
        rows = matrix_mod.html_rows(matrix, evidence) if matrix else None
        pages = {"rulebook.html": book.book_html([] if diff_refs else versions, diffs, rows, reference)}
    else:
        from wivcheck.policy import matrix as matrix_mod
        parts = ([] if diff_refs else [book.version_markdown(v) for v in versions]) + [book.diff_markdown(d) for d in diffs]
        if matrix:
            parts.insert(0, matrix_mod.markdown(matrix, reference, evidence))
        pages = {"rulebook.md": "# wivcheck rule book\n\n" + "\n".join(parts)}
    if out is None:
        for text in pages.values():
            echo(text)
        return
    out.mkdir(parents=True, exist_ok=True)
    for name, text in pages.items():
        (out / name).write_text(text, encoding="utf-8")
        echo(f"wrote {out / name}")


def _matrix_rows(rules_dir: Optional[Path]):
    """The legal coverage rows beside the rule sets (rules/legal-coverage.yaml), or None."""
    from wivcheck.policy import matrix as matrix_mod
    path = matrix_mod.rows_path(rules_dir or default_rules_dir())
    if not path.exists():
        return None
    try:
        return matrix_mod.load_rows(path)
    except PolicyError as exc:
        fail(exc)


def _coverage_matrix(library, rules_dir: Optional[Path]):
    """(matrix, reference, evidence): the rows with what encodes them, and which rule tests showed
    each outcome (the tests beside the rule sets are run for it)."""
    from wivcheck.engine.tools.ruletests import run_tests, test_files
    from wivcheck.policy import matrix as matrix_mod
    rows = _matrix_rows(rules_dir)
    if rows is None:
        return [], "", None
    kinds = FACT_SCHEMA.get("recipient.kind").values
    files = test_files(rules_dir or default_rules_dir())
    evidence = None
    if files:
        _, cov = run_tests(library, files)
        evidence = cov.tests
    return matrix_mod.build(library, rows, kinds), rows.reference, evidence


@rules_app.command("lint", epilog=epilog("rules lint"))
def rules_lint(path: Optional[Path] = typer.Argument(None, help="A rules folder (default: the shipped rules)."),
               fmt: Format = typer.Option(Format.text, "--format", callback=remember_format, help="text or json."),
               db: Optional[str] = typer.Option(None, "--db", metavar="PATH|URL",
                                                help="Also check the rule files against this decision log: a "
                                                     "version the log recorded with another sha256 was edited in "
                                                     "place.")):
    """Find dead, duplicate, overlapping and subsumed rules, message and citation problems, version
    gaps, and rows of the legal coverage matrix (legal-coverage.yaml) that nothing encodes and no
    reason explains; each with file:line. With --db, rule files edited in place after the log
    recorded decisions under them."""
    from wivcheck.policy import matrix as matrix_mod
    from wivcheck.policy.lint import lint
    library = library_or_exit(path)
    rows = _matrix_rows(path)
    matrix = matrix_mod.build(library, rows, FACT_SCHEMA.get("recipient.kind").values) if rows else None
    findings = lint(library, FACT_SCHEMA, matrix, str(matrix_mod.rows_path(path or default_rules_dir())))
    if db is not None:
        from wivcheck.engine.log.recording import edited_in_place
        with ledger_or_exit(db) as ledger:
            findings += edited_in_place(ledger, library)
    errors = [f for f in findings if f.level == "error"]
    if fmt is Format.json:
        echo(json.dumps([f.__dict__ for f in findings], ensure_ascii=False))
    else:
        for f in sorted(findings, key=lambda f: (f.level != "error", f.file, f.line or 0, f.where)):
            echo(f"{f.level:7} {f.kind:15} {_shorter(f.location())}{': ' if f.file else ''}{f.where}: {f.message}")
        echo(f"lint: {len(errors)} errors, {len(findings) - len(errors)} warnings")
    raise typer.Exit(ERROR if errors else 0)


def _shorter(location: str) -> str:
    """A location relative to the working folder when it lies below it (as editors link it)."""
    try:
        return str(Path(location).relative_to(Path.cwd()))
    except ValueError:
        return location


@rules_app.command("schema", epilog=epilog("rules schema"))
def rules_schema():
    """Print the JSON Schema of the rule-set file format (for editors)."""
    echo(json.dumps(ruleset_json_schema(), indent=2, ensure_ascii=False))


def ruleset_json_schema() -> dict:
    schema = RuleSetFile.model_json_schema(by_alias=True)
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = "https://wivcheck.invalid/ruleset.schema.json"
    schema["description"] = "A wivcheck rule-set version: rules/<ruleset>/<version>.yaml"
    return schema


