"""The `wivcheck` command line (contract in DESIGN.md).

Exit codes: 0 allow, 3 deny, 4 escalate, 1 error (bad input, no rule set in force, internal fault),
2 usage. With several provisions the strictest wins: error, then deny, then escalate, then allow.
"""

from __future__ import annotations

import os
import sys
from importlib import metadata
from pathlib import Path
from typing import Optional

import typer

from wivcheck.engine import Engine, parse_provisions
from wivcheck.engine.log import recording
from wivcheck.engine.log.approvals import LogApprovals
from wivcheck.policy.errors import WivcheckError

from .common import (echo, shown, ERROR, EXIT, SEVERITY, DbPath, Format, Lang, LockWait, RulesDir, err, ledger_or_exit,
                     json_error, library_or_exit, parse_day, parse_refs, print_decision, read_source, remember_format,
                     report_error, settings)
from .approvals import LogWhenNeeded, approve, escalations
from .examples import epilog
from .health import healthcheck
from .log import log_app
from .provision import provision_app
from .rules import rules_app
from .serve import gate, serve, tokens_app

app = typer.Typer(add_completion=True, no_args_is_help=True,
                  epilog="Exit codes: 0 allow, 3 deny, 4 escalate, 1 error, 2 usage. Shell completion: "
                         "wivcheck --install-completion.",
                  help="Check a proposed provision (verstrekking) against Wiv 2017 and the PPS safeguards.")


def _version(value: bool) -> None:
    if value:
        echo(f"wivcheck {metadata.version('wivcheck')}")
        raise typer.Exit(0)


@app.callback()
def _root(version: bool = typer.Option(False, "--version", callback=_version, is_eager=True,
                                       help="Print the version and exit."),
          quiet: bool = typer.Option(False, "--quiet", "-q",
                                     help="Print nothing on stdout: the exit code tells the outcome "
                                          "(errors still go to stderr).")) -> None:
    """Check a proposed provision (verstrekking) against Wiv 2017 and the PPS safeguards.

    Exit codes: 0 allow, 3 deny, 4 escalate, 1 error, 2 usage. Shell completion:
    `wivcheck --install-completion`."""
    if quiet:
        # every command writes its results to stdout and its errors to stderr: quiet drops stdout
        # whole, so no command can forget to honour it
        sys.stdout = open(os.devnull, "w", encoding="utf-8")  # noqa: SIM115 - lives as long as the process
    settings()   # every command: a bad WIVCHECK_* setting is an error before anything runs


@app.command(epilog=epilog("check"))
def check(
    files: list[str] = typer.Argument(..., metavar="FILE...", help="Provision files (YAML or JSON); - reads stdin."),
    as_of: Optional[str] = typer.Option(None, "--as-of", metavar="DATE",
                                        help="Select the rules in force on DATE instead of the provision date."),
    ruleset: Optional[list[str]] = typer.Option(None, "--ruleset", metavar="NAME@VERSION",
                                                help="Use this version (drafts too); repeatable."),
    fmt: Format = typer.Option(Format.text, "--format", callback=remember_format,
                               help="text, json (one object per line) or markdown."),
    lang: Lang = typer.Option(Lang.nl, "--lang", help="Language of decisions and error messages."),
    record: bool = typer.Option(False, "--record", help="Append each decision to the decision log."),
    offline: bool = typer.Option(False, "--offline", help="Do not check approvals against a decision log "
                                                         "(WIVCHECK_DB or --db): they count as written, marked "
                                                         "unverified. Not with --record."),
    db: Optional[str] = DbPath,
    lock_wait: float = LockWait,
    rules: Optional[Path] = RulesDir,
    backend: str = typer.Option("durable", "--backend", hidden=True),
):
    """Decide allow, deny or escalate for each provision, with the reasons.

    Approvals named in a provision are checked against the decision log when one is named (--db or
    WIVCHECK_DB) or written to (--record): only approvals recorded there (`wivcheck approve`, POST
    /v1/approvals) close an escalation. Without a log (or with --offline) they count as written and are
    marked unverified; a decision with unverified approvals is never recorded."""
    if offline and record:
        raise typer.BadParameter("a decision recorded in the log has its approvals checked against it; "
                                 "--offline cannot be used with --record", param_hint="--offline")
    day = parse_day(as_of)
    refs = parse_refs(ruleset)
    if backend not in ("durable", "oracle"):
        raise typer.BadParameter("durable or oracle", param_hint="--backend")
    engine = Engine(library_or_exit(rules), backend)
    named = db is not None or settings().db is not None
    ledger = ledger_or_exit(db, create=True, timeout=lock_wait) if record else None
    register = (LogApprovals(ledger) if ledger is not None
                else LogWhenNeeded(db, lock_wait) if named and not offline else None)
    worst = 0
    for source in files:
        try:
            name, raw = read_source(source, lang.value)
            provisions = parse_provisions(raw, name, lang=lang.value)
            decisions = engine.decide_many(provisions, as_of=day, rulesets=refs, register=register)
            if record:
                decisions = recording.record(ledger, provisions, decisions)
        except WivcheckError as exc:
            worst = max(worst, ERROR, key=SEVERITY.__getitem__)
            report_error(source, exc, fmt, lang.value)
            continue
        for p, d in zip(provisions, decisions):
            worst = max(worst, EXIT[d.decision], key=SEVERITY.__getitem__)
            print_decision(d, p, fmt, lang.value)
    raise typer.Exit(worst)



app.command(epilog=epilog("approve"))(approve)
log_app.command("escalations", epilog=epilog("log escalations"))(escalations)
app.command(epilog=epilog("gate"))(gate)
app.command(epilog=epilog("serve"))(serve)
app.command(epilog=epilog("healthcheck"))(healthcheck)
app.add_typer(provision_app, name="provision")
app.add_typer(rules_app, name="rules")
app.add_typer(log_app, name="log")
app.add_typer(tokens_app, name="tokens")


def main() -> None:
    try:
        app(standalone_mode=True)
    except SystemExit:
        raise
    except Exception as exc:  # last line of defence: an unexpected fault is an error, never an allow
        # the fault is wivcheck's, not the input's: say so in words; Python's own text (the exception and
        # its traceback) only on request, for a bug report (WIVCHECK_DEBUG=1)
        said = ("internal error: a fault in wivcheck itself, not in what it was given; nothing was decided or "
                "recorded. Run again with WIVCHECK_DEBUG=1 for the details to report.")
        err.print(f"[bold red]internal error:[/]{said.removeprefix('internal error:')}", markup=True)
        if os.environ.get("WIVCHECK_DEBUG"):
            import traceback
            sys.stderr.write("".join(traceback.format_exception(exc)))
        json_error(said)   # --format json: an answer on stdout too
        sys.exit(ERROR)

