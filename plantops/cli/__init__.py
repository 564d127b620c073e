"""The ``plantops`` command: thin Typer commands that call services and print with Rich."""

from __future__ import annotations

from plantops.cli.root import app


def main() -> None:
    app()


__all__ = ["app", "main"]
