"""`wivcheck log ...`: show, head, verify, export, import and replay the decision log."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Optional

import typer

from wivcheck.policy.errors import WivcheckError

from wivcheck.engine import Engine, render_html

from wivcheck.engine.log import recording

from .common import (echo, shown, ERROR, DbPath, ExportFormat, Format, Lang, RulesDir, ShowFormat, exit_if_broken, fail,
                     ledger_or_exit, library_or_exit, parse_day, parse_refs, print_decision, print_impact,
                     remember_format)
from .examples import epilog

log_app = typer.Typer(no_args_is_help=True, help="The decision log: show, verify, head, export, import, replay.")

@log_app.command("show", epilog=epilog("log show"))
def log_show(key: str = typer.Argument(..., metavar="ID|SEQ", help="Sequence number, decision id or provision id."),
             fmt: ShowFormat = typer.Option(ShowFormat.text, "--format", callback=remember_format),
             lang: Lang = typer.Option(Lang.nl, "--lang"), db: Optional[Path] = DbPath):
    """Print one recorded decision with its explanation."""
    with ledger_or_exit(db) as ledger:
        try:
            provision, decision = recording.stored(ledger.get(key))
        except WivcheckError as exc:
            fail(exc)
    if decision.gate is None or fmt.value == "json":
        print_decision(decision, provision, fmt.value, lang.value)
        return
    from wivcheck.engine.gate.record import render_record
    record = decision.gate.model_dump(mode="json")
    if fmt.value == "html":
        page = render_html(decision.model_copy(update={"gate": None}), provision, lang.value)
        section = render_record(record, lang.value, "html")
        echo(page.replace("</body>", section + "</body>") if "</body>" in page else page + section)
        return
    print_decision(decision, provision, fmt.value, lang.value)
    echo(render_record(record, lang.value, fmt.value))


@log_app.command("head", epilog=epilog("log head"))
def log_head(db: Optional[Path] = DbPath):
    """Print the sequence number and hash of the last entry (write the hash down elsewhere)."""
    with ledger_or_exit(db) as ledger:
        seq, digest = ledger.head()
    echo(f"{seq} {digest}")


@log_app.command("verify", epilog=epilog("log verify"))
def log_verify(expect_head: Optional[str] = typer.Option(None, "--expect-head", metavar="HASH",
                                                         help="A head hash written down earlier; it must still be in the log."),
               db: Optional[Path] = DbPath):
    """Recompute the hash chain; name the first entry that does not fit."""
    with ledger_or_exit(db) as ledger:
        try:
            n, fault = ledger.verify(expect_head)
            seq, digest = ledger.head()
        except WivcheckError as exc:
            fail(exc)
    exit_if_broken(fault, n)
    echo(f"intact: {n} entries, head {seq} {digest}")


@log_app.command("export", epilog=epilog("log export"))
def log_export(since: Optional[str] = typer.Option(None, "--from", metavar="DATE", help="Recorded on or after DATE."),
               until: Optional[str] = typer.Option(None, "--to", metavar="DATE", help="Recorded on or before DATE."),
               fmt: ExportFormat = typer.Option(ExportFormat.jsonl, "--format", callback=remember_format),
               redact: Optional[list[str]] = typer.Option(None, "--redact", metavar="FIELD",
                                                          help="Blank this provision field (repeatable), e.g. recipient.name."),
               out: Optional[Path] = typer.Option(None, "--out", help="Write to a file instead of stdout."),
               db: Optional[Path] = DbPath):
    """Write entries for oversight, as JSON lines or CSV."""
    start, end = parse_day(since), parse_day(until)
    with ledger_or_exit(db) as ledger:
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
        except (WivcheckError, OSError) as exc:
            fail(exc)


@log_app.command("import", epilog=epilog("log import"))
def log_import(file: Path = typer.Argument(..., help="A JSON-lines export (not redacted)."),
               db: Optional[Path] = DbPath):
    """Load an export into a new, empty log (a fresh reader), then verify it."""
    try:
        rows = recording.rows_from_jsonl(file.read_text(encoding="utf-8").splitlines(), str(file))
    except (WivcheckError, OSError) as exc:
        fail(exc)
    with ledger_or_exit(db, create=True) as ledger:
        try:
            ledger.import_entries(rows)
            n, fault = ledger.verify()
        except WivcheckError as exc:
            fail(exc)
    exit_if_broken(fault, n)
    echo(f"imported {n} entries; chain intact")


@log_app.command("replay", epilog=epilog("log replay"))
def log_replay(ruleset: Optional[list[str]] = typer.Option(None, "--ruleset", metavar="NAME@VERSION"),
               as_of: Optional[str] = typer.Option(None, "--as-of", metavar="DATE"),
               fmt: Format = typer.Option(Format.text, "--format", callback=remember_format, help="text or json."),
               rules: Optional[Path] = RulesDir, db: Optional[Path] = DbPath):
    """Re-decide every logged provision with other rules; report the decisions that would change."""
    from wivcheck.engine.tools.impact import replay_log
    refs, day = parse_refs(ruleset), parse_day(as_of)
    engine = Engine(library_or_exit(rules))
    with ledger_or_exit(db) as ledger:
        try:
            result = replay_log(ledger, engine, refs, day)
        except WivcheckError as exc:
            fail(exc)
    print_impact(result, fmt)
    raise typer.Exit(ERROR if result.errors else 0)


