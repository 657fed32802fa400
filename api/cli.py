"""The `wivcheck` command line (contract in DESIGN.md).

Exit codes: 0 allow, 3 deny, 4 escalate, 1 error (bad input, no rule set in force, internal fault),
2 usage. With several provisions the strictest wins: error, then deny, then escalate, then allow.
"""

from __future__ import annotations

import datetime as dt
import enum
import json
import sys
from pathlib import Path
from typing import Optional

import typer
from rich.console import Console
from rich.table import Table

from engine import (Engine, EngineError, FACT_SCHEMA, Ledger, LedgerError, ProvisionError, load_library,
                    parse_provisions, render_html, render_json, render_markdown, render_text)
from engine import recording
from engine.compile import compile_ruleset
from engine.ledger import default_path
from policy import PolicyError, PolicyErrors, RuleSetFile, default_rules_dir, load_file

EXIT = {"allow": 0, "deny": 3, "escalate": 4}
ERROR, USAGE = 1, 2
_SEVERITY = {0: 0, 4: 1, 3: 2, 1: 3}

app = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="Check a proposed provision (verstrekking) against Wiv 2017 and the PPS safeguards.")
rules_app = typer.Typer(no_args_is_help=True, help="Inspect and validate rule sets.")
app.add_typer(rules_app, name="rules")
log_app = typer.Typer(no_args_is_help=True, help="The decision log: show, verify, head, export, import, replay.")
app.add_typer(log_app, name="log")
err = Console(stderr=True, highlight=False, soft_wrap=True)


class Format(str, enum.Enum):
    text = "text"
    json = "json"
    markdown = "markdown"


class Lang(str, enum.Enum):
    nl = "nl"
    en = "en"


def _as_of(value: Optional[str]) -> Optional[dt.date]:
    if value is None:
        return None
    try:
        if len(value) == 10:
            return dt.date.fromisoformat(value)
    except ValueError:
        pass
    raise typer.BadParameter(f"{value!r} is not a date YYYY-MM-DD")


def _refs(values: Optional[list[str]]) -> list[str]:
    for v in values or []:
        name, sep, version = v.partition("@")
        if not (name and sep and version):
            raise typer.BadParameter(f"{v!r}: name a rule set as NAME@VERSION")
    return list(values or [])


RulesDir = typer.Option(None, "--rules", envvar="WIVCHECK_RULES",
                        help="Rules folder (default: the shipped rules/).")
DbPath = typer.Option(None, "--db", envvar="WIVCHECK_DB", metavar="PATH",
                      help=f"Decision log (default: {default_path()}).")
LockWait = typer.Option(30.0, "--lock-wait", metavar="SECONDS", hidden=True,
                        help="How long to wait for a log locked by another writer.")


def _library(rules: Optional[Path]):
    try:
        return load_library(rules)
    except PolicyError as exc:
        err.print(f"[bold red]error:[/] the rules could not be loaded:\n{exc}", markup=True)
        raise typer.Exit(ERROR)


def _read(source: str) -> tuple[str, bytes]:
    if source == "-":
        return "<stdin>", sys.stdin.buffer.read()
    try:
        return source, Path(source).read_bytes()
    except OSError as exc:
        raise ProvisionError([f"cannot read: {exc.strerror}"], source) from None


@app.command()
def check(
    files: list[str] = typer.Argument(..., metavar="FILE...", help="Provision files (YAML or JSON); - reads stdin."),
    as_of: Optional[str] = typer.Option(None, "--as-of", metavar="DATE",
                                        help="Select the rules in force on DATE instead of the provision date."),
    ruleset: Optional[list[str]] = typer.Option(None, "--ruleset", metavar="NAME@VERSION",
                                                help="Use this version (drafts too); repeatable."),
    fmt: Format = typer.Option(Format.text, "--format", help="text, json (one object per line) or markdown."),
    lang: Lang = typer.Option(Lang.nl, "--lang", help="Language of messages."),
    record: bool = typer.Option(False, "--record", help="Append each decision to the decision log."),
    db: Optional[Path] = DbPath,
    lock_wait: float = LockWait,
    rules: Optional[Path] = RulesDir,
    backend: str = typer.Option("durable", "--backend", hidden=True),
):
    """Decide allow, deny or escalate for each provision, with the reasons."""
    day = _as_of(as_of)
    refs = _refs(ruleset)
    if backend not in ("durable", "oracle"):
        raise typer.BadParameter("durable or oracle", param_hint="--backend")
    engine = Engine(_library(rules), backend)
    ledger = _ledger(db, create=True, timeout=lock_wait) if record else None
    worst = 0
    for source in files:
        try:
            name, raw = _read(source)
            provisions = parse_provisions(raw, name)
            decisions = engine.decide_many(provisions, as_of=day, rulesets=refs)
            if ledger is not None:
                decisions = recording.record(ledger, provisions, decisions)
        except (ProvisionError, PolicyError, EngineError, LedgerError) as exc:
            worst = max(worst, ERROR, key=_SEVERITY.__getitem__)
            _report_error(source, exc, fmt)
            continue
        for p, d in zip(provisions, decisions):
            worst = max(worst, EXIT[d.decision], key=_SEVERITY.__getitem__)
            _print_decision(d, p, fmt, lang.value)
    raise typer.Exit(worst)


