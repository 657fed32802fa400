"""What the command-line modules share: exit codes, option types, reading inputs, loading the rules
and the log, and turning errors into messages and exit codes (in one place).

Errors: every error a command meets after its arguments are understood goes through `fail` or
`report_error`: the message and each problem on stderr, the error's exit code (1), and with
`--format json` (or `jsonl`) also the API's error shape on stdout, `{"error": {"code", "message",
"problems": [{"path", "line", "message"}]}, "source"}`. Usage errors (exit 2) are the argument
parser's own text on stderr. `--quiet` (before the command) leaves only the exit code and errors."""

from __future__ import annotations

import datetime as dt
import enum
import json
import sys
from pathlib import Path
from typing import Optional

import typer
from rich.console import Console

from rich.markup import escape as _escape_markup

from wivcheck.engine import (InputError, load_library, render_html, render_json, render_markdown, render_text,
                             terminal_text)
from wivcheck.engine.log import Ledger, redact_url
from wivcheck.engine.messages import CANNOT_READ
from wivcheck.engine.log.ledger import default_path
from wivcheck.policy import OUTCOME_RANK
from wivcheck.policy.errors import Problem, WivcheckError

from ..settings import Settings, SettingsError

EXIT = {"allow": 0, "deny": 3, "escalate": 4}
ERROR, USAGE = 1, 2
# exit codes from least to most severe: allow, escalate, deny (the outcomes' order), then error
SEVERITY = {**{EXIT[o]: rank for o, rank in OUTCOME_RANK.items()}, ERROR: len(OUTCOME_RANK)}

class _TerminalConsole(Console):
    """A console that prints text given without markup through `terminal_text`: what came from input
    (file names, messages quoting values) cannot send escape sequences to the terminal. Text given
    with markup must escape its values with `shown`."""

    def print(self, *objects, markup=None, **kwargs):
        if markup is False:
            objects = tuple(terminal_text(o, keep_lines=True) if isinstance(o, str) else o for o in objects)
        super().print(*objects, markup=markup, **kwargs)


err = _TerminalConsole(stderr=True, highlight=False, soft_wrap=True)


def echo(text="", **kwargs) -> None:
    """Print a line on stdout with every control character of input made visible (`terminal_text`,
    line breaks kept): the CLI's only way to print."""
    typer.echo(terminal_text(text, keep_lines=True), **kwargs)


def shown(value) -> str:
    """A value from input, made safe to interpolate into Rich markup: control characters made
    visible and markup (`[bold]`, `[/]`, `[link=...]`) escaped."""
    return _escape_markup(terminal_text(value))


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


RulesDir = typer.Option(None, "--rules", metavar="DIR",
                        help="Rules folder (default: WIVCHECK_RULES, else the shipped rules).")
DbPath = typer.Option(None, "--db", metavar="PATH|URL",
                      help=f"Decision log: an SQLite file, or postgresql://USER@HOST:PORT/DB "
                           f"(default: WIVCHECK_DB, else {default_path()}).")


_SETTINGS: list[Settings] = []


def settings() -> Settings:
    """The settings (environment and WIVCHECK_CONFIG), read once per command; a bad value ends the
    command with an error naming the variable."""
    if not _SETTINGS:
        try:
            _SETTINGS.append(Settings.load())
        except SettingsError as exc:
            fail(exc)
    return _SETTINGS[0]
LockWait = typer.Option(30.0, "--lock-wait", metavar="SECONDS", hidden=True,
                        help="How long to wait for a log locked by another writer.")


_JSON_ERRORS: list[bool] = [False]


def remember_format(value):
    """Option callback of every `--format`: a command asked for JSON output gets its errors as JSON."""
    _JSON_ERRORS[0] = getattr(value, "value", value) in ("json", "jsonl")
    return value


def json_error(exc: WivcheckError | str, source: str | None = None) -> None:
    """With JSON output chosen, the error in the API's shape on stdout (one line)."""
    if not _JSON_ERRORS[0]:
        return
    data = exc.as_dict() if isinstance(exc, WivcheckError) else {"error": {"code": "error", "message": str(exc),
                                                                          "problems": []}}
    echo(json.dumps({**data, "source": source}, ensure_ascii=False))


def library_or_exit(rules: Optional[Path]):
    from_settings = rules is None and settings().rules_dir is not None
    try:
        return load_library(rules or settings().rules_dir)
    except WivcheckError as exc:
        json_error(exc, str(rules or settings().rules_dir or "the shipped rules"))
        err.print("[bold red]error:[/] the rules could not be loaded"
                  + (f" (the folder WIVCHECK_RULES names: {shown(settings().rules_dir)})" if from_settings else "") + ":",
                  markup=True)
        err.print(str(exc), markup=False)
        raise typer.Exit(exc.exit_code)


