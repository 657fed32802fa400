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

from engine import (Engine, EngineError, FACT_SCHEMA, ProvisionError, load_library, parse_provisions,
                    render_json, render_markdown, render_text)
from engine.compile import compile_ruleset
from policy import PolicyError, PolicyErrors, RuleSetFile, default_rules_dir, load_file

EXIT = {"allow": 0, "deny": 3, "escalate": 4}
ERROR, USAGE = 1, 2
_SEVERITY = {0: 0, 4: 1, 3: 2, 1: 3}

app = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="Check a proposed provision (verstrekking) against Wiv 2017 and the PPS safeguards.")
rules_app = typer.Typer(no_args_is_help=True, help="Inspect and validate rule sets.")
app.add_typer(rules_app, name="rules")
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
    rules: Optional[Path] = RulesDir,
    backend: str = typer.Option("durable", "--backend", hidden=True),
):
    """Decide allow, deny or escalate for each provision, with the reasons."""
    day = _as_of(as_of)
    refs = _refs(ruleset)
    if backend not in ("durable", "oracle"):
        raise typer.BadParameter("durable or oracle", param_hint="--backend")
    engine = Engine(_library(rules), backend)
    worst = 0
    for source in files:
        try:
            name, raw = _read(source)
            provisions = parse_provisions(raw, name)
            decisions = engine.decide_many(provisions, as_of=day, rulesets=refs)
        except (ProvisionError, PolicyError, EngineError) as exc:
            worst = max(worst, ERROR, key=_SEVERITY.__getitem__)
            _report_error(source, exc, fmt)
            continue
        for d in decisions:
            worst = max(worst, EXIT[d.decision], key=_SEVERITY.__getitem__)
            if fmt is Format.json:
                typer.echo(render_json(d))
            elif fmt is Format.markdown:
                typer.echo(render_markdown(d, lang.value))
            else:
                typer.echo(render_text(d, lang.value))
    raise typer.Exit(worst)


def _report_error(source: str, exc: Exception, fmt: Format) -> None:
    kind = {ProvisionError: "invalid provision", EngineError: "engine fault"}.get(type(exc), "rules")
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


def main() -> None:
    try:
        app(standalone_mode=True)
    except SystemExit:
        raise
    except Exception as exc:  # last line of defence: an unexpected fault is an error, never an allow
        err.print(f"[bold red]internal error:[/] {type(exc).__name__}: {exc}", markup=True)
        sys.exit(ERROR)