def _print_decision(d, provision, fmt, lang: str) -> None:
    if fmt in (Format.json, "json"):
        typer.echo(render_json(d))
    elif fmt in (Format.markdown, "markdown"):
        typer.echo(render_markdown(d, lang, provision))
    elif fmt == "html":
        typer.echo(render_html(d, provision, lang))
    else:
        text = render_text(d, lang)
        if d.log:
            text += f"\n  {'vastgelegd' if lang == 'nl' else 'recorded'}: #{d.log.sequence} {d.log.hash}"
        typer.echo(text)


def _ledger(db: Optional[Path], *, create: bool = False, timeout: float = 30.0) -> Ledger:
    try:
        return Ledger(db, create=create, timeout=timeout)
    except LedgerError as exc:
        err.print(f"[bold red]error:[/] {exc}", markup=True)
        raise typer.Exit(ERROR)


def _report_error(source: str, exc: Exception, fmt: Format) -> None:
    kind = {ProvisionError: "invalid provision", EngineError: "engine fault",
            LedgerError: "decision log"}.get(type(exc), "rules")
    if isinstance(exc, ProvisionError):
        problems = exc.problems
    elif isinstance(exc, PolicyErrors):
        problems = [str(e) for e in exc.errors]
    else:
        problems = [str(exc)]
    if fmt is Format.json:
        typer.echo(json.dumps({"error": kind, "source": source, "problems": problems}, ensure_ascii=False))
    err.print(f"[bold red]error[/] ({kind}) in {source}:", markup=True)
    for p in problems:
        err.print(f"  {p}", markup=False)


@rules_app.command("list")
def rules_list(
    rules: Optional[Path] = RulesDir,
    fmt: Format = typer.Option(Format.text, "--format", help="text or json."),
    on: Optional[str] = typer.Option(None, "--on", metavar="DATE", help="Mark the versions in force on DATE (default today)."),
):
    """List every rule set and version, with status, validity and hash."""
    lib = _library(rules)
    day = _as_of(on) or dt.date.today()
    rows = [{"ruleset": v.name, "version": v.version, "status": v.model.status,
             "valid_from": v.model.valid_from.isoformat(),
             "valid_until": v.model.valid_until.isoformat() if v.model.valid_until else None,
             "in_force": v.model.in_force_on(day), "rules": len(v.model.rules),
             "sha256": v.sha256, "title": v.model.title.en} for v in lib.all()]
    if fmt is Format.json:
        typer.echo(json.dumps(rows, ensure_ascii=False))
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


@rules_app.command("validate")
def rules_validate(path: Optional[Path] = typer.Argument(None, help="A rule file or a rules folder (default: the shipped rules).")):
    """Validate rule files against the language and the provision schema, and compile them."""
    target = path or default_rules_dir()
    try:
        if target.is_dir():
            versions = load_library(target).all()
        else:
            versions = [load_file(target, FACT_SCHEMA, check_location=False)]
        for v in versions:
            compile_ruleset(v)
    except PolicyError as exc:
        err.print(f"[bold red]invalid[/]:\n{exc}", markup=True)
        raise typer.Exit(ERROR)
    except EngineError as exc:
        err.print(f"[bold red]does not compile[/]: {exc}", markup=True)
        raise typer.Exit(ERROR)
    for v in versions:
        typer.echo(f"ok  {v.ref}  {len(v.model.rules)} rules  sha256 {v.sha256}  {v.path}")


