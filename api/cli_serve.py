"""`wivcheck serve` and `wivcheck tokens new`: the HTTP service and its bearer tokens."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Optional

import typer

from engine import Engine, EngineError, Ledger, LedgerError
from engine.ledger import default_path

from .cli_common import ERROR, DbPath, RulesDir, err, fail, library_or_exit

tokens_app = typer.Typer(no_args_is_help=True, help="Bearer tokens for the HTTP service.")


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
            fail(exc)
    if not known and not loopback:
        err.print(f"[bold red]refused:[/] no tokens are configured, so every caller would have every role; "
                  f"the server listens only on loopback (127.0.0.1, ::1) until --tokens names a tokens file "
                  f"(make one with `wivcheck tokens new`). Asked for: {host}", markup=True)
        raise typer.Exit(ERROR)
    import dataclasses
    settings = dataclasses.replace(Settings.from_env(), rules_dir=rules, db_path=db or default_path(),
                                   tokens_path=tokens)
    engine = Engine(library_or_exit(rules))
    try:
        engine.warm()
        Ledger(settings.db_path, create=True).close()
    except (EngineError, LedgerError) as exc:
        fail(exc)
    os.environ.update(settings.to_env())
    os.environ.setdefault("PROMETHEUS_MULTIPROC_DIR", tempfile.mkdtemp(prefix="wivcheck-metrics-"))
    if not known:
        err.print("no tokens configured: loopback only, every caller has every role", markup=False)
    uvicorn.run("api.server:app_from_env", factory=True, host=host, port=port, workers=workers,
                log_level="warning", access_log=False)


