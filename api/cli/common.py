"""What the command-line modules share: exit codes, option types, reading inputs, loading the rules
and the log, and turning errors into messages and exit codes (in one place)."""

from __future__ import annotations

import datetime as dt
import enum
import json
import sys
from pathlib import Path
from typing import Optional

import typer
from rich.console import Console

from wivcheck.engine import EngineError, ProvisionError, load_library, render_html, render_json, render_markdown, render_text

from wivcheck.engine.log import Ledger, LedgerError
from wivcheck.engine.log.ledger import default_path
from wivcheck.policy import PolicyError, PolicyErrors

EXIT = {"allow": 0, "deny": 3, "escalate": 4}
ERROR, USAGE = 1, 2
SEVERITY = {0: 0, 4: 1, 3: 2, 1: 3}

err = Console(stderr=True, highlight=False, soft_wrap=True)


class Format(str, enum.Enum):
    text = "text"
    json = "json"
    markdown = "markdown"


class Lang(str, enum.Enum):
    nl = "nl"
    en = "en"


def parse_day(value: Optional[str]) -> Optional[dt.date]:
    if value is None:
        return None
    try:
        if len(value) == 10:
            return dt.date.fromisoformat(value)
    except ValueError:
        pass
    raise typer.BadParameter(f"{value!r} is not a date YYYY-MM-DD")


def parse_refs(values: Optional[list[str]]) -> list[str]:
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


def library_or_exit(rules: Optional[Path]):
    try:
        return load_library(rules)
    except PolicyError as exc:
        err.print(f"[bold red]error:[/] the rules could not be loaded:\n{exc}", markup=True)
        raise typer.Exit(ERROR)


def read_source(source: str) -> tuple[str, bytes]:
    if source == "-":
        return "<stdin>", sys.stdin.buffer.read()
    try:
        return source, Path(source).read_bytes()
    except OSError as exc:
        raise ProvisionError([f"cannot read: {exc.strerror}"], source) from None


def print_decision(d, provision, fmt, lang: str) -> None:
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


def ledger_or_exit(db: Optional[Path], *, create: bool = False, timeout: float = 30.0) -> Ledger:
    try:
        return Ledger(db, create=create, timeout=timeout)
    except LedgerError as exc:
        err.print(f"[bold red]error:[/] {exc}", markup=True)
        raise typer.Exit(ERROR)


def report_error(source: str, exc: Exception, fmt: Format) -> None:
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


class ShowFormat(str, enum.Enum):
    text = "text"
    markdown = "markdown"
    html = "html"
    json = "json"


class ExportFormat(str, enum.Enum):
    jsonl = "jsonl"
    csv = "csv"


def fail(exc: Exception) -> None:
    err.print(f"[bold red]error:[/] {exc}", markup=True)
    raise typer.Exit(ERROR)


def exit_if_broken(fault, n: int) -> None:
    if fault:
        err.print(f"[bold red]NOT INTACT[/]: entry {fault.seq}: {fault.problem} ({n} entries read)", markup=True)
        raise typer.Exit(ERROR)