@rules_app.command("test")
def rules_test(path: Optional[Path] = typer.Argument(None, help="Rules folder, a rule set's folder, or a test file."),
               ruleset: Optional[list[str]] = typer.Option(None, "--ruleset", metavar="NAME@VERSION",
                                                           help="Also evaluate this version (drafts too)."),
               min_coverage: float = typer.Option(0.0, "--min-coverage", min=0, max=100,
                                                  help="Fail below this % of rule outcomes seen."),
               min_condition_coverage: float = typer.Option(0.0, "--min-condition-coverage", min=0, max=100,
                                                            help="Fail below this % of leaf conditions seen true and false."),
               fmt: Format = typer.Option(Format.text, "--format", help="text or json."),
               rules: Optional[Path] = RulesDir):
    """Run the YAML rule tests; report failures with the difference, and coverage."""
    from engine.ruletests import run_tests, test_files
    library = _library(rules)
    target = path or (rules or default_rules_dir())
    files = test_files(target)
    if not files:
        _fail(f"no rule tests under {target} (expected <ruleset>/tests/*.yaml)")
    outcomes, cov = run_tests(library, files, _refs(ruleset))
    failed = [o for o in outcomes if not o.passed]
    r_cov, r_total, r_gaps = cov.rule_items()
    l_cov, l_total, l_gaps = cov.leaf_items()
    r_pct = 100.0 * r_cov / r_total if r_total else 0.0  # nothing exercised is no coverage
    l_pct = 100.0 * l_cov / l_total if l_total else 0.0
    if fmt is Format.json:
        typer.echo(json.dumps({
            "passed": len(outcomes) - len(failed), "failed": [o.__dict__ for o in failed],
            "rule_coverage": {"covered": r_cov, "total": r_total, "percent": round(r_pct, 2), "gaps": r_gaps,
                              "counts": cov.rules},
            "condition_coverage": {"covered": l_cov, "total": l_total, "percent": round(l_pct, 2), "gaps": l_gaps},
        }, ensure_ascii=False))
    else:
        for o in failed:
            typer.echo(f"FAIL {o.file}:{o.line or '?'} {o.name}")
            for p in o.problems:
                typer.echo(f"     {p}")
        typer.echo(f"rule coverage: {r_cov}/{r_total} outcomes seen ({r_pct:.1f}%)")
        for g in r_gaps:
            typer.echo(f"  not seen: {g}")
        typer.echo(f"condition coverage: {l_cov}/{l_total} leaf values seen ({l_pct:.1f}%)")
        for g in l_gaps:
            typer.echo(f"  not seen: {g}")
        typer.echo(f"rule tests: {len(outcomes) - len(failed)} passed, {len(failed)} failed")
    below = []
    if r_pct < min_coverage:
        below.append(f"rule coverage {r_pct:.1f}% is below --min-coverage {min_coverage:g}%")
    if l_pct < min_condition_coverage:
        below.append(f"condition coverage {l_pct:.1f}% is below --min-condition-coverage {min_condition_coverage:g}%")
    for b in below:
        err.print(f"[bold red]{b}[/]", markup=True)
    raise typer.Exit(ERROR if failed or below else 0)


