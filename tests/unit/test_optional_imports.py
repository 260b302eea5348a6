"""llama_index and mcp load only in the modules that serve them, never on the ask/search path."""

from __future__ import annotations

import ast
from pathlib import Path

from tests.conftest import REPO

# The only modules allowed to import each integration at their top level.
ALLOWED = {
    "llama_index": {"faces/llamaindex.py", "faces/llamaindex_chat.py", "faces/llamaindex_nodes.py"},
    "mcp": {"faces/mcp_server.py"},
}
LAYERS = ("talkrag", "ingest", "rag", "api", "evals", "faces")


def _top_level_imports(path: Path) -> set[str]:
    """Root package names imported at module level (not inside functions)."""
    names: set[str] = set()
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module.split(".")[0])
    return names


def test_integrations_are_imported_only_by_their_modules():
    offenders = [
        f"{rel} imports {package}"
        for layer in LAYERS
        for path in sorted((REPO / layer).rglob("*.py"))
        for package, allowed in ALLOWED.items()
        if package in _top_level_imports(path)
        and (rel := str(path.relative_to(REPO))) not in allowed
    ]
    assert offenders == []


def test_no_package_init_pulls_an_integration_in():
    pulling = [
        str(init.relative_to(REPO))
        for layer in LAYERS
        if (init := REPO / layer / "__init__.py").exists()
        and any(name in init.read_text(encoding="utf-8") for name in ("llamaindex", "mcp_server"))
    ]
    assert pulling == []
