"""Imports run one way: cli -> api | evals | faces -> rag -> ingest, and those three never meet.

import-linter cannot follow the package-dir mapping (ingest/ installs as talkrag.ingest), so
this test reads every module's imports with ast instead.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tests.conftest import REPO

# For each layer's folder: the talkrag layers it must never import.
FACES = ("talkrag.api", "talkrag.evals", "talkrag.faces")
TOP = ("talkrag.cli", "talkrag.render", "talkrag.options")
FORBIDDEN = {
    "ingest": ("talkrag.rag", *FACES, *TOP),
    "rag": (*FACES, *TOP),
    "api": ("talkrag.evals", "talkrag.faces", *TOP),
    "evals": ("talkrag.api", "talkrag.faces", *TOP),
    "faces": ("talkrag.api", "talkrag.evals", *TOP),
}


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


@pytest.mark.parametrize("layer", sorted(FORBIDDEN))
def test_layer_imports_only_downward(layer: str):
    offenders = [
        f"{path.relative_to(REPO)} imports {name}"
        for path in sorted((REPO / layer).rglob("*.py"))
        for name in _imports(path)
        if name.startswith(FORBIDDEN[layer])
    ]
    assert offenders == []


def test_no_relative_imports_hide_a_layer():
    relative = [
        str(path.relative_to(REPO))
        for layer in FORBIDDEN
        for path in (REPO / layer).rglob("*.py")
        if any(
            isinstance(n, ast.ImportFrom) and n.level for n in ast.walk(ast.parse(path.read_text()))
        )
    ]
    assert relative == []