@rules_app.command("diff")
def rules_diff(base: str = typer.Option(..., "--base", metavar="NAME@VERSION", help="The rule-set version in use."),
               candidate: str = typer.Option(..., "--candidate", metavar="PATH|NAME@VERSION",
                                             help="A changed rule file (validated like any), or another version."),
               corpus: str = typer.Option("log", "--corpus", metavar="log|DIR",
                                          help="The decision log, or a folder of provision files."),
               fmt: Format = typer.Option(Format.text, "--format"),
               db: Optional[Path] = DbPath, rules: Optional[Path] = RulesDir):
    """What a rule change would do: every provision of the corpus whose decision changes."""
    from rich.progress import Progress

    from engine import impact as impact_mod
    _refs([base])
    library = _library(rules)
    try:
        cand = impact_mod.load_candidate(library, candidate)
        library.get(base)
    except (PolicyError, OSError) as exc:
        _fail(exc if isinstance(exc, PolicyError) else f"cannot read {candidate}: {exc}")
    if corpus == "log":
        ledger = _ledger(db)
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
        except (PolicyError, LedgerError, EngineError) as exc:
            _fail(exc)
    if Path(candidate).exists():
        result.candidate = f"{candidate} ({cand.ref})"
    changes = result.changes
    if fmt is Format.json:
        typer.echo(json.dumps({"base": result.base, "candidate": result.candidate, "replayed": result.replayed,
                               "changed": [c.__dict__ for c in changes], "totals": result.totals,
                               "errors": result.errors}, ensure_ascii=False))
    elif fmt is Format.markdown:
        typer.echo(f"## Impact of {result.candidate} against {result.base}\n")
        typer.echo(f"{result.replayed} provisions replayed, {len(changes)} with a changed decision or open rules.\n")
        if result.totals:
            typer.echo("| from | to | provisions |\n|---|---|---:|")
            for k, v in sorted(result.totals.items()):
                a, b = k.split(" -> ")
                typer.echo(f"| {a} | {b} | {v} |")
            typer.echo("\n| provision | source | from | to | now open | no longer open |\n|---|---|---|---|---|---|")
            for c in changes:
                typer.echo(f"| {c.provision_id} | {c.source} | {c.before} | {c.after} | {', '.join(c.now_open)} | "
                           f"{', '.join(c.no_longer_open)} |")
        for e in result.errors:
            typer.echo(f"\n- error in {e['source']}: {e['error']}")
    else:
        for c in changes:
            typer.echo(f"{c.provision_id} ({c.source}): {c.before} -> {c.after}"
                       + (f"  now open: {', '.join(c.now_open)}" if c.now_open else "")
                       + (f"  no longer open: {', '.join(c.no_longer_open)}" if c.no_longer_open else ""))
        for e in result.errors:
            typer.echo(f"error in {e['source']}: {e['error']}")
        typer.echo(f"{result.replayed} replayed against {result.base} and {result.candidate}: {len(changes)} change"
                   + "".join(f"; {k}: {v}" for k, v in sorted(result.totals.items())))
    raise typer.Exit(ERROR if result.errors else 0)


@rules_app.command("verify")
def rules_verify(invariants: Optional[Path] = typer.Option(None, "--invariants", metavar="FILE",
                                                           help="Invariants file (default: rules/invariants.yaml)."),
                 max_examples: int = typer.Option(1000, "--max-examples", min=10,
                                                  help="Provisions to generate per invariant."),
                 fmt: Format = typer.Option(Format.text, "--format", help="text or json."),
                 rules: Optional[Path] = RulesDir):
    """Search for provisions that break an invariant; print the shrunk counterexample."""
    import yaml

    from engine.invariants import load_invariants, verify_all
    library = _library(rules)
    path = invariants or (rules or default_rules_dir()) / "invariants.yaml"
    try:
        spec = load_invariants(path)
    except PolicyError as exc:
        _fail(exc)
    try:
        results = verify_all(library, spec.invariants, max_examples)
    except PolicyError as exc:
        _fail(exc)
    broken = [r for r in results if r.counterexample is not None]
    if fmt is Format.json:
        typer.echo(json.dumps([{"id": r.id, "text": r.text, "examples": r.examples, "seconds": round(r.seconds, 2),
                                "counterexample": r.counterexample,
                                "decision": r.decision.model_dump(mode="json") if r.decision else None,
                                "changed_decision": r.other.model_dump(mode="json") if r.other else None}
                               for r in results], ensure_ascii=False))
    else:
        for r in results:
            status = "BROKEN" if r.counterexample is not None else "holds"
            typer.echo(f"{status:6} {r.id}: {r.text.strip()}")
            if r.counterexample is not None:
                typer.echo("  counterexample:")
                typer.echo("    " + yaml.safe_dump(r.counterexample, sort_keys=False, allow_unicode=True)
                           .replace("\n", "\n    ").rstrip())
                typer.echo(f"  decision: {r.decision.decision}" + "".join(
                    f"\n    {x.outcome} {x.rule} ({'; '.join(x.cites)})" for x in r.decision.reasons))
                if r.other is not None:
                    typer.echo(f"  after the change: {r.other.decision}")
        total = max((r.examples for r in results), default=0)
        seconds = max((r.seconds for r in results), default=0)
        typer.echo(f"invariants: {len(results) - len(broken)} hold, {len(broken)} broken; each checked on "
                   f"{total} generated provisions in the last round, {seconds:.1f} s in all")
    raise typer.Exit(ERROR if broken else 0)


