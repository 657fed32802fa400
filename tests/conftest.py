"""Shared fixtures: the shipped library, engines on both backends, and a valid base provision."""

from __future__ import annotations

import copy
import os
import shutil
import sys
from pathlib import Path

import pytest
import yaml

from wivcheck.engine import Engine, load_library, provision_from_data
from wivcheck.engine.load import merge_patch

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
BIN = Path(sys.executable).parent


@pytest.fixture(scope="session")
def library():
    return load_library()


@pytest.fixture(scope="session")
def durable(library):
    return Engine(library, "durable")


@pytest.fixture(scope="session")
def oracle(library):
    return Engine(library, "oracle")


def base_data() -> dict:
    """The allow example as plain data: every shipped rule satisfied or not applicable."""
    return yaml.safe_load((EXAMPLES / "allow-structural.yaml").read_text())


def patched(patch: dict, base: dict | None = None) -> dict:
    """base with patch merged in; a value None removes the key."""
    out = copy.deepcopy(base if base is not None else base_data())
    merge_patch(out, patch)
    return out




def provision(patch: dict | None = None, base: dict | None = None):
    return provision_from_data(patched(patch or {}, base))


@pytest.fixture()
def rules_copy(tmp_path):
    """A writable copy of the shipped rules folder."""
    dst = tmp_path / "rules"
    shutil.copytree(ROOT / "rules", dst)
    return dst


def wivcheck_bin() -> str:
    exe = BIN / "wivcheck"
    assert exe.exists(), f"console script not installed at {exe}"
    return str(exe)


def run_env() -> dict:
    env = dict(os.environ)
    env.pop("WIVCHECK_RULES", None)
    return env
