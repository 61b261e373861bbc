"""The outside of the service does not change when its inside is reorganised: every CLI command
(with its options), every desk URL, every setting and its environment variable, and every table,
compared with ``tests/surface.txt``.

To change the surface on purpose, regenerate the list and review the diff::

    .venv/bin/python -m tests.test_surface > tests/surface.txt
"""

from __future__ import annotations

from pathlib import Path

import click
from sqlmodel import SQLModel

from monitor.config import REGISTRY, load_settings

SURFACE = Path(__file__).with_name("surface.txt")


def _commands(cmd: click.Command, path: str) -> list[str]:
    params = sorted(
        "/".join(p.opts + p.secondary_opts) if isinstance(p, click.Option) else f"<{p.name}>"
        for p in cmd.params
    )
    lines = [f"cli {path} {' '.join(params)}".rstrip()]
    if isinstance(cmd, click.Group):
        for name in sorted(cmd.commands):
            lines += _commands(cmd.commands[name], f"{path} {name}")
    return lines


def surface() -> list[str]:
    from monitor.cli.main import cli as main

    lines = _commands(main, "hate-monitor")
    from review_ui.access import ROUTE_ROLES
    from review_ui.app import create_app

    app = create_app(load_settings(None, env={}))
    roles = app[ROUTE_ROLES]
    for resource in app.router.resources():
        info = resource.get_info()
        path = info.get("path") or info.get("formatter") or info.get("prefix")
        for route in resource:
            allowed = ",".join(sorted(roles.get(route, ()))) or "-"
            lines.append(f"url {route.method} {path} {resource.name} {allowed}")
    lines += [f"setting {s.key} {s.env or ''}".rstrip() for s in REGISTRY]
    import monitor.storage.db  # noqa: F401  (registers every table)

    lines += [
        f"table {t.name} {' '.join(sorted(c.name for c in t.columns))}"
        for t in SQLModel.metadata.sorted_tables
    ]
    return sorted(set(lines))


def test_surface_unchanged() -> None:
    assert surface() == SURFACE.read_text().splitlines()


if __name__ == "__main__":
    print("\n".join(surface()))