class DocFormat(str, enum.Enum):
    markdown = "markdown"
    html = "html"


@rules_app.command("doc")
def rules_doc(fmt: DocFormat = typer.Option(DocFormat.markdown, "--format"),
              out: Optional[Path] = typer.Option(None, "--out", metavar="DIR", help="Write files here instead of stdout."),
              diff_refs: Optional[list[str]] = typer.Option(None, "--diff", metavar="NAME@VERSION|PATH",
                                                            help="Twice: show the changes from the first to the second."),
              rules: Optional[Path] = RulesDir):
    """The rule book: every rule set and version, readable; and the changes between versions."""
    from engine.impact import load_candidate
    from policy import book
    library = _library(rules)
    versions = library.all()
    diffs = []
    if diff_refs:
        if len(diff_refs) != 2:
            raise typer.BadParameter("give --diff twice: the base and the changed version", param_hint="--diff")
        try:
            pair = [load_candidate(library, ref) for ref in diff_refs]
        except (PolicyError, OSError) as exc:
            _fail(exc)
        d = book.diff(*pair)
        d.base, d.candidate = (f"{ref} ({v.ref})" if Path(ref).exists() else v.ref for ref, v in zip(diff_refs, pair))
        diffs.append(d)
    else:
        for vs in library.versions.values():
            diffs += [book.diff(a, b) for a, b in zip(vs, vs[1:])]
    if fmt is DocFormat.html:
        pages = {"rulebook.html": book.book_html([] if diff_refs else versions, diffs)}
    else:
        parts = ([] if diff_refs else [book.version_markdown(v) for v in versions]) + [book.diff_markdown(d) for d in diffs]
        pages = {"rulebook.md": "# wivcheck rule book\n\n" + "\n".join(parts)}
    if out is None:
        for text in pages.values():
            typer.echo(text)
        return
    out.mkdir(parents=True, exist_ok=True)
    for name, text in pages.items():
        (out / name).write_text(text, encoding="utf-8")
        typer.echo(f"wrote {out / name}")


@rules_app.command("lint")
def rules_lint(path: Optional[Path] = typer.Argument(None, help="A rules folder (default: the shipped rules)."),
               fmt: Format = typer.Option(Format.text, "--format", help="text or json.")):
    """Find dead, duplicate and overlapping rules, message and citation problems, version gaps."""
    from policy.lint import lint
    findings = lint(_library(path), FACT_SCHEMA)
    errors = [f for f in findings if f.level == "error"]
    if fmt is Format.json:
        typer.echo(json.dumps([f.__dict__ for f in findings], ensure_ascii=False))
    else:
        for f in sorted(findings, key=lambda f: (f.level != "error", f.where)):
            typer.echo(f"{f.level:7} {f.kind:15} {f.where}: {f.message}")
        typer.echo(f"lint: {len(errors)} errors, {len(findings) - len(errors)} warnings")
    raise typer.Exit(ERROR if errors else 0)


@rules_app.command("schema")
def rules_schema():
    """Print the JSON Schema of the rule-set file format (for editors)."""
    typer.echo(json.dumps(ruleset_json_schema(), indent=2, ensure_ascii=False))


def ruleset_json_schema() -> dict:
    schema = RuleSetFile.model_json_schema(by_alias=True)
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = "https://wivcheck.invalid/ruleset.schema.json"
    schema["description"] = "A wivcheck rule-set version: rules/<ruleset>/<version>.yaml"
    return schema


class ShowFormat(str, enum.Enum):
    text = "text"
    markdown = "markdown"
    html = "html"
    json = "json"


class ExportFormat(str, enum.Enum):
    jsonl = "jsonl"
    csv = "csv"


def _fail(exc: Exception) -> None:
    err.print(f"[bold red]error:[/] {exc}", markup=True)
    raise typer.Exit(ERROR)


@log_app.command("show")
def log_show(key: str = typer.Argument(..., metavar="ID|SEQ", help="Sequence number, decision id or provision id."),
             fmt: ShowFormat = typer.Option(ShowFormat.text, "--format"),
             lang: Lang = typer.Option(Lang.nl, "--lang"), db: Optional[Path] = DbPath):
    """Print one recorded decision with its explanation."""
    with _ledger(db) as ledger:
        try:
            provision, decision = recording.stored(ledger.get(key))
        except LedgerError as exc:
            _fail(exc)
    _print_decision(decision, provision, fmt.value, lang.value)


