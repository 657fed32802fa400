"""`wivcheck serve`, `wivcheck tokens new` and `wivcheck gate`: the HTTP service, its bearer tokens,
and the gate for STIX bundles and MISP events."""

from __future__ import annotations

import enum
import json
from pathlib import Path
from typing import Optional

import orjson
import typer
from pydantic import SecretStr

from wivcheck.policy.errors import WivcheckError

from wivcheck.engine import Engine

from wivcheck.engine.log import Ledger, redact_url
from wivcheck.engine.log.ledger import default_path

from .common import (echo, EXIT, DbPath, Format, Lang, RulesDir, err, fail, ledger_or_exit, library_or_exit, settings,
                     parse_refs, remember_format, report_error)
from .examples import epilog

class LogFormat(str, enum.Enum):
    json = "json"
    text = "text"


class LogLevel(str, enum.Enum):
    debug = "debug"
    info = "info"
    warning = "warning"
    error = "error"


tokens_app = typer.Typer(no_args_is_help=True, help="Bearer tokens for the HTTP service.")


@tokens_app.command("new", epilog=epilog("tokens new"))
def tokens_new(role: str = typer.Option(..., "--role", help="analyst, gate, policy, auditor, or an approving role: teamleider, diensthoofd, minister."),
               name: str = typer.Option(..., "--name", help="Who or what holds the token.")):
    """Print a fresh token (give it to its holder) and its entry for the tokens file (hash only)."""
    from ..http.tokens import ROLES, new_token
    if role not in ROLES:
        raise typer.BadParameter(f"one of {', '.join(ROLES)}", param_hint="--role")
    token, entry = new_token(role, name)
    echo(f"token: {token}")
    echo("entry for the tokens file:")
    echo(f"- {{name: {json.dumps(entry['name'])}, role: {entry['role']}, sha256: \"{entry['sha256']}\"}}")


def serve(host: str = typer.Option("127.0.0.1", "--host"),
          port: int = typer.Option(8000, "--port", min=0, max=65535),
          workers: int = typer.Option(1, "--workers", min=1, max=64),
          db: Optional[str] = DbPath,
          tokens: Optional[Path] = typer.Option(None, "--tokens", metavar="FILE",
                                                help="Tokens file (YAML list of {name, role, sha256}); "
                                                     "default WIVCHECK_TOKENS."),
          rules: Optional[Path] = RulesDir,
          log_format: Optional[LogFormat] = typer.Option(None, "--log-format",
                                                         help="Log lines on stderr: json (default, "
                                                              "WIVCHECK_LOG_FORMAT) or text for people."),
          log_level: Optional[LogLevel] = typer.Option(None, "--log-level",
                                                       help="Default info (WIVCHECK_LOG_LEVEL).")):
    """Serve the HTTP API, the AuthZEN API and the analyst page (uvicorn), with JSON logs on stderr."""
    import os
    import secrets
    import shutil
    import tempfile

    import uvicorn

    from ..http.state import check_access_settings

    from .. import logs
    from ..settings import Settings, SettingsError
    try:
        base = Settings.load(log_format=log_format.value if log_format else None,
                             log_level=log_level.value if log_level else None)
    except SettingsError as exc:
        fail(exc)
    logs.configure(base.log_format, base.log_level)
    tokens = tokens or base.tokens_path
    chosen = base.model_copy(update={"rules_dir": rules or base.rules_dir, "tokens_path": tokens,
                                     "db": db or base.db or str(default_path()), "bind_host": host,
                                     "session_key": base.session_key or SecretStr(secrets.token_urlsafe(32))})
    # the same check runs again in every worker, at its start and at every restart (api/http/state.py)
    try:
        known = check_access_settings(chosen)
    except WivcheckError as exc:
        fail(exc)
    engine = Engine(library_or_exit(chosen.rules_dir))
    try:
        engine.warm()
        Ledger(chosen.db, create=True).close()
    except WivcheckError as exc:
        fail(exc)
    os.environ.update(chosen.to_env())
    metrics_dir = None
    if "PROMETHEUS_MULTIPROC_DIR" not in os.environ:
        metrics_dir = os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="wivcheck-metrics-")
    if not known:
        logs.get("wivcheck.serve").warning("no_tokens", note="no tokens configured: loopback only, every "
                                                             "caller has every role")
    addr = f"[{host}]" if ":" in host else host
    logs.get("wivcheck.serve").info("serving", page=f"http://{addr}:{port}/", api=f"http://{addr}:{port}/v1",
                                    docs=f"http://{addr}:{port}/docs", log=redact_url(chosen.db))
    try:
        # uvicorn's own logging is not configured (log_config=None): its records go to the root
        # logger, which `logs.configure` set up; the access log is wivcheck's own (api/http/observe.py)
        uvicorn.run("wivcheck.api.http.app:app_from_env", factory=True, host=host, port=port, workers=workers,
                    log_config=None, log_level=chosen.log_level, access_log=False)
    finally:
        if metrics_dir:
            shutil.rmtree(metrics_dir, ignore_errors=True)