def read_source(source: str, lang: str = "en") -> tuple[str, bytes]:
    """(name, bytes) of an input file, or of stdin for `-`. Raises InputError ("cannot read FILE",
    in `lang`) when it cannot be read."""
    if source == "-":
        return "<stdin>", sys.stdin.buffer.read()
    try:
        return source, Path(source).read_bytes()
    except OSError as exc:
        words = CANNOT_READ.get(lang, CANNOT_READ["en"]).format(source=source)
        raise InputError([Problem(f"{words}: {exc.strerror}")], source, message=words) from None


def print_decision_text(d, provision, fmt, lang: str) -> str:
    """A decision in a format (json, markdown, html, text), as `print_decision` prints it."""
    if fmt in (Format.json, "json"):
        return render_json(d)
    if fmt in (Format.markdown, "markdown"):
        return render_markdown(d, lang, provision)
    if fmt == "html":
        return render_html(d, provision, lang)
    text = render_text(d, lang)
    if d.log:
        text += f"\n  {'vastgelegd' if lang == 'nl' else 'recorded'}: #{d.log.sequence} {d.log.hash}"
    return text


def print_decision(d, provision, fmt, lang: str) -> None:
    echo(print_decision_text(d, provision, fmt, lang))


def db_target(db: Optional[str]) -> str:
    """The log to open: `--db`, else the setting (WIVCHECK_DB or the config file), else the default
    SQLite path."""
    return db or settings().db or str(default_path())


def ledger_or_exit(db: Optional[str], *, create: bool = False, timeout: float = 30.0) -> Ledger:
    try:
        return Ledger(db_target(db), create=create, timeout=timeout)
    except WivcheckError as exc:
        if db is None and settings().db is not None:
            err.print(f"(the decision log WIVCHECK_DB names: {redact_url(settings().db)})", markup=False)
        fail(exc)


def report_error(source: str, exc: WivcheckError, fmt: Format, lang: str = "en") -> None:
    """The one place the CLI turns an error about an input into output: with `--format json` a line
    `{"error": {"code", "message", "problems": [{"path", "line", "message"}]}, "source"}` (the API's
    error shape plus the input's name) on stdout; always the problems, one a line, on stderr, with
    the frame in `lang` (the messages are in the language the input was read in)."""
    if fmt is Format.json:
        echo(json.dumps({**exc.as_dict(), "source": source}, ensure_ascii=False))
    word = "fout" if lang == "nl" else "error"
    err.print(f"[bold red]{word}[/] ({exc.code}) in {shown(source)}: {shown(exc.message)}", markup=True)
    for p in exc.problem_list():
        err.print(f"  {p.text(lang)}", markup=False)


class ShowFormat(str, enum.Enum):
    text = "text"
    markdown = "markdown"
    html = "html"
    json = "json"


class ExportFormat(str, enum.Enum):
    jsonl = "jsonl"
    csv = "csv"


def fail(exc: Exception | str) -> None:
    """End the command with an error: the message (and each problem) on stderr, the error's exit
    code (1). Text from inputs is printed without Rich markup. With JSON output chosen, also the
    API's error shape on stdout."""
    json_error(exc)
    err.print("[bold red]error:[/] ", markup=True, end="")
    if isinstance(exc, WivcheckError) and exc.problems and not str(exc).endswith(str(exc.problems[-1])):
        err.print(exc.message, markup=False)
        for p in exc.problems:
            err.print(f"  {p}", markup=False)
    else:
        err.print(str(exc), markup=False)
    raise typer.Exit(exc.exit_code if isinstance(exc, WivcheckError) else ERROR)


def exit_if_broken(fault, n: int) -> None:
    if fault:
        json_error(WivcheckError(f"entry {fault.seq}: {fault.problem} ({n} entries read)",
                                 [Problem(fault.problem, f"entry {fault.seq}")]))
        err.print(f"[bold red]NOT INTACT[/]: entry {fault.seq}: {shown(fault.problem)} ({n} entries read)", markup=True)
        raise typer.Exit(ERROR)




def print_impact(result, fmt: Format) -> None:
    """An impact report (`engine.tools.impact.Impact`) in the chosen format."""
    if fmt is Format.json:
        echo(json.dumps(result.as_dict(), ensure_ascii=False))
    elif fmt is Format.markdown:
        echo(result.markdown())
    else:
        for line in result.text_lines():
            echo(line)