@log_app.command("head")
def log_head(db: Optional[Path] = DbPath):
    """Print the sequence number and hash of the last entry (write the hash down elsewhere)."""
    with _ledger(db) as ledger:
        seq, digest = ledger.head()
    typer.echo(f"{seq} {digest}")


@log_app.command("verify")
def log_verify(expect_head: Optional[str] = typer.Option(None, "--expect-head", metavar="HASH",
                                                         help="A head hash written down earlier; it must still be in the log."),
               db: Optional[Path] = DbPath):
    """Recompute the hash chain; name the first entry that does not fit."""
    with _ledger(db) as ledger:
        try:
            n, fault = ledger.verify(expect_head)
            seq, digest = ledger.head()
        except LedgerError as exc:
            _fail(exc)
    _exit_if_broken(fault, n)
    typer.echo(f"intact: {n} entries, head {seq} {digest}")


def _exit_if_broken(fault, n: int) -> None:
    if fault:
        err.print(f"[bold red]NOT INTACT[/]: entry {fault.seq}: {fault.problem} ({n} entries read)", markup=True)
        raise typer.Exit(ERROR)


@log_app.command("export")
def log_export(since: Optional[str] = typer.Option(None, "--from", metavar="DATE", help="Recorded on or after DATE."),
               until: Optional[str] = typer.Option(None, "--to", metavar="DATE", help="Recorded on or before DATE."),
               fmt: ExportFormat = typer.Option(ExportFormat.jsonl, "--format"),
               redact: Optional[list[str]] = typer.Option(None, "--redact", metavar="FIELD",
                                                          help="Blank this provision field (repeatable), e.g. recipient.name."),
               out: Optional[Path] = typer.Option(None, "--out", help="Write to a file instead of stdout."),
               db: Optional[Path] = DbPath):
    """Write entries for oversight, as JSON lines or CSV."""
    start, end = _as_of(since), _as_of(until)
    with _ledger(db) as ledger:
        try:
            fields = recording.check_redact_fields(redact or [])
            rows = recording.export_rows(ledger, start, end, fields)
            chunks = recording.to_jsonl(rows) if fmt is ExportFormat.jsonl else recording.to_csv(rows)
            if out:
                tmp = out.with_name(out.name + ".part")
                with open(tmp, "w", encoding="utf-8", newline="") as fh:
                    fh.writelines(chunks)
                tmp.replace(out)
            else:
                for chunk in chunks:
                    sys.stdout.write(chunk)
        except BrokenPipeError:  # the reader stopped early (| head): not an error of ours
            sys.stderr.close()
            raise typer.Exit(0)
        except (LedgerError, OSError) as exc:
            _fail(exc)


@log_app.command("import")
def log_import(file: Path = typer.Argument(..., help="A JSON-lines export (not redacted)."),
               db: Optional[Path] = DbPath):
    """Load an export into a new, empty log (a fresh reader), then verify it."""
    try:
        rows = recording.rows_from_jsonl(file.read_text(encoding="utf-8").splitlines(), str(file))
    except (LedgerError, OSError) as exc:
        _fail(exc)
    with _ledger(db, create=True) as ledger:
        try:
            ledger.import_entries(rows)
            n, fault = ledger.verify()
        except LedgerError as exc:
            _fail(exc)
    _exit_if_broken(fault, n)
    typer.echo(f"imported {n} entries; chain intact")


