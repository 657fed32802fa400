"""`wivcheck log ...`: show, head, verify, export, import, replay, checkpoint and keygen, migrate and
copy the decision log (SQLite or PostgreSQL, by `--db`)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Optional

import typer

from wivcheck.policy.errors import Problem, WivcheckError

from wivcheck.engine import Engine, render_html

from wivcheck.engine.log import Ledger, recording

from .common import (echo, ERROR, DbPath, ExportFormat, Format, Lang, RulesDir, ShowFormat, db_target, err,
                     exit_if_broken, fail, json_error, ledger_or_exit, library_or_exit, parse_day, parse_refs,
                     print_decision, print_decision_text, print_impact, remember_format, settings, shown)
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
def log_show(key: Optional[str] = typer.Argument(None, metavar="ID|SEQ",
                                                 help="Sequence number, decision id or provision id (its latest entry)."),
             provision: Optional[str] = typer.Option(None, "--provision", metavar="ID",
                                                     help="List every entry of this provision id, oldest first."),
             fmt: ShowFormat = typer.Option(ShowFormat.text, "--format", callback=remember_format),
             lang: Lang = typer.Option(Lang.nl, "--lang"), db: Optional[str] = DbPath):
    """Print one recorded decision with its explanation; or, with --provision, every entry of one
    provision (each check of it that was recorded), oldest first."""
    if (key is None) == (provision is None):
        raise typer.BadParameter("give an entry (ID|SEQ) or --provision ID, not both")
    if provision is not None:
        _show_provision(provision, fmt, lang, db)
        return
    with ledger_or_exit(db) as ledger:
        try:
            provision, decision, entry = recording.shown(ledger, key)
        except recording.NotADecision:
            _show_approval(ledger.get_checked(key), fmt, lang)
            return
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


def _approval_line(rec: dict, nl: bool) -> str:
    who = rec.get("approver") or {}
    name = who.get("token") or f"{who.get('local_user', '?')}@{who.get('host', '?')} ({'lokaal' if nl else 'local'})"
    note = f"; {'toelichting' if nl else 'note'}: {rec['note']}" if rec.get("note") else ""
    return (f"{rec.get('rule')} {'goedgekeurd door' if nl else 'approved by'} {rec.get('role')} {name} "
            f"{'op' if nl else 'on'} {rec.get('date')}, {'besluit' if nl else 'decision'} "
            f"{(rec.get('escalation') or {}).get('decision_id')} (#{(rec.get('escalation') or {}).get('sequence')})"
            f"{note}")


def _show_approval(entry, fmt: ShowFormat, lang: Lang) -> None:
    """A recorded approval (an entry whose outcome is `approval`), checked against its hash first."""
    rec = entry.decision_data()["approval"]
    nl = lang is Lang.nl
    if fmt is ShowFormat.json:
        echo(json.dumps({**rec, "log": {"sequence": entry.seq, "hash": entry.hash}}, ensure_ascii=False))
        return
    if fmt is ShowFormat.html:
        raise typer.BadParameter("an approval is shown as text, markdown or json", param_hint="--format")
    prefix = "- " if fmt is ShowFormat.markdown else ""
    echo(f"{prefix}{'Goedkeuring' if nl else 'Approval'} {rec['reference']} ({'verstrekking' if nl else 'provision'} "
         f"{rec['provision_id']}, #{entry.seq}): {_approval_line(rec, nl)}")


def _show_provision(provision_id: str, fmt: ShowFormat, lang: Lang, db: Optional[str]) -> None:
    """Every entry of a provision, each checked against its hash and its neighbours first."""
    if fmt is ShowFormat.html:
        raise typer.BadParameter("--provision lists entries as text, markdown or json; show one entry as html "
                                 "by its sequence number", param_hint="--format")
    shown_entries = []
    with ledger_or_exit(db) as ledger:
        try:
            entries = ledger.entries_of(provision_id)
            if not entries:
                from wivcheck.engine.log.ledger import EntryNotFound
                raise EntryNotFound(f"no entry of provision {provision_id!r} in {ledger.where}")
            for e in entries:
                if e.outcome == "approval":   # an approval of the provision, in the same chain
                    entry = ledger.get_checked(str(e.seq))
                    shown_entries.append((None, entry.decision_data()["approval"], entry))
                    continue
                p, d, entry = recording.shown(ledger, str(e.seq))
                shown_entries.append((p, d, entry))
        except WivcheckError as exc:
            fail(exc)
    nl = lang is Lang.nl
    if fmt is ShowFormat.json:
        echo(json.dumps([{"seq": e.seq, "recorded_at": e.recorded_at, "recorded_by": e.recorder(),
                          "outcome": e.outcome, "decision_id": e.decision_id, "hash": e.hash,
                          **({"approval": d} if p is None else {"decision": d.model_dump(mode="json")})}
                         for p, d, e in shown_entries], ensure_ascii=False))
        return
    if fmt is ShowFormat.markdown:
        echo("\n".join(print_decision_text(d, p, "markdown", lang.value) if p is not None
                       else f"- {'Goedkeuring' if nl else 'Approval'} #{e.seq}: {_approval_line(d, nl)}\n"
                       for p, d, e in shown_entries))
        return
    echo(f"{provision_id}: {len(shown_entries)} {'vastgelegde regels' if nl else 'recorded entries'}")
    for p, d, e in shown_entries:
        if p is None:
            echo(f"  #{e.seq}  {e.recorded_at}  {'approval':8}  {e.hash}")
            echo(f"        {_approval_line(d, nl)}")
            continue
        rules = ", ".join(r.rule for r in d.reasons) or "-"
        echo(f"  #{e.seq}  {e.recorded_at}  {e.outcome:8}  {e.hash}")
        echo(f"        {'redenen' if nl else 'reasons'}: {rules}")
        echo(f"        {'vastgelegd door' if nl else 'recorded by'}: {describe_recorder(e.recorder(), lang.value)}; "
             f"{'beslissing' if nl else 'decision'} {e.decision_id}")


@log_app.command("head", epilog=epilog("log head"))
def log_head(db: Optional[str] = DbPath):
    """Print the sequence number and hash of the last entry (write the hash down elsewhere)."""
    with ledger_or_exit(db) as ledger:
        seq, digest = ledger.head()
    echo(f"{seq} {digest}")


@log_app.command("verify", epilog=epilog("log verify"))
def log_verify(expect_head: Optional[str] = typer.Option(
                   None, "--expect-head", metavar="HASH",
                   help="A head hash written down earlier (all 64 hex digits, or the first 12 or more); it "
                        "must still be in the log."),
               checkpoint: Optional[list[Path]] = typer.Option(
                   None, "--checkpoint", "--checkpoints", metavar="FILE",
                   help="A signed checkpoint (`log checkpoint`); repeatable. Needs --public-key."),
               public_key: Optional[Path] = typer.Option(
                   None, "--public-key", metavar="FILE",
                   help="The public key the checkpoints were signed with. Needs --checkpoint: the "
                        "checkpoints are kept outside the log, so name each file."),
               rules: Optional[Path] = typer.Option(
                   None, "--rules", metavar="DIR",
                   help="The rules folder to check against the log (default: WIVCHECK_RULES, else the shipped "
                        "rules): a version recorded with another sha256 was edited in place."),
               db: Optional[str] = DbPath):
    """Recompute the hash chain and check the database (integrity, triggers, grants) and any signed
    checkpoints; name the first entry that does not fit. Also check that no rule file the log
    recorded decisions under was edited in place (same name@version, another sha256)."""
    if checkpoint and public_key is None:
        raise typer.BadParameter("--checkpoint needs --public-key", param_hint="--public-key")
    if public_key is not None and not checkpoint:
        raise typer.BadParameter("--public-key checks nothing on its own: name the signed checkpoint files with "
                                 "--checkpoint FILE (they are kept outside the log)", param_hint="--checkpoint")
    from wivcheck.engine.log import checkpoint as checkpoints
    try:
        anchors = []
        if checkpoint:
            key = checkpoints.load_public(public_key)
            anchors = [checkpoints.read(path, key) for path in checkpoint]
    except WivcheckError as exc:
        fail(exc)
    library, skipped = _library_for_verify(rules)
    with ledger_or_exit(db) as ledger:
        try:
            problems = ledger.check_database()
            uses: dict[str, list[int]] = {}
            n, fault = ledger.verify(expect_head, anchors, uses=uses)
            seq, digest = ledger.head()
            edited = recording.edited_in_place(ledger, library, uses) if library is not None and not fault else []
        except WivcheckError as exc:
            fail(exc)
    for problem in problems:
        err.print(f"[bold red]NOT INTACT[/]: the database: {problem}", markup=True)
    exit_if_broken(fault, n)
    if problems:
        raise typer.Exit(ERROR)
    signed = f"; {len(anchors)} checkpoint(s) hold" if anchors else ""
    echo(f"intact: {n} entries, head {seq} {digest}{signed}")
    if skipped:
        err.print(f"note: rule files not checked against the log: {skipped}", markup=False)
    for f in edited:
        err.print(f"[bold red]RULE FILE CHANGED[/]: {shown(f.where)}: {shown(f.message)}", markup=True)
    if edited:
        json_error(WivcheckError(f"{len(edited)} rule file(s) edited in place after decisions were recorded "
                                 "under them", [Problem(f.message, f.where) for f in edited]))
        raise typer.Exit(ERROR)


def _library_for_verify(rules: Optional[Path]):
    """(library, why not) for the rule-file check of `log verify`: a folder that cannot be loaded
    is named and skipped when it was not asked for (the chain is verified all the same), and an
    error when it was (--rules)."""
    from wivcheck.engine import load_library
    target = rules or settings().rules_dir
    try:
        return load_library(target), ""
    except WivcheckError as exc:
        if rules is not None:
            fail(exc)
        return None, f"the rules folder {target or 'shipped with wivcheck'} does not load ({exc.message})"


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
