"""Debian's Chromium for the page tests, in one place: where it is, the skip mark when it is absent
(outside CI only: `.ci/run` installs it, so CI never skips), the launch arguments for a headless
run without network chatter, and where screenshots go.

The `browser` fixture itself is in tests/conftest.py (one Chromium per test module); `launch()`
starts one for a test that needs a browser of its own."""

from __future__ import annotations

import contextlib
import os
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
SHOTS = ROOT / "build" / "screenshots"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]
needs_chromium = pytest.mark.skipif(not Path(CHROMIUM).exists() and not os.environ.get("CI"),
                                    reason="Debian chromium not installed (.ci/run installs it)")


@contextlib.contextmanager
def launch():
    """A headless Debian Chromium driven by playwright; closed on leaving the block."""
    from playwright.sync_api import sync_playwright
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        try:
            yield b
        finally:
            b.close()


def shot(page, name: str) -> None:
    """A full-page screenshot into build/screenshots/ (kept by CI as an artifact)."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / name), full_page=True)