@log_app.command("replay")
def log_replay(ruleset: Optional[list[str]] = typer.Option(None, "--ruleset", metavar="NAME@VERSION"),
               as_of: Optional[str] = typer.Option(None, "--as-of", metavar="DATE"),
               fmt: Format = typer.Option(Format.text, "--format", help="text or json."),
               rules: Optional[Path] = RulesDir, db: Optional[Path] = DbPath):
    """Re-decide every logged provision with other rules; report the decisions that would change."""
    refs, day = _refs(ruleset), _as_of(as_of)
    engine = Engine(_library(rules))
    totals: dict[str, int] = {}
    changes, failures, n = [], [], 0
    with _ledger(db) as ledger:
        try:
            for entry, change, exc in recording.replay(ledger, engine, refs, day):
                n += 1
                if exc is not None:
                    failures.append({"seq": entry.seq, "provision_id": entry.provision_id, "error": str(exc)})
                elif change is not None:
                    changes.append(change)
                    key = f"{change.before} -> {change.after}"
                    totals[key] = totals.get(key, 0) + 1
        except LedgerError as exc:
            _fail(exc)
    if fmt is Format.json:
        typer.echo(json.dumps({"replayed": n, "changed": [c.__dict__ for c in changes],
                               "totals": totals, "errors": failures}, ensure_ascii=False))
    else:
        for c in changes:
            typer.echo(f"#{c.seq} {c.provision_id}: {c.before} -> {c.after}"
                       + (f"  now open: {', '.join(c.added)}" if c.added else "")
                       + (f"  no longer open: {', '.join(c.removed)}" if c.removed else ""))
        for f in failures:
            typer.echo(f"#{f['seq']} {f['provision_id']}: error: {f['error']}")
        typer.echo(f"{n} replayed, {len(changes)} would change"
                   + "".join(f"; {k}: {v}" for k, v in sorted(totals.items())))
    raise typer.Exit(ERROR if failures else 0)


tokens_app = typer.Typer(no_args_is_help=True, help="Bearer tokens for the HTTP service.")
app.add_typer(tokens_app, name="tokens")


@tokens_app.command("new")
def tokens_new(role: str = typer.Option(..., "--role", help="analyst, gate, policy or auditor."),
               name: str = typer.Option(..., "--name", help="Who or what holds the token.")):
    """Print a fresh token (give it to its holder) and its entry for the tokens file (hash only)."""
    from .tokens import ROLES, new_token
    if role not in ROLES:
        raise typer.BadParameter(f"one of {', '.join(ROLES)}", param_hint="--role")
    token, entry = new_token(role, name)
    typer.echo(f"token: {token}")
    typer.echo("entry for the tokens file:")
    typer.echo(f"- {{name: {json.dumps(entry['name'])}, role: {entry['role']}, sha256: {entry['sha256']}}}")


@app.command()
def serve(host: str = typer.Option("127.0.0.1", "--host"),
          port: int = typer.Option(8000, "--port", min=0, max=65535),
          workers: int = typer.Option(1, "--workers", min=1, max=64),
          db: Optional[Path] = DbPath,
          tokens: Optional[Path] = typer.Option(None, "--tokens", envvar="WIVCHECK_TOKENS", metavar="FILE",
                                                help="Tokens file (YAML list of {name, role, sha256})."),
          rules: Optional[Path] = RulesDir):
    """Serve the HTTP API and the analyst page (uvicorn)."""
    import ipaddress
    import os
    import tempfile

    import uvicorn

    from .settings import Settings
    from .tokens import TokenFileError, load_tokens

    try:
        loopback = host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = False
    known = {}
    if tokens is not None:
        try:
            known = load_tokens(tokens)
        except TokenFileError as exc:
            _fail(exc)
    if not known and not loopback:
        err.print(f"[bold red]refused:[/] no tokens are configured, so every caller would have every role; "
                  f"the server listens only on loopback (127.0.0.1, ::1) until --tokens names a tokens file "
                  f"(make one with `wivcheck tokens new`). Asked for: {host}", markup=True)
        raise typer.Exit(ERROR)
    import dataclasses
    settings = dataclasses.replace(Settings.from_env(), rules_dir=rules, db_path=db or default_path(),
                                   tokens_path=tokens)
    engine = Engine(_library(rules))
    try:
        engine.warm()
        Ledger(settings.db_path, create=True).close()
    except (EngineError, LedgerError) as exc:
        _fail(exc)
    os.environ.update(settings.to_env())
    os.environ.setdefault("PROMETHEUS_MULTIPROC_DIR", tempfile.mkdtemp(prefix="wivcheck-metrics-"))
    if not known:
        err.print("no tokens configured: loopback only, every caller has every role", markup=False)
    uvicorn.run("api.server:app_from_env", factory=True, host=host, port=port, workers=workers,
                log_level="warning", access_log=False)


def main() -> None:
    try:
        app(standalone_mode=True)
    except SystemExit:
        raise
    except Exception as exc:  # last line of defence: an unexpected fault is an error, never an allow
        err.print(f"[bold red]internal error:[/] {type(exc).__name__}: {exc}", markup=True)
        sys.exit(ERROR)
