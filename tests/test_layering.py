"""Data flows one way: ingest -> store <- assistant (ingest only at the assistant's composition roots)."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("assistant", "ingest", "store")
ALLOWED = {"store": set(), "ingest": {"store"}, "assistant": {"store"}}
# Where the packages meet: the settings object (one section per package), the wiring, and the two surfaces.
COMPOSITION_ROOTS = {"assistant/config.py", "assistant/wiring.py", "assistant/cli.py", "assistant/ui/app.py"}


def imported_packages(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module.split(".")[0])
    return found & set(PACKAGES)


def test_imports_follow_the_data_flow():
    wrong = []
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            relative = path.relative_to(ROOT).as_posix()
            allowed = ALLOWED[package] | {package}
            if relative in COMPOSITION_ROOTS:
                allowed = allowed | {"ingest"}
            for target in imported_packages(path) - allowed:
                wrong.append(f"{relative} imports {target}")
    assert wrong == []
