"""The layout of DESIGN.md holds: imports point api → engine → policy, and inside engine the
subpackages (log, gate, tools) build on the decision core, never the reverse. Walks every module's
imports (absolute and relative, at any depth in the file) with `ast`."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = {"policy": "wivcheck.policy", "engine": "wivcheck.engine", "api": "wivcheck.api"}
SUBPACKAGES = ("wivcheck.engine.log", "wivcheck.engine.gate", "wivcheck.engine.tools")


def _module_name(path: Path) -> str:
    rel = path.relative_to(ROOT).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join([PACKAGES[parts[0]]] + parts[1:]) if parts[0] in PACKAGES else ".".join(parts)


def _imports(path: Path) -> list[tuple[int, str]]:
    name = _module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    out = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            out += [(node.lineno, a.name) for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            out.append((node.lineno, target))
            out += [(node.lineno, f"{target}.{a.name}") for a in node.names]
    return out


def _violations() -> list[str]:
    bad = []
    for folder in PACKAGES:
        for path in (ROOT / folder).rglob("*.py"):
            me = _module_name(path)
            for line, target in _imports(path):
                where = f"{path.relative_to(ROOT)}:{line} imports {target}"
                layer = lambda name, pkg: name == pkg or name.startswith(pkg + ".")  # noqa: E731
                if layer(me, "wivcheck.policy") and (layer(target, "wivcheck.engine") or layer(target, "wivcheck.api")):
                    bad.append(where + " (policy is the lowest layer)")
                if layer(me, "wivcheck.engine") and layer(target, "wivcheck.api"):
                    bad.append(where + " (engine knows nothing of the front ends)")
                in_sub = any(layer(me, s) for s in SUBPACKAGES)
                if layer(me, "wivcheck.engine") and not in_sub and me != "wivcheck.engine":
                    for sub in SUBPACKAGES:
                        if layer(target, sub):
                            bad.append(where + " (the decision core never imports its subpackages)")
                if me == "wivcheck.engine":
                    for sub in SUBPACKAGES:
                        if layer(target, sub):
                            bad.append(where + " (the core's package must not load a subpackage)")
                for tool in ("fastapi", "starlette", "uvicorn", "typer"):
                    if not layer(me, "wivcheck.api") and layer(target, tool):
                        bad.append(where + " (HTTP and CLI libraries belong to api)")
                if layer(me, "wivcheck.policy") and layer(target, "durable_rules_engine"):
                    bad.append(where + " (policy knows nothing of durable_rules)")
    return bad


def test_imports_point_one_way():
    assert _violations() == []


def test_the_check_finds_an_upward_import(tmp_path, monkeypatch):
    """The walk is not vacuous: an import pointing up in a copy of the tree is found."""
    import shutil
    for folder in PACKAGES:
        shutil.copytree(ROOT / folder, tmp_path / folder)
    (tmp_path / "engine" / "combine.py").write_text(
        (tmp_path / "engine" / "combine.py").read_text() + "\nfrom .log import ledger  # noqa\n")
    (tmp_path / "policy" / "dates.py").write_text(
        (tmp_path / "policy" / "dates.py").read_text() + "\nfrom wivcheck.engine import Engine  # noqa\n")
    monkeypatch.setattr(sys.modules[__name__], "ROOT", tmp_path)
    found = _violations()
    assert any("engine/combine.py" in v and "subpackages" in v for v in found)
    assert any("policy/dates.py" in v and "lowest layer" in v for v in found)
