"""`wivcheck healthcheck`: ask a running service whether it is ready, for container and service
probes (Docker's HEALTHCHECK, a systemd timer, a monitoring agent). Exit 0 ready, 1 not ready or not
answering. Uses the standard library's HTTP client: the probe runs in the slim image, where the test
tools are not installed."""

from __future__ import annotations

import json
import os
import urllib.error
import urllib.request

import typer

from .common import ERROR, echo, err


def healthcheck(url: str = typer.Option(None, "--url", metavar="URL",
                                        help="What to ask (default: WIVCHECK_HEALTHCHECK_URL, else "
                                             "http://127.0.0.1:8000/readyz)."),
                live: bool = typer.Option(False, "--live", help="Ask /healthz (the worker answers) instead of "
                                                                "/readyz (it can decide and record)."),
                timeout: float = typer.Option(3.0, "--timeout", min=0.1, max=60, metavar="SECONDS",
                                              help="How long to wait for the answer.")):
    """Exit 0 when the service answers ready (or alive, with --live); 1 otherwise, saying why."""
    url = url or os.environ.get("WIVCHECK_HEALTHCHECK_URL") or "http://127.0.0.1:8000/readyz"
    if live:
        url = url.rsplit("/", 1)[0] + "/healthz"
    try:
        with urllib.request.urlopen(url, timeout=timeout) as r:  # noqa: S310 - an operator's own URL
            body = r.read()
            status = r.status
    except urllib.error.HTTPError as exc:
        body, status = exc.read(), exc.code
    except (urllib.error.URLError, OSError, ValueError) as exc:
        err.print(f"not answering: {url}: {getattr(exc, 'reason', exc)}", markup=False)
        raise typer.Exit(ERROR)
    try:
        data = json.loads(body)
    except ValueError:
        data = {}
    failing = {k: c.get("detail") for k, c in (data.get("checks") or {}).items() if not c.get("ok")}
    if status == 200:
        echo(f"{data.get('status', 'ok')}: {url}")
        raise typer.Exit(0)
    err.print(f"not ready ({status}): {url}" + "".join(f"\n  {k}: {v}" for k, v in failing.items()), markup=False)
    raise typer.Exit(ERROR)
