"""`wivcheck provision ...`: a commented YAML template of a provision per route of the law, the JSON
Schema of a provision, and the field reference as Markdown (docs/provision.md). All from the model
and the field reference (engine/reference.py)."""

from __future__ import annotations

import enum
import json
from typing import Optional

import typer

from wivcheck.engine.reference import DEFAULT_ROUTE, ROUTES, markdown, provision_schema, template

from .common import Lang, echo, parse_day
from .examples import epilog

provision_app = typer.Typer(no_args_is_help=True,
                            help="Start a provision: a commented template per route, the JSON Schema, the field reference.")

Route = enum.Enum("Route", {name.replace("-", "_"): name for name in ROUTES}, type=str)


@provision_app.command("template", epilog=epilog("provision template"))
def provision_template(
    lang: Lang = typer.Option(Lang.nl, "--lang", help="Language of the comments."),
    route: Route = typer.Option(DEFAULT_ROUTE, "--route",
                                help="The route of the law: " + "; ".join(f"{k}: {r.title['en']}" for k, r in ROUTES.items())),
    day: Optional[str] = typer.Option(None, "--date", metavar="DATE",
                                      help="The provision's date (default today); the example dates follow it."),
):
    """Print a commented YAML provision: every field with its meaning, allowed values and article,
    required ones marked, optional ones the route does not need as comments. It reads without error
    as printed; `wivcheck check` on it names what to write."""
    echo(template(lang.value, route.value, parse_day(day)), nl=False)


@provision_app.command("schema", epilog=epilog("provision schema"))
def provision_schema_cmd():
    """Print the JSON Schema (draft 2020-12) of a provision, every field described (Dutch under x-nl)."""
    echo(json.dumps(provision_schema(), indent=2, ensure_ascii=False))


@provision_app.command("doc", epilog=epilog("provision doc"))
def provision_doc():
    """Print the field reference as Markdown (the text of docs/provision.md)."""
    echo(markdown(), nl=False)
