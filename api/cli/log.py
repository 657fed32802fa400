"""`wivcheck log ...`: show, head, verify, export, import, replay, checkpoint and keygen, migrate and
copy the decision log (SQLite or PostgreSQL, by `--db`)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Optional

import typer

from wivcheck.policy.errors import WivcheckError

from wivcheck.engine import Engine, render_html

from wivcheck.engine.log import Ledger, recording

from .common import (echo, ERROR, DbPath, ExportFormat, Format, Lang, RulesDir, ShowFormat, db_target, err,
                     exit_if_broken, fail, ledger_or_exit, library_or_exit, parse_day, parse_refs, print_decision,
                     print_impact,
                     remember_format)
from .examples import epilog

log_app = typer.Typer(no_args_is_help=True, help="The decision log: show, verify, head, export, import, replay, "
                                                 "checkpoint, keygen, migrate, copy.")


def describe_recorder(by: dict | None, lang: str) -> str:
    """Who recorded an entry, as a line of text."""
    if by is None:
        return "niet vastgelegd (van voor schema 0002)" if lang == "nl" else "not recorded (before schema 0002)"
    if "token" in by:
        return f"{by['token']} ({by.get('role', '?')})"
    via = " via http" if by.get("via") == "http" else ""
    return f"{by.get('local_user', '?')}@{by.get('host', '?')}{via}"

@log_app.command("show", epilog=epilog("log show"))
def log_show(key: str = typer.Argument(..., metavar="ID|SEQ", help="Sequence number, decision id or provision id."),
             fmt: ShowFormat = typer.Option(ShowFormat.text, "--format", callback=remember_format),
             lang: Lang = typer.Option(Lang.nl, "--lang"), db: Optional[str] = DbPath):
    """Print one recorded decision with its explanation."""
    with ledger_or_exit(db) as ledger:
        try:
            provision, decision, entry = recording.shown(ledger, key)
        except WivcheckError as exc:
            fail(exc)
    if decision.gate is not None and fmt.value != "json":
        from wivcheck.engine.gate.record import render_record
        record = decision.gate.model_dump(mode="json")
        if fmt.value == "html":
            page = render_html(decision.model_copy(update={"gate": None}), provision, lang.value)
            section = render_record(record, lang.value, "html")
            echo(page.replace("</body>", section + "</body>") if "</body>" in page else page + section)
            return
        print_decision(decision, provision, fmt.value, lang.value)
        echo(render_record(record, lang.value, fmt.value))
    else:
        print_decision(decision, provision, fmt.value, lang.value)
    if fmt is ShowFormat.text:
        label = "vastgelegd door" if lang is Lang.nl else "recorded by"
        echo(f"  {label}: {describe_recorder(entry.recorder(), lang.value)}, {entry.recorded_at}")


@log_app.command("head", epilog=epilog("log head"))
def log_head(db: Optional[str] = DbPath):
    """Print the sequence number and hash of the last entry (write the hash down elsewhere)."""
    with ledger_or_exit(db) as ledger:
        seq, digest = ledger.head()
    echo(f"{seq} {digest}")


@log_app.command("verify", epilog=epilog("log verify"))
def log_verify(expect_head: Optional[str] = typer.Option(None, "--expect-head", metavar="HASH",
                                                         help="A head hash written down earlier; it must still be in the log."),
               checkpoint: Optional[list[Path]] = typer.Option(
                   None, "--checkpoint", metavar="FILE",
                   help="A signed checkpoint (`log checkpoint`); repeatable. Needs --public-key."),
               public_key: Optional[Path] = typer.Option(None, "--public-key", metavar="FILE",
                                                         help="The public key the checkpoints were signed with."),
               db: Optional[str] = DbPath):
    """Recompute the hash chain and check the database (integrity, triggers, grants) and any signed
    checkpoints; name the first entry that does not fit."""
    if checkpoint and public_key is None:
        raise typer.BadParameter("--checkpoint needs --public-key", param_hint="--public-key")
    from wivcheck.engine.log import checkpoint as checkpoints
    try:
        anchors = []
        if checkpoint:
            key = checkpoints.load_public(public_key)
            anchors = [checkpoints.read(path, key) for path in checkpoint]
    except WivcheckError as exc:
        fail(exc)
    with ledger_or_exit(db) as ledger:
        try:
            problems = ledger.check_database()
            n, fault = ledger.verify(expect_head, anchors)
            seq, digest = ledger.head()
        except WivcheckError as exc:
            fail(exc)
    for problem in problems:
        err.print(f"[bold red]NOT INTACT[/]: the database: {problem}", markup=True)
    exit_if_broken(fault, n)
    if problems:
        raise typer.Exit(ERROR)
    signed = f"; {len(anchors)} checkpoint(s) hold" if anchors else ""
    echo(f"intact: {n} entries, head {seq} {digest}{signed}")


@log_app.command("export", epilog=epilog("log export"))
def log_export(since: Optional[str] = typer.Option(None, "--from", metavar="DATE", help="Recorded on or after DATE."),
               until: Optional[str] = typer.Option(None, "--to", metavar="DATE", help="Recorded on or before DATE."),
               fmt: ExportFormat = typer.Option(ExportFormat.jsonl, "--format", callback=remember_format),
               redact: Optional[list[str]] = typer.Option(None, "--redact", metavar="FIELD",
                                                          help="Blank this provision field (repeatable), e.g. recipient.name."),
               out: Optional[Path] = typer.Option(None, "--out", help="Write to a file instead of stdout."),
               db: Optional[str] = DbPath):
    """Write entries for oversight, as JSON lines or CSV."""
    start, end = parse_day(since), parse_day(until)
    bad: list[int] = []

    def checked(rows):
        for row in rows:
            if not row["verified"]:
                bad.append(row["seq"])
            yield row
    with ledger_or_exit(db) as ledger:
        try:
            fields = recording.check_redact_fields(redact or [])
            rows = checked(recording.export_rows(ledger, start, end, fields))
            chunks = recording.to_jsonl(rows) if fmt is ExportFormat.jsonl else recording.to_csv(rows)
            if out:
                from wivcheck.engine.log.checkpoint import open_private
                tmp = out.with_name(out.name + ".part")
                with open_private(tmp) as fh:
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
    if bad:
        shown = ", ".join(map(str, bad[:20])) + (" ..." if len(bad) > 20 else "")
        err.print(f"[bold red]NOT INTACT[/]: {len(bad)} exported entries do not fit their hashes or the chain "
                  f"(marked verified=false): {shown}", markup=True)
        raise typer.Exit(ERROR)


@log_app.command("import", epilog=epilog("log import"))
def log_import(file: Path = typer.Argument(..., help="A JSON-lines export (not redacted)."),
               db: Optional[str] = DbPath):
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
               rules: Optional[Path] = RulesDir, db: Optional[str] = DbPath):
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




@log_app.command("keygen", epilog=epilog("log keygen"))
def log_keygen(key: Path = typer.Option(Path("wivcheck-checkpoint.key"), "--key", metavar="FILE",
                                        help="Where to write the private key (0600); keep it away from the log's writers."),
               public_key: Path = typer.Option(Path("wivcheck-checkpoint.pub"), "--public-key", metavar="FILE",
                                               help="Where to write the public key (for `log verify`).")):
    """Make an Ed25519 key pair for signing checkpoints of the log. Never overwrites a key."""
    from wivcheck.engine.log import checkpoint as checkpoints
    try:
        fp = checkpoints.keygen(key, public_key)
    except WivcheckError as exc:
        fail(exc)
    typer.echo(f"private key: {key} (0600: keep it where the log's writers cannot read it)")
    typer.echo(f"public key: {public_key} (sha256 {fp})")


@log_app.command("checkpoint", epilog=epilog("log checkpoint"))
def log_checkpoint(key: Path = typer.Option(..., "--key", metavar="FILE", help="The private key (`log keygen`)."),
                   out: Optional[Path] = typer.Option(None, "--out", metavar="FILE",
                                                      help="Write the checkpoint to FILE (0600; never overwritten) "
                                                           "instead of stdout."),
                   db: Optional[str] = DbPath):
    """Sign the log's head (sequence number, hash, time): keep the checkpoint outside the log, and give
    it to `log verify --checkpoint` later."""
    from wivcheck.engine.log import checkpoint as checkpoints
    from wivcheck.engine.log.checkpoint import write_private
    try:
        private = checkpoints.load_private(key)
    except WivcheckError as exc:
        fail(exc)
    with ledger_or_exit(db) as ledger:
        try:
            signed = checkpoints.make(ledger, private)
        except WivcheckError as exc:
            fail(exc)
    text = json.dumps(signed, indent=2) + "\n"
    if out:
        try:
            write_private(out, text)
        except OSError as exc:
            fail(f"cannot write the checkpoint {out}: {exc.strerror}")
        typer.echo(f"checkpoint: entry {signed['seq']} {signed['head']} at {signed['time']} -> {out}")
    else:
        typer.echo(text, nl=False)


@log_app.command("migrate", epilog=epilog("log migrate"))
def log_migrate(grant: Optional[list[str]] = typer.Option(
                    None, "--grant", metavar="ROLE",
                    help="PostgreSQL: give ROLE (the service's) SELECT and INSERT on the log, no UPDATE, DELETE "
                         "or TRUNCATE; repeatable."),
                db: Optional[str] = DbPath):
    """Create the log, or upgrade its schema to this version's (numbered migrations); run it as the
    database's owner."""
    from wivcheck.engine.log import schema
    try:
        with Ledger(db_target(db), create=True) as ledger:
            for role in grant or []:
                ledger.grant(role)
            applied, where = ledger.migrated, ledger.where
    except WivcheckError as exc:
        fail(exc)
    typer.echo(f"{where}: log schema {schema.HEAD}"
               + (f" (applied {', '.join(applied)})" if applied else " (nothing to apply)")
               + "".join(f"; {r} may SELECT and INSERT only" for r in grant or []))