def gate(stix: Optional[Path] = typer.Option(None, "--stix", metavar="FILE", help="A STIX 2.1 bundle (JSON)."),
         misp: Optional[Path] = typer.Option(None, "--misp", metavar="FILE",
                                             help="A MISP event, or a response with several (JSON)."),
         envelope: Path = typer.Option(..., "--envelope", metavar="FILE",
                                       help="The provision without what the payload carries (YAML or JSON)."),
         stripped: Optional[Path] = typer.Option(
             None, "--stripped", metavar="OUT",
             help="Write the payload minus the removal set to OUT, if the stripped payload is allowed."),
         record: bool = typer.Option(False, "--record", help="Append the decision to the decision log."),
         fmt: Format = typer.Option(Format.text, "--format", callback=remember_format, help="text or json."),
         lang: Lang = typer.Option(Lang.nl, "--lang"),
         ruleset: Optional[list[str]] = typer.Option(None, "--ruleset", metavar="NAME@VERSION"),
         db: Optional[str] = DbPath, rules: Optional[Path] = RulesDir):
    """Decide a STIX bundle or MISP event with its envelope: whole and per object, with what to strip.

    The envelope's approvals are checked against the decision log when one is named (--db,
    WIVCHECK_DB) or written to (--record), as `check` does; without a log they count as written,
    marked unverified."""
    from wivcheck.engine import render_text
    from wivcheck.engine.log import recording
    from wivcheck.engine.log.approvals import LogApprovals
    from .approvals import LogWhenNeeded
    from wivcheck.engine.gate import gate as run_gate, read
    from wivcheck.engine.gate.record import render_record
    from wivcheck.policy.yamlsafe import load_file
    if (stix is None) == (misp is None):
        raise typer.BadParameter("give exactly one of --stix and --misp")
    engine = Engine(library_or_exit(rules))
    try:
        payload = read("stix" if stix else "misp", (stix or misp).read_bytes())
        env = load_file(str(envelope)).data
        ledger = ledger_or_exit(db, create=True) if record else None
        named = db is not None or settings().db is not None
        register = (LogApprovals(ledger) if ledger is not None else LogWhenNeeded(db, 30.0) if named else None)
        result = run_gate(engine, env, payload, parse_refs(ruleset), register=register)
        decision = result.decision
        if record:
            decision = decision.model_copy(update={"gate": result.record()})
            decision = recording.record(ledger, [result.provision], [decision])[0]
        written = None
        if stripped is not None and result.may_go_stripped:
            tmp = stripped.with_name(stripped.name + ".part")
            tmp.write_bytes(orjson.dumps(result.stripped, option=orjson.OPT_INDENT_2))
            tmp.replace(stripped)
            written = stripped
    except WivcheckError as exc:
        from wivcheck.engine.gate import PayloadError
        report_error(str((stix or misp) if isinstance(exc, PayloadError) else envelope), exc, fmt)
        raise typer.Exit(exc.exit_code)
    except OSError as exc:
        fail(exc)
    if stripped is not None and written is None:
        err.print(f"not written: {stripped} (the stripped payload may not go: {result.remove_note})", markup=False)
    if fmt is Format.json:
        echo(json.dumps(result.answer(decision), ensure_ascii=False))
    else:
        echo(render_text(decision, lang.value))
        if decision.log:
            echo(f"  {'vastgelegd' if lang.value == 'nl' else 'recorded'}: #{decision.log.sequence} "
                       f"{decision.log.hash}")
        echo(render_record(result.record().model_dump(mode="json"), lang.value, "text", brief=True))
        if written:
            echo(f"  {'geschreven' if lang.value == 'nl' else 'written'}: {written}")
    raise typer.Exit(EXIT[decision.decision])
