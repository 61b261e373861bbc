"""Where things live (docs/ARCHITECTURE.md): what the import-linter contract in pyproject.toml
does not say itself. The layers are checked by ``lint-imports`` (``make test``)."""

from __future__ import annotations

from pathlib import Path

import grimp

REPO = Path(__file__).resolve().parents[1]
ROOT_MODULES = {"__init__.py", "config.py", "logging_setup.py", "http_session.py"}


def test_monitor_root_holds_only_the_shared_modules() -> None:
    assert {p.name for p in (REPO / "monitor").glob("*.py")} == ROOT_MODULES


def test_pages_live_in_views() -> None:
    assert not list((REPO / "review_ui").glob("views_*.py"))


def test_no_import_cycles_between_packages() -> None:
    graph = grimp.build_graph("monitor", "review_ui")

    def package(module: str) -> str:
        return ".".join(module.split(".")[:2])

    edges: dict[str, set[str]] = {}
    for module in graph.modules:
        for imported in graph.find_modules_directly_imported_by(module):
            a, b = package(module), package(imported)
            if a != b and b.split(".")[0] in ("monitor", "review_ui"):
                edges.setdefault(a, set()).add(b)

    def reaches(start: str, goal: str, seen: set[str]) -> bool:
        for nxt in edges.get(start, ()):
            if nxt == goal or (nxt not in seen and reaches(nxt, goal, seen | {nxt})):
                return True
        return False

    cycles = sorted(f"{a} <-> {b}" for a, bs in edges.items() for b in bs if reaches(b, a, {b}))
    assert cycles == []