@log_app.command("copy", epilog=epilog("log copy"))
def log_copy(source: str = typer.Option(..., "--from", metavar="PATH|URL", help="The log to copy (verified first)."),
             target: str = typer.Option(..., "--to", metavar="PATH|URL", help="An empty or new log."),
             batch: int = typer.Option(2000, "--batch", hidden=True)):
    """Copy a log entry by entry (e.g. SQLite into PostgreSQL): the chain is verified on both sides and
    the heads must be equal."""
    try:
        with Ledger(source) as src:
            problems = src.check_database()
            n, fault = src.verify()
            if fault or problems:
                what = f"entry {fault.seq}: {fault.problem}" if fault else "; ".join(problems)
                fail(f"the source log {src.where} is not intact ({what}); nothing was copied")
            with Ledger(target, create=True) as dst:
                dst.import_entries(e.as_row() for e in src.entries(batch=batch))
                copied, fault = dst.verify()
                if fault or copied != n or dst.head() != src.head():
                    fail(f"the copy in {dst.where} does not verify: "
                         + (f"entry {fault.seq}: {fault.problem}" if fault else f"{copied} of {n} entries"))
                seq, digest = dst.head()
                where = (src.where, dst.where)
    except WivcheckError as exc:
        fail(exc)
    typer.echo(f"copied {n} entries from {where[0]} to {where[1]}; chain intact on both sides; head {seq} {digest}")
