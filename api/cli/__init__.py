"""The command line, `wivcheck` (DESIGN.md, "Command line"): `main` holds the app and `check`;
`rules`, `log` and `serve` hold their command groups; `common` the shared options and output."""

from .main import app, main

__all__ = ["app", "main"]
